/*
 * cgroup_read.c: reading the memory cgroup hierarchy (cgroup.h) and the
 * memcg of frames. Live, cgroup v2 (Documentation/admin-guide/cgroup-v2.rst:
 * memory.current, memory.max, memory.swap.current, memory.stat,
 * cgroup.procs) or the v1 memory hierarchy (.../cgroup-v1/memory.rst:
 * memory.usage_in_bytes, memory.limit_in_bytes, memory.memsw.usage_in_bytes,
 * memory.kmem.usage_in_bytes), mapped into v2's shape; /proc/kpagecgroup
 * for frames (Documentation/admin-guide/mm/pagemap.rst). A snapshot holds
 * both as members "cgroups" and "kpagecgroup".
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

#include "cgroup.h"
#include "snapshot.h"
#include "source.h"
#include "source_internal.h"

#define MAX_DEPTH 64
#define MAX_CGROUPS 100000
/* v1 reports "no limit" as PAGE_COUNTER_MAX pages in bytes (0x7FFFFFFFFFFFF000 with 4 KiB pages). */
#define V1_UNLIMITED (UINT64_C(1) << 62)

/* Reads one number from dirfd/name ("max" gives *has false). Returns 0 or -errno. */
static int read_num(int dirfd, const char *name, bool *has, uint64_t *v)
{
	struct buf b = BUF_INIT;
	int rc = buf_read_at(&b, dirfd, name, 4096);

	if (rc == 0) {
		char *nl = strchr(b.buf, '\n');

		if (nl)
			*nl = '\0';
		if (!strcmp(b.buf, "max"))
			*has = false;
		else if (str_to_u64(b.buf, v))
			*has = true;
		else
			rc = -EINVAL;
	}
	buf_release(&b);
	return rc;
}

/* v2's kernel memory from memory.stat: "kernel", else the sum of its parts. */
static bool stat_kernel(int dirfd, uint64_t *out)
{
	static const char *const parts[] = { "slab", "kernel_stack", "pagetables", "sec_pagetables", "percpu",
					     "sock", "vmalloc" };
	struct buf b = BUF_INIT;
	uint64_t sum = 0, v;
	bool found = false, kernel = false;

	if (buf_read_at(&b, dirfd, "memory.stat", 1u << 20) < 0) {
		buf_release(&b);
		return false;
	}
	for (char *line = b.buf; line && *line && !kernel;) {
		char *nl = strchr(line, '\n'), *sp = strchr(line, ' ');

		if (nl)
			*nl = '\0';
		if (sp) {
			*sp = '\0';
			if (str_to_u64(sp + 1, &v)) {
				if (!strcmp(line, "kernel")) {
					sum = v;
					found = kernel = true;
				}
				for (size_t i = 0; i < ARRAY_SIZE(parts) && !kernel; i++)
					if (!strcmp(line, parts[i])) {
						sum += v;
						found = true;
					}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_release(&b);
	*out = sum;
	return found;
}

static int cmp_pid_t(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Appends the pids of dirfd/cgroup.procs to n (a vanished cgroup has none). */
static void read_procs(int dirfd, struct cgroup_node *n)
{
	struct buf b = BUF_INIT;

	if (buf_read_at(&b, dirfd, "cgroup.procs", 64u << 20) == 0) {
		char *save = NULL;

		for (char *t = strtok_r(b.buf, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
			pid_t pid;

			if (!str_to_pid(t, &pid))
				continue;
			n->procs = xrealloc(n->procs, (n->nprocs + 1) * sizeof(*n->procs));
			n->procs[n->nprocs++] = pid;
		}
	}
	buf_release(&b);
}

/* Reads the charge files of the cgroup at dirfd into n (v2 names, or v1 mapped to them). */
static int read_node(int dirfd, int version, struct cgroup_node *n)
{
	bool has = false;
	uint64_t v = 0, usage;
	int rc;

	if (version == 2) {
		if ((rc = read_num(dirfd, "memory.current", &has, &n->current)) < 0)
			return rc;
		if (read_num(dirfd, "memory.max", &n->has_max, &n->max) < 0)
			n->has_max = false;
		if (read_num(dirfd, "memory.swap.current", &n->has_swap, &n->swap) < 0)
			n->has_swap = false;
		n->has_kernel = stat_kernel(dirfd, &n->kernel);
		return 0;
	}
	if ((rc = read_num(dirfd, "memory.usage_in_bytes", &has, &usage)) < 0)
		return rc;
	n->current = usage;
	if (read_num(dirfd, "memory.limit_in_bytes", &n->has_max, &n->max) < 0 || n->max >= V1_UNLIMITED)
		n->has_max = false;
	n->has_swap = read_num(dirfd, "memory.memsw.usage_in_bytes", &has, &v) == 0 && has;
	n->swap = n->has_swap && v > usage ? v - usage : 0;
	n->has_kernel = read_num(dirfd, "memory.kmem.usage_in_bytes", &has, &n->kernel) == 0 && has;
	return 0;
}

struct walk {
	struct cgroup_tree *t;
	int version;
	struct tm_error *err;
};

/* v2: the processes of a directory without the memory controller, and of all below it, go to node n. */
static void absorb_procs(int dirfd, struct cgroup_node *n, int depth)
{
	DIR *d;
	struct dirent *de;
	int dup_fd;

	read_procs(dirfd, n);
	if (depth >= MAX_DEPTH || (dup_fd = dup(dirfd)) < 0)
		return;
	if (!(d = fdopendir(dup_fd))) {
		close(dup_fd);
		return;
	}
	while ((de = readdir(d))) {
		int fd;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		absorb_procs(fd, n, depth + 1);
		close(fd);
	}
	closedir(d);
}

/* Adds the cgroup at dirfd (path, parent index) and, depth first, its children. */
static int walk_dir(struct walk *w, int dirfd, const char *path, int parent)
{
	struct cgroup_node n = { .parent = parent };
	struct stat st;
	DIR *d;
	struct dirent *de;
	int idx, dup_fd, rc;

	if (fstat(dirfd, &st) < 0)
		return 0;   /* removed while walked */
	n.ino = (uint64_t)st.st_ino;
	n.depth = parent < 0 ? 0 : w->t->n[parent].depth + 1;
	if ((rc = read_node(dirfd, w->version, &n)) < 0 && parent >= 0)
		return 0;   /* removed while walked, or (v2) no memory controller here */
	n.path = xstrdup(path);
	read_procs(dirfd, &n);
	if (w->t->count >= MAX_CGROUPS)
		return errorf(w->err, -E2BIG, "more than %d memory cgroups", MAX_CGROUPS);
	w->t->n = xrealloc(w->t->n, (w->t->count + 1) * sizeof(*w->t->n));
	idx = (int)w->t->count;
	w->t->n[w->t->count++] = n;
	if (n.depth >= MAX_DEPTH || (dup_fd = dup(dirfd)) < 0)
		return 0;
	if (!(d = fdopendir(dup_fd))) {
		close(dup_fd);
		return 0;
	}
	rc = 0;
	while (!rc && (de = readdir(d))) {
		char *child;
		int fd;

		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)) < 0)
			continue;
		if (w->version == 2 && faccessat(fd, "memory.current", F_OK, 0) < 0) {
			absorb_procs(fd, &w->t->n[idx], n.depth + 1);
		} else {
			child = xasprintf("%s/%s", idx == 0 ? "" : path, de->d_name);
			rc = walk_dir(w, fd, child, idx);
			free(child);
		}
		close(fd);
	}
	closedir(d);
	return rc;
}

int cgroup_tree_read_dir(const char *dir, int version, uint64_t root_current, struct cgroup_tree *out,
			 struct tm_error *err)
{
	struct walk w = { .t = out, .version = version, .err = err };
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	memset(out, 0, sizeof(*out));
	out->version = version;
	if (fd < 0)
		return errorf(err, -errno, "cannot open '%s': %s", dir, strerror(errno));
	rc = walk_dir(&w, fd, "/", -1);
	close(fd);
	if (rc == 0 && !out->count)
		rc = errorf(err, -ENOENT, "'%s' is not a memory cgroup hierarchy", dir);
	if (rc < 0) {
		cgroup_tree_release(out);
		return rc;
	}
	/* The root's charge is what is in use, whatever the root's files say (SPEC 2.3). */
	out->n[0].current = root_current;
	out->n[0].has_max = false;
	for (size_t i = 0; i < out->count; i++)
		if (out->n[i].nprocs)
			qsort(out->n[i].procs, out->n[i].nprocs, sizeof(pid_t), cmp_pid_t);
	return 0;
}

/* Whether the space-separated list in file dir/name holds word. */
static bool file_has_word(const char *dir, const char *name, const char *word)
{
	struct buf b = BUF_INIT;
	bool found = false;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && buf_read_at(&b, fd, name, 4096) == 0) {
		char *save = NULL;

		for (char *t = strtok_r(b.buf, " \n", &save); t && !found; t = strtok_r(NULL, " \n", &save))
			found = !strcmp(t, word);
	}
	if (fd >= 0)
		close(fd);
	buf_release(&b);
	return found;
}

int cgroup_detect(const char *sysfs_cgroup, char **dir, int *version, struct tm_error *err)
{
	char *v1 = xasprintf("%s/memory", sysfs_cgroup);

	if (file_has_word(sysfs_cgroup, "cgroup.controllers", "memory")) {
		free(v1);
		*dir = xstrdup(sysfs_cgroup);
		*version = 2;
		return 0;
	}
	{
		char *probe = xasprintf("%s/memory.usage_in_bytes", v1);
		bool ok = access(probe, R_OK) == 0;

		free(probe);
		if (ok) {
			*dir = v1;
			*version = 1;
			return 0;
		}
	}
	free(v1);
	return errorf(err, -ENOENT, "no memory cgroup controller: '%s' has no cgroup v2 memory controller and "
		      "'%s/memory' no cgroup v1 memory hierarchy", sysfs_cgroup, sysfs_cgroup);
}

int cgroup_read(struct source *s, uint64_t root_current, struct cgroup_tree *out, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	char *dir = NULL;
	int version, rc;

	memset(out, 0, sizeof(*out));
	if (s->caps & SOURCE_STORED) {
		if (!source_snapshot_has(s, "cgroups"))
			return errorf(err, -ENOENT, "the snapshot holds no cgroup files (captured where no memory "
				      "controller was, or by an older truemem)");
		if ((rc = source_read_top(s, "cgroups", &b, err)) == 0 &&
		    cgroup_tree_parse(b.buf, b.len, out) < 0)
			rc = errorf(err, -EIO, "corrupt snapshot: '%s/cgroups' cannot be parsed", s->root_path);
		buf_release(&b);
		return rc;
	}
	if ((rc = cgroup_detect("/sys/fs/cgroup", &dir, &version, err)) < 0)
		return rc;
	rc = cgroup_tree_read_dir(dir, version, root_current, out, err);
	free(dir);
	if (rc == 0 && (s->caps & SOURCE_WHOLE)) {
		cgroup_tree_format(out, &b);
		if (source_keep(s, "cgroups", b.buf, b.len, err) < 0)
			rc = -EIO;
		buf_release(&b);
	}
	return rc;
}
