/*
 * cmd_map.c: `truemem map PID`, one process's mappings (pmap -x, or -X).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "view.h"

int cmd_map(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct cli_opts one = *o;
	const struct proc *p;
	pid_t pid;
	int rc;

	if (o->nargs != 1) {
		cli_error("usage: truemem map PID [-X] [--json] [--from DIR] [--mode MODE]");
		return 2;
	}
	if (!str_to_pid(o->args[0], &pid)) {
		cli_error("'%s' is not a process id", o->args[0]);
		return 2;
	}
	one.pids = &pid;
	one.npids = 1;
	if ((rc = cli_scan(&one, SCAN_KEEP_VMAS | (o->extended ? SCAN_SMAPS : 0), &src, &sc)) != 0)
		return rc;
	p = scan_find(&sc, pid);
	if (!p) {
		cli_error("no process with id %d", (int)pid);
		rc = 1;
	} else if (!p->readable) {
		cli_error("cannot read process %d: %s", (int)pid, p->err == -ESRCH ? "it exited" : strerror(-p->err));
		rc = 1;
	} else if (o->format == OUT_JSON) {
		rc = json_write_map(stdout, &sc, p, false) < 0;
	} else {
		struct text_opts t = { !o->bytes, o->no_headers, o->no_totals, 0 };

		cli_status(o, &sc, "%zu mapping%s of process %d", p->vmas.n, p->vmas.n == 1 ? "" : "s", (int)pid);
		map_text_write(stdout, &sc, p, &t, o->extended);
	}
	scan_release(&sc);
	source_close(&src);
	return rc;
}
