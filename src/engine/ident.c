/*
 * ident.c: who a simulated process is, as /proc would tell it: the user
 * name ("root" for uid 0, else the uid as decimal text: the simulated host
 * has no passwd file), comm (NAME cut to TASK_COMM_LEN - 1 = 15 bytes),
 * cmdline NAME, exe "/sim/NAME" and its cgroup's path (by default
 * "/sim.slice/NAME.service"), so `--group-by program` groups processes by
 * NAME. A forked child keeps its parent's NAME, as fork keeps comm and
 * exe, and its cgroup. Also the pathname maps shows for a mapping.
 */
#include <stdio.h>
#include <string.h>

#include "engine_mm.h"
#include "source.h"
#include "util.h"

#define TASK_COMM_LEN 16

void eng_proc_ident(const struct engine *e, const struct eng_proc *p, struct proc_ident *id)
{
	memset(id, 0, sizeof(*id));
	id->pid = p->pid;
	id->ppid = p->ppid;
	id->uid = p->uid;
	if (p->uid == 0)
		snprintf(id->user, sizeof(id->user), "root");
	else
		snprintf(id->user, sizeof(id->user), "%u", (unsigned)p->uid);
	snprintf(id->comm, TASK_COMM_LEN, "%s", p->name);
	id->cmdline = xstrdup(p->name);
	id->exe = xasprintf("/sim/%s", p->name);
	id->cgroup = xstrdup(e->cgs[p->cgroup].path);
	id->start_ms = p->start_ms;
	id->have_start = true;
}

char *vma_maps_name(const struct engine *e, const struct eng_vma *v)
{
	switch (v->type) {
	case VMA_FILE_PRIVATE:
	case VMA_FILE_SHARED:
		return xstrdup(e->objs[v->object].name);
	case VMA_SHMEM:
		if (e->objs[v->object].kind == OBJ_TMPFS)
			return xasprintf("%s%s", e->objs[v->object].name, e->objs[v->object].linked ? "" : " (deleted)");
		return xasprintf("/memfd:%s (deleted)", e->objs[v->object].name);
	case VMA_ANON_SHARED:
		return xstrdup("/dev/zero (deleted)");
	default:
		return xstrdup("");
	}
}
