/*
 * scenario.c: the scenario language of SPEC section 5. One command a line,
 * words separated by blanks, `#` to the end of the line a comment. Sizes
 * are a number of bytes with an optional K, M, G or T suffix (1024-based,
 * case-insensitive, "KB"/"KiB" spellings accepted), rounded up to pages;
 * OFFSET and LENGTH of touch/swapout take the same form and cover every
 * page they touch; a file's offset=N is rounded down to a page. The first error
 * stops the run with "NAME:LINE: what went wrong".
 *
 *   ram SIZE                  swap SIZE           (before the first spawn)
 *   spawn PID NAME [uid=N] [cgroup=PATH]   (default cgroup /sim.slice/NAME.service)
 *   cgroup PATH               move PID PATH       (memory cgroups, cgroup.c)
 *   mmap PID REGION anon private|shared SIZE
 *   mmap PID REGION anon private SIZE huge   (2 MiB aligned, SIZE rounded up to 2 MiB)
 *   mmap PID REGION file PATH private|shared SIZE [offset=N]
 *   mmap PID REGION shmem NAME SIZE
 *   mmap PID REGION tmpfs PATH SIZE
 *   open PID OBJECT           close PID OBJECT    unlink PATH
 *   touch PID REGION read|write [OFFSET [LENGTH]]
 *   fork PARENT CHILD         exit PID            munmap PID REGION
 *   swapout PID REGION [OFFSET [LENGTH]]
 *   guard PID REGION [OFFSET [LENGTH]]   (guard markers: no memory, no swap)
 *   reclaim PAGES             (until PAGES frames are free)
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "util.h"

#define SCN_MAX_WORDS 16
#define SCN_MAX_FILE_BYTES (UINT64_C(1) << 30)

/* Parses SIZE: digits with an optional K/M/G/T suffix. */
static bool parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *p = s, *end = s + strlen(s);
	uint64_t v;
	const char *u;

	if (!parse_u64(&p, end, &v))
		return false;
	if (p < end && (u = strchr(units, toupper((unsigned char)*p))) != NULL) {
		unsigned shift = 10 * (unsigned)(u - units + 1);

		if (v > (UINT64_MAX >> shift))
			return false;
		v <<= shift;
		p++;
		if (p < end && (*p == 'i' || *p == 'I'))
			p++;
		if (p < end && (*p == 'b' || *p == 'B'))
			p++;
	}
	if (p != end)
		return false;
	*out = v;
	return true;
}

static int want_size(const char *s, bool zero_ok, uint64_t *out, struct tm_error *err)
{
	if (!parse_size(s, out) || (!zero_ok && *out == 0) || *out > (UINT64_C(1) << 46))
		return errorf(err, -1, "bad size '%s'", s);
	return 0;
}

static int want_pid(const char *s, pid_t *out, struct tm_error *err)
{
	if (!str_to_pid(s, out))
		return errorf(err, -1, "bad pid '%s'", s);
	return 0;
}

/* Optional [OFFSET [LENGTH]] words. */
static int want_range(char **w, int n, uint64_t *off, uint64_t *len, struct tm_error *err)
{
	*off = *len = 0;
	if (n > 0 && want_size(w[0], true, off, err))
		return -1;
	if (n > 1 && want_size(w[1], false, len, err))
		return -1;
	return 0;
}

static int cmd_ram(struct engine *e, char **w, int n, struct tm_error *err)
{
	uint64_t v;

	return want_size(w[1], false, &v, err) ? -1 : engine_set_ram(e, v, err);
}

static int cmd_swap(struct engine *e, char **w, int n, struct tm_error *err)
{
	uint64_t v;

	return want_size(w[1], true, &v, err) ? -1 : engine_set_swap(e, v, err);
}

/* spawn's options, each at most once, in any order: uid=N, cgroup=PATH. */
static int cmd_spawn(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;
	uint64_t uid = 0;
	const char *cgroup = NULL;
	bool have_uid = false;

	if (want_pid(w[1], &pid, err))
		return -1;
	for (int i = 3; i < n; i++) {
		if (!have_uid && strncmp(w[i], "uid=", 4) == 0) {
			if (!str_to_u64(w[i] + 4, &uid) || uid > 0x7fffffff)
				return errorf(err, -1, "bad option '%s' (expected uid=N)", w[i]);
			have_uid = true;
		} else if (!cgroup && strncmp(w[i], "cgroup=", 7) == 0) {
			cgroup = w[i] + 7;
		} else {
			return errorf(err, -1, "bad option '%s' (expected uid=N or cgroup=PATH, each once)", w[i]);
		}
	}
	return engine_spawn(e, pid, w[2], (uid_t)uid, cgroup, err);
}

static int cmd_cgroup(struct engine *e, char **w, int n, struct tm_error *err)
{
	return engine_cgroup(e, w[1], err);
}

static int cmd_move(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;

	return want_pid(w[1], &pid, err) ? -1 : engine_move(e, pid, w[2], err);
}

static int mmap_file(struct engine *e, pid_t pid, char **w, int n, struct tm_error *err)
{
	uint64_t size, off = 0;
	enum engine_map_kind kind;

	if (n < 7 || n > 8)
		return errorf(err, -1, "usage: mmap PID REGION file PATH private|shared SIZE [offset=N]");
	if (strcmp(w[5], "private") == 0)
		kind = MAP_FILE_PRIVATE;
	else if (strcmp(w[5], "shared") == 0)
		kind = MAP_FILE_SHARED;
	else
		return errorf(err, -1, "expected private or shared, not '%s'", w[5]);
	if (want_size(w[6], false, &size, err))
		return -1;
	if (n == 8 && (strncmp(w[7], "offset=", 7) != 0 || want_size(w[7] + 7, true, &off, err)))
		return errorf(err, -1, "bad option '%s' (expected offset=N)", w[7]);
	return engine_mmap(e, pid, w[2], kind, w[4], size, off, err);
}

static int cmd_mmap(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;
	uint64_t size;

	if (want_pid(w[1], &pid, err))
		return -1;
	if (strcmp(w[3], "file") == 0)
		return mmap_file(e, pid, w, n, err);
	if (strcmp(w[3], "anon") == 0) {
		bool shared = strcmp(w[4], "shared") == 0;

		bool huge = n == 7 && strcmp(w[6], "huge") == 0;

		if (n != 6 && !(huge && !shared))
			return errorf(err, -1, "usage: mmap PID REGION anon private|shared SIZE, or anon private SIZE huge");
		if (!shared && strcmp(w[4], "private") != 0)
			return errorf(err, -1, "expected private or shared, not '%s'", w[4]);
		if (want_size(w[5], false, &size, err))
			return -1;
		return engine_mmap(e, pid, w[2], huge ? MAP_ANON_HUGE : shared ? MAP_ANON_SHARED : MAP_ANON_PRIVATE,
				   NULL, size, 0, err);
	}
	if (strcmp(w[3], "shmem") == 0) {
		if (n != 6)
			return errorf(err, -1, "usage: mmap PID REGION shmem NAME SIZE");
		if (want_size(w[5], false, &size, err))
			return -1;
		return engine_mmap(e, pid, w[2], MAP_SHMEM, w[4], size, 0, err);
	}
	if (strcmp(w[3], "tmpfs") == 0) {
		if (n != 6)
			return errorf(err, -1, "usage: mmap PID REGION tmpfs PATH SIZE");
		if (w[4][0] != '/')
			return errorf(err, -1, "tmpfs path '%s' does not start with /", w[4]);
		if (want_size(w[5], false, &size, err))
			return -1;
		return engine_mmap(e, pid, w[2], MAP_TMPFS, w[4], size, 0, err);
	}
	return errorf(err, -1, "unknown mapping type '%s' (anon, file, shmem or tmpfs)", w[3]);
}

static int cmd_touch(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;
	uint64_t off, len;
	bool write = strcmp(w[3], "write") == 0;

	if (want_pid(w[1], &pid, err))
		return -1;
	if (!write && strcmp(w[3], "read") != 0)
		return errorf(err, -1, "expected read or write, not '%s'", w[3]);
	if (want_range(w + 4, n - 4, &off, &len, err))
		return -1;
	return engine_touch(e, pid, w[2], write, off, len, err);
}

static int cmd_fork(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t parent = 0, child = 0;

	if (want_pid(w[1], &parent, err) || want_pid(w[2], &child, err))
		return -1;
	return engine_fork(e, parent, child, err);
}

static int cmd_exit(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid = 0;

	return want_pid(w[1], &pid, err) ? -1 : engine_exit(e, pid, err);
}

static int cmd_munmap(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;

	return want_pid(w[1], &pid, err) ? -1 : engine_munmap(e, pid, w[2], err);
}

static int cmd_swapout(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;
	uint64_t off, len;

	if (want_pid(w[1], &pid, err) || want_range(w + 3, n - 3, &off, &len, err))
		return -1;
	return engine_swapout(e, pid, w[2], off, len, err);
}

static int cmd_open(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;

	return want_pid(w[1], &pid, err) ? -1 : engine_open(e, pid, w[2], err);
}

static int cmd_close(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;

	return want_pid(w[1], &pid, err) ? -1 : engine_close(e, pid, w[2], err);
}

static int cmd_unlink(struct engine *e, char **w, int n, struct tm_error *err)
{
	return engine_unlink(e, w[1], err);
}

static int cmd_guard(struct engine *e, char **w, int n, struct tm_error *err)
{
	pid_t pid;
	uint64_t off, len;

	if (want_pid(w[1], &pid, err) || want_range(w + 3, n - 3, &off, &len, err))
		return -1;
	return engine_guard(e, pid, w[2], off, len, err);
}

static int cmd_reclaim(struct engine *e, char **w, int n, struct tm_error *err)
{
	uint64_t pages;

	if (!str_to_u64(w[1], &pages))
		return errorf(err, -1, "bad page count '%s'", w[1]);
	return engine_reclaim(e, pages, err);
}

static const struct scn_command {
	const char *name;
	int min_words, max_words;   /* including the command word */
	int (*fn)(struct engine *, char **, int, struct tm_error *);
	const char *usage;
} scn_commands[] = {
	{ "ram", 2, 2, cmd_ram, "ram SIZE" },
	{ "swap", 2, 2, cmd_swap, "swap SIZE" },
	{ "spawn", 3, 5, cmd_spawn, "spawn PID NAME [uid=N] [cgroup=PATH]" },
	{ "cgroup", 2, 2, cmd_cgroup, "cgroup PATH" },
	{ "move", 3, 3, cmd_move, "move PID PATH" },
	{ "mmap", 6, 8, cmd_mmap, "mmap PID REGION anon|file|shmem|tmpfs ..." },
	{ "touch", 4, 6, cmd_touch, "touch PID REGION read|write [OFFSET [LENGTH]]" },
	{ "fork", 3, 3, cmd_fork, "fork PARENT CHILD" },
	{ "exit", 2, 2, cmd_exit, "exit PID" },
	{ "munmap", 3, 3, cmd_munmap, "munmap PID REGION" },
	{ "swapout", 3, 5, cmd_swapout, "swapout PID REGION [OFFSET [LENGTH]]" },
	{ "reclaim", 2, 2, cmd_reclaim, "reclaim PAGES" },
	{ "open", 3, 3, cmd_open, "open PID OBJECT" },
	{ "close", 3, 3, cmd_close, "close PID OBJECT" },
	{ "unlink", 2, 2, cmd_unlink, "unlink PATH" },
	{ "guard", 3, 5, cmd_guard, "guard PID REGION [OFFSET [LENGTH]]" },
};

/* Splits line (modified in place) into words; a '#' ends it. Returns the count or -1 when too many. */
static int split_words(char *line, char **w)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == SCN_MAX_WORDS)
			return -1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			return n;
		}
		if (*p)
			*p++ = '\0';
	}
}

/* Runs one line's words. Returns 0 or -1 with err (no location). */
static int run_words(struct engine *e, char **w, int n, struct tm_error *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(scn_commands); i++) {
		const struct scn_command *c = &scn_commands[i];

		if (strcmp(w[0], c->name) != 0)
			continue;
		if (n < c->min_words || n > c->max_words)
			return errorf(err, -1, "usage: %s", c->usage);
		return c->fn(e, w, n, err);
	}
	return errorf(err, -1, "unknown command '%s'", w[0]);
}

int scenario_run(struct engine *e, const char *name, const char *text, size_t len, struct tm_error *err)
{
	const char *p = text, *end = text + len;
	unsigned long lineno = 0;
	struct buf line = BUF_INIT;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *w[SCN_MAX_WORDS];
		struct tm_error why;
		int nw;

		lineno++;
		line.len = 0;
		buf_add(&line, p, n);
		p += n + (nl ? 1 : 0);
		if (memchr(line.buf, '\0', n)) {
			rc = errorf(err, -1, "%s:%lu: NUL byte in line", name, lineno);
			break;
		}
		nw = split_words(line.buf, w);
		if (nw == 0)
			continue;
		if (nw < 0)
			rc = errorf(err, -1, "%s:%lu: too many words", name, lineno);
		else if (run_words(e, w, nw, &why))
			rc = errorf(err, -1, "%s:%lu: %s", name, lineno, why.msg);
	}
	buf_release(&line);
	return rc;
}

int scenario_run_file(struct engine *e, const char *path, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	int rc = buf_read_at(&b, AT_FDCWD, path, SCN_MAX_FILE_BYTES);

	if (rc < 0) {
		errorf(err, -1, "cannot read '%s': %s", path, strerror(-rc));
		buf_release(&b);
		return -1;
	}
	rc = scenario_run(e, path, b.buf ? b.buf : "", b.len, err);
	buf_release(&b);
	return rc;
}
