/*
 * top_rows.c: the rows `truemem top` shows, built from the last scan: the
 * view-side filter (a substring of command or user, typed live), the sort
 * (ps_sort from view.h for process columns, the same rules here for groups
 * and the growth columns), the tree order of the `t` view, and the growth
 * columns (ΔUSS/s, ΔPSS/s) against the previous scan's figures.
 *
 * Pure: no curses, no I/O. Every number comes from the scan; nothing is
 * recomputed here but differences over time.
 */
#include <stdlib.h>
#include <string.h>

#include "top.h"
#include "view.h"

const struct top_column top_columns[TOP_NCOLS] = {
	[TOP_PID]     = { "PID",     "PID",     COL_PID,     0, true },
	[TOP_USER]    = { "USER",    "USER",    COL_USER,    2, false },
	[TOP_SWAP]    = { "SWAP",    "SWAP",    COL_SWAP,    4, true },
	[TOP_FREES]   = { "FREES",   "FREES",   COL_FREES,   3, true },   /* SPEC 2.1: what killing it frees */
	/* The other fates of SPEC 2.1, on screen when sorted by (exact mode). */
	[TOP_RECLAIMABLE] = { "RECLAIMABLE", "RECLAIMABLE", COL_RECLAIMABLE, 0, true, true },
	[TOP_STAYS]   = { "STAYS",   "STAYS",   COL_STAYS,   0, true, true },
	[TOP_FREES_SWAP] = { "FREES_SWAP", "FREES_SWAP", COL_FREES_SWAP, 0, true, true },
	[TOP_USS]     = { "USS",     "USS",     COL_USS,     0, true },
	[TOP_PSS]     = { "PSS",     "PSS",     COL_PSS,     0, true },
	[TOP_RSS]     = { "RSS",     "RSS",     COL_RSS,     1, true },
	[TOP_DUSS]    = { "ΔUSS/s",  "dUSS/s",  -1,          5, true },
	[TOP_DPSS]    = { "ΔPSS/s",  "dPSS/s",  -1,          6, true },
	[TOP_COMMAND] = { "COMMAND", "COMMAND", COL_COMMAND, 0, false },
};

uint64_t top_key_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return h;
}

bool top_row_matches(const struct proc *p, const struct group *g, const regex_t *re)
{
	if (!re)
		return true;
	if (g)
		return g->key && regexec(re, g->key, 0, NULL, 0) == 0;
	return regexec(re, p->id.comm, 0, NULL, 0) == 0 || regexec(re, p->id.user, 0, NULL, 0) == 0 ||
	       (p->id.cmdline && regexec(re, p->id.cmdline, 0, NULL, 0) == 0);
}

/* An empty filter shows everything; one that does not compile (yet, while typed) shows nothing. */
static bool row_shown(const struct top_state *st, const struct proc *p, const struct group *g)
{
	return st->filter_ok && top_row_matches(p, g, st->filter[0] ? &st->filter_re : NULL);
}

static const struct mem_counts *row_counts(const void *row)
{
	const struct top_row *r = row;

	if (r->group)
		return &r->group->counts;
	return &r->proc->counts;   /* an unreadable process: its valid mask says what is known (rss, or nothing) */
}

/* PID: a process's pid; PROCS, a group's processes. */
static bool row_pid(const void *row, uint64_t *v)
{
	const struct top_row *r = row;

	*v = r->group ? (uint64_t)r->group->npids : (uint64_t)r->proc->id.pid;
	return true;
}

/*
 * A growth rate as a uint64_t that orders as the double does (IEEE 754:
 * flip every bit of a negative, the sign bit of a positive), so the one
 * comparator orders rates exactly, fractions of a byte per second included.
 */
static uint64_t rate_key(double d)
{
	uint64_t u;

	if (d == 0)
		d = 0;   /* -0.0 and 0.0 are one rate */
	memcpy(&u, &d, sizeof(u));
	return u >> 63 ? ~u : u | (UINT64_C(1) << 63);
}

static bool row_duss(const void *row, uint64_t *v)
{
	const struct top_row *r = row;

	*v = rate_key(r->duss);
	return r->have_duss;
}

static bool row_dpss(const void *row, uint64_t *v)
{
	const struct top_row *r = row;

	*v = rate_key(r->dpss);
	return r->have_dpss;
}

/* The text a row sorts by in a text column: a group's only text is its key. */
static const char *row_user(const void *row)
{
	const struct top_row *r = row;

	return r->group ? (r->group->key ? r->group->key : "") : r->proc->id.user;
}

static const char *row_comm(const void *row)
{
	const struct top_row *r = row;

	return r->group ? (r->group->key ? r->group->key : "") : r->proc->id.comm;
}

/* Processes by pid, groups by the hash of their key (the key that keeps a group's selection). */
static int row_tiebreak(const void *x, const void *y)
{
	const struct top_row *a = x, *b = y;
	uint64_t tx = a->group ? top_key_hash(a->group->key) : (uint64_t)a->proc->id.pid;
	uint64_t ty = b->group ? top_key_hash(b->group->key) : (uint64_t)b->proc->id.pid;

	return tx < ty ? -1 : tx > ty;
}

/*
 * top's rows as a column table (column.h), indexed by enum top_col: it
 * orders group rows by any column and process rows by the growth columns;
 * process rows sort by ps's own table (ps_sort) for every column it has.
 * Numbers largest first (the PID column here is a group's PROCS), text
 * A-Z, unknown last whatever the direction.
 */
#define ROW_COUNT(name, need, kind, field) { name, NULL, NULL, 0, need, kind, false, field, NULL, NULL }
static const struct column top_row_columns[TOP_NCOLS] = {
	[TOP_PID]     = { "pid", NULL, NULL, 0, 0, COLK_NUMBER, false, CF_NONE, row_pid, NULL },
	[TOP_USER]    = { "user", NULL, NULL, 0, 0, COLK_TEXT, true, CF_NONE, NULL, row_user },
	[TOP_SWAP]    = ROW_COUNT("swap", CNT_SWAP, COLK_BYTES, CF_SWAP),
	[TOP_FREES]   = ROW_COUNT("frees", CNT_FATES, COLK_BYTES, CF_FREES),
	[TOP_RECLAIMABLE] = ROW_COUNT("reclaimable", CNT_FATES, COLK_BYTES, CF_RECLAIMABLE),
	[TOP_STAYS]   = ROW_COUNT("stays", CNT_FATES, COLK_BYTES, CF_STAYS),
	[TOP_FREES_SWAP] = ROW_COUNT("frees_swap", CNT_FREES_SWAP, COLK_BYTES, CF_FREES_SWAP),
	[TOP_USS]     = ROW_COUNT("uss", CNT_USS, COLK_BYTES, CF_USS),
	[TOP_PSS]     = ROW_COUNT("pss", CNT_PSS, COLK_PSS, CF_PSS),
	[TOP_RSS]     = ROW_COUNT("rss", CNT_RSS, COLK_BYTES, CF_RSS),
	[TOP_DUSS]    = { "duss", NULL, NULL, 0, 0, COLK_NUMBER, false, CF_NONE, row_duss, NULL },
	[TOP_DPSS]    = { "dpss", NULL, NULL, 0, 0, COLK_NUMBER, false, CF_NONE, row_dpss, NULL },
	[TOP_COMMAND] = { "command", NULL, NULL, 0, 0, COLK_TEXT, true, CF_NONE, NULL, row_comm },
};
#undef ROW_COUNT
static const struct column_table top_row_table = {
	"top", top_row_columns, TOP_NCOLS, row_counts, row_tiebreak, NULL, true,
};

bool top_row_value(const struct top_row *r, enum top_col col, double *out)
{
	uint64_t v;
	bool known;

	if (col >= TOP_NCOLS || top_row_columns[col].kind == COLK_TEXT)
		return false;
	if (col == TOP_DUSS || col == TOP_DPSS) {
		*out = col == TOP_DUSS ? r->duss : r->dpss;
		return col == TOP_DUSS ? r->have_duss : r->have_dpss;
	}
	known = column_value(&top_row_table, col, r, &v);
	*out = (double)(top_row_columns[col].kind == COLK_PSS ? pss_bytes(v) : v);
	return known;
}

static void sort_rows(struct top_row *rows, size_t n, enum top_col col, bool reverse)
{
	struct column_order o = { &top_row_table, (int)col, reverse, ROW_IN_PLACE, NULL, 0 };

	column_sort(rows, n, sizeof(*rows), &o);
}

static struct top_row *push_row(struct top_state *st)
{
	xgrow((void **)&st->rows, &st->cap_rows, st->nrows + 1, sizeof(*st->rows));
	memset(&st->rows[st->nrows], 0, sizeof(st->rows[0]));
	return &st->rows[st->nrows++];
}

static void fill_growth(struct top_row *r, const struct top_growth *g)
{
	if (!g)
		return;
	r->have_duss = g->uss_ok;
	r->have_dpss = g->pss_ok;
	r->duss = g->duss;
	r->dpss = g->dpss;
}

static void build_groups(struct top_state *st)
{
	for (size_t i = 0; i < st->scan.ngroups; i++) {
		const struct group *g = &st->scan.groups[i];
		struct top_row *r;

		if (!row_shown(st, NULL, g))
			continue;
		r = push_row(st);
		r->group = g;
		fill_growth(r, st->ggrowth ? &st->ggrowth[i] : NULL);
	}
	sort_rows(st->rows, st->nrows, st->sort, st->reverse);
}

/* A process is shown when it matches the filter and, in a group's member list, is a member. */
static bool proc_shown(const struct top_state *st, const struct proc *p)
{
	if (st->members && !bsearch(&p->id.pid, st->members, st->nmembers, sizeof(pid_t), pid_cmp))
		return false;
	return row_shown(st, p, NULL);
}

/* The filtered processes in sort order, as rows. */
static void build_flat(struct top_state *st)
{
	const struct scan *sc = &st->scan;
	struct proc **ord = xmalloc((sc->n + 1) * sizeof(*ord));
	size_t n = 0;
	int pc = top_columns[st->sort].ps_col;

	for (size_t i = 0; i < sc->n; i++)
		if (proc_shown(st, &sc->procs[i]))
			ord[n++] = &sc->procs[i];
	if (pc >= 0)
		ps_sort(ord, n, (enum ps_col)pc, st->reverse);
	for (size_t i = 0; i < n; i++) {
		struct top_row *r = push_row(st);

		r->proc = ord[i];
		fill_growth(r, st->pgrowth ? &st->pgrowth[ord[i] - sc->procs] : NULL);
	}
	if (pc < 0)
		sort_rows(st->rows, st->nrows, st->sort, st->reverse);
	free(ord);
}

/* The tree builder's working arrays, indexed by position in the flat order. */
struct tree_walk {
	const struct top_row *flat;
	size_t *child, *next;   /* first child, next sibling (children listed last-first) */
	size_t *stack;
	int *depth;
	bool *done;
	size_t ns;
};

/* Emits the subtree under flat row root in depth-first order. */
static void tree_emit(struct top_state *st, struct tree_walk *w, size_t root)
{
	w->stack[w->ns] = root;
	w->depth[w->ns++] = 0;
	while (w->ns) {
		size_t i = w->stack[--w->ns];
		int d = w->depth[w->ns];
		struct top_row *r;

		if (w->done[i])
			continue;
		w->done[i] = true;
		r = push_row(st);
		*r = w->flat[i];
		r->depth = d;
		/* The list runs last-first, so the first child is pushed last and pops first. */
		for (size_t c = w->child[i]; c != SIZE_MAX; c = w->next[c]) {
			w->stack[w->ns] = c;
			w->depth[w->ns++] = d + 1;
		}
	}
}

/* The position in the flat order of row i's parent, or SIZE_MAX when it starts a tree. */
static size_t tree_parent(const struct scan *sc, const size_t *pos, const struct top_row *r)
{
	const struct proc *pp = r->proc->id.pid == 1 ? NULL : scan_find(sc, r->proc->id.ppid);

	if (!pp || pp == r->proc)
		return SIZE_MAX;
	return pos[pp - sc->procs];
}

/*
 * Tree order: each shown process under its parent (siblings in sort order);
 * a process whose parent is not shown, or PID 1, starts a tree. Each row is
 * emitted once (a done mark), and rows a corrupt snapshot's ppid loop left
 * unreached are emitted as trees of their own, so none ever disappears.
 */
static void build_tree(struct top_state *st)
{
	const struct scan *sc = &st->scan;
	size_t n = st->nrows, *pos = xmalloc((sc->n + 1) * sizeof(size_t));
	struct tree_walk w = {
		.flat = st->rows,
		.child = xmalloc((n + 1) * sizeof(size_t)),
		.next = xmalloc((n + 1) * sizeof(size_t)),
		.stack = xmalloc((2 * n + 1) * sizeof(size_t)),
		.depth = xmalloc((2 * n + 1) * sizeof(int)),
		.done = xcalloc(n + 1, 1),
	};

	for (size_t i = 0; i < sc->n; i++)
		pos[i] = SIZE_MAX;
	for (size_t i = 0; i < n; i++) {
		pos[w.flat[i].proc - sc->procs] = i;
		w.child[i] = w.next[i] = SIZE_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		size_t pi = tree_parent(sc, pos, &w.flat[i]);

		if (pi != SIZE_MAX) {
			w.next[i] = w.child[pi];
			w.child[pi] = i;
		}
	}
	st->rows = NULL;
	st->nrows = st->cap_rows = 0;
	for (size_t i = 0; i < n; i++)
		if (tree_parent(sc, pos, &w.flat[i]) == SIZE_MAX)
			tree_emit(st, &w, i);
	for (size_t i = 0; i < n; i++)
		if (!w.done[i])
			tree_emit(st, &w, i);
	free((void *)w.flat);
	free(w.child);
	free(w.next);
	free(w.stack);
	free(w.depth);
	free(w.done);
	free(pos);
}

static void selection_restore(struct top_state *st);

void top_rows_build(struct top_state *st)
{
	st->nrows = 0;
	if (!st->have_scan)
		return;
	st->filter_ok = !st->filter[0] || filter_compile(&st->filter_re, st->filter) == 0;
	if (st->scan.ngroups && st->group_by != GROUP_NONE)
		build_groups(st);
	else {
		build_flat(st);
		if (st->tree)
			build_tree(st);
	}
	if (st->filter[0] && st->filter_ok)
		regfree(&st->filter_re);
	selection_restore(st);
	top_clamp_selection(st);
}

static int cmp_hist(const void *a, const void *b)
{
	const struct top_hist_entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

static struct top_hist_entry *hist_find(const struct top_hist *h, uint64_t key)
{
	struct top_hist_entry k = { .key = key };

	return h->n ? bsearch(&k, h->e, h->n, sizeof(k), cmp_hist) : NULL;
}

/* One row's growth against its history entry (NULL: not seen before). */
static void growth_of(struct top_growth *g, const struct mem_counts *c, bool readable,
		      const struct top_hist_entry *e, double t)
{
	double dt = e ? t - e->t : 0;

	memset(g, 0, sizeof(*g));
	if (!e || !readable || dt <= 0)
		return;
	if (e->uss_ok && (c->valid & CNT_USS)) {
		g->uss_ok = true;
		g->duss = ((double)c->uss_bytes - (double)e->uss_bytes) / dt;
	}
	if (e->pss_ok && (c->valid & CNT_PSS)) {
		g->pss_ok = true;
		g->dpss = ((double)pss_bytes(c->pss) - (double)e->pss_bytes) / dt;
	}
}

static void hist_set(struct top_hist_entry *e, uint64_t key, const struct mem_counts *c, bool readable,
		     double t)
{
	e->key = key;
	e->uss_ok = readable && (c->valid & CNT_USS);
	e->pss_ok = readable && (c->valid & CNT_PSS);
	e->uss_bytes = c->uss_bytes;
	e->pss_bytes = pss_bytes(c->pss);
	e->t = t;
}

/* Appends to a history being rebuilt (sorted once complete). */
static void hist_push(struct top_hist *h, uint64_t key, const struct mem_counts *c, bool readable, double t)
{
	xgrow((void **)&h->e, &h->cap, h->n + 1, sizeof(*h->e));
	hist_set(&h->e[h->n++], key, c, readable, t);
}

void top_growth_full(struct top_state *st, double t)
{
	const struct scan *sc = &st->scan;
	struct top_hist np = { 0 }, ng = { .group_by = sc->group_by };
	bool same_groups = st->ghist.group_by == sc->group_by;

	st->pgrowth = xrealloc(st->pgrowth, (sc->n + 1) * sizeof(*st->pgrowth));
	st->ggrowth = xrealloc(st->ggrowth, (sc->ngroups + 1) * sizeof(*st->ggrowth));
	for (size_t i = 0; i < sc->n; i++) {
		const struct proc *p = &sc->procs[i];

		growth_of(&st->pgrowth[i], &p->counts, p->readable, hist_find(&st->phist, (uint64_t)p->id.pid), t);
		hist_push(&np, (uint64_t)p->id.pid, &p->counts, p->readable, t);
	}
	for (size_t i = 0; i < sc->ngroups; i++) {
		const struct group *g = &sc->groups[i];
		uint64_t key = top_key_hash(g->key);

		growth_of(&st->ggrowth[i], &g->counts, true, same_groups ? hist_find(&st->ghist, key) : NULL, t);
		hist_push(&ng, key, &g->counts, true, t);
	}
	if (np.n > 1)
		qsort(np.e, np.n, sizeof(*np.e), cmp_hist);
	if (ng.n > 1)
		qsort(ng.e, ng.n, sizeof(*ng.e), cmp_hist);
	top_hist_release(&st->phist);
	top_hist_release(&st->ghist);
	st->phist = np;
	st->ghist = ng;
}

void top_growth_proc(struct top_state *st, size_t i, double t)
{
	const struct proc *p = &st->scan.procs[i];
	struct top_hist_entry *e = hist_find(&st->phist, (uint64_t)p->id.pid);

	growth_of(&st->pgrowth[i], &p->counts, p->readable, e, t);
	if (e) {
		hist_set(e, (uint64_t)p->id.pid, &p->counts, p->readable, t);
	} else {
		hist_push(&st->phist, (uint64_t)p->id.pid, &p->counts, p->readable, t);
		qsort(st->phist.e, st->phist.n, sizeof(*st->phist.e), cmp_hist);
	}
}

void top_hist_release(struct top_hist *h)
{
	free(h->e);
	memset(h, 0, sizeof(*h));
}

void top_selection_save(struct top_state *st)
{
	const struct top_row *r;

	if (st->sel >= st->nrows)
		return;
	r = &st->rows[st->sel];
	st->sel_pid = r->proc ? r->proc->id.pid : 0;
	st->sel_key = r->group ? top_key_hash(r->group->key) : 0;
}

/* Puts the selection back on the saved process or group, if it is still shown. */
static void selection_restore(struct top_state *st)
{
	for (size_t i = 0; i < st->nrows; i++) {
		const struct top_row *r = &st->rows[i];

		if ((r->proc && st->sel_pid && r->proc->id.pid == st->sel_pid) ||
		    (r->group && st->sel_key && top_key_hash(r->group->key) == st->sel_key)) {
			st->sel = i;
			return;
		}
	}
}
