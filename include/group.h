/*
 * group.h: the groups of a scan and the sums over its processes that need
 * no page facts (aggregate/group.c). Pure functions over struct scan.
 */
#ifndef TRUEMEM_GROUP_H
#define TRUEMEM_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"

/*
 * Processes sharing one mm (SPEC 2.4) are walked once: the lowest pid of
 * the scan on it is counted (MM_OWN); the others take its numbers
 * (MM_COPY), except the first of each other group holding some of them,
 * walked again for that group alone (MM_GROUP): a group counts the mm
 * once whichever of its members shares it.
 */
enum mm_role { MM_OWN, MM_GROUP, MM_COPY };

/*
 * Assigns every process of sc its group (sorted by key: o's group_key, or
 * o->group_by's) and returns the walk order (owned by the caller), members
 * of a group together, each group's pids ascending.
 */
size_t *group_assign(struct scan *sc, const struct scan_opts *o);

/*
 * The role of every process (enum mm_role) in role[] (sc->n, zeroed by
 * the caller), the process whose numbers it shows in mm_of[], and
 * shares_mm_with for the views. Needs the groups assigned.
 */
void group_mm_roles(struct scan *sc, unsigned char *role, uint32_t *mm_of);

/* Counts the unreadable, in sc and its groups; numbers over nothing readable are unknown, never 0. */
void group_mark_unknown(struct scan *sc);

/* Sums of rollup mode: an mm shared by processes (SPEC 2.4) once in the totals, once per group. */
void group_totals_rollup(struct scan *sc, const unsigned char *role);

#endif
