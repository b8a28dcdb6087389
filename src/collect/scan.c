/*
 * scan.c: one pass over a source (scan.h). For each process: identity,
 * then in exact mode its maps and every populated pagemap entry, resolved
 * batch by batch to kpagecount/kpageflags and streamed through the
 * aggregator (read on reader threads, counted on this one); in rollup mode
 * its smaps_rollup. Processes are walked group by group so the
 * aggregator's per-group state is short-lived. This file runs the pass
 * and finishes it (swap outside the scan, what killing frees); the other
 * scan_*.c hold its parts (scan_internal.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frameset.h"
#include "scan_internal.h"
#include "shmobj.h"
#include "status.h"

const char *const scan_mode_names[] = { "auto", "exact", "rollup" };
const char *const group_by_names[GROUP_COUNT] = { "none", "user", "program", "tree", "cgroup" };

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

struct proc *scan_find(const struct scan *sc, pid_t pid)
{
	size_t a = 0, b = sc->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (sc->procs[m].id.pid < pid)
			a = m + 1;
		else
			b = m;
	}
	return a < sc->n && sc->procs[a].id.pid == pid ? &sc->procs[a] : NULL;
}

/*
 * The processes outside the scan whose swap entries count: each mm once
 * (SPEC 2.4), and none the scan walks itself. mm[i] is others[i]'s
 * lowest pid on its mm. Returns the list (owned), *n its length.
 */
static pid_t *scan_swap_others(const struct scan *sc, const pid_t *others, const pid_t *mm, size_t nothers,
			       size_t *n)
{
	struct u64_counter *seen = u64_counter_new();
	pid_t *out = xmalloc((nothers + 1) * sizeof(*out));

	for (size_t i = 0; i < sc->n; i++) {
		pid_t low = sc->procs[i].id.shares_mm_with;

		u64_counter_put(seen, (uint64_t)(low ? low : sc->procs[i].id.pid), 1);
	}
	*n = 0;
	for (size_t i = 0; i < nothers; i++) {
		if (u64_counter_get(seen, (uint64_t)mm[i]))
			continue;
		u64_counter_put(seen, (uint64_t)mm[i], 1);
		out[(*n)++] = others[i];
	}
	u64_counter_free(seen);
	return out;
}

/*
 * The processes and their identity. Only those asked for by pid are read
 * when nothing else selects, unless swap_pss needs the others' swap entries.
 */
static int scan_list(struct scan_ctx *c, struct proc_ident **ids, size_t *n)
{
	const struct scan_opts *o = c->o;
	bool others = c->sc->mode == MODE_EXACT && c->swap_in_use;

	if (c->src->caps & SOURCE_WHOLE)   /* everyone, with all of their identity */
		return source_list(c->src, IDENT_ALL, ids, n, c->err);
	if (o->npids && !o->nnames && !others) {
		c->listed_some = true;
		return source_list_pids(c->src, scan_ident_want(o), o->pids, o->npids, ids, n, c->err);
	}
	return source_list(c->src, scan_ident_want(o), ids, n, c->err);
}

static int scan_mode_pick(struct source *s, const struct scan_opts *o, struct scan *sc, struct tm_error *err)
{
	if (o->mode == MODE_EXACT && !s->exact_ok)
		return errorf(err, -EPERM, "exact mode is not possible: %s", s->exact_why);
	if (o->mode == MODE_ROLLUP || !s->exact_ok) {
		sc->mode = MODE_ROLLUP;
		sc->mode_reason = o->mode == MODE_ROLLUP ? NULL : s->exact_why;
	} else {
		sc->mode = MODE_EXACT;
	}
	return 0;
}

/* Reads meminfo; live it is also the moment the scan is dated. */
static int scan_meminfo(struct scan_ctx *c)
{
	struct scan *sc = c->sc;
	uint64_t total, free_;
	int rc = source_read_top(c->src, "meminfo", &c->rd.text, c->err);

	if (rc < 0)
		return rc;
	if (meminfo_parse(c->rd.text.buf, c->rd.text.len, &sc->meminfo) < 0)
		return errorf(c->err, -EIO, "'%s/meminfo' is malformed", c->src->root_path);
	total = meminfo_get(&sc->meminfo, "SwapTotal");
	free_ = meminfo_get(&sc->meminfo, "SwapFree");
	c->swap_in_use = total != UINT64_MAX && free_ != UINT64_MAX && total > free_;
	c->rd.swap_in_use = c->swap_in_use;
	return 0;
}

/*
 * How many swap areas /proc/swaps lists (a header line, then one per
 * area), which tells swap entries from markers of the high types
 * (pm_is_swap). A snapshot without the file (older, or the engine's
 * without swap) lists none.
 */
static unsigned scan_swap_areas(struct scan_ctx *c)
{
	struct tm_error ignored = { 0 };
	unsigned lines = 0;

	if (source_read_top(c->src, "swaps", &c->rd.text, &ignored) < 0)
		return 0;
	for (size_t i = 0; i < c->rd.text.len; i++)
		lines += c->rd.text.buf[i] == '\n';
	return lines ? lines - 1 : 0;
}

/*
 * The processes outside the scan, when only the pids asked for were
 * listed: an object in question may be held by any of them. *out is the
 * caller's. Returns 0 or -errno.
 */
static int scan_list_others(struct scan_ctx *c, pid_t **out, size_t *n)
{
	struct proc_ident *ids;
	size_t nids;
	int rc = source_list(c->src, IDENT_STAT, &ids, &nids, c->err);

	*n = 0;
	if (rc < 0)
		return rc;
	pid_t *scanned = xmalloc((c->sc->n + 1) * sizeof(*scanned));

	for (size_t k = 0; k < c->sc->n; k++)
		scanned[k] = c->sc->procs[k].id.pid;
	qsort(scanned, c->sc->n, sizeof(*scanned), pid_cmp);
	*out = xmalloc((nids + 1) * sizeof(**out));
	for (size_t i = 0; i < nids; i++) {
		if (!ids[i].err && !bsearch(&ids[i].pid, scanned, c->sc->n, sizeof(*scanned), pid_cmp))
			(*out)[(*n)++] = ids[i].pid;
		proc_ident_release(&ids[i]);
	}
	free(scanned);
	free(ids);
	return 0;
}

/*
 * What killing frees (SPEC 2.1): the facts of the shmem objects whose
 * fate is in question (read only for them; all of them for a capture),
 * then the split. Returns 0 or -1 (a damaged snapshot).
 */
static int scan_fates(struct scan_ctx *c, struct mem_counts *const *pc, const int *pg, struct mem_counts *gc)
{
	struct scan *sc = c->sc;
	pid_t *pids = xmalloc((sc->n + c->nothers + 1) * sizeof(*pids));
	struct shm_want *w;
	struct shm_facts facts;
	const pid_t *others = c->others;
	pid_t *listed = NULL;
	size_t nw, nothers = c->nothers;
	int rc;

	for (size_t i = 0; i < sc->n; i++)
		pids[i] = sc->procs[i].id.pid;
	nw = fates_wants(&c->acc.fates, pg, pids, c->src->caps & SOURCE_WHOLE, &w);
	if (nw && c->listed_some && (rc = scan_list_others(c, &listed, &nothers)) < 0)
		goto out;
	if (listed)
		others = listed;
	pids = xrealloc(pids, (sc->n + nothers + 1) * sizeof(*pids));
	memcpy(pids + sc->n, others, nothers * sizeof(*pids));   /* the whole system, for descriptors */
	shm_facts_init(&facts);
	facts.have = true;   /* nothing in question: nothing to know */
	rc = nw || (c->src->caps & SOURCE_WHOLE) ? shmobj_collect(c->src, w, nw, pids, sc->n + nothers, others, nothers,
						&facts, c->err) : 0;
	if (rc == 0)
		fates_resolve(&c->acc.fates, &facts, pc, pg, pids, sc->n, gc, sc->ngroups);
	shm_facts_release(&facts);
out:
	free(listed);
	free(w);
	free(pids);
	return rc;
}

static int scan_finish_exact(struct scan_ctx *c)
{
	int rc;
	struct scan *sc = c->sc;
	struct mem_counts **pc = xmalloc((sc->n + 1) * sizeof(*pc));
	struct vma_list **pv = xmalloc((sc->n + 1) * sizeof(*pv));
	int *pg = xmalloc((sc->n + 1) * sizeof(*pg));
	bool *repeat = xmalloc((sc->n + 1) * sizeof(*repeat));
	struct mem_counts *gc = xcalloc(sc->ngroups + 1, sizeof(*gc));

	for (size_t i = 0; i < sc->n; i++) {
		pc[i] = &sc->procs[i].counts;
		pv[i] = sc->procs[i].readable ? &sc->procs[i].vmas : NULL;
		pg[i] = sc->procs[i].readable ? sc->procs[i].group : -1;
		repeat[i] = c->role[i] == MM_GROUP;
	}
	for (size_t g = 0; g < sc->ngroups; g++)
		gc[g] = sc->groups[g].counts;
	account_finish(&c->acc, pc, pv, pg, repeat, sc->n, gc, sc->ngroups, &sc->totals);
	rc = scan_fates(c, pc, pg, gc);
	for (size_t g = 0; g < sc->ngroups; g++)
		sc->groups[g].counts = gc[g];
	free(pc);
	free(pv);
	free(pg);
	free(repeat);
	free(gc);
	return rc;
}

/*
 * The processes sharing a counted mm take its numbers (and mappings, when
 * kept), as smaps shows each of them the mm's.
 */
static void scan_mm_copy(struct scan_ctx *c)
{
	struct scan *sc = c->sc;

	for (size_t i = 0; i < sc->n; i++) {
		struct proc *p = &sc->procs[i];
		const struct proc *own = &sc->procs[c->mm_of[i]];

		if (c->role[i] == MM_OWN)
			continue;
		p->counts = own->counts;
		p->readable = own->readable;
		p->err = own->err;
		vma_list_release(&p->vmas);
		if (c->o->flags & SCAN_KEEP_VMAS)
			vma_list_copy(&p->vmas, &own->vmas);
	}
}

/*
 * After the walk: the swap entries of the processes outside the scan, then
 * the sums (exact: swap_pss, totals and what killing frees; rollup: what
 * can be summed), the unreadable marked. Returns 0 or the fatal error.
 */
static int scan_finish(struct scan_ctx *c, const pid_t *swap_others, size_t nswap_others)
{
	struct scan *sc = c->sc;
	int rc = 0;

	if (sc->mode == MODE_EXACT && c->swap_in_use)
		rc = scan_outside_swap(c, swap_others, nswap_others);
	if (rc == 0 && sc->mode == MODE_EXACT && (rc = scan_finish_exact(c)) == 0)
		scan_mm_copy(c);
	else if (rc == 0 && sc->mode != MODE_EXACT)
		group_totals_rollup(sc, c->role);
	if (rc == 0)
		group_mark_unknown(sc);
	return rc;
}

int scan_run(struct source *s, const struct scan_opts *o, struct scan *out, struct tm_error *err)
{
	struct scan_ctx *c = xcalloc(1, sizeof(*c));
	struct proc_ident *ids = NULL;
	size_t nids = 0, *order = NULL, nothers = 0, nswap_others = 0;
	pid_t *others = NULL, *others_mm = NULL, *swap_others = NULL;
	double t0 = now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	*c = (struct scan_ctx){ .src = s, .o = o, .sc = out, .err = err, .rd = { .src = s, .err = err } };
	out->page_size = s->page_size;
	out->group_by = o->group_by;
	out->self = o->self;
	snprintf(out->host, sizeof(out->host), "%s", s->host);
	source_time(s, &out->time);
	rc = scan_mode_pick(s, o, out, err);
	if (rc == 0)
		rc = scan_meminfo(c);
	if (rc == 0)
		rc = scan_list(c, &ids, &nids);
	if (rc < 0)
		goto out;
	scan_missing(o, ids, nids, out);
	out->procs = xcalloc(nids + 1, sizeof(*out->procs));
	others = xmalloc((nids + 1) * sizeof(*others));
	others_mm = xmalloc((nids + 1) * sizeof(*others_mm));
	nothers = scan_select(o, s->caps & SOURCE_WHOLE, ids, nids, out, others, others_mm);
	if (o->group_by != GROUP_NONE)
		order = group_assign(out, o);
	c->role = xcalloc(out->n + 1, sizeof(*c->role));
	c->mm_of = xmalloc((out->n + 1) * sizeof(*c->mm_of));
	group_mm_roles(out, c->role, c->mm_of);
	swap_others = scan_swap_others(out, others, others_mm, nothers, &nswap_others);
	account_init(&c->acc, s->page_size);
	/*
	 * A capture records the facts of every frame it meets; TRUEMEM_READ_ALL
	 * reads them too (tests compare the two ways on every kind of memory).
	 */
	c->acc.infer = !(s->caps & SOURCE_WHOLE) && !getenv("TRUEMEM_READ_ALL");
	if (out->mode == MODE_EXACT)
		c->acc.swap_areas = scan_swap_areas(c);
	rc = walk_threaded(c) ? scan_walk_threaded(c, order) : scan_walk(c, order);
	c->others = others;
	c->nothers = nothers;
	if (rc == 0)
		rc = scan_finish(c, swap_others, nswap_others);
	account_release(&c->acc);
out:
	free(order);
	free(others);
	free(others_mm);
	free(swap_others);
	free(c->role);
	free(c->mm_of);
	reader_release(&c->rd);
	free(c);
	out->cost_ms = now_ms() - t0;
	if (rc < 0) {
		scan_release(out);
		return -1;
	}
	return 0;
}

void scan_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		proc_ident_release(&sc->procs[i].id);
		vma_list_release(&sc->procs[i].vmas);
	}
	for (size_t g = 0; g < sc->ngroups; g++) {
		free(sc->groups[g].key);
		free(sc->groups[g].pids);
		frame_set_free(sc->groups[g].frames);
	}
	free(sc->procs);
	free(sc->groups);
	free(sc->missing);
	free(sc->missing_names);
	sc->missing = NULL;
	sc->missing_names = NULL;
	sc->nmissing = sc->nmissing_names = 0;
	meminfo_release(&sc->meminfo);
	sc->procs = NULL;
	sc->groups = NULL;
	sc->n = sc->ngroups = 0;
}
