/*
 * maps.c: /proc/PID/maps, one struct vma per line (proc(5), "maps";
 * Documentation/filesystems/proc.rst, "/proc/PID/maps").
 *
 *   address           perms offset  dev   inode       pathname
 *   00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon
 *
 * The kernel prints the six fields separated by single spaces, then pads
 * with spaces up to a column and prints the name (show_map_vma() in
 * fs/proc/task_mmu.c). The name is everything after that padding up to the
 * newline: it may hold spaces, it ends in " (deleted)" when the file was
 * unlinked, and the kernel escapes '\n' in it as "\012", so one mapping is
 * always one line. Unnamed anonymous memory has no name at all.
 *
 * The parser reads the text as it is handed over (a reused read buffer or
 * a snapshot file), which need not be NUL-terminated: every read is bounded
 * by the end pointer, and a malformed line is an error, never a guess.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"
#include "util.h"

/* What the kernel shows for memfd_create(NAME): the file is always unlinked. */
#define MEMFD_PREFIX   "/memfd:"
#define DELETED_SUFFIX " (deleted)"

void vma_list_init(struct vma_list *l)
{
	l->v = NULL;
	l->n = l->cap = 0;
}

void vma_list_release(struct vma_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].display_name);
		free(l->v[i].smaps);
	}
	free(l->v);
	vma_list_init(l);
}

void vma_list_copy(struct vma_list *dst, const struct vma_list *src)
{
	vma_list_init(dst);
	if (!src->n)
		return;
	dst->v = xmalloc(src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	for (size_t i = 0; i < src->n; i++) {
		const struct vma *v = &src->v[i];

		dst->v[i] = *v;
		dst->v[i].name = xstrdup(v->name);
		dst->v[i].display_name = v->display_name ? xstrdup(v->display_name) : NULL;
		if (v->smaps) {
			dst->v[i].smaps = xmalloc(sizeof(*v->smaps));
			*dst->v[i].smaps = *v->smaps;
		}
	}
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* At least one space or tab, then any more. */
static bool parse_sep(const char **p, const char *end)
{
	if (*p >= end || !is_space(**p))
		return false;
	parse_skip_spaces(p, end);
	return true;
}

/* "r-xp": exactly four permission characters, each from its own set. */
static bool parse_perms(const char **p, const char *end, char perms[5])
{
	static const char *const allowed[4] = { "r-", "w-", "x-", "ps" };
	const char *s = *p;

	if (end - s < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		if (s[i] == '\0' || !strchr(allowed[i], s[i]))
			return false;
		perms[i] = s[i];
	}
	perms[4] = '\0';
	*p = s + 4;
	return true;
}

/* "fe:00": major and minor in hex, as the kernel prints them (%02x:%02x). */
static bool parse_dev(const char **p, const char *end, struct vma *v)
{
	const char *s = *p;
	uint64_t major, minor;

	if (!parse_hex_u64(&s, end, &major) || !parse_lit(&s, end, ":") ||
	    !parse_hex_u64(&s, end, &minor) || major > UINT_MAX || minor > UINT_MAX)
		return false;
	v->dev_major = (unsigned)major;
	v->dev_minor = (unsigned)minor;
	*p = s;
	return true;
}

/*
 * The display name when it differs from the raw one and needs storage of
 * its own: "/memfd:NAME (deleted)" is reported as "memfd:NAME". Returns an
 * owned string or NULL.
 */
static char *display_name_for(const char *name, size_t len)
{
	size_t pre = strlen(MEMFD_PREFIX), suf = strlen(DELETED_SUFFIX);

	if (len < pre + suf || memcmp(name, MEMFD_PREFIX, pre) != 0 ||
	    memcmp(name + len - suf, DELETED_SUFFIX, suf) != 0)
		return NULL;
	return xstrndup(name + 1, len - 1 - suf);
}

/* Fills v from the line [p, eol) (no newline in it). Returns false when malformed. */
static bool parse_line(const char *p, const char *eol, struct vma *v)
{
	size_t name_len;

	if (!parse_hex_u64(&p, eol, &v->start) || !parse_lit(&p, eol, "-") ||
	    !parse_hex_u64(&p, eol, &v->end) || v->start >= v->end ||
	    !parse_sep(&p, eol) || !parse_perms(&p, eol, v->perms) ||
	    !parse_sep(&p, eol) || !parse_hex_u64(&p, eol, &v->offset) ||
	    !parse_sep(&p, eol) || !parse_dev(&p, eol, v) ||
	    !parse_sep(&p, eol) || !parse_u64(&p, eol, &v->inode))
		return false;
	/* The name starts after the padding; an unnamed mapping may still have trailing spaces. */
	if (p < eol && !parse_sep(&p, eol))
		return false;
	name_len = (size_t)(eol - p);
	/* The kernel never prints a NUL; one here would silently cut the name. */
	if (name_len && memchr(p, '\0', name_len))
		return false;
	v->name = xstrndup(p, name_len);
	v->display_name = display_name_for(p, name_len);
	return true;
}

int maps_parse(const char *text, size_t len, struct vma_list *l)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct vma v;

		if (eol == p) {   /* an empty line holds no mapping */
			p = eol + 1;
			continue;
		}
		memset(&v, 0, sizeof(v));
		if (!parse_line(p, eol, &v))
			return -EINVAL;
		xgrow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = v;
		p = nl ? nl + 1 : end;
	}
	return 0;
}

const char *vma_display_name(const struct vma *v)
{
	if (v->display_name)
		return v->display_name;
	if (!v->name || !v->name[0])
		return "[anon]";
	return v->name;
}

/* True when the space-separated flag list holds the two-letter flag. */
static bool vmflags_has(const char *flags, const char *flag)
{
	const char *p = flags;

	while (*p) {
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == strlen(flag) && memcmp(p, flag, n) == 0)
			return true;
		p += n;
	}
	return false;
}

bool vma_is_hugetlb(const struct vma *v)
{
	static const char *const anon_names[] = {
		"/anon_hugepage (deleted)", "/anon_hugepage", "anon_hugepage",
	};

	/* "ht" is VM_HUGETLB (show_smap_vma_flags() in fs/proc/task_mmu.c). */
	if (v->smaps && vmflags_has(v->smaps->vmflags, "ht"))
		return true;
	if (!v->name)
		return false;
	if (strncmp(v->name, "/dev/hugepages", strlen("/dev/hugepages")) == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(anon_names); i++)
		if (strcmp(v->name, anon_names[i]) == 0)
			return true;
	return false;
}
