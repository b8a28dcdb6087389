/*
 * top.c: the main loop of `truemem top`: terminal setup and restore, the
 * refresh schedule, and the scans behind each refresh. Everything is read
 * through the data pipeline (scan.h, the source's meminfo), never /proc.
 *
 * Cost of leaving it running (issue 5: under 5% of one core at the
 * default 2 s). A refresh is one scan of every process in the mode in
 * effect, then the rows and the header (cheap: sorting a few thousand
 * pointers; ncurses sends only the cells that changed). The scan dominates
 * and grows with the memory mapped, so the schedule is adaptive: each
 * refresh's CPU time (user + system, CLOCK_PROCESS_CPUTIME_ID, so the
 * kernel's page-table walks behind pagemap and smaps_rollup count too) is
 * measured and the next refresh waits
 *
 *     period = max(interval, cpu_ms / TOP_CPU_BUDGET)
 *
 * so refreshes average at most TOP_CPU_BUDGET of one core, whatever the
 * machine: a cheap rollup scan runs every interval, a costly exact walk
 * runs as often as the budget allows (the header shows the scan's cost and
 * the period in effect when it was stretched). Numbers on screen always
 * come from one complete scan in the mode shown: exact and rollup figures
 * are never mixed in one table. The drill-down scans one process only and
 * keeps to the same budget.
 */
#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top.h"
#include "view.h"

#define TOP_CPU_BUDGET 0.03   /* fraction of one core refreshes may use on average */

static volatile sig_atomic_t top_stop;
static SCREEN *top_screen;

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Leaves curses mode; safe to call twice, and from xdie_hook. */
static void top_restore_terminal(void)
{
	if (top_screen && !isendwin()) {
		curs_set(1);
		endwin();
	}
}

static void on_signal(int sig)
{
	top_stop = sig;
}

void top_clamp_selection(struct top_state *st)
{
	int h = top_table_height();

	if (st->nrows == 0) {
		st->sel = st->first = 0;
		return;
	}
	if (st->sel >= st->nrows)
		st->sel = st->nrows - 1;
	if (st->sel < st->first)
		st->first = st->sel;
	if (st->sel >= st->first + (size_t)h)
		st->first = st->sel - (size_t)h + 1;
	if (st->first + (size_t)h > st->nrows)
		st->first = st->nrows > (size_t)h ? st->nrows - (size_t)h : 0;
}

/* Reads meminfo through the source; a failure leaves the bar out, quietly. */
static void read_meminfo(struct top_state *st)
{
	struct tm_error err;

	meminfo_release(&st->meminfo);
	if (source_read_top(&st->src, "meminfo", &st->buf, &err) == 0)
		meminfo_parse(st->buf.buf, st->buf.len, &st->meminfo);
}

/* Scans in the mode asked for; when exact is refused, says why and falls back to rollup. */
static int scan_now(struct top_state *st, struct scan *out)
{
	struct scan_opts so;
	struct tm_error err;

	cli_scan_opts(st->opts, &so);
	so.mode = st->mode;
	so.group_by = st->group_by;
	so.flags = 0;
	if (scan_run(&st->src, &so, out, &err) == 0)
		return 0;
	if (st->mode == MODE_EXACT) {
		snprintf(st->msg, sizeof(st->msg), "exact mode unavailable: %s", err.msg);
		st->mode = so.mode = MODE_ROLLUP;
		if (scan_run(&st->src, &so, out, &err) == 0)
			return 0;
	}
	snprintf(st->msg, sizeof(st->msg), "scan failed: %s", err.msg);
	return -1;
}

void top_refresh(struct top_state *st)
{
	double c0 = cpu_ms(), t0 = top_now();
	struct scan next;

	st->dirty = false;
	if (top_in_map(st)) {
		/* Only the screen on view is scanned: the list catches up on return. */
		top_map_refresh(st);
	} else if (scan_now(st, &next) == 0) {
		top_selection_save(st);
		if (st->have_scan)
			scan_release(&st->scan);
		st->scan = next;
		st->have_scan = true;
		top_growth_update(st, t0);
		read_meminfo(st);
		top_meter_compute(&st->meter, &st->meminfo, &st->scan);
		top_rows_build(st);
	}
	st->refreshes++;
	st->scan_cpu_ms = cpu_ms() - c0;
	st->period = st->interval;
	if (st->scan_cpu_ms / 1e3 / TOP_CPU_BUDGET > st->period)
		st->period = st->scan_cpu_ms / 1e3 / TOP_CPU_BUDGET;
	st->next_scan = t0 + st->period;
}

/* Starts curses on the terminal; returns false (with a message) when it cannot. */
static bool term_start(struct top_state *st)
{
	const char *term = getenv("TERM");

	if (!term || !*term) {
		cli_error("top needs a terminal: TERM is not set");
		return false;
	}
	top_screen = newterm(NULL, stdout, stdin);
	if (!top_screen) {
		cli_error("top cannot drive the terminal '%s'", term);
		return false;
	}
	xdie_hook = top_restore_terminal;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	st->color = !st->opts->no_color && has_colors() && strcmp(term, "dumb") != 0;
	top_draw_init_colors(st);
	return true;
}

static void state_init(struct top_state *st, const struct cli_opts *o)
{
	memset(st, 0, sizeof(*st));
	st->opts = o;
	st->live = o->from == NULL;
	st->mode = o->mode == MODE_ROLLUP ? MODE_ROLLUP : MODE_EXACT;
	st->group_by = o->group_by;
	st->tree = o->tree;
	st->sort = TOP_PSS;
	for (int c = 0; c < TOP_NCOLS; c++)
		if (o->sort_col >= 0 && top_columns[c].ps_col == o->sort_col)
			st->sort = (enum top_col)c;
	st->reverse = o->reverse;
	st->interval = o->interval > 0 ? o->interval : 2.0;
	st->human = !o->bytes;
	st->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	st->screen = st->back = SCREEN_LIST;
}

static void state_release(struct top_state *st)
{
	if (st->have_scan)
		scan_release(&st->scan);
	top_map_close(st);
	top_hist_release(&st->hist);
	meminfo_release(&st->meminfo);
	buf_release(&st->buf);
	free(st->rows);
	free(st->pgrowth);
	free(st->ggrowth);
}

/* Milliseconds getch may wait: until the next refresh, or for good when none is due. */
static int wait_ms(const struct top_state *st)
{
	double left;

	if (st->paused || (!st->live && st->opts->count < 0))
		return -1;
	left = st->next_scan - top_now();
	return left <= 0 ? 0 : (int)(left * 1e3) + 1;
}

/* One turn of the loop: refresh when due, draw, wait for a key or the next refresh. */
static void top_turn(struct top_state *st)
{
	int ch;

	if (st->dirty || (!st->paused && top_now() >= st->next_scan)) {
		if (st->live || st->dirty || !st->have_scan)
			top_refresh(st);
		else {
			/* A snapshot does not change: a refresh is a tick (for -n). */
			st->refreshes++;
			st->next_scan = top_now() + st->interval;
		}
	}
	if (st->opts->count >= 0 && st->refreshes >= (unsigned long)st->opts->count) {
		top_draw(st);
		st->quit = true;
		return;
	}
	top_draw(st);
	timeout(wait_ms(st));
	ch = getch();
	if (ch == ERR)
		return;
	st->msg[0] = '\0';
	if (!top_key(st, ch))
		snprintf(st->msg, sizeof(st->msg), "unbound key; press ? for help");
}

int top_run(const struct cli_opts *o)
{
	struct top_state st;
	struct sigaction sa;

	setlocale(LC_ALL, "");
	state_init(&st, o);
	if (cli_open_source(o, &st.src) != 0)
		return 1;
	if (!st.src.exact_ok && st.mode == MODE_EXACT) {
		if (o->mode == MODE_EXACT) {
			cli_error("exact mode is not possible here: %s", st.src.exact_why);
			source_close(&st.src);
			return 1;
		}
		st.mode = MODE_ROLLUP;
	}
	if (!term_start(&st)) {
		source_close(&st.src);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	st.dirty = true;
	while (!st.quit && !top_stop)
		top_turn(&st);
	top_restore_terminal();
	delscreen(top_screen);
	top_screen = NULL;
	xdie_hook = NULL;
	state_release(&st);
	source_close(&st.src);
	return top_stop == SIGINT || top_stop == SIGTERM || top_stop == SIGHUP ? 128 + top_stop : 0;
}
