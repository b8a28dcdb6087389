/*
 * live.c: the live system as a source. /proc is the root directory fd;
 * processes are the numeric entries of it. Their identity is read only as
 * far as the caller wants it (enum ident_want), each file once, raw:
 *
 *   uid          the owner of the /proc/PID directory: the task's effective
 *                uid (proc(5); task_dump_owner keeps the euid for the
 *                0555 PID directory even when the task is not dumpable)
 *   pid          the directory's name
 *   comm, ppid   /proc/PID/stat: "PID (COMM) S PPID ..." with COMM raw
 *   flags        (field 9 of stat, for PF_KTHREAD) and the same bytes
 *                /proc/PID/comm gives
 *   start        field 22 of stat, starttime: clock ticks after boot
 *                (sysconf(_SC_CLK_TCK)), kept as milliseconds
 *   cmdline      /proc/PID/cmdline, arguments joined by spaces
 *   exe          the target of /proc/PID/exe
 *   cgroup       /proc/PID/cgroup
 *   shared mm    stat's startcode, endcode and startstack as a hint, then
 *                kcmp(2) KCMP_VM between processes alike (SPEC 2.4)
 *
 * Kernel threads (PF_KTHREAD) map no user memory and are skipped, as smem
 * and procrank skip them. A kernel thread's cmdline is always empty
 * (get_task_mm gives none for one), so when only the command line is
 * wanted, stat is read for processes with an empty one alone.
 *
 * Whether exact mode is possible is found out, not assumed: PFNs in
 * pagemap read as 0 without CAP_SYS_ADMIN (pagemap.rst, "Since Linux 4.2"),
 * and /proc/kpage* are root-only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "kfeatures.h"
#include "source.h"
#include "source_internal.h"
#include "source_ops.h"

#define PF_KTHREAD 0x00200000UL   /* include/linux/sched.h */

void proc_ident_release(struct proc_ident *id)
{
	free(id->cmdline);
	free(id->exe);
	free(id->cgroup);
	id->cmdline = id->exe = id->cgroup = NULL;
}

int source_open_live(struct source *s, struct tm_error *err)
{
	memset(s, 0, sizeof(*s));
	s->ops = &source_live_ops;
	s->caps = SOURCE_MAPPING_FS;
	s->kpagecount_fd = s->kpageflags_fd = s->kpagecgroup_fd = -1;
	s->root_path = xstrdup("/proc");
	s->root_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return errorf(err, -errno, "cannot open '/proc': %s", strerror(errno));
	s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		strcpy(s->host, "localhost");
	s->kpagecount_fd = openat(s->root_fd, "kpagecount", O_RDONLY | O_CLOEXEC);
	s->kpageflags_fd = openat(s->root_fd, "kpageflags", O_RDONLY | O_CLOEXEC);
	s->kpagecgroup_fd = openat(s->root_fd, "kpagecgroup", O_RDONLY | O_CLOEXEC);
	if (s->kpagecount_fd < 0 || s->kpageflags_fd < 0)
		s->exact_why = "cannot read /proc/kpagecount and /proc/kpageflags (needs CAP_SYS_ADMIN)";
	else if (!kfeatures_pfns_visible(s->root_fd, s->page_size))
		s->exact_why = "pagemap hides frame numbers without CAP_SYS_ADMIN";
	else
		s->exact_ok = true;
	/* TRUEMEM_NO_PAGEMAP_SCAN forces the plain-read path kernels before 6.7 take (tests use it). */
	s->have_pagemap_scan = !getenv("TRUEMEM_NO_PAGEMAP_SCAN") && kfeatures_pagemap_scan(s->root_fd, s->page_size);
	return 0;
}

/*
 * The cgroup a process is accounted to, from /proc/PID/cgroup
 * ("ID:CONTROLLERS:PATH" lines): the unified (v2) hierarchy's path, else
 * the memory controller's, else the first. Lines whose path is "/" (the
 * root) are left out, and a "name=" hierarchy counts from its name.
 * NULL when no line is left. Owned by the caller.
 */
static char *cgroup_path(char *text, size_t len)
{
	char *best = NULL, *save = NULL;
	int rank = 0;

	text[len] = '\0';
	for (char *e = strtok_r(text, "\n", &save); e; e = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(e);
		char *name = strstr(e, ":name="), *c1, *c2;
		int r;

		if (!n || e[n - 1] == '/')
			continue;
		if (name)
			e = name + 6;
		if (!(c1 = strchr(e, ':')) || !(c2 = strchr(c1 + 1, ':')))
			continue;
		*c2 = '\0';
		r = !strcmp(e, "0:") ? 3 : strstr(c1 + 1, "memory") ? 2 : 1;
		if (r > rank) {
			rank = r;
			best = c2 + 1;
		}
	}
	return best ? xstrdup(best) : NULL;
}

/* The account name of uid, or the number when it has none (cached per thread: a scan meets few uids). */
static void user_name(uid_t uid, char *out, size_t cap)
{
	static _Thread_local struct { uid_t uid; char name[33]; } cache[64];
	static _Thread_local size_t ncache;
	struct passwd pw, *found = NULL;
	char text[4096];

	for (size_t i = 0; i < ncache; i++)
		if (cache[i].uid == uid) {
			snprintf(out, cap, "%s", cache[i].name);
			return;
		}
	if (getpwuid_r(uid, &pw, text, sizeof(text), &found) != 0 || !found || !pw.pw_name[0] ||
	    strlen(pw.pw_name) >= sizeof(cache[0].name))
		snprintf(out, cap, "%u", (unsigned)uid);
	else
		snprintf(out, cap, "%s", pw.pw_name);
	if (ncache < ARRAY_SIZE(cache)) {
		cache[ncache].uid = uid;
		snprintf(cache[ncache++].name, sizeof(cache[0].name), "%s", out);
	}
}

/* Milliseconds after boot of ticks clock ticks (USER_HZ: 100 nearly everywhere). */
static uint64_t ticks_to_ms(uint64_t ticks)
{
	static uint64_t hz;

	if (!hz) {
		long v = sysconf(_SC_CLK_TCK);

		hz = v > 0 ? (uint64_t)v : 100;
	}
	return ticks / hz * 1000 + ticks % hz * 1000 / hz;
}

/*
 * Fields 23-28 of stat, from p just after field 22 (startcode, endcode,
 * startstack: the mm's, shown only to who may trace the process) mixed
 * into one number; 0 when they are unknown (no mm, not permitted). Equal
 * for processes sharing an mm, and for forked copies of one, so only a
 * hint: kcmp(2) tells.
 */
static uint64_t stat_mm_hint(const char *p, const char *end)
{
	uint64_t v, hint = 0;

	for (int field = 23; field <= 28; field++) {
		parse_skip_spaces(&p, end);
		if (!parse_u64(&p, end, &v))
			return 0;
		if (field >= 26) {
			if (v == 0)
				return 0;
			hint = (hint ^ v) * UINT64_C(0x100000001b3);
		}
	}
	return hint;
}

/*
 * "PID (COMM) S PPID PGRP SESSION TTY TPGID FLAGS ... STARTTIME ...": COMM
 * may hold any byte, ')' included, so it ends at the last ')'. The start
 * time (field 22) is taken when present. Returns 0 or -EINVAL.
 */
static int parse_stat(const char *text, size_t len, struct proc_ident *id, unsigned long *flags)
{
	const char *open = memchr(text, '(', len), *close = NULL, *p, *end = text + len;
	uint64_t v;

	for (const char *q = end; q > text; q--)
		if (q[-1] == ')') {
			close = q - 1;
			break;
		}
	if (!open || !close || close < open)
		return -EINVAL;
	snprintf(id->comm, sizeof(id->comm), "%.*s", (int)(close - open - 1), open + 1);
	p = close + 1;
	/* state, then ppid (field 4), then fields 5-8, then flags (field 9) */
	for (int field = 3; field <= 9; field++) {
		parse_skip_spaces(&p, end);
		if (field == 3) {
			while (p < end && *p != ' ')
				p++;
			continue;
		}
		if (field == 7 || field == 8) {   /* tty_nr and tpgid may be negative */
			if (p < end && *p == '-')
				p++;
		}
		if (!parse_u64(&p, end, &v))
			return -EINVAL;
		if (field == 4)
			id->ppid = (pid_t)v;
		else if (field == 9)
			*flags = (unsigned long)v;
	}
	/* fields 10-21 (fault counts, times, priority, nice: some signed), then starttime */
	for (int field = 10; field < 22; field++) {
		parse_skip_spaces(&p, end);
		while (p < end && *p != ' ')
			p++;
	}
	parse_skip_spaces(&p, end);
	if (parse_u64(&p, end, &v) && (p == end || *p == ' ')) {
		id->start_ms = ticks_to_ms(v);
		id->have_start = true;
		id->mm_hint = stat_mm_hint(p, end);
	}
	return 0;
}

/* The command line, NULs between arguments made spaces, trailing NULs dropped. */
static char *join_cmdline(struct buf *b)
{
	size_t n = b->len;

	while (n && b->buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (b->buf[i] == '\0')
			b->buf[i] = ' ';
	return xstrndup(b->buf, n);
}

static int read_file(int root_fd, pid_t pid, const char *name, struct buf *b)
{
	char path[48];

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	return buf_read_whole_at(b, root_fd, path, 1u << 20);
}

/*
 * The identity of process pid, as far as want asks. Returns 0, 1 for a
 * kernel thread, or -errno when the process cannot be read (gone).
 */
static int ident_read(int root_fd, pid_t pid, unsigned want, struct proc_ident *id, struct buf *b)
{
	char path[48];
	struct stat st;
	unsigned long flags = 0;
	bool have_stat = false;

	memset(id, 0, sizeof(*id));
	id->pid = pid;
	snprintf(path, sizeof(path), "%d", (int)pid);
	if (fstatat(root_fd, path, &st, 0) < 0)
		return -errno;
	id->uid = st.st_uid;
	user_name(id->uid, id->user, sizeof(id->user));
	if (want & IDENT_CMDLINE) {
		if (read_file(root_fd, pid, "cmdline", b) < 0)
			return -ESRCH;
		id->cmdline = join_cmdline(b);
	}
	if ((want & IDENT_STAT) || !(want & IDENT_CMDLINE) || !id->cmdline[0]) {
		if (read_file(root_fd, pid, "stat", b) < 0 || parse_stat(b->buf, b->len, id, &flags) < 0)
			return -ESRCH;
		have_stat = true;
	}
	if (have_stat && (flags & PF_KTHREAD))
		return 1;
	/*
	 * Without stat, the command line is the hint: it is read from the mm's
	 * own memory, so processes sharing one mm read the same (and both
	 * empty, then both had stat read). kcmp(2) still tells.
	 */
	if (!have_stat && id->cmdline[0])
		id->mm_hint = str_hash64(id->cmdline) | 1;
	if (!id->cmdline)
		id->cmdline = xstrdup("");
	if (want & IDENT_EXE) {
		char target[PATH_MAX];
		ssize_t n;

		snprintf(path, sizeof(path), "%d/exe", (int)pid);
		n = readlinkat(root_fd, path, target, sizeof(target) - 1);
		if (n > 0 && target[0] == '/')
			id->exe = xstrndup(target, (size_t)n);
	}
	if ((want & IDENT_CGROUP) && read_file(root_fd, pid, "cgroup", b) == 0)
		id->cgroup = cgroup_path(b->buf, b->len);
	return 0;
}

static int cmp_ident(const void *a, const void *b)
{
	const struct proc_ident *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * The order kcmp(2) KCMP_VM gives two processes' mms: 0 the same mm, else
 * -1 or 1 (a consistent order of the kernel's obfuscated pointers). Where
 * it does not answer (not permitted, gone, no kcmp), processes are told
 * apart by pid: they count as separate mms.
 */
static int cmp_mm(const struct proc_ident *x, const struct proc_ident *y)
{
	long r = syscall(SYS_kcmp, x->pid, y->pid, KCMP_VM, 0, 0);

	if (r == 0 || r == 1 || r == 2)
		return r == 0 ? 0 : r == 1 ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * Sorts the processes idx[0..n) by their mm (cmp_mm), merge sort into
 * tmp: O(n log n) kcmp calls however many processes look alike, and safe
 * whatever the answers (a process exiting midway may answer one way, then
 * another).
 */
static void sort_by_mm(const struct proc_ident *ids, size_t *idx, size_t *tmp, size_t n)
{
	size_t h = n / 2, a = 0, b = h, k = 0;

	if (n < 2)
		return;
	sort_by_mm(ids, idx, tmp, h);
	sort_by_mm(ids, idx + h, tmp, n - h);
	while (a < h || b < n)
		tmp[k++] = b == n || (a < h && cmp_mm(&ids[idx[a]], &ids[idx[b]]) <= 0) ? idx[a++] : idx[b++];
	memcpy(idx, tmp, n * sizeof(*idx));
}

static int cmp_hint(const void *a, const void *b, void *arg)
{
	const struct proc_ident *ids = arg;
	const struct proc_ident *x = &ids[*(const size_t *)a], *y = &ids[*(const size_t *)b];

	if (x->mm_hint != y->mm_hint)
		return x->mm_hint < y->mm_hint ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The processes of idx[0..n) (alike by hint) that share an mm: each marked with the lowest pid of its set. */
static void mark_shared(struct proc_ident *ids, size_t *idx, size_t *tmp, size_t n)
{
	sort_by_mm(ids, idx, tmp, n);
	for (size_t i = 0, j; i < n; i = j) {
		pid_t low = ids[idx[i]].pid;

		for (j = i + 1; j < n && syscall(SYS_kcmp, ids[idx[i]].pid, ids[idx[j]].pid, KCMP_VM, 0, 0) == 0; j++)
			low = ids[idx[j]].pid < low ? ids[idx[j]].pid : low;
		for (size_t k = i; k < j; k++)
			ids[idx[k]].shares_mm_with = ids[idx[k]].pid == low ? 0 : low;
	}
}

/*
 * Processes that share one mm (SPEC 2.4): among those whose hints agree
 * (the mm fields of stat when it was read, else the command line), kcmp(2)
 * tells. Sets ids[].shares_mm_with.
 */
static void find_shared_mms(struct proc_ident *ids, size_t n)
{
	size_t *idx = xmalloc((n + 1) * sizeof(*idx)), *tmp = xmalloc((n + 1) * sizeof(*tmp)), m = 0;

	for (size_t i = 0; i < n; i++)
		if (ids[i].mm_hint && !ids[i].err)
			idx[m++] = i;
	if (m > 1)
		qsort_r(idx, m, sizeof(*idx), cmp_hint, ids);
	for (size_t i = 0, j; i < m; i = j) {
		for (j = i + 1; j < m && ids[idx[j]].mm_hint == ids[idx[i]].mm_hint; j++)
			;
		if (j - i > 1)
			mark_shared(ids, idx + i, tmp, j - i);
	}
	free(idx);
	free(tmp);
}

static int list_only(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		     size_t *n)
{
	struct proc_ident *ids = xcalloc(nonly + 1, sizeof(*ids));
	struct buf b = BUF_INIT;
	size_t k = 0;

	for (size_t i = 0; i < nonly; i++) {
		if (only[i] <= 0)
			continue;
		if (ident_read(s->root_fd, only[i], want, &ids[k], &b) == 0)
			k++;
		else
			proc_ident_release(&ids[k]);
	}
	buf_release(&b);
	qsort(ids, k, sizeof(*ids), cmp_ident);
	/* A pid asked for twice is listed once. */
	for (size_t i = 1, w = 1; i <= k; i++) {
		if (i == k) {
			k = w;
			break;
		}
		if (ids[i].pid == ids[w - 1].pid)
			proc_ident_release(&ids[i]);
		else
			ids[w++] = ids[i];
	}
	find_shared_mms(ids, k);
	*out = ids;
	*n = k;
	return 0;
}

static int live_list(struct source *s, unsigned want, const pid_t *only, size_t nonly, struct proc_ident **out,
		     size_t *n, struct tm_error *err)
{
	int dfd;
	struct proc_ident *ids = NULL;
	size_t k = 0, cap = 0;
	struct buf b = BUF_INIT;
	struct dirent *de;
	DIR *d;

	if (only)
		return list_only(s, want, only, nonly, out, n);
	dfd = openat(s->root_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = dfd < 0 ? NULL : fdopendir(dfd);
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return errorf(err, -EIO, "cannot list processes in '/proc': %s", strerror(errno));
	}
	while ((de = readdir(d))) {
		pid_t pid;
		int rc;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || !str_to_pid(de->d_name, &pid))
			continue;
		xgrow((void **)&ids, &cap, k + 1, sizeof(*ids));
		rc = ident_read(s->root_fd, pid, want, &ids[k], &b);
		if (rc == 0)
			k++;
		else
			proc_ident_release(&ids[k]);   /* a kernel thread, or gone: dropped */
	}
	closedir(d);
	buf_release(&b);
	if (!ids)
		ids = xcalloc(1, sizeof(*ids));
	qsort(ids, k, sizeof(*ids), cmp_ident);
	find_shared_mms(ids, k);
	*out = ids;
	*n = k;
	return 0;
}

static int live_read_proc(struct source *s, pid_t pid, const char *name, struct buf *b, struct tm_error *err)
{
	char path[64];
	int rc;

	snprintf(path, sizeof(path), "%d/%s", (int)pid, name);
	rc = buf_read_at(b, s->root_fd, path, SIZE_MAX / 2);
	if (rc < 0)
		return errorf(err, rc, "cannot read '/proc/%s': %s", path, strerror(-rc));
	/* A process that exited between open and read leaves an empty file. */
	if (b->len == 0 && strcmp(name, "cmdline") != 0) {
		if (faccessat(s->root_fd, path, F_OK, 0) < 0)
			return errorf(err, -ESRCH, "process %d vanished", (int)pid);
	}
	return 0;
}

static int live_read_top(struct source *s, const char *name, struct buf *b, struct tm_error *err)
{
	int rc = buf_read_at(b, s->root_fd, name, 16u << 20);

	if (rc < 0)
		return errorf(err, rc, "cannot read '/proc/%s': %s", name, strerror(-rc));
	return 0;
}

static enum vma_fs live_mapping_fs(struct source *s, pid_t pid, uint64_t start, uint64_t end)
{
	char path[96];
	struct statfs sfs;
	struct stat st;
	enum vma_fs fs = VMA_FS_UNKNOWN;
	int fd;

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

static void live_time(struct source *s, struct timespec *out)
{
	clock_gettime(CLOCK_REALTIME, out);
}

const struct source_ops source_live_ops = {
	.list = live_list,
	.read_proc = live_read_proc,
	.read_top = live_read_top,
	.mapping_fs = live_mapping_fs,
	.time = live_time,
	.pagemap_open = live_pagemap_open,
	.pagemap_ranges = live_pagemap_ranges,
	.pagemap_read = live_pagemap_read,
	.pagemap_close = file_pagemap_close,
	.kpage_lookup = live_kpage_lookup,
	.kpage_cgroup_lookup = live_kpage_cgroup_lookup,
	.close = source_close_files,
};
