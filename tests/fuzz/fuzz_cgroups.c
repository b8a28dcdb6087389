/*
 * fuzz_cgroups.c: cgroup_tree_parse, the snapshot member "cgroups"
 * (cgroup.h), on arbitrary bytes. A tree it accepts keeps what the format
 * promises (the root first, parents before children, depths that follow),
 * and formats back to text that parses to the same text again.
 *
 * sources: src/collect/cgroup_file.c src/snapshot/writer.c src/snapshot/snapfile_out.c src/aggregate/frameset.c src/util/[a-z]*.c
 * pkgs: libzstd
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cgroup_tree t, u;
	struct buf a = BUF_INIT, b = BUF_INIT;
	int rc = cgroup_tree_parse((const char *)data, size, &t);

	if (rc != 0 && rc != -EINVAL)
		abort();
	if (rc)
		return 0;
	if (!t.count || strcmp(t.n[0].path, "/") || t.n[0].parent != -1 || (t.version != 1 && t.version != 2))
		abort();
	for (size_t i = 1; i < t.count; i++)
		if (t.n[i].parent < 0 || (size_t)t.n[i].parent >= i || t.n[i].depth != t.n[t.n[i].parent].depth + 1 ||
		    !t.n[i].ino)
			abort();
	cgroup_tree_format(&t, &a);
	if (cgroup_tree_parse(a.buf, a.len, &u) != 0)
		abort();
	cgroup_tree_format(&u, &b);
	if (a.len != b.len || memcmp(a.buf, b.buf, a.len))
		abort();
	cgroup_tree_release(&t);
	cgroup_tree_release(&u);
	buf_release(&a);
	buf_release(&b);
	return 0;
}
