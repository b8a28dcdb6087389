/*
 * cmd_sys.c: `truemem sys`, /proc/meminfo reconciled with what processes
 * map (smem -w, free).
 */
#include <stdio.h>

#include "cli.h"
#include "report.h"
#include "view.h"

int cmd_sys(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct sys_report r;
	int rc;

	if ((rc = cli_no_args(o)) != 0)
		return rc;
	if ((rc = cli_scan(o, 0, &src, &sc)) != 0)
		return rc;
	sys_report_build(&sc, &r);
	if (o->format == OUT_JSON)
		rc = json_write_sys(stdout, &sc, &r, false) < 0;
	else {
		cli_status(o, &sc, "%zu process%s", sc.n, sc.n == 1 ? "" : "es");
		sys_text_write(stdout, &sc, &r, !o->bytes);
	}
	scan_release(&sc);
	source_close(&src);
	return rc;
}
