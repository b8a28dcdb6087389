/*
 * test_maps.c: maps_parse, vma_display_name, vma_is_hugetlb (maps.h).
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

#include <cmocka.h>

#include "maps.h"
#include "util.h"
#include "text_fixture.h"

/* Lines of a real /proc/self/maps of cat(1) on Linux 6.18. */
static const char real_maps[] =
	"565078ec0000-565078ec2000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n"
	"565078ec2000-565078ec7000 r-xp 00002000 fe:00 247134                     /usr/bin/cat\n"
	"565078ecb000-565078ecc000 rw-p 0000a000 fe:00 247134                     /usr/bin/cat\n"
	"5650a235f000-5650a2380000 rw-p 00000000 00:00 0                          [heap]\n"
	"7fe341316000-7fe341317000 r--p 00000000 fe:00 320479                     /usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES\n"
	"7f619e020000-7f619e023000 rw-p 00000000 00:00 0 \n"
	"7f619e208000-7f619e20f000 r--s 00000000 fe:00 332280                     /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n"
	"7f91b6bbd000-7f91b6bbe000 rw-s 00000000 00:01 1024                       /memfd:wayland shm (deleted)\n"
	"7fe34150f000-7fe341511000 r--p 00000000 00:00 0                          [vvar_vclock]\n"
	"7fe341511000-7fe341513000 r-xp 00000000 00:00 0                          [vdso]\n"
	"7fe341546000-7fe341548000 rw-p 00033000 fe:00 332383                     /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
	"7ffebb5c5000-7ffebb5e6000 rw-p 00000000 00:00 0                          [stack]\n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";
#define REAL_MAPS_LINES 13

static int parse_exact(const char *s, size_t n, struct vma_list *l)
{
	char *copy = exact_copy(s, n);
	int rc = maps_parse(copy, n, l);

	free(copy);
	return rc;
}

static void real_sample_fields(void **state)
{
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(parse_exact(real_maps, strlen(real_maps), &l), 0);
	assert_int_equal(l.n, REAL_MAPS_LINES);

	assert_true(l.v[1].start == 0x565078ec2000ULL);
	assert_true(l.v[1].end == 0x565078ec7000ULL);
	assert_string_equal(l.v[1].perms, "r-xp");
	assert_true(l.v[1].offset == 0x2000);
	assert_int_equal(l.v[1].dev_major, 0xfe);
	assert_int_equal(l.v[1].dev_minor, 0);
	assert_true(l.v[1].inode == 247134);
	assert_string_equal(l.v[1].name, "/usr/bin/cat");
	assert_false(vma_is_shared(&l.v[1]));
	assert_false(l.v[1].smaps != NULL);

	assert_string_equal(l.v[3].name, "[heap]");
	assert_string_equal(vma_display_name(&l.v[3]), "[heap]");
	assert_string_equal(l.v[4].name, "/usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES");

	/* unnamed anonymous, with the kernel's trailing space */
	assert_string_equal(l.v[5].name, "");
	assert_string_equal(vma_display_name(&l.v[5]), "[anon]");

	assert_true(vma_is_shared(&l.v[6]));
	assert_string_equal(l.v[7].name, "/memfd:wayland shm (deleted)");
	assert_string_equal(vma_display_name(&l.v[7]), "memfd:wayland shm");
	assert_int_equal(l.v[7].dev_minor, 1);

	assert_string_equal(vma_display_name(&l.v[8]), "[vvar_vclock]");
	assert_string_equal(vma_display_name(&l.v[9]), "[vdso]");
	assert_string_equal(vma_display_name(&l.v[11]), "[stack]");
	assert_true(l.v[12].start == 0xffffffffff600000ULL);
	assert_string_equal(l.v[12].perms, "--xp");
	assert_string_equal(vma_display_name(&l.v[12]), "[vsyscall]");

	for (size_t i = 0; i < l.n; i++)
		assert_false(vma_is_hugetlb(&l.v[i]));
	vma_list_release(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.cap, 0);
}

static void parse_appends(void **state)
{
	struct vma_list l;
	size_t two = lines_len(real_maps, 2);

	vma_list_init(&l);
	assert_int_equal(parse_exact(real_maps, two, &l), 0);
	assert_int_equal(parse_exact(real_maps, two, &l), 0);
	assert_int_equal(l.n, 4);
	assert_true(l.v[2].start == l.v[0].start);
	vma_list_release(&l);
}

static void names_with_spaces_and_deleted(void **state)
{
	static const char text[] =
		"7f0000000000-7f0000001000 rw-s 00000000 00:05 77  /tmp/my  file (deleted)\n"
		"7f0000001000-7f0000002000 rw-s 00000000 00:01 2\t\t/SYSV00000000 (deleted)\n"
		"7f0000002000-7f0000003000 r--p 00000000 08:02 9   /memfd:not deleted\n"
		"7f0000003000-7f0000004000 rw-p 00000000 00:00 0   [anon:glibc malloc]\n"
		"7f0000004000-7f0000005000 rw-s 00000000 00:01 3   /memfd: (deleted)\n"
		"7f0000005000-7f0000006000 rw-p 00000000 00:00 0   [stack:1234]\n"
		"7f0000006000-7f0000007000 rw-s 00000000 00:01 4   /dev/zero (deleted)\n";
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(parse_exact(text, strlen(text), &l), 0);
	assert_int_equal(l.n, 7);
	assert_string_equal(l.v[0].name, "/tmp/my  file (deleted)");
	assert_string_equal(vma_display_name(&l.v[0]), "/tmp/my  file (deleted)");
	assert_int_equal(l.v[0].dev_minor, 5);
	assert_string_equal(vma_display_name(&l.v[1]), "/SYSV00000000 (deleted)");
	assert_string_equal(vma_display_name(&l.v[2]), "/memfd:not deleted");
	assert_string_equal(vma_display_name(&l.v[3]), "[anon:glibc malloc]");
	assert_string_equal(vma_display_name(&l.v[4]), "memfd:");
	assert_string_equal(vma_display_name(&l.v[5]), "[stack:1234]");
	assert_string_equal(vma_display_name(&l.v[6]), "/dev/zero (deleted)");
	vma_list_release(&l);
}

static void wide_device_and_last_line_without_newline(void **state)
{
	static const char text[] =
		"00400000-00452000 r-xp 00000000 103:1f 173521      /usr/bin/dbus-daemon\n"
		"00651000-00652000 rw-p 00051000 fff:fffff 18446744073709551615 /x";
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(parse_exact(text, strlen(text), &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].dev_major, 0x103);
	assert_int_equal(l.v[0].dev_minor, 0x1f);
	assert_int_equal(l.v[1].dev_major, 0xfff);
	assert_int_equal(l.v[1].dev_minor, 0xfffff);
	assert_true(l.v[1].inode == UINT64_MAX);
	assert_string_equal(l.v[1].name, "/x");
	vma_list_release(&l);
}

/* The parser reads len bytes and not one more, even when more follow in memory. */
static void stops_at_len(void **state)
{
	static const char text[] =
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12  /lib/a.so\nGARBAGE";
	struct vma_list l;
	size_t n = strlen("7f0000000000-7f0000001000 r--p 00000000 fe:00 12  /lib/a");

	vma_list_init(&l);
	assert_int_equal(maps_parse(text, n, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].name, "/lib/a");
	vma_list_release(&l);
}

static void empty_input(void **state)
{
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(maps_parse("", 0, &l), 0);
	assert_int_equal(parse_exact("\n\n", 2, &l), 0);
	assert_int_equal(l.n, 0);
	vma_list_release(&l);
}

static void malformed_lines(void **state)
{
#define BAD(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *s;
		size_t n;
	} bad[] = {
		BAD("garbage"),
		BAD("7f0000000000 r--p 00000000 fe:00 12 /a"),                 /* no end address */
		BAD("7f0000000000- r--p 00000000 fe:00 12 /a"),
		BAD("-7f0000001000 r--p 00000000 fe:00 12 /a"),
		BAD("7f0000001000-7f0000000000 r--p 00000000 fe:00 12 /a"),    /* start > end */
		BAD("7f0000001000-7f0000001000 r--p 00000000 fe:00 12 /a"),    /* empty range */
		BAD("7f0000000000-7f0000001000 rwxq 00000000 fe:00 12 /a"),    /* bad share flag */
		BAD("7f0000000000-7f0000001000 r-x 00000000 fe:00 12 /a"),     /* 3 perms */
		BAD("7f0000000000-7f0000001000 r-xpp 00000000 fe:00 12 /a"),
		BAD("7f0000000000-7f0000001000 xr-p 00000000 fe:00 12 /a"),
		BAD("7f0000000000-7f0000001000 r-xx 00000000 fe:00 12 /a"),
		BAD("7f0000000000-7f0000001000 R-xp 00000000 fe:00 12 /a"),
		BAD("7f0000000000-7f0000001000 r--p zz fe:00 12 /a"),
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe00 12 /a"),     /* no colon */
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe: 12 /a"),
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe:00 /a"),       /* no inode */
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe:00 12x /a"),
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe:00 18446744073709551616 /a"),
		BAD("7f0000000000-7f0000001000 r--p 00000000 100000000:00 12 /a"),
		BAD("7f0000000000-17f00000000000000 r--p 00000000 fe:00 12 /a"), /* 65-bit end */
		BAD("7f0000000000-7f0000001000r--p 00000000 fe:00 12 /a"),     /* no separator */
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe:00"),
		BAD("7f0000000000-7f0000001000 r--p"),
		BAD(" 7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a"),   /* leading space */
		BAD("7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\0b"), /* NUL in name */
		BAD("7f0000000000-7f0000001000 r\0xp 00000000 fe:00 12 /a"),   /* NUL in perms */
	};
#undef BAD

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vma_list l;

		vma_list_init(&l);
		if (parse_exact(bad[i].s, bad[i].n, &l) != -EINVAL)
			fail_msg("accepted malformed line %zu: %s", i, bad[i].s);
		assert_int_equal(l.n, 0);
		vma_list_release(&l);
	}
}

/* On a malformed line, the lines before it are kept (maps.h contract). */
static void error_keeps_earlier_lines(void **state)
{
	char text[4096];
	struct vma_list l;

	snprintf(text, sizeof(text), "%.*sbroken line\n%s", (int)lines_len(real_maps, 3),
		 real_maps, real_maps);
	vma_list_init(&l);
	assert_int_equal(parse_exact(text, strlen(text), &l), -EINVAL);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[2].name, "/usr/bin/cat");
	vma_list_release(&l);
}

/*
 * Every prefix of a real sample parses without a crash or an overread;
 * a prefix that ends at a line boundary gives exactly those lines, and
 * one cut inside the address fields is malformed.
 */
static void every_prefix(void **state)
{
	size_t len = strlen(real_maps);

	for (size_t n = 0; n <= len; n++) {
		struct vma_list l;
		int rc;

		vma_list_init(&l);
		rc = parse_exact(real_maps, n, &l);
		assert_true(rc == 0 || rc == -EINVAL);
		if (n == 0 || real_maps[n - 1] == '\n') {
			assert_int_equal(rc, 0);
			for (size_t k = 0; k <= REAL_MAPS_LINES; k++)
				if (lines_len(real_maps, k) == n)
					assert_int_equal(l.n, k);
		}
		vma_list_release(&l);
	}
	/* cut in the middle of the first line's perms */
	{
		struct vma_list l;

		vma_list_init(&l);
		assert_int_equal(parse_exact(real_maps, 28, &l), -EINVAL);
		vma_list_release(&l);
	}
}

static void huge_name(void **state)
{
	const char *head = "7f0000000000-7f0000001000 r--p 00000000 fe:00 12   /";
	size_t name_len = 1 << 20, hl = strlen(head);
	char *text = malloc(hl + name_len + 1);
	struct vma_list l;

	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'n', name_len);
	text[hl + name_len] = '\n';
	vma_list_init(&l);
	assert_int_equal(maps_parse(text, hl + name_len + 1, &l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(strlen(l.v[0].name), name_len + 1);
	assert_int_equal(l.v[0].name[0], '/');
	vma_list_release(&l);
	free(text);
}

static void many_lines(void **state)
{
	enum { N = 100000 };
	size_t cap = (size_t)N * 96, len = 0;
	char *text = malloc(cap);
	struct vma_list l;

	assert_non_null(text);
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%012llx-%012llx rw-p 00000000 00:00 0 \n",
					0x10000000ULL + i * 0x2000ULL, 0x10001000ULL + i * 0x2000ULL);
	vma_list_init(&l);
	assert_int_equal(maps_parse(text, len, &l), 0);
	assert_int_equal(l.n, N);
	assert_true(l.v[N - 1].start == 0x10000000ULL + (N - 1) * 0x2000ULL);
	assert_string_equal(vma_display_name(&l.v[N - 1]), "[anon]");
	vma_list_release(&l);
	free(text);
}

static void hugetlb_detection(void **state)
{
	struct vma v;
	struct vma_smaps sm;

	memset(&v, 0, sizeof(v));
	memset(&sm, 0, sizeof(sm));
	v.name = (char *)"";
	assert_false(vma_is_hugetlb(&v));

	/* the VmFlags word counts only once smaps was read, and only as a whole word */
	strcpy(sm.vmflags, "rd wr sh mr mw me ms de ht sd");
	assert_false(vma_is_hugetlb(&v));
	v.smaps = &sm;
	assert_true(vma_is_hugetlb(&v));
	strcpy(sm.vmflags, "ht");
	assert_true(vma_is_hugetlb(&v));
	strcpy(sm.vmflags, "rd wr hts xht mr");
	assert_false(vma_is_hugetlb(&v));
	sm.vmflags[0] = '\0';
	assert_false(vma_is_hugetlb(&v));
	v.smaps = NULL;

	v.name = (char *)"/dev/hugepages/db-buffer";
	assert_true(vma_is_hugetlb(&v));
	v.name = (char *)"/anon_hugepage (deleted)";
	assert_true(vma_is_hugetlb(&v));
	v.name = (char *)"anon_hugepage";
	assert_true(vma_is_hugetlb(&v));
	v.name = (char *)"/tmp/anon_hugepage (deleted)";
	assert_false(vma_is_hugetlb(&v));
	v.name = (char *)"/dev/shm/x";
	assert_false(vma_is_hugetlb(&v));
}

/* A vma built by hand (display_name NULL) still gets the SPEC names. */
static void display_name_without_parse(void **state)
{
	struct vma v;

	memset(&v, 0, sizeof(v));
	assert_string_equal(vma_display_name(&v), "[anon]");
	v.name = (char *)"";
	assert_string_equal(vma_display_name(&v), "[anon]");
	v.name = (char *)"/usr/lib/libc.so.6";
	assert_string_equal(vma_display_name(&v), "/usr/lib/libc.so.6");
}

/* This kernel's own /proc/self/maps parses, line for line, with a [stack] and a [heap] or libc. */
static void live_self_maps(void **state)
{
	struct buf b = BUF_INIT;
	struct vma_list l;
	size_t lines = 0;
	bool stack = false;

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/self/maps", 64 << 20), 0);
	for (size_t i = 0; i < b.len; i++)
		lines += b.buf[i] == '\n';
	vma_list_init(&l);
	assert_int_equal(maps_parse(b.buf, b.len, &l), 0);
	assert_int_equal(l.n, lines);
	for (size_t i = 0; i < l.n; i++) {
		stack |= strcmp(vma_display_name(&l.v[i]), "[stack]") == 0;
		if (i)
			assert_true(l.v[i].start >= l.v[i - 1].end);
	}
	assert_true(stack);
	vma_list_release(&l);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_sample_fields),
		cmocka_unit_test(parse_appends),
		cmocka_unit_test(names_with_spaces_and_deleted),
		cmocka_unit_test(wide_device_and_last_line_without_newline),
		cmocka_unit_test(stops_at_len),
		cmocka_unit_test(empty_input),
		cmocka_unit_test(malformed_lines),
		cmocka_unit_test(error_keeps_earlier_lines),
		cmocka_unit_test(every_prefix),
		cmocka_unit_test(huge_name),
		cmocka_unit_test(many_lines),
		cmocka_unit_test(hugetlb_detection),
		cmocka_unit_test(display_name_without_parse),
		cmocka_unit_test(live_self_maps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
