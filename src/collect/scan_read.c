/*
 * scan_read.c: the reading half of the exact walk. A process's mappings
 * from /proc/PID/maps (or smaps), what their files live on, then the
 * populated ranges of /proc/PID/pagemap (PAGEMAP_SCAN where the kernel
 * has it, Documentation/admin-guide/mm/pagemap.rst), handed to a sink a
 * batch at a time. Also the swap entries of processes outside the scan.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frameset.h"
#include "kernel.h"
#include "scan_internal.h"
#include "smaps.h"

static uint64_t *sink_buffer(struct sink *k)
{
	if (!k->feed)
		return k->c->pm;
	k->staged = feed_stage(k->feed);
	return k->staged->pm;
}

static void sink_vmas(struct sink *k, struct vma_list *vmas)
{
	struct feed_item *it;

	if (!k->feed) {
		take_vmas(k->c, &k->c->sc->procs[k->proc], vmas);
		return;
	}
	walk_hold(k->walk, vmas->n);
	it = feed_stage(k->feed);
	it->kind = FEED_VMAS;
	it->proc = k->proc;
	it->vmas = *vmas;
	feed_push(k->feed);
}

/* Hands on the n entries from vaddr read into sink_buffer(). Returns 0, or -errno to stop the process. */
static int sink_batch(struct sink *k, uint64_t vaddr, size_t n)
{
	if (!k->feed)
		return take_batch(k->c, k->proc, &k->c->sc->procs[k->proc], vaddr, n, k->c->pm);
	k->staged->kind = FEED_BATCH;
	k->staged->proc = k->proc;
	k->staged->vaddr = vaddr;
	k->staged->n = n;
	feed_push(k->feed);
	return walk_stopped(k->walk) ? -ECANCELED : 0;
}

/* Whether none of the n entries is present or swapped. */
static bool batch_empty(const uint64_t *pm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pm[i] & (PM_PRESENT | PM_SWAP))
			return false;
	return true;
}

/*
 * Reads the entries of [start, end) into the sink, a batch at a time. With
 * search set (live, PAGEMAP_SCAN there), a whole batch with nothing in it
 * means the rest is likely as sparse (a large reservation): PAGEMAP_SCAN
 * then finds the populated ranges, skipping empty page tables a PMD at a
 * time, and only those are read. Dense mappings never pay for that second
 * walk.
 */
static int read_range(struct reader *r, struct pagemap *pm, uint64_t start, uint64_t end, bool search,
		      struct sink *k)
{
	uint64_t ps = r->src->page_size;
	int rc = 0;

	for (uint64_t a = start; a < end && rc == 0;) {
		size_t n = (size_t)((end - a) / ps);
		uint64_t *buf = sink_buffer(k);

		n = n > FEED_PAGES ? FEED_PAGES : n;
		if ((rc = pagemap_read(pm, a, n, buf, r->err)) < 0)
			break;
		a += n * ps;
		if (search && a < end && batch_empty(buf, n)) {
			r->nsparse = 0;
			if (pagemap_populated(pm, a, end, &r->sparse, &r->nsparse, &r->cap_sparse, r->err) < 0)
				return -ESRCH;
			for (size_t i = 0; i < r->nsparse && rc == 0; i++)
				rc = read_range(r, pm, r->sparse[i].start, r->sparse[i].end, false, k);
			break;
		}
		rc = sink_batch(k, a - n * ps, n);
	}
	return rc;
}

/* Reads the populated pages of every mapping in vmas into the sink. */
static int read_pagemap(struct reader *r, pid_t pid, const struct vma_list *vmas, struct sink *k)
{
	uint64_t ps = r->src->page_size;
	int rc = 0;
	struct pagemap *pm = pagemap_open(r->src, pid, &rc, r->err);
	bool snap = r->src->caps & SOURCE_STORED;

	if (!pm)
		return rc;
	if (snap && (rc = pagemap_check_maps(pm, vmas, r->vmas_file, r->err)) < 0) {
		pagemap_close(pm);
		return rc;
	}
	for (size_t v = 0; v < vmas->n && rc == 0;) {
		size_t w = v + 1;

		if (!strcmp(vmas->v[v].name, "[vsyscall]")) {   /* above TASK_SIZE: not in pagemap */
			v++;
			continue;
		}
		if (snap) {
			/* A snapshot holds the populated runs. */
			while (w < vmas->n && strcmp(vmas->v[w].name, "[vsyscall]"))
				w++;
			r->nranges = 0;
			if (pagemap_populated(pm, vmas->v[v].start, vmas->v[w - 1].end, &r->ranges, &r->nranges,
					      &r->cap_ranges, r->err) < 0) {
				rc = -EIO;
				break;
			}
			for (size_t i = 0; i < r->nranges && rc == 0; i++)
				rc = read_range(r, pm, r->ranges[i].start, r->ranges[i].end, false, k);
		} else {
			/*
			 * Live, mappings are read whole, joined across holes of up to 64
			 * pages. A whole reader (a capture) joins none: a page mapped into a
			 * hole after the maps were read would land in its pagemap outside
			 * every mapping.
			 */
			uint64_t join = r->src->caps & SOURCE_WHOLE ? 0 : 64 * ps;

			while (w < vmas->n && strcmp(vmas->v[w].name, "[vsyscall]") &&
			       vmas->v[w].start - vmas->v[w - 1].end <= join)
				w++;
			rc = read_range(r, pm, vmas->v[v].start, vmas->v[w - 1].end, r->src->have_pagemap_scan, k);
		}
		v = w;
	}
	pagemap_close(pm);
	return rc;
}

void reader_release(struct reader *r)
{
	free(r->ranges);
	free(r->sparse);
	u64_counter_free(r->fs);
	buf_release(&r->text);
}

static bool has_shmem_mapping(const struct vma_list *vmas)
{
	for (size_t i = 0; i < vmas->n; i++)
		if (may_be_shmem(&vmas->v[i]))
			return true;
	return false;
}

/*
 * A maps file read while the process changes its mappings can list a
 * mapping that starts below the end of the one before (seq_file resumes at
 * the last address printed, and a merged mapping is found again). Pages
 * must be counted once and walked in order: such an entry is clipped to
 * start where the previous one ended, or dropped when nothing is left.
 */
static void vmas_untangle(struct vma_list *vmas)
{
	size_t k = 0;

	for (size_t i = 0; i < vmas->n; i++) {
		struct vma *v = &vmas->v[i];

		if (k && v->start < vmas->v[k - 1].end) {
			if (v->end <= vmas->v[k - 1].end) {
				free(v->name);
				free(v->display_name);
				free(v->smaps);
				continue;
			}
			v->offset += vmas->v[k - 1].end - v->start;
			v->start = vmas->v[k - 1].end;
		}
		if (k != i)
			vmas->v[k] = *v;
		k++;
	}
	vmas->n = k;
}

/* Reads the mappings, from smaps when its per-mapping figures are wanted. */
int read_vmas(struct reader *r, pid_t pid, struct vma_list *vmas, bool smaps)
{
	int rc = source_read_proc(r->src, pid, smaps ? "smaps" : "maps", &r->text, r->err);

	r->vmas_file = smaps ? "smaps" : "maps";
	if (rc < 0)
		return rc;
	vma_list_init(vmas);
	rc = smaps ? smaps_parse(r->text.buf, r->text.len, vmas) : maps_parse(r->text.buf, r->text.len, vmas);
	/* The page walks step a page at a time: a mapping off page boundaries never ends. */
	for (size_t i = 0; rc == 0 && i < vmas->n; i++)
		if ((vmas->v[i].start | vmas->v[i].end) % r->src->page_size)
			rc = -EINVAL;
	if (rc == 0) {
		vmas_untangle(vmas);
		return 0;
	}
	vma_list_release(vmas);
	if (r->src->caps & SOURCE_STORED)
		return errorf(r->err, -EIO, "corrupt snapshot: '%s/%d/%s' is malformed", r->src->root_path,
			      (int)pid, smaps ? "smaps" : "maps");
	return rc;
}

#define TEXT_KEEP (64 * 1024)

/*
 * Notes what the files behind mappings on devices of major 0 live on
 * (tmpfs or not), once per file per scan: the aggregator then knows the
 * kind of their pages without kpageflags.
 */
static void read_vmas_fs(struct reader *r, pid_t pid, struct vma_list *vmas)
{
	if (!(r->src->caps & SOURCE_MAPPING_FS))
		return;
	if (!r->fs)
		r->fs = u64_counter_new();
	for (size_t i = 0; i < vmas->n; i++) {
		struct vma *v = &vmas->v[i];
		uint64_t *known;

		if (v->dev_major != 0 || v->inode == 0)
			continue;
		known = u64_counter_ref(r->fs, v->inode);
		if (known && (*known - 1) >> 8 == v->dev_minor) {
			v->fs = (unsigned char)((*known - 1) & 0xff);
			continue;
		}
		v->fs = (unsigned char)source_mapping_fs(r->src, pid, v->start, v->end);
		u64_counter_put(r->fs, v->inode, ((uint64_t)v->dev_minor << 8 | v->fs) + 1);
	}
}

/*
 * The reading half for one process: its mappings (from smaps when wanted,
 * or when swap is in use and a shared mapping may hide shmem swap), then
 * its pagemap. Returns 0 or -errno; the mappings are handed on only on
 * success of their read.
 */
int read_proc_exact(struct reader *r, pid_t pid, bool want_smaps, struct sink *k)
{
	struct vma_list vmas;
	int rc = read_vmas(r, pid, &vmas, want_smaps);

	if (rc < 0)
		return rc;
	read_vmas_fs(r, pid, &vmas);
	if (!want_smaps && r->swap_in_use && has_shmem_mapping(&vmas)) {
		vma_list_release(&vmas);
		if ((rc = read_vmas(r, pid, &vmas, true)) < 0)
			return rc;
		read_vmas_fs(r, pid, &vmas);
	}
	/* The text of a process with thousands of mappings is large: not kept for the next. */
	if (r->text.cap > TEXT_KEEP)
		buf_release(&r->text);
	sink_vmas(k, &vmas);
	/* vmas is the accounting's now, but stays valid until this process ends. */
	return read_pagemap(r, pid, &vmas, k);
}

/* Counts the swap entries in pm's swapped pages within vmas. Returns 0 or -errno. */
static int scan_swap_entries(struct scan_ctx *c, struct pagemap *pm, const struct vma_list *vmas)
{
	uint64_t ps = c->src->page_size;
	struct reader *r = &c->rd;

	for (size_t v = 0; v < vmas->n; v++) {
		if (!strcmp(vmas->v[v].name, "[vsyscall]"))
			continue;
		r->nranges = 0;
		if (pagemap_swapped(pm, vmas->v[v].start, vmas->v[v].end, &r->ranges, &r->nranges,
				    &r->cap_ranges, c->err) < 0)
			return -ESRCH;
		for (size_t i = 0; i < r->nranges; i++) {
			for (uint64_t a = r->ranges[i].start; a < r->ranges[i].end;) {
				size_t k = (size_t)((r->ranges[i].end - a) / ps);
				int rc;

				k = k > FEED_PAGES ? FEED_PAGES : k;
				if ((rc = pagemap_read(pm, a, k, c->pm, c->err)) < 0)
					return rc;
				for (size_t e = 0; e < k; e++)
					if (pm_is_swap(c->pm[e], c->acc.swap_areas))
						account_swap_ref(&c->acc, pm_swap_entry(c->pm[e]));
				a += k * ps;
			}
		}
	}
	return 0;
}

/*
 * Swap entries are shared after fork, and swap_pss divides each by every
 * page-table entry holding it, reported or not (as the kernel's SwapPss
 * does). When only some processes are reported, the others' swapped pages
 * are walked too, for their swap entries alone. A live process that
 * vanished or cannot be read adds none; a damaged snapshot is an error.
 */
int scan_outside_swap(struct scan_ctx *c, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vma_list vmas;
		struct pagemap *pm;
		int rc = read_vmas(&c->rd, pids[i], &vmas, false);

		if (rc == 0) {
			if ((pm = pagemap_open(c->src, pids[i], &rc, c->err))) {
				if (!(c->src->caps & SOURCE_STORED) ||
				    (rc = pagemap_check_maps(pm, &vmas, c->rd.vmas_file, c->err)) == 0)
					rc = scan_swap_entries(c, pm, &vmas);
				pagemap_close(pm);
			}
			vma_list_release(&vmas);
		}
		if (rc < 0 && (c->src->caps & SOURCE_STORED))
			return rc;
	}
	return 0;
}
