/*
 * cmd_lib.c: `truemem lib [NAME ...]`, one row per mapped file across all
 * processes (librank, smem -m); NAME arguments narrow it to those files,
 * --sort orders it by another column.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "view.h"

/* Whether file path answers to name: the whole path, its file name, or its file name up to a dot ("libc"). */
static bool lib_name_matches(const char *path, const char *name)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	size_t n = strlen(name);

	return !strcmp(path, name) || !strcmp(base, name) || (!strncmp(base, name, n) && base[n] == '.');
}

/* Keeps the rows NAME arguments name; says which name matched nothing. Returns 0 or 1. */
static int lib_narrow(const struct cli_opts *o, struct lib_report *r)
{
	bool *used = xcalloc((size_t)o->nargs + 1, sizeof(*used));
	size_t w = 0;
	int rc = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool keep = false;

		for (int k = 0; k < o->nargs; k++)
			if (lib_name_matches(r->rows[i].name, o->args[k]))
				keep = used[k] = true;
		if (keep)
			r->rows[w++] = r->rows[i];
		else
			free(r->rows[i].pids);
	}
	r->n = w;
	for (int k = 0; k < o->nargs; k++)
		if (!used[k]) {
			cli_error("no mapped file named '%s'", o->args[k]);
			rc = 1;
		}
	free(used);
	return rc;
}

/* Orders the rows by --sort (default: largest PSS first, as built), --reverse flipping it. */
static void lib_sort(const struct cli_opts *o, struct lib_report *r)
{
	struct column_order by = { &lib_table, o->sort_col < 0 ? LCOL_PSS : o->sort_col, o->reverse, ROW_IN_PLACE,
				   NULL, 0 };

	column_sort(r->rows, r->n, sizeof(*r->rows), &by);
}

int cmd_lib(const struct cli_opts *o)
{
	struct source src;
	struct scan sc;
	struct lib_report r;
	struct winsize ws;
	int rc, missing = 0;

	if ((rc = cli_scan(o, SCAN_KEEP_VMAS, &src, &sc)) != 0)
		return rc;
	lib_report_build(&sc, &r);
	if (o->nargs)
		missing = lib_narrow(o, &r);
	lib_sort(o, &r);
	if (o->format == OUT_JSON)
		rc = json_write_lib(stdout, &sc, &r, false) < 0;
	else {
		struct text_opts t = { !o->bytes, o->no_headers, false,
				       isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 ? ws.ws_col : 0, o->columns };

		cli_status(o, &sc, "%zu files mapped by %zu process%s", r.n, sc.n, sc.n == 1 ? "" : "es");
		lib_text_write(stdout, &sc, &r, &t);
	}
	lib_report_release(&r);
	scan_release(&sc);
	source_close(&src);
	return rc ? rc : missing;
}
