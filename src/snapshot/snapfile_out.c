/*
 * snapfile_out.c: writing a snapshot as one file (format in snapfile.h).
 * Members are compressed as they are put (a capture writes each file
 * once, except an ident rewritten when its process turned out unreadable,
 * which replaces the first), held compressed in memory, and written
 * sorted by name when the snapshot is closed.
 */
#include <assert.h>
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
};

struct snapfile_out {
	int level;
	ZSTD_CCtx *cctx;
	struct member *m;
	size_t n, cap;
};

uint32_t snapfile_record_check(const unsigned char hdr[24], uint32_t ref, const char *name, size_t name_len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < 24; i++)
		h = (h ^ hdr[i]) * 16777619u;
	for (size_t i = 0; i < 4; i++)
		h = (h ^ ((ref >> (8 * i)) & 0xff)) * 16777619u;
	for (size_t i = 0; i < name_len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
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
	struct member *m = NULL;
	int rc = 1;
	void *dst;

	if (!*name || strlen(name) > SNAPFILE_MAX_NAME || len > SNAPFILE_MAX_MEMBER)
		return errorf(err, -1, "cannot store '%s' in a snapshot file: name or size out of bounds", name);
	dst = xmalloc(bound ? bound : 1);
	if (ref_name && !ref_window_log(ref_len + len))
		ref_name = NULL;
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
static void record_header(struct buf *b, const char *name, uint64_t csize, uint64_t usize, uint32_t ref)
{
	unsigned char h[SNAPFILE_RECORD_HEADER] = { 0 };
	uint32_t name_len = name ? (uint32_t)strlen(name) : 0, check;

	memcpy(h, SNAPFILE_MEMBER_MAGIC, 4);
	memcpy(h + 4, &name_len, 4);
	memcpy(h + 8, &csize, 8);
	memcpy(h + 16, &usize, 8);
	check = snapfile_record_check(h, ref, name ? name : "", name_len);
	memcpy(h + 24, &check, 4);
	memcpy(h + 28, &ref, 4);
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
		record_header(&b, o->m[i].name, o->m[i].csize, o->m[i].usize, ref_index(o, o->m[i].ref));
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
	record_header(&b, NULL, 0, o->n, 0);
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
	ZSTD_freeCCtx(o->cctx);
	free(o);
}
