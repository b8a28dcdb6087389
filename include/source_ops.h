/*
 * source_ops.h: the operations table behind struct source, for the code
 * that implements a source (src/source: live /proc and snapshots; the
 * recording source, source_record.h) and nobody else. Readers call the
 * functions of source.h, which dispatch here; none of them knows which
 * implementation answers.
 */
#ifndef TRUEMEM_SOURCE_OPS_H
#define TRUEMEM_SOURCE_OPS_H

#include "source.h"

/*
 * What every open pagemap starts with: the source that opened it (whose
 * ops serve it) and the process. An implementation embeds it first.
 */
struct pagemap {
	struct source *src;
	pid_t pid;
};

/*
 * One implementation of a source. Each entry has the contract of the
 * source.h function of the same name; an entry left NULL does nothing
 * (keep, proc_failed) or answers "no" (has, mapping_fs: VMA_FS_UNKNOWN).
 */
struct source_ops {
	/* only != NULL: just those of only[0..nonly) (source_list_pids) */
	int (*list)(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		    size_t *n, struct tm_error *err);
	int (*read_proc)(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err);
	int (*read_top)(struct source *s, const char *name, struct buf *b, struct tm_error *err);
	bool (*has)(struct source *s, const char *name);
	enum vma_fs (*mapping_fs)(struct source *s, pid_t pid, uint64_t start, uint64_t end);
	void (*time)(struct source *s, struct timespec *out);
	int (*keep)(struct source *s, const char *name, const void *text, size_t len, struct tm_error *err);
	int (*proc_failed)(struct source *s, const struct proc_ident *id, struct tm_error *err);

	struct pagemap *(*pagemap_open)(struct source *s, pid_t pid, int *rc, struct tm_error *err);
	int (*pagemap_check_maps)(struct pagemap *pm, const struct vma_list *vmas, const char *maps_file,
				  struct tm_error *err);
	/* categories: PAGE_IS_* bits of the PAGEMAP_SCAN ioctl (kernel.h) */
	ssize_t (*pagemap_ranges)(struct pagemap *pm, uint64_t start, uint64_t end, uint64_t categories,
				  struct vrange **r, size_t *n, size_t *cap, struct tm_error *err);
	int (*pagemap_read)(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out,
			    struct tm_error *err);
	void (*pagemap_close)(struct pagemap *pm);

	int (*kpage_lookup)(struct source *s, const uint64_t *pfns, size_t n, uint64_t *counts, uint64_t *flags,
			    struct tm_error *err);
	int (*kpage_cgroup_lookup)(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos,
				   struct tm_error *err);
	/* Frees what the implementation holds; s itself belongs to its opener. */
	void (*close)(struct source *s);
};

#endif
