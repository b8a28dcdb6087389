/*
 * top_cgroup.c: top's cgroup view, the `truemem cgroup` report live (SPEC
 * sections 1 and 2.3): one row per memory cgroup with the same columns,
 * CHARGED ... PROCS and the CGROUP path, its cells written by the same
 * code as the text report (cgroup_cell_text), its rows ordered by the
 * same comparator (cgroup_report_sort). The report itself is taken by the
 * schedule (top_sched.c) through cgroup_take, as `truemem cgroup` takes
 * it; this file only orders and draws it.
 *
 * Narrow terminals drop columns by view_drop[] (highest first); CHARGED,
 * PROCS, CGROUP and the sort column stay, and a path too long for its cell
 * keeps its tail.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "top.h"
#include "view.h"

#define CG_HEADER 5       /* title, bar, legend, view line, column titles */
#define MIN_PATH 20       /* narrowest CGROUP column before others are dropped */

/* Narrow terminals drop the highest first; 0: never. */
static const int view_drop[CGC_COUNT] = {
	[CGC_BORROWED] = 7, [CGC_USED_BY_OTHERS] = 6, [CGC_SHMEM] = 5, [CGC_UNEXPL] = 4,
	[CGC_KERNEL] = 3, [CGC_CACHE] = 2, [CGC_MAPPED] = 1,
};

bool top_in_cgroup(const struct top_state *st)
{
	return st->screen == SCREEN_CGROUP ||
	       ((st->screen == SCREEN_HELP || st->screen == SCREEN_SORT) && st->back == SCREEN_CGROUP);
}

static const struct cgroup_row *row_at(const struct top_state *st, size_t k)
{
	return &st->cg.report.rows[st->cg_order[k]];
}

void top_cgroup_sort(struct top_state *st)
{
	if (!st->have_cg)
		return;
	st->cg_order = xrealloc(st->cg_order, (st->cg.report.n + 1) * sizeof(*st->cg_order));
	cgroup_report_sort(&st->cg.report, &st->cg.tree, st->cg_sort, st->cg_reverse, st->cg_tree, st->cg_order);
	st->cg_n = st->cg.report.n;
	top_cgroup_clamp(st);
}

void top_cgroup_install(struct top_state *st, struct cgroup_take *ct)
{
	char *sel = NULL;

	if (st->have_cg && st->cg_sel < st->cg_n)
		sel = xstrdup(row_at(st, st->cg_sel)->path);
	top_cgroup_release(st);
	st->cg = *ct;
	memset(ct, 0, sizeof(*ct));
	st->have_cg = true;
	top_cgroup_sort(st);
	for (size_t k = 0; sel && k < st->cg_n; k++)
		if (!strcmp(row_at(st, k)->path, sel))
			st->cg_sel = k;
	free(sel);
	top_cgroup_clamp(st);
}

void top_cgroup_clamp(struct top_state *st)
{
	top_clamp_cursor(&st->cg_sel, &st->cg_first, st->cg_n);
}

void top_cgroup_release(struct top_state *st)
{
	if (st->have_cg)
		cgroup_take_release(&st->cg);
	st->have_cg = false;
	free(st->cg_order);
	st->cg_order = NULL;
	st->cg_n = 0;
}

/* The width of each column: its title or its widest cell on screen; shown[c] false when dropped. */
static void layout(struct top_state *st, int w[CGC_COUNT], bool shown[CGC_COUNT])
{
	int need = MIN_PATH;
	char cell[48];

	for (int c = 0; c < CGC_CGROUP; c++) {
		w[c] = (int)strlen(cgroup_columns[c].title) + 1;   /* room for the sort mark */
		if (w[c] < cgroup_columns[c].width)
			w[c] = cgroup_columns[c].width;
		for (size_t k = 0; k < st->cg_n; k++) {
			cgroup_cell_text(row_at(st, k), c, st->human, cell, sizeof(cell));
			if ((int)strlen(cell) > w[c])
				w[c] = (int)strlen(cell);
		}
		shown[c] = true;
		need += w[c] + 1;
	}
	shown[CGC_CGROUP] = true;
	w[CGC_CGROUP] = 0;
	while (need > COLS) {
		int worst = -1;

		for (int c = 0; c < CGC_CGROUP; c++)
			if (shown[c] && view_drop[c] && c != st->cg_sort &&
			    (worst < 0 || view_drop[c] > view_drop[worst]))
				worst = c;
		if (worst < 0)
			break;
		shown[worst] = false;
		need -= w[worst] + 1;
	}
}

static void draw_view_line(struct top_state *st)
{
	char line[256];
	int x;

	snprintf(line, sizeof(line), "cgroup v%d, %zu memory cgroup%s   sort %s%s%s", st->cg.tree.version,
		 st->cg.tree.count, st->cg.tree.count == 1 ? "" : "s", cgroup_columns[st->cg_sort].title,
		 st->cg_reverse ? " (reversed)" : "", st->cg_tree ? "  tree" : "");
	x = top_draw_fit(3, 0, COLS, line);
	if (st->cg.note && x < COLS) {
		x += top_draw_fit(3, x, COLS - x, "   frame columns not available: ");
		top_draw_untrusted_fit(st, 3, x, COLS - x, st->cg.note);
	}
}

static void draw_titles(struct top_state *st, const int w[CGC_COUNT], const bool shown[CGC_COUNT])
{
	const char *mark = st->cg_reverse ? (st->utf8 ? "▲" : "^") : (st->utf8 ? "▼" : "v");
	int x = 0;

	attron(A_REVERSE);
	mvhline(CG_HEADER - 1, 0, ' ', COLS);
	for (int c = 0; c < CGC_COUNT && x < COLS; c++) {
		char cell[64];
		const char *m = c == st->cg_sort ? mark : "";

		if (!shown[c])
			continue;
		if (c == CGC_CGROUP)
			snprintf(cell, sizeof(cell), "%s%s", cgroup_columns[c].title, m);
		else
			snprintf(cell, sizeof(cell), "%*s%s", w[c] - (int)strlen(cgroup_columns[c].title) - (*m ? 1 : 0),
				 "", cgroup_columns[c].title);
		if (c != CGC_CGROUP && *m)
			strncat(cell, m, sizeof(cell) - strlen(cell) - 1);
		if (c == st->cg_sort)
			attron(A_BOLD);
		top_draw_text(CG_HEADER - 1, x, c == CGC_CGROUP ? COLS - x : w[c], cell);
		if (c == st->cg_sort)
			attroff(A_BOLD);
		x += w[c] + 1;
	}
	attroff(A_REVERSE);
}

/* The path cell: the whole path, or indented by depth with its last component (tree order). */
static void draw_path(struct top_state *st, int y, int x, const struct cgroup_row *r)
{
	const char *name = r->path, *slash = strrchr(r->path, '/');
	int used = 0;

	if (st->cg_tree && r->node >= 0) {
		for (int d = 0; d < st->cg.tree.n[r->node].depth && used + 2 < COLS - x; d++)
			used += top_draw_text(y, x + used, 2, "  ");
		if (slash && slash[1])
			name = slash + 1;
	}
	if (x + used < COLS)
		top_draw_untrusted_tail(st, y, x + used, COLS - x - used, name);
}

static void draw_rows(struct top_state *st, const int w[CGC_COUNT], const bool shown[CGC_COUNT])
{
	int h = top_table_height();

	for (int i = 0; i < h && st->cg_first + (size_t)i < st->cg_n; i++) {
		size_t k = st->cg_first + (size_t)i;
		const struct cgroup_row *r = row_at(st, k);
		int y = CG_HEADER + i, x = 0;

		if (k == st->cg_sel) {
			attron(A_REVERSE);
			mvhline(y, 0, ' ', COLS);
		}
		for (int c = 0; c < CGC_CGROUP && x < COLS; c++) {
			char cell[48], padded[64];

			if (!shown[c])
				continue;
			cgroup_cell_text(r, c, st->human, cell, sizeof(cell));
			snprintf(padded, sizeof(padded), "%*s", w[c], cell);
			top_draw_text(y, x, COLS - x, padded);
			x += w[c] + 1;
		}
		if (x < COLS)
			draw_path(st, y, x, r);
		if (k == st->cg_sel)
			attroff(A_REVERSE);
	}
}

void top_cgroup_draw(struct top_state *st)
{
	int w[CGC_COUNT];
	bool shown[CGC_COUNT];

	if (!st->have_cg) {
		top_draw_text(3, 0, COLS, "cgroup view: reading the memory cgroups...");
		return;
	}
	draw_view_line(st);
	layout(st, w, shown);
	draw_titles(st, w, shown);
	top_cgroup_clamp(st);
	draw_rows(st, w, shown);
	if (!st->cg_n)
		top_draw_text(CG_HEADER, 0, COLS, "no memory cgroups");
}

void top_cgroup_title(const struct top_state *st, char *line, size_t len)
{
	const char *mode = scan_mode_names[st->have_cg ? st->cg.top.mode : st->mode];
	bool running = st->job.running && st->job.cgroup;

	if (!st->have_cg)
		snprintf(line, len, "truemem top  cgroups  first %s report running...", scan_mode_names[st->mode]);
	else if (!st->live)
		snprintf(line, len, "truemem top  cgroups  mode %s  snapshot %s", mode, st->cfg.from);
	else
		snprintf(line, len, "truemem top  cgroups  mode %s, %.0f s old%s", mode, top_now() - st->cg_last_full,
			 running ? "  report running" : st->paused ? "  PAUSED" : "");
}
