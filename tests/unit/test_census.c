/*
 * test_census.c: the census's classification (census_add_batch), its
 * snapshot member (census_format / census_parse), the comparison with
 * meminfo (census_compare) and vmstat's nr_free_pages (census.h).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "census.h"
#include "kernel.h"
#include "status.h"

/* A batch's kpagecount and kpagecgroup words, and which were asked for. */
struct words {
	uint64_t count[4096], memcg[4096];
	int count_reads, memcg_reads;
};

static uint64_t count_of(void *ctx, size_t i)
{
	struct words *w = ctx;

	w->count_reads++;
	return w->count[i];
}

static uint64_t memcg_of(void *ctx, size_t i)
{
	struct words *w = ctx;

	w->memcg_reads++;
	return w->memcg[i];
}

static void run(struct census *c, unsigned flags, const uint64_t *f, size_t n, struct words *w)
{
	struct census_acc a;
	struct census_batch b = { .first = 0, .flags = f, .n = n, .count_of = count_of,
				  .memcg_of = memcg_of, .ctx = w };

	memset(c, 0, sizeof(*c));
	c->page_size = 4096;
	census_acc_init(&a, c, flags);
	census_add_batch(&a, &b);
	census_acc_finish(&a);
}

static uint64_t sum(const struct census *c)
{
	uint64_t s = 0;

	for (int k = 0; k < CEN_COUNT; k++)
		s += c->pages[k];
	return s;
}

/* Each kind of frame lands in its class; kpagecount is read only for KPF_MMAP frames. */
static void classes_by_flags(void **state)
{
	static struct words w;
	uint64_t f[] = {
		KPF_BUDDY, KPF_BUDDY | KPF_UPTODATE,           /* free, head or not */
		KPF_SLAB | KPF_ANON,                           /* slab, whatever else it reads */
		KPF_PGTABLE, KPF_HUGE | KPF_COMPOUND_HEAD, KPF_ZERO_PAGE | KPF_MMAP,
		KPF_RESERVED, KPF_NOPAGE, KPF_OFFLINE,
		KPF_ANON | KPF_LRU | KPF_MMAP,                 /* mapped anon (count 1) */
		KPF_ANON | KPF_SWAPCACHE | KPF_SWAPBACKED,     /* anon in swap cache, unmapped */
		KPF_LRU | KPF_MMAP,                            /* file, count 0: partly mapped folio */
		KPF_LRU | KPF_UPTODATE,                        /* page cache */
		KPF_SWAPBACKED | KPF_LRU | KPF_MMAP,           /* mapped shmem (count 2) */
		KPF_SWAPBACKED | KPF_LRU,                      /* unmapped shmem */
		KPF_COMPOUND_TAIL,                             /* a kernel allocation's tail */
		0,                                             /* a lone flagless page */
	};
	struct census c;

	memset(&w, 0, sizeof(w));
	w.count[9] = 1;
	w.count[11] = 0;
	w.count[13] = 2;
	run(&c, 0, f, sizeof(f) / sizeof(f[0]), &w);
	assert_int_equal(c.pages[CEN_FREE], 2);
	assert_int_equal(c.free_buddy, 2);
	assert_int_equal(c.pages[CEN_SLAB], 1);
	assert_int_equal(c.pages[CEN_PAGETABLES], 1);
	assert_int_equal(c.pages[CEN_HUGETLB], 1);
	assert_int_equal(c.pages[CEN_ZERO_PAGE], 1);
	assert_int_equal(c.pages[CEN_RESERVED], 1);
	assert_int_equal(c.pages[CEN_OFFLINE], 2);
	assert_int_equal(c.pages[CEN_MAPPED_ANON], 1);
	assert_int_equal(c.pages[CEN_ANON_UNMAPPED], 1);
	assert_int_equal(c.pages[CEN_CACHE_FILE], 2);
	assert_int_equal(c.pages[CEN_MAPPED_FILE], 0);
	assert_int_equal(c.pages[CEN_MAPPED_SHMEM], 1);
	assert_int_equal(c.pages[CEN_CACHE_SHMEM], 1);
	assert_int_equal(c.pages[CEN_KERNEL_OTHER], 2);
	assert_int_equal(c.frames, sizeof(f) / sizeof(f[0]));
	assert_int_equal(sum(&c), c.frames);
	assert_int_equal(w.count_reads, 3);   /* the three user frames flagged KPF_MMAP */
	assert_int_equal(w.memcg_reads, 0);
	assert_null(c.memcg);
	census_release(&c);
}

/* Whole aligned 1024-frame blocks of zero words are free (not yet initialised); the rest kernel_other. */
static void zero_runs(void **state)
{
	static uint64_t f[4096];
	static struct words w;
	struct census c;

	memset(f, 0, sizeof(f));
	f[100] = KPF_BUDDY;        /* run [101, 4096): blocks 1024..4095 whole */
	run(&c, 0, f, 4096, &w);
	assert_int_equal(c.free_uninit, 3072);
	assert_int_equal(c.free_buddy, 1);
	assert_int_equal(c.pages[CEN_FREE], 3073);
	assert_int_equal(c.pages[CEN_KERNEL_OTHER], 100 + (1024 - 101));
	assert_int_equal(sum(&c), 4096);
	census_release(&c);

	/* A run shorter than a block, however aligned, is kernel memory. */
	for (size_t i = 0; i < 4096; i++)
		f[i] = i >= 1024 && i < 2047 ? 0 : KPF_BUDDY;
	run(&c, 0, f, 4096, &w);
	assert_int_equal(c.free_uninit, 0);
	assert_int_equal(c.pages[CEN_KERNEL_OTHER], 1023);
	census_release(&c);
}

/* A zero run that spans two batches is judged as one run. */
static void zero_run_across_batches(void **state)
{
	static uint64_t f[2048];
	static struct words w;
	struct census c = { .page_size = 4096 };
	struct census_acc a;
	struct census_batch b1 = { .first = 0, .flags = f, .n = 1536, .count_of = count_of,
				   .memcg_of = memcg_of, .ctx = &w };
	struct census_batch b2 = { .first = 1536, .flags = f + 1536, .n = 512, .count_of = count_of,
				   .memcg_of = memcg_of, .ctx = &w };

	memset(f, 0, sizeof(f));
	census_acc_init(&a, &c, 0);
	census_add_batch(&a, &b1);
	census_add_batch(&a, &b2);
	census_acc_finish(&a);
	assert_int_equal(c.free_uninit, 2048);
	assert_int_equal(c.frames, 2048);
	census_release(&c);
}

/* With CENSUS_MEMCG the user classes are split by kpagecgroup's inode. */
static void memcg_split(void **state)
{
	static struct words w;
	uint64_t f[] = { KPF_ANON | KPF_MMAP, KPF_ANON | KPF_MMAP, KPF_LRU, KPF_SLAB, KPF_LRU | KPF_SWAPBACKED };
	struct census c;
	const struct census_memcg *m;

	memset(&w, 0, sizeof(w));
	w.count[0] = w.count[1] = 1;
	w.memcg[0] = 77;
	w.memcg[1] = 77;
	w.memcg[2] = 5;
	w.memcg[3] = 77;   /* slab: not split */
	w.memcg[4] = 5;
	run(&c, CENSUS_MEMCG, f, 5, &w);
	assert_true(c.by_memcg);
	assert_int_equal(c.nmemcg, 2);
	assert_int_equal(c.memcg[0].ino, 5);
	m = census_memcg_find(&c, 77);
	assert_non_null(m);
	assert_int_equal(m->pages[CEN_MAPPED_ANON], 2);
	m = census_memcg_find(&c, 5);
	assert_int_equal(m->pages[CEN_CACHE_FILE], 1);
	assert_int_equal(m->pages[CEN_CACHE_SHMEM], 1);
	assert_null(census_memcg_find(&c, 6));
	assert_int_equal(w.memcg_reads, 4);
	census_release(&c);
}

/* The snapshot member round-trips; broken ones are refused. */
static void file_round_trip(void **state)
{
	static struct words w;
	uint64_t f[] = { KPF_ANON | KPF_MMAP, KPF_BUDDY, KPF_LRU, KPF_SLAB };
	struct census c, back;
	struct buf b = BUF_INIT;
	char *bad;

	memset(&w, 0, sizeof(w));
	w.count[0] = 1;
	w.memcg[0] = 9;
	w.memcg[2] = 9;
	run(&c, CENSUS_MEMCG, f, 4, &w);
	c.cost_ms = 12.5;
	census_format(&c, &b);
	assert_int_equal(census_parse(b.buf, b.len, &back), 0);
	assert_int_equal(back.frames, 4);
	assert_memory_equal(back.pages, c.pages, sizeof(c.pages));
	assert_int_equal(back.free_buddy, 1);
	assert_true(back.by_memcg);
	assert_int_equal(back.nmemcg, 1);
	assert_int_equal(back.memcg[0].pages[CEN_CACHE_FILE], 1);
	assert_true(back.cost_ms == 12.5);
	census_release(&back);

	/* Classes that do not add up to the frames. */
	bad = strdup(b.buf);
	*strstr(bad, "frames 4") = 'F';
	assert_int_equal(census_parse(bad, strlen(bad), &back), -EINVAL);
	strcpy(bad, b.buf);
	memcpy(strstr(bad, "frames 4"), "frames 5", 8);
	assert_int_equal(census_parse(bad, strlen(bad), &back), -EINVAL);
	/* Truncated, garbage, a NUL inside. */
	assert_int_equal(census_parse(b.buf, b.len / 2, &back), -EINVAL);
	assert_int_equal(census_parse("hello\n", 6, &back), -EINVAL);
	assert_int_equal(census_parse(b.buf, b.len + 1, &back), -EINVAL);
	free(bad);
	buf_release(&b);
	census_release(&c);
}

/* Census figures beside meminfo's, and nr_free_pages parsed from vmstat. */
static void compare_with_meminfo(void **state)
{
	static const char mi_text[] = "MemTotal: 100 kB\nMemFree: 40 kB\nSlab: 8 kB\nAnonPages: 12 kB\n";
	static const char vm[] = "nr_free_pages_blocks 3\nnr_free_pages 9\nnr_zone_inactive_anon 1\n";
	struct census c = { .page_size = 4096, .frames = 25 };
	struct census_cmp cmp[CENSUS_CMP_MAX];
	struct meminfo mi = { 0 };
	size_t n;
	bool seen_free = false, seen_buddy = false, seen_hugetlb = false;

	assert_int_equal(vmstat_nr_free_pages(vm, sizeof(vm) - 1), 9);
	assert_int_equal(vmstat_nr_free_pages("nr_free_pages x\n", 16), UINT64_MAX);
	assert_int_equal(vmstat_nr_free_pages("", 0), UINT64_MAX);
	c.pages[CEN_FREE] = 11;
	c.free_buddy = 10;
	c.free_uninit = 1;
	c.pages[CEN_SLAB] = 2;
	c.pages[CEN_KERNEL_OTHER] = 12;
	assert_int_equal(meminfo_parse(mi_text, sizeof(mi_text) - 1, &mi), 0);
	n = census_compare(&c, &mi, 9, cmp);
	assert_true(n > 0 && n <= CENSUS_CMP_MAX);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(cmp[i].label, "free")) {
			assert_int_equal(cmp[i].census_bytes, 11 * 4096);
			assert_int_equal(cmp[i].kernel_bytes, 40 * 1024);
			assert_true(cmp[i].known);
			seen_free = true;
		} else if (!strcmp(cmp[i].label, "free: buddy allocator")) {
			assert_int_equal(cmp[i].kernel_bytes, 9 * 4096);
			seen_buddy = true;
		} else if (!strcmp(cmp[i].label, "hugetlb")) {
			assert_false(cmp[i].known);   /* no Hugetlb field: unknown, not 0 */
			seen_hugetlb = true;
		}
	}
	assert_true(seen_free && seen_buddy && seen_hugetlb);
	meminfo_release(&mi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(classes_by_flags),
		cmocka_unit_test(zero_runs),
		cmocka_unit_test(zero_run_across_batches),
		cmocka_unit_test(memcg_split),
		cmocka_unit_test(file_round_trip),
		cmocka_unit_test(compare_with_meminfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
