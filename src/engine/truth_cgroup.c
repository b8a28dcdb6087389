/*
 * truth_cgroup.c: the ground truth of SPEC section 2.3 for every memory
 * cgroup C, from the engine's charges (each frame's and swap slot's memcg,
 * cgroup.c) and page tables, never from the snapshot:
 *  - charged: the frames charged to C or a descendant; swap_charged the
 *    slots; kernel 0 (the engine charges no kernel memory);
 *  - of the charged frames, mapped_inside: mapped by a page table of a
 *    process of C's subtree; mapped_outside_only: mapped, by none of them;
 *    unmapped_file, unmapped_shmem, unmapped_anon: mapped by no page table;
 *    so unexplained is 0;
 *  - mapped_from_elsewhere: frames the subtree's processes map that are
 *    charged outside C's subtree;
 *  - pids, and rss, pss, uss and what killing them frees, of the subtree's
 *    processes as one group (truth.c's group_count).
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

/* The frames members map (s->seen_frames after group_count), inside C's subtree or charged elsewhere. */
static void mapped_split(const struct engine *e, uint32_t cg, const struct group_scratch *s,
			 uint64_t *inside, uint64_t *elsewhere)
{
	*inside = *elsewhere = 0;
	for (size_t i = 0; i < s->nframes_seen; i++) {
		if (cg_within(e, e->frames.f[s->seen_frames[i]].memcg, cg))
			(*inside)++;
		else
			(*elsewhere)++;
	}
}

static void fill_cgroup(const struct engine *e, uint32_t cg, const struct cg_tally *tally, struct truth *t,
			const struct eng_proc *const *live, struct group_scratch *s, struct truth_cgroup *out)
{
	const struct eng_proc **members = xcalloc(t->nprocs + 1, sizeof(*members));
	const struct mem_counts **mc = xcalloc(t->nprocs + 1, sizeof(*mc));
	uint64_t inside, elsewhere, explained;

	out->path = xstrdup(e->cgs[cg].path);
	out->ino = e->cgs[cg].ino;
	out->pids = xcalloc(t->nprocs + 1, sizeof(pid_t));
	for (size_t i = 0; i < t->nprocs; i++) {
		if (!cg_within(e, live[i]->cgroup, cg))
			continue;
		members[out->npids] = live[i];
		mc[out->npids] = &t->procs[i].counts;
		out->pids[out->npids++] = t->procs[i].pid;
	}
	group_count(e, members, out->npids, mc, s, &out->counts);
	mapped_split(e, cg, s, &inside, &elsewhere);
	out->charged_bytes = cg_tally_charged(tally) * ENG_PAGE_SIZE;
	out->swap_charged_bytes = tally->swap * ENG_PAGE_SIZE;
	out->mapped_inside_bytes = inside * ENG_PAGE_SIZE;
	out->mapped_outside_only_bytes = (cg_tally_mapped(tally) - inside) * ENG_PAGE_SIZE;
	out->unmapped_file_bytes = tally->unmapped[FRAME_FILE] * ENG_PAGE_SIZE;
	out->unmapped_shmem_bytes = tally->unmapped[FRAME_SHMEM] * ENG_PAGE_SIZE;
	out->unmapped_anon_bytes = tally->unmapped[FRAME_ANON] * ENG_PAGE_SIZE;
	out->mapped_from_elsewhere_bytes = elsewhere * ENG_PAGE_SIZE;
	explained = out->mapped_inside_bytes + out->mapped_outside_only_bytes + out->unmapped_file_bytes +
		    out->unmapped_shmem_bytes + out->unmapped_anon_bytes + out->kernel_bytes;
	out->unexplained_bytes = (int64_t)out->charged_bytes - (int64_t)explained;
	free(members);
	free(mc);
}

static int cmp_cgroup_path(const void *a, const void *b)
{
	return strcmp(((const struct truth_cgroup *)a)->path, ((const struct truth_cgroup *)b)->path);
}

void truth_cgroups(const struct engine *e, struct truth *t, const struct eng_proc *const *live,
		   struct group_scratch *s)
{
	struct cg_tally *tally = cg_tally_take(e);

	cg_tally_subtrees(e, tally);

	t->ncgroups = e->ncgs - CG_ROOT;
	t->cgroups = xcalloc(t->ncgroups, sizeof(*t->cgroups));
	for (uint32_t id = CG_ROOT; id < e->ncgs; id++)
		fill_cgroup(e, id, &tally[id], t, live, s, &t->cgroups[id - CG_ROOT]);
	qsort(t->cgroups, t->ncgroups, sizeof(*t->cgroups), cmp_cgroup_path);
	free(tally);
}
