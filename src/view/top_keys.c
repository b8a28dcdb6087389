/*
 * top_keys.c: what each key of `truemem top` does, as a table (tmux's
 * key bindings, htop's Action table): the key, the screens it works on, its
 * help text, and its action. The help screen is generated from the same
 * table, so it cannot drift from the bindings.
 *
 * No key acts on a process: truemem is read-only, it never sends a signal.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top.h"

#define ON_LIST (1u << SCREEN_LIST)
#define ON_MAP  (1u << SCREEN_MAP)
#define ON_CG   (1u << SCREEN_CGROUP)
#define ON_BOTH (ON_LIST | ON_MAP)
#define ON_ALL  (ON_LIST | ON_MAP | ON_CG)
#define ON_VIEW (ON_LIST | ON_CG)   /* the two tables: processes and cgroups */
#define KEY_ESC 27

struct top_binding {
	int key;
	unsigned screens;            /* ON_* */
	const char *label;           /* help text's key name; NULL: an alias of the line above */
	const char *help;
	void (*act)(struct top_state *st, int key);
};

/* Refresh intervals + and - step through, in seconds. */
static const double intervals[] = { 0.5, 1, 2, 3, 5, 10, 15, 30, 60 };

/* The selection and scroll position of the list on screen, and its length. */
static void cursor_of(struct top_state *st, size_t **sel, size_t *n)
{
	if (st->screen == SCREEN_MAP) {
		*sel = &st->map_sel;
		*n = top_map_rows(st);
	} else if (st->screen == SCREEN_CGROUP) {
		*sel = &st->cg_sel;
		*n = st->cg_n;
	} else {
		*sel = &st->sel;
		*n = st->nrows;
	}
}

static void act_move(struct top_state *st, int key)
{
	size_t *sel, n, page = (size_t)top_table_height();

	cursor_of(st, &sel, &n);
	if (!n)
		return;
	if (key == KEY_UP && *sel > 0)
		(*sel)--;
	else if (key == KEY_DOWN && *sel + 1 < n)
		(*sel)++;
	else if (key == KEY_PPAGE)
		*sel = *sel > page ? *sel - page : 0;
	else if (key == KEY_NPAGE)
		*sel = *sel + page < n ? *sel + page : n - 1;
	else if (key == KEY_HOME)
		*sel = 0;
	else if (key == KEY_END)
		*sel = n - 1;
	if (st->screen == SCREEN_LIST)
		top_clamp_selection(st);
	else if (st->screen == SCREEN_CGROUP)
		top_cgroup_clamp(st);
}

static void rebuild(struct top_state *st)
{
	top_selection_save(st);
	top_rows_build(st);
}

static void act_sort_step(struct top_state *st, int key)
{
	int c = (int)st->sort, dir = key == '<' ? -1 : 1;

	if (st->screen == SCREEN_MAP) {
		top_map_sort_step(st, key == '<' ? -1 : 1);
		return;
	}
	if (st->screen == SCREEN_CGROUP) {
		st->cg_sort = (st->cg_sort + (key == '<' ? -1 : 1) + CGC_COUNT) % CGC_COUNT;
		top_cgroup_sort(st);
		return;
	}
	do
		c = (c + dir + TOP_NCOLS) % TOP_NCOLS;
	while (top_columns[c].on_demand);
	st->sort = (enum top_col)c;
	rebuild(st);
}

static void act_sort_menu(struct top_state *st, int key)
{
	st->sort_menu_sel = st->screen == SCREEN_CGROUP ? (size_t)st->cg_sort : (size_t)st->sort;
	st->back = st->screen;
	st->screen = SCREEN_SORT;
}

static void act_reverse(struct top_state *st, int key)
{
	if (st->screen == SCREEN_MAP) {
		st->map_reverse = !st->map_reverse;
		return;
	}
	if (st->screen == SCREEN_CGROUP) {
		st->cg_reverse = !st->cg_reverse;
		top_cgroup_sort(st);
		return;
	}
	st->reverse = !st->reverse;
	rebuild(st);
}

static void act_filter(struct top_state *st, int key)
{
	st->editing_filter = true;
}

/* Esc: leaves a group's member list (back to the groups), else clears the filter. */
static void act_clear_filter(struct top_state *st, int key)
{
	if (st->members) {
		top_members_clear(st);
		st->dirty = true;
		return;
	}
	st->filter[0] = '\0';
	rebuild(st);
}

void top_members_clear(struct top_state *st)
{
	if (!st->members)
		return;
	free(st->members);
	free(st->members_of);
	st->members = NULL;
	st->members_of = NULL;
	st->nmembers = 0;
	st->group_by = st->members_group_by;
}

static void act_group(struct top_state *st, int key)
{
	top_members_clear(st);
	st->group_by = (enum group_by)((st->group_by + 1) % GROUP_COUNT);
	st->sel = st->first = 0;
	st->dirty = true;
}

static void act_tree(struct top_state *st, int key)
{
	if (st->screen == SCREEN_CGROUP) {
		st->cg_tree = !st->cg_tree;
		top_cgroup_sort(st);
		return;
	}
	st->tree = !st->tree;
	if (st->tree && st->group_by != GROUP_NONE) {
		st->group_by = GROUP_NONE;
		st->dirty = true;
	}
	rebuild(st);
}

static void act_enter(struct top_state *st, int key)
{
	const struct top_row *r = st->sel < st->nrows ? &st->rows[st->sel] : NULL;

	if (!r)
		return;
	if (r->group) {
		/* A group opens into its processes; Esc goes back to the groups. */
		st->nmembers = r->group->npids;
		st->members = xmalloc((st->nmembers + 1) * sizeof(pid_t));
		memcpy(st->members, r->group->pids, st->nmembers * sizeof(pid_t));
		st->members_of = xstrdup(r->group->key ? r->group->key : "");
		st->members_group_by = st->group_by;
		st->group_by = GROUP_NONE;
		st->sel = st->first = 0;
		st->dirty = true;
		return;
	}
	top_map_open(st, r->proc->id.pid);
}

/* c: the cgroup view (the `cgroup` report, live); c or Esc again: back to the processes. */
static void act_cgroups(struct top_state *st, int key)
{
	if (st->screen == SCREEN_CGROUP) {
		st->screen = SCREEN_LIST;
		top_rows_build(st);
	} else {
		st->screen = SCREEN_CGROUP;
		st->cg_failed = false;
		/* None yet, or older than the interval: take it now (the user asked). */
		st->dirty = !st->have_cg || top_now() - st->cg_last_full >= st->interval;
	}
}

static void act_back(struct top_state *st, int key)
{
	top_map_close(st);
	top_rows_build(st);
}

static void act_mode(struct top_state *st, int key)
{
	if (st->mode == MODE_ROLLUP && !st->exact_ok) {
		snprintf(st->msg, sizeof(st->msg), "exact mode is not possible here: %s",
			 st->exact_why ? st->exact_why : "no access to page frames");
		return;
	}
	st->mode = st->mode == MODE_EXACT ? MODE_ROLLUP : MODE_EXACT;
	st->dirty = true;
}

static void act_interval(struct top_state *st, int key)
{
	size_t i;

	if (key == '+') {
		for (i = 0; i < ARRAY_SIZE(intervals) - 1 && intervals[i] <= st->interval; i++)
			;
		if (intervals[i] > st->interval)
			st->interval = intervals[i];
	} else {
		for (i = ARRAY_SIZE(intervals); i-- > 1 && intervals[i] >= st->interval;)
			;
		if (intervals[i] < st->interval)
			st->interval = intervals[i];
	}
	st->next_tick = top_now() + st->interval;
	snprintf(st->msg, sizeof(st->msg), "refresh every %.1f s", st->interval);
}

static void act_pause(struct top_state *st, int key)
{
	st->paused = !st->paused;
	if (!st->paused)
		st->next_tick = 0;
}

static void act_help(struct top_state *st, int key)
{
	st->back = st->screen;
	st->help_first = 0;
	st->screen = SCREEN_HELP;
}

/*
 * Moves the selection to the first row at or after (next: after) the
 * selected one whose command, command line or user matches the search,
 * wrapping around, as htop's F3. Returns false when none matches.
 */
static bool search_jump(struct top_state *st, bool next)
{
	regex_t re;
	bool found = false;

	if (!st->search[0] || !st->nrows || filter_compile(&re, st->search) != 0)
		return false;
	for (size_t k = next ? 1 : 0; k <= st->nrows && !found; k++) {
		size_t i = (st->sel + k) % st->nrows;

		if (top_row_matches(st->rows[i].proc, st->rows[i].group, &re)) {
			st->sel = i;
			found = true;
		}
	}
	regfree(&re);
	if (found) {
		top_clamp_selection(st);
		top_selection_save(st);
		st->dirty = true;
	}
	return found;
}

static void act_search(struct top_state *st, int key)
{
	if (st->editing_search)
		search_jump(st, true);
	st->editing_search = true;
}

/* Typing into the search: the selection follows; F3 finds the next match; Enter or Esc ends it. */
static void search_key(struct top_state *st, int key)
{
	size_t n = strlen(st->search);

	if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_ESC) {
		st->editing_search = false;
		return;
	}
	if (key == KEY_F(3)) {
		search_jump(st, true);
		return;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		while (n > 0 && ((unsigned char)st->search[n - 1] & 0xc0) == 0x80)
			n--;
		st->search[n > 0 ? n - 1 : 0] = '\0';
	} else if (key >= 32 && key < 256 && n + 1 < sizeof(st->search)) {
		st->search[n] = (char)key;
		st->search[n + 1] = '\0';
	} else {
		return;
	}
	search_jump(st, false);
}

static void act_quit(struct top_state *st, int key)
{
	st->quit = true;
}

static void act_resize(struct top_state *st, int key)
{
	top_clamp_selection(st);
}

static const struct top_binding bindings[] = {
	{ '?',           ON_ALL,  "? F1",          "this help", act_help },
	{ KEY_F(1),      ON_ALL,  NULL,            NULL, act_help },
	{ KEY_UP,        ON_ALL,  "Up Down",       "move the selection", act_move },
	{ KEY_DOWN,      ON_ALL,  NULL,            NULL, act_move },
	{ KEY_PPAGE,     ON_ALL,  "PgUp PgDn",     "a screen up or down", act_move },
	{ KEY_NPAGE,     ON_ALL,  NULL,            NULL, act_move },
	{ KEY_HOME,      ON_ALL,  "Home End",      "first or last row", act_move },
	{ KEY_END,       ON_ALL,  NULL,            NULL, act_move },
	{ '<',           ON_ALL,  "< >",           "sort by the previous or next column (mappings too)", act_sort_step },
	{ '>',           ON_ALL,  NULL,            NULL, act_sort_step },
	{ KEY_F(6),      ON_VIEW, "F6",            "choose the sort column from a menu", act_sort_menu },
	{ 'r',           ON_ALL,  "r",             "reverse the sort order", act_reverse },
	{ 'c',           ON_VIEW, "c",             "cgroup view: the `truemem cgroup` report, live (c or Esc: back)", act_cgroups },
	{ KEY_ESC,       ON_CG,   NULL,            NULL, act_cgroups },
	{ '/',           ON_LIST, "/ F4",          "filter: a regex on command or user, any case unless it has capitals", act_filter },
	{ KEY_F(4),      ON_LIST, NULL,            NULL, act_filter },
	{ KEY_F(3),      ON_LIST, "F3",            "search: the selection jumps to a match (F3 again: the next)", act_search },
	{ KEY_ESC,       ON_LIST, "Esc",           "clear the filter, or leave a group's processes; in the mappings, go back", act_clear_filter },
	{ 'g',           ON_LIST, "g",             "group by: none, user, program, tree, cgroup", act_group },
	{ 't',           ON_VIEW, "t F5",          "tree view of the processes (cgroup view: of the hierarchy)", act_tree },
	{ KEY_F(5),      ON_VIEW, NULL,            NULL, act_tree },
	{ '\n',          ON_LIST, "Enter",         "the selected process's mappings, or the selected group's processes", act_enter },
	{ '\r',          ON_LIST, NULL,            NULL, act_enter },
	{ KEY_ENTER,     ON_LIST, NULL,            NULL, act_enter },
	{ KEY_ESC,       ON_MAP,  NULL,            NULL, act_back },
	{ 'q',           ON_MAP,  NULL,            NULL, act_back },
	{ KEY_LEFT,      ON_MAP,  NULL,            NULL, act_back },
	{ 'm',           ON_ALL,  "m",             "switch between exact and rollup mode", act_mode },
	{ '+',           ON_ALL,  "+ -",           "refresh less or more often", act_interval },
	{ '-',           ON_ALL,  NULL,            NULL, act_interval },
	{ ' ',           ON_ALL,  "Space",         "pause or resume refreshing", act_pause },
	{ 'q',           ON_VIEW, "q F10",         "quit (in the mappings: go back)", act_quit },
	{ KEY_F(10),     ON_ALL,  NULL,            NULL, act_quit },
	{ KEY_RESIZE,    ON_ALL,  NULL,            NULL, act_resize },
};

const char *top_help_line(size_t i, char *out, size_t len)
{
	for (size_t b = 0; b < ARRAY_SIZE(bindings); b++) {
		if (!bindings[b].label)
			continue;
		if (i-- == 0) {
			snprintf(out, len, "  %-12s %s", bindings[b].label, bindings[b].help);
			return out;
		}
	}
	return NULL;
}

/* Typing into the filter: it applies as it is typed. */
static void filter_key(struct top_state *st, int key)
{
	size_t n = strlen(st->filter);

	if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		st->editing_filter = false;
		return;
	}
	if (key == KEY_ESC) {
		st->editing_filter = false;
		st->filter[0] = '\0';
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		/* Drop a whole UTF-8 character: its continuation bytes, then its lead. */
		while (n > 0 && ((unsigned char)st->filter[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
		st->filter[n] = '\0';
	} else if (key == 21) {   /* ^U */
		st->filter[0] = '\0';
	} else if (key >= 32 && key < 256 && key != 127 && n + 1 < sizeof(st->filter)) {
		st->filter[n] = (char)key;
		st->filter[n + 1] = '\0';
	} else {
		return;
	}
	rebuild(st);
}

static void sort_menu_key(struct top_state *st, int key)
{
	bool cg = st->back == SCREEN_CGROUP;
	size_t n = cg ? CGC_COUNT : TOP_NCOLS;

	if (key == KEY_UP && st->sort_menu_sel > 0)
		st->sort_menu_sel--;
	else if (key == KEY_DOWN && st->sort_menu_sel + 1 < n)
		st->sort_menu_sel++;
	else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		st->screen = st->back;
		if (cg) {
			st->cg_sort = (int)st->sort_menu_sel;
			top_cgroup_sort(st);
		} else {
			st->sort = (enum top_col)st->sort_menu_sel;
			rebuild(st);
		}
	} else if (key == KEY_ESC || key == 'q' || key == KEY_F(6)) {
		st->screen = st->back;
	}
}

static void help_key(struct top_state *st, int key)
{
	if (key == KEY_DOWN)
		st->help_first++;
	else if (key == KEY_UP && st->help_first > 0)
		st->help_first--;
	else if (key != KEY_RESIZE)
		st->screen = st->back;
}

bool top_key(struct top_state *st, int key)
{
	if (st->editing_filter) {
		filter_key(st, key);
		return true;
	}
	if (st->editing_search) {
		search_key(st, key);
		return true;
	}
	if (st->screen == SCREEN_HELP) {
		help_key(st, key);
		return true;
	}
	if (st->screen == SCREEN_SORT) {
		sort_menu_key(st, key);
		return true;
	}
	for (size_t b = 0; b < ARRAY_SIZE(bindings); b++) {
		if (bindings[b].key == key && (bindings[b].screens & (1u << st->screen))) {
			bindings[b].act(st, key);
			return true;
		}
	}
	return false;
}
