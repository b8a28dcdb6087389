/*
 * frameset.c: the sparse frame bitmap and the u64 counting hash map the
 * aggregator keeps its cross-process state in (frameset.h).
 */
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
	uint64_t count;
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

static uint64_t *frame_set_chunk(const struct frame_set *fs, uint64_t pfn)
{
	uint64_t chunk = pfn >> CHUNK_BITS, d = chunk >> DIR_BITS;

	if (d >= fs->ndirs || !fs->dirs[d])
		return NULL;
	return fs->dirs[d][chunk & ((1u << DIR_BITS) - 1)];
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
	fs->count++;
	return true;
}

bool frame_set_has(const struct frame_set *fs, uint64_t pfn)
{
	const uint64_t *words = frame_set_chunk(fs, pfn);
	uint64_t bit = pfn & ((1u << CHUNK_BITS) - 1);

	return words && (words[bit / 64] & (UINT64_C(1) << (bit % 64)));
}

uint64_t frame_set_count(const struct frame_set *fs)
{
	return fs->count;
}

/* Keys are stored +1 so that 0 marks an empty slot. */
struct u64_counter {
	uint64_t *keys, *vals;
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
	free(c->keys);
	free(c->vals);
	free(c);
}

static size_t u64_hash(uint64_t k, size_t cap)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	return (size_t)k & (cap - 1);
}

static void u64_counter_grow(struct u64_counter *c)
{
	size_t ncap = c->cap ? c->cap * 2 : 1024;
	uint64_t *nk = xcalloc(ncap, sizeof(*nk)), *nv = xcalloc(ncap, sizeof(*nv));

	for (size_t i = 0; i < c->cap; i++) {
		size_t j;

		if (!c->keys[i])
			continue;
		for (j = u64_hash(c->keys[i] - 1, ncap); nk[j]; j = (j + 1) & (ncap - 1))
			;
		nk[j] = c->keys[i];
		nv[j] = c->vals[i];
	}
	free(c->keys);
	free(c->vals);
	c->keys = nk;
	c->vals = nv;
	c->cap = ncap;
}

uint64_t u64_counter_add(struct u64_counter *c, uint64_t key, uint64_t delta)
{
	size_t j;

	if ((c->n + 1) * 4 > c->cap * 3)
		u64_counter_grow(c);
	for (j = u64_hash(key, c->cap); c->keys[j]; j = (j + 1) & (c->cap - 1))
		if (c->keys[j] == key + 1)
			return c->vals[j] += delta;
	c->keys[j] = key + 1;
	c->n++;
	return c->vals[j] = delta;
}

void u64_counter_put(struct u64_counter *c, uint64_t key, uint64_t val)
{
	u64_counter_add(c, key, 0);
	for (size_t j = u64_hash(key, c->cap);; j = (j + 1) & (c->cap - 1))
		if (c->keys[j] == key + 1) {
			c->vals[j] = val;
			return;
		}
}

void u64_counter_del(struct u64_counter *c, uint64_t key)
{
	size_t j, k;

	if (!c->cap)
		return;
	for (j = u64_hash(key, c->cap); c->keys[j] != key + 1; j = (j + 1) & (c->cap - 1))
		if (!c->keys[j])
			return;
	/* Backward-shift deletion keeps linear probing free of tombstones. */
	for (k = (j + 1) & (c->cap - 1); c->keys[k]; k = (k + 1) & (c->cap - 1)) {
		size_t home = u64_hash(c->keys[k] - 1, c->cap);

		if (((k - home) & (c->cap - 1)) >= ((k - j) & (c->cap - 1))) {
			c->keys[j] = c->keys[k];
			c->vals[j] = c->vals[k];
			j = k;
		}
	}
	c->keys[j] = 0;
	c->vals[j] = 0;
	c->n--;
}

uint64_t u64_counter_get(const struct u64_counter *c, uint64_t key)
{
	if (!c->cap)
		return 0;
	for (size_t j = u64_hash(key, c->cap); c->keys[j]; j = (j + 1) & (c->cap - 1))
		if (c->keys[j] == key + 1)
			return c->vals[j];
	return 0;
}

size_t u64_counter_size(const struct u64_counter *c)
{
	return c->n;
}

bool u64_counter_next(const struct u64_counter *c, size_t *pos, uint64_t *key, uint64_t *count)
{
	for (; *pos < c->cap; (*pos)++) {
		if (c->keys[*pos]) {
			*key = c->keys[*pos] - 1;
			*count = c->vals[*pos];
			(*pos)++;
			return true;
		}
	}
	return false;
}
