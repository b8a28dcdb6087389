/*
 * sys_text.c: the `sys` report as text: where every byte of MemTotal is,
 * from /proc/meminfo reconciled with the frames processes map, and swap
 * used against swap attributed to processes.
 */
#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "view.h"

static void line(FILE *f, const char *label, uint64_t v, bool known, bool human)
{
	char cell[32];

	fmt_cell(cell, sizeof(cell), v, known, human);
	fprintf(f, "  %-44s %14s\n", label, cell);
}

void sys_text_write(FILE *f, const struct scan *sc, const struct sys_report *r, bool human)
{
	char cell[32];

	fprintf(f, "MEMORY\n");
	line(f, "total (MemTotal)", r->total, true, human);
	line(f, "free (MemFree)", r->free, true, human);
	/* What free(1) users read first; an estimate of the kernel's, not a part of the split below. */
	line(f, "available (MemAvailable)", meminfo_get(&sc->meminfo, "MemAvailable"),
	     meminfo_get(&sc->meminfo, "MemAvailable") != UINT64_MAX, human);
	line(f, "mapped by processes: anon", r->anon, r->known, human);
	line(f, "mapped by processes: file", r->file, r->known, human);
	line(f, "mapped by processes: shmem", r->shmem, r->known, human);
	line(f, "anon no scanned process maps", r->anon_unattributed, r->known, human);
	line(f, "page cache no process maps", r->cache_unmapped, r->known, human);
	line(f, "kernel (slab, page tables, stacks, vmalloc)", r->kernel, true, human);
	line(f, "hugetlb pages", r->hugetlb, true, human);
	if (r->known) {
		fmt_bytes(cell, sizeof(cell), r->unexplained < 0 ? (uint64_t)-r->unexplained : (uint64_t)r->unexplained,
			  human);
		fprintf(f, "  %-44s %s%13s\n", "unexplained", r->unexplained < 0 ? "-" : " ", cell);
	} else {
		line(f, "unexplained", 0, false, human);
	}
	fprintf(f, "SWAP\n");
	line(f, "total (SwapTotal)", r->swap_total, true, human);
	line(f, "used (SwapTotal - SwapFree)", r->swap_used, true, human);
	line(f, "attributed to processes and shmem", r->swap_attributed, r->known, human);
	line(f, "swap cache (SwapCached)", r->swap_cached, true, human);
	census_text_write(f, r, human);
}
