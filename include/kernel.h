/*
 * kernel.h: the bits of the kernel's page-table interfaces truemem decodes.
 *
 * Every constant here comes from Documentation/admin-guide/mm/pagemap.rst
 * (pagemap entries, /proc/kpagecount, /proc/kpageflags) or from
 * include/uapi/linux/fs.h (the PAGEMAP_SCAN ioctl, Linux 6.7+). They are
 * defined here rather than taken from system headers because Debian 12's
 * linux-libc-dev predates PAGEMAP_SCAN, and because a snapshot written on
 * one machine must decode identically on another.
 */
#ifndef TRUEMEM_KERNEL_H
#define TRUEMEM_KERNEL_H

#include <stdint.h>
#include <linux/ioctl.h>

/* /proc/PID/pagemap: one 64-bit entry per virtual page (pagemap.rst). */
#define PM_PFN_MASK        ((UINT64_C(1) << 55) - 1) /* bits 0-54 if present */
#define PM_SWAP_TYPE_MASK  UINT64_C(0x1f)            /* bits 0-4 if swapped */
#define PM_SWAP_OFF_SHIFT  5                         /* bits 5-54 if swapped */
#define PM_SOFT_DIRTY      (UINT64_C(1) << 55)
#define PM_MMAP_EXCLUSIVE  (UINT64_C(1) << 56)       /* page exclusively mapped */
#define PM_UFFD_WP         (UINT64_C(1) << 57)
#define PM_GUARD_REGION    (UINT64_C(1) << 58)
#define PM_FILE            (UINT64_C(1) << 61)       /* file page or shared anon */
#define PM_SWAP            (UINT64_C(1) << 62)
#define PM_PRESENT         (UINT64_C(1) << 63)

static inline uint64_t pm_pfn(uint64_t pm) { return pm & PM_PFN_MASK; }
/* Swap entry identity (type and offset), bits 0-54 of a swapped entry. */
static inline uint64_t pm_swap_entry(uint64_t pm) { return pm & PM_PFN_MASK; }

/*
 * pagemap sets PM_SWAP for every non-present entry that is not empty, swap
 * or not (include/linux/swapops.h): the types from MAX_SWAPFILES up are
 * migration, hwpoison, device-private and page-table marker entries (guard
 * regions, userfaultfd write-protect and poison markers: type 31). The
 * kernel's configuration moves MAX_SWAPFILES between 23 (all of them
 * built in: 32 - 4 device - 3 migration - 1 hwpoison - 1 marker) and 31,
 * so a type below 23 is a swap area's on any kernel; one above, only when
 * that many swap areas exist.
 */
#define SWAP_TYPES_ALWAYS 23

/* Whether a pagemap entry holds a swap entry of one of nareas swap areas. */
static inline int pm_is_swap(uint64_t pm, unsigned nareas)
{
	uint64_t type = pm & PM_SWAP_TYPE_MASK;

	return (pm & (PM_PRESENT | PM_SWAP | PM_GUARD_REGION)) == PM_SWAP &&
	       (type < SWAP_TYPES_ALWAYS || type < nareas);
}

/* kcmp(2) type comparing two processes' mm (include/uapi/linux/kcmp.h). */
#define KCMP_VM 1

/* /proc/kpageflags: one 64-bit flag word per frame (pagemap.rst). */
#define KPF_BIT(n) (UINT64_C(1) << (n))
#define KPF_LOCKED        KPF_BIT(0)
#define KPF_REFERENCED    KPF_BIT(2)
#define KPF_UPTODATE      KPF_BIT(3)
#define KPF_DIRTY         KPF_BIT(4)
#define KPF_LRU           KPF_BIT(5)
#define KPF_ACTIVE        KPF_BIT(6)
#define KPF_SLAB          KPF_BIT(7)
#define KPF_BUDDY         KPF_BIT(10)
#define KPF_MMAP          KPF_BIT(11)
#define KPF_ANON          KPF_BIT(12)
#define KPF_SWAPCACHE     KPF_BIT(13)
#define KPF_SWAPBACKED    KPF_BIT(14)
#define KPF_COMPOUND_HEAD KPF_BIT(15)
#define KPF_COMPOUND_TAIL KPF_BIT(16)
#define KPF_HUGE          KPF_BIT(17)   /* hugetlbfs page */
#define KPF_UNEVICTABLE   KPF_BIT(18)
#define KPF_NOPAGE        KPF_BIT(20)   /* no struct page behind the PFN */
#define KPF_KSM           KPF_BIT(21)
#define KPF_THP           KPF_BIT(22)
#define KPF_ZERO_PAGE     KPF_BIT(24)   /* the shared zero page (or huge zero page) */
#define KPF_PGTABLE       KPF_BIT(26)
/* Kernel-internal flags kpageflags also reports (pagemap.rst, "kernel-internal"). */
#define KPF_WRITEBACK     KPF_BIT(8)
#define KPF_OFFLINE       KPF_BIT(23)   /* logically offline: ballooned, not usable */
#define KPF_RESERVED      KPF_BIT(32)   /* PG_reserved: memblock, firmware, kernel image */
#define KPF_MAPPEDTODISK  KPF_BIT(34)

/* PAGEMAP_SCAN ioctl on an open /proc/PID/pagemap (uapi/linux/fs.h, 6.7+). */
#define PAGE_IS_WPALLOWED  (1 << 0)
#define PAGE_IS_WRITTEN    (1 << 1)
#define PAGE_IS_FILE       (1 << 2)
#define PAGE_IS_PRESENT    (1 << 3)
#define PAGE_IS_SWAPPED    (1 << 4)
#define PAGE_IS_PFNZERO    (1 << 5)
#define PAGE_IS_HUGE       (1 << 6)

struct pm_page_region {
	uint64_t start;
	uint64_t end;        /* exclusive */
	uint64_t categories;
};

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;   /* written by the kernel: where the walk stopped */
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inverted;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define TM_PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)

#endif
