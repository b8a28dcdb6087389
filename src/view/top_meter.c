/*
 * top_meter.c: the memory bar in top's header. It reconciles /proc/meminfo
 * (Documentation/filesystems/proc.rst, "meminfo") with what the scan found
 * processes mapping, into the segments of SPEC section 3's "accounted":
 *
 *   anon, file, shmem  distinct frames mapped by the scanned processes, by
 *                      page type (scan totals; in rollup mode the sums of
 *                      Pss_Anon/Pss_File/Pss_Shmem, which over every mapper
 *                      of a frame add up to that frame once)
 *   cache              page cache no process maps: Cached - mapped file -
 *                      mapped shmem (Cached counts tmpfs/shmem pages too;
 *                      without the split, Cached - Mapped)
 *   kernel             Slab + PageTables + KernelStack + VmallocUsed
 *   free               MemFree
 *
 * and what is left of MemTotal (buffers, hugetlb pools, driver memory) as
 * "other". Swap: used = SwapTotal - SwapFree, attributed = the swap held by
 * the scanned processes' page tables (scan totals).
 *
 * Pure: meminfo has been read and parsed by the caller through the source.
 */
#include <string.h>

#include "top.h"

const char *const top_seg_names[SEG_COUNT] = {
	[SEG_ANON] = "anon", [SEG_FILE] = "file", [SEG_SHMEM] = "shmem",
	[SEG_CACHE] = "cache", [SEG_KERNEL] = "kernel", [SEG_FREE] = "free",
};

/* A meminfo field, 0 when absent. */
static uint64_t mi_get(const struct meminfo *mi, const char *key)
{
	uint64_t v = meminfo_get(mi, key);

	return v == UINT64_MAX ? 0 : v;
}

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

	memset(m, 0, sizeof(*m));
	if (!mi || !mi->n)
		return;
	m->ok = true;
	m->total = mi_get(mi, "MemTotal");
	m->swap_total = mi_get(mi, "SwapTotal");
	m->swap_used = sat_sub(m->swap_total, mi_get(mi, "SwapFree"));
	if (sc) {
		m->mapped_by_kind = mapped_kinds(sc, kind, &all);
		m->swap_attributed_ok = (sc->totals.valid & CNT_SWAP) != 0;
		m->swap_attributed = sc->totals.swap_bytes;
	}
	if (m->mapped_by_kind) {
		m->seg[SEG_ANON] = kind[KIND_ANON];
		m->seg[SEG_FILE] = kind[KIND_FILE];
		m->seg[SEG_SHMEM] = kind[KIND_SHMEM];
	} else {
		m->seg[SEG_ANON] = all;
	}
	/* Without the split, meminfo's Mapped (file and shmem pages in page tables) stands in. */
	m->seg[SEG_CACHE] = sat_sub(mi_get(mi, "Cached"), m->mapped_by_kind ?
				    kind[KIND_FILE] + kind[KIND_SHMEM] : mi_get(mi, "Mapped"));
	m->seg[SEG_KERNEL] = mi_get(mi, "Slab") + mi_get(mi, "PageTables") +
			     mi_get(mi, "KernelStack") + mi_get(mi, "VmallocUsed");
	m->seg[SEG_FREE] = mi_get(mi, "MemFree");
	for (int s = 0; s < SEG_COUNT; s++)
		sum += m->seg[s];
	m->other = sat_sub(m->total, sum);
}
