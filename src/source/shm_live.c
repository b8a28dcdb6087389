/*
 * shm_live.c: the live reads shmobj_collect (shmobj.h) makes, relative to
 * /proc: a mapping's link count through map_files (proc(5):
 * /proc/PID/map_files, fstat follows it to the mapped file, root only),
 * /proc/sysvipc/shm, the links in /proc/PID/fd and the "ino:" line of
 * /proc/PID/fdinfo/FD (Documentation/filesystems/proc.rst, "fdinfo").
 * readlink and fdinfo never touch the file's filesystem, so a descriptor
 * on a hung network mount costs nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shmobj.h"
#include "source.h"

int shm_live_nlink(struct source *s, pid_t pid, uint64_t start, uint64_t end, uint64_t *nlink)
{
	char path[96];
	struct stat st;

	snprintf(path, sizeof(path), "%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid, start, end);
	if (fstatat(s->root_fd, path, &st, 0) < 0)
		return -errno;
	*nlink = (uint64_t)st.st_nlink;
	return 0;
}

int shm_live_sysv(struct source *s, struct buf *b)
{
	return buf_read_at(b, s->root_fd, "sysvipc/shm", 16u << 20);
}

int shm_live_fds(struct source *s, pid_t pid, bool (*want)(void *ctx, const char *link),
		 void (*fn)(void *ctx, int fd, const char *link), void *ctx)
{
	char path[64], link[4096];
	struct dirent *de;
	DIR *d;
	int dfd;

	snprintf(path, sizeof(path), "%d/fd", (int)pid);
	if ((dfd = openat(s->root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	if (!(d = fdopendir(dfd))) {
		int e = errno;

		close(dfd);
		return -e;
	}
	while ((de = readdir(d)) != NULL) {
		uint64_t fd;
		ssize_t n;

		if (!str_to_u64(de->d_name, &fd) || fd > INT32_MAX)
			continue;
		n = readlinkat(dfd, de->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;   /* closed meanwhile */
		link[n] = '\0';
		if (want(ctx, link))
			fn(ctx, (int)fd, link);
	}
	closedir(d);
	return 0;
}

int shm_live_fd_ino(struct source *s, pid_t pid, int fd, uint64_t *ino)
{
	char path[64];
	struct buf b = BUF_INIT;
	const char *p, *end;
	int rc;

	snprintf(path, sizeof(path), "%d/fdinfo/%d", (int)pid, fd);
	if ((rc = buf_read_at(&b, s->root_fd, path, 1u << 20)) < 0) {
		buf_release(&b);
		return rc;
	}
	rc = -ENOENT;
	for (p = b.buf, end = b.buf + b.len; p && p < end; parse_next_line(&p, end)) {
		if (parse_lit(&p, end, "ino:")) {
			parse_skip_spaces(&p, end);
			rc = parse_u64(&p, end, ino) ? 0 : -EINVAL;
			break;
		}
	}
	buf_release(&b);
	return rc;
}
