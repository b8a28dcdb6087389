/*
 * diff.h: what changed between two snapshots A and B (SPEC section 2.5).
 *
 * Processes are matched by pid and start time (a reused pid is a new
 * process; when either snapshot lacks start times, by pid and comm). For
 * each: B - A of rss, pss, uss, swap and swap_pss, and cow_broken, the
 * bytes of virtual pages that in A mapped a frame with mapcount > 1 and in
 * B map a frame with mapcount 1 (the zero page and frames without a struct
 * page are neither). Groups are matched by key, census classes by name.
 */
#ifndef TRUEMEM_DIFF_H
#define TRUEMEM_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "census.h"
#include "scan.h"

enum diff_status { DIFF_CHANGED, DIFF_NEW, DIFF_GONE };
extern const char *const diff_status_names[];   /* "changed", "new", "gone" */

/* B - A in bytes; valid: the CNT_RSS.. CNT_SWAP_PSS (CNT_SWAP_USS for groups) known on both sides. */
struct diff_delta {
	unsigned valid;
	int64_t rss, pss, uss, swap, swap_pss, swap_uss;
};

struct diff_proc {
	const struct proc *a, *b;  /* NULL: gone (b) or new (a) */
	enum diff_status status;
	struct diff_delta d;
	bool cow_known;            /* both sides read in exact mode */
	uint64_t cow_broken;
};

struct diff_group {
	const struct group *a, *b;
	enum diff_status status;
	struct diff_delta d;
};

struct diff {
	struct diff_proc *p;       /* sorted by the size of the pss change, largest first */
	size_t n;
	struct diff_delta totals;
	uint64_t cow_broken;       /* sum over processes, when every changed one is known */
	bool cow_known;
	struct diff_group *g;      /* with --group-by, sorted as p */
	size_t ng;
	bool census;               /* both snapshots hold a census */
	struct census ca, cb;
};

/*
 * Compares scans a (of source sa) and b (of sb), both run with
 * SCAN_KEEP_VMAS; the pagemaps are read again for cow_broken. Returns 0,
 * or -1 with err set (a damaged snapshot).
 */
int diff_build(struct source *sa, const struct scan *a, struct source *sb, const struct scan *b, struct diff *out,
	       struct tm_error *err);
void diff_release(struct diff *d);

#endif
