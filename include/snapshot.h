/*
 * snapshot.h: writing a snapshot directory, the format `truemem capture
 * --dir` saves and `--from DIR` reads (SPEC section 4). The paging engine
 * writes the same format through the same writer, and `truemem capture`
 * the same files as members of one file (snapfile.h).
 *
 * Format, version 1. Text files are verbatim copies of their /proc
 * namesakes; binary files are little-endian u64 words.
 *
 *   DIR/truemem-snapshot   written last, so a half-written capture is
 *                          recognisably incomplete:
 *                            truemem-snapshot 1
 *                            page_size 4096
 *                            mode exact|rollup
 *                            time SECONDS.NANOSECONDS
 *                            host NAME
 *                            processes N
 *                            kpages N
 *   DIR/meminfo
 *   DIR/kpages             "TMKPAGE1", then records {pfn, kpagecount,
 *                          kpageflags} sorted by pfn, one per frame any
 *                          captured page table referenced
 *   DIR/kpagecgroup        "TMKPCG01", then records {pfn, memcg inode}
 *                          sorted by pfn, for the referenced frames charged
 *                          to a memcg (optional: where the kernel has one)
 *   DIR/cgroups, DIR/census  text members (cgroup_file.c, census_file.c)
 *   DIR/PID/ident          "key value" lines: pid, ppid, uid, user, comm,
 *                          cmdline, exe, cgroup, start_ms (milliseconds
 *                          after boot; absent from older snapshots),
 *                          shares_mm_with (the lowest pid on this
 *                          process's mm, SPEC 2.4; absent when none, and
 *                          in older snapshots), error (values C-escaped)
 *   DIR/PID/maps, DIR/PID/smaps, DIR/PID/smaps_rollup, DIR/PID/status
 *   DIR/PID/pagemap        "TMPGMAP1", then records {vaddr, npages,
 *                          entries[npages]}, ascending and disjoint,
 *                          holding only runs of non-zero entries
 */
#ifndef TRUEMEM_SNAPSHOT_H
#define TRUEMEM_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "error.h"
#include "source.h"

#define SNAPSHOT_VERSION 1
#define SNAPSHOT_HEADER "truemem-snapshot"
#define SNAPSHOT_KPAGES_MAGIC "TMKPAGE1"
#define SNAPSHOT_PAGEMAP_MAGIC "TMPGMAP1"
#define SNAPSHOT_KPAGECGROUP_MAGIC "TMKPCG01"
/* Bounds a reader enforces before trusting a size read from a file. */
#define SNAPSHOT_MAX_TEXT (256u << 20)
#define SNAPSHOT_MAX_PROCS 4194304
#define SNAPSHOT_MAX_PHYS_BITS 52   /* physical address width of x86-64 and arm64 (LPA2) */
#define SNAPSHOT_MAX_TIME UINT64_C(253402300799)  /* 9999-12-31T23:59:59Z: any later has no RFC 3339 date */

struct snap_writer;

/*
 * Creates DIR (which must not exist, or be an empty directory) and starts a
 * snapshot in it. mode is "exact" or "rollup". Returns NULL with err set.
 */
struct snap_writer *snapw_open(const char *dir, uint64_t page_size, const char *mode,
			       struct timespec time, const char *host, struct tm_error *err);
/*
 * As snapw_open, for the one-file form (snapfile.h): PATH must not exist,
 * and appears only when snapw_close succeeds.
 */
struct snap_writer *snapw_open_file(const char *path, uint64_t page_size, const char *mode,
				    struct timespec time, const char *host, struct tm_error *err);
/* Writes a top-level text file (e.g. "meminfo"). Returns 0 or -1 with err set. */
int snapw_top_file(struct snap_writer *w, const char *name, const void *data, size_t len, struct tm_error *err);
/* Starts process id->pid: creates DIR/PID and writes its ident. Returns 0 or -1. */
int snapw_proc(struct snap_writer *w, const struct proc_ident *id, struct tm_error *err);
/* Writes DIR/PID/NAME. Returns 0 or -1. */
int snapw_proc_file(struct snap_writer *w, pid_t pid, const char *name, const void *data, size_t len,
		    struct tm_error *err);
/*
 * Appends npages pagemap entries of pid starting at vaddr; zero entries are
 * dropped, so only populated runs are stored. Calls for one pid must come in
 * ascending, non-overlapping address order. Returns 0 or -1.
 */
int snapw_pagemap(struct snap_writer *w, pid_t pid, uint64_t vaddr, size_t npages,
		  const uint64_t *entries, struct tm_error *err);
/* Records kpagecount/kpageflags of n frames (any order; repeats keep the first). Returns 0 or -1. */
int snapw_kpages(struct snap_writer *w, const uint64_t *pfns, const uint64_t *counts,
		 const uint64_t *flags, size_t n, struct tm_error *err);
/*
 * Records the memcg inode (kpagecgroup) of n frames (any order; repeats
 * keep the first; inode 0 is not stored). DIR/kpagecgroup, "TMKPCG01" then
 * {pfn, inode} records sorted by pfn, is written at close once this was
 * called, even with no record. Returns 0 or -1.
 */
int snapw_kpagecgroup(struct snap_writer *w, const uint64_t *pfns, const uint64_t *inos, size_t n,
		      struct tm_error *err);
/* Finishes the snapshot (sorted kpages, then the header) and frees w. Returns 0 or -1. */
int snapw_close(struct snap_writer *w, struct tm_error *err);
/* Abandons a snapshot in progress and frees w (files written so far stay). */
void snapw_abort(struct snap_writer *w);

/* C-escapes s into b (\\, \n, \t, \xNN for other bytes outside printable ASCII). */
void snap_escape(struct buf *b, const char *s);
/* Reverses snap_escape in place. Returns 0, or -EINVAL for a malformed escape. */
int snap_unescape(char *s);

#endif
