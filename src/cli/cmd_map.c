/*
 * cmd_map.c: `truemem map PID`, one process's mappings (pmap -x, or -X).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "view.h"

/* Prints process pid's report (or says why not). Returns 0 or 1. */
static int map_one(const struct cli_opts *o, const struct scan *sc, pid_t pid, bool several, bool first)
{
	const struct proc *p = scan_find(sc, pid);

	if (!p) {
		cli_error("no process with id %d", (int)pid);
		return 1;
	}
	if (!p->readable) {
		cli_error("cannot read process %d: %s", (int)pid, p->err == -ESRCH ? "it exited" : strerror(-p->err));
		return 1;
	}
	if (o->format == OUT_JSON)
		return json_write_map(stdout, sc, p, several) < 0;
	{
		struct text_opts t = { !o->bytes, o->no_headers, o->no_totals, 0, o->columns };

		if (several && !first && !o->no_headers)
			fputc('\n', stdout);
		cli_status(o, sc, "%zu mapping%s of process %d", p->vmas.n, p->vmas.n == 1 ? "" : "s", (int)pid);
		map_text_write(stdout, sc, p, &t, o->extended);
	}
	return 0;
}

/*
 * `truemem map PID...`: as pmap, each process in turn (one scan for all);
 * one that does not exist or cannot be read is named on stderr, the others
 * still shown, and the exit status is 1. With --json, several processes
 * give one document per line.
 */
int cmd_map(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct cli_opts some = *o;
	pid_t *pids;
	int rc;

	if (o->nargs < 1) {
		cli_error("usage: truemem map PID... [-X] [--json] [--from DIR] [--mode MODE]");
		return 2;
	}
	pids = xmalloc((size_t)o->nargs * sizeof(*pids));
	for (int i = 0; i < o->nargs; i++)
		if (!str_to_pid(o->args[i], &pids[i])) {
			cli_error("'%s' is not a process id", o->args[i]);
			free(pids);
			return 2;
		}
	some.pids = pids;
	some.npids = (size_t)o->nargs;
	/* -o may name the -X columns, which read smaps. */
	rc = cli_scan(&some, SCAN_KEEP_VMAS | (o->extended || o->columns ? SCAN_SMAPS : 0), &src, &sc);
	if (rc == 0) {
		for (int i = 0; i < o->nargs; i++)
			rc |= map_one(o, &sc, pids[i], o->nargs > 1, i == 0);
		scan_release(&sc);
		source_close(&src);
	}
	free(pids);
	return rc;
}
