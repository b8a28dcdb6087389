/*
 * snapfile.c: reading a snapshot file (format in snapfile.h), the one-file
 * form of a snapshot directory. The file is mapped and its record headers
 * are walked once at open; members are decompressed on demand, each into
 * a caller's buffer, so the directory reader above (snapshot.c) reads a
 * member as it reads a file, and only the members a command needs.
 *
 * A snapshot file comes from another machine and may be damaged: every
 * header is checked before its sizes are trusted, names are checked as
 * paths, and each member's zstd frame carries its content checksum.
 * Version 1 files (no transforms) are read as well as version 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "snapfile.h"

struct snapfile_member {
	char *name;
	uint64_t off, csize, usize;   /* off: of the zstd frame in the file */
	uint32_t ref;                 /* 0, or 1 + the index of the member it was compressed against */
	uint32_t transform;           /* SNAPFILE_PLAIN or SNAPFILE_SHUFFLE */
	void *cache;                  /* its contents, once decompressed as a reference (under mu) */
};

/* A decompression context (making one costs more than a small member) and a shuffled block's room. */
struct dslot {
	ZSTD_DCtx *dctx;
	unsigned char *block;         /* SNAPFILE_SHUFFLE_WORDS * 8 bytes */
};

struct snapfile {
	char *path;
	const unsigned char *map;
	size_t len;
	uint32_t version;
	size_t rec_header;            /* bytes of a record header in this version */
	struct snapfile_member *m;
	size_t n;
	pthread_mutex_t mu;
	/* snapfile_load's buffers: all of them, and those free (under mu) */
	struct buf **bufs, **spare;
	size_t nbufs, nspare, bufs_cap, spare_cap;
	/* decompression contexts not in use, each with a block's room to undo a shuffle (under mu) */
	struct dslot *slots;
	size_t nslots, slots_cap;
};

/* A member name is a relative path of printable characters, no "." or ".." part, no empty part. */
static bool name_ok(const char *s, size_t n)
{
	size_t part = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			if (part == 0 || (part == 1 && s[i - 1] == '.') ||
			    (part == 2 && s[i - 1] == '.' && s[i - 2] == '.'))
				return false;
			part = 0;
			continue;
		}
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
		part++;
	}
	return true;
}

/* The member after which something went wrong, for messages. */
static const char *after(const struct snapfile *f)
{
	return f->n ? f->m[f->n - 1].name : "(none: the first record)";
}

/* Walks the records from off; fills f->m. Returns 0 or -1 with err set. */
static int walk(struct snapfile *f, size_t off, struct tm_error *err)
{
	size_t cap = 0;

	for (;;) {
		const unsigned char *h = f->map + off;
		uint32_t name_len, check, ref, transform = SNAPFILE_PLAIN, zero = 0;
		uint64_t csize, usize;
		const char *name;

		if (f->len - off < f->rec_header)
			return errorf(err, -1, "corrupt snapshot: '%s' is truncated after member '%s'", f->path, after(f));
		memcpy(&name_len, h + 4, 4);
		memcpy(&csize, h + 8, 8);
		memcpy(&usize, h + 16, 8);
		memcpy(&check, h + 24, 4);
		memcpy(&ref, h + 28, 4);
		if (f->version >= 2) {
			memcpy(&transform, h + 32, 4);
			memcpy(&zero, h + 36, 4);
		}
		name = (const char *)h + f->rec_header;
		if (memcmp(h, SNAPFILE_MEMBER_MAGIC, 4) || name_len > SNAPFILE_MAX_NAME ||
		    f->len - off - f->rec_header < name_len || zero ||
		    check != snapfile_record_check(h, f->rec_header - 28, name, name_len))
			return errorf(err, -1, "corrupt snapshot: '%s': the record after member '%s' is garbled",
				      f->path, after(f));
		if (name_len == 0) {   /* the end record */
			if (csize || usize != f->n || transform)
				return errorf(err, -1, "corrupt snapshot: '%s': bad end record after member '%s'",
					      f->path, after(f));
			if (off + f->rec_header != f->len)
				return errorf(err, -1, "corrupt snapshot: '%s': data after the end record", f->path);
			for (size_t i = 0; i < f->n; i++)
				if (f->m[i].ref > f->n || f->m[i].ref == i + 1)
					return errorf(err, -1, "corrupt snapshot: '%s': member '%s' refers to no member",
						      f->path, f->m[i].name);
			return 0;
		}
		if (!name_ok(name, name_len))
			return errorf(err, -1, "corrupt snapshot: '%s': bad member name after member '%s'", f->path,
				      after(f));
		xgrow((void **)&f->m, &cap, f->n + 1, sizeof(*f->m));
		f->m[f->n] = (struct snapfile_member){ .name = xasprintf("%.*s", (int)name_len, name),
						      .off = off + f->rec_header + name_len,
						      .csize = csize, .usize = usize, .ref = ref,
						      .transform = transform };
		f->n++;
		if (f->n > 1 && strcmp(f->m[f->n - 2].name, f->m[f->n - 1].name) >= 0)
			return errorf(err, -1, "corrupt snapshot: '%s': member '%s' is out of order or repeated",
				      f->path, f->m[f->n - 1].name);
		if (usize > SNAPFILE_MAX_MEMBER || csize > ZSTD_compressBound(SNAPFILE_MAX_MEMBER))
			return errorf(err, -1, "corrupt snapshot: '%s': member '%s' is too large", f->path,
				      f->m[f->n - 1].name);
		if (transform > SNAPFILE_SHUFFLE || (transform == SNAPFILE_SHUFFLE && usize % 8))
			return errorf(err, -1, "corrupt snapshot: '%s': member '%s' has an unknown transform", f->path,
				      f->m[f->n - 1].name);
		if (f->len - f->m[f->n - 1].off < csize)
			return errorf(err, -1, "corrupt snapshot: '%s': member '%s' is truncated", f->path,
				      f->m[f->n - 1].name);
		off = (size_t)(f->m[f->n - 1].off + csize);
	}
}

int snapfile_is(const char *path)
{
	char magic[8];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), ok;

	if (fd < 0)
		return 0;
	ok = pread_full(fd, magic, 8, 0) == 8 && !memcmp(magic, SNAPFILE_MAGIC, 8);
	close(fd);
	return ok;
}

struct snapfile *snapfile_open(const char *path, struct tm_error *err)
{
	struct snapfile *f = xcalloc(1, sizeof(*f));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	uint32_t version;

	f->path = xstrdup(path);
	pthread_mutex_init(&f->mu, NULL);
	if (fd < 0 || fstat(fd, &st) < 0) {
		errorf(err, -1, "cannot open snapshot '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 16) {
		errorf(err, -1, "corrupt snapshot: '%s' is not a truemem snapshot file (too short)", path);
		goto fail;
	}
	f->len = (size_t)st.st_size;
	f->map = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		errorf(err, -1, "cannot map '%s': %s", path, strerror(errno));
		goto fail;
	}
	close(fd);
	fd = -1;
	memcpy(&version, f->map + 8, 4);
	if (memcmp(f->map, SNAPFILE_MAGIC, 8) || version < SNAPFILE_VERSION_MIN || version > SNAPFILE_VERSION) {
		errorf(err, -1, "'%s': not a truemem snapshot file of version %d to %d", path, SNAPFILE_VERSION_MIN,
		       SNAPFILE_VERSION);
		goto fail;
	}
	f->version = version;
	f->rec_header = version == 1 ? SNAPFILE_RECORD_HEADER_V1 : SNAPFILE_RECORD_HEADER;
	if (walk(f, 16, err) < 0)
		goto fail;
	return f;
fail:
	if (fd >= 0)
		close(fd);
	snapfile_close(f);
	return NULL;
}

void snapfile_close(struct snapfile *f)
{
	if (!f)
		return;
	if (f->map)
		munmap((void *)f->map, f->len);
	for (size_t i = 0; i < f->n; i++) {
		free(f->m[i].name);
		free(f->m[i].cache);
	}
	free(f->m);
	for (size_t i = 0; i < f->nbufs; i++) {
		buf_release(f->bufs[i]);
		free(f->bufs[i]);
	}
	free(f->bufs);
	free(f->spare);
	for (size_t i = 0; i < f->nslots; i++) {
		ZSTD_freeDCtx(f->slots[i].dctx);
		free(f->slots[i].block);
	}
	free(f->slots);
	pthread_mutex_destroy(&f->mu);
	free(f->path);
	free(f);
}

size_t snapfile_count(const struct snapfile *f)
{
	return f->n;
}

const char *snapfile_name(const struct snapfile *f, size_t i)
{
	return f->m[i].name;
}

static const struct snapfile_member *find(const struct snapfile *f, const char *name)
{
	size_t a = 0, b = f->n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;
		int c = strcmp(f->m[mid].name, name);

		if (c == 0)
			return &f->m[mid];
		if (c < 0)
			a = mid + 1;
		else
			b = mid;
	}
	return NULL;
}

int64_t snapfile_size(const struct snapfile *f, const char *name)
{
	const struct snapfile_member *m = find(f, name);

	return m ? (int64_t)m->usize : -ENOENT;
}

static int decompress(struct snapfile *f, const struct snapfile_member *m, void *dst, int depth,
		      struct tm_error *err);

/* The contents of member i (its transform undone), decompressed once and cached: another member's reference. */
static const void *ref_contents(struct snapfile *f, size_t i, int depth, struct tm_error *err)
{
	struct snapfile_member *r = &f->m[i];
	void *data, *have;

	pthread_mutex_lock(&f->mu);
	have = r->cache;
	pthread_mutex_unlock(&f->mu);
	if (have)
		return have;
	data = xmalloc(r->usize ? r->usize : 1);
	if (decompress(f, r, data, depth + 1, err) < 0) {
		free(data);
		return NULL;
	}
	pthread_mutex_lock(&f->mu);
	if (r->cache)   /* another thread was first */
		free(data);
	else
		r->cache = data;
	have = r->cache;
	pthread_mutex_unlock(&f->mu);
	return have;
}

static struct dslot take_slot(struct snapfile *f)
{
	struct dslot s = { NULL, NULL };

	pthread_mutex_lock(&f->mu);
	if (f->nslots)
		s = f->slots[--f->nslots];
	pthread_mutex_unlock(&f->mu);
	if (!s.dctx && !(s.dctx = ZSTD_createDCtx()))
		die("out of memory (zstd)");
	return s;
}

static void give_slot(struct snapfile *f, struct dslot s)
{
	pthread_mutex_lock(&f->mu);
	xgrow((void **)&f->slots, &f->slots_cap, f->nslots + 1, sizeof(*f->slots));
	f->slots[f->nslots++] = s;
	pthread_mutex_unlock(&f->mu);
}

/* Undoes SNAPFILE_SHUFFLE in place, a block at a time through s's room (in cache while it is undone). */
static void unshuffle(struct dslot *s, unsigned char *data, size_t len)
{
	const size_t block = SNAPFILE_SHUFFLE_WORDS * 8;

	if (!s->block)
		s->block = xmalloc(block);
	for (size_t off = 0; off < len; off += block) {
		size_t n = len - off < block ? len - off : block;

		memcpy(s->block, data + off, n);
		snapfile_shuffle(s->block, data + off, n, true);
	}
}

/* Decompresses m into dst, its transform undone. */
static int decompress(struct snapfile *f, const struct snapfile_member *m, void *dst, int depth,
		      struct tm_error *err)
{
	const void *src = f->map + m->off, *prefix = NULL;
	unsigned long long declared = ZSTD_getFrameContentSize(src, m->csize);
	struct dslot slot;
	size_t got;

	if (declared != m->usize)
		return errorf(err, -EIO, "corrupt snapshot: '%s': member '%s' is damaged (%s)", f->path, m->name,
			      declared == ZSTD_CONTENTSIZE_ERROR ? "not a zstd frame" : "its size does not match");
	if (m->ref) {
		if (depth >= SNAPFILE_MAX_REF_DEPTH)
			return errorf(err, -EIO, "corrupt snapshot: '%s': member '%s' starts a chain of references "
				      "too long (a loop?)", f->path, m->name);
		if (!(prefix = ref_contents(f, m->ref - 1, depth, err)))
			return -EIO;
	}
	slot = take_slot(f);
	ZSTD_DCtx_reset(slot.dctx, ZSTD_reset_session_and_parameters);
	if (prefix)
		ZSTD_DCtx_refPrefix(slot.dctx, prefix, f->m[m->ref - 1].usize);
	got = ZSTD_decompressDCtx(slot.dctx, dst, m->usize, src, m->csize);
	if (!ZSTD_isError(got) && got == m->usize && m->transform == SNAPFILE_SHUFFLE)
		unshuffle(&slot, dst, m->usize);
	give_slot(f, slot);
	if (ZSTD_isError(got))
		return errorf(err, -EIO, "corrupt snapshot: '%s': member '%s' is damaged (%s)", f->path, m->name,
			      ZSTD_getErrorName(got));
	if (got != m->usize)
		return errorf(err, -EIO, "corrupt snapshot: '%s': member '%s' is damaged (short)", f->path, m->name);
	return 0;
}

int snapfile_read(struct snapfile *f, const char *name, void *dst, struct tm_error *err)
{
	const struct snapfile_member *m = find(f, name);

	return m ? decompress(f, m, dst, 0, err) : -ENOENT;
}

/* A buffer from the spares (the latest given back: its pages are the likeliest in memory), or a new one. */
static struct buf *take_buf(struct snapfile *f)
{
	struct buf *b;

	pthread_mutex_lock(&f->mu);
	if (f->nspare) {
		b = f->spare[--f->nspare];
	} else {
		b = xcalloc(1, sizeof(*b));
		xgrow((void **)&f->bufs, &f->bufs_cap, f->nbufs + 1, sizeof(*f->bufs));
		f->bufs[f->nbufs++] = b;
		xgrow((void **)&f->spare, &f->spare_cap, f->nbufs, sizeof(*f->spare));
	}
	pthread_mutex_unlock(&f->mu);
	return b;
}

struct buf *snapfile_load(struct snapfile *f, const char *name, struct tm_error *err)
{
	const struct snapfile_member *m = find(f, name);
	struct buf *b;

	if (!m)
		return NULL;
	b = take_buf(f);
	b->len = 0;
	buf_reserve(b, (size_t)m->usize);
	if (decompress(f, m, b->buf, 0, err) < 0) {
		snapfile_unload(f, b);
		return NULL;
	}
	b->len = (size_t)m->usize;
	return b;
}

void snapfile_unload(struct snapfile *f, struct buf *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&f->mu);
	f->spare[f->nspare++] = b;   /* room for every buffer was made when it was made */
	pthread_mutex_unlock(&f->mu);
}
