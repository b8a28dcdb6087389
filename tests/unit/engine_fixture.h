/*
 * engine_fixture.h: helpers the engine's unit tests share: run a scenario
 * that must succeed, with the engine's bookkeeping checked after it.
 */
#ifndef TRUEMEM_ENGINE_FIXTURE_H
#define TRUEMEM_ENGINE_FIXTURE_H

#include <string.h>

#include "engine.h"

/* Runs more scenario text on e; the run and engine_check must succeed. */
static inline void run_more(struct engine *e, const char *text)
{
	struct tm_error err = { "" };

	if (scenario_run(e, "t.scn", text, strlen(text), &err) != 0)
		fail_msg("scenario failed: %s", err.msg);
	if (engine_check(e, &err) != 0)
		fail_msg("engine_check: %s", err.msg);
}

/* A new engine that ran text. */
static inline struct engine *run_ok(const char *text)
{
	struct engine *e = engine_new();

	run_more(e, text);
	return e;
}

/* Checks the engine's bookkeeping once more and frees it. */
static inline void check_and_free(struct engine *e)
{
	struct tm_error err;

	if (engine_check(e, &err) != 0)
		fail_msg("engine_check: %s", err.msg);
	engine_free(e);
}

#endif
