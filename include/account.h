/*
 * account.h: the aggregator. Pure functions over page facts: given the
 * pagemap entries of a process and the kpagecount/kpageflags of their
 * frames, it produces the numbers of SPEC section 2 for the process, its
 * mappings, its group and the system. No I/O, no globals: every bit of
 * state lives in a struct accounter the caller owns.
 */
#ifndef TRUEMEM_ACCOUNT_H
#define TRUEMEM_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "counts.h"
#include "maps.h"
#include "smaps.h"

/* The kind a resident frame counts as: KPF_ANON -> anon; KPF_SWAPBACKED alone -> shmem; else file. */
enum page_kind account_kind(uint64_t kflags);

/* A batch of consecutive pagemap entries of one process, with their frames' facts. */
struct page_batch {
	uint64_t vaddr;          /* virtual address of entry 0 */
	size_t n;
	const uint64_t *pm;      /* pagemap entries */
	const uint64_t *count;   /* kpagecount of entry i's frame (ignored unless present) */
	const uint64_t *flags;   /* kpageflags of entry i's frame */
};

struct frame_set;            /* a sparse bitmap of frame numbers */
struct u64_counter;          /* a hash map from a u64 key to a count */

struct accounter {
	uint64_t page_size;
	struct frame_set *frames;        /* distinct frames over all processes */
	struct u64_counter *swap_refs;   /* swap entry -> page-table entries holding it */
	/* Every (swap entry, process, mapping) seen, resolved to swap_pss at the end. */
	struct swap_use { uint64_t entry; uint32_t proc; uint32_t vma; int32_t group; } *uses;
	size_t nuses, cap_uses;
	/* Grouping: frames with mapcount > 1 per (group, frame), swap per (group, entry). */
	size_t ngroups;
	struct u64_counter **group_frames;
	struct u64_counter **group_swap;
	struct mem_counts *group_counts;  /* ngroups */
	uint64_t *group_frame_mapcount_hint;
};

/* Starts an accounting pass over ngroups groups (0: no grouping). */
void account_init(struct accounter *a, uint64_t page_size, size_t ngroups);
void account_release(struct accounter *a);

/*
 * Adds a batch of process proc's entries to *pc and, when vmas is non-NULL,
 * to the counts of the mappings it covers (vmas sorted, as maps lists them;
 * *vma_hint carries the position between calls and starts at 0). group is
 * the process's group or -1.
 */
void account_batch(struct accounter *a, uint32_t proc, int group, struct mem_counts *pc,
		   struct vma_list *vmas, size_t *vma_hint, const struct page_batch *b);

/*
 * Adds swap that pagemap cannot show: shmem pages swapped out leave no swap
 * entry in the page table, but smaps reports them as Swap of the mapping
 * (SPEC section 2). extra_bytes is that mapping's Swap beyond what its
 * entries explained; it counts as shmem swap, outside swap_pss.
 */
void account_hidden_shmem_swap(struct accounter *a, int group, struct mem_counts *pc,
			       struct vma *v, uint64_t extra_bytes, uint64_t shmem_object);

/*
 * Finishes the pass: resolves swap_pss for every process and mapping
 * (procs[i] / vmas as given to account_batch), the system totals and each
 * group's counts. procs_counts[i] and procs_vmas[i] are indexed like the
 * proc argument of account_batch.
 */
void account_finish(struct accounter *a, struct mem_counts *const *procs_counts,
		    struct vma_list *const *procs_vmas, size_t nprocs,
		    struct mem_counts *totals);

/*
 * Rollup mode: the numbers smaps_rollup can give. What it cannot (uss per
 * kind, rss per kind beyond Anonymous) stays out of valid.
 */
void account_rollup(struct mem_counts *pc, const struct smaps_rollup *r);

#endif
