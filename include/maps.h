/*
 * maps.h: /proc/PID/maps, one struct vma per line (proc(5), "maps").
 *
 *   address           perms offset  dev   inode   pathname
 *   00400000-00452000 r-xp 00000000 08:02 173521  /usr/bin/dbus-daemon
 */
#ifndef TRUEMEM_MAPS_H
#define TRUEMEM_MAPS_H

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

/*
 * Parses the text of a maps file (len bytes, need not be NUL-terminated)
 * and appends one vma per well-formed line to l. Returns 0, or -EINVAL
 * when a line is malformed (l then holds the lines before it).
 */
int maps_parse(const char *text, size_t len, struct vma_list *l);

/* The name SPEC section 3 reports: path, "[heap]", "[stack]", "[anon]" for unnamed anonymous, ... */
const char *vma_display_name(const struct vma *v);
/* True for a mapping of hugetlbfs pages (smaps "ht" flag, or a name under /dev/hugepages or "anon_hugepage"). */
bool vma_is_hugetlb(const struct vma *v);
/* True when the mapping is shared (perms[3] == 's'). */
static inline bool vma_is_shared(const struct vma *v) { return v->perms[3] == 's'; }

#endif
