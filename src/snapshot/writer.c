/*
 * writer.c: writing a snapshot directory (format in snapshot.h). Used by
 * `truemem capture`, through the recording source (record.c), and by the
 * paging engine.
 *
 * Frames are recorded once each (a frame bitmap says which were seen) into
 * a scratch file, sorted by PFN when the snapshot is closed. The header is
 * written last, through a rename, so a capture that died half-way is never
 * mistaken for a whole one.
 *
 * The same writer makes the one-file form (snapfile.h): each file becomes
 * a member instead, the frames and the pagemap of the process being
 * written wait in memory, and the file appears, through a rename, only
 * when the snapshot is closed.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frameset.h"
#include "snapfile.h"
#include "snapshot.h"

#define KP_TMP "kpages.tmp"

struct snap_writer {
	char *dir;
	int dir_fd;
	uint64_t page_size;
	char mode[8];
	struct timespec time;
	char host[256];
	uint64_t nprocs;
	/* kpages */
	int kp_fd;
	struct frame_set *kp_seen;
	uint64_t kp_n;
	struct buf kp_buf;           /* records not yet flushed to kp_fd */
	/* kpagecgroup: {pfn, inode} records, kept until close (NULL cg_seen: none asked for) */
	struct frame_set *cg_seen;
	struct buf cg_buf;
	/* pagemap of the process being written */
	pid_t pm_pid;
	int pm_fd;
	uint64_t pm_end;             /* end of the last run written, for the order check */
	/* the one-file form: members, and the current process's pagemap */
	struct snapfile_out *fout;
	struct buf pm_buf;
	struct pm_family *fam;       /* every process, sorted by pid: its parent, its pagemap if kept */
	size_t nfam, fam_cap;
};

/*
 * One-file form: a process's parent, and (for a process that has children
 * in the snapshot) its pagemap, kept to compress its children's against.
 */
struct pm_family {
	pid_t pid, ppid;
	bool parent;        /* some process in the snapshot has it as ppid */
	struct buf pagemap; /* kept once written, when parent */
};

/* The zstd level of the one-file form: level 1 compresses the captures of the benchmark 9x at 0.3 s. */
#define SNAPFILE_LEVEL 1

static int werr(struct snap_writer *w, struct tm_error *err, const char *path, int e)
{
	return errorf(err, -1, "cannot write '%s/%s': %s", w->dir, path, strerror(e));
}

static int write_file_at(struct snap_writer *w, const char *path, const void *data, size_t len,
			 struct tm_error *err)
{
	int fd;
	int rc;

	if (w->fout)
		return snapfile_out_put(w->fout, path, data, len, NULL, NULL, 0, err) < 0 ? -1 : 0;
	fd = openat(w->dir_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return werr(w, err, path, errno);
	rc = write_full(fd, data, len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	return rc < 0 ? werr(w, err, path, -rc) : 0;
}

struct snap_writer *snapw_open(const char *dir, uint64_t page_size, const char *mode,
			       struct timespec time, const char *host, struct tm_error *err)
{
	struct snap_writer *w;
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		errorf(err, -1, "cannot create '%s': %s", dir, strerror(errno));
		return NULL;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		errorf(err, -1, "cannot open '%s': %s", dir, strerror(errno));
		return NULL;
	}
	{
		int dfd = dup(fd);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;
		bool empty = true;

		while (d && (de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = false;
		if (d)
			closedir(d);
		if (!empty) {
			close(fd);
			errorf(err, -1, "'%s' is not empty (refusing to write a snapshot into it)", dir);
			return NULL;
		}
	}
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(dir);
	w->dir_fd = fd;
	w->page_size = page_size;
	snprintf(w->mode, sizeof(w->mode), "%s", mode);
	w->time = time;
	snprintf(w->host, sizeof(w->host), "%s", host);
	w->pm_fd = -1;
	w->kp_seen = frame_set_new();
	w->kp_fd = openat(fd, KP_TMP, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (w->kp_fd < 0) {
		werr(w, err, KP_TMP, errno);
		snapw_abort(w);
		return NULL;
	}
	return w;
}

struct snap_writer *snapw_open_file(const char *path, uint64_t page_size, const char *mode,
				    struct timespec time, const char *host, struct tm_error *err)
{
	struct snap_writer *w;

	if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		errorf(err, -1, "'%s' exists (refusing to overwrite it)", path);
		return NULL;
	}
	w = xcalloc(1, sizeof(*w));
	w->dir = xstrdup(path);
	w->dir_fd = w->kp_fd = w->pm_fd = -1;
	w->page_size = page_size;
	snprintf(w->mode, sizeof(w->mode), "%s", mode);
	w->time = time;
	snprintf(w->host, sizeof(w->host), "%s", host);
	w->kp_seen = frame_set_new();
	w->fout = snapfile_out_new(SNAPFILE_LEVEL);
	return w;
}

int snapw_top_file(struct snap_writer *w, const char *name, const void *data, size_t len, struct tm_error *err)
{
	return write_file_at(w, name, data, len, err);
}

void snap_escape(struct buf *b, const char *s)
{
	buf_reserve(b, 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '\\')
			buf_addstr(b, "\\\\");
		else if (*p == '\n')
			buf_addstr(b, "\\n");
		else if (*p == '\t')
			buf_addstr(b, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			buf_addf(b, "\\x%02x", *p);
		else
			buf_add(b, p, 1);
	}
}

int snap_unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (*s != '\\') {
			*d++ = *s++;
			continue;
		}
		s++;
		if (*s == '\\' || *s == 'n' || *s == 't') {
			*d++ = *s == 'n' ? '\n' : *s == 't' ? '\t' : '\\';
			s++;
		} else if (*s == 'x' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 }, *end;
			unsigned long v = strtoul(hex, &end, 16);

			if (*end || v == 0)
				return -EINVAL;
			*d++ = (char)v;
			s += 3;
		} else {
			return -EINVAL;
		}
	}
	*d = '\0';
	return 0;
}

static struct pm_family *fam_find(struct snap_writer *w, pid_t pid)
{
	size_t a = 0, b = w->nfam;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (w->fam[m].pid == pid)
			return &w->fam[m];
		if (w->fam[m].pid < pid)
			a = m + 1;
		else
			b = m;
	}
	return NULL;
}

/* Records pid's parent (processes come sorted by pid; a repeat is ignored). */
static void fam_add(struct snap_writer *w, pid_t pid, pid_t ppid)
{
	if (fam_find(w, pid) || (w->nfam && w->fam[w->nfam - 1].pid > pid))
		return;
	xgrow((void **)&w->fam, &w->fam_cap, w->nfam + 1, sizeof(*w->fam));
	w->fam[w->nfam++] = (struct pm_family){ .pid = pid, .ppid = ppid, .pagemap = BUF_INIT };
}

int snapw_proc(struct snap_writer *w, const struct proc_ident *id, struct tm_error *err)
{
	char path[64];
	struct buf b = BUF_INIT;
	int rc;

	snprintf(path, sizeof(path), "%d", (int)id->pid);
	if (w->fout)
		fam_add(w, id->pid, id->ppid);   /* counted below, when its ident is new */
	else if (mkdirat(w->dir_fd, path, 0755) == 0)
		w->nprocs++;
	else if (errno != EEXIST)
		return werr(w, err, path, errno);
	buf_addf(&b, "pid %d\nppid %d\nuid %u\nuser ", (int)id->pid, (int)id->ppid, (unsigned)id->uid);
	snap_escape(&b, id->user);
	buf_addstr(&b, "\ncomm ");
	snap_escape(&b, id->comm);
	buf_addstr(&b, "\ncmdline ");
	snap_escape(&b, id->cmdline ? id->cmdline : "");
	if (id->exe) {
		buf_addstr(&b, "\nexe ");
		snap_escape(&b, id->exe);
	}
	if (id->cgroup) {
		buf_addstr(&b, "\ncgroup ");
		snap_escape(&b, id->cgroup);
	}
	if (id->have_start)
		buf_addf(&b, "\nstart_ms %" PRIu64, id->start_ms);
	if (id->shares_mm_with)
		buf_addf(&b, "\nshares_mm_with %d", (int)id->shares_mm_with);
	if (id->err)
		buf_addf(&b, "\nerror %d", -id->err);
	buf_addstr(&b, "\n");
	snprintf(path, sizeof(path), "%d/ident", (int)id->pid);
	if (w->fout) {
		rc = snapfile_out_put(w->fout, path, b.buf, b.len, NULL, NULL, 0, err);
		w->nprocs += rc == 1;
		rc = rc < 0 ? -1 : 0;
	} else {
		rc = write_file_at(w, path, b.buf, b.len, err);
	}
	buf_release(&b);
	return rc;
}

int snapw_proc_file(struct snap_writer *w, pid_t pid, const char *name, const void *data, size_t len,
		    struct tm_error *err)
{
	char path[64];

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return write_file_at(w, path, data, len, err);
}

/* One-file form: the pagemap gathered for w->pm_pid becomes its member, against its parent's. */
static int pm_flush_member(struct snap_writer *w, struct tm_error *err)
{
	struct pm_family *self = fam_find(w, w->pm_pid), *up;
	char path[64], ref[64];
	int rc;

	if (!w->pm_buf.len)
		return 0;
	up = self ? fam_find(w, self->ppid) : NULL;
	snprintf(path, sizeof(path), "%d/pagemap", (int)w->pm_pid);
	if (up && up->pagemap.len)
		snprintf(ref, sizeof(ref), "%d/pagemap", (int)up->pid);
	rc = snapfile_out_put(w->fout, path, w->pm_buf.buf, w->pm_buf.len, up && up->pagemap.len ? ref : NULL,
			      up ? up->pagemap.buf : NULL, up ? up->pagemap.len : 0, err);
	if (rc == 1 && self && self->parent)
		buf_add(&self->pagemap, w->pm_buf.buf, w->pm_buf.len);
	w->pm_buf.len = 0;
	if (rc == 0)   /* replaced: the process's pagemap came in two pieces */
		return errorf(err, -1, "snapshot '%s': pagemap of %d written out of order", w->dir, (int)w->pm_pid);
	return rc < 0 ? -1 : 0;
}

static int pm_switch(struct snap_writer *w, pid_t pid, struct tm_error *err)
{
	char path[64];

	if (w->fout) {
		if (w->pm_buf.len && w->pm_pid == pid)
			return 0;
		if (pm_flush_member(w, err) < 0)
			return -1;
		if (w->pm_pid == 0)   /* the first pagemap: every process is listed by now */
			for (size_t i = 0; i < w->nfam; i++) {
				struct pm_family *up = fam_find(w, w->fam[i].ppid);

				if (up)
					up->parent = true;
			}
		w->pm_pid = pid;
		w->pm_end = 0;
		buf_add(&w->pm_buf, SNAPSHOT_PAGEMAP_MAGIC, 8);
		return 0;
	}
	if (w->pm_fd >= 0 && w->pm_pid == pid)
		return 0;
	if (w->pm_fd >= 0)
		close(w->pm_fd);
	snprintf(path, sizeof(path), "%d/pagemap", (int)pid);
	w->pm_fd = openat(w->dir_fd, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (w->pm_fd < 0)
		return werr(w, err, path, errno);
	w->pm_pid = pid;
	w->pm_end = 0;
	if (lseek(w->pm_fd, 0, SEEK_END) == 0 && write_full(w->pm_fd, SNAPSHOT_PAGEMAP_MAGIC, 8) < 0)
		return werr(w, err, path, errno);
	return 0;
}

int snapw_pagemap(struct snap_writer *w, pid_t pid, uint64_t vaddr, size_t npages,
		  const uint64_t *entries, struct tm_error *err)
{
	if (pm_switch(w, pid, err) < 0)
		return -1;
	if (vaddr < w->pm_end)
		return errorf(err, -1, "snapshot '%s': pagemap of %d written out of order", w->dir, (int)pid);
	for (size_t i = 0; i < npages;) {
		size_t j;
		uint64_t hdr[2];

		if (!entries[i]) {
			i++;
			continue;
		}
		for (j = i; j < npages && entries[j]; j++)
			;
		hdr[0] = vaddr + i * w->page_size;
		hdr[1] = j - i;
		if (w->fout) {
			buf_add(&w->pm_buf, hdr, sizeof(hdr));
			buf_add(&w->pm_buf, entries + i, (j - i) * 8);
		} else if (write_full(w->pm_fd, hdr, sizeof(hdr)) < 0 ||
		    write_full(w->pm_fd, entries + i, (j - i) * 8) < 0)
			return errorf(err, -1, "cannot write '%s/%d/pagemap': %s", w->dir, (int)pid, strerror(errno));
		i = j;
	}
	w->pm_end = vaddr + npages * w->page_size;
	return 0;
}

static int kp_flush(struct snap_writer *w, struct tm_error *err)
{
	if (w->fout)   /* the one-file form keeps the records in memory */
		return 0;
	if (w->kp_buf.len && write_full(w->kp_fd, w->kp_buf.buf, w->kp_buf.len) < 0)
		return werr(w, err, KP_TMP, errno);
	w->kp_buf.len = 0;
	return 0;
}

int snapw_kpages(struct snap_writer *w, const uint64_t *pfns, const uint64_t *counts,
		 const uint64_t *flags, size_t n, struct tm_error *err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t rec[3] = { pfns[i], counts[i], flags[i] };

		if (!frame_set_add(w->kp_seen, pfns[i]))
			continue;
		buf_add(&w->kp_buf, rec, sizeof(rec));
		w->kp_n++;
	}
	return w->kp_buf.len > (1u << 20) ? kp_flush(w, err) : 0;
}

int snapw_kpagecgroup(struct snap_writer *w, const uint64_t *pfns, const uint64_t *inos, size_t n,
		      struct tm_error *err)
{
	if (!w->cg_seen)
		w->cg_seen = frame_set_new();
	for (size_t i = 0; i < n; i++) {
		uint64_t rec[2] = { pfns[i], inos[i] };

		if (frame_set_add(w->cg_seen, pfns[i]) && inos[i])
			buf_add(&w->cg_buf, rec, sizeof(rec));
	}
	return 0;
}

static int cmp_rec(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Sorts the scratch records into DIR/kpages. */
static int kp_finish(struct snap_writer *w, struct tm_error *err)
{
	size_t len = (size_t)w->kp_n * 24;
	void *map = NULL;
	int fd, rc = 0;

	if (w->fout) {
		struct buf b = BUF_INIT;
		int rc2;

		if (len)
			qsort(w->kp_buf.buf, (size_t)w->kp_n, 24, cmp_rec);
		buf_reserve(&b, len + 8);
		buf_add(&b, SNAPSHOT_KPAGES_MAGIC, 8);
		buf_add(&b, w->kp_buf.buf, len);
		buf_release(&w->kp_buf);
		rc2 = snapfile_out_put(w->fout, "kpages", b.buf, b.len, NULL, NULL, 0, err);
		buf_release(&b);
		return rc2 < 0 ? -1 : 0;
	}
	if (kp_flush(w, err) < 0)
		return -1;
	if (len) {
		map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, w->kp_fd, 0);
		if (map == MAP_FAILED)
			return werr(w, err, KP_TMP, errno);
		qsort(map, (size_t)w->kp_n, 24, cmp_rec);
	}
	fd = openat(w->dir_fd, "kpages", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 || write_full(fd, SNAPSHOT_KPAGES_MAGIC, 8) < 0 || (len && write_full(fd, map, len) < 0))
		rc = werr(w, err, "kpages", errno);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = werr(w, err, "kpages", errno);
	if (map)
		munmap(map, len);
	close(w->kp_fd);
	w->kp_fd = -1;
	unlinkat(w->dir_fd, KP_TMP, 0);
	return rc;
}

/* Sorts the kpagecgroup records into DIR/kpagecgroup. */
static int cg_finish(struct snap_writer *w, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	if (!w->cg_seen)
		return 0;
	if (w->cg_buf.len)
		qsort(w->cg_buf.buf, w->cg_buf.len / 16, 16, cmp_rec);
	buf_add(&b, SNAPSHOT_KPAGECGROUP_MAGIC, 8);
	if (w->cg_buf.len)
		buf_add(&b, w->cg_buf.buf, w->cg_buf.len);
	rc = write_file_at(w, "kpagecgroup", b.buf, b.len, err);
	buf_release(&b);
	return rc;
}

/* Writes the one-file form's members to PATH.tmp, then renames it PATH. */
static int snapfile_finish(struct snap_writer *w, struct tm_error *err)
{
	char *tmp = xasprintf("%s.tmp", w->dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644), rc;

	if (fd < 0) {
		rc = errorf(err, -1, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	rc = snapfile_out_write(w->fout, fd);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, w->dir) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		rc = errorf(err, -1, "cannot write '%s': %s", w->dir, strerror(-rc));
	}
	free(tmp);
	return rc;
}

int snapw_close(struct snap_writer *w, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	if (w->pm_fd >= 0) {
		close(w->pm_fd);
		w->pm_fd = -1;
	}
	rc = w->fout ? pm_flush_member(w, err) : 0;
	if (rc == 0)
		rc = kp_finish(w, err);
	if (rc == 0)
		rc = cg_finish(w, err);
	if (rc == 0) {
		buf_addf(&b, "%s %d\npage_size %" PRIu64 "\nmode %s\ntime %lld.%09ld\nhost ", SNAPSHOT_HEADER,
			 SNAPSHOT_VERSION, w->page_size, w->mode, (long long)w->time.tv_sec, w->time.tv_nsec);
		for (const char *h = w->host; *h; h++)   /* one line, whatever the host name holds */
			buf_add(&b, (*h == '\n' || *h == '\r') ? "?" : h, 1);
		buf_addf(&b, "\nprocesses %" PRIu64 "\nkpages %" PRIu64 "\n", w->nprocs, w->kp_n);
		if (w->fout)
			rc = write_file_at(w, SNAPSHOT_HEADER, b.buf, b.len, err) < 0 ? -1 : snapfile_finish(w, err);
		else
			rc = write_file_at(w, SNAPSHOT_HEADER ".tmp", b.buf, b.len, err);
		if (rc == 0 && !w->fout && renameat(w->dir_fd, SNAPSHOT_HEADER ".tmp", w->dir_fd, SNAPSHOT_HEADER) < 0)
			rc = werr(w, err, SNAPSHOT_HEADER, errno);
		buf_release(&b);
	}
	snapw_abort(w);
	return rc;
}

void snapw_abort(struct snap_writer *w)
{
	if (!w)
		return;
	if (w->pm_fd >= 0)
		close(w->pm_fd);
	if (w->kp_fd >= 0)
		close(w->kp_fd);
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	frame_set_free(w->kp_seen);
	buf_release(&w->kp_buf);
	buf_release(&w->pm_buf);
	for (size_t i = 0; i < w->nfam; i++)
		buf_release(&w->fam[i].pagemap);
	free(w->fam);
	snapfile_out_free(w->fout);
	frame_set_free(w->cg_seen);
	buf_release(&w->cg_buf);
	free(w->dir);
	free(w);
}
