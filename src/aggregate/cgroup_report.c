/*
 * cgroup_report.c: `truemem cgroup` (SPEC section 2.3), pure. Each memory
 * cgroup's charge beside the frames charged to its subtree, from the
 * census's memcg split: mapped inside (by a process of the subtree),
 * mapped only outside, unmapped page cache, shmem and anon; the kernel
 * memory charged; and what none of these explains. Frames of memcgs no
 * cgroup directory has any more make the "(removed)" row.
 */
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cgroup.h"
#include "meminfo.h"

void cgroup_tally(const struct cgroup_tree *t, size_t node, const uint64_t *inos, size_t n, uint64_t *inside,
		  uint64_t *elsewhere)
{
	uint64_t last_ino = 0;
	int last_in = 0;

	for (size_t i = 0; i < n; i++) {
		int k;

		if (!inos[i])
			continue;
		/* Runs of one memcg are the rule: look each new inode up once. */
		if (inos[i] != last_ino) {
			last_ino = inos[i];
			k = cgroup_find_ino(t, inos[i]);
			last_in = k >= 0 && cgroup_in_subtree(t, (size_t)k, node);
		}
		if (last_in)
			(*inside)++;
		else
			(*elsewhere)++;
	}
}

uint64_t cgroup_root_charge(const struct meminfo *mi)
{
	uint64_t total = meminfo_get(mi, "MemTotal"), free_b = meminfo_get(mi, "MemFree");

	return total > free_b ? total - free_b : 0;
}

/* Adds the census's user classes of memcg entry m to sums[]. */
static void add_memcg(uint64_t *sums, const struct census_memcg *m)
{
	for (int k = 0; k < CEN_USER_COUNT; k++)
		sums[k] += m->pages[k];
}

/* Fills the frame columns of row r from the census sums of its subtree (pages). */
static void set_frames(struct cgroup_row *r, const uint64_t *sums, uint64_t inside_pages, uint64_t elsewhere_pages,
		       uint64_t ps)
{
	uint64_t mapped = sums[CEN_MAPPED_ANON] + sums[CEN_MAPPED_FILE] + sums[CEN_MAPPED_SHMEM];
	int64_t explained;

	r->frames_known = true;
	r->mapped_inside = inside_pages * ps;
	/* The census and the scan are two reads: what moved between them may exceed the census's figure. */
	r->mapped_outside_only = mapped > inside_pages ? (mapped - inside_pages) * ps : 0;
	r->unmapped_file = sums[CEN_CACHE_FILE] * ps;
	r->unmapped_shmem = sums[CEN_CACHE_SHMEM] * ps;
	r->unmapped_anon = sums[CEN_ANON_UNMAPPED] * ps;
	r->mapped_from_elsewhere = elsewhere_pages * ps;
	explained = (int64_t)(r->mapped_inside + r->mapped_outside_only + r->unmapped_file + r->unmapped_shmem +
			      r->unmapped_anon + (r->has_kernel ? r->kernel : 0));
	r->unexplained = (int64_t)r->charged - explained;
}

static void node_row(const struct cgroup_tree *t, size_t i, const uint64_t *sums, const struct cgroup_input *in,
		     uint64_t ps, struct cgroup_row *r)
{
	const struct cgroup_node *n = &t->n[i];

	*r = (struct cgroup_row){
		.path = n->path, .node = (int)i, .kernel_known = true, .charged = n->current,
		.has_limit = n->has_max, .limit = n->max, .has_swap = n->has_swap, .swap_charged = n->swap,
		.has_kernel = n->has_kernel, .kernel = n->kernel,
	};
	if (in && in->scanned) {
		r->pids = in->pids;
		r->npids = in->npids;
		r->counts_known = true;
		r->counts = in->counts;
	}
	if (sums && in && in->frames_known)
		set_frames(r, sums, in->inside_pages, in->elsewhere_pages, ps);
}

/*
 * The census's memcg split summed per subtree: sums[i * CEN_USER_COUNT + k]
 * holds class k of every memcg in node i's subtree. Each memcg adds to its
 * node and the node's ancestors. Returns the owned array.
 */
static uint64_t *subtree_sums(const struct cgroup_tree *t, const struct census *c)
{
	uint64_t *sums = xcalloc(t->count * CEN_USER_COUNT + 1, sizeof(*sums));

	for (size_t m = 0; m < c->nmemcg; m++)
		for (int k = cgroup_find_ino(t, c->memcg[m].ino); k >= 0; k = t->n[k].parent)
			add_memcg(sums + (size_t)k * CEN_USER_COUNT, &c->memcg[m]);
	return sums;
}

/* The frames of memcgs no directory has any more; false when there are none. */
static bool removed_row(const struct cgroup_tree *t, const struct census *c, uint64_t ps, struct cgroup_row *r)
{
	uint64_t sums[CEN_USER_COUNT] = { 0 };
	bool any = false;

	for (size_t m = 0; m < c->nmemcg; m++)
		if (c->memcg[m].ino && cgroup_find_ino(t, c->memcg[m].ino) < 0) {
			add_memcg(sums, &c->memcg[m]);
			any = true;
		}
	if (!any)
		return false;
	*r = (struct cgroup_row){ .path = "(removed)", .node = -1 };
	set_frames(r, sums, 0, 0, ps);
	return true;
}

void cgroup_report_build(const struct cgroup_tree *t, const struct census *census, const struct cgroup_input *in,
			 uint64_t page_size, const char *note, struct cgroup_report *r)
{
	uint64_t *sums = census ? subtree_sums(t, census) : NULL;

	memset(r, 0, sizeof(*r));
	r->version = t->version;
	r->note = note;
	r->rows = xcalloc(t->count + 2, sizeof(*r->rows));
	for (size_t i = 0; i < t->count; i++)
		node_row(t, i, sums ? sums + i * CEN_USER_COUNT : NULL, in ? &in[i] : NULL, page_size,
			 &r->rows[r->n++]);
	if (census && removed_row(t, census, page_size, &r->rows[r->n]))
		r->n++;
	free(sums);
}

void cgroup_report_release(struct cgroup_report *r)
{
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

/* Appends node's row and then its children's, each sorted, depth first. */
static void tree_order(const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *sorted,
		       size_t node, size_t *order, size_t *k)
{
	order[(*k)++] = node;
	for (size_t i = 0; i < r->n; i++) {
		const struct cgroup_row *row = &r->rows[sorted[i]];

		if (row->node >= 0 && t->n[row->node].parent == (int)node)
			tree_order(r, t, sorted, sorted[i], order, k);
	}
}

void cgroup_report_tree_order(const struct cgroup_report *r, const struct cgroup_tree *t, const size_t *sorted,
			      bool tree, size_t *order)
{
	size_t k = 0;

	if (!tree || !r->n || r->rows[0].node != 0) {
		memcpy(order, sorted, r->n * sizeof(*order));
		return;
	}
	/* Rows are the tree's nodes in order (row i is node i), the removed row last. */
	tree_order(r, t, sorted, 0, order, &k);
	for (size_t i = 0; i < r->n; i++)
		if (r->rows[i].node < 0)
			order[k++] = i;
	/* Rows narrowed away (PATH, -p) are not in r; nothing else is left out. */
}
