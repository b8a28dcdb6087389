/*
 * test_account.c: the aggregator's page walk (account.h): which entries it
 * counts without reading their frames' facts, what it asks the collector to
 * read, and that a frame met again is counted from what the pass holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "account.h"
#include "kernel.h"

#define P 4096

/* One mapping [start, start + pages * P) with the given device and inode. */
static struct vma_list one_vma(uint64_t start, size_t pages, unsigned major, uint64_t inode, enum vma_fs fs)
{
	struct vma_list l = { calloc(1, sizeof(struct vma)), 1, 1 };

	l.v[0].start = start;
	l.v[0].end = start + pages * P;
	l.v[0].dev_major = major;
	l.v[0].inode = inode;
	l.v[0].fs = (unsigned char)fs;
	l.v[0].name = strdup(inode ? "/some/file" : "");
	return l;
}

struct walk {
	struct accounter a;
	struct mem_counts pc;
	uint32_t miss[8];
	uint64_t implied[8];
	size_t nmiss, hint;
};

/* Walks n entries from 0x1000 of mapping l as account_batch does, per mapping or not. */
static void walk(struct walk *w, struct vma_list *l, bool per_vma, const uint64_t *pm, size_t n)
{
	struct page_batch b = { 0x10000, n, pm };

	w->hint = 0;
	w->nmiss = account_batch(&w->a, 0, &w->pc, l, per_vma, &w->hint, &b, w->miss, w->implied);
}

/* Then counts the misses with the given facts, as the collector does once it read them. */
static void facts(struct walk *w, struct vma_list *l, bool per_vma, const uint64_t *pm, size_t n,
		  const uint64_t *count, const uint64_t *flags)
{
	struct page_batch b = { 0x10000, n, pm };

	account_misses(&w->a, 0, &w->pc, l, per_vma, 0, &b, w->miss, w->nmiss, count, flags);
}

static void test_exclusive_anon_needs_no_facts(void **state)
{
	struct vma_list anon = one_vma(0x10000, 4, 0, 0, VMA_FS_UNKNOWN);
	struct walk w = { 0 };
	uint64_t pm[2] = { PM_PRESENT | PM_MMAP_EXCLUSIVE | 100, PM_PRESENT | PM_MMAP_EXCLUSIVE | 101 };

	(void)state;
	account_init(&w.a, P);
	w.a.infer = true;
	walk(&w, &anon, false, pm, 2);
	assert_int_equal(w.nmiss, 0);
	assert_int_equal(w.pc.rss_bytes, 2 * P);
	assert_int_equal(w.pc.uss_bytes, 2 * P);
	assert_int_equal(w.pc.kind[KIND_ANON].uss_bytes, 2 * P);
	assert_true(w.pc.pss == 2 * pss_share(P, 1));
	account_release(&w.a);
	vma_list_release(&anon);
}

static void test_exclusive_not_trusted(void **state)
{
	/* Possibly hugetlbfs (major 0, an inode, filesystem unknown), or a capture: read. */
	struct vma_list huge = one_vma(0x10000, 4, 0, 7, VMA_FS_UNKNOWN);
	struct vma_list anon = one_vma(0x10000, 4, 0, 0, VMA_FS_UNKNOWN);
	struct walk w = { 0 };
	uint64_t pm[1] = { PM_PRESENT | PM_MMAP_EXCLUSIVE | 100 };

	(void)state;
	account_init(&w.a, P);
	w.a.infer = true;
	walk(&w, &huge, false, pm, 1);
	assert_int_equal(w.nmiss, 1);
	assert_true(w.implied[0] == FLAGS_UNKNOWN);
	account_release(&w.a);

	account_init(&w.a, P);
	w.a.infer = false;
	walk(&w, &anon, false, pm, 1);
	assert_int_equal(w.nmiss, 1);
	assert_true(w.implied[0] == FLAGS_UNKNOWN);
	account_release(&w.a);
	vma_list_release(&huge);
	vma_list_release(&anon);
}

static void test_implied_flags(void **state)
{
	static const struct {
		unsigned major;
		uint64_t inode;
		enum vma_fs fs;
		uint64_t pm_bits, implied;
	} cases[] = {
		{ 0, 0, VMA_FS_UNKNOWN, 0, KPF_ANON },                        /* anonymous memory */
		{ 254, 9, VMA_FS_UNKNOWN, 0, KPF_ANON },                      /* copied on write, file on disk */
		{ 254, 9, VMA_FS_UNKNOWN, PM_FILE, 0 },                       /* page cache of a file on disk */
		{ 0, 9, VMA_FS_SHMEM, PM_FILE, KPF_SWAPBACKED },              /* tmpfs, memfd */
		{ 0, 9, VMA_FS_SHMEM, 0, KPF_ANON },                          /* copied on write, tmpfs */
		{ 0, 9, VMA_FS_OTHER, PM_FILE, 0 },                           /* btrfs, overlay */
		{ 0, 9, VMA_FS_UNKNOWN, PM_FILE, FLAGS_UNKNOWN },             /* hugetlbfs, a device, a snapshot */
		{ 0, 9, VMA_FS_UNKNOWN, 0, FLAGS_UNKNOWN },
		{ 0, 0, VMA_FS_UNKNOWN, PM_FILE, FLAGS_UNKNOWN },             /* [vdso] */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vma_list l = one_vma(0x10000, 4, cases[i].major, cases[i].inode, cases[i].fs);
		struct walk w = { 0 };
		uint64_t pm[1] = { PM_PRESENT | cases[i].pm_bits | 100 };

		account_init(&w.a, P);
		w.a.infer = true;
		walk(&w, &l, false, pm, 1);
		assert_int_equal(w.nmiss, 1);
		if (w.implied[0] != cases[i].implied)
			fail_msg("case %zu: implied %#llx, want %#llx", i, (unsigned long long)w.implied[0],
				 (unsigned long long)cases[i].implied);
		account_release(&w.a);
		vma_list_release(&l);
	}
}

/* A frame mapped by two entries: read at the first, counted from the pass at the second. */
static void shared_frame(bool per_vma)
{
	struct vma_list l = one_vma(0x10000, 4, 0, 9, VMA_FS_SHMEM);
	struct walk w = { 0 };
	uint64_t pm[2] = { PM_PRESENT | PM_FILE | 500, PM_PRESENT | PM_FILE | 501 };
	uint64_t count[2] = { 2, 2 }, flags[2] = { KPF_SWAPBACKED | KPF_LRU, KPF_SWAPBACKED | KPF_LRU };
	struct mem_counts first, totals;
	struct mem_counts *procs[2] = { &first, &w.pc };

	account_init(&w.a, P);
	w.a.infer = true;
	walk(&w, &l, per_vma, pm, 2);
	assert_int_equal(w.nmiss, 2);
	facts(&w, &l, per_vma, pm, 2, count, flags);
	first = w.pc;
	memset(&w.pc, 0, sizeof(w.pc));
	/* The second process: both frames are known, nothing to read. */
	walk(&w, &l, per_vma, pm, 2);
	assert_int_equal(w.nmiss, 0);
	assert_int_equal(w.pc.rss_bytes, 2 * P);
	assert_int_equal(w.pc.kind[KIND_SHMEM].rss_bytes, 2 * P);
	assert_int_equal(w.pc.uss_bytes, 0);
	assert_true(w.pc.pss == 2 * pss_share(P, 2));
	assert_true(w.pc.kind[KIND_SHMEM].pss == 2 * pss_share(P, 2));
	if (per_vma)
		assert_int_equal(l.v[0].counts.rss_bytes, 4 * P);
	account_finish(&w.a, procs, NULL, NULL, NULL, 2, NULL, 0, &totals);
	assert_int_equal(totals.rss_bytes, 2 * P);           /* distinct frames */
	assert_int_equal(totals.uss_bytes, 2 * P);           /* every mapper walked */
	assert_int_equal(totals.kind[KIND_SHMEM].rss_bytes, 2 * P);
	account_release(&w.a);
	vma_list_release(&l);
}

static void test_shared_frame_summed(void **state)
{
	(void)state;
	shared_frame(false);
}

static void test_shared_frame_per_mapping(void **state)
{
	(void)state;
	shared_frame(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclusive_anon_needs_no_facts),
		cmocka_unit_test(test_exclusive_not_trusted),
		cmocka_unit_test(test_implied_flags),
		cmocka_unit_test(test_shared_frame_summed),
		cmocka_unit_test(test_shared_frame_per_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
