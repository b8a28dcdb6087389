/*
 * scan.c: one pass over a source (scan.h). For each process: identity,
 * then in exact mode its maps and every populated pagemap entry, resolved
 * batch by batch to kpagecount/kpageflags and streamed through the
 * aggregator (read on reader threads, counted on this one); in rollup mode
 * its smaps_rollup. Processes are walked group by group so the
 * aggregator's per-group state is short-lived.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "feed.h"
#include "frameset.h"
#include "kernel.h"
#include "scan.h"
#include "smaps.h"
#include "shmobj.h"
#include "snapshot.h"

const char *const scan_mode_names[] = { "auto", "exact", "rollup" };
const char *const group_by_names[GROUP_COUNT] = { "none", "user", "program", "tree", "cgroup" };

/* The reading half of an exact walk (see "The exact walk" below), and rollup's reads. */
struct reader {
	struct source *src;
	struct buf text;
	struct vrange *ranges, *sparse;     /* populated ranges of a mapping, and within a sparse range */
	size_t nranges, cap_ranges, nsparse, cap_sparse;
	struct u64_counter *fs;             /* inode -> device minor << 8 | enum vma_fs, + 1 */
	bool swap_in_use;
	const char *vmas_file;              /* "maps" or "smaps": what the last read_vmas read */
	struct tm_error *err;
};

/*
 * Processes sharing one mm (SPEC 2.4) are walked once: the lowest pid of
 * the scan on it is counted (MM_OWN); the others take its numbers
 * (MM_COPY), except the first of each other group holding some of them,
 * walked again for that group alone (MM_GROUP): a group counts the mm
 * once whichever of its members shares it.
 */
enum mm_role { MM_OWN, MM_GROUP, MM_COPY };

/* Reused buffers of one scan. */
struct scan_ctx {
	struct source *src;
	const struct scan_opts *o;
	struct scan *sc;
	struct accounter acc;
	uint64_t pm[FEED_PAGES], pfn[FEED_PAGES], count[FEED_PAGES], flags[FEED_PAGES];
	uint64_t ecount[FEED_PAGES], eflags[FEED_PAGES];
	struct frame_ref { uint64_t pfn; uint32_t entry; } pairs[FEED_PAGES], pairs_tmp[FEED_PAGES];
	uint32_t uidx[FEED_PAGES];           /* sorted pair -> its frame's index in pfn[] */
	uint32_t miss[FEED_PAGES];           /* entries whose frames the aggregator does not hold */
	uint64_t implied[FEED_PAGES];        /* kpageflags their mappings imply, or FLAGS_UNKNOWN */
	uint64_t fpfn[FEED_PAGES];           /* frames whose kpageflags are read */
	uint32_t fidx[FEED_PAGES];           /* unique frame -> its index in fpfn[] */
	size_t vma_hint;                     /* where in its mappings the process's walk is */
	struct reader rd;                    /* the serial walk's reader, and rollup's */
	bool swap_in_use;           /* hidden shmem swap is possible */
	const pid_t *others;        /* the processes not scanned (outside -p) */
	size_t nothers;
	bool listed_some;           /* scan_list read only the pids asked for: others unknown */
	unsigned char *role;        /* enum mm_role of each process */
	uint32_t *mm_of;            /* the MM_OWN process whose numbers each process shows */
	struct tm_error *err;
};

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A failure reading one process: vanished and not-permitted are normal results, a damaged snapshot is not. */
static bool is_proc_error(int rc)
{
	return rc == -ENOENT || rc == -ESRCH || rc == -EACCES || rc == -EPERM || rc == -EINVAL;
}

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
 * The exact walk has two halves. The reader lists a process's mappings
 * and reads its pagemap, handing both to a sink; the accounting resolves
 * the entries' frames and counts them. In a serial walk the sink accounts
 * at once; in a threaded one (scan_walk_threaded) it passes them through a
 * feed to the accounting on the scan's own thread. The reader keeps
 * walking the mappings it handed on (their bounds and names) until it ends
 * the process; the accounting writes only their counts meanwhile.
 */
struct walk;

struct sink {
	struct scan_ctx *c;         /* serial: account at once */
	struct feed *feed;          /* threaded: hand on through the feed */
	struct walk *walk;          /* ...of this walk */
	struct feed_item *staged;
	uint32_t proc;
};

static void walk_hold(struct walk *w, size_t nvmas);
static bool walk_stopped(struct walk *w);

/* The mappings of the process being walked: given to the accounting (now or through the feed). */
static void take_vmas(struct scan_ctx *c, struct proc *p, struct vma_list *vmas);
static int take_batch(struct scan_ctx *c, uint32_t pi, struct proc *p, uint64_t vaddr, size_t n,
		      const uint64_t *pm);

static uint64_t *sink_buffer(struct sink *k)
{
	if (!k->feed)
		return k->c->pm;
	k->staged = feed_stage(k->feed);
	return k->staged->pm;
}

static void sink_vmas(struct sink *k, struct vma_list *vmas)
{
	struct feed_item *it;

	if (!k->feed) {
		take_vmas(k->c, &k->c->sc->procs[k->proc], vmas);
		return;
	}
	walk_hold(k->walk, vmas->n);
	it = feed_stage(k->feed);
	it->kind = FEED_VMAS;
	it->proc = k->proc;
	it->vmas = *vmas;
	feed_push(k->feed);
}

/* Hands on the n entries from vaddr read into sink_buffer(). Returns 0, or -errno to stop the process. */
static int sink_batch(struct sink *k, uint64_t vaddr, size_t n)
{
	if (!k->feed)
		return take_batch(k->c, k->proc, &k->c->sc->procs[k->proc], vaddr, n, k->c->pm);
	k->staged->kind = FEED_BATCH;
	k->staged->proc = k->proc;
	k->staged->vaddr = vaddr;
	k->staged->n = n;
	feed_push(k->feed);
	return walk_stopped(k->walk) ? -ECANCELED : 0;
}

/* Whether none of the n entries is present or swapped. */
static bool batch_empty(const uint64_t *pm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pm[i] & (PM_PRESENT | PM_SWAP))
			return false;
	return true;
}

/*
 * Reads the entries of [start, end) into the sink, a batch at a time. With
 * search set (live, PAGEMAP_SCAN there), a whole batch with nothing in it
 * means the rest is likely as sparse (a large reservation): PAGEMAP_SCAN
 * then finds the populated ranges, skipping empty page tables a PMD at a
 * time, and only those are read. Dense mappings never pay for that second
 * walk.
 */
static int read_range(struct reader *r, struct pagemap *pm, uint64_t start, uint64_t end, bool search,
		      struct sink *k)
{
	uint64_t ps = r->src->page_size;
	int rc = 0;

	for (uint64_t a = start; a < end && rc == 0;) {
		size_t n = (size_t)((end - a) / ps);
		uint64_t *buf = sink_buffer(k);

		n = n > FEED_PAGES ? FEED_PAGES : n;
		if ((rc = pagemap_read(pm, a, n, buf, r->err)) < 0)
			break;
		a += n * ps;
		if (search && a < end && batch_empty(buf, n)) {
			r->nsparse = 0;
			if (pagemap_populated(pm, a, end, &r->sparse, &r->nsparse, &r->cap_sparse, r->err) < 0)
				return -ESRCH;
			for (size_t i = 0; i < r->nsparse && rc == 0; i++)
				rc = read_range(r, pm, r->sparse[i].start, r->sparse[i].end, false, k);
			break;
		}
		rc = sink_batch(k, a - n * ps, n);
	}
	return rc;
}

/* Reads the populated pages of every mapping in vmas into the sink. */
static int read_pagemap(struct reader *r, pid_t pid, const struct vma_list *vmas, struct sink *k)
{
	uint64_t ps = r->src->page_size;
	int rc = 0;
	struct pagemap *pm = pagemap_open(r->src, pid, &rc, r->err);
	bool snap = r->src->caps & SOURCE_STORED;

	if (!pm)
		return rc;
	if (snap && (rc = pagemap_check_maps(pm, vmas, r->vmas_file, r->err)) < 0) {
		pagemap_close(pm);
		return rc;
	}
	for (size_t v = 0; v < vmas->n && rc == 0;) {
		size_t w = v + 1;

		if (!strcmp(vmas->v[v].name, "[vsyscall]")) {   /* above TASK_SIZE: not in pagemap */
			v++;
			continue;
		}
		if (snap) {
			/* A snapshot holds the populated runs. */
			while (w < vmas->n && strcmp(vmas->v[w].name, "[vsyscall]"))
				w++;
			r->nranges = 0;
			if (pagemap_populated(pm, vmas->v[v].start, vmas->v[w - 1].end, &r->ranges, &r->nranges,
					      &r->cap_ranges, r->err) < 0) {
				rc = -EIO;
				break;
			}
			for (size_t i = 0; i < r->nranges && rc == 0; i++)
				rc = read_range(r, pm, r->ranges[i].start, r->ranges[i].end, false, k);
		} else {
			/*
			 * Live, mappings are read whole, joined across holes of up to 64
			 * pages. A whole reader (a capture) joins none: a page mapped into a
			 * hole after the maps were read would land in its pagemap outside
			 * every mapping.
			 */
			uint64_t join = r->src->caps & SOURCE_WHOLE ? 0 : 64 * ps;

			while (w < vmas->n && strcmp(vmas->v[w].name, "[vsyscall]") &&
			       vmas->v[w].start - vmas->v[w - 1].end <= join)
				w++;
			rc = read_range(r, pm, vmas->v[v].start, vmas->v[w - 1].end, r->src->have_pagemap_scan, k);
		}
		v = w;
	}
	pagemap_close(pm);
	return rc;
}

static void reader_release(struct reader *r)
{
	free(r->ranges);
	free(r->sparse);
	u64_counter_free(r->fs);
	buf_release(&r->text);
}

/*
 * Whether mapping v may be of a shmem object (tmpfs, memfd, SysV, shared
 * anonymous: device major 0, not known to live elsewhere), whose swapped
 * pages pagemap does not show.
 */
static bool may_be_shmem(const struct vma *v)
{
	return v->dev_major == 0 && v->inode != 0 && v->fs != VMA_FS_OTHER;
}

static bool has_shmem_mapping(const struct vma_list *vmas)
{
	for (size_t i = 0; i < vmas->n; i++)
		if (may_be_shmem(&vmas->v[i]))
			return true;
	return false;
}

/*
 * A maps file read while the process changes its mappings can list a
 * mapping that starts below the end of the one before (seq_file resumes at
 * the last address printed, and a merged mapping is found again). Pages
 * must be counted once and walked in order: such an entry is clipped to
 * start where the previous one ended, or dropped when nothing is left.
 */
static void vmas_untangle(struct vma_list *vmas)
{
	size_t k = 0;

	for (size_t i = 0; i < vmas->n; i++) {
		struct vma *v = &vmas->v[i];

		if (k && v->start < vmas->v[k - 1].end) {
			if (v->end <= vmas->v[k - 1].end) {
				free(v->name);
				free(v->display_name);
				free(v->smaps);
				continue;
			}
			v->offset += vmas->v[k - 1].end - v->start;
			v->start = vmas->v[k - 1].end;
		}
		if (k != i)
			vmas->v[k] = *v;
		k++;
	}
	vmas->n = k;
}

/* Reads the mappings, from smaps when its per-mapping figures are wanted. */
static int read_vmas(struct reader *r, pid_t pid, struct vma_list *vmas, bool smaps)
{
	int rc = source_read_proc(r->src, pid, smaps ? "smaps" : "maps", &r->text, r->err);

	r->vmas_file = smaps ? "smaps" : "maps";
	if (rc < 0)
		return rc;
	vma_list_init(vmas);
	rc = smaps ? smaps_parse(r->text.buf, r->text.len, vmas) : maps_parse(r->text.buf, r->text.len, vmas);
	/* The page walks step a page at a time: a mapping off page boundaries never ends. */
	for (size_t i = 0; rc == 0 && i < vmas->n; i++)
		if ((vmas->v[i].start | vmas->v[i].end) % r->src->page_size)
			rc = -EINVAL;
	if (rc == 0) {
		vmas_untangle(vmas);
		return 0;
	}
	vma_list_release(vmas);
	if (r->src->caps & SOURCE_STORED)
		return errorf(r->err, -EIO, "corrupt snapshot: '%s/%d/%s' is malformed", r->src->root_path,
			      (int)pid, smaps ? "smaps" : "maps");
	return rc;
}

#define TEXT_KEEP (64 * 1024)

/*
 * Notes what the files behind mappings on devices of major 0 live on
 * (tmpfs or not), once per file per scan: the aggregator then knows the
 * kind of their pages without kpageflags.
 */
static void read_vmas_fs(struct reader *r, pid_t pid, struct vma_list *vmas)
{
	if (!(r->src->caps & SOURCE_MAPPING_FS))
		return;
	if (!r->fs)
		r->fs = u64_counter_new();
	for (size_t i = 0; i < vmas->n; i++) {
		struct vma *v = &vmas->v[i];
		uint64_t *known;

		if (v->dev_major != 0 || v->inode == 0)
			continue;
		known = u64_counter_ref(r->fs, v->inode);
		if (known && (*known - 1) >> 8 == v->dev_minor) {
			v->fs = (unsigned char)((*known - 1) & 0xff);
			continue;
		}
		v->fs = (unsigned char)source_mapping_fs(r->src, pid, v->start, v->end);
		u64_counter_put(r->fs, v->inode, ((uint64_t)v->dev_minor << 8 | v->fs) + 1);
	}
}

/*
 * The reading half for one process: its mappings (from smaps when wanted,
 * or when swap is in use and a shared mapping may hide shmem swap), then
 * its pagemap. Returns 0 or -errno; the mappings are handed on only on
 * success of their read.
 */
static int read_proc_exact(struct reader *r, pid_t pid, bool want_smaps, struct sink *k)
{
	struct vma_list vmas;
	int rc = read_vmas(r, pid, &vmas, want_smaps);

	if (rc < 0)
		return rc;
	read_vmas_fs(r, pid, &vmas);
	if (!want_smaps && r->swap_in_use && has_shmem_mapping(&vmas)) {
		vma_list_release(&vmas);
		if ((rc = read_vmas(r, pid, &vmas, true)) < 0)
			return rc;
		read_vmas_fs(r, pid, &vmas);
	}
	/* The text of a process with thousands of mappings is large: not kept for the next. */
	if (r->text.cap > TEXT_KEEP)
		buf_release(&r->text);
	sink_vmas(k, &vmas);
	/* vmas is the accounting's now, but stays valid until this process ends. */
	return read_pagemap(r, pid, &vmas, k);
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

/* Whether process pi's entries are counted (an MM_COPY's only pass through, for a capture). */
static bool mm_counted(struct scan_ctx *c, uint32_t pi)
{
	c->acc.group_only = c->role[pi] == MM_GROUP;
	return c->role[pi] != MM_COPY;
}

static void take_vmas(struct scan_ctx *c, struct proc *p, struct vma_list *vmas)
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

/*
 * Counts one batch of entries: the aggregator counts what it can, the
 * frames it does not hold are read and handed back.
 */
static int take_batch(struct scan_ctx *c, uint32_t pi, struct proc *p, uint64_t vaddr, size_t n,
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

/* The end of a process read whole: what is left to count, then its mappings kept or freed. */
static void take_end(struct scan_ctx *c, struct proc *p)
{
	bool counted = mm_counted(c, (uint32_t)(p - c->sc->procs));

	if (counted)
		scan_hidden_shmem_swap(c, p, &p->vmas);
	c->acc.group_only = false;
	if (!counted || !(c->o->flags & SCAN_KEEP_VMAS))
		vma_list_release(&p->vmas);
}

static bool want_smaps(const struct scan_ctx *c)
{
	return (c->o->flags & SCAN_SMAPS) || (c->src->caps & SOURCE_WHOLE);
}

/* Whether exact mode reads process pi: not one that takes another's numbers, unless reading whole. */
static bool exact_reads(const struct scan_ctx *c, uint32_t pi)
{
	return c->role[pi] != MM_COPY || (c->src->caps & SOURCE_WHOLE);
}

/* Rollup mode: the process from smaps_rollup, its mappings (if kept) from smaps. */
static int scan_proc_rollup(struct scan_ctx *c, struct proc *p)
{
	struct smaps_rollup r;
	struct buf *text = &c->rd.text;
	int rc = source_read_proc(c->src, p->id.pid, "smaps_rollup", text, c->err);

	if (rc < 0)
		return rc;
	if (smaps_rollup_parse(text->buf, text->len, &r) < 0) {
		if (c->src->caps & SOURCE_STORED)
			return errorf(c->err, -EIO, "corrupt snapshot: '%s/%d/smaps_rollup' is malformed",
				      c->src->root_path, (int)p->id.pid);
		return -ESRCH;   /* empty rollup: the mm went away */
	}
	account_rollup(&p->counts, &r);
	if (!(c->o->flags & SCAN_KEEP_VMAS))
		return 0;
	if ((rc = read_vmas(&c->rd, p->id.pid, &p->vmas, true)) < 0)
		return rc;
	for (size_t i = 0; i < p->vmas.n; i++) {
		struct vma *v = &p->vmas.v[i];
		struct smaps_rollup one = {
			.rss_kb = v->smaps->rss_kb, .pss_kb = v->smaps->pss_kb,
			.private_clean_kb = v->smaps->private_clean_kb, .private_dirty_kb = v->smaps->private_dirty_kb,
			.swap_kb = v->smaps->swap_kb, .swap_pss_kb = v->smaps->swap_pss_kb,
			.have = SMAPS_HAVE_RSS | SMAPS_HAVE_PSS | SMAPS_HAVE_PRIVATE | SMAPS_HAVE_SWAP |
				SMAPS_HAVE_SWAP_PSS,
		};

		account_rollup(&v->counts, &one);
	}
	return 0;
}

/* A whole reader (a capture) reads what any command could want, so that its snapshot holds it. */
static int scan_record_extra(struct scan_ctx *c, struct proc *p)
{
	static const char *const exact_files[] = { "smaps_rollup", "status" };   /* maps: read_vmas */
	static const char *const rollup_files[] = { "maps", "smaps", "status" };
	const char *const *files = c->sc->mode == MODE_EXACT ? exact_files : rollup_files;
	int rc;

	size_t n = c->sc->mode == MODE_EXACT ? 2 : 3;

	for (size_t i = 0; i < n; i++)
		if ((rc = source_read_proc(c->src, p->id.pid, files[i], &c->rd.text, c->err)) < 0)
			return rc;
	return 0;
}

/* Whether failure rc reading p ends the scan: a damaged snapshot does, a vanished process does not. */
static bool proc_error_fatal(const struct source *s, const struct proc *p, int rc)
{
	return !is_proc_error(rc) || ((s->caps & SOURCE_STORED) && rc != p->id.err);
}

/*
 * A process whose pages may not be read (another user's, without
 * privilege) still shows its RSS: the kernel's counters in
 * /proc/PID/statm, which anyone may read (top's RES). Where statm cannot
 * be read either (gone, or a snapshot without it), nothing is known.
 */
static void proc_rss_statm(struct scan_ctx *c, struct proc *p)
{
	struct tm_error ignored = { 0 };
	uint64_t pages;

	if (p->err != -EACCES && p->err != -EPERM)
		return;
	if (source_read_proc(c->src, p->id.pid, "statm", &c->rd.text, &ignored) < 0 ||
	    statm_parse(c->rd.text.buf, c->rd.text.len, &pages) < 0 || pages > UINT64_MAX / c->sc->page_size)
		return;
	p->counts.rss_bytes = pages * c->sc->page_size;
	p->counts.valid = CNT_RSS;
}

/* Process p was read with status rc: done, unreadable, or a fatal error for the scan. */
static void proc_done(struct scan_ctx *c, struct proc *p, int rc, int *fatal)
{
	if (rc == 0) {
		if (c->sc->mode == MODE_EXACT)
			take_end(c, p);
		p->readable = true;
		return;
	}
	if (proc_error_fatal(c->src, p, rc)) {
		*fatal = rc;
		return;
	}
	/* Numbers of a process that could not be read are unknown, never 0. */
	vma_list_release(&p->vmas);
	memset(&p->counts, 0, sizeof(p->counts));
	p->readable = false;
	p->err = rc == -ENOENT ? -ESRCH : rc;
	if (c->src->caps & SOURCE_WHOLE) {
		p->id.err = p->err;
		if (source_proc_failed(c->src, &p->id, c->err) < 0)
			*fatal = -EIO;
	}
	proc_rss_statm(c, p);
}

static void scan_proc(struct scan_ctx *c, uint32_t pi, struct proc *p, int *fatal)
{
	struct sink k = { .c = c, .proc = pi };
	int rc = p->id.err;

	if (rc == 0 && (c->src->caps & SOURCE_WHOLE))
		rc = scan_record_extra(c, p);
	if (rc == 0 && c->sc->mode == MODE_EXACT && exact_reads(c, pi))
		rc = read_proc_exact(&c->rd, p->id.pid, want_smaps(c), &k);
	else if (rc == 0 && c->sc->mode != MODE_EXACT)
		rc = scan_proc_rollup(c, p);
	proc_done(c, p, rc, fatal);
}

bool proc_has_name(const struct proc_ident *id, const char *name)
{
	const char *slash = id->exe ? strrchr(id->exe, '/') : NULL;

	return !strcmp(id->comm, name) || (slash && !strcmp(slash + 1, name));
}

/* Whether the process belongs to one of the users -u names (by uid when a number is given). */
static bool proc_of_users(const struct scan_opts *o, const struct proc_ident *id)
{
	for (size_t i = 0; i < o->nusers; i++) {
		uint64_t uid;

		if (str_to_u64(o->users[i], &uid) ? uid == id->uid : !strcmp(o->users[i], id->user))
			return true;
	}
	return false;
}

static bool proc_selected(const struct scan_opts *o, const struct proc_ident *id)
{
	if (o->self == id->pid && (o->npids || o->nnames || o->nusers || o->filter))
		return false;
	if (o->nusers && !proc_of_users(o, id))
		return false;
	if (o->npids || o->nnames) {
		bool found = false;

		for (size_t i = 0; i < o->npids && !found; i++)
			found = o->pids[i] == id->pid;
		for (size_t i = 0; i < o->nnames && !found; i++)
			found = proc_has_name(id, o->names[i]);
		if (!found)
			return false;
	}
	if (o->filter)
		return regexec(o->filter, id->comm, 0, NULL, 0) == 0 ||
		       regexec(o->filter, id->cmdline, 0, NULL, 0) == 0 ||
		       regexec(o->filter, id->user, 0, NULL, 0) == 0;
	return true;
}

struct proc *scan_find(const struct scan *sc, pid_t pid)
{
	size_t a = 0, b = sc->n;

	while (a < b) {
		size_t m = a + (b - a) / 2;

		if (sc->procs[m].id.pid < pid)
			a = m + 1;
		else
			b = m;
	}
	return a < sc->n && sc->procs[a].id.pid == pid ? &sc->procs[a] : NULL;
}

/* The tree group leader of p: walk up while the parent is scanned and is not PID 1. */
static const struct proc *tree_leader(const struct scan *sc, const struct proc *p)
{
	for (size_t guard = 0; guard < sc->n; guard++) {
		const struct proc *parent;

		if (p->id.pid == 1 || p->id.ppid == 1 || !(parent = scan_find(sc, p->id.ppid)))
			return p;
		p = parent;
	}
	return p;   /* a parent loop cannot happen in a consistent listing; stop anyway */
}

static char *group_key(const struct scan *sc, const struct proc *p, const struct scan_opts *o)
{
	if (o->group_key)
		return o->group_key(o->group_ctx, &p->id);
	switch (o->group_by) {
	case GROUP_USER: return xstrdup(p->id.user);
	case GROUP_PROGRAM: return xstrdup(p->id.exe ? p->id.exe : p->id.comm);
	case GROUP_CGROUP: return xstrdup(p->id.cgroup ? p->id.cgroup : "-");
	case GROUP_TREE: return xasprintf("%d", (int)tree_leader(sc, p)->id.pid);
	default: return NULL;
	}
}

struct keyed {
	char *key;
	size_t proc;
};

static int cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->proc > y->proc) - (x->proc < y->proc);
}

/*
 * Assigns every process its group (sorted by key) and returns the walk
 * order, members of a group together, each group's pids ascending.
 */
static size_t *scan_groups(struct scan *sc, const struct scan_opts *o)
{
	enum group_by by = o->group_by;
	struct keyed *k = xmalloc((sc->n + 1) * sizeof(*k));
	size_t *order = xmalloc((sc->n + 1) * sizeof(*order));
	unsigned valid = sc->mode == MODE_EXACT ? CNT_RSS | CNT_PSS | CNT_USS | CNT_SWAP | CNT_SWAP_USS : CNT_PSS;

	for (size_t i = 0; i < sc->n; i++)
		k[i] = (struct keyed){ group_key(sc, &sc->procs[i], o), i };
	qsort(k, sc->n, sizeof(*k), cmp_keyed);
	sc->groups = xcalloc(sc->n + 1, sizeof(*sc->groups));
	for (size_t i = 0, j; i < sc->n; i = j) {
		struct group *g = &sc->groups[sc->ngroups];

		for (j = i; j < sc->n && !strcmp(k[j].key, k[i].key); j++)
			;
		g->key = xstrdup(k[i].key);
		g->pids = xmalloc((j - i) * sizeof(pid_t));
		g->counts.valid = valid;
		if (by == GROUP_TREE)
			g->leader = tree_leader(sc, &sc->procs[k[i].proc])->id.pid;
		for (size_t m = i; m < j; m++) {
			sc->procs[k[m].proc].group = (int)sc->ngroups;
			g->pids[g->npids++] = sc->procs[k[m].proc].id.pid;
			order[m] = k[m].proc;
		}
		sc->ngroups++;
	}
	for (size_t i = 0; i < sc->n; i++)
		free(k[i].key);
	free(k);
	return order;
}

/*
 * Swap entries are shared after fork, and swap_pss divides each by every
 * page-table entry holding it, reported or not (as the kernel's SwapPss
 * does). When only some processes are reported, the others' swapped pages
 * are walked too, for their swap entries alone.
 */
/* Counts the swap entries in pm's swapped pages within vmas. Returns 0 or -errno. */
static int scan_swap_entries(struct scan_ctx *c, struct pagemap *pm, const struct vma_list *vmas)
{
	uint64_t ps = c->src->page_size;
	struct reader *r = &c->rd;

	for (size_t v = 0; v < vmas->n; v++) {
		if (!strcmp(vmas->v[v].name, "[vsyscall]"))
			continue;
		r->nranges = 0;
		if (pagemap_swapped(pm, vmas->v[v].start, vmas->v[v].end, &r->ranges, &r->nranges,
				    &r->cap_ranges, c->err) < 0)
			return -ESRCH;
		for (size_t i = 0; i < r->nranges; i++) {
			for (uint64_t a = r->ranges[i].start; a < r->ranges[i].end;) {
				size_t k = (size_t)((r->ranges[i].end - a) / ps);
				int rc;

				k = k > FEED_PAGES ? FEED_PAGES : k;
				if ((rc = pagemap_read(pm, a, k, c->pm, c->err)) < 0)
					return rc;
				for (size_t e = 0; e < k; e++)
					if (pm_is_swap(c->pm[e], c->acc.swap_areas))
						account_swap_ref(&c->acc, pm_swap_entry(c->pm[e]));
				a += k * ps;
			}
		}
	}
	return 0;
}

/*
 * Swap entries are shared after fork, and swap_pss divides each by every
 * page-table entry holding it, reported or not (as the kernel's SwapPss
 * does). When only some processes are reported, the others' swapped pages
 * are walked too, for their swap entries alone. A live process that
 * vanished or cannot be read adds none; a damaged snapshot is an error.
 */
static int scan_outside_swap(struct scan_ctx *c, const pid_t *pids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vma_list vmas;
		struct pagemap *pm;
		int rc = read_vmas(&c->rd, pids[i], &vmas, false);

		if (rc == 0) {
			if ((pm = pagemap_open(c->src, pids[i], &rc, c->err))) {
				if (!(c->src->caps & SOURCE_STORED) ||
				    (rc = pagemap_check_maps(pm, &vmas, c->rd.vmas_file, c->err)) == 0)
					rc = scan_swap_entries(c, pm, &vmas);
				pagemap_close(pm);
			}
			vma_list_release(&vmas);
		}
		if (rc < 0 && (c->src->caps & SOURCE_STORED))
			return rc;
	}
	return 0;
}

/*
 * The processes outside the scan whose swap entries count: each mm once
 * (SPEC 2.4), and none the scan walks itself. mm[i] is others[i]'s
 * lowest pid on its mm. Returns the list (owned), *n its length.
 */
static pid_t *scan_swap_others(const struct scan *sc, const pid_t *others, const pid_t *mm, size_t nothers,
			       size_t *n)
{
	struct u64_counter *seen = u64_counter_new();
	pid_t *out = xmalloc((nothers + 1) * sizeof(*out));

	for (size_t i = 0; i < sc->n; i++) {
		pid_t low = sc->procs[i].id.shares_mm_with;

		u64_counter_put(seen, (uint64_t)(low ? low : sc->procs[i].id.pid), 1);
	}
	*n = 0;
	for (size_t i = 0; i < nothers; i++) {
		if (u64_counter_get(seen, (uint64_t)mm[i]))
			continue;
		u64_counter_put(seen, (uint64_t)mm[i], 1);
		out[(*n)++] = others[i];
	}
	u64_counter_free(seen);
	return out;
}

/* Notes the requested pids that do not exist and the names no process has. */
static void scan_missing(const struct scan_opts *o, const struct proc_ident *ids, size_t n, struct scan *sc)
{
	sc->missing = xmalloc((o->npids + 1) * sizeof(*sc->missing));
	sc->missing_names = xmalloc((o->nnames + 1) * sizeof(*sc->missing_names));
	for (size_t i = 0; i < o->npids; i++) {
		size_t a = 0, b = n;

		while (a < b) {
			size_t m = a + (b - a) / 2;

			if (ids[m].pid < o->pids[i])
				a = m + 1;
			else
				b = m;
		}
		if (a == n || ids[a].pid != o->pids[i])
			sc->missing[sc->nmissing++] = o->pids[i];
	}
	for (size_t k = 0; k < o->nnames; k++) {
		bool found = false;

		for (size_t i = 0; i < n && !found; i++)
			found = proc_has_name(&ids[i], o->names[k]);
		if (!found)
			sc->missing_names[sc->nmissing_names++] = o->names[k];
	}
}

/* The identity the scan reads: what the caller's view needs, and what selecting and grouping need. */
static unsigned scan_ident_want(const struct scan_opts *o)
{
	static const unsigned by_group[GROUP_COUNT] = {
		[GROUP_PROGRAM] = IDENT_EXE | IDENT_STAT, [GROUP_TREE] = IDENT_STAT, [GROUP_CGROUP] = IDENT_CGROUP,
	};
	unsigned want = o->ident ? o->ident : IDENT_ALL;

	if (o->filter)
		want |= IDENT_STAT | IDENT_CMDLINE;
	if (o->nnames)
		want |= IDENT_STAT | IDENT_EXE;
	return want | by_group[o->group_by];
}

/*
 * The processes and their identity. Only those asked for by pid are read
 * when nothing else selects, unless swap_pss needs the others' swap entries.
 */
static int scan_list(struct scan_ctx *c, struct proc_ident **ids, size_t *n)
{
	const struct scan_opts *o = c->o;
	bool others = c->sc->mode == MODE_EXACT && c->swap_in_use;

	if (c->src->caps & SOURCE_WHOLE)   /* everyone, with all of their identity */
		return source_list(c->src, IDENT_ALL, ids, n, c->err);
	if (o->npids && !o->nnames && !others) {
		c->listed_some = true;
		return source_list_pids(c->src, scan_ident_want(o), o->pids, o->npids, ids, n, c->err);
	}
	return source_list(c->src, scan_ident_want(o), ids, n, c->err);
}

static int scan_mode_pick(struct source *s, const struct scan_opts *o, struct scan *sc, struct tm_error *err)
{
	if (o->mode == MODE_EXACT && !s->exact_ok)
		return errorf(err, -EPERM, "exact mode is not possible: %s", s->exact_why);
	if (o->mode == MODE_ROLLUP || !s->exact_ok) {
		sc->mode = MODE_ROLLUP;
		sc->mode_reason = o->mode == MODE_ROLLUP ? NULL : s->exact_why;
	} else {
		sc->mode = MODE_EXACT;
	}
	return 0;
}

/* Reads meminfo; live it is also the moment the scan is dated. */
static int scan_meminfo(struct scan_ctx *c)
{
	struct scan *sc = c->sc;
	uint64_t total, free_;
	int rc = source_read_top(c->src, "meminfo", &c->rd.text, c->err);

	if (rc < 0)
		return rc;
	if (meminfo_parse(c->rd.text.buf, c->rd.text.len, &sc->meminfo) < 0)
		return errorf(c->err, -EIO, "'%s/meminfo' is malformed", c->src->root_path);
	total = meminfo_get(&sc->meminfo, "SwapTotal");
	free_ = meminfo_get(&sc->meminfo, "SwapFree");
	c->swap_in_use = total != UINT64_MAX && free_ != UINT64_MAX && total > free_;
	c->rd.swap_in_use = c->swap_in_use;
	return 0;
}

/*
 * How many swap areas /proc/swaps lists (a header line, then one per
 * area), which tells swap entries from markers of the high types
 * (pm_is_swap). A snapshot without the file (older, or the engine's
 * without swap) lists none.
 */
static unsigned scan_swap_areas(struct scan_ctx *c)
{
	struct tm_error ignored = { 0 };
	unsigned lines = 0;

	if (source_read_top(c->src, "swaps", &c->rd.text, &ignored) < 0)
		return 0;
	for (size_t i = 0; i < c->rd.text.len; i++)
		lines += c->rd.text.buf[i] == '\n';
	return lines ? lines - 1 : 0;
}

/* Counts the unreadable; numbers over nothing readable are unknown, never 0. */
static void scan_mark_unknown(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (sc->procs[i].readable)
			continue;
		sc->nunreadable++;
		if (sc->procs[i].group >= 0)
			sc->groups[sc->procs[i].group].nunreadable++;
	}
	if (sc->nunreadable == sc->n)
		sc->totals.valid = 0;
	for (size_t g = 0; g < sc->ngroups; g++)
		if (sc->groups[g].nunreadable == sc->groups[g].npids)
			sc->groups[g].counts.valid = 0;
}

/* Sums of rollup mode: an mm shared by processes (SPEC 2.4) once in the totals, once per group. */
static void scan_totals_rollup(struct scan *sc, const unsigned char *role)
{
	memset(&sc->totals, 0, sizeof(sc->totals));
	/* Without frames, only sums that are sums by definition are known. */
	sc->totals.valid = CNT_PSS | CNT_SWAP_PSS | CNT_KIND_PSS;
	for (size_t i = 0; i < sc->n; i++) {
		if (role[i] == MM_OWN)
			counts_add(&sc->totals, &sc->procs[i].counts);
		sc->totals.valid = CNT_PSS | CNT_SWAP_PSS | CNT_KIND_PSS;
		if (sc->procs[i].group >= 0 && role[i] != MM_COPY)
			sc->groups[sc->procs[i].group].counts.pss += sc->procs[i].counts.pss;
	}
}

/*
 * The processes outside the scan, when only the pids asked for were
 * listed: an object in question may be held by any of them. *out is the
 * caller's. Returns 0 or -errno.
 */
static int scan_list_others(struct scan_ctx *c, pid_t **out, size_t *n)
{
	struct proc_ident *ids;
	size_t nids;
	int rc = source_list(c->src, IDENT_STAT, &ids, &nids, c->err);

	*n = 0;
	if (rc < 0)
		return rc;
	pid_t *scanned = xmalloc((c->sc->n + 1) * sizeof(*scanned));

	for (size_t k = 0; k < c->sc->n; k++)
		scanned[k] = c->sc->procs[k].id.pid;
	qsort(scanned, c->sc->n, sizeof(*scanned), pid_cmp);
	*out = xmalloc((nids + 1) * sizeof(**out));
	for (size_t i = 0; i < nids; i++) {
		if (!ids[i].err && !bsearch(&ids[i].pid, scanned, c->sc->n, sizeof(*scanned), pid_cmp))
			(*out)[(*n)++] = ids[i].pid;
		proc_ident_release(&ids[i]);
	}
	free(scanned);
	free(ids);
	return 0;
}

/*
 * What killing frees (SPEC 2.1): the facts of the shmem objects whose
 * fate is in question (read only for them; all of them for a capture),
 * then the split. Returns 0 or -1 (a damaged snapshot).
 */
static int scan_fates(struct scan_ctx *c, struct mem_counts *const *pc, const int *pg, struct mem_counts *gc)
{
	struct scan *sc = c->sc;
	pid_t *pids = xmalloc((sc->n + c->nothers + 1) * sizeof(*pids));
	struct shm_want *w;
	struct shm_facts facts;
	const pid_t *others = c->others;
	pid_t *listed = NULL;
	size_t nw, nothers = c->nothers;
	int rc;

	for (size_t i = 0; i < sc->n; i++)
		pids[i] = sc->procs[i].id.pid;
	nw = fates_wants(&c->acc.fates, pg, pids, c->src->caps & SOURCE_WHOLE, &w);
	if (nw && c->listed_some && (rc = scan_list_others(c, &listed, &nothers)) < 0)
		goto out;
	if (listed)
		others = listed;
	pids = xrealloc(pids, (sc->n + nothers + 1) * sizeof(*pids));
	memcpy(pids + sc->n, others, nothers * sizeof(*pids));   /* the whole system, for descriptors */
	shm_facts_init(&facts);
	facts.have = true;   /* nothing in question: nothing to know */
	rc = nw || (c->src->caps & SOURCE_WHOLE) ? shmobj_collect(c->src, w, nw, pids, sc->n + nothers, others, nothers,
						&facts, c->err) : 0;
	if (rc == 0)
		fates_resolve(&c->acc.fates, &facts, pc, pg, pids, sc->n, gc, sc->ngroups);
	shm_facts_release(&facts);
out:
	free(listed);
	free(w);
	free(pids);
	return rc;
}

static int scan_finish_exact(struct scan_ctx *c)
{
	int rc;
	struct scan *sc = c->sc;
	struct mem_counts **pc = xmalloc((sc->n + 1) * sizeof(*pc));
	struct vma_list **pv = xmalloc((sc->n + 1) * sizeof(*pv));
	int *pg = xmalloc((sc->n + 1) * sizeof(*pg));
	bool *repeat = xmalloc((sc->n + 1) * sizeof(*repeat));
	struct mem_counts *gc = xcalloc(sc->ngroups + 1, sizeof(*gc));

	for (size_t i = 0; i < sc->n; i++) {
		pc[i] = &sc->procs[i].counts;
		pv[i] = sc->procs[i].readable ? &sc->procs[i].vmas : NULL;
		pg[i] = sc->procs[i].readable ? sc->procs[i].group : -1;
		repeat[i] = c->role[i] == MM_GROUP;
	}
	for (size_t g = 0; g < sc->ngroups; g++)
		gc[g] = sc->groups[g].counts;
	account_finish(&c->acc, pc, pv, pg, repeat, sc->n, gc, sc->ngroups, &sc->totals);
	rc = scan_fates(c, pc, pg, gc);
	for (size_t g = 0; g < sc->ngroups; g++)
		sc->groups[g].counts = gc[g];
	free(pc);
	free(pv);
	free(pg);
	free(repeat);
	free(gc);
	return rc;
}

struct mm_key {
	pid_t mm;                  /* the lowest pid of the listing on the mm */
	uint32_t proc;
};

static int cmp_mm_key(const void *a, const void *b)
{
	const struct mm_key *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	return (x->proc > y->proc) - (x->proc < y->proc);
}

/* Whether a process before run[m] in its set (run[0..m)) belongs to group g. */
static bool mm_group_seen(const struct scan *sc, const struct mm_key *run, size_t m, int g)
{
	for (size_t j = 0; j < m; j++)
		if (sc->procs[run[j].proc].group == g)
			return true;
	return false;
}

/* The role of every process (enum mm_role), and shares_mm_with for the views. */
static void scan_mm_roles(struct scan_ctx *c)
{
	struct scan *sc = c->sc;
	struct mm_key *k = xmalloc((sc->n + 1) * sizeof(*k));

	c->role = xcalloc(sc->n + 1, sizeof(*c->role));
	c->mm_of = xmalloc((sc->n + 1) * sizeof(*c->mm_of));
	for (size_t i = 0; i < sc->n; i++) {
		pid_t low = sc->procs[i].id.shares_mm_with;

		k[i] = (struct mm_key){ low ? low : sc->procs[i].id.pid, (uint32_t)i };
		c->mm_of[i] = (uint32_t)i;
	}
	if (sc->n)
		qsort(k, sc->n, sizeof(*k), cmp_mm_key);
	for (size_t i = 0, j; i < sc->n; i = j) {
		const struct proc *own = &sc->procs[k[i].proc];   /* procs are by pid: the lowest */

		for (j = i + 1; j < sc->n && k[j].mm == k[i].mm; j++) {
			struct proc *p = &sc->procs[k[j].proc];

			p->shares_mm_with = own->id.pid;
			c->mm_of[k[j].proc] = k[i].proc;
			c->role[k[j].proc] = mm_group_seen(sc, k + i, j - i, p->group) ? MM_COPY : MM_GROUP;
		}
	}
	free(k);
}

/*
 * The processes sharing a counted mm take its numbers (and mappings, when
 * kept), as smaps shows each of them the mm's.
 */
static void scan_mm_copy(struct scan_ctx *c)
{
	struct scan *sc = c->sc;

	for (size_t i = 0; i < sc->n; i++) {
		struct proc *p = &sc->procs[i];
		const struct proc *own = &sc->procs[c->mm_of[i]];

		if (c->role[i] == MM_OWN)
			continue;
		p->counts = own->counts;
		p->readable = own->readable;
		p->err = own->err;
		vma_list_release(&p->vmas);
		if (c->o->flags & SCAN_KEEP_VMAS)
			vma_list_copy(&p->vmas, &own->vmas);
	}
}

/* Whether process k of the walk opens (or closes) its group. */
static bool walk_first(const struct scan *sc, const size_t *order, size_t k)
{
	return order && (k == 0 || sc->procs[order[k - 1]].group != sc->procs[order[k]].group);
}

static bool walk_last(const struct scan *sc, const size_t *order, size_t k)
{
	return order && (k + 1 == sc->n || sc->procs[order[k + 1]].group != sc->procs[order[k]].group);
}

/* Whether the caller wants the scan to stop (top, quitting while it scans); says so in err. */
static bool scan_cancelled(struct scan_ctx *c)
{
	if (!c->o->cancel || !atomic_load(c->o->cancel))
		return false;
	errorf(c->err, -ECANCELED, "scan cancelled");
	return true;
}

/* Ends group g's walk, keeping its frames when asked to. */
static void group_end(struct scan_ctx *c, int g)
{
	if (c->o->flags & SCAN_GROUP_FRAMES)
		c->sc->groups[g].frames = account_group_take_frames(&c->acc);
	account_group_end(&c->acc, &c->sc->groups[g].counts);
}

/* Walks the processes in order, group by group, on this thread. Returns 0 or the fatal error. */
static int scan_walk(struct scan_ctx *c, const size_t *order)
{
	struct scan *sc = c->sc;
	int fatal = 0;

	for (size_t k = 0; k < sc->n && !fatal; k++) {
		size_t i = order ? order[k] : k;
		struct proc *p = &sc->procs[i];

		if (scan_cancelled(c)) {
			fatal = -ECANCELED;
			break;
		}
		if (walk_first(sc, order, k) && sc->mode == MODE_EXACT)
			account_group_begin(&c->acc, (uint32_t)p->group);
		scan_proc(c, (uint32_t)i, p, &fatal);
		if (walk_last(sc, order, k) && sc->mode == MODE_EXACT)
			group_end(c, p->group);
	}
	return fatal;
}

/*
 * A threaded walk: WALK_READERS readers at most (one per CPU), reader j
 * reading the processes j, j + n, j + 2n... of the walk order into a feed
 * of its own, and the accounting taking them back in order, here.
 *
 * A process with thousands of mappings holds megabytes of them while it
 * is walked. So that readers do not pile up several such, a reader starts
 * the process the accounting waits for at once, but one further ahead only
 * while fewer than WALK_HELD mappings are handed on and not yet counted.
 */
#define WALK_READERS 2
#define WALK_HELD    4096

struct walk_reader {
	struct walk *w;
	size_t first;
	struct feed feed;
	struct reader rd;
	struct tm_error err;
	pthread_t tid;
};

struct walk {
	struct scan_ctx *c;
	const size_t *order;
	size_t n;                       /* readers */
	struct walk_reader r[WALK_READERS];
	pthread_mutex_t mu;
	pthread_cond_t changed;
	size_t held;                    /* mappings handed on, not yet counted */
	size_t next;                    /* the walk position the accounting is at */
	atomic_bool stop;               /* the accounting wants no more */
};

static bool walk_stopped(struct walk *w)
{
	return atomic_load(&w->stop);
}

static void walk_hold(struct walk *w, size_t nvmas)
{
	pthread_mutex_lock(&w->mu);
	w->held += nvmas;
	pthread_mutex_unlock(&w->mu);
}

/*
 * A reader waits to start walk position k (see WALK_HELD): at once when
 * the accounting waits for k, otherwise while few mappings are held.
 * Returns false when the walk stops.
 */
static bool walk_admit(struct walk *w, size_t k, struct feed *f)
{
	bool go;

	pthread_mutex_lock(&w->mu);
	while (!walk_stopped(w) && k != w->next && w->held >= WALK_HELD) {
		if (f->pending) {
			/* The accounting may be waiting for what this reader has not published. */
			pthread_mutex_unlock(&w->mu);
			feed_flush(f);
			pthread_mutex_lock(&w->mu);
			continue;
		}
		pthread_cond_wait(&w->changed, &w->mu);
	}
	go = !walk_stopped(w);
	pthread_mutex_unlock(&w->mu);
	return go;
}

/* The accounting moves to walk position next, having counted (and let go of) nvmas mappings. */
static void walk_advance(struct walk *w, size_t next, size_t nvmas)
{
	pthread_mutex_lock(&w->mu);
	w->held -= nvmas;
	w->next = next;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
}

static void feed_send(struct feed *f, enum feed_kind kind, uint32_t proc, int rc)
{
	struct feed_item *it = feed_stage(f);

	it->kind = kind;
	it->proc = proc;
	it->rc = rc;
	feed_push(f);
}

static void *walk_read(void *arg)
{
	struct walk_reader *wr = arg;
	struct walk *w = wr->w;
	struct scan *sc = w->c->sc;

	for (size_t k = wr->first; k < sc->n && walk_admit(w, k, &wr->feed); k += w->n) {
		uint32_t i = (uint32_t)(w->order ? w->order[k] : k);
		struct sink s = { .feed = &wr->feed, .walk = w, .proc = i };
		int rc = sc->procs[i].id.err;

		if (rc == 0 && exact_reads(w->c, i))
			rc = read_proc_exact(&wr->rd, sc->procs[i].id.pid, want_smaps(w->c), &s);
		feed_send(&wr->feed, FEED_END, i, rc);
		if (rc < 0 && proc_error_fatal(wr->rd.src, &sc->procs[i], rc))
			break;   /* the scan ends: wr->err says why */
	}
	feed_send(&wr->feed, FEED_EOF, 0, 0);
	return NULL;
}

/*
 * Stops the readers started (the first `started`) and waits for them:
 * what is still coming is dropped, mappings freed once their reading ended.
 */
static void walk_stop(struct walk *w, size_t started)
{
	pthread_mutex_lock(&w->mu);
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	for (size_t j = 0; j < started; j++) {
		struct vma_list held;
		struct feed_item *it;
		enum feed_kind kind;

		vma_list_init(&held);
		do {
			it = feed_pop(&w->r[j].feed);
			if (it->kind == FEED_VMAS)
				held = it->vmas;
			else if (it->kind != FEED_BATCH)
				vma_list_release(&held);
			kind = it->kind;
			feed_done(&w->r[j].feed);
		} while (kind != FEED_EOF);
		pthread_join(w->r[j].tid, NULL);
	}
	for (size_t j = 0; j < w->n; j++) {
		feed_release(&w->r[j].feed);
		reader_release(&w->r[j].rd);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->changed);
}

/* Starts the readers; returns how many started (all, or fewer when a thread could not be made). */
static size_t walk_start(struct walk *w)
{
	sigset_t all, old;
	size_t j;

	/* Signals are the scan's thread's to take (top's resize and quit). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (j = 0; j < w->n; j++)
		if (pthread_create(&w->r[j].tid, NULL, walk_read, &w->r[j]))
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return j;
}

/*
 * An exact walk with the reading on other threads, a few batches ahead of
 * the accounting here: the kernel's page-table walks (pagemap, maps) then
 * overlap the frame lookups and the counting, and each other. The order
 * and every number are those of scan_walk. Returns 0 or the fatal error.
 */
static int scan_walk_threaded(struct scan_ctx *c, const size_t *order)
{
	struct scan *sc = c->sc;
	struct walk *w = xcalloc(1, sizeof(*w));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t started;
	int fatal = 0;

	w->c = c;
	w->order = order;
	w->n = cpus >= WALK_READERS ? WALK_READERS : 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->changed, NULL);
	atomic_init(&w->stop, false);
	for (size_t j = 0; j < w->n; j++) {
		struct walk_reader *wr = &w->r[j];

		wr->w = w;
		wr->first = j;
		wr->rd = (struct reader){ .src = c->src, .swap_in_use = c->swap_in_use, .err = &wr->err };
		feed_init(&wr->feed);
	}
	if ((started = walk_start(w)) < w->n) {
		walk_stop(w, started);
		free(w);
		return scan_walk(c, order);
	}
	for (size_t k = 0; k < sc->n && !fatal; k++) {
		size_t i = order ? order[k] : k;
		struct proc *p = &sc->procs[i];
		struct walk_reader *wr = &w->r[k % w->n];
		struct feed_item *it;
		size_t nvmas = 0;
		int rc = 0;

		if (scan_cancelled(c)) {
			fatal = -ECANCELED;
			break;
		}
		if (walk_first(sc, order, k))
			account_group_begin(&c->acc, (uint32_t)p->group);
		while ((it = feed_pop(&wr->feed))->kind != FEED_END) {
			if (it->kind == FEED_VMAS) {
				nvmas = it->vmas.n;
				take_vmas(c, p, &it->vmas);
			} else if (rc == 0) {
				rc = take_batch(c, (uint32_t)i, p, it->vaddr, it->n, it->pm);
			}
			feed_done(&wr->feed);
		}
		if (rc == 0 && (rc = it->rc) < 0 && proc_error_fatal(c->src, p, rc))
			*c->err = wr->err;
		feed_done(&wr->feed);
		proc_done(c, p, rc, &fatal);
		walk_advance(w, k + 1, nvmas);
		if (walk_last(sc, order, k))
			group_end(c, p->group);
	}
	walk_stop(w, w->n);
	free(w);
	return fatal;
}

/*
 * Exact live scans and snapshot reads are threaded; a capture, whose
 * writer records every read in order, is not. TRUEMEM_SERIAL=1 walks on
 * one thread (tests compare the two).
 */
static bool walk_threaded(const struct scan_ctx *c)
{
	return c->sc->mode == MODE_EXACT && !(c->src->caps & SOURCE_WHOLE) &&
	       !getenv("TRUEMEM_SERIAL");
}

int scan_run(struct source *s, const struct scan_opts *o, struct scan *out, struct tm_error *err)
{
	struct scan_ctx *c = xcalloc(1, sizeof(*c));
	struct proc_ident *ids = NULL;
	size_t nids = 0, *order = NULL, nothers = 0, nswap_others = 0;
	pid_t *others = NULL, *others_mm = NULL, *swap_others = NULL;
	double t0 = now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	*c = (struct scan_ctx){ .src = s, .o = o, .sc = out, .err = err, .rd = { .src = s, .err = err } };
	out->page_size = s->page_size;
	out->group_by = o->group_by;
	out->self = o->self;
	snprintf(out->host, sizeof(out->host), "%s", s->host);
	source_time(s, &out->time);
	rc = scan_mode_pick(s, o, out, err);
	if (rc == 0)
		rc = scan_meminfo(c);
	if (rc == 0)
		rc = scan_list(c, &ids, &nids);
	if (rc < 0)
		goto out;
	scan_missing(o, ids, nids, out);
	out->procs = xcalloc(nids + 1, sizeof(*out->procs));
	others = xmalloc((nids + 1) * sizeof(*others));
	others_mm = xmalloc((nids + 1) * sizeof(*others_mm));
	for (size_t i = 0; i < nids; i++) {
		if ((s->caps & SOURCE_WHOLE) || proc_selected(o, &ids[i])) {
			out->procs[out->n] = (struct proc){ .id = ids[i], .group = -1 };
			out->n++;
		} else {
			if (!ids[i].err) {
				others_mm[nothers] = ids[i].shares_mm_with ? ids[i].shares_mm_with : ids[i].pid;
				others[nothers++] = ids[i].pid;
			}
			proc_ident_release(&ids[i]);
		}
	}
	free(ids);
	if (o->group_by != GROUP_NONE)
		order = scan_groups(out, o);
	scan_mm_roles(c);
	swap_others = scan_swap_others(out, others, others_mm, nothers, &nswap_others);
	account_init(&c->acc, s->page_size);
	/*
	 * A capture records the facts of every frame it meets; TRUEMEM_READ_ALL
	 * reads them too (tests compare the two ways on every kind of memory).
	 */
	c->acc.infer = !(s->caps & SOURCE_WHOLE) && !getenv("TRUEMEM_READ_ALL");
	if (out->mode == MODE_EXACT)
		c->acc.swap_areas = scan_swap_areas(c);
	rc = walk_threaded(c) ? scan_walk_threaded(c, order) : scan_walk(c, order);
	if (rc == 0 && out->mode == MODE_EXACT && c->swap_in_use)
		rc = scan_outside_swap(c, swap_others, nswap_others);
	c->others = others;
	c->nothers = nothers;
	if (rc == 0 && out->mode == MODE_EXACT && (rc = scan_finish_exact(c)) == 0)
		scan_mm_copy(c);
	else if (rc == 0 && out->mode != MODE_EXACT)
		scan_totals_rollup(out, c->role);
	if (rc == 0)
		scan_mark_unknown(out);
	account_release(&c->acc);
out:
	free(order);
	free(others);
	free(others_mm);
	free(swap_others);
	free(c->role);
	free(c->mm_of);
	reader_release(&c->rd);
	free(c);
	out->cost_ms = now_ms() - t0;
	if (rc < 0) {
		scan_release(out);
		return -1;
	}
	return 0;
}

void scan_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		proc_ident_release(&sc->procs[i].id);
		vma_list_release(&sc->procs[i].vmas);
	}
	for (size_t g = 0; g < sc->ngroups; g++) {
		free(sc->groups[g].key);
		free(sc->groups[g].pids);
		frame_set_free(sc->groups[g].frames);
	}
	free(sc->procs);
	free(sc->groups);
	free(sc->missing);
	free(sc->missing_names);
	sc->missing = NULL;
	sc->missing_names = NULL;
	sc->nmissing = sc->nmissing_names = 0;
	meminfo_release(&sc->meminfo);
	sc->procs = NULL;
	sc->groups = NULL;
	sc->n = sc->ngroups = 0;
}
