/*
 * cgroup.c: memory cgroups and the `cgroup` and `move` commands, with the
 * charging rules of Linux's memory controller (mm/memcontrol.c, cgroup
 * v2 semantics):
 *
 *  - a frame is charged to the cgroup of the process whose fault
 *    allocated it (demand-zero, copy-on-write copy, swap-in, page-cache
 *    miss, new shmem page: fault.c calls frame_charge()); the charge is
 *    the frame's memcg field, as Linux keeps it in the folio's memcg_data;
 *  - it stays there when that process moves or exits (page-cache and
 *    tmpfs pages stay charged while cached), and goes when the frame is
 *    freed (frame_free clears the frame);
 *  - a swap slot holding a page's only copy (no swap-cache frame) is
 *    charged to the cgroup of the frame it was written from, as
 *    mem_cgroup_swapout records it; a swap-in that reads it into a frame
 *    charges the frame and drops the slot's charge
 *    (mem_cgroup_swapin_uncharge_swap), and a swap-cache frame that goes
 *    while its slot lives on hands the charge back to the slot;
 *  - `fork` puts the child in its parent's cgroup; the parents of a path
 *    exist implicitly; `spawn` without cgroup= puts a process in
 *    /sim.slice/NAME.service, created on the way ('/' in NAME as \x2f).
 * A cgroup's memory.current counts the frames charged to it or to a
 * descendant; the counts are taken by walking the frame table (truth.c,
 * emit.c), never kept beside it, so they cannot drift from the charges.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

/* Longest cgroup path accepted (PATH_MAX less room for "/sys/fs/cgroup"). */
#define CG_PATH_MAX 4000

/* Whether path is "/" or "/A/B..." with no empty, "." or ".." component. */
static bool cg_path_ok(const char *path)
{
	const char *p = path;

	if (p[0] != '/' || strlen(p) > CG_PATH_MAX)
		return false;
	if (p[1] == '\0')
		return true;
	while (*p == '/') {
		const char *c = p + 1, *end = strchrnul(c, '/');
		size_t n = (size_t)(end - c);

		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = end;
	}
	return true;
}

/* Adds the cgroup path (its parent exists: id parent). Returns its id, 0 when the table is full. */
static uint32_t cg_add(struct engine *e, const char *path, uint32_t parent)
{
	struct eng_cgroup *c;
	uint32_t id;

	if (e->ncgs > CG_MAX)
		return 0;
	id = e->ncgs++;
	xgrow((void **)&e->cgs, &e->cap_cgs, e->ncgs, sizeof(*e->cgs));
	c = &e->cgs[id];
	c->path = xstrdup(path);
	c->parent = parent;
	c->depth = parent ? e->cgs[parent].depth + 1 : 0;
	c->ino = id == CG_ROOT ? CG_INO_ROOT : CG_INO_BASE + id;
	return id;
}

void cg_table_init(struct engine *e)
{
	e->ncgs = CG_ROOT;   /* id 0 means none */
	cg_add(e, "/", 0);
}

void cg_table_release(struct engine *e)
{
	for (uint32_t i = CG_ROOT; i < e->ncgs; i++)
		free(e->cgs[i].path);
	free(e->cgs);
	e->cgs = NULL;
	e->ncgs = 0;
	e->cap_cgs = 0;
}

uint32_t cg_find(const struct engine *e, const char *path)
{
	for (uint32_t i = CG_ROOT; i < e->ncgs; i++)
		if (strcmp(e->cgs[i].path, path) == 0)
			return i;
	return 0;
}

/* The cgroup path, made with its missing parents. Returns its id, or 0 with err. */
static uint32_t cg_make(struct engine *e, const char *path, struct tm_error *err)
{
	uint32_t id = cg_find(e, path), parent = CG_ROOT;
	char *prefix;

	if (id)
		return id;
	if (!cg_path_ok(path)) {
		errorf(err, -1, "bad cgroup path '%s' (expected /NAME[/NAME...])", path);
		return 0;
	}
	prefix = xstrdup(path);
	for (char *slash = strchr(prefix + 1, '/');; slash = strchr(slash + 1, '/')) {
		uint32_t found;

		if (slash)
			*slash = '\0';
		found = cg_find(e, prefix);
		if (!found && !(found = cg_add(e, prefix, parent))) {
			errorf(err, -1, "too many cgroups (at most %u)", (unsigned)CG_MAX);
			break;
		}
		parent = found;
		if (!slash) {
			id = found;
			break;
		}
		*slash = '/';
	}
	free(prefix);
	return id;
}

bool cg_within(const struct engine *e, uint32_t id, uint32_t ancestor)
{
	if (!id)
		return false;
	while (e->cgs[id].depth > e->cgs[ancestor].depth)
		id = e->cgs[id].parent;
	return id == ancestor;
}

int engine_cgroup(struct engine *e, const char *path, struct tm_error *err)
{
	return cg_make(e, path, err) ? 0 : -1;
}

/* "/sim.slice/NAME.service", a '/' in NAME written \x2f as systemd escapes it in a unit name. */
static char *default_cgroup(const char *name)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "/sim.slice/");
	for (const char *p = name; *p; p++) {
		if (*p == '/')
			buf_addstr(&b, "\\x2f");
		else
			buf_add(&b, p, 1);
	}
	buf_addstr(&b, ".service");
	return b.buf;
}

int proc_cgroup_for_spawn(struct engine *e, const char *name, const char *path, uint32_t *id,
			  struct tm_error *err)
{
	char *dflt = NULL;

	if (!path) {
		dflt = default_cgroup(name);
		*id = cg_make(e, dflt, err);
	} else if (!(*id = cg_find(e, path))) {
		errorf(err, -1, "no cgroup '%s' (make it first with `cgroup %s`)", path, path);
	}
	free(dflt);
	return *id ? 0 : -1;
}

int engine_move(struct engine *e, pid_t pid, const char *path, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	uint32_t id;

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	if (!(id = cg_find(e, path)))
		return errorf(err, -1, "no cgroup '%s' (make it first with `cgroup %s`)", path, path);
	trace_event(e, "move pid=%d %s -> %s", (int)pid, e->cgs[p->cgroup].path, e->cgs[id].path);
	p->cgroup = id;
	return 0;
}

void frame_charge(struct engine *e, uint32_t pfn, uint32_t npages, const struct eng_proc *p)
{
	for (uint32_t i = 0; i < npages; i++)
		e->frames.f[pfn + i].memcg = (uint16_t)p->cgroup;
}

void swap_cache_drop(struct engine *e, struct frame *f)
{
	e->swap.cache[f->swap_slot] = 0;
	e->swap.memcg[f->swap_slot] = f->memcg;
	f->swap_slot = 0;
}

struct cg_tally *cg_tally_take(const struct engine *e)
{
	struct cg_tally *t = xcalloc(e->ncgs ? e->ncgs : 1, sizeof(*t));
	const struct frame_table *ft = &e->frames;

	for (uint32_t pfn = FRAME_FIRST_PFN; e->sized && pfn < ft->n; pfn++) {
		const struct frame *f = &ft->f[pfn];

		if (f->kind == FRAME_FREE)
			continue;
		t[f->memcg].charged[f->kind]++;
		if (!f->mapcount)
			t[f->memcg].unmapped[f->kind]++;
	}
	for (uint32_t slot = 1; e->sized && slot <= e->swap.nslots; slot++)
		if (e->swap.refs[slot] && !e->swap.cache[slot])
			t[e->swap.memcg[slot]].swap++;
	return t;
}

void cg_tally_subtrees(const struct engine *e, struct cg_tally *t)
{
	/* A parent has a smaller id than its children: from the last id down, each adds into its parent whole. */
	for (uint32_t id = e->ncgs; id-- > CG_ROOT + 1;) {
		struct cg_tally *c = &t[id], *p = &t[e->cgs[id].parent];

		for (int k = 0; k < FRAME_KINDS; k++) {
			p->charged[k] += c->charged[k];
			p->unmapped[k] += c->unmapped[k];
		}
		p->swap += c->swap;
	}
}

uint64_t cg_tally_charged(const struct cg_tally *t)
{
	return t->charged[FRAME_ANON] + t->charged[FRAME_FILE] + t->charged[FRAME_SHMEM];
}

uint64_t cg_tally_mapped(const struct cg_tally *t)
{
	return cg_tally_charged(t) - t->unmapped[FRAME_ANON] - t->unmapped[FRAME_FILE] - t->unmapped[FRAME_SHMEM];
}
