/*
 * shmem_swap.c: how much of a group's swapped-out shmem no process outside
 * the group holds (swap_uss, SPEC section 2).
 *
 * A swapped shmem page leaves no entry in any page table; the kernel's
 * smaps reports, per mapping, how many pages of the object's range the
 * mapping covers are in swap. Each mapping of object O over [s, e) with w
 * swapped bytes is an equation P(e) - P(s) = w, where P(x) is the swapped
 * bytes of O below offset x. A weighted union-find over the range
 * boundaries solves what these equations determine. The group's own part
 * of O is its mappings' union minus every other group's; each of its
 * intervals [x, y) contributes P(y) - P(x) when x and y are connected, and
 * when one is not, the number is not determined and is reported unknown.
 */
#include <stdlib.h>
#include <string.h>

#include "shmem_swap.h"
#include "util.h"

void shmem_swap_add(struct shmem_swap *ss, uint64_t object, uint64_t start, uint64_t end, uint64_t bytes,
		    uint32_t group)
{
	xgrow((void **)&ss->m, &ss->cap, ss->n + 1, sizeof(*ss->m));
	ss->m[ss->n++] = (struct shmem_map){ object, start, end, bytes, group };
}

void shmem_swap_release(struct shmem_swap *ss)
{
	free(ss->m);
	memset(ss, 0, sizeof(*ss));
}

static int cmp_map(const void *a, const void *b)
{
	const struct shmem_map *x = a, *y = b;

	if (x->object != y->object)
		return x->object < y->object ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Weighted union-find over the boundary points of one object: pot[i] = P(pt[i]) - P(pt[parent[i]]). */
struct uf {
	uint64_t *pt;       /* sorted unique points */
	size_t *parent;
	int64_t *pot;
	size_t n;
};

static size_t uf_index(const struct uf *u, uint64_t x)
{
	const uint64_t *at = bsearch(&x, u->pt, u->n, sizeof(*u->pt), cmp_u64);

	return (size_t)(at - u->pt);
}

static size_t uf_find(struct uf *u, size_t i)
{
	size_t p = u->parent[i], r;

	if (p == i)
		return i;
	r = uf_find(u, p);
	u->pot[i] += u->pot[p];   /* pot[p] is now relative to r */
	u->parent[i] = r;
	return r;
}

/* Records P(y) - P(x) = w. */
static void uf_union(struct uf *u, size_t x, size_t y, int64_t w)
{
	size_t rx = uf_find(u, x), ry = uf_find(u, y);

	if (rx == ry)
		return;   /* already determined */
	u->parent[ry] = rx;
	u->pot[ry] = u->pot[x] + w - u->pot[y];
}

/* Appends [s, e) to the sorted, merged interval list iv of n entries; returns the new n. */
static size_t union_add(uint64_t (*iv)[2], size_t n, uint64_t s, uint64_t e)
{
	if (n && s <= iv[n - 1][1]) {
		if (e > iv[n - 1][1])
			iv[n - 1][1] = e;
		return n;
	}
	iv[n][0] = s;
	iv[n][1] = e;
	return n + 1;
}

/* The swapped bytes in mine minus other; false when the equations do not determine them. */
static bool exclusive_bytes(struct uf *u, uint64_t (*mine)[2], size_t nm, uint64_t (*other)[2], size_t no,
			    int64_t *sum)
{
	size_t k = 0;

	*sum = 0;
	for (size_t i = 0; i < nm; i++) {
		uint64_t x = mine[i][0];

		while (x < mine[i][1]) {
			uint64_t y = mine[i][1];
			size_t ix, iy;

			while (k < no && other[k][1] <= x)
				k++;
			if (k < no && other[k][0] <= x) {   /* covered by another group up to other[k][1] */
				x = other[k][1];
				continue;
			}
			if (k < no && other[k][0] < y)
				y = other[k][0];
			ix = uf_index(u, x);
			iy = uf_index(u, y);
			if (uf_find(u, ix) != uf_find(u, iy))
				return false;
			*sum += u->pot[iy] - u->pot[ix];
			x = y;
		}
	}
	return true;
}

/*
 * Resolves one object's mappings m[0..n), sorted by start: for each group
 * among them, emit(ctx, group, object, known, bytes) with the swapped
 * bytes only its mappings cover (known false: not determined).
 */
static void resolve_object(const struct shmem_map *m, size_t n, shmem_swap_emit_fn emit, void *ctx)
{
	struct uf u = { xmalloc(2 * n * sizeof(uint64_t)), xmalloc(2 * n * sizeof(size_t)),
			xcalloc(2 * n, sizeof(int64_t)), 0 };
	uint64_t (*mine)[2] = xmalloc(n * sizeof(*mine)), (*other)[2] = xmalloc(n * sizeof(*other));

	for (size_t i = 0; i < n; i++) {
		u.pt[u.n++] = m[i].start;
		u.pt[u.n++] = m[i].end;
	}
	qsort(u.pt, u.n, sizeof(*u.pt), cmp_u64);
	{
		size_t k = 0;

		for (size_t i = 0; i < u.n; i++)
			if (!k || u.pt[k - 1] != u.pt[i])
				u.pt[k++] = u.pt[i];
		u.n = k;
	}
	for (size_t i = 0; i < u.n; i++)
		u.parent[i] = i;
	for (size_t i = 0; i < n; i++)
		uf_union(&u, uf_index(&u, m[i].start), uf_index(&u, m[i].end), (int64_t)m[i].bytes);
	for (size_t i = 0; i < n; i++) {
		uint32_t g = m[i].group;
		size_t nm = 0, no = 0;
		int64_t sum;
		bool first = true;

		for (size_t j = 0; j < i && first; j++)
			first = m[j].group != g;
		if (!first)
			continue;
		for (size_t j = 0; j < n; j++) {
			if (m[j].group == g)
				nm = union_add(mine, nm, m[j].start, m[j].end);
			else
				no = union_add(other, no, m[j].start, m[j].end);
		}
		if (exclusive_bytes(&u, mine, nm, other, no, &sum))
			emit(ctx, g, m[i].object, true, sum > 0 ? (uint64_t)sum : 0);
		else
			emit(ctx, g, m[i].object, false, 0);
	}
	free(mine);
	free(other);
	free(u.pt);
	free(u.parent);
	free(u.pot);
}

void shmem_swap_each(struct shmem_swap *ss, shmem_swap_emit_fn emit, void *ctx)
{
	if (!ss->n)
		return;
	qsort(ss->m, ss->n, sizeof(*ss->m), cmp_map);
	for (size_t i = 0, j; i < ss->n; i = j) {
		for (j = i; j < ss->n && ss->m[j].object == ss->m[i].object; j++)
			;
		resolve_object(ss->m + i, j - i, emit, ctx);
	}
}

struct swap_uss_ctx {
	struct mem_counts *groups;
	size_t ngroups;
};

static void add_swap_uss(void *arg, uint32_t group, uint64_t object, bool known, uint64_t bytes)
{
	struct swap_uss_ctx *ctx = arg;

	if (group >= ctx->ngroups)
		return;
	if (known)
		ctx->groups[group].swap_uss_bytes += bytes;
	else
		ctx->groups[group].valid &= ~(unsigned)CNT_SWAP_USS;
}

void shmem_swap_resolve(struct shmem_swap *ss, struct mem_counts *groups, size_t ngroups)
{
	struct swap_uss_ctx ctx = { groups, ngroups };

	shmem_swap_each(ss, add_swap_uss, &ctx);
}
