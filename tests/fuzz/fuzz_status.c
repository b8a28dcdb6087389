/*
 * fuzz_status.c: status_parse on arbitrary bytes (status.h). The name
 * stays terminated inside its array and kernel_thread is 0 or 1.
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
	struct proc_status st;
	int rc = status_parse((const char *)data, size, &st);

	if (rc != 0 && rc != -EINVAL)
		abort();
	if (strnlen(st.name, sizeof(st.name)) >= sizeof(st.name))
		abort();
	if (rc == 0 && (st.pid < 0 || st.ppid < 0 || (st.kernel_thread != 0 && st.kernel_thread != 1)))
		abort();
	return 0;
}
