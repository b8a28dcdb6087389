/*
 * reclaim.c: eviction, the reclaim policy, and the `swapout` and
 * `reclaim` commands (mm/vmscan.c, mm/rmap.c: try_to_unmap).
 *
 * Eviction of a frame walks the reverse map: an anonymous frame's anon
 * group (every private VMA of the fork family covering its virtual page),
 * a file or shmem frame's object (every VMA mapping that page offset).
 *  - anonymous: the frame goes to one swap slot and every PTE that mapped
 *    it gets that slot's entry (one slot, several page tables); a frame in
 *    the swap cache reuses its slot;
 *  - shmem / shared anon: the page goes to a slot held by the object (the
 *    PTEs are cleared, so pagemap shows nothing for it, as on Linux);
 *  - file: the page leaves the page cache (a dirty page is written back to
 *    its simulated file first) and the PTEs are cleared.
 *
 * Policy: a second-chance clock over the frame table. The hand sweeps the
 * pfns in order; a frame whose referenced bit is set (every fault and
 * touch sets it) has the bit cleared and is passed over; the first
 * unreferenced frame that can go is evicted. Unmapped page-cache pages
 * compete like the rest. Anonymous and shmem frames can go only while the
 * swap device has room (an anonymous frame in the swap cache always can).
 * Reclaim runs for `reclaim N` and whenever a fault finds too few frames.
 */
#include <assert.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

/* Clears or rewrites (to new_pte) every PTE of the object's VMAs that maps pfn at page offset pgoff. */
static uint32_t rmap_object(struct engine *e, const struct frame *f, uint32_t pfn, uint64_t new_pte)
{
	const struct eng_object *o = &e->objs[f->owner];
	uint32_t n = 0;

	for (uint32_t i = 0; i < o->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[o->vmas.v[i]];
		uint64_t npages = (v->end - v->start) >> ENG_PAGE_SHIFT, *pte;

		if (f->index < v->pgoff || f->index - v->pgoff >= npages)
			continue;
		pte = pgtable_find(&e->procs[v->proc].pt, (v->start >> ENG_PAGE_SHIFT) + f->index - v->pgoff);
		if (pte && pte_present(*pte) && pte_pfn(*pte) == pfn) {
			*pte = new_pte;
			n++;
		}
	}
	return n;
}

/* Rewrites every PTE of the anon group that maps pfn to new_pte. */
static uint32_t rmap_anon(struct engine *e, const struct frame *f, uint32_t pfn, uint64_t new_pte)
{
	const struct anon_group *g = &e->anons[f->owner];
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[g->vmas.v[i]];
		uint64_t *pte;

		if (f->index < v->start >> ENG_PAGE_SHIFT || f->index >= v->end >> ENG_PAGE_SHIFT)
			continue;
		pte = pgtable_find(&e->procs[v->proc].pt, f->index);
		if (pte && pte_present(*pte) && pte_pfn(*pte) == pfn) {
			/* A PMD-mapped huge page is split before one of its pages goes (TTU_SPLIT_HUGE_PMD). */
			if (*pte & PTE_PMD)
				pmd_split(e, &e->procs[v->proc].pt, f->index);
			*pte = new_pte;
			n++;
		}
	}
	return n;
}

static int no_swap_error(const struct engine *e, struct tm_error *err)
{
	if (e->swap.nslots == 0)
		return errorf(err, -1, "out of memory (no swap)");
	return errorf(err, -1, "out of swap (%u slots in use)", e->swap.used);
}

static int evict_anon(struct engine *e, uint32_t pfn, struct tm_error *err)
{
	struct frame *f = &e->frames.f[pfn];
	uint32_t slot = f->swap_slot, n;

	if (slot) {
		e->swap.refs[slot] += f->mapcount;
		swap_cache_drop(e, f);
	} else if (!(slot = swap_alloc(&e->swap, f->mapcount))) {
		return no_swap_error(e, err);
	}
	e->swap.memcg[slot] = f->memcg;   /* mem_cgroup_swapout: the charge moves to the slot */
	n = rmap_anon(e, f, pfn, pte_mk_swap(slot));
	assert(n == f->mapcount);
	trace_event(e, "swapout pfn=%u -> slot=%u ptes=%u (anon)", pfn, slot, n);
	f->mapcount = 0;
	frame_free(&e->frames, pfn);
	return 0;
}

static int evict_object_page(struct engine *e, uint32_t pfn, struct tm_error *err)
{
	struct frame *f = &e->frames.f[pfn];
	struct eng_object *o = &e->objs[f->owner];
	uint64_t *ent = pgtable_find(&o->pages, f->index);
	uint32_t slot = 0, n;

	assert(ent && pte_pfn(*ent) == pfn);
	if (f->kind == FRAME_SHMEM && !(slot = swap_alloc(&e->swap, 1)))
		return no_swap_error(e, err);
	n = rmap_object(e, f, pfn, 0);
	assert(n == f->mapcount);
	if (slot) {
		e->swap.memcg[slot] = f->memcg;
		*ent = pte_mk_swap(slot);
		o->swapped_pages++;
		trace_event(e, "swapout pfn=%u -> slot=%u ptes=%u (shmem object=%u pgoff=%llu)", pfn, slot, n,
			    f->owner, (unsigned long long)f->index);
	} else {
		*ent = 0;
		trace_event(e, "evict pfn=%u file %s pgoff=%llu ptes=%u%s", pfn, o->name,
			    (unsigned long long)f->index, n, f->flags & FRAME_DIRTY ? " (written back)" : "");
	}
	o->resident_pages--;
	f->mapcount = 0;
	frame_free(&e->frames, pfn);
	return 0;
}

int reclaim_evict(struct engine *e, uint32_t pfn, struct tm_error *err)
{
	int kind = e->frames.f[pfn].kind;

	assert(kind == FRAME_ANON || kind == FRAME_FILE || kind == FRAME_SHMEM);
	e->stat_swapouts++;
	if (kind == FRAME_ANON)
		return evict_anon(e, pfn, err);
	return evict_object_page(e, pfn, err);
}

static bool evictable(const struct engine *e, const struct frame *f)
{
	bool swap_room = e->swap.used < e->swap.nslots;

	switch (f->kind) {
	case FRAME_FILE:
		return true;
	case FRAME_ANON:
		return f->swap_slot || swap_room;
	case FRAME_SHMEM:
		return swap_room;
	default:
		return false;
	}
}

/* One turn of the clock: evicts one frame. Returns 0 or -1 with err when none can go. */
static int reclaim_one(struct engine *e, struct tm_error *err)
{
	struct frame_table *ft = &e->frames;
	uint64_t limit = 2 * (uint64_t)(ft->n - FRAME_FIRST_PFN);

	for (uint64_t scanned = 0; scanned < limit; scanned++) {
		uint32_t pfn = ft->hand;
		struct frame *f = &ft->f[pfn];

		ft->hand = pfn + 1 >= ft->n ? FRAME_FIRST_PFN : pfn + 1;
		if (!evictable(e, f))
			continue;
		if (f->flags & FRAME_REFERENCED) {
			f->flags &= (uint8_t)~FRAME_REFERENCED;
			continue;
		}
		return reclaim_evict(e, pfn, err);
	}
	return no_swap_error(e, err);
}

int reclaim_until_free(struct engine *e, uint32_t want, struct tm_error *err)
{
	if (want > e->frames.ram_pages)
		return errorf(err, -1, "out of memory (%u pages wanted, %u of RAM)", want, e->frames.ram_pages);
	while (frames_free(&e->frames) < want)
		if (reclaim_one(e, err))
			return -1;
	return 0;
}

int engine_swapout(struct engine *e, pid_t pid, const char *region,
		   uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err)
{
	uint32_t vid;
	uint64_t start, end;

	if (vma_range(e, pid, region, offset_bytes, length_bytes, &vid, &start, &end, err))
		return -1;
	for (uint64_t a = start; a < end; a += ENG_PAGE_SIZE) {
		const struct eng_proc *p = &e->procs[e->vmas[vid].proc];
		uint64_t pte = pgtable_get(&p->pt, a >> ENG_PAGE_SHIFT);

		/* absent, already swapped, or only the zero page: left alone */
		if (!pte_present(pte) || pte_pfn(pte) == FRAME_ZERO_PFN)
			continue;
		if (reclaim_evict(e, pte_pfn(pte), err))
			return -1;
	}
	return 0;
}

int engine_reclaim(struct engine *e, uint64_t pages, struct tm_error *err)
{
	if (!e->sized)
		return errorf(err, -1, "reclaim before any process exists");
	if (pages > e->frames.ram_pages)
		return errorf(err, -1, "cannot free %llu pages: RAM has %u", (unsigned long long)pages,
			      e->frames.ram_pages);
	return reclaim_until_free(e, (uint32_t)pages, err);
}
