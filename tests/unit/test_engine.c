/*
 * test_engine.c: golden scenarios for the paging engine (engine.h), each
 * with its numbers worked out by hand here and checked against the
 * engine's truth (truth.h) and, where the behaviour is internal (which
 * page went to swap, how many frames are free), against its tables
 * (engine_mm.h). 4 KiB pages; P = 4096.
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

static const struct truth_proc *proc_of(const struct truth *t, pid_t pid)
{
	const struct truth_proc *p = truth_find(t, pid);

	if (!p)
		fail_msg("no process %d in truth", (int)pid);
	return p;
}

static const struct truth_group *group_of(const struct truth *t, enum truth_grouping by, const char *key)
{
	for (size_t i = 0; i < t->ngroups[by]; i++)
		if (strcmp(t->groups[by][i].key, key) == 0)
			return &t->groups[by][i];
	fail_msg("no %s group '%s'", truth_grouping_names[by], key);
	return NULL;
}

/* The PTE of pid at byte offset off of its region. */
static uint64_t pte_at(struct engine *e, pid_t pid, const char *region, uint64_t off)
{
	struct eng_proc *p = proc_find(e, pid);
	uint32_t vid;

	assert_non_null(p);
	vid = vma_find_region(e, p, region);
	assert_true(vid != 0);
	return pgtable_get(&p->pt, (e->vmas[vid].start + off) >> ENG_PAGE_SHIFT);
}

/* Parent and k = 3 children share 4 written pages: each has pss = size / 4; a child's write copies one page. */
static void test_fork_cow(void **state)
{
	struct engine *e = run_ok("ram 1M\nspawn 10 app\nmmap 10 heap anon private 16K\n"
				  "touch 10 heap write\nfork 10 11\nfork 10 12\nfork 11 13\n");
	struct truth t;
	uint64_t free_before = engine_free_pages(e);
	struct tm_error err;

	truth_init(&t);
	engine_truth(e, &t);
	for (pid_t pid = 10; pid <= 13; pid++) {
		const struct truth_proc *p = proc_of(&t, pid);

		assert_int_equal(p->counts.rss_bytes, 4 * P);
		assert_int_equal(p->counts.pss, 4 * pss_share(P, 4));
		assert_int_equal(pss_bytes(p->counts.pss), 4 * P / 4);
		assert_int_equal(p->counts.uss_bytes, 0);
		assert_int_equal(p->counts.kind[KIND_ANON].rss_bytes, 4 * P);
	}
	assert_int_equal(proc_of(&t, 13)->ppid, 11);
	assert_int_equal(t.totals.rss_bytes, 4 * P);
	assert_int_equal(t.totals.uss_bytes, 4 * P);
	truth_release(&t);

	/* child 12 writes page 1: one new frame, its copy is private */
	assert_int_equal(engine_touch(e, 12, "heap", true, P, P, &err), 0);
	assert_int_equal(engine_free_pages(e), free_before - 1);
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 12)->counts.uss_bytes, P);
	assert_int_equal(proc_of(&t, 12)->counts.pss, 3 * pss_share(P, 4) + pss_share(P, 1));
	assert_int_equal(proc_of(&t, 10)->counts.pss, 3 * pss_share(P, 4) + pss_share(P, 3));
	/* (4096 << 12) / 3 is not a whole number of bytes: pss keeps the fraction */
	assert_int_equal(pss_bytes(proc_of(&t, 10)->counts.pss), 3072 + 1365);
	assert_int_equal(t.totals.rss_bytes, 5 * P);
	/* the writer reuses its copy in place: a second write allocates nothing */
	truth_release(&t);
	assert_int_equal(engine_touch(e, 12, "heap", true, P, P, &err), 0);
	assert_int_equal(engine_free_pages(e), free_before - 1);
	check_and_free(e);
}

/* Reading untouched private anon maps the zero page (not rss); a write then gets a private frame. */
static void test_zero_page_then_write(void **state)
{
	struct engine *e = run_ok("ram 1M\nspawn 5 z\nmmap 5 a anon private 12K\ntouch 5 a read\n");
	uint64_t free0 = engine_free_pages(e);
	struct truth t;
	struct tm_error err;

	assert_int_equal(free0, engine_ram_pages(e));
	assert_int_equal(pte_at(e, 5, "a", 0), pte_mk_present(FRAME_ZERO_PFN));
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 5)->counts.rss_bytes, 0);
	assert_int_equal(proc_of(&t, 5)->counts.zero_page_bytes, 3 * P);
	assert_int_equal(t.totals.rss_bytes, 0);
	truth_release(&t);

	assert_int_equal(engine_touch(e, 5, "a", true, 4096, 1, &err), 0);
	assert_int_equal(engine_free_pages(e), free0 - 1);
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 5)->counts.rss_bytes, P);
	assert_int_equal(proc_of(&t, 5)->counts.uss_bytes, P);
	assert_int_equal(proc_of(&t, 5)->counts.zero_page_bytes, 2 * P);
	assert_int_equal(proc_of(&t, 5)->vmas[0].counts.rss_bytes, P);
	truth_release(&t);
	check_and_free(e);
}

/*
 * Two unrelated processes map one file, 4 pages each, overlapping in 2:
 * pages 0-1 only A, 2-3 both, 4-5 only B. A private write copies a page
 * into anon; the cache keeps the file page, unmapped, after both exit.
 */
static void test_shared_file_pages(void **state)
{
	struct engine *e = run_ok("ram 1M\nspawn 20 a\nspawn 21 b uid=1000\n"
				  "mmap 20 lib file /usr/lib/libx.so private 16K\n"
				  "mmap 21 lib file /usr/lib/libx.so shared 16K offset=8K\n"
				  "touch 20 lib read\ntouch 21 lib read\n");
	struct truth t;
	struct tm_error err;

	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 20)->counts.rss_bytes, 4 * P);
	assert_int_equal(proc_of(&t, 20)->counts.uss_bytes, 2 * P);
	assert_int_equal(proc_of(&t, 20)->counts.pss, 2 * pss_share(P, 1) + 2 * pss_share(P, 2));
	assert_int_equal(proc_of(&t, 20)->counts.kind[KIND_FILE].rss_bytes, 4 * P);
	assert_int_equal(proc_of(&t, 21)->counts.pss, 2 * pss_share(P, 1) + 2 * pss_share(P, 2));
	assert_string_equal(proc_of(&t, 21)->user, "1000");
	assert_int_equal(t.totals.rss_bytes, 6 * P);
	/* by user: root holds pages 0-3, of which 2-3 are also mapped by uid 1000 */
	assert_int_equal(group_of(&t, TRUTH_BY_USER, "root")->counts.uss_bytes, 2 * P);
	truth_release(&t);

	/* a private write: page 3 (mapped by both) copied for A; the cache page stays for B */
	assert_int_equal(engine_touch(e, 20, "lib", true, 3 * P, 1, &err), 0);
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 20)->counts.kind[KIND_ANON].rss_bytes, P);
	assert_int_equal(proc_of(&t, 20)->counts.kind[KIND_FILE].rss_bytes, 3 * P);
	assert_int_equal(proc_of(&t, 21)->counts.uss_bytes, 3 * P);
	truth_release(&t);
	assert_int_equal(e->frames.nkind[FRAME_FILE], 6);

	assert_int_equal(engine_exit(e, 20, &err), 0);
	assert_int_equal(engine_exit(e, 21, &err), 0);
	assert_int_equal(e->frames.nkind[FRAME_FILE], 6);    /* cached, mapped by no one */
	assert_int_equal(e->frames.nkind[FRAME_ANON], 0);
	assert_int_equal(engine_free_pages(e), engine_ram_pages(e) - 6);
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(t.nprocs, 0);
	assert_int_equal(t.totals.rss_bytes, 0);
	truth_release(&t);
	check_and_free(e);
}

/* shmem objects are shared by NAME between unrelated processes; fork inherits without entries. */
static void test_shmem_by_name(void **state)
{
	struct engine *e = run_ok("ram 1M\nspawn 30 w\nspawn 31 r\n"
				  "mmap 30 s shmem ring 16K\nmmap 31 s shmem ring 16K\n"
				  "touch 30 s write\ntouch 31 s read 0 8K\nfork 31 32\n");
	struct truth t;

	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 30)->counts.kind[KIND_SHMEM].rss_bytes, 4 * P);
	assert_int_equal(proc_of(&t, 30)->counts.pss, 2 * pss_share(P, 2) + 2 * pss_share(P, 1));
	assert_int_equal(pss_bytes(proc_of(&t, 30)->counts.pss), 12288);
	assert_int_equal(proc_of(&t, 31)->counts.pss, 2 * pss_share(P, 2));
	assert_int_equal(proc_of(&t, 30)->counts.uss_bytes, 2 * P);
	/* the child inherited the mapping but none of its entries */
	assert_int_equal(proc_of(&t, 32)->counts.rss_bytes, 0);
	assert_int_equal(proc_of(&t, 32)->nvmas, 1);
	assert_string_equal(proc_of(&t, 32)->vmas[0].name, "/memfd:ring (deleted)");
	assert_int_equal(e->frames.nkind[FRAME_SHMEM], 4);
	truth_release(&t);
	check_and_free(e);
}

/* shmem pages die with the object's last mapping, as a memfd does. */
static void test_shmem_freed_with_last_mapping(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\nspawn 30 w\nspawn 31 r\n"
				  "mmap 30 s shmem ring 16K\nmmap 31 s shmem ring 16K\n"
				  "touch 30 s write\nswapout 30 s 0 4K\nexit 30\n");
	struct tm_error err;

	assert_int_equal(e->frames.nkind[FRAME_SHMEM], 3);
	assert_int_equal(engine_swap_used_pages(e), 1);
	assert_int_equal(engine_munmap(e, 31, "s", &err), 0);
	assert_int_equal(e->frames.nkind[FRAME_SHMEM], 0);
	assert_int_equal(engine_swap_used_pages(e), 0);
	assert_int_equal(engine_free_pages(e), engine_ram_pages(e));
	check_and_free(e);
}

/* Swapping out pages shared by 3 processes: one slot per page, entries in all 3 page tables. */
static void test_swapout_shared(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\nspawn 40 srv\nmmap 40 heap anon private 16K\n"
				  "touch 40 heap write\nfork 40 41\nfork 40 42\nswapout 41 heap 0 8K\n");
	struct truth t;
	uint64_t pte40 = pte_at(e, 40, "heap", 0);

	assert_true(pte_swapped(pte40));
	assert_int_equal(pte_at(e, 41, "heap", 0), pte40);
	assert_int_equal(pte_at(e, 42, "heap", 0), pte40);
	assert_int_equal(e->swap.refs[pte_slot(pte40)], 3);
	assert_int_equal(engine_swap_used_pages(e), 2);
	assert_int_equal(engine_free_pages(e), engine_ram_pages(e) - 2);
	truth_init(&t);
	engine_truth(e, &t);
	for (pid_t pid = 40; pid <= 42; pid++) {
		const struct truth_proc *p = proc_of(&t, pid);

		assert_int_equal(p->counts.swap_bytes, 2 * P);
		assert_int_equal(p->counts.kind[KIND_ANON].swap_bytes, 2 * P);
		assert_int_equal(p->counts.swap_pss, 2 * pss_share(P, 3));
		assert_int_equal(p->counts.rss_bytes, 2 * P);
		assert_int_equal(p->vmas[0].counts.swap_bytes, 2 * P);
	}
	assert_int_equal(t.totals.swap_bytes, 2 * P);
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "40")->counts.swap_bytes, 2 * P);
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "40")->counts.swap_uss_bytes, 2 * P);
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "40")->npids, 3);
	truth_release(&t);
	check_and_free(e);
}

/*
 * Swap-in on touch: the first toucher reads the slot into a frame (swap
 * cache); the next holder maps that same frame; the last reference frees
 * the slot.
 */
static void test_swapin_on_touch(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\nspawn 40 srv\nmmap 40 heap anon private 8K\n"
				  "touch 40 heap write\nfork 40 41\nfork 40 42\nswapout 40 heap\n"
				  "touch 41 heap read 0 4K\n");
	uint32_t slot = pte_slot(pte_at(e, 40, "heap", 0));
	uint64_t pte41 = pte_at(e, 41, "heap", 0);
	struct truth t;
	struct tm_error err;

	assert_true(pte_present(pte41));
	assert_int_equal(e->swap.refs[slot], 2);
	assert_int_equal(e->swap.cache[slot], pte_pfn(pte41));
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 41)->counts.rss_bytes, P);
	assert_int_equal(proc_of(&t, 41)->counts.uss_bytes, P);
	assert_int_equal(proc_of(&t, 41)->counts.swap_bytes, P);
	assert_int_equal(proc_of(&t, 40)->counts.swap_pss, pss_share(P, 2) + pss_share(P, 3));
	truth_release(&t);

	assert_int_equal(engine_touch(e, 40, "heap", false, 0, 1, &err), 0);
	assert_int_equal(pte_at(e, 40, "heap", 0), pte41);       /* the swap-cache frame */
	assert_int_equal(e->frames.f[pte_pfn(pte41)].mapcount, 2);
	assert_int_equal(engine_swap_used_pages(e), 2);
	assert_int_equal(engine_touch(e, 42, "heap", false, 0, 1, &err), 0);
	assert_int_equal(engine_swap_used_pages(e), 1);          /* slot of page 0 freed */
	assert_int_equal(e->frames.f[pte_pfn(pte41)].swap_slot, 0);
	/* a write to the page now copies it (mapped 3 times) */
	assert_int_equal(engine_touch(e, 42, "heap", true, 0, 1, &err), 0);
	assert_int_equal(e->frames.f[pte_pfn(pte41)].mapcount, 2);
	check_and_free(e);
}

/* exit and munmap free what lost its last reference: frames and slots. */
static void test_exit_and_munmap_free(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\nspawn 50 a\nmmap 50 heap anon private 16K\n"
				  "mmap 50 sh anon shared 8K\ntouch 50 heap write\ntouch 50 sh write\n"
				  "fork 50 51\nswapout 50 heap 0 4K\n");
	uint64_t ram = engine_ram_pages(e);
	struct truth t;
	struct tm_error err;

	assert_int_equal(engine_free_pages(e), ram - 3 - 2);
	assert_int_equal(engine_exit(e, 50, &err), 0);
	/* everything was shared with 51: nothing freed, 51 now owns it all */
	assert_int_equal(engine_free_pages(e), ram - 5);
	assert_int_equal(engine_swap_used_pages(e), 1);
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 51)->counts.uss_bytes, 3 * P);   /* sh: not touched by 51 */
	assert_int_equal(proc_of(&t, 51)->counts.swap_pss, pss_share(P, 1));
	truth_release(&t);
	assert_int_equal(engine_munmap(e, 51, "heap", &err), 0);
	assert_int_equal(engine_free_pages(e), ram - 2);
	assert_int_equal(engine_swap_used_pages(e), 0);
	assert_int_equal(engine_exit(e, 51, &err), 0);
	assert_int_equal(engine_free_pages(e), ram);                /* shared anon died with 51 */
	assert_int_equal(engine_exit(e, 51, &err), -1);
	assert_string_equal(err.msg, "unknown pid 51");
	check_and_free(e);
}

/*
 * Reclaim, second-chance clock: 20 pages written into 16 frames. The 17th
 * fault's sweep clears every referenced bit, then evicts pfn 2 (page 0);
 * the next three evict pfns 3, 4, 5 (pages 1-3), whose frames pages 16-19
 * reuse, referenced. `reclaim 4` starts at pfn 6: pages 4-7, unreferenced
 * since the sweep, go to swap.
 */
static void test_reclaim_clock(void **state)
{
	struct engine *e = run_ok("ram 64K\nswap 64K\nspawn 60 big\nmmap 60 heap anon private 80K\n"
				  "touch 60 heap write\n");
	struct truth t;
	struct tm_error err;

	assert_int_equal(engine_free_pages(e), 0);
	for (uint64_t pg = 0; pg < 20; pg++)
		assert_true(pte_swapped(pte_at(e, 60, "heap", pg * P)) == (pg < 4));
	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(proc_of(&t, 60)->counts.rss_bytes, 16 * P);
	assert_int_equal(proc_of(&t, 60)->counts.swap_bytes, 4 * P);
	truth_release(&t);

	assert_int_equal(engine_reclaim(e, 4, &err), 0);
	assert_int_equal(engine_free_pages(e), 4);
	for (uint64_t pg = 0; pg < 20; pg++)
		assert_true(pte_swapped(pte_at(e, 60, "heap", pg * P)) == (pg < 8));
	/* touching a swapped page brings it back */
	assert_int_equal(engine_touch(e, 60, "heap", false, 0, 1, &err), 0);
	assert_true(pte_present(pte_at(e, 60, "heap", 0)));
	assert_int_equal(engine_swap_used_pages(e), 7);
	assert_int_equal(engine_reclaim(e, 17, &err), -1);
	check_and_free(e);
}

/* Unmapped page-cache pages are reclaimed like the rest; no swap needed for them. */
static void test_reclaim_drops_page_cache(void **state)
{
	struct engine *e = run_ok("ram 64K\nspawn 70 r\nmmap 70 f file /data private 64K\ntouch 70 f read\n"
				  "munmap 70 f\nmmap 70 heap anon private 32K\ntouch 70 heap write\n");
	struct tm_error err;

	assert_int_equal(e->frames.nkind[FRAME_FILE], 8);
	assert_int_equal(e->frames.nkind[FRAME_ANON], 8);
	assert_int_equal(engine_reclaim(e, 8, &err), 0);
	assert_int_equal(e->frames.nkind[FRAME_FILE], 0);
	assert_int_equal(e->frames.nkind[FRAME_ANON], 8);
	/* and with no swap, anon cannot go: out of memory */
	assert_int_equal(engine_reclaim(e, 9, &err), -1);
	assert_string_equal(err.msg, "out of memory (no swap)");
	check_and_free(e);
}

/* swapout of shmem: the object holds the slot, PTEs are cleared, every covering mapping counts it as Swap. */
static void test_swapout_shmem(void **state)
{
	struct engine *e = run_ok("ram 1M\nswap 1M\nspawn 80 a\nspawn 81 b\nmmap 80 s shmem seg 8K\n"
				  "mmap 81 s shmem seg 8K\ntouch 80 s write\ntouch 81 s read\nswapout 81 s 0 4K\n");
	struct truth t;

	assert_int_equal(pte_at(e, 80, "s", 0), 0);
	assert_int_equal(pte_at(e, 81, "s", 0), 0);
	assert_int_equal(engine_swap_used_pages(e), 1);
	truth_init(&t);
	engine_truth(e, &t);
	for (pid_t pid = 80; pid <= 81; pid++) {
		assert_int_equal(proc_of(&t, pid)->counts.swap_bytes, P);
		assert_int_equal(proc_of(&t, pid)->counts.kind[KIND_SHMEM].swap_bytes, P);
		assert_int_equal(proc_of(&t, pid)->counts.swap_pss, 0);
		assert_int_equal(proc_of(&t, pid)->counts.rss_bytes, P);
	}
	/* groups and totals count it once; root holds both processes */
	assert_int_equal(t.totals.swap_bytes, P);
	assert_int_equal(group_of(&t, TRUTH_BY_USER, "root")->counts.swap_bytes, P);
	assert_int_equal(group_of(&t, TRUTH_BY_USER, "root")->counts.swap_uss_bytes, P);
	/* by tree, each process is its own group and the other also maps the page */
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "80")->counts.swap_bytes, P);
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "80")->counts.swap_uss_bytes, 0);
	truth_release(&t);
	check_and_free(e);
}

/* Groups: keys and members by user, program, tree and cgroup; PID 1 is a group of its own. */
static void test_groups(void **state)
{
	struct engine *e = run_ok("ram 1M\nspawn 1 init\nspawn 100 nginx uid=33\nfork 100 101\nfork 101 102\n"
				  "spawn 200 a-very-long-program-name\nfork 1 300\n"
				  "mmap 100 heap anon private 8K\ntouch 100 heap write\nfork 100 103\n");
	struct truth t;
	const struct truth_group *g;

	truth_init(&t);
	engine_truth(e, &t);
	assert_int_equal(t.ngroups[TRUTH_BY_TREE], 4);     /* 1, 100, 200, 300 */
	g = group_of(&t, TRUTH_BY_TREE, "100");
	assert_int_equal(g->npids, 4);
	assert_int_equal(g->pids[3], 103);
	assert_int_equal(g->counts.rss_bytes, 2 * P);
	assert_int_equal(g->counts.uss_bytes, 2 * P);
	assert_int_equal(g->counts.pss, 2 * pss_share(P, 1));
	assert_int_equal(group_of(&t, TRUTH_BY_TREE, "1")->npids, 1);
	assert_int_equal(group_of(&t, TRUTH_BY_USER, "33")->npids, 4);
	assert_int_equal(group_of(&t, TRUTH_BY_USER, "root")->npids, 3);
	assert_int_equal(group_of(&t, TRUTH_BY_PROGRAM, "/sim/nginx")->npids, 4);
	assert_int_equal(group_of(&t, TRUTH_BY_PROGRAM, "/sim/init")->npids, 2);
	assert_int_equal(group_of(&t, TRUTH_BY_CGROUP, "/sim.slice/nginx.service")->npids, 4);
	assert_string_equal(proc_of(&t, 200)->comm, "a-very-long-pro");
	assert_string_equal(proc_of(&t, 200)->exe, "/sim/a-very-long-program-name");
	truth_release(&t);
	check_and_free(e);
}

/* --trace tells the story: faults with their kind, cow, swapout, swapin, one line each. */
static void test_trace_events(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct engine *e = engine_new();
	struct tm_error err;
	const char *scn = "swap 1M\nspawn 2 t\nmmap 2 a anon private 8K\ntouch 2 a read 0 4K\n"
			  "touch 2 a write\nfork 2 3\ntouch 3 a write 0 4K\nswapout 2 a 4K\ntouch 3 a read\n";

	engine_set_trace(e, f);
	assert_int_equal(scenario_run(e, "t", scn, strlen(scn), &err), 0);
	fclose(f);
	assert_non_null(strstr(out, "fault pid=2 addr=0x10000000 read zero-page\n"));
	assert_non_null(strstr(out, "fault pid=2 addr=0x10000000 write zero-page -> demand-zero pfn=2\n"));
	assert_non_null(strstr(out, "fault pid=2 addr=0x10001000 write demand-zero pfn=3\n"));
	assert_non_null(strstr(out, "cow pid=3 addr=0x10000000 pfn=2 -> pfn=4\n"));
	assert_non_null(strstr(out, "swapout pfn=3 -> slot=1 ptes=2 (anon)\n"));
	assert_non_null(strstr(out, "swapin pid=3 addr=0x10001000 slot=1 -> pfn=3\n"));
	free(out);
	check_and_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_cow),
		cmocka_unit_test(test_zero_page_then_write),
		cmocka_unit_test(test_shared_file_pages),
		cmocka_unit_test(test_shmem_by_name),
		cmocka_unit_test(test_shmem_freed_with_last_mapping),
		cmocka_unit_test(test_swapout_shared),
		cmocka_unit_test(test_swapin_on_touch),
		cmocka_unit_test(test_exit_and_munmap_free),
		cmocka_unit_test(test_reclaim_clock),
		cmocka_unit_test(test_reclaim_drops_page_cache),
		cmocka_unit_test(test_swapout_shmem),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_trace_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
