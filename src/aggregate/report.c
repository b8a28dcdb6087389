/*
 * report.c: the lib and sys reports (report.h), built from a finished
 * scan without any I/O.
 */
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util.h"

bool lib_mapping_is_file(const struct vma *v)
{
	const char *n = vma_display_name(v);

	return n[0] == '/' || !strncmp(n, "memfd:", 6);
}

struct lib_ref {
	const struct vma *v;
	pid_t pid;
};

static int cmp_ref(const void *a, const void *b)
{
	const struct lib_ref *x = a, *y = b;
	int c = strcmp(vma_display_name(x->v), vma_display_name(y->v));

	if (c)
		return c;
	if (x->v->dev_major != y->v->dev_major)
		return x->v->dev_major < y->v->dev_major ? -1 : 1;
	if (x->v->dev_minor != y->v->dev_minor)
		return x->v->dev_minor < y->v->dev_minor ? -1 : 1;
	if (x->v->inode != y->v->inode)
		return x->v->inode < y->v->inode ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static bool same_file(const struct vma *a, const struct vma *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->inode == b->inode &&
	       !strcmp(vma_display_name(a), vma_display_name(b));
}

static int cmp_row(const void *a, const void *b)
{
	const struct lib_row *x = a, *y = b;

	if (x->counts.pss != y->counts.pss)
		return x->counts.pss > y->counts.pss ? -1 : 1;
	return strcmp(x->name, y->name);
}

void lib_report_build(const struct scan *sc, struct lib_report *out)
{
	struct lib_ref *refs = NULL;
	size_t nrefs = 0, cap = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < sc->n; i++) {
		const struct proc *p = &sc->procs[i];

		for (size_t k = 0; p->readable && k < p->vmas.n; k++) {
			if (!lib_mapping_is_file(&p->vmas.v[k]))
				continue;
			xgrow((void **)&refs, &cap, nrefs + 1, sizeof(*refs));
			refs[nrefs++] = (struct lib_ref){ &p->vmas.v[k], p->id.pid };
		}
	}
	if (nrefs)   /* qsort(NULL, 0) is undefined */
		qsort(refs, nrefs, sizeof(*refs), cmp_ref);
	out->rows = xcalloc(nrefs + 1, sizeof(*out->rows));
	for (size_t i = 0, j; i < nrefs; i = j) {
		struct lib_row *r = &out->rows[out->n++];

		r->name = vma_display_name(refs[i].v);
		r->dev_major = refs[i].v->dev_major;
		r->dev_minor = refs[i].v->dev_minor;
		r->inode = refs[i].v->inode;
		r->counts.valid = ~0u;
		for (j = i; j < nrefs && same_file(refs[i].v, refs[j].v); j++) {
			counts_add(&r->counts, &refs[j].v->counts);
			if (!r->npids || r->pids[r->npids - 1] != refs[j].pid) {
				r->pids = xrealloc(r->pids, (r->npids + 1) * sizeof(*r->pids));
				r->pids[r->npids++] = refs[j].pid;
			}
		}
	}
	qsort(out->rows, out->n, sizeof(*out->rows), cmp_row);
	free(refs);
}

void lib_report_release(struct lib_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rows[i].pids);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* A meminfo field in bytes, 0 when the kernel does not have it. */
static uint64_t mi(const struct meminfo *m, const char *key)
{
	uint64_t v = meminfo_get(m, key);

	return v == UINT64_MAX ? 0 : v;
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void mem_reconcile(const struct meminfo *m, const uint64_t *mapped_kind, struct mem_reconcile *out)
{
	uint64_t cache = mi(m, "Buffers") + mi(m, "Cached");

	memset(out, 0, sizeof(*out));
	out->total = mi(m, "MemTotal");
	out->free = mi(m, "MemFree");
	out->kernel = mi(m, "Slab") + mi(m, "PageTables") + mi(m, "SecPageTables") + mi(m, "KernelStack") +
		      mi(m, "VmallocUsed") + mi(m, "Percpu");
	out->hugetlb = meminfo_get(m, "Hugetlb") != UINT64_MAX ? mi(m, "Hugetlb") :
		       mi(m, "HugePages_Total") * mi(m, "Hugepagesize");
	out->swap_total = mi(m, "SwapTotal");
	out->swap_used = sub0(out->swap_total, mi(m, "SwapFree"));
	out->swap_cached = mi(m, "SwapCached");
	if (!mapped_kind) {
		out->cache_unmapped = sub0(cache, mi(m, "Mapped"));
		return;
	}
	out->cache_unmapped = sub0(cache, mapped_kind[KIND_FILE] + mapped_kind[KIND_SHMEM]);
	out->anon_unattributed = sub0(mi(m, "AnonPages"), mapped_kind[KIND_ANON]);
}

void sys_report_build(const struct scan *sc, struct sys_report *out)
{
	const struct mem_counts *t = &sc->totals;
	uint64_t kind[KIND_COUNT], accounted;
	struct mem_reconcile rec;

	for (int k = 0; k < KIND_COUNT; k++)
		kind[k] = t->kind[k].rss_bytes;
	memset(out, 0, sizeof(*out));
	out->known = sc->mode == MODE_EXACT;
	mem_reconcile(&sc->meminfo, kind, &rec);
	out->total = rec.total;
	out->free = rec.free;
	out->kernel = rec.kernel;
	out->hugetlb = rec.hugetlb;
	out->swap_total = rec.swap_total;
	out->swap_used = rec.swap_used;
	out->swap_cached = rec.swap_cached;
	if (!out->known)
		return;
	out->anon = kind[KIND_ANON];
	out->file = kind[KIND_FILE];
	out->shmem = kind[KIND_SHMEM];
	out->anon_unattributed = rec.anon_unattributed;
	out->cache_unmapped = rec.cache_unmapped;
	out->swap_attributed = t->swap_bytes;
	out->zero_page = t->zero_page_bytes;
	out->nopage = t->nopage_bytes;
	accounted = out->free + out->anon + out->file + out->shmem + out->anon_unattributed + out->cache_unmapped +
		    out->kernel + out->hugetlb;
	out->unexplained = (int64_t)out->total - (int64_t)accounted;
}

void sys_report_add_census(struct sys_report *r, const struct scan *sc, const struct census *c,
			   uint64_t nr_free_pages)
{
	static const char *const labels[KIND_COUNT] = {
		[KIND_ANON] = "mapped_anon", [KIND_FILE] = "mapped_file", [KIND_SHMEM] = "mapped_shmem",
	};
	static const enum census_class cls[KIND_COUNT] = {
		[KIND_ANON] = CEN_MAPPED_ANON, [KIND_FILE] = CEN_MAPPED_FILE, [KIND_SHMEM] = CEN_MAPPED_SHMEM,
	};

	r->census = c;
	r->ncmp = census_compare(c, &sc->meminfo, nr_free_pages, r->cmp);
	/* The census counts frames any page table maps; the scan, those of the processes it read. */
	for (int k = 0; k < KIND_COUNT; k++)
		r->cmp[r->ncmp++] = (struct census_cmp){
			.label = labels[k], .source = "processes scanned (distinct frames)",
			.census_bytes = c->pages[cls[k]] * c->page_size,
			.kernel_bytes = sc->totals.kind[k].rss_bytes,
			.known = (sc->totals.valid & CNT_KIND_RSS) != 0,
		};
}
