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

/* The process list's columns, in a table (htop's Process_fields[]). */
enum ps_col { COL_PID, COL_USER, COL_SWAP, COL_USS, COL_PSS, COL_RSS, COL_COMMAND,
	      COL_SWAP_PSS, COL_PPID, COL_COUNT };
struct ps_column {
	const char *name;        /* as --sort takes it */
	const char *title;       /* header text */
	int width;               /* minimum width; the command column takes the rest */
	bool numeric;            /* right-aligned, sorted largest first */
	unsigned need;           /* CNT_* bit it shows (0 for identity columns) */
};
extern const struct ps_column ps_columns[COL_COUNT];
/* The column named name (also accepts "name" and "cmd" for COMMAND), or -1. */
int ps_column_find(const char *name);
/* True when col sorts smallest (A) first by default: pid, ppid, user, command; sizes go largest first. */
bool ps_column_ascending(int col);

/*
 * Orders rows (pointers into a scan, whose procs stay sorted by pid) by
 * column col: numbers largest first (pid ascending), text A-Z, pid breaking
 * ties; reverse flips it. Rows whose value is unknown sort last either way.
 */
void ps_sort(struct proc **rows, size_t n, enum ps_col col, bool reverse);


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
	enum ps_col sort;    /* group rows' order */
	bool reverse;
	bool no_headers;     /* no column titles */
	bool no_totals;      /* no TOTAL row */
};
/* Writes the `ps` text table (or the group table when sc was grouped) to f. */
void ps_text_write(FILE *f, const struct scan *sc, const struct ps_rows *rows, const struct ps_text_opts *t);

/* The command column's text: the command line, or "[comm]" when it is empty (unescaped). */
const char *proc_command(const struct proc *p);

/* Orders groups largest pss first (reverse: smallest), key breaking ties; fills order[0..ngroups). */
void groups_sort(const struct scan *sc, size_t *order, enum ps_col col, bool reverse);

struct lib_report;
struct sys_report;

/* How the map and lib text tables are laid out. */
struct text_opts {
	bool human;          /* KiB/MiB/GiB rather than bytes */
	bool no_headers;     /* no title lines */
	bool no_totals;      /* no totals row */
	int width;           /* terminal columns to fit names into, 0: no limit */
};
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
};
/* Column col (enum cgroup_col, not CGC_CGROUP) of row r as text into out: "-" when not known. */
struct cgroup_row;
void cgroup_cell_text(const struct cgroup_row *r, int col, bool human, char *out, size_t len);
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
