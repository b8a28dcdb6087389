/*
 * fault.c: page faults and the `touch` command (mm/memory.c:
 * handle_pte_fault and friends).
 *
 *  - none, private anon: a read maps the shared zero page, a write a new
 *    zeroed anonymous frame (do_anonymous_page);
 *  - none, file: the page comes from the file's page cache, read in on a
 *    miss (filemap_fault); a write to a private file mapping copies it into
 *    a new anonymous frame and maps that, the cache page staying cached
 *    (do_cow_fault); a shared mapping maps the cache page and dirties it;
 *  - none, shmem or shared anon: the object's page, allocated on first use
 *    or swapped in from the object's swap entry (shmem_fault);
 *  - swap entry: the slot's data is read into a new frame, or the frame the
 *    swap cache already holds for it is mapped (do_swap_page); the PTE's
 *    reference to the slot goes;
 *  - present, write, private: the zero page or a page-cache page is
 *    replaced by a new anonymous copy, an anonymous frame mapped more than
 *    once is copied (copy-on-write, wp_page_copy), one mapped once is
 *    reused (leaving the swap cache, since its slot's other holders must
 *    keep the old data);
 *  - a huge region (`huge`) written a whole 2 MiB block at a time, none
 *    of it mapped yet, gets a transparent huge page: 512 frames in a row,
 *    PMD-mapped (do_huge_pmd_anonymous_page); fork shares it, still
 *    PMD-mapped; a write to it reuses it while no other page table maps
 *    any of its pages, and otherwise splits the writer's PMD into 512
 *    page-table entries and copies the one page (do_huge_pmd_wp_page).
 * Frames are reserved before any state changes: the frames a fault needs
 * are counted first and reclaim runs until they are free, so reclaim never
 * pulls a page from under a fault in progress.
 */
#include <assert.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

void frame_unmap(struct engine *e, uint32_t pfn)
{
	struct frame *f = &e->frames.f[pfn];

	assert(f->mapcount > 0);
	f->mapcount--;
	if (f->kind == FRAME_ANON && f->mapcount == 0) {
		if (f->swap_slot)
			swap_cache_drop(e, f);
		frame_free(&e->frames, pfn);
	}
}

void swap_entry_put(struct engine *e, uint32_t slot)
{
	uint32_t pfn = e->swap.cache[slot];

	if (swap_put(&e->swap, slot) && pfn)
		e->frames.f[pfn].swap_slot = 0;
}

void pmd_split(struct engine *e, struct pgtable *pt, uint64_t vpn)
{
	uint64_t base = vpn & ~(uint64_t)(PMD_PAGES - 1);

	for (uint64_t i = 0; i < PMD_PAGES; i++) {
		uint64_t *ent = pgtable_find(pt, base + i);

		if (ent && pte_present(*ent))
			*ent &= ~PTE_PMD;
	}
	trace_event(e, "split-pmd addr=%#llx", (unsigned long long)base << ENG_PAGE_SHIFT);
}

/* Whether the PMD-mapped block at pte (any of its entries) is mapped by that PMD alone. */
static bool pmd_exclusive(const struct engine *e, uint64_t pte, uint64_t vpn)
{
	uint32_t head = pte_pfn(pte) - (uint32_t)(vpn & (PMD_PAGES - 1));

	for (uint32_t i = 0; i < PMD_PAGES; i++)
		if (e->frames.f[head + i].mapcount != 1)
			return false;
	return true;
}

/* Frames a private write to a present page at entry pte needs (0 or 1). */
static unsigned need_private_write(const struct engine *e, uint64_t pte)
{
	const struct frame *f = &e->frames.f[pte_pfn(pte)];

	return f->kind != FRAME_ANON || f->mapcount > 1;
}

/* How many free frames the fault of page vpn of v will take. */
static unsigned fault_need(const struct engine *e, const struct eng_vma *v, uint64_t vpn, bool write)
{
	uint64_t pte = pgtable_get(&e->procs[v->proc].pt, vpn);
	bool shared = vma_type_shared(v->type);

	if (pte_present(pte))
		return write && !shared ? need_private_write(e, pte) : 0;
	if (pte_swapped(pte)) {
		uint32_t cached = e->swap.cache[pte_slot(pte)];

		return cached ? (unsigned)write : 1;
	}
	if (v->type == VMA_ANON_PRIVATE)
		return write;
	if (pte_present(pgtable_get(&e->objs[v->object].pages, v->pgoff + vpn - (v->start >> ENG_PAGE_SHIFT))))
		return v->type == VMA_FILE_PRIVATE && write;
	return v->type == VMA_FILE_PRIVATE && write ? 2 : 1;
}

static uint32_t new_anon(struct engine *e, const struct eng_vma *v, uint64_t vpn)
{
	uint32_t pfn = frame_alloc(&e->frames, FRAME_ANON, v->anon, vpn);

	frame_charge(e, pfn, 1, &e->procs[v->proc]);
	e->frames.f[pfn].flags |= FRAME_DIRTY;
	e->frames.f[pfn].mapcount = 1;
	return pfn;
}

/*
 * The object page at pgoff, brought into a frame (page-cache read, new
 * shmem page or shmem swap-in) charged to the faulting process p.
 */
static uint32_t object_page(struct engine *e, const struct eng_proc *p, uint32_t obj, uint64_t pgoff,
			    const char **how)
{
	struct eng_object *o = &e->objs[obj];
	uint64_t *ent = pgtable_slot(&o->pages, pgoff);
	uint32_t pfn;

	if (pte_present(*ent)) {
		*how = "cache-hit";
		return pte_pfn(*ent);
	}
	pfn = frame_alloc(&e->frames, o->kind == OBJ_FILE ? FRAME_FILE : FRAME_SHMEM, obj, pgoff);
	frame_charge(e, pfn, 1, p);
	if (pte_swapped(*ent)) {
		*how = "shmem-swapin";
		trace_event(e, "swapin object=%u pgoff=%llu slot=%u -> pfn=%u", obj,
			    (unsigned long long)pgoff, pte_slot(*ent), pfn);
		swap_entry_put(e, pte_slot(*ent));
		o->swapped_pages--;
		e->stat_swapins++;
	} else {
		*how = o->kind == OBJ_FILE ? "cache-miss" : "shmem-new";
	}
	*ent = pte_mk_present(pfn);
	o->resident_pages++;
	return pfn;
}

/* Fills an empty PTE. */
static void fault_none(struct engine *e, const struct eng_vma *v, uint64_t *pte, uint64_t vpn, bool write)
{
	int pid = (int)e->procs[v->proc].pid;
	unsigned long long addr = (unsigned long long)vpn << ENG_PAGE_SHIFT;
	const char *how;
	uint32_t pfn;

	if (v->type == VMA_ANON_PRIVATE) {
		if (!write) {
			e->frames.f[FRAME_ZERO_PFN].mapcount++;
			*pte = pte_mk_present(FRAME_ZERO_PFN);
			trace_event(e, "fault pid=%d addr=%#llx read zero-page", pid, addr);
			return;
		}
		pfn = new_anon(e, v, vpn);
		*pte = pte_mk_present(pfn);
		trace_event(e, "fault pid=%d addr=%#llx write demand-zero pfn=%u", pid, addr, pfn);
		return;
	}
	pfn = object_page(e, &e->procs[v->proc], v->object, v->pgoff + vpn - (v->start >> ENG_PAGE_SHIFT), &how);
	trace_event(e, "fault pid=%d addr=%#llx %s %s pfn=%u", pid, addr, write ? "write" : "read", how, pfn);
	if (v->type == VMA_FILE_PRIVATE && write) {
		uint32_t copy = new_anon(e, v, vpn);

		e->stat_cow++;
		trace_event(e, "cow pid=%d addr=%#llx pfn=%u -> pfn=%u (private file write)", pid, addr, pfn, copy);
		*pte = pte_mk_present(copy);
		return;
	}
	e->frames.f[pfn].mapcount++;
	e->frames.f[pfn].flags |= FRAME_REFERENCED;
	if (write)
		e->frames.f[pfn].flags |= FRAME_DIRTY;
	*pte = pte_mk_present(pfn);
}

/* Replaces a swap entry with the frame holding the slot's data. */
static void fault_swapin(struct engine *e, const struct eng_vma *v, uint64_t *pte, uint64_t vpn)
{
	uint32_t slot = pte_slot(*pte), pfn = e->swap.cache[slot];
	int pid = (int)e->procs[v->proc].pid;
	unsigned long long addr = (unsigned long long)vpn << ENG_PAGE_SHIFT;

	if (pfn) {
		e->frames.f[pfn].mapcount++;
		e->frames.f[pfn].flags |= FRAME_REFERENCED;
		trace_event(e, "swapin pid=%d addr=%#llx slot=%u -> pfn=%u (swap cache)", pid, addr, slot, pfn);
	} else {
		pfn = new_anon(e, v, vpn);
		e->swap.cache[slot] = pfn;
		e->frames.f[pfn].swap_slot = slot;
		trace_event(e, "swapin pid=%d addr=%#llx slot=%u -> pfn=%u", pid, addr, slot, pfn);
	}
	e->stat_swapins++;
	*pte = pte_mk_present(pfn);
	swap_entry_put(e, slot);
}

/* A write to a present page of a private mapping: copy-on-write or reuse. */
static void write_private(struct engine *e, const struct eng_vma *v, uint64_t *pte, uint64_t vpn)
{
	uint32_t old = pte_pfn(*pte), pfn;
	struct frame *f = &e->frames.f[old];
	int pid = (int)e->procs[v->proc].pid;
	unsigned long long addr = (unsigned long long)vpn << ENG_PAGE_SHIFT;
	bool was_zero;

	if (*pte & PTE_PMD) {
		if (pmd_exclusive(e, *pte, vpn)) {
			f->flags |= FRAME_DIRTY | FRAME_REFERENCED;
			return;
		}
		pmd_split(e, &e->procs[v->proc].pt, vpn);
	}
	if (f->kind == FRAME_ANON && f->mapcount == 1) {
		if (f->swap_slot)
			swap_cache_drop(e, f);
		f->flags |= FRAME_DIRTY | FRAME_REFERENCED;
		return;
	}
	was_zero = f->kind == FRAME_ZERO;
	pfn = new_anon(e, v, vpn);   /* may move the frame table: f is stale from here */
	*pte = pte_mk_present(pfn);
	if (was_zero) {
		trace_event(e, "fault pid=%d addr=%#llx write zero-page -> demand-zero pfn=%u", pid, addr, pfn);
	} else {
		e->stat_cow++;
		trace_event(e, "cow pid=%d addr=%#llx pfn=%u -> pfn=%u", pid, addr, old, pfn);
	}
	frame_unmap(e, old);
}

int fault_page(struct engine *e, uint32_t vid, uint64_t vaddr, bool write, struct tm_error *err)
{
	uint64_t vpn = vaddr >> ENG_PAGE_SHIFT;
	const struct eng_vma *v;
	uint64_t *pte;

	if (pte_guard(pgtable_get(&e->procs[e->vmas[vid].proc].pt, vpn)))
		return errorf(err, -1, "page %#llx of region '%s' is a guard page (SIGSEGV)",
			      (unsigned long long)vaddr, e->vmas[vid].region);
	for (;;) {
		unsigned need = fault_need(e, &e->vmas[vid], vpn, write);

		if (frames_free(&e->frames) >= need)
			break;
		if (reclaim_until_free(e, need, err))
			return -1;
	}
	v = &e->vmas[vid];
	pte = pgtable_slot(&e->procs[v->proc].pt, vpn);
	if (*pte == 0) {
		e->stat_faults++;
		fault_none(e, v, pte, vpn, write);   /* leaves nothing for the write path to do */
		return 0;
	}
	if (pte_swapped(*pte)) {
		e->stat_faults++;
		fault_swapin(e, v, pte, vpn);
	}
	e->frames.f[pte_pfn(*pte)].flags |= FRAME_REFERENCED;
	if (write) {
		if (vma_type_shared(v->type))
			e->frames.f[pte_pfn(*pte)].flags |= FRAME_DIRTY;
		else
			write_private(e, v, pte, vpn);
	}
	return 0;
}

int engine_guard(struct engine *e, pid_t pid, const char *region,
		 uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err)
{
	uint32_t vid;
	uint64_t start, end;
	struct pgtable *pt;

	if (vma_range(e, pid, region, offset_bytes, length_bytes, &vid, &start, &end, err))
		return -1;
	pt = &e->procs[e->vmas[vid].proc].pt;
	for (uint64_t a = start; a < end; a += ENG_PAGE_SIZE) {
		uint64_t *pte = pgtable_slot(pt, a >> ENG_PAGE_SHIFT), old = *pte;

		if (old & PTE_PMD)
			pmd_split(e, pt, a >> ENG_PAGE_SHIFT);
		*pte = PTE_GUARD;
		if (pte_present(old))
			frame_unmap(e, pte_pfn(old));
		else if (pte_swapped(old))
			swap_entry_put(e, pte_slot(old));
	}
	trace_event(e, "guard pid=%d addr=%#llx-%#llx", (int)pid, (unsigned long long)start, (unsigned long long)end);
	return 0;
}

/*
 * A write to the whole 2 MiB block at vaddr of huge VMA vid, none of it
 * mapped: one transparent huge page, PMD-mapped. Returns false (nothing
 * done) when the block does not qualify or RAM has no 512 free frames in
 * a row, and the pages fault one by one.
 */
static bool fault_huge(struct engine *e, uint32_t vid, uint64_t vaddr)
{
	const struct eng_vma *v = &e->vmas[vid];
	struct eng_proc *p = &e->procs[v->proc];
	uint64_t vpn = vaddr >> ENG_PAGE_SHIFT, idx = vpn;
	uint32_t head;

	if (pgtable_next(&p->pt, &idx, vpn + PMD_PAGES))
		return false;
	head = frame_alloc_block(&e->frames, FRAME_ANON, v->anon, vpn);
	if (!head)
		return false;
	frame_charge(e, head, PMD_PAGES, p);
	for (uint32_t i = 0; i < PMD_PAGES; i++) {
		e->frames.f[head + i].flags |= FRAME_DIRTY;
		e->frames.f[head + i].mapcount = 1;
		*pgtable_slot(&p->pt, vpn + i) = pte_mk_present(head + i) | PTE_PMD;
	}
	e->stat_faults++;
	trace_event(e, "fault pid=%d addr=%#llx write huge-page pfn=%u-%u", (int)p->pid,
		    (unsigned long long)vaddr, head, head + PMD_PAGES - 1);
	return true;
}

int engine_touch(struct engine *e, pid_t pid, const char *region, bool write,
		 uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err)
{
	uint32_t vid;
	uint64_t start, end, pmd = (uint64_t)PMD_PAGES << ENG_PAGE_SHIFT;

	if (vma_range(e, pid, region, offset_bytes, length_bytes, &vid, &start, &end, err))
		return -1;
	for (uint64_t a = start; a < end;) {
		if (write && e->vmas[vid].huge && a % pmd == 0 && end - a >= pmd && fault_huge(e, vid, a)) {
			a += pmd;
			continue;
		}
		if (fault_page(e, vid, a, write, err))
			return -1;
		a += ENG_PAGE_SIZE;
	}
	return 0;
}
