/* scenario_gen.h: the differential test's seeded scenario generator. */
#ifndef TRUEMEM_TEST_SCENARIO_GEN_H
#define TRUEMEM_TEST_SCENARIO_GEN_H

#include <stdint.h>

#include "util.h"

/* Writes the random scenario of seed into b (appended). */
void gen_scenario(uint64_t seed, struct buf *b);

#endif
