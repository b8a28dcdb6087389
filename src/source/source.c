/*
 * source.c: the operations every source offers (source.h), dispatched
 * through its operations table (source_ops.h): the live /proc (live.c),
 * a snapshot directory or file (snapshot.c), or a source that records
 * another (source_record.h). Nothing here knows which one answers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernel.h"
#include "snapfile.h"
#include "source.h"
#include "source_internal.h"
#include "source_ops.h"

int source_list(struct source *s, unsigned want, struct proc_ident **out, size_t *n, struct tm_error *err)
{
	return s->ops->list(s, want, NULL, 0, out, n, err);
}

int source_list_pids(struct source *s, unsigned want, const pid_t *pids, size_t npids, struct proc_ident **out,
		     size_t *n, struct tm_error *err)
{
	static const pid_t none;

	return s->ops->list(s, want, npids ? pids : &none, npids, out, n, err);
}

int source_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err)
{
	return s->ops->read_proc(s, pid, name, b, err);
}

int source_read_top(struct source *s, const char *name, struct buf *b, struct tm_error *err)
{
	return s->ops->read_top(s, name, b, err);
}

int source_open_proc(struct source *s, pid_t pid, const char *name)
{
	char path[300];
	int fd;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	if ((fd = openat(s->root_fd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	return fd;
}

bool source_snapshot_has(struct source *s, const char *name)
{
	return s->ops->has && s->ops->has(s, name);
}

enum vma_fs source_mapping_fs(struct source *s, pid_t pid, uint64_t start, uint64_t end)
{
	return s->ops->mapping_fs ? s->ops->mapping_fs(s, pid, start, end) : VMA_FS_UNKNOWN;
}

void source_time(struct source *s, struct timespec *out)
{
	s->ops->time(s, out);
}

int source_keep(struct source *s, const char *name, const void *text, size_t len, struct tm_error *err)
{
	return s->ops->keep ? s->ops->keep(s, name, text, len, err) : 0;
}

int source_proc_failed(struct source *s, const struct proc_ident *id, struct tm_error *err)
{
	return s->ops->proc_failed ? s->ops->proc_failed(s, id, err) : 0;
}

struct pagemap *pagemap_open(struct source *s, pid_t pid, int *rc, struct tm_error *err)
{
	return s->ops->pagemap_open(s, pid, rc, err);
}

int pagemap_check_maps(struct pagemap *pm, const struct vma_list *vmas, const char *maps_file,
		       struct tm_error *err)
{
	const struct source_ops *ops = pm->src->ops;

	return ops->pagemap_check_maps ? ops->pagemap_check_maps(pm, vmas, maps_file, err) : 0;
}

ssize_t pagemap_populated(struct pagemap *pm, uint64_t start, uint64_t end,
			  struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	return pm->src->ops->pagemap_ranges(pm, start, end, PAGE_IS_PRESENT | PAGE_IS_SWAPPED, r, n, cap, err);
}

ssize_t pagemap_swapped(struct pagemap *pm, uint64_t start, uint64_t end,
			struct vrange **r, size_t *n, size_t *cap, struct tm_error *err)
{
	return pm->src->ops->pagemap_ranges(pm, start, end, PAGE_IS_SWAPPED, r, n, cap, err);
}

int pagemap_read(struct pagemap *pm, uint64_t vaddr, size_t npages, uint64_t *out, struct tm_error *err)
{
	return pm->src->ops->pagemap_read(pm, vaddr, npages, out, err);
}

void pagemap_close(struct pagemap *pm)
{
	if (pm)
		pm->src->ops->pagemap_close(pm);
}

int kpage_lookup(struct source *s, const uint64_t *pfns, size_t n,
		 uint64_t *counts, uint64_t *flags, struct tm_error *err)
{
	return s->ops->kpage_lookup(s, pfns, n, counts, flags, err);
}

int kpage_cgroup_lookup(struct source *s, const uint64_t *pfns, size_t n, uint64_t *inos, struct tm_error *err)
{
	return s->ops->kpage_cgroup_lookup(s, pfns, n, inos, err);
}

void source_close(struct source *s)
{
	if (s->ops)
		s->ops->close(s);
	memset(s, 0, sizeof(*s));
	s->root_fd = s->kpagecount_fd = s->kpageflags_fd = s->kpagecgroup_fd = -1;
}

void source_close_files(struct source *s)
{
	if (s->root_fd >= 0)
		close(s->root_fd);
	if (s->kpagecount_fd >= 0)
		close(s->kpagecount_fd);
	if (s->kpageflags_fd >= 0)
		close(s->kpageflags_fd);
	if (s->kpagecgroup_fd >= 0)
		close(s->kpagecgroup_fd);
	if (s->kp_map)
		munmap(s->kp_map, s->kp_map_len);
	snapfile_close(s->sf);
	kpage_cgroup_release(s);
	free(s->root_path);
}
