/*
 * cmd_top.c: `truemem top`, the interactive view (SPEC section 1, issue 5).
 * Checks the options top takes, opens the source and hands both to top's
 * controller (src/top, top.h), which runs the view (src/view/top*.c).
 */
#include <stdio.h>

#include "cli.h"
#include "top.h"
#include "view.h"

/* top's column for the ps column col, or -1 when its table has none. */
static int top_col_of(int col)
{
	for (int c = 0; c < TOP_NCOLS; c++)
		if (top_columns[c].ps_col == col)
			return c;
	return -1;
}

/* Whether --sort names one of the fates of SPEC 2.1 (frees, reclaimable, stays, frees_swap), known in exact mode only. */
static bool fates_sort(const struct cli_opts *o)
{
	return o->sort_col >= 0 && (ps_columns[o->sort_col].need & (CNT_FATES | CNT_FREES_SWAP));
}

/* What the options ask of top. */
static void top_config_of(const struct cli_opts *o, struct top_config *cfg)
{
	cli_scan_opts(o, &cfg->scan);
	cfg->mode = o->mode == MODE_ROLLUP ? MODE_ROLLUP : MODE_EXACT;
	cfg->group_by = o->group_by;
	cfg->tree = o->tree;
	cfg->sort = o->sort_col >= 0 ? top_col_of(o->sort_col) : TOP_PSS;
	cfg->reverse = o->reverse;
	cfg->interval = o->interval > 0 ? o->interval : 2.0;
	cfg->human = !o->bytes;
	cfg->no_color = o->no_color;
	cfg->count = o->count;
	cfg->from = o->from;
}

int cmd_top(const struct cli_opts *o)
{
	struct top_config cfg;
	struct source src;
	int rc;

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
	if (o->sort_col >= 0 && top_col_of(o->sort_col) < 0) {
		cli_error("top cannot sort by '%s' (pid, user, swap, uss, pss, rss, command, frees, reclaimable, "
			  "stays, frees_swap)", ps_columns[o->sort_col].name);
		return 2;
	}
	top_config_of(o, &cfg);
	if (cli_open_source(o, &src) != 0)
		return 1;
	if (!src.exact_ok && cfg.mode == MODE_EXACT) {
		if (o->mode == MODE_EXACT) {
			cli_error("exact mode is not possible here: %s", src.exact_why);
			source_close(&src);
			return 1;
		}
		cfg.mode = MODE_ROLLUP;
	}
	if (cfg.mode != MODE_EXACT && fates_sort(o)) {
		cli_error("--sort %s needs exact mode: in rollup mode what killing frees is not known", o->sort_arg);
		source_close(&src);
		return 2;
	}
	rc = top_run(&cfg, &src);
	source_close(&src);
	return rc;
}
