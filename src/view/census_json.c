/*
 * census_json.c: the physical census in `sys --json` (SPEC section 3):
 * "census" with "frames", "ram_bytes", one key per class in bytes, the two
 * parts of free and "read_ms" (the walk's wall time), and
 * "census_vs_kernel", each census figure beside the kernel's or the scan's.
 */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>

#include "report.h"
#include "view.h"

static cJSON *raw_u64(uint64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_CreateRaw(s);
}

static cJSON *raw_diff(uint64_t a, uint64_t b)
{
	char s[24];

	if (a >= b)
		snprintf(s, sizeof(s), "%" PRIu64, a - b);
	else
		snprintf(s, sizeof(s), "-%" PRIu64, b - a);
	return cJSON_CreateRaw(s);
}

void census_json_add(cJSON *doc, const struct sys_report *r)
{
	const struct census *c = r->census;
	cJSON *o, *cmp;

	if (!c) {
		cJSON_AddNullToObject(doc, "census");
		if (r->census_note)
			cJSON_AddStringToObject(doc, "census_note", r->census_note);
		return;
	}
	o = cJSON_AddObjectToObject(doc, "census");
	cJSON_AddItemToObject(o, "frames", raw_u64(c->frames));
	cJSON_AddItemToObject(o, "ram_bytes", raw_u64(c->frames * c->page_size));
	for (int k = 0; k < CEN_COUNT; k++)
		cJSON_AddItemToObject(o, census_class_names[k], raw_u64(c->pages[k] * c->page_size));
	cJSON_AddItemToObject(o, "free_buddy", raw_u64(c->free_buddy * c->page_size));
	cJSON_AddItemToObject(o, "free_uninitialized", raw_u64(c->free_uninit * c->page_size));
	cJSON_AddNumberToObject(o, "read_ms", (double)(uint64_t)(c->cost_ms * 1000.0 + 0.5) / 1000.0);
	cmp = cJSON_AddArrayToObject(doc, "census_vs_kernel");
	for (size_t i = 0; i < r->ncmp; i++) {
		const struct census_cmp *x = &r->cmp[i];
		cJSON *e = cJSON_CreateObject();

		cJSON_AddStringToObject(e, "census", x->label);
		cJSON_AddItemToObject(e, "census_bytes", raw_u64(x->census_bytes));
		cJSON_AddStringToObject(e, "kernel", x->source);
		cJSON_AddItemToObject(e, "kernel_bytes", x->known ? raw_u64(x->kernel_bytes) : cJSON_CreateNull());
		cJSON_AddItemToObject(e, "difference",
				      x->known ? raw_diff(x->census_bytes, x->kernel_bytes) : cJSON_CreateNull());
		cJSON_AddItemToArray(cmp, e);
	}
}
