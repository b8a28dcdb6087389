/*
 * snapfile_out.c: writing a snapshot as one file (format in snapfile.h).
 * Members are compressed as they are put (a capture writes each file
 * once, except an ident rewritten when its process turned out unreadable,
 * which replaces the first), held compressed in memory, and written
 * sorted by name when the snapshot is closed. Page tables and frame
 * records not compressed against another member are byte-shuffled first
 * (SNAPFILE_SHUFFLE).
 */
#include <assert.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "snapfile.h"

struct member {
	char *name;
	void *data;          /* one zstd frame */
	size_t csize;
	uint64_t usize;
	char *ref;           /* the member compressed against, or NULL */
	uint32_t transform;  /* SNAPFILE_PLAIN or SNAPFILE_SHUFFLE */
};

struct snapfile_out {
	int level;
	ZSTD_CCtx *cctx;
	struct buf shuf;     /* a member, shuffled */
	struct member *m;
	size_t n, cap;
};

uint32_t snapfile_record_check(const unsigned char *hdr, size_t tail_len, const char *name, size_t name_len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 24; i++)
		h = (h ^ hdr[i]) * 16777619u;
	for (size_t i = 0; i < tail_len; i++)
		h = (h ^ hdr[28 + i]) * 16777619u;
	for (size_t i = 0; i < name_len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

/* Swaps the sh-bit halves of a and b selected by mask lo: one round of an 8x8 byte transpose. */
#define SWAP_HALVES(a, b, sh, lo)                                         \
	do {                                                              \
		uint64_t x_ = (a), y_ = (b);                              \
		(a) = (x_ & (lo)) | ((y_ & (lo)) << (sh));                \
		(b) = ((x_ >> (sh)) & (lo)) | (y_ & ~(uint64_t)(lo));     \
	} while (0)

/*
 * Transposes the 8x8 bytes of r (byte t of r[j] is row j, column t; bytes
 * numbered little-endian) in three rounds of swaps: 4x4, 2x2, 1x1 blocks.
 */
static inline void transpose8(uint64_t r[8])
{
	const uint64_t l32 = UINT64_C(0x00000000FFFFFFFF), l16 = UINT64_C(0x0000FFFF0000FFFF),
		       l8 = UINT64_C(0x00FF00FF00FF00FF);

	SWAP_HALVES(r[0], r[4], 32, l32);
	SWAP_HALVES(r[1], r[5], 32, l32);
	SWAP_HALVES(r[2], r[6], 32, l32);
	SWAP_HALVES(r[3], r[7], 32, l32);
	SWAP_HALVES(r[0], r[2], 16, l16);
	SWAP_HALVES(r[1], r[3], 16, l16);
	SWAP_HALVES(r[4], r[6], 16, l16);
	SWAP_HALVES(r[5], r[7], 16, l16);
	SWAP_HALVES(r[0], r[1], 8, l8);
	SWAP_HALVES(r[2], r[3], 8, l8);
	SWAP_HALVES(r[4], r[5], 8, l8);
	SWAP_HALVES(r[6], r[7], 8, l8);
}

/*
 * One block of k words: dst's word i from byte i of each of src's 8 planes
 * (unshuffle), or the other way; eight words at a time as an 8x8 byte
 * transpose (its own inverse), the rest byte by byte.
 */
static void shuffle_block(const unsigned char *src, unsigned char *dst, size_t k, bool unshuffle)
{
	size_t i = 0;

	/* Planes are k bytes apart in the shuffled side; words 8 bytes apart in the other. */
	size_t in_step = unshuffle ? k : 8, out_step = unshuffle ? 8 : k, in_adv = unshuffle ? 8 : 64,
	       out_adv = unshuffle ? 64 : 8;
	const unsigned char *in = src;
	unsigned char *out = dst;

	for (; i + 8 <= k; i += 8, in += in_adv, out += out_adv) {
		uint64_t r[8];

		for (size_t j = 0; j < 8; j++) {
			memcpy(&r[j], in + j * in_step, 8);
			r[j] = le64toh(r[j]);
		}
		transpose8(r);
		for (size_t j = 0; j < 8; j++) {
			r[j] = htole64(r[j]);
			memcpy(out + j * out_step, &r[j], 8);
		}
	}
	for (; i < k; i++)
		for (size_t j = 0; j < 8; j++) {
			if (unshuffle)
				dst[i * 8 + j] = src[j * k + i];
			else
				dst[j * k + i] = src[i * 8 + j];
		}
}

void snapfile_shuffle(const unsigned char *src, unsigned char *dst, size_t len, bool unshuffle)
{
	size_t words = len / 8;

	assert(len % 8 == 0 && src != dst);
	for (size_t b = 0; b < words; b += SNAPFILE_SHUFFLE_WORDS) {
		size_t k = words - b < SNAPFILE_SHUFFLE_WORDS ? words - b : SNAPFILE_SHUFFLE_WORDS;

		shuffle_block(src + b * 8, dst + b * 8, k, unshuffle);
	}
}

/*
 * The transform of a member: the page tables and frame records (pagemap,
 * kpages, kpagecgroup: u64 words) are shuffled, the text is not.
 */
static uint32_t member_transform(const char *name, size_t len)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;

	if (len % 8 || len < 64)
		return SNAPFILE_PLAIN;
	return !strcmp(base, "pagemap") || !strcmp(name, "kpages") || !strcmp(name, "kpagecgroup") ? SNAPFILE_SHUFFLE
												      : SNAPFILE_PLAIN;
}

struct snapfile_out *snapfile_out_new(int level)
{
	struct snapfile_out *o = xcalloc(1, sizeof(*o));

	o->level = level;
	o->cctx = ZSTD_createCCtx();
	if (!o->cctx)
		die("out of memory (zstd)");
	return o;
}

/* A window that holds the reference and the data, as zstd --patch-from sets it; 0 when too large. */
static int ref_window_log(size_t total)
{
	int log = 17;

	while (log < 27 && ((size_t)1 << log) < total)
		log++;
	return ((size_t)1 << log) < total ? 0 : log;
}

int snapfile_out_put(struct snapfile_out *o, const char *name, const void *data, size_t len,
		     const char *ref_name, const void *ref_data, size_t ref_len, struct tm_error *err)
{
	size_t bound = ZSTD_compressBound(len), got;
	uint32_t transform = member_transform(name, len);
	struct member *m = NULL;
	int rc = 1;
	void *dst;

	if (!*name || strlen(name) > SNAPFILE_MAX_NAME || len > SNAPFILE_MAX_MEMBER)
		return errorf(err, -1, "cannot store '%s' in a snapshot file: name or size out of bounds", name);
	dst = xmalloc(bound ? bound : 1);
	if (ref_name && !ref_window_log(ref_len + len))
		ref_name = NULL;
	/*
	 * A member compressed against another is mostly long matches already
	 * and stays as it is; the others' words are shuffled. A reference is
	 * always the contents of the member it names, as read.
	 */
	if (ref_name)
		transform = SNAPFILE_PLAIN;
	if (transform == SNAPFILE_SHUFFLE) {
		o->shuf.len = 0;
		buf_reserve(&o->shuf, len);
		snapfile_shuffle(data, (unsigned char *)o->shuf.buf, len, false);
		data = o->shuf.buf;
	}
	ZSTD_CCtx_reset(o->cctx, ZSTD_reset_session_and_parameters);
	ZSTD_CCtx_setParameter(o->cctx, ZSTD_c_compressionLevel, o->level);
	ZSTD_CCtx_setParameter(o->cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(o->cctx, ZSTD_c_contentSizeFlag, 1);
	if (ref_name) {
		ZSTD_CCtx_setParameter(o->cctx, ZSTD_c_windowLog, ref_window_log(ref_len + len));
		ZSTD_CCtx_setParameter(o->cctx, ZSTD_c_enableLongDistanceMatching, 1);
		ZSTD_CCtx_refPrefix(o->cctx, ref_data, ref_len);
	}
	got = ZSTD_compress2(o->cctx, dst, bound, data, len);
	if (ZSTD_isError(got)) {
		free(dst);
		return errorf(err, -1, "cannot compress '%s': %s", name, ZSTD_getErrorName(got));
	}
	/* The latest of the same name wins; the most recent member is the likeliest. */
	for (size_t i = o->n; i-- > 0 && !m;)
		if (!strcmp(o->m[i].name, name))
			m = &o->m[i];
	if (m) {
		free(m->data);
		free(m->ref);
		rc = 0;
	} else {
		xgrow((void **)&o->m, &o->cap, o->n + 1, sizeof(*o->m));
		m = &o->m[o->n++];
		m->name = xstrdup(name);
	}
	m->data = xrealloc(dst, got ? got : 1);
	m->csize = got;
	m->usize = len;
	m->ref = ref_name ? xstrdup(ref_name) : NULL;
	m->transform = transform;
	return rc;
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name, ((const struct member *)b)->name);
}

/* The index + 1 of the member named ref among the sorted o->m, 0 for none. */
static uint32_t ref_index(const struct snapfile_out *o, const char *ref)
{
	size_t a = 0, b = o->n;

	while (ref && a < b) {
		size_t mid = a + (b - a) / 2;
		int c = strcmp(o->m[mid].name, ref);

		if (c == 0)
			return (uint32_t)mid + 1;
		if (c < 0)
			a = mid + 1;
		else
			b = mid;
	}
	assert(!ref);   /* a reference is always put */
	return 0;
}

/* Appends a record header for name (NULL: the end record) to b. */
static void record_header(struct buf *b, const char *name, uint64_t csize, uint64_t usize, uint32_t ref,
			  uint32_t transform)
{
	unsigned char h[SNAPFILE_RECORD_HEADER] = { 0 };
	uint32_t name_len = name ? (uint32_t)strlen(name) : 0, check;

	memcpy(h, SNAPFILE_MEMBER_MAGIC, 4);
	memcpy(h + 4, &name_len, 4);
	memcpy(h + 8, &csize, 8);
	memcpy(h + 16, &usize, 8);
	memcpy(h + 28, &ref, 4);
	memcpy(h + 32, &transform, 4);
	check = snapfile_record_check(h, SNAPFILE_RECORD_HEADER - 28, name ? name : "", name_len);
	memcpy(h + 24, &check, 4);
	buf_add(b, h, sizeof(h));
	if (name_len)
		buf_add(b, name, name_len);
}

int snapfile_out_write(struct snapfile_out *o, int fd)
{
	struct buf b = BUF_INIT;
	uint32_t version = SNAPFILE_VERSION, zero = 0;
	int rc = 0;

	if (o->n)
		qsort(o->m, o->n, sizeof(*o->m), cmp_member);
	buf_add(&b, SNAPFILE_MAGIC, 8);
	buf_add(&b, &version, 4);
	buf_add(&b, &zero, 4);
	for (size_t i = 0; i < o->n && rc == 0; i++) {
		record_header(&b, o->m[i].name, o->m[i].csize, o->m[i].usize, ref_index(o, o->m[i].ref),
			      o->m[i].transform);
		/* Small members go out with their headers; large ones straight from their buffer. */
		if (o->m[i].csize < 65536) {
			buf_add(&b, o->m[i].data, o->m[i].csize);
		} else {
			rc = write_full(fd, b.buf, b.len);
			b.len = 0;
			if (rc == 0)
				rc = write_full(fd, o->m[i].data, o->m[i].csize);
		}
		if (rc == 0 && b.len > (1u << 20)) {
			rc = write_full(fd, b.buf, b.len);
			b.len = 0;
		}
	}
	record_header(&b, NULL, 0, o->n, 0, SNAPFILE_PLAIN);
	if (rc == 0)
		rc = write_full(fd, b.buf, b.len);
	buf_release(&b);
	return rc;
}

void snapfile_out_free(struct snapfile_out *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->n; i++) {
		free(o->m[i].name);
		free(o->m[i].data);
		free(o->m[i].ref);
	}
	free(o->m);
	buf_release(&o->shuf);
	ZSTD_freeCCtx(o->cctx);
	free(o);
}
