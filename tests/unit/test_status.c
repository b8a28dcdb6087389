/*
 * test_status.c: status_parse and meminfo_parse/get/release (status.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "status.h"
#include "util.h"
#include "text_fixture.h"

/* A real /proc/self/status of cat(1) on Linux 6.18. */
static const char real_status[] =
	"Name:\tcat\n"
	"Umask:\t0022\n"
	"State:\tR (running)\n"
	"Tgid:\t5718\n"
	"Ngid:\t0\n"
	"Pid:\t5718\n"
	"PPid:\t5712\n"
	"TracerPid:\t0\n"
	"Uid:\t0\t0\t0\t0\n"
	"Gid:\t0\t0\t0\t0\n"
	"FDSize:\t256\n"
	"Groups:\t \n"
	"NStgid:\t5718\n"
	"NSpid:\t5718\n"
	"NSpgid:\t5712\n"
	"NSsid:\t3023\n"
	"Kthread:\t0\n"
	"VmPeak:\t    3060 kB\n"
	"VmSize:\t    3060 kB\n"
	"VmLck:\t       0 kB\n"
	"VmPin:\t       0 kB\n"
	"VmHWM:\t    1744 kB\n"
	"VmRSS:\t    1744 kB\n"
	"RssAnon:\t     112 kB\n"
	"RssFile:\t    1632 kB\n"
	"RssShmem:\t       0 kB\n"
	"VmData:\t     360 kB\n"
	"VmStk:\t     132 kB\n"
	"VmExe:\t      20 kB\n"
	"VmLib:\t    1528 kB\n"
	"VmPTE:\t      52 kB\n"
	"VmSwap:\t       0 kB\n"
	"HugetlbPages:\t       0 kB\n"
	"CoreDumping:\t0\n"
	"THP_enabled:\t1\n"
	"untag_mask:\t0xffffffffffffffff\n"
	"Threads:\t1\n"
	"SigQ:\t0/96365\n"
	"SigPnd:\t0000000000000000\n"
	"ShdPnd:\t0000000000000000\n"
	"SigBlk:\t0000000000000000\n"
	"SigIgn:\t0000000000000000\n"
	"SigCgt:\t0000000000000000\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t000001fffeffffff\n"
	"CapEff:\t000001fffeffffff\n"
	"CapBnd:\t000001fffeffffff\n"
	"CapAmb:\t0000000000000000\n"
	"NoNewPrivs:\t0\n"
	"Seccomp:\t0\n"
	"Seccomp_filters:\t0\n"
	"Speculation_Store_Bypass:\tvulnerable\n"
	"SpeculationIndirectBranch:\talways enabled\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed:\t00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001\n"
	"Mems_allowed_list:\t0\n"
	"voluntary_ctxt_switches:\t0\n"
	"nonvoluntary_ctxt_switches:\t0\n";

/* A real /proc/2/status (kthreadd) on Linux 6.18: Kthread: 1, no Vm* lines. */
static const char real_kthread[] =
	"Name:\tkthreadd\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t2\n"
	"Ngid:\t0\n"
	"Pid:\t2\n"
	"PPid:\t0\n"
	"TracerPid:\t0\n"
	"Uid:\t0\t0\t0\t0\n"
	"Gid:\t0\t0\t0\t0\n"
	"FDSize:\t64\n"
	"Groups:\t \n"
	"NStgid:\t2\n"
	"NSpid:\t2\n"
	"NSpgid:\t0\n"
	"NSsid:\t0\n"
	"Kthread:\t1\n"
	"Threads:\t1\n"
	"SigQ:\t0/96365\n"
	"SigPnd:\t0000000000000000\n"
	"ShdPnd:\t0000000000000000\n"
	"SigBlk:\t0000000000000000\n"
	"SigIgn:\tffffffffffffffff\n"
	"SigCgt:\t0000000000000000\n"
	"CapInh:\t0000000000000000\n"
	"CapPrm:\t000001ffffffffff\n"
	"CapEff:\t000001ffffffffff\n"
	"CapBnd:\t000001ffffffffff\n"
	"CapAmb:\t0000000000000000\n"
	"NoNewPrivs:\t0\n"
	"Seccomp:\t0\n"
	"Seccomp_filters:\t0\n"
	"Speculation_Store_Bypass:\tvulnerable\n"
	"SpeculationIndirectBranch:\talways enabled\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed:\t00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000000,00000001\n"
	"Mems_allowed_list:\t0\n"
	"voluntary_ctxt_switches:\t61\n"
	"nonvoluntary_ctxt_switches:\t0\n";

/* A real /proc/meminfo on Linux 6.18. */
static const char real_meminfo[] =
	"MemTotal:       24684092 kB\n"
	"MemFree:        24382664 kB\n"
	"MemAvailable:   24356608 kB\n"
	"Buffers:            3356 kB\n"
	"Cached:           102276 kB\n"
	"SwapCached:            0 kB\n"
	"Active:            56308 kB\n"
	"Inactive:          48996 kB\n"
	"Active(anon):       1528 kB\n"
	"Inactive(anon):     7008 kB\n"
	"Active(file):      54780 kB\n"
	"Inactive(file):    41988 kB\n"
	"Unevictable:       15652 kB\n"
	"Mlocked:           14756 kB\n"
	"SwapTotal:             0 kB\n"
	"SwapFree:              0 kB\n"
	"Zswap:                 0 kB\n"
	"Zswapped:              0 kB\n"
	"Dirty:               252 kB\n"
	"Writeback:             0 kB\n"
	"AnonPages:         15492 kB\n"
	"Mapped:            10788 kB\n"
	"Shmem:              8856 kB\n"
	"KReclaimable:      98272 kB\n"
	"Slab:             121548 kB\n"
	"SReclaimable:      98272 kB\n"
	"SUnreclaim:        23276 kB\n"
	"KernelStack:        1424 kB\n"
	"PageTables:         1928 kB\n"
	"SecPageTables:         0 kB\n"
	"NFS_Unstable:          0 kB\n"
	"Bounce:                0 kB\n"
	"WritebackTmp:          0 kB\n"
	"CommitLimit:    12342044 kB\n"
	"Committed_AS:      61188 kB\n"
	"VmallocTotal:   34359738367 kB\n"
	"VmallocUsed:       14284 kB\n"
	"VmallocChunk:          0 kB\n"
	"Percpu:              688 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemHugePages:        0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FileHugePages:         0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Balloon:               0 kB\n"
	"HugePages_Total:       0\n"
	"HugePages_Free:        0\n"
	"HugePages_Rsvd:        0\n"
	"HugePages_Surp:        0\n"
	"Hugepagesize:       2048 kB\n"
	"Hugetlb:               0 kB\n"
	"DirectMap4k:       28672 kB\n"
	"DirectMap2M:     2068480 kB\n"
	"DirectMap1G:    25165824 kB\n";

static int status_exact(const char *s, size_t n, struct proc_status *st)
{
	char *copy = exact_copy(s, n);
	int rc = status_parse(copy, n, st);

	free(copy);
	return rc;
}

static int meminfo_exact(const char *s, size_t n, struct meminfo *m)
{
	char *copy = exact_copy(s, n);
	int rc = meminfo_parse(copy, n, m);

	free(copy);
	return rc;
}

static void real_status_sample(void **state)
{
	struct proc_status st;

	assert_int_equal(status_exact(real_status, strlen(real_status), &st), 0);
	assert_string_equal(st.name, "cat");
	assert_int_equal(st.pid, 5718);
	assert_int_equal(st.ppid, 5712);
	assert_int_equal(st.uid, 0);
	assert_true(st.vm_swap_kb == 0);
	assert_true(st.rss_anon_kb == 112);
	assert_true(st.rss_file_kb == 1632);
	assert_true(st.rss_shmem_kb == 0);
	assert_int_equal(st.kernel_thread, 0);
}

static void real_kthread_sample(void **state)
{
	struct proc_status st;

	assert_int_equal(status_exact(real_kthread, strlen(real_kthread), &st), 0);
	assert_string_equal(st.name, "kthreadd");
	assert_int_equal(st.pid, 2);
	assert_int_equal(st.ppid, 0);
	assert_int_equal(st.kernel_thread, 1);
}

/* Older kernels have no Kthread: line; a task without VmSize has no mm. */
static void kthread_without_kthread_field(void **state)
{
	static const char text[] =
		"Name:\tkworker/0:1-events\nPid:\t17\nPPid:\t2\nUid:\t0\t0\t0\t0\n";
	static const char user[] =
		"Name:\tsleep\nPid:\t170\nPPid:\t1\nUid:\t1000\t1000\t1000\t1000\nVmSize:\t  1000 kB\n";
	struct proc_status st;

	assert_int_equal(status_exact(text, strlen(text), &st), 0);
	assert_int_equal(st.kernel_thread, 1);
	assert_string_equal(st.name, "kworker/0:1-events");
	assert_int_equal(status_exact(user, strlen(user), &st), 0);
	assert_int_equal(st.kernel_thread, 0);
	assert_int_equal(st.uid, 1000);
}

static void distinct_fields_and_escaped_name(void **state)
{
	static const char text[] =
		"Name:\t a\\nb\\\\c:d\n"
		"Umask:\t0022\n"
		"Pid:\t4194304\n"
		"PPid:\t99\n"
		"TracerPid:\t7\n"
		"Uid:\t1001\t0\t0\t0\n"
		"NSpid:\t4194304\t12\n"
		"Kthread:\t0\n"
		"VmSize:\t    3060 kB\n"
		"RssAnon:\t     11 kB\n"
		"RssFile:\t     22 kB\n"
		"RssShmem:\t     33 kB\n"
		"VmSwap:\t     44 kB\n"
		"Groups:\t \n";
	struct proc_status st;

	assert_int_equal(status_exact(text, strlen(text), &st), 0);
	/* kept as the kernel escapes it, leading space included */
	assert_string_equal(st.name, " a\\nb\\\\c:d");
	assert_int_equal(st.pid, 4194304);
	assert_int_equal(st.ppid, 99);
	assert_int_equal(st.uid, 1001);
	assert_true(st.rss_anon_kb == 11);
	assert_true(st.rss_file_kb == 22);
	assert_true(st.rss_shmem_kb == 33);
	assert_true(st.vm_swap_kb == 44);
	assert_int_equal(st.kernel_thread, 0);
}

static void long_name_is_cut(void **state)
{
	char text[512];
	struct proc_status st;
	int n;

	n = snprintf(text, sizeof(text), "Name:\t%0200d\nPid:\t1\nPPid:\t0\nUid:\t0\t0\t0\t0\n", 0);
	assert_int_equal(status_exact(text, (size_t)n, &st), 0);
	assert_int_equal(strlen(st.name), sizeof(st.name) - 1);
	assert_int_equal(st.pid, 1);
}

static void status_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"Name:\tx\nPPid:\t1\nUid:\t0\t0\t0\t0\n",                 /* no Pid */
		"Name:\tx\nPid:\t1\nUid:\t0\t0\t0\t0\n",                  /* no PPid */
		"Name:\tx\nPid:\t1\nPPid:\t1\n",                          /* no Uid */
		"Pid:\tx\nPPid:\t1\nUid:\t0\n",
		"Pid:\t1 2\nPPid:\t1\nUid:\t0\n",
		"Pid:\t2147483648\nPPid:\t1\nUid:\t0\n",                  /* > pid_t */
		"Pid:\t1\nPPid:\t1\nUid:\t4294967296\t0\n",               /* > uid_t */
		"Pid:\t1\nPPid:\t1\nUid:\t0x\n",
		"Pid:\t1\nPPid:\t1\nUid:\t\n",
		"Pid:\t1\nPPid:\t1\nUid:\t0\nKthread:\t2\n",
		"Pid:\t1\nPPid:\t1\nUid:\t0\nVmSwap:\t12\n",                /* no unit */
		"Pid:\t1\nPPid:\t1\nUid:\t0\nRssAnon:\t-1 kB\n",
		"Pid:\t1\nPPid:\t1\nUid:\t0\nRssFile:\t99999999999999999999 kB\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct proc_status st;

		if (status_exact(bad[i], strlen(bad[i]), &st) != -EINVAL)
			fail_msg("accepted malformed status %zu: %s", i, bad[i]);
	}
}

/* Every prefix: no crash; valid exactly once the Uid line is complete. */
static void status_every_prefix(void **state)
{
	size_t len = strlen(real_status);
	const char *uid = strstr(real_status, "Uid:\t0");
	size_t uid_at = (size_t)(uid - real_status) + strlen("Uid:\t0");

	for (size_t n = 0; n <= len; n++) {
		struct proc_status st;
		int rc = status_exact(real_status, n, &st);

		if (n < uid_at)
			assert_int_equal(rc, -EINVAL);
		else if (real_status[n - 1] == '\n')
			assert_int_equal(rc, 0);
		else
			assert_true(rc == 0 || rc == -EINVAL);
	}
	len = strlen(real_kthread);
	for (size_t n = 0; n <= len; n++) {
		struct proc_status st;
		int rc = status_exact(real_kthread, n, &st);

		assert_true(rc == 0 || rc == -EINVAL);
	}
}

static void status_huge(void **state)
{
	size_t n = 1 << 20, len;
	char *text = malloc(n + 128);
	struct proc_status st;

	assert_non_null(text);
	/* a 1 MB Name line and a 1 MB line the parser does not know */
	memcpy(text, "Name:\t", 6);
	memset(text + 6, 'x', n / 2);
	len = 6 + n / 2;
	text[len++] = '\n';
	memset(text + len, 'y', n / 2 - 8);
	len += n / 2 - 8;
	len += (size_t)snprintf(text + len, 128, "\nPid:\t5\nPPid:\t1\nUid:\t7\t7\t7\t7\n");
	assert_int_equal(status_parse(text, len, &st), 0);
	assert_int_equal(st.pid, 5);
	assert_int_equal(st.uid, 7);
	assert_int_equal(strlen(st.name), sizeof(st.name) - 1);
	free(text);
}

static void real_meminfo_sample(void **state)
{
	struct meminfo m = { 0 };

	assert_int_equal(meminfo_exact(real_meminfo, strlen(real_meminfo), &m), 0);
	assert_int_equal(m.n, 54);
	assert_true(meminfo_get(&m, "MemTotal") == 24684092ULL * 1024);
	assert_true(meminfo_get(&m, "Active(anon)") == 1528ULL * 1024);
	assert_true(meminfo_get(&m, "Inactive(file)") == 41988ULL * 1024);
	assert_true(meminfo_get(&m, "VmallocTotal") == 34359738367ULL * 1024);
	assert_true(meminfo_get(&m, "HugePages_Total") == 0);
	assert_true(meminfo_get(&m, "Hugepagesize") == 2048ULL * 1024);
	assert_true(meminfo_get(&m, "DirectMap1G") == 25165824ULL * 1024);
	assert_true(meminfo_get(&m, "NoSuchField") == UINT64_MAX);
	assert_true(meminfo_get(&m, "MemTota") == UINT64_MAX);
	assert_true(meminfo_get(&m, "") == UINT64_MAX);
	meminfo_release(&m);
	assert_null(m.f);
	assert_int_equal(m.n, 0);
}

/* Unitless counts stay counts; a reparse replaces the old fields. */
static void meminfo_counts_and_reuse(void **state)
{
	static const char a[] = "HugePages_Total:     512\nHugePages_Free:  3\nMemFree:   4 kB\n";
	static const char b[] = "MemFree:   8 kB\n";
	struct meminfo m = { 0 };

	assert_int_equal(meminfo_exact(a, strlen(a), &m), 0);
	assert_true(meminfo_get(&m, "HugePages_Total") == 512);
	assert_true(meminfo_get(&m, "HugePages_Free") == 3);
	assert_true(meminfo_get(&m, "MemFree") == 4096);
	assert_int_equal(meminfo_exact(b, strlen(b), &m), 0);
	assert_int_equal(m.n, 1);
	assert_true(meminfo_get(&m, "MemFree") == 8192);
	assert_true(meminfo_get(&m, "HugePages_Total") == UINT64_MAX);
	meminfo_release(&m);
}

static void meminfo_long_key_skipped(void **state)
{
	static const char text[] =
		"MemTotal:  1 kB\n"
		"AVeryLongKeyThatNoKernelHasYetButMightOneDay:  5 kB\n"
		"MemFree:  2 kB";
	struct meminfo m = { 0 };

	assert_int_equal(meminfo_exact(text, strlen(text), &m), 0);
	assert_int_equal(m.n, 2);
	assert_true(meminfo_get(&m, "MemFree") == 2048);
	meminfo_release(&m);
}

static void meminfo_malformed(void **state)
{
	static const char *const bad[] = {
		"MemTotal 1 kB\n",                      /* no colon */
		": 1 kB\n",
		"Mem Total: 1 kB\n",
		"MemTotal:\n",
		"MemTotal: kB\n",
		"MemTotal: 1 MB\n",
		"MemTotal: 1 kB 2\n",
		"MemTotal: x\n",
		"MemTotal: 18014398509481984 kB\n",     /* 2^54 kB: bytes overflow */
		"MemTotal: 18446744073709551616\n",
		"MemTotal: 1 kB\ngarbage\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct meminfo m = { 0 };

		if (meminfo_exact(bad[i], strlen(bad[i]), &m) != -EINVAL)
			fail_msg("accepted malformed meminfo %zu: %s", i, bad[i]);
		meminfo_release(&m);
	}
}

static void meminfo_every_prefix(void **state)
{
	size_t len = strlen(real_meminfo);

	for (size_t n = 0; n <= len; n++) {
		struct meminfo m = { 0 };
		int rc = meminfo_exact(real_meminfo, n, &m);

		if (n == 0 || real_meminfo[n - 1] == '\n') {
			assert_int_equal(rc, 0);
			assert_true(m.n == 0 || meminfo_get(&m, "MemTotal") == 24684092ULL * 1024);
		} else {
			assert_true(rc == 0 || rc == -EINVAL);
		}
		meminfo_release(&m);
	}
}

static void meminfo_many_lines(void **state)
{
	enum { N = 100000 };
	size_t cap = (size_t)N * 32, len = 0;
	char *text = malloc(cap);
	struct meminfo m = { 0 };
	char key[32];

	assert_non_null(text);
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len, "K%u:  %u kB\n", i, i);
	assert_int_equal(meminfo_parse(text, len, &m), 0);
	assert_int_equal(m.n, N);
	snprintf(key, sizeof(key), "K%u", N - 1);
	assert_true(meminfo_get(&m, key) == (uint64_t)(N - 1) * 1024);
	meminfo_release(&m);
	free(text);
}

/* This kernel's /proc/self/status and /proc/meminfo parse and agree with getpid() and getuid(). */
static void live_self_status_and_meminfo(void **state)
{
	struct buf b = BUF_INIT;
	struct proc_status st;
	struct meminfo m = { 0 };

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/self/status", 1 << 20), 0);
	assert_int_equal(status_parse(b.buf, b.len, &st), 0);
	assert_int_equal(st.pid, getpid());
	assert_int_equal(st.ppid, getppid());
	assert_int_equal(st.uid, getuid());
	assert_int_equal(st.kernel_thread, 0);
	assert_true(st.rss_anon_kb + st.rss_file_kb > 0);

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/meminfo", 1 << 20), 0);
	assert_int_equal(meminfo_parse(b.buf, b.len, &m), 0);
	assert_true(meminfo_get(&m, "MemTotal") != UINT64_MAX);
	assert_true(meminfo_get(&m, "MemTotal") % 1024 == 0);
	assert_true(meminfo_get(&m, "MemFree") <= meminfo_get(&m, "MemTotal"));
	meminfo_release(&m);
	buf_release(&b);
}

/* statm: the second field, in pages; anything else is refused. */
static void statm_resident(void **unused)
{
	static const char *const bad[] = { "", "65", "65 ", "x 65 0", "65 6x 0", "65  65", "-1 2", "65 65\n7" };
	uint64_t pages = 0;

	assert_int_equal(statm_parse("65 65 0 3 0 64 0\n", 17, &pages), 0);
	assert_true(pages == 65);
	assert_int_equal(statm_parse("1 18446744073709551615", 22, &pages), 0);
	assert_true(pages == UINT64_MAX);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(statm_parse(bad[i], strlen(bad[i]), &pages), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_status_sample),
		cmocka_unit_test(real_kthread_sample),
		cmocka_unit_test(kthread_without_kthread_field),
		cmocka_unit_test(distinct_fields_and_escaped_name),
		cmocka_unit_test(long_name_is_cut),
		cmocka_unit_test(status_malformed),
		cmocka_unit_test(status_every_prefix),
		cmocka_unit_test(status_huge),
		cmocka_unit_test(real_meminfo_sample),
		cmocka_unit_test(meminfo_counts_and_reuse),
		cmocka_unit_test(meminfo_long_key_skipped),
		cmocka_unit_test(meminfo_malformed),
		cmocka_unit_test(meminfo_every_prefix),
		cmocka_unit_test(meminfo_many_lines),
		cmocka_unit_test(live_self_status_and_meminfo),
		cmocka_unit_test(statm_resident),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
