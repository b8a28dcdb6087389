/*
 * frame.c: the physical frame table. One struct frame per page frame,
 * indexed by pfn, grown as frames are first handed out so an idle 16 GiB
 * host costs nothing; freed frames go on a LIFO list threaded through
 * their owner field. pfn 1 is the shared zero page (Linux's ZERO_PAGE,
 * kernel memory outside RAM accounting); RAM frames start at pfn 2.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_mm.h"
#include "util.h"

void frames_init(struct frame_table *ft, uint32_t ram_pages)
{
	memset(ft, 0, sizeof(*ft));
	ft->ram_pages = ram_pages;
	ft->n = FRAME_FIRST_PFN;
	xgrow((void **)&ft->f, &ft->cap, ft->n, sizeof(struct frame));
	memset(ft->f, 0, sizeof(struct frame) * ft->n);
	ft->f[FRAME_ZERO_PFN].kind = FRAME_ZERO;
	ft->hand = FRAME_FIRST_PFN;
}

void frames_release(struct frame_table *ft)
{
	free(ft->f);
	memset(ft, 0, sizeof(*ft));
}

uint32_t frame_alloc(struct frame_table *ft, enum frame_kind kind, uint32_t owner, uint64_t index)
{
	uint32_t pfn;
	struct frame *f;

	assert(ft->used < ft->ram_pages);
	assert(kind == FRAME_ANON || kind == FRAME_FILE || kind == FRAME_SHMEM);
	if (ft->free_head) {
		pfn = ft->free_head;
		ft->free_head = ft->f[pfn].owner;
	} else {
		pfn = ft->n++;
		xgrow((void **)&ft->f, &ft->cap, ft->n, sizeof(struct frame));
	}
	f = &ft->f[pfn];
	memset(f, 0, sizeof(*f));
	f->kind = (uint8_t)kind;
	f->owner = owner;
	f->index = index;
	f->flags = FRAME_REFERENCED;
	ft->used++;
	ft->nkind[kind]++;
	return pfn;
}

uint32_t frame_alloc_block(struct frame_table *ft, enum frame_kind kind, uint32_t owner, uint64_t index)
{
	uint32_t first = (ft->n + PMD_PAGES - 1) & ~(PMD_PAGES - 1);

	if (ft->used + PMD_PAGES > ft->ram_pages || first + PMD_PAGES > FRAME_FIRST_PFN + ft->ram_pages)
		return 0;
	xgrow((void **)&ft->f, &ft->cap, first + PMD_PAGES, sizeof(struct frame));
	/* The frames skipped to align join the free list, never used. */
	for (uint32_t pfn = ft->n; pfn < first; pfn++) {
		memset(&ft->f[pfn], 0, sizeof(ft->f[pfn]));
		ft->f[pfn].kind = FRAME_FREE;
		ft->f[pfn].owner = ft->free_head;
		ft->free_head = pfn;
	}
	ft->n = first + PMD_PAGES;
	for (uint32_t i = 0; i < PMD_PAGES; i++) {
		struct frame *f = &ft->f[first + i];

		memset(f, 0, sizeof(*f));
		f->kind = (uint8_t)kind;
		f->owner = owner;
		f->index = index + i;
		f->flags = FRAME_REFERENCED | FRAME_THP;
	}
	ft->used += PMD_PAGES;
	ft->nkind[kind] += PMD_PAGES;
	return first;
}

void frame_free(struct frame_table *ft, uint32_t pfn)
{
	struct frame *f = &ft->f[pfn];

	assert(pfn >= FRAME_FIRST_PFN && pfn < ft->n);
	assert(f->kind != FRAME_FREE && f->mapcount == 0 && f->swap_slot == 0);
	ft->nkind[f->kind]--;
	ft->used--;
	memset(f, 0, sizeof(*f));
	f->kind = FRAME_FREE;
	f->owner = ft->free_head;
	ft->free_head = pfn;
}
