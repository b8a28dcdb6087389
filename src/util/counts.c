/*
 * counts.c: adding up struct mem_counts (counts.h).
 */
#include "counts.h"

const char *const page_kind_names[KIND_COUNT] = { "anon", "file", "shmem" };

void counts_add(struct mem_counts *dst, const struct mem_counts *src)
{
	dst->valid &= src->valid;
	dst->rss_bytes += src->rss_bytes;
	dst->pss += src->pss;
	dst->uss_bytes += src->uss_bytes;
	dst->swap_bytes += src->swap_bytes;
	dst->swap_pss += src->swap_pss;
	dst->swap_uss_bytes += src->swap_uss_bytes;
	for (int k = 0; k < KIND_COUNT; k++) {
		dst->kind[k].rss_bytes += src->kind[k].rss_bytes;
		dst->kind[k].pss += src->kind[k].pss;
		dst->kind[k].uss_bytes += src->kind[k].uss_bytes;
		dst->kind[k].swap_bytes += src->kind[k].swap_bytes;
	}
	dst->zero_page_bytes += src->zero_page_bytes;
	dst->nopage_bytes += src->nopage_bytes;
	dst->hugetlb_bytes += src->hugetlb_bytes;
	dst->guard_bytes += src->guard_bytes;
	dst->frees_bytes += src->frees_bytes;
	dst->reclaimable_bytes += src->reclaimable_bytes;
	dst->stays_bytes += src->stays_bytes;
	dst->frees_swap_bytes += src->frees_swap_bytes;
}
