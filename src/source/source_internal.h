/*
 * source_internal.h: what the source implementations (live.c, snapshot.c,
 * pagemap.c, kpage.c) share with source.c and nobody else.
 */
#ifndef TRUEMEM_SOURCE_INTERNAL_H
#define TRUEMEM_SOURCE_INTERNAL_H

#include "source.h"

/* Lists every process, or (only != NULL) those of only[0..nonly). */
int source_list_live(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		     size_t *n, struct tm_error *err);
int source_list_snapshot(struct source *s, struct proc_ident **out, size_t *n, struct tm_error *err);

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
/* While capturing: records the memcg of n frames (sorted, unique), when the kernel has kpagecgroup. Returns 0 or -EIO. */
int kpage_cgroup_record(struct source *s, const uint64_t *pfns, size_t n, struct tm_error *err);

#endif
