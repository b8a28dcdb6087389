/*
 * cmd_sys.c: `truemem sys`, /proc/meminfo reconciled with what processes
 * map (smem -w, free), and in exact mode the physical census (SPEC 2.2).
 */
#include <errno.h>
#include <stdio.h>

#include "census.h"
#include "cli.h"
#include "report.h"
#include "view.h"

/* vmstat's nr_free_pages from the source, UINT64_MAX when it has none. */
static uint64_t read_nr_free_pages(struct source *src)
{
	struct buf b = BUF_INIT;
	uint64_t v = UINT64_MAX;

	if (source_read_top(src, "vmstat", &b, NULL) == 0)
		v = vmstat_nr_free_pages(b.buf, b.len);
	buf_release(&b);
	return v;
}

int cmd_sys(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct sys_report r;
	struct census census = { 0 };
	struct tm_error err = { "" };
	int rc;

	if ((rc = cli_no_args(o)) != 0)
		return rc;
	if ((rc = cli_scan(o, 0, &src, &sc)) != 0)
		return rc;
	sys_report_build(&sc, &r);
	if (sc.mode != MODE_EXACT) {
		r.census_note = "rollup mode: meminfo only (the census reads every frame, in exact mode)";
	} else if ((rc = census_read(&src, 0, &census, &err)) == 0) {
		sys_report_add_census(&r, &sc, &census, read_nr_free_pages(&src));
	} else if (rc == -ENOENT && source_stored(&src)) {
		r.census_note = err.msg;
	} else {
		cli_error("%s", err.msg);
		scan_release(&sc);
		source_close(&src);
		return 1;
	}
	if (o->format == OUT_JSON)
		rc = json_write_sys(stdout, &sc, &r, false) < 0;
	else {
		cli_status(o, &sc, "%zu process%s", sc.n, sc.n == 1 ? "" : "es");
		sys_text_write(stdout, &sc, &r, !o->bytes);
	}
	census_release(&census);
	scan_release(&sc);
	source_close(&src);
	return rc;
}
