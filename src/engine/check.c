/*
 * check.c: the engine's invariants, checked from scratch. Every frame's
 * mapcount equals the page-table entries that map it; every swap slot's
 * reference count equals the entries (and shmem object pages) holding it;
 * the swap cache links a slot and a frame both ways; anonymous frames are
 * found where rmap will look for them (their anon group, their virtual
 * page), file and shmem frames at their object's page offset; the free
 * and per-kind counts add up; every frame in use, and every swap slot
 * without a swap-cache frame, is charged to a cgroup. Tests run it after every scenario so a
 * bookkeeping slip that would hit truth and snapshot alike is caught.
 */
#include <stdlib.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

struct check_counts {
	uint32_t *ptes;     /* per pfn */
	uint32_t *holders;  /* per slot */
};

static int check_pte(const struct engine *e, const struct eng_vma *v, uint64_t vpn, uint64_t pte,
		     struct check_counts *cc, struct tm_error *err)
{
	const struct frame *f;
	uint32_t pfn = pte_pfn(pte);

	if (pte_guard(pte))
		return 0;
	if (!pte_present(pte)) {
		if (vma_type_shared(v->type) || pte_slot(pte) == 0 || pte_slot(pte) > e->swap.nslots)
			return errorf(err, -1, "bad swap entry at vpn %#llx", (unsigned long long)vpn);
		cc->holders[pte_slot(pte)]++;
		return 0;
	}
	if (pfn == 0 || pfn >= e->frames.n || e->frames.f[pfn].kind == FRAME_FREE)
		return errorf(err, -1, "vpn %#llx maps free or unknown pfn %u", (unsigned long long)vpn, pfn);
	cc->ptes[pfn]++;
	f = &e->frames.f[pfn];
	if (f->kind == FRAME_ANON && (f->owner != v->anon || f->index != vpn))
		return errorf(err, -1, "anon pfn %u at vpn %#llx is not where rmap looks", pfn, (unsigned long long)vpn);
	if ((f->kind == FRAME_FILE || f->kind == FRAME_SHMEM) &&
	    (f->owner != v->object || f->index != v->pgoff + vpn - (v->start >> ENG_PAGE_SHIFT)))
		return errorf(err, -1, "object pfn %u at vpn %#llx is not its object's page", pfn, (unsigned long long)vpn);
	if (f->kind == FRAME_ZERO && v->type != VMA_ANON_PRIVATE)
		return errorf(err, -1, "zero page in a non-anonymous mapping");
	return 0;
}

static int check_procs(const struct engine *e, struct check_counts *cc, struct tm_error *err)
{
	for (uint32_t i = 0; i < e->nprocs; i++) {
		const struct eng_proc *p = &e->procs[i];
		uint64_t inside = 0, all = 0, idx = 0;

		if (!p->live)
			continue;
		if (p->cgroup < CG_ROOT || p->cgroup >= e->ncgs)
			return errorf(err, -1, "process %d: in no cgroup", (int)p->pid);
		for (uint32_t j = 0; j < p->vmas.n; j++) {
			const struct eng_vma *v = &e->vmas[p->vmas.v[j]];
			const uint64_t *ent;

			if (!v->live || v->proc != i || (j && v->start < e->vmas[p->vmas.v[j - 1]].end))
				return errorf(err, -1, "process %d: bad mapping list", (int)p->pid);
			idx = v->start >> ENG_PAGE_SHIFT;
			while ((ent = pgtable_next(&p->pt, &idx, v->end >> ENG_PAGE_SHIFT)) != NULL) {
				if (check_pte(e, v, idx, *ent, cc, err))
					return -1;
				inside++;
				idx++;
			}
		}
		for (idx = 0; pgtable_next(&p->pt, &idx, UINT64_MAX); idx++)
			all++;
		if (all != inside)
			return errorf(err, -1, "process %d: %llu entries outside its mappings", (int)p->pid,
				      (unsigned long long)(all - inside));
	}
	return 0;
}

static int check_objects(const struct engine *e, struct check_counts *cc, struct tm_error *err)
{
	for (uint32_t id = 1; id < e->nobjs; id++) {
		const struct eng_object *o = &e->objs[id];
		uint64_t idx = 0, resident = 0, swapped = 0;
		const uint64_t *ent;

		while (o->live && (ent = pgtable_next(&o->pages, &idx, UINT64_MAX)) != NULL) {
			if (pte_present(*ent)) {
				const struct frame *f = &e->frames.f[pte_pfn(*ent)];

				if (f->owner != id || f->index != idx || f->kind != (o->kind == OBJ_FILE ? FRAME_FILE : FRAME_SHMEM))
					return errorf(err, -1, "object %u page %llu: frame does not point back", id,
						      (unsigned long long)idx);
				resident++;
			} else {
				if (o->kind == OBJ_FILE)
					return errorf(err, -1, "file object %u holds a swap entry", id);
				cc->holders[pte_slot(*ent)]++;
				swapped++;
			}
			idx++;
		}
		if (resident != o->resident_pages || swapped != o->swapped_pages)
			return errorf(err, -1, "object %u: page counts off", id);
	}
	return 0;
}

static int check_frames_and_slots(const struct engine *e, const struct check_counts *cc, struct tm_error *err)
{
	const struct frame_table *ft = &e->frames;
	uint32_t used = 0, kinds[FRAME_KINDS] = { 0 };

	if (ft->f[FRAME_ZERO_PFN].mapcount != cc->ptes[FRAME_ZERO_PFN])
		return errorf(err, -1, "zero page mapcount %u, %u entries", ft->f[FRAME_ZERO_PFN].mapcount,
			      cc->ptes[FRAME_ZERO_PFN]);
	for (uint32_t pfn = FRAME_FIRST_PFN; pfn < ft->n; pfn++) {
		const struct frame *f = &ft->f[pfn];

		if (f->kind == FRAME_FREE)
			continue;
		used++;
		kinds[f->kind]++;
		if (f->mapcount != cc->ptes[pfn])
			return errorf(err, -1, "pfn %u: mapcount %u, %u entries", pfn, f->mapcount, cc->ptes[pfn]);
		if (f->kind == FRAME_ANON && f->mapcount == 0)
			return errorf(err, -1, "pfn %u: anonymous and mapped by no one", pfn);
		if (f->swap_slot && (f->kind != FRAME_ANON || e->swap.cache[f->swap_slot] != pfn))
			return errorf(err, -1, "pfn %u: swap cache link broken", pfn);
		if (f->memcg < CG_ROOT || f->memcg >= e->ncgs)
			return errorf(err, -1, "pfn %u: charged to no cgroup (%u)", pfn, f->memcg);
	}
	if (used != ft->used || kinds[FRAME_ANON] != ft->nkind[FRAME_ANON] ||
	    kinds[FRAME_FILE] != ft->nkind[FRAME_FILE] || kinds[FRAME_SHMEM] != ft->nkind[FRAME_SHMEM])
		return errorf(err, -1, "frame counts off: %u used, table says %u", used, ft->used);
	used = 0;
	for (uint32_t slot = 1; slot <= e->swap.nslots; slot++) {
		uint32_t c = e->swap.cache[slot];

		used += e->swap.refs[slot] > 0;
		if (e->swap.refs[slot] != cc->holders[slot])
			return errorf(err, -1, "slot %u: %u references, %u holders", slot, e->swap.refs[slot],
				      cc->holders[slot]);
		if (c && (e->swap.refs[slot] == 0 || ft->f[c].swap_slot != slot))
			return errorf(err, -1, "slot %u: swap cache link broken", slot);
		if (e->swap.refs[slot] && !c && (e->swap.memcg[slot] < CG_ROOT || e->swap.memcg[slot] >= e->ncgs))
			return errorf(err, -1, "slot %u: charged to no cgroup (%u)", slot, e->swap.memcg[slot]);
	}
	if (used != e->swap.used)
		return errorf(err, -1, "swap counts off: %u used, device says %u", used, e->swap.used);
	return 0;
}

/* Descriptor counts against the processes' descriptors; an object nothing refers to must be dead. */
static int check_fds(const struct engine *e, struct tm_error *err)
{
	uint32_t *nfds = xcalloc(e->nobjs + 1, sizeof(uint32_t));
	int rc = 0;

	for (uint32_t i = 0; i < e->nprocs; i++)
		for (uint32_t j = 0; e->procs[i].live && j < e->procs[i].fds.n; j++)
			nfds[e->procs[i].fds.v[j]]++;
	for (uint32_t id = 1; id < e->nobjs && rc == 0; id++) {
		const struct eng_object *o = &e->objs[id];

		if (nfds[id] != o->nfds)
			rc = errorf(err, -1, "object %u: %u descriptors counted, %u held", id, o->nfds, nfds[id]);
		else if (o->live && o->kind != OBJ_FILE && !o->vmas.n && !o->nfds && !(o->kind == OBJ_TMPFS && o->linked))
			rc = errorf(err, -1, "object %u: alive with nothing referring to it", id);
		else if (!o->live && o->nfds)
			rc = errorf(err, -1, "object %u: dead with descriptors on it", id);
	}
	free(nfds);
	return rc;
}

int engine_check(const struct engine *e, struct tm_error *err)
{
	struct check_counts cc;
	int rc;

	if (!e->sized)
		return 0;
	cc.ptes = xcalloc((size_t)e->frames.n + 1, sizeof(uint32_t));
	cc.holders = xcalloc((size_t)e->swap.nslots + 1, sizeof(uint32_t));
	rc = check_procs(e, &cc, err);
	if (!rc)
		rc = check_objects(e, &cc, err);
	if (!rc)
		rc = check_frames_and_slots(e, &cc, err);
	if (!rc)
		rc = check_fds(e, err);
	free(cc.ptes);
	free(cc.holders);
	return rc;
}
