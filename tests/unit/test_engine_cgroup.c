/*
 * test_engine_cgroup.c: the engine's memory cgroups (cgroup.c): who a
 * frame and a swap slot are charged to, through forks, moves, exits,
 * swap-outs and swap-ins, checked against the engine's truth (truth.h),
 * with the figures worked out by hand here. 4 KiB pages; P = 4096.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "engine_fixture.h"
#include "engine_mm.h"
#include "truth.h"

#define P UINT64_C(4096)

static const struct truth_cgroup *cg_of(const struct truth *t, const char *path)
{
	for (size_t i = 0; i < t->ncgroups; i++)
		if (strcmp(t->cgroups[i].path, path) == 0)
			return &t->cgroups[i];
	fail_msg("no cgroup '%s' in truth", path);
	return NULL;
}

/* Checks charged and swap_charged of cgroup path, in pages. */
static void expect_charge(const struct engine *e, const char *path, uint64_t pages, uint64_t swap_pages)
{
	struct truth t;
	const struct truth_cgroup *c;

	truth_init(&t);
	engine_truth(e, &t);
	c = cg_of(&t, path);
	if (c->charged_bytes != pages * P || c->swap_charged_bytes != swap_pages * P)
		fail_msg("%s: charged %llu swap %llu, want %llu and %llu pages", path,
			 (unsigned long long)(c->charged_bytes / P), (unsigned long long)(c->swap_charged_bytes / P),
			 (unsigned long long)pages, (unsigned long long)swap_pages);
	truth_release(&t);
}

/*
 * A slot's charge follows its data: written out from /p's frame, it is
 * /p's; read into a frame by a process in /c, the frame is /c's and the
 * slot (cached, its other holder still in /p) is no one's; when that frame
 * goes, the slot holds the only copy again and takes the frame's charge.
 */
static void test_swap_charge_follows_data(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\ncgroup /p\ncgroup /c\nspawn 10 parent cgroup=/p\n"
				  "mmap 10 heap anon private 4K\ntouch 10 heap write\nfork 10 11\nmove 11 /c\n"
				  "swapout 10 heap\n");

	expect_charge(e, "/p", 0, 1);
	expect_charge(e, "/c", 0, 0);
	run_more(e, "touch 11 heap read\n");
	expect_charge(e, "/p", 0, 0);
	expect_charge(e, "/c", 1, 0);
	run_more(e, "exit 11\n");
	expect_charge(e, "/p", 0, 0);
	expect_charge(e, "/c", 0, 1);
	run_more(e, "touch 10 heap read\n");   /* the last holder reads it: the slot goes */
	expect_charge(e, "/p", 1, 0);
	expect_charge(e, "/c", 0, 0);
	expect_charge(e, "/", 1, 0);
	check_and_free(e);
}

/* A shmem page swapped out and back: the slot is the writer's, the new frame the reader's. */
static void test_shmem_swapin_charges_the_faulting_process(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\ncgroup /w\ncgroup /r\nspawn 10 w cgroup=/w\n"
				  "spawn 20 r cgroup=/r\nmmap 10 m shmem ring 8K\nmmap 20 m shmem ring 8K\n"
				  "touch 10 m write\nswapout 10 m\n");

	expect_charge(e, "/w", 0, 2);
	run_more(e, "touch 20 m read 0 4K\n");
	expect_charge(e, "/w", 0, 1);
	expect_charge(e, "/r", 1, 0);
	check_and_free(e);
}

/* A huge page's 512 frames are charged at once; a copy-on-write copy of one page to the writer. */
static void test_huge_page_charge(void **state)
{
	struct engine *e = run_ok("ram 8M\ncgroup /a\ncgroup /b\nspawn 10 h cgroup=/a\n"
				  "mmap 10 big anon private 2M huge\ntouch 10 big write\nfork 10 11\nmove 11 /b\n"
				  "touch 11 big write 0 4K\n");

	expect_charge(e, "/a", 512, 0);
	expect_charge(e, "/b", 1, 0);
	run_more(e, "exit 10\n");   /* 11 still maps 511 of the 512 frames: they stay, charged to /a */
	expect_charge(e, "/a", 511, 0);
	check_and_free(e);
}

/*
 * spawn's options in either order; the default cgroup and its implicit
 * parent; a '/' in NAME escaped; fork keeps the cgroup; ident shows it.
 */
static void test_spawn_cgroups(void **state)
{
	struct engine *e = run_ok("cgroup /k/pods/p1\nspawn 5 x cgroup=/k/pods/p1 uid=7\nspawn 6 kworker/0:1\n"
				  "spawn 7 web\nfork 7 8\nmove 7 /k\nmmap 8 h anon private 4K\ntouch 8 h write\n");
	struct truth t;

	truth_init(&t);
	engine_truth(e, &t);
	assert_string_equal(truth_find(&t, 5)->cgroup, "/k/pods/p1");
	assert_int_equal(truth_find(&t, 5)->uid, 7);
	assert_string_equal(truth_find(&t, 6)->cgroup, "/sim.slice/kworker\\x2f0:1.service");
	assert_string_equal(truth_find(&t, 7)->cgroup, "/k");
	assert_string_equal(truth_find(&t, 8)->cgroup, "/sim.slice/web.service");
	/* /, /k, /k/pods, /k/pods/p1, /sim.slice and its two services */
	assert_int_equal(t.ncgroups, 7);
	assert_int_equal(cg_of(&t, "/k")->npids, 2);
	assert_int_equal(cg_of(&t, "/k/pods")->npids, 1);
	assert_int_equal(cg_of(&t, "/sim.slice")->npids, 2);
	assert_int_equal(cg_of(&t, "/sim.slice/web.service")->charged_bytes, P);
	assert_int_equal(cg_of(&t, "/")->ino, 1);
	truth_release(&t);
	check_and_free(e);
}

/* --trace says who moved where. */
static void test_move_trace(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct engine *e = engine_new();
	struct tm_error err;
	const char *s = "cgroup /b\nspawn 3 a\nmove 3 /b\n";

	engine_set_trace(e, f);
	assert_int_equal(scenario_run(e, "t.scn", s, strlen(s), &err), 0);
	fclose(f);
	assert_non_null(strstr(out, "move pid=3 /sim.slice/a.service -> /b\n"));
	free(out);
	engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_charge_follows_data),
		cmocka_unit_test(test_shmem_swapin_charges_the_faulting_process),
		cmocka_unit_test(test_huge_page_charge),
		cmocka_unit_test(test_spawn_cgroups),
		cmocka_unit_test(test_move_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
