/*
 * cmd_sim.c: `truemem sim SCRIPT -o DIR [--trace]`. Runs the scenario in
 * the paging engine (engine.h), then writes the snapshot of the final
 * state into DIR (the capture format, so every command reads it with
 * --from DIR) and the engine's own numbers into DIR/truth.json. --trace
 * prints the engine's events on stdout as they happen.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "engine.h"
#include "truth.h"
#include "util.h"

static int sim_usage(void)
{
	cli_error("usage: truemem sim SCRIPT -o DIR [--trace]");
	return 2;
}

int cmd_sim(const struct cli_opts *o)
{
	struct engine *e;
	struct tm_error err = { "" };
	struct truth t;
	char *path;
	int rc = 0;

	if (o->nargs != 1 || !o->output)
		return sim_usage();
	e = engine_new();
	if (o->trace)
		engine_set_trace(e, stdout);
	if (scenario_run_file(e, o->args[0], &err) || engine_emit(e, o->output, &err)) {
		cli_error("%s", err.msg);
		engine_free(e);
		return 1;
	}
	truth_init(&t);
	engine_truth(e, &t);
	path = xasprintf("%s/truth.json", o->output);
	if (truth_json_write(&t, path, &err)) {
		cli_error("%s", err.msg);
		rc = 1;
	}
	free(path);
	truth_release(&t);
	engine_free(e);
	if (o->trace)
		fflush(stdout);
	return rc;
}
