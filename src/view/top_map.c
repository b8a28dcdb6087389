/*
 * top_map.c: the drill-down of `truemem top`: Enter on a process shows its
 * mappings, one row per VMA with the numbers of the `map` report (SPEC
 * section 3), scrollable; Esc or q goes back to the list.
 *
 * The data is a scan of that one process with SCAN_KEEP_VMAS, refreshed on
 * the list's schedule (the list's own scan pauses meanwhile, so the screen
 * on view is the one that costs). A process that exits, or stops being
 * readable, while drilled into is not an error: its last mappings stay on
 * screen with a note saying it has gone.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
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

void top_map_refresh(struct top_state *st)
{
	struct scan_opts so;
	struct scan next;
	struct tm_error err;
	const struct proc *p;

	cli_scan_opts(st->opts, &so);
	so.mode = st->mode;
	so.group_by = GROUP_NONE;
	so.pids = &st->map_pid;
	so.npids = 1;
	so.filter = NULL;
	so.flags = SCAN_KEEP_VMAS;
	if (scan_run(&st->src, &so, &next, &err) != 0) {
		st->map_gone = true;
		return;
	}
	p = scan_find(&next, st->map_pid);
	if (!p || !p->readable) {
		/* Gone or no longer readable: keep what was shown, quietly. */
		st->map_gone = true;
		if (!st->have_map) {
			st->map_scan = next;
			st->have_map = true;
		} else {
			scan_release(&next);
		}
		return;
	}
	if (st->have_map)
		scan_release(&st->map_scan);
	st->map_scan = next;
	st->have_map = true;
	st->map_gone = false;
}

void top_map_open(struct top_state *st, pid_t pid)
{
	top_map_close(st);
	st->map_pid = pid;
	st->map_sel = st->map_first = 0;
	st->map_gone = false;
	st->screen = SCREEN_MAP;
	top_map_refresh(st);
}

void top_map_close(struct top_state *st)
{
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
	const struct mem_counts *m = &v->counts;
	bool known = (m->valid & map_cols[c].need) == map_cols[c].need;
	uint64_t val;

	switch (c) {
	case MAP_SIZE: val = v->end - v->start; break;
	case MAP_RSS: val = m->rss_bytes; break;
	case MAP_PSS: val = pss_bytes(m->pss); break;
	case MAP_USS: val = m->uss_bytes; break;
	default: val = m->swap_bytes; break;
	}
	top_fmt_cell(out, len, known, (double)val, st->human, false);
}

static void draw_vma(struct top_state *st, int y, const struct vma *v, bool selected)
{
	char line[160], cell[48];
	int x;

	if (selected) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
	}
	snprintf(line, sizeof(line), "%12" PRIx64 " %-4s", v->start, v->perms);
	x = top_draw_text(y, 0, COLS, line) + 1;
	for (int c = 0; c < MAP_NCOLS && x < COLS; c++) {
		char padded[64];

		fmt_map_cell(st, cell, sizeof(cell), v, (enum map_col)c);
		snprintf(padded, sizeof(padded), "%*s", MAP_NUM_W, cell);
		x += top_draw_text(y, x, COLS - x, padded) + 1;
	}
	if (x < COLS)
		top_draw_untrusted(st, y, x, COLS - x, vma_display_name(v));
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
	x = top_draw_text(1, 0, COLS, line);
	x += top_draw_untrusted(st, 1, x, COLS - x, p ? p->id.comm : "?");
	attroff(A_BOLD);
	if (p && p->id.cmdline && x + 2 < COLS) {
		x += top_draw_text(1, x, COLS - x, "  ");
		top_draw_untrusted(st, 1, x, COLS - x, p->id.cmdline);
	}
	if (!p)
		return;
	top_fmt_cell(c[0], sizeof(c[0]), (p->counts.valid & CNT_RSS) != 0, (double)p->counts.rss_bytes, st->human, false);
	top_fmt_cell(c[1], sizeof(c[1]), (p->counts.valid & CNT_PSS) != 0, (double)pss_bytes(p->counts.pss), st->human, false);
	top_fmt_cell(c[2], sizeof(c[2]), (p->counts.valid & CNT_USS) != 0, (double)p->counts.uss_bytes, st->human, false);
	top_fmt_cell(c[3], sizeof(c[3]), (p->counts.valid & CNT_SWAP) != 0, (double)p->counts.swap_bytes, st->human, false);
	snprintf(line, sizeof(line), "%zu mappings   total rss %s  pss %s  uss %s  swap %s   mode %s",
		 p->vmas.n, c[0], c[1], c[2], c[3], scan_mode_names[st->map_scan.mode]);
	top_draw_text(2, 0, COLS, line);
}

void top_map_draw(struct top_state *st)
{
	const struct proc *p = map_proc(st);
	int h = LINES - MAP_HEADER - 1;
	char line[160];
	int x;

	draw_map_head(st, p);
	if (st->map_gone) {
		attron(A_BOLD);
		top_draw_text(3, 0, COLS, p ? "the process has exited or cannot be read: last mappings shown" :
			      "the process has exited");
		attroff(A_BOLD);
	}
	attron(A_REVERSE);
	mvhline(MAP_HEADER - 1, 0, ' ', COLS);
	x = top_draw_text(MAP_HEADER - 1, 0, COLS, "     ADDRESS PERM ");
	for (int c = 0; c < MAP_NCOLS && x < COLS; c++) {
		snprintf(line, sizeof(line), "%*s ", MAP_NUM_W, map_cols[c].title);
		x += top_draw_text(MAP_HEADER - 1, x, COLS - x, line);
	}
	if (x < COLS)
		top_draw_text(MAP_HEADER - 1, x, COLS - x, "NAME");
	attroff(A_REVERSE);
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
	for (int i = 0; i < h && st->map_first + (size_t)i < p->vmas.n; i++) {
		size_t vi = st->map_first + (size_t)i;

		draw_vma(st, MAP_HEADER + i, &p->vmas.v[vi], vi == st->map_sel);
	}
}
