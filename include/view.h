/*
 * view.h: what every text front end shares: human units, escaping of
 * untrusted process names, the column table of the process list, and the
 * text and JSON reports.
 */
#ifndef TRUEMEM_VIEW_H
#define TRUEMEM_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "column.h"
#include "counts.h"
#include "scan.h"
#include "util.h"

/*
 * Formats a byte count into out: with human, 1024-based units
 * ("812.0 KiB", "1.5 GiB", "0 B"); otherwise the plain integer.
 */
void fmt_bytes(char *out, size_t outlen, uint64_t bytes, bool human);
/* As fmt_bytes when known; "-" when the number is not known (never 0). */
void fmt_cell(char *out, size_t outlen, uint64_t bytes, bool known, bool human);

/*
 * Appends s to b with everything that could act on a terminal made visible:
 * control characters as \e \n \t \r or \xNN, invalid UTF-8 bytes as \xNN,
 * a backslash as \\. Valid printable UTF-8 passes through. At most max_cols
 * display columns are appended (0: no limit).
 */
void escape_untrusted(struct buf *b, const char *s, size_t max_cols);

/*
 * The process list's columns (ps_columns.c), one table (column.h): --sort,
 * -o, the text table and top read it.
 */
enum ps_col { COL_PID, COL_USER, COL_SWAP, COL_USS, COL_PSS, COL_RSS, COL_COMMAND,
	      COL_SWAP_PSS, COL_PPID, COL_FREES, COL_RECLAIMABLE, COL_STAYS, COL_FREES_SWAP, COL_COUNT };
extern const struct column ps_columns[COL_COUNT];
extern const struct column_table ps_table;

/*
 * Orders rows (pointers into a scan, whose procs stay sorted by pid) by
 * column col: numbers largest first (pid ascending), text A-Z, pid breaking
 * ties; reverse flips it. Rows whose value is unknown sort last either way.
 */
void ps_sort(struct proc **rows, size_t n, enum ps_col col, bool reverse);

/* The group list's columns (ps --group-by), one table: rows are struct group. */
enum group_col { GCOL_KEY, GCOL_PROCS, GCOL_SWAP, GCOL_SWAP_USS, GCOL_FREES, GCOL_USS, GCOL_PSS, GCOL_RSS,
		 GCOL_RECLAIMABLE, GCOL_STAYS, GCOL_FREES_SWAP, GCOL_COUNT };
extern const struct column group_columns[GCOL_COUNT];
extern const struct column_table group_table;
/* The group column that --sort COLUMN of the process list orders groups by: its namesake, else pss. */
enum group_col group_column_of(enum ps_col col);

/* The rows of a process report: pointers into sc->procs, in display order. */
struct ps_rows {
	struct proc **p;
	size_t n;
};

/*
 * Writes the "truemem/1" document for `ps` to f: processes in row order,
 * totals, and groups when sc was grouped. compact: one line (jsonl).
 * Returns 0 or -1 when writing failed.
 */
int json_write_ps(FILE *f, const struct scan *sc, const struct ps_rows *rows, bool compact);

/* How the `ps` text report is laid out. */
struct ps_text_opts {
	bool human;          /* KiB/MiB/GiB rather than bytes */
	int width;           /* terminal columns to fit the command into, 0: no limit */
	bool tree;           /* group-by tree: list members indented */
	enum group_col sort; /* group rows' order */
	bool reverse;
	bool no_headers;     /* no column titles */
	bool no_totals;      /* no TOTAL row */
	const int *cols;     /* -o: the columns in order, -1 ended (enum ps_col, or group_col when grouped); NULL: all */
};
/* Writes the `ps` text table (or the group table when sc was grouped) to f. */
void ps_text_write(FILE *f, const struct scan *sc, const struct ps_rows *rows, const struct ps_text_opts *t);

/* The command column's text: the command line, or "[comm]" when it is empty (unescaped). */
const char *proc_command(const struct proc *p);

/* Orders groups by col (sizes largest first; reverse flips), key breaking ties; fills order[0..ngroups). */
void groups_sort(const struct scan *sc, size_t *order, enum group_col col, bool reverse);

struct lib_report;
struct sys_report;

/* How the map and lib text tables are laid out. */
struct text_opts {
	bool human;          /* KiB/MiB/GiB rather than bytes */
	bool no_headers;     /* no title lines */
	bool no_totals;      /* no totals row */
	int width;           /* terminal columns to fit names into, 0: no limit */
	const int *cols;     /* -o: the columns in order, -1 ended; NULL: the report's own */
};

/* The `lib` report's columns (lib_text.c): rows are struct lib_row. */
enum lib_col { LCOL_PROCS, LCOL_SWAP, LCOL_USS, LCOL_PSS, LCOL_RSS, LCOL_NAME, LCOL_COUNT };
extern const struct column lib_columns[LCOL_COUNT];
extern const struct column_table lib_table;

/* The `map` report's columns (map_text.c): rows are struct vma. */
enum map_report_col { MCOL_ADDRESS, MCOL_SIZE, MCOL_RSS, MCOL_PSS, MCOL_USS, MCOL_SWAP, MCOL_ANON, MCOL_FILE, MCOL_SHMEM,
	       MCOL_THP, MCOL_LOCKED, MCOL_GUARD, MCOL_MODE, MCOL_MAPPING, MCOL_COUNT };
extern const struct column map_columns[MCOL_COUNT];
extern const struct column_table map_table;
/* Writes the `map` report of process p: one row per mapping and a totals row; extended adds pmap -X columns. */
void map_text_write(FILE *f, const struct scan *sc, const struct proc *p, const struct text_opts *t, bool extended);
/* Writes the `lib` report as text. */
void lib_text_write(FILE *f, const struct scan *sc, const struct lib_report *r, const struct text_opts *t);
/* Writes the `sys` report as text. */
void sys_text_write(FILE *f, const struct scan *sc, const struct sys_report *r, bool human);

/* The "truemem/1" documents of map, lib and sys (see json_write_ps). Return 0 or -1. */
int json_write_map(FILE *f, const struct scan *sc, const struct proc *p, bool compact);
int json_write_lib(FILE *f, const struct scan *sc, const struct lib_report *r, bool compact);
int json_write_sys(FILE *f, const struct scan *sc, const struct sys_report *r, bool compact);
/* The physical census part of `sys` (census_text.c, census_json.c): after the meminfo part. */
void census_text_write(FILE *f, const struct sys_report *r, bool human);
struct cJSON;
void census_json_add(struct cJSON *doc, const struct sys_report *r);

/* The `cgroup` report (cgroup_text.c, cgroup_json.c): rows order[0..n) of r. */
struct cgroup_report;
struct cgroup_tree;
struct cgroup_text_opts {
	bool human;
	bool tree;           /* indent by depth, the last path component only */
	bool no_headers;
	const int *cols;     /* -o: the columns in order, -1 ended; NULL: all */
};
/* Column col (enum cgroup_col, not CGC_CGROUP) of row r as text into out: "-" when not known. */
struct cgroup_row;
void cgroup_cell_text(const struct cgroup_row *r, int col, bool human, char *out, size_t len);
/* The report's columns (cgroup_text.c), for --sort, -o and the text table: rows are struct cgroup_row. */
extern const struct column cgroup_columns[];   /* enum cgroup_col (cgroup.h) */
extern const struct column_table cgroup_table;
/* The column named name (any case; also the JSON key it shows), or -1. */
int cgroup_column_find(const char *name);
/*
 * Orders row indexes by column col (numbers largest first, the path A-Z;
 * unknown last; the removed row last; reverse flips). With tree, children
 * follow their parent, siblings in that order. Fills order[0..r->n).
 */
void cgroup_report_sort(const struct cgroup_report *r, const struct cgroup_tree *t, int col, bool reverse, bool tree,
		 size_t *order);
void cgroup_text_write(FILE *f, const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *order,
		       size_t n, const struct cgroup_text_opts *o);
void cgroup_json_add(struct cJSON *doc, const struct cgroup_report *r, const struct cgroup_tree *t,
		     const size_t *order, size_t n);
int json_write_cgroup(FILE *f, const struct scan *sc, const struct cgroup_report *r, const struct cgroup_tree *t,
		      const size_t *order, size_t n);

/*
 * Writes the `ps` report in the Prometheus text exposition format (0.0.4),
 * for node_exporter's textfile collector: one gauge family per number,
 * labelled by pid/comm/user (or group), unknown numbers left out.
 * Returns 0 or -1 when writing failed.
 */
int prom_write_ps(FILE *f, const struct scan *sc, const struct ps_rows *rows);

/* `truemem diff` (diff.h): the text table, and the JSON document (SPEC section 3). */
struct diff;
void diff_text_write(FILE *f, const struct diff *d, const struct scan *b, bool human, bool no_headers);
int diff_json_write(FILE *f, const struct diff *d, const struct scan *a, const char *path_a, const struct scan *b,
		    const char *path_b);

#endif
