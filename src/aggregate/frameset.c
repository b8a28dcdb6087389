/*
 * frameset.c: the sparse frame bitmap and the u64 counting hash map the
 * aggregator keeps its cross-process state in (frameset.h).
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "frameset.h"
#include "util.h"

#define CHUNK_BITS  15                        /* frames per chunk: 32768 */
#define CHUNK_WORDS ((1u << CHUNK_BITS) / 64)
#define DIR_BITS    12                        /* chunks per directory page */

/* Two levels: a growable top array of directories, each of 4096 chunk pointers. */
struct frame_set {
	uint64_t ***dirs;
	size_t ndirs;
};

struct frame_set *frame_set_new(void)
{
	return xcalloc(1, sizeof(struct frame_set));
}

void frame_set_free(struct frame_set *fs)
{
	if (!fs)
		return;
	for (size_t d = 0; d < fs->ndirs; d++) {
		if (!fs->dirs[d])
			continue;
		for (size_t c = 0; c < (1u << DIR_BITS); c++)
			free(fs->dirs[d][c]);
		free(fs->dirs[d]);
	}
	free(fs->dirs);
	free(fs);
}

bool frame_set_add(struct frame_set *fs, uint64_t pfn)
{
	uint64_t chunk = pfn >> CHUNK_BITS, d = chunk >> DIR_BITS, bit = pfn & ((1u << CHUNK_BITS) - 1);
	uint64_t **dir, *words;

	if (d >= fs->ndirs) {
		size_t n = (size_t)d + 1;

		fs->dirs = xrealloc(fs->dirs, n * sizeof(*fs->dirs));
		memset(fs->dirs + fs->ndirs, 0, (n - fs->ndirs) * sizeof(*fs->dirs));
		fs->ndirs = n;
	}
	if (!fs->dirs[d])
		fs->dirs[d] = xcalloc(1u << DIR_BITS, sizeof(**fs->dirs));
	dir = fs->dirs[d];
	words = dir[chunk & ((1u << DIR_BITS) - 1)];
	if (!words)
		words = dir[chunk & ((1u << DIR_BITS) - 1)] = xcalloc(CHUNK_WORDS, sizeof(uint64_t));
	if (words[bit / 64] & (UINT64_C(1) << (bit % 64)))
		return false;
	words[bit / 64] |= UINT64_C(1) << (bit % 64);
	return true;
}



/* The chunk holding pfn's bit, NULL when none was allocated. */
static const uint64_t *frame_set_chunk(const struct frame_set *fs, uint64_t pfn)
{
	uint64_t chunk = pfn >> CHUNK_BITS, d = chunk >> DIR_BITS;

	if (d >= fs->ndirs || !fs->dirs[d])
		return NULL;
	return fs->dirs[d][chunk & ((1u << DIR_BITS) - 1)];
}

bool frame_set_next(const struct frame_set *fs, uint64_t *pos, uint64_t *pfn)
{
	uint64_t limit = (uint64_t)fs->ndirs << (DIR_BITS + CHUNK_BITS);

	for (uint64_t p = *pos; p < limit;) {
		const uint64_t *words = frame_set_chunk(fs, p);
		uint64_t bit = p & ((1u << CHUNK_BITS) - 1), w;

		if (!words) {   /* skip the whole chunk */
			p = (p | ((1u << CHUNK_BITS) - 1)) + 1;
			continue;
		}
		w = words[bit / 64] >> (bit % 64);
		if (w) {
			p += (uint64_t)__builtin_ctzll(w);
			*pfn = p;
			*pos = p + 1;
			return true;
		}
		p = (p | 63) + 1;
	}
	*pos = limit;
	return false;
}

#define MAP_CHUNK_BITS 6
#define MAP_DIR_BITS   12

struct map_chunk {
	uint32_t live;
	uint32_t v[1u << MAP_CHUNK_BITS];
};

struct frame_map {
	struct map_chunk ***dirs;
	size_t ndirs;
};

struct frame_map *frame_map_new(void)
{
	return xcalloc(1, sizeof(struct frame_map));
}

void frame_map_free(struct frame_map *m)
{
	if (!m)
		return;
	for (size_t d = 0; d < m->ndirs; d++) {
		if (!m->dirs[d])
			continue;
		for (size_t c = 0; c < (1u << MAP_DIR_BITS); c++)
			free(m->dirs[d][c]);
		free(m->dirs[d]);
	}
	free(m->dirs);
	free(m);
}

static struct map_chunk **frame_map_slot(const struct frame_map *m, uint64_t pfn)
{
	uint64_t chunk = pfn >> MAP_CHUNK_BITS, d = chunk >> MAP_DIR_BITS;

	if (d >= m->ndirs || !m->dirs[d])
		return NULL;
	return &m->dirs[d][chunk & ((1u << MAP_DIR_BITS) - 1)];
}

uint32_t *frame_map_ref(const struct frame_map *m, uint64_t pfn)
{
	struct map_chunk **slot = frame_map_slot(m, pfn);
	uint32_t *v;

	if (!slot || !*slot)
		return NULL;
	v = &(*slot)->v[pfn & ((1u << MAP_CHUNK_BITS) - 1)];
	return *v ? v : NULL;
}

void frame_map_set(struct frame_map *m, uint64_t pfn, uint32_t v)
{
	uint64_t chunk = pfn >> MAP_CHUNK_BITS, d = chunk >> MAP_DIR_BITS;
	struct map_chunk **slot;
	uint32_t *cell;

	assert(v != 0);
	if (d >= m->ndirs) {
		size_t n = (size_t)d + 1;

		m->dirs = xrealloc(m->dirs, n * sizeof(*m->dirs));
		memset(m->dirs + m->ndirs, 0, (n - m->ndirs) * sizeof(*m->dirs));
		m->ndirs = n;
	}
	if (!m->dirs[d])
		m->dirs[d] = xcalloc(1u << MAP_DIR_BITS, sizeof(**m->dirs));
	slot = &m->dirs[d][chunk & ((1u << MAP_DIR_BITS) - 1)];
	if (!*slot)
		*slot = xcalloc(1, sizeof(**slot));
	cell = &(*slot)->v[pfn & ((1u << MAP_CHUNK_BITS) - 1)];
	if (!*cell)
		(*slot)->live++;
	*cell = v;
}

void frame_map_clear(struct frame_map *m, uint64_t pfn)
{
	struct map_chunk **slot = frame_map_slot(m, pfn);
	uint32_t *cell;

	if (!slot || !*slot)
		return;
	cell = &(*slot)->v[pfn & ((1u << MAP_CHUNK_BITS) - 1)];
	if (!*cell)
		return;
	*cell = 0;
	if (--(*slot)->live == 0) {
		free(*slot);
		*slot = NULL;
	}
}



/* Keys are stored +1 so that 0 marks an empty slot; key and value share a cache line. */
struct u64_slot {
	uint64_t key, val;
};

struct u64_counter {
	struct u64_slot *slot;
	size_t cap, n;
};

struct u64_counter *u64_counter_new(void)
{
	return xcalloc(1, sizeof(struct u64_counter));
}

void u64_counter_free(struct u64_counter *c)
{
	if (!c)
		return;
	free(c->slot);
	free(c);
}

static size_t u64_hash(uint64_t k, size_t cap)
{
	k ^= k >> 31;
	k *= UINT64_C(0x9e3779b97f4a7c15);
	k ^= k >> 29;
	return (size_t)k & (cap - 1);
}

static void u64_counter_grow(struct u64_counter *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 1024;
	struct u64_slot *ns = xcalloc(ncap, sizeof(*ns));

	for (size_t i = 0; i < c->cap; i++) {
		size_t j;

		if (!c->slot[i].key)
			continue;
		for (j = u64_hash(c->slot[i].key - 1, ncap); ns[j].key; j = (j + 1) & (ncap - 1))
			;
		ns[j] = c->slot[i];
	}
	free(c->slot);
	c->slot = ns;
	c->cap = ncap;
}

uint64_t *u64_counter_ref(const struct u64_counter *c, uint64_t key)
{
	if (!c->cap)
		return NULL;
	for (size_t j = u64_hash(key, c->cap); c->slot[j].key; j = (j + 1) & (c->cap - 1))
		if (c->slot[j].key == key + 1)
			return &c->slot[j].val;
	return NULL;
}

uint64_t *u64_counter_ins(struct u64_counter *c, uint64_t key)
{
	size_t j;

	assert(key != UINT64_MAX);
	if ((c->n + 1) * 4 > c->cap * 3)
		u64_counter_grow(c);
	for (j = u64_hash(key, c->cap); c->slot[j].key; j = (j + 1) & (c->cap - 1))
		if (c->slot[j].key == key + 1)
			return &c->slot[j].val;
	c->slot[j].key = key + 1;
	c->slot[j].val = 0;
	c->n++;
	return &c->slot[j].val;
}

uint64_t u64_counter_add(struct u64_counter *c, uint64_t key, uint64_t delta)
{
	return *u64_counter_ins(c, key) += delta;
}

void u64_counter_put(struct u64_counter *c, uint64_t key, uint64_t val)
{
	*u64_counter_ins(c, key) = val;
}


uint64_t u64_counter_get(const struct u64_counter *c, uint64_t key)
{
	const uint64_t *v = u64_counter_ref(c, key);

	return v ? *v : 0;
}

size_t u64_counter_size(const struct u64_counter *c)
{
	return c->n;
}

bool u64_counter_next(const struct u64_counter *c, size_t *pos, uint64_t *key, uint64_t *count)
{
	for (; *pos < c->cap; (*pos)++) {
		if (c->slot[*pos].key) {
			*key = c->slot[*pos].key - 1;
			*count = c->slot[*pos].val;
			(*pos)++;
			return true;
		}
	}
	return false;
}
