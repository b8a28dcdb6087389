/*
 * ps_columns.c: the column tables of `ps` (column.h): one for the process
 * list (rows: struct proc), one for the group list of --group-by (rows:
 * struct group), and their sorts, shared by the text and JSON writers and
 * by top.
 */
#include <string.h>

#include "view.h"

static const struct mem_counts *proc_counts(const void *row)
{
	return &((const struct proc *)row)->counts;
}

static bool proc_pid(const void *row, uint64_t *v)
{
	*v = (uint64_t)((const struct proc *)row)->id.pid;
	return true;
}

static bool proc_ppid(const void *row, uint64_t *v)
{
	*v = (uint64_t)((const struct proc *)row)->id.ppid;
	return true;
}

static const char *proc_user(const void *row)
{
	return ((const struct proc *)row)->id.user;
}

/* The command column sorts by the process name (comm); it shows the command line. */
static const char *proc_comm(const void *row)
{
	return ((const struct proc *)row)->id.comm;
}

static int proc_tiebreak(const void *x, const void *y)
{
	pid_t a = ((const struct proc *)x)->id.pid, b = ((const struct proc *)y)->id.pid;

	return a < b ? -1 : a > b;
}

const struct column ps_columns[COL_COUNT] = {
	[COL_PID]      = { "pid", NULL, "PID", 7, 0, COLK_NUMBER, true, CF_NONE, proc_pid, NULL },
	[COL_USER]     = { "user", NULL, "USER", 8, 0, COLK_TEXT, true, CF_NONE, NULL, proc_user },
	[COL_SWAP]     = { "swap", NULL, "SWAP", 10, CNT_SWAP, COLK_BYTES, false, CF_SWAP, NULL, NULL },
	[COL_USS]      = { "uss", NULL, "USS", 10, CNT_USS, COLK_BYTES, false, CF_USS, NULL, NULL },
	[COL_PSS]      = { "pss", NULL, "PSS", 10, CNT_PSS, COLK_PSS, false, CF_PSS, NULL, NULL },
	[COL_RSS]      = { "rss", NULL, "RSS", 10, CNT_RSS, COLK_BYTES, false, CF_RSS, NULL, NULL },
	[COL_COMMAND]  = { "command", "name,cmd,comm", "COMMAND", 0, 0, COLK_TEXT, true, CF_NONE, NULL, proc_comm },
	[COL_SWAP_PSS] = { "swap_pss", NULL, "SWAPPSS", 10, CNT_SWAP_PSS, COLK_PSS, false, CF_SWAP_PSS, NULL, NULL },
	[COL_PPID]     = { "ppid", NULL, "PPID", 7, 0, COLK_NUMBER, true, CF_NONE, proc_ppid, NULL },
	/* What killing it does with its uss (SPEC 2.1): exact mode only. */
	[COL_FREES]    = { "frees", NULL, "FREES", 10, CNT_FATES, COLK_BYTES, false, CF_FREES, NULL, NULL },
	[COL_RECLAIMABLE] = { "reclaimable", NULL, "RECLAIMABLE", 11, CNT_FATES, COLK_BYTES, false, CF_RECLAIMABLE,
			      NULL, NULL },
	[COL_STAYS]    = { "stays", NULL, "STAYS", 10, CNT_FATES, COLK_BYTES, false, CF_STAYS, NULL, NULL },
	[COL_FREES_SWAP] = { "frees_swap", NULL, "FREES_SWAP", 10, CNT_FREES_SWAP, COLK_BYTES, false, CF_FREES_SWAP,
			     NULL, NULL },
};

const struct column_table ps_table = {
	"ps", ps_columns, COL_COUNT, proc_counts, proc_tiebreak, NULL, true,
};

void ps_sort(struct proc **rows, size_t n, enum ps_col col, bool reverse)
{
	struct column_order o = { &ps_table, (int)col, reverse, ROW_POINTER, NULL, 0 };

	column_sort(rows, n, sizeof(*rows), &o);
}

static const struct mem_counts *group_counts(const void *row)
{
	return &((const struct group *)row)->counts;
}

static bool group_procs(const void *row, uint64_t *v)
{
	*v = ((const struct group *)row)->npids;
	return true;
}

static const char *group_key(const void *row)
{
	return ((const struct group *)row)->key;
}

static int group_tiebreak(const void *x, const void *y)
{
	return strcmp(group_key(x), group_key(y));
}

/* The key column's title is the --group-by name in capitals (USER, PROGRAM, TREE, CGROUP). */
const struct column group_columns[GCOL_COUNT] = {
	[GCOL_KEY]      = { "key", "group", "KEY", 40, 0, COLK_TEXT, true, CF_NONE, NULL, group_key },
	[GCOL_PROCS]    = { "procs", NULL, "PROCS", 10, 0, COLK_NUMBER, false, CF_NONE, group_procs, NULL },
	[GCOL_SWAP]     = { "swap", NULL, "SWAP", 10, CNT_SWAP, COLK_BYTES, false, CF_SWAP, NULL, NULL },
	[GCOL_SWAP_USS] = { "swap_uss", NULL, "SWAP_USS", 10, CNT_SWAP_USS, COLK_BYTES, false, CF_SWAP_USS, NULL, NULL },
	[GCOL_FREES]    = { "frees", NULL, "FREES", 10, CNT_FATES, COLK_BYTES, false, CF_FREES, NULL, NULL },
	[GCOL_USS]      = { "uss", NULL, "USS", 10, CNT_USS, COLK_BYTES, false, CF_USS, NULL, NULL },
	[GCOL_PSS]      = { "pss", NULL, "PSS", 10, CNT_PSS, COLK_PSS, false, CF_PSS, NULL, NULL },
	[GCOL_RSS]      = { "rss", NULL, "RSS", 10, CNT_RSS, COLK_BYTES, false, CF_RSS, NULL, NULL },
	[GCOL_RECLAIMABLE] = { "reclaimable", NULL, "RECLAIMABLE", 11, CNT_FATES, COLK_BYTES, false, CF_RECLAIMABLE,
			       NULL, NULL },
	[GCOL_STAYS]    = { "stays", NULL, "STAYS", 10, CNT_FATES, COLK_BYTES, false, CF_STAYS, NULL, NULL },
	[GCOL_FREES_SWAP] = { "frees_swap", NULL, "FREES_SWAP", 10, CNT_FREES_SWAP, COLK_BYTES, false, CF_FREES_SWAP,
			      NULL, NULL },
};

const struct column_table group_table = {
	"ps --group-by", group_columns, GCOL_COUNT, group_counts, group_tiebreak, NULL, false,
};

enum group_col group_column_of(enum ps_col col)
{
	int g = column_find(&group_table, ps_columns[col].name);

	return g >= 0 && g != GCOL_PROCS && g != GCOL_KEY ? (enum group_col)g : GCOL_PSS;
}

void groups_sort(const struct scan *sc, size_t *order, enum group_col col, bool reverse)
{
	struct column_order o = { &group_table, (int)col, reverse, ROW_INDEX, sc->groups, sizeof(*sc->groups) };

	for (size_t i = 0; i < sc->ngroups; i++)
		order[i] = i;
	column_sort(order, sc->ngroups, sizeof(*order), &o);
}
