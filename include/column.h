/*
 * column.h: the columns of a report, one table row each (htop's
 * Process_fields[]): the name --sort and -o take, the header, the width,
 * how a row's value is read, and which way it sorts. Each report (ps
 * processes, ps groups, map, lib, cgroup) has one table; its text and JSON
 * writers and top read the same rows, and one comparator (column_cmp,
 * through qsort_r, its context a struct column_order) orders any of them.
 * Pure: no I/O.
 */
#ifndef TRUEMEM_COLUMN_H
#define TRUEMEM_COLUMN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

/* How a column's value is kept, compared and printed. */
enum col_kind {
	COLK_BYTES,    /* a byte count: human units, or raw with --bytes */
	COLK_PSS,      /* a byte count in fixed point (counts.h): sorts exactly, prints whole bytes */
	COLK_SIGNED,   /* a signed byte count (an int64_t kept in the uint64_t) */
	COLK_NUMBER,   /* a count or an id, printed as an integer */
	COLK_HEX,      /* an address, printed as 16 hex digits */
	COLK_TEXT,     /* text: left-aligned, sorted A-Z by its key */
};

/* The numbers of struct mem_counts a column can show. */
enum count_field {
	CF_NONE, CF_RSS, CF_PSS, CF_USS, CF_SWAP, CF_SWAP_PSS, CF_SWAP_USS, CF_FREES, CF_RECLAIMABLE, CF_STAYS,
	CF_FREES_SWAP, CF_COUNT
};
struct count_field_info {
	const char *key;           /* the JSON key (SPEC section 3) */
	unsigned need;             /* CNT_* bits that must be valid */
	size_t offset;             /* of the uint64_t (or pss_t) in struct mem_counts */
	bool pss;                  /* fixed point: print pss_bytes() of it */
};
extern const struct count_field_info count_fields[CF_COUNT];
/* Field f of c into *v (fixed point for pss fields); false when c does not know it. */
bool count_field_get(const struct mem_counts *c, enum count_field f, uint64_t *v);

struct column {
	const char *name;          /* as --sort and -o take it (any case) */
	const char *aliases;       /* other names, comma-separated, or NULL */
	const char *title;         /* header text */
	int width;                 /* top's width, and the fixed width of fixed tables; 0: the name column */
	unsigned need;             /* CNT_* bits the value needs (0: always known) */
	enum col_kind kind;
	bool ascending;            /* sorts smallest (A) first unless reversed */
	enum count_field field;    /* the field of the row's counts it shows, or CF_NONE */
	/* Columns that are no counts field: the number (false when unknown), or the text it sorts by. */
	bool (*value)(const void *row, uint64_t *v);
	const char *(*text)(const void *row);
};

/* One report's columns and the rules its rows share. */
struct column_table {
	const char *report;        /* "ps", "map", ... for messages */
	const struct column *cols;
	int n;
	/* The counts a row's counts-field columns read, NULL when it has none. */
	const struct mem_counts *(*counts)(const void *row);
	/* Orders rows the sort column leaves equal (pid, key, name, path). */
	int (*tiebreak)(const void *x, const void *y);
	/* Optional: decides before the sort column (the removed cgroup stays last); 0 to go on. */
	int (*pin)(const void *x, const void *y);
	/* Unknown values sort last whatever the direction (false: compared as they are). */
	bool unknown_last;
};

/* What the elements of the sorted array are: the rows, pointers to rows, or indexes into base. */
enum row_ref { ROW_IN_PLACE, ROW_POINTER, ROW_INDEX };

/* The context of column_cmp: the table, the column, the direction and how to reach a row. */
struct column_order {
	const struct column_table *table;
	int col;
	bool reverse;
	enum row_ref ref;
	const void *base;          /* ROW_INDEX: the rows, size bytes each */
	size_t size;
};

/*
 * The one comparator (qsort_r; order is a struct column_order): pin first,
 * then unknown values last (when the table says so), then the column
 * (ascending or not, reverse flipping it), then the tie-break.
 */
int column_cmp(const void *a, const void *b, void *order);
/* Sorts n elements of elem_size bytes by o. */
void column_sort(void *elems, size_t n, size_t elem_size, const struct column_order *o);

/* Column col of row as a number (see col_kind); false when unknown or a text column. */
bool column_value(const struct column_table *t, int col, const void *row, uint64_t *v);
/*
 * A number cell of col for row into out: human units or raw bytes, "-"
 * when unknown; text columns give "" (their writer escapes them).
 */
void column_cell(char *out, size_t len, const struct column_table *t, int col, const void *row, bool human);
/* Formats v (known or not) as c's cells show it. */
void column_format(char *out, size_t len, const struct column *c, bool known, uint64_t v, bool human);
/* The column answering to name (its name or an alias, any case), or -1. */
int column_find(const struct column_table *t, const char *name);
/* The column names of t, comma-separated, into out (for help and messages). */
void column_names(const struct column_table *t, char *out, size_t len);

/*
 * Parses a comma-separated column list (-o pid,pss,command) into cols
 * (at most max). Returns the number of columns, or -1 with badbuf
 * holding the item t has no column for ("" for an empty item), or -2 when
 * the list names more than max.
 */
int column_list_parse(const struct column_table *t, const char *list, int *cols, int max, char *badbuf,
		      size_t badlen);

#endif
