/*
 * mapping.h: the model of a process's mappings, as the collectors produce
 * them (maps.h, smaps.h parse the kernel's text into these) and the
 * aggregator counts into them: one struct vma per mapping, with the
 * figures smaps gives it, and the figures smaps_rollup gives a process.
 */
#ifndef TRUEMEM_MAPPING_H
#define TRUEMEM_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

/* Extra per-mapping facts from smaps (pmap -X columns, shmem swap). */
struct vma_smaps {
	uint64_t rss_kb, pss_kb, swap_kb, swap_pss_kb;
	uint64_t private_clean_kb, private_dirty_kb;
	uint64_t shared_clean_kb, shared_dirty_kb;
	uint64_t anon_kb, anon_huge_kb, shmem_huge_kb, file_huge_kb;
	uint64_t locked_kb;
	char vmflags[96];          /* "rd ex mr mw me sd" as the kernel prints it */
};

/*
 * What the file behind a mapping lives on, where the device number does
 * not tell (major 0: tmpfs, hugetlbfs, btrfs, overlay...). Known only on a
 * live system, for regular files (source_mapping_fs).
 */
enum vma_fs {
	VMA_FS_UNKNOWN,
	VMA_FS_SHMEM,              /* tmpfs, and memfd, SysV and shared anonymous memory */
	VMA_FS_OTHER,              /* any other, but hugetlbfs: page cache */
};

struct vma {
	uint64_t start, end;       /* [start, end) virtual addresses */
	uint64_t offset;           /* file offset */
	uint64_t inode;
	unsigned dev_major, dev_minor;
	char perms[5];             /* "r-xp", NUL-terminated */
	unsigned char fs;          /* enum vma_fs: what the file lives on, when known */
	char *name;                /* owned; "" for unnamed anonymous */
	/*
	 * Owned, or NULL: the name reported to users when it is not name itself
	 * ("memfd:NAME" for "/memfd:NAME (deleted)"); maps_parse sets it, read
	 * it through vma_display_name().
	 */
	char *display_name;
	struct mem_counts counts;  /* filled by the aggregator */
	struct vma_smaps *smaps;   /* owned; NULL unless smaps was read for this mapping */
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

void vma_list_init(struct vma_list *l);
void vma_list_release(struct vma_list *l);   /* frees names and the array */
/* Makes dst (not initialised) a deep copy of src, owned by the caller. */
void vma_list_copy(struct vma_list *dst, const struct vma_list *src);

/* The name SPEC section 3 reports: path, "[heap]", "[stack]", "[anon]" for unnamed anonymous, ... */
const char *vma_display_name(const struct vma *v);
/* True for a mapping of hugetlbfs pages (smaps "ht" flag, or a name under /dev/hugepages or "anon_hugepage"). */
bool vma_is_hugetlb(const struct vma *v);
/* True when the mapping is shared (perms[3] == 's'). */
static inline bool vma_is_shared(const struct vma *v) { return v->perms[3] == 's'; }

/* The fields of smaps_rollup truemem uses, in kB; have says which were present. */
struct smaps_rollup {
	uint64_t rss_kb, pss_kb, pss_anon_kb, pss_file_kb, pss_shmem_kb;
	uint64_t shared_clean_kb, shared_dirty_kb, private_clean_kb, private_dirty_kb;
	uint64_t anonymous_kb, swap_kb, swap_pss_kb, locked_kb;
	unsigned have;   /* SMAPS_HAVE_* */
};
enum {
	SMAPS_HAVE_RSS = 1 << 0, SMAPS_HAVE_PSS = 1 << 1, SMAPS_HAVE_PSS_KINDS = 1 << 2,
	SMAPS_HAVE_PRIVATE = 1 << 3, SMAPS_HAVE_SWAP = 1 << 4, SMAPS_HAVE_SWAP_PSS = 1 << 5,
	SMAPS_HAVE_ANONYMOUS = 1 << 6,
};

#endif
