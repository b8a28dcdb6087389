/*
 * top_draw.c: drawing `truemem top` with ncurses: the header (memory bar,
 * swap, mode, scan cost), the process or group table with the sort column
 * marked, the status line, the help screen and the sort menu.
 *
 * Every name from a process (comm, cmdline, user, group keys) goes through
 * escape_untrusted() and then top_draw_text(), which measures display width
 * with wcwidth() and clips, so no byte a process chose reaches the terminal
 * raw and no line ever wraps. Narrow terminals drop columns by the
 * drop_rank of top_columns[] (highest first: the growth columns, SWAP,
 * FREES, USER, then RSS; never the sort column), so at 80 columns PID,
 * USS, PSS, RSS and COMMAND show; the command column takes what is left,
 * and a command line too long for it keeps its tail. Header lines are cut
 * between words, never inside one.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "top.h"
#include "view.h"

#define HEADER_LINES 5   /* title, bar, legend, swap/view line, column titles */
#define MIN_COMMAND 24   /* narrowest command column before others are dropped */

enum { PAIR_TITLE = 1, PAIR_ANON, PAIR_FILE, PAIR_SHMEM, PAIR_CACHE, PAIR_KERNEL, PAIR_FREE,
       PAIR_HEAD, PAIR_SORT, PAIR_UP, PAIR_DOWN, PAIR_DIM, PAIR_MSG };

static const struct { short fg, bg; } pair_colors[] = {
	[PAIR_TITLE] = { COLOR_CYAN, -1 },    [PAIR_ANON] = { COLOR_GREEN, -1 },
	[PAIR_FILE] = { COLOR_BLUE, -1 },     [PAIR_SHMEM] = { COLOR_MAGENTA, -1 },
	[PAIR_CACHE] = { COLOR_YELLOW, -1 },  [PAIR_KERNEL] = { COLOR_RED, -1 },
	[PAIR_FREE] = { COLOR_WHITE, -1 },    [PAIR_HEAD] = { COLOR_BLACK, COLOR_GREEN },
	[PAIR_SORT] = { COLOR_BLACK, COLOR_CYAN }, [PAIR_UP] = { COLOR_RED, -1 },
	[PAIR_DOWN] = { COLOR_GREEN, -1 },    [PAIR_DIM] = { COLOR_CYAN, -1 },
	[PAIR_MSG] = { COLOR_YELLOW, -1 },
};

/* Each bar segment: its colour pair and, without colour, the letter that draws it. */
static const struct { int pair; char mono; } seg_style[SEG_COUNT] = {
	[SEG_ANON] = { PAIR_ANON, 'a' },   [SEG_FILE] = { PAIR_FILE, 'f' },
	[SEG_SHMEM] = { PAIR_SHMEM, 's' }, [SEG_CACHE] = { PAIR_CACHE, 'c' },
	[SEG_KERNEL] = { PAIR_KERNEL, 'k' }, [SEG_FREE] = { PAIR_FREE, ' ' },
};

static bool use_color;

void top_draw_init_colors(struct top_state *st)
{
	use_color = st->color;
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	for (short p = 1; p < (short)ARRAY_SIZE(pair_colors); p++)
		init_pair(p, pair_colors[p].fg, pair_colors[p].bg);
}

/* The attribute of a colour pair, or fallback without colour. */
static attr_t attr_of(int pair, attr_t fallback)
{
	return use_color ? (attr_t)COLOR_PAIR(pair) : fallback;
}

int top_table_height(void)
{
	int h = LINES - HEADER_LINES - 1;

	return h < 1 ? 1 : h;
}

/*
 * Draws UTF-8 text at (y, x), at most maxw display columns. Anything the
 * locale cannot decode or that has no width is drawn as '?'. Returns the
 * columns used.
 */
int top_draw_text(int y, int x, int maxw, const char *s)
{
	mbstate_t ps;
	int used = 0;
	size_t n = strlen(s);

	memset(&ps, 0, sizeof(ps));
	move(y, x);
	while (n && used < maxw) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s, n, &ps);
		int w;

		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			memset(&ps, 0, sizeof(ps));
			wc = L'?';
			k = 1;
		}
		w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (used + w > maxw)
			break;
		addnwstr(&wc, 1);
		used += w;
		s += k;
		n -= k;
	}
	return used;
}

/* Draws untrusted text escaped (view.h), clipped to maxw columns. */
int top_draw_untrusted(struct top_state *st, int y, int x, int maxw, const char *s)
{
	st->buf.len = 0;
	escape_untrusted(&st->buf, s ? s : "", (size_t)(maxw > 0 ? maxw : 1));
	buf_add(&st->buf, "", 0);
	return top_draw_text(y, x, maxw, st->buf.buf ? st->buf.buf : "");
}

/*
 * The display columns of the next character of s (n bytes left), an
 * undecodable byte counting one as top_draw_text draws it; sets *k to the
 * character's length in bytes.
 */
static int char_cols(const char *s, size_t n, mbstate_t *ps, size_t *k)
{
	wchar_t wc;
	int w;

	*k = mbrtowc(&wc, s, n, ps);
	if (*k == (size_t)-1 || *k == (size_t)-2 || *k == 0) {
		memset(ps, 0, sizeof(*ps));
		*k = 1;
		return 1;
	}
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

/* Display columns of UTF-8 text. */
static int display_cols(const char *s)
{
	mbstate_t ps;
	size_t n = strlen(s), k;
	int cols = 0;

	memset(&ps, 0, sizeof(ps));
	for (; n; s += k, n -= k)
		cols += char_cols(s, n, &ps, &k);
	return cols;
}

/*
 * Skips whole characters of s until what is left takes at most cols
 * display columns, in one pass (a command line can be megabytes long).
 */
static const char *tail_of(const char *s, int cols)
{
	mbstate_t ps;
	size_t n = strlen(s), k;
	int left = display_cols(s);

	memset(&ps, 0, sizeof(ps));
	for (; n && left > cols; s += k, n -= k)
		left -= char_cols(s, n, &ps, &k);
	return s;
}

int top_draw_untrusted_tail(struct top_state *st, int y, int x, int maxw, const char *s)
{
	const char *text, *ell = st->utf8 ? "…" : "<";

	if (maxw <= 0)
		return 0;
	st->buf.len = 0;
	escape_untrusted(&st->buf, s ? s : "", 0);
	buf_add(&st->buf, "", 0);
	text = st->buf.buf ? st->buf.buf : "";
	if (display_cols(text) <= maxw || maxw < 2)
		return top_draw_text(y, x, maxw, text);
	top_draw_text(y, x, 1, ell);
	return 1 + top_draw_text(y, x + 1, maxw - 1, tail_of(text, maxw - 1));
}

/*
 * The longest prefix of s, cut before a space, that takes at most maxw
 * columns: cut only between fields (two spaces) when s has fields, else
 * between words. Returns its length in bytes, 0 when none fits.
 */
static size_t fit_prefix(const char *s, int maxw, bool words)
{
	char part[1024];
	size_t lead = strspn(s, " "), cut = 0;
	bool fields = !words && strstr(s + lead, "  ") != NULL;

	for (size_t i = lead; s[i] && i < sizeof(part) - 1; i++) {
		if (s[i] != ' ' || s[i - 1] == ' ' || (fields && s[i + 1] != ' '))
			continue;
		memcpy(part, s, i);
		part[i] = '\0';
		if (display_cols(part) > maxw)
			break;
		cut = i;
	}
	return cut;
}

int top_draw_fit(int y, int x, int maxw, const char *s)
{
	char part[1024];
	size_t cut;

	if (maxw <= 0)
		return 0;
	if (display_cols(s) <= maxw)
		return top_draw_text(y, x, maxw, s);
	if (!(cut = fit_prefix(s, maxw, false)))
		return 0;
	memcpy(part, s, cut);
	part[cut] = '\0';
	return top_draw_text(y, x, maxw, part);
}

int top_draw_untrusted_fit(struct top_state *st, int y, int x, int maxw, const char *s)
{
	st->buf.len = 0;
	escape_untrusted(&st->buf, s ? s : "", 0);
	buf_add(&st->buf, "", 0);
	return top_draw_fit(y, x, maxw, st->buf.buf ? st->buf.buf : "");
}

void top_fmt_cell(char *out, size_t len, bool known, double bytes, bool human, bool signed_rate)
{
	char num[48];
	double mag = bytes < 0 ? -bytes : bytes;

	if (!known) {
		snprintf(out, len, "-");
		return;
	}
	fmt_bytes(num, sizeof(num), (uint64_t)(mag + 0.5), human);
	if (signed_rate && (uint64_t)(mag + 0.5) != 0)
		snprintf(out, len, "%c%s", bytes < 0 ? '-' : '+', num);
	else
		snprintf(out, len, "%s", num);
}

static const char *col_title(const struct top_state *st, enum top_col c)
{
	if (c == TOP_PID && st->group_by != GROUP_NONE && st->scan.ngroups)
		return "PROCS";
	if (c == TOP_COMMAND && st->group_by != GROUP_NONE && st->scan.ngroups)
		return group_by_names[st->group_by];
	return st->utf8 ? top_columns[c].title : top_columns[c].title_ascii;
}

static int col_width(enum top_col c)
{
	int pc = top_columns[c].ps_col;

	if (c == TOP_DUSS || c == TOP_DPSS)
		return 11;
	if (top_columns[c].on_demand)   /* always the sort column: room for the mark */
		return ps_columns[pc].width + 1;
	return pc >= 0 ? ps_columns[pc].width : 10;
}

/*
 * Which columns fit in cols: drops the highest drop_rank first. Group rows
 * have no user of their own (a user grouping names it in the key column);
 * an on-demand column shows only while it is the sort column.
 */
static void layout(const struct top_state *st, bool shown[TOP_NCOLS], int cols)
{
	int need = MIN_COMMAND;

	for (int c = 0; c < TOP_NCOLS; c++) {
		shown[c] = !(c == TOP_USER && st->group_by != GROUP_NONE && st->scan.ngroups) &&
			   (!top_columns[c].on_demand || c == (int)st->sort);
		if (c != TOP_COMMAND && shown[c])
			need += col_width((enum top_col)c) + 1;
	}
	while (need > cols) {
		int worst = -1;

		for (int c = 0; c < TOP_NCOLS; c++)
			if (shown[c] && top_columns[c].drop_rank && c != (int)st->sort &&
			    (worst < 0 || top_columns[c].drop_rank > top_columns[worst].drop_rank))
				worst = c;
		if (worst < 0)
			break;
		shown[worst] = false;
		need -= col_width((enum top_col)worst) + 1;
	}
}

/* What the refresh schedule is doing, for the title line. */
static void title_schedule(const struct top_state *st, char *line, size_t len)
{
	double eta = top_sched_full_eta(st), age = top_now() - st->last_full;

	if (!st->live)
		snprintf(line, len, "  snapshot %s", st->cfg.from);
	else if (st->paused)
		snprintf(line, len, "  PAUSED");
	else if (!st->have_scan)
		line[0] = '\0';
	else if (top_scan_running(st))
		snprintf(line, len, "  %s scan running; rows on screen every %.1f s", scan_mode_names[st->mode],
			 st->interval);
	else if (st->have_scan && st->scan.mode != st->mode)
		snprintf(line, len, "  %s scan in ~%.0f s (CPU budget); rows on screen every %.1f s",
			 scan_mode_names[st->mode], eta, st->interval);
	else if (age > st->interval * 1.5 + 0.5)
		snprintf(line, len, "  full scan %.0f s ago, next in ~%.0f s; rows on screen every %.1f s",
			 age, eta, st->interval);
	else
		snprintf(line, len, "  every %.1f s", st->interval);
}

static void draw_title(struct top_state *st)
{
	char line[512], when[32] = "";
	struct tm tm;
	time_t t = st->scan.time.tv_sec;
	int x;

	if (st->have_scan && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (top_in_cgroup(st)) {
		top_cgroup_title(st, line, sizeof(line));
		attron(attr_of(PAIR_TITLE, A_BOLD));
		top_draw_fit(0, 0, COLS, line);
		attroff(attr_of(PAIR_TITLE, A_BOLD));
		return;
	}
	if (!st->have_scan)
		snprintf(line, sizeof(line), "truemem top  first %s scan running...", scan_mode_names[st->mode]);
	else if (st->live)
		/* How old the figures on screen are: from the start of the (re)scan that made the oldest. */
		snprintf(line, sizeof(line), "truemem top  %s  %zu processes  mode %s, %.0f s old  scan %.0f ms",
			 when, st->scan.n, scan_mode_names[st->scan.mode], top_sched_figures_age(st),
			 st->scan.cost_ms);
	else
		snprintf(line, sizeof(line), "truemem top  %s  %zu processes  mode %s  scan %.0f ms", when,
			 st->scan.n, scan_mode_names[st->scan.mode], st->scan.cost_ms);
	attron(attr_of(PAIR_TITLE, A_BOLD));
	x = top_draw_fit(0, 0, COLS, line);
	attroff(attr_of(PAIR_TITLE, A_BOLD));
	/* The schedule shows whole, or its part before the ';', or not at all. */
	title_schedule(st, line, sizeof(line));
	if (x < COLS && display_cols(line) > COLS - x && strchr(line, ';'))
		*strchr(line, ';') = '\0';
	if (x < COLS && display_cols(line) <= COLS - x)
		top_draw_text(0, x, COLS - x, line);
}

/* The bar: one character per share of MemTotal, each segment in its colour. */
static void draw_bar(struct top_state *st)
{
	const struct top_meter *m = &st->meter;
	int w = COLS - 6, x = 5;
	char total[32];
	double acc = 0;

	mvaddstr(1, 0, "Mem[");
	fmt_bytes(total, sizeof(total), m->total, true);
	w -= (int)strlen(total) + 1;
	if (w < 4 || !m->total) {
		top_draw_text(1, 4, COLS - 4, m->ok ? "]" : "meminfo unavailable]");
		return;
	}
	for (int s = 0, drawn = 0; s < SEG_COUNT; s++) {
		int upto;

		acc += (double)m->seg[s];
		upto = (int)((acc / (double)m->total) * w + 0.5);
		if (upto > w)
			upto = w;
		attron(attr_of(seg_style[s].pair, 0));
		for (; drawn < upto; drawn++)
			mvaddch(1, x - 1 + drawn, use_color && s != SEG_FREE ? '|' : (chtype)seg_style[s].mono);
		attroff(attr_of(seg_style[s].pair, 0));
	}
	mvaddch(1, x - 1 + w, ']');
	top_draw_text(1, x + w + 1, COLS - x - w - 1, total);
}

static void draw_legend(struct top_state *st)
{
	const struct top_meter *m = &st->meter;
	int x = 0;

	for (int s = 0; s < SEG_COUNT && x < COLS; s++) {
		char num[32], item[64];

		fmt_bytes(num, sizeof(num), m->seg[s], st->human);
		snprintf(item, sizeof(item), "%s %s  ",
			 s == SEG_ANON && !m->mapped_by_kind ? "mapped" : top_seg_names[s], num);
		if (s == SEG_FILE || s == SEG_SHMEM)
			if (!m->mapped_by_kind)
				continue;
		attron(attr_of(seg_style[s].pair, 0));
		/* An item fits whole or is left out. */
		if (display_cols(item) - 2 > COLS - x)
			break;
		x += top_draw_text(2, x, COLS - x, item);
		attroff(attr_of(seg_style[s].pair, 0));
	}
	if (m->other && x < COLS) {
		char num[32], item[64];

		fmt_bytes(num, sizeof(num), m->other, st->human);
		snprintf(item, sizeof(item), "other %s", num);
		top_draw_fit(2, x, COLS - x, item);
	}
}

static void draw_view_line(struct top_state *st)
{
	const struct top_meter *m = &st->meter;
	char used[32], tot[32], attr[32], line[512];
	int x;

	fmt_bytes(used, sizeof(used), m->swap_used, st->human);
	fmt_bytes(tot, sizeof(tot), m->swap_total, st->human);
	top_fmt_cell(attr, sizeof(attr), m->swap_attributed_ok, (double)m->swap_attributed, st->human, false);
	snprintf(line, sizeof(line), "Swap %s of %s, attributed %s   group %s%s   sort %s%s",
		 used, tot, attr, group_by_names[st->group_by], st->tree ? "  tree" : "",
		 st->utf8 ? top_columns[st->sort].title : top_columns[st->sort].title_ascii,
		 st->reverse ? " (reversed)" : "");
	x = top_draw_fit(3, 0, COLS, line);
	if (st->members && x < COLS) {
		char what[64];

		snprintf(what, sizeof(what), "   processes of %s ", group_by_names[st->members_group_by]);
		x += top_draw_fit(3, x, COLS - x, what);
		x += top_draw_untrusted_fit(st, 3, x, COLS - x, st->members_of);
		if (x < COLS)
			x += top_draw_fit(3, x, COLS - x, " (Esc: back)");
	}
	if (st->filter[0] && x < COLS) {
		x += top_draw_fit(3, x, COLS - x, "   filter: ");
		top_draw_untrusted_fit(st, 3, x, COLS - x, st->filter);
	}
}

/* Display columns of a short UTF-8 title (code points; titles have no wide characters). */
static int text_cols(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void draw_header_row(struct top_state *st, const bool shown[TOP_NCOLS])
{
	int x = 0;

	attron(attr_of(PAIR_HEAD, A_REVERSE));
	mvhline(HEADER_LINES - 1, 0, ' ', COLS);
	for (int c = 0; c < TOP_NCOLS && x < COLS; c++) {
		char cell[64];
		int w = c == TOP_COMMAND ? COLS - x : col_width((enum top_col)c);
		const char *mark = (c == (int)st->sort) ? (st->reverse ? (st->utf8 ? "▲" : "^") :
						     (st->utf8 ? "▼" : "v")) : "";

		if (!shown[c])
			continue;
		if (top_columns[c].numeric) {
			const char *t = col_title(st, (enum top_col)c);
			int pad = w - text_cols(t) - text_cols(mark);

			snprintf(cell, sizeof(cell), "%*s%s%s", pad > 0 ? pad : 0, "", t, mark);
		} else
			snprintf(cell, sizeof(cell), "%s%s", col_title(st, (enum top_col)c), mark);
		/* A title shows whole or not at all. */
		if (display_cols(cell) > COLS - x)
			break;
		if (c == (int)st->sort)
			attron(attr_of(PAIR_SORT, A_BOLD));
		top_draw_text(HEADER_LINES - 1, x, w > COLS - x ? COLS - x : w, cell);
		if (c == (int)st->sort) {
			attroff(attr_of(PAIR_SORT, A_BOLD));
			attron(attr_of(PAIR_HEAD, A_REVERSE));
		}
		x += w + 1;
	}
	attroff(attr_of(PAIR_HEAD, A_REVERSE));
}

/* A numeric cell of row r, right-aligned in w columns. */
static void draw_number(struct top_state *st, int y, int x, int w, const struct top_row *r,
			enum top_col c, bool selected)
{
	char cell[48], num[40];
	double v = 0;
	bool known = top_row_value(r, c, &v);
	bool rate = c == TOP_DUSS || c == TOP_DPSS;
	attr_t a = 0;

	if (c == TOP_PID)
		snprintf(num, sizeof(num), "%.0f", v);
	else
		top_fmt_cell(num, sizeof(num), known, v, st->human, rate);
	snprintf(cell, sizeof(cell), "%*s", w, num);
	if (!selected && rate && known && v != 0)
		a = attr_of(v > 0 ? PAIR_UP : PAIR_DOWN, 0);
	if (c == st->sort)
		a |= A_BOLD;
	attron(a);
	top_draw_text(y, x, w, cell);
	attroff(a);
}

/* The command cell: tree indent, escaped comm, then the escaped command line dimmed. */
static void draw_command(struct top_state *st, int y, int x, int w, const struct top_row *r,
			 bool selected)
{
	const struct proc *p = r->proc;
	int used = 0;

	if (r->group) {
		const struct proc *leader = st->scan.group_by == GROUP_TREE ? scan_find(&st->scan, r->group->leader) : NULL;
		char *label = leader ? xasprintf("%s %s", r->group->key, proc_command(leader)) : NULL;

		/* A tree is labelled as in ps: its leader's pid and command. */
		top_draw_untrusted(st, y, x, w, label ? label : r->group->key);
		free(label);
		return;
	}
	if (r->depth > 0) {
		char indent[64];
		int d = r->depth > 20 ? 20 : r->depth;

		snprintf(indent, sizeof(indent), "%*s%s", 2 * (d - 1), "", "`- ");
		used += top_draw_text(y, x, w, indent);
	}
	used += top_draw_untrusted(st, y, x + used, w - used, p->id.comm);
	if (!p->readable && used + 2 < w) {
		char why[96];

		snprintf(why, sizeof(why), "  (%s)", strerror(-p->err));
		used += top_draw_text(y, x + used, w - used, why);
	}
	if (p->id.cmdline && p->id.cmdline[0] && used + 2 < w) {
		attr_t a = selected ? 0 : attr_of(PAIR_DIM, A_DIM);

		attron(a);
		used += top_draw_text(y, x + used, w - used, "  ");
		top_draw_untrusted_tail(st, y, x + used, w - used, p->id.cmdline);
		attroff(a);
	}
}

static void draw_row(struct top_state *st, int y, const struct top_row *r, const bool shown[TOP_NCOLS],
		     bool selected)
{
	int x = 0;

	if (selected) {
		attron(A_REVERSE);
		mvhline(y, 0, ' ', COLS);
	}
	for (int c = 0; c < TOP_NCOLS && x < COLS; c++) {
		int w = c == TOP_COMMAND ? COLS - x : col_width((enum top_col)c);

		if (!shown[c])
			continue;
		if (w > COLS - x)
			w = COLS - x;
		if (top_columns[c].numeric)
			draw_number(st, y, x, w, r, (enum top_col)c, selected);
		else if (c == TOP_USER)
			top_draw_untrusted(st, y, x, w, r->proc ? r->proc->id.user :
				       st->group_by == GROUP_USER ? r->group->key : "");
		else
			draw_command(st, y, x, w, r, selected);
		x += w + 1;
	}
	if (selected)
		attroff(A_REVERSE);
}

static void draw_table(struct top_state *st)
{
	bool shown[TOP_NCOLS];
	int h = top_table_height();

	layout(st, shown, COLS);
	draw_header_row(st, shown);
	top_clamp_selection(st);
	for (int i = 0; i < h && st->first + (size_t)i < st->nrows; i++) {
		size_t ri = st->first + (size_t)i;

		draw_row(st, HEADER_LINES + i, &st->rows[ri], shown, ri == st->sel);
	}
	if (st->have_scan && st->nrows == 0)
		top_draw_text(HEADER_LINES, 0, COLS, !st->filter_ok ? "the filter is not a valid regular expression" :
			  st->filter[0] ? "no process matches the filter" : "no processes");
}

/* The bottom line: the filter prompt, a notice, or the key hints. */
static void draw_status(struct top_state *st)
{
	int y = LINES - 1, x;

	move(y, 0);
	clrtoeol();
	if (st->editing_filter) {
		x = top_draw_text(y, 0, COLS, "filter regex (Enter keeps, Esc clears): ");
		x += top_draw_untrusted(st, y, x, COLS - x - 1, st->filter);
		curs_set(1);
		move(y, x);
		return;
	}
	if (st->editing_search) {
		x = top_draw_text(y, 0, COLS, "search regex (F3 next, Enter ends): ");
		x += top_draw_untrusted(st, y, x, COLS - x - 1, st->search);
		curs_set(1);
		move(y, x);
		return;
	}
	curs_set(0);
	if (st->msg[0]) {
		attron(attr_of(PAIR_MSG, A_BOLD));
		top_draw_untrusted(st, y, 0, COLS, st->msg);
		attroff(attr_of(PAIR_MSG, A_BOLD));
		return;
	}
	top_draw_fit(y, 0, COLS, st->screen == SCREEN_MAP ? "Esc/q back  < > sort  r reverse  ? help" :
		  st->screen == SCREEN_CGROUP ? "? help  c/Esc processes  < > sort  r reverse  t tree  m mode  q quit" :
		  "? help  / filter  < > sort  g group  t tree  c cgroups  Enter maps  m mode  q quit");
}

/*
 * Draws ASCII text from line y on, wrapped between words at the screen's
 * width, lines after the first indented by indent; returns the next line.
 */
static int draw_wrapped(int y, int indent, const char *s)
{
	for (int x = 0; *s && y < LINES - 1; x = indent) {
		size_t n = strlen(s) <= (size_t)(COLS - x) ? strlen(s) : fit_prefix(s, COLS - x, true);
		char part[1024];

		if (n == 0 || n >= sizeof(part))
			n = (size_t)(COLS - x) < sizeof(part) ? (size_t)(COLS - x) : sizeof(part) - 1;   /* one long word */
		memcpy(part, s, n);
		part[n] = '\0';
		top_draw_text(y++, x, COLS - x, part);
		s += n;
		while (*s == ' ')
			s++;
	}
	return y;
}

static void draw_help(struct top_state *st)
{
	char budget[512];
	char line[256];
	const char *l;
	int y = 0;

	attron(attr_of(PAIR_TITLE, A_BOLD));
	top_draw_text(y++, 0, COLS, "truemem top: keys (any key returns)");
	attroff(attr_of(PAIR_TITLE, A_BOLD));
	y++;
	for (size_t i = st->help_first; y < LINES - 1 && (l = top_help_line(i, line, sizeof(line))); i++)
		y = draw_wrapped(y, 15, l);
	snprintf(budget, sizeof(budget),
		 "CPU budget: top spends at most %.0f%% of one core on average. A full scan (every process, in the "
		 "mode shown) runs only when that budget covers its measured cost, so on a big system it comes "
		 "less often than the refresh interval; the title says how old its figures are and when the next "
		 "is due. In between, the rows on screen are refreshed every interval from their own counters.",
		 TOP_CPU_BUDGET * 100);
	if (y < LINES - 1)
		y = draw_wrapped(y + 1, 0, budget);
	if (y < LINES - 1)
		top_draw_text(++y, 0, COLS, "truemem is read-only: no key sends a signal to a process.");
}

/* Title of sort menu item c: a column of the process table, or of the cgroup view's. */
static const char *menu_title(const struct top_state *st, size_t c)
{
	if (st->back == SCREEN_CGROUP)
		return cgroup_columns[c].title;
	return st->utf8 ? top_columns[c].title : top_columns[c].title_ascii;
}

static void draw_sort_menu(struct top_state *st)
{
	int y = HEADER_LINES;
	bool cg = st->back == SCREEN_CGROUP;
	size_t n = cg ? CGC_COUNT : TOP_NCOLS, cur = cg ? (size_t)st->cg_sort : (size_t)st->sort;

	attron(A_BOLD);
	top_draw_text(y++, 2, COLS - 2, "Sort by (Enter chooses, Esc cancels):");
	attroff(A_BOLD);
	for (size_t c = 0; c < n && y < LINES - 1; c++, y++) {
		char item[64];
		const char *t = menu_title(st, c);
		int pad = 15 - text_cols(t);

		snprintf(item, sizeof(item), "  %s%*s%s", t, pad > 0 ? pad : 0, "", c == cur ? " *" : "");
		if (c == st->sort_menu_sel)
			attron(A_REVERSE);
		mvhline(y, 2, ' ', 22 < COLS - 2 ? 22 : COLS - 2);
		top_draw_text(y, 2, COLS - 2, item);
		if (c == st->sort_menu_sel)
			attroff(A_REVERSE);
	}
}

void top_draw(struct top_state *st)
{
	erase();
	if (st->screen == SCREEN_HELP) {
		draw_help(st);
	} else {
		draw_title(st);
		if (st->screen == SCREEN_MAP) {
			top_map_draw(st);
		} else if (st->screen == SCREEN_CGROUP) {
			draw_bar(st);
			draw_legend(st);
			top_cgroup_draw(st);
		} else {
			draw_bar(st);
			draw_legend(st);
			if (!top_in_cgroup(st))
				draw_view_line(st);
			if (st->screen == SCREEN_SORT)
				draw_sort_menu(st);
			else
				draw_table(st);
		}
	}
	draw_status(st);
	refresh();
}
