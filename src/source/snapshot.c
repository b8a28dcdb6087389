/*
 * snapshot.c: a snapshot directory as a source (format in snapshot.h).
 *
 * A snapshot file (snapfile.h) is read through the same functions: each
 * member, named by its path in the directory, stands for the file.
 *
 * A snapshot comes from another machine and may be damaged, so nothing in
 * it is trusted: every file is opened beneath the directory with symbolic
 * links refused (openat2 RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), every size
 * is bounded before use, and every failure names the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"
#include "snapfile.h"
#include "snapshot.h"
#include "source.h"
#include "source_internal.h"
#include "source_ops.h"

int snapshot_open(struct source *s, const char *path, struct tm_error *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, s->root_fd, path, &how, sizeof(how));
	if (fd < 0) {
		int e = errno;

		if (e == ELOOP || e == EXDEV)
			return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is a link (refused)", s->root_path, path);
		if (e == ENOENT)
			return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is missing", s->root_path, path);
		return errorf(err, -EIO, "cannot read '%s/%s': %s", s->root_path, path, strerror(e));
	}
	return (int)fd;
}

/* The member's size, or -1 with err set when it is missing. */
static int64_t member_size(struct source *s, const char *path, struct tm_error *err)
{
	int64_t size = snapfile_size(s->sf, path);

	if (size < 0)
		errorf(err, -EIO, "corrupt snapshot: '%s/%s' is missing", s->root_path, path);
	return size < 0 ? -1 : size;
}

struct buf *snapshot_member(struct source *s, const char *path, struct tm_error *err)
{
	if (member_size(s, path, err) < 0)
		return NULL;
	return snapfile_load(s->sf, path, err);
}

static bool snapshot_has(struct source *s, const char *name)
{
	if (s->sf)
		return snapfile_size(s->sf, name) >= 0;
	return faccessat(s->root_fd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* snapshot_read_file for the one-file form: the member, decompressed into b. */
static int snapfile_read_text(struct source *s, const char *path, struct buf *b, struct tm_error *err)
{
	int64_t size = member_size(s, path, err);

	if (size < 0)
		return -EIO;
	if (size > (int64_t)SNAPSHOT_MAX_TEXT)
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is larger than %u MiB", s->root_path, path,
			      SNAPSHOT_MAX_TEXT >> 20);
	b->len = 0;
	buf_reserve(b, (size_t)size);
	if (snapfile_read(s->sf, path, b->buf, err) < 0)
		return -EIO;
	b->len = (size_t)size;
	b->buf[b->len] = '\0';
	return 0;
}

int snapshot_read_file(struct source *s, const char *path, struct buf *b, struct tm_error *err)
{
	int fd, rc;
	struct stat st;

	if (s->sf)
		return snapfile_read_text(s, path, b, err);
	fd = snapshot_open(s, path, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is not a regular file", s->root_path, path);
	}
	if (st.st_size > (off_t)SNAPSHOT_MAX_TEXT)
		rc = -EFBIG;
	else
		rc = buf_read_fd(b, fd, SNAPSHOT_MAX_TEXT);
	close(fd);
	if (rc == -EFBIG)
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is larger than %u MiB", s->root_path, path,
			      SNAPSHOT_MAX_TEXT >> 20);
	if (rc < 0)
		return errorf(err, -EIO, "cannot read '%s/%s': %s", s->root_path, path, strerror(-rc));
	return 0;
}

/* Parses the header file's "key value" lines. */
static int snapshot_header(struct source *s, uint64_t *nprocs, uint64_t *nkpages, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	const char *p, *end;
	unsigned seen = 0;
	int rc = snapshot_read_file(s, SNAPSHOT_HEADER, &b, err);

	if (rc < 0) {
		buf_release(&b);
		return rc;
	}
	p = b.buf;
	end = b.buf + b.len;
	if (!parse_lit(&p, end, SNAPSHOT_HEADER " ") || !parse_lit(&p, end, "1\n")) {
		buf_release(&b);
		return errorf(err, -EIO, "'%s/%s': not a truemem snapshot of version %d", s->root_path,
			      SNAPSHOT_HEADER, SNAPSHOT_VERSION);
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		uint64_t v, ns;
		const char *q;

		if (!eol)
			break;
		if ((q = p, parse_lit(&q, eol, "page_size ")) && parse_u64(&q, eol, &v) && q == eol &&
		    v >= 512 && v <= (1u << 20) && !(v & (v - 1))) {
			s->page_size = v;
			seen |= 1;
		} else if ((q = p, parse_lit(&q, eol, "mode "))) {
			s->exact_ok = (size_t)(eol - q) == 5 && !memcmp(q, "exact", 5);
			if (!s->exact_ok)
				s->exact_why = "the snapshot was captured in rollup mode";
			seen |= 2;
		} else if ((q = p, parse_lit(&q, eol, "time ")) && parse_u64(&q, eol, &v) &&
			   parse_lit(&q, eol, ".") && parse_u64(&q, eol, &ns) && q == eol && ns < 1000000000 &&
			   v <= SNAPSHOT_MAX_TIME) {
			s->time.tv_sec = (time_t)v;
			s->time.tv_nsec = (long)ns;
			seen |= 4;
		} else if ((q = p, parse_lit(&q, eol, "host "))) {
			snprintf(s->host, sizeof(s->host), "%.*s", (int)(eol - q), q);
			seen |= 8;
		} else if ((q = p, parse_lit(&q, eol, "processes ")) && parse_u64(&q, eol, nprocs) && q == eol) {
			seen |= 16;
		} else if ((q = p, parse_lit(&q, eol, "kpages ")) && parse_u64(&q, eol, nkpages) && q == eol) {
			seen |= 32;
		} else {
			buf_release(&b);
			return errorf(err, -EIO, "corrupt snapshot: '%s/%s': bad line '%.*s'", s->root_path,
				      SNAPSHOT_HEADER, (int)(eol - p > 60 ? 60 : eol - p), p);
		}
		p = eol + 1;
	}
	buf_release(&b);
	if (seen != 63)
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is incomplete", s->root_path, SNAPSHOT_HEADER);
	if (*nprocs > SNAPSHOT_MAX_PROCS)
		return errorf(err, -EIO, "corrupt snapshot: '%s/%s': absurd process count", s->root_path,
			      SNAPSHOT_HEADER);
	return 0;
}

static int kpages_wrong_size(struct source *s, struct tm_error *err)
{
	return errorf(err, -EIO, "corrupt snapshot: '%s/kpages' has the wrong size (truncated?)", s->root_path);
}

/* A snapshot file's kpages member, decompressed into anonymous memory mapped as the file's would be. */
static int kpages_member(struct source *s, uint64_t nkpages, struct tm_error *err)
{
	int64_t size = member_size(s, "kpages", err);
	void *m;

	if (size < 0)
		return -EIO;
	if (nkpages > ((uint64_t)1 << 40) || (uint64_t)size != 8 + nkpages * 24)
		return kpages_wrong_size(s, err);
	m = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return errorf(err, -EIO, "cannot read '%s/kpages': %s", s->root_path, strerror(errno));
	s->kp_map = m;
	s->kp_map_len = (size_t)size;
	/* Faulted in at once, in huge pages where it can be: page by page, the faults cost more than zstd. */
	madvise(m, (size_t)size, MADV_HUGEPAGE);
	madvise(m, (size_t)size, MADV_POPULATE_WRITE);
	if (snapfile_read(s->sf, "kpages", m, err) < 0)
		return -EIO;
	mprotect(m, (size_t)size, PROT_READ);
	return 0;
}

/* A snapshot directory's kpages file, mapped. */
static int kpages_file(struct source *s, uint64_t nkpages, struct tm_error *err)
{
	int fd = snapshot_open(s, "kpages", err);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < 8 ||
	    (uint64_t)st.st_size != 8 + nkpages * 24 || nkpages > ((uint64_t)1 << 40)) {
		close(fd);
		return kpages_wrong_size(s, err);
	}
	s->kp_map_len = (size_t)st.st_size;
	s->kp_map = mmap(NULL, s->kp_map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (s->kp_map == MAP_FAILED) {
		s->kp_map = NULL;
		return errorf(err, -EIO, "cannot map '%s/kpages': %s", s->root_path, strerror(errno));
	}
	return 0;
}

/* Maps the kpages table and checks it is whole and sorted. */
static int snapshot_kpages(struct source *s, uint64_t nkpages, struct tm_error *err)
{
	int rc = s->sf ? kpages_member(s, nkpages, err) : kpages_file(s, nkpages, err);
	const uint64_t *r;

	if (rc < 0)
		return rc;
	if (memcmp(s->kp_map, SNAPSHOT_KPAGES_MAGIC, 8))
		return errorf(err, -EIO, "corrupt snapshot: '%s/kpages' has a bad magic number", s->root_path);
	s->kp = (const uint64_t *)((const char *)s->kp_map + 8);
	s->kp_n = (size_t)nkpages;
	r = s->kp;
	for (size_t i = 1; i < s->kp_n; i++)
		if (r[3 * i] <= r[3 * (i - 1)])
			return errorf(err, -EIO, "corrupt snapshot: '%s/kpages' is not sorted at record %zu",
				      s->root_path, i);
	/* Frame numbers size the aggregator's frame maps: none beyond physical addressing. */
	if (s->kp_n && r[3 * (s->kp_n - 1)] >= (UINT64_C(1) << SNAPSHOT_MAX_PHYS_BITS) / s->page_size)
		return errorf(err, -EIO, "corrupt snapshot: '%s/kpages' holds a frame beyond %d-bit physical memory",
			      s->root_path, SNAPSHOT_MAX_PHYS_BITS);
	return 0;
}

int source_open_snapshot(struct source *s, const char *dir, struct tm_error *err)
{
	uint64_t nprocs = 0, nkpages = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->ops = &source_snapshot_ops;
	s->caps = SOURCE_STORED;
	s->kpagecount_fd = s->kpageflags_fd = s->kpagecgroup_fd = -1;
	s->root_path = xstrdup(dir);
	s->root_fd = -1;
	if (snapfile_is(dir)) {
		if (!(s->sf = snapfile_open(dir, err)))
			return -1;
	} else {
		s->root_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->root_fd < 0)
			return errorf(err, -errno, "cannot open snapshot '%s': %s", dir,
				      errno == ENOTDIR ? "not a snapshot directory or file" : strerror(errno));
	}
	rc = snapshot_header(s, &nprocs, &nkpages, err);
	if (rc == 0)
		rc = snapshot_kpages(s, nkpages, err);
	return rc < 0 ? -1 : 0;
}

/* Parses PID/ident into id. */
static int snapshot_ident(struct source *s, const char *name, struct proc_ident *id, struct buf *b,
			  struct tm_error *err)
{
	char path[300];
	char *line, *save = NULL;
	unsigned seen = 0;
	uint64_t v;

	snprintf(path, sizeof(path), "%s/ident", name);
	if (snapshot_read_file(s, path, b, err) < 0)
		return -1;
	memset(id, 0, sizeof(*id));
	for (line = strtok_r(b->buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val = strchr(line, ' ');

		if (!val || snap_unescape(val + 1) < 0)
			goto bad;
		*val++ = '\0';
		if (!strcmp(line, "pid") && str_to_pid(val, &id->pid))
			seen |= 1;
		else if (!strcmp(line, "ppid") && str_to_u64(val, &v) && v <= 0x3fffffff)
			id->ppid = (pid_t)v, seen |= 2;
		else if (!strcmp(line, "uid") && str_to_u64(val, &v) && v <= UINT32_MAX)
			id->uid = (uid_t)v, seen |= 4;
		else if (!strcmp(line, "user"))
			snprintf(id->user, sizeof(id->user), "%s", val);
		else if (!strcmp(line, "comm"))
			snprintf(id->comm, sizeof(id->comm), "%s", val);
		else if (!strcmp(line, "cmdline") && !id->cmdline)
			id->cmdline = xstrdup(val);
		else if (!strcmp(line, "exe") && !id->exe)
			id->exe = xstrdup(val);
		else if (!strcmp(line, "cgroup") && !id->cgroup)
			id->cgroup = xstrdup(val);
		else if (!strcmp(line, "start_ms") && str_to_u64(val, &id->start_ms))
			id->have_start = true;
		else if (!strcmp(line, "shares_mm_with") && str_to_pid(val, &id->shares_mm_with))
			continue;
		else if (!strcmp(line, "error") && str_to_u64(val, &v) &&
			 (v == ESRCH || v == ENOENT || v == EACCES || v == EPERM || v == EINVAL))
			id->err = -(int)v;   /* only what a capture records: a process it could not read */
		else
			goto bad;
	}
	if (seen != 7 || strcmp(name, "") == 0)
		goto bad;
	{
		pid_t dirpid;

		if (!str_to_pid(name, &dirpid) || dirpid != id->pid)
			goto bad;
	}
	if (!id->cmdline)
		id->cmdline = xstrdup("");
	if (!id->user[0])
		snprintf(id->user, sizeof(id->user), "%u", (unsigned)id->uid);
	return 0;
bad:
	proc_ident_release(id);
	return errorf(err, -EIO, "corrupt snapshot: '%s/%s' is malformed", s->root_path, path);
}

static int cmp_ident(const void *a, const void *b)
{
	const struct proc_ident *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * The next top-level entry: of the directory d, or for a snapshot file the
 * next distinct first path component of its (sorted) member names, kept in
 * name[64]. NULL at the end.
 */
static const char *next_entry(struct source *s, DIR *d, size_t *i, char name[64])
{
	struct dirent *de;

	if (!s->sf)
		return (de = readdir(d)) ? de->d_name : NULL;
	while (*i < snapfile_count(s->sf)) {
		const char *m = snapfile_name(s->sf, (*i)++), *slash = strchr(m, '/');
		size_t len = slash ? (size_t)(slash - m) : 0;

		if (!len || len >= 64 || (!strncmp(name, m, len) && !name[len]))
			continue;
		memcpy(name, m, len);
		name[len] = '\0';
		return name;
	}
	return NULL;
}

/*
 * A process recorded as sharing the mm of another (SPEC 2.4) names the
 * lowest pid of its set: a process of the snapshot, below its own pid,
 * that shares no other's. Returns 0 or -1 with err naming the ident file.
 */
static int snapshot_check_mm_sets(struct source *s, const struct proc_ident *ids, size_t n, struct tm_error *err)
{
	for (size_t i = 0; i < n; i++) {
		pid_t low = ids[i].shares_mm_with;
		size_t a = 0, b = n;

		if (!low)
			continue;
		while (a < b) {
			size_t m = a + (b - a) / 2;

			if (ids[m].pid < low)
				a = m + 1;
			else
				b = m;
		}
		if (low >= ids[i].pid || a == n || ids[a].pid != low || ids[a].shares_mm_with)
			return errorf(err, -EIO,
				      "corrupt snapshot: '%s/%d/ident' shares the mm of process %d, which is not "
				      "the lowest pid of a set in the snapshot", s->root_path, (int)ids[i].pid, (int)low);
	}
	return 0;
}

/* Lists every process the snapshot holds, with all of its identity (want and only aside). */
static int snapshot_list(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
			 size_t *n, struct tm_error *err)
{
	int dfd = s->sf ? -1 : dup(s->root_fd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct proc_ident *ids = NULL;
	size_t k = 0, cap = 0, at = 0;
	struct buf b = BUF_INIT;
	const char *entry;
	char name[64] = "";
	int rc = 0;

	if (!d && !s->sf) {
		if (dfd >= 0)
			close(dfd);
		return errorf(err, -EIO, "cannot list snapshot '%s': %s", s->root_path, strerror(errno));
	}
	if (d)
		rewinddir(d);
	while ((entry = next_entry(s, d, &at, name))) {
		pid_t pid;

		if (!str_to_pid(entry, &pid))
			continue;
		if (k >= SNAPSHOT_MAX_PROCS) {
			rc = errorf(err, -EIO, "corrupt snapshot: '%s' holds too many processes", s->root_path);
			break;
		}
		xgrow((void **)&ids, &cap, k + 1, sizeof(*ids));
		if ((rc = snapshot_ident(s, entry, &ids[k], &b, err)) < 0)
			break;
		k++;
	}
	if (d)
		closedir(d);
	buf_release(&b);
	if (rc < 0) {
		for (size_t i = 0; i < k; i++)
			proc_ident_release(&ids[i]);
		free(ids);
		return -1;
	}
	if (k)   /* qsort(NULL, 0) is undefined */
		qsort(ids, k, sizeof(*ids), cmp_ident);
	if (snapshot_check_mm_sets(s, ids, k, err) < 0) {
		for (size_t i = 0; i < k; i++)
			proc_ident_release(&ids[i]);
		free(ids);
		return -1;
	}
	*out = ids;
	*n = k;
	return 0;
}

static int snapshot_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return snapshot_read_file(s, path, b, err);
}

static void snapshot_time(struct source *s, struct timespec *out)
{
	*out = s->time;
}

const struct source_ops source_snapshot_ops = {
	.list = snapshot_list,
	.read_proc = snapshot_read_proc,
	.read_top = snapshot_read_file,
	.has = snapshot_has,
	.time = snapshot_time,
	.pagemap_open = snapshot_pagemap_open,
	.pagemap_check_maps = snapshot_pagemap_check_maps,
	.pagemap_ranges = snapshot_pagemap_ranges,
	.pagemap_read = snapshot_pagemap_read,
	.pagemap_close = file_pagemap_close,
	.kpage_lookup = snapshot_kpage_lookup,
	.kpage_cgroup_lookup = snapshot_kpage_cgroup_lookup,
	.close = source_close_files,
};
