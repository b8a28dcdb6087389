/*
 * cmd_top.c: `truemem top`, the interactive view (SPEC section 1, issue 5).
 * Checks the options top takes and hands over to the view (top.h); the
 * view itself lives in src/view/top*.c.
 */
#include <stdio.h>

#include "cli.h"
#include "top.h"
#include "view.h"

/* True when top's table has the ps column col. */
static bool top_shows(int col)
{
	for (int c = 0; c < TOP_NCOLS; c++)
		if (top_columns[c].ps_col == col)
			return true;
	return false;
}

int cmd_top(const struct cli_opts *o)
{
	if (o->nargs > 0) {
		cli_error("top takes no arguments (use -p PID to pick processes)");
		return 2;
	}
	if (o->interval >= 0 && o->interval < 0.1) {
		cli_error("top: the delay must be at least 0.1 seconds");
		return 2;
	}
	if (o->count == 0) {
		cli_error("top: -n must be at least 1");
		return 2;
	}
	if (o->sort_col >= 0 && !top_shows(o->sort_col)) {
		cli_error("top cannot sort by '%s' (pid, user, swap, uss, pss, rss, command)",
			  ps_columns[o->sort_col].name);
		return 2;
	}
	return top_run(o);
}
