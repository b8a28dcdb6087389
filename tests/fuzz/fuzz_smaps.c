/*
 * fuzz_smaps.c: smaps_parse on arbitrary bytes (smaps.h). Every mapping
 * it accepts is marked present and its VmFlags string stays terminated
 * inside its array.
 *
 * sources: src/collect/smaps.c src/collect/maps.c src/util/util.c src/util/counts.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_list l;
	int rc;

	vma_list_init(&l);
	rc = smaps_parse((const char *)data, size, &l);
	if (rc != 0 && rc != -EINVAL)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		const struct vma *v = &l.v[i];

		if (!v->smaps || v->start >= v->end)
			abort();
		if (strnlen(v->smaps->vmflags, sizeof(v->smaps->vmflags)) >= sizeof(v->smaps->vmflags))
			abort();
		(void)vma_display_name(v);
		(void)vma_is_hugetlb(v);
	}
	vma_list_release(&l);
	return 0;
}
