/*
 * kpagecgroup.c: the memory cgroup each frame is charged to, as the inode
 * of its memcg: /proc/kpagecgroup, one u64 per PFN, 0 for a frame charged
 * to none (Documentation/admin-guide/mm/pagemap.rst). Read in runs of
 * nearby frames, as kpage.c reads kpagecount; a snapshot holds the
 * non-zero words of referenced frames as {pfn, inode} records in its
 * member "kpagecgroup" (snapshot.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "snapshot.h"
#include "source.h"
#include "source_internal.h"

#define RUN_GAP 8
#define RUN_MAX 8192

struct kpcg_table {
	struct buf b;             /* the member: magic, then {pfn, inode} records */
	const uint64_t *rec;
	size_t n;
};

void kpage_cgroup_release(struct source *s)
{
	if (!s->kpcg)
		return;
	buf_release(&s->kpcg->b);
	free(s->kpcg);
	s->kpcg = NULL;
}

int live_kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos, struct tm_error *err)
{
	static _Thread_local uint64_t w[RUN_MAX];

	if (s->kpagecgroup_fd < 0)
		return errorf(err, -ENOENT, "cannot read '/proc/kpagecgroup' (a kernel without memory cgroups, or "
			      "not permitted)");
	for (size_t i = 0; i < n;) {
		uint64_t lo = pfns[i];
		size_t j = i + 1;
		ssize_t got;

		while (j < n && pfns[j] - pfns[j - 1] <= RUN_GAP && pfns[j] - lo < RUN_MAX)
			j++;
		got = pread_full(s->kpagecgroup_fd, w, (size_t)(pfns[j - 1] - lo + 1) * 8, (off_t)(lo * 8));
		if (got < 0)
			return errorf(err, (int)got, "cannot read '/proc/kpagecgroup': %s", strerror((int)-got));
		for (size_t k = i; k < j; k++) {
			size_t at = (size_t)(pfns[k] - lo);

			inos[k] = (ssize_t)(at * 8 + 8) <= got ? w[at] : 0;
		}
		i = j;
	}
	return 0;
}

/* Loads and checks the snapshot's member. Returns 0, -ENOENT when absent, or -EIO with err set. */
static int load_snapshot(struct source *s, struct tm_error *err)
{
	struct kpcg_table *t;

	if (s->kpcg)
		return 0;
	if (!source_snapshot_has(s, "kpagecgroup"))
		return errorf(err, -ENOENT, "the snapshot holds no kpagecgroup (captured by an older truemem, or in "
			      "rollup mode)");
	t = xcalloc(1, sizeof(*t));
	if (source_read_top(s, "kpagecgroup", &t->b, err) < 0) {
		buf_release(&t->b);
		free(t);
		return -EIO;
	}
	if (t->b.len < 8 || (t->b.len - 8) % 16 || memcmp(t->b.buf, SNAPSHOT_KPAGECGROUP_MAGIC, 8)) {
		buf_release(&t->b);
		free(t);
		return errorf(err, -EIO, "corrupt snapshot: '%s/kpagecgroup' has a bad magic number or size",
			      s->root_path);
	}
	/* The records follow 8 bytes of magic in a malloc'd buffer: aligned for u64. */
	t->rec = (const uint64_t *)(void *)(t->b.buf + 8);
	t->n = (t->b.len - 8) / 16;
	for (size_t i = 0; i < t->n; i++)
		if ((i && t->rec[2 * i] <= t->rec[2 * i - 2]) || !t->rec[2 * i + 1]) {
			buf_release(&t->b);
			free(t);
			return errorf(err, -EIO, "corrupt snapshot: '%s/kpagecgroup' is not sorted at record %zu",
				      s->root_path, i);
		}
	s->kpcg = t;
	return 0;
}

int snapshot_kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos,
				 struct tm_error *err)
{
	size_t lo = 0;
	int rc = load_snapshot(s, err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const uint64_t *r = s->kpcg->rec;
		size_t a = u64_lower_bound(r, s->kpcg->n, 2 * sizeof(*r), 0, lo, pfns[i]);

		lo = a;
		inos[i] = a < s->kpcg->n && r[2 * a] == pfns[i] ? r[2 * a + 1] : 0;
	}
	return 0;
}
