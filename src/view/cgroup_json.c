/*
 * cgroup_json.c: `truemem cgroup --json` (SPEC section 3): "cgroup_version"
 * and "cgroups", one object per row with the kernel's figures, the frame
 * split (null where the mode in effect cannot tell), the subtree's pids
 * and their group numbers.
 */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>

#include "cgroup.h"
#include "view.h"

static cJSON *u64_or_null(uint64_t v, bool known)
{
	char s[24];

	if (!known)
		return cJSON_CreateNull();
	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

static cJSON *row_json(const struct cgroup_row *r, const struct cgroup_tree *t)
{
	cJSON *o = cJSON_CreateObject(), *pids;
	bool f = r->frames_known, k = r->kernel_known, c = r->counts_known;

	cJSON_AddStringToObject(o, "path", r->path);
	cJSON_AddItemToObject(o, "inode", u64_or_null(r->node >= 0 ? t->n[r->node].ino : 0, r->node >= 0));
	cJSON_AddItemToObject(o, "charged", u64_or_null(r->charged, k));
	cJSON_AddItemToObject(o, "limit", u64_or_null(r->limit, k && r->has_limit));
	cJSON_AddItemToObject(o, "swap_charged", u64_or_null(r->swap_charged, k && r->has_swap));
	cJSON_AddItemToObject(o, "kernel", u64_or_null(r->kernel, k && r->has_kernel));
	cJSON_AddItemToObject(o, "mapped_inside", u64_or_null(r->mapped_inside, f));
	cJSON_AddItemToObject(o, "mapped_outside_only", u64_or_null(r->mapped_outside_only, f));
	cJSON_AddItemToObject(o, "unmapped_file", u64_or_null(r->unmapped_file, f));
	cJSON_AddItemToObject(o, "unmapped_shmem", u64_or_null(r->unmapped_shmem, f));
	cJSON_AddItemToObject(o, "unmapped_anon", u64_or_null(r->unmapped_anon, f));
	if (f && k) {
		char s[24];

		snprintf(s, sizeof(s), "%" PRId64, r->unexplained);
		cJSON_AddItemToObject(o, "unexplained", cJSON_CreateRaw(s));
	} else {
		cJSON_AddNullToObject(o, "unexplained");
	}
	cJSON_AddItemToObject(o, "mapped_from_elsewhere", u64_or_null(r->mapped_from_elsewhere, f));
	pids = cJSON_AddArrayToObject(o, "pids");
	for (size_t i = 0; i < r->npids; i++)
		cJSON_AddItemToArray(pids, cJSON_CreateNumber(r->pids[i]));
	cJSON_AddItemToObject(o, "rss", u64_or_null(r->counts.rss_bytes, c && (r->counts.valid & CNT_RSS)));
	cJSON_AddItemToObject(o, "pss", u64_or_null(pss_bytes(r->counts.pss), c && (r->counts.valid & CNT_PSS)));
	cJSON_AddItemToObject(o, "uss", u64_or_null(r->counts.uss_bytes, c && (r->counts.valid & CNT_USS)));
	cJSON_AddItemToObject(o, "frees", u64_or_null(r->counts.frees_bytes, c && (r->counts.valid & CNT_FATES)));
	return o;
}

void cgroup_json_add(cJSON *doc, const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *order,
		     size_t n)
{
	cJSON *rows;

	cJSON_AddNumberToObject(doc, "cgroup_version", r->version);
	if (r->note)
		cJSON_AddStringToObject(doc, "cgroup_note", r->note);
	rows = cJSON_AddArrayToObject(doc, "cgroups");
	for (size_t k = 0; k < n; k++)
		cJSON_AddItemToArray(rows, row_json(&r->rows[order[k]], t));
}
