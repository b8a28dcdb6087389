/*
 * census_text.c: the physical census in `sys`'s text report (SPEC section
 * 2.2): every class of frames, then each census figure beside the kernel's
 * own (meminfo, vmstat) or the process scan's, with the difference.
 */
#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "view.h"

/* Formats a signed difference a - b, "+1.5 MiB" / "-12.0 KiB" / "0 B". */
static void fmt_diff(char *out, size_t len, uint64_t a, uint64_t b, bool human)
{
	char cell[32];
	size_t n = 0;

	if (len < 2)
		return;
	if (a != b)
		out[n++] = a > b ? '+' : '-';
	fmt_bytes(cell, sizeof(cell), a >= b ? a - b : b - a, human);
	snprintf(out + n, len - n, "%.*s", (int)(len - n - 1), cell);
}

static void class_rows(FILE *f, const struct census *c, bool human)
{
	char cell[32];

	for (int k = 0; k < CEN_COUNT; k++) {
		fmt_bytes(cell, sizeof(cell), c->pages[k] * c->page_size, human);
		fprintf(f, "  %-30s %14s %6.2f%%\n", census_class_names[k], cell,
			c->frames ? 100.0 * (double)c->pages[k] / (double)c->frames : 0.0);
	}
	fmt_bytes(cell, sizeof(cell), c->free_buddy * c->page_size, human);
	fprintf(f, "  %-30s %14s\n", "  free: buddy allocator", cell);
	fmt_bytes(cell, sizeof(cell), c->free_uninit * c->page_size, human);
	fprintf(f, "  %-30s %14s\n", "  free: not yet initialised", cell);
}

void census_text_write(FILE *f, const struct sys_report *r, bool human)
{
	const struct census *c = r->census;
	char a[32], b[32], d[32];

	fprintf(f, "CENSUS\n");
	if (!c) {
		fprintf(f, "  not taken: %s\n", r->census_note ? r->census_note : "exact mode only");
		return;
	}
	fmt_bytes(a, sizeof(a), c->frames * c->page_size, human);
	fprintf(f, "  every frame of online RAM: %" PRIu64 " frames, %s, read in %.0f ms\n", c->frames, a,
		c->cost_ms);
	class_rows(f, c, human);
	fprintf(f, "CENSUS BESIDE THE KERNEL\n");
	fprintf(f, "  %-30s %14s  %-36s %14s %14s\n", "census", "", "kernel", "", "difference");
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct census_cmp *x = &r->cmp[i];

		fmt_bytes(a, sizeof(a), x->census_bytes, human);
		fmt_cell(b, sizeof(b), x->kernel_bytes, x->known, human);
		if (x->known)
			fmt_diff(d, sizeof(d), x->census_bytes, x->kernel_bytes, human);
		else
			snprintf(d, sizeof(d), "-");
		fprintf(f, "  %-30s %14s  %-36s %14s %14s\n", x->label, a, x->source, b, d);
	}
}
