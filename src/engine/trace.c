/*
 * trace.c: `truemem sim --trace`. The engine tells its virtual-memory story
 * as it happens, one event a line: each fault with its kind (zero-page,
 * demand-zero, cache-hit, cache-miss, shmem-new, shmem-swapin), each
 * copy-on-write (cow), each swap-out or page-cache eviction, each swap-in,
 * and the fork and exit of processes.
 */
#include <stdarg.h>
#include <stdio.h>

#include "engine.h"
#include "engine_mm.h"

void trace_event(const struct engine *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->trace)
		return;
	va_start(ap, fmt);
	vfprintf(e->trace, fmt, ap);
	va_end(ap);
	fputc('\n', e->trace);
}

void engine_set_trace(struct engine *e, FILE *out)
{
	e->trace = out;
}
