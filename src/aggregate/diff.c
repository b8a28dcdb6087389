/*
 * diff.c: two scans compared (diff.h, SPEC section 2.5): processes and
 * groups matched, their numbers subtracted, and cow_broken read page by
 * page from both snapshots' pagemaps and kpages. The cgroups are compared
 * in diff_cgroup.c.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "kernel.h"
#include "source.h"

const char *const diff_status_names[] = { "changed", "new", "gone" };

#define DIFF_CHUNK 4096   /* pagemap entries read at once */

static int64_t sub(uint64_t b, uint64_t a)
{
	return (int64_t)(b - a);
}

/* B - A of the numbers both sides know; a or b NULL stands for a process or group with nothing. */
static void delta(const struct mem_counts *a, const struct mem_counts *b, struct diff_delta *d)
{
	static const struct mem_counts none = { .valid = ~0u };

	if (!a)
		a = &none;
	if (!b)
		b = &none;
	d->valid = a->valid & b->valid;
	d->rss = sub(b->rss_bytes, a->rss_bytes);
	d->pss = sub(pss_bytes(b->pss), pss_bytes(a->pss));
	d->uss = sub(b->uss_bytes, a->uss_bytes);
	d->swap = sub(b->swap_bytes, a->swap_bytes);
	d->swap_pss = sub(pss_bytes(b->swap_pss), pss_bytes(a->swap_pss));
	d->swap_uss = sub(b->swap_uss_bytes, a->swap_uss_bytes);
}

/* Virtual pages and the frames they map. */
struct vpages {
	uint64_t *vaddr, *pfn;
	size_t n, cap, pcap;
};

static void vpages_push(struct vpages *v, uint64_t vaddr, uint64_t pfn)
{
	xgrow((void **)&v->vaddr, &v->cap, v->n + 1, sizeof(*v->vaddr));
	xgrow((void **)&v->pfn, &v->pcap, v->n + 1, sizeof(*v->pfn));
	v->vaddr[v->n] = vaddr;
	v->pfn[v->n++] = pfn;
}

/* Reads the entries of [start, end) and appends the present ones to out. */
static int read_present(struct pagemap *pm, uint64_t ps, uint64_t start, uint64_t end, struct vpages *out,
			struct tm_error *err)
{
	uint64_t e[DIFF_CHUNK];

	while (start < end) {
		size_t n = (end - start) / ps < DIFF_CHUNK ? (size_t)((end - start) / ps) : DIFF_CHUNK;
		int rc = pagemap_read(pm, start, n, e, err);

		if (rc < 0)
			return rc;
		for (size_t i = 0; i < n; i++)
			if (e[i] & PM_PRESENT)
				vpages_push(out, start + i * ps, e[i] & PM_PFN_MASK);
		start += n * ps;
	}
	return 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The mapcount of each page's frame into count[]; 0 for the zero page and frames without a struct page. */
static int frame_counts(struct source *s, const struct vpages *v, uint64_t *count, struct tm_error *err)
{
	uint64_t *u = xmalloc((v->n + 1) * sizeof(*u)), *cnt, *flg;
	size_t nu = 0;
	int rc;

	memcpy(u, v->pfn, v->n * sizeof(*u));
	qsort(u, v->n, sizeof(*u), cmp_u64);
	for (size_t i = 0; i < v->n; i++)
		if (!nu || u[nu - 1] != u[i])
			u[nu++] = u[i];
	cnt = xmalloc((nu + 1) * sizeof(*cnt));
	flg = xmalloc((nu + 1) * sizeof(*flg));
	rc = nu ? kpage_lookup(s, u, nu, cnt, flg, err) : 0;
	for (size_t i = 0; rc == 0 && i < v->n; i++) {
		const uint64_t *f = bsearch(&v->pfn[i], u, nu, sizeof(*u), cmp_u64);
		size_t k = (size_t)(f - u);

		count[i] = flg[k] & (KPF_ZERO_PAGE | KPF_NOPAGE | KPF_HUGE) ? 0 : cnt[k];
	}
	free(u);
	free(cnt);
	free(flg);
	return rc;
}

/* A's present pages of p whose frames other mappings share (mapcount > 1), into out. */
static int shared_in_a(struct source *s, const struct proc *p, uint64_t ps, struct vpages *out, struct tm_error *err)
{
	struct vpages all = { 0 };
	struct vrange *r = NULL;
	size_t nr = 0, rcap = 0;
	uint64_t *count = NULL;
	int rc = 0;
	struct pagemap *pm = pagemap_open(s, p->id.pid, &rc, err);

	if (!pm)
		return rc;
	for (size_t i = 0; i < p->vmas.n && rc >= 0; i++)
		rc = (int)pagemap_populated(pm, p->vmas.v[i].start, p->vmas.v[i].end, &r, &nr, &rcap, err);
	for (size_t i = 0; i < nr && rc >= 0; i++)
		rc = read_present(pm, ps, r[i].start, r[i].end, &all, err);
	pagemap_close(pm);
	if (rc >= 0) {
		count = xmalloc((all.n + 1) * sizeof(*count));
		rc = frame_counts(s, &all, count, err);
	}
	for (size_t i = 0; rc >= 0 && i < all.n; i++)
		if (count[i] > 1)
			vpages_push(out, all.vaddr[i], all.pfn[i]);
	free(count);
	free(r);
	free(all.vaddr);
	free(all.pfn);
	return rc < 0 ? rc : 0;
}

/* B's present pages at the addresses of want (ascending), into out. */
static int pages_in_b(struct pagemap *pm, uint64_t ps, const struct vpages *want, struct vpages *out,
		      struct tm_error *err)
{
	int rc = 0;

	for (size_t i = 0, j; i < want->n && rc == 0; i = j) {
		for (j = i + 1; j < want->n && want->vaddr[j] == want->vaddr[j - 1] + ps; j++)
			;
		rc = read_present(pm, ps, want->vaddr[i], want->vaddr[j - 1] + ps, out, err);
	}
	return rc;
}

/* cow_broken of one process in both snapshots (SPEC section 2.5). */
static int cow_broken(struct source *sa, const struct proc *pa, struct source *sb, const struct proc *pb,
		      uint64_t ps, uint64_t *out, struct tm_error *err)
{
	struct vpages shared = { 0 }, now = { 0 };
	uint64_t *count = NULL;
	struct pagemap *pm;
	int rc = shared_in_a(sa, pa, ps, &shared, err);

	*out = 0;
	if (rc == 0 && shared.n) {
		if (!(pm = pagemap_open(sb, pb->id.pid, &rc, err)))
			goto done;
		rc = pages_in_b(pm, ps, &shared, &now, err);
		pagemap_close(pm);
		if (rc == 0) {
			count = xmalloc((now.n + 1) * sizeof(*count));
			rc = frame_counts(sb, &now, count, err);
		}
		for (size_t i = 0; rc == 0 && i < now.n; i++)
			*out += count[i] == 1 ? ps : 0;
	}
done:
	free(count);
	free(shared.vaddr);
	free(shared.pfn);
	free(now.vaddr);
	free(now.pfn);
	return rc;
}

/* The same process: pid and start time, or pid and comm where a snapshot has no start times. */
static bool same_process(const struct proc *a, const struct proc *b)
{
	if (a->id.pid != b->id.pid)
		return false;
	if (a->id.have_start && b->id.have_start)
		return a->id.start_ms == b->id.start_ms;
	return !strcmp(a->id.comm, b->id.comm);
}

static void add_proc(struct diff *d, size_t *cap, const struct proc *a, const struct proc *b)
{
	struct diff_proc *p;

	xgrow((void **)&d->p, cap, d->n + 1, sizeof(*d->p));
	p = &d->p[d->n++];
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = b;
	p->status = !a ? DIFF_NEW : !b ? DIFF_GONE : DIFF_CHANGED;
	delta(a ? &a->counts : NULL, b ? &b->counts : NULL, &p->d);
}

static uint64_t abs64(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

static pid_t proc_pid(const struct diff_proc *p)
{
	return p->b ? p->b->id.pid : p->a->id.pid;
}

static int cmp_proc(const void *x, const void *y)
{
	const struct diff_proc *a = x, *b = y;
	uint64_t da = a->d.valid & CNT_PSS ? abs64(a->d.pss) : 0, db = b->d.valid & CNT_PSS ? abs64(b->d.pss) : 0;

	if (da != db)
		return da > db ? -1 : 1;
	if (proc_pid(a) != proc_pid(b))
		return proc_pid(a) < proc_pid(b) ? -1 : 1;
	return (int)a->status - (int)b->status;   /* a reused pid: the one gone first */
}

static const char *group_key(const struct diff_group *g)
{
	return g->b ? g->b->key : g->a->key;
}

static int cmp_group(const void *x, const void *y)
{
	const struct diff_group *a = x, *b = y;
	uint64_t da = a->d.valid & CNT_PSS ? abs64(a->d.pss) : 0, db = b->d.valid & CNT_PSS ? abs64(b->d.pss) : 0;

	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(group_key(a), group_key(b));
}

/*
 * diff_pair_by_key: calls pair(ctx, x, y) once for every key of A and of B:
 * A's elements in order with B's of the same key (NULL where B has none),
 * then B's that A has not, with NULL for A. An element's key is the
 * string pointer at key_off in it.
 */
void diff_pair_by_key(const void *a, size_t na, const void *b, size_t nb, size_t size, size_t key_off,
		      void (*pair)(void *ctx, const void *x, const void *y), void *ctx)
{
	for (size_t pass = 0; pass < 2; pass++) {
		const char *x = pass ? b : a, *y = pass ? a : b;
		size_t nx = pass ? nb : na, ny = pass ? na : nb;

		for (size_t i = 0; i < nx; i++) {
			const char *kx = *(const char *const *)(const void *)(x + i * size + key_off);
			const void *other = NULL;

			for (size_t j = 0; j < ny && !other; j++)
				if (!strcmp(kx, *(const char *const *)(const void *)(y + j * size + key_off)))
					other = y + j * size;
			if (pass && other)   /* paired in the first pass */
				continue;
			pair(ctx, pass ? other : x + i * size, pass ? x + i * size : other);
		}
	}
}

struct group_pairing {
	struct diff *d;
	size_t cap;
};

static void pair_group(void *ctx, const void *ga, const void *gb)
{
	struct group_pairing *gp = ctx;
	struct diff *d = gp->d;
	struct diff_group *g;

	xgrow((void **)&d->g, &gp->cap, d->ng + 1, sizeof(*d->g));
	g = &d->g[d->ng++];
	g->a = ga;
	g->b = gb;
	g->status = !g->a ? DIFF_NEW : !g->b ? DIFF_GONE : DIFF_CHANGED;
	delta(g->a ? &g->a->counts : NULL, g->b ? &g->b->counts : NULL, &g->d);
}

static void match_groups(const struct scan *a, const struct scan *b, struct diff *d)
{
	struct group_pairing gp = { d, 0 };

	diff_pair_by_key(a->groups, a->ngroups, b->groups, b->ngroups, sizeof(*a->groups),
			 offsetof(struct group, key), pair_group, &gp);
	if (d->ng)
		qsort(d->g, d->ng, sizeof(*d->g), cmp_group);
}

/* The census of both snapshots, when both hold one. */
static int both_census(struct source *sa, struct source *sb, struct diff *d, struct tm_error *err)
{
	if (!source_snapshot_has(sa, "census") || !source_snapshot_has(sb, "census"))
		return 0;
	if (census_read(sa, 0, &d->ca, err) < 0)
		return -1;
	if (census_read(sb, 0, &d->cb, err) < 0) {
		census_release(&d->ca);
		return -1;
	}
	d->census = true;
	return 0;
}

int diff_build(struct source *sa, const struct scan *a, struct source *sb, const struct scan *b, struct diff *out,
	       struct tm_error *err)
{
	size_t i = 0, j = 0, cap = 0;
	bool exact = a->mode == MODE_EXACT && b->mode == MODE_EXACT;

	memset(out, 0, sizeof(*out));
	while (i < a->n || j < b->n) {
		const struct proc *pa = i < a->n ? &a->procs[i] : NULL, *pb = j < b->n ? &b->procs[j] : NULL;

		if (pa && pb && same_process(pa, pb)) {
			add_proc(out, &cap, pa, pb);
			i++, j++;
		} else if (pa && (!pb || pa->id.pid <= pb->id.pid)) {
			add_proc(out, &cap, pa, NULL);
			i++;
		} else {
			add_proc(out, &cap, NULL, pb);
			j++;
		}
	}
	out->cow_known = exact;
	for (size_t k = 0; k < out->n; k++) {
		struct diff_proc *p = &out->p[k];

		if (p->status != DIFF_CHANGED || !exact || !p->a->readable || !p->b->readable) {
			out->cow_known &= p->status != DIFF_CHANGED || (p->a->readable && p->b->readable);
			continue;
		}
		if (cow_broken(sa, p->a, sb, p->b, a->page_size, &p->cow_broken, err) < 0) {
			diff_release(out);
			return -1;
		}
		p->cow_known = true;
		out->cow_broken += p->cow_broken;
	}
	if (out->n)
		qsort(out->p, out->n, sizeof(*out->p), cmp_proc);
	delta(&a->totals, &b->totals, &out->totals);
	if (a->group_by != GROUP_NONE)
		match_groups(a, b, out);
	if (both_census(sa, sb, out, err) < 0 ||
	    diff_cgroups(sa, sb, exact ? MODE_EXACT : MODE_ROLLUP, out, err) < 0) {
		diff_release(out);
		return -1;
	}
	return 0;
}

void diff_release(struct diff *d)
{
	free(d->p);
	free(d->g);
	if (d->census) {
		census_release(&d->ca);
		census_release(&d->cb);
	}
	diff_cgroups_release(d);
	memset(d, 0, sizeof(*d));
}
