/*
 * cgroup.h: memory cgroups (SPEC section 2.3). The hierarchy is read once
 * into a cgroup_tree whose fields have cgroup v2's shape (memory.current,
 * memory.max, memory.swap.current, kernel memory, the member pids); the
 * live reader maps cgroup v1's files into the same fields
 * (Documentation/admin-guide/cgroup-v2.rst, .../cgroup-v1/memory.rst).
 *
 * A capture stores the tree as the snapshot member "cgroups"
 * (cgroup_tree_format / cgroup_tree_parse) and the memcg of every frame it
 * references as "kpagecgroup"; the engine writes both. The format is in
 * cgroup_file.c.
 */
#ifndef TRUEMEM_CGROUP_H
#define TRUEMEM_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counts.h"
#include "error.h"
#include "util.h"

struct source;

struct cgroup_node {
	char *path;                /* owned, raw bytes: "/" for the root, "/a/b" below it */
	uint64_t ino;              /* memcg inode, as /proc/kpagecgroup names it */
	uint64_t current;          /* bytes charged to it and its descendants */
	bool has_max, has_swap, has_kernel;   /* false: unlimited / unknown / unknown */
	uint64_t max, swap, kernel;           /* bytes */
	pid_t *procs;              /* owned, ascending: processes in this cgroup itself */
	size_t nprocs;
	int parent;                /* index of the parent, -1 for the root (index 0) */
	int depth;                 /* 0 for the root */
};

struct cgroup_tree {
	int version;               /* 1 or 2 */
	struct cgroup_node *n;     /* owned; the root first, parents before children */
	size_t count;
};

void cgroup_tree_release(struct cgroup_tree *t);
/* Whether node i is node anc or one of its descendants. */
bool cgroup_in_subtree(const struct cgroup_tree *t, size_t i, size_t anc);
/* The index of the node with inode ino, -1 when none has it. */
int cgroup_find_ino(const struct cgroup_tree *t, uint64_t ino);
/* The index of the node whose path is path, -1 when none has it. */
int cgroup_find_path(const struct cgroup_tree *t, const char *path);

/* Appends t as the snapshot member "cgroups" to b. */
void cgroup_tree_format(const struct cgroup_tree *t, struct buf *b);
/* Parses the member text into out (owned; cgroup_tree_release). Returns 0 or -EINVAL. */
int cgroup_tree_parse(const char *text, size_t len, struct cgroup_tree *out);

/*
 * Reads the hierarchy mounted at dir (a cgroup v2 root or the cgroup v1
 * memory hierarchy; version 2 or 1) into out: v2, each directory with
 * memory.current (processes of directories without it count in the nearest
 * one with it); v1, each directory. The root's charge is root_current
 * (MemTotal - MemFree). Returns 0 or -errno with err set.
 */
int cgroup_tree_read_dir(const char *dir, int version, uint64_t root_current, struct cgroup_tree *out,
			 struct tm_error *err);
/*
 * Finds the memory controller below sysfs_cgroup ("/sys/fs/cgroup"): cgroup
 * v2 when its root lists "memory" in cgroup.controllers, else cgroup v1 at
 * sysfs_cgroup/memory. Stores the hierarchy's path (owned) and version.
 * Returns 0, or -ENOENT with err saying neither is there.
 */
int cgroup_detect(const char *sysfs_cgroup, char **dir, int *version, struct tm_error *err);

/*
 * The cgroup tree of source s: live, detected below /sys/fs/cgroup and read
 * (a recording source is handed it), the root charged root_current; a snapshot,
 * its "cgroups" member. Returns 0, -ENOENT (no memory controller, or
 * a snapshot without the member) or another -errno, with err set.
 */
int cgroup_read(struct source *s, uint64_t root_current, struct cgroup_tree *out, struct tm_error *err);

/*
 * The memcg inode of n frames (pfns sorted, unique) from /proc/kpagecgroup,
 * or a snapshot's "kpagecgroup" member (0 for a frame it does not list). Returns 0, -ENOENT when a snapshot has no such
 * member, or -errno, with err set.
 */
int kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos, struct tm_error *err);

/* ---- the report (aggregate/cgroup_report.c): pure, no I/O ---- */

struct census;

/* What the process scans found for one cgroup's subtree (filled by cgroup_scan). */
struct cgroup_input {
	bool scanned;              /* counts and pids hold the subtree's processes */
	struct mem_counts counts;  /* SPEC 2 group numbers of those processes */
	pid_t *pids;               /* owned, ascending */
	size_t npids;
	bool frames_known;         /* the memcg of the frames they map was read */
	uint64_t inside_pages;     /* distinct frames they map charged to the subtree */
	uint64_t elsewhere_pages;  /* ... charged to a memcg outside it */
};

struct scan;
struct scan_opts;
/*
 * Fills in[0..t->count) with the process numbers of each cgroup's subtree
 * (want[i] false: node i's may be left out; want NULL: all), scanning s
 * once per depth of the hierarchy with base's mode and flags. Stores the
 * scan of all processes (depth 0) in *top (scan_release). In exact mode
 * the frames' memcg are read too; when they cannot be (no kpagecgroup),
 * why->msg says so and frames_known stays false. Returns 0, or -1 with err set.
 */
int cgroup_scan(struct source *s, const struct cgroup_tree *t, const struct scan_opts *base, const bool *want,
		struct cgroup_input *in, struct scan *top, struct tm_error *why, struct tm_error *err);
void cgroup_inputs_release(struct cgroup_input *in, size_t n);

/*
 * Counts frames by the memcg they are charged to: of n frames whose memcg
 * inodes are inos[], how many are charged to node's subtree (*inside) and
 * how many to a memcg outside it (*elsewhere; inode 0, no memcg, is neither).
 */
void cgroup_tally(const struct cgroup_tree *t, size_t node, const uint64_t *inos, size_t n, uint64_t *inside,
		  uint64_t *elsewhere);

struct cgroup_row {
	const char *path;          /* borrowed from the tree; "(removed)" for the removed row */
	int node;                  /* tree index, -1 for the removed row */
	bool kernel_known;         /* charged, limit, kernel from the kernel (false: the removed row) */
	uint64_t charged;
	bool has_limit, has_swap, has_kernel;
	uint64_t limit, swap_charged, kernel;
	bool frames_known;         /* exact mode with a census and the frames' memcgs */
	uint64_t mapped_inside, mapped_outside_only, unmapped_file, unmapped_shmem, unmapped_anon;
	uint64_t mapped_from_elsewhere;
	int64_t unexplained;       /* known when frames_known and kernel_known */
	const pid_t *pids;         /* borrowed from the input */
	size_t npids;
	bool counts_known;
	struct mem_counts counts;  /* rss, pss, uss, frees of the subtree's processes */
};

struct cgroup_report {
	int version;
	struct cgroup_row *rows;   /* owned; the tree's order (parents before children), the removed row last */
	size_t n;
	const char *note;          /* why the frame columns are not known, or NULL */
};

struct meminfo;
/* The root cgroup's charge (SPEC 2.3): MemTotal - MemFree. */
uint64_t cgroup_root_charge(const struct meminfo *mi);

/*
 * Builds the rows of tree t: the kernel's figures, the census's memcg split
 * (census NULL: frames unknown, note says why), and in[i] for node i.
 * Borrows from t and in: release r before them.
 */
void cgroup_report_build(const struct cgroup_tree *t, const struct census *census, const struct cgroup_input *in,
			 uint64_t page_size, const char *note, struct cgroup_report *r);
void cgroup_report_release(struct cgroup_report *r);

/* The report's columns, in the view's table (view.h: cgroup_columns, cgroup_table). */
enum cgroup_col { CGC_CHARGED, CGC_MAPPED, CGC_USED_BY_OTHERS, CGC_CACHE, CGC_SHMEM, CGC_KERNEL, CGC_UNEXPL,
		  CGC_BORROWED, CGC_PROCS, CGC_CGROUP, CGC_COUNT };

/*
 * Orders rows for the report: sorted (row indexes in sort order, from the
 * view's column table) as it is, or with tree, children after their
 * parent, siblings in sorted's order, the removed row last. Fills
 * order[0..r->n).
 */
void cgroup_report_tree_order(const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *sorted,
			      bool tree, size_t *order);

#endif
