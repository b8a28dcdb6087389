/*
 * record.c: the recording source (source_record.h). It wraps any source
 * and answers each operation through it; what the wrapped source returns
 * is handed to the snapshot writer (writer.c) on its way up. The
 * recording's own rules live here, not in the readers:
 *
 *   - processes are listed with all of their identity, and one that could
 *     not be read is recorded with its error;
 *   - kpagecount and kpageflags are recorded together, with the frames'
 *     memcg (/proc/kpagecgroup) when the wrapped source has it;
 *   - a process's maps is recorded from the smaps its pagemap walk follows,
 *     not from a read of its own, when no maps read came first: a process
 *     that maps or unmaps between two reads would otherwise leave a
 *     snapshot whose pagemap lies outside its maps.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "smaps.h"
#include "snapshot.h"
#include "source_ops.h"
#include "source_record.h"

struct recording {
	struct source *inner;
	struct snap_writer *w;
	bool exact;
	bool have_cgroup;      /* the wrapped source has kpagecgroup */
	pid_t maps_pid;        /* the last process whose maps was recorded */
};

/* A pagemap of the wrapped source, its entries recorded as read. */
struct rec_pagemap {
	struct pagemap base;
	struct pagemap *inner;
};

static struct recording *rec_of(const struct source *s)
{
	return s->ops_data;
}

static int rec_list(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		    size_t *n, struct tm_error *err)
{
	struct recording *r = rec_of(s);
	int rc = r->inner->ops->list(r->inner, IDENT_ALL, only, nonly, out, n, err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < *n; i++)
		if (snapw_proc(r->w, &(*out)[i], err) < 0)
			return -1;
	return 0;
}

static int record_maps_of_smaps(struct recording *r, pid_t pid, const struct buf *smaps, struct tm_error *err)
{
	struct buf maps = BUF_INIT;
	int rc;

	maps_from_smaps(smaps->buf, smaps->len, &maps);
	rc = snapw_proc_file(r->w, pid, "maps", maps.buf ? maps.buf : "", maps.len, err);
	buf_release(&maps);
	return rc;
}

static int rec_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err)
{
	struct recording *r = rec_of(s);
	int rc = r->inner->ops->read_proc(r->inner, pid, name, b, err);

	if (rc < 0)
		return rc;
	if (snapw_proc_file(r->w, pid, name, b->buf, b->len, err) < 0)
		return -EIO;
	if (!strcmp(name, "smaps") && r->maps_pid != pid) {
		if (record_maps_of_smaps(r, pid, b, err) < 0)
			return -EIO;
		r->maps_pid = pid;
	} else if (!strcmp(name, "maps")) {
		r->maps_pid = pid;
	}
	return 0;
}

static int rec_read_top(struct source *s, const char *name, struct buf *b, struct tm_error *err)
{
	struct recording *r = rec_of(s);
	int rc = r->inner->ops->read_top(r->inner, name, b, err);

	if (rc < 0)
		return rc;
	return snapw_top_file(r->w, name, b->buf, b->len, err) < 0 ? -EIO : 0;
}

static bool rec_has(struct source *s, const char *name)
{
	return source_snapshot_has(rec_of(s)->inner, name);
}

static enum vma_fs rec_mapping_fs(struct source *s, pid_t pid, uint64_t start, uint64_t end)
{
	return source_mapping_fs(rec_of(s)->inner, pid, start, end);
}

static void rec_time(struct source *s, struct timespec *out)
{
	source_time(rec_of(s)->inner, out);
}

/* A derived fact becomes the member of its name; with the cgroups, in exact mode, the memcg member too. */
static int rec_keep(struct source *s, const char *name, const void *text, size_t len, struct tm_error *err)
{
	struct recording *r = rec_of(s);

	if (snapw_top_file(r->w, name, text, len, err) < 0)
		return -1;
	/* The frames' memcg came with their kpage facts; this makes the member even when none did. */
	if (!strcmp(name, "cgroups") && r->exact && r->have_cgroup && snapw_kpagecgroup(r->w, NULL, NULL, 0, err) < 0)
		return -1;
	return 0;
}

static int rec_proc_failed(struct source *s, const struct proc_ident *id, struct tm_error *err)
{
	return snapw_proc(rec_of(s)->w, id, err) < 0 ? -1 : 0;
}

static struct pagemap *rec_pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err)
{
	struct pagemap *inner = pagemap_open(rec_of(s)->inner, pid, rc, err);
	struct rec_pagemap *pm;

	if (!inner)
		return NULL;
	pm = xcalloc(1, sizeof(*pm));
	pm->base = (struct pagemap){ s, pid };
	pm->inner = inner;
	return &pm->base;
}

static int rec_pagemap_check_maps(struct pagemap *pm, const struct vma_list *vmas, const char *maps_file,
				  struct tm_error *err)
{
	return pagemap_check_maps(((struct rec_pagemap *)pm)->inner, vmas, maps_file, err);
}

static ssize_t rec_pagemap_ranges(struct pagemap *pm, uint64_t start, uint64_t end, uint64_t categories,
				  struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	struct pagemap *inner = ((struct rec_pagemap *)pm)->inner;

	return inner->src->ops->pagemap_ranges(inner, start, end, categories, r, n, cap, err);
}

static int rec_pagemap_read(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out, struct tm_error *err)
{
	int rc = pagemap_read(((struct rec_pagemap *)pm)->inner, vaddr, npages, out, err);

	if (rc < 0)
		return rc;
	return snapw_pagemap(rec_of(pm->src)->w, pm->pid, vaddr, npages, out, err) < 0 ? -EIO : 0;
}

static void rec_pagemap_close(struct pagemap *pm)
{
	pagemap_close(((struct rec_pagemap *)pm)->inner);
	free(pm);
}

/* Records the memcg of n frames (sorted, unique), when the wrapped source has kpagecgroup. */
static int record_cgroups(struct recording *r, const uint64_t *pfns, size_t n, struct tm_error *err)
{
	uint64_t *inos;
	int rc;

	if (!r->have_cgroup)
		return 0;
	inos = xmalloc((n + 1) * sizeof(*inos));
	rc = kpage_cgroup_lookup(r->inner, pfns, n, inos, err);
	if (rc == 0 && snapw_kpagecgroup(r->w, pfns, inos, n, err) < 0)
		rc = -EIO;
	free(inos);
	return rc;
}

static int rec_kpage_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *counts, uint64_t *flags,
			    struct tm_error *err)
{
	struct recording *r = rec_of(s);
	int rc;

	/* A recording keeps whole facts: its readers ask for both. */
	if (!counts || !flags)
		return errorf(err, -EINVAL, "a capture must read both kpagecount and kpageflags");
	if ((rc = kpage_lookup(r->inner, pfns, n, counts, flags, err)) < 0)
		return rc;
	if (snapw_kpages(r->w, pfns, counts, flags, n, err) < 0)
		return -EIO;
	return record_cgroups(r, pfns, n, err);
}

static int rec_kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos,
				   struct tm_error *err)
{
	return kpage_cgroup_lookup(rec_of(s)->inner, pfns, n, inos, err);
}

static void rec_close(struct source *s)
{
	free(s->ops_data);
}

static const struct source_ops record_ops = {
	.list = rec_list,
	.read_proc = rec_read_proc,
	.read_top = rec_read_top,
	.has = rec_has,
	.mapping_fs = rec_mapping_fs,
	.time = rec_time,
	.keep = rec_keep,
	.proc_failed = rec_proc_failed,
	.pagemap_open = rec_pagemap_open,
	.pagemap_check_maps = rec_pagemap_check_maps,
	.pagemap_ranges = rec_pagemap_ranges,
	.pagemap_read = rec_pagemap_read,
	.pagemap_close = rec_pagemap_close,
	.kpage_lookup = rec_kpage_lookup,
	.kpage_cgroup_lookup = rec_kpage_cgroup_lookup,
	.close = rec_close,
};

void source_record_open(struct source *s, struct source *inner, struct snap_writer *w, bool exact)
{
	struct recording *r = xcalloc(1, sizeof(*r));
	struct tm_error ignored = { "" };

	*r = (struct recording){ .inner = inner, .w = w, .exact = exact };
	/* Asking for no frames tells whether there is a kpagecgroup to ask. */
	r->have_cgroup = kpage_cgroup_lookup(inner, NULL, 0, NULL, &ignored) == 0;
	/* The description (page size, host, exact or not, ...) is the wrapped source's. */
	*s = *inner;
	s->ops = &record_ops;
	s->ops_data = r;
	s->caps = inner->caps | SOURCE_WHOLE;
}
