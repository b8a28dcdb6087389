/*
 * cgroup_take.h: taking the `cgroup` report (SPEC section 2.3) from a
 * source in one place, for `truemem cgroup` and top's cgroup view: the
 * census with its memcg split (exact mode), the hierarchy, the processes
 * of each subtree, and the rows built from them (cgroup.h).
 *
 * Two steps, so `truemem cgroup` can narrow the rows by the tree it read:
 * cgroup_take_begin reads the census and the tree, cgroup_take_finish
 * scans the processes and builds the report. cgroup_take_release frees
 * whatever was taken, after either step or a failure.
 */
#ifndef TRUEMEM_CGROUP_TAKE_H
#define TRUEMEM_CGROUP_TAKE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "census.h"
#include "cgroup.h"
#include "error.h"
#include "scan.h"

struct cgroup_take {
	struct cgroup_tree tree;
	struct census census;
	const struct census *cp;   /* &census when the frame columns can be known, else NULL */
	struct cgroup_input *in;   /* owned, tree.count + 1 */
	struct scan top;           /* the scan of every process (depth 0) */
	bool have_top;
	struct cgroup_report report;
	bool have_report;
	const char *note;          /* why the frame columns are not known, or NULL */
	struct tm_error why;       /* the text note points into, when it came from a reader */
};

/* The note of the rows in rollup mode (frame columns unknown). */
extern const char cgroup_rollup_note[];

/*
 * Reads the census (exact mode asked and possible) and the tree of s into
 * ct. Returns 0, or -1 with err set (no memory controller, a read failed).
 */
int cgroup_take_begin(struct source *s, enum scan_mode mode, struct cgroup_take *ct, struct tm_error *err);
/*
 * Scans the processes (want: the nodes whose numbers are needed, NULL:
 * all; cancel may be NULL) and builds ct->report. Returns 0, or -1 with
 * err set.
 */
int cgroup_take_finish(struct source *s, enum scan_mode mode, const bool *want, const atomic_bool *cancel,
		       struct cgroup_take *ct, struct tm_error *err);
void cgroup_take_release(struct cgroup_take *ct);

#endif
