/*
 * top.c: the main loop of `truemem top`: the terminal (ncurses, restored
 * on every way out: q, -n, a signal, a fatal error through xdie_hook),
 * the loop that draws, waits for a key or the next refresh, and hands keys
 * to the key table. What is scanned when is top_sched.c's business.
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

static volatile sig_atomic_t top_stop;
static SCREEN *top_screen;

double top_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double top_cpu_ms(void)
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

void top_clamp_cursor(size_t *sel, size_t *first, size_t n)
{
	size_t h = (size_t)top_table_height();

	if (n == 0) {
		*sel = *first = 0;
		return;
	}
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < *first)
		*first = *sel;
	if (*sel >= *first + h)
		*first = *sel - h + 1;
	if (*first + h > n)
		*first = n > h ? n - h : 0;
}

void top_clamp_selection(struct top_state *st)
{
	top_clamp_cursor(&st->sel, &st->first, st->nrows);
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
	st->keys = isatty(STDIN_FILENO);
}

static void state_release(struct top_state *st)
{
	top_sched_release(st);
	if (st->have_scan)
		scan_release(&st->scan);
	top_map_close(st);
	top_cgroup_release(st);
	top_members_clear(st);
	top_hist_release(&st->phist);
	top_hist_release(&st->ghist);
	free(st->sig);
	meminfo_release(&st->meminfo);
	buf_release(&st->buf);
	free(st->rows);
	free(st->pgrowth);
	free(st->ggrowth);
}

/*
 * TRUEMEM_TOP_TURNLOG=FILE (tests): one line per turn of the loop, written
 * as it starts to wait: the milliseconds it was busy since the last wait
 * ended, whether a full scan was under way, and whether the turn answered
 * a key (handled it, then drew). A key waits at most one busy turn before
 * it is read, so these bound how long keys take to be answered.
 */
static FILE *turn_log;
static bool turn_after_key;

static void turn_note(const struct top_state *st, double t0)
{
	if (!turn_log)
		return;
	fprintf(turn_log, "%.1f %d %d\n", (top_now() - t0) * 1e3, top_scan_running(st), turn_after_key);
	fflush(turn_log);
	turn_after_key = false;
}

/* One turn of the loop: refresh what is due, draw, wait for a key or the next refresh. */
static void top_turn(struct top_state *st, double *t0)
{
	int ch;

	top_sched_account(st);
	top_sched_run(st);
	if (st->opts->count >= 0 && st->refreshes >= (unsigned long)st->opts->count) {
		top_draw(st);
		st->quit = true;
		return;
	}
	top_draw(st);
	turn_note(st, *t0);
	if (!st->keys) {
		/* No keyboard (stdin is not a terminal): getch would return at once, forever. */
		int ms = top_sched_wait_ms(st);

		napms(ms < 0 || ms > 1000 ? 1000 : ms);
		*t0 = top_now();
		return;
	}
	timeout(top_sched_wait_ms(st));
	ch = getch();
	*t0 = top_now();
	if (ch == ERR)
		return;
	turn_after_key = true;
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
	if (getenv("TRUEMEM_TOP_TURNLOG"))
		turn_log = fopen(getenv("TRUEMEM_TOP_TURNLOG"), "a");
	for (double t0 = top_now(); !st.quit && !top_stop;)
		top_turn(&st, &t0);
	top_restore_terminal();
	delscreen(top_screen);
	top_screen = NULL;
	xdie_hook = NULL;
	state_release(&st);
	source_close(&st.src);
	if (turn_log)
		fclose(turn_log);
	turn_log = NULL;
	/* Interrupting an interactive view is a normal way out of it (as q is): exit status 0. */
	return 0;
}
