/*
 * truth_json.c: truth.json, the engine's ground truth (truth.h) for
 * scripts: schema "truemem-truth/1". The keys are those of `truemem ps
 * --json` (SPEC section 3) so a script can compare the two with jq: every
 * process with its numbers, its anon/file/shmem split and its mappings,
 * the distinct-frame totals, and under "groups" one array per grouping
 * (user, program, tree, cgroup); under "cgroups" every memory cgroup with
 * the numbers of SPEC section 2.3 (`truemem cgroup --json`'s keys). Byte counts are exact integers written as
 * raw number text, never through a double.
 */
#include <cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "truth.h"
#include "util.h"

#define TRUTH_SCHEMA "truemem-truth/1"

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	cJSON_AddItemToObject(o, key, cJSON_CreateRaw(s));
}

static void add_hex(cJSON *o, const char *key, uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "0x%" PRIx64, v);
	cJSON_AddStringToObject(o, key, s);
}

static void counts_json(cJSON *o, const struct mem_counts *c, bool kinds)
{
	add_u64(o, "rss", c->rss_bytes);
	add_u64(o, "pss", pss_bytes(c->pss));
	add_u64(o, "uss", c->uss_bytes);
	add_u64(o, "swap", c->swap_bytes);
	add_u64(o, "swap_pss", pss_bytes(c->swap_pss));
	if (!kinds)
		return;
	for (int k = 0; k < KIND_COUNT; k++) {
		cJSON *ko = cJSON_AddObjectToObject(o, page_kind_names[k]);

		add_u64(ko, "rss", c->kind[k].rss_bytes);
		add_u64(ko, "pss", pss_bytes(c->kind[k].pss));
		add_u64(ko, "uss", c->kind[k].uss_bytes);
		add_u64(ko, "swap", c->kind[k].swap_bytes);
	}
	add_u64(o, "zero_page", c->zero_page_bytes);
	add_u64(o, "guard", c->guard_bytes);
}

/* SPEC section 2.1: what killing it does with its uss, and the swap that frees. */
static void fates_json(cJSON *o, const struct mem_counts *c)
{
	add_u64(o, "frees", c->frees_bytes);
	add_u64(o, "reclaimable", c->reclaimable_bytes);
	add_u64(o, "stays", c->stays_bytes);
	add_u64(o, "frees_swap", c->frees_swap_bytes);
}

static cJSON *proc_json(const struct truth_proc *p)
{
	cJSON *o = cJSON_CreateObject(), *maps;

	cJSON_AddNumberToObject(o, "pid", p->pid);
	cJSON_AddNumberToObject(o, "ppid", p->ppid);
	cJSON_AddNumberToObject(o, "uid", p->uid);
	cJSON_AddStringToObject(o, "user", p->user);
	cJSON_AddStringToObject(o, "comm", p->comm);
	cJSON_AddStringToObject(o, "exe", p->exe);
	cJSON_AddStringToObject(o, "cgroup", p->cgroup);
	counts_json(o, &p->counts, true);
	fates_json(o, &p->counts);
	maps = cJSON_AddArrayToObject(o, "mappings");
	for (size_t i = 0; i < p->nvmas; i++) {
		const struct truth_vma *v = &p->vmas[i];
		cJSON *m = cJSON_CreateObject();

		add_hex(m, "start", v->start);
		add_hex(m, "end", v->end);
		cJSON_AddStringToObject(m, "region", v->region);
		cJSON_AddStringToObject(m, "name", v->name);
		counts_json(m, &v->counts, true);
		cJSON_AddItemToArray(maps, m);
	}
	return o;
}

static void pids_json(cJSON *o, const pid_t *pids, size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, "pids");

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(pids[i]));
}

static cJSON *group_json(const struct truth_group *g)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "key", g->key);
	pids_json(o, g->pids, g->npids);
	add_u64(o, "rss", g->counts.rss_bytes);
	add_u64(o, "pss", pss_bytes(g->counts.pss));
	add_u64(o, "uss", g->counts.uss_bytes);
	add_u64(o, "swap", g->counts.swap_bytes);
	add_u64(o, "swap_uss", g->counts.swap_uss_bytes);
	fates_json(o, &g->counts);
	return o;
}

/* SPEC section 2.3: a cgroup with its descendants, in the keys of `truemem cgroup --json`. */
static cJSON *cgroup_json(const struct truth_cgroup *c)
{
	cJSON *o = cJSON_CreateObject();
	char s[24];

	cJSON_AddStringToObject(o, "path", c->path);
	add_u64(o, "inode", c->ino);
	add_u64(o, "charged", c->charged_bytes);
	cJSON_AddNullToObject(o, "limit");
	add_u64(o, "swap_charged", c->swap_charged_bytes);
	add_u64(o, "kernel", c->kernel_bytes);
	add_u64(o, "mapped_inside", c->mapped_inside_bytes);
	add_u64(o, "mapped_outside_only", c->mapped_outside_only_bytes);
	add_u64(o, "unmapped_file", c->unmapped_file_bytes);
	add_u64(o, "unmapped_shmem", c->unmapped_shmem_bytes);
	add_u64(o, "unmapped_anon", c->unmapped_anon_bytes);
	snprintf(s, sizeof(s), "%" PRId64, c->unexplained_bytes);
	cJSON_AddItemToObject(o, "unexplained", cJSON_CreateRaw(s));
	add_u64(o, "mapped_from_elsewhere", c->mapped_from_elsewhere_bytes);
	pids_json(o, c->pids, c->npids);
	add_u64(o, "rss", c->counts.rss_bytes);
	add_u64(o, "pss", pss_bytes(c->counts.pss));
	add_u64(o, "uss", c->counts.uss_bytes);
	add_u64(o, "swap", c->counts.swap_bytes);
	fates_json(o, &c->counts);
	return o;
}

static cJSON *truth_to_json(const struct truth *t)
{
	cJSON *root = cJSON_CreateObject(), *procs, *totals, *groups;

	cJSON_AddStringToObject(root, "schema", TRUTH_SCHEMA);
	cJSON_AddStringToObject(root, "mode", "exact");
	add_u64(root, "page_size", t->page_size);
	procs = cJSON_AddArrayToObject(root, "processes");
	for (size_t i = 0; i < t->nprocs; i++)
		cJSON_AddItemToArray(procs, proc_json(&t->procs[i]));
	totals = cJSON_AddObjectToObject(root, "totals");
	add_u64(totals, "rss", t->totals.rss_bytes);
	add_u64(totals, "pss", pss_bytes(t->totals.pss));
	add_u64(totals, "uss", t->totals.uss_bytes);
	add_u64(totals, "swap", t->totals.swap_bytes);
	add_u64(totals, "swap_pss", pss_bytes(t->totals.swap_pss));
	groups = cJSON_AddObjectToObject(root, "groups");
	for (int by = 0; by < TRUTH_GROUPINGS; by++) {
		cJSON *arr = cJSON_AddArrayToObject(groups, truth_grouping_names[by]);

		for (size_t i = 0; i < t->ngroups[by]; i++)
			cJSON_AddItemToArray(arr, group_json(&t->groups[by][i]));
	}
	groups = cJSON_AddArrayToObject(root, "cgroups");
	for (size_t i = 0; i < t->ncgroups; i++)
		cJSON_AddItemToArray(groups, cgroup_json(&t->cgroups[i]));
	return root;
}

int truth_json_write(const struct truth *t, const char *path, struct tm_error *err)
{
	cJSON *root = truth_to_json(t);
	char *text = cJSON_Print(root);
	FILE *f;
	int rc = 0;

	cJSON_Delete(root);
	if (!text)
		die("out of memory (truth.json)");
	f = fopen(path, "w");
	if (!f) {
		rc = errorf(err, -1, "cannot write '%s': %s", path, strerror(errno));
	} else {
		if (fputs(text, f) == EOF || fputc('\n', f) == EOF)
			rc = errorf(err, -1, "cannot write '%s': %s", path, strerror(errno));
		if (fclose(f) != 0 && rc == 0)
			rc = errorf(err, -1, "cannot write '%s': %s", path, strerror(errno));
	}
	free(text);
	return rc;
}
