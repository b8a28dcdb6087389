/*
 * census_read.c: the census's reading (census.h). Live, every frame of
 * online RAM: the top-level "System RAM" ranges of /proc/iomem (holes and
 * device memory skipped; the addresses read as 0 without CAP_SYS_ADMIN),
 * their /proc/kpageflags words pread CENSUS_BATCH at a time, and
 * /proc/kpagecount and /proc/kpagecgroup only for the frames of a batch
 * that need them (Documentation/admin-guide/mm/pagemap.rst). A snapshot
 * holds the finished census as its member "census".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "census.h"
#include "source.h"

#define MAX_RANGES 1024

struct pfn_range {
	uint64_t lo, hi;   /* [lo, hi) */
};

/* Parses the top-level "System RAM" lines of iomem text into PFN ranges. Returns how many. */
static size_t iomem_ram_ranges(const char *p, const char *end, uint64_t page_size, struct pfn_range *r)
{
	size_t n = 0;

	while (p < end && n < MAX_RANGES) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		char line[160];
		unsigned long long a, b;
		int used = 0;
		size_t len = (size_t)(le - p) < sizeof(line) - 1 ? (size_t)(le - p) : sizeof(line) - 1;

		memcpy(line, p, len);
		line[len] = '\0';
		p = le + 1;
		if (line[0] == ' ')   /* a child resource: kernel code, a device inside RAM */
			continue;
		if (sscanf(line, "%llx-%llx : %n", &a, &b, &used) != 2 || !used || strcmp(line + used, "System RAM"))
			continue;
		if (b <= a)
			continue;
		r[n].lo = (a + page_size - 1) / page_size;
		r[n].hi = ((uint64_t)b + 1) / page_size;
		if (r[n].hi > r[n].lo)
			n++;
	}
	return n;
}

/*
 * One batch's lazily read kpagecount and kpagecgroup words: a window of
 * WINDOW words from the first frame that needs one, so a batch of free or
 * kernel frames with a few user pages costs a few small preads.
 */
#define WINDOW 1024

struct lazy_words {
	int fd;
	uint64_t *w;                  /* CENSUS_BATCH words, valid in [lo, hi) */
	size_t lo, hi;
};

struct batch_ctx {
	uint64_t first;
	size_t n;
	struct lazy_words count, memcg;
	int err;
	const char *err_file;
};

static uint64_t lazy_word(struct batch_ctx *b, struct lazy_words *l, size_t i, const char *file)
{
	if (i < l->lo || i >= l->hi) {
		size_t len = b->n - i < WINDOW ? b->n - i : WINDOW;
		ssize_t got = pread_full(l->fd, l->w + i, len * 8, (off_t)((b->first + i) * 8));

		if (got < 0) {
			b->err = (int)got;
			b->err_file = file;
			got = 0;
		}
		/* Beyond the end of the file there are no struct pages: 0. */
		memset((char *)(l->w + i) + got, 0, len * 8 - (size_t)got);
		l->lo = i;
		l->hi = i + len;
	}
	return l->w[i];
}

static uint64_t count_of(void *ctx, size_t i)
{
	struct batch_ctx *b = ctx;

	return lazy_word(b, &b->count, i, "count");
}

static uint64_t memcg_of(void *ctx, size_t i)
{
	struct batch_ctx *b = ctx;

	return lazy_word(b, &b->memcg, i, "cgroup");
}

static int walk_ranges(struct source *s, const struct pfn_range *r, size_t nr, struct census_acc *acc,
		       int cgroup_fd, struct tm_error *err)
{
	uint64_t *flags = xmalloc(CENSUS_BATCH * 8);
	struct batch_ctx bc = {
		.count = { .fd = s->kpagecount_fd, .w = xmalloc(CENSUS_BATCH * 8) },
		.memcg = { .fd = cgroup_fd, .w = cgroup_fd >= 0 ? xmalloc(CENSUS_BATCH * 8) : NULL },
	};
	int rc = 0;

	for (size_t k = 0; k < nr && !rc; k++) {
		for (uint64_t p = r[k].lo; p < r[k].hi && !rc;) {
			size_t n = r[k].hi - p < CENSUS_BATCH ? (size_t)(r[k].hi - p) : CENSUS_BATCH;
			ssize_t got = pread_full(s->kpageflags_fd, flags, n * 8, (off_t)(p * 8));
			struct census_batch b = { .first = p, .flags = flags, .count_of = count_of,
						  .memcg_of = memcg_of, .ctx = &bc };

			if (got < 0) {
				rc = errorf(err, (int)got, "cannot read '/proc/kpageflags': %s", strerror((int)-got));
				break;
			}
			b.n = (size_t)got / 8;
			if (!b.n)   /* the file ends: no struct pages beyond */
				break;
			bc.first = p;
			bc.n = b.n;
			bc.count.lo = bc.count.hi = bc.memcg.lo = bc.memcg.hi = 0;
			census_add_batch(acc, &b);
			if (bc.err)
				rc = errorf(err, bc.err, "cannot read '/proc/kpage%s': %s", bc.err_file,
					    strerror(-bc.err));
			p += b.n;
		}
		census_acc_end_range(acc);
	}
	free(flags);
	free(bc.count.w);
	free(bc.memcg.w);
	return rc;
}

static int census_live(struct source *s, unsigned flags, struct census *out, struct tm_error *err)
{
	struct pfn_range *r = xmalloc(MAX_RANGES * sizeof(*r));
	struct buf io = BUF_INIT;
	struct census_acc acc;
	struct timespec t0, t1;
	int cgroup_fd = -1, rc;
	size_t nr;

	if (!s->exact_ok || s->kpageflags_fd < 0) {
		free(r);
		return errorf(err, -EPERM, "the census needs /proc/kpageflags: %s",
			      s->exact_why ? s->exact_why : "not readable");
	}
	if ((rc = buf_read_at(&io, s->root_fd, "iomem", 16u << 20)) < 0) {
		free(r);
		return errorf(err, rc, "cannot read '/proc/iomem': %s", strerror(-rc));
	}
	nr = iomem_ram_ranges(io.buf, io.buf + io.len, s->page_size, r);
	buf_release(&io);
	if (!nr) {
		free(r);
		return errorf(err, -EPERM, "'/proc/iomem' shows no System RAM addresses (they read as 0 without "
			      "CAP_SYS_ADMIN)");
	}
	if ((flags & CENSUS_MEMCG) && (cgroup_fd = openat(s->root_fd, "kpagecgroup", O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
		free(r);
		return errorf(err, rc, "cannot open '/proc/kpagecgroup': %s", strerror(-rc));
	}
	memset(out, 0, sizeof(*out));
	out->page_size = s->page_size;
	census_acc_init(&acc, out, flags);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = walk_ranges(s, r, nr, &acc, cgroup_fd, err);
	census_acc_finish(&acc);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->cost_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	free(r);
	if (rc < 0)
		census_release(out);
	return rc < 0 ? rc : 0;
}

int census_read(struct source *s, unsigned flags, struct census *out, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s->caps & SOURCE_STORED) {
		if (!source_snapshot_has(s, "census"))
			return errorf(err, -ENOENT, "the snapshot holds no census (captured in rollup mode, "
				      "or by an older truemem)");
		if ((rc = source_read_top(s, "census", &b, err)) < 0) {
			buf_release(&b);
			return rc;
		}
		rc = census_parse(b.buf, b.len, out);
		buf_release(&b);
		if (rc < 0)
			return errorf(err, -EIO, "corrupt snapshot: '%s/census' cannot be parsed", s->root_path);
		if ((flags & CENSUS_MEMCG) && !out->by_memcg)
			return errorf(err, -ENOENT, "snapshot '%s' holds a census without its memcg split",
				      s->root_path);
		return 0;
	}
	if ((rc = census_live(s, flags | (s->caps & SOURCE_WHOLE ? CENSUS_MEMCG : 0), out, err)) < 0)
		return rc;
	if (s->caps & SOURCE_WHOLE) {
		census_format(out, &b);
		rc = source_keep(s, "census", b.buf, b.len, err);
		buf_release(&b);
		if (rc < 0)
			return -EIO;
	}
	return 0;
}
