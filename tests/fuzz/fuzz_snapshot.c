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
 * sources: src/source/[a-z]*.c src/collect/[a-z]*.c src/aggregate/[a-z]*.c src/util/[a-z]*.c src/snapshot/[a-z]*.c src/view/format.c src/view/column.c src/view/ps_columns.c src/view/cgroup_text.c src/view/json.c src/view/ps_text.c src/view/map_text.c src/view/lib_text.c src/view/sys_text.c src/view/census_text.c src/view/census_json.c src/view/cgroup_json.c src/view/prometheus.c
 * pkgs: libcjson libzstd
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

#include "snapscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[96];

	setup();
	snprintf(dir, sizeof(dir), "%s/s", base);
	if (mkdir(dir, 0700) < 0)
		abort();
	unpack(dir, data, size);

	scan_all(dir, size);
	rm_tree(dir);
	return 0;
}
