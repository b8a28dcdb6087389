/*
 * emit_cgroup.c: the snapshot members of the physical census and the
 * memory cgroups (census.h, SPEC sections 2.2 and 2.3), from the engine's
 * frame table and charges (cgroup.c):
 *  - "census": every RAM frame in one class: mapped_anon, mapped_file,
 *    mapped_shmem (a page table maps it), cache_file, cache_shmem,
 *    anon_unmapped (none maps it), free (all of the buddy allocator's);
 *    the zero page lies outside RAM and the engine has no kernel memory in
 *    RAM, so every other class is 0; with the memcg split, one line per
 *    cgroup charged a frame, by its inode;
 *  - "cgroups" (cgroup_tree_format, v2 shapes): every cgroup, parents
 *    first (a parent's id is below its children's), its fixed inode, memory.current
 *    (the frames charged to its subtree; the root's MemTotal - MemFree of
 *    the engine's meminfo, the same frames), memory.max unlimited,
 *    memory.swap.current (the slots charged to its subtree), kernel 0, and
 *    the live processes in the cgroup itself.
 */
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "cgroup.h"
#include "engine.h"
#include "engine_mm.h"
#include "snapshot.h"
#include "util.h"

/* The user classes of one tally, in census order. */
static void census_user_pages(const struct cg_tally *t, uint64_t *pages)
{
	pages[CEN_MAPPED_ANON] = t->charged[FRAME_ANON] - t->unmapped[FRAME_ANON];
	pages[CEN_MAPPED_FILE] = t->charged[FRAME_FILE] - t->unmapped[FRAME_FILE];
	pages[CEN_MAPPED_SHMEM] = t->charged[FRAME_SHMEM] - t->unmapped[FRAME_SHMEM];
	pages[CEN_CACHE_FILE] = t->unmapped[FRAME_FILE];
	pages[CEN_CACHE_SHMEM] = t->unmapped[FRAME_SHMEM];
	pages[CEN_ANON_UNMAPPED] = t->unmapped[FRAME_ANON];
}

int emit_census(struct snap_writer *w, const struct engine *e, const struct cg_tally *tally, struct tm_error *err)
{
	struct census c;
	struct buf b = BUF_INIT;
	uint64_t user = 0;
	int rc;

	memset(&c, 0, sizeof(c));
	c.page_size = ENG_PAGE_SIZE;
	c.frames = engine_ram_pages(e);
	c.by_memcg = true;
	c.memcg = xcalloc(e->ncgs, sizeof(*c.memcg));
	/* ids ascend with inodes: the root's 1, then CG_INO_BASE + id */
	for (uint32_t id = 0; id < e->ncgs; id++) {
		uint64_t pages[CEN_USER_COUNT], n = 0;

		census_user_pages(&tally[id], pages);
		for (int k = 0; k < CEN_USER_COUNT; k++) {
			c.pages[k] += pages[k];
			n += pages[k];
		}
		user += n;
		if (id < CG_ROOT || n == 0)
			continue;
		c.memcg[c.nmemcg].ino = e->cgs[id].ino;
		memcpy(c.memcg[c.nmemcg++].pages, pages, sizeof(pages));
	}
	c.pages[CEN_FREE] = c.free_buddy = c.frames - user;
	census_format(&c, &b);
	rc = snapw_top_file(w, "census", b.buf, b.len, err);
	buf_release(&b);
	census_release(&c);
	return rc;
}

/* The live processes of cgroup id itself, ascending, into n (owned). */
static void cgroup_procs(const struct engine *e, uint32_t id, struct cgroup_node *n)
{
	n->procs = xcalloc(e->nprocs + 1, sizeof(pid_t));
	for (uint32_t i = 0; i < e->nprocs; i++)
		if (e->procs[i].live && e->procs[i].cgroup == id)
			n->procs[n->nprocs++] = e->procs[i].pid;
	qsort(n->procs, n->nprocs, sizeof(pid_t), pid_cmp);
}

int emit_cgroups(struct snap_writer *w, const struct engine *e, const struct cg_tally *subtree, struct tm_error *err)
{
	struct cgroup_tree t = { .version = 2, .n = xcalloc(e->ncgs, sizeof(struct cgroup_node)) };
	struct buf b = BUF_INIT;
	int rc;

	for (uint32_t id = CG_ROOT; id < e->ncgs; id++) {
		struct cgroup_node *n = &t.n[t.count++];
		uint64_t current = cg_tally_charged(&subtree[id]);

		if (id == CG_ROOT)
			current = engine_ram_pages(e) - engine_free_pages(e);
		n->path = xstrdup(e->cgs[id].path);
		n->ino = e->cgs[id].ino;
		n->current = current * ENG_PAGE_SIZE;
		n->has_swap = n->has_kernel = true;
		n->swap = subtree[id].swap * ENG_PAGE_SIZE;
		n->parent = id == CG_ROOT ? -1 : (int)(e->cgs[id].parent - CG_ROOT);
		n->depth = (int)e->cgs[id].depth;
		cgroup_procs(e, id, n);
	}
	cgroup_tree_format(&t, &b);
	rc = snapw_top_file(w, "cgroups", b.buf, b.len, err);
	buf_release(&b);
	cgroup_tree_release(&t);
	return rc;
}
