/*
 * swap.c: the swap device, a table of reference-counted slots (Linux's
 * swap_map in mm/swapfile.c). A slot is referenced by every page-table
 * entry holding it (anonymous pages, shared after fork) or once by the
 * shmem object whose page it holds. The swap cache links a slot to the
 * frame that holds its data after a swap-in, so the other holders of the
 * slot fault in the same frame. Slot 0 is the header and never handed out.
 * Allocation is next-fit from the last slot handed out.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine_mm.h"
#include "util.h"

void swap_init(struct swap_dev *sd, uint32_t nslots)
{
	memset(sd, 0, sizeof(*sd));
	sd->nslots = nslots;
	sd->refs = xcalloc((size_t)nslots + 1, sizeof(uint32_t));
	sd->cache = xcalloc((size_t)nslots + 1, sizeof(uint32_t));
	sd->memcg = xcalloc((size_t)nslots + 1, sizeof(uint16_t));
	sd->hint = 1;
}

void swap_release(struct swap_dev *sd)
{
	free(sd->refs);
	free(sd->cache);
	free(sd->memcg);
	memset(sd, 0, sizeof(*sd));
}

uint32_t swap_alloc(struct swap_dev *sd, uint32_t refs)
{
	assert(refs > 0);
	if (sd->used >= sd->nslots)
		return 0;
	for (uint32_t i = 0; i < sd->nslots; i++) {
		uint32_t slot = (sd->hint - 1 + i) % sd->nslots + 1;

		if (sd->refs[slot] == 0) {
			sd->refs[slot] = refs;
			sd->cache[slot] = 0;
			sd->memcg[slot] = 0;
			sd->used++;
			sd->hint = slot % sd->nslots + 1;
			return slot;
		}
	}
	return 0;
}

bool swap_put(struct swap_dev *sd, uint32_t slot)
{
	assert(slot >= 1 && slot <= sd->nslots && sd->refs[slot] > 0);
	if (--sd->refs[slot] > 0)
		return false;
	sd->cache[slot] = 0;
	sd->memcg[slot] = 0;
	sd->used--;
	return true;
}
