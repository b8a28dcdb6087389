/*
 * diff_view.c: `truemem diff A B` as text and as JSON (SPEC sections 2.5
 * and 3). Changes are B - A, signed; text shows them in human units (or
 * bytes with --bytes) with their sign, "-" for a number not known. The
 * census and cgroup tables follow the processes when both snapshots have them.
 */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "view.h"

/* A signed change: "+1.5 MiB", "-4.0 KiB", "0"; "-" when not known. */
static void fmt_change(char *out, size_t len, int64_t v, bool known, bool human)
{
	char mag[24];   /* 20 digits at most: the sign and it fit any cell */
	uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (!known) {
		snprintf(out, len, "-");
		return;
	}
	if (v == 0) {
		snprintf(out, len, "0");
		return;
	}
	fmt_bytes(mag, sizeof(mag), a, human);
	snprintf(out, len, "%c%s", v < 0 ? '-' : '+', mag);
}

/* The five change cells of d, and cow_broken (a plain size) when cow is not NULL. */
static void change_cells(char cells[6][32], const struct diff_delta *d, const uint64_t *cow, bool human)
{
	fmt_change(cells[0], 32, d->rss, d->valid & CNT_RSS, human);
	fmt_change(cells[1], 32, d->pss, d->valid & CNT_PSS, human);
	fmt_change(cells[2], 32, d->uss, d->valid & CNT_USS, human);
	fmt_change(cells[3], 32, d->swap, d->valid & CNT_SWAP, human);
	if (cow)
		fmt_bytes(cells[4], 32, *cow, human);
	else
		snprintf(cells[4], 32, "-");
}

static void text_row(FILE *f, const char *first, const char *status, char cells[6][32], const char *name)
{
	fprintf(f, "%7s %-7s %11s %11s %11s %11s %11s  %s\n", first, status, cells[0], cells[1], cells[2], cells[3],
		cells[4], name);
}

static const char *proc_name(const struct diff_proc *p, struct buf *b)
{
	const struct proc *x = p->b ? p->b : p->a;

	b->len = 0;
	escape_untrusted(b, proc_command(x), 0);
	return b->buf ? b->buf : "";
}

static void census_text(FILE *f, const struct diff *d, bool human)
{
	fprintf(f, "\n%-22s %11s %11s %11s\n", "CENSUS CLASS", "A", "B", "CHANGE");
	for (int k = 0; k < CEN_COUNT; k++) {
		char a[32], b[32], c[32];
		uint64_t ba = d->ca.pages[k] * d->ca.page_size, bb = d->cb.pages[k] * d->cb.page_size;

		fmt_bytes(a, sizeof(a), ba, human);
		fmt_bytes(b, sizeof(b), bb, human);
		fmt_change(c, sizeof(c), (int64_t)(bb - ba), true, human);
		fprintf(f, "%-22s %11s %11s %11s\n", census_class_names[k], a, b, c);
	}
}

/* The cgroup table's columns: the cgroup command's titles, each a change. */
static const struct {
	const char *title;
	int field, width;
} cg_cols[] = {
	{ "CHARGED", DCG_CHARGED, 11 }, { "MAPPED", DCG_MAPPED_INSIDE, 11 },
	{ "USED_BY_OTHERS", DCG_MAPPED_OUTSIDE_ONLY, 14 }, { "CACHE", DCG_UNMAPPED_FILE, 11 },
	{ "SHMEM", DCG_UNMAPPED_SHMEM, 11 }, { "KERNEL", DCG_KERNEL, 11 }, { "UNEXPL", DCG_UNEXPLAINED, 11 },
	{ "BORROWED", DCG_MAPPED_FROM_ELSEWHERE, 11 }, { "PSS", DCG_PSS, 11 }, { "PROCS", DCG_PROCS, 6 },
};

static void cgroups_text(FILE *f, const struct diff *d, bool human, bool no_headers, struct buf *name)
{
	fprintf(f, "\n");
	if (!no_headers) {
		fprintf(f, "%-7s", "STATUS");
		for (size_t c = 0; c < sizeof(cg_cols) / sizeof(cg_cols[0]); c++)
			fprintf(f, " %*s", cg_cols[c].width, cg_cols[c].title);
		fprintf(f, "  CGROUP\n");
	}
	for (size_t i = 0; i < d->ncg; i++) {
		const struct diff_cgroup *g = &d->cg[i];

		fprintf(f, "%-7s", diff_status_names[g->status]);
		for (size_t c = 0; c < sizeof(cg_cols) / sizeof(cg_cols[0]); c++) {
			int k = cg_cols[c].field;
			bool known = g->known & (1u << k);
			char cell[32];

			if (k == DCG_PROCS && known)
				snprintf(cell, sizeof(cell), g->d[k] ? "%+" PRId64 : "0", g->d[k]);
			else
				fmt_change(cell, sizeof(cell), g->d[k], known, human);
			fprintf(f, " %*s", cg_cols[c].width, cell);
		}
		name->len = 0;
		escape_untrusted(name, g->path, 0);
		fprintf(f, "  %s\n", name->buf ? name->buf : "");
	}
}

void diff_text_write(FILE *f, const struct diff *d, const struct scan *b, bool human, bool no_headers)
{
	struct buf name = BUF_INIT;
	char cells[6][32], pid[16];

	if (!no_headers)
		text_row(f, "PID", "STATUS", (char[6][32]){ "RSS", "PSS", "USS", "SWAP", "COW_BROKEN" }, "COMMAND");
	for (size_t i = 0; i < d->n; i++) {
		const struct diff_proc *p = &d->p[i];

		change_cells(cells, &p->d, p->cow_known ? &p->cow_broken : NULL, human);
		snprintf(pid, sizeof(pid), "%d", (int)(p->b ? p->b->id.pid : p->a->id.pid));
		text_row(f, pid, diff_status_names[p->status], cells, proc_name(p, &name));
	}
	change_cells(cells, &d->totals, d->cow_known ? &d->cow_broken : NULL, human);
	text_row(f, "TOTAL", "", cells, "");
	if (b->group_by != GROUP_NONE) {
		char title[32];

		snprintf(title, sizeof(title), "%s", group_by_names[b->group_by]);
		for (char *c = title; *c; c++)
			*c = (char)(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
		fprintf(f, "\n");
		if (!no_headers)
			text_row(f, "PROCS", "STATUS", (char[6][32]){ "RSS", "PSS", "USS", "SWAP", "" }, title);
		for (size_t i = 0; i < d->ng; i++) {
			const struct diff_group *g = &d->g[i];

			change_cells(cells, &g->d, NULL, human);
			cells[4][0] = '\0';
			snprintf(pid, sizeof(pid), "%zu", (g->b ? g->b : g->a)->npids);
			name.len = 0;
			escape_untrusted(&name, (g->b ? g->b : g->a)->key, 0);
			text_row(f, pid, diff_status_names[g->status], cells, name.buf ? name.buf : "");
		}
	}
	if (d->census)
		census_text(f, d, human);
	if (d->cgroups)
		cgroups_text(f, d, human, no_headers, &name);
	buf_release(&name);
}

static cJSON *raw_signed(int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRId64, v);
	return cJSON_CreateRaw(s);
}

static cJSON *raw_unsigned(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

static void add_change(cJSON *o, const char *key, int64_t v, bool known)
{
	cJSON_AddItemToObject(o, key, known ? raw_signed(v) : cJSON_CreateNull());
}

static void changes_json(cJSON *o, const struct diff_delta *d, bool group)
{
	add_change(o, "rss", d->rss, d->valid & CNT_RSS);
	add_change(o, "pss", d->pss, d->valid & CNT_PSS);
	add_change(o, "uss", d->uss, d->valid & CNT_USS);
	add_change(o, "swap", d->swap, d->valid & CNT_SWAP);
	if (group)
		add_change(o, "swap_uss", d->swap_uss, d->valid & CNT_SWAP_USS);
	else
		add_change(o, "swap_pss", d->swap_pss, d->valid & CNT_SWAP_PSS);
}

static void when(char *out, size_t len, struct timespec t)
{
	struct tm tm;

	gmtime_r(&t.tv_sec, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *snapshot_ref(const struct scan *sc, const char *path)
{
	cJSON *o = cJSON_CreateObject();
	char t[40];

	when(t, sizeof(t), sc->time);
	cJSON_AddStringToObject(o, "time", t);
	cJSON_AddStringToObject(o, "host", sc->host);
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddStringToObject(o, "mode", scan_mode_names[sc->mode]);
	return o;
}

static cJSON *proc_json(const struct diff_proc *p)
{
	const struct proc *x = p->b ? p->b : p->a;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", x->id.pid);
	cJSON_AddStringToObject(o, "comm", x->id.comm);
	cJSON_AddStringToObject(o, "cmdline", x->id.cmdline ? x->id.cmdline : "");
	cJSON_AddStringToObject(o, "status", diff_status_names[p->status]);
	changes_json(o, &p->d, false);
	cJSON_AddItemToObject(o, "cow_broken", p->cow_known ? raw_unsigned(p->cow_broken) : cJSON_CreateNull());
	return o;
}

static cJSON *group_json(const struct diff_group *g)
{
	const struct group *x = g->b ? g->b : g->a;
	cJSON *o = cJSON_CreateObject(), *pids = cJSON_AddArrayToObject(o, "pids");

	cJSON_AddStringToObject(o, "key", x->key);
	cJSON_AddStringToObject(o, "status", diff_status_names[g->status]);
	for (size_t i = 0; i < x->npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(x->pids[i]));
	changes_json(o, &g->d, true);
	return o;
}

static cJSON *cgroup_json(const struct diff_cgroup *g)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "path", g->path);
	cJSON_AddStringToObject(o, "status", diff_status_names[g->status]);
	for (int k = 0; k < DCG_COUNT; k++)
		add_change(o, diff_cgroup_keys[k], g->d[k], g->known & (1u << k));
	return o;
}

int diff_json_write(FILE *f, const struct diff *d, const struct scan *a, const char *path_a, const struct scan *b,
		    const char *path_b)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *totals;
	char t[40], *text;
	int rc;

	when(t, sizeof(t), b->time);
	cJSON_AddStringToObject(doc, "schema", "truemem/1");
	cJSON_AddStringToObject(doc, "mode", scan_mode_names[a->mode == MODE_EXACT ? b->mode : a->mode]);
	cJSON_AddItemToObject(doc, "page_size", raw_unsigned(b->page_size));
	cJSON_AddStringToObject(doc, "time", t);
	cJSON_AddStringToObject(doc, "host", b->host);
	cJSON_AddItemToObject(doc, "from", snapshot_ref(a, path_a));
	cJSON_AddItemToObject(doc, "to", snapshot_ref(b, path_b));
	arr = cJSON_AddArrayToObject(doc, "processes");
	for (size_t i = 0; i < d->n; i++)
		cJSON_AddItemToArray(arr, proc_json(&d->p[i]));
	totals = cJSON_AddObjectToObject(doc, "totals");
	changes_json(totals, &d->totals, false);
	cJSON_AddItemToObject(totals, "cow_broken", d->cow_known ? raw_signed((int64_t)d->cow_broken) : cJSON_CreateNull());
	if (b->group_by != GROUP_NONE) {
		cJSON_AddStringToObject(doc, "group_by", group_by_names[b->group_by]);
		arr = cJSON_AddArrayToObject(doc, "groups");
		for (size_t i = 0; i < d->ng; i++)
			cJSON_AddItemToArray(arr, group_json(&d->g[i]));
	}
	if (d->census) {
		cJSON *c = cJSON_AddObjectToObject(doc, "census");

		for (int k = 0; k < CEN_COUNT; k++)
			cJSON_AddItemToObject(c, census_class_names[k],
					      raw_signed((int64_t)(d->cb.pages[k] * d->cb.page_size - d->ca.pages[k] * d->ca.page_size)));
	}
	if (d->cgroups) {
		arr = cJSON_AddArrayToObject(doc, "cgroups");
		for (size_t i = 0; i < d->ncg; i++)
			cJSON_AddItemToArray(arr, cgroup_json(&d->cg[i]));
	}
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		die("out of memory (JSON)");
	rc = fputs(text, f) < 0 || fputc('\n', f) < 0 ? -1 : 0;
	free(text);
	return rc;
}
