/*
 * census.c: the physical census's classification (census.h), pure: one
 * kpageflags word per frame in, one class per frame out, and the
 * comparison of the classes with /proc/meminfo. Flag meanings:
 * Documentation/admin-guide/mm/pagemap.rst.
 *
 * Free memory, as this kernel shows it: every page of a free buddy block
 * reads KPF_BUDDY (head and tail pages alike; their count matches vmstat's
 * nr_free_pages), so a KPF_BUDDY frame is free whatever its neighbours.
 * With deferred struct page initialisation (deferred_init=lazy here),
 * present RAM the kernel has not yet initialised reads as flag word 0 in
 * long runs; MemFree counts it, nr_free_pages does not. A run of zero
 * words is counted free for the whole aligned MAX_ORDER blocks it covers
 * (the unit in which the kernel initialises and frees memory); the rest of
 * the run, and shorter runs, are allocated kernel pages without flags
 * (vmalloc, stacks, drivers): kernel_other.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "kernel.h"

#define UNINIT_BLOCK_PAGES 1024   /* MAX_ORDER block (order 10) of 4 KiB pages */

const char *const census_class_names[CEN_COUNT] = {
	[CEN_MAPPED_ANON] = "mapped_anon", [CEN_MAPPED_FILE] = "mapped_file",
	[CEN_MAPPED_SHMEM] = "mapped_shmem", [CEN_CACHE_FILE] = "cache_file",
	[CEN_CACHE_SHMEM] = "cache_shmem", [CEN_ANON_UNMAPPED] = "anon_unmapped",
	[CEN_SLAB] = "slab", [CEN_PAGETABLES] = "pagetables", [CEN_HUGETLB] = "hugetlb",
	[CEN_FREE] = "free", [CEN_ZERO_PAGE] = "zero_page", [CEN_RESERVED] = "reserved",
	[CEN_OFFLINE] = "offline", [CEN_KERNEL_OTHER] = "kernel_other",
};

/* The first rule whose mask the flags meet decides; the order matters (a slab page may read KPF_ANON). */
static const struct {
	uint64_t mask;
	enum census_class cls;
} kernel_rules[] = {
	{ KPF_NOPAGE | KPF_OFFLINE, CEN_OFFLINE },
	{ KPF_ZERO_PAGE, CEN_ZERO_PAGE },
	{ KPF_HUGE, CEN_HUGETLB },
	{ KPF_BUDDY, CEN_FREE },
	{ KPF_SLAB, CEN_SLAB },
	{ KPF_PGTABLE, CEN_PAGETABLES },
	{ KPF_RESERVED, CEN_RESERVED },
};

/* Flags only a page of user memory (anonymous or page cache) carries. */
#define USER_MASK (KPF_LRU | KPF_ANON | KPF_SWAPBACKED | KPF_MMAP | KPF_UNEVICTABLE | KPF_SWAPCACHE | \
		   KPF_UPTODATE | KPF_DIRTY | KPF_WRITEBACK | KPF_MAPPEDTODISK)

void census_acc_init(struct census_acc *a, struct census *c, unsigned flags)
{
	memset(a, 0, sizeof(*a));
	a->c = c;
	a->flags = flags;
	c->by_memcg = (flags & CENSUS_MEMCG) != 0;
}

static void flush_zero_run(struct census_acc *a)
{
	uint64_t lo = a->zero_start, hi = lo + a->zero_len, uninit = 0;
	uint64_t blo = (lo + UNINIT_BLOCK_PAGES - 1) / UNINIT_BLOCK_PAGES * UNINIT_BLOCK_PAGES;
	uint64_t bhi = hi / UNINIT_BLOCK_PAGES * UNINIT_BLOCK_PAGES;

	if (bhi > blo)
		uninit = bhi - blo;
	a->c->free_uninit += uninit;
	a->c->pages[CEN_FREE] += uninit;
	a->c->pages[CEN_KERNEL_OTHER] += a->zero_len - uninit;
	a->zero_len = 0;
}

/* Where ino is, or would go, in c's table (sorted by ino). */
static size_t memcg_lower_bound(const struct census *c, uint64_t ino)
{
	return u64_lower_bound(c->memcg, c->nmemcg, sizeof(*c->memcg), offsetof(struct census_memcg, ino), 0, ino);
}

static struct census_memcg *memcg_slot(struct census *c, uint64_t ino)
{
	size_t lo = memcg_lower_bound(c, ino);

	if (lo < c->nmemcg && c->memcg[lo].ino == ino)
		return &c->memcg[lo];
	c->memcg = xrealloc(c->memcg, (c->nmemcg + 1) * sizeof(*c->memcg));
	memmove(&c->memcg[lo + 1], &c->memcg[lo], (c->nmemcg - lo) * sizeof(*c->memcg));
	c->nmemcg++;
	memset(&c->memcg[lo], 0, sizeof(*c->memcg));
	c->memcg[lo].ino = ino;
	return &c->memcg[lo];
}

static enum census_class user_class(uint64_t f, bool mapped)
{
	if (f & KPF_ANON)
		return mapped ? CEN_MAPPED_ANON : CEN_ANON_UNMAPPED;
	if (f & KPF_SWAPBACKED)
		return mapped ? CEN_MAPPED_SHMEM : CEN_CACHE_SHMEM;
	return mapped ? CEN_MAPPED_FILE : CEN_CACHE_FILE;
}

static enum census_class classify(const struct census_batch *b, size_t i, uint64_t f)
{
	for (size_t r = 0; r < sizeof(kernel_rules) / sizeof(kernel_rules[0]); r++)
		if (f & kernel_rules[r].mask)
			return kernel_rules[r].cls;
	if (!(f & USER_MASK))
		return CEN_KERNEL_OTHER;
	/* KPF_MMAP is the folio's; a page of a partly mapped large folio may itself be unmapped. */
	return user_class(f, (f & KPF_MMAP) && b->count_of(b->ctx, i) > 0);
}

void census_add_batch(struct census_acc *a, const struct census_batch *b)
{
	struct census *c = a->c;
	struct census_memcg *last = NULL;

	for (size_t i = 0; i < b->n; i++) {
		uint64_t f = b->flags[i];
		enum census_class cls;

		if (f == 0) {
			if (!a->zero_len)
				a->zero_start = b->first + i;
			a->zero_len++;
			continue;
		}
		if (a->zero_len)
			flush_zero_run(a);
		if (f == KPF_BUDDY) {   /* the common case, without the rule walk */
			c->pages[CEN_FREE]++;
			c->free_buddy++;
			continue;
		}
		cls = classify(b, i, f);
		c->pages[cls]++;
		if (cls == CEN_FREE)
			c->free_buddy++;
		if (cls < CEN_USER_COUNT && (a->flags & CENSUS_MEMCG)) {
			uint64_t ino = b->memcg_of(b->ctx, i);

			if (!last || last->ino != ino)
				last = memcg_slot(c, ino);
			last->pages[cls]++;
		}
	}
	c->frames += b->n;
}

void census_acc_end_range(struct census_acc *a)
{
	if (a->zero_len)
		flush_zero_run(a);
}

void census_acc_finish(struct census_acc *a)
{
	census_acc_end_range(a);
}

void census_release(struct census *c)
{
	free(c->memcg);
	memset(c, 0, sizeof(*c));
}

const struct census_memcg *census_memcg_find(const struct census *c, uint64_t ino)
{
	size_t lo = memcg_lower_bound(c, ino);

	return lo < c->nmemcg && c->memcg[lo].ino == ino ? &c->memcg[lo] : NULL;
}

/* ---- the comparison with /proc/meminfo ---- */

#define C(x) (1u << (x))

/* A census figure (a set of classes, or a part of free) beside a sum of meminfo fields. */
static const struct {
	const char *label;
	unsigned classes;        /* CEN_* bits; 0: use part */
	int part;                /* 1: free_buddy, 2: free_uninit, 3: all frames */
	const char *fields[4];   /* meminfo keys summed; "-" subtracts the rest from the first */
	const char *source;      /* the same, for people */
} cmp_rows[] = {
	{ "free", C(CEN_FREE), 0, { "MemFree" }, "MemFree" },
	{ "free: buddy allocator", 0, 1, { "nr_free_pages" }, "vmstat nr_free_pages" },
	{ "free: not yet initialised", 0, 2, { "MemFree", "-", "nr_free_pages" }, "MemFree - nr_free_pages" },
	{ "mapped_anon", C(CEN_MAPPED_ANON), 0, { "AnonPages" }, "AnonPages" },
	{ "mapped_file + mapped_shmem", C(CEN_MAPPED_FILE) | C(CEN_MAPPED_SHMEM), 0, { "Mapped" }, "Mapped" },
	{ "mapped_shmem + cache_shmem", C(CEN_MAPPED_SHMEM) | C(CEN_CACHE_SHMEM), 0, { "Shmem" }, "Shmem" },
	{ "page cache (file and shmem)", C(CEN_MAPPED_FILE) | C(CEN_MAPPED_SHMEM) | C(CEN_CACHE_FILE) |
	  C(CEN_CACHE_SHMEM), 0, { "Buffers", "Cached" }, "Buffers + Cached" },
	{ "anon_unmapped", C(CEN_ANON_UNMAPPED), 0, { "SwapCached" }, "SwapCached" },
	{ "slab", C(CEN_SLAB), 0, { "Slab" }, "Slab" },
	{ "pagetables", C(CEN_PAGETABLES), 0, { "PageTables", "SecPageTables" }, "PageTables + SecPageTables" },
	{ "hugetlb", C(CEN_HUGETLB), 0, { "Hugetlb" }, "Hugetlb" },
	{ "kernel_other", C(CEN_KERNEL_OTHER), 0, { "KernelStack", "VmallocUsed", "Percpu" }, "KernelStack + VmallocUsed + Percpu" },
	{ "all frames - reserved - offline", 0, 3, { "MemTotal" }, "MemTotal" },
};

static bool field_bytes(const struct meminfo *mi, uint64_t nr_free_bytes, const char *key, uint64_t *v)
{
	if (!strcmp(key, "nr_free_pages")) {
		*v = nr_free_bytes;
		return nr_free_bytes != UINT64_MAX;
	}
	*v = meminfo_get(mi, key);
	return *v != UINT64_MAX;
}

static uint64_t part_pages(const struct census *c, int part)
{
	switch (part) {
	case 1: return c->free_buddy;
	case 2: return c->free_uninit;
	default: return c->frames - c->pages[CEN_RESERVED] - c->pages[CEN_OFFLINE];
	}
}

size_t census_compare(const struct census *c, const struct meminfo *mi, uint64_t nr_free_pages,
		      struct census_cmp *out)
{
	uint64_t nr_free_bytes = nr_free_pages == UINT64_MAX ? UINT64_MAX : nr_free_pages * c->page_size;
	size_t n = 0;

	for (size_t r = 0; r < sizeof(cmp_rows) / sizeof(cmp_rows[0]) && n < CENSUS_CMP_MAX; r++) {
		struct census_cmp *o = &out[n++];
		uint64_t pages = 0, sum = 0, v;
		bool minus = false, any = false;

		memset(o, 0, sizeof(*o));
		o->label = cmp_rows[r].label;
		for (int k = 0; k < CEN_COUNT; k++)
			if (cmp_rows[r].classes & C(k))
				pages += c->pages[k];
		if (!cmp_rows[r].classes)
			pages = part_pages(c, cmp_rows[r].part);
		o->census_bytes = pages * c->page_size;
		o->known = true;
		for (int k = 0; k < 4 && cmp_rows[r].fields[k]; k++) {
			const char *key = cmp_rows[r].fields[k];

			if (!strcmp(key, "-")) {
				minus = true;
				continue;
			}
			if (!field_bytes(mi, nr_free_bytes, key, &v)) {
				/* Optional fields (SecPageTables, Percpu, Hugetlb) are absent on older kernels. */
				if (k == 0 || minus)
					o->known = false;
				continue;
			}
			any = true;
			sum = minus ? (sum > v ? sum - v : 0) : sum + v;
		}
		o->known = o->known && any;
		o->kernel_bytes = sum;
		o->source = cmp_rows[r].source;
	}
	return n;
}

uint64_t vmstat_nr_free_pages(const char *text, size_t len)
{
	static const char key[] = "nr_free_pages ";
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > sizeof(key) - 1 && !memcmp(p, key, sizeof(key) - 1)) {
			uint64_t v = 0;
			const char *q = p + sizeof(key) - 1;

			if (q == le || *q < '0' || *q > '9')
				return UINT64_MAX;
			for (; q < le && *q >= '0' && *q <= '9'; q++) {
				if (v > (UINT64_MAX - 9) / 10)
					return UINT64_MAX;
				v = v * 10 + (uint64_t)(*q - '0');
			}
			return q == le ? v : UINT64_MAX;
		}
		p = le + 1;
	}
	return UINT64_MAX;
}
