/*
 * shmem_swap.h: the swapped shmem of each group that no other group holds
 * (group swap_uss), solved from the per-mapping Swap the kernel's smaps
 * reports, since swapped shmem leaves no entry in a page table.
 */
#ifndef TRUEMEM_SHMEM_SWAP_H
#define TRUEMEM_SHMEM_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counts.h"

/* One mapping of shmem object `object` over offsets [start, end), with bytes of it swapped out. */
struct shmem_map {
	uint64_t object, start, end, bytes;
	uint32_t group;
};

struct shmem_swap {
	struct shmem_map *m;
	size_t n, cap;
};

void shmem_swap_add(struct shmem_swap *ss, uint64_t object, uint64_t start, uint64_t end, uint64_t bytes,
		    uint32_t group);
void shmem_swap_release(struct shmem_swap *ss);
/*
 * Adds to groups[g].swap_uss_bytes the swapped bytes of each object that
 * only group g's mappings cover, or clears CNT_SWAP_USS in groups[g].valid
 * where the mappings do not determine them.
 */
void shmem_swap_resolve(struct shmem_swap *ss, struct mem_counts *groups, size_t ngroups);

/* What shmem_swap_each reports: group's swapped bytes of object no other group's mappings cover. */
typedef void (*shmem_swap_emit_fn)(void *ctx, uint32_t group, uint64_t object, bool known, uint64_t bytes);
/* Solves every object and calls emit once per (group, object) among its mappings. */
void shmem_swap_each(struct shmem_swap *ss, shmem_swap_emit_fn emit, void *ctx);

#endif
