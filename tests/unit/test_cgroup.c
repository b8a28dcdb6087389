/*
 * test_cgroup.c: memory cgroups (cgroup.h): the v2 and v1 readers on fake
 * hierarchies under a temporary directory, the snapshot member "cgroups"
 * (format, parse, what the parser refuses), the frame tally and the report
 * (frame columns from the census's memcg split, unexplained, the (removed)
 * row, sorting and --tree order).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "census.h"
#include "cgroup.h"
#include "view.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void dir(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static int setup_dir(void **state)
{
	snprintf(root, sizeof(root), "/tmp/truemem-test-cgroup.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static ino_t ino_of(const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* A cgroup v2 tree: the root lists memory, a child without the controller gives its processes up. */
static void test_v2_reader(void **state)
{
	struct cgroup_tree t;
	struct tm_error err = { "" };
	char *d = NULL;
	int version = 0, a, b;

	put("cgroup.controllers", "cpuset cpu io memory pids\n");
	put("cgroup.procs", "1\n7\n");
	dir("a");
	put("a/memory.current", "1048576\n");
	put("a/memory.max", "max\n");
	put("a/memory.swap.current", "4096\n");
	put("a/memory.stat", "anon 8192\nfile 0\nkernel 12288\nslab 999\n");
	put("a/cgroup.procs", "30\n20\n");
	dir("a/b");
	put("a/b/memory.current", "524288\n");
	put("a/b/memory.max", "2097152\n");
	put("a/b/memory.stat", "anon 1\nslab 4096\nkernel_stack 8192\npagetables 4096\npercpu 0\nsock 0\n"
	    "vmalloc 0\nsec_pagetables 0\n");
	put("a/b/cgroup.procs", "40\n");
	dir("a/nomem");
	put("a/nomem/cgroup.procs", "50\n");
	dir("a/nomem/deeper");
	put("a/nomem/deeper/cgroup.procs", "60\n");

	assert_int_equal(cgroup_detect(root, &d, &version, &err), 0);
	assert_int_equal(version, 2);
	assert_string_equal(d, root);
	assert_int_equal(cgroup_tree_read_dir(d, 2, 5000000, &t, &err), 0);
	free(d);
	assert_int_equal(t.version, 2);
	assert_int_equal(t.count, 3);
	assert_string_equal(t.n[0].path, "/");
	assert_int_equal(t.n[0].current, 5000000);   /* the root: MemTotal - MemFree */
	assert_false(t.n[0].has_max);
	assert_int_equal(t.n[0].nprocs, 2);
	a = cgroup_find_path(&t, "/a");
	b = cgroup_find_path(&t, "/a/b");
	assert_true(a > 0 && b > a);
	assert_int_equal(t.n[a].ino, ino_of("a"));
	assert_int_equal(t.n[a].current, 1048576);
	assert_false(t.n[a].has_max);
	assert_true(t.n[a].has_swap);
	assert_int_equal(t.n[a].swap, 4096);
	assert_true(t.n[a].has_kernel);
	assert_int_equal(t.n[a].kernel, 12288);   /* "kernel" wins over its parts */
	/* a's own processes and those of its subtree without the memory controller, ascending */
	assert_int_equal(t.n[a].nprocs, 4);
	assert_int_equal(t.n[a].procs[0], 20);
	assert_int_equal(t.n[a].procs[1], 30);
	assert_int_equal(t.n[a].procs[2], 50);
	assert_int_equal(t.n[a].procs[3], 60);
	assert_int_equal(t.n[b].parent, a);
	assert_int_equal(t.n[b].depth, 2);
	assert_true(t.n[b].has_max);
	assert_int_equal(t.n[b].max, 2097152);
	assert_false(t.n[b].has_swap);
	assert_int_equal(t.n[b].kernel, 16384);   /* no "kernel": the sum of the parts */
	assert_true(cgroup_in_subtree(&t, (size_t)b, (size_t)a));
	assert_false(cgroup_in_subtree(&t, (size_t)a, (size_t)b));
	assert_int_equal(cgroup_find_ino(&t, ino_of("a/b")), b);
	cgroup_tree_release(&t);
}

/* cgroup v1: every directory; the unlimited limit is null, swap = memsw - usage, kernel = kmem. */
static void test_v1_reader(void **state)
{
	struct cgroup_tree t;
	struct tm_error err = { "" };
	char *d = NULL;
	int version = 0, x;

	dir("memory");
	put("memory/memory.usage_in_bytes", "999\n");
	put("memory/cgroup.procs", "1\n");
	dir("memory/x");
	put("memory/x/memory.usage_in_bytes", "8192\n");
	put("memory/x/memory.limit_in_bytes", "9223372036854771712\n");
	put("memory/x/memory.memsw.usage_in_bytes", "12288\n");
	put("memory/x/memory.kmem.usage_in_bytes", "4096\n");
	put("memory/x/cgroup.procs", "");
	dir("memory/y");
	put("memory/y/memory.usage_in_bytes", "4096\n");
	put("memory/y/memory.limit_in_bytes", "1048576\n");

	assert_int_equal(cgroup_detect(root, &d, &version, &err), 0);
	assert_int_equal(version, 1);
	assert_int_equal(cgroup_tree_read_dir(d, 1, 77, &t, &err), 0);
	free(d);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.n[0].current, 77);
	x = cgroup_find_path(&t, "/x");
	assert_true(x > 0);
	assert_int_equal(t.n[x].current, 8192);
	assert_false(t.n[x].has_max);
	assert_true(t.n[x].has_swap);
	assert_int_equal(t.n[x].swap, 4096);
	assert_int_equal(t.n[x].kernel, 4096);
	assert_int_equal(t.n[x].nprocs, 0);
	x = cgroup_find_path(&t, "/y");
	assert_true(t.n[x].has_max);
	assert_int_equal(t.n[x].max, 1048576);
	assert_false(t.n[x].has_swap);
	assert_false(t.n[x].has_kernel);
	cgroup_tree_release(&t);
}

/* Neither hierarchy: a clear error. */
static void test_detect_none(void **state)
{
	struct tm_error err = { "" };
	char *d = NULL;
	int version = 0;

	put("cgroup.controllers", "cpu io\n");
	assert_int_equal(cgroup_detect(root, &d, &version, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no memory cgroup controller"));
	assert_null(d);
}

static const char member[] =
	"truemem-cgroups 1\n"
	"version 2\n"
	"cgroup /\n"
	"inode 1\n"
	"memory.current 1000000\n"
	"memory.max max\n"
	"memory.swap.current -\n"
	"kernel -\n"
	"procs 1\n"
	"cgroup /sim.slice\n"
	"inode 7\n"
	"memory.current 65536\n"
	"memory.max max\n"
	"memory.swap.current 0\n"
	"kernel 0\n"
	"cgroup /sim.slice/a b\\n.service\n"
	"inode 8\n"
	"memory.current 40960\n"
	"memory.max 1048576\n"
	"memory.swap.current 0\n"
	"kernel 4096\n"
	"procs 10 11\n"
	"cgroup /sim.slice/c.service\n"
	"inode 9\n"
	"memory.current 24576\n"
	"memory.max max\n"
	"memory.swap.current 0\n"
	"kernel 0\n"
	"procs 20\n";

/* The member parses, and formats back byte for byte. */
static void test_member_round_trip(void **state)
{
	struct cgroup_tree t;
	struct buf b = BUF_INIT;
	int k;

	assert_int_equal(cgroup_tree_parse(member, strlen(member), &t), 0);
	assert_int_equal(t.version, 2);
	assert_int_equal(t.count, 4);
	k = cgroup_find_path(&t, "/sim.slice/a b\n.service");
	assert_int_equal(k, 2);
	assert_int_equal(t.n[k].parent, 1);
	assert_int_equal(t.n[k].ino, 8);
	assert_int_equal(t.n[k].max, 1048576);
	assert_int_equal(t.n[k].nprocs, 2);
	assert_false(t.n[0].has_swap);
	assert_false(t.n[0].has_kernel);
	cgroup_tree_format(&t, &b);
	assert_int_equal(b.len, strlen(member));
	assert_memory_equal(b.buf, member, b.len);
	buf_release(&b);
	cgroup_tree_release(&t);
}

/* Each damage is refused, never half read. */
static void test_member_refused(void **state)
{
	static const struct {
		const char *from, *to;
	} damage[] = {
		{ "truemem-cgroups 1", "truemem-cgroups 2" },   /* version of the format */
		{ "version 2", "version 3" },
		{ "cgroup /\n", "cgroup /x\n" },                  /* the root first */
		{ "cgroup /sim.slice\n", "cgroup /other\n" },     /* a parent before its children */
		{ "inode 8", "inode 7" },                         /* inodes unique */
		{ "inode 1", "inode 0" },
		{ "memory.current 65536", "memory.current -1" },
		{ "memory.max 1048576", "memory.max lots" },
		{ "procs 20", "procs 11" },                       /* a pid in two cgroups */
		{ "procs 10 11", "procs 11 10" },                 /* ascending */
		{ "kernel 4096", "kernels 4096" },                /* unknown key */
		{ "cgroup /sim.slice/c.service\ninode 9\n", "cgroup /sim.slice/c.service\n" },   /* inode missing */
		{ "\\n.service", "\\q.service" },                 /* a bad escape */
	};
	char text[2048];

	for (size_t i = 0; i < sizeof(damage) / sizeof(damage[0]); i++) {
		struct cgroup_tree t;
		const char *at = strstr(member, damage[i].from);
		size_t pre;

		assert_non_null(at);
		pre = (size_t)(at - member);
		snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, member, damage[i].to, at + strlen(damage[i].from));
		if (cgroup_tree_parse(text, strlen(text), &t) != -EINVAL)
			fail_msg("damage %zu (%s -> %s) was accepted", i, damage[i].from, damage[i].to);
	}
	/* truncated in the middle of the last record */
	{
		struct cgroup_tree t;

		assert_int_equal(cgroup_tree_parse(member, strlen(member) - 60, &t), -EINVAL);
	}
}

/* The frame tally: inside the subtree, elsewhere, and no memcg (neither). */
static void test_tally(void **state)
{
	struct cgroup_tree t;
	uint64_t inos[] = { 8, 8, 9, 7, 1, 0, 42 }, in = 0, out = 0;

	assert_int_equal(cgroup_tree_parse(member, strlen(member), &t), 0);
	cgroup_tally(&t, 2, inos, 7, &in, &out);     /* a b\n.service: 8 */
	assert_int_equal(in, 2);
	assert_int_equal(out, 4);                    /* 9, 7, 1 and the unknown 42 */
	in = out = 0;
	cgroup_tally(&t, 1, inos, 7, &in, &out);     /* sim.slice: 7, 8, 9 */
	assert_int_equal(in, 4);
	assert_int_equal(out, 2);
	cgroup_tree_release(&t);
}

/* Rows from the census split: classes, subtree sums, unexplained, (removed), order. */
static void test_report(void **state)
{
	struct cgroup_tree t;
	struct census c = { .page_size = 4096, .by_memcg = true };
	struct census_memcg m[] = {
		{ 1, { 1, 0, 0, 0, 0, 0 } },
		{ 8, { 3, 2, 0, 1, 1, 0 } },      /* 5 mapped, 1 cache file, 1 cache shmem */
		{ 9, { 2, 0, 0, 0, 0, 1 } },      /* 2 mapped, 1 unmapped anon */
		{ 55, { 0, 0, 0, 4, 0, 0 } },     /* a memcg no directory has: (removed) */
	};
	struct cgroup_input in[4] = { 0 };
	struct cgroup_report r;
	size_t order[8];
	const struct cgroup_row *x;

	assert_int_equal(cgroup_tree_parse(member, strlen(member), &t), 0);
	c.memcg = m;
	c.nmemcg = 4;
	for (int i = 0; i < 4; i++) {
		in[i].scanned = true;
		in[i].frames_known = true;
		in[i].counts.valid = CNT_RSS;
	}
	in[2].inside_pages = 4;           /* a b: 4 of its 5 mapped frames mapped by its processes */
	in[2].elsewhere_pages = 3;
	in[1].inside_pages = 7;
	cgroup_report_build(&t, &c, in, 4096, NULL, &r);
	assert_int_equal(r.n, 5);
	x = &r.rows[2];
	assert_string_equal(x->path, "/sim.slice/a b\n.service");
	assert_true(x->frames_known);
	assert_int_equal(x->mapped_inside, 4 * 4096);
	assert_int_equal(x->mapped_outside_only, 1 * 4096);
	assert_int_equal(x->unmapped_file, 4096);
	assert_int_equal(x->unmapped_shmem, 4096);
	assert_int_equal(x->unmapped_anon, 0);
	assert_int_equal(x->mapped_from_elsewhere, 3 * 4096);
	/* 40960 charged - 7 frames - 4096 kernel */
	assert_int_equal(x->unexplained, 40960 - 7 * 4096 - 4096);
	x = &r.rows[1];                   /* sim.slice: 8 and 9 summed */
	assert_int_equal(x->mapped_inside, 7 * 4096);
	assert_int_equal(x->mapped_outside_only, 0);
	assert_int_equal(x->unmapped_anon, 4096);
	assert_int_equal(x->unexplained, 65536 - 10 * 4096);
	x = &r.rows[4];
	assert_string_equal(x->path, "(removed)");
	assert_false(x->kernel_known);
	assert_int_equal(x->unmapped_file, 4 * 4096);
	/* by charged, the removed row last; reversed, still last */
	cgroup_report_sort(&r, &t, CGC_CHARGED, false, false, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 3);
	assert_int_equal(order[4], 4);
	cgroup_report_sort(&r, &t, CGC_CHARGED, true, false, order);
	assert_int_equal(order[0], 3);
	assert_int_equal(order[4], 4);
	/* the tree: children after their parent, by the column */
	cgroup_report_sort(&r, &t, CGC_CHARGED, true, true, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 3);
	assert_int_equal(order[3], 2);
	assert_int_equal(order[4], 4);
	assert_int_equal(cgroup_column_find("USED_BY_OTHERS"), CGC_USED_BY_OTHERS);
	assert_int_equal(cgroup_column_find("mapped_from_elsewhere"), CGC_BORROWED);
	assert_int_equal(cgroup_column_find("pss"), -1);
	cgroup_report_release(&r);
	/* without a census: no frame column is known, and no (removed) row */
	cgroup_report_build(&t, NULL, in, 4096, "rollup", &r);
	assert_int_equal(r.n, 4);
	assert_false(r.rows[2].frames_known);
	cgroup_report_release(&r);
	cgroup_tree_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_v2_reader, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_v1_reader, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_detect_none, setup_dir, teardown_dir),
		cmocka_unit_test(test_member_round_trip),
		cmocka_unit_test(test_member_refused),
		cmocka_unit_test(test_tally),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
