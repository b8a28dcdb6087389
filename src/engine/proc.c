/*
 * proc.c: the process table and the `spawn`, `fork` and `exit` commands.
 * fork follows kernel/fork.c (dup_mmap, copy_page_range): private mappings
 * are copied with their page-table entries, so parent and child share each
 * frame (mapcount + 1) and each swap slot (reference + 1) until one of them
 * writes (copy-on-write, fault.c); shared mappings are inherited without
 * entries and fault in again on first touch; descriptors are copied too.
 * exit drops every mapping, closes every descriptor and reparents the
 * children to PID 1. A child starts in its parent's cgroup; a spawned
 * process in the one `spawn` names (cgroup.c). Live processes are found by pid through
 * an open-addressing hash with backward-shift deletion.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

static uint32_t pid_slot_of(pid_t pid, uint32_t mask)
{
	return ((uint32_t)pid * 2654435761u) & mask;
}

static void pid_hash_put(struct engine *e, uint32_t pidx)
{
	uint32_t mask, i;

	if ((e->nprocs + 1) * 2 > e->pid_hash_cap) {
		uint32_t *old = e->pid_hash, oldcap = e->pid_hash_cap;

		e->pid_hash_cap = oldcap ? oldcap * 2 : 64;
		e->pid_hash = xcalloc(e->pid_hash_cap, sizeof(uint32_t));
		for (uint32_t j = 0; j < oldcap; j++)
			if (old[j])
				pid_hash_put(e, old[j] - 1);
		free(old);
	}
	mask = e->pid_hash_cap - 1;
	for (i = pid_slot_of(e->procs[pidx].pid, mask); e->pid_hash[i]; i = (i + 1) & mask)
		;
	e->pid_hash[i] = pidx + 1;
}

static void pid_hash_del(struct engine *e, pid_t pid)
{
	uint32_t mask = e->pid_hash_cap - 1, i, j;

	for (i = pid_slot_of(pid, mask); e->pid_hash[i]; i = (i + 1) & mask)
		if (e->procs[e->pid_hash[i] - 1].pid == pid)
			break;
	assert(e->pid_hash[i]);
	/* backward-shift deletion keeps every probe chain unbroken */
	for (j = (i + 1) & mask; e->pid_hash[j]; j = (j + 1) & mask) {
		uint32_t home = pid_slot_of(e->procs[e->pid_hash[j] - 1].pid, mask);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			e->pid_hash[i] = e->pid_hash[j];
			i = j;
		}
	}
	e->pid_hash[i] = 0;
}

struct eng_proc *proc_find(const struct engine *e, pid_t pid)
{
	uint32_t mask = e->pid_hash_cap - 1;

	if (!e->pid_hash_cap)
		return NULL;
	for (uint32_t i = pid_slot_of(pid, mask); e->pid_hash[i]; i = (i + 1) & mask) {
		struct eng_proc *p = &e->procs[e->pid_hash[i] - 1];

		if (p->pid == pid)
			return p;
	}
	return NULL;
}

struct eng_proc *proc_add(struct engine *e, pid_t pid, pid_t ppid, uid_t uid, const char *name)
{
	struct eng_proc *p;

	assert(!proc_find(e, pid));
	xgrow((void **)&e->procs, &e->cap_procs, (size_t)e->nprocs + 1, sizeof(*e->procs));
	p = &e->procs[e->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->uid = uid;
	p->live = true;
	p->name = xstrdup(name);
	/* Deterministic: the Nth process made starts N ticks of 100 Hz after boot, so a reused pid differs. */
	p->start_ms = ((uint64_t)e->nprocs + 1) * 10;
	p->next_addr = ENG_MMAP_BASE;
	pgtable_init(&p->pt);
	pid_hash_put(e, e->nprocs);
	e->nprocs++;
	return p;
}

/* Copies the page-table entries of private VMA pv into the child's table (copy_pte_range). */
static void fork_copy_ptes(struct engine *e, const struct eng_vma *pv, struct eng_proc *parent, struct eng_proc *child)
{
	uint64_t idx = pv->start >> ENG_PAGE_SHIFT, end = pv->end >> ENG_PAGE_SHIFT;
	uint64_t *ent;

	while ((ent = pgtable_next(&parent->pt, &idx, end)) != NULL) {
		if (pte_present(*ent))
			e->frames.f[pte_pfn(*ent)].mapcount++;
		else if (pte_swapped(*ent))
			e->swap.refs[pte_slot(*ent)]++;
		*pgtable_slot(&child->pt, idx) = *ent;
		idx++;
	}
}

static void fork_copy_vma(struct engine *e, uint32_t pvid, uint32_t cidx)
{
	uint32_t cvid = vma_new(e);   /* may move e->vmas */
	struct eng_vma *pv = &e->vmas[pvid], *cv = &e->vmas[cvid];

	*cv = *pv;
	cv->proc = cidx;
	cv->region = xstrdup(pv->region);
	if (cv->anon)
		u32vec_push(&e->anons[cv->anon].vmas, cvid);
	if (cv->object)
		u32vec_push(&e->objs[cv->object].vmas, cvid);
	u32vec_push(&e->procs[cidx].vmas, cvid);
	if (!vma_type_shared(pv->type))
		fork_copy_ptes(e, pv, &e->procs[pv->proc], &e->procs[cidx]);
}

int engine_fork(struct engine *e, pid_t parent, pid_t child, struct tm_error *err)
{
	struct eng_proc *pp = proc_find(e, parent), *cp;
	uint32_t pidx, cidx;

	if (!pp)
		return errorf(err, -1, "unknown pid %d", (int)parent);
	if (proc_find(e, child))
		return errorf(err, -1, "fork onto pid %d, which already exists", (int)child);
	pidx = proc_index(e, pp);
	cp = proc_add(e, child, parent, pp->uid, pp->name);   /* may move e->procs */
	cidx = proc_index(e, cp);
	pp = &e->procs[pidx];
	cp->cgroup = pp->cgroup;
	cp->next_addr = pp->next_addr;
	for (uint32_t i = 0; i < e->procs[pidx].vmas.n; i++)
		fork_copy_vma(e, e->procs[pidx].vmas.v[i], cidx);
	fds_fork(e, &e->procs[pidx], &e->procs[cidx]);
	trace_event(e, "fork %d -> %d (%u mappings)", (int)parent, (int)child, e->procs[cidx].vmas.n);
	return 0;
}

int engine_exit(struct engine *e, pid_t pid, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	while (p->vmas.n > 0) {
		uint32_t id = p->vmas.v[p->vmas.n - 1];

		vma_zap(e, id);
		vma_unlink(e, id);
	}
	fds_close_all(e, p);
	pgtable_release(&p->pt);
	u32vec_release(&p->vmas);
	pid_hash_del(e, pid);
	p->live = false;
	for (uint32_t i = 0; i < e->nprocs; i++)
		if (e->procs[i].live && e->procs[i].ppid == pid)
			e->procs[i].ppid = 1;
	trace_event(e, "exit %d", (int)pid);
	return 0;
}

int engine_spawn(struct engine *e, pid_t pid, const char *name, uid_t uid, const char *cgroup,
		 struct tm_error *err)
{
	uint32_t cg;

	if (proc_find(e, pid))
		return errorf(err, -1, "spawn of pid %d, which already exists", (int)pid);
	if (proc_cgroup_for_spawn(e, name, cgroup, &cg, err))
		return -1;
	if (!e->sized) {
		frames_init(&e->frames, (uint32_t)(e->ram_bytes >> ENG_PAGE_SHIFT));
		swap_init(&e->swap, (uint32_t)(e->swap_bytes >> ENG_PAGE_SHIFT));
		e->sized = true;
	}
	proc_add(e, pid, pid == 1 ? 0 : 1, uid, name)->cgroup = cg;
	return 0;
}

void procs_release(struct engine *e)
{
	for (uint32_t i = 0; i < e->nprocs; i++) {
		pgtable_release(&e->procs[i].pt);
		u32vec_release(&e->procs[i].vmas);
		u32vec_release(&e->procs[i].fds);
		free(e->procs[i].name);
	}
	free(e->procs);
	free(e->pid_hash);
	e->procs = NULL;
	e->pid_hash = NULL;
	e->nprocs = 0;
	e->cap_procs = 0;
	e->pid_hash_cap = 0;
}
