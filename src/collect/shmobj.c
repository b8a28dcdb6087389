/*
 * shmobj.c: the facts of shmem objects (shmobj.h): their text form in a
 * snapshot, the /proc/sysvipc/shm parser, and shmobj_collect, which reads
 * only what the objects asked about need: link counts always, the SysV
 * table when one is a SysV segment, and the descriptors of every process
 * and the maps of the processes outside the scan only for objects with no
 * link (the ones that die when nothing refers to them any more).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "shmobj.h"
#include "snapshot.h"
#include "source.h"

void shm_facts_init(struct shm_facts *f)
{
	memset(f, 0, sizeof(*f));
}

void shm_facts_release(struct shm_facts *f)
{
	free(f->links);
	free(f->sysv);
	free(f->holders);
	free(f->outside);
	shm_facts_init(f);
}

static void add_link(struct shm_facts *f, const struct shm_obj *o, uint64_t nlink)
{
	xgrow((void **)&f->links, &f->cap_links, f->nlinks + 1, sizeof(*f->links));
	f->links[f->nlinks++] = (struct shm_link){ *o, nlink };
}

static void add_sysv(struct shm_facts *f, uint64_t shmid, unsigned mode, uint64_t nattch)
{
	xgrow((void **)&f->sysv, &f->cap_sysv, f->nsysv + 1, sizeof(*f->sysv));
	f->sysv[f->nsysv++] = (struct shm_sysv){ shmid, mode, nattch };
}

static void add_holder(struct shm_facts *f, pid_t pid, const struct shm_obj *o)
{
	xgrow((void **)&f->holders, &f->cap_holders, f->nholders + 1, sizeof(*f->holders));
	f->holders[f->nholders++] = (struct shm_holder){ pid, *o };
}

static void add_outside(struct shm_facts *f, const struct shm_obj *o)
{
	for (size_t i = 0; i < f->noutside; i++)
		if (shm_obj_eq(&f->outside[i], o))
			return;
	xgrow((void **)&f->outside, &f->cap_outside, f->noutside + 1, sizeof(*f->outside));
	f->outside[f->noutside++] = *o;
}

int64_t shm_facts_nlink(const struct shm_facts *f, const struct shm_obj *o)
{
	for (size_t i = 0; i < f->nlinks; i++)
		if (shm_obj_eq(&f->links[i].obj, o))
			return (int64_t)f->links[i].nlink;
	return -1;
}

const struct shm_sysv *shm_facts_sysv(const struct shm_facts *f, uint64_t shmid)
{
	for (size_t i = 0; i < f->nsysv; i++)
		if (f->sysv[i].shmid == shmid)
			return &f->sysv[i];
	return NULL;
}

void shm_facts_format(const struct shm_facts *f, struct buf *b)
{
	buf_addstr(b, SHM_FACTS_HEADER);
	for (size_t i = 0; i < f->nlinks; i++) {
		const struct shm_link *l = &f->links[i];

		buf_addf(b, "link %02x:%02x %llu %llu\n", l->obj.major, l->obj.minor, (unsigned long long)l->obj.ino,
			 (unsigned long long)l->nlink);
	}
	for (size_t i = 0; i < f->nsysv; i++)
		buf_addf(b, "sysv %llu %o %llu\n", (unsigned long long)f->sysv[i].shmid, f->sysv[i].mode,
			 (unsigned long long)f->sysv[i].nattch);
	for (size_t i = 0; i < f->nholders; i++) {
		const struct shm_holder *h = &f->holders[i];

		buf_addf(b, "fd %d %02x:%02x %llu\n", (int)h->pid, h->obj.major, h->obj.minor,
			 (unsigned long long)h->obj.ino);
	}
}

/* "MAJ:MIN INO" as maps writes them (hex device numbers). */
static bool parse_obj(const char **p, const char *end, struct shm_obj *o)
{
	uint64_t maj, min;

	if (!parse_hex_u64(p, end, &maj) || !parse_lit(p, end, ":") || !parse_hex_u64(p, end, &min) ||
	    !parse_lit(p, end, " ") || !parse_u64(p, end, &o->ino) || maj > 0xfff || min > 0xfffff)
		return false;
	o->major = (unsigned)maj;
	o->minor = (unsigned)min;
	return true;
}

static bool parse_octal(const char **p, const char *end, unsigned *out)
{
	const char *q = *p;
	uint64_t v = 0;

	while (q < end && *q >= '0' && *q <= '7' && v <= 0xffffff)
		v = v * 8 + (uint64_t)(*q++ - '0');
	if (q == *p || v > 0xffffff)
		return false;
	*p = q;
	*out = (unsigned)v;
	return true;
}

/* One line of a "shmem" file, [p, eol). */
static bool parse_fact(const char *p, const char *eol, struct shm_facts *f)
{
	struct shm_obj o;
	uint64_t a, b;
	unsigned mode;

	if (parse_lit(&p, eol, "link ") && parse_obj(&p, eol, &o) && parse_lit(&p, eol, " ") &&
	    parse_u64(&p, eol, &a) && p == eol) {
		add_link(f, &o, a);
		return true;
	}
	if (parse_lit(&p, eol, "sysv ") && parse_u64(&p, eol, &a) && parse_lit(&p, eol, " ") &&
	    parse_octal(&p, eol, &mode) && parse_lit(&p, eol, " ") && parse_u64(&p, eol, &b) && p == eol) {
		add_sysv(f, a, mode, b);
		return true;
	}
	if (parse_lit(&p, eol, "fd ") && parse_u64(&p, eol, &a) && a > 0 && a <= INT32_MAX &&
	    parse_lit(&p, eol, " ") && parse_obj(&p, eol, &o) && p == eol) {
		add_holder(f, (pid_t)a, &o);
		return true;
	}
	return false;
}

int shm_facts_parse(const char *text, size_t len, struct shm_facts *f)
{
	const char *p = text, *end = text + len;

	if (!parse_lit(&p, end, SHM_FACTS_HEADER))
		return -EINVAL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol || !parse_fact(p, eol, f))
			return -EINVAL;
		p = eol + 1;
	}
	f->have = true;
	return 0;
}

/*
 * /proc/sysvipc/shm: a header line, then "key shmid perms size cpid lpid
 * nattch ..." per segment, perms in octal with SHM_DEST.
 */
int shm_sysv_parse(const char *text, size_t len, struct shm_facts *f)
{
	const char *p = text, *end = text + len;

	parse_next_line(&p, end);
	for (; p < end; parse_next_line(&p, end)) {
		uint64_t key, shmid, size, cpid, lpid, nattch;
		unsigned mode;

		parse_skip_spaces(&p, end);
		if (p < end && *p == '\n')
			continue;
		if (!parse_u64(&p, end, &key) && !(p < end && *p == '-' && (p++, parse_u64(&p, end, &key))))
			return -EINVAL;   /* key is printed signed */
		parse_skip_spaces(&p, end);
		if (!parse_u64(&p, end, &shmid))
			return -EINVAL;
		parse_skip_spaces(&p, end);
		if (!parse_octal(&p, end, &mode))
			return -EINVAL;
		parse_skip_spaces(&p, end);
		if (!parse_u64(&p, end, &size) || (parse_skip_spaces(&p, end), !parse_u64(&p, end, &cpid)))
			return -EINVAL;
		parse_skip_spaces(&p, end);
		if (!parse_u64(&p, end, &lpid) || (parse_skip_spaces(&p, end), !parse_u64(&p, end, &nattch)))
			return -EINVAL;
		add_sysv(f, shmid, mode, nattch);
	}
	return 0;
}

/* A pathname's hash, to find the objects a descriptor's link could be. */
static uint64_t name_hash(const char *s)
{
	return str_hash64(s);
}

struct by_name {
	uint64_t hash;
	size_t want;
};

static int cmp_by_name(const void *a, const void *b)
{
	const struct by_name *x = a, *y = b;

	return (x->hash > y->hash) - (x->hash < y->hash);
}

/* The descriptor scan: the objects with no link, by the hash of their pathname. */
struct fd_scan {
	struct source *src;
	const struct shm_want *w;
	struct by_name *names;
	size_t n;
	pid_t pid;
	struct shm_facts *f;
};

/* The first entry of names with hash h, or NULL. */
static const struct by_name *fd_scan_first(const struct fd_scan *fs, uint64_t h)
{
	size_t lo = u64_lower_bound(fs->names, fs->n, sizeof(*fs->names), offsetof(struct by_name, hash), 0, h);

	return lo < fs->n && fs->names[lo].hash == h ? &fs->names[lo] : NULL;
}

static bool fd_scan_want(void *ctx, const char *link)
{
	return fd_scan_first(ctx, name_hash(link)) != NULL;
}

/* A descriptor whose link names a wanted object: its inode tells which one, if any. */
static void fd_scan_found(void *ctx, int fd, const char *link)
{
	struct fd_scan *fs = ctx;
	uint64_t h = name_hash(link), ino;
	const struct by_name *b = fd_scan_first(fs, h);

	if (shm_live_fd_ino(fs->src, fs->pid, fd, &ino) < 0)
		return;
	for (; b < fs->names + fs->n && b->hash == h; b++) {
		const struct shm_want *w = &fs->w[b->want];

		if (w->obj.ino == ino && strcmp(w->name, link) == 0) {
			add_holder(fs->f, fs->pid, &w->obj);
			return;
		}
	}
}

/* The wanted objects without a link (want[i] != 0 marks them). */
static void collect_holders(struct source *s, const struct shm_want *w, const bool *unlinked, size_t n,
			    const pid_t *all, size_t nall, struct shm_facts *f)
{
	struct fd_scan fs = { .src = s, .w = w, .names = xmalloc((n + 1) * sizeof(*fs.names)), .f = f };

	for (size_t i = 0; i < n; i++)
		if (unlinked[i])
			fs.names[fs.n++] = (struct by_name){ name_hash(w[i].name), i };
	qsort(fs.names, fs.n, sizeof(*fs.names), cmp_by_name);
	for (size_t i = 0; i < nall && fs.n; i++) {
		fs.pid = all[i];
		shm_live_fds(s, all[i], fd_scan_want, fd_scan_found, &fs);   /* a vanished process holds nothing */
	}
	free(fs.names);
}

/* Which of the objects without a link the processes outside[] map. Returns 0 or -errno (a damaged snapshot). */
static int collect_outside(struct source *s, const struct shm_want *w, const bool *unlinked, size_t n,
			   const pid_t *outside, size_t noutside, struct shm_facts *f, struct tm_error *err)
{
	struct buf text = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < noutside && rc == 0; i++) {
		struct vma_list vmas;

		if (source_read_proc(s, outside[i], "maps", &text, err) < 0) {
			rc = s->caps & SOURCE_STORED ? -EIO : 0;   /* live: vanished or not permitted */
			continue;
		}
		vma_list_init(&vmas);
		if (maps_parse(text.buf, text.len, &vmas) == 0) {
			for (size_t v = 0; v < vmas.n; v++) {
				struct shm_obj o = { vmas.v[v].dev_major, vmas.v[v].dev_minor, vmas.v[v].inode };

				for (size_t k = 0; k < n; k++)
					if (unlinked[k] && shm_obj_eq(&w[k].obj, &o))
						add_outside(f, &o);
			}
		}
		vma_list_release(&vmas);
	}
	buf_release(&text);
	return rc;
}

/* A snapshot's facts, or none when it predates them. Returns 0 or -1 with err. */
static int collect_snapshot(struct source *s, struct shm_facts *f, struct tm_error *err)
{
	struct buf b = BUF_INIT;
	int rc;

	if (!source_snapshot_has(s, SHM_FACTS_FILE))
		return 0;
	rc = source_read_top(s, SHM_FACTS_FILE, &b, err);
	if (rc == 0 && shm_facts_parse(b.buf ? b.buf : "", b.len, f) < 0)
		rc = errorf(err, -1, "corrupt snapshot: '%s/%s' is malformed", s->root_path, SHM_FACTS_FILE);
	buf_release(&b);
	return rc < 0 ? -1 : 0;
}

/* Live: link counts, and the SysV table when a SysV segment is asked about. */
static void collect_live(struct source *s, const struct shm_want *w, size_t n, struct shm_facts *f)
{
	bool sysv = false;

	for (size_t i = 0; i < n; i++) {
		uint64_t nlink = 0;

		sysv = sysv || w[i].sysv;
		if (!w[i].sysv && shm_live_nlink(s, w[i].pid, w[i].start, w[i].end, &nlink) == 0)
			add_link(f, &w[i].obj, nlink);
	}
	if (sysv) {
		struct buf b = BUF_INIT;

		if (shm_live_sysv(s, &b) == 0)
			shm_sysv_parse(b.buf ? b.buf : "", b.len, f);   /* a table it cannot read leaves them unknown */
		buf_release(&b);
	}
	f->have = true;
}

int shmobj_collect(struct source *s, const struct shm_want *w, size_t n, const pid_t *all, size_t nall,
		   const pid_t *outside, size_t noutside, struct shm_facts *f, struct tm_error *err)
{
	bool *unlinked = xcalloc(n + 1, sizeof(bool)), any = false;
	int rc = 0;

	shm_facts_init(f);
	if (s->caps & SOURCE_STORED)
		rc = collect_snapshot(s, f, err);
	else
		collect_live(s, w, n, f);
	for (size_t i = 0; i < n; i++)
		any |= unlinked[i] = !w[i].sysv && shm_facts_nlink(f, &w[i].obj) == 0;
	if (rc == 0 && any && !(s->caps & SOURCE_STORED))
		collect_holders(s, w, unlinked, n, all, nall, f);
	if (rc == 0 && any && noutside)
		rc = collect_outside(s, w, unlinked, n, outside, noutside, f, err);
	if (rc == 0 && (s->caps & (SOURCE_WHOLE | SOURCE_STORED)) == SOURCE_WHOLE) {
		struct buf b = BUF_INIT;

		shm_facts_format(f, &b);
		rc = source_keep(s, SHM_FACTS_FILE, b.buf, b.len, err);
		buf_release(&b);
	}
	free(unlinked);
	return rc < 0 ? -1 : 0;
}
