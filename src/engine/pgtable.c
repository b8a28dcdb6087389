/*
 * pgtable.c: x86-64 style 4-level page tables (Intel SDM vol. 3, "4-Level
 * Paging"; Linux's pgd/pud/pmd/pte). An index (a virtual page number, or a
 * page offset in an object) is split into four 9-bit fields; each level is
 * a 512-entry table allocated on first use, so only populated 2 MiB
 * stretches of address space cost a leaf table. Interior tables hold
 * pointers; leaves hold the entries encoded as engine_mm.h describes.
 */
#include <stdlib.h>

#include "engine_mm.h"
#include "util.h"

struct pt_table {
	union {
		struct pt_table *child[PT_ENTRIES];
		uint64_t e[PT_ENTRIES];
	} u;
};

static unsigned pt_field(uint64_t index, int level)
{
	/* level 3 is the top (PGD), level 0 the leaf (PTE) */
	return (unsigned)(index >> (PT_BITS * level)) & (PT_ENTRIES - 1);
}

void pgtable_init(struct pgtable *pt)
{
	pt->root = NULL;
	pt->ntables = 0;
}

static void pt_free(struct pt_table *t, int level)
{
	if (!t)
		return;
	if (level > 0)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			pt_free(t->u.child[i], level - 1);
	free(t);
}

void pgtable_release(struct pgtable *pt)
{
	pt_free(pt->root, PT_LEVELS - 1);
	pgtable_init(pt);
}

uint64_t *pgtable_find(const struct pgtable *pt, uint64_t index)
{
	struct pt_table *t = pt->root;

	for (int level = PT_LEVELS - 1; t && level > 0; level--)
		t = t->u.child[pt_field(index, level)];
	return t ? &t->u.e[pt_field(index, 0)] : NULL;
}

uint64_t pgtable_get(const struct pgtable *pt, uint64_t index)
{
	const uint64_t *p = pgtable_find(pt, index);

	return p ? *p : 0;
}

uint64_t *pgtable_slot(struct pgtable *pt, uint64_t index)
{
	struct pt_table **tp = (struct pt_table **)&pt->root;

	for (int level = PT_LEVELS - 1; ; level--) {
		if (!*tp) {
			*tp = xcalloc(1, sizeof(struct pt_table));
			pt->ntables++;
		}
		if (level == 0)
			return &(*tp)->u.e[pt_field(index, 0)];
		tp = &(*tp)->u.child[pt_field(index, level)];
	}
}

/* Searches table t (covering indexes from base) for the first entry >= *index and < end. */
static uint64_t *pt_next(struct pt_table *t, int level, uint64_t base, uint64_t *index, uint64_t end)
{
	uint64_t span = UINT64_C(1) << (PT_BITS * level);   /* indexes one entry covers */

	for (unsigned i = pt_field(*index, level); i < PT_ENTRIES; i++) {
		uint64_t lo = base + (uint64_t)i * span;

		if (lo >= end)
			return NULL;
		if (lo > *index)
			*index = lo;
		if (level == 0) {
			if (t->u.e[i])
				return &t->u.e[i];
		} else if (t->u.child[i]) {
			uint64_t *r = pt_next(t->u.child[i], level - 1, lo, index, end);

			if (r)
				return r;
		}
	}
	return NULL;
}

uint64_t *pgtable_next(const struct pgtable *pt, uint64_t *index, uint64_t end)
{
	uint64_t top = UINT64_C(1) << (PT_BITS * PT_LEVELS), leaf_end;
	uint64_t *leaf;

	if (!pt->root || *index >= end || *index >= top)
		return NULL;
	if (end > top)
		end = top;
	/* fast path for dense walks: scan the rest of the leaf holding *index first */
	leaf = pgtable_find(pt, *index);
	leaf_end = (*index | (PT_ENTRIES - 1)) + 1;
	if (leaf) {
		uint64_t stop = leaf_end < end ? leaf_end : end;

		for (uint64_t i = *index; i < stop; i++, leaf++) {
			if (*leaf) {
				*index = i;
				return leaf;
			}
		}
	}
	if (leaf_end >= end)
		return NULL;
	*index = leaf_end;
	return pt_next(pt->root, PT_LEVELS - 1, 0, index, end);
}
