/*
 * object.c: what shared mappings map. A file's page cache (one per PATH,
 * Linux's address_space of an inode), a shmem object (one per memfd NAME)
 * and the anonymous shmem object behind a MAP_SHARED|MAP_ANONYMOUS mapping
 * (mm/shmem.c: shmem_zero_setup). Each keeps its pages in a radix tree by
 * page offset (pgtable.c) and the list of VMAs mapping it (i_mmap), which
 * rmap walks.
 *
 * Lifetimes: a file's page cache outlives its mappings (its pages stay
 * cached, unmapped, until reclaim drops them); a shmem (memfd) or shared
 * anon object dies with its last mapping or descriptor, a tmpfs file (a
 * file on a tmpfs such as /dev/shm) too, but only once it has no name
 * either (`unlink`). Named objects are found through an open-addressing
 * hash of (kind, name); a tmpfs file leaves it when unlinked.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

/* Fake inode numbers: files from 100000 and shmem from 200000 up, by object id. */
#define OBJ_INO_FILE  100000
#define OBJ_INO_SHMEM 200000

static uint32_t obj_hash_of(enum obj_kind kind, const char *name)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static uint32_t obj_alloc(struct engine *e, enum obj_kind kind, const char *name)
{
	uint32_t id;
	struct eng_object *o;

	if (e->nobjs == 0)
		e->nobjs = 1;   /* id 0 means none */
	id = e->nobjs++;
	xgrow((void **)&e->objs, &e->cap_objs, e->nobjs, sizeof(*e->objs));
	o = &e->objs[id];
	memset(o, 0, sizeof(*o));
	o->kind = (uint8_t)kind;
	o->live = true;
	o->linked = kind == OBJ_TMPFS;
	o->name = name ? xstrdup(name) : NULL;
	o->ino = (kind == OBJ_FILE ? OBJ_INO_FILE : OBJ_INO_SHMEM) + id;
	pgtable_init(&o->pages);
	return id;
}

static void obj_hash_insert(struct engine *e, uint32_t id)
{
	const struct eng_object *o = &e->objs[id];
	uint32_t mask, i;

	if ((e->obj_hash_n + 1) * 2 > e->obj_hash_cap) {
		uint32_t *old = e->obj_hash, oldcap = e->obj_hash_cap;

		e->obj_hash_cap = oldcap ? oldcap * 2 : 64;
		e->obj_hash = xcalloc(e->obj_hash_cap, sizeof(uint32_t));
		e->obj_hash_n = 0;
		for (uint32_t j = 0; j < oldcap; j++)
			if (old[j])
				obj_hash_insert(e, old[j]);
		free(old);
	}
	mask = e->obj_hash_cap - 1;
	for (i = obj_hash_of(o->kind, o->name) & mask; e->obj_hash[i]; i = (i + 1) & mask)
		;
	e->obj_hash[i] = id;
	e->obj_hash_n++;
}

/* Whether o is found by its name: live, and a tmpfs file only while linked. */
static bool obj_named(const struct eng_object *o)
{
	return o->live && (o->kind != OBJ_TMPFS || o->linked);
}

/*
 * Rebuilds the name hash without the objects that died or lost their
 * name (both rare; no tombstones needed).
 */
static void obj_hash_rebuild(struct engine *e)
{
	uint32_t *old = e->obj_hash, oldcap = e->obj_hash_cap;

	e->obj_hash = xcalloc(oldcap, sizeof(uint32_t));
	e->obj_hash_n = 0;
	for (uint32_t j = 0; j < oldcap; j++)
		if (old[j] && obj_named(&e->objs[old[j]]))
			obj_hash_insert(e, old[j]);
	free(old);
}

uint32_t object_find(const struct engine *e, enum obj_kind kind, const char *name)
{
	uint32_t mask = e->obj_hash_cap - 1;

	if (!e->obj_hash_cap)
		return 0;
	for (uint32_t i = obj_hash_of(kind, name) & mask; e->obj_hash[i]; i = (i + 1) & mask) {
		const struct eng_object *o = &e->objs[e->obj_hash[i]];

		if (o->kind == kind && strcmp(o->name, name) == 0)
			return e->obj_hash[i];
	}
	return 0;
}

uint32_t object_get(struct engine *e, enum obj_kind kind, const char *name)
{
	uint32_t id = object_find(e, kind, name);

	if (id)
		return id;
	id = obj_alloc(e, kind, name);
	obj_hash_insert(e, id);
	return id;
}

uint32_t object_new_anon(struct engine *e)
{
	return obj_alloc(e, OBJ_ANON_SHARED, NULL);
}

void object_maybe_free(struct engine *e, uint32_t id)
{
	struct eng_object *o = &e->objs[id];
	uint64_t idx = 0;
	uint64_t *ent;

	if (!o->live || o->kind == OBJ_FILE || o->vmas.n > 0 || o->nfds > 0 || (o->kind == OBJ_TMPFS && o->linked))
		return;
	while ((ent = pgtable_next(&o->pages, &idx, UINT64_MAX)) != NULL) {
		if (pte_present(*ent)) {
			uint32_t pfn = pte_pfn(*ent);

			assert(e->frames.f[pfn].mapcount == 0);
			frame_free(&e->frames, pfn);
		} else {
			swap_put(&e->swap, pte_slot(*ent));
		}
		*ent = 0;
		idx++;
	}
	pgtable_release(&o->pages);
	u32vec_release(&o->vmas);
	o->live = false;
	o->resident_pages = o->swapped_pages = 0;
	if (o->name && o->kind != OBJ_TMPFS)
		obj_hash_rebuild(e);   /* an unlinked tmpfs file left the hash with its name */
}

int engine_unlink(struct engine *e, const char *path, struct tm_error *err)
{
	uint32_t id = object_find(e, OBJ_TMPFS, path);

	if (!id)
		return errorf(err, -1, "no tmpfs file '%s'", path);
	e->objs[id].linked = false;
	obj_hash_rebuild(e);
	trace_event(e, "unlink %s", path);
	object_maybe_free(e, id);
	return 0;
}

void objects_release(struct engine *e)
{
	for (uint32_t id = 1; id < e->nobjs; id++) {
		pgtable_release(&e->objs[id].pages);
		u32vec_release(&e->objs[id].vmas);
		free(e->objs[id].name);
	}
	free(e->objs);
	free(e->obj_hash);
	e->objs = NULL;
	e->obj_hash = NULL;
	e->nobjs = 0;
	e->cap_objs = 0;
	e->obj_hash_cap = e->obj_hash_n = 0;
}
