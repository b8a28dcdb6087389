/*
 * cgroup_take.c: the `cgroup` report taken from a source (SPEC section
 * 2.3), for `truemem cgroup` and top's cgroup view alike, so both show the
 * same figures for the same moment: the census with its memcg split
 * (/proc/kpageflags, /proc/kpagecgroup), the memory cgroup hierarchy, and
 * the process scans of cgroup_scan, put together by cgroup_report_build.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_take.h"
#include "source.h"
#include "status.h"

const char cgroup_rollup_note[] = "rollup mode: the frame columns need exact mode (the census and /proc/kpagecgroup)";

/* MemTotal - MemFree of the source: the root cgroup's charge (SPEC 2.3). */
static uint64_t root_charge(struct source *s)
{
	struct buf b = BUF_INIT;
	struct meminfo mi = { 0 };
	struct tm_error ignored = { "" };
	uint64_t v = 0;

	if (!source_stored(s) && source_read_top(s, "meminfo", &b, &ignored) == 0 &&
	    meminfo_parse(b.buf, b.len, &mi) == 0)
		v = cgroup_root_charge(&mi);
	meminfo_release(&mi);
	buf_release(&b);
	return v;
}

/*
 * The census with its memcg split, in exact mode; none with ct->note saying
 * why not. Taken before the cgroups are listed: a cgroup removed in between
 * holds frames the listing lacks, the (removed) row. A snapshot without
 * the census is a note; any other failure is an error.
 */
static int take_census(struct source *s, enum scan_mode mode, struct cgroup_take *ct, struct tm_error *err)
{
	int rc;

	ct->note = cgroup_rollup_note;
	if (mode == MODE_ROLLUP || !s->exact_ok)
		return 0;
	if ((rc = census_read(s, CENSUS_MEMCG, &ct->census, err)) == 0) {
		ct->cp = &ct->census;
		ct->note = NULL;
		return 0;
	}
	if (rc == -ENOENT && source_stored(s)) {
		ct->why = *err;
		ct->note = ct->why.msg;
		err->msg[0] = '\0';
		return 0;
	}
	return -1;
}

int cgroup_take_begin(struct source *s, enum scan_mode mode, struct cgroup_take *ct, struct tm_error *err)
{
	memset(ct, 0, sizeof(*ct));
	if (take_census(s, mode, ct, err) < 0)
		return -1;
	if (cgroup_read(s, root_charge(s), &ct->tree, err) < 0)
		return -1;
	ct->in = xcalloc(ct->tree.count + 1, sizeof(*ct->in));
	return 0;
}

int cgroup_take_finish(struct source *s, enum scan_mode mode, const bool *want, const atomic_bool *cancel,
		       struct cgroup_take *ct, struct tm_error *err)
{
	struct scan_opts so = { .mode = mode, .cancel = cancel };
	struct tm_error why = { "" };

	if (cgroup_scan(s, &ct->tree, &so, want, ct->in, &ct->top, &why, err) < 0)
		return -1;
	ct->have_top = true;
	if (ct->top.mode != MODE_EXACT) {
		ct->cp = NULL;
		ct->note = cgroup_rollup_note;
	} else if (ct->cp && why.msg[0]) {
		ct->why = why;
		ct->note = ct->why.msg;
		ct->cp = NULL;
	}
	cgroup_report_build(&ct->tree, ct->cp, ct->in, ct->top.page_size, ct->note, &ct->report);
	ct->have_report = true;
	return 0;
}

void cgroup_take_release(struct cgroup_take *ct)
{
	if (ct->have_report)
		cgroup_report_release(&ct->report);
	if (ct->have_top)
		scan_release(&ct->top);
	if (ct->in)
		cgroup_inputs_release(ct->in, ct->tree.count);
	cgroup_tree_release(&ct->tree);
	census_release(&ct->census);
	memset(ct, 0, sizeof(*ct));
}
