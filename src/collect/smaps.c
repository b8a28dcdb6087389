/*
 * smaps.c: /proc/PID/smaps and /proc/PID/smaps_rollup (proc(5);
 * Documentation/filesystems/proc.rst, "/proc/PID/smaps").
 *
 * smaps is the maps file with a block under each mapping's header line:
 *
 *   7f619e049000-7f619e19f000 r-xp 00026000 fe:00 332835   /usr/lib/.../libc.so.6
 *   Size:               1368 kB
 *   Rss:                 956 kB
 *   ...
 *   THPeligible:           0
 *   VmFlags: rd ex mr mw me
 *
 * smaps_rollup is one such block summed over every mapping, under a single
 * "[rollup]" header. Values are "N kB" except a few unitless ones
 * (THPeligible, ProtectionKey). Kernels add keys over time, so an unknown
 * key is skipped; a key truemem knows must hold a well-formed value. The
 * keys truemem reads are tables, not if-ladders.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "smaps.h"
#include "util.h"

struct smaps_key {
	const char *key;
	size_t off;     /* of a uint64_t in the target struct */
};

#define VK(k, field) { k, offsetof(struct vma_smaps, field) }
static const struct smaps_key vma_keys[] = {
	VK("Rss", rss_kb),
	VK("Pss", pss_kb),
	VK("Shared_Clean", shared_clean_kb),
	VK("Shared_Dirty", shared_dirty_kb),
	VK("Private_Clean", private_clean_kb),
	VK("Private_Dirty", private_dirty_kb),
	VK("Anonymous", anon_kb),
	VK("AnonHugePages", anon_huge_kb),
	VK("ShmemPmdMapped", shmem_huge_kb),
	VK("FilePmdMapped", file_huge_kb),
	VK("Swap", swap_kb),
	VK("SwapPss", swap_pss_kb),
	VK("Locked", locked_kb),
};
#undef VK

#define RK(k, field) { k, offsetof(struct smaps_rollup, field) }
static const struct smaps_key rollup_keys[] = {
	RK("Rss", rss_kb),
	RK("Pss", pss_kb),
	RK("Pss_Anon", pss_anon_kb),
	RK("Pss_File", pss_file_kb),
	RK("Pss_Shmem", pss_shmem_kb),
	RK("Shared_Clean", shared_clean_kb),
	RK("Shared_Dirty", shared_dirty_kb),
	RK("Private_Clean", private_clean_kb),
	RK("Private_Dirty", private_dirty_kb),
	RK("Anonymous", anonymous_kb),
	RK("Swap", swap_kb),
	RK("SwapPss", swap_pss_kb),
	RK("Locked", locked_kb),
};
#undef RK

/* Which rollup keys (by index in rollup_keys) make up each SMAPS_HAVE_* bit. */
static const struct {
	unsigned have;
	const char *keys[3];
} rollup_have[] = {
	{ SMAPS_HAVE_RSS, { "Rss" } },
	{ SMAPS_HAVE_PSS, { "Pss" } },
	{ SMAPS_HAVE_PSS_KINDS, { "Pss_Anon", "Pss_File", "Pss_Shmem" } },
	{ SMAPS_HAVE_PRIVATE, { "Private_Clean", "Private_Dirty" } },
	{ SMAPS_HAVE_SWAP, { "Swap" } },
	{ SMAPS_HAVE_SWAP_PSS, { "SwapPss" } },
	{ SMAPS_HAVE_ANONYMOUS, { "Anonymous" } },
};

/* A header line starts like "7f619e049000-": hex digits, then '-'. */
static bool is_header_line(const char *p, const char *eol)
{
	uint64_t ignored;

	return parse_hex_u64(&p, eol, &ignored) && p < eol && *p == '-';
}

void maps_from_smaps(const char *smaps, size_t len, struct buf *out)
{
	const char *p = smaps, *end = smaps + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl + 1 : end;

		if (is_header_line(p, eol))
			buf_add(out, p, (size_t)(eol - p));
		p = eol;
	}
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Splits "Key:  value" at the colon: *key_len gets the key's length and *p
 * moves past the colon. False when the line does not start with a key.
 */
static bool split_key(const char **p, const char *eol, size_t *key_len)
{
	const char *s = *p;

	while (s < eol && is_key_char(*s))
		s++;
	if (s == *p || s == eol || *s != ':')
		return false;
	*key_len = (size_t)(s - *p);
	*p = s + 1;
	return true;
}

/* Index of the key in the table, or -1. */
static int find_key(const struct smaps_key *keys, size_t n, const char *key, size_t key_len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(keys[i].key) == key_len && memcmp(keys[i].key, key, key_len) == 0)
			return (int)i;
	return -1;
}

/*
 * Copies the flag words of "VmFlags: rd ex mr" into dst, one space between
 * them. FIXME: a list longer than dst keeps only the words that fit; no
 * kernel prints that many today (about 30 flags at most, "ht" among the
 * first twenty).
 */
static void copy_vmflags(const char *p, const char *eol, char *dst, size_t cap)
{
	size_t used = 0;

	dst[0] = '\0';
	for (;;) {
		const char *w;

		parse_skip_spaces(&p, eol);
		if (p == eol)
			break;
		w = p;
		while (p < eol && *p != ' ' && *p != '\t')
			p++;
		if (used + (used ? 1 : 0) + (size_t)(p - w) + 1 > cap)
			break;
		if (used)
			dst[used++] = ' ';
		memcpy(dst + used, w, (size_t)(p - w));
		used += (size_t)(p - w);
		dst[used] = '\0';
	}
}

/* One "Key: value" line of a mapping's block. Returns 0 or -EINVAL. */
static int smaps_line(const char *p, const char *eol, struct vma_smaps *s)
{
	const char *key = p;
	size_t key_len;
	int k;

	if (!split_key(&p, eol, &key_len))
		return -EINVAL;
	if (key_len == strlen("VmFlags") && memcmp(key, "VmFlags", key_len) == 0) {
		copy_vmflags(p, eol, s->vmflags, sizeof(s->vmflags));
		return 0;
	}
	k = find_key(vma_keys, ARRAY_SIZE(vma_keys), key, key_len);
	if (k < 0)
		return 0;   /* a key this version does not use */
	if (!parse_value_line(p, eol, "kB", (uint64_t *)((char *)s + vma_keys[k].off)))
		return -EINVAL;
	return 0;
}

int smaps_parse(const char *text, size_t len, struct vma_list *l)
{
	const char *p = text, *end = text + len;
	size_t cur = SIZE_MAX;   /* index in l of the mapping being filled */

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol == p) {
			/* an empty line holds nothing */
		} else if (is_header_line(p, eol)) {
			size_t before = l->n;
			int rc = maps_parse(p, (size_t)(eol - p), l);

			if (rc < 0)
				return rc;
			/* one non-empty line: maps_parse appended exactly one vma or failed */
			assert(l->n == before + 1);
			cur = before;
			l->v[cur].smaps = xcalloc(1, sizeof(*l->v[cur].smaps));
		} else if (cur == SIZE_MAX || smaps_line(p, eol, l->v[cur].smaps) < 0) {
			return -EINVAL;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* Turns the keys seen (bit i: rollup_keys[i]) into SMAPS_HAVE_* bits. */
static unsigned rollup_have_bits(unsigned seen)
{
	unsigned have = 0;

	for (size_t i = 0; i < ARRAY_SIZE(rollup_have); i++) {
		bool all = true;

		for (size_t j = 0; j < ARRAY_SIZE(rollup_have[i].keys) && rollup_have[i].keys[j]; j++) {
			const char *k = rollup_have[i].keys[j];
			int idx = find_key(rollup_keys, ARRAY_SIZE(rollup_keys), k, strlen(k));

			if (idx < 0 || !(seen & (1u << idx)))
				all = false;
		}
		if (all)
			have |= rollup_have[i].have;
	}
	return have;
}

/* One "Key: value" line of smaps_rollup; sets bit k of *seen for a known key. Returns 0 or -EINVAL. */
static int rollup_line(const char *p, const char *eol, struct smaps_rollup *out, unsigned *seen)
{
	const char *key = p;
	size_t key_len;
	int k;

	if (!split_key(&p, eol, &key_len))
		return -EINVAL;
	k = find_key(rollup_keys, ARRAY_SIZE(rollup_keys), key, key_len);
	if (k < 0)
		return 0;
	if (!parse_value_line(p, eol, "kB", (uint64_t *)((char *)out + rollup_keys[k].off)))
		return -EINVAL;
	*seen |= 1u << k;
	return 0;
}

int smaps_rollup_parse(const char *text, size_t len, struct smaps_rollup *out)
{
	const char *p = text, *end = text + len;
	unsigned seen = 0;
	bool first = true;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol != p) {
			/* The "[rollup]" header comes first, if at all. */
			if (!(first && is_header_line(p, eol)) &&
			    rollup_line(p, eol, out, &seen) < 0)
				return -EINVAL;
			first = false;
		}
		p = nl ? nl + 1 : end;
	}
	out->have = rollup_have_bits(seen);
	return (out->have & SMAPS_HAVE_RSS) ? 0 : -EINVAL;
}
