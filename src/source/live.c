/*
 * live.c: the live system as a source. /proc is the root directory fd;
 * processes are enumerated, and their identity read, through libproc2's
 * pids API (procps-ng <libproc2/pids.h>). Kernel threads (PF_KTHREAD) map
 * no user memory and are skipped, as smem and procrank skip them.
 *
 * Whether exact mode is possible is found out, not assumed: PFNs in
 * pagemap read as 0 without CAP_SYS_ADMIN (pagemap.rst, "Since Linux 4.2"),
 * and /proc/kpage* are root-only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libproc2/pids.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kernel.h"
#include "kfeatures.h"
#include "snapshot.h"
#include "source.h"

#define PF_KTHREAD 0x00200000UL   /* include/linux/sched.h */

enum live_item { LI_PID, LI_PPID, LI_EUID, LI_EUSER, LI_CMD, LI_CMDLINE_V, LI_EXE, LI_CGROUP, LI_FLAGS };
static enum pids_item live_items[] = {
	[LI_PID] = PIDS_ID_PID, [LI_PPID] = PIDS_ID_PPID, [LI_EUID] = PIDS_ID_EUID,
	[LI_EUSER] = PIDS_ID_EUSER, [LI_CMD] = PIDS_CMD, [LI_CMDLINE_V] = PIDS_CMDLINE_V,
	[LI_EXE] = PIDS_EXE, [LI_CGROUP] = PIDS_CGROUP, [LI_FLAGS] = PIDS_FLAGS,
};

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
	s->kind = SOURCE_LIVE;
	s->kpagecount_fd = s->kpageflags_fd = -1;
	s->root_path = xstrdup("/proc");
	s->root_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return errorf(err, -errno, "cannot open '/proc': %s", strerror(errno));
	s->page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	if (gethostname(s->host, sizeof(s->host) - 1) < 0)
		strcpy(s->host, "localhost");
	s->kpagecount_fd = openat(s->root_fd, "kpagecount", O_RDONLY | O_CLOEXEC);
	s->kpageflags_fd = openat(s->root_fd, "kpageflags", O_RDONLY | O_CLOEXEC);
	if (s->kpagecount_fd < 0 || s->kpageflags_fd < 0)
		s->exact_why = "cannot read /proc/kpagecount and /proc/kpageflags (needs CAP_SYS_ADMIN)";
	else if (!kfeatures_pfns_visible(s->root_fd, s->page_size))
		s->exact_why = "pagemap hides frame numbers without CAP_SYS_ADMIN";
	else
		s->exact_ok = true;
	/* TRUEMEM_NO_PAGEMAP_SCAN forces the plain-read path kernels before 6.7 take (tests use it). */
	s->have_pagemap_scan = !getenv("TRUEMEM_NO_PAGEMAP_SCAN") && kfeatures_pagemap_scan(s->root_fd, s->page_size);
	if (procps_pids_new((struct pids_info **)&s->pids_info, live_items,
			    (int)ARRAY_SIZE(live_items)) < 0)
		return errorf(err, -EIO, "cannot start libproc2 (is /proc mounted?)");
	return 0;
}

/*
 * The cgroup a process is accounted to, from libproc2's /proc/PID/cgroup
 * lines joined by ',' ("ID:CONTROLLERS:PATH"): the unified (v2) hierarchy's
 * path, else the memory controller's, else the first. Owned by the caller.
 */
static char *cgroup_path(const char *lines)
{
	char *copy = xstrdup(lines), *save = NULL, *best = NULL, *path;
	int rank = 0;

	for (char *e = strtok_r(copy, ",", &save); e; e = strtok_r(NULL, ",", &save)) {
		char *c1 = strchr(e, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		int r;

		if (!c2)
			continue;
		*c2 = '\0';
		r = !strcmp(e, "0:") ? 3 : strstr(c1 + 1, "memory") ? 2 : 1;
		if (r > rank) {
			rank = r;
			best = c2 + 1;
		}
	}
	path = xstrdup(best ? best : lines);
	free(copy);
	return path;
}

static void ident_from_stack(struct proc_ident *id, struct pids_stack *st)
{
	char **argv = PIDS_VAL(LI_CMDLINE_V, strv, st, NULL);
	const char *exe = PIDS_VAL(LI_EXE, str, st, NULL);
	const char *cg = PIDS_VAL(LI_CGROUP, str, st, NULL);
	struct buf cmd = BUF_INIT;

	memset(id, 0, sizeof(*id));
	id->pid = PIDS_VAL(LI_PID, s_int, st, NULL);
	id->ppid = PIDS_VAL(LI_PPID, s_int, st, NULL);
	id->uid = PIDS_VAL(LI_EUID, u_int, st, NULL);
	snprintf(id->user, sizeof(id->user), "%s", PIDS_VAL(LI_EUSER, str, st, NULL));
	snprintf(id->comm, sizeof(id->comm), "%s", PIDS_VAL(LI_CMD, str, st, NULL));
	buf_addstr(&cmd, "");
	/* libproc2 gives "[comm]" as the single argument when cmdline is empty. */
	for (size_t i = 0; argv && argv[i]; i++) {
		if (i == 0 && !argv[1] && argv[0][0] == '[' && !strncmp(argv[0] + 1, id->comm, strlen(id->comm)))
			break;
		if (i)
			buf_add(&cmd, " ", 1);
		buf_addstr(&cmd, argv[i]);
	}
	id->cmdline = cmd.buf;
	id->exe = exe && exe[0] == '/' ? xstrdup(exe) : NULL;
	if (cg && cg[0] && strcmp(cg, "-"))
		id->cgroup = cgroup_path(cg);
}

/*
 * libproc2 makes comm and the command line printable ('?' for control
 * bytes, a space for a newline). truemem escapes them itself, visibly
 * (\e, \n), when it prints them, so it wants the raw bytes: read from
 * /proc/PID/comm and /proc/PID/cmdline, arguments joined by spaces. When
 * the process is gone already, libproc2's values stay.
 */
static void ident_raw_names(int root_fd, struct proc_ident *id, struct buf *b)
{
	char path[32];

	snprintf(path, sizeof(path), "%d/comm", (int)id->pid);
	if (buf_read_at(b, root_fd, path, 4096) == 0 && b->len) {
		size_t n = b->len - (b->buf[b->len - 1] == '\n');

		snprintf(id->comm, sizeof(id->comm), "%.*s", (int)n, b->buf);
	}
	snprintf(path, sizeof(path), "%d/cmdline", (int)id->pid);
	if (buf_read_at(b, root_fd, path, 1u << 20) == 0 && b->len) {
		size_t n = b->len;

		while (n && b->buf[n - 1] == '\0')
			n--;
		for (size_t i = 0; i < n; i++)
			if (b->buf[i] == '\0')
				b->buf[i] = ' ';
		free(id->cmdline);
		id->cmdline = xstrndup(b->buf, n);
	}
}

static int cmp_ident(const void *a, const void *b)
{
	const struct proc_ident *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int source_list_live(struct source *s, struct proc_ident **out, size_t *n, struct tm_error *err)
{
	struct pids_fetch *f = procps_pids_reap(s->pids_info, PIDS_FETCH_TASKS_ONLY);
	struct proc_ident *ids;
	struct buf b = BUF_INIT;
	size_t k = 0;

	if (!f)
		return errorf(err, -EIO, "cannot list processes in '/proc'");
	ids = xcalloc((size_t)f->counts->total + 1, sizeof(*ids));
	for (int i = 0; i < f->counts->total; i++) {
		struct pids_stack *st = f->stacks[i];

		if (PIDS_VAL(LI_FLAGS, ul_int, st, NULL) & PF_KTHREAD)
			continue;
		ident_from_stack(&ids[k], st);
		ident_raw_names(s->root_fd, &ids[k++], &b);
	}
	buf_release(&b);
	qsort(ids, k, sizeof(*ids), cmp_ident);
	*out = ids;
	*n = k;
	return 0;
}

void source_live_release(struct source *s)
{
	procps_pids_unref((struct pids_info **)&s->pids_info);
	s->pids_info = NULL;
}
