/*
 * cgroup_text.c: `truemem cgroup` (SPEC section 2.3): its column table
 * (column.h), its sort, and the text table: one row per memory cgroup,
 * what the kernel charges it beside the frames that explain the charge.
 * Numbers that cannot be known in the mode in effect show "-", never 0;
 * paths are escaped like every untrusted name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "view.h"

#define ROW(r) ((const struct cgroup_row *)(r))

static bool cg_charged(const void *r, uint64_t *v) { *v = ROW(r)->charged; return ROW(r)->kernel_known; }
static bool cg_mapped(const void *r, uint64_t *v) { *v = ROW(r)->mapped_inside; return ROW(r)->frames_known; }
static bool cg_others(const void *r, uint64_t *v) { *v = ROW(r)->mapped_outside_only; return ROW(r)->frames_known; }
static bool cg_cache(const void *r, uint64_t *v) { *v = ROW(r)->unmapped_file; return ROW(r)->frames_known; }
static bool cg_shmem(const void *r, uint64_t *v) { *v = ROW(r)->unmapped_shmem; return ROW(r)->frames_known; }
static bool cg_borrowed(const void *r, uint64_t *v)
{
	*v = ROW(r)->mapped_from_elsewhere;
	return ROW(r)->frames_known;
}
static bool cg_procs(const void *r, uint64_t *v) { *v = ROW(r)->npids; return true; }

static bool cg_kernel(const void *r, uint64_t *v)
{
	*v = ROW(r)->kernel;
	return ROW(r)->kernel_known && ROW(r)->has_kernel;
}

static bool cg_unexpl(const void *r, uint64_t *v)
{
	*v = (uint64_t)ROW(r)->unexplained;
	return ROW(r)->frames_known && ROW(r)->kernel_known;
}

static const char *cg_path(const void *r) { return ROW(r)->path; }

static int cg_tiebreak(const void *x, const void *y) { return strcmp(ROW(x)->path, ROW(y)->path); }

/* The removed row stays last, whatever the order. */
static int cg_pin(const void *x, const void *y)
{
	return (ROW(x)->node < 0) - (ROW(y)->node < 0);
}

/* Aliases: the JSON keys a column shows. */
const struct column cgroup_columns[CGC_COUNT] = {
	[CGC_CHARGED] = { "charged", NULL, "CHARGED", 9, 0, COLK_BYTES, false, CF_NONE, cg_charged, NULL },
	[CGC_MAPPED] = { "mapped", "mapped_inside", "MAPPED", 9, 0, COLK_BYTES, false, CF_NONE, cg_mapped, NULL },
	[CGC_USED_BY_OTHERS] = { "used_by_others", "mapped_outside_only", "USED_BY_OTHERS", 14, 0, COLK_BYTES, false,
				 CF_NONE, cg_others, NULL },
	[CGC_CACHE] = { "cache", "unmapped_file", "CACHE", 9, 0, COLK_BYTES, false, CF_NONE, cg_cache, NULL },
	[CGC_SHMEM] = { "shmem", "unmapped_shmem", "SHMEM", 9, 0, COLK_BYTES, false, CF_NONE, cg_shmem, NULL },
	[CGC_KERNEL] = { "kernel", NULL, "KERNEL", 9, 0, COLK_BYTES, false, CF_NONE, cg_kernel, NULL },
	[CGC_UNEXPL] = { "unexpl", "unexplained", "UNEXPL", 10, 0, COLK_SIGNED, false, CF_NONE, cg_unexpl, NULL },
	[CGC_BORROWED] = { "borrowed", "mapped_from_elsewhere", "BORROWED", 9, 0, COLK_BYTES, false, CF_NONE,
			   cg_borrowed, NULL },
	[CGC_PROCS] = { "procs", "pids", "PROCS", 5, 0, COLK_NUMBER, false, CF_NONE, cg_procs, NULL },
	[CGC_CGROUP] = { "cgroup", "path", "CGROUP", 0, 0, COLK_TEXT, true, CF_NONE, NULL, cg_path },
};

const struct column_table cgroup_table = {
	"cgroup", cgroup_columns, CGC_COUNT, NULL, cg_tiebreak, cg_pin, true,
};

int cgroup_column_find(const char *name)
{
	return column_find(&cgroup_table, name);
}

void cgroup_report_sort(const struct cgroup_report *r, const struct cgroup_tree *t, int col, bool reverse, bool tree,
		 size_t *order)
{
	struct column_order o = { &cgroup_table, col, reverse, ROW_INDEX, r->rows, sizeof(*r->rows) };
	size_t *sorted = xmalloc((r->n + 1) * sizeof(*sorted));

	for (size_t i = 0; i < r->n; i++)
		sorted[i] = i;
	column_sort(sorted, r->n, sizeof(*sorted), &o);
	cgroup_report_tree_order(r, t, sorted, tree, order);
	free(sorted);
}

void cgroup_cell_text(const struct cgroup_row *r, int col, bool human, char *out, size_t len)
{
	column_cell(out, len, &cgroup_table, col, r, human);
}

static const int cgroup_default_cols[] = { CGC_CHARGED, CGC_MAPPED, CGC_USED_BY_OTHERS, CGC_CACHE, CGC_SHMEM,
					   CGC_KERNEL, CGC_UNEXPL, CGC_BORROWED, CGC_PROCS, CGC_CGROUP, -1 };

/* The last component of path ("/" for the root). */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* One cell: numbers right-aligned; the path, not last, left-aligned and cut at 40. */
static void put_cell(FILE *f, int c, int k, int nc, const char *s)
{
	fprintf(f, "%s", k ? " " : "");
	if (c != CGC_CGROUP)
		fprintf(f, "%*s", cgroup_columns[c].width, s);
	else if (k + 1 < nc)
		fprintf(f, "%-40.40s", s);
	else
		fputs(s, f);
}

void cgroup_text_write(FILE *f, const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *order,
		       size_t n, const struct cgroup_text_opts *o)
{
	const int *cols = o->cols ? o->cols : cgroup_default_cols;
	struct buf name = BUF_INIT;
	char cell[40];
	int nc = 0;

	while (cols[nc] >= 0)
		nc++;
	if (!o->no_headers) {
		for (int k = 0; k < nc; k++)
			put_cell(f, cols[k], k, nc, cgroup_columns[cols[k]].title);
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		const struct cgroup_row *row = &r->rows[order[i]];
		int depth = row->node >= 0 ? t->n[row->node].depth : 0;

		name.len = 0;
		if (o->tree && row->node >= 0) {
			for (int d = 0; d < depth; d++)
				buf_addstr(&name, "  ");
			escape_untrusted(&name, base_name(row->path), 0);
		} else {
			escape_untrusted(&name, row->path, 0);
		}
		for (int k = 0; k < nc; k++) {
			column_cell(cell, sizeof(cell), &cgroup_table, cols[k], row, o->human);
			put_cell(f, cols[k], k, nc, cols[k] == CGC_CGROUP ? name.buf : cell);
		}
		fputc('\n', f);
	}
	buf_release(&name);
}
