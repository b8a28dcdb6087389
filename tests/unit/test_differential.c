/*
 * test_differential.c: truemem's pipeline against the engine's ground
 * truth on random scenarios. A seeded generator writes a scenario (spawn,
 * mmap of every kind, touch, fork, exit, munmap, swapout, guard, reclaim
 * on a small RAM so reclaim also runs by itself, descriptors opened and
 * closed on shmem objects and tmpfs files, tmpfs files unlinked; one
 * scenario in four has RAM for a few huge regions, written a whole 2 MiB
 * block at a time too, so PMD-mapped huge pages are forked, split, copied
 * and reclaimed); the engine runs it, writes
 * its snapshot, and the scan of that snapshot (source_open_snapshot +
 * scan_run, grouped by none, user and tree) must equal engine_truth() for
 * every process, mapping, group and the totals, what killing each process
 * and group frees (SPEC section 2.1) included. One scenario in three has
 * memory cgroups, processes spawned into them and moved between them:
 * the snapshot's census, split by memcg, its cgroups member
 * (memory.current, memory.swap.current, the processes of each cgroup) and
 * its kpagecgroup must agree with truth's cgroups (SPEC section 2.3), and
 * so must every row of `truemem cgroup --from DIR --json --mode exact`
 * (the binary $TRUEMEM, default build/truemem: run from the top).
 *
 * TRUEMEM_DIFF_COUNT sets the number of scenarios (default 2000),
 * TRUEMEM_DIFF_SEED runs only that seed and prints its scenario. A failure
 * names its seed and the scenario is left in TRUEMEM_DIFF_KEEP (default
 * /tmp/truemem-diff-fail.scn) for replay with `truemem sim`.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <cJSON.h>

#include "census.h"
#include "engine.h"
#include "scan.h"
#include "source.h"
#include "truth.h"
#include "util.h"
#include "scenario_gen.h"

#define DIFF_DEFAULT_COUNT 2000
/* ---- comparison ---- */

struct diff {
	char msg[1024];
	bool bad;
};

static void differ(struct diff *d, const char *fmt, ...)
{
	va_list ap;

	if (d->bad)
		return;
	d->bad = true;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

#define CMP(d, what, got, want) do { \
		uint64_t got_ = (got), want_ = (want); \
		if (got_ != want_) \
			differ(d, "%s: scan %llu, truth %llu", what, (unsigned long long)got_, \
			       (unsigned long long)want_); \
	} while (0)

/* Compares the SPEC section 2.1 split. */
static void cmp_fates(struct diff *d, const char *who, const struct mem_counts *s, const struct mem_counts *t)
{
	char what[160];

	if ((s->valid & (CNT_FATES | CNT_FREES_SWAP)) != (CNT_FATES | CNT_FREES_SWAP)) {
		differ(d, "%s: frees not known", who);
		return;
	}
	snprintf(what, sizeof(what), "%s frees", who);
	CMP(d, what, s->frees_bytes, t->frees_bytes);
	snprintf(what, sizeof(what), "%s reclaimable", who);
	CMP(d, what, s->reclaimable_bytes, t->reclaimable_bytes);
	snprintf(what, sizeof(what), "%s stays", who);
	CMP(d, what, s->stays_bytes, t->stays_bytes);
	snprintf(what, sizeof(what), "%s frees_swap", who);
	CMP(d, what, s->frees_swap_bytes, t->frees_swap_bytes);
}

/* Compares the SPEC section 2 fields (groups have no swap_pss: SPEC lists key, pids, rss, pss, uss, swap, swap_uss). */
static void cmp_counts(struct diff *d, const char *who, const struct mem_counts *s, const struct mem_counts *t,
		       bool kinds, bool swap_pss)
{
	char what[160];

	snprintf(what, sizeof(what), "%s rss", who);
	CMP(d, what, s->rss_bytes, t->rss_bytes);
	snprintf(what, sizeof(what), "%s pss", who);
	CMP(d, what, s->pss, t->pss);
	snprintf(what, sizeof(what), "%s uss", who);
	CMP(d, what, s->uss_bytes, t->uss_bytes);
	snprintf(what, sizeof(what), "%s swap", who);
	CMP(d, what, s->swap_bytes, t->swap_bytes);
	snprintf(what, sizeof(what), "%s swap_pss", who);
	if (swap_pss)
		CMP(d, what, s->swap_pss, t->swap_pss);
	for (int k = 0; kinds && k < KIND_COUNT; k++) {
		snprintf(what, sizeof(what), "%s %s rss", who, page_kind_names[k]);
		CMP(d, what, s->kind[k].rss_bytes, t->kind[k].rss_bytes);
		snprintf(what, sizeof(what), "%s %s pss", who, page_kind_names[k]);
		CMP(d, what, s->kind[k].pss, t->kind[k].pss);
		snprintf(what, sizeof(what), "%s %s uss", who, page_kind_names[k]);
		CMP(d, what, s->kind[k].uss_bytes, t->kind[k].uss_bytes);
		snprintf(what, sizeof(what), "%s %s swap", who, page_kind_names[k]);
		CMP(d, what, s->kind[k].swap_bytes, t->kind[k].swap_bytes);
	}
}

static void cmp_procs(struct diff *d, const struct scan *sc, const struct truth *t)
{
	CMP(d, "process count", sc->n, t->nprocs);
	for (size_t i = 0; i < t->nprocs && !d->bad; i++) {
		const struct truth_proc *tp = &t->procs[i];
		const struct proc *p = scan_find(sc, tp->pid);
		char who[64];

		if (!p) {
			differ(d, "process %d missing from the scan", (int)tp->pid);
			return;
		}
		if (!p->readable || (p->counts.valid & CNT_EXACT) != CNT_EXACT) {
			differ(d, "process %d: not read exactly (err %d)", (int)tp->pid, p->err);
			return;
		}
		snprintf(who, sizeof(who), "pid %d", (int)tp->pid);
		cmp_counts(d, who, &p->counts, &tp->counts, true, true);
		cmp_fates(d, who, &p->counts, &tp->counts);
		snprintf(who, sizeof(who), "pid %d zero_page", (int)tp->pid);
		CMP(d, who, p->counts.zero_page_bytes, tp->counts.zero_page_bytes);
		snprintf(who, sizeof(who), "pid %d guard", (int)tp->pid);
		CMP(d, who, p->counts.guard_bytes, tp->counts.guard_bytes);
		CMP(d, "ppid", (uint64_t)p->id.ppid, (uint64_t)tp->ppid);
		CMP(d, "mapping count", p->vmas.n, tp->nvmas);
		for (size_t j = 0; j < tp->nvmas && j < p->vmas.n && !d->bad; j++) {
			snprintf(who, sizeof(who), "pid %d mapping %#llx", (int)tp->pid,
				 (unsigned long long)tp->vmas[j].start);
			CMP(d, who, p->vmas.v[j].start, tp->vmas[j].start);
			cmp_counts(d, who, &p->vmas.v[j].counts, &tp->vmas[j].counts, false, true);
			CMP(d, who, p->vmas.v[j].counts.guard_bytes, tp->vmas[j].counts.guard_bytes);
		}
	}
}

static bool same_pids(const struct group *g, const struct truth_group *tg)
{
	return g->npids == tg->npids && memcmp(g->pids, tg->pids, g->npids * sizeof(pid_t)) == 0;
}

static void cmp_groups(struct diff *d, const struct scan *sc, const struct truth *t, enum truth_grouping by)
{
	CMP(d, "group count", sc->ngroups, t->ngroups[by]);
	for (size_t i = 0; i < t->ngroups[by] && !d->bad; i++) {
		const struct truth_group *tg = &t->groups[by][i];
		const struct group *g = NULL;
		char who[96];

		for (size_t j = 0; j < sc->ngroups && !g; j++)
			if (same_pids(&sc->groups[j], tg))
				g = &sc->groups[j];
		if (!g) {
			differ(d, "%s group '%s' (%zu pids) has no scan group with the same members",
			       truth_grouping_names[by], tg->key, tg->npids);
			return;
		}
		snprintf(who, sizeof(who), "%s group '%s'", truth_grouping_names[by], tg->key);
		if (by == TRUTH_BY_TREE)
			CMP(d, who, (uint64_t)g->leader, (uint64_t)tg->leader);
		else if (strcmp(g->key, tg->key) != 0)
			differ(d, "%s: scan key '%s'", who, g->key);
		cmp_counts(d, who, &g->counts, &tg->counts, false, false);
		cmp_fates(d, who, &g->counts, &tg->counts);
		snprintf(who, sizeof(who), "%s group '%s' swap_uss", truth_grouping_names[by], tg->key);
		CMP(d, who, g->counts.swap_uss_bytes, tg->counts.swap_uss_bytes);
	}
}

/* Scans dir grouped by by (GROUP_NONE: with mappings) and compares with t. */
static void diff_scan(struct diff *d, const char *dir, const struct truth *t, enum group_by by)
{
	static const enum truth_grouping tg_of[GROUP_COUNT] = {
		[GROUP_USER] = TRUTH_BY_USER, [GROUP_PROGRAM] = TRUTH_BY_PROGRAM,
		[GROUP_TREE] = TRUTH_BY_TREE, [GROUP_CGROUP] = TRUTH_BY_CGROUP,
	};
	struct source src;
	struct scan sc;
	struct scan_opts so;
	struct tm_error err = { "" };

	memset(&so, 0, sizeof(so));
	so.mode = MODE_EXACT;
	so.group_by = by;
	so.flags = by == GROUP_NONE ? SCAN_KEEP_VMAS : 0;
	if (source_open_snapshot(&src, dir, &err) != 0) {
		differ(d, "source_open_snapshot: %s", err.msg);
		return;
	}
	if (scan_run(&src, &so, &sc, &err) != 0) {
		differ(d, "scan_run: %s", err.msg);
		source_close(&src);
		return;
	}
	if (by == GROUP_NONE) {
		cmp_procs(d, &sc, t);
		cmp_counts(d, "totals", &sc.totals, &t->totals, false, true);
	} else {
		cmp_groups(d, &sc, t, tg_of[by]);
	}
	scan_release(&sc);
	source_close(&src);
}

/* Whether cgroup path lies in the subtree of cgroup anc. */
static bool path_within(const char *path, const char *anc)
{
	size_t n = strlen(anc);

	return !strcmp(anc, "/") || (!strncmp(path, anc, n) && (path[n] == '\0' || path[n] == '/'));
}

/*
 * The snapshot's census against truth's cgroups: its memcg lines, summed
 * over each cgroup's subtree (by inode), are the cgroup's charged, mapped
 * and unmapped frames; every inode is a cgroup's; the classes add up to
 * RAM, and RAM less free is the root's charge.
 */
static void cmp_census(struct diff *d, const char *dir, const struct truth *t, uint64_t *mapped_pages)
{
	struct buf b = BUF_INIT;
	struct census c;
	char path[600], who[160];

	snprintf(path, sizeof(path), "%s/census", dir);
	if (buf_read_at(&b, AT_FDCWD, path, 1u << 24) < 0 || census_parse(b.buf, b.len, &c) < 0) {
		differ(d, "census member missing or unparsable");
		buf_release(&b);
		return;
	}
	buf_release(&b);
	*mapped_pages = c.pages[CEN_MAPPED_ANON] + c.pages[CEN_MAPPED_FILE] + c.pages[CEN_MAPPED_SHMEM];
	for (size_t m = 0; m < c.nmemcg; m++) {
		bool known = false;

		for (size_t i = 0; i < t->ncgroups; i++)
			known = known || t->cgroups[i].ino == c.memcg[m].ino;
		if (!known)
			differ(d, "census memcg %llu is no cgroup's inode", (unsigned long long)c.memcg[m].ino);
	}
	for (size_t i = 0; i < t->ncgroups && !d->bad; i++) {
		const struct truth_cgroup *tc = &t->cgroups[i];
		uint64_t sum[CEN_USER_COUNT] = { 0 }, all = 0;

		for (size_t j = 0; j < t->ncgroups; j++) {
			const struct census_memcg *m = census_memcg_find(&c, t->cgroups[j].ino);

			for (int k = 0; m && path_within(t->cgroups[j].path, tc->path) && k < CEN_USER_COUNT; k++)
				sum[k] += m->pages[k];
		}
		for (int k = 0; k < CEN_USER_COUNT; k++)
			all += sum[k];
		snprintf(who, sizeof(who), "cgroup %s: census frames vs charged", tc->path);
		CMP(d, who, all * c.page_size, tc->charged_bytes);
		snprintf(who, sizeof(who), "cgroup %s: census cache_file vs unmapped_file", tc->path);
		CMP(d, who, sum[CEN_CACHE_FILE] * c.page_size, tc->unmapped_file_bytes);
		snprintf(who, sizeof(who), "cgroup %s: census cache_shmem vs unmapped_shmem", tc->path);
		CMP(d, who, sum[CEN_CACHE_SHMEM] * c.page_size, tc->unmapped_shmem_bytes);
		snprintf(who, sizeof(who), "cgroup %s: census anon_unmapped vs unmapped_anon", tc->path);
		CMP(d, who, sum[CEN_ANON_UNMAPPED] * c.page_size, tc->unmapped_anon_bytes);
		snprintf(who, sizeof(who), "cgroup %s: census mapped vs mapped_inside + mapped_outside_only", tc->path);
		CMP(d, who, (sum[CEN_MAPPED_ANON] + sum[CEN_MAPPED_FILE] + sum[CEN_MAPPED_SHMEM]) * c.page_size,
		    tc->mapped_inside_bytes + tc->mapped_outside_only_bytes);
		snprintf(who, sizeof(who), "cgroup %s unexplained", tc->path);
		CMP(d, who, (uint64_t)tc->unexplained_bytes, 0);
		if (!strcmp(tc->path, "/"))
			CMP(d, "census frames - free vs root charged", (c.frames - c.pages[CEN_FREE]) * c.page_size,
			    tc->charged_bytes);
	}
	census_release(&c);
}

/* The record of cgroup path in the member text of DIR/cgroups, or NULL. */
static const char *cgroups_record(const char *text, const char *path)
{
	char head[600];
	const char *p;

	snprintf(head, sizeof(head), "\ncgroup %s\n", path);
	p = strstr(text, head);
	return p ? p + strlen(head) : NULL;
}

/* The value of key in the record at rec (up to the next "cgroup " line), UINT64_MAX when absent. */
static uint64_t record_u64(const char *rec, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = rec; *p && strncmp(p, "cgroup ", 7); p = strchr(p, '\n') + 1) {
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoull(p + n + 1, NULL, 10);
		if (!strchr(p, '\n'))
			break;
	}
	return UINT64_MAX;
}

/* The "procs" line of the record at rec as text ("" when none). */
static void record_procs(const char *rec, char *out, size_t size)
{
	out[0] = '\0';
	for (const char *p = rec; *p && strncmp(p, "cgroup ", 7); p = strchr(p, '\n') + 1) {
		if (!strncmp(p, "procs ", 6))
			snprintf(out, size, "%.*s", (int)(strcspn(p + 6, "\n")), p + 6);
		if (!strchr(p, '\n'))
			break;
	}
}

/*
 * The snapshot's "cgroups" member against truth: one record per cgroup,
 * with its inode, memory.current (charged), memory.swap.current
 * (swap_charged), kernel 0 and, on its procs line, the processes truth
 * puts in that very cgroup; and "kpagecgroup": one record per mapped
 * frame (the census's mapped classes), each naming a cgroup's inode.
 */
static void cmp_cgroups_member(struct diff *d, const char *dir, const struct truth *t, uint64_t mapped_pages)
{
	struct buf b = BUF_INIT, kp = BUF_INIT;
	char path[600], who[160], want[4096], got[4096];

	snprintf(path, sizeof(path), "%s/cgroups", dir);
	if (buf_read_at(&b, AT_FDCWD, path, 1u << 24) < 0 || !b.buf || strncmp(b.buf, "truemem-cgroups 1\nversion 2\n", 28)) {
		differ(d, "cgroups member missing or without its header");
		buf_release(&b);
		return;
	}
	for (size_t i = 0; i < t->ncgroups && !d->bad; i++) {
		const struct truth_cgroup *tc = &t->cgroups[i];
		const char *rec = cgroups_record(b.buf, tc->path);
		size_t n = 0;

		if (!rec) {
			differ(d, "cgroup %s: no record in the cgroups member", tc->path);
			break;
		}
		snprintf(who, sizeof(who), "cgroup %s inode", tc->path);
		CMP(d, who, record_u64(rec, "inode"), tc->ino);
		snprintf(who, sizeof(who), "cgroup %s memory.current", tc->path);
		CMP(d, who, record_u64(rec, "memory.current"), tc->charged_bytes);
		snprintf(who, sizeof(who), "cgroup %s memory.swap.current", tc->path);
		CMP(d, who, record_u64(rec, "memory.swap.current"), tc->swap_charged_bytes);
		snprintf(who, sizeof(who), "cgroup %s kernel", tc->path);
		CMP(d, who, record_u64(rec, "kernel"), 0);
		want[0] = '\0';
		for (size_t j = 0; j < t->nprocs; j++)
			if (!strcmp(t->procs[j].cgroup, tc->path))
				n += (size_t)snprintf(want + n, sizeof(want) - n, "%s%d", n ? " " : "", (int)t->procs[j].pid);
		record_procs(rec, got, sizeof(got));
		if (strcmp(want, got))
			differ(d, "cgroup %s procs: member '%s', truth '%s'", tc->path, got, want);
	}
	snprintf(path, sizeof(path), "%s/kpagecgroup", dir);
	if (buf_read_at(&kp, AT_FDCWD, path, 1u << 28) < 0 || kp.len < 8 || (kp.len - 8) % 16 ||
	    memcmp(kp.buf, "TMKPCG01", 8)) {
		differ(d, "kpagecgroup member missing or malformed");
	} else {
		CMP(d, "kpagecgroup records vs mapped frames", (kp.len - 8) / 16, mapped_pages);
		for (size_t r = 0; r < (kp.len - 8) / 16 && !d->bad; r++) {
			uint64_t rec[2];
			bool known = false;

			memcpy(rec, kp.buf + 8 + 16 * r, sizeof(rec));
			for (size_t i = 0; i < t->ncgroups; i++)
				known = known || t->cgroups[i].ino == rec[1];
			if (!known)
				differ(d, "kpagecgroup: pfn %llu names inode %llu, no cgroup's", (unsigned long long)rec[0],
				       (unsigned long long)rec[1]);
		}
	}
	buf_release(&kp);
	buf_release(&b);
}

/* Cgroup rows of `truemem cgroup` compared with truth, over all scenarios. */
static uint64_t cg_rows_compared;

/* The JSON number key of row as uint64, *ok false when it is missing or null. */
static int64_t row_num(const cJSON *row, const char *key, bool *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, key);

	if (!cJSON_IsNumber(v)) {
		*ok = false;
		return 0;
	}
	return (int64_t)v->valuedouble;
}

/* Compares one row of `truemem cgroup --json` with truth's cgroup tc. */
static void cmp_cgroup_row(struct diff *d, const cJSON *row, const struct truth_cgroup *tc)
{
	const struct { const char *key; int64_t want; } f[] = {
		{ "charged", (int64_t)tc->charged_bytes },
		{ "mapped_inside", (int64_t)tc->mapped_inside_bytes },
		{ "mapped_outside_only", (int64_t)tc->mapped_outside_only_bytes },
		{ "unmapped_file", (int64_t)tc->unmapped_file_bytes },
		{ "unmapped_shmem", (int64_t)tc->unmapped_shmem_bytes },
		{ "unmapped_anon", (int64_t)tc->unmapped_anon_bytes },
		{ "unexplained", tc->unexplained_bytes },
		{ "mapped_from_elsewhere", (int64_t)tc->mapped_from_elsewhere_bytes },
		{ "rss", (int64_t)tc->counts.rss_bytes },
		{ "pss", (int64_t)pss_bytes(tc->counts.pss) },
		{ "uss", (int64_t)tc->counts.uss_bytes },
		{ "frees", (int64_t)tc->counts.frees_bytes },
	};
	const cJSON *pids = cJSON_GetObjectItemCaseSensitive(row, "pids"), *p;
	size_t k = 0;

	for (size_t i = 0; i < ARRAY_SIZE(f) && !d->bad; i++) {
		bool ok = true;
		int64_t got = row_num(row, f[i].key, &ok);

		if (!ok)
			differ(d, "truemem cgroup: %s %s is missing or null", tc->path, f[i].key);
		else if (got != f[i].want)
			differ(d, "truemem cgroup: %s %s: command %" PRId64 ", truth %" PRId64, tc->path, f[i].key, got,
			       f[i].want);
	}
	cJSON_ArrayForEach(p, pids) {
		if (d->bad || k >= tc->npids || !cJSON_IsNumber(p) || (pid_t)p->valuedouble != tc->pids[k])
			break;
		k++;
	}
	if (!d->bad && (k != tc->npids || cJSON_GetArraySize(pids) != (int)tc->npids))
		differ(d, "truemem cgroup: %s pids differ from truth's (%zu pids)", tc->path, tc->npids);
}

/* The path of the truemem binary: $TRUEMEM, else build/truemem (run from the repository's top). */
static const char *truemem_bin(void)
{
	const char *bin = getenv("TRUEMEM");

	return bin && *bin ? bin : "build/truemem";
}

/*
 * Runs `truemem cgroup --from DIR --json` (exact mode) and holds every row
 * to truth's cgroup of the same path: the kernel's charge, the frame
 * split, unexplained, the subtree's pids and their rss, pss, uss, frees.
 * Every truth cgroup has a row; the command shows no other (a
 * "(removed)" row only when its figures are all 0).
 */
static void cmp_cgroup_command(struct diff *d, const char *dir, const struct truth *t)
{
	struct buf out = BUF_INIT;
	char cmd[1200], chunk[4096];
	const cJSON *rows, *row;
	cJSON *doc;
	size_t n, matched = 0;
	FILE *f;
	int status;

	snprintf(cmd, sizeof(cmd), "'%s' cgroup --from '%s' --json --mode exact 2>&1", truemem_bin(), dir);
	f = popen(cmd, "r");
	if (!f) {
		differ(d, "cannot run %s", cmd);
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&out, chunk, n);
	status = pclose(f);
	buf_add(&out, "", 1);
	doc = status == 0 ? cJSON_Parse(out.buf) : NULL;
	rows = cJSON_GetObjectItemCaseSensitive(doc, "cgroups");
	if (!cJSON_IsArray(rows)) {
		differ(d, "%s: exit %d, no cgroups array: %.300s", cmd, status, out.buf);
		cJSON_Delete(doc);
		buf_release(&out);
		return;
	}
	cJSON_ArrayForEach(row, rows) {
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(row, "path");
		size_t i;

		if (d->bad)
			break;
		for (i = 0; i < t->ncgroups && cJSON_IsString(path); i++)
			if (!strcmp(t->cgroups[i].path, path->valuestring))
				break;
		if (cJSON_IsString(path) && i < t->ncgroups) {
			cmp_cgroup_row(d, row, &t->cgroups[i]);
			matched++;
		} else {
			bool ok = true;

			if (!cJSON_IsString(path) || strcmp(path->valuestring, "(removed)") ||
			    row_num(row, "mapped_inside", &ok) || !ok)
				differ(d, "truemem cgroup: row %s is no cgroup of truth's",
				       cJSON_IsString(path) ? path->valuestring : "(no path)");
		}
	}
	if (!d->bad && matched != t->ncgroups)
		differ(d, "truemem cgroup: %zu rows match truth's %zu cgroups", matched, t->ncgroups);
	cg_rows_compared += matched;
	cJSON_Delete(doc);
	buf_release(&out);
}

/* How many scenarios had a cgroup (other than the root) with each figure non-zero. */
static struct {
	uint64_t borrowed, outside_only, unmapped_file, unmapped_shmem, swap;
} cg_seen;

static void note_cgroup_coverage(const struct truth *t)
{
	bool b = false, o = false, f = false, s = false, w = false;

	for (size_t i = 0; i < t->ncgroups; i++) {
		const struct truth_cgroup *c = &t->cgroups[i];

		if (!strcmp(c->path, "/"))
			continue;
		b = b || c->mapped_from_elsewhere_bytes;
		o = o || c->mapped_outside_only_bytes;
		f = f || c->unmapped_file_bytes;
		s = s || c->unmapped_shmem_bytes;
		w = w || c->swap_charged_bytes;
	}
	cg_seen.borrowed += b;
	cg_seen.outside_only += o;
	cg_seen.unmapped_file += f;
	cg_seen.unmapped_shmem += s;
	cg_seen.swap += w;
}

/* Runs one seed; returns true when scan and truth agree (else *d says where). */
static bool diff_one(uint64_t seed, const char *workdir, struct buf *scn, struct diff *d)
{
	static const enum group_by bys[] = { GROUP_NONE, GROUP_USER, GROUP_TREE, GROUP_PROGRAM, GROUP_CGROUP };
	struct engine *e = engine_new();
	struct tm_error err = { "" };
	struct truth t;
	char dir[512], cmd[600];
	uint64_t mapped = 0;

	memset(d, 0, sizeof(*d));
	scn->len = 0;
	gen_scenario(seed, scn);
	/* errors (out of memory or swap, a region the generator lost track of) end the run early: fine */
	scenario_run(e, "gen.scn", scn->buf, scn->len, &err);
	if (engine_check(e, &err) != 0)
		differ(d, "engine_check: %s", err.msg);
	snprintf(dir, sizeof(dir), "%s/%llu", workdir, (unsigned long long)seed);
	if (d->bad) {
		/* the engine's own bookkeeping is off: nothing further is meaningful */
	} else if (engine_emit(e, dir, &err) != 0) {
		differ(d, "engine_emit: %s", err.msg);
	} else {
		truth_init(&t);
		engine_truth(e, &t);
		for (size_t i = 0; i < ARRAY_SIZE(bys) && !d->bad; i++)
			diff_scan(d, dir, &t, bys[i]);
		if (!d->bad)
			cmp_census(d, dir, &t, &mapped);
		if (!d->bad)
			cmp_cgroups_member(d, dir, &t, mapped);
		if (!d->bad)
			cmp_cgroup_command(d, dir, &t);
		note_cgroup_coverage(&t);
		truth_release(&t);
	}
	engine_free(e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		differ(d, "cannot remove %s", dir);
	return !d->bad;
}

static void test_differential(void **state)
{
	const char *env_seed = getenv("TRUEMEM_DIFF_SEED"), *env_count = getenv("TRUEMEM_DIFF_COUNT");
	const char *keep = getenv("TRUEMEM_DIFF_KEEP");
	uint64_t first = 1, count = DIFF_DEFAULT_COUNT, failures = 0;
	char workdir[64];
	struct buf scn = BUF_INIT;

	if (env_seed && str_to_u64(env_seed, &first))
		count = 1;
	else if (env_count && !str_to_u64(env_count, &count))
		count = DIFF_DEFAULT_COUNT;
	/* tmpfs when there is one: the snapshot writer syncs, and 2000 snapshots on disk take long */
	snprintf(workdir, sizeof(workdir), "%s/truemem-diff-XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	assert_non_null(mkdtemp(workdir));
	for (uint64_t seed = first; seed < first + count; seed++) {
		struct diff d;

		if (diff_one(seed, workdir, &scn, &d)) {
			if (env_seed)
				printf("%s", scn.buf);
			continue;
		}
		if (failures++ == 0) {
			FILE *f = fopen(keep ? keep : "/tmp/truemem-diff-fail.scn", "w");

			if (f) {
				fputs(scn.buf, f);
				fclose(f);
			}
		}
		if (failures <= 20)
			print_error("differential seed %llu: %s (replay: TRUEMEM_DIFF_SEED=%llu)\n",
				    (unsigned long long)seed, d.msg, (unsigned long long)seed);
	}
	rmdir(workdir);
	buf_release(&scn);
	printf("differential: %llu scenarios from seed %llu, %llu failed\n", (unsigned long long)count,
	       (unsigned long long)first, (unsigned long long)failures);
	printf("differential: cgroups with borrowed frames in %llu scenarios, used by others only %llu, "
	       "unmapped file %llu, unmapped shmem %llu, swap %llu\n", (unsigned long long)cg_seen.borrowed,
	       (unsigned long long)cg_seen.outside_only, (unsigned long long)cg_seen.unmapped_file,
	       (unsigned long long)cg_seen.unmapped_shmem, (unsigned long long)cg_seen.swap);
	printf("differential: truemem cgroup (%s) rows compared with truth: %llu\n", truemem_bin(),
	       (unsigned long long)cg_rows_compared);
	assert_int_equal(failures, 0);
	/* 200 scenarios (the ASan run) are enough for the generator to reach every cgroup figure */
	if (count >= 200)
		assert_true(cg_seen.borrowed && cg_seen.outside_only && cg_seen.unmapped_file && cg_seen.unmapped_shmem &&
			    cg_seen.swap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
