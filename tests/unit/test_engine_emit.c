/*
 * test_engine_emit.c: the snapshot the engine writes (emit.c,
 * proc_text.c, meminfo.c) says what the kernel would say for the same
 * memory: maps lines with the pathname at column 73, smaps and
 * smaps_rollup values in kB with the kernel's fixed-point Pss, shmem swap
 * counted in Swap of every mapping covering it, status counters, meminfo,
 * pagemap entries (PM_FILE, PM_MMAP_EXCLUSIVE, swap entries, no entry for
 * swapped shmem) and kpagecount/kpageflags, read back through the
 * snapshot source.
 *
 * The scenario, worked by hand (pfns in allocation order, from 2):
 *   7 heap: page 0 written (pfn 2), page 1 read (zero page), then page 0
 *           swapped out while shared with child 8: slot 2, in both tables;
 *   7 lib:  2 pages of /lib/x.so read (pfns 3, 4), shared with 8 by fork;
 *   7 seg:  2 shmem pages written (pfns 5, 6); page 1 swapped (slot 1,
 *           held by the object); 8 inherits the mapping without entries;
 *   8 heap: writes page 2: pfn 2 again (the free list is LIFO).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "kernel.h"
#include "source.h"
#include "util.h"

static const char scenario[] =
	"ram 1M\nswap 1M\nspawn 7 app uid=1000\n"
	"mmap 7 heap anon private 12K\n"
	"mmap 7 lib file /lib/x.so private 8K offset=4K\n"
	"mmap 7 seg shmem s 8K\n"
	"touch 7 heap write 0 4K\ntouch 7 heap read 4K 4K\ntouch 7 lib read\ntouch 7 seg write\n"
	"fork 7 8\nswapout 7 seg 4K 4K\nswapout 7 heap 0 4K\ntouch 8 heap write 8K 4K\n";

struct fixture {
	char dir[64];
	struct buf b;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct engine *e = engine_new();
	struct tm_error err = { "" };
	char root[] = "/tmp/truemem-emit-XXXXXX";

	if (!mkdtemp(root))
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/snap", root);
	if (scenario_run(e, "emit.scn", scenario, strlen(scenario), &err) || engine_emit(e, f->dir, &err)) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	engine_free(e);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%.*s'", (int)(strrchr(f->dir, '/') - f->dir), f->dir);
	if (system(cmd) != 0)
		return -1;
	buf_release(&f->b);
	free(f);
	return 0;
}

static const char *read_file(struct fixture *f, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	if (buf_read_at(&f->b, AT_FDCWD, path, 1 << 20) != 0)
		fail_msg("cannot read %s", path);
	return f->b.buf;
}

/* The line of text starting with prefix, within the block that starts with header (NULL: whole text). */
static void assert_line(const char *text, const char *header, const char *line)
{
	const char *p = header ? strstr(text, header) : text;
	const char *end;

	if (!p)
		fail_msg("no block '%s'", header);
	end = header ? strstr(p + 1, "VmFlags:") : NULL;
	for (const char *q = strstr(p, line); q; q = strstr(q + 1, line)) {
		if (end && q > end)
			break;
		if ((q == text || q[-1] == '\n') && q[strlen(line) - 1] == '\n')
			return;
	}
	fail_msg("no line '%.*s' in block '%s'", (int)strlen(line) - 1, line, header ? header : "(all)");
}

static void test_maps_lines(void **state)
{
	struct fixture *f = *state;
	char want[512];

	snprintf(want, sizeof(want), "10000000-10003000 rw-p 00000000 00:00 0 \n%-73s%s\n%-73s%s\n",
		 "10004000-10006000 rw-p 00001000 08:01 100001", "/lib/x.so",
		 "10007000-10009000 rw-s 00000000 00:01 200002", "/memfd:s (deleted)");
	assert_string_equal(read_file(f, "7/maps"), want);
	assert_string_equal(read_file(f, "8/maps"), want);
}

static void test_smaps_values(void **state)
{
	struct fixture *f = *state;
	const char *s = read_file(f, "7/smaps");
	const char *lib = "10004000-10006000", *seg = "10007000-10009000", *heap = "10000000-10003000";

	assert_line(s, heap, "Size:                 12 kB\n");
	assert_line(s, heap, "KernelPageSize:        4 kB\n");
	assert_line(s, heap, "Rss:                   0 kB\n");        /* swapped + zero page */
	assert_line(s, heap, "Swap:                  4 kB\n");
	assert_line(s, heap, "SwapPss:               2 kB\n");        /* slot held by 7 and 8 */
	assert_line(s, lib, "Rss:                   8 kB\n");
	assert_line(s, lib, "Pss:                   4 kB\n");
	assert_line(s, lib, "Shared_Clean:          8 kB\n");
	assert_line(s, lib, "Private_Dirty:         0 kB\n");
	assert_line(s, lib, "Anonymous:             0 kB\n");
	assert_line(s, seg, "Rss:                   4 kB\n");
	assert_line(s, seg, "Pss_Dirty:             4 kB\n");
	assert_line(s, seg, "Private_Dirty:         4 kB\n");
	assert_line(s, seg, "Swap:                  4 kB\n");         /* shmem swap, */
	assert_line(s, seg, "SwapPss:               0 kB\n");         /* never in SwapPss */
	assert_line(s, seg, "VmFlags: rd wr sh mr mw me ms \n");
	/* the child has no entries in seg but covers the swapped page */
	s = read_file(f, "8/smaps");
	assert_line(s, seg, "Rss:                   0 kB\n");
	assert_line(s, seg, "Swap:                  4 kB\n");
	assert_line(s, heap, "Rss:                   4 kB\n");
	assert_line(s, heap, "Private_Dirty:         4 kB\n");
}

static void test_smaps_rollup(void **state)
{
	struct fixture *f = *state;
	const char *s = read_file(f, "7/smaps_rollup");
	char hdr[128];

	snprintf(hdr, sizeof(hdr), "%-73s[rollup]\n", "10000000-10009000 ---p 00000000 00:00 0");
	assert_true(strncmp(s, hdr, strlen(hdr)) == 0);
	assert_line(s, NULL, "Rss:                  12 kB\n");
	assert_line(s, NULL, "Pss:                   8 kB\n");
	assert_line(s, NULL, "Pss_Anon:              0 kB\n");
	assert_line(s, NULL, "Pss_File:              4 kB\n");
	assert_line(s, NULL, "Pss_Shmem:             4 kB\n");
	assert_line(s, NULL, "Swap:                  8 kB\n");
	assert_line(s, NULL, "SwapPss:               2 kB\n");
}

static void test_status_and_ident(void **state)
{
	struct fixture *f = *state;
	const char *s = read_file(f, "7/status");

	assert_line(s, NULL, "Name:\tapp\n");
	assert_line(s, NULL, "PPid:\t1\n");
	assert_line(s, NULL, "Uid:\t1000\t1000\t1000\t1000\n");
	assert_line(s, NULL, "VmSize:\t      28 kB\n");
	assert_line(s, NULL, "RssAnon:\t       0 kB\n");
	assert_line(s, NULL, "RssFile:\t       8 kB\n");
	assert_line(s, NULL, "RssShmem:\t       4 kB\n");
	assert_line(s, NULL, "VmSwap:\t       4 kB\n");              /* anon entries only */
	s = read_file(f, "8/status");
	assert_line(s, NULL, "PPid:\t7\n");
	assert_line(s, NULL, "RssAnon:\t       4 kB\n");
	assert_line(s, NULL, "RssShmem:\t       0 kB\n");
	s = read_file(f, "8/ident");
	assert_non_null(strstr(s, "user 1000\n"));
	assert_non_null(strstr(s, "exe /sim/app\n"));
}

static void test_meminfo(void **state)
{
	struct fixture *f = *state;
	const char *s = read_file(f, "meminfo");

	assert_line(s, NULL, "MemTotal:           1024 kB\n");
	assert_line(s, NULL, "MemFree:            1008 kB\n");      /* 4 frames: 1 anon, 2 file, 1 shmem */
	assert_line(s, NULL, "Cached:               12 kB\n");
	assert_line(s, NULL, "AnonPages:             4 kB\n");
	assert_line(s, NULL, "Shmem:                 4 kB\n");
	assert_line(s, NULL, "SwapTotal:          1024 kB\n");
	assert_line(s, NULL, "SwapFree:           1016 kB\n");
}

static void test_pagemap_and_kpages(void **state)
{
	struct fixture *f = *state;
	struct source src;
	struct tm_error err = { "" };
	struct pagemap *pm;
	uint64_t e[9], cnt[5], fl[5];
	const uint64_t pfns[5] = { 1, 2, 3, 4, 5 };
	const uint64_t basic = KPF_LRU | KPF_UPTODATE | KPF_MMAP | KPF_REFERENCED;
	int rc;

	assert_int_equal(source_open_snapshot(&src, f->dir, &err), 0);
	pm = pagemap_open(&src, 7, &rc, &err);
	assert_non_null(pm);
	assert_int_equal(pagemap_read(pm, 0x10000000, 9, e, &err), 0);
	assert_int_equal(e[0], PM_SWAP | (UINT64_C(2) << PM_SWAP_OFF_SHIFT));
	assert_int_equal(e[1], PM_PRESENT | 1);                           /* zero page: no flags */
	assert_int_equal(e[2], 0);
	assert_int_equal(e[3], 0);                                        /* the gap */
	assert_int_equal(e[4], PM_PRESENT | PM_FILE | 3);                 /* mapped twice */
	assert_int_equal(e[5], PM_PRESENT | PM_FILE | 4);
	assert_int_equal(e[7], PM_PRESENT | PM_FILE | PM_MMAP_EXCLUSIVE | 5);
	assert_int_equal(e[8], 0);                                        /* swapped shmem: nothing */
	pagemap_close(pm);
	pm = pagemap_open(&src, 8, &rc, &err);
	assert_non_null(pm);
	assert_int_equal(pagemap_read(pm, 0x10000000, 3, e, &err), 0);
	assert_int_equal(e[0], PM_SWAP | (UINT64_C(2) << PM_SWAP_OFF_SHIFT));
	assert_int_equal(e[2], PM_PRESENT | PM_MMAP_EXCLUSIVE | 2);
	pagemap_close(pm);

	assert_int_equal(kpage_lookup(&src, pfns, 5, cnt, fl, &err), 0);
	assert_int_equal(fl[0] & KPF_ZERO_PAGE, KPF_ZERO_PAGE);
	assert_int_equal(cnt[0], 0);                                      /* as on Linux */
	assert_int_equal(cnt[1], 1);
	assert_int_equal(fl[1], basic | KPF_ANON | KPF_SWAPBACKED | KPF_DIRTY);
	assert_int_equal(cnt[2], 2);
	assert_int_equal(fl[2], basic);
	assert_int_equal(cnt[3], 2);
	assert_int_equal(cnt[4], 1);
	assert_int_equal(fl[4], basic | KPF_SWAPBACKED | KPF_DIRTY);
	source_close(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_lines),
		cmocka_unit_test(test_smaps_values),
		cmocka_unit_test(test_smaps_rollup),
		cmocka_unit_test(test_status_and_ident),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_pagemap_and_kpages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
