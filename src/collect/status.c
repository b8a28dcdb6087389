/*
 * status.c: /proc/PID/status and /proc/meminfo (proc(5);
 * Documentation/filesystems/proc.rst, "/proc/PID/status" and "meminfo").
 *
 * Both are "Key:<whitespace>value" lines. In status truemem needs a few
 * identity fields (the rest is skipped, whatever its shape):
 *
 *   Name:   cat            escaped by the kernel ('\n' as "\n", '\\' as "\\")
 *   Pid:    3906
 *   PPid:   3902
 *   Uid:    0  0  0  0     real, effective, saved, filesystem
 *   Kthread:        0      Linux 6.9+; older kernels: a task with no mm
 *   VmSize:    3060 kB     present only when the task has an mm
 *   RssAnon:    112 kB
 *
 * statm is one line of page counts: "size resident shared text lib data
 * dt" (proc(5)); truemem takes resident, the kernel's RSS counters (top's
 * RES), when a process's own pages cannot be read.
 *
 * meminfo is all "Key:   N kB" lines, except a few counts without a unit
 * (HugePages_Total, HugePages_Free, ...), which are kept as they are.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"
#include "util.h"

/* The line [p, eol) starts with "key:"; moves *p past the colon. */
static bool line_key_is(const char **p, const char *eol, const char *key)
{
	const char *s = *p;

	if (!parse_lit(&s, eol, key) || !parse_lit(&s, eol, ":"))
		return false;
	*p = s;
	return true;
}

/* The name as the kernel printed it, cut to fit (the kernel's own limit is 64 with the NUL). */
static void copy_name(const char *p, const char *eol, char *dst, size_t cap)
{
	size_t n = (size_t)(eol - p);

	/* "Name:\t%s": a name may itself start with a space, so skip only the tab. */
	if (n && *p == '\t') {
		p++;
		n--;
	}
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

enum {
	ST_PID = 1 << 0, ST_PPID = 1 << 1, ST_UID = 1 << 2,
	ST_VMSIZE = 1 << 3, ST_KTHREAD = 1 << 4,
};

/* The kB fields, by table. */
static const struct {
	const char *key;
	size_t off;
} status_kb_keys[] = {
	{ "VmSwap", offsetof(struct proc_status, vm_swap_kb) },
	{ "RssAnon", offsetof(struct proc_status, rss_anon_kb) },
	{ "RssFile", offsetof(struct proc_status, rss_file_kb) },
	{ "RssShmem", offsetof(struct proc_status, rss_shmem_kb) },
};

/* Pid:, PPid: and Uid: values. Returns false when malformed. */
static bool parse_id(const char *p, const char *eol, bool first_of_many, uint64_t max, uint64_t *out)
{
	parse_skip_spaces(&p, eol);
	if (!parse_u64(&p, eol, out) || *out > max)
		return false;
	if (first_of_many)
		return p == eol || *p == ' ' || *p == '\t';
	parse_skip_spaces(&p, eol);
	return p == eol;
}

/* One status line; *seen collects ST_* bits. Returns 0 or -EINVAL. */
static int status_line(const char *p, const char *eol, struct proc_status *out, unsigned *seen)
{
	uint64_t v;

	if (line_key_is(&p, eol, "Name")) {
		copy_name(p, eol, out->name, sizeof(out->name));
	} else if (line_key_is(&p, eol, "Pid")) {
		if (!parse_id(p, eol, false, INT32_MAX, &v))
			return -EINVAL;
		out->pid = (pid_t)v;
		*seen |= ST_PID;
	} else if (line_key_is(&p, eol, "PPid")) {
		if (!parse_id(p, eol, false, INT32_MAX, &v))
			return -EINVAL;
		out->ppid = (pid_t)v;
		*seen |= ST_PPID;
	} else if (line_key_is(&p, eol, "Uid")) {
		if (!parse_id(p, eol, true, UINT32_MAX, &v))
			return -EINVAL;
		out->uid = (uid_t)v;
		*seen |= ST_UID;
	} else if (line_key_is(&p, eol, "Kthread")) {
		if (!parse_value_line(p, eol, NULL, &v) || v > 1)
			return -EINVAL;
		out->kernel_thread = (int)v;
		*seen |= ST_KTHREAD;
	} else if (line_key_is(&p, eol, "VmSize")) {
		*seen |= ST_VMSIZE;
	} else {
		for (size_t i = 0; i < ARRAY_SIZE(status_kb_keys); i++) {
			if (!line_key_is(&p, eol, status_kb_keys[i].key))
				continue;
			if (!parse_value_line(p, eol, "kB", (uint64_t *)((char *)out + status_kb_keys[i].off)))
				return -EINVAL;
			break;
		}
	}
	return 0;
}

int status_parse(const char *text, size_t len, struct proc_status *out)
{
	const char *p = text, *end = text + len;
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (status_line(p, eol, out, &seen) < 0)
			return -EINVAL;
		p = nl ? nl + 1 : end;
	}
	if ((seen & (ST_PID | ST_PPID | ST_UID)) != (ST_PID | ST_PPID | ST_UID))
		return -EINVAL;
	/* No VmSize means no mm: a kernel thread on kernels without Kthread:. */
	if (!(seen & ST_VMSIZE))
		out->kernel_thread = 1;
	return 0;
}

int statm_parse(const char *text, size_t len, uint64_t *resident_pages)
{
	const char *p = text, *end = text + len;
	uint64_t size;

	while (end > p && (end[-1] == '\n' || end[-1] == '\0'))
		end--;
	if (!parse_u64(&p, end, &size) || !parse_lit(&p, end, " ") || !parse_u64(&p, end, resident_pages) ||
	    (p < end && *p != ' '))
		return -EINVAL;
	return 0;
}

void meminfo_release(struct meminfo *m)
{
	free(m->f);
	m->f = NULL;
	m->n = m->cap = 0;
}

/* One "Key:   N kB" or "Key:   N" line into f. Returns 0, 1 to skip it, or -EINVAL. */
static int meminfo_line(const char *p, const char *eol, struct meminfo_field *f)
{
	const char *colon = memchr(p, ':', (size_t)(eol - p));
	size_t key_len;
	uint64_t v;

	if (!colon || colon == p)
		return -EINVAL;
	key_len = (size_t)(colon - p);
	for (size_t i = 0; i < key_len; i++)
		if (p[i] == ' ' || p[i] == '\t' || p[i] == '\0')
			return -EINVAL;
	if (parse_value_line(colon + 1, eol, "kB", &v)) {
		if (v > UINT64_MAX / 1024)
			return -EINVAL;
		v *= 1024;
	} else if (!parse_value_line(colon + 1, eol, NULL, &v)) {
		return -EINVAL;
	}
	/* A key longer than any the kernel has today cannot be stored; skip it, not the file. */
	if (key_len >= sizeof(f->key))
		return 1;
	memcpy(f->key, p, key_len);
	f->key[key_len] = '\0';
	f->bytes = v;
	return 0;
}

int meminfo_parse(const char *text, size_t len, struct meminfo *out)
{
	const char *p = text, *end = text + len;

	out->n = 0;   /* replaces earlier contents; the array is reused */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		if (eol != p) {
			int rc;

			xgrow((void **)&out->f, &out->cap, out->n + 1, sizeof(*out->f));
			rc = meminfo_line(p, eol, &out->f[out->n]);
			if (rc < 0)
				return -EINVAL;
			if (rc == 0)
				out->n++;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

uint64_t meminfo_get(const struct meminfo *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->f[i].key, key) == 0)
			return m->f[i].bytes;
	return UINT64_MAX;
}
