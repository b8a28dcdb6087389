/*
 * source_internal.h: what the source implementations (live.c, snapshot.c,
 * pagemap.c, kpage.c, kpagecgroup.c) share with each other and source.c,
 * and nobody else: the pieces their operations tables (source_ops.h) are
 * made of.
 */
#ifndef TRUEMEM_SOURCE_INTERNAL_H
#define TRUEMEM_SOURCE_INTERNAL_H

#include "source.h"
#include "source_ops.h"

extern const struct source_ops source_live_ops, source_snapshot_ops;

/* Closes what a live or snapshot source holds open (both keep it in struct source). */
void source_close_files(struct source *s);

/* Opens DIR/path (a directory snapshot) refusing symbolic links and anything outside DIR. Returns an fd or -errno, err set. */
int snapshot_open(struct source *s, const char *path, struct tm_error *err);
/*
 * A snapshot file's member path, decompressed (snapfile_load; give it back
 * with snapfile_unload). NULL with err set when it is missing or damaged.
 */
struct buf *snapshot_member(struct source *s, const char *path, struct tm_error *err);
/* Reads DIR/path whole into b; a missing, unreadable or oversized file is an error naming it. */
int snapshot_read_file(struct source *s, const char *path, struct buf *b, struct tm_error *err);

/* Frees the loaded "kpagecgroup" member of a snapshot (kpagecgroup.c). */
void kpage_cgroup_release(struct source *s);

/* pagemap.c: a page table read from /proc/PID/pagemap, or a snapshot's stored runs. */
struct pagemap *live_pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err);
ssize_t live_pagemap_ranges(struct pagemap *pm, uint64_t start, uint64_t end, uint64_t categories,
			    struct vrange **r, size_t *n, size_t *cap, struct tm_error *err);
int live_pagemap_read(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out, struct tm_error *err);
struct pagemap *snapshot_pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err);
int snapshot_pagemap_check_maps(struct pagemap *pm, const struct vma_list *vmas, const char *maps_file,
				struct tm_error *err);
ssize_t snapshot_pagemap_ranges(struct pagemap *pm, uint64_t start, uint64_t end, uint64_t categories,
				struct vrange **r, size_t *n, size_t *cap, struct tm_error *err);
int snapshot_pagemap_read(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out,
			  struct tm_error *err);
void file_pagemap_close(struct pagemap *pm);

/* kpage.c and kpagecgroup.c: frame facts from /proc/kpage*, or a snapshot's records. */
int live_kpage_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *counts, uint64_t *flags,
		      struct tm_error *err);
int snapshot_kpage_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *counts, uint64_t *flags,
			  struct tm_error *err);
int live_kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos,
			     struct tm_error *err);
int snapshot_kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos,
				 struct tm_error *err);

#endif
