/*
 * cmd_capture.c: `truemem capture -o PATH`, a page-level snapshot of the
 * whole live system (SPEC section 4), as one compressed file, or with
 * --dir as a directory. The snapshot is written by the same scan `ps`
 * runs, over a recording of the live source (source_record.h): every
 * byte the scan reads is also written, so `--from DIR` replays exactly
 * what this scan saw.
 */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "census.h"
#include "cgroup.h"
#include "cli.h"
#include "snapshot.h"
#include "source_record.h"

/*
 * What the scan does not read but a replay's commands want: /proc/vmstat
 * and the census (exact mode), and the memory cgroups where a controller
 * is. Reading them through the recording records them.
 */
static int capture_extra(struct source *rec, const struct scan *sc, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	struct census c;
	struct cgroup_tree t;
	int rc = 0;

	if (sc->mode == MODE_EXACT) {
		rc = source_read_top(rec, "vmstat", &b, err);
		buf_release(&b);
		if (rc < 0 || (rc = census_read(rec, CENSUS_MEMCG, &c, err)) < 0)
			return rc;
		census_release(&c);
	}
	rc = cgroup_read(rec, cgroup_root_charge(&sc->meminfo), &t, err);
	if (rc == -ENOENT)
		return 0;   /* no memory controller: nothing to record */
	if (rc == 0)
		cgroup_tree_release(&t);
	return rc;
}

int cmd_capture(const struct cli_opts *o)
{
	struct source src, rec;
	struct snap_writer *w;
	struct scan_opts so = { .mode = o->mode };
	struct scan sc;
	struct tm_error err = { "" };
	struct timespec now;
	bool exact;
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
	exact = o->mode != MODE_ROLLUP && src.exact_ok;
	w = (o->dir ? snapw_open : snapw_open_file)(o->output, src.page_size, exact ? "exact" : "rollup", now,
						     src.host, &err);
	if (!w) {
		cli_error("%s", err.msg);
		source_close(&src);
		return 1;
	}
	source_record_open(&rec, &src, w, exact);
	if (scan_run(&rec, &so, &sc, &err) < 0) {
		cli_error("%s", err.msg);
		goto fail;
	}
	cli_note_mode(o, &sc);
	if (capture_extra(&rec, &sc, &err) < 0) {
		cli_error("%s", err.msg);
		scan_release(&sc);
		goto fail;
	}
	source_close(&rec);
	rc = snapw_close(w, &err);
	if (rc < 0)
		cli_error("%s", err.msg);
	else
		fprintf(stderr, "truemem: captured %zu processes (%s mode) in '%s'\n", sc.n,
			scan_mode_names[sc.mode], o->output);
	scan_release(&sc);
	source_close(&src);
	return rc < 0 ? 1 : 0;
fail:
	source_close(&rec);
	snapw_abort(w);
	source_close(&src);
	return 1;
}
