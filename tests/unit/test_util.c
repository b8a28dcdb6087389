/*
 * test_util.c: the cursor parsers, strict number words, struct buf and the
 * fd helpers (util.h), errorf (error.h), and the fixed-point PSS contract
 * and counts_add (counts.h), human units (view.h) and the filter rule.
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

#include "counts.h"
#include "error.h"
#include "util.h"
#include "view.h"

static void u64_basic(void **state)
{
	char t[8];   /* no terminator: ASan catches a read past the end */
	const char *p = t;
	uint64_t v = 0;

	memcpy(t, "12345 kB", 8);
	assert_true(parse_u64(&p, t + 8, &v));
	assert_true(v == 12345);
	assert_ptr_equal(p, t + 5);
	/* at a non-digit: false, cursor and value untouched */
	v = 7;
	assert_false(parse_u64(&p, t + 8, &v));
	assert_ptr_equal(p, t + 5);
	assert_true(v == 7);
	/* the end bound wins over digits that follow it */
	p = t;
	assert_true(parse_u64(&p, t + 3, &v));
	assert_true(v == 123);
	assert_ptr_equal(p, t + 3);
	/* empty range */
	p = t;
	assert_false(parse_u64(&p, t, &v));
	assert_ptr_equal(p, t);
}

static void u64_limits(void **state)
{
	static const char max[] = "18446744073709551615";
	static const char over[] = "18446744073709551616";
	static const char way_over[] = "99999999999999999999999";
	const char *p;
	uint64_t v = 1;

	p = max;
	assert_true(parse_u64(&p, max + strlen(max), &v));
	assert_true(v == UINT64_MAX);
	p = over;
	v = 1;
	assert_false(parse_u64(&p, over + strlen(over), &v));
	assert_ptr_equal(p, over);
	assert_true(v == 1);
	p = way_over;
	assert_false(parse_u64(&p, way_over + strlen(way_over), &v));
	p = "0007";
	assert_true(parse_u64(&p, p + 4, &v));
	assert_true(v == 7);
	p = "-1";
	assert_false(parse_u64(&p, p + 2, &v));
	p = "+1";
	assert_false(parse_u64(&p, p + 2, &v));
}

static void hex_u64(void **state)
{
	static const char max[] = "ffffffffffffffff";
	static const char over[] = "10000000000000000";
	const char *p;
	uint64_t v = 0;

	p = "7fFe3415x";
	assert_true(parse_hex_u64(&p, p + 9, &v));
	assert_true(v == 0x7ffe3415);
	assert_int_equal(*p, 'x');
	p = max;
	assert_true(parse_hex_u64(&p, max + 16, &v));
	assert_true(v == UINT64_MAX);
	p = over;
	v = 3;
	assert_false(parse_hex_u64(&p, over + 17, &v));
	assert_ptr_equal(p, over);
	assert_true(v == 3);
	/* "0x" is not a prefix this parser knows: it reads the 0 and stops */
	p = "0x10";
	assert_true(parse_hex_u64(&p, p + 4, &v));
	assert_true(v == 0);
	assert_int_equal(*p, 'x');
	p = "g1";
	assert_false(parse_hex_u64(&p, p + 2, &v));
	p = "abc";
	assert_true(parse_hex_u64(&p, p + 2, &v));
	assert_true(v == 0xab);
}

static void skip_next_lit(void **state)
{
	char t[14];   /* no terminator: ASan catches a read past the end */
	const char *p = t, *end = t + 14;

	memcpy(t, " \t x\nline2\nend", 14);

	parse_skip_spaces(&p, end);
	assert_int_equal(*p, 'x');
	parse_skip_spaces(&p, end);          /* not at a space: stays */
	assert_int_equal(*p, 'x');
	parse_next_line(&p, end);
	assert_ptr_equal(p, t + 5);
	assert_true(parse_lit(&p, end, "line"));
	assert_int_equal(*p, '2');
	assert_false(parse_lit(&p, end, "3"));
	assert_int_equal(*p, '2');
	parse_next_line(&p, end);
	assert_ptr_equal(p, t + 11);
	/* a literal longer than what is left: false, no read past end */
	assert_false(parse_lit(&p, end, "endless"));
	assert_ptr_equal(p, t + 11);
	assert_true(parse_lit(&p, end, "end"));
	assert_ptr_equal(p, end);
	parse_next_line(&p, end);            /* no newline left: to end */
	assert_ptr_equal(p, end);
	parse_skip_spaces(&p, end);
	assert_ptr_equal(p, end);
	assert_true(parse_lit(&p, end, ""));

	/* "\n" is not a space */
	p = "\n";
	parse_skip_spaces(&p, p + 1);
	assert_int_equal(*p, '\n');
}

static void str_words(void **state)
{
	uint64_t v;
	pid_t pid = 77;

	assert_true(str_to_u64("0", &v) && v == 0);
	assert_true(str_to_u64("18446744073709551615", &v) && v == UINT64_MAX);
	assert_false(str_to_u64("18446744073709551616", &v));
	assert_false(str_to_u64("", &v));
	assert_false(str_to_u64("12a", &v));
	assert_false(str_to_u64(" 1", &v));
	assert_false(str_to_u64("1 ", &v));
	assert_false(str_to_u64("-1", &v));

	assert_true(str_to_pid("1", &pid) && pid == 1);
	assert_true(str_to_pid("4194304", &pid) && pid == 4194304);
	assert_true(str_to_pid("1073741823", &pid) && pid == 1073741823);
	pid = 77;
	assert_false(str_to_pid("0", &pid));
	assert_false(str_to_pid("1073741824", &pid));
	assert_false(str_to_pid("-5", &pid));
	assert_false(str_to_pid("", &pid));
	assert_false(str_to_pid("12x", &pid));
	assert_int_equal(pid, 77);
}

static void buf_building(void **state)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "");
	assert_non_null(b.buf);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.buf[0], '\0');
	buf_add(&b, "ab\0cd", 5);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.buf, "ab\0cd", 6);
	buf_addf(&b, "-%d-%s", 42, "x");
	assert_int_equal(b.len, 10);
	assert_memory_equal(b.buf + 5, "-42-x", 6);
	for (int i = 0; i < 10000; i++)
		buf_addstr(&b, "0123456789");
	assert_int_equal(b.len, 100010);
	assert_int_equal(b.buf[b.len], '\0');
	assert_true(b.cap > b.len);
	buf_reserve(&b, 1 << 20);
	assert_true(b.cap >= b.len + (1 << 20) + 1);
	buf_release(&b);
	assert_null(b.buf);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* A pipe holding n bytes of a repeating pattern, write end closed. */
static int pipe_with(size_t n)
{
	int fds[2];
	char *data = malloc(n ? n : 1);

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(pipe(fds), 0);
	/* big enough that write_full does not block with no reader yet */
	assert_true(fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) >= (int)n);
	assert_int_equal(write_full(fds[1], data, n), 0);
	close(fds[1]);
	free(data);
	return fds[0];
}

static void buf_read(void **state)
{
	struct buf b = BUF_INIT;
	int fd;

	/* more than one read chunk, in full, terminated */
	fd = pipe_with(100000);
	assert_int_equal(buf_read_fd(&b, fd, 1 << 20), 0);
	close(fd);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.buf[99999], 'a' + 99999 % 26);
	assert_int_equal(b.buf[b.len], '\0');

	/* exactly max is fine, one more is -EFBIG; a reread replaces */
	fd = pipe_with(5000);
	assert_int_equal(buf_read_fd(&b, fd, 5000), 0);
	close(fd);
	assert_int_equal(b.len, 5000);
	fd = pipe_with(5001);
	assert_int_equal(buf_read_fd(&b, fd, 5000), -EFBIG);
	close(fd);

	fd = pipe_with(0);
	assert_int_equal(buf_read_fd(&b, fd, 10), 0);
	close(fd);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.buf[0], '\0');

	assert_int_equal(buf_read_fd(&b, -1, 10), -EBADF);

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/self/status", 1 << 20), 0);
	assert_true(b.len > 0);
	assert_memory_equal(b.buf, "Name:", 5);
	assert_int_equal(b.buf[b.len], '\0');
	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/nonexistent/truemem", 10), -ENOENT);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.buf[0], '\0');
	buf_release(&b);
}

static void pread_write_full(void **state)
{
	char path[] = "/tmp/truemem-test-util-XXXXXX";
	int fd = mkstemp(path);
	char data[10000], back[12000];

	assert_true(fd >= 0);
	unlink(path);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)i;
	assert_int_equal(write_full(fd, data, sizeof(data)), 0);
	assert_int_equal(pread_full(fd, back, 100, 9000), 100);
	assert_memory_equal(back, data + 9000, 100);
	/* short only at end of file */
	assert_int_equal(pread_full(fd, back, sizeof(back), 0), sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(pread_full(fd, back, 10, 20000), 0);
	close(fd);
	assert_int_equal(pread_full(fd, back, 10, 0), -EBADF);
	assert_int_equal(write_full(fd, data, 10), -EBADF);
}

static void alloc_helpers(void **state)
{
	uint32_t *a = NULL;
	size_t cap = 0;
	char *s;

	xgrow((void **)&a, &cap, 1, sizeof(*a));
	assert_true(cap >= 1);
	for (uint32_t i = 0; i < 100000; i++) {
		xgrow((void **)&a, &cap, i + 1, sizeof(*a));
		a[i] = i;
	}
	assert_true(cap >= 100000);
	for (uint32_t i = 0; i < 100000; i++)
		assert_int_equal(a[i], i);
	free(a);

	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);
	s = xasprintf("%s=%d", "k", -3);
	assert_string_equal(s, "k=-3");
	free(s);
	s = xcalloc(4, 8);
	for (int i = 0; i < 32; i++)
		assert_int_equal(s[i], 0);
	free(s);
}

static void errorf_cause(void **state)
{
	struct tm_error err = { "" };

	assert_int_equal(errorf(&err, -ENOENT, "cannot read '%s'", "/proc/1/maps"), -ENOENT);
	assert_string_equal(err.msg, "cannot read '/proc/1/maps'");
	assert_int_equal(errorf(NULL, -1, "ignored %d", 1), -1);
}

/* SPEC section 2: page_size / mapcount in fixed point, never 0, truncated only on output. */
static void pss_fixed_point(void **state)
{
	const uint64_t page = 4096, one = page << PSS_SHIFT;
	pss_t sum = 0;

	assert_true(PSS_SHIFT >= 12);
	assert_true(pss_share(page, 1) == one);
	assert_true(pss_bytes(pss_share(page, 1)) == 4096);
	assert_true(pss_share(page, 2) == one / 2);
	/* (4096 << 12) / 3 = 5592405.33..., truncated */
	assert_true(pss_share(page, 3) == 5592405);
	/* three pages, each mapped 3 times: one page's worth less the lost thirds */
	for (int i = 0; i < 3; i++)
		sum += pss_share(page, 3);
	assert_true(sum == 16777215);
	assert_true(sum == one - 1);
	assert_true(pss_bytes(sum) == 4095);   /* truncates, does not round */

	/* procrank truncates 4096/5 per page... */
	assert_true(pss_share(page, 5) == 3355443);
	assert_true(pss_bytes(pss_share(page, 5)) == 819);
	/* ...and a page mapped by 5000 processes must still add something */
	assert_true(pss_share(page, 5000) == 3355);
	assert_true(pss_bytes(pss_share(page, 5000)) == 0);
	for (uint64_t n = 5; n <= 1000000; n *= 3)
		assert_true(pss_share(page, n) > 0);
	/* 5000 processes sharing 5000 pages add up to nearly 5000 pages each, not 0 */
	sum = 0;
	for (int i = 0; i < 5000; i++)
		sum += pss_share(page, 5000);
	assert_true(pss_bytes(sum) == 4095);
	/* mapcount 0 is treated as 1, never a division by zero */
	assert_true(pss_share(page, 0) == one);
	assert_true(pss_bytes(0) == 0);
	assert_true(pss_bytes(4095) == 0);
	assert_true(pss_bytes(4096) == 1);
	/* a 2 MiB page (hugetlb, THP) keeps the same contract */
	assert_true(pss_share(2 << 20, 3) == ((uint64_t)(2 << 20) << PSS_SHIFT) / 3);
}

static void counts_adding(void **state)
{
	struct mem_counts a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.valid = CNT_EXACT;
	b.valid = CNT_RSS | CNT_PSS | CNT_SWAP_USS;
	a.rss_bytes = 4096;
	b.rss_bytes = 8192;
	a.pss = pss_share(4096, 3);
	b.pss = pss_share(4096, 3);
	a.swap_pss = 1;
	b.swap_pss = 2;
	a.uss_bytes = 10;
	b.swap_bytes = 20;
	b.swap_uss_bytes = 30;
	a.kind[KIND_SHMEM].rss_bytes = 5;
	b.kind[KIND_SHMEM].rss_bytes = 6;
	b.kind[KIND_ANON].pss = 7;
	a.kind[KIND_FILE].uss_bytes = 8;
	b.kind[KIND_FILE].swap_bytes = 9;
	a.zero_page_bytes = 11;
	b.nopage_bytes = 12;
	b.hugetlb_bytes = 13;
	counts_add(&a, &b);
	assert_int_equal(a.valid, CNT_RSS | CNT_PSS);
	assert_true(a.rss_bytes == 12288);
	assert_true(a.pss == 2 * pss_share(4096, 3));
	assert_true(a.swap_pss == 3);
	assert_true(a.uss_bytes == 10);
	assert_true(a.swap_bytes == 20);
	assert_true(a.swap_uss_bytes == 30);
	assert_true(a.kind[KIND_SHMEM].rss_bytes == 11);
	assert_true(a.kind[KIND_ANON].pss == 7);
	assert_true(a.kind[KIND_FILE].uss_bytes == 8);
	assert_true(a.kind[KIND_FILE].swap_bytes == 9);
	assert_true(a.zero_page_bytes == 11);
	assert_true(a.nopage_bytes == 12);
	assert_true(a.hugetlb_bytes == 13);
	assert_string_equal(page_kind_names[KIND_ANON], "anon");
	assert_string_equal(page_kind_names[KIND_FILE], "file");
	assert_string_equal(page_kind_names[KIND_SHMEM], "shmem");
}

/* Human units round to the nearest tenth (numfmt, htop); --bytes stays exact. */
static void human_units_round_to_nearest(void **state)
{
	static const struct { uint64_t bytes; const char *human; } cases[] = {
		{ 0, "0 B" }, { 1023, "1023 B" }, { 1024, "1.0 KiB" },
		{ 53196, "51.9 KiB" },                    /* 51.949 KiB */
		{ 53197, "52.0 KiB" },                    /* 51.950 KiB rounds up */
		{ 10538189, "10.1 MiB" },                 /* 10.0499 MiB: 10.0 when truncated */
		{ 1048525, "1.0 MiB" },                   /* 1023.95 KiB is not "1024.0 KiB" */
		{ 1048524, "1023.9 KiB" },
		{ UINT64_C(3) << 30, "3.0 GiB" },
	};
	char out[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fmt_bytes(out, sizeof(out), cases[i].bytes, true);
		assert_string_equal(out, cases[i].human);
	}
	fmt_bytes(out, sizeof(out), 10538189, false);
	assert_string_equal(out, "10538189");
}

/* One filter rule: an extended regex, any case unless it has a capital. */
static void filter_smart_case(void **state)
{
	regex_t re;

	assert_int_equal(filter_compile(&re, "^bash"), 0);
	assert_int_equal(regexec(&re, "Bash -l", 0, NULL, 0), 0);
	assert_int_equal(regexec(&re, "bash", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "-bash", 0, NULL, 0), 0);
	regfree(&re);
	assert_int_equal(filter_compile(&re, "BASH|zsh"), 0);
	assert_int_equal(regexec(&re, "BASH", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "bash", 0, NULL, 0), 0);
	assert_int_not_equal(regexec(&re, "ZSH", 0, NULL, 0), 0);
	regfree(&re);
	assert_int_not_equal(filter_compile(&re, "a("), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(u64_basic),
		cmocka_unit_test(u64_limits),
		cmocka_unit_test(hex_u64),
		cmocka_unit_test(skip_next_lit),
		cmocka_unit_test(str_words),
		cmocka_unit_test(buf_building),
		cmocka_unit_test(buf_read),
		cmocka_unit_test(pread_write_full),
		cmocka_unit_test(alloc_helpers),
		cmocka_unit_test(errorf_cause),
		cmocka_unit_test(pss_fixed_point),
		cmocka_unit_test(counts_adding),
		cmocka_unit_test(human_units_round_to_nearest),
		cmocka_unit_test(filter_smart_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
