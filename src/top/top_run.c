/*
 * top_run.c: the controller's main loop of `truemem top`: each turn brings
 * the CPU budget up to date, refreshes what is due (top_sched.c), has the
 * view draw, waits for a key or the next refresh and hands the key to the
 * view's key table. Signals (SIGINT, SIGTERM, SIGHUP) end the loop; the
 * terminal is the view's (top_term.c).
 */
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "top.h"

static volatile sig_atomic_t top_stop;

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

static void on_signal(int sig)
{
	top_stop = sig;
}

static void state_init(struct top_state *st, const struct top_config *cfg, struct source *src)
{
	memset(st, 0, sizeof(*st));
	st->cfg = *cfg;
	st->src = src;
	st->live = cfg->from == NULL;
	st->exact_ok = src->exact_ok;
	st->exact_why = src->exact_why;
	st->mode = cfg->mode;
	st->group_by = cfg->group_by;
	st->tree = cfg->tree;
	st->sort = (enum top_col)cfg->sort;
	st->reverse = cfg->reverse;
	st->interval = cfg->interval;
	st->human = cfg->human;
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
	free(st->row_t);
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
	if (st->cfg.count >= 0 && st->refreshes >= (unsigned long)st->cfg.count) {
		top_draw(st);
		st->quit = true;
		return;
	}
	top_draw(st);
	turn_note(st, *t0);
	ch = top_term_key(st, top_sched_wait_ms(st));
	*t0 = top_now();
	if (ch == TOP_NO_KEY)
		return;
	turn_after_key = true;
	st->msg[0] = '\0';
	if (!top_key(st, ch))
		snprintf(st->msg, sizeof(st->msg), "unbound key; press ? for help");
}

int top_run(const struct top_config *cfg, struct source *src)
{
	struct top_state st;
	struct sigaction sa;
	char why[256];

	setlocale(LC_ALL, "");
	state_init(&st, cfg, src);
	if (!top_term_start(&st, why, sizeof(why))) {
		cli_error("%s", why);
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
	top_term_stop();
	state_release(&st);
	if (turn_log)
		fclose(turn_log);
	turn_log = NULL;
	/* Interrupting an interactive view is a normal way out of it (as q is): exit status 0. */
	return 0;
}
