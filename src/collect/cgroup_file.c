/*
 * cgroup_file.c: the snapshot member "cgroups" (cgroup.h), the memory
 * cgroup hierarchy in cgroup v2's shape, one record per cgroup:
 *
 *   truemem-cgroups 1
 *   version 1|2
 *   cgroup PATH                 starts a record; PATH C-escaped, "/" the root
 *   inode N                     the memcg inode kpagecgroup names
 *   memory.current N            bytes, the subtree's charge (root: MemTotal - MemFree)
 *   memory.max N|max
 *   memory.swap.current N|-     optional, "-": unknown
 *   kernel N|-                  optional: kernel memory charged, bytes
 *   procs PID ...               optional: the processes in this cgroup itself
 *
 * The root comes first and every parent before its children; a path and
 * an inode appear once, a pid in one record at most.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "snapshot.h"

#define CGROUP_FILE_MAGIC "truemem-cgroups 1"

void cgroup_tree_release(struct cgroup_tree *t)
{
	for (size_t i = 0; i < t->count; i++) {
		free(t->n[i].path);
		free(t->n[i].procs);
	}
	free(t->n);
	memset(t, 0, sizeof(*t));
}

bool cgroup_in_subtree(const struct cgroup_tree *t, size_t i, size_t anc)
{
	for (int k = (int)i; k >= 0; k = t->n[k].parent)
		if ((size_t)k == anc)
			return true;
	return false;
}

int cgroup_find_ino(const struct cgroup_tree *t, uint64_t ino)
{
	for (size_t i = 0; i < t->count; i++)
		if (t->n[i].ino == ino)
			return (int)i;
	return -1;
}

int cgroup_find_path(const struct cgroup_tree *t, const char *path)
{
	for (size_t i = 0; i < t->count; i++)
		if (!strcmp(t->n[i].path, path))
			return (int)i;
	return -1;
}

/* Appends " N", or " none" when !has. */
static void add_opt(struct buf *b, const char *key, bool has, uint64_t v, const char *none)
{
	if (has)
		buf_addf(b, "%s %" PRIu64 "\n", key, v);
	else
		buf_addf(b, "%s %s\n", key, none);
}

void cgroup_tree_format(const struct cgroup_tree *t, struct buf *b)
{
	buf_addf(b, "%s\nversion %d\n", CGROUP_FILE_MAGIC, t->version);
	for (size_t i = 0; i < t->count; i++) {
		const struct cgroup_node *n = &t->n[i];

		buf_addstr(b, "cgroup ");
		snap_escape(b, n->path);
		buf_addf(b, "\ninode %" PRIu64 "\nmemory.current %" PRIu64 "\n", n->ino, n->current);
		add_opt(b, "memory.max", n->has_max, n->max, "max");
		add_opt(b, "memory.swap.current", n->has_swap, n->swap, "-");
		add_opt(b, "kernel", n->has_kernel, n->kernel, "-");
		if (n->nprocs) {
			buf_addstr(b, "procs");
			for (size_t k = 0; k < n->nprocs; k++)
				buf_addf(b, " %d", (int)n->procs[k]);
			buf_addstr(b, "\n");
		}
	}
}

/* Parses "N" or the literal none into *v / *has. */
static int parse_opt(const char *v, const char *none, bool *has, uint64_t *out)
{
	if (!strcmp(v, none)) {
		*has = false;
		return 0;
	}
	*has = true;
	return str_to_u64(v, out) ? 0 : -EINVAL;
}

static int parse_procs(char *v, struct cgroup_node *n)
{
	char *save = NULL;

	for (char *t = strtok_r(v, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		pid_t pid;

		if (!str_to_pid(t, &pid) || (n->nprocs && n->procs[n->nprocs - 1] >= pid))
			return -EINVAL;
		n->procs = xrealloc(n->procs, (n->nprocs + 1) * sizeof(*n->procs));
		n->procs[n->nprocs++] = pid;
	}
	return 0;
}

/* The parent of path among the records so far: its longest proper prefix ending before a '/'. */
static int find_parent(const struct cgroup_tree *t, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int i;

	if (!slash || !slash[1])
		return -1;
	parent = slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
	i = cgroup_find_path(t, parent);
	free(parent);
	return i;
}

enum { SEEN_INO = 1, SEEN_CUR = 2, SEEN_MAX = 4, SEEN_ALL = 7 };

static int start_record(struct cgroup_tree *t, char *v)
{
	struct cgroup_node n = { .parent = -1 };

	if (snap_unescape(v) < 0 || v[0] != '/' || cgroup_find_path(t, v) >= 0)
		return -EINVAL;
	if (t->count == 0) {
		if (strcmp(v, "/"))
			return -EINVAL;
	} else if ((n.parent = find_parent(t, v)) < 0) {
		return -EINVAL;
	} else {
		n.depth = t->n[n.parent].depth + 1;
	}
	n.path = xstrdup(v);
	t->n = xrealloc(t->n, (t->count + 1) * sizeof(*t->n));
	t->n[t->count++] = n;
	return 0;
}

/* Stores one "key value" line into the current record. */
static int parse_field(struct cgroup_tree *t, const char *k, char *v, unsigned *seen)
{
	struct cgroup_node *n;

	if (!t->count)
		return -EINVAL;
	n = &t->n[t->count - 1];
	if (!strcmp(k, "inode")) {
		*seen |= SEEN_INO;
		return str_to_u64(v, &n->ino) && n->ino && cgroup_find_ino(t, n->ino) == (int)t->count - 1 ? 0 : -EINVAL;
	}
	if (!strcmp(k, "memory.current")) {
		*seen |= SEEN_CUR;
		return str_to_u64(v, &n->current) ? 0 : -EINVAL;
	}
	if (!strcmp(k, "memory.max")) {
		*seen |= SEEN_MAX;
		return parse_opt(v, "max", &n->has_max, &n->max);
	}
	if (!strcmp(k, "memory.swap.current"))
		return parse_opt(v, "-", &n->has_swap, &n->swap);
	if (!strcmp(k, "kernel"))
		return parse_opt(v, "-", &n->has_kernel, &n->kernel);
	if (!strcmp(k, "procs") && !n->nprocs)
		return parse_procs(v, n);
	return -EINVAL;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* No pid in two records. */
static int check_procs(const struct cgroup_tree *t)
{
	size_t total = 0, k = 0;
	pid_t *all;
	int rc = 0;

	for (size_t i = 0; i < t->count; i++)
		total += t->n[i].nprocs;
	all = xmalloc((total + 1) * sizeof(*all));
	for (size_t i = 0; i < t->count; i++)
		for (size_t j = 0; j < t->n[i].nprocs; j++)
			all[k++] = t->n[i].procs[j];
	qsort(all, total, sizeof(*all), cmp_pid);
	for (size_t i = 1; i < total && !rc; i++)
		if (all[i] == all[i - 1])
			rc = -EINVAL;
	free(all);
	return rc;
}

int cgroup_tree_parse(const char *text, size_t len, struct cgroup_tree *out)
{
	char *copy, *body, *line, *save = NULL;
	unsigned seen = SEEN_ALL;
	int rc = 0, version = 0;

	memset(out, 0, sizeof(*out));
	if (!(body = text_after_magic(text, len, CGROUP_FILE_MAGIC, &copy)))
		return -EINVAL;
	for (line = strtok_r(body, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp) {
			rc = -EINVAL;
			break;
		}
		*sp++ = '\0';
		if (!version) {
			rc = !strcmp(line, "version") && (!strcmp(sp, "1") || !strcmp(sp, "2")) ? 0 : -EINVAL;
			version = sp[0] - '0';
		} else if (!strcmp(line, "cgroup")) {
			rc = seen == SEEN_ALL ? start_record(out, sp) : -EINVAL;
			seen = 0;
		} else {
			rc = parse_field(out, line, sp, &seen);
		}
	}
	free(copy);
	out->version = version;
	if (!rc && (!version || !out->count || seen != SEEN_ALL))
		rc = -EINVAL;
	if (!rc)
		rc = check_procs(out);
	if (rc)
		cgroup_tree_release(out);
	return rc;
}
