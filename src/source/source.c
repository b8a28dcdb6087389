/*
 * source.c: the operations every source offers, dispatched on its kind
 * (live /proc or snapshot directory), and the recording hook `capture`
 * uses: while s->rec is set, everything read from the live system is also
 * written to the snapshot, so a replay reads exactly the same bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "snapfile.h"
#include "snapshot.h"
#include "source.h"
#include "source_internal.h"

static int list_procs(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		      size_t *n, struct tm_error *err)
{
	int rc;

	if (s->kind == SOURCE_SNAPSHOT)
		return source_list_snapshot(s, out, n, err);
	rc = source_list_live(s, s->rec ? IDENT_ALL : want, only, nonly, out, n, err);
	if (rc < 0 || !s->rec)
		return rc;
	for (size_t i = 0; i < *n; i++)
		if (snapw_proc(s->rec, &(*out)[i], err) < 0)
			return -1;
	return 0;
}

int source_list(struct source *s, unsigned want, struct proc_ident **out, size_t *n, struct tm_error *err)
{
	return list_procs(s, want, NULL, 0, out, n, err);
}

int source_list_pids(struct source *s, unsigned want, const pid_t *pids, size_t npids, struct proc_ident **out,
		     size_t *n, struct tm_error *err)
{
	static const pid_t none;

	return list_procs(s, want, npids ? pids : &none, npids, out, n, err);
}

int source_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	if (s->kind == SOURCE_SNAPSHOT)
		return snapshot_read_file(s, path, b, err);
	rc = buf_read_at(b, s->root_fd, path, SIZE_MAX / 2);
	if (rc < 0)
		return errorf(err, rc, "cannot read '/proc/%s': %s", path, strerror(-rc));
	/* A process that exited between open and read leaves an empty file. */
	if (b->len == 0 && strcmp(name, "cmdline") != 0) {
		if (faccessat(s->root_fd, path, F_OK, 0) < 0)
			return errorf(err, -ESRCH, "process %d vanished", (int)pid);
	}
	if (s->rec && snapw_proc_file(s->rec, pid, name, b->buf, b->len, err) < 0)
		return -EIO;
	return 0;
}

enum vma_fs source_mapping_fs(struct source *s, pid_t pid, uint64_t start, uint64_t end)
{
	char path[96];
	struct statfs sfs;
	struct stat st;
	enum vma_fs fs = VMA_FS_UNKNOWN;
	int fd;

	if (s->kind != SOURCE_LIVE)
		return VMA_FS_UNKNOWN;
	snprintf(path, sizeof(path), "%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	if ((fd = openat(s->root_fd, path, O_PATH | O_CLOEXEC)) < 0)
		return VMA_FS_UNKNOWN;
	/* A device node's mapping can hold any page: its flags alone tell. */
	if (fstatfs(fd, &sfs) == 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		fs = sfs.f_type == TMPFS_MAGIC ? VMA_FS_SHMEM : sfs.f_type == HUGETLBFS_MAGIC ? VMA_FS_UNKNOWN
										      : VMA_FS_OTHER;
	close(fd);
	return fs;
}

int source_read_top(struct source *s, const char *name, struct buf *b, struct tm_error *err)
{
	int rc;

	if (s->kind == SOURCE_SNAPSHOT)
		return snapshot_read_file(s, name, b, err);
	rc = buf_read_at(b, s->root_fd, name, 16u << 20);
	if (rc < 0)
		return errorf(err, rc, "cannot read '/proc/%s': %s", name, strerror(-rc));
	if (s->rec && snapw_top_file(s->rec, name, b->buf, b->len, err) < 0)
		return -EIO;
	return 0;
}

void source_close(struct source *s)
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
	memset(s, 0, sizeof(*s));
	s->root_fd = s->kpagecount_fd = s->kpageflags_fd = s->kpagecgroup_fd = -1;
}
