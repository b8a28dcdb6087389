/*
 * census.h: the physical census (SPEC section 2.2). Every frame of online
 * RAM is put in exactly one class from its /proc/kpageflags word, with
 * /proc/kpagecount read only for frames flagged KPF_MMAP (mapped or not,
 * page by page) and /proc/kpagecgroup only when the memcg split is asked
 * for (Documentation/admin-guide/mm/pagemap.rst).
 *
 * The walk (census_read, source/census_live.c) reads the frames in large
 * batches and hands them to census_add_batch (aggregate/census.c), which is
 * pure. A capture stores the finished census as the snapshot member
 * "census" (census_format / census_parse), so `sys --from` prints what the
 * live run printed.
 */
#ifndef TRUEMEM_CENSUS_H
#define TRUEMEM_CENSUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "meminfo.h"
#include "util.h"

struct source;

enum census_class {
	CEN_MAPPED_ANON, CEN_MAPPED_FILE, CEN_MAPPED_SHMEM,
	CEN_CACHE_FILE, CEN_CACHE_SHMEM, CEN_ANON_UNMAPPED,
	CEN_SLAB, CEN_PAGETABLES, CEN_HUGETLB, CEN_FREE, CEN_ZERO_PAGE,
	CEN_RESERVED, CEN_OFFLINE, CEN_KERNEL_OTHER,
	CEN_COUNT
};
/* The user-page classes, the ones split by memcg: the first CEN_USER_COUNT. */
#define CEN_USER_COUNT (CEN_ANON_UNMAPPED + 1)
extern const char *const census_class_names[CEN_COUNT];   /* "mapped_anon", ... */

/* Frames of the user-page classes charged to one memcg (kpagecgroup's inode; 0: none). */
struct census_memcg {
	uint64_t ino;
	uint64_t pages[CEN_USER_COUNT];
};

struct census {
	uint64_t page_size;
	uint64_t frames;              /* frames read: the sum of pages[] */
	uint64_t pages[CEN_COUNT];
	/* The free class in two parts: pages of the buddy allocator's free
	 * blocks, and whole never-initialised blocks (deferred struct page
	 * init: present RAM the kernel counts in MemFree but has not yet given
	 * to the buddy allocator; their flag words read 0). */
	uint64_t free_buddy, free_uninit;
	bool by_memcg;                /* the memcg split was taken (CENSUS_MEMCG) */
	struct census_memcg *memcg;   /* owned; sorted by ino */
	size_t nmemcg;
	double cost_ms;               /* wall time of the walk (live), 0 from a snapshot */
};

enum { CENSUS_MEMCG = 1 << 0 };   /* census_read: also split the user classes by memcg */

/* Frames per batch of census_add_batch (and per pread of the walk). */
#define CENSUS_BATCH 65536

/*
 * One batch of consecutive frames: flags[i] is frame first+i's kpageflags
 * word. count_of(i) must return its kpagecount (called only for frames
 * flagged KPF_MMAP), memcg_of(i) its kpagecgroup (only with CENSUS_MEMCG,
 * for user-page frames). The batch reader provides both lazily.
 */
struct census_batch {
	uint64_t first;
	const uint64_t *flags;
	size_t n;
	uint64_t (*count_of)(void *ctx, size_t i);
	uint64_t (*memcg_of)(void *ctx, size_t i);
	void *ctx;
};

/* Running state of a census walk: the census, plus a pending run of all-zero flag words. */
struct census_acc {
	struct census *c;
	unsigned flags;               /* CENSUS_* */
	uint64_t zero_start, zero_len;
};

void census_acc_init(struct census_acc *a, struct census *c, unsigned flags);
/* Classifies a batch. Batches must come in ascending frame order. */
void census_add_batch(struct census_acc *a, const struct census_batch *b);
/* Ends a range of online RAM (a hole or the end follows). */
void census_acc_end_range(struct census_acc *a);
/* Finishes the walk: sorts the memcg table. */
void census_acc_finish(struct census_acc *a);

void census_release(struct census *c);
/* Finds memcg ino in c's table, NULL when no frame is charged to it. */
const struct census_memcg *census_memcg_find(const struct census *c, uint64_t ino);

/* Appends c as the snapshot member "census" to b. */
void census_format(const struct census *c, struct buf *b);
/* Parses the member text into out (owned; census_release). Returns 0 or -EINVAL. */
int census_parse(const char *text, size_t len, struct census *out);

/*
 * Takes the census of source s: live, walks every frame of online RAM (the
 * top-level "System RAM" ranges of /proc/iomem); a snapshot, reads its
 * "census" member. A SOURCE_WHOLE source (a recording) is handed the
 * result, with the memcg split (source_keep). Returns 0, -ENOENT when a snapshot holds no census, or another
 * negative errno with err set (not permitted, a damaged member).
 */
int census_read(struct source *s, unsigned flags, struct census *out, struct tm_error *err);

/* ---- reconciliation with /proc/meminfo (aggregate/census.c) ---- */

/* One line of the comparison: census classes beside meminfo fields. */
struct census_cmp {
	const char *label;            /* what is compared, e.g. "slab" */
	const char *source;           /* the kernel's figure, e.g. "Slab" */
	uint64_t census_bytes;
	uint64_t kernel_bytes;
	bool known;                   /* the kernel has the fields */
};
#define CENSUS_CMP_MAX 16

/*
 * Compares c with meminfo mi and vmstat's nr_free_pages (nr_free_pages
 * UINT64_MAX when unknown). Fills out (CENSUS_CMP_MAX entries) and returns
 * how many.
 */
size_t census_compare(const struct census *c, const struct meminfo *mi, uint64_t nr_free_pages,
		      struct census_cmp *out);
/* nr_free_pages from /proc/vmstat text, UINT64_MAX when absent. */
uint64_t vmstat_nr_free_pages(const char *text, size_t len);

#endif
