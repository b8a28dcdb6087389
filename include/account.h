/*
 * account.h: the aggregator. Pure functions over page facts: given the
 * pagemap entries of a process and the kpagecount/kpageflags of their
 * frames, it produces the numbers of SPEC section 2 for the process, its
 * mappings, its group and the system. No I/O, no globals: every bit of
 * state lives in a struct accounter the caller owns.
 *
 * Memory stays bounded by what is shared, not by what is mapped: a frame
 * is remembered as "pending" only from its first page-table entry until
 * its mapcount-th, and a group's own state lives only while that group's
 * members are being walked (the scan walks processes group by group).
 */
#ifndef TRUEMEM_ACCOUNT_H
#define TRUEMEM_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"
#include "fates.h"
#include "mapping.h"
#include "page_batch.h"
#include "shmem_swap.h"

/* The kind a resident frame counts as: KPF_ANON -> anon; KPF_SWAPBACKED alone -> shmem; else file. */
enum page_kind account_kind(uint64_t kflags);

struct frame_set;
struct frame_map;
struct u64_counter;

/* Distinct-frame bookkeeping over one set of processes (the system, or one group). */
struct frame_scope {
	struct frame_set *seen;        /* every frame counted in rss */
	struct frame_map *pending;     /* shared frame -> entries still unseen, its mapcount and flags */
	uint64_t frames;               /* distinct frames seen */
	uint64_t kind_frames[KIND_COUNT];  /* of which anon, file, shmem */
	uint64_t complete;             /* frames all of whose entries were seen */
	uint64_t complete_kind[KIND_COUNT];   /* of which anon, file, shmem */
	struct u64_counter *swap;      /* swap entry -> entries seen in scope */
	struct u64_counter *shmem_swap;/* shmem object -> largest hidden swap seen, bytes */
};

struct swap_use {
	uint64_t entry;
	uint32_t proc;
	uint32_t vma;                  /* UINT32_MAX when mappings are not kept */
};

struct accounter {
	uint64_t page_size;
	struct frame_scope all;        /* the whole scan: the totals */
	struct frame_scope group;      /* the group being walked */
	bool in_group;
	struct u64_counter *swap_refs; /* swap entry -> entries among all scanned processes */
	struct swap_use *uses;
	size_t nuses, cap_uses;
	/* (group, swap entry, entries in group) of finished groups, resolved at the end */
	struct group_swap { uint32_t group; uint64_t entry, count; } *gswap;
	size_t ngswap, cap_gswap;
	uint32_t group_id;               /* the group being walked */
	struct shmem_swap shm;           /* grouped shmem mappings with their swap, resolved at the end */
	struct shmem_swap shm_proc;      /* the same per process (group: the process index) */
	struct fates fates;              /* shmem uss and swap per owner and object, for SPEC 2.1 */
	const struct vma_list *cur_vmas; /* the mappings of the batch being counted */
	uint32_t cur_proc;               /* ...and its process */
	pss_t share[512];                /* pss_share(page_size, m) for small m */
	/*
	 * Facts pagemap and the mapping imply stand in for kpage reads: the
	 * exclusive bit for kpagecount 1 where the kernel sets it from the
	 * same per-page mapcount (a page-table entry; not an entry that may
	 * be part of a PMD-mapped huge page, whose bit is the head page's),
	 * and the mapping for a page's kind. Off when every frame's facts
	 * must be read, as for a capture.
	 */
	bool infer;
	unsigned swap_areas;             /* swap areas listed (pm_is_swap) */
	/*
	 * The process being counted shows an mm that another process of the
	 * scan is counted with (SPEC 2.4), in another group: its entries count
	 * for its own numbers and its group's, not the totals' nor the swap
	 * references (they are that process's).
	 */
	bool group_only;
};


/* Starts an accounting pass. */
void account_init(struct accounter *a, uint64_t page_size);
void account_release(struct accounter *a);

/* Starts walking the members of group g (all of them before the next group). */
void account_group_begin(struct accounter *a, uint32_t g);
/* Takes the distinct frames of the group being walked (owned by the caller); the group goes on counting them. */
struct frame_set *account_group_take_frames(struct accounter *a);
/*
 * Ends the group begun last: stores its rss, uss and swap in *gc (pss and
 * swap_uss are completed by account_finish).
 */
void account_group_end(struct accounter *a, struct mem_counts *gc);

/* implied[] of account_batch: only kpageflags can tell. */
#define FLAGS_UNKNOWN UINT64_MAX

/*
 * Adds a batch of process proc's entries to *pc and, when per_vma, to the
 * counts of the mappings vmas it covers (sorted as maps lists them;
 * *vma_hint carries the position between calls, starting at 0). An entry
 * is counted here when its frame's facts need no reading: a shared frame
 * the pass met before and whose mappers have not all been walked (so each
 * frame is read once per scan, not once per mapper), and, when infer is
 * set, an entry pagemap marks exclusively mapped and anonymous in a mapping
 * that cannot be on hugetlbfs, off the frame-address alignment of a
 * PMD-mapped huge page (kpagecount 1, kind anon). A non-present entry is
 * swap only if pm_is_swap says so for swap_areas. Stores in miss[] the indexes of
 * the present entries whose facts the caller must read, in order, and
 * returns how many. implied[j] is the kpageflags miss[j]'s frame has if
 * its kpagecount is not 0, as its mapping tells (infer set), or
 * FLAGS_UNKNOWN: kpagecount is always needed, kpageflags only then. Then
 * account_misses.
 */
size_t account_batch(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma_list *vmas,
		     bool per_vma, size_t *vma_hint, const struct page_batch *b, uint32_t *miss, uint64_t *implied);

/*
 * Counts the entries account_batch left: entry miss[j] has kpagecount
 * count[j] and kpageflags flags[j]. vma_hint is *vma_hint as it was when
 * account_batch began.
 */
void account_misses(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma_list *vmas,
		    bool per_vma, size_t vma_hint, const struct page_batch *b, const uint32_t *miss, size_t nmiss,
		    const uint64_t *count, const uint64_t *flags);

/*
 * Counts a page-table entry holding swap entry `entry` in a process that is
 * not itself reported (outside -p), so swap_pss divides by every holder.
 */
void account_swap_ref(struct accounter *a, uint64_t entry);

/*
 * Adds shmem swap that pagemap cannot show: a swapped-out shmem page leaves
 * no entry in the page table, but smaps reports it as Swap of every mapping
 * covering it (SPEC section 2). bytes is mapping v's Swap beyond what its
 * entries explained (0 is fine: it still tells which object pages hold no
 * swap); it counts as shmem swap, outside swap_pss, and once per shmem
 * object (identified by object) in totals and groups.
 */
void account_shmem_swap(struct accounter *a, uint32_t proc, struct mem_counts *pc, struct vma *v,
			uint64_t bytes, uint64_t object);

/*
 * Finishes the pass: swap_pss of every process and mapping (indexed as the
 * proc argument of account_batch), the totals, and each group's pss (sum of
 * its members', proc_group[i] < 0 for none) and swap_uss. repeat[i] (NULL:
 * none) marks a process counted with group_only: its group's, not the totals'. The SPEC 2.1
 * split is left with all shmem uss in stays and only anonymous swap in
 * frees_swap, for fates_resolve (a->fates) to finish once the objects'
 * facts are read.
 */
void account_finish(struct accounter *a, struct mem_counts *const *procs, struct vma_list *const *vmas,
		    const int *proc_group, const bool *repeat, size_t nprocs, struct mem_counts *groups,
		    size_t ngroups, struct mem_counts *totals);

/*
 * Rollup mode: the numbers smaps_rollup can give. What it cannot (uss per
 * kind, rss of file and shmem apart) stays out of valid.
 */
void account_rollup(struct mem_counts *pc, const struct smaps_rollup *r);

#endif
