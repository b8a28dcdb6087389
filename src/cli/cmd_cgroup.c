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
#include "cli.h"
#include "status.h"
#include "view.h"

/* MemTotal - MemFree of the source: the root cgroup's charge (SPEC 2.3). */
static uint64_t root_charge(struct source *s)
{
	struct buf b = BUF_INIT;
	struct meminfo mi = { 0 };
	uint64_t v = 0;

	if (s->kind == SOURCE_LIVE && buf_read_at(&b, s->root_fd, "meminfo", 1u << 20) == 0 &&
	    meminfo_parse(b.buf, b.len, &mi) == 0)
		v = cgroup_root_charge(&mi);
	meminfo_release(&mi);
	buf_release(&b);
	return v;
}

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

/*
 * The census with its memcg split, in exact mode; NULL with *note saying why
 * not. Taken before the cgroups are listed: a cgroup removed in between
 * holds frames the listing lacks, the (removed) row.
 */
static const struct census *take_census(const struct cli_opts *o, struct source *s, struct census *c,
					struct tm_error *why, const char **note, int *rc)
{
	struct tm_error err = { "" };

	*rc = 0;
	*note = "rollup mode: the frame columns need exact mode (the census and /proc/kpagecgroup)";
	if (o->mode == MODE_ROLLUP || !s->exact_ok)
		return NULL;
	if ((*rc = census_read(s, CENSUS_MEMCG, c, &err)) == 0) {
		*note = NULL;
		return c;
	}
	if (*rc == -ENOENT && s->kind == SOURCE_SNAPSHOT) {
		*why = err;
		*note = why->msg;
		*rc = 0;
	} else {
		cli_error("%s", err.msg);
	}
	return NULL;
}

static int report(const struct cli_opts *o, struct source *src, const struct cgroup_tree *t, const bool *sel,
		  bool narrowed, const struct census *cp, const char *note)
{
	struct cgroup_input *in = xcalloc(t->count + 1, sizeof(*in));
	struct scan_opts so = { .mode = o->mode };
	struct tm_error err = { "" }, why = { "" };
	struct cgroup_report r;
	struct scan top;
	size_t *order = NULL, n = 0;
	int rc = 0;

	if (cgroup_scan(src, t, &so, narrowed ? sel : NULL, in, &top, &why, &err) < 0) {
		cli_error("%s", err.msg);
		cgroup_inputs_release(in, t->count);
		return 1;
	}
	cli_note_mode(o, &top);
	if (top.mode != MODE_EXACT) {
		cp = NULL;
		note = "rollup mode: the frame columns need exact mode (the census and /proc/kpagecgroup)";
	} else if (cp && why.msg[0]) {
		note = why.msg;
		cp = NULL;
	}
	cgroup_report_build(t, cp, in, top.page_size, note, &r);
	order = xmalloc((r.n + 1) * sizeof(*order));
	cgroup_report_sort(&r, t, o->sort_col >= 0 ? o->sort_col : CGC_CHARGED, o->reverse, o->tree, order);
	for (size_t k = 0; k < r.n; k++)
		if (!narrowed || (r.rows[order[k]].node >= 0 && sel[r.rows[order[k]].node]))
			order[n++] = order[k];
	if (o->format == OUT_JSON) {
		rc = json_write_cgroup(stdout, &top, &r, t, order, n) < 0;
	} else {
		struct cgroup_text_opts to = { .human = !o->bytes, .tree = o->tree, .no_headers = o->no_headers };

		cli_status(o, &top, "cgroup v%d, %zu memory cgroup%s", t->version, t->count, t->count == 1 ? "" : "s");
		if (note)
			fprintf(stderr, "truemem: frame columns not available: %s\n", note);
		cgroup_text_write(stdout, &r, t, order, n, &to);
	}
	free(order);
	cgroup_report_release(&r);
	scan_release(&top);
	cgroup_inputs_release(in, t->count);
	return rc;
}

int cmd_cgroup(const struct cli_opts *o)
{
	struct source src;
	struct cgroup_tree t;
	struct census census = { 0 };
	const struct census *cp;
	const char *note;
	struct tm_error err = { "" }, why = { "" };
	bool *sel;
	int rc;

	if ((rc = cli_open_source(o, &src)) != 0)
		return rc;
	cp = take_census(o, &src, &census, &why, &note, &rc);
	if (rc < 0) {
		source_close(&src);
		return 1;
	}
	if (cgroup_read(&src, root_charge(&src), &t, &err) < 0) {
		cli_error("%s", err.msg);
		census_release(&census);
		source_close(&src);
		return 1;
	}
	sel = xcalloc(t.count + 1, sizeof(*sel));
	rc = select_rows(o, &t, sel);
	if (rc == 0)
		rc = report(o, &src, &t, sel, o->nargs > 0 || o->npids > 0, cp, note);
	free(sel);
	cgroup_tree_release(&t);
	census_release(&census);
	source_close(&src);
	return rc;
}
