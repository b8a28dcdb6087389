/*
 * lib_text.c: the `lib` report as text, librank-style: one row per mapped
 * file with the number of processes mapping it and its memory summed over
 * them, largest PSS first.
 */
#include <stdio.h>

#include "report.h"
#include "view.h"

void lib_text_write(FILE *f, const struct scan *sc, const struct lib_report *r, const struct text_opts *t)
{
	bool human = t->human;
	int w = human ? 10 : 12, width = t->width;
	struct buf b = BUF_INIT;

	if (!t->no_headers)
		fprintf(f, "%6s %*s %*s %*s %*s NAME\n", "PROCS", w, "SWAP", w, "USS", w, "PSS", w, "RSS");
	for (size_t i = 0; i < r->n; i++) {
		const struct lib_row *row = &r->rows[i];
		const struct mem_counts *c = &row->counts;
		char cells[4][32];

		fmt_cell(cells[0], 32, c->swap_bytes, c->valid & CNT_SWAP, human);
		fmt_cell(cells[1], 32, c->uss_bytes, c->valid & CNT_USS, human);
		fmt_cell(cells[2], 32, pss_bytes(c->pss), c->valid & CNT_PSS, human);
		fmt_cell(cells[3], 32, c->rss_bytes, c->valid & CNT_RSS, human);
		b.len = 0;
		escape_untrusted(&b, row->name, width > 0 && width > 6 + 4 * (w + 1) + 1 ?
				 (size_t)(width - 6 - 4 * (w + 1) - 1) : 0);
		fprintf(f, "%6zu %*s %*s %*s %*s %s\n", row->npids, w, cells[0], w, cells[1], w, cells[2], w,
			cells[3], b.buf ? b.buf : "");
	}
	buf_release(&b);
}
