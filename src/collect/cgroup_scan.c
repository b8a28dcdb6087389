/*
 * cgroup_scan.c: the process numbers of every memory cgroup's subtree
 * (SPEC 2.3: pids, rss, pss, uss, frees), from the normal process scan.
 * Subtrees nest and a scan's groups do not, so the processes are scanned
 * once per depth of the hierarchy: at depth d each process counts in the
 * group of its cgroup's ancestor at depth d, and the groups are exactly the
 * subtrees of the depth-d cgroups. In exact mode each group keeps its
 * distinct frames, whose memcg (kpagecgroup) says which are charged inside
 * the subtree and which elsewhere.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "frameset.h"
#include "scan.h"

#define LOOKUP_BATCH 65536

struct pid_node {
	pid_t pid;
	int node;
};

struct level_ctx {
	const struct cgroup_tree *t;
	const struct pid_node *map;
	size_t nmap;
	int depth;
};

static int cmp_pid_node(const void *a, const void *b)
{
	pid_t x = ((const struct pid_node *)a)->pid, y = ((const struct pid_node *)b)->pid;

	return (x > y) - (x < y);
}

/* The node pid is in, 0 (the root) when no cgroup lists it. */
static int node_of(const struct level_ctx *c, pid_t pid)
{
	struct pid_node key = { pid, 0 };
	const struct pid_node *f = c->nmap ? bsearch(&key, c->map, c->nmap, sizeof(key), cmp_pid_node) : NULL;

	return f ? f->node : 0;
}

/* The ancestor of node at depth d (node itself when not deeper). */
static int ancestor_at(const struct cgroup_tree *t, int node, int d)
{
	while (t->n[node].depth > d)
		node = t->n[node].parent;
	return node;
}

static char *level_key(void *ctx, const struct proc_ident *id)
{
	const struct level_ctx *c = ctx;

	return xstrdup(c->t->n[ancestor_at(c->t, node_of(c, id->pid), c->depth)].path);
}

/* Counts group g's frames by memcg into in. Returns 0 or -errno (err set). */
static int tally_frames(struct source *s, const struct cgroup_tree *t, size_t node, const struct frame_set *fs,
			struct cgroup_input *in, struct tm_error *err)
{
	uint64_t *pfns = xmalloc(LOOKUP_BATCH * sizeof(*pfns)), *inos = xmalloc(LOOKUP_BATCH * sizeof(*inos));
	uint64_t pos = 0, pfn;
	size_t n = 0;
	bool more = true;
	int rc = 0;

	while (more && rc == 0) {
		more = frame_set_next(fs, &pos, &pfn);
		if (more)
			pfns[n++] = pfn;
		if (n == LOOKUP_BATCH || (!more && n)) {
			rc = kpage_cgroup_lookup(s, pfns, n, inos, err);
			if (rc == 0)
				cgroup_tally(t, node, inos, n, &in->inside_pages, &in->elsewhere_pages);
			n = 0;
		}
	}
	free(pfns);
	free(inos);
	if (rc == 0)
		in->frames_known = true;
	return rc;
}

/* Stores the groups of level scan sc into in[] (and their frames' memcg). Returns 0 or -1 with err set. */
static int take_level(struct source *s, const struct cgroup_tree *t, struct scan *sc, struct cgroup_input *in,
		      struct tm_error *why, struct tm_error *err)
{
	for (size_t g = 0; g < sc->ngroups; g++) {
		struct group *gr = &sc->groups[g];
		int node = cgroup_find_path(t, gr->key);
		int rc;

		if (node < 0 || in[node].scanned)
			continue;
		in[node].scanned = true;
		in[node].counts = gr->counts;
		in[node].pids = gr->pids;   /* taken over */
		in[node].npids = gr->npids;
		gr->pids = NULL;
		gr->npids = 0;
		if (why->msg[0] || !gr->frames)
			continue;
		rc = tally_frames(s, t, (size_t)node, gr->frames, &in[node], why);
		if (rc < 0 && rc != -ENOENT) {   /* -ENOENT: no kpagecgroup, why says so */
			*err = *why;
			return -1;
		}
	}
	return 0;
}

int cgroup_scan(struct source *s, const struct cgroup_tree *t, const struct scan_opts *base, const bool *want,
		struct cgroup_input *in, struct scan *top, struct tm_error *why, struct tm_error *err)
{
	struct level_ctx ctx = { .t = t };
	struct pid_node *map = NULL;
	size_t nmap = 0, cap = 0;
	int maxdepth = 0, rc = 0;

	for (size_t i = 0; i < t->count; i++) {
		for (size_t k = 0; k < t->n[i].nprocs; k++) {
			xgrow((void **)&map, &cap, nmap + 1, sizeof(*map));
			map[nmap++] = (struct pid_node){ t->n[i].procs[k], (int)i };
		}
		if (t->n[i].nprocs && t->n[i].depth > maxdepth)
			maxdepth = t->n[i].depth;
	}
	if (nmap)
		qsort(map, nmap, sizeof(*map), cmp_pid_node);
	ctx.map = map;
	ctx.nmap = nmap;
	why->msg[0] = '\0';
	memset(top, 0, sizeof(*top));
	for (int d = 0; d <= maxdepth && rc == 0; d++) {
		struct scan_opts so = *base;
		struct scan sc;
		pid_t *pids = NULL;
		size_t npids = 0;

		ctx.depth = d;
		so.group_key = level_key;
		so.group_ctx = &ctx;
		so.group_by = GROUP_CGROUP;
		so.flags |= SCAN_GROUP_FRAMES;   /* honoured in exact mode */
		if (d > 0) {
			/* The processes of the wanted depth-d subtrees; none: no scan. */
			pids = xmalloc((nmap + 1) * sizeof(*pids));
			for (size_t i = 0; i < nmap; i++) {
				int node = map[i].node;

				if (t->n[node].depth >= d && (!want || want[ancestor_at(t, node, d)]))
					pids[npids++] = map[i].pid;
			}
			if (!npids) {
				free(pids);
				continue;
			}
			so.pids = pids;
			so.npids = npids;
			so.mode = top->mode;
		}
		if (scan_run(s, &so, &sc, err) < 0) {
			free(pids);
			rc = -1;
			break;
		}
		rc = take_level(s, t, &sc, in, why, err);
		free(pids);
		if (d == 0)
			*top = sc;   /* kept for the document: mode, time, host, meminfo */
		else
			scan_release(&sc);
	}
	/* A cgroup without processes: its numbers are known, and 0. */
	for (size_t i = 0; i < t->count && rc == 0; i++) {
		if (in[i].scanned)
			continue;
		in[i].scanned = true;
		in[i].counts.valid = top->mode == MODE_EXACT ? CNT_RSS | CNT_PSS | CNT_USS | CNT_FATES : CNT_PSS;
		in[i].frames_known = top->mode == MODE_EXACT && !why->msg[0];
	}
	free(map);
	return rc;
}

void cgroup_inputs_release(struct cgroup_input *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(in[i].pids);
	free(in);
}
