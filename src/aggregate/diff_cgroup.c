/*
 * diff_cgroup.c: the cgroups of two snapshots compared (SPEC section 2.5):
 * each snapshot's rows built as `truemem cgroup --from` builds them (the
 * "cgroups" member, the census's memcg split, the scans of each subtree),
 * matched by path, and every column subtracted, B - A.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cgroup.h"
#include "diff.h"
#include "source.h"

/* One snapshot's cgroup rows and what they borrow from. */
struct diff_cgside {
	struct cgroup_tree t;
	struct census census;
	bool has_census;
	struct cgroup_input *in;
	struct cgroup_report r;
};

const char *const diff_cgroup_keys[DCG_COUNT] = {
	"charged", "swap_charged", "kernel", "mapped_inside", "mapped_outside_only", "unmapped_file",
	"unmapped_shmem", "unmapped_anon", "unexplained", "mapped_from_elsewhere", "procs", "rss", "pss", "uss",
	"frees",
};

/* Column f of row r as a signed number; false when r cannot tell it. */
static bool cg_value(const struct cgroup_row *r, int f, int64_t *v)
{
	bool fr = r->frames_known, k = r->kernel_known, c = r->counts_known;

	switch (f) {
	case DCG_CHARGED: *v = (int64_t)r->charged; return k;
	case DCG_SWAP_CHARGED: *v = (int64_t)r->swap_charged; return k && r->has_swap;
	case DCG_KERNEL: *v = (int64_t)r->kernel; return k && r->has_kernel;
	case DCG_MAPPED_INSIDE: *v = (int64_t)r->mapped_inside; return fr;
	case DCG_MAPPED_OUTSIDE_ONLY: *v = (int64_t)r->mapped_outside_only; return fr;
	case DCG_UNMAPPED_FILE: *v = (int64_t)r->unmapped_file; return fr;
	case DCG_UNMAPPED_SHMEM: *v = (int64_t)r->unmapped_shmem; return fr;
	case DCG_UNMAPPED_ANON: *v = (int64_t)r->unmapped_anon; return fr;
	case DCG_UNEXPLAINED: *v = r->unexplained; return fr && k;
	case DCG_MAPPED_FROM_ELSEWHERE: *v = (int64_t)r->mapped_from_elsewhere; return fr;
	case DCG_PROCS: *v = (int64_t)r->npids; return true;
	case DCG_RSS: *v = (int64_t)r->counts.rss_bytes; return c && (r->counts.valid & CNT_RSS);
	case DCG_PSS: *v = (int64_t)pss_bytes(r->counts.pss); return c && (r->counts.valid & CNT_PSS);
	case DCG_USS: *v = (int64_t)r->counts.uss_bytes; return c && (r->counts.valid & CNT_USS);
	case DCG_FREES: *v = (int64_t)r->counts.frees_bytes; return c && (r->counts.valid & CNT_FATES);
	default: *v = 0; return false;
	}
}

static void side_release(struct diff_cgside *s)
{
	if (!s)
		return;
	cgroup_report_release(&s->r);
	cgroup_inputs_release(s->in, s->t.count);
	cgroup_tree_release(&s->t);
	if (s->has_census)
		census_release(&s->census);
	free(s);
}

/* The rows of snapshot src in mode, as `truemem cgroup --from` has them. Returns NULL with err set. */
static struct diff_cgside *side_build(struct source *src, enum scan_mode mode, struct tm_error *err)
{
	struct diff_cgside *s = xcalloc(1, sizeof(*s));
	struct scan_opts so = { .mode = mode };
	struct tm_error why = { "" };
	struct scan top;
	int rc = 0;

	if (mode == MODE_EXACT && (rc = census_read(src, CENSUS_MEMCG, &s->census, err)) == 0)
		s->has_census = true;
	if ((rc < 0 && rc != -ENOENT) || cgroup_read(src, 0, &s->t, err) < 0) {
		side_release(s);
		return NULL;
	}
	s->in = xcalloc(s->t.count + 1, sizeof(*s->in));
	if (cgroup_scan(src, &s->t, &so, NULL, s->in, &top, &why, err) < 0) {
		side_release(s);
		return NULL;
	}
	/* Frames are known only where the scan read each frame's memcg (why says why not). */
	cgroup_report_build(&s->t, top.mode == MODE_EXACT && !why.msg[0] && s->has_census ? &s->census : NULL, s->in,
			    top.page_size, NULL, &s->r);
	scan_release(&top);
	return s;
}

static void cg_delta(struct diff_cgroup *g)
{
	for (int f = 0; f < DCG_COUNT; f++) {
		int64_t va = 0, vb = 0;
		bool ka = !g->a || cg_value(g->a, f, &va), kb = !g->b || cg_value(g->b, f, &vb);

		if (ka && kb) {
			g->known |= 1u << f;
			g->d[f] = (int64_t)((uint64_t)vb - (uint64_t)va);
		}
	}
}

static uint64_t magnitude(const struct diff_cgroup *g)
{
	int64_t v = g->d[DCG_CHARGED];

	if (!(g->known & (1u << DCG_CHARGED)))
		return 0;
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

/* Largest change of charged first, then by path; a path both gone and new: gone first. */
static int cmp_cgroup(const void *x, const void *y)
{
	const struct diff_cgroup *a = x, *b = y;
	uint64_t ma = magnitude(a), mb = magnitude(b);
	int c;

	if (ma != mb)
		return ma > mb ? -1 : 1;
	if ((c = strcmp(a->path, b->path)) != 0)
		return c;
	return (int)a->status - (int)b->status;
}

struct cgroup_pairing {
	struct diff *d;
	size_t cap;
};

static void pair_cgroup(void *ctx, const void *ra, const void *rb)
{
	struct cgroup_pairing *cp = ctx;
	struct diff *d = cp->d;
	struct diff_cgroup *g;

	xgrow((void **)&d->cg, &cp->cap, d->ncg + 1, sizeof(*d->cg));
	g = &d->cg[d->ncg++];
	memset(g, 0, sizeof(*g));
	g->a = ra;
	g->b = rb;
	g->path = g->a ? g->a->path : g->b->path;
	g->status = !g->a ? DIFF_NEW : !g->b ? DIFF_GONE : DIFF_CHANGED;
	cg_delta(g);
}

/* Rows of A paired with B's of the same path, then B's that A has not. */
static void match(struct diff *d)
{
	struct cgroup_pairing cp = { d, 0 };

	diff_pair_by_key(d->cga->r.rows, d->cga->r.n, d->cgb->r.rows, d->cgb->r.n, sizeof(*d->cga->r.rows),
			 offsetof(struct cgroup_row, path), pair_cgroup, &cp);
	if (d->ncg)
		qsort(d->cg, d->ncg, sizeof(*d->cg), cmp_cgroup);
}

int diff_cgroups(struct source *sa, struct source *sb, enum scan_mode mode, struct diff *d, struct tm_error *err)
{
	if (!source_snapshot_has(sa, "cgroups") || !source_snapshot_has(sb, "cgroups"))
		return 0;
	if (!(d->cga = side_build(sa, mode, err)))
		return -1;
	if (!(d->cgb = side_build(sb, mode, err)))
		return -1;
	d->cgroups = true;
	d->cg_version_a = d->cga->t.version;
	d->cg_version_b = d->cgb->t.version;
	match(d);
	return 0;
}

void diff_cgroups_release(struct diff *d)
{
	side_release(d->cga);
	side_release(d->cgb);
	free(d->cg);
	d->cga = d->cgb = NULL;
	d->cg = NULL;
	d->ncg = 0;
	d->cgroups = false;
}
