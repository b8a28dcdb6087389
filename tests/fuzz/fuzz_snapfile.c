/*
 * fuzz_snapfile.c: the snapshot file reader (snapfile.h: the one-file form
 * `truemem capture -o FILE` writes) on damaged files, and everything
 * downstream of it, as fuzz_snapshot.c does for directories. The input is
 * the file itself; the seeds (tests/fuzz/corpus/snapfile) are engine
 * snapshots packed by tests/snapshot/snapfile.py. A damaged file must give
 * an error naming the member, never a crash, an overread or a leak.
 *
 * sources: src/source/[a-z]*.c src/collect/[a-z]*.c src/aggregate/[a-z]*.c src/util/[a-z]*.c src/snapshot/[a-z]*.c src/view/format.c src/view/column.c src/view/ps_columns.c src/view/cgroup_text.c src/view/json.c src/view/census_json.c src/view/census_text.c src/view/cgroup_json.c src/view/ps_text.c src/view/map_text.c src/view/lib_text.c src/view/sys_text.c src/view/prometheus.c
 * pkgs: libcjson libzstd
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "scan.h"
#include "snapshot.h"
#include "source.h"
#include "view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCRATCH "truemem-fuzz-snapfile."

#include "scratch.h"
#include "snapscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[96];
	int fd;

	setup();
	snprintf(path, sizeof(path), "%s/s.tms", base);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	scan_all(path, size);
	if (unlink(path) < 0)
		abort();
	return 0;
}
