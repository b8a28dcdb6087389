/*
 * cmd_lib.c: `truemem lib`, one row per mapped file across all processes
 * (librank, smem -m).
 */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "view.h"

int cmd_lib(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct lib_report r;
	struct winsize ws;
	int rc;

	if ((rc = cli_no_args(o)) != 0)
		return rc;
	if ((rc = cli_scan(o, SCAN_KEEP_VMAS, &src, &sc)) != 0)
		return rc;
	lib_report_build(&sc, &r);
	if (o->format == OUT_JSON)
		rc = json_write_lib(stdout, &sc, &r, false) < 0;
	else {
		struct text_opts t = { !o->bytes, o->no_headers, false,
				       isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0 };

		cli_status(o, &sc, "%zu files mapped by %zu process%s", r.n, sc.n, sc.n == 1 ? "" : "es");
		lib_text_write(stdout, &sc, &r, &t);
	}
	lib_report_release(&r);
	scan_release(&sc);
	source_close(&src);
	return rc;
}
