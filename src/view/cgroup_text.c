/*
 * cgroup_text.c: `truemem cgroup` as a text table (SPEC section 2.3): one
 * row per memory cgroup, what the kernel charges it beside the frames
 * that explain the charge. Numbers that cannot be known in the mode in
 * effect show "-", never 0; paths are escaped like every untrusted name.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cgroup.h"
#include "view.h"

/* Formats a signed byte count: "-1.5 MiB", "812.0 KiB". */
static void fmt_signed(char *out, size_t len, int64_t v, bool known, bool human)
{
	char cell[32];

	if (!known) {
		snprintf(out, len, "-");
		return;
	}
	fmt_bytes(cell, sizeof(cell), v < 0 ? (uint64_t)-v : (uint64_t)v, human);
	snprintf(out, len, "%s%s", v < 0 ? "-" : "", cell);
}

void cgroup_cell_text(const struct cgroup_row *r, int col, bool human, char *out, size_t len)
{
	bool f = r->frames_known;

	switch (col) {
	case CGC_CHARGED: fmt_cell(out, len, r->charged, r->kernel_known, human); break;
	case CGC_MAPPED: fmt_cell(out, len, r->mapped_inside, f, human); break;
	case CGC_USED_BY_OTHERS: fmt_cell(out, len, r->mapped_outside_only, f, human); break;
	case CGC_CACHE: fmt_cell(out, len, r->unmapped_file, f, human); break;
	case CGC_SHMEM: fmt_cell(out, len, r->unmapped_shmem, f, human); break;
	case CGC_KERNEL: fmt_cell(out, len, r->kernel, r->kernel_known && r->has_kernel, human); break;
	case CGC_UNEXPL: fmt_signed(out, len, r->unexplained, f && r->kernel_known, human); break;
	case CGC_BORROWED: fmt_cell(out, len, r->mapped_from_elsewhere, f, human); break;
	case CGC_PROCS: snprintf(out, len, "%zu", r->npids); break;
	default: out[0] = '\0';
	}
}

/* The last component of path ("/" for the root). */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

void cgroup_text_write(FILE *f, const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *order,
		       size_t n, const struct cgroup_text_opts *o)
{
	struct buf name = BUF_INIT;
	char cell[40];

	if (!o->no_headers) {
		for (int c = 0; c < CGC_CGROUP; c++)
			fprintf(f, "%*s ", cgroup_columns[c].width, cgroup_columns[c].title);
		fprintf(f, "%s\n", cgroup_columns[CGC_CGROUP].title);
	}
	for (size_t k = 0; k < n; k++) {
		const struct cgroup_row *row = &r->rows[order[k]];
		int depth = row->node >= 0 ? t->n[row->node].depth : 0;

		for (int c = 0; c < CGC_CGROUP; c++) {
			cgroup_cell_text(row, c, o->human, cell, sizeof(cell));
			fprintf(f, "%*s ", cgroup_columns[c].width, cell);
		}
		name.len = 0;
		if (o->tree && row->node >= 0) {
			for (int d = 0; d < depth; d++)
				buf_addstr(&name, "  ");
			escape_untrusted(&name, base_name(row->path), 0);
		} else {
			escape_untrusted(&name, row->path, 0);
		}
		fprintf(f, "%s\n", name.buf);
	}
	buf_release(&name);
}
