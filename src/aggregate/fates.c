/*
 * fates.c: what killing a process or group does with its uss (fates.h,
 * SPEC section 2.1). Pure: the facts come in, the split goes out.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fates.h"
#include "frameset.h"
#include "util.h"

void fates_init(struct fates *f)
{
	memset(f, 0, sizeof(*f));
	f->index = u64_counter_new();
}

void fates_release(struct fates *f)
{
	for (size_t i = 0; i < f->nobjs; i++)
		free(f->objs[i].name);
	free(f->objs);
	u64_counter_free(f->index);
	free(f->maps);
	free(f->uses);
	free(f->swaps);
	memset(f, 0, sizeof(*f));
}

/* "/SYSVkkkkkkkk", as ipc/shm.c names a segment's file (newseg), with " (deleted)" after it. */
static bool sysv_name(const char *name)
{
	if (strncmp(name, "/SYSV", 5) != 0)
		return false;
	for (int i = 5; i < 13; i++)
		if (!isxdigit((unsigned char)name[i]))
			return false;
	return name[13] == '\0' || name[13] == ' ';
}

/* Whether mapping v is of an object that may hold shmem: a file of a device of major 0, not known to be on a disk. */
static bool memory_backed(const struct vma *v)
{
	return v->dev_major == 0 && v->fs != VMA_FS_OTHER && (v->inode != 0 || (v->dev_minor != 0 && sysv_name(v->name)));
}

static uint64_t vma_key(const struct vma *v)
{
	return shm_obj_key(v->dev_major, v->dev_minor, v->inode);
}

void fates_note_vmas(struct fates *f, uint32_t proc, const struct vma_list *vmas)
{
	for (size_t i = 0; i < vmas->n; i++) {
		const struct vma *v = &vmas->v[i];
		uint64_t *idx;
		uint32_t obj;

		if (!memory_backed(v))
			continue;
		idx = u64_counter_ins(f->index, vma_key(v));
		if (*idx == 0) {
			xgrow((void **)&f->objs, &f->cap_objs, f->nobjs + 1, sizeof(*f->objs));
			f->objs[f->nobjs] = (struct fate_obj){
				{ v->dev_major, v->dev_minor, v->inode }, xstrdup(v->name), proc, v->start, v->end,
				sysv_name(v->name)
			};
			*idx = ++f->nobjs;
		}
		obj = (uint32_t)(*idx - 1);
		if (f->nmaps && f->maps[f->nmaps - 1].obj == obj && f->maps[f->nmaps - 1].proc == proc) {
			f->maps[f->nmaps - 1].nvmas++;
			continue;
		}
		xgrow((void **)&f->maps, &f->cap_maps, f->nmaps + 1, sizeof(*f->maps));
		f->maps[f->nmaps++] = (struct fate_map){ obj, proc, 1 };
	}
}

void fates_note_uss(struct fates *f, uint32_t owner, const struct vma *v, uint64_t bytes)
{
	uint64_t key = v && memory_backed(v) ? vma_key(v) : UINT64_MAX;   /* UINT64_MAX: no object known */
	struct fate_use *last = f->nuses ? &f->uses[f->nuses - 1] : NULL;

	if (last && last->owner == owner && last->key == key) {
		last->bytes += bytes;
		return;
	}
	xgrow((void **)&f->uses, &f->cap_uses, f->nuses + 1, sizeof(*f->uses));
	f->uses[f->nuses++] = (struct fate_use){ owner, key, bytes };
}

void fates_note_swap(struct fates *f, uint32_t owner, uint64_t key, bool known, uint64_t bytes)
{
	xgrow((void **)&f->swaps, &f->cap_swaps, f->nswaps + 1, sizeof(*f->swaps));
	f->swaps[f->nswaps++] = (struct fate_swap){ owner, known, key, bytes };
}

/* The object of key, or NULL when no mapping of a memory-backed object had it. */
static const struct fate_obj *fates_obj(const struct fates *f, uint64_t key)
{
	uint64_t idx = key == UINT64_MAX ? 0 : u64_counter_get(f->index, key);

	return idx ? &f->objs[idx - 1] : NULL;
}

static bool owns(uint32_t owner, uint32_t proc, const int *proc_group)
{
	if (owner & FATE_GROUP)
		return proc_group && proc_group[proc] == (int)(owner & ~FATE_GROUP);
	return proc == owner;
}

/* Whether every scanned mapping of o is owner's; *nvmas counts them. */
static bool mapped_only_by(const struct fates *f, const struct fate_obj *o, uint32_t owner, const int *proc_group,
			   uint64_t *nvmas)
{
	uint32_t obj = (uint32_t)(o - f->objs);

	*nvmas = 0;
	for (size_t i = 0; i < f->nmaps; i++) {
		if (f->maps[i].obj != obj)
			continue;
		if (!owns(owner, f->maps[i].proc, proc_group))
			return false;
		*nvmas += f->maps[i].nvmas;
	}
	return true;
}

size_t fates_wants(const struct fates *f, const int *proc_group, const pid_t *pid, bool all, struct shm_want **w)
{
	bool *want = xcalloc(f->nobjs + 1, sizeof(bool));
	size_t n = 0;
	uint64_t nvmas;

	for (size_t i = 0; i < f->nuses + f->nswaps; i++) {
		uint32_t owner = i < f->nuses ? f->uses[i].owner : f->swaps[i - f->nuses].owner;
		uint64_t key = i < f->nuses ? f->uses[i].key : f->swaps[i - f->nuses].key;
		const struct fate_obj *o = fates_obj(f, key);

		if (o && !want[o - f->objs] && mapped_only_by(f, o, owner, proc_group, &nvmas))
			want[o - f->objs] = true;
	}
	*w = xcalloc(f->nobjs + 1, sizeof(**w));
	for (size_t i = 0; i < f->nobjs; i++) {
		const struct fate_obj *o = &f->objs[i];

		if (want[i] || all)
			(*w)[n++] = (struct shm_want){ o->obj, o->name, pid[o->proc], o->start, o->end, o->sysv };
	}
	free(want);
	return n;
}

static bool scanned_owned(pid_t p, const pid_t *pid, size_t nprocs, uint32_t owner, const int *proc_group)
{
	size_t lo = 0, hi = nprocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pid[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nprocs && pid[lo] == p && owns(owner, (uint32_t)lo, proc_group);
}

/* Whether object key dies with owner (fates.h has the rules). */
static bool dies_with(const struct fates *f, const struct shm_facts *facts, uint64_t key, uint32_t owner,
		      const int *proc_group, const pid_t *pid, size_t nprocs)
{
	const struct fate_obj *o = fates_obj(f, key);
	uint64_t nvmas;

	if (!o || !mapped_only_by(f, o, owner, proc_group, &nvmas))
		return false;
	if (o->sysv) {
		const struct shm_sysv *s = shm_facts_sysv(facts, o->obj.ino);

		return s && (s->mode & SHM_DEST_MODE) && s->nattch <= nvmas;
	}
	if (shm_facts_nlink(facts, &o->obj) != 0)
		return false;   /* a name, or not known */
	for (size_t i = 0; i < facts->noutside; i++)
		if (shm_obj_eq(&facts->outside[i], &o->obj))
			return false;
	for (size_t i = 0; i < facts->nholders; i++)
		if (shm_obj_eq(&facts->holders[i].obj, &o->obj) &&
		    !scanned_owned(facts->holders[i].pid, pid, nprocs, owner, proc_group))
			return false;
	return true;
}

static struct mem_counts *owner_counts(uint32_t owner, struct mem_counts *const *procs, struct mem_counts *groups)
{
	return owner & FATE_GROUP ? &groups[owner & ~FATE_GROUP] : procs[owner];
}

void fates_resolve(const struct fates *f, const struct shm_facts *facts, struct mem_counts *const *procs,
		   const int *proc_group, const pid_t *pid, size_t nprocs, struct mem_counts *groups, size_t ngroups)
{
	for (size_t i = 0; i < f->nuses; i++) {
		const struct fate_use *u = &f->uses[i];
		struct mem_counts *c = owner_counts(u->owner, procs, groups);

		if (!facts->have && fates_obj(f, u->key))
			c->valid &= ~(unsigned)CNT_FATES;
		else if (dies_with(f, facts, u->key, u->owner, proc_group, pid, nprocs)) {
			c->stays_bytes -= u->bytes;
			c->frees_bytes += u->bytes;
		}
	}
	for (size_t i = 0; i < f->nswaps; i++) {
		const struct fate_swap *s = &f->swaps[i];
		struct mem_counts *c = owner_counts(s->owner, procs, groups);

		if (!s->bytes && s->known)
			continue;
		if (!facts->have && fates_obj(f, s->key))
			c->valid &= ~(unsigned)CNT_FREES_SWAP;
		else if (dies_with(f, facts, s->key, s->owner, proc_group, pid, nprocs)) {
			if (s->known)
				c->frees_swap_bytes += s->bytes;
			else
				c->valid &= ~(unsigned)CNT_FREES_SWAP;
		}
	}
	(void)ngroups;
}
