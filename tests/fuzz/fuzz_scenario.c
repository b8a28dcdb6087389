/*
 * fuzz_scenario.c: the scenario language (engine.h, SPEC section 5) on
 * arbitrary text, and the paging engine behind it. Beyond "no crash, no
 * leak, no hang": an error names its line; whatever state a scenario
 * leaves (the engine stays consistent after a failed command) is written
 * as a snapshot that truemem reads back without error, in exact and in
 * rollup mode, and the exact scan of it reproduces the engine's own
 * numbers (engine_truth) for every process, the totals and the groups,
 * as tests/golden does for the hand-written scenarios.
 *
 * Bounds live in this harness only, not in the engine: scripts over
 * 4 KiB, `ram` or `swap` over 16 MiB, and mappings over 16 MiB (or more
 * than 32 MiB in all) are skipped, so one input cannot run away in time
 * or memory. The snapshot goes to a scratch directory under /dev/shm.
 *
 * sources: src/engine/[a-z]*.c src/snapshot/[a-z]*.c src/source/[a-z]*.c src/collect/[a-z]*.c src/aggregate/[a-z]*.c src/util/[a-z]*.c
 * pkgs: libzstd
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "scan.h"
#include "source.h"
#include "truth.h"

#define MAX_SCRIPT_BYTES 4096
#define MAX_DEVICE_BYTES (UINT64_C(16) << 20)
#define MAX_MAP_BYTES    (UINT64_C(16) << 20)
#define MAX_MAPS_BYTES   (UINT64_C(32) << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCRATCH "truemem-fuzz-scn."

#include "scratch.h"

/*
 * A SIZE word as the scenario parser reads it (digits, optional K/M/G/T,
 * optional i, optional B). Returns false when it is not one; a number too
 * large for 64 bits reads as UINT64_MAX.
 */
static bool size_word(const char *w, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned shift = 0;

	if (n == 0 || w[0] < '0' || w[0] > '9')
		return false;
	for (; i < n && w[i] >= '0' && w[i] <= '9'; i++)
		v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(w[i] - '0');
	if (i < n && strchr("KkMmGgTt", w[i]) && w[i]) {
		shift = 10 * (unsigned)((strchr("KMGT", w[i] & ~0x20) - "KMGT") + 1);
		i++;
		if (i < n && (w[i] == 'i' || w[i] == 'I'))
			i++;
		if (i < n && (w[i] == 'b' || w[i] == 'B'))
			i++;
	}
	if (i != n)
		return false;
	*out = v > (UINT64_MAX >> shift) ? UINT64_MAX : v << shift;
	return true;
}

/* Whether the script asks for more RAM, swap or mapped space than this harness allows. */
static bool too_big(const char *text, size_t len)
{
	uint64_t mapped = 0;

	for (const char *p = text, *end = text + len; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *w[8];
		size_t wl[8], nw = 0;

		if (!eol)
			eol = end;
		/* Words as the parser splits them: blanks, tab and CR; '#' ends the line. */
		for (const char *q = p; q < eol && *q != '#' && nw < 8;) {
			const char *s;

			while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q == eol || *q == '#')
				break;
			for (s = q; q < eol && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#'; q++)
				;
			w[nw] = s;
			wl[nw++] = (size_t)(q - s);
		}
		p = eol + 1;
		if (nw < 2)
			continue;
		for (size_t i = 1; i < nw; i++) {
			bool dev = (wl[0] == 3 && !memcmp(w[0], "ram", 3)) || (wl[0] == 4 && !memcmp(w[0], "swap", 4));
			bool map = wl[0] == 4 && !memcmp(w[0], "mmap", 4) && i >= 5;
			uint64_t v;

			if ((dev || map) && size_word(w[i], wl[i], &v)) {
				if (v > (dev ? MAX_DEVICE_BYTES : MAX_MAP_BYTES))
					return true;
				if (map && (mapped += v) > MAX_MAPS_BYTES)
					return true;
			}
		}
	}
	return false;
}

static void fail(const char *what, pid_t pid, uint64_t want, uint64_t got)
{
	fprintf(stderr, "fuzz_scenario: %s of pid %d: engine %" PRIu64 ", scan %" PRIu64 "\n",
		what, (int)pid, want, got);
	abort();
}

/* The numbers SPEC section 2 defines, as truemem prints them (whole bytes). */
static void same_counts(const char *what, pid_t pid, const struct mem_counts *t, const struct mem_counts *s,
			bool kinds)
{
	char name[64];

	if (t->rss_bytes != s->rss_bytes)
		fail(what, pid, t->rss_bytes, s->rss_bytes);
	if (pss_bytes(t->pss) != pss_bytes(s->pss))
		fail(what, pid, pss_bytes(t->pss), pss_bytes(s->pss));
	if (t->uss_bytes != s->uss_bytes)
		fail(what, pid, t->uss_bytes, s->uss_bytes);
	if (t->swap_bytes != s->swap_bytes)
		fail(what, pid, t->swap_bytes, s->swap_bytes);
	if (!kinds)
		return;
	if (pss_bytes(t->swap_pss) != pss_bytes(s->swap_pss))
		fail(what, pid, pss_bytes(t->swap_pss), pss_bytes(s->swap_pss));
	for (int k = 0; k < KIND_COUNT; k++) {
		const struct kind_counts *a = &t->kind[k], *b = &s->kind[k];

		snprintf(name, sizeof(name), "%s %s", what, page_kind_names[k]);
		if (a->rss_bytes != b->rss_bytes)
			fail(name, pid, a->rss_bytes, b->rss_bytes);
		if (pss_bytes(a->pss) != pss_bytes(b->pss))
			fail(name, pid, pss_bytes(a->pss), pss_bytes(b->pss));
		if (a->uss_bytes != b->uss_bytes)
			fail(name, pid, a->uss_bytes, b->uss_bytes);
		if (a->swap_bytes != b->swap_bytes)
			fail(name, pid, a->swap_bytes, b->swap_bytes);
	}
}

/* The exact scan of the engine's snapshot against the engine's own numbers. */
static void check_truth(const struct truth *t, const struct scan *sc, enum truth_grouping g)
{
	if (t->nprocs != sc->n)
		fail("process count", 0, t->nprocs, sc->n);
	for (size_t i = 0; i < sc->n; i++) {
		const struct proc *p = &sc->procs[i];
		const struct truth_proc *tp = truth_find(t, p->id.pid);

		if (!tp)
			fail("a process the engine does not have", p->id.pid, 0, 1);
		if (!p->readable)
			fail("readable", p->id.pid, 1, 0);
		same_counts("process", p->id.pid, &tp->counts, &p->counts, true);
	}
	same_counts("totals", 0, &t->totals, &sc->totals, false);
	if (t->ngroups[g] != sc->ngroups)
		fail("group count", 0, t->ngroups[g], sc->ngroups);
	for (size_t i = 0; i < t->ngroups[g]; i++) {
		const struct truth_group *tg = &t->groups[g][i];
		const struct group *sg = NULL;

		/* Keys are spelled differently (tree); the members say which group is which. */
		for (size_t k = 0; k < sc->ngroups && !sg; k++)
			if (sc->groups[k].npids == tg->npids &&
			    !memcmp(sc->groups[k].pids, tg->pids, tg->npids * sizeof(pid_t)))
				sg = &sc->groups[k];
		if (!sg)
			fail("group members of the group led by", tg->pids[0], tg->npids, 0);
		same_counts("group", tg->pids[0], &tg->counts, &sg->counts, false);
		if (tg->counts.swap_uss_bytes != sg->counts.swap_uss_bytes)
			fail("group swap_uss", tg->pids[0], tg->counts.swap_uss_bytes, sg->counts.swap_uss_bytes);
	}
}

/* Reads the engine's snapshot back: it must open and scan in both modes. */
static void read_back(const char *dir, const struct truth *t, enum truth_grouping g)
{
	static const enum group_by by[TRUTH_GROUPINGS] = { GROUP_USER, GROUP_PROGRAM, GROUP_TREE, GROUP_CGROUP };
	struct source src;
	struct scan sc;
	struct scan_opts o = { .mode = MODE_EXACT, .group_by = by[g], .flags = SCAN_KEEP_VMAS };
	struct tm_error err = { "" };

	if (source_open_snapshot(&src, dir, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: the engine's snapshot does not open: %s\n", err.msg);
		abort();
	}
	if (scan_run(&src, &o, &sc, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: the engine's snapshot does not scan (exact): %s\n", err.msg);
		abort();
	}
	check_truth(t, &sc, g);
	scan_release(&sc);
	o.mode = MODE_ROLLUP;
	if (scan_run(&src, &o, &sc, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: the engine's snapshot does not scan (rollup): %s\n", err.msg);
		abort();
	}
	scan_release(&sc);
	source_close(&src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_error err = { "" };
	struct engine *e;
	struct truth t;
	char dir[96];
	int rc;

	if (size > MAX_SCRIPT_BYTES || too_big((const char *)data, size))
		return 0;
	setup();
	e = engine_new();
	engine_set_trace(e, sink);
	rc = scenario_run(e, "fuzz.scn", (const char *)data, size, &err);
	/* An error names the script and its line. */
	if (rc != 0 && (rc != -1 || strncmp(err.msg, "fuzz.scn:", 9) != 0))
		abort();
	fflush(sink);
	snprintf(dir, sizeof(dir), "%s/s", base);
	if (engine_emit(e, dir, &err) < 0) {
		fprintf(stderr, "fuzz_scenario: engine_emit: %s\n", err.msg);
		abort();
	}
	truth_init(&t);
	engine_truth(e, &t);
	read_back(dir, &t, (enum truth_grouping)(size % TRUTH_GROUPINGS));
	truth_release(&t);
	engine_free(e);
	rm_tree(dir);
	return 0;
}
