/*
 * vma.c: virtual memory areas and the `mmap`/`munmap` commands. A VMA is
 * one mapping of one process (Linux's vm_area_struct): an address range,
 * what backs it (nothing, a file's page cache, a shmem object) and whether
 * it is private or shared. Private VMAs join an anon group (a flattened
 * anon_vma: every private VMA of a fork family at that address), through
 * which reclaim finds each page table mapping an anonymous frame (rmap,
 * mm/rmap.c). Addresses are handed out upwards from ENG_MMAP_BASE with a
 * one-page gap between mappings, so maps never merges two of them.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

uint32_t vma_new(struct engine *e)
{
	uint32_t id;

	if (e->free_vma) {
		id = e->free_vma;
		e->free_vma = e->vmas[id].proc;
	} else {
		if (e->nvmas == 0)
			e->nvmas = 1;
		id = e->nvmas++;
		xgrow((void **)&e->vmas, &e->cap_vmas, e->nvmas, sizeof(*e->vmas));
	}
	memset(&e->vmas[id], 0, sizeof(e->vmas[id]));
	e->vmas[id].live = true;
	return id;
}

uint32_t anon_group_new(struct engine *e)
{
	uint32_t id;

	if (e->free_anon) {
		id = e->free_anon;
		e->free_anon = e->anons[id].vmas.n;
		e->anons[id].vmas.n = 0;
	} else {
		if (e->nanons == 0)
			e->nanons = 1;
		id = e->nanons++;
		xgrow((void **)&e->anons, &e->cap_anons, e->nanons, sizeof(*e->anons));
		memset(&e->anons[id], 0, sizeof(e->anons[id]));
	}
	e->anons[id].live = true;
	return id;
}

static void anon_group_drop_vma(struct engine *e, uint32_t aid, uint32_t vid)
{
	struct anon_group *g = &e->anons[aid];
	bool found = u32vec_remove(&g->vmas, vid);

	assert(found);
	(void)found;
	if (g->vmas.n == 0) {
		/* the free list is threaded through vmas.n; the array is kept for reuse */
		g->live = false;
		g->vmas.n = e->free_anon;
		e->free_anon = aid;
	}
}

void vma_unlink(struct engine *e, uint32_t id)
{
	struct eng_vma *v = &e->vmas[id];
	struct eng_proc *p = &e->procs[v->proc];
	uint32_t obj = v->object;

	for (uint32_t i = 0; i < p->vmas.n; i++) {
		if (p->vmas.v[i] == id) {
			memmove(&p->vmas.v[i], &p->vmas.v[i + 1], (p->vmas.n - i - 1) * sizeof(uint32_t));
			p->vmas.n--;
			break;
		}
	}
	if (obj)
		u32vec_remove(&e->objs[obj].vmas, id);
	if (v->anon)
		anon_group_drop_vma(e, v->anon, id);
	free(v->region);
	memset(v, 0, sizeof(*v));
	v->proc = e->free_vma;
	e->free_vma = id;
	if (obj)
		object_maybe_free(e, obj);
}

uint32_t vma_find_region(const struct engine *e, const struct eng_proc *p, const char *region)
{
	for (uint32_t i = 0; i < p->vmas.n; i++)
		if (strcmp(e->vmas[p->vmas.v[i]].region, region) == 0)
			return p->vmas.v[i];
	return 0;
}

void vma_zap(struct engine *e, uint32_t id)
{
	const struct eng_vma *v = &e->vmas[id];
	struct eng_proc *p = &e->procs[v->proc];
	uint64_t end = v->end >> ENG_PAGE_SHIFT;
	uint64_t idx = v->start >> ENG_PAGE_SHIFT;
	uint64_t *ent;

	while ((ent = pgtable_next(&p->pt, &idx, end)) != NULL) {
		uint64_t pte = *ent;

		*ent = 0;
		if (pte_present(pte))
			frame_unmap(e, pte_pfn(pte));
		else if (pte_swapped(pte))
			swap_entry_put(e, pte_slot(pte));
		idx++;
	}
}

static const uint8_t vma_type_of[] = {
	[MAP_ANON_PRIVATE] = VMA_ANON_PRIVATE, [MAP_ANON_SHARED] = VMA_ANON_SHARED,
	[MAP_FILE_PRIVATE] = VMA_FILE_PRIVATE, [MAP_FILE_SHARED] = VMA_FILE_SHARED,
	[MAP_SHMEM] = VMA_SHMEM, [MAP_TMPFS] = VMA_SHMEM, [MAP_ANON_HUGE] = VMA_ANON_PRIVATE,
};

int engine_mmap(struct engine *e, pid_t pid, const char *region, enum engine_map_kind kind,
		const char *object, uint64_t size_bytes, uint64_t offset_bytes, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	uint64_t pages = (size_bytes + ENG_PAGE_SIZE - 1) >> ENG_PAGE_SHIFT;
	uint32_t id;
	struct eng_vma *v;

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	/* A huge region starts on a 2 MiB boundary and ends on one. */
	if (kind == MAP_ANON_HUGE) {
		uint64_t pmd = (uint64_t)PMD_PAGES << ENG_PAGE_SHIFT;

		pages = (pages + PMD_PAGES - 1) & ~(uint64_t)(PMD_PAGES - 1);
		p->next_addr = (p->next_addr + pmd - 1) & ~(pmd - 1);
	}
	if (vma_find_region(e, p, region))
		return errorf(err, -1, "process %d already has a region '%s'", (int)pid, region);
	if (pages == 0 || p->next_addr >= ENG_VA_LIMIT || pages > (ENG_VA_LIMIT - p->next_addr) >> ENG_PAGE_SHIFT)
		return errorf(err, -1, "bad size: %llu bytes do not fit in the address space of %d",
			      (unsigned long long)size_bytes, (int)pid);
	id = vma_new(e);
	v = &e->vmas[id];
	v->start = p->next_addr;
	v->end = v->start + (pages << ENG_PAGE_SHIFT);
	v->proc = proc_index(e, p);
	v->type = vma_type_of[kind];
	v->huge = kind == MAP_ANON_HUGE;
	v->region = xstrdup(region);
	v->pgoff = offset_bytes >> ENG_PAGE_SHIFT;
	if (kind == MAP_FILE_PRIVATE || kind == MAP_FILE_SHARED)
		v->object = object_get(e, OBJ_FILE, object);
	else if (kind == MAP_SHMEM)
		v->object = object_get(e, OBJ_SHMEM, object);
	else if (kind == MAP_TMPFS)
		v->object = object_get(e, OBJ_TMPFS, object);
	else if (kind == MAP_ANON_SHARED)
		v->object = object_new_anon(e);
	if (!vma_type_shared(v->type)) {
		v->anon = anon_group_new(e);
		u32vec_push(&e->anons[v->anon].vmas, id);
	}
	if (v->object)
		u32vec_push(&e->objs[v->object].vmas, id);
	u32vec_push(&p->vmas, id);
	p->next_addr = v->end + ENG_PAGE_SIZE;
	return 0;
}

int engine_munmap(struct engine *e, pid_t pid, const char *region, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	uint32_t id;

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	id = vma_find_region(e, p, region);
	if (!id)
		return errorf(err, -1, "process %d has no region '%s'", (int)pid, region);
	vma_zap(e, id);
	vma_unlink(e, id);
	return 0;
}

void vmas_release(struct engine *e)
{
	for (uint32_t id = 1; id < e->nvmas; id++)
		if (e->vmas[id].live)
			free(e->vmas[id].region);
	for (uint32_t id = 1; id < e->nanons; id++)
		free(e->anons[id].vmas.v);
	free(e->vmas);
	free(e->anons);
	e->vmas = NULL;
	e->anons = NULL;
	e->nvmas = e->nanons = e->free_vma = e->free_anon = 0;
	e->cap_vmas = e->cap_anons = 0;
}

int vma_range(struct engine *e, pid_t pid, const char *region, uint64_t offset_bytes,
	      uint64_t length_bytes, uint32_t *vid, uint64_t *start, uint64_t *end, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	const struct eng_vma *v;
	uint64_t size;

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	*vid = vma_find_region(e, p, region);
	if (!*vid)
		return errorf(err, -1, "process %d has no region '%s'", (int)pid, region);
	v = &e->vmas[*vid];
	size = v->end - v->start;
	if (offset_bytes >= size)
		return errorf(err, -1, "offset %llu is outside region '%s' (%llu bytes)",
			      (unsigned long long)offset_bytes, region, (unsigned long long)size);
	if (length_bytes == 0)
		length_bytes = size - offset_bytes;
	if (length_bytes > size - offset_bytes)
		return errorf(err, -1, "length %llu at offset %llu runs past region '%s' (%llu bytes)",
			      (unsigned long long)length_bytes, (unsigned long long)offset_bytes, region,
			      (unsigned long long)size);
	*start = v->start + (offset_bytes & ~(ENG_PAGE_SIZE - 1));
	*end = v->start + ((offset_bytes + length_bytes + ENG_PAGE_SIZE - 1) & ~(ENG_PAGE_SIZE - 1));
	return 0;
}
