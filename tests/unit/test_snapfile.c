/*
 * test_snapfile.c: the snapshot file (snapfile.h) written by snapfile_out
 * and read back: members of every shape come back byte for byte (page
 * tables and frame records shuffled, text not, a pagemap compressed
 * against its parent's), the shuffle is undone across block boundaries,
 * and a record with a transform the reader does not know is named.
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

#include "snapfile.h"

/* Page-table-like words: a present bit, flags in the high bytes, frame numbers that mostly run on. */
static void fill_words(uint64_t *w, size_t n, uint64_t seed)
{
	uint64_t pfn = 0x12345 + seed;

	for (size_t i = 0; i < n; i++) {
		pfn += (i * 2654435761u + seed) % 7 == 0 ? 1000 + i % 13 : 1;
		w[i] = (UINT64_C(1) << 63) | (UINT64_C(1) << 56) | pfn;
	}
}

static void shuffle_is_undone(void **state)
{
	/* Lengths around a block: none, one word, a block and a short one after it. */
	size_t lens[] = { 0, 8, 64, SNAPFILE_SHUFFLE_WORDS * 8, SNAPFILE_SHUFFLE_WORDS * 8 + 24 };

	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		size_t len = lens[k];
		unsigned char *a = malloc(len + 1), *b = malloc(len + 1), *c = malloc(len + 1);

		for (size_t i = 0; i < len; i++)
			a[i] = (unsigned char)(i * 31 + i / 8);
		snapfile_shuffle(a, b, len, false);
		if (len >= 16)
			assert_int_equal(b[1], a[8]);   /* byte 0 of word 1 follows byte 0 of word 0 */
		snapfile_shuffle(b, c, len, true);
		assert_memory_equal(a, c, len);
		free(a);
		free(b);
		free(c);
	}
}

static char *write_file(struct snapfile_out *o)
{
	char *path = strdup("/tmp/truemem-test-snapfile.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(snapfile_out_write(o, fd), 0);
	close(fd);
	return path;
}

static void check_member(struct snapfile *f, const char *name, const void *want, size_t len)
{
	struct tm_error err = { "" };
	unsigned char *got = malloc(len + 1);
	struct buf *b;

	assert_int_equal(snapfile_size(f, name), (int64_t)len);
	assert_int_equal(snapfile_read(f, name, got, &err), 0);
	assert_memory_equal(got, want, len);
	b = snapfile_load(f, name, &err);
	assert_non_null(b);
	assert_int_equal(b->len, len);
	assert_memory_equal(b->buf, want, len);
	snapfile_unload(f, b);
	free(got);
}

static void members_round_trip(void **state)
{
	size_t n = SNAPFILE_SHUFFLE_WORDS * 2 + 5;   /* two blocks and a short one */
	uint64_t *parent = malloc(n * 8), *child = malloc(n * 8), *kp = malloc(3 * 1000 * 8);
	const char maps[] = "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon\n";
	struct snapfile_out *o = snapfile_out_new(1);
	struct tm_error err = { "" };
	struct snapfile *f;
	char *path;

	fill_words(parent, n, 1);
	memcpy(child, parent, n * 8);
	for (size_t i = 0; i < n; i += 97)
		child[i] ^= 0x5a5a;   /* copy-on-write broken here and there */
	fill_words(kp, 3 * 1000, 7);
	assert_int_equal(snapfile_out_put(o, "10/pagemap", parent, n * 8, NULL, NULL, 0, &err), 1);
	assert_int_equal(snapfile_out_put(o, "11/pagemap", child, n * 8, "10/pagemap", parent, n * 8, &err), 1);
	assert_int_equal(snapfile_out_put(o, "kpages", kp, 3 * 1000 * 8, NULL, NULL, 0, &err), 1);
	assert_int_equal(snapfile_out_put(o, "10/maps", maps, sizeof(maps) - 1, NULL, NULL, 0, &err), 1);
	assert_int_equal(snapfile_out_put(o, "12/pagemap", maps, 13, NULL, NULL, 0, &err), 1);   /* not words */
	path = write_file(o);
	snapfile_out_free(o);
	f = snapfile_open(path, &err);
	assert_non_null(f);
	assert_int_equal(snapfile_count(f), 5);
	check_member(f, "11/pagemap", child, n * 8);   /* first: its reference is decompressed for it */
	check_member(f, "10/pagemap", parent, n * 8);
	check_member(f, "kpages", kp, 3 * 1000 * 8);
	check_member(f, "10/maps", maps, sizeof(maps) - 1);
	check_member(f, "12/pagemap", maps, 13);
	snapfile_close(f);
	unlink(path);
	free(path);
	free(parent);
	free(child);
	free(kp);
}

static void unknown_transform_is_named(void **state)
{
	uint64_t w[64];
	struct snapfile_out *o = snapfile_out_new(1);
	struct tm_error err = { "" };
	unsigned char h[SNAPFILE_RECORD_HEADER];
	uint32_t t = 7, check;
	char *path;
	int fd;

	fill_words(w, 64, 3);
	assert_int_equal(snapfile_out_put(o, "10/pagemap", w, sizeof(w), NULL, NULL, 0, &err), 1);
	path = write_file(o);
	snapfile_out_free(o);
	/* The first record follows the 16-byte file header; its check kept valid, so only the transform is wrong. */
	fd = open(path, O_RDWR);
	assert_int_equal(pread(fd, h, sizeof(h), 16), (ssize_t)sizeof(h));
	memcpy(h + 32, &t, 4);
	check = snapfile_record_check(h, SNAPFILE_RECORD_HEADER - 28, "10/pagemap", 10);
	memcpy(h + 24, &check, 4);
	assert_int_equal(pwrite(fd, h, sizeof(h), 16), (ssize_t)sizeof(h));
	close(fd);
	assert_null(snapfile_open(path, &err));
	assert_non_null(strstr(err.msg, "member '10/pagemap' has an unknown transform"));
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shuffle_is_undone),
		cmocka_unit_test(members_round_trip),
		cmocka_unit_test(unknown_transform_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
