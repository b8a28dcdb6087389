/*
 * idvec.c: growable vectors of u32 ids, the engine's lists of VMAs (an
 * object's i_mmap, an anon group, a process's address space).
 */
#include <stdlib.h>

#include "engine_mm.h"
#include "util.h"

void u32vec_push(struct u32vec *vec, uint32_t x)
{
	size_t cap = vec->cap;

	xgrow((void **)&vec->v, &cap, (size_t)vec->n + 1, sizeof(uint32_t));
	vec->cap = (uint32_t)cap;
	vec->v[vec->n++] = x;
}

bool u32vec_remove(struct u32vec *vec, uint32_t x)
{
	for (uint32_t i = 0; i < vec->n; i++) {
		if (vec->v[i] == x) {
			vec->v[i] = vec->v[--vec->n];
			return true;
		}
	}
	return false;
}

void u32vec_release(struct u32vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}
