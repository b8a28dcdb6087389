/*
 * ps_text.c: the `ps` report as text, smem-style: one row per process
 * (PID USER SWAP USS PSS RSS COMMAND), largest PSS first, and a totals row
 * of distinct frames; or one row per group with --group-by, with FREES
 * (what killing the group frees, SPEC section 2.1) beside USS. Unknown
 * numbers print as "-", never 0; names are escaped before they reach the
 * terminal.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

const char *proc_command(const struct proc *p)
{
	static char bracketed[80];

	if (p->id.cmdline && p->id.cmdline[0])
		return p->id.cmdline;
	snprintf(bracketed, sizeof(bracketed), "[%s]", p->id.comm);
	return bracketed;
}

/*
 * Fills the numeric cells SWAP USS PSS RSS of c: "-" for what is not known
 * (an unreadable process has at most its RSS, from statm).
 */
static void cells_counts(char cells[4][32], const struct mem_counts *c, bool human)
{
	fmt_cell(cells[0], 32, c->swap_bytes, c->valid & CNT_SWAP, human);
	fmt_cell(cells[1], 32, c->uss_bytes, c->valid & CNT_USS, human);
	fmt_cell(cells[2], 32, pss_bytes(c->pss), c->valid & CNT_PSS, human);
	fmt_cell(cells[3], 32, c->rss_bytes, c->valid & CNT_RSS, human);
}

static int widest(int w, const char *s)
{
	int n = (int)strlen(s);

	return n > w ? n : w;
}

/*
 * The command column; truemem's own process (shown only unselected) says
 * so, and a process sharing another's mm (SPEC 2.4) names it: its numbers
 * are that mm's, counted once in the totals.
 */
static void write_command(FILE *f, const struct scan *sc, const struct proc *p, int room)
{
	char mark[48] = "";
	struct buf b = BUF_INIT;
	int len;

	if (p->id.pid == sc->self)
		snprintf(mark, sizeof(mark), " (truemem itself)");
	else if (p->shares_mm_with)
		snprintf(mark, sizeof(mark), " (mm of %d)", (int)p->shares_mm_with);
	len = (int)strlen(mark);
	if (len)
		room = room > len + 1 ? room - len : room > 0 ? 1 : 0;
	escape_untrusted(&b, proc_command(p), room > 0 ? (size_t)room : 0);
	fprintf(f, "%s%s\n", b.buf ? b.buf : "", mark);
	buf_release(&b);
}

static void write_procs(FILE *f, const struct scan *sc, const struct ps_rows *rows, const struct ps_text_opts *t)
{
	bool human = t->human;
	int width = t->width;
	char (*cells)[4][32] = xcalloc(rows->n + 1, sizeof(*cells));
	int w[4] = { 4, 3, 3, 3 }, wpid = 3, wuser = 4, used;
	static const char *const titles[4] = { "SWAP", "USS", "PSS", "RSS" };
	char pid[16];

	for (size_t i = 0; i < rows->n; i++) {
		const struct proc *p = rows->p[i];

		cells_counts(cells[i], &p->counts, human);
		snprintf(pid, sizeof(pid), "%d", (int)p->id.pid);
		wpid = widest(wpid, pid);
		wuser = widest(wuser, p->id.user);
	}
	cells_counts(cells[rows->n], &sc->totals, human);
	for (size_t i = 0; i <= rows->n; i++)
		for (int k = 0; k < 4; k++)
			w[k] = widest(w[k], cells[i][k]);
	wuser = wuser > 12 ? 12 : wuser;
	if (!t->no_headers)
		fprintf(f, "%*s %-*s %*s %*s %*s %*s COMMAND\n", wpid, "PID", wuser, "USER", w[0], titles[0], w[1],
		titles[1], w[2], titles[2], w[3], titles[3]);
	used = wpid + wuser + w[0] + w[1] + w[2] + w[3] + 6;
	for (size_t i = 0; i < rows->n; i++) {
		const struct proc *p = rows->p[i];
		struct buf user = BUF_INIT;

		escape_untrusted(&user, p->id.user, (size_t)wuser);
		fprintf(f, "%*d %-*s %*s %*s %*s %*s ", wpid, (int)p->id.pid, wuser, user.buf, w[0], cells[i][0],
			w[1], cells[i][1], w[2], cells[i][2], w[3], cells[i][3]);
		buf_release(&user);
		write_command(f, sc, p, width > 0 ? width - used : 0);
	}
	if (!t->no_totals) {
		char unread[64] = "";

		if (sc->nunreadable)
			snprintf(unread, sizeof(unread), "; %zu of %zu unreadable", sc->nunreadable, sc->n);
		fprintf(f, "%*s %-*s %*s %*s %*s %*s TOTAL (%s%s)\n", wpid, "", wuser, "", w[0], cells[rows->n][0],
			w[1], cells[rows->n][1], w[2], cells[rows->n][2], w[3], cells[rows->n][3],
			sc->mode == MODE_EXACT ? "distinct frames" : "sum of PSS", unread);
	}
	free(cells);
}

static enum ps_col gsort_col;
static bool gsort_reverse;
static const struct scan *gsort_scan;

static uint64_t group_value(const struct group *g, enum ps_col col)
{
	switch (col) {
	case COL_SWAP: return g->counts.swap_bytes;
	case COL_USS: return g->counts.uss_bytes;
	case COL_RSS: return g->counts.rss_bytes;
	default: return g->counts.pss;
	}
}

static int cmp_group(const void *a, const void *b)
{
	const struct group *x = &gsort_scan->groups[*(const size_t *)a];
	const struct group *y = &gsort_scan->groups[*(const size_t *)b];
	uint64_t vx = group_value(x, gsort_col), vy = group_value(y, gsort_col);
	int c = vx == vy ? 0 : vx > vy ? -1 : 1;

	if (gsort_reverse)
		c = -c;
	return c ? c : strcmp(x->key, y->key);
}

void groups_sort(const struct scan *sc, size_t *order, enum ps_col col, bool reverse)
{
	for (size_t i = 0; i < sc->ngroups; i++)
		order[i] = i;
	gsort_scan = sc;
	gsort_col = col;
	gsort_reverse = reverse;
	qsort(order, sc->ngroups, sizeof(*order), cmp_group);
}

/* The text a group row is labelled with: the key, and for trees the leader's command. */
static void group_label(struct buf *b, const struct scan *sc, const struct group *g)
{
	const struct proc *leader = sc->group_by == GROUP_TREE ? scan_find(sc, g->leader) : NULL;

	escape_untrusted(b, g->key, 0);
	if (leader) {
		buf_addstr(b, " ");
		escape_untrusted(b, proc_command(leader), 40);
	}
}

/* Depth of p below its tree group's leader. */
static int tree_depth(const struct scan *sc, const struct proc *p, pid_t leader)
{
	int d = 0;

	while (p && p->id.pid != leader && d < 64) {
		p = scan_find(sc, p->id.ppid);
		d++;
	}
	return d;
}

/* The FREES cell: what killing it frees ("-" in rollup mode). Valid until the next call. */
static const char *frees_cell(const struct mem_counts *c, bool human)
{
	static char cell[32];

	fmt_cell(cell, sizeof(cell), c->frees_bytes, c->valid & CNT_FATES, human);
	return cell;
}

static void write_tree_members(FILE *f, const struct scan *sc, const struct group *g, bool human)
{
	for (size_t k = 0; k < g->npids; k++) {
		const struct proc *p = scan_find(sc, g->pids[k]);
		char cells[4][32];
		struct buf b = BUF_INIT;

		cells_counts(cells, &p->counts, human);
		for (int d = tree_depth(sc, p, g->leader); d >= 0; d--)
			buf_addstr(&b, "  ");
		buf_addf(&b, "%d ", (int)p->id.pid);
		escape_untrusted(&b, proc_command(p), 60);
		fprintf(f, "  %-38s %10s %10s %10s %10s %10s %10s %10s\n", b.buf, "", cells[0], "",
			frees_cell(&p->counts, human), cells[1], cells[2], cells[3]);
		buf_release(&b);
	}
}

static void write_groups(FILE *f, const struct scan *sc, const struct ps_text_opts *t)
{
	size_t *order = xmalloc((sc->ngroups + 1) * sizeof(*order));
	bool human = t->human, tree = t->tree;

	groups_sort(sc, order, t->sort, t->reverse);
	if (!t->no_headers) {
		char key[16];
		size_t k;

		/* One case for every title, as the process table has. */
		for (k = 0; group_by_names[sc->group_by][k] && k + 1 < sizeof(key); k++)
			key[k] = (char)toupper((unsigned char)group_by_names[sc->group_by][k]);
		key[k] = '\0';
		fprintf(f, "%-40s %10s %10s %10s %10s %10s %10s %10s\n", key, "PROCS", "SWAP", "SWAP_USS", "FREES",
			"USS", "PSS", "RSS");
	}
	for (size_t i = 0; i < sc->ngroups; i++) {
		const struct group *g = &sc->groups[order[i]];
		const struct mem_counts *c = &g->counts;
		char cells[4][32], swap_uss[32];
		struct buf b = BUF_INIT;

		cells_counts(cells, c, human);
		fmt_cell(swap_uss, sizeof(swap_uss), c->swap_uss_bytes, c->valid & CNT_SWAP_USS, human);
		group_label(&b, sc, g);
		fprintf(f, "%-40.40s %10zu %10s %10s %10s %10s %10s %10s", b.buf, g->npids, cells[0], swap_uss,
			frees_cell(c, human), cells[1], cells[2], cells[3]);
		if (g->nunreadable)
			fprintf(f, "  (%zu of %zu unreadable)", g->nunreadable, g->npids);
		fputc('\n', f);
		buf_release(&b);
		if (tree && sc->group_by == GROUP_TREE)
			write_tree_members(f, sc, g, human);
	}
	free(order);
}

void ps_text_write(FILE *f, const struct scan *sc, const struct ps_rows *rows, const struct ps_text_opts *t)
{
	if (sc->group_by != GROUP_NONE)
		write_groups(f, sc, t);
	else
		write_procs(f, sc, rows, t);
}
