/*
 * scan_proc.c: one process of a scan. Its reads (exact through the walk's
 * two halves, rollup from /proc/PID/smaps_rollup, a capture's extra
 * files), what a failure means (vanished, not permitted: a result; a
 * damaged snapshot: the end of the scan), and the serial walk over the
 * processes group by group.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "scan_internal.h"
#include "smaps.h"
#include "status.h"

/* A failure reading one process: vanished and not-permitted are normal results, a damaged snapshot is not. */
static bool is_proc_error(int rc)
{
	return rc == -ENOENT || rc == -ESRCH || rc == -EACCES || rc == -EPERM || rc == -EINVAL;
}

bool want_smaps(const struct scan_ctx *c)
{
	return (c->o->flags & SCAN_SMAPS) || (c->src->caps & SOURCE_WHOLE);
}

/* Whether exact mode reads process pi: not one that takes another's numbers, unless reading whole. */
bool exact_reads(const struct scan_ctx *c, uint32_t pi)
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
bool proc_error_fatal(const struct source *s, const struct proc *p, int rc)
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
void proc_done(struct scan_ctx *c, struct proc *p, int rc, int *fatal)
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

/* Whether process k of the walk opens (or closes) its group. */
bool walk_first(const struct scan *sc, const size_t *order, size_t k)
{
	return order && (k == 0 || sc->procs[order[k - 1]].group != sc->procs[order[k]].group);
}

bool walk_last(const struct scan *sc, const size_t *order, size_t k)
{
	return order && (k + 1 == sc->n || sc->procs[order[k + 1]].group != sc->procs[order[k]].group);
}

/* Whether the caller wants the scan to stop (top, quitting while it scans); says so in err. */
bool scan_cancelled(struct scan_ctx *c)
{
	if (!c->o->cancel || !atomic_load(c->o->cancel))
		return false;
	errorf(c->err, -ECANCELED, "scan cancelled");
	return true;
}

/* Ends group g's walk, keeping its frames when asked to. */
void group_end(struct scan_ctx *c, int g)
{
	if (c->o->flags & SCAN_GROUP_FRAMES)
		c->sc->groups[g].frames = account_group_take_frames(&c->acc);
	account_group_end(&c->acc, &c->sc->groups[g].counts);
}

/* Walks the processes in order, group by group, on this thread. Returns 0 or the fatal error. */
int scan_walk(struct scan_ctx *c, const size_t *order)
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
