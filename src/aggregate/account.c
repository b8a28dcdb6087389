/*
 * account.c: the aggregator (account.h): SPEC section 2 turned into
 * arithmetic over page facts. No I/O, no globals.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "frameset.h"
#include "kernel.h"
#include "util.h"

enum page_kind account_kind(uint64_t kflags)
{
	if (kflags & KPF_ANON)
		return KIND_ANON;
	if (kflags & KPF_SWAPBACKED)
		return KIND_SHMEM;
	return KIND_FILE;
}

/*
 * A pending frame packs in 32 bits what is left to see (15 bits), its
 * mapcount (15 bits) and its kind (2 bits): a frame is pending only once
 * it passed the zero-page, hugetlb and no-page tests of account_present,
 * so its kind is all the aggregator still reads of its flags.
 */
#define LEFT_SHIFT  17
#define COUNT_SHIFT 2
#define LEFT_MAX    ((UINT32_C(1) << (32 - LEFT_SHIFT)) - 1)
#define COUNT_MAX   ((UINT32_C(1) << (LEFT_SHIFT - COUNT_SHIFT)) - 1)

static uint32_t pending_pack(uint64_t left, uint64_t mapcount, enum page_kind k)
{
	return (uint32_t)(left << LEFT_SHIFT | mapcount << COUNT_SHIFT | (uint64_t)k);
}

static uint64_t pending_mapcount(uint32_t v)
{
	return (v >> COUNT_SHIFT) & COUNT_MAX;
}

static enum page_kind pending_kind(uint32_t v)
{
	return (enum page_kind)(v & ((UINT32_C(1) << COUNT_SHIFT) - 1));
}

/* The kpageflags standing for kind k (account_kind gives it back). */
static uint64_t pending_flags(enum page_kind k)
{
	static const uint64_t kind_flags[KIND_COUNT] = { [KIND_ANON] = KPF_ANON, [KIND_SHMEM] = KPF_SWAPBACKED };

	return kind_flags[k];
}

static void scope_init(struct frame_scope *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->seen = frame_set_new();
	sc->pending = frame_map_new();
	sc->swap = u64_counter_new();
	sc->shmem_swap = u64_counter_new();
}

static void scope_release(struct frame_scope *sc)
{
	frame_set_free(sc->seen);
	frame_map_free(sc->pending);
	u64_counter_free(sc->swap);
	u64_counter_free(sc->shmem_swap);
	memset(sc, 0, sizeof(*sc));
}

/* Another entry on a pending frame (*v): one fewer to wait for; complete at the last (returns true). */
static bool scope_pending_seen(struct frame_scope *sc, uint64_t pfn, uint32_t *v)
{
	if ((*v >> LEFT_SHIFT) == 1) {
		sc->complete_kind[pending_kind(*v)]++;
		frame_map_clear(sc->pending, pfn);
		sc->complete++;
		return true;
	}
	*v -= UINT32_C(1) << LEFT_SHIFT;
	return false;
}

/* One page-table entry on frame pfn, mapped mapcount times in all. Returns true when that completes it. */
static bool scope_frame(struct frame_scope *sc, uint64_t pfn, uint64_t mapcount, enum page_kind k)
{
	uint32_t *v;

	if (frame_set_add(sc->seen, pfn)) {
		sc->frames++;
		sc->kind_frames[k]++;
		if (mapcount <= 1) {
			sc->complete++;
			sc->complete_kind[k]++;
			return true;
		}
		if (mapcount <= LEFT_MAX)   /* larger never completes: not tracked */
			frame_map_set(sc->pending, pfn, pending_pack(mapcount - 1, mapcount, k));
		return false;
	}
	/* Seen before: one entry fewer to wait for, if it still waits. */
	return (v = frame_map_ref(sc->pending, pfn)) && scope_pending_seen(sc, pfn, v);
}

static void scope_shmem_swap(struct frame_scope *sc, uint64_t object, uint64_t bytes)
{
	if (u64_counter_get(sc->shmem_swap, object) < bytes)
		u64_counter_put(sc->shmem_swap, object, bytes);
}

static uint64_t scope_shmem_swap_bytes(const struct frame_scope *sc)
{
	uint64_t key, val, sum = 0;
	size_t pos = 0;

	while (u64_counter_next(sc->shmem_swap, &pos, &key, &val))
		sum += val;
	return sum;
}

void account_init(struct accounter *a, uint64_t page_size)
{
	memset(a, 0, sizeof(*a));
	a->page_size = page_size;
	for (size_t m = 0; m < ARRAY_SIZE(a->share); m++)
		a->share[m] = pss_share(page_size, m);
	scope_init(&a->all);
	a->swap_refs = u64_counter_new();
	fates_init(&a->fates);
}

void account_release(struct accounter *a)
{
	scope_release(&a->all);
	if (a->in_group)
		scope_release(&a->group);
	u64_counter_free(a->swap_refs);
	shmem_swap_release(&a->shm);
	shmem_swap_release(&a->shm_proc);
	fates_release(&a->fates);
	free(a->uses);
	free(a->gswap);
	memset(a, 0, sizeof(*a));
}

void account_group_begin(struct accounter *a, uint32_t g)
{
	assert(!a->in_group);
	scope_init(&a->group);
	a->in_group = true;
	a->group_id = g;
}

struct frame_set *account_group_take_frames(struct accounter *a)
{
	struct frame_set *fs;

	assert(a->in_group);
	fs = a->group.seen;
	a->group.seen = frame_set_new();
	return fs;
}

void account_group_end(struct accounter *a, struct mem_counts *gc)
{
	uint64_t key, val;
	size_t pos = 0;
	uint32_t g = a->group_id;

	assert(a->in_group);
	gc->rss_bytes = a->group.frames * a->page_size;
	gc->uss_bytes = a->group.complete * a->page_size;
	gc->swap_bytes = u64_counter_size(a->group.swap) * a->page_size + scope_shmem_swap_bytes(&a->group);
	/* SPEC 2.1 before the objects' fates are known: shmem stays (fates_resolve moves what frees). */
	gc->frees_bytes = a->group.complete_kind[KIND_ANON] * a->page_size;
	gc->reclaimable_bytes = a->group.complete_kind[KIND_FILE] * a->page_size;
	gc->stays_bytes = a->group.complete_kind[KIND_SHMEM] * a->page_size;
	gc->valid |= CNT_FATES | CNT_FREES_SWAP;
	/* swap_uss needs every process's references: kept until account_finish. */
	while (u64_counter_next(a->group.swap, &pos, &key, &val)) {
		xgrow((void **)&a->gswap, &a->cap_gswap, a->ngswap + 1, sizeof(*a->gswap));
		a->gswap[a->ngswap++] = (struct group_swap){ g, key, val };
	}
	scope_release(&a->group);
	a->in_group = false;
}

/* The mapping of vmas holding vaddr, advancing *hint; NULL in a hole. */
static struct vma *vma_at(struct vma_list *vmas, size_t *hint, uint64_t vaddr)
{
	while (*hint < vmas->n && vmas->v[*hint].end <= vaddr)
		(*hint)++;
	if (*hint < vmas->n && vmas->v[*hint].start <= vaddr)
		return &vmas->v[*hint];
	return NULL;
}

/* page_size / mapcount in PSS fixed point; one division per frame, not per entry. */
static pss_t share_of(const struct accounter *a, uint64_t mapcount)
{
	return mapcount < ARRAY_SIZE(a->share) ? a->share[mapcount] : pss_share(a->page_size, mapcount);
}

static void add_present(struct mem_counts *c, uint64_t ps, pss_t share, uint64_t mapcount, enum page_kind k)
{
	c->rss_bytes += ps;
	c->pss += share;
	c->kind[k].rss_bytes += ps;
	c->kind[k].pss += share;
	if (mapcount == 1) {
		c->uss_bytes += ps;
		c->kind[k].uss_bytes += ps;
	}
}

/* The mapping holding vaddr among the batch's mappings (v when known), for a shmem page's object. */
static const struct vma *object_vma(const struct accounter *a, const struct vma *v, uint64_t vaddr)
{
	size_t lo = 0, hi = a->cur_vmas ? a->cur_vmas->n : 0;

	if (v)
		return v;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->cur_vmas->v[mid].end <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < a->cur_vmas->n && a->cur_vmas->v[lo].start <= vaddr ? &a->cur_vmas->v[lo] : NULL;
}

/* A present entry: counted in rss unless its frame is one SPEC section 2 sets apart. */
static void account_present(struct accounter *a, struct mem_counts *pc, struct vma *v, uint64_t vaddr,
			    uint64_t pfn, uint64_t mapcount, uint64_t flags, bool known)
{
	uint64_t ps = a->page_size;
	enum page_kind k;
	pss_t share;

	if (flags & KPF_ZERO_PAGE) {
		pc->zero_page_bytes += ps;
		if (v)
			v->counts.zero_page_bytes += ps;
		return;
	}
	/* Before the mapcount test: tail pages of a hugetlb page may read a kpagecount of 0. */
	if ((flags & KPF_HUGE) && !(flags & (KPF_THP | KPF_NOPAGE))) {
		pc->hugetlb_bytes += ps;
		if (v)
			v->counts.hugetlb_bytes += ps;
		return;
	}
	if ((flags & KPF_NOPAGE) || mapcount == 0) {
		pc->nopage_bytes += ps;
		if (v)
			v->counts.nopage_bytes += ps;
		return;
	}
	k = account_kind(flags);
	share = share_of(a, mapcount);
	add_present(pc, ps, share, mapcount, k);
	if (v)
		add_present(&v->counts, ps, share, mapcount, k);
	/* Shmem uss, by object: whether it frees depends on the object (fates.h). */
	if (mapcount == 1 && k == KIND_SHMEM)
		fates_note_uss(&a->fates, a->cur_proc, object_vma(a, v, vaddr), ps);
	if (!known && !a->group_only)
		scope_frame(&a->all, pfn, mapcount, k);
	if (a->in_group && scope_frame(&a->group, pfn, mapcount, k) && k == KIND_SHMEM)
		fates_note_uss(&a->fates, FATE_GROUP | a->group_id, object_vma(a, v, vaddr), ps);
}

static void account_swapped(struct accounter *a, uint32_t proc, struct mem_counts *pc,
			    struct vma_list *vmas, struct vma *v, uint64_t entry)
{
	uint64_t ps = a->page_size;
	/* A swap entry in a page table is anonymous memory, or shmem where the kernel shows it. */
	enum page_kind k = v && vma_is_shared(v) ? KIND_SHMEM : KIND_ANON;

	pc->swap_bytes += ps;
	pc->kind[k].swap_bytes += ps;
	if (v) {
		v->counts.swap_bytes += ps;
		v->counts.kind[k].swap_bytes += ps;
	}
	if (a->in_group)
		u64_counter_add(a->group.swap, entry, 1);
	if (a->group_only)
		return;
	u64_counter_add(a->swap_refs, entry, 1);
	u64_counter_add(a->all.swap, entry, 1);
	xgrow((void **)&a->uses, &a->cap_uses, a->nuses + 1, sizeof(*a->uses));
	a->uses[a->nuses++] = (struct swap_use){
		entry, proc, v ? (uint32_t)(v - vmas->v) : UINT32_MAX
	};
}

/* A guard page (PM_GUARD_REGION): a marker in the page table, apart from rss and swap. */
static void account_guard(const struct accounter *a, struct mem_counts *pc, struct vma *v)
{
	pc->guard_bytes += a->page_size;
	if (v)
		v->counts.guard_bytes += a->page_size;
}

/* Whether mapping v cannot be on hugetlbfs, whose pages are counted apart. */
static bool not_hugetlbfs(const struct vma *v)
{
	return v->inode == 0 || v->dev_major != 0 || v->fs != VMA_FS_UNKNOWN;
}

/*
 * Whether the entry for vaddr in mapping v may come from a PMD mapping of a
 * huge page. A PMD maps a naturally aligned folio of PMD size (a page
 * table's worth of pages: page_size / 8) at a PMD-aligned address inside
 * one mapping, so each frame's offset in it equals its address's: an entry
 * whose frame and address disagree there, or whose mapping does not cover
 * the aligned block, is mapped by a page-table entry of its own.
 */
static bool maybe_pmd_mapped(uint64_t pm, uint64_t vaddr, const struct vma *v, uint64_t page_size)
{
	uint64_t pages = page_size / 8, block = (vaddr / page_size) & ~(pages - 1);

	return (pm_pfn(pm) & (pages - 1)) == ((vaddr / page_size) & (pages - 1)) &&
	       block * page_size >= v->start && (block + pages) * page_size <= v->end;
}

/*
 * An entry pagemap marks exclusively mapped and anonymous, in a mapping
 * that is not on hugetlbfs, and not possibly PMD-mapped: its frame is
 * mapped once, by this entry, and is an anonymous page (a private hugetlbfs
 * page copied on write reads the same). For a page-table entry the kernel
 * sets the bit from the page's own mapcount, the one kpagecount reports;
 * for a PMD-mapped huge page it sets it from the head page's, for all of
 * its pages, and a tail page copied on write after fork leaves the head
 * mapped once while the other pages are mapped twice: those are read.
 */
static bool exclusive_anon(uint64_t pm, uint64_t vaddr, const struct vma *v, uint64_t page_size)
{
	return (pm & (PM_MMAP_EXCLUSIVE | PM_FILE)) == PM_MMAP_EXCLUSIVE && v && not_hugetlbfs(v) &&
	       !maybe_pmd_mapped(pm, vaddr, v, page_size);
}

/*
 * The kpageflags the aggregator would read for a mapped frame (kpagecount
 * at least 1) of entry pm in mapping v, when the two tell: an anonymous
 * page (no file bit) outside hugetlbfs; the page cache of a disk or other
 * filesystem (file bit; device major not 0, or known not tmpfs nor
 * hugetlbfs); a shmem page (file bit, known tmpfs). Otherwise
 * FLAGS_UNKNOWN. A frame with kpagecount 0 (the zero page, no struct page)
 * always needs its flags.
 */
static uint64_t implied_flags(uint64_t pm, const struct vma *v)
{
	if (!v)
		return FLAGS_UNKNOWN;
	if (!(pm & PM_FILE))
		return not_hugetlbfs(v) ? KPF_ANON : FLAGS_UNKNOWN;
	if (v->inode == 0)
		return FLAGS_UNKNOWN;
	if (v->dev_major != 0 || v->fs == VMA_FS_OTHER)
		return 0;
	return v->fs == VMA_FS_SHMEM ? KPF_SWAPBACKED : FLAGS_UNKNOWN;
}

size_t account_batch(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma_list *vmas,
		     bool per_vma, size_t *vma_hint, const struct page_batch *b, uint32_t *miss, uint64_t *implied)
{
	size_t nmiss = 0, hint = *vma_hint;
	/* Entries on pending frames, the most of a batch, summed here and added to *pc once. */
	uint64_t shared[KIND_COUNT] = { 0 };
	pss_t shared_pss[KIND_COUNT] = { 0 };

	a->cur_vmas = vmas;
	a->cur_proc = proc;
	for (size_t i = 0; i < b->n; i++) {
		uint64_t pm = b->pm[i], vaddr = b->vaddr + i * a->page_size;
		uint32_t *f;
		struct vma *v;

		if (!(pm & (PM_PRESENT | PM_SWAP)))
			continue;
		v = per_vma ? vma_at(vmas, vma_hint, vaddr) : NULL;
		if (!(pm & PM_PRESENT)) {
			/* Markers and migration entries hold no swap: guard pages are reported apart, the rest nowhere. */
			if (pm_is_swap(pm, a->swap_areas))
				account_swapped(a, proc, pc, per_vma ? vmas : NULL, v, pm_swap_entry(pm));
			else if (pm & PM_GUARD_REGION)
				account_guard(a, pc, v);
			continue;
		}
		if (a->infer && (pm & PM_MMAP_EXCLUSIVE) &&
		    exclusive_anon(pm, vaddr, v ? v : vma_at(vmas, &hint, vaddr), a->page_size)) {
			account_present(a, pc, v, vaddr, pm_pfn(pm), 1, KPF_ANON, false);
			continue;
		}
		if (!a->group_only && (f = frame_map_ref(a->all.pending, pm_pfn(pm)))) {
			/*
			 * Pending means seen before in the pass, and past the tests of
			 * account_present: mapped more than once, of a known kind. This
			 * entry is counted among its mappers now.
			 */
			uint64_t mapcount = pending_mapcount(*f);
			enum page_kind k = pending_kind(*f);

			scope_pending_seen(&a->all, pm_pfn(pm), f);
			if (v || a->in_group) {
				account_present(a, pc, v, vaddr, pm_pfn(pm), mapcount, pending_flags(k), true);
			} else {
				shared[k]++;
				shared_pss[k] += share_of(a, mapcount);
			}
			continue;
		}
		implied[nmiss] = a->infer ? implied_flags(pm, v ? v : vma_at(vmas, &hint, vaddr)) : FLAGS_UNKNOWN;
		miss[nmiss++] = (uint32_t)i;
	}
	for (int k = 0; k < KIND_COUNT; k++) {
		pc->rss_bytes += shared[k] * a->page_size;
		pc->pss += shared_pss[k];
		pc->kind[k].rss_bytes += shared[k] * a->page_size;
		pc->kind[k].pss += shared_pss[k];
	}
	return nmiss;
}

void account_misses(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma_list *vmas,
		    bool per_vma, size_t vma_hint, const struct page_batch *b, const uint32_t *miss, size_t nmiss,
		    const uint64_t *count, const uint64_t *flags)
{
	a->cur_vmas = vmas;
	a->cur_proc = proc;
	for (size_t j = 0; j < nmiss; j++) {
		uint64_t vaddr = b->vaddr + miss[j] * a->page_size;
		struct vma *v = per_vma ? vma_at(vmas, &vma_hint, vaddr) : NULL;

		account_present(a, pc, v, vaddr, pm_pfn(b->pm[miss[j]]), count[j], flags[j], false);
	}
}

void account_swap_ref(struct accounter *a, uint64_t entry)
{
	u64_counter_add(a->swap_refs, entry, 1);
}

void account_shmem_swap(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma *v,
			uint64_t bytes, uint64_t object)
{
	shmem_swap_add(&a->shm_proc, object, v->offset, v->offset + (v->end - v->start), bytes, proc);
	pc->swap_bytes += bytes;
	pc->kind[KIND_SHMEM].swap_bytes += bytes;
	v->counts.swap_bytes += bytes;
	v->counts.kind[KIND_SHMEM].swap_bytes += bytes;
	scope_shmem_swap(&a->all, object, bytes);
	if (a->in_group) {
		scope_shmem_swap(&a->group, object, bytes);
		/* A private writable mapping's figure leaves out its copied pages: no equation over its range. */
		if (vma_is_shared(v) || v->perms[1] != 'w')
			shmem_swap_add(&a->shm, object, v->offset, v->offset + (v->end - v->start), bytes,
				       a->group_id);
	}
}

static void note_group_swap(void *ctx, uint32_t group, uint64_t object, bool known, uint64_t bytes)
{
	fates_note_swap(ctx, FATE_GROUP | group, object, known, bytes);
}

static void note_proc_swap(void *ctx, uint32_t proc, uint64_t object, bool known, uint64_t bytes)
{
	fates_note_swap(ctx, proc, object, known, bytes);
}

/*
 * The SPEC 2.1 split as the frames tell it: a process's anonymous uss
 * frees, its file uss is reclaimable, its shmem uss stays until
 * fates_resolve finds the object dies; and the swapped shmem each process
 * and group alone shows, per object, for fates_resolve.
 */
static void account_fates_start(struct accounter *a, struct mem_counts *const *procs, size_t nprocs)
{
	for (size_t i = 0; i < nprocs; i++) {
		struct mem_counts *c = procs[i];

		if (!(c->valid & CNT_USS))
			continue;
		c->frees_bytes = c->kind[KIND_ANON].uss_bytes;
		c->reclaimable_bytes = c->kind[KIND_FILE].uss_bytes;
		c->stays_bytes = c->kind[KIND_SHMEM].uss_bytes;
		c->valid |= CNT_FATES | CNT_FREES_SWAP;
	}
	shmem_swap_each(&a->shm, note_group_swap, &a->fates);
	shmem_swap_each(&a->shm_proc, note_proc_swap, &a->fates);
}

void account_finish(struct accounter *a, struct mem_counts *const *procs, struct vma_list *const *vmas,
		    const int *proc_group, const bool *repeat, size_t nprocs, struct mem_counts *groups,
		    size_t ngroups, struct mem_counts *totals)
{
	uint64_t ps = a->page_size;

	for (size_t i = 0; i < a->nuses; i++) {
		const struct swap_use *u = &a->uses[i];
		pss_t share = pss_share(ps, u64_counter_get(a->swap_refs, u->entry));

		procs[u->proc]->swap_pss += share;
		/* A slot no other page table holds frees with the process (anonymous: it is in a page table). */
		if (u64_counter_get(a->swap_refs, u->entry) == 1)
			procs[u->proc]->frees_swap_bytes += ps;
		/* Mappings not kept (SCAN_KEEP_VMAS off) were released after the walk. */
		if (vmas && vmas[u->proc] && u->vma < vmas[u->proc]->n)
			vmas[u->proc]->v[u->vma].counts.swap_pss += share;
	}
	for (size_t i = 0; i < a->ngswap; i++) {
		const struct group_swap *g = &a->gswap[i];

		if (g->count >= u64_counter_get(a->swap_refs, g->entry)) {
			groups[g->group].swap_uss_bytes += ps;
			groups[g->group].frees_swap_bytes += ps;
		}
	}
	shmem_swap_resolve(&a->shm, groups, ngroups);
	account_fates_start(a, procs, nprocs);
	memset(totals, 0, sizeof(*totals));
	totals->valid = CNT_EXACT;
	for (size_t i = 0; i < nprocs; i++) {
		if (proc_group && proc_group[i] >= 0 && (size_t)proc_group[i] < ngroups)
			groups[proc_group[i]].pss += procs[i]->pss;
		if (repeat && repeat[i])
			continue;
		totals->pss += procs[i]->pss;
		totals->swap_pss += procs[i]->swap_pss;
		for (int k = 0; k < KIND_COUNT; k++) {
			totals->kind[k].pss += procs[i]->kind[k].pss;
		}
		totals->zero_page_bytes += procs[i]->zero_page_bytes;
		totals->nopage_bytes += procs[i]->nopage_bytes;
		totals->hugetlb_bytes += procs[i]->hugetlb_bytes;
		totals->guard_bytes += procs[i]->guard_bytes;
	}
	totals->rss_bytes = a->all.frames * ps;
	for (int k = 0; k < KIND_COUNT; k++)
		totals->kind[k].rss_bytes = a->all.kind_frames[k] * ps;
	totals->uss_bytes = a->all.complete * ps;
	/* Swap entries in page tables hold anonymous pages; swapped shmem is counted per object. */
	totals->kind[KIND_ANON].swap_bytes = u64_counter_size(a->all.swap) * ps;
	totals->kind[KIND_SHMEM].swap_bytes = scope_shmem_swap_bytes(&a->all);
	totals->swap_bytes = totals->kind[KIND_ANON].swap_bytes + totals->kind[KIND_SHMEM].swap_bytes;
	totals->swap_uss_bytes = totals->swap_bytes;
	/* Which frames of a kind are complete is not tracked: per-kind uss stays unknown. */
	totals->valid &= ~(unsigned)CNT_KIND_USS;
	totals->valid |= CNT_SWAP_USS;
}

void account_rollup(struct mem_counts *pc, const struct smaps_rollup *r)
{
	memset(pc, 0, sizeof(*pc));
	pc->valid = CNT_RSS | CNT_PSS;
	pc->rss_bytes = r->rss_kb * 1024;
	pc->pss = (pss_t)(r->pss_kb * 1024) << PSS_SHIFT;
	if (r->have & SMAPS_HAVE_PRIVATE) {
		pc->uss_bytes = (r->private_clean_kb + r->private_dirty_kb) * 1024;
		pc->valid |= CNT_USS;
	}
	if (r->have & SMAPS_HAVE_SWAP) {
		pc->swap_bytes = r->swap_kb * 1024;
		pc->valid |= CNT_SWAP;
	}
	if (r->have & SMAPS_HAVE_SWAP_PSS) {
		pc->swap_pss = (pss_t)(r->swap_pss_kb * 1024) << PSS_SHIFT;
		pc->valid |= CNT_SWAP_PSS;
	}
	if (r->have & SMAPS_HAVE_PSS_KINDS) {
		pc->kind[KIND_ANON].pss = (pss_t)(r->pss_anon_kb * 1024) << PSS_SHIFT;
		pc->kind[KIND_FILE].pss = (pss_t)(r->pss_file_kb * 1024) << PSS_SHIFT;
		pc->kind[KIND_SHMEM].pss = (pss_t)(r->pss_shmem_kb * 1024) << PSS_SHIFT;
		pc->valid |= CNT_KIND_PSS;
	}
}
