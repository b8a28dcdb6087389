/*
 * source.h: where process data comes from, the only code that does I/O
 * on /proc. A source is one implementation behind an operations table
 * (source_ops.h): the live /proc (live.c), a snapshot directory or file
 * (snapshot.c), or a recording of another source that writes a snapshot
 * of all it reads (source_record.h). The readers above call the functions
 * below and ask the source's caps (SOURCE_*), never which one it is.
 * The binary page facts differ in storage only: live pagemap and
 * /proc/kpage* are pread in batches, a snapshot holds the populated ranges
 * and referenced frames in compact files (snapshot.h, "Format").
 *
 * Live process identity is read from /proc/PID as far as the caller
 * wants it (enum ident_want); a snapshot keeps all of it in PID/ident.
 */
#ifndef TRUEMEM_SOURCE_H
#define TRUEMEM_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "error.h"
#include "ident.h"
#include "mapping.h"
#include "util.h"

/*
 * What a source is, for the readers above it; they ask these, never which
 * implementation serves them.
 */
enum {
	/*
	 * Stored facts (a snapshot): its pagemap holds the populated runs,
	 * a file it lacks or holds malformed is damage (an error naming it),
	 * its time is the capture's.
	 */
	SOURCE_STORED  = 1 << 0,
	/*
	 * Its reader must read every fact whole and in order (a recording
	 * source, source_record.h): everything any command could want, each
	 * frame's facts read rather than inferred, no holes joined, one thread.
	 */
	SOURCE_WHOLE   = 1 << 1,
	/* source_mapping_fs can tell what a mapping's file lives on (live /proc). */
	SOURCE_MAPPING_FS = 1 << 2,
};

struct source_ops;

struct source {
	const struct source_ops *ops;   /* the implementation (source_ops.h) */
	void *ops_data;                 /* its own state, when it keeps more than the fields below */
	unsigned caps;                  /* SOURCE_* */
	int root_fd;            /* /proc, or the snapshot directory */
	char *root_path;        /* for messages */
	uint64_t page_size;
	bool exact_ok;          /* PFNs and kpage* can be read (live: privileged; snapshot: captured exact) */
	const char *exact_why;  /* why not, when !exact_ok */
	struct timespec time;   /* snapshot: capture time; live: set at each scan */
	char host[256];
	/* live */
	int kpagecount_fd, kpageflags_fd;
	int kpagecgroup_fd;     /* -1 when the kernel has no /proc/kpagecgroup */
	bool have_pagemap_scan; /* PAGEMAP_SCAN ioctl works here */
	/* snapshot: the referenced frames, sorted by pfn */
	const uint64_t *kp;     /* mmapped records of 3 u64: pfn, count, flags */
	size_t kp_n;
	void *kp_map;
	size_t kp_map_len;
	struct snapfile *sf;    /* the one-file form (snapfile.h); NULL for a directory */
	struct kpcg_table *kpcg;/* the "kpagecgroup" member, loaded on first use (cgroup_read.c) */
};

/* Whether s serves stored facts (a snapshot, or a recording of one), not a live system. */
static inline bool source_stored(const struct source *s)
{
	return s->caps & SOURCE_STORED;
}

/* Opens the live /proc. Returns 0 or -errno with err set. */
int source_open_live(struct source *s, struct tm_error *err);
/*
 * Opens and validates a snapshot: a directory, or the one-file form
 * (snapfile.h). Returns 0 or -1 with err naming the file or member at fault.
 */
int source_open_snapshot(struct source *s, const char *dir, struct tm_error *err);
void source_close(struct source *s);
/* The time of what s shows: a snapshot's capture time, now for the live system. */
void source_time(struct source *s, struct timespec *out);
/*
 * Hands s a fact derived from what was read, in the text of the snapshot
 * member name ("census", "cgroups", "shmem"): a source that keeps what
 * passes through it (a recording) stores it, the others drop it. Worth
 * formatting only for a SOURCE_WHOLE source. Returns 0 or -1 with err set.
 */
int source_keep(struct source *s, const char *name, const void *text, size_t len, struct tm_error *err);
/*
 * Tells s that process id could not be read (id->err set): a recording
 * notes it. Returns 0 or -1 with err set.
 */
int source_proc_failed(struct source *s, const struct proc_ident *id, struct tm_error *err);

/*
 * Lists the user-space processes (kernel threads skipped) with their
 * identity (want: IDENT_* bits), sorted by pid, and which of them share
 * an mm (proc_ident.shares_mm_with). *out is owned by the
 * caller (proc_ident_release each, then free). A process that vanished
 * during the listing is dropped. Returns 0 or -1 with err set.
 */
int source_list(struct source *s, unsigned want, struct proc_ident **out, size_t *n, struct tm_error *err);
/* As source_list, for the processes among pids[0..npids) only. */
int source_list_pids(struct source *s, unsigned want, const pid_t *pids, size_t npids, struct proc_ident **out,
		     size_t *n, struct tm_error *err);

/*
 * Opens the file name of process pid to be read again and again (pread
 * from offset 0: a seq_file reads afresh), as top keeps status open.
 * Returns the descriptor (the caller's to close) or -errno.
 */
int source_open_proc(struct source *s, pid_t pid, const char *name);

/*
 * Reads the text file NAME ("maps", "smaps", "smaps_rollup", "status") of
 * process pid into b. Returns 0 or -errno (-ENOENT/-ESRCH: vanished;
 * -EACCES/-EPERM: not permitted). A snapshot file that is missing or too
 * large gives -EIO with err naming it.
 */
int source_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err);
/*
 * What the file behind pid's mapping [start, end) lives on, through
 * /proc/PID/map_files (live, privileged); VMA_FS_UNKNOWN when that cannot
 * be told: a snapshot, a vanished mapping, a device node, hugetlbfs.
 */
enum vma_fs source_mapping_fs(struct source *s, pid_t pid, uint64_t start, uint64_t end);

/* Reads a top-level file ("meminfo") into b. Returns 0 or -errno, with err set. */
int source_read_top(struct source *s, const char *name, struct buf *b, struct tm_error *err);
/*
 * Whether a snapshot (either form) holds the top-level file name ("census"),
 * for files older snapshots lack. False for a live source.
 */
bool source_snapshot_has(struct source *s, const char *name);

/* A process's page table, open for reading. */
struct pagemap;

/* Opens pid's pagemap. Returns NULL with *rc = -errno. */
struct pagemap *pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err);
/*
 * A snapshot's pagemap against the mappings read from its maps_file
 * ("maps" or "smaps"): every populated run must lie in mappings. Returns
 * 0, or -EIO with err naming the pagemap, then maps_file.
 */
int pagemap_check_maps(struct pagemap *pm, const struct vma_list *vmas, const char *maps_file,
		       struct tm_error *err);
void pagemap_close(struct pagemap *pm);

/* A run of populated virtual pages: [start, end) in bytes, page aligned. */
struct vrange {
	uint64_t start, end;
};

/*
 * Finds the populated (present or swapped) page ranges within [start, end):
 * with PAGEMAP_SCAN where the kernel has it, from the stored ranges for a
 * snapshot, and otherwise returns [start, end) whole (the caller reads and
 * skips empty entries). Appends to *r (capacity *cap). Returns the number
 * appended or -errno.
 */
ssize_t pagemap_populated(struct pagemap *pm, uint64_t start, uint64_t end,
			  struct vrange **r, size_t *n, size_t *cap, struct tm_error *err);
/* As pagemap_populated, for the swapped pages only (live with PAGEMAP_SCAN; otherwise the same ranges). */
ssize_t pagemap_swapped(struct pagemap *pm, uint64_t start, uint64_t end,
			struct vrange **r, size_t *n, size_t *cap, struct tm_error *err);

/*
 * Reads npages pagemap entries starting at virtual address vaddr into out.
 * Entries a snapshot does not hold read as 0 (not present). Returns 0 or -errno.
 */
int pagemap_read(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out, struct tm_error *err);

/*
 * Looks up kpagecount and kpageflags for n frames (either of counts and
 * flags may be NULL to read only the other; a SOURCE_WHOLE source reads both); pfns
 * must be sorted and unique. Runs of nearby frames are read with one pread each. Live, a
 * frame beyond the end of memory gets count 0 and KPF_NOPAGE; a snapshot
 * that lacks a frame is corrupt (-EIO, err names the file). Returns 0 or -errno.
 */
int kpage_lookup(struct source *s, const uint64_t *pfns, size_t n,
		 uint64_t *counts, uint64_t *flags, struct tm_error *err);

#endif
