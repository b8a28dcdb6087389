/*
 * cmd_cgroup.c: `truemem cgroup [PATH ...]`, one row per memory cgroup:
 * what the kernel charges it, explained frame by frame in exact mode
 * (SPEC section 2.3). PATH arguments narrow the rows to those cgroups and
 * their descendants, -p to the cgroups holding those processes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cgroup.h"
#include "cgroup_take.h"
#include "cli.h"
#include "status.h"
#include "view.h"

/* Marks in sel the cgroups the arguments name (and their descendants) and those holding -p's processes. */
static int select_rows(const struct cli_opts *o, const struct cgroup_tree *t, bool *sel)
{
	for (int a = 0; a < o->nargs; a++) {
		char *path = o->args[a][0] == '/' ? xstrdup(o->args[a]) : xasprintf("/%s", o->args[a]);
		size_t len = strlen(path);
		int node;

		while (len > 1 && path[len - 1] == '/')
			path[--len] = '\0';
		node = cgroup_find_path(t, path);
		free(path);
		if (node < 0) {
			cli_error("no memory cgroup '%s' (cgroup v%d)", o->args[a], t->version);
			return 1;
		}
		for (size_t i = 0; i < t->count; i++)
			if (cgroup_in_subtree(t, i, (size_t)node))
				sel[i] = true;
	}
	for (size_t p = 0; p < o->npids; p++) {
		int node = -1;

		for (size_t i = 0; i < t->count && node < 0; i++)
			for (size_t k = 0; k < t->n[i].nprocs; k++)
				if (t->n[i].procs[k] == o->pids[p])
					node = (int)i;
		if (node < 0) {
			cli_error("process %d is in no memory cgroup (no such process?)", (int)o->pids[p]);
			return 1;
		}
		for (int k = node; k >= 0; k = t->n[k].parent)
			sel[k] = true;
	}
	return 0;
}

static int report(const struct cli_opts *o, struct source *src, struct cgroup_take *ct, const bool *sel,
		  bool narrowed)
{
	const struct cgroup_tree *t = &ct->tree;
	const struct cgroup_report *r = &ct->report;
	struct tm_error err = { "" };
	size_t *order = NULL, n = 0;
	int rc = 0;

	if (cgroup_take_finish(src, o->mode, narrowed ? sel : NULL, NULL, ct, &err) < 0) {
		cli_error("%s", err.msg);
		return 1;
	}
	cli_note_mode(o, &ct->top);
	order = xmalloc((r->n + 1) * sizeof(*order));
	cgroup_report_sort(r, t, o->sort_col >= 0 ? o->sort_col : CGC_CHARGED, o->reverse, o->tree, order);
	for (size_t k = 0; k < r->n; k++)
		if (!narrowed || (r->rows[order[k]].node >= 0 && sel[r->rows[order[k]].node]))
			order[n++] = order[k];
	if (o->format == OUT_JSON) {
		rc = json_write_cgroup(stdout, &ct->top, r, t, order, n) < 0;
	} else {
		struct cgroup_text_opts to = { .human = !o->bytes, .tree = o->tree, .no_headers = o->no_headers,
						 .cols = o->columns };

		cli_status(o, &ct->top, "cgroup v%d, %zu memory cgroup%s", t->version, t->count, t->count == 1 ? "" : "s");
		if (ct->note)
			fprintf(stderr, "truemem: frame columns not available: %s\n", ct->note);
		cgroup_text_write(stdout, r, t, order, n, &to);
	}
	free(order);
	return rc;
}

int cmd_cgroup(const struct cli_opts *o)
{
	struct source src;
	struct cgroup_take ct;
	struct tm_error err = { "" };
	bool *sel;
	int rc;

	if ((rc = cli_open_source(o, &src)) != 0)
		return rc;
	if (cgroup_take_begin(&src, o->mode, &ct, &err) < 0) {
		cli_error("%s", err.msg);
		cgroup_take_release(&ct);
		source_close(&src);
		return 1;
	}
	sel = xcalloc(ct.tree.count + 1, sizeof(*sel));
	rc = select_rows(o, &ct.tree, sel);
	if (rc == 0)
		rc = report(o, &src, &ct, sel, o->nargs > 0 || o->npids > 0);
	free(sel);
	cgroup_take_release(&ct);
	source_close(&src);
	return rc;
}
