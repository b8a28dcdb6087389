/*
 * cmd_capture.c: `truemem capture -o PATH`, a page-level snapshot of the
 * whole live system (SPEC section 4), as one compressed file, or with
 * --dir as a directory. The snapshot is written by the same
 * scan `ps` runs, with the source recording every byte it reads, so
 * `--from DIR` replays exactly what this scan saw.
 */
#include <stdio.h>
#include <time.h>

#include "census.h"
#include "cgroup.h"
#include "cli.h"
#include "snapshot.h"

int cmd_capture(const struct cli_opts *o)
{
	struct source src;
	struct scan_opts so = { .mode = o->mode, .flags = SCAN_RECORD };
	struct scan sc;
	struct tm_error err = { "" };
	struct timespec now;
	int rc;

	if ((rc = cli_no_args(o)) != 0)
		return rc;
	if (!o->output) {
		cli_error("'capture' needs -o PATH");
		return 2;
	}
	if ((rc = cli_open_source(o, &src)) != 0)
		return rc;
	if (o->mode == MODE_EXACT && !src.exact_ok) {
		cli_error("exact mode is not possible: %s", src.exact_why);
		source_close(&src);
		return 1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	src.rec = (o->dir ? snapw_open : snapw_open_file)(o->output, src.page_size,
							 o->mode != MODE_ROLLUP && src.exact_ok ? "exact" : "rollup",
							 now, src.host, &err);
	if (!src.rec) {
		cli_error("%s", err.msg);
		source_close(&src);
		return 1;
	}
	if (scan_run(&src, &so, &sc, &err) < 0) {
		cli_error("%s", err.msg);
		snapw_abort(src.rec);
		source_close(&src);
		return 1;
	}
	cli_note_mode(o, &sc);
	if ((sc.mode == MODE_EXACT && census_capture(&src, &err) < 0) ||
	    cgroup_capture(&src, cgroup_root_charge(&sc.meminfo), sc.mode == MODE_EXACT, &err) < 0) {
		cli_error("%s", err.msg);
		snapw_abort(src.rec);
		scan_release(&sc);
		source_close(&src);
		return 1;
	}
	rc = snapw_close(src.rec, &err);
	src.rec = NULL;
	if (rc < 0)
		cli_error("%s", err.msg);
	else
		fprintf(stderr, "truemem: captured %zu processes (%s mode) in '%s'\n", sc.n,
			scan_mode_names[sc.mode], o->output);
	scan_release(&sc);
	source_close(&src);
	return rc < 0 ? 1 : 0;
}
