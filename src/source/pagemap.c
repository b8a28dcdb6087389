/*
 * pagemap.c: reading a process's page table, /proc/PID/pagemap
 * (Documentation/admin-guide/mm/pagemap.rst): one u64 per virtual page.
 *
 * Live, populated ranges come from the PAGEMAP_SCAN ioctl (Linux 6.7+),
 * which skips empty page tables a whole PMD or PUD at a time, so a 64 GiB
 * reservation with one page touched costs one page, not 16M entries.
 * Entries are then pread in large batches. Without the ioctl the caller
 * reads whole ranges and skips empty entries.
 *
 * A snapshot stores only runs of non-zero entries (snapshot.h); they are
 * indexed on open and served from the file, or, for a snapshot file
 * (snapfile.h), from the member decompressed into memory once.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel.h"
#include "snapfile.h"
#include "snapshot.h"
#include "source.h"
#include "source_internal.h"
#include "source_ops.h"

#define SCAN_VEC_LEN 1024

struct pm_run {
	uint64_t vaddr, npages;
	off_t file_off;      /* snapshot: where the entries start */
};

/* A pagemap served from a file: /proc/PID/pagemap, or a snapshot's. */
struct pm_file {
	struct pagemap base;          /* first: the struct pagemap handed out */
	int fd;
	/* snapshot */
	struct buf *mem;              /* a snapshot file's member, decompressed (fd is -1) */
	struct pm_run *runs;
	size_t nruns;
	struct pm_page_region *vec;   /* live: PAGEMAP_SCAN output */
};

/* pread_full on a snapshot's pagemap, from its file or its member in memory. */
static ssize_t pm_pread(const struct pm_file *pm, void *dst, size_t len, off_t off)
{
	if (pm->fd >= 0)
		return pread_full(pm->fd, dst, len, off);
	if (off < 0 || (uint64_t)off >= pm->mem->len)
		return 0;
	if (len > pm->mem->len - (size_t)off)
		len = pm->mem->len - (size_t)off;
	memcpy(dst, pm->mem->buf + off, len);
	return (ssize_t)len;
}

/* The size of a snapshot's pagemap, -1 when it is not a regular file. */
static off_t pm_size(const struct pm_file *pm)
{
	struct stat st;

	if (pm->fd < 0)
		return (off_t)pm->mem->len;
	return fstat(pm->fd, &st) < 0 || !S_ISREG(st.st_mode) ? -1 : st.st_size;
}

/* Indexes a snapshot pagemap file: checks magic, record bounds and order. */
static int pagemap_index(struct pm_file *pm, const char *path, struct tm_error *err)
{
	struct source *s = pm->base.src;
	off_t size = pm_size(pm);
	char magic[8];
	off_t off = 8;
	size_t cap = 0;
	uint64_t prev_end = 0;

	if (size < 0 || pm_pread(pm, magic, 8, 0) != 8 || memcmp(magic, SNAPSHOT_PAGEMAP_MAGIC, 8))
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s' has a bad magic number", s->root_path, path);
	while (off < size) {
		uint64_t hdr[2];
		uint64_t max_pages = (uint64_t)(size - off - 16) / 8;

		if (size - off < 16 || pm_pread(pm, hdr, 16, off) != 16)
			return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is truncated", s->root_path, path);
		if (hdr[1] == 0 || hdr[1] > max_pages || hdr[0] % s->page_size ||
		    hdr[0] < prev_end || hdr[0] > UINT64_MAX - hdr[1] * s->page_size)
			return errorf(err, -EIO, "corrupt snapshot: '%s/%s': bad record at offset %lld",
				      s->root_path, path, (long long)off);
		xgrow((void **)&pm->runs, &cap, pm->nruns + 1, sizeof(*pm->runs));
		pm->runs[pm->nruns++] = (struct pm_run){ hdr[0], hdr[1], off + 16 };
		prev_end = hdr[0] + hdr[1] * s->page_size;
		off += 16 + (off_t)(hdr[1] * 8);
	}
	return 0;
}

struct pagemap *snapshot_pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err)
{
	struct pm_file *pm = xcalloc(1, sizeof(*pm));
	char path[64];

	pm->base = (struct pagemap){ s, pid };
	snprintf(path, sizeof(path), "%d/pagemap", (int)pid);
	if (s->sf) {
		pm->fd = -1;
		pm->mem = snapshot_member(s, path, err);
	} else {
		pm->fd = snapshot_open(s, path, err);
	}
	if ((pm->fd < 0 && !pm->mem) || (*rc = pagemap_index(pm, path, err)) < 0) {
		*rc = -EIO;
		file_pagemap_close(&pm->base);
		return NULL;
	}
	return &pm->base;
}

struct pagemap *live_pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err)
{
	struct pm_file *pm = xcalloc(1, sizeof(*pm));
	char path[64];

	pm->base = (struct pagemap){ s, pid };
	snprintf(path, sizeof(path), "%d/pagemap", (int)pid);
	pm->fd = openat(s->root_fd, path, O_RDONLY | O_CLOEXEC);
	if (pm->fd < 0) {
		*rc = -errno;
		errorf(err, *rc, "cannot read '/proc/%s': %s", path, strerror(errno));
		file_pagemap_close(&pm->base);
		return NULL;
	}
	return &pm->base;
}

/* The error of a run of pm holding pages at vaddr, where no mapping is. */
static int outside_maps(struct pm_file *pm, uint64_t vaddr, const char *maps_file, struct tm_error *err)
{
	return errorf(err, -EIO, "corrupt snapshot: '%s/%d/pagemap' holds pages at 0x%" PRIx64
		      " outside every mapping of '%s/%d/%s'", pm->base.src->root_path, (int)pm->base.pid, vaddr,
		      pm->base.src->root_path, (int)pm->base.pid, maps_file);
}

int snapshot_pagemap_check_maps(struct pagemap *base, const struct vma_list *vmas, const char *maps_file,
				struct tm_error *err)
{
	struct pm_file *pm = (struct pm_file *)base;
	uint64_t ps = pm->base.src->page_size;
	size_t v = 0;

	/* Runs and mappings are both sorted: each run must lie in mappings that touch. */
	for (size_t i = 0; i < pm->nruns; i++) {
		uint64_t rs = pm->runs[i].vaddr, re = rs + pm->runs[i].npages * ps;

		while (v < vmas->n && vmas->v[v].end <= rs)
			v++;
		if (v == vmas->n || vmas->v[v].start > rs)
			return outside_maps(pm, rs, maps_file, err);
		for (size_t w = v; vmas->v[w].end < re; w++)
			if (w + 1 == vmas->n || vmas->v[w + 1].start != vmas->v[w].end)
				return outside_maps(pm, vmas->v[w].end, maps_file, err);
	}
	return 0;
}

void file_pagemap_close(struct pagemap *base)
{
	struct pm_file *pm = (struct pm_file *)base;

	if (pm->fd >= 0)
		close(pm->fd);
	if (pm->mem)
		snapfile_unload(pm->base.src->sf, pm->mem);
	free(pm->runs);
	free(pm->vec);
	free(pm);
}

static void vrange_push(struct vrange **r, size_t *n, size_t *cap, uint64_t start, uint64_t end)
{
	if (*n && (*r)[*n - 1].end == start) {   /* present next to swapped: one range */
		(*r)[*n - 1].end = end;
		return;
	}
	xgrow((void **)r, cap, *n + 1, sizeof(**r));
	(*r)[(*n)++] = (struct vrange){ start, end };
}

static ssize_t pagemap_scan_live(struct pm_file *pm, uint64_t start, uint64_t end, uint64_t categories,
				 struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	size_t before = *n;

	if (!pm->vec)
		pm->vec = xcalloc(SCAN_VEC_LEN, sizeof(*pm->vec));   /* zeroed: valgrind does not know the ioctl fills it */
	while (start < end) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg), .start = start, .end = end,
			.vec = (uintptr_t)pm->vec, .vec_len = SCAN_VEC_LEN,
			.category_anyof_mask = categories,
			.return_mask = categories,
		};
		int got = ioctl(pm->fd, TM_PAGEMAP_SCAN, &arg);

		if (got < 0) {
			int e = errno == ENOENT || errno == ESRCH ? ESRCH : errno;

			return errorf(err, -e, "cannot scan '/proc/%d/pagemap': %s", (int)pm->base.pid, strerror(errno));
		}
		/*
		 * Only what lies below walk_end is final: on 6.18 a call can
		 * report regions past the walk_end it returns, and the next
		 * call, resuming there, reports them again.
		 */
		for (int i = 0; i < got && pm->vec[i].start < arg.walk_end; i++)
			vrange_push(r, n, cap, pm->vec[i].start,
				    pm->vec[i].end < arg.walk_end ? pm->vec[i].end : arg.walk_end);
		if (arg.walk_end <= start)
			break;
		start = arg.walk_end;
	}
	return (ssize_t)(*n - before);
}

ssize_t snapshot_pagemap_ranges(struct pagemap *base, uint64_t start, uint64_t end, uint64_t categories,
				struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	struct pm_file *pm = (struct pm_file *)base;
	size_t before = *n;
	uint64_t ps = pm->base.src->page_size;

	for (size_t i = 0; i < pm->nruns; i++) {
		uint64_t rs = pm->runs[i].vaddr, re = rs + pm->runs[i].npages * ps;

		if (re <= start || rs >= end)
			continue;
		vrange_push(r, n, cap, rs > start ? rs : start, re < end ? re : end);
	}
	return (ssize_t)(*n - before);
}

ssize_t live_pagemap_ranges(struct pagemap *base, uint64_t start, uint64_t end, uint64_t categories,
			    struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	struct pm_file *pm = (struct pm_file *)base;

	if (pm->base.src->have_pagemap_scan)
		return pagemap_scan_live(pm, start, end, categories, r, n, cap, err);
	vrange_push(r, n, cap, start, end);
	return 1;
}

int snapshot_pagemap_read(struct pagemap *base, uint64_t vaddr, size_t npages, uint64_t *out,
			  struct tm_error *err)
{
	struct pm_file *pm = (struct pm_file *)base;
	uint64_t ps = pm->base.src->page_size, end = vaddr + npages * ps;

	memset(out, 0, npages * sizeof(*out));
	for (size_t i = 0; i < pm->nruns; i++) {
		const struct pm_run *run = &pm->runs[i];
		uint64_t rs = run->vaddr, re = rs + run->npages * ps, lo, hi;

		if (re <= vaddr || rs >= end)
			continue;
		lo = rs > vaddr ? rs : vaddr;
		hi = re < end ? re : end;
		if (pm_pread(pm, out + (lo - vaddr) / ps, (hi - lo) / ps * 8,
			       run->file_off + (off_t)((lo - rs) / ps * 8)) != (ssize_t)((hi - lo) / ps * 8))
			return errorf(err, -EIO, "corrupt snapshot: '%s/%d/pagemap' is truncated",
				      pm->base.src->root_path, (int)pm->base.pid);
	}
	return 0;
}

int live_pagemap_read(struct pagemap *base, uint64_t vaddr, size_t npages, uint64_t *out, struct tm_error *err)
{
	struct pm_file *pm = (struct pm_file *)base;
	ssize_t got;
	size_t want = npages * sizeof(*out);

	got = pread_full(pm->fd, out, want, (off_t)(vaddr / pm->base.src->page_size * 8));
	if (got < 0)
		return errorf(err, (int)got, "cannot read '/proc/%d/pagemap': %s", (int)pm->base.pid, strerror((int)-got));
	if ((size_t)got < want) {
		/* The mm went away under us: the process exited mid-scan. */
		if (got == 0)
			return errorf(err, -ESRCH, "process %d vanished", (int)pm->base.pid);
		memset((char *)out + got, 0, want - (size_t)got);
	}
	return 0;
}
