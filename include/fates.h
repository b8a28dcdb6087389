/*
 * fates.h: what killing a process or a group does with its uss (SPEC
 * section 2.1). Anonymous uss frames go back to the free lists (frees),
 * file ones stay in the page cache (reclaimable), shmem ones free when
 * their object dies with the process or group and stay otherwise; the
 * swap freed (frees_swap) is the anonymous slots only it holds plus the
 * swapped shmem its mappings show of objects that die with it.
 *
 * Which objects die is the one thing the frames do not tell. The
 * aggregator notes, as the walk goes, every mapping of a memory-backed
 * object (device major 0) and the shmem uss and swap of each process and
 * group per object; fates_wants() then names the objects whose fate is in
 * question, the caller reads the kernel's facts about them (shmobj.h), and
 * fates_resolve() decides. An object dies with owner O when nothing
 * outside O keeps it:
 *  - a SysV segment (named /SYSVkkkkkkkk, its inode the shmid) when it is
 *    marked for removal (SHM_DEST) and O's mappings are all its attaches;
 *  - any other object when it has no link (a memfd, a deleted tmpfs file,
 *    shared anonymous memory) and no process outside O maps it or holds a
 *    descriptor on it, scanned or not.
 * A tmpfs file with a name, a SysV segment not marked, and an object the
 * facts do not cover (a device's, another IPC namespace's) stay.
 * No I/O here.
 */
#ifndef TRUEMEM_FATES_H
#define TRUEMEM_FATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "counts.h"
#include "mapping.h"
#include "shm_facts.h"

/* An owner is a process index, or FATE_GROUP | group index. */
#define FATE_GROUP 0x80000000u

struct fate_obj {
	struct shm_obj obj;
	char *name;                /* owned: the maps pathname */
	uint32_t proc;             /* a process that maps it, and where */
	uint64_t start, end;
	bool sysv;
};

struct fates {
	struct fate_obj *objs;
	size_t nobjs, cap_objs;
	struct u64_counter *index;                     /* object key -> index + 1 */
	struct fate_map { uint32_t obj, proc, nvmas; } *maps;   /* who maps what */
	size_t nmaps, cap_maps;
	struct fate_use { uint32_t owner; uint64_t key, bytes; } *uses;   /* shmem uss per owner and object */
	size_t nuses, cap_uses;
	struct fate_swap { uint32_t owner; bool known; uint64_t key, bytes; } *swaps;   /* shmem swap, ditto */
	size_t nswaps, cap_swaps;
};

void fates_init(struct fates *f);
void fates_release(struct fates *f);

/* Notes the mappings of memory-backed objects among process proc's vmas. */
void fates_note_vmas(struct fates *f, uint32_t proc, const struct vma_list *vmas);
/* Adds bytes of shmem uss of owner in the object of mapping v. */
void fates_note_uss(struct fates *f, uint32_t owner, const struct vma *v, uint64_t bytes);
/* Adds the swapped shmem owner's mappings show of object key (known false: not determined). */
void fates_note_swap(struct fates *f, uint32_t owner, uint64_t key, bool known, uint64_t bytes);

/*
 * The objects whose facts fates_resolve needs (all noted objects when
 * all is set, as for a capture) into *w (owned by the caller; names
 * borrowed from f), pid[] giving each process index's pid. Returns the count.
 */
size_t fates_wants(const struct fates *f, const int *proc_group, const pid_t *pid, bool all,
		   struct shm_want **w);

/*
 * Splits the uss of every process (procs[i], pids sorted ascending) and
 * group into frees, reclaimable and stays, and adds the shmem part of
 * frees_swap. The anonymous part is there already: account_finish sets
 * frees/reclaimable/stays to the anon/file/shmem uss and frees_swap to
 * the anonymous slots; this moves the shmem of objects that die from
 * stays to frees. Without facts (an old snapshot), owners with shmem uss
 * or swap are left unknown.
 */
void fates_resolve(const struct fates *f, const struct shm_facts *facts, struct mem_counts *const *procs,
		   const int *proc_group, const pid_t *pid, size_t nprocs, struct mem_counts *groups, size_t ngroups);

#endif
