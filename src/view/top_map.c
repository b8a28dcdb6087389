/*
 * top_map.c: the drill-down of `truemem top`: Enter on a process shows its
 * mappings, one row per VMA with the numbers of the `map` report (SPEC
 * section 3), scrollable, in address order or sorted by a column (< > r,
 * as the process table); Esc or q goes back to the list. The ADDRESS
 * column holds any 64-bit address (ffffffffff600000, the vsyscall page),
 * and a name too long for the screen keeps its tail (…/libc.so.6).
 *
 * The data is a scan of that one process with SCAN_KEEP_VMAS, taken by the
 * controller (top_sched.c, top_map_refresh) and refreshed on the list's
 * schedule (the list's own scan pauses meanwhile, so the screen on view is
 * the one that costs); this file only orders and draws it. A process that exits, or stops being
 * readable, while drilled into is not an error: its last mappings stay on
 * screen with a note saying it has gone.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"
#include "view.h"

#define MAP_HEADER 5   /* title, process line, totals line, blank/notice, column titles */

/* The numeric columns of a mapping row. */
enum map_col { MAP_SIZE, MAP_RSS, MAP_PSS, MAP_USS, MAP_SWAP, MAP_NCOLS };
static const struct { const char *title; unsigned need; } map_cols[MAP_NCOLS] = {
	[MAP_SIZE] = { "SIZE", 0 },      [MAP_RSS] = { "RSS", CNT_RSS },
	[MAP_PSS] = { "PSS", CNT_PSS },  [MAP_USS] = { "USS", CNT_USS },
	[MAP_SWAP] = { "SWAP", CNT_SWAP },
};
#define MAP_NUM_W 10
#define MAP_ADDR_W 16  /* a 64-bit address in hex */

/* What the mappings sort by (st->map_sort): the address, a numeric column, the name. */
enum { MAP_SORT_ADDR = 0, MAP_SORT_NAME = MAP_NCOLS + 1, MAP_NSORT };

/* Column c of mapping v as a number for sorting; false when not known. */
static bool map_value(const struct vma *v, enum map_col c, uint64_t *val)
{
	const struct mem_counts *m = &v->counts;

	switch (c) {
	case MAP_SIZE: *val = v->end - v->start; break;
	case MAP_RSS: *val = m->rss_bytes; break;
	case MAP_PSS: *val = pss_bytes(m->pss); break;
	case MAP_USS: *val = m->uss_bytes; break;
	default: *val = m->swap_bytes; break;
	}
	return (m->valid & map_cols[c].need) == map_cols[c].need;
}

struct map_sort_ctx {
	const struct vma *v;
	int key;
	bool reverse;
};

/* Address and name ascending, numbers largest first (unknown last); reverse flips; ties by address. */
static int map_cmp(const void *a, const void *b, void *arg)
{
	const struct map_sort_ctx *s = arg;
	const struct vma *x = &s->v[*(const size_t *)a], *y = &s->v[*(const size_t *)b];
	int c = 0;

	if (s->key == MAP_SORT_NAME) {
		c = strcmp(vma_display_name(x), vma_display_name(y));
	} else if (s->key != MAP_SORT_ADDR) {
		uint64_t vx = 0, vy = 0;
		bool kx = map_value(x, (enum map_col)(s->key - 1), &vx), ky = map_value(y, (enum map_col)(s->key - 1), &vy);

		if (kx != ky)
			return kx ? -1 : 1;
		c = vx > vy ? -1 : vx < vy ? 1 : 0;
	}
	if (s->reverse)
		c = -c;
	if (!c)
		c = (x->start > y->start) - (x->start < y->start);
	return s->key == MAP_SORT_ADDR && s->reverse ? -c : c;
}

/* Narrow terminals drop SWAP, then SIZE, then RSS (never the sort column), so NAME keeps MAP_MIN_NAME columns. */
#define MAP_MIN_NAME 24
static const enum map_col map_drop[] = { MAP_SWAP, MAP_SIZE, MAP_RSS };

static void map_layout(const struct top_state *st, bool shown[MAP_NCOLS])
{
	int need = MAP_ADDR_W + 1 + 5 + MAP_NCOLS * (MAP_NUM_W + 1) + MAP_MIN_NAME;

	for (int c = 0; c < MAP_NCOLS; c++)
		shown[c] = true;
	for (size_t k = 0; k < ARRAY_SIZE(map_drop) && need > COLS; k++) {
		if ((int)map_drop[k] + 1 == st->map_sort)
			continue;
		shown[map_drop[k]] = false;
		need -= MAP_NUM_W + 1;
	}
}

void top_map_sort_step(struct top_state *st, int dir)
{
	st->map_sort = (st->map_sort + dir + MAP_NSORT) % MAP_NSORT;
}

bool top_in_map(const struct top_state *st)
{
	return st->screen == SCREEN_MAP || (st->screen == SCREEN_HELP && st->back == SCREEN_MAP);
}

static const struct proc *map_proc(const struct top_state *st)
{
	return st->have_map ? scan_find(&st->map_scan, st->map_pid) : NULL;
}

size_t top_map_rows(const struct top_state *st)
{
	const struct proc *p = map_proc(st);

	return p ? p->vmas.n : 0;
}

void top_map_open(struct top_state *st, pid_t pid)
{
	top_map_close(st);
	st->map_pid = pid;
	st->map_sel = st->map_first = 0;
	st->map_gone = false;
	st->screen = SCREEN_MAP;
	st->dirty = true;   /* the controller scans it before the next draw */
}

void top_map_close(struct top_state *st)
{
	free(st->map_order);
	st->map_order = NULL;
	if (st->have_map)
		scan_release(&st->map_scan);
	st->have_map = false;
	if (st->screen == SCREEN_MAP)
		st->screen = SCREEN_LIST;
}

/* A count cell: known when the mapping's valid mask has the column's bit. */
static void fmt_map_cell(const struct top_state *st, char *out, size_t len, const struct vma *v,
			 enum map_col c)
{
	uint64_t val;
	bool known = map_value(v, c, &val);

	top_fmt_cell(out, len, known, (double)val, st->human, false);
}

static void draw_vma(struct top_state *st, int y, const struct vma *v, const bool shown[MAP_NCOLS], bool selected)
{
	char line[160], cell[48];
	int x;

	if (selected) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
	}
	snprintf(line, sizeof(line), "%*" PRIx64 " %-4s", MAP_ADDR_W, v->start, v->perms);
	x = top_draw_text(y, 0, COLS, line) + 1;
	for (int c = 0; c < MAP_NCOLS && x < COLS; c++) {
		char padded[64];

		if (!shown[c])
			continue;
		fmt_map_cell(st, cell, sizeof(cell), v, (enum map_col)c);
		snprintf(padded, sizeof(padded), "%*s", MAP_NUM_W, cell);
		x += top_draw_text(y, x, COLS - x, padded) + 1;
	}
	if (x < COLS)
		top_draw_untrusted_tail(st, y, x, COLS - x, vma_display_name(v));
	if (selected)
		attroff(A_REVERSE);
}

/* The process line and its totals line. */
static void draw_map_head(struct top_state *st, const struct proc *p)
{
	char line[256], c[4][32];
	int x;

	snprintf(line, sizeof(line), "mappings of pid %d  ", (int)st->map_pid);
	attron(A_BOLD);
	x = top_draw_fit(1, 0, COLS, line);
	x += top_draw_untrusted(st, 1, x, COLS - x, p ? p->id.comm : "?");
	attroff(A_BOLD);
	if (p && p->id.cmdline && x + 2 < COLS) {
		x += top_draw_text(1, x, COLS - x, "  ");
		top_draw_untrusted_tail(st, 1, x, COLS - x, p->id.cmdline);
	}
	if (!p)
		return;
	top_fmt_cell(c[0], sizeof(c[0]), (p->counts.valid & CNT_RSS) != 0, (double)p->counts.rss_bytes, st->human, false);
	top_fmt_cell(c[1], sizeof(c[1]), (p->counts.valid & CNT_PSS) != 0, (double)pss_bytes(p->counts.pss), st->human, false);
	top_fmt_cell(c[2], sizeof(c[2]), (p->counts.valid & CNT_USS) != 0, (double)p->counts.uss_bytes, st->human, false);
	top_fmt_cell(c[3], sizeof(c[3]), (p->counts.valid & CNT_SWAP) != 0, (double)p->counts.swap_bytes, st->human, false);
	snprintf(line, sizeof(line), "%zu mappings   total rss %s  pss %s  uss %s  swap %s   mode %s",
		 p->vmas.n, c[0], c[1], c[2], c[3], scan_mode_names[st->map_scan.mode]);
	top_draw_fit(2, 0, COLS, line);
}

/* A column title with the sort mark when the mappings sort by it. */
static void map_title(const struct top_state *st, char *out, size_t len, const char *title, int key, int w)
{
	const char *mark = st->map_sort != key ? "" : st->map_reverse ? (st->utf8 ? "▲" : "^") : (st->utf8 ? "▼" : "v");
	int pad = w - (int)strlen(title) - (*mark ? 1 : 0);

	if (w)
		snprintf(out, len, "%*s%s%s ", pad > 0 ? pad : 0, "", title, mark);
	else
		snprintf(out, len, "%s%s", title, mark);
}

static void draw_map_titles(struct top_state *st, const bool shown[MAP_NCOLS])
{
	char line[64];
	int x;

	attron(A_REVERSE);
	mvhline(MAP_HEADER - 1, 0, ' ', COLS);
	map_title(st, line, sizeof(line), "ADDRESS", MAP_SORT_ADDR, MAP_ADDR_W);
	x = top_draw_text(MAP_HEADER - 1, 0, COLS, line);
	x += top_draw_text(MAP_HEADER - 1, x, COLS - x, "PERM ");
	for (int c = 0; c < MAP_NCOLS && x < COLS; c++) {
		if (!shown[c])
			continue;
		map_title(st, line, sizeof(line), map_cols[c].title, c + 1, MAP_NUM_W);
		x += top_draw_text(MAP_HEADER - 1, x, COLS - x, line);
	}
	if (x < COLS) {
		map_title(st, line, sizeof(line), "NAME", MAP_SORT_NAME, 0);
		top_draw_text(MAP_HEADER - 1, x, COLS - x, line);
	}
	attroff(A_REVERSE);
}

/* The mappings in the order shown. */
static void map_order(struct top_state *st, const struct proc *p)
{
	struct map_sort_ctx ctx = { p->vmas.v, st->map_sort, st->map_reverse };

	st->map_order = xrealloc(st->map_order, (p->vmas.n + 1) * sizeof(*st->map_order));
	for (size_t i = 0; i < p->vmas.n; i++)
		st->map_order[i] = i;
	qsort_r(st->map_order, p->vmas.n, sizeof(*st->map_order), map_cmp, &ctx);
}

void top_map_draw(struct top_state *st)
{
	const struct proc *p = map_proc(st);
	int h = LINES - MAP_HEADER - 1;
	bool shown[MAP_NCOLS];

	map_layout(st, shown);
	draw_map_head(st, p);
	if (st->map_gone) {
		attron(A_BOLD);
		top_draw_fit(3, 0, COLS, p ? "the process has exited or cannot be read: last mappings shown" :
			      "the process has exited");
		attroff(A_BOLD);
	}
	draw_map_titles(st, shown);
	if (!p)
		return;
	if (h < 1)
		h = 1;
	if (st->map_sel >= p->vmas.n)
		st->map_sel = p->vmas.n ? p->vmas.n - 1 : 0;
	if (st->map_sel < st->map_first)
		st->map_first = st->map_sel;
	if (st->map_sel >= st->map_first + (size_t)h)
		st->map_first = st->map_sel - (size_t)h + 1;
	map_order(st, p);
	for (int i = 0; i < h && st->map_first + (size_t)i < p->vmas.n; i++) {
		size_t vi = st->map_first + (size_t)i;

		draw_vma(st, MAP_HEADER + i, &p->vmas.v[st->map_order[vi]], shown, vi == st->map_sel);
	}
}
