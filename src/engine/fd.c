/*
 * fd.c: file descriptors on shmem objects and tmpfs files, and what keeps
 * such an object alive. `open` and `close` give and take one descriptor;
 * fork copies the parent's (kernel/fork.c: dup_fd) and exit closes them
 * all. A memfd lives while a mapping or a descriptor refers to it, a tmpfs
 * file also while it has a name (mm/shmem.c: the inode goes with its last
 * link and last open file; a mapping holds the file open).
 *
 * object_outlives() is what SPEC section 2.1 asks of an object when a
 * set of processes is killed: does anything outside the set keep it?
 */
#include <string.h>

#include "engine.h"
#include "engine_mm.h"
#include "util.h"

/* The object `open`/`close` mean by OBJECT: a tmpfs file when it starts with '/', else a memfd NAME. */
static enum obj_kind fd_object_kind(const char *object)
{
	return object[0] == '/' ? OBJ_TMPFS : OBJ_SHMEM;
}

int engine_open(struct engine *e, pid_t pid, const char *object, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	uint32_t id;

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	id = object_get(e, fd_object_kind(object), object);   /* may move e->objs, not e->procs */
	e->objs[id].nfds++;
	u32vec_push(&p->fds, id);
	trace_event(e, "open pid=%d %s", (int)pid, object);
	return 0;
}

int engine_close(struct engine *e, pid_t pid, const char *object, struct tm_error *err)
{
	struct eng_proc *p = proc_find(e, pid);
	enum obj_kind kind = fd_object_kind(object);

	if (!p)
		return errorf(err, -1, "unknown pid %d", (int)pid);
	/* By name among its own descriptors: an unlinked file is still closed by the path it had. */
	for (uint32_t i = 0; i < p->fds.n; i++) {
		uint32_t id = p->fds.v[i];
		struct eng_object *o = &e->objs[id];

		if (o->kind != kind || strcmp(o->name, object) != 0)
			continue;
		memmove(&p->fds.v[i], &p->fds.v[i + 1], (p->fds.n - i - 1) * sizeof(uint32_t));
		p->fds.n--;
		o->nfds--;
		trace_event(e, "close pid=%d %s", (int)pid, object);
		object_maybe_free(e, id);
		return 0;
	}
	return errorf(err, -1, "process %d has no descriptor on '%s'", (int)pid, object);
}

void fds_fork(struct engine *e, struct eng_proc *parent, struct eng_proc *child)
{
	for (uint32_t i = 0; i < parent->fds.n; i++) {
		u32vec_push(&child->fds, parent->fds.v[i]);
		e->objs[parent->fds.v[i]].nfds++;
	}
}

void fds_close_all(struct engine *e, struct eng_proc *p)
{
	while (p->fds.n > 0) {
		uint32_t id = p->fds.v[--p->fds.n];

		e->objs[id].nfds--;
		object_maybe_free(e, id);
	}
	u32vec_release(&p->fds);
}

bool object_outlives(const struct engine *e, uint32_t id, const bool *member)
{
	const struct eng_object *o = &e->objs[id];

	if (o->kind == OBJ_FILE || (o->kind == OBJ_TMPFS && o->linked))
		return true;
	for (uint32_t i = 0; i < o->vmas.n; i++)
		if (!member[e->vmas[o->vmas.v[i]].proc])
			return true;
	if (o->nfds == 0)
		return false;
	for (uint32_t i = 0; i < e->nprocs; i++) {
		const struct eng_proc *p = &e->procs[i];

		if (!p->live || member[i])
			continue;
		for (uint32_t j = 0; j < p->fds.n; j++)
			if (p->fds.v[j] == id)
				return true;
	}
	return false;
}
