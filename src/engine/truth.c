/*
 * truth.c: the ground truth (truth.h) of SPEC section 2, computed from the
 * engine's frame table, page tables and swap slots, never from the
 * snapshot. Processes and mappings come from vma_account(); groups and
 * totals walk their members' page tables once more:
 *  - rss: distinct frames (each frame once, the zero page never);
 *  - pss: the sum of the members' fixed-point pss;
 *  - uss: frames whose page-table entries all belong to members
 *    (member PTEs == mapcount);
 *  - swap: distinct slots held by members, an anonymous slot by a member
 *    PTE, a shmem slot by a member mapping covering the object page;
 *    swap_uss: those no other process holds;
 *  - what killing frees (SPEC section 2.1), for processes (uss: mapcount
 *    1) and groups (the uss above): anonymous uss frames free, file ones
 *    stay cached (reclaimable), shmem ones free when their object dies
 *    with the members (object_outlives()) and stay otherwise; frees_swap
 *    is the anonymous slots only members hold plus the shmem slots the
 *    members' mappings cover of objects that die with them.
 * Distinct counting uses per-frame and per-slot stamps, one serial number
 * per group, so no set is cleared between groups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "source.h"
#include "util.h"

const char *const truth_grouping_names[TRUTH_GROUPINGS] = { "user", "program", "tree", "cgroup" };

void truth_init(struct truth *t)
{
	memset(t, 0, sizeof(*t));
}

void truth_release(struct truth *t)
{
	for (size_t i = 0; i < t->nprocs; i++) {
		struct truth_proc *p = &t->procs[i];

		for (size_t j = 0; j < p->nvmas; j++) {
			free(p->vmas[j].region);
			free(p->vmas[j].name);
		}
		free(p->vmas);
		free(p->user);
		free(p->comm);
		free(p->exe);
		free(p->cgroup);
	}
	free(t->procs);
	for (int g = 0; g < TRUTH_GROUPINGS; g++) {
		for (size_t i = 0; i < t->ngroups[g]; i++) {
			free(t->groups[g][i].key);
			free(t->groups[g][i].pids);
		}
		free(t->groups[g]);
	}
	for (size_t i = 0; i < t->ncgroups; i++) {
		free(t->cgroups[i].path);
		free(t->cgroups[i].pids);
	}
	free(t->cgroups);
	truth_init(t);
}

const struct truth_proc *truth_find(const struct truth *t, pid_t pid)
{
	size_t lo = 0, hi = t->nprocs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (t->procs[mid].pid == pid)
			return &t->procs[mid];
		if (t->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void note_frame(struct group_scratch *s, uint32_t pfn)
{
	if (s->frame_stamp[pfn] != s->serial) {
		s->frame_stamp[pfn] = s->serial;
		s->frame_cnt[pfn] = 0;
		xgrow((void **)&s->seen_frames, &s->cap_frames, s->nframes_seen + 1, sizeof(uint32_t));
		s->seen_frames[s->nframes_seen++] = pfn;
	}
	s->frame_cnt[pfn]++;
}

static void note_slot(struct group_scratch *s, uint32_t slot, uint32_t obj, uint64_t pgoff)
{
	if (s->slot_stamp[slot] != s->serial) {
		s->slot_stamp[slot] = s->serial;
		s->slot_cnt[slot] = 0;
		xgrow((void **)&s->seen_slots, &s->cap_slots, s->nslots_seen + 1, sizeof(struct seen_slot));
		s->seen_slots[s->nslots_seen++] = (struct seen_slot){ slot, obj, pgoff };
	}
	s->slot_cnt[slot]++;
}

/* Notes the frames and slots one member's mapping holds. */
static void group_walk_vma(const struct engine *e, uint32_t vid, struct group_scratch *s)
{
	const struct eng_vma *v = &e->vmas[vid];
	const struct eng_proc *p = &e->procs[v->proc];
	uint64_t idx = v->start >> ENG_PAGE_SHIFT, end = v->end >> ENG_PAGE_SHIFT;
	const uint64_t *ent;

	while ((ent = pgtable_next(&p->pt, &idx, end)) != NULL) {
		if (pte_swapped(*ent))
			note_slot(s, pte_slot(*ent), 0, 0);
		else if (!pte_present(*ent))
			;   /* a guard marker holds nothing */
		else if (pte_pfn(*ent) != FRAME_ZERO_PFN)
			note_frame(s, pte_pfn(*ent));
		idx++;
	}
	if (v->object && e->objs[v->object].kind != OBJ_FILE && e->objs[v->object].swapped_pages) {
		const struct eng_object *o = &e->objs[v->object];

		idx = v->pgoff;
		end = v->pgoff + ((v->end - v->start) >> ENG_PAGE_SHIFT);
		while ((ent = pgtable_next(&o->pages, &idx, end)) != NULL) {
			if (pte_swapped(*ent))
				note_slot(s, pte_slot(*ent), v->object, idx);
			idx++;
		}
	}
}

/* The holders of a swapped shmem page: the mappings of its object that cover it. */
static uint32_t shmem_page_holders(const struct engine *e, uint32_t obj, uint64_t pgoff)
{
	const struct eng_object *o = &e->objs[obj];
	uint32_t n = 0;

	for (uint32_t i = 0; i < o->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[o->vmas.v[i]];

		if (pgoff >= v->pgoff && pgoff - v->pgoff < (v->end - v->start) >> ENG_PAGE_SHIFT)
			n++;
	}
	return n;
}

/* Where uss frame pfn goes when the members die: frees, reclaimable or stays. */
static void fate_frame(const struct engine *e, uint32_t pfn, const bool *member, struct mem_counts *c)
{
	const struct frame *f = &e->frames.f[pfn];

	if (f->kind == FRAME_ANON || (f->kind == FRAME_SHMEM && !object_outlives(e, f->owner, member)))
		c->frees_bytes += ENG_PAGE_SIZE;
	else if (f->kind == FRAME_FILE)
		c->reclaimable_bytes += ENG_PAGE_SIZE;
	else
		c->stays_bytes += ENG_PAGE_SIZE;
}

/* Whether a distinct slot the members hold is freed with them (anonymous: all its holders are members). */
static bool fate_slot(const struct engine *e, const struct group_scratch *s, const struct seen_slot *ss)
{
	if (ss->obj)
		return !object_outlives(e, ss->obj, s->member);
	return s->slot_cnt[ss->slot] == e->swap.refs[ss->slot];
}

void group_count(const struct engine *e, const struct eng_proc *const *members, size_t n,
		 const struct mem_counts *const *member_counts, struct group_scratch *s, struct mem_counts *c)
{
	memset(c, 0, sizeof(*c));
	c->valid = CNT_RSS | CNT_PSS | CNT_USS | CNT_SWAP | CNT_SWAP_USS | CNT_FATES | CNT_FREES_SWAP;
	s->serial++;
	s->nframes_seen = s->nslots_seen = 0;
	for (size_t m = 0; m < n; m++)
		s->member[proc_index(e, members[m])] = true;
	for (size_t m = 0; m < n; m++) {
		for (uint32_t i = 0; i < members[m]->vmas.n; i++)
			group_walk_vma(e, members[m]->vmas.v[i], s);
		c->pss += member_counts[m]->pss;
		c->swap_pss += member_counts[m]->swap_pss;
	}
	for (size_t i = 0; i < s->nframes_seen; i++) {
		uint32_t pfn = s->seen_frames[i];

		c->rss_bytes += ENG_PAGE_SIZE;
		if (s->frame_cnt[pfn] == e->frames.f[pfn].mapcount) {
			c->uss_bytes += ENG_PAGE_SIZE;
			fate_frame(e, pfn, s->member, c);
		}
	}
	for (size_t i = 0; i < s->nslots_seen; i++) {
		const struct seen_slot *ss = &s->seen_slots[i];
		uint32_t holders = ss->obj ? shmem_page_holders(e, ss->obj, ss->pgoff) : e->swap.refs[ss->slot];

		c->swap_bytes += ENG_PAGE_SIZE;
		if (s->slot_cnt[ss->slot] == holders)
			c->swap_uss_bytes += ENG_PAGE_SIZE;
		if (fate_slot(e, s, ss))
			c->frees_swap_bytes += ENG_PAGE_SIZE;
	}
	for (size_t m = 0; m < n; m++)
		s->member[proc_index(e, members[m])] = false;
}

/*
 * The SPEC section 2.1 split of process p alone into c: its uss frames
 * (mapcount 1) and the slots its mappings hold.
 */
static void proc_fates(const struct engine *e, const struct eng_proc *p, struct group_scratch *s,
		       struct mem_counts *c)
{
	s->serial++;
	s->nframes_seen = s->nslots_seen = 0;
	s->member[proc_index(e, p)] = true;
	for (uint32_t i = 0; i < p->vmas.n; i++)
		group_walk_vma(e, p->vmas.v[i], s);
	for (size_t i = 0; i < s->nframes_seen; i++)
		if (e->frames.f[s->seen_frames[i]].mapcount == 1)
			fate_frame(e, s->seen_frames[i], s->member, c);
	for (size_t i = 0; i < s->nslots_seen; i++)
		if (fate_slot(e, s, &s->seen_slots[i]))
			c->frees_swap_bytes += ENG_PAGE_SIZE;
	s->member[proc_index(e, p)] = false;
	c->valid |= CNT_FATES | CNT_FREES_SWAP;
}

static int cmp_proc_pid(const void *a, const void *b)
{
	pid_t x = (*(const struct eng_proc *const *)a)->pid, y = (*(const struct eng_proc *const *)b)->pid;

	return (x > y) - (x < y);
}

static void truth_fill_proc(const struct engine *e, const struct eng_proc *p, struct truth_proc *tp)
{
	struct proc_ident id;

	eng_proc_ident(e, p, &id);
	tp->pid = p->pid;
	tp->ppid = p->ppid;
	tp->uid = p->uid;
	tp->user = xstrdup(id.user);
	tp->comm = xstrdup(id.comm);
	tp->exe = id.exe;
	tp->cgroup = id.cgroup;
	free(id.cmdline);
	tp->counts.valid = CNT_EXACT;
	tp->nvmas = p->vmas.n;
	tp->vmas = xcalloc(p->vmas.n, sizeof(*tp->vmas));
	for (uint32_t i = 0; i < p->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[p->vmas.v[i]];
		struct truth_vma *tv = &tp->vmas[i];
		struct vma_acct a;

		vma_account(e, p->vmas.v[i], &a);
		tv->start = v->start;
		tv->end = v->end;
		tv->region = xstrdup(v->region);
		tv->name = vma_maps_name(e, v);
		tv->counts = a.c;
		counts_add(&tp->counts, &a.c);
	}
}

/* The tree group leader of procs[i] (procs sorted by pid). */
static pid_t tree_leader(const struct truth *t, size_t i)
{
	const struct truth_proc *cur = &t->procs[i];

	for (size_t depth = 0; depth <= t->nprocs; depth++) {
		const struct truth_proc *parent;

		if (cur->pid == 1 || cur->ppid == 1 || !(parent = truth_find(t, cur->ppid)))
			return cur->pid;
		cur = parent;
	}
	return cur->pid;   /* unreachable: ppid chains have no cycles */
}

struct keyed {
	char *key;
	pid_t leader;
	size_t proc;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = (x->leader > y->leader) - (x->leader < y->leader);

	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : (x->proc > y->proc) - (x->proc < y->proc);
}

static void truth_grouping(const struct engine *e, struct truth *t, const struct eng_proc *const *live,
			   enum truth_grouping by, struct group_scratch *s)
{
	struct keyed *k = xcalloc(t->nprocs, sizeof(*k));
	const struct eng_proc **members = xcalloc(t->nprocs, sizeof(*members));
	const struct mem_counts **mc = xcalloc(t->nprocs, sizeof(*mc));
	size_t ng = 0;

	for (size_t i = 0; i < t->nprocs; i++) {
		const struct truth_proc *tp = &t->procs[i];

		k[i].proc = i;
		if (by == TRUTH_BY_TREE) {
			k[i].leader = tree_leader(t, i);
			k[i].key = xasprintf("%d", (int)k[i].leader);
		} else {
			k[i].key = xstrdup(by == TRUTH_BY_USER ? tp->user : by == TRUTH_BY_PROGRAM ? tp->exe : tp->cgroup);
		}
	}
	qsort(k, t->nprocs, sizeof(*k), cmp_keyed);
	t->groups[by] = xcalloc(t->nprocs, sizeof(struct truth_group));
	for (size_t i = 0; i < t->nprocs; ) {
		struct truth_group *g = &t->groups[by][ng++];
		size_t j = i;

		while (j < t->nprocs && strcmp(k[j].key, k[i].key) == 0)
			j++;
		g->key = xstrdup(k[i].key);
		g->leader = k[i].leader;
		g->npids = j - i;
		g->pids = xcalloc(g->npids, sizeof(pid_t));
		for (size_t m = 0; m < g->npids; m++) {
			g->pids[m] = t->procs[k[i + m].proc].pid;   /* ascending: ties sort by proc index */
			members[m] = live[k[i + m].proc];
			mc[m] = &t->procs[k[i + m].proc].counts;
		}
		group_count(e, members, g->npids, mc, s, &g->counts);
		i = j;
	}
	t->ngroups[by] = ng;
	for (size_t i = 0; i < t->nprocs; i++)
		free(k[i].key);
	free(k);
	free(members);
	free(mc);
}

void engine_truth(const struct engine *e, struct truth *t)
{
	const struct eng_proc **live = xcalloc(e->nprocs ? e->nprocs : 1, sizeof(*live));
	const struct mem_counts **mc;
	struct group_scratch s = { 0 };
	size_t n = 0;

	for (uint32_t i = 0; i < e->nprocs; i++)
		if (e->procs[i].live)
			live[n++] = &e->procs[i];
	qsort(live, n, sizeof(*live), cmp_proc_pid);
	t->page_size = ENG_PAGE_SIZE;
	t->nprocs = n;
	t->procs = xcalloc(n ? n : 1, sizeof(*t->procs));
	mc = xcalloc(n ? n : 1, sizeof(*mc));
	for (size_t i = 0; i < n; i++) {
		truth_fill_proc(e, live[i], &t->procs[i]);
		mc[i] = &t->procs[i].counts;
	}
	s.frame_stamp = xcalloc(e->frames.n + 1, sizeof(uint32_t));
	s.frame_cnt = xcalloc(e->frames.n + 1, sizeof(uint32_t));
	s.slot_stamp = xcalloc((size_t)e->swap.nslots + 1, sizeof(uint32_t));
	s.slot_cnt = xcalloc((size_t)e->swap.nslots + 1, sizeof(uint32_t));
	s.member = xcalloc(e->nprocs + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++)
		proc_fates(e, live[i], &s, &t->procs[i].counts);
	group_count(e, live, n, mc, &s, &t->totals);
	t->totals.valid |= CNT_SWAP_PSS;
	for (int by = 0; by < TRUTH_GROUPINGS; by++)
		truth_grouping(e, t, live, (enum truth_grouping)by, &s);
	truth_cgroups(e, t, live, &s);
	free(s.frame_stamp);
	free(s.frame_cnt);
	free(s.slot_stamp);
	free(s.slot_cnt);
	free(s.member);
	free(s.seen_frames);
	free(s.seen_slots);
	free(mc);
	free(live);
}
