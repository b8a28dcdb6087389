/*
 * scan_select.c: which processes a scan reports (ps -p, names, -u, the
 * filter), what identity it reads for them, and what was asked for and
 * does not exist.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "scan_internal.h"

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

bool proc_selected(const struct scan_opts *o, const struct proc_ident *id)
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

/* Notes the requested pids that do not exist and the names no process has. */
void scan_missing(const struct scan_opts *o, const struct proc_ident *ids, size_t n, struct scan *sc)
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
unsigned scan_ident_want(const struct scan_opts *o)
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
 * Takes the listed ids (owned, and freed here): those o selects (all
 * when whole) become out's processes; the others' pids go to others[],
 * and the lowest pid on each one's mm to others_mm[] (nids long, the
 * caller's). Returns how many others.
 */
size_t scan_select(const struct scan_opts *o, bool whole, struct proc_ident *ids, size_t nids, struct scan *out,
		   pid_t *others, pid_t *others_mm)
{
	size_t nothers = 0;

	for (size_t i = 0; i < nids; i++) {
		if (whole || proc_selected(o, &ids[i])) {
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
	return nothers;
}
