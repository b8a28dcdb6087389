/*
 * engine.c: the engine's lifetime and sizing: `ram` and `swap`, which set
 * the frame table and swap device up when the first process is spawned,
 * and the figures tests and meminfo read.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

struct engine *engine_new(void)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->ram_bytes = ENGINE_DEFAULT_RAM_BYTES;
	e->swap_bytes = ENGINE_DEFAULT_SWAP_BYTES;
	cg_table_init(e);
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	procs_release(e);
	vmas_release(e);
	objects_release(e);
	frames_release(&e->frames);
	swap_release(&e->swap);
	cg_table_release(e);
	free(e);
}

int engine_set_ram(struct engine *e, uint64_t bytes, struct tm_error *err)
{
	if (e->sized)
		return errorf(err, -1, "ram must be set before the first spawn");
	if (bytes < ENGINE_MIN_RAM_BYTES || bytes > ENGINE_MAX_RAM_BYTES)
		return errorf(err, -1, "bad size: ram must be between 64K and 4T");
	e->ram_bytes = (bytes + ENG_PAGE_SIZE - 1) & ~(ENG_PAGE_SIZE - 1);
	return 0;
}

int engine_set_swap(struct engine *e, uint64_t bytes, struct tm_error *err)
{
	if (e->sized)
		return errorf(err, -1, "swap must be set before the first spawn");
	if (bytes > ENGINE_MAX_RAM_BYTES)
		return errorf(err, -1, "bad size: swap must be at most 4T");
	e->swap_bytes = (bytes + ENG_PAGE_SIZE - 1) & ~(ENG_PAGE_SIZE - 1);
	return 0;
}

uint64_t engine_free_pages(const struct engine *e)
{
	return e->sized ? frames_free(&e->frames) : e->ram_bytes >> ENG_PAGE_SHIFT;
}

uint64_t engine_ram_pages(const struct engine *e)
{
	return e->ram_bytes >> ENG_PAGE_SHIFT;
}

uint64_t engine_swap_used_pages(const struct engine *e)
{
	return e->swap.used;
}
