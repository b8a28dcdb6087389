/*
 * lib_text.c: the `lib` report, librank-style: one row per mapped file
 * with the number of processes mapping it and its memory summed over
 * them, largest PSS first; its column table (column.h) and the text table.
 */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "view.h"

static const struct mem_counts *lib_counts(const void *row)
{
	return &((const struct lib_row *)row)->counts;
}

static bool lib_procs(const void *row, uint64_t *v)
{
	*v = ((const struct lib_row *)row)->npids;
	return true;
}

static const char *lib_name(const void *row)
{
	return ((const struct lib_row *)row)->name;
}

static int lib_tiebreak(const void *x, const void *y)
{
	return strcmp(lib_name(x), lib_name(y));
}

const struct column lib_columns[LCOL_COUNT] = {
	[LCOL_PROCS] = { "procs", NULL, "PROCS", 6, 0, COLK_NUMBER, false, CF_NONE, lib_procs, NULL },
	[LCOL_SWAP]  = { "swap", NULL, "SWAP", 10, CNT_SWAP, COLK_BYTES, false, CF_SWAP, NULL, NULL },
	[LCOL_USS]   = { "uss", NULL, "USS", 10, CNT_USS, COLK_BYTES, false, CF_USS, NULL, NULL },
	[LCOL_PSS]   = { "pss", NULL, "PSS", 10, CNT_PSS, COLK_PSS, false, CF_PSS, NULL, NULL },
	[LCOL_RSS]   = { "rss", NULL, "RSS", 10, CNT_RSS, COLK_BYTES, false, CF_RSS, NULL, NULL },
	[LCOL_NAME]  = { "name", "command,cmd,comm,file", "NAME", 0, 0, COLK_TEXT, true, CF_NONE, NULL, lib_name },
};

const struct column_table lib_table = {
	"lib", lib_columns, LCOL_COUNT, lib_counts, lib_tiebreak, NULL, false,
};

static const int lib_default_cols[] = { LCOL_PROCS, LCOL_SWAP, LCOL_USS, LCOL_PSS, LCOL_RSS, LCOL_NAME, -1 };

/* A column's width: sizes take 12 for raw bytes; the file name, not last, is cut at 40. */
static int lib_width(int c, bool human)
{
	if (c == LCOL_NAME)
		return 40;
	return lib_columns[c].kind == COLK_BYTES || lib_columns[c].kind == COLK_PSS ? (human ? 10 : 12) :
	       lib_columns[c].width;
}

void lib_text_write(FILE *f, const struct scan *sc, const struct lib_report *r, const struct text_opts *t)
{
	const int *cols = t->cols ? t->cols : lib_default_cols;
	int nc = 0, used = 0;
	struct buf b = BUF_INIT;

	while (cols[nc] >= 0)
		nc++;
	if (!t->no_headers) {
		for (int k = 0; k < nc; k++) {
			int c = cols[k];

			fprintf(f, "%s", k ? " " : "");
			if (c != LCOL_NAME)
				fprintf(f, "%*s", lib_width(c, t->human), lib_columns[c].title);
			else
				fprintf(f, "%-*s", k + 1 < nc ? lib_width(c, t->human) : 0, lib_columns[c].title);
		}
		fputc('\n', f);
	}
	for (int k = 0; k + 1 < nc; k++)
		used += lib_width(cols[k], t->human) + 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct lib_row *row = &r->rows[i];

		for (int k = 0; k < nc; k++) {
			int c = cols[k], w = lib_width(c, t->human);
			char cell[32];

			fprintf(f, "%s", k ? " " : "");
			if (c != LCOL_NAME) {
				column_cell(cell, sizeof(cell), &lib_table, c, row, t->human);
				fprintf(f, "%*s", w, cell);
				continue;
			}
			b.len = 0;
			if (k + 1 < nc) {
				escape_untrusted(&b, row->name, (size_t)w);
				fprintf(f, "%-*s", w, b.buf);
			} else {
				escape_untrusted(&b, row->name, t->width > 0 && t->width > used ? (size_t)(t->width - used) : 0);
				fputs(b.buf, f);
			}
		}
		fputc('\n', f);
	}
	buf_release(&b);
}
