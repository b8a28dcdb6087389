/*
 * fuzz_smaps_rollup.c: smaps_rollup_parse on arbitrary bytes (smaps.h).
 * Success means an Rss line was read.
 *
 * sources: src/collect/smaps.c src/collect/maps.c src/util/util.c src/util/counts.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "smaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smaps_rollup r;
	int rc = smaps_rollup_parse((const char *)data, size, &r);

	if (rc == 0 && !(r.have & SMAPS_HAVE_RSS))
		abort();
	if (rc != 0 && rc != -EINVAL)
		abort();
	return 0;
}
