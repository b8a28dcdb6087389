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
#include <stdint.h>
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

static const int ps_default_cols[] = { COL_PID, COL_USER, COL_SWAP, COL_USS, COL_PSS, COL_RSS, COL_COMMAND, -1 };
static const int group_default_cols[] = { GCOL_KEY, GCOL_PROCS, GCOL_SWAP, GCOL_SWAP_USS, GCOL_FREES, GCOL_USS, GCOL_PSS,
				   GCOL_RSS, -1 };

/* Number of columns in a list ended by -1. */
static int ncols_of(const int *cols)
{
	int n = 0;

	while (cols[n] >= 0)
		n++;
	return n;
}

/* The widest a text column grows (USER as ps cuts it; a command line before other columns). */
static int text_cap(int col)
{
	return col == COL_USER ? 12 : 40;
}

/* The raw text a process shows in text column col (before escaping). */
static const char *proc_text(const struct proc *p, int col)
{
	return col == COL_COMMAND ? proc_command(p) : ps_columns[col].text(p);
}

/*
 * The process table's widths: each column as wide as its title and its
 * widest cell (the totals row's too), text cut at text_cap; cells[i][k] is
 * row i's number cell of column k, row n the totals.
 */
static void procs_widths(const struct ps_rows *rows, const int *cols, int nc, char (*cells)[32], int *w)
{
	for (int k = 0; k < nc; k++) {
		int c = cols[k];

		w[k] = (int)strlen(ps_columns[c].title);
		for (size_t i = 0; i <= rows->n; i++) {
			if (ps_columns[c].kind != COLK_TEXT)
				w[k] = widest(w[k], cells[i * (size_t)nc + (size_t)k]);
			else if (i < rows->n)
				w[k] = widest(w[k], proc_text(rows->p[i], c));
		}
		if (ps_columns[c].kind == COLK_TEXT && w[k] > text_cap(c))
			w[k] = text_cap(c);
	}
}

/* One cell of a row or the header: numbers right-aligned, text left, the last column not padded. */
static void put_cell(FILE *f, const struct column *col, int k, int nc, int w, const char *s)
{
	if (k)
		fputc(' ', f);
	if (col->kind != COLK_TEXT)
		fprintf(f, "%*s", w, s);
	else if (k + 1 < nc)
		fprintf(f, "%-*s", w, s);
	else
		fputs(s, f);
}

static void write_proc_row(FILE *f, const struct scan *sc, const struct proc *p, const int *cols, int nc,
			   const int *w, char (*cells)[32], int width)
{
	int used = 0;

	for (int k = 0; k < nc; k++) {
		int c = cols[k];
		struct buf b = BUF_INIT;

		if (c == COL_COMMAND && k + 1 == nc) {
			if (k)
				fputc(' ', f);
			write_command(f, sc, p, width > 0 ? width - used : 0);
			return;
		}
		if (ps_columns[c].kind == COLK_TEXT)
			escape_untrusted(&b, proc_text(p, c), (size_t)w[k]);
		put_cell(f, &ps_columns[c], k, nc, w[k], b.buf ? b.buf : cells[k]);
		buf_release(&b);
		used += w[k] + 1;
	}
	fputc('\n', f);
}

static void write_procs(FILE *f, const struct scan *sc, const struct ps_rows *rows, const struct ps_text_opts *t)
{
	const int *cols = t->cols ? t->cols : ps_default_cols;
	int nc = ncols_of(cols), *w = xcalloc((size_t)nc + 1, sizeof(*w));
	char (*cells)[32] = xcalloc((rows->n + 1) * (size_t)nc + 1, sizeof(*cells));
	struct proc totals = { .counts = sc->totals };

	for (size_t i = 0; i <= rows->n; i++)
		for (int k = 0; k < nc; k++) {
			const struct proc *p = i < rows->n ? rows->p[i] : &totals;

			/* The totals row has numbers only: no pid, no user. */
			if (i < rows->n || ps_columns[cols[k]].field != CF_NONE)
				column_cell(cells[i * (size_t)nc + (size_t)k], 32, &ps_table, cols[k], p, t->human);
		}
	procs_widths(rows, cols, nc, cells, w);
	if (!t->no_headers) {
		for (int k = 0; k < nc; k++)
			put_cell(f, &ps_columns[cols[k]], k, nc, w[k], ps_columns[cols[k]].title);
		fputc('\n', f);
	}
	for (size_t i = 0; i < rows->n; i++)
		write_proc_row(f, sc, rows->p[i], cols, nc, w, cells + i * (size_t)nc, t->width);
	if (!t->no_totals) {
		char (*tc)[32] = cells + rows->n * (size_t)nc;
		int last = cols[nc - 1] == COL_COMMAND ? nc - 1 : nc;

		for (int k = 0; k < last; k++)
			fprintf(f, "%s%*s", k ? " " : "", ps_columns[cols[k]].kind == COLK_TEXT ? -w[k] : w[k], tc[k]);
		fprintf(f, "%sTOTAL (%s", last ? " " : "", sc->mode == MODE_EXACT ? "distinct frames" : "sum of PSS");
		if (sc->nunreadable)
			fprintf(f, "; %zu of %zu unreadable", sc->nunreadable, sc->n);
		fputs(")\n", f);
	}
	free(cells);
	free(w);
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

/* Whether a member's row (a process under its tree group) has column c: groups alone have PROCS and SWAP_USS. */
static bool member_has(int c)
{
	return group_columns[c].field != CF_NONE && group_columns[c].field != CF_SWAP_USS;
}

/* One group-table cell at its fixed width: the key column left-aligned (rows cut to it), the last one not padded. */
static void put_group_cell(FILE *f, int c, int k, int nc, const char *s, bool header)
{
	int w = group_columns[c].width;

	if (k)
		fputc(' ', f);
	if (c != GCOL_KEY)
		fprintf(f, "%*s", w, s);
	else if (header && k + 1 == nc)
		fputs(s, f);
	else if (header)
		fprintf(f, "%-*s", w, s);
	else if (k + 1 == nc)
		fprintf(f, "%.*s", w, s);
	else
		fprintf(f, "%-*.*s", w, w, s);
}

static void write_tree_members(FILE *f, const struct scan *sc, const struct group *g, const int *cols, int nc,
			       bool human)
{
	for (size_t i = 0; i < g->npids; i++) {
		const struct proc *p = scan_find(sc, g->pids[i]);
		struct buf b = BUF_INIT;

		for (int d = tree_depth(sc, p, g->leader); d >= 0; d--)
			buf_addstr(&b, "  ");
		buf_addf(&b, "%d ", (int)p->id.pid);
		escape_untrusted(&b, proc_command(p), 60);
		for (int k = 0; k < nc; k++) {
			const struct column *col = &group_columns[cols[k]];
			char cell[32] = "";
			uint64_t v;

			if (cols[k] == GCOL_KEY) {
				fprintf(f, "%s  %-*s", k ? " " : "", k + 1 < nc ? col->width - 2 : 0, b.buf);
				continue;
			}
			if (member_has(cols[k])) {
				bool known = count_field_get(&p->counts, col->field, &v);

				column_format(cell, sizeof(cell), col, known, v, human);
			}
			put_group_cell(f, cols[k], k, nc, cell, false);
		}
		fputc('\n', f);
		buf_release(&b);
	}
}

static void write_groups(FILE *f, const struct scan *sc, const struct ps_text_opts *t)
{
	size_t *order = xmalloc((sc->ngroups + 1) * sizeof(*order));
	const int *cols = t->cols ? t->cols : group_default_cols;
	int nc = ncols_of(cols);

	groups_sort(sc, order, t->sort, t->reverse);
	if (!t->no_headers) {
		char key[16];
		size_t k;

		/* One case for every title, as the process table has. */
		for (k = 0; group_by_names[sc->group_by][k] && k + 1 < sizeof(key); k++)
			key[k] = (char)toupper((unsigned char)group_by_names[sc->group_by][k]);
		key[k] = '\0';
		for (int c = 0; c < nc; c++)
			put_group_cell(f, cols[c], c, nc, cols[c] == GCOL_KEY ? key : group_columns[cols[c]].title, true);
		fputc('\n', f);
	}
	for (size_t i = 0; i < sc->ngroups; i++) {
		const struct group *g = &sc->groups[order[i]];
		struct buf b = BUF_INIT;

		group_label(&b, sc, g);
		for (int k = 0; k < nc; k++) {
			char cell[32];

			column_cell(cell, sizeof(cell), &group_table, cols[k], g, t->human);
			put_group_cell(f, cols[k], k, nc, cols[k] == GCOL_KEY ? b.buf : cell, false);
		}
		if (g->nunreadable)
			fprintf(f, "  (%zu of %zu unreadable)", g->nunreadable, g->npids);
		fputc('\n', f);
		buf_release(&b);
		if (t->tree && sc->group_by == GROUP_TREE)
			write_tree_members(f, sc, g, cols, nc, t->human);
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
