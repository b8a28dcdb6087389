/*
 * map_text.c: the `map` report as text, laid out like `pmap -x` (address,
 * size, RSS, PSS, USS, swap, mode, mapping) with a totals row equal to the
 * process's `ps` row; -X adds what `pmap -X` adds: the anon/file/shmem
 * split, huge pages, locked memory, the kernel's VmFlags, and the guard
 * pages (MADV_GUARD_INSTALL), which are neither memory nor swap; each column
 * totalled too (a sum over the mappings: "-" when one mapping's is not known).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

/* SIZE RSS PSS USS SWAP cells of c. */
static void map_cells(char cells[5][32], const struct mem_counts *c, uint64_t size, bool human)
{
	fmt_bytes(cells[0], 32, size, human);
	fmt_cell(cells[1], 32, c->rss_bytes, c->valid & CNT_RSS, human);
	fmt_cell(cells[2], 32, pss_bytes(c->pss), c->valid & CNT_PSS, human);
	fmt_cell(cells[3], 32, c->uss_bytes, c->valid & CNT_USS, human);
	fmt_cell(cells[4], 32, c->swap_bytes, c->valid & CNT_SWAP, human);
}

/* The -X figures of one mapping, or their sums over all (totals): anon, file, shmem rss, THP, locked, guard pages. */
#define MAP_XCOLS 6
struct map_extended {
	uint64_t v[MAP_XCOLS];
	bool known[MAP_XCOLS];
};

static void map_extended_of(struct map_extended *x, const struct vma *v)
{
	static const struct vma_smaps none;
	const struct vma_smaps *sm = v->smaps ? v->smaps : &none;
	const struct mem_counts *c = &v->counts;
	bool kinds = c->valid & CNT_KIND_RSS;

	*x = (struct map_extended){
		{ kinds ? c->kind[KIND_ANON].rss_bytes : sm->anon_kb * 1024, c->kind[KIND_FILE].rss_bytes,
		  c->kind[KIND_SHMEM].rss_bytes, (sm->anon_huge_kb + sm->shmem_huge_kb + sm->file_huge_kb) * 1024,
		  sm->locked_kb * 1024, c->guard_bytes },
		{ kinds || v->smaps, kinds, kinds, v->smaps, v->smaps, c->valid & CNT_EXTRA },
	};
}

/* The -X cells of x. */
static void map_extended_cells(char cells[MAP_XCOLS][32], const struct map_extended *x, bool human)
{
	for (int k = 0; k < MAP_XCOLS; k++)
		fmt_cell(cells[k], 32, x->v[k], x->known[k], human);
}

void map_text_write(FILE *f, const struct scan *sc, const struct proc *p, const struct text_opts *t, bool extended)
{
	bool human = t->human;
	static const char *const titles[5] = { "Size", "RSS", "PSS", "USS", "Swap" };
	static const char *const xtitles[MAP_XCOLS] = { "Anon", "File", "Shmem", "THP", "Locked", "Guard" };
	struct buf b = BUF_INIT;
	char cells[5][32], xcells[MAP_XCOLS][32];
	int w = human ? 10 : 12;
	uint64_t size = 0;

	if (!t->no_headers) {
		escape_untrusted(&b, proc_command(p), 0);
		fprintf(f, "%d:   %s\n", (int)p->id.pid, b.buf);
		fprintf(f, "%-16s", "Address");
		for (int k = 0; k < 5; k++)
			fprintf(f, " %*s", w, titles[k]);
		for (int k = 0; extended && k < MAP_XCOLS; k++)
			fprintf(f, " %*s", w, xtitles[k]);
		fprintf(f, " Mode  Mapping%s\n", extended ? " [VmFlags]" : "");
	}
	/* -X totals: each column summed over the mappings, known when it is known for every one. */
	struct map_extended x, xsum = { { 0 }, { true, true, true, true, true, true } };

	for (size_t i = 0; i < p->vmas.n; i++) {
		const struct vma *v = &p->vmas.v[i];

		size += v->end - v->start;
		map_cells(cells, &v->counts, v->end - v->start, human);
		fprintf(f, "%016" PRIx64, v->start);
		for (int k = 0; k < 5; k++)
			fprintf(f, " %*s", w, cells[k]);
		if (extended) {
			map_extended_of(&x, v);
			map_extended_cells(xcells, &x, human);
			for (int k = 0; k < MAP_XCOLS; k++) {
				fprintf(f, " %*s", w, xcells[k]);
				xsum.v[k] += x.v[k];
				xsum.known[k] = xsum.known[k] && x.known[k];
			}
		}
		b.len = 0;
		escape_untrusted(&b, vma_display_name(v), 0);
		fprintf(f, " %-5s %s", v->perms, b.buf);
		if (extended && v->smaps && v->smaps->vmflags[0])
			fprintf(f, " [%s]", v->smaps->vmflags);
		fputc('\n', f);
	}
	if (!t->no_totals) {
		map_cells(cells, &p->counts, size, human);
		fprintf(f, "%-16s", "total");
		for (int k = 0; k < 5; k++)
			fprintf(f, " %*s", w, cells[k]);
		if (extended) {
			map_extended_cells(xcells, &xsum, human);
			for (int k = 0; k < MAP_XCOLS; k++)
				fprintf(f, " %*s", w, xcells[k]);
		}
		fputc('\n', f);
	}
	buf_release(&b);
}
