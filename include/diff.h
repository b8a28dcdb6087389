/*
 * diff.h: what changed between two snapshots A and B (SPEC section 2.5).
 *
 * Processes are matched by pid and start time (a reused pid is a new
 * process; when either snapshot lacks start times, by pid and comm). For
 * each: B - A of rss, pss, uss, swap and swap_pss, and cow_broken, the
 * bytes of virtual pages that in A mapped a frame with mapcount > 1 and in
 * B map a frame with mapcount 1 (the zero page and frames without a struct
 * page are neither). Groups are matched by key, census classes by name,
 * cgroups by path (when both snapshots have them).
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

/* The columns of a cgroup's change (diff_cgroup.c); diff_cgroup_keys names them as JSON does. */
enum diff_cg_field { DCG_CHARGED, DCG_SWAP_CHARGED, DCG_KERNEL, DCG_MAPPED_INSIDE, DCG_MAPPED_OUTSIDE_ONLY,
		     DCG_UNMAPPED_FILE, DCG_UNMAPPED_SHMEM, DCG_UNMAPPED_ANON, DCG_UNEXPLAINED,
		     DCG_MAPPED_FROM_ELSEWHERE, DCG_PROCS, DCG_RSS, DCG_PSS, DCG_USS, DCG_FREES, DCG_COUNT };
extern const char *const diff_cgroup_keys[DCG_COUNT];

struct cgroup_row;
struct diff_cgroup {
	const char *path;          /* borrowed from the row */
	const struct cgroup_row *a, *b;   /* NULL: gone (b) or new (a) */
	enum diff_status status;
	unsigned known;            /* bit f: d[f] is known (both sides tell it; a missing side is zero) */
	int64_t d[DCG_COUNT];      /* B - A, bytes (DCG_PROCS: processes) */
};

struct diff_cgside;

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
	bool cgroups;              /* both snapshots hold cgroups */
	int cg_version_a, cg_version_b;
	struct diff_cgroup *cg;    /* sorted by the size of the charged change, largest first */
	size_t ncg;
	struct diff_cgside *cga, *cgb;
};

/*
 * Compares scans a (of source sa) and b (of sb), both run with
 * SCAN_KEEP_VMAS; the pagemaps are read again for cow_broken. Returns 0,
 * or -1 with err set (a damaged snapshot).
 */
int diff_build(struct source *sa, const struct scan *a, struct source *sb, const struct scan *b, struct diff *out,
	       struct tm_error *err);
void diff_release(struct diff *d);

/*
 * The cgroups part of d (d->cg), when both snapshots hold the "cgroups"
 * member: each side's rows as `truemem cgroup --from` builds them in mode,
 * matched by path. Returns 0 (also when a side has none), or -1 with err
 * set. diff_cgroups_release frees it (diff_release calls it).
 */
int diff_cgroups(struct source *sa, struct source *sb, enum scan_mode mode, struct diff *d, struct tm_error *err);
void diff_cgroups_release(struct diff *d);

/* Pairs A's and B's elements by the string at key_off in each (src/aggregate/diff.c). */
void diff_pair_by_key(const void *a, size_t na, const void *b, size_t nb, size_t size, size_t key_off,
		      void (*pair)(void *ctx, const void *x, const void *y), void *ctx);

#endif
