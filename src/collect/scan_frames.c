/*
 * scan_frames.c: the accounting half of the exact walk. A batch of a
 * process's pagemap entries goes to the aggregator, which counts what it
 * can; the frames it does not hold are sorted, deduplicated and looked up
 * in kpagecount/kpageflags (Documentation/admin-guide/mm/pagemap.rst)
 * through the source, then handed back. Also the end of a process: the
 * shmem swap its page tables cannot show.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kernel.h"
#include "scan_internal.h"
#include "shmobj.h"
#include "smaps.h"

/* Sorts the batch's (frame, entry) pairs by frame: LSD radix over the bytes the frames differ in. */
static void sort_pairs(struct scan_ctx *c, size_t n)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	bool sorted = true;
	struct frame_ref *src = c->pairs, *dst = c->pairs_tmp, *t;

	for (size_t i = 0; i < n; i++) {
		uint64_t f = src[i].pfn;

		lo = f < lo ? f : lo;
		hi = f > hi ? f : hi;
		sorted = sorted && (i == 0 || src[i - 1].pfn <= f);
	}
	if (sorted)
		return;
	for (unsigned shift = 0; shift < 64 && ((hi - lo) >> shift); shift += 8) {
		size_t count[257] = { 0 };

		for (size_t i = 0; i < n; i++)
			count[((src[i].pfn - lo) >> shift & 0xff) + 1]++;
		for (size_t b = 1; b < 257; b++)
			count[b] += count[b - 1];
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].pfn - lo) >> shift & 0xff]++] = src[i];
		t = src;
		src = dst;
		dst = t;
	}
	if (src != c->pairs)
		memcpy(c->pairs, src, n * sizeof(*src));
}

/*
 * Reads the facts of the frames of the nmiss entries c->miss[] of batch b,
 * sorted and deduplicated, into c->ecount[j]/c->eflags[j] for entry
 * c->miss[j]: kpagecount of every frame, kpageflags of those whose count
 * is 0 or whose mapping does not imply them (c->implied[]); a capture
 * reads both for all. Returns 0 or -errno.
 */
static int scan_frames(struct scan_ctx *c, const struct page_batch *b, size_t nmiss)
{
	size_t nu = 0, nf = 0;
	int rc;

	for (size_t j = 0; j < nmiss; j++)
		c->pairs[j] = (struct frame_ref){ pm_pfn(b->pm[c->miss[j]]), (uint32_t)j };
	sort_pairs(c, nmiss);
	for (size_t i = 0; i < nmiss; i++) {
		if (!nu || c->pfn[nu - 1] != c->pairs[i].pfn)
			c->pfn[nu++] = c->pairs[i].pfn;
		c->uidx[i] = (uint32_t)(nu - 1);
	}
	if (!c->acc.infer) {
		if ((rc = kpage_lookup(c->src, c->pfn, nu, c->count, c->flags, c->err)) < 0)
			return rc;
		for (size_t i = 0; i < nmiss; i++) {
			c->ecount[c->pairs[i].entry] = c->count[c->uidx[i]];
			c->eflags[c->pairs[i].entry] = c->flags[c->uidx[i]];
		}
		return 0;
	}
	if ((rc = kpage_lookup(c->src, c->pfn, nu, c->count, NULL, c->err)) < 0)
		return rc;
	/* The frames whose flags are read, in c->fpfn[]; c->fidx[u] is unique frame u's place there. */
	for (size_t i = 0, u = SIZE_MAX; i < nmiss; i++) {
		if (c->implied[c->pairs[i].entry] != FLAGS_UNKNOWN && c->count[c->uidx[i]] != 0)
			continue;
		if (u != c->uidx[i]) {
			u = c->uidx[i];
			c->fpfn[nf] = c->pfn[u];
			c->fidx[u] = (uint32_t)nf++;
		}
	}
	if (nf && (rc = kpage_lookup(c->src, c->fpfn, nf, NULL, c->flags, c->err)) < 0)
		return rc;
	for (size_t i = 0; i < nmiss; i++) {
		size_t j = c->pairs[i].entry, u = c->uidx[i];
		bool implied = c->implied[j] != FLAGS_UNKNOWN && c->count[u] != 0;

		c->ecount[j] = c->count[u];
		c->eflags[j] = implied ? c->implied[j] : c->flags[c->fidx[u]];
	}
	return 0;
}

/*
 * A snapshot's frame lookup failed with rc: when a frame its page table
 * references is missing (-ENXIO), the page table, pid's pagemap, is named
 * first, then kpages. Returns the error code.
 */
static int snapshot_blame(struct scan_ctx *c, pid_t pid, int rc)
{
	const char *what = strstr(c->err->msg, "frame ");
	char tail[sizeof(c->err->msg)];

	if (rc != -ENXIO || !what)
		return rc;
	snprintf(tail, sizeof(tail), "%s", what);
	return errorf(c->err, -EIO, "corrupt snapshot: '%s/%d/pagemap' references %s", c->src->root_path,
		      (int)pid, tail);
}

/*
 * A capture of a process that takes another's numbers (MM_COPY): its
 * entries are not counted, but the facts of their frames are recorded,
 * so that the process read alone (`map PID --from`) finds them.
 */
static int record_frames(struct scan_ctx *c, const struct page_batch *b)
{
	size_t n = 0;

	for (size_t i = 0; i < b->n; i++)
		if (b->pm[i] & PM_PRESENT) {
			c->implied[n] = FLAGS_UNKNOWN;
			c->miss[n++] = (uint32_t)i;
		}
	return n ? scan_frames(c, b, n) : 0;
}

/* Whether process pi's entries are counted (an MM_COPY's only pass through, for a capture). */
static bool mm_counted(struct scan_ctx *c, uint32_t pi)
{
	c->acc.group_only = c->role[pi] == MM_GROUP;
	return c->role[pi] != MM_COPY;
}

void take_vmas(struct scan_ctx *c, struct proc *p, struct vma_list *vmas)
{
	if (!mm_counted(c, (uint32_t)(p - c->sc->procs))) {
		p->vmas = *vmas;
		return;
	}
	p->vmas = *vmas;
	p->counts.valid = CNT_EXACT;
	for (size_t i = 0; i < p->vmas.n; i++)
		p->vmas.v[i].counts.valid = CNT_EXACT;
	c->vma_hint = 0;
	fates_note_vmas(&c->acc.fates, (uint32_t)(p - c->sc->procs), &p->vmas);
}

/*
 * Counts one batch of entries: the aggregator counts what it can, the
 * frames it does not hold are read and handed back.
 */
int take_batch(struct scan_ctx *c, uint32_t pi, struct proc *p, uint64_t vaddr, size_t n,
		      const uint64_t *pm)
{
	struct page_batch b = { vaddr, n, pm };
	/* Per-mapping counts cost a lookup a page: only when kept, or swap needs them (shmem swap). */
	bool per_vma = (c->o->flags & SCAN_KEEP_VMAS) || c->swap_in_use;
	size_t hint = c->vma_hint;
	size_t nmiss;
	int rc;

	if (!mm_counted(c, pi))
		return c->src->caps & SOURCE_WHOLE ? record_frames(c, &b) : 0;
	nmiss = account_batch(&c->acc, pi, &p->counts, &p->vmas, per_vma, &c->vma_hint, &b, c->miss, c->implied);
	if (!nmiss)
		return 0;
	if ((rc = scan_frames(c, &b, nmiss)) < 0)
		return snapshot_blame(c, p->id.pid, rc);
	account_misses(&c->acc, pi, &p->counts, &p->vmas, per_vma, hint, &b, c->miss, nmiss, c->ecount, c->eflags);
	return 0;
}

/*
 * Shmem pages swapped out leave no pagemap entry: smaps' Swap beyond what
 * the entries showed. The kernel counts them in every mapping of the
 * object, private ones too (the whole range when shared or read-only, the
 * pages not copied on write when private and writable). Every mapping of a
 * memory-backed object is handed over, swapped or not, since which ranges
 * hold no swap matters to the groups. Mappings read from maps (no smaps)
 * have none to hand.
 */
static void scan_hidden_shmem_swap(struct scan_ctx *c, struct proc *p, struct vma_list *vmas)
{
	for (size_t i = 0; i < vmas->n; i++) {
		struct vma *v = &vmas->v[i];
		uint64_t smaps_swap;

		if (!v->smaps || !may_be_shmem(v))
			continue;
		smaps_swap = v->smaps->swap_kb * 1024;
		if (smaps_swap < v->counts.swap_bytes)
			smaps_swap = v->counts.swap_bytes;
		account_shmem_swap(&c->acc, (uint32_t)(p - c->sc->procs), &p->counts, v,
				   smaps_swap - v->counts.swap_bytes, shm_obj_key(v->dev_major, v->dev_minor, v->inode));
	}
}

/* The end of a process read whole: what is left to count, then its mappings kept or freed. */
void take_end(struct scan_ctx *c, struct proc *p)
{
	bool counted = mm_counted(c, (uint32_t)(p - c->sc->procs));

	if (counted)
		scan_hidden_shmem_swap(c, p, &p->vmas);
	c->acc.group_only = false;
	if (!counted || !(c->o->flags & SCAN_KEEP_VMAS))
		vma_list_release(&p->vmas);
}
