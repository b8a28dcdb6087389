/*
 * test_top.c: the pure parts of `truemem top` (top.h) on a hand-made scan:
 * row order by every kind of column, the live filter, the tree order, group
 * rows, the growth columns between two scans, and the header's memory bar.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "status.h"
#include "report.h"
#include "top.h"

#define MIB (UINT64_C(1) << 20)

/* A process of the fake scan: pid, ppid, comm, user, uss/pss/rss in MiB. */
struct fake {
	pid_t pid, ppid;
	const char *comm, *user;
	uint64_t uss_mib, pss_mib, rss_mib;
};

static const struct fake fakes[] = {
	{ 1, 0, "init", "root", 1, 2, 4 },
	{ 10, 1, "sshd", "root", 2, 3, 8 },
	{ 20, 10, "bash", "alice", 3, 4, 6 },
	{ 30, 20, "vim", "alice", 40, 42, 50 },
	{ 40, 1, "postgres", "pg", 10, 80, 200 },
	{ 41, 40, "postgres", "pg", 5, 30, 150 },
};
#define NFAKES (sizeof(fakes) / sizeof(fakes[0]))

static void fake_scan(struct scan *sc, double grow_mib)
{
	memset(sc, 0, sizeof(*sc));
	sc->mode = MODE_EXACT;
	sc->n = NFAKES;
	sc->procs = calloc(NFAKES, sizeof(*sc->procs));
	for (size_t i = 0; i < NFAKES; i++) {
		struct proc *p = &sc->procs[i];

		p->id.pid = fakes[i].pid;
		p->id.ppid = fakes[i].ppid;
		snprintf(p->id.comm, sizeof(p->id.comm), "%s", fakes[i].comm);
		snprintf(p->id.user, sizeof(p->id.user), "%s", fakes[i].user);
		p->id.cmdline = strdup(fakes[i].comm);
		p->readable = true;
		p->group = -1;
		p->counts.valid = CNT_EXACT;
		p->counts.uss_bytes = fakes[i].uss_mib * MIB + (uint64_t)(grow_mib * MIB);
		p->counts.pss = (pss_t)(fakes[i].pss_mib * MIB) << PSS_SHIFT;
		p->counts.rss_bytes = fakes[i].rss_mib * MIB;
	}
}

static void fake_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++)
		free(sc->procs[i].id.cmdline);
	free(sc->procs);
	free(sc->groups);
}

static void state_with(struct top_state *st, enum top_col sort)
{
	memset(st, 0, sizeof(*st));
	fake_scan(&st->scan, 0);
	st->have_scan = true;
	st->sort = sort;
	top_rows_build(st);
}

static void state_free(struct top_state *st)
{
	fake_release(&st->scan);
	free(st->rows);
	free(st->pgrowth);
	free(st->ggrowth);
	top_hist_release(&st->phist);
	top_hist_release(&st->ghist);
	free(st->sig);
}

static pid_t row_pid(const struct top_state *st, size_t i)
{
	assert_true(i < st->nrows);
	return st->rows[i].proc->id.pid;
}

static void pss_sort_is_largest_first(void **unused)
{
	struct top_state st;

	state_with(&st, TOP_PSS);
	assert_int_equal(st.nrows, NFAKES);
	assert_int_equal(row_pid(&st, 0), 40);
	assert_int_equal(row_pid(&st, 1), 30);
	assert_int_equal(row_pid(&st, NFAKES - 1), 1);
	st.reverse = true;
	top_rows_build(&st);
	assert_int_equal(row_pid(&st, 0), 1);
	state_free(&st);
}

static void text_and_pid_sorts(void **unused)
{
	struct top_state st;

	state_with(&st, TOP_COMMAND);
	assert_string_equal(st.rows[0].proc->id.comm, "bash");
	assert_string_equal(st.rows[NFAKES - 1].proc->id.comm, "vim");
	st.sort = TOP_PID;
	top_rows_build(&st);
	assert_int_equal(row_pid(&st, 0), 1);
	assert_int_equal(row_pid(&st, NFAKES - 1), 41);
	state_free(&st);
}

/* The filter rule of ps and lib: a regex, any case unless it has capitals. */
static void filter_is_a_smart_case_regex(void **unused)
{
	struct top_state st;

	state_with(&st, TOP_PSS);
	snprintf(st.filter, sizeof(st.filter), "post");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 2);
	snprintf(st.filter, sizeof(st.filter), "POST");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 0);
	snprintf(st.filter, sizeof(st.filter), "^ali");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 2);
	snprintf(st.filter, sizeof(st.filter), "lice$");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 2);
	snprintf(st.filter, sizeof(st.filter), "nothing-like-it");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 0);
	snprintf(st.filter, sizeof(st.filter), "post(");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 0);
	assert_false(st.filter_ok);
	state_free(&st);
}

static void tree_puts_children_under_parents(void **unused)
{
	struct top_state st;
	/* pss order: 40 30 41 20 10 1; tree: 1 > (40 > 41), (10 > 20 > 30) */
	static const pid_t want[] = { 1, 40, 41, 10, 20, 30 };
	static const int depth[] = { 0, 1, 2, 1, 2, 3 };

	state_with(&st, TOP_PSS);
	st.tree = true;
	top_rows_build(&st);
	assert_int_equal(st.nrows, NFAKES);
	for (size_t i = 0; i < NFAKES; i++) {
		assert_int_equal(row_pid(&st, i), want[i]);
		assert_int_equal(st.rows[i].depth, depth[i]);
	}
	/* A filtered-out parent makes its shown child a root. */
	snprintf(st.filter, sizeof(st.filter), "vim");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 1);
	assert_int_equal(st.rows[0].depth, 0);
	state_free(&st);
}

static void selection_follows_the_process(void **unused)
{
	struct top_state st;

	state_with(&st, TOP_PSS);
	st.sel = 1;   /* pid 30 */
	top_selection_save(&st);
	st.reverse = true;
	top_rows_build(&st);
	assert_int_equal(row_pid(&st, st.sel), 30);
	state_free(&st);
}

static void growth_is_per_second_against_the_last_scan(void **unused)
{
	struct top_state st;
	const struct top_row *r = NULL;
	double v;

	state_with(&st, TOP_PID);
	top_growth_full(&st, 100.0);
	top_rows_build(&st);
	assert_false(st.rows[0].have_duss);
	fake_release(&st.scan);
	fake_scan(&st.scan, 4.0);   /* every uss grew by 4 MiB */
	top_growth_full(&st, 102.0);
	top_rows_build(&st);
	r = &st.rows[0];
	assert_true(top_row_value(r, TOP_DUSS, &v));
	assert_true(v > 2.0 * MIB - 1 && v < 2.0 * MIB + 1);
	assert_true(top_row_value(r, TOP_DPSS, &v));
	assert_true(v == 0);
	/* Sorting by growth works on the rows' own values. */
	st.sort = TOP_DUSS;
	top_rows_build(&st);
	assert_int_equal(st.nrows, NFAKES);
	state_free(&st);
}

static void unknown_values_sort_last_and_are_unknown(void **unused)
{
	struct top_state st;
	double v = -1;

	memset(&st, 0, sizeof(st));
	fake_scan(&st.scan, 0);
	/* The largest, pid 40, cannot be read: as a scan leaves it, only its rss (statm) is known. */
	st.scan.procs[4].readable = false;
	st.scan.procs[4].counts.valid = CNT_RSS;
	st.have_scan = true;
	st.sort = TOP_PSS;
	top_rows_build(&st);
	assert_int_equal(row_pid(&st, NFAKES - 1), 40);
	assert_false(top_row_value(&st.rows[NFAKES - 1], TOP_PSS, &v));
	assert_true(top_row_value(&st.rows[NFAKES - 1], TOP_RSS, &v));
	assert_true(v == (double)st.scan.procs[4].counts.rss_bytes);
	/* By RSS it sorts among the known: the largest, first. */
	st.sort = TOP_RSS;
	top_rows_build(&st);
	assert_int_equal(row_pid(&st, 0), 40);
	state_free(&st);
}

static void group_rows_replace_processes(void **unused)
{
	struct top_state st;
	static pid_t pg[] = { 40, 41 }, al[] = { 20, 30 };

	memset(&st, 0, sizeof(st));
	fake_scan(&st.scan, 0);
	st.scan.ngroups = 2;
	st.scan.groups = calloc(2, sizeof(struct group));
	st.scan.groups[0] = (struct group){ .key = "alice", .pids = al, .npids = 2 };
	st.scan.groups[0].counts.valid = CNT_EXACT;
	st.scan.groups[0].counts.pss = (pss_t)(46 * MIB) << PSS_SHIFT;
	st.scan.groups[1] = (struct group){ .key = "pg", .pids = pg, .npids = 2 };
	st.scan.groups[1].counts.valid = CNT_EXACT;
	st.scan.groups[1].counts.pss = (pss_t)(110 * MIB) << PSS_SHIFT;
	st.scan.group_by = GROUP_USER;
	st.group_by = GROUP_USER;
	st.have_scan = true;
	st.sort = TOP_PSS;
	top_rows_build(&st);
	assert_int_equal(st.nrows, 2);
	assert_string_equal(st.rows[0].group->key, "pg");
	snprintf(st.filter, sizeof(st.filter), "ali");
	top_rows_build(&st);
	assert_int_equal(st.nrows, 1);
	state_free(&st);
}

static void meter_reconciles_meminfo_with_the_scan(void **unused)
{
	static const char text[] =
		"MemTotal:        1048576 kB\n"
		"MemFree:          524288 kB\n"
		"Cached:           262144 kB\n"
		"Mapped:            65536 kB\n"
		"Slab:              16384 kB\n"
		"PageTables:         4096 kB\n"
		"KernelStack:        2048 kB\n"
		"VmallocUsed:        2048 kB\n"
		"SwapTotal:        102400 kB\n"
		"SwapFree:          51200 kB\n";
	struct meminfo mi = { 0 };
	struct scan sc;
	struct top_meter m;

	assert_int_equal(meminfo_parse(text, sizeof(text) - 1, &mi), 0);
	memset(&sc, 0, sizeof(sc));
	sc.totals.valid = CNT_EXACT;
	sc.totals.kind[KIND_ANON].rss_bytes = 100 * MIB;
	sc.totals.kind[KIND_FILE].rss_bytes = 50 * MIB;
	sc.totals.kind[KIND_SHMEM].rss_bytes = 10 * MIB;
	sc.totals.swap_bytes = 20 * MIB;
	top_meter_compute(&m, &mi, &sc);
	assert_true(m.ok && m.mapped_by_kind);
	assert_int_equal(m.total, 1024 * MIB);
	assert_int_equal(m.seg[SEG_ANON], 100 * MIB);
	assert_int_equal(m.seg[SEG_CACHE], (256 - 60) * MIB);
	assert_int_equal(m.seg[SEG_KERNEL], 24 * MIB);
	assert_int_equal(m.seg[SEG_FREE], 512 * MIB);
	assert_int_equal(m.other, (1024 - 100 - 50 - 10 - 196 - 24 - 512) * MIB);
	assert_int_equal(m.swap_used, 50 * MIB);
	assert_int_equal(m.swap_attributed, 20 * MIB);
	/* Rollup without a split: all mapped in one segment, cache from Mapped. */
	sc.totals.valid = CNT_RSS | CNT_PSS;
	sc.totals.rss_bytes = 150 * MIB;
	top_meter_compute(&m, &mi, &sc);
	assert_false(m.mapped_by_kind);
	assert_int_equal(m.seg[SEG_ANON], 150 * MIB);
	assert_int_equal(m.seg[SEG_CACHE], 192 * MIB);
	meminfo_release(&mi);
}

/* top's meter and `sys` reconcile meminfo with one function: the same kernel, cache and free. */
static void meter_agrees_with_sys(void **unused)
{
	static const char text[] =
		"MemTotal:        1048576 kB\n"
		"MemFree:          524288 kB\n"
		"Buffers:            8192 kB\n"
		"Cached:           262144 kB\n"
		"AnonPages:        131072 kB\n"
		"Mapped:            65536 kB\n"
		"Slab:              16384 kB\n"
		"PageTables:         4096 kB\n"
		"SecPageTables:      1024 kB\n"
		"KernelStack:        2048 kB\n"
		"VmallocUsed:        2048 kB\n"
		"Percpu:              512 kB\n";
	struct scan sc;
	struct top_meter m;
	struct sys_report r;

	memset(&sc, 0, sizeof(sc));
	assert_int_equal(meminfo_parse(text, sizeof(text) - 1, &sc.meminfo), 0);
	sc.mode = MODE_EXACT;
	sc.totals.valid = CNT_EXACT;
	sc.totals.kind[KIND_ANON].rss_bytes = 100 * MIB;
	sc.totals.kind[KIND_FILE].rss_bytes = 50 * MIB;
	sc.totals.kind[KIND_SHMEM].rss_bytes = 10 * MIB;
	top_meter_compute(&m, &sc.meminfo, &sc);
	sys_report_build(&sc, &r);
	assert_int_equal(m.seg[SEG_KERNEL], r.kernel);
	assert_int_equal(r.kernel, (16 + 4 + 1 + 2 + 2) * MIB + 512 * 1024);
	assert_int_equal(m.seg[SEG_CACHE], r.cache_unmapped);
	assert_int_equal(r.cache_unmapped, (8 + 256 - 60) * MIB);
	assert_int_equal(m.seg[SEG_FREE], r.free);
	assert_int_equal(m.total, r.total);
	meminfo_release(&sc.meminfo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pss_sort_is_largest_first),
		cmocka_unit_test(text_and_pid_sorts),
		cmocka_unit_test(filter_is_a_smart_case_regex),
		cmocka_unit_test(tree_puts_children_under_parents),
		cmocka_unit_test(selection_follows_the_process),
		cmocka_unit_test(growth_is_per_second_against_the_last_scan),
		cmocka_unit_test(unknown_values_sort_last_and_are_unknown),
		cmocka_unit_test(group_rows_replace_processes),
		cmocka_unit_test(meter_reconciles_meminfo_with_the_scan),
		cmocka_unit_test(meter_agrees_with_sys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
