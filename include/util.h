/*
 * util.h: the small helpers everything else leans on: allocation that dies
 * on failure, whole-file reads into a reused buffer, and a cursor parser for
 * the text files under /proc.
 */
#ifndef TRUEMEM_UTIL_H
#define TRUEMEM_UTIL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Called before exiting on allocation failure; the ncurses view sets it to
 * restore the terminal first (as htop's fail() does).
 */
extern void (*xdie_hook)(void);

/* Print "truemem: <msg>" on stderr and exit(1). */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (capacity *cap elements of size) to hold at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);

/*
 * A growable byte buffer, reused across reads so the hot path does not
 * allocate (git's strbuf, reduced). Invariant: buf[len] == '\0' once any
 * read has happened, so text parsers may rely on the terminator.
 */
struct buf {
	char *buf;
	size_t len;
	size_t cap;
};
#define BUF_INIT { NULL, 0, 0 }
void buf_release(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addstr(struct buf *b, const char *s);
__attribute__((format(printf, 2, 3))) void buf_addf(struct buf *b, const char *fmt, ...);

/*
 * Replaces b's contents with everything read from fd (read loop, EINTR
 * retried) up to max bytes. Returns 0, -EFBIG when the file is larger than
 * max, or -errno.
 */
int buf_read_fd(struct buf *b, int fd, size_t max);
/* openat(dirfd, path) + buf_read_fd + close. Returns 0 or -errno. */
int buf_read_at(struct buf *b, int dirfd, const char *path, size_t max);
/*
 * As buf_read_at, for a file the kernel makes whole at the first read
 * (a single-record seq_file: stat, status, smaps_rollup; cmdline): a
 * read that leaves room in the buffer was the last, no read of the end.
 */
int buf_read_whole_at(struct buf *b, int dirfd, const char *path, size_t max);

/* pread the whole range, retrying short reads and EINTR. Returns bytes read (short only at EOF) or -errno. */
ssize_t pread_full(int fd, void *dst, size_t n, off_t off);
/* write the whole buffer. Returns 0 or -errno. */
int write_full(int fd, const void *src, size_t n);

/*
 * Cursor parsing: each takes a pointer to the cursor and the end of the
 * text, advances past what it consumed and returns false (cursor unchanged)
 * when the text does not hold the expected token.
 */
bool parse_u64(const char **p, const char *end, uint64_t *out);
bool parse_hex_u64(const char **p, const char *end, uint64_t *out);
void parse_skip_spaces(const char **p, const char *end);
/* Advances past the next '\n' (or to end). */
void parse_next_line(const char **p, const char *end);
/* True and advances when the text at *p starts with the literal lit. */
bool parse_lit(const char **p, const char *end, const char *lit);

/*
 * The value of a "Key:  N unit" line: [p, eol) holds blanks, a number,
 * blanks, then unit (none when NULL) and only blanks to the end.
 */
bool parse_value_line(const char *p, const char *eol, const char *unit, uint64_t *out);

/* Strict whole-string number parsing for command-line and snapshot words. */
bool str_to_u64(const char *s, uint64_t *out);
bool str_to_pid(const char *s, pid_t *out);

/*
 * The first of the n elements at base (each size bytes, sorted by a
 * uint64_t key at key_off within it), from index lo on, whose key is not
 * below key: n when there is none.
 */
size_t u64_lower_bound(const void *base, size_t n, size_t size, size_t key_off, size_t lo, uint64_t key);

/*
 * A NUL-terminated copy of text whose first line must be exactly magic:
 * returns where the second line starts (free *copy when done), or NULL
 * (nothing to free) when text holds a NUL or starts otherwise.
 */
char *text_after_magic(const char *text, size_t len, const char *magic, char **copy);

/* 64-bit FNV-1a of a string. */
uint64_t str_hash64(const char *s);

/* qsort/bsearch order of pid_t values. */
int pid_cmp(const void *a, const void *b);

/*
 * The one filter rule of ps, lib, top and --filter: pattern is an extended
 * regular expression, matched ignoring case unless it has a capital letter
 * (less's and htop's "smart case"). Returns regcomp's result: 0, or an
 * error code for regerror; re is compiled only on 0 (regfree it).
 */
int filter_compile(regex_t *re, const char *pattern);

#endif
