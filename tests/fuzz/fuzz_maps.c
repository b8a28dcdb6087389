/*
 * fuzz_maps.c: maps_parse on arbitrary bytes (maps.h). Beyond "no crash,
 * no overread, no leak", every vma it accepts must hold what the header
 * promises: start < end, a valid perms word, an owned name.
 *
 * sources: src/collect/maps.c src/util/util.c src/util/counts.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_list l;
	int rc;

	vma_list_init(&l);
	rc = maps_parse((const char *)data, size, &l);
	if (rc != 0 && rc != -EINVAL)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		const struct vma *v = &l.v[i];
		const char *name = vma_display_name(v);

		if (v->start >= v->end || strlen(v->perms) != 4 || !v->name || !name || !name[0])
			abort();
		if (strlen(v->name) > size)
			abort();
		(void)vma_is_hugetlb(v);
		(void)vma_is_shared(v);
	}
	vma_list_release(&l);
	return 0;
}
