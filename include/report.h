/*
 * report.h: the system-wide reports built from a scan, pure functions with
 * no I/O: `lib` (one row per mapped file, summed over the processes that
 * map it, as librank and smem -m do) and `sys` (/proc/meminfo reconciled
 * with what processes map, as smem -w and free try to).
 */
#ifndef TRUEMEM_REPORT_H
#define TRUEMEM_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "counts.h"
#include "scan.h"

struct lib_row {
	const char *name;          /* borrowed from the scan's mappings */
	unsigned dev_major, dev_minor;
	uint64_t inode;
	pid_t *pids;               /* owned, ascending, each once */
	size_t npids;
	struct mem_counts counts;  /* summed over every mapping of the file */
};

struct lib_report {
	struct lib_row *rows;      /* largest pss first */
	size_t n;
};

/* Builds the lib report of sc (scanned with SCAN_KEEP_VMAS). Borrows names from sc: release before sc. */
void lib_report_build(const struct scan *sc, struct lib_report *out);
void lib_report_release(struct lib_report *r);
/* True for a mapping of a file or shared memory object (not heap, stack, vdso or unnamed anon). */
bool lib_mapping_is_file(const struct vma *v);

/*
 * The one reconciliation of /proc/meminfo with what page tables map, used by
 * `sys` and by top's meter (bytes):
 *   kernel          Slab + PageTables + SecPageTables + KernelStack + VmallocUsed + Percpu
 *   hugetlb         Hugetlb, else HugePages_Total * Hugepagesize
 *   cache_unmapped  Buffers + Cached - mapped file - mapped shmem (Cached holds
 *                   tmpfs/shmem pages too); without the split, - Mapped
 *   anon_unattributed  AnonPages - mapped anon (0 without the split)
 * mapped_kind: distinct mapped bytes by page kind, NULL when not known.
 */
struct mem_reconcile {
	uint64_t total, free, kernel, hugetlb, cache_unmapped, anon_unattributed;
	uint64_t swap_total, swap_used, swap_cached;
};
void mem_reconcile(const struct meminfo *mi, const uint64_t *mapped_kind, struct mem_reconcile *out);

/* Where physical memory is, in bytes. In rollup mode process frames are unknown (known false). */
struct sys_report {
	bool known;                   /* the process-mapped figures (and what depends on them) are known */
	uint64_t total, free;
	uint64_t anon, file, shmem;   /* distinct frames mapped by the scanned processes */
	uint64_t anon_unattributed;   /* AnonPages no scanned process maps (unreadable processes, swap cache) */
	uint64_t cache_unmapped;      /* page cache (Buffers + Cached) no scanned process maps */
	uint64_t kernel;              /* Slab, page tables, kernel stacks, vmalloc, per-cpu */
	uint64_t hugetlb;
	int64_t unexplained;          /* total minus all of the above */
	uint64_t swap_total, swap_used, swap_cached;
	uint64_t swap_attributed;     /* distinct swap entries of processes, swapped shmem once per object */
	uint64_t zero_page, nopage;   /* mapped but outside rss, for the record */
	/* The physical census (exact mode): NULL with census_note saying why not. */
	const struct census *census;  /* borrowed */
	const char *census_note;
	struct census_cmp cmp[CENSUS_CMP_MAX + KIND_COUNT];   /* census beside meminfo and the scan */
	size_t ncmp;
};

/* Reconciles sc->meminfo with sc->totals. */
void sys_report_build(const struct scan *sc, struct sys_report *out);
/*
 * Adds census c (borrowed: release after r) to r, compared with meminfo,
 * vmstat's nr_free_pages (UINT64_MAX: unknown) and the scan's distinct
 * mapped frames.
 */
void sys_report_add_census(struct sys_report *r, const struct scan *sc, const struct census *c,
			   uint64_t nr_free_pages);

#endif
