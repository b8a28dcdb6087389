/*
 * column.c: what every report's column table shares (column.h): reading a
 * counts field, the one comparator of rows, number cells, and finding
 * columns by name for --sort and -o.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "column.h"
#include "view.h"

#define FIELD(key, need, member, pss) { key, need, offsetof(struct mem_counts, member), pss }
const struct count_field_info count_fields[CF_COUNT] = {
	[CF_NONE]        = { "", 0, 0, false },
	[CF_RSS]         = FIELD("rss", CNT_RSS, rss_bytes, false),
	[CF_PSS]         = FIELD("pss", CNT_PSS, pss, true),
	[CF_USS]         = FIELD("uss", CNT_USS, uss_bytes, false),
	[CF_SWAP]        = FIELD("swap", CNT_SWAP, swap_bytes, false),
	[CF_SWAP_PSS]    = FIELD("swap_pss", CNT_SWAP_PSS, swap_pss, true),
	[CF_SWAP_USS]    = FIELD("swap_uss", CNT_SWAP_USS, swap_uss_bytes, false),
	[CF_FREES]       = FIELD("frees", CNT_FATES, frees_bytes, false),
	[CF_RECLAIMABLE] = FIELD("reclaimable", CNT_FATES, reclaimable_bytes, false),
	[CF_STAYS]       = FIELD("stays", CNT_FATES, stays_bytes, false),
	[CF_FREES_SWAP]  = FIELD("frees_swap", CNT_FREES_SWAP, frees_swap_bytes, false),
};
#undef FIELD

bool count_field_get(const struct mem_counts *c, enum count_field f, uint64_t *v)
{
	const struct count_field_info *fi = &count_fields[f];

	*v = 0;
	if (!c || f == CF_NONE)
		return false;
	memcpy(v, (const char *)c + fi->offset, sizeof(*v));
	return (c->valid & fi->need) == fi->need;
}

bool column_value(const struct column_table *t, int col, const void *row, uint64_t *v)
{
	const struct column *c = &t->cols[col];

	*v = 0;
	if (c->field != CF_NONE)
		return count_field_get(t->counts ? t->counts(row) : NULL, c->field, v);
	return c->value ? c->value(row, v) : false;
}

/* The row an element of the sorted array stands for. */
static const void *order_row(const struct column_order *o, const void *elem)
{
	switch (o->ref) {
	case ROW_POINTER: return *(const void *const *)elem;
	case ROW_INDEX: return (const char *)o->base + *(const size_t *)elem * o->size;
	default: return elem;
	}
}

int column_cmp(const void *a, const void *b, void *order)
{
	const struct column_order *o = order;
	const struct column_table *t = o->table;
	const struct column *col = &t->cols[o->col];
	const void *x = order_row(o, a), *y = order_row(o, b);
	int c = 0;

	if (t->pin && (c = t->pin(x, y)) != 0)
		return c;
	if (col->kind == COLK_TEXT) {
		c = strcmp(col->text(x), col->text(y));
	} else {
		uint64_t vx, vy;
		bool kx = column_value(t, o->col, x, &vx), ky = column_value(t, o->col, y, &vy);

		if (t->unknown_last && kx != ky)
			return kx ? -1 : 1;   /* unknown rows last, whatever the direction */
		if (t->unknown_last && !kx)
			vx = vy = 0;
		if (col->kind == COLK_SIGNED)
			c = (int64_t)vx == (int64_t)vy ? 0 : (((int64_t)vx < (int64_t)vy) == col->ascending ? -1 : 1);
		else
			c = vx == vy ? 0 : ((vx < vy) == col->ascending ? -1 : 1);
	}
	if (o->reverse)
		c = -c;
	return c ? c : t->tiebreak(x, y);
}

void column_sort(void *elems, size_t n, size_t elem_size, const struct column_order *o)
{
	qsort_r(elems, n, elem_size, column_cmp, (void *)o);
}

void column_format(char *out, size_t len, const struct column *c, bool known, uint64_t v, bool human)
{
	char cell[32];

	if (c->kind == COLK_TEXT) {
		out[0] = '\0';
	} else if (!known) {
		snprintf(out, len, "-");
	} else if (c->kind == COLK_NUMBER) {
		snprintf(out, len, "%" PRIu64, v);
	} else if (c->kind == COLK_HEX) {
		snprintf(out, len, "%016" PRIx64, v);
	} else if (c->kind == COLK_SIGNED) {
		int64_t s = (int64_t)v;

		fmt_bytes(cell, sizeof(cell), s < 0 ? (uint64_t)-s : (uint64_t)s, human);
		snprintf(out, len, "%s%s", s < 0 ? "-" : "", cell);
	} else {
		fmt_bytes(out, len, c->kind == COLK_PSS ? pss_bytes(v) : v, human);
	}
}

void column_cell(char *out, size_t len, const struct column_table *t, int col, const void *row, bool human)
{
	uint64_t v;
	bool known = column_value(t, col, row, &v);

	column_format(out, len, &t->cols[col], known, v, human);
}

/* Whether name is one of the comma-separated names in list (any case). */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len == n && !strncasecmp(p, name, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

int column_find(const struct column_table *t, const char *name)
{
	for (int c = 0; c < t->n; c++)
		if (!strcasecmp(t->cols[c].name, name))
			return c;
	for (int c = 0; c < t->n; c++)
		if (in_list(t->cols[c].aliases, name))
			return c;
	return -1;
}

void column_names(const struct column_table *t, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int c = 0; c < t->n && used < len; c++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", c ? ", " : "", t->cols[c].name);
}

int column_list_parse(const struct column_table *t, const char *list, int *cols, int max, char *badbuf,
		      size_t badlen)
{
	int n = 0;

	for (const char *p = list;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		int c;

		snprintf(badbuf, badlen, "%.*s", (int)len, p);
		if (len == 0 || (c = column_find(t, badbuf)) < 0)
			return -1;
		if (n == max)
			return -2;
		cols[n++] = c;
		if (!e)
			break;
		p = e + 1;
	}
	badbuf[0] = '\0';
	return n;
}
