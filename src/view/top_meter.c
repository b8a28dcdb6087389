/*
 * top_meter.c: the memory bar in top's header. It reconciles /proc/meminfo
 * (Documentation/filesystems/proc.rst, "meminfo") with what the scan found
 * processes mapping, into the segments of SPEC section 3's "accounted":
 *
 *   anon, file, shmem  distinct frames mapped by the scanned processes, by
 *                      page type (scan totals; in rollup mode the sums of
 *                      Pss_Anon/Pss_File/Pss_Shmem, which over every mapper
 *                      of a frame add up to that frame once)
 *   cache              page cache no process maps
 *   kernel             slab, page tables, kernel stacks, vmalloc, per-CPU
 *   free               MemFree
 *
 * cache and kernel come from the reconciliation `sys` uses (mem_reconcile,
 * report.h), so the two agree; what is left of MemTotal (hugetlb pools,
 * driver memory) is "other". Swap: used = SwapTotal - SwapFree, attributed = the swap held by
 * the scanned processes' page tables (scan totals).
 *
 * Pure: meminfo has been read and parsed by the caller through the source.
 */
#include <string.h>

#include "report.h"
#include "top.h"

const char *const top_seg_names[SEG_COUNT] = {
	[SEG_ANON] = "anon", [SEG_FILE] = "file", [SEG_SHMEM] = "shmem",
	[SEG_CACHE] = "cache", [SEG_KERNEL] = "kernel", [SEG_FREE] = "free",
};

static uint64_t sat_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Mapped bytes by kind: exact distinct frames, else the rollup PSS sums. */
static bool mapped_kinds(const struct scan *sc, uint64_t kind[KIND_COUNT], uint64_t *all)
{
	const struct mem_counts *t = &sc->totals;

	if (t->valid & CNT_KIND_RSS) {
		for (int k = 0; k < KIND_COUNT; k++)
			kind[k] = t->kind[k].rss_bytes;
		return true;
	}
	if (t->valid & CNT_KIND_PSS) {
		for (int k = 0; k < KIND_COUNT; k++)
			kind[k] = pss_bytes(t->kind[k].pss);
		return true;
	}
	*all = (t->valid & CNT_RSS) ? t->rss_bytes : (t->valid & CNT_PSS) ? pss_bytes(t->pss) : 0;
	return false;
}

void top_meter_compute(struct top_meter *m, const struct meminfo *mi, const struct scan *sc)
{
	uint64_t kind[KIND_COUNT] = { 0 }, all = 0, sum = 0;
	struct mem_reconcile rec;

	memset(m, 0, sizeof(*m));
	if (!mi || !mi->n)
		return;
	m->ok = true;
	if (sc) {
		m->mapped_by_kind = mapped_kinds(sc, kind, &all);
		m->swap_attributed_ok = (sc->totals.valid & CNT_SWAP) != 0;
		m->swap_attributed = sc->totals.swap_bytes;
	}
	/* The same figures as `sys` (report.h); without the split, meminfo's Mapped stands in. */
	mem_reconcile(mi, m->mapped_by_kind ? kind : NULL, &rec);
	m->total = rec.total;
	m->swap_total = rec.swap_total;
	m->swap_used = rec.swap_used;
	if (m->mapped_by_kind) {
		m->seg[SEG_ANON] = kind[KIND_ANON];
		m->seg[SEG_FILE] = kind[KIND_FILE];
		m->seg[SEG_SHMEM] = kind[KIND_SHMEM];
	} else {
		m->seg[SEG_ANON] = all;
	}
	m->seg[SEG_CACHE] = rec.cache_unmapped;
	m->seg[SEG_KERNEL] = rec.kernel;
	m->seg[SEG_FREE] = rec.free;
	for (int s = 0; s < SEG_COUNT; s++)
		sum += m->seg[s];
	m->other = sat_sub(m->total, sum);
}
