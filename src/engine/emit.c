/*
 * emit.c: the engine's state written as a snapshot (snapshot.h, SPEC
 * section 4) through the same writer `truemem capture` uses: per process
 * its identity, maps, smaps, smaps_rollup, status and the pagemap entries
 * of its populated pages; then kpagecount/kpageflags of every frame a page
 * table maps, and meminfo. Pagemap entries follow pagemap.rst and
 * fs/proc/task_mmu.c (pte_to_pagemap_entry): a present page gives
 * PM_PRESENT | pfn, plus PM_FILE when it is not anonymous and
 * PM_MMAP_EXCLUSIVE when mapped once (the zero page gets neither; for the
 * 512 entries of a PMD-mapped huge page, when its head page is mapped
 * once, as pagemap_pmd_range sets it for all of them); a swap
 * entry gives PM_SWAP | type | offset << 5 (a guard marker: PM_SWAP |
 * PM_GUARD_REGION | type 31 | its marker bit << 5); a swapped-out shmem page has
 * no entry at all, as on Linux. Last, the facts of the shmem objects
 * (shmobj.h): each object's link count (a tmpfs file's 1 while it has a
 * name; a memfd's and shared anonymous memory's 0, as fstat shows them)
 * and every descriptor; the simulated host has no SysV segments. The
 * census and the cgroups members come from emit_cgroup.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "engine_mm.h"
#include "kernel.h"
#include "shmobj.h"
#include "snapshot.h"
#include "source.h"
#include "util.h"

#define EMIT_BATCH 4096
#define EMIT_HOST "truemem-sim"

static uint64_t pagemap_entry(const struct engine *e, uint64_t pte, uint64_t vpn)
{
	const struct frame *f;
	uint64_t pm;

	/* A guard marker: pte marker type 31, PTE_MARKER_GUARD (bit 2) in the offset, as pagemap shows it. */
	if (pte_guard(pte))
		return PM_SWAP | PM_GUARD_REGION | 31 | (UINT64_C(4) << PM_SWAP_OFF_SHIFT);
	if (!pte_present(pte))
		return PM_SWAP | ((uint64_t)pte_slot(pte) << PM_SWAP_OFF_SHIFT);   /* swap type 0 */
	pm = PM_PRESENT | pte_pfn(pte);
	if (pte_pfn(pte) == FRAME_ZERO_PFN)
		return pm;
	f = &e->frames.f[pte_pfn(pte)];
	if (f->kind != FRAME_ANON)
		pm |= PM_FILE;
	if (pte & PTE_PMD)
		f = &e->frames.f[pte_pfn(pte) - (vpn & (PMD_PAGES - 1))];
	if (f->mapcount == 1)
		pm |= PM_MMAP_EXCLUSIVE;
	return pm;
}

/* Writes the populated entries of p's page table, one record per contiguous run. */
static int emit_pagemap(struct snap_writer *w, const struct engine *e, const struct eng_proc *p,
			uint64_t *run, struct tm_error *err)
{
	/* an empty call creates the file: a process with nothing populated has an empty pagemap */
	if (snapw_pagemap(w, p->pid, 0, 0, run, err))
		return -1;
	for (uint32_t i = 0; i < p->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[p->vmas.v[i]];
		uint64_t idx = v->start >> ENG_PAGE_SHIFT, end = v->end >> ENG_PAGE_SHIFT, run_start = 0;
		size_t n = 0;
		const uint64_t *ent;

		while ((ent = pgtable_next(&p->pt, &idx, end)) != NULL) {
			if (n && (idx != run_start + n || n == EMIT_BATCH)) {
				if (snapw_pagemap(w, p->pid, run_start << ENG_PAGE_SHIFT, n, run, err))
					return -1;
				n = 0;
			}
			if (n == 0)
				run_start = idx;
			run[n++] = pagemap_entry(e, *ent, idx);
			idx++;
		}
		if (n && snapw_pagemap(w, p->pid, run_start << ENG_PAGE_SHIFT, n, run, err))
			return -1;
	}
	return 0;
}

static int emit_text(struct snap_writer *w, pid_t pid, const char *name, const struct buf *b, struct tm_error *err)
{
	return snapw_proc_file(w, pid, name, b->buf ? b->buf : "", b->len, err);
}

static int emit_proc(struct snap_writer *w, const struct engine *e, const struct eng_proc *p,
		     uint64_t *run, struct tm_error *err)
{
	struct buf maps = BUF_INIT, smaps = BUF_INIT, rollup = BUF_INIT, status = BUF_INIT;
	struct proc_ident id;
	int rc;

	eng_proc_ident(e, p, &id);
	rc = snapw_proc(w, &id, err);
	free(id.cmdline);
	free(id.exe);
	free(id.cgroup);
	proc_maps_text(e, p, &maps);
	proc_smaps_text(e, p, &smaps, &rollup);
	proc_status_text(e, p, &status);
	if (!rc)
		rc = emit_text(w, p->pid, "maps", &maps, err);
	if (!rc)
		rc = emit_text(w, p->pid, "smaps", &smaps, err);
	if (!rc)
		rc = emit_text(w, p->pid, "smaps_rollup", &rollup, err);
	if (!rc)
		rc = emit_text(w, p->pid, "status", &status, err);
	if (!rc)
		rc = emit_pagemap(w, e, p, run, err);
	buf_release(&maps);
	buf_release(&smaps);
	buf_release(&rollup);
	buf_release(&status);
	return rc;
}

static uint64_t kpage_flags(const struct frame *f, uint32_t pfn)
{
	uint64_t fl = KPF_LRU | KPF_UPTODATE;

	if (f->kind == FRAME_ZERO)
		return KPF_ZERO_PAGE;
	if (f->mapcount)
		fl |= KPF_MMAP;
	if (f->kind == FRAME_ANON)
		fl |= KPF_ANON | KPF_SWAPBACKED;
	if (f->kind == FRAME_SHMEM)
		fl |= KPF_SWAPBACKED;
	if (f->swap_slot)
		fl |= KPF_SWAPCACHE;
	if (f->flags & FRAME_DIRTY)
		fl |= KPF_DIRTY;
	if (f->flags & FRAME_REFERENCED)
		fl |= KPF_REFERENCED;
	if (f->flags & FRAME_THP)
		fl |= KPF_THP | (pfn % PMD_PAGES ? KPF_COMPOUND_TAIL : KPF_COMPOUND_HEAD);
	return fl;
}

/*
 * kpagecount/kpageflags of every mapped frame, the zero page included
 * (with kpagecount 0), and their kpagecgroup (snapw_kpagecgroup): the
 * inode of the cgroup each is charged to, 0 (not stored) for the zero page.
 */
static int emit_kpages(struct snap_writer *w, const struct engine *e, struct tm_error *err)
{
	uint64_t *pfn = xmalloc(EMIT_BATCH * sizeof(uint64_t));
	uint64_t *cnt = xmalloc(EMIT_BATCH * sizeof(uint64_t));
	uint64_t *fl = xmalloc(EMIT_BATCH * sizeof(uint64_t));
	uint64_t *ino = xmalloc(EMIT_BATCH * sizeof(uint64_t));
	size_t n = 0;
	int rc = 0;

	for (uint32_t i = FRAME_ZERO_PFN; i < e->frames.n && rc == 0; i++) {
		const struct frame *f = &e->frames.f[i];

		if (f->mapcount == 0)
			continue;
		pfn[n] = i;
		/* As on Linux, the zero page is never counted as mapped: kpagecount 0. */
		cnt[n] = f->kind == FRAME_ZERO ? 0 : f->mapcount;
		fl[n] = kpage_flags(f, i);
		ino[n] = f->memcg ? e->cgs[f->memcg].ino : 0;   /* the zero page: no memcg */
		if (++n == EMIT_BATCH) {
			rc = snapw_kpages(w, pfn, cnt, fl, n, err);
			if (rc == 0)
				rc = snapw_kpagecgroup(w, pfn, ino, n, err);
			n = 0;
		}
	}
	if (rc == 0 && n)
		rc = snapw_kpages(w, pfn, cnt, fl, n, err);
	if (rc == 0)   /* the member exists even when no frame is mapped */
		rc = snapw_kpagecgroup(w, pfn, ino, n, err);
	free(pfn);
	free(cnt);
	free(fl);
	free(ino);
	return rc;
}

/* The device a shmem object's mapping shows (proc_text.c: 00:01, tmpfs files 00:1a). */
static struct shm_obj emit_shm_obj(const struct eng_object *o)
{
	return (struct shm_obj){ 0, o->kind == OBJ_TMPFS ? 0x1a : 0x01, o->ino };
}

/* The "shmem" file: link counts of the live shmem objects and tmpfs files, then descriptors by pid. */
static int emit_shm_facts(struct snap_writer *w, const struct engine *e, const struct eng_proc *const *live,
			  size_t n, struct tm_error *err)
{
	struct shm_facts f;
	struct buf b = BUF_INIT;
	int rc;

	shm_facts_init(&f);
	for (uint32_t id = 1; id < e->nobjs; id++) {
		const struct eng_object *o = &e->objs[id];

		if (!o->live || o->kind == OBJ_FILE)
			continue;
		xgrow((void **)&f.links, &f.cap_links, f.nlinks + 1, sizeof(*f.links));
		f.links[f.nlinks++] = (struct shm_link){ emit_shm_obj(o), o->kind == OBJ_TMPFS && o->linked };
	}
	for (size_t i = 0; i < n; i++) {
		for (uint32_t j = 0; j < live[i]->fds.n; j++) {
			xgrow((void **)&f.holders, &f.cap_holders, f.nholders + 1, sizeof(*f.holders));
			f.holders[f.nholders++] = (struct shm_holder){ live[i]->pid, emit_shm_obj(&e->objs[live[i]->fds.v[j]]) };
		}
	}
	shm_facts_format(&f, &b);
	rc = snapw_top_file(w, SHM_FACTS_FILE, b.buf, b.len, err);
	buf_release(&b);
	shm_facts_release(&f);
	return rc;
}

static int cmp_proc_ptr(const void *a, const void *b)
{
	pid_t x = (*(const struct eng_proc *const *)a)->pid, y = (*(const struct eng_proc *const *)b)->pid;

	return (x > y) - (x < y);
}

int engine_emit(const struct engine *e, const char *dir, struct tm_error *err)
{
	const struct eng_proc **live = xcalloc(e->nprocs + 1, sizeof(*live));
	uint64_t *run = xmalloc(EMIT_BATCH * sizeof(uint64_t));
	struct buf meminfo = BUF_INIT;
	struct cg_tally *tally = cg_tally_take(e);
	struct snap_writer *w;
	struct timespec now;
	size_t n = 0;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	w = snapw_open(dir, ENG_PAGE_SIZE, "exact", now, EMIT_HOST, err);
	if (!w)
		rc = -1;
	for (uint32_t i = 0; i < e->nprocs; i++)
		if (e->procs[i].live)
			live[n++] = &e->procs[i];
	qsort(live, n, sizeof(*live), cmp_proc_ptr);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = emit_proc(w, e, live[i], run, err);
	if (rc == 0)
		rc = emit_kpages(w, e, err);
	if (rc == 0)
		rc = emit_shm_facts(w, e, live, n, err);
	if (rc == 0)
		rc = emit_census(w, e, tally, err);
	cg_tally_subtrees(e, tally);
	if (rc == 0)
		rc = emit_cgroups(w, e, tally, err);
	if (rc == 0) {
		engine_meminfo_text(e, &meminfo);
		rc = snapw_top_file(w, "meminfo", meminfo.buf, meminfo.len, err);
	}
	if (rc == 0)
		rc = snapw_close(w, err);
	else if (w)
		snapw_abort(w);
	buf_release(&meminfo);
	free(tally);
	free(run);
	free(live);
	return rc ? -1 : 0;
}
