/*
 * page_batch.h: the model of a run of a process's pagemap entries, as the
 * scan reads them (pagemap.rst: one 64-bit entry a page) and the
 * aggregator counts them (account.h).
 */
#ifndef TRUEMEM_PAGE_BATCH_H
#define TRUEMEM_PAGE_BATCH_H

#include <stddef.h>
#include <stdint.h>

/* A batch of consecutive pagemap entries of one process. */
struct page_batch {
	uint64_t vaddr;          /* virtual address of entry 0 */
	size_t n;
	const uint64_t *pm;      /* pagemap entries */
};

#endif
