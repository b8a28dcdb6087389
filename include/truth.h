/*
 * truth.h: the ground truth of a simulated host, the numbers of SPEC
 * section 2 computed by the paging engine from its own frame and swap
 * tables (engine_truth()), never from the snapshot it wrote. truemem's
 * scan of that snapshot must reproduce them; truth.json carries them to
 * scripts (truth_json_write(), src/view/truth_json.c).
 */
#ifndef TRUEMEM_TRUTH_H
#define TRUEMEM_TRUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counts.h"
#include "error.h"

/* One mapping of a process: rss, pss, uss, swap, swap_pss and kinds in counts. */
struct truth_vma {
	uint64_t start, end;
	char *region;             /* owned: the scenario's REGION */
	char *name;               /* owned: the maps pathname ("" for private anon) */
	struct mem_counts counts;
};

struct truth_proc {
	pid_t pid, ppid;
	uid_t uid;
	char *user;               /* owned: "root" for uid 0, else the uid as text */
	char *comm;               /* owned: NAME cut to 15 bytes */
	char *exe;                /* owned: "/sim/NAME" */
	char *cgroup;             /* owned: "/sim.slice/NAME.service" */
	struct mem_counts counts;
	struct truth_vma *vmas;   /* owned, ascending by address */
	size_t nvmas;
};

struct truth_group {
	char *key;                /* owned */
	pid_t *pids;              /* owned, ascending */
	size_t npids;
	pid_t leader;             /* tree: the group's root process; else 0 */
	struct mem_counts counts; /* rss, pss, uss, swap, swap_uss */
};

/* A memory cgroup and its descendants (SPEC section 2.3). */
struct truth_cgroup {
	char *path;               /* owned: "/" or "/A/B" */
	uint64_t ino;             /* its inode, as kpagecgroup shows it */
	uint64_t charged_bytes, swap_charged_bytes, kernel_bytes;
	uint64_t mapped_inside_bytes, mapped_outside_only_bytes;
	uint64_t unmapped_file_bytes, unmapped_shmem_bytes, unmapped_anon_bytes;
	int64_t unexplained_bytes;   /* charged - the five above - kernel */
	uint64_t mapped_from_elsewhere_bytes;
	pid_t *pids;              /* owned, ascending: the processes of the subtree */
	size_t npids;
	struct mem_counts counts; /* those processes as a group: rss, pss, uss, frees, ... */
};

/* The groupings of SPEC section 2, in truth.json's order. */
enum truth_grouping { TRUTH_BY_USER, TRUTH_BY_PROGRAM, TRUTH_BY_TREE, TRUTH_BY_CGROUP, TRUTH_GROUPINGS };
extern const char *const truth_grouping_names[TRUTH_GROUPINGS];   /* "user", "program", "tree", "cgroup" */

struct truth {
	uint64_t page_size;
	struct truth_proc *procs;  /* owned, ascending by pid */
	size_t nprocs;
	struct mem_counts totals;  /* distinct frames and swap entries over all processes */
	struct truth_group *groups[TRUTH_GROUPINGS];   /* owned, sorted by key */
	size_t ngroups[TRUTH_GROUPINGS];
	struct truth_cgroup *cgroups;  /* owned, every cgroup, sorted by path */
	size_t ncgroups;
};

/* An empty truth, ready for engine_truth(). */
void truth_init(struct truth *t);
/* Frees everything t owns; t is empty again. */
void truth_release(struct truth *t);
/* The process pid in t, or NULL. */
const struct truth_proc *truth_find(const struct truth *t, pid_t pid);

/* Writes t as JSON (schema "truemem-truth/1") to path. Returns 0 or -1 with err set. */
int truth_json_write(const struct truth *t, const char *path, struct tm_error *err);

#endif
