/*
 * vma_acct.c: the numbers of one mapping, from the engine's own tables, in
 * the kernel's terms (fs/proc/task_mmu.c: smaps_pte_entry, smaps_account).
 * A present page counts in Rss unless it is the zero page (vm_normal_page
 * gives NULL for it); Pss adds (page_size << PSS_SHIFT) / mapcount; a page
 * mapped once is private, else shared; a swap entry adds to Swap and to
 * SwapPss (page_size << PSS_SHIFT) / (references to its slot). A shmem or
 * shared anon mapping also counts in Swap every page of its object within
 * its range that sits in swap (shmem_swap_usage), outside SwapPss.
 */
#include <string.h>

#include "engine_mm.h"

enum page_kind frame_page_kind(const struct frame *f)
{
	return f->kind == FRAME_ANON ? KIND_ANON : f->kind == FRAME_SHMEM ? KIND_SHMEM : KIND_FILE;
}

static void account_present(const struct engine *e, uint32_t pfn, struct vma_acct *a)
{
	const struct frame *f = &e->frames.f[pfn];
	enum page_kind k;
	pss_t share;
	bool dirty = f->flags & FRAME_DIRTY;

	if (pfn == FRAME_ZERO_PFN) {
		a->c.zero_page_bytes += ENG_PAGE_SIZE;
		return;
	}
	k = frame_page_kind(f);
	share = pss_share(ENG_PAGE_SIZE, f->mapcount);
	a->c.rss_bytes += ENG_PAGE_SIZE;
	a->c.pss += share;
	a->c.kind[k].rss_bytes += ENG_PAGE_SIZE;
	a->c.kind[k].pss += share;
	if (f->mapcount == 1) {
		a->c.uss_bytes += ENG_PAGE_SIZE;
		a->c.kind[k].uss_bytes += ENG_PAGE_SIZE;
		*(dirty ? &a->private_dirty_bytes : &a->private_clean_bytes) += ENG_PAGE_SIZE;
	} else {
		*(dirty ? &a->shared_dirty_bytes : &a->shared_clean_bytes) += ENG_PAGE_SIZE;
	}
	if (dirty)
		a->pss_dirty += share;
	if (f->flags & FRAME_REFERENCED)
		a->referenced_bytes += ENG_PAGE_SIZE;
	if (k == KIND_ANON)
		a->anonymous_bytes += ENG_PAGE_SIZE;
}

/* Swapped pages of the shmem object behind v within v's range. */
static uint64_t shmem_swapped_pages(const struct engine *e, const struct eng_vma *v)
{
	const struct eng_object *o = &e->objs[v->object];
	uint64_t idx = v->pgoff, end = v->pgoff + ((v->end - v->start) >> ENG_PAGE_SHIFT), n = 0;
	const uint64_t *ent;

	if (o->swapped_pages == 0)
		return 0;
	while ((ent = pgtable_next(&o->pages, &idx, end)) != NULL) {
		if (pte_swapped(*ent))
			n++;
		idx++;
	}
	return n;
}

void vma_account(const struct engine *e, uint32_t vid, struct vma_acct *a)
{
	const struct eng_vma *v = &e->vmas[vid];
	const struct eng_proc *p = &e->procs[v->proc];
	uint64_t idx = v->start >> ENG_PAGE_SHIFT, end = v->end >> ENG_PAGE_SHIFT;
	const uint64_t *ent;

	memset(a, 0, sizeof(*a));
	a->c.valid = CNT_EXACT;
	while ((ent = pgtable_next(&p->pt, &idx, end)) != NULL) {
		if (pte_present(*ent)) {
			account_present(e, pte_pfn(*ent), a);
		} else if (pte_swapped(*ent)) {
			uint32_t slot = pte_slot(*ent);

			a->c.swap_bytes += ENG_PAGE_SIZE;
			a->c.kind[KIND_ANON].swap_bytes += ENG_PAGE_SIZE;
			a->c.swap_pss += pss_share(ENG_PAGE_SIZE, e->swap.refs[slot]);
		} else if (pte_guard(*ent)) {
			a->c.guard_bytes += ENG_PAGE_SIZE;
		}
		idx++;
	}
	if (v->object && e->objs[v->object].kind != OBJ_FILE) {
		uint64_t bytes = shmem_swapped_pages(e, v) << ENG_PAGE_SHIFT;

		a->c.swap_bytes += bytes;
		a->c.kind[KIND_SHMEM].swap_bytes += bytes;
	}
}
