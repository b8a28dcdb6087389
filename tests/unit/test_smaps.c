/*
 * test_smaps.c: smaps_parse and smaps_rollup_parse (smaps.h).
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

#include "smaps.h"
#include "util.h"
#include "text_fixture.h"

/* Three mappings of a real /proc/self/smaps of cat(1) on Linux 6.18: libc text, heap, vsyscall. */
static const char real_smaps[] =
	"7f19619ce000-7f1961b24000 r-xp 00026000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
	"Size:               1368 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                 904 kB\n"
	"Pss:                 134 kB\n"
	"Pss_Dirty:             0 kB\n"
	"Shared_Clean:        892 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:        12 kB\n"
	"Private_Dirty:         0 kB\n"
	"Referenced:          904 kB\n"
	"Anonymous:             0 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: rd ex mr mw me \n"
	"55c56aa79000-55c56aa9a000 rw-p 00000000 00:00 0                          [heap]\n"
	"Size:                132 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                  16 kB\n"
	"Pss:                  16 kB\n"
	"Pss_Dirty:            16 kB\n"
	"Shared_Clean:          0 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:         0 kB\n"
	"Private_Dirty:        16 kB\n"
	"Referenced:           16 kB\n"
	"Anonymous:            16 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: rd wr mr mw me ac \n"
	"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"
	"Size:                  4 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                   0 kB\n"
	"Pss:                   0 kB\n"
	"Pss_Dirty:             0 kB\n"
	"Shared_Clean:          0 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:         0 kB\n"
	"Private_Dirty:         0 kB\n"
	"Referenced:            0 kB\n"
	"Anonymous:             0 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: ex \n";

/* A real /proc/self/smaps_rollup of cat(1) on Linux 6.18. */
static const char real_rollup[] =
	"563c5e6a3000-7fff610d1000 ---p 00000000 00:00 0                          [rollup]\n"
	"Rss:                1760 kB\n"
	"Pss:                 414 kB\n"
	"Pss_Dirty:           112 kB\n"
	"Pss_Anon:            112 kB\n"
	"Pss_File:            302 kB\n"
	"Pss_Shmem:             0 kB\n"
	"Shared_Clean:       1564 kB\n"
	"Shared_Dirty:          0 kB\n"
	"Private_Clean:        84 kB\n"
	"Private_Dirty:       112 kB\n"
	"Referenced:         1760 kB\n"
	"Anonymous:           112 kB\n"
	"KSM:                   0 kB\n"
	"LazyFree:              0 kB\n"
	"AnonHugePages:         0 kB\n"
	"ShmemPmdMapped:        0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Shared_Hugetlb:        0 kB\n"
	"Private_Hugetlb:       0 kB\n"
	"Swap:                  0 kB\n"
	"SwapPss:               0 kB\n"
	"Locked:                0 kB\n";

/* Every field truemem reads, each with a distinct value, so a swapped table entry shows. */
static const char distinct_smaps[] =
	"7f0000000000-7f0000200000 rw-s 00000000 00:0f 4242                       /dev/hugepages/buf\n"
	"Size:               2048 kB\n"
	"Rss:                   1 kB\n"
	"Pss:                   2 kB\n"
	"Pss_Dirty:            99 kB\n"
	"Shared_Clean:          3 kB\n"
	"Shared_Dirty:          4 kB\n"
	"Private_Clean:         5 kB\n"
	"Private_Dirty:         6 kB\n"
	"Anonymous:             7 kB\n"
	"AnonHugePages:         8 kB\n"
	"ShmemPmdMapped:        9 kB\n"
	"FilePmdMapped:        10 kB\n"
	"Swap:                 11 kB\n"
	"SwapPss:              12 kB\n"
	"Locked:               13 kB\n"
	"THPeligible:           1\n"
	"ProtectionKey:         0\n"
	"VmFlags: rd wr sh mr mw me ms de ht sd\n";

static int smaps_exact(const char *s, size_t n, struct vma_list *l)
{
	char *copy = exact_copy(s, n);
	int rc = smaps_parse(copy, n, l);

	free(copy);
	return rc;
}

static int rollup_exact(const char *s, size_t n, struct smaps_rollup *r)
{
	char *copy = exact_copy(s, n);
	int rc = smaps_rollup_parse(copy, n, r);

	free(copy);
	return rc;
}

static void real_smaps_sample(void **state)
{
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(smaps_exact(real_smaps, strlen(real_smaps), &l), 0);
	assert_int_equal(l.n, 3);

	assert_string_equal(l.v[0].name, "/usr/lib/x86_64-linux-gnu/libc.so.6");
	assert_string_equal(l.v[0].perms, "r-xp");
	assert_true(l.v[0].offset == 0x26000);
	assert_true(l.v[0].smaps != NULL);
	assert_true(l.v[0].smaps->rss_kb == 904);
	assert_true(l.v[0].smaps->pss_kb == 134);
	assert_true(l.v[0].smaps->shared_clean_kb == 892);
	assert_true(l.v[0].smaps->private_clean_kb == 12);
	assert_true(l.v[0].smaps->private_dirty_kb == 0);
	assert_string_equal(l.v[0].smaps->vmflags, "rd ex mr mw me");

	assert_string_equal(vma_display_name(&l.v[1]), "[heap]");
	assert_true(l.v[1].smaps->rss_kb == 16);
	assert_true(l.v[1].smaps->private_dirty_kb == 16);
	assert_true(l.v[1].smaps->anon_kb == 16);
	assert_string_equal(l.v[1].smaps->vmflags, "rd wr mr mw me ac");

	assert_string_equal(l.v[2].name, "[vsyscall]");
	assert_true(l.v[2].smaps->rss_kb == 0);
	assert_string_equal(l.v[2].smaps->vmflags, "ex");
	for (size_t i = 0; i < l.n; i++)
		assert_false(vma_is_hugetlb(&l.v[i]));
	vma_list_release(&l);
}

static void every_field_lands_in_its_place(void **state)
{
	struct vma_list l;
	const struct vma_smaps *s;

	vma_list_init(&l);
	assert_int_equal(smaps_exact(distinct_smaps, strlen(distinct_smaps), &l), 0);
	assert_int_equal(l.n, 1);
	s = l.v[0].smaps;
	assert_non_null(s);
	assert_true(s->rss_kb == 1);
	assert_true(s->pss_kb == 2);
	assert_true(s->shared_clean_kb == 3);
	assert_true(s->shared_dirty_kb == 4);
	assert_true(s->private_clean_kb == 5);
	assert_true(s->private_dirty_kb == 6);
	assert_true(s->anon_kb == 7);
	assert_true(s->anon_huge_kb == 8);
	assert_true(s->shmem_huge_kb == 9);
	assert_true(s->file_huge_kb == 10);
	assert_true(s->swap_kb == 11);
	assert_true(s->swap_pss_kb == 12);
	assert_true(s->locked_kb == 13);
	assert_string_equal(s->vmflags, "rd wr sh mr mw me ms de ht sd");
	assert_true(vma_is_hugetlb(&l.v[0]));
	assert_true(vma_is_shared(&l.v[0]));
	vma_list_release(&l);
}

static void memfd_mapping_display_name(void **state)
{
	static const char text[] =
		"7f91b6bbd000-7f91b6bbe000 rw-s 00000000 00:01 1024                       /memfd:wayland shm (deleted)\n"
		"Rss:                   4 kB\n"
		"VmFlags: rd wr sh mr mw me ms sd\n";
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(smaps_exact(text, strlen(text), &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(vma_display_name(&l.v[0]), "memfd:wayland shm");
	assert_false(vma_is_hugetlb(&l.v[0]));
	vma_list_release(&l);
}

/* A mapping header with no block under it still counts as smaps read. */
static void header_only_and_no_trailing_newline(void **state)
{
	static const char text[] =
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12  /a\n"
		"7f0000001000-7f0000002000 r--p 00000000 fe:00 12  /a\n"
		"Rss:    4 kB";
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(smaps_exact(text, strlen(text), &l), 0);
	assert_int_equal(l.n, 2);
	assert_true(l.v[0].smaps != NULL);
	assert_true(l.v[0].smaps->rss_kb == 0);
	assert_true(l.v[1].smaps->rss_kb == 4);
	assert_string_equal(l.v[1].smaps->vmflags, "");
	vma_list_release(&l);
}

static void smaps_malformed(void **state)
{
	static const char *const bad[] = {
		"Rss: 4 kB\n",                                              /* key before any header */
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nRss: four kB\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nRss: 4\n",      /* no unit */
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nRss: 4 MB\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nRss: 4 kB x\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nRss: 18446744073709551616 kB\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nPss:\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nno colon here\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\n: 4 kB\n",
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\n Rss: 4 kB\n",
		"7f0000000000-7f0000001000 rzzp 00000000 fe:00 12 /a\nRss: 4 kB\n",   /* bad header */
		"7f0000000000-\nRss: 4 kB\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct vma_list l;

		vma_list_init(&l);
		if (smaps_exact(bad[i], strlen(bad[i]), &l) != -EINVAL)
			fail_msg("accepted malformed smaps %zu: %s", i, bad[i]);
		vma_list_release(&l);
	}
}

/* Keys a newer kernel adds, with values of any shape, are skipped. */
static void unknown_keys_skipped(void **state)
{
	static const char text[] =
		"7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\n"
		"FutureKey:   whatever 7 units\n"
		"THPeligible:    1\n"
		"Rss:  8 kB\n"
		"Pss_Dirty:  5 kB\n"
		"SwapPssX: 3 kB\n";
	struct vma_list l;

	vma_list_init(&l);
	assert_int_equal(smaps_exact(text, strlen(text), &l), 0);
	assert_true(l.v[0].smaps->rss_kb == 8);
	assert_true(l.v[0].smaps->pss_kb == 0);          /* Pss_Dirty is not Pss */
	assert_true(l.v[0].smaps->swap_pss_kb == 0);
	vma_list_release(&l);
}

/* More flags than vmflags[] holds: whole words that fit are kept, nothing overflows. */
static void long_vmflags(void **state)
{
	char text[1024];
	struct vma_list l;
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nVmFlags:");
	for (int i = 0; i < 60; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " f%c", 'a' + i % 26);
	text[n++] = '\n';
	vma_list_init(&l);
	assert_int_equal(smaps_exact(text, n, &l), 0);
	n = strlen(l.v[0].smaps->vmflags);
	assert_true(n < sizeof(l.v[0].smaps->vmflags));
	assert_true(n >= sizeof(l.v[0].smaps->vmflags) - 4);
	assert_int_equal(n % 3, 2);   /* whole two-letter words, one space apart */
	assert_memory_equal(l.v[0].smaps->vmflags, "fa fb fc", 8);
	vma_list_release(&l);
}

/*
 * Flag lists of every length around the size of vmflags[]: the copy never
 * writes past it, keeps only whole words, and keeps every word that fits.
 */
static void vmflags_fill_boundaries(void **state)
{
	for (size_t first = 1; first <= 110; first++) {
		char text[512], expect[512];
		struct vma_list l;
		size_t n, e = 0;
		const char *got;

		n = (size_t)snprintf(text, sizeof(text),
				     "7f0000000000-7f0000001000 r--p 00000000 fe:00 12 /a\nVmFlags: ");
		for (size_t i = 0; i < first; i++)
			text[n++] = 'w';
		n += (size_t)snprintf(text + n, sizeof(text) - n, " rd  wr\tex mr mw me ac ht sd \n");
		vma_list_init(&l);
		assert_int_equal(smaps_exact(text, n, &l), 0);
		got = l.v[0].smaps->vmflags;
		/* what must be kept: the longest run of whole words that fits with its NUL */
		{
			static const char *const rest[] = { "rd", "wr", "ex", "mr", "mw", "me", "ac", "ht", "sd" };

			if (first < sizeof(l.v[0].smaps->vmflags)) {
				memset(expect, 'w', first);
				e = first;
				for (size_t i = 0; i < ARRAY_SIZE(rest) && e + 3 < sizeof(l.v[0].smaps->vmflags); i++) {
					memcpy(expect + e, " ", 1);
					memcpy(expect + e + 1, rest[i], 2);
					e += 3;
				}
			}
			expect[e] = '\0';
		}
		assert_true(strnlen(got, sizeof(l.v[0].smaps->vmflags)) < sizeof(l.v[0].smaps->vmflags));
		assert_string_equal(got, expect);
		vma_list_release(&l);
	}
}

static void smaps_every_prefix(void **state)
{
	size_t len = strlen(real_smaps);

	for (size_t n = 0; n <= len; n++) {
		struct vma_list l;
		int rc;

		vma_list_init(&l);
		rc = smaps_exact(real_smaps, n, &l);
		assert_true(rc == 0 || rc == -EINVAL);
		if (n == 0 || real_smaps[n - 1] == '\n')
			assert_int_equal(rc, 0);
		vma_list_release(&l);
	}
}

static void smaps_many_mappings(void **state)
{
	enum { N = 100000 };
	size_t cap = (size_t)N * 160, len = 0;
	char *text = malloc(cap);
	struct vma_list l;

	assert_non_null(text);
	for (unsigned i = 0; i < N; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%012llx-%012llx rw-p 00000000 00:00 0 \nRss: %u kB\nPss: 4 kB\nVmFlags: rd wr\n",
					0x10000000ULL + i * 0x2000ULL, 0x10001000ULL + i * 0x2000ULL, i);
	vma_list_init(&l);
	assert_int_equal(smaps_parse(text, len, &l), 0);
	assert_int_equal(l.n, N);
	assert_true(l.v[N - 1].smaps->rss_kb == N - 1);
	assert_true(l.v[12345].smaps->rss_kb == 12345);
	vma_list_release(&l);
	free(text);
}

static void real_rollup_sample(void **state)
{
	struct smaps_rollup r;

	assert_int_equal(rollup_exact(real_rollup, strlen(real_rollup), &r), 0);
	assert_true(r.rss_kb == 1760);
	assert_true(r.pss_kb == 414);
	assert_true(r.pss_anon_kb == 112);
	assert_true(r.pss_file_kb == 302);
	assert_true(r.pss_shmem_kb == 0);
	assert_true(r.shared_clean_kb == 1564);
	assert_true(r.private_clean_kb == 84);
	assert_true(r.private_dirty_kb == 112);
	assert_true(r.anonymous_kb == 112);
	assert_true(r.swap_kb == 0);
	assert_int_equal(r.have, SMAPS_HAVE_RSS | SMAPS_HAVE_PSS | SMAPS_HAVE_PSS_KINDS |
			 SMAPS_HAVE_PRIVATE | SMAPS_HAVE_SWAP | SMAPS_HAVE_SWAP_PSS |
			 SMAPS_HAVE_ANONYMOUS);
}

/* An old kernel's rollup (no Pss_Anon/File/Shmem, no SwapPss) and no header line. */
static void rollup_have_mask(void **state)
{
	static const char text[] =
		"Rss:  100 kB\n"
		"Pss:   50 kB\n"
		"Pss_Anon:  10 kB\n"
		"Pss_File:  20 kB\n"
		"Shared_Clean: 1 kB\n"
		"Shared_Dirty: 2 kB\n"
		"Private_Clean: 3 kB\n"
		"Swap: 7 kB\n"
		"Locked: 9 kB\n";
	struct smaps_rollup r;

	assert_int_equal(rollup_exact(text, strlen(text), &r), 0);
	assert_int_equal(r.have, SMAPS_HAVE_RSS | SMAPS_HAVE_PSS | SMAPS_HAVE_SWAP);
	assert_true(r.pss_anon_kb == 10);
	assert_true(r.pss_file_kb == 20);
	assert_true(r.shared_dirty_kb == 2);
	assert_true(r.swap_kb == 7);
	assert_true(r.locked_kb == 9);
}

static void rollup_malformed(void **state)
{
	static const char *const bad[] = {
		"",                                                         /* kernel thread: empty file */
		"5600-7fff ---p 00000000 00:00 0    [rollup]\n",             /* header only */
		"Pss: 4 kB\n",                                              /* no Rss */
		"Rss: 4\n",
		"Rss: x kB\n",
		"Rss: 4 kB\nPss: -1 kB\n",
		"Rss: 4 kB\nSwap: 4 kB trailing\n",
		"Rss: 4 kB\nnot a key line\n",
		"Rss: 4 kB\n5600-7fff ---p 00000000 00:00 0    [rollup]\n",   /* header not first */
		"Rss: 99999999999999999999 kB\n",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct smaps_rollup r;

		if (rollup_exact(bad[i], strlen(bad[i]), &r) != -EINVAL)
			fail_msg("accepted malformed rollup %zu: %s", i, bad[i]);
	}
}

/* A prefix parses only once it holds the Rss line, and never crashes. */
static void rollup_every_prefix(void **state)
{
	size_t len = strlen(real_rollup);
	size_t rss_end = lines_len(real_rollup, 2);

	for (size_t n = 0; n <= len; n++) {
		struct smaps_rollup r;
		int rc = rollup_exact(real_rollup, n, &r);

		if (n < rss_end - 1)
			assert_int_equal(rc, -EINVAL);
		else if (real_rollup[n - 1] == '\n')
			assert_int_equal(rc, 0);
		else
			assert_true(rc == 0 || rc == -EINVAL);
	}
}

static void rollup_huge(void **state)
{
	size_t n = 1 << 20;
	char *text = malloc(n + 64);
	struct smaps_rollup r;
	size_t len;

	assert_non_null(text);
	/* a 1 MB line of an unknown key, then Rss */
	memset(text, 'K', n);
	len = n + (size_t)snprintf(text + n, 64, ": 1 kB\nRss: 12 kB\n");
	assert_int_equal(smaps_rollup_parse(text, len, &r), 0);
	assert_true(r.rss_kb == 12);
	free(text);
}

/* This kernel's own smaps and smaps_rollup parse; every mapping has its VmFlags. */
static void live_self_smaps(void **state)
{
	struct buf b = BUF_INIT;
	struct vma_list l;
	struct smaps_rollup r;
	uint64_t rss_kb = 0;

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/self/smaps", 64 << 20), 0);
	vma_list_init(&l);
	assert_int_equal(smaps_parse(b.buf, b.len, &l), 0);
	assert_true(l.n > 3);
	for (size_t i = 0; i < l.n; i++) {
		assert_true(l.v[i].smaps != NULL);
		assert_true(l.v[i].smaps->vmflags[0] != '\0');
		rss_kb += l.v[i].smaps->rss_kb;
	}
	assert_true(rss_kb > 0);
	vma_list_release(&l);

	assert_int_equal(buf_read_at(&b, AT_FDCWD, "/proc/self/smaps_rollup", 1 << 20), 0);
	assert_int_equal(smaps_rollup_parse(b.buf, b.len, &r), 0);
	assert_true(r.have & SMAPS_HAVE_PSS);
	assert_true(r.rss_kb > 0);
	assert_true(r.pss_kb <= r.rss_kb);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(real_smaps_sample),
		cmocka_unit_test(every_field_lands_in_its_place),
		cmocka_unit_test(memfd_mapping_display_name),
		cmocka_unit_test(header_only_and_no_trailing_newline),
		cmocka_unit_test(smaps_malformed),
		cmocka_unit_test(unknown_keys_skipped),
		cmocka_unit_test(long_vmflags),
		cmocka_unit_test(vmflags_fill_boundaries),
		cmocka_unit_test(smaps_every_prefix),
		cmocka_unit_test(smaps_many_mappings),
		cmocka_unit_test(real_rollup_sample),
		cmocka_unit_test(rollup_have_mask),
		cmocka_unit_test(rollup_malformed),
		cmocka_unit_test(rollup_every_prefix),
		cmocka_unit_test(rollup_huge),
		cmocka_unit_test(live_self_smaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
