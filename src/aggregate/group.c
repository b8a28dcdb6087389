/*
 * group.c: the groups of a scan (--group-by: user, program, process tree,
 * cgroup, or the caller's key), the processes that share an mm (SPEC 2.4)
 * and the sums rollup mode can make. Pure: a scan's processes in, groups,
 * roles and sums out (group.h).
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"
#include "util.h"

/* The tree group leader of p: walk up while the parent is scanned and is not PID 1. */
static const struct proc *tree_leader(const struct scan *sc, const struct proc *p)
{
	for (size_t guard = 0; guard < sc->n; guard++) {
		const struct proc *parent;

		if (p->id.pid == 1 || p->id.ppid == 1 || !(parent = scan_find(sc, p->id.ppid)))
			return p;
		p = parent;
	}
	return p;   /* a parent loop cannot happen in a consistent listing; stop anyway */
}

static char *group_key(const struct scan *sc, const struct proc *p, const struct scan_opts *o)
{
	if (o->group_key)
		return o->group_key(o->group_ctx, &p->id);
	switch (o->group_by) {
	case GROUP_USER: return xstrdup(p->id.user);
	case GROUP_PROGRAM: return xstrdup(p->id.exe ? p->id.exe : p->id.comm);
	case GROUP_CGROUP: return xstrdup(p->id.cgroup ? p->id.cgroup : "-");
	case GROUP_TREE: return xasprintf("%d", (int)tree_leader(sc, p)->id.pid);
	default: return NULL;
	}
}

struct keyed {
	char *key;
	size_t proc;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->proc > y->proc) - (x->proc < y->proc);
}

/*
 * Assigns every process its group (sorted by key) and returns the walk
 * order, members of a group together, each group's pids ascending.
 */
size_t *group_assign(struct scan *sc, const struct scan_opts *o)
{
	enum group_by by = o->group_by;
	struct keyed *k = xmalloc((sc->n + 1) * sizeof(*k));
	size_t *order = xmalloc((sc->n + 1) * sizeof(*order));
	unsigned valid = sc->mode == MODE_EXACT ? CNT_RSS | CNT_PSS | CNT_USS | CNT_SWAP | CNT_SWAP_USS : CNT_PSS;

	for (size_t i = 0; i < sc->n; i++)
		k[i] = (struct keyed){ group_key(sc, &sc->procs[i], o), i };
	qsort(k, sc->n, sizeof(*k), cmp_keyed);
	sc->groups = xcalloc(sc->n + 1, sizeof(*sc->groups));
	for (size_t i = 0, j; i < sc->n; i = j) {
		struct group *g = &sc->groups[sc->ngroups];

		for (j = i; j < sc->n && !strcmp(k[j].key, k[i].key); j++)
			;
		g->key = xstrdup(k[i].key);
		g->pids = xmalloc((j - i) * sizeof(pid_t));
		g->counts.valid = valid;
		if (by == GROUP_TREE)
			g->leader = tree_leader(sc, &sc->procs[k[i].proc])->id.pid;
		for (size_t m = i; m < j; m++) {
			sc->procs[k[m].proc].group = (int)sc->ngroups;
			g->pids[g->npids++] = sc->procs[k[m].proc].id.pid;
			order[m] = k[m].proc;
		}
		sc->ngroups++;
	}
	for (size_t i = 0; i < sc->n; i++)
		free(k[i].key);
	free(k);
	return order;
}

/* Counts the unreadable; numbers over nothing readable are unknown, never 0. */
void group_mark_unknown(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->procs[i].readable)
			continue;
		sc->nunreadable++;
		if (sc->procs[i].group >= 0)
			sc->groups[sc->procs[i].group].nunreadable++;
	}
	if (sc->nunreadable == sc->n)
		sc->totals.valid = 0;
	for (size_t g = 0; g < sc->ngroups; g++)
		if (sc->groups[g].nunreadable == sc->groups[g].npids)
			sc->groups[g].counts.valid = 0;
}

/* Sums of rollup mode: an mm shared by processes (SPEC 2.4) once in the totals, once per group. */
void group_totals_rollup(struct scan *sc, const unsigned char *role)
{
	memset(&sc->totals, 0, sizeof(sc->totals));
	/* Without frames, only sums that are sums by definition are known. */
	sc->totals.valid = CNT_PSS | CNT_SWAP_PSS | CNT_KIND_PSS;
	for (size_t i = 0; i < sc->n; i++) {
		if (role[i] == MM_OWN)
			counts_add(&sc->totals, &sc->procs[i].counts);
		sc->totals.valid = CNT_PSS | CNT_SWAP_PSS | CNT_KIND_PSS;
		if (sc->procs[i].group >= 0 && role[i] != MM_COPY)
			sc->groups[sc->procs[i].group].counts.pss += sc->procs[i].counts.pss;
	}
}

struct mm_key {
	pid_t mm;                  /* the lowest pid of the listing on the mm */
	uint32_t proc;
};

static int cmp_mm_key(const void *a, const void *b)
{
	const struct mm_key *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	return (x->proc > y->proc) - (x->proc < y->proc);
}

/* Whether a process before run[m] in its set (run[0..m)) belongs to group g. */
static bool mm_group_seen(const struct scan *sc, const struct mm_key *run, size_t m, int g)
{
	for (size_t j = 0; j < m; j++)
		if (sc->procs[run[j].proc].group == g)
			return true;
	return false;
}

/* The role of every process (enum mm_role), and shares_mm_with for the views. */
void group_mm_roles(struct scan *sc, unsigned char *role, uint32_t *mm_of)
{
	struct mm_key *k = xmalloc((sc->n + 1) * sizeof(*k));

	for (size_t i = 0; i < sc->n; i++) {
		pid_t low = sc->procs[i].id.shares_mm_with;

		k[i] = (struct mm_key){ low ? low : sc->procs[i].id.pid, (uint32_t)i };
		mm_of[i] = (uint32_t)i;
	}
	if (sc->n)
		qsort(k, sc->n, sizeof(*k), cmp_mm_key);
	for (size_t i = 0, j; i < sc->n; i = j) {
		const struct proc *own = &sc->procs[k[i].proc];   /* procs are by pid: the lowest */

		for (j = i + 1; j < sc->n && k[j].mm == k[i].mm; j++) {
			struct proc *p = &sc->procs[k[j].proc];

			p->shares_mm_with = own->id.pid;
			mm_of[k[j].proc] = k[i].proc;
			role[k[j].proc] = mm_group_seen(sc, k + i, j - i, p->group) ? MM_COPY : MM_GROUP;
		}
	}
	free(k);
}
