/*
 * test_engine_errors.c: every way a scenario can be wrong stops the run
 * with "NAME:LINE: what" naming the offending line (SPEC section 5), and
 * `truemem sim` turns that into exit code 1, a missing SCRIPT or -o into
 * the usage error 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "engine.h"

struct bad_case {
	const char *scenario;
	const char *message;   /* the whole error */
};

static const struct bad_case bad_cases[] = {
	{ "spawn 1 a\nmmapp 1 x anon private 4K\n", "s.scn:2: unknown command 'mmapp'" },
	{ "spawn 1 a\nmmap 1 x anon private 4Q\n", "s.scn:2: bad size '4Q'" },
	{ "spawn 1 a\nmmap 1 x anon private 0\n", "s.scn:2: bad size '0'" },
	{ "ram lots\n", "s.scn:1: bad size 'lots'" },
	{ "# comment\n\nspawn 1 a\ntouch 2 x read\n", "s.scn:4: unknown pid 2" },
	{ "spawn 1 a\ntouch 1 heap write\n", "s.scn:2: process 1 has no region 'heap'" },
	{ "spawn 1 a\nspawn 2 b\nfork 1 2\n", "s.scn:3: fork onto pid 2, which already exists" },
	{ "spawn 1 a\nspawn 1 b\n", "s.scn:2: spawn of pid 1, which already exists" },
	{ "spawn 1 a\nfork 9 10\n", "s.scn:2: unknown pid 9" },
	{ "spawn 1 a\nexit 1\nexit 1\n", "s.scn:3: unknown pid 1" },
	{ "spawn 1 a\nmunmap 1 x\n", "s.scn:2: process 1 has no region 'x'" },
	{ "spawn 1 a\nmmap 1 x anon private 4K\nmmap 1 x anon private 4K\n",
	  "s.scn:3: process 1 already has a region 'x'" },
	{ "ram 64K\nswap 8K\nspawn 1 a\nmmap 1 x anon private 128K\ntouch 1 x write\n",
	  "s.scn:5: out of swap (2 slots in use)" },
	{ "ram 64K\nspawn 1 a\nmmap 1 x anon private 128K\ntouch 1 x write\n",
	  "s.scn:4: out of memory (no swap)" },
	{ "ram 1M\nswap 4K\nspawn 1 a\nmmap 1 x anon private 8K\ntouch 1 x write\nswapout 1 x\n",
	  "s.scn:6: out of swap (1 slots in use)" },
	{ "spawn 1 a\nmmap 1 x anon private 8K\ntouch 1 x read 8K\n",
	  "s.scn:3: offset 8192 is outside region 'x' (8192 bytes)" },
	{ "spawn 1 a\nmmap 1 x anon private 8K\ntouch 1 x read 4K 8K\n",
	  "s.scn:3: length 8192 at offset 4096 runs past region 'x' (8192 bytes)" },
	{ "spawn 1 a\nmmap 1 x anon private 8K\ntouch 1 x poke\n", "s.scn:3: expected read or write, not 'poke'" },
	{ "spawn 1 a\nram 1M\n", "s.scn:2: ram must be set before the first spawn" },
	{ "spawn 1 a\nswap 1M\n", "s.scn:2: swap must be set before the first spawn" },
	{ "spawn 0 a\n", "s.scn:1: bad pid '0'" },
	{ "spawn 1 a uid=x\n", "s.scn:1: bad option 'uid=x' (expected uid=N)" },
	{ "spawn 1 a gid=3\n", "s.scn:1: bad option 'gid=3' (expected uid=N or cgroup=PATH, each once)" },
	{ "cgroup /x\nspawn 1 a cgroup=/x cgroup=/x\n",
	  "s.scn:2: bad option 'cgroup=/x' (expected uid=N or cgroup=PATH, each once)" },
	{ "spawn 1 a uid=1 uid=2\n", "s.scn:1: bad option 'uid=2' (expected uid=N or cgroup=PATH, each once)" },
	{ "spawn 1 a cgroup=/x\n", "s.scn:1: no cgroup '/x' (make it first with `cgroup /x`)" },
	{ "cgroup web\n", "s.scn:1: bad cgroup path 'web' (expected /NAME[/NAME...])" },
	{ "cgroup /a//b\n", "s.scn:1: bad cgroup path '/a//b' (expected /NAME[/NAME...])" },
	{ "cgroup /a/\n", "s.scn:1: bad cgroup path '/a/' (expected /NAME[/NAME...])" },
	{ "cgroup /a/../b\n", "s.scn:1: bad cgroup path '/a/../b' (expected /NAME[/NAME...])" },
	{ "cgroup /a/./b\n", "s.scn:1: bad cgroup path '/a/./b' (expected /NAME[/NAME...])" },
	{ "cgroup\n", "s.scn:1: usage: cgroup PATH" },
	{ "spawn 1 a\nmove 2 /\n", "s.scn:2: unknown pid 2" },
	{ "spawn 1 a\nmove 1 /nope\n", "s.scn:2: no cgroup '/nope' (make it first with `cgroup /nope`)" },
	{ "spawn 1 a\nmove 1\n", "s.scn:2: usage: move PID PATH" },
	{ "spawn 1 a\nmmap 1 x file /f both 4K\n", "s.scn:2: expected private or shared, not 'both'" },
	{ "spawn 1 a\nmmap 1 x pipe p 4K\n", "s.scn:2: unknown mapping type 'pipe' (anon, file, shmem or tmpfs)" },
	{ "spawn 1 a\nmmap 1 x tmpfs shm/x 4K\n", "s.scn:2: tmpfs path 'shm/x' does not start with /" },
	{ "spawn 1 a\nmmap 1 x tmpfs /dev/shm/x\n", "s.scn:2: usage: mmap PID REGION anon|file|shmem|tmpfs ..." },
	{ "spawn 1 a\nclose 1 ring\n", "s.scn:2: process 1 has no descriptor on 'ring'" },
	{ "spawn 1 a\nopen 1 ring\nclose 1 ring\nclose 1 ring\n", "s.scn:4: process 1 has no descriptor on 'ring'" },
	{ "spawn 1 a\nopen 2 ring\n", "s.scn:2: unknown pid 2" },
	{ "spawn 1 a\nopen 1\n", "s.scn:2: usage: open PID OBJECT" },
	{ "unlink /dev/shm/x\n", "s.scn:1: no tmpfs file '/dev/shm/x'" },
	{ "spawn 1 a\nmmap 1 x tmpfs /dev/shm/x 4K\nunlink /dev/shm/x\nunlink /dev/shm/x\n",
	  "s.scn:4: no tmpfs file '/dev/shm/x'" },
	{ "spawn 1 a\nmmap 1 x file /f private 4K off=3\n", "s.scn:2: bad option 'off=3' (expected offset=N)" },
	{ "fork 1\n", "s.scn:1: usage: fork PARENT CHILD" },
	{ "spawn 1 a\nreclaim many\n", "s.scn:2: bad page count 'many'" },
	{ "ram 64K\nspawn 1 a\nreclaim 17\n", "s.scn:3: cannot free 17 pages: RAM has 16" },
	{ "reclaim 1\n", "s.scn:1: reclaim before any process exists" },
	{ "spawn 1 a\nmmap 1 x anon private 65T\n", "s.scn:2: bad size '65T'" },
	/* 0x10000000 + 64T + a gap page leaves less than 64T below the 47-bit limit */
	{ "spawn 1 a\nmmap 1 x anon private 64T\nmmap 1 y anon private 64T\n",
	  "s.scn:3: bad size: 70368744177664 bytes do not fit in the address space of 1" },
	/* a mapping that ends at the limit leaves no room at all */
	{ "spawn 1 a\nmmap 1 x anon private 64T\nmmap 1 y anon private 70368475738112\n"
	  "mmap 1 z anon private 4K\n", "s.scn:4: bad size: 4096 bytes do not fit in the address space of 1" },
};

static void test_bad_scenarios(void **state)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct engine *e = engine_new();
		struct tm_error err = { "" };
		const char *s = bad_cases[i].scenario;

		assert_int_equal(scenario_run(e, "s.scn", s, strlen(s), &err), -1);
		if (strcmp(err.msg, bad_cases[i].message) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err.msg, bad_cases[i].message);
		engine_free(e);
	}
}

/* The run stops at the first error: later lines are not run. */
static void test_stops_at_first_error(void **state)
{
	struct engine *e = engine_new();
	struct tm_error err;
	const char *s = "spawn 1 a\nbogus\nspawn 2 b\n";

	assert_int_equal(scenario_run(e, "s.scn", s, strlen(s), &err), -1);
	assert_int_equal(engine_spawn(e, 2, "b", 0, NULL, &err), 0);   /* 2 was never spawned */
	engine_free(e);
}

/* Sizes: K/M/G suffixes, any case, KB and KiB spellings; rounded up to pages. */
static void test_sizes_and_comments(void **state)
{
	struct engine *e = engine_new();
	struct tm_error err;
	const char *s = "ram 2m  # two MiB\nswap 1GiB\nspawn 1 a\n\t mmap 1 x anon private 5000 # 2 pages\n"
			"mmap 1 y anon private 1kb\ntouch 1 x write\ntouch 1 y write\n";

	assert_int_equal(scenario_run(e, "s.scn", s, strlen(s), &err), 0);
	assert_int_equal(engine_ram_pages(e), 512);
	assert_int_equal(engine_free_pages(e), 512 - 3);
	engine_free(e);
}

static int sim_with(const char *script, const char *out)
{
	char *args[] = { (char *)script };
	struct cli_opts o;

	memset(&o, 0, sizeof(o));
	o.cmd = "sim";
	o.args = script ? args : NULL;
	o.nargs = script ? 1 : 0;
	o.output = out;
	return cmd_sim(&o);
}

/* cmd_sim: 2 without SCRIPT or -o, 1 on a scenario error or an unreadable script, 0 with truth.json written. */
static void test_cmd_sim_exit_codes(void **state)
{
	char dir[] = "/tmp/truemem-test-sim-XXXXXX";
	char script[600], out[600], truth[700];
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/s.scn", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(truth, sizeof(truth), "%s/truth.json", out);
	assert_int_equal(sim_with(NULL, out), 2);
	assert_int_equal(sim_with(script, NULL), 2);
	assert_int_equal(sim_with(script, out), 1);        /* no such script */
	f = fopen(script, "w");
	assert_non_null(f);
	fputs("spawn 1 a\nmmap 1 x anon private 4K\ntouch 1 x writ\n", f);
	fclose(f);
	assert_int_equal(sim_with(script, out), 1);
	f = fopen(script, "w");
	assert_non_null(f);
	fputs("spawn 1 a\nmmap 1 x anon private 4K\ntouch 1 x write\n", f);
	fclose(f);
	assert_int_equal(sim_with(script, out), 0);
	assert_int_equal(access(truth, R_OK), 0);
	{
		char cmd[800];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		assert_int_equal(system(cmd), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_scenarios),
		cmocka_unit_test(test_stops_at_first_error),
		cmocka_unit_test(test_sizes_and_comments),
		cmocka_unit_test(test_cmd_sim_exit_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
