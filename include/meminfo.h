/*
 * meminfo.h: the model of /proc/meminfo, its fields as bytes, as the
 * parser (status.h, meminfo_parse) gives them to the scan and the reports.
 */
#ifndef TRUEMEM_MEMINFO_H
#define TRUEMEM_MEMINFO_H

#include <stddef.h>
#include <stdint.h>

/* Fields of /proc/meminfo, as bytes. */
struct meminfo_field {
	char key[32];
	uint64_t bytes;
};
struct meminfo {
	struct meminfo_field *f;
	size_t n, cap;
};
void meminfo_release(struct meminfo *m);
/* The field's value in bytes (counts as-is), or UINT64_MAX when absent. */
uint64_t meminfo_get(const struct meminfo *m, const char *key);

#endif
