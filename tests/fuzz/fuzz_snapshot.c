/*
 * fuzz_snapshot.c: the snapshot reader (snapshot.h, source.h) on damaged
 * snapshot directories, and everything downstream of it: the scan in exact
 * and rollup mode, the aggregator, and the ps/map/lib/sys reports as text,
 * JSON and Prometheus. SPEC section 4: a truncated or corrupt snapshot
 * gives a clear error naming the file, never a crash. Beyond "no crash, no
 * overread, no leak", a failure must come with a message, and no file
 * descriptor may stay open once the source is closed.
 *
 * The input is a small container of the snapshot's files, so mutations
 * land inside one file at a time and the seeds (tests/fuzz/mkseed_snapshot.sh
 * run on `truemem sim` output) start from a valid snapshot:
 *
 *   === truemem-snapshot\n<bytes>\n=== kpages\n<bytes>\n=== 100/ident\n...
 *
 * A file's bytes run up to the next "\n=== " (exclusive). A name is one or
 * two segments of [A-Za-z0-9._-] (no "." or ".."); a trailing "/" makes a
 * directory instead, a trailing "@" a symbolic link to the bytes (the reader
 * must refuse it). The directory is written under /dev/shm and removed
 * after each input.
 *
 * sources: src/source/[a-z]*.c src/collect/[a-z]*.c src/aggregate/[a-z]*.c src/util/[a-z]*.c src/snapshot/[a-z]*.c src/view/format.c src/view/json.c src/view/ps_text.c src/view/map_text.c src/view/lib_text.c src/view/sys_text.c src/view/census_text.c src/view/census_json.c src/view/prometheus.c
 * pkgs: libcjson
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"
#include "scan.h"
#include "snapshot.h"
#include "source.h"
#include "view.h"

#define SEP "\n=== "
#define NAME_MAX_LEN 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCRATCH "truemem-fuzz-snap."

#include "scratch.h"

/* A safe relative name: 1 or 2 segments of [A-Za-z0-9._-], none "." or "..". */
static bool name_ok(const char *name)
{
	int segs = 1;
	const char *seg = name;

	if (!name[0] || name[0] == '/')
		return false;
	for (const char *p = name;; p++) {
		if (*p == '/' || !*p) {
			size_t len = (size_t)(p - seg);

			if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
				return false;
			if (!*p)
				return true;
			if (++segs > 2)
				return false;
			seg = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			     *p == '.' || *p == '_' || *p == '-')) {
			return false;
		}
	}
}

/* Writes one container entry below dir; entries that cannot be written are skipped. */
static void put_entry(const char *dir, const char *rawname, size_t namelen, const uint8_t *body, size_t len)
{
	char name[NAME_MAX_LEN + 2], path[160], *slash;
	char kind = 0;
	int fd;

	if (namelen == 0 || namelen > NAME_MAX_LEN)
		return;
	memcpy(name, rawname, namelen);
	name[namelen] = '\0';
	if (name[namelen - 1] == '/' || name[namelen - 1] == '@') {
		kind = name[namelen - 1];
		name[namelen - 1] = '\0';
	}
	if (!name_ok(name))
		return;
	if ((slash = strchr(name, '/'))) {
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		mkdir(path, 0700);
		*slash = '/';
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (kind == '/') {
		mkdir(path, 0700);
		return;
	}
	if (kind == '@') {
		char target[256];

		if (len == 0 || len >= sizeof(target) || memchr(body, '\0', len))
			return;
		memcpy(target, body, len);
		target[len] = '\0';
		(void)symlink(target, path);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (len && write(fd, body, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* Splits the container into dir. */
static void unpack(const char *dir, const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	/* The first entry starts at the beginning, without the leading newline. */
	if (size < 4 || memcmp(p, "=== ", 4) != 0)
		return;
	p += 4;
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *body, *next;

		if (!nl)
			return;
		body = nl + 1;
		next = memmem(body, (size_t)(end - body), SEP, strlen(SEP));
		if (!next)
			next = end;
		put_entry(dir, (const char *)p, (size_t)(nl - p), body, (size_t)(next - body));
		p = next == end ? end : next + strlen(SEP);
	}
}

/* The lowest free descriptor: it moves when one leaks. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		abort();
	close(fd);
	return fd;
}

static void report_all(struct scan *sc)
{
	struct ps_rows rows = { xmalloc((sc->n + 1) * sizeof(*rows.p)), 0 };
	struct ps_text_opts t = { .human = true, .width = 80, .tree = sc->group_by == GROUP_TREE, .sort = COL_PSS };
	struct text_opts mt = { false, false, false, 0 }, lt = { true, false, false, 100 };
	struct lib_report lr;
	struct sys_report sr;

	for (size_t i = 0; i < sc->n; i++)
		rows.p[rows.n++] = &sc->procs[i];
	ps_sort(rows.p, rows.n, (enum ps_col)(sc->n % COL_COUNT), sc->n & 1);
	json_write_ps(sink, sc, &rows, false);
	ps_text_write(sink, sc, &rows, &t);
	prom_write_ps(sink, sc, &rows);
	for (size_t i = 0; i < sc->n; i++) {
		const struct proc *p = &sc->procs[i];

		/* Unknown numbers are never reported as 0 (SPEC section 3). */
		if (!p->readable && p->counts.valid)
			abort();
		if (!p->readable)
			continue;
		json_write_map(sink, sc, p, true);
		mt.human = i & 1;
		map_text_write(sink, sc, p, &mt, true);
	}
	lib_report_build(sc, &lr);
	json_write_lib(sink, sc, &lr, false);
	lib_text_write(sink, sc, &lr, &lt);
	lib_report_release(&lr);
	sys_report_build(sc, &sr);
	json_write_sys(sink, sc, &sr, false);
	sys_text_write(sink, sc, &sr, false);
	free(rows.p);
}

/* One scan of the snapshot at dir with the given options; a failure must say why. */
static void scan_once(const char *dir, const struct scan_opts *o, bool report, pid_t *first_pid)
{
	struct source src;
	struct scan sc;
	struct tm_error err = { "" };
	int fd0 = lowest_free_fd();

	if (source_open_snapshot(&src, dir, &err) < 0) {
		if (!err.msg[0])
			abort();
		source_close(&src);
	} else {
		if (scan_run(&src, o, &sc, &err) < 0) {
			if (!err.msg[0])
				abort();
		} else {
			if (sc.n && first_pid)
				*first_pid = sc.procs[sc.n / 2].id.pid;
			if (report)
				report_all(&sc);
			scan_release(&sc);
		}
		source_close(&src);
	}
	fflush(sink);
	if (lowest_free_fd() != fd0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[96];
	pid_t pid = 0;
	struct scan_opts o;

	setup();
	snprintf(dir, sizeof(dir), "%s/s", base);
	if (mkdir(dir, 0700) < 0)
		abort();
	unpack(dir, data, size);

	/* Exact (when the snapshot allows) with mappings, smaps and a grouping. */
	memset(&o, 0, sizeof(o));
	o.mode = MODE_AUTO;
	o.group_by = (enum group_by)(1 + size % (GROUP_COUNT - 1));
	o.flags = SCAN_KEEP_VMAS | SCAN_SMAPS;
	scan_once(dir, &o, true, &pid);
	/* Rollup, grouped by tree, mappings from smaps. */
	memset(&o, 0, sizeof(o));
	o.mode = MODE_ROLLUP;
	o.group_by = GROUP_TREE;
	o.flags = SCAN_KEEP_VMAS;
	scan_once(dir, &o, true, NULL);
	/* One process only: the others' swap entries are walked for swap_pss. */
	if (pid) {
		memset(&o, 0, sizeof(o));
		o.mode = MODE_AUTO;
		o.pids = &pid;
		o.npids = 1;
		scan_once(dir, &o, false, NULL);
	}
	rm_tree(dir);
	return 0;
}
