/*
 * cmd_ps.c: `truemem ps [PID|NAME ...]`, the one-shot process report, as
 * text, JSON, or a JSON-lines stream (--jsonl --interval S --count N).
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "view.h"

/* Positional arguments: process ids join -p, names select by command or program name. */
struct ps_select {
	pid_t *pids;
	size_t npids;
	char **names;
	size_t nnames;
};

static int ps_select_parse(const struct cli_opts *o, struct ps_select *sel)
{
	memset(sel, 0, sizeof(*sel));
	sel->pids = xmalloc((o->npids + (size_t)o->nargs + 1) * sizeof(pid_t));
	sel->names = xmalloc(((size_t)o->nargs + 1) * sizeof(char *));
	for (size_t i = 0; i < o->npids; i++)
		sel->pids[sel->npids++] = o->pids[i];
	for (int i = 0; i < o->nargs; i++) {
		const char *a = o->args[i];
		pid_t pid;

		if (a[0] >= '0' && a[0] <= '9') {
			if (!str_to_pid(a, &pid)) {
				cli_error("'%s' is not a process id", a);
				return 2;
			}
			sel->pids[sel->npids++] = pid;
		} else {
			sel->names[sel->nnames++] = o->args[i];
		}
	}
	return 0;
}

/* Reports what was asked for and does not exist. Returns 0 or 1. */
static int ps_missing(const struct scan *sc)
{
	for (size_t i = 0; i < sc->nmissing; i++)
		cli_error("no process with id %d", (int)sc->missing[i]);
	for (size_t i = 0; i < sc->nmissing_names; i++)
		cli_error("no process named '%s'", sc->missing_names[i]);
	return sc->nmissing || sc->nmissing_names ? 1 : 0;
}

/* The rows: every process the scan selected. */
static void ps_rows_pick(const struct scan *sc, struct ps_rows *rows)
{
	rows->p = xmalloc((sc->n + 1) * sizeof(*rows->p));
	rows->n = 0;
	for (size_t i = 0; i < sc->n; i++)
		rows->p[rows->n++] = &sc->procs[i];
}

static int terminal_width(void)
{
	struct winsize ws;

	if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

/* The identity the output shows: text the command line (and parents for a tree), JSON all but the cgroup. */
static unsigned ps_ident(const struct cli_opts *o, enum ps_col col)
{
	if (o->format == OUT_JSON || o->format == OUT_JSONL)
		return IDENT_STAT | IDENT_CMDLINE | IDENT_EXE;
	if (o->format == OUT_PROMETHEUS)
		return IDENT_STAT;
	bool ppid = col == COL_PPID;

	for (const int *c = o->columns; c && *c >= 0 && o->group_by == GROUP_NONE; c++)
		ppid |= *c == COL_PPID;
	return IDENT_CMDLINE | (o->tree || ppid ? IDENT_STAT : 0);
}

/* Whether --sort names one of the fates of SPEC 2.1 (frees, reclaimable, stays, frees_swap), known in exact mode only. */
static bool fates_sort(const struct cli_opts *o)
{
	const unsigned fates = CNT_FATES | CNT_FREES_SWAP;

	if (o->group_by != GROUP_NONE)
		return o->group_sort_col >= 0 && (group_columns[o->group_sort_col].need & fates);
	return o->sort_col >= 0 && (ps_columns[o->sort_col].need & fates);
}

static int ps_once(const struct cli_opts *o, struct source *src, const struct ps_select *sel, bool first)
{
	struct scan_opts so;
	struct scan sc;
	struct ps_rows rows = { NULL, 0 };
	struct tm_error err = { "" };
	enum ps_col col = o->sort_col >= 0 ? (enum ps_col)o->sort_col : COL_PSS;
	int rc = 0;

	cli_scan_opts(o, &so);
	so.pids = sel->pids;
	so.npids = sel->npids;
	so.names = sel->names;
	so.nnames = sel->nnames;
	so.ident = ps_ident(o, col);
	if (scan_run(src, &so, &sc, &err) < 0) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (first)
		cli_note_mode(o, &sc);
	if (sc.mode != MODE_EXACT && fates_sort(o)) {
		cli_error("--sort %s needs exact mode: in rollup mode what killing frees is not known", o->sort_arg);
		scan_release(&sc);
		return 2;
	}
	/* As procps: what exists is shown, what does not is named, and the exit status is 1. */
	rc = ps_missing(&sc);
	if (rc == 0 || sc.n > 0) {
		ps_rows_pick(&sc, &rows);
		ps_sort(rows.p, rows.n, col, o->reverse);
		if (o->format == OUT_PROMETHEUS) {
			if (prom_write_ps(stdout, &sc, &rows) < 0)
				rc = 1;
		} else if (o->format == OUT_JSON || o->format == OUT_JSONL) {
			if (json_write_ps(stdout, &sc, &rows, o->format == OUT_JSONL) < 0)
				rc = 1;
		} else {
			struct ps_text_opts t = { !o->bytes, terminal_width(), o->tree,
						  o->group_sort_col >= 0 ? (enum group_col)o->group_sort_col : GCOL_PSS, o->reverse,
						  o->no_headers, o->no_totals, o->columns };

			if (sc.group_by != GROUP_NONE)
				cli_status(o, &sc, "%zu group%s of %zu process%s", sc.ngroups,
					   sc.ngroups == 1 ? "" : "s", rows.n, rows.n == 1 ? "" : "es");
			else
				cli_status(o, &sc, "%zu process%s", rows.n, rows.n == 1 ? "" : "es");
			ps_text_write(stdout, &sc, &rows, &t);
		}
	}
	free(rows.p);
	scan_release(&sc);
	return rc;
}

static void sleep_seconds(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cmd_ps(const struct cli_opts *o)
{
	struct ps_select sel;
	struct source src;
	int rc;

	if (o->tree && o->group_by != GROUP_TREE) {
		cli_error("--tree goes with --group-by tree");
		return 2;
	}
	if (o->format != OUT_JSONL && (o->interval >= 0 || o->count >= 0)) {
		cli_error("--interval and --count go with --jsonl");
		return 2;
	}
	if ((rc = ps_select_parse(o, &sel)) == 0 && (rc = cli_open_source(o, &src)) == 0) {
		long n = o->format == OUT_JSONL ? o->count : 1;

		for (long i = 0; rc == 0 && (n < 0 || i < n); i++) {
			if (i)
				sleep_seconds(o->interval > 0 ? o->interval : 2.0);
			rc = ps_once(o, &src, &sel, i == 0);
		}
		source_close(&src);
	}
	free(sel.pids);
	free(sel.names);
	return rc;
}
