/*
 * util.c: allocation that dies on failure, whole-file reads into reused
 * buffers, and the cursor parsers for /proc text (util.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "util.h"

void (*xdie_hook)(void);

void die(const char *fmt, ...)
{
	va_list ap;

	if (xdie_hook)
		xdie_hook();
	fputs("truemem: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

int errorf(struct tm_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory (%zu bytes)", n);
	return p;
}

void xgrow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap;

	if (need <= c)
		return;
	c = c ? c : 16;
	while (c < need) {
		if (c > SIZE_MAX / 2 / size)
			die("out of memory (array of %zu)", need);
		c *= 2;
	}
	*p = xrealloc(*p, c * size);
	*cap = c;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

void buf_release(struct buf *b)
{
	free(b->buf);
	b->buf = NULL;
	b->len = b->cap = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap) {
		size_t cap = b->cap;

		xgrow((void **)&b->buf, &cap, b->len + extra + 1, 1);
		b->cap = cap;
	}
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char probe[1];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(probe, sizeof(probe), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Reads fd to its end; with whole, a read that leaves room in the buffer is the end. */
static int buf_read_until(struct buf *b, int fd, size_t max, bool whole)
{
	b->len = 0;
	buf_reserve(b, 4096);
	for (;;) {
		ssize_t r;

		if (b->cap - b->len < 2)
			buf_reserve(b, b->cap);
		r = read(fd, b->buf + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			b->buf[b->len] = '\0';
			return -errno;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (b->len > max) {
			b->buf[b->len] = '\0';
			return -EFBIG;
		}
		if (whole && b->len < b->cap - 1)
			break;
	}
	b->buf[b->len] = '\0';
	return 0;
}

int buf_read_fd(struct buf *b, int fd, size_t max)
{
	return buf_read_until(b, fd, max, false);
}

static int read_at(struct buf *b, int dirfd, const char *path, size_t max, bool whole)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc;

	if (fd < 0) {
		b->len = 0;
		if (b->buf)
			b->buf[0] = '\0';
		return -errno;
	}
	rc = buf_read_until(b, fd, max, whole);
	close(fd);
	return rc;
}

int buf_read_at(struct buf *b, int dirfd, const char *path, size_t max)
{
	return read_at(b, dirfd, path, max, false);
}

int buf_read_whole_at(struct buf *b, int dirfd, const char *path, size_t max)
{
	return read_at(b, dirfd, path, max, true);
}

ssize_t pread_full(int fd, void *dst, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)dst + done, n - done, off + (off_t)done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

int write_full(int fd, const void *src, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = write(fd, (const char *)src + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)r;
	}
	return 0;
}

bool parse_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return false;
	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	*p = s;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool parse_hex_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int d;

	if (s >= end || hexval(*s) < 0)
		return false;
	for (; s < end && (d = hexval(*s)) >= 0; s++) {
		if (v >> 60)
			return false;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	*p = s;
	return true;
}

void parse_skip_spaces(const char **p, const char *end)
{
	while (*p < end && (**p == ' ' || **p == '\t'))
		(*p)++;
}

void parse_next_line(const char **p, const char *end)
{
	const char *nl = *p < end ? memchr(*p, '\n', (size_t)(end - *p)) : NULL;

	*p = nl ? nl + 1 : end;
}

bool parse_lit(const char **p, const char *end, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

bool parse_value_line(const char *p, const char *eol, const char *unit, uint64_t *out)
{
	parse_skip_spaces(&p, eol);
	if (!parse_u64(&p, eol, out))
		return false;
	parse_skip_spaces(&p, eol);
	if (unit && !parse_lit(&p, eol, unit))
		return false;
	parse_skip_spaces(&p, eol);
	return p == eol;
}

bool str_to_u64(const char *s, uint64_t *out)
{
	const char *p = s, *end = s + strlen(s);

	return parse_u64(&p, end, out) && p == end;
}

bool str_to_pid(const char *s, pid_t *out)
{
	uint64_t v;

	if (!str_to_u64(s, &v) || v == 0 || v > 0x3fffffff)
		return false;
	*out = (pid_t)v;
	return true;
}

int filter_compile(regex_t *re, const char *pattern)
{
	int flags = REG_EXTENDED | REG_NOSUB | REG_ICASE;

	for (const unsigned char *c = (const unsigned char *)pattern; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			flags &= ~REG_ICASE;
	return regcomp(re, pattern, flags);
}

int pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

size_t u64_lower_bound(const void *base, size_t n, size_t size, size_t key_off, size_t lo, uint64_t key)
{
	size_t hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		uint64_t k;

		memcpy(&k, (const char *)base + m * size + key_off, sizeof(k));
		if (k < key)
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

uint64_t str_hash64(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	return h;
}

char *text_after_magic(const char *text, size_t len, const char *magic, char **copy)
{
	size_t m = strlen(magic);
	char *c = xmalloc(len + 1);

	memcpy(c, text, len);
	c[len] = '\0';
	if (strlen(c) != len || len <= m || strncmp(c, magic, m) || c[m] != '\n') {
		free(c);
		return NULL;
	}
	*copy = c;
	return c + m + 1;
}
