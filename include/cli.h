/*
 * cli.h: the parsed command line every subcommand receives. main.c parses
 * the common options of SPEC section 1 once (getopt_long, options may come
 * before or after the subcommand); each cmd_* checks the ones it takes and
 * returns the process exit code: 0 ok, 1 runtime error, 2 usage error.
 */
#ifndef TRUEMEM_CLI_H
#define TRUEMEM_CLI_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "scan.h"
#include "source.h"

enum out_format { OUT_TEXT, OUT_JSON, OUT_JSONL, OUT_PROMETHEUS };

struct cli_opts {
	const char *cmd;            /* "ps", "top", "map", ... */
	char **args;                /* positional arguments after the subcommand */
	int nargs;
	enum scan_mode mode;        /* --mode (default MODE_AUTO) */
	const char *from;           /* --from DIR, or NULL for live /proc */
	enum out_format format;     /* --json, --jsonl, --format */
	const char *format_opt;     /* the option that set format, NULL when none did */
	bool bytes;                 /* --bytes */
	bool reverse;               /* --reverse (flipped by --sort -COLUMN / +COLUMN as needed) */
	bool sort_flip;             /* --sort -COLUMN or +COLUMN asked the other way round */
	int sort_col;               /* --sort, a column of the command's table (ps: enum ps_col), or -1: its default */
	int group_sort_col;         /* ps --group-by: the enum group_col groups sort by, or -1: pss */
	const char *sort_arg;       /* --sort as given, resolved once the command is known */
	enum group_by group_by;     /* --group-by */
	bool tree;                  /* --tree (ps --group-by tree indentation) */
	pid_t *pids;                /* -p/--pid, owned */
	size_t npids;
	char **users;               /* -u/--user names or uids, owned */
	size_t nusers;
	bool have_filter;           /* --filter REGEX (compiled, extended, case-sensitive) */
	regex_t filter;
	double interval;            /* --interval SECONDS (jsonl), top -d SECONDS; <0: unset */
	long count;                 /* --count N (jsonl), top -n N; <0: unset */
	bool extended;              /* map -X */
	const char *output;         /* capture/sim -o DIR; ps, map, lib, cgroup -o COLUMNS */
	int *columns;               /* -o COLUMNS resolved against the command's table, -1 ended, owned; NULL: all */
	bool trace;                 /* sim --trace */
	bool verbose;               /* version --verbose */
	bool no_headers;            /* --no-headers: no title lines in text tables */
	bool no_totals;             /* --no-totals: no totals row in text tables */
	bool dir;                   /* capture --dir: the directory form */
	bool no_color;              /* NO_COLOR set, or TERM=dumb */
};

int cmd_ps(const struct cli_opts *o);
int cmd_top(const struct cli_opts *o);
int cmd_map(const struct cli_opts *o);
int cmd_lib(const struct cli_opts *o);
int cmd_sys(const struct cli_opts *o);
int cmd_cgroup(const struct cli_opts *o);
int cmd_capture(const struct cli_opts *o);
int cmd_sim(const struct cli_opts *o);
int cmd_version(const struct cli_opts *o);
int cmd_diff(const struct cli_opts *o);

/* Prints "truemem: <msg>" on stderr (git-style: lowercase, no full stop). */
__attribute__((format(printf, 1, 2))) void cli_error(const char *fmt, ...);

/*
 * Opens the source the options name (--from DIR or the live /proc).
 * Returns 0, or prints the error and returns 1.
 */
int cli_open_source(const struct cli_opts *o, struct source *s);
/* Fills scan options from o (mode, pids, filter, group_by). */
void cli_scan_opts(const struct cli_opts *o, struct scan_opts *so);
/*
 * Opens the source and runs one scan with so (flags as given, the rest from
 * o). Returns 0 with both open (source_close, scan_release), or prints the
 * error and returns 1.
 */
int cli_scan(const struct cli_opts *o, unsigned flags, struct source *src, struct scan *sc);
/*
 * Refuses positional arguments for a command that takes none: returns 2
 * after saying so, else 0. (Options a command does not take are refused
 * by main's option table before the command runs.)
 */
int cli_no_args(const struct cli_opts *o);
/*
 * The status line of a text report, on stderr so stdout is only the table:
 * "truemem: exact mode, " then fmt, and for --from the snapshot's host and
 * capture time. Nothing for JSON and other formats (the document says it).
 */
__attribute__((format(printf, 3, 4))) void cli_status(const struct cli_opts *o, const struct scan *sc,
						      const char *fmt, ...);
/* Says once on stderr when auto mode fell back to rollup, and why. */
void cli_note_mode(const struct cli_opts *o, const struct scan *sc);

#endif
