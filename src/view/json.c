/*
 * json.c: the JSON exporter, schema "truemem/1" (SPEC section 3). The only
 * file besides the truth writer that speaks cJSON. Byte counts are written
 * as exact integers (raw number text), never through a double; a number
 * that is not known is null, never 0.
 */
#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "view.h"

static cJSON *num(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

/* Adds key: v when the fields in need are valid, else key: null. */
static void add_num(cJSON *o, const char *key, uint64_t v, unsigned valid, unsigned need)
{
	cJSON_AddItemToObject(o, key, (valid & need) == need ? num(v) : cJSON_CreateNull());
}

/* Adds the counts fields fs[0..n) of c to o (column.h): each key with its number, or null when not known. */
static void add_fields(cJSON *o, const struct mem_counts *c, const enum count_field *fs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct count_field_info *fi = &count_fields[fs[i]];
		uint64_t v;
		bool known = count_field_get(c, fs[i], &v);

		cJSON_AddItemToObject(o, fi->key, known ? num(fi->pss ? pss_bytes(v) : v) : cJSON_CreateNull());
	}
}

static const enum count_field proc_fields[] = { CF_RSS, CF_PSS, CF_USS, CF_SWAP, CF_SWAP_PSS };
static const enum count_field group_fields[] = { CF_RSS, CF_PSS, CF_USS, CF_SWAP, CF_SWAP_USS };
static const enum count_field fate_fields[] = { CF_FREES, CF_RECLAIMABLE, CF_STAYS, CF_FREES_SWAP };

static cJSON *kind_json(const struct mem_counts *c, int k)
{
	cJSON *o = cJSON_CreateObject();

	add_num(o, "rss", c->kind[k].rss_bytes, c->valid, CNT_KIND_RSS);
	add_num(o, "pss", pss_bytes(c->kind[k].pss), c->valid, CNT_KIND_PSS);
	add_num(o, "uss", c->kind[k].uss_bytes, c->valid, CNT_KIND_USS);
	add_num(o, "swap", c->kind[k].swap_bytes, c->valid, CNT_KIND_SWAP);
	return o;
}

/* The numbers of SPEC section 2 into o; kinds adds the anon/file/shmem split. */
static void counts_json(cJSON *o, const struct mem_counts *c, bool kinds)
{
	add_fields(o, c, proc_fields, ARRAY_SIZE(proc_fields));
	if (!kinds)
		return;
	for (int k = 0; k < KIND_COUNT; k++)
		cJSON_AddItemToObject(o, page_kind_names[k], kind_json(c, k));
	add_num(o, "zero_page", c->zero_page_bytes, c->valid, CNT_EXTRA);
	add_num(o, "nopage", c->nopage_bytes, c->valid, CNT_EXTRA);
	add_num(o, "hugetlb", c->hugetlb_bytes, c->valid, CNT_EXTRA);
	add_num(o, "guard", c->guard_bytes, c->valid, CNT_EXTRA);
}

/* SPEC section 2.1: what killing it does with its uss, and the swap it frees (exact mode). */
static void fates_json(cJSON *o, const struct mem_counts *c)
{
	add_fields(o, c, fate_fields, ARRAY_SIZE(fate_fields));
}

/* The members every document has: schema, mode, page_size, time, host. */
static cJSON *json_document(const struct scan *sc)
{
	cJSON *doc = cJSON_CreateObject();
	char when[40];
	struct tm tm;

	gmtime_r(&sc->time.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cJSON_AddStringToObject(doc, "schema", "truemem/1");
	cJSON_AddStringToObject(doc, "mode", scan_mode_names[sc->mode]);
	cJSON_AddItemToObject(doc, "page_size", num(sc->page_size));
	cJSON_AddStringToObject(doc, "time", when);
	cJSON_AddStringToObject(doc, "host", sc->host);
	return doc;
}

/*
 * "start_time": seconds after boot with the millisecond digits it has
 * (libproc2's PIDS_TIME_START; exact text, no double), null when unknown.
 */
static void start_json(cJSON *o, const struct proc_ident *id)
{
	char s[32];
	size_t n;

	if (!id->have_start) {
		cJSON_AddNullToObject(o, "start_time");
		return;
	}
	n = (size_t)snprintf(s, sizeof(s), "%" PRIu64 ".%03" PRIu64, id->start_ms / 1000, id->start_ms % 1000);
	while (s[n - 1] == '0')
		s[--n] = '\0';
	if (s[n - 1] == '.')
		s[--n] = '\0';
	cJSON_AddItemToObject(o, "start_time", cJSON_CreateRaw(s));
}

static cJSON *proc_json(const struct proc *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "pid", p->id.pid);
	cJSON_AddNumberToObject(o, "ppid", p->id.ppid);
	cJSON_AddNumberToObject(o, "uid", p->id.uid);
	cJSON_AddStringToObject(o, "user", p->id.user);
	cJSON_AddStringToObject(o, "comm", p->id.comm);
	cJSON_AddStringToObject(o, "cmdline", p->id.cmdline ? p->id.cmdline : "");
	if (p->id.exe)
		cJSON_AddStringToObject(o, "exe", p->id.exe);
	start_json(o, &p->id);
	if (p->shares_mm_with)
		cJSON_AddNumberToObject(o, "shares_mm_with", p->shares_mm_with);
	cJSON_AddBoolToObject(o, "readable", p->readable);
	if (!p->readable)   /* numbers null, but the rss anyone may read (statm) */
		cJSON_AddStringToObject(o, "reason", p->err == -ESRCH ? "vanished" : strerror(-p->err));
	counts_json(o, &p->counts, true);
	fates_json(o, &p->counts);
	return o;
}

static cJSON *groups_json(const struct scan *sc)
{
	cJSON *arr = cJSON_CreateArray();
	size_t *order = xmalloc((sc->ngroups + 1) * sizeof(*order));

	groups_sort(sc, order, GCOL_PSS, false);
	for (size_t i = 0; i < sc->ngroups; i++) {
		const struct group *g = &sc->groups[order[i]];
		cJSON *o = cJSON_CreateObject(), *pids = cJSON_CreateArray();

		cJSON_AddStringToObject(o, "key", g->key);
		for (size_t k = 0; k < g->npids; k++)
			cJSON_AddItemToArray(pids, cJSON_CreateNumber(g->pids[k]));
		cJSON_AddItemToObject(o, "pids", pids);
		add_fields(o, &g->counts, group_fields, ARRAY_SIZE(group_fields));
		fates_json(o, &g->counts);
		/* Members that could not be read are not in the figures. */
		cJSON_AddNumberToObject(o, "unreadable", (double)g->nunreadable);
		cJSON_AddItemToArray(arr, o);
	}
	free(order);
	return arr;
}

/* Prints doc to f and frees it. */
static int json_emit(FILE *f, cJSON *doc, bool compact)
{
	char *text = compact ? cJSON_PrintUnformatted(doc) : cJSON_Print(doc);
	int rc;

	cJSON_Delete(doc);
	if (!text)
		die("out of memory (JSON)");
	rc = fputs(text, f) < 0 || fputc('\n', f) < 0 ? -1 : 0;
	free(text);
	if (compact && fflush(f) != 0)
		rc = -1;
	return rc;
}

int json_write_ps(FILE *f, const struct scan *sc, const struct ps_rows *rows, bool compact)
{
	cJSON *doc = json_document(sc), *procs = cJSON_AddArrayToObject(doc, "processes");
	cJSON *totals = cJSON_AddObjectToObject(doc, "totals");

	for (size_t i = 0; i < rows->n; i++)
		cJSON_AddItemToArray(procs, proc_json(rows->p[i]));
	counts_json(totals, &sc->totals, true);
	cJSON_AddNumberToObject(totals, "unreadable", (double)sc->nunreadable);
	if (sc->group_by != GROUP_NONE) {
		cJSON_AddStringToObject(doc, "group_by", group_by_names[sc->group_by]);
		cJSON_AddItemToObject(doc, "groups", groups_json(sc));
	}
	return json_emit(f, doc, compact);
}

static cJSON *hex(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	return cJSON_CreateString(s);
}

static cJSON *mapping_json(const struct vma *v)
{
	cJSON *o = cJSON_CreateObject();
	char dev[24];

	cJSON_AddItemToObject(o, "start", hex(v->start));
	cJSON_AddItemToObject(o, "end", hex(v->end));
	cJSON_AddStringToObject(o, "perms", v->perms);
	cJSON_AddItemToObject(o, "offset", num(v->offset));
	snprintf(dev, sizeof(dev), "%02x:%02x", v->dev_major, v->dev_minor);
	cJSON_AddStringToObject(o, "dev", dev);
	cJSON_AddItemToObject(o, "inode", num(v->inode));
	cJSON_AddStringToObject(o, "name", vma_display_name(v));
	cJSON_AddItemToObject(o, "size", num(v->end - v->start));
	counts_json(o, &v->counts, true);
	if (v->smaps) {
		cJSON_AddItemToObject(o, "thp", num((v->smaps->anon_huge_kb + v->smaps->shmem_huge_kb +
						     v->smaps->file_huge_kb) * 1024));
		cJSON_AddItemToObject(o, "locked", num(v->smaps->locked_kb * 1024));
		cJSON_AddStringToObject(o, "vmflags", v->smaps->vmflags);
	}
	return o;
}

int json_write_map(FILE *f, const struct scan *sc, const struct proc *p, bool compact)
{
	cJSON *doc = json_document(sc), *maps, *totals;

	cJSON_AddNumberToObject(doc, "pid", p->id.pid);
	cJSON_AddStringToObject(doc, "comm", p->id.comm);
	cJSON_AddStringToObject(doc, "cmdline", p->id.cmdline ? p->id.cmdline : "");
	start_json(doc, &p->id);
	maps = cJSON_AddArrayToObject(doc, "mappings");
	for (size_t i = 0; i < p->vmas.n; i++)
		cJSON_AddItemToArray(maps, mapping_json(&p->vmas.v[i]));
	totals = cJSON_AddObjectToObject(doc, "totals");
	{
		uint64_t size = 0;

		for (size_t i = 0; i < p->vmas.n; i++)
			size += p->vmas.v[i].end - p->vmas.v[i].start;
		cJSON_AddItemToObject(totals, "size", num(size));
	}
	counts_json(totals, &p->counts, true);
	return json_emit(f, doc, compact);
}

int json_write_lib(FILE *f, const struct scan *sc, const struct lib_report *r, bool compact)
{
	cJSON *doc = json_document(sc), *libs = cJSON_AddArrayToObject(doc, "libraries");

	for (size_t i = 0; i < r->n; i++) {
		const struct lib_row *row = &r->rows[i];
		cJSON *o = cJSON_CreateObject(), *pids = cJSON_CreateArray();
		char dev[24];

		cJSON_AddStringToObject(o, "name", row->name);
		snprintf(dev, sizeof(dev), "%02x:%02x", row->dev_major, row->dev_minor);
		cJSON_AddStringToObject(o, "dev", dev);
		cJSON_AddItemToObject(o, "inode", num(row->inode));
		for (size_t k = 0; k < row->npids; k++)
			cJSON_AddItemToArray(pids, cJSON_CreateNumber(row->pids[k]));
		cJSON_AddItemToObject(o, "pids", pids);
		counts_json(o, &row->counts, false);
		cJSON_AddItemToArray(libs, o);
	}
	return json_emit(f, doc, compact);
}

int json_write_cgroup(FILE *f, const struct scan *sc, const struct cgroup_report *r, const struct cgroup_tree *t,
		      const size_t *order, size_t n)
{
	cJSON *doc = json_document(sc);

	cgroup_json_add(doc, r, t, order, n);
	return json_emit(f, doc, false);
}

int json_write_sys(FILE *f, const struct scan *sc, const struct sys_report *r, bool compact)
{
	cJSON *doc = json_document(sc), *mi = cJSON_AddObjectToObject(doc, "meminfo");
	cJSON *acc = cJSON_AddObjectToObject(doc, "accounted"), *swap;
	unsigned k = r->known ? 1 : 0;

	for (size_t i = 0; i < sc->meminfo.n; i++)
		cJSON_AddItemToObject(mi, sc->meminfo.f[i].key, num(sc->meminfo.f[i].bytes));
	add_num(acc, "total", r->total, 1, 1);
	add_num(acc, "free", r->free, 1, 1);
	add_num(acc, "process_anon", r->anon, k, 1);
	add_num(acc, "process_file", r->file, k, 1);
	add_num(acc, "process_shmem", r->shmem, k, 1);
	add_num(acc, "anon_unattributed", r->anon_unattributed, k, 1);
	add_num(acc, "page_cache_unmapped", r->cache_unmapped, k, 1);
	add_num(acc, "kernel", r->kernel, 1, 1);
	add_num(acc, "hugetlb", r->hugetlb, 1, 1);
	if (r->known) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRId64, r->unexplained);
		cJSON_AddItemToObject(acc, "unexplained", cJSON_CreateRaw(s));
	} else {
		cJSON_AddNullToObject(acc, "unexplained");
	}
	swap = cJSON_AddObjectToObject(doc, "swap");
	add_num(swap, "total", r->swap_total, 1, 1);
	add_num(swap, "used", r->swap_used, 1, 1);
	add_num(swap, "attributed", r->swap_attributed, k, 1);
	add_num(swap, "cached", r->swap_cached, 1, 1);
	census_json_add(doc, r);
	return json_emit(f, doc, compact);
}
