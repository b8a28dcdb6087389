/*
 * fuzz_meminfo.c: meminfo_parse on arbitrary bytes (status.h), parsed
 * twice into the same struct as a refreshing view does. Every stored key
 * is terminated inside its array and found again by meminfo_get.
 *
 * sources: src/collect/status.c src/util/util.c src/util/counts.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct meminfo m = { 0 };

	for (int pass = 0; pass < 2; pass++) {
		int rc = meminfo_parse((const char *)data, size, &m);

		if (rc != 0 && rc != -EINVAL)
			abort();
		for (size_t i = 0; i < m.n; i++) {
			if (strnlen(m.f[i].key, sizeof(m.f[i].key)) >= sizeof(m.f[i].key))
				abort();
			size_t first = 0;

			while (strcmp(m.f[first].key, m.f[i].key) != 0)
				first++;
			if (meminfo_get(&m, m.f[i].key) != m.f[first].bytes)
				abort();
		}
	}
	meminfo_release(&m);
	return 0;
}
