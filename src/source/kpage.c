/*
 * kpage.c: per-frame facts, /proc/kpagecount (how many page-table entries
 * map the frame) and /proc/kpageflags (what kind of page it is), both one
 * u64 per PFN (Documentation/admin-guide/mm/pagemap.rst).
 *
 * The caller hands in sorted, unique frame numbers; nearby frames are read
 * as one run with a single pread per file, never one pread per frame. A
 * snapshot holds the records of referenced frames, sorted, and is merged
 * against the request.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "source.h"
#include "source_internal.h"

#define RUN_GAP    8       /* read through holes this small rather than start a new run */
#define RUN_MAX    8192    /* frames per pread */

int live_kpage_lookup(struct source *s, const uint64_t *pfns, size_t n,
		      uint64_t *counts, uint64_t *flags, struct tm_error *err)
{
	static _Thread_local uint64_t cbuf[RUN_MAX], fbuf[RUN_MAX];   /* any thread may look up */

	for (size_t i = 0; i < n;) {
		uint64_t lo = pfns[i];
		size_t j = i + 1, len;
		ssize_t rc = 0, rf = 0;

		while (j < n && pfns[j] - pfns[j - 1] <= RUN_GAP && pfns[j] - lo < RUN_MAX)
			j++;
		len = (size_t)(pfns[j - 1] - lo + 1);
		if (counts)
			rc = pread_full(s->kpagecount_fd, cbuf, len * 8, (off_t)(lo * 8));
		if (flags)
			rf = pread_full(s->kpageflags_fd, fbuf, len * 8, (off_t)(lo * 8));
		if (rc < 0 || rf < 0)
			return errorf(err, rc < 0 ? (int)rc : (int)rf, "cannot read '/proc/kpage%s': %s",
				      rc < 0 ? "count" : "flags", strerror(rc < 0 ? (int)-rc : (int)-rf));
		for (size_t k = i; k < j; k++) {
			size_t at = (size_t)(pfns[k] - lo);

			/* Beyond the end of memory the files end: no struct page there. */
			if (counts)
				counts[k] = (ssize_t)(at * 8 + 8) <= rc ? cbuf[at] : 0;
			if (flags)
				flags[k] = (ssize_t)(at * 8 + 8) <= rf ? fbuf[at] : KPF_NOPAGE;
		}
		i = j;
	}
	return 0;
}

int snapshot_kpage_lookup(struct source *s, const uint64_t *pfns, size_t n,
			  uint64_t *counts, uint64_t *flags, struct tm_error *err)
{
	const uint64_t *r = s->kp;
	size_t lo = 0;

	for (size_t i = 0; i < n; i++) {
		/* Binary search from where the previous (smaller) frame was found. */
		size_t a = u64_lower_bound(r, s->kp_n, 3 * sizeof(*r), 0, lo, pfns[i]);

		lo = a;
		if (a < s->kp_n && r[3 * a] == pfns[i]) {
			if (counts)
				counts[i] = r[3 * a + 1];
			if (flags)
				flags[i] = r[3 * a + 2];
		} else {
			/*
			 * Every frame a captured page table references was recorded
			 * (-ENXIO: the caller names the page table first).
			 */
			return errorf(err, -ENXIO, "corrupt snapshot: a page table references frame %" PRIu64
				      " that '%s/kpages' lacks", pfns[i], s->root_path);
		}
	}
	return 0;
}
