/*
 * map_text.c: the `map` report, laid out like `pmap -x` (address, size,
 * RSS, PSS, USS, swap, mode, mapping) with a totals row equal to the
 * process's `ps` row; -X adds what `pmap -X` adds: the anon/file/shmem
 * split, huge pages, locked memory, the kernel's VmFlags, and the guard
 * pages (MADV_GUARD_INSTALL), which are neither memory nor swap; each of
 * those totalled as a sum over the mappings ("-" when one mapping's is not
 * known). Its column table (column.h) and the text table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

static const struct vma_smaps no_smaps;

static const struct vma_smaps *vma_sm(const struct vma *v)
{
	return v->smaps ? v->smaps : &no_smaps;
}

static const struct mem_counts *vma_counts(const void *row)
{
	return &((const struct vma *)row)->counts;
}

static bool vma_start(const void *row, uint64_t *v)
{
	*v = ((const struct vma *)row)->start;
	return true;
}

static bool vma_size(const void *row, uint64_t *v)
{
	const struct vma *m = row;

	*v = m->end - m->start;
	return true;
}

/* The anon/file/shmem split of rss (anon: smaps's Anonymous when the page walk did not split it). */
static bool vma_kind(const struct vma *m, enum page_kind k, uint64_t *v)
{
	bool kinds = m->counts.valid & CNT_KIND_RSS;

	*v = kinds ? m->counts.kind[k].rss_bytes : k == KIND_ANON ? vma_sm(m)->anon_kb * 1024 : 0;
	return kinds || (k == KIND_ANON && m->smaps);
}

static bool vma_anon(const void *row, uint64_t *v) { return vma_kind(row, KIND_ANON, v); }
static bool vma_file(const void *row, uint64_t *v) { return vma_kind(row, KIND_FILE, v); }
static bool vma_shmem(const void *row, uint64_t *v) { return vma_kind(row, KIND_SHMEM, v); }

static bool vma_thp(const void *row, uint64_t *v)
{
	const struct vma_smaps *sm = vma_sm(row);

	*v = (sm->anon_huge_kb + sm->shmem_huge_kb + sm->file_huge_kb) * 1024;
	return ((const struct vma *)row)->smaps;
}

static bool vma_locked(const void *row, uint64_t *v)
{
	*v = vma_sm(row)->locked_kb * 1024;
	return ((const struct vma *)row)->smaps;
}

static bool vma_guard(const void *row, uint64_t *v)
{
	const struct vma *m = row;

	*v = m->counts.guard_bytes;
	return m->counts.valid & CNT_EXTRA;
}

static const char *vma_perms(const void *row)
{
	return ((const struct vma *)row)->perms;
}

static const char *vma_name(const void *row)
{
	return vma_display_name(row);
}

static int vma_tiebreak(const void *x, const void *y)
{
	uint64_t a = ((const struct vma *)x)->start, b = ((const struct vma *)y)->start;

	return a < b ? -1 : a > b;
}

const struct column map_columns[MCOL_COUNT] = {
	[MCOL_ADDRESS] = { "address", "start", "Address", 16, 0, COLK_HEX, true, CF_NONE, vma_start, NULL },
	[MCOL_SIZE]    = { "size", NULL, "Size", 10, 0, COLK_BYTES, false, CF_NONE, vma_size, NULL },
	[MCOL_RSS]     = { "rss", NULL, "RSS", 10, CNT_RSS, COLK_BYTES, false, CF_RSS, NULL, NULL },
	[MCOL_PSS]     = { "pss", NULL, "PSS", 10, CNT_PSS, COLK_PSS, false, CF_PSS, NULL, NULL },
	[MCOL_USS]     = { "uss", NULL, "USS", 10, CNT_USS, COLK_BYTES, false, CF_USS, NULL, NULL },
	[MCOL_SWAP]    = { "swap", NULL, "Swap", 10, CNT_SWAP, COLK_BYTES, false, CF_SWAP, NULL, NULL },
	[MCOL_ANON]    = { "anon", NULL, "Anon", 10, 0, COLK_BYTES, false, CF_NONE, vma_anon, NULL },
	[MCOL_FILE]    = { "file", NULL, "File", 10, 0, COLK_BYTES, false, CF_NONE, vma_file, NULL },
	[MCOL_SHMEM]   = { "shmem", NULL, "Shmem", 10, 0, COLK_BYTES, false, CF_NONE, vma_shmem, NULL },
	[MCOL_THP]     = { "thp", NULL, "THP", 10, 0, COLK_BYTES, false, CF_NONE, vma_thp, NULL },
	[MCOL_LOCKED]  = { "locked", NULL, "Locked", 10, 0, COLK_BYTES, false, CF_NONE, vma_locked, NULL },
	[MCOL_GUARD]   = { "guard", NULL, "Guard", 10, CNT_EXTRA, COLK_BYTES, false, CF_NONE, vma_guard, NULL },
	[MCOL_MODE]    = { "mode", "perms", "Mode", 5, 0, COLK_TEXT, true, CF_NONE, NULL, vma_perms },
	[MCOL_MAPPING] = { "mapping", "name", "Mapping", 0, 0, COLK_TEXT, true, CF_NONE, NULL, vma_name },
};

const struct column_table map_table = {
	"map", map_columns, MCOL_COUNT, vma_counts, vma_tiebreak, NULL, false,
};

static const int map_default_cols[] = { MCOL_ADDRESS, MCOL_SIZE, MCOL_RSS, MCOL_PSS, MCOL_USS, MCOL_SWAP,
					MCOL_MODE, MCOL_MAPPING, -1 };
static const int map_extended_cols[] = { MCOL_ADDRESS, MCOL_SIZE, MCOL_RSS, MCOL_PSS, MCOL_USS, MCOL_SWAP,
					 MCOL_ANON, MCOL_FILE, MCOL_SHMEM, MCOL_THP, MCOL_LOCKED, MCOL_GUARD,
					 MCOL_MODE, MCOL_MAPPING, -1 };

/* A column's width: sizes 12 for raw bytes; the mapping, not last, is cut at 40. */
static int map_width(int c, bool human)
{
	if (c == MCOL_MAPPING)
		return 40;
	return map_columns[c].kind == COLK_BYTES || map_columns[c].kind == COLK_PSS ? (human ? 10 : 12) :
	       map_columns[c].width;
}

/* One cell: numbers right-aligned, the address and text left, the last column not padded. */
static void put_cell(FILE *f, int c, int k, int nc, bool human, const char *s)
{
	int w = map_width(c, human);
	bool left = map_columns[c].kind == COLK_TEXT || c == MCOL_ADDRESS;

	fprintf(f, "%s", k ? " " : "");
	if (!left)
		fprintf(f, "%*s", w, s);
	else if (k + 1 < nc)
		fprintf(f, "%-*.*s", w, c == MCOL_MAPPING ? w : INT32_MAX, s);
	else
		fputs(s, f);
}

/*
 * The totals row: the ps figures of the process (counts columns), sums
 * over the mappings for the others ("-" when one is not known), nothing
 * for text; it ends with its last number.
 */
static void write_totals(FILE *f, const struct proc *p, const int *cols, int nc, bool human)
{
	int last = nc, label = -1;

	while (last > 0 && map_columns[cols[last - 1]].kind == COLK_TEXT)
		last--;
	/* "total" stands in the address column, else in the first text column before the numbers. */
	for (int k = 0; k < last && label < 0; k++)
		if (cols[k] == MCOL_ADDRESS)
			label = k;
	for (int k = 0; k < last && label < 0; k++)
		if (map_columns[cols[k]].kind == COLK_TEXT)
			label = k;
	for (int k = 0; k < last; k++) {
		int c = cols[k];
		uint64_t sum = 0, v;
		bool known = true;
		char cell[32] = "";

		if (k == label) {
			snprintf(cell, sizeof(cell), "total");
		} else if (map_columns[c].field != CF_NONE) {
			known = count_field_get(&p->counts, map_columns[c].field, &sum);
			column_format(cell, sizeof(cell), &map_columns[c], known, sum, human);
		} else if (map_columns[c].kind != COLK_TEXT) {
			for (size_t i = 0; i < p->vmas.n; i++) {
				known = column_value(&map_table, c, &p->vmas.v[i], &v) && known;
				sum += v;
			}
			column_format(cell, sizeof(cell), &map_columns[c], known, sum, human);
		}
		put_cell(f, c, k, last, human, cell);
	}
	fputc('\n', f);
}

void map_text_write(FILE *f, const struct scan *sc, const struct proc *p, const struct text_opts *t, bool extended)
{
	const int *cols = t->cols ? t->cols : extended ? map_extended_cols : map_default_cols;
	struct buf b = BUF_INIT;
	int nc = 0;

	while (cols[nc] >= 0)
		nc++;
	if (!t->no_headers) {
		escape_untrusted(&b, proc_command(p), 0);
		fprintf(f, "%d:   %s\n", (int)p->id.pid, b.buf);
		for (int k = 0; k < nc; k++)
			put_cell(f, cols[k], k, nc, t->human,
				 cols[k] == MCOL_MAPPING && extended ? "Mapping [VmFlags]" : map_columns[cols[k]].title);
		fputc('\n', f);
	}
	for (size_t i = 0; i < p->vmas.n; i++) {
		const struct vma *v = &p->vmas.v[i];

		for (int k = 0; k < nc; k++) {
			int c = cols[k];
			char cell[40];

			b.len = 0;
			if (map_columns[c].kind == COLK_TEXT) {
				escape_untrusted(&b, map_columns[c].text(v), 0);
				if (c == MCOL_MAPPING && extended && v->smaps && v->smaps->vmflags[0])
					buf_addf(&b, " [%s]", v->smaps->vmflags);
			} else {
				column_cell(cell, sizeof(cell), &map_table, c, v, t->human);
			}
			put_cell(f, c, k, nc, t->human, map_columns[c].kind == COLK_TEXT ? b.buf : cell);
		}
		fputc('\n', f);
	}
	if (!t->no_totals)
		write_totals(f, p, cols, nc, t->human);
	buf_release(&b);
	(void)sc;
}
