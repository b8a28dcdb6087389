/*
 * counts.h: the numbers of SPEC section 2 for one process, mapping, group
 * or the whole system, and the fixed-point PSS arithmetic they use.
 *
 * PSS is kept in fixed point with PSS_SHIFT fractional bits, the same
 * precision the kernel's smaps uses (fs/proc/task_mmu.c), so a page mapped
 * by N processes adds (page_size << PSS_SHIFT) / N and never 0. It is
 * truncated to whole bytes only when printed (pss_bytes()).
 */
#ifndef TRUEMEM_COUNTS_H
#define TRUEMEM_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

#define PSS_SHIFT 12
typedef uint64_t pss_t;   /* bytes << PSS_SHIFT */

/* The share of one page of page_size bytes mapped mapcount times (mapcount >= 1). */
static inline pss_t pss_share(uint64_t page_size, uint64_t mapcount)
{
	return (page_size << PSS_SHIFT) / (mapcount ? mapcount : 1);
}
static inline uint64_t pss_bytes(pss_t p) { return p >> PSS_SHIFT; }

enum page_kind { KIND_ANON, KIND_FILE, KIND_SHMEM, KIND_COUNT };
extern const char *const page_kind_names[KIND_COUNT];   /* "anon", "file", "shmem" */

struct kind_counts {
	uint64_t rss_bytes;
	pss_t pss;
	uint64_t uss_bytes;
	uint64_t swap_bytes;
};

/*
 * What is known about one process, mapping or group. The valid mask says
 * which fields hold real numbers: in rollup mode some cannot be known and
 * are reported as null, never as 0.
 */
enum {
	CNT_RSS       = 1 << 0,
	CNT_PSS       = 1 << 1,
	CNT_USS       = 1 << 2,
	CNT_SWAP      = 1 << 3,
	CNT_SWAP_PSS  = 1 << 4,
	CNT_SWAP_USS  = 1 << 5,
	CNT_KIND_RSS  = 1 << 6,
	CNT_KIND_PSS  = 1 << 7,
	CNT_KIND_USS  = 1 << 8,
	CNT_KIND_SWAP = 1 << 9,
	CNT_EXTRA     = 1 << 10,   /* zero page, no-struct-page and hugetlb figures */
	CNT_EXACT     = 0x7ff & ~CNT_SWAP_USS,
	CNT_FATES     = 1 << 11,   /* frees, reclaimable, stays (SPEC section 2.1) */
	CNT_FREES_SWAP = 1 << 12,  /* frees_swap */
};

struct mem_counts {
	unsigned valid;            /* CNT_* mask */
	uint64_t rss_bytes;
	pss_t pss;
	uint64_t uss_bytes;
	uint64_t swap_bytes;
	pss_t swap_pss;
	uint64_t swap_uss_bytes;   /* groups only */
	struct kind_counts kind[KIND_COUNT];
	/* Mapped but outside rss, reported apart (SPEC section 2). */
	uint64_t zero_page_bytes;  /* the shared zero page */
	uint64_t nopage_bytes;     /* frames with no struct page / kpagecount 0 */
	uint64_t hugetlb_bytes;    /* hugetlbfs pages */
	uint64_t guard_bytes;      /* guard pages (MADV_GUARD_INSTALL markers): neither memory nor swap */
	/*
	 * What killing the process or group does with its uss (SPEC section
	 * 2.1): frees + reclaimable + stays = uss. Processes and groups only.
	 */
	uint64_t frees_bytes;      /* back to the free lists: anon, shmem of objects that die with it */
	uint64_t reclaimable_bytes;/* file pages: stay cached, reclaimable */
	uint64_t stays_bytes;      /* shmem of objects that outlive it */
	uint64_t frees_swap_bytes; /* swap slots freed */
};

/* dst += src, field by field; dst->valid becomes the intersection (an unknown stays unknown). */
void counts_add(struct mem_counts *dst, const struct mem_counts *src);

#endif
