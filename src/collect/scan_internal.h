/*
 * scan_internal.h: what the files of one scan share (scan.h is the
 * interface). scan.c runs the pass; scan_select.c picks the processes;
 * scan_read.c is the reading half of the exact walk (mappings, pagemap
 * ranges); scan_frames.c the accounting half (frame facts, counting);
 * scan_proc.c one process's read and its result, and the serial walk;
 * scan_threads.c the reader threads and their admission. Grouping and
 * the rollup sums are the aggregator's (group.h).
 */
#ifndef TRUEMEM_SCAN_INTERNAL_H
#define TRUEMEM_SCAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "account.h"
#include "error.h"
#include "feed.h"
#include "group.h"
#include "scan.h"
#include "source.h"
#include "util.h"

/* The reading half of an exact walk (see "The exact walk" below), and rollup's reads. */
struct reader {
	struct source *src;
	struct buf text;
	struct vrange *ranges, *sparse;     /* populated ranges of a mapping, and within a sparse range */
	size_t nranges, cap_ranges, nsparse, cap_sparse;
	struct u64_counter *fs;             /* inode -> device minor << 8 | enum vma_fs, + 1 */
	bool swap_in_use;
	const char *vmas_file;              /* "maps" or "smaps": what the last read_vmas read */
	struct tm_error *err;
};

/* Reused buffers of one scan. */
struct scan_ctx {
	struct source *src;
	const struct scan_opts *o;
	struct scan *sc;
	struct accounter acc;
	uint64_t pm[FEED_PAGES], pfn[FEED_PAGES], count[FEED_PAGES], flags[FEED_PAGES];
	uint64_t ecount[FEED_PAGES], eflags[FEED_PAGES];
	struct frame_ref { uint64_t pfn; uint32_t entry; } pairs[FEED_PAGES], pairs_tmp[FEED_PAGES];
	uint32_t uidx[FEED_PAGES];           /* sorted pair -> its frame's index in pfn[] */
	uint32_t miss[FEED_PAGES];           /* entries whose frames the aggregator does not hold */
	uint64_t implied[FEED_PAGES];        /* kpageflags their mappings imply, or FLAGS_UNKNOWN */
	uint64_t fpfn[FEED_PAGES];           /* frames whose kpageflags are read */
	uint32_t fidx[FEED_PAGES];           /* unique frame -> its index in fpfn[] */
	size_t vma_hint;                     /* where in its mappings the process's walk is */
	struct reader rd;                    /* the serial walk's reader, and rollup's */
	bool swap_in_use;           /* hidden shmem swap is possible */
	const pid_t *others;        /* the processes not scanned (outside -p) */
	size_t nothers;
	bool listed_some;           /* scan_list read only the pids asked for: others unknown */
	unsigned char *role;        /* enum mm_role of each process */
	uint32_t *mm_of;            /* the MM_OWN process whose numbers each process shows */
	struct tm_error *err;
};

/*
 * The exact walk has two halves. The reader lists a process's mappings
 * and reads its pagemap, handing both to a sink; the accounting resolves
 * the entries' frames and counts them. In a serial walk the sink accounts
 * at once; in a threaded one (scan_walk_threaded) it passes them through a
 * feed to the accounting on the scan's own thread. The reader keeps
 * walking the mappings it handed on (their bounds and names) until it ends
 * the process; the accounting writes only their counts meanwhile.
 */
struct walk;

struct sink {
	struct scan_ctx *c;         /* serial: account at once */
	struct feed *feed;          /* threaded: hand on through the feed */
	struct walk *walk;          /* ...of this walk */
	struct feed_item *staged;
	uint32_t proc;
};

/*
 * Whether mapping v may be of a shmem object (tmpfs, memfd, SysV, shared
 * anonymous: device major 0, not known to live elsewhere), whose swapped
 * pages pagemap does not show.
 */
static inline bool may_be_shmem(const struct vma *v)
{
	return v->dev_major == 0 && v->inode != 0 && v->fs != VMA_FS_OTHER;
}

/* scan_select.c */
/* Whether o selects the process id (by pid, name, user and filter; never truemem itself when any selects). */
bool proc_selected(const struct scan_opts *o, const struct proc_ident *id);
/* Takes the listed ids: out's processes are those o selects (all when whole), the others' pids in others[]. */
size_t scan_select(const struct scan_opts *o, bool whole, struct proc_ident *ids, size_t nids, struct scan *out,
		   pid_t *others, pid_t *others_mm);
/* Notes the requested pids that do not exist and the names no process has. */
void scan_missing(const struct scan_opts *o, const struct proc_ident *ids, size_t n, struct scan *sc);
/* The identity the scan reads: what the caller's view needs, and what selecting and grouping need. */
unsigned scan_ident_want(const struct scan_opts *o);

/* scan_read.c */
void reader_release(struct reader *r);
/* Reads pid's mappings into vmas (initialised here), from smaps when asked. Returns 0 or -errno. */
int read_vmas(struct reader *r, pid_t pid, struct vma_list *vmas, bool smaps);
/* The reading half for one process: its mappings, then its pagemap, into the sink. Returns 0 or -errno. */
int read_proc_exact(struct reader *r, pid_t pid, bool want_smaps, struct sink *k);
/* Counts the swap entries of the processes pids, outside the scan, for swap_pss. Returns 0 or -errno. */
int scan_outside_swap(struct scan_ctx *c, const pid_t *pids, size_t n);

/* scan_frames.c */
/* The mappings of process p, read: given to the accounting. */
void take_vmas(struct scan_ctx *c, struct proc *p, struct vma_list *vmas);
/* Counts process pi's n entries pm from vaddr, reading the frames' facts it needs. Returns 0 or -errno. */
int take_batch(struct scan_ctx *c, uint32_t pi, struct proc *p, uint64_t vaddr, size_t n, const uint64_t *pm);
/* The end of a process read whole: what is left to count, then its mappings kept or freed. */
void take_end(struct scan_ctx *c, struct proc *p);

/* scan_proc.c */
/* Whether the mappings are read from smaps. */
bool want_smaps(const struct scan_ctx *c);
/* Whether exact mode reads process pi: not one that takes another's numbers, unless reading whole. */
bool exact_reads(const struct scan_ctx *c, uint32_t pi);
/* Whether failure rc reading p ends the scan: a damaged snapshot does, a vanished process does not. */
bool proc_error_fatal(const struct source *s, const struct proc *p, int rc);
/* Process p was read with status rc: done, unreadable, or a fatal error for the scan (*fatal). */
void proc_done(struct scan_ctx *c, struct proc *p, int rc, int *fatal);
/* Whether process k of the walk opens (or closes) its group. */
bool walk_first(const struct scan *sc, const size_t *order, size_t k);
bool walk_last(const struct scan *sc, const size_t *order, size_t k);
/* Whether the caller wants the scan to stop (top, quitting while it scans); says so in err. */
bool scan_cancelled(struct scan_ctx *c);
/* Ends group g's walk, keeping its frames when asked to. */
void group_end(struct scan_ctx *c, int g);
/* Walks the processes in order, group by group, on this thread. Returns 0 or the fatal error. */
int scan_walk(struct scan_ctx *c, const size_t *order);

/* scan_threads.c */
/* Notes nvmas mappings handed on by a reader of walk w, not yet counted. */
void walk_hold(struct walk *w, size_t nvmas);
/* Whether the accounting of walk w wants no more. */
bool walk_stopped(struct walk *w);
/* Whether the walk is threaded: exact, not a capture, TRUEMEM_SERIAL unset. */
bool walk_threaded(const struct scan_ctx *c);
/* scan_walk with the reading on other threads. Returns 0 or the fatal error. */
int scan_walk_threaded(struct scan_ctx *c, const size_t *order);

#endif
