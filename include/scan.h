/*
 * scan.h: one pass over a source: every process's identity and, in exact
 * mode, every populated page-table entry resolved to its frame; the result
 * is plain structs of numbers (SPEC section 2) for the views.
 *
 * The page facts themselves are not kept: they stream through the
 * aggregator (account.h) batch by batch, so memory stays bounded however
 * much the system maps. What must outlive a process's walk is kept compact:
 * the distinct-frame set for totals, swap entries for swap_pss, and, when
 * grouping, the shared frames per group.
 */
#ifndef TRUEMEM_SCAN_H
#define TRUEMEM_SCAN_H

#include <regex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counts.h"
#include "error.h"
#include "ident.h"
#include "mapping.h"
#include "meminfo.h"

struct frame_set;
struct source;

enum scan_mode { MODE_AUTO, MODE_EXACT, MODE_ROLLUP };
extern const char *const scan_mode_names[];   /* "auto", "exact", "rollup" */

enum group_by { GROUP_NONE, GROUP_USER, GROUP_PROGRAM, GROUP_TREE, GROUP_CGROUP, GROUP_COUNT };
extern const char *const group_by_names[GROUP_COUNT];   /* "none", "user", ... */

struct proc {
	struct proc_ident id;
	bool readable;
	int err;                   /* -errno when !readable */
	struct mem_counts counts;
	struct vma_list vmas;      /* kept with SCAN_KEEP_VMAS */
	int group;                 /* index into scan.groups, -1 when not grouping */
	/*
	 * SPEC 2.4: the lowest pid of the scan whose process shares this one's
	 * mm, 0 when none. Such a process shows the mm's numbers, counted in
	 * the totals (and in a group holding both) with that process only.
	 */
	pid_t shares_mm_with;
};

struct group {
	char *key;                 /* owned: user name, program path, "PID comm", cgroup path */
	pid_t *pids;               /* owned, sorted */
	size_t npids;
	pid_t leader;              /* tree: the root process of the group */
	size_t nunreadable;        /* members that could not be read; all of them: numbers unknown */
	struct mem_counts counts;  /* SPEC section 2 group numbers */
	struct frame_set *frames;  /* owned, with SCAN_GROUP_FRAMES: the distinct frames of counts.rss */
};

struct scan_opts {
	enum scan_mode mode;       /* requested; AUTO picks exact when the source allows */
	enum group_by group_by;
	const pid_t *pids;         /* only these, and those named (NULL and no names: all) */
	size_t npids;
	char *const *names;        /* processes whose comm or program file name is one of these */
	size_t nnames;
	const regex_t *filter;     /* only processes whose comm, cmdline or user match */
	char *const *users;        /* only processes of these users: names, or uids as text (ps -u) */
	size_t nusers;
	pid_t self;                /* truemem's own pid: never selected by pids, names, users or filter
				      (as pgrep), shown unselected; 0: none */
	unsigned flags;            /* SCAN_* */
	unsigned ident;            /* IDENT_* the caller shows (0: all); selection and grouping add theirs */
	/* When set, the group key of a process (returned owned) instead of group_by's. */
	char *(*group_key)(void *ctx, const struct proc_ident *id);
	void *group_ctx;
	const atomic_bool *cancel; /* when set and true, the scan stops early: -1, err "scan cancelled" */
};
enum {
	SCAN_KEEP_VMAS = 1 << 0,   /* keep each process's mappings with per-mapping counts */
	SCAN_SMAPS     = 1 << 1,   /* read full smaps too (pmap -X columns) */
	SCAN_GROUP_FRAMES = 1 << 3,/* exact: keep each group's distinct frames (group.frames) */
};

struct scan {
	enum scan_mode mode;       /* in effect: EXACT or ROLLUP */
	const char *mode_reason;   /* why rollup when exact was possible to ask for, else NULL */
	uint64_t page_size;
	struct timespec time;
	char host[256];
	struct proc *procs;
	size_t n;
	struct mem_counts totals;  /* distinct frames over all scanned processes */
	struct group *groups;
	size_t ngroups;
	enum group_by group_by;
	pid_t self;                /* the scanning process (scan_opts.self), 0 when not live */
	double cost_ms;            /* wall time of the scan */
	size_t nunreadable;        /* processes that could not be read (totals leave them out) */
	pid_t *missing;            /* owned: requested pids that do not exist */
	size_t nmissing;
	const char **missing_names;/* owned array of borrowed names no process has */
	size_t nmissing_names;
	struct meminfo meminfo;    /* the source's /proc/meminfo, read with the scan */
};

/*
 * Scans s. Per-process failures (vanished, not permitted) are recorded in
 * the process, not returned. Returns 0, or -1 with err set when the source
 * itself fails (a damaged snapshot, /proc unreadable) or exact mode was
 * demanded but is not possible. out is owned by the caller (scan_release).
 */
int scan_run(struct source *s, const struct scan_opts *o, struct scan *out, struct tm_error *err);
void scan_release(struct scan *sc);

/* True when process id answers to name: its comm, or the file name of its program. */
bool proc_has_name(const struct proc_ident *id, const char *name);

/* Looks up a process by pid in a scan (procs are sorted by pid); NULL when absent. */
struct proc *scan_find(const struct scan *sc, pid_t pid);

#endif
