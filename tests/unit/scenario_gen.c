/*
 * scenario_gen.c: the differential test's scenario generator. From a seed,
 * writes a random scenario in the scenario language (SPEC section 5):
 * spawn, mmap of every kind, touch, fork, exit, munmap, swapout, guard,
 * reclaim on a small RAM, descriptors opened and closed on shmem objects
 * and tmpfs files, tmpfs files unlinked, huge regions in one scenario in
 * four, memory cgroups and moves in one in three. xorshift64* makes it the
 * same on every machine.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "scenario_gen.h"

#define GEN_MAX_PROCS 12
#define GEN_MAX_REGIONS 6
#define GEN_OBJECTS 4
#define GEN_CGROUPS 4

/* The objects descriptors are opened on: two memfds, two tmpfs files. */
static const char *const gen_objects[GEN_OBJECTS] = { "ring", "cache", "/dev/shm/a", "/dev/shm/b" };

/* The memory cgroups of a scenario that has them (their parents /kube and /kube/pods come implicitly). */
static const char *const gen_cgroups[GEN_CGROUPS] = { "/", "/web", "/kube/pods/p1", "/kube/pods/p2" };

/* xorshift64*: small, seedable, the same on every machine. */
struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * UINT64_C(2685821657736338717);
}

static unsigned rnd(struct rng *r, unsigned n)
{
	return (unsigned)(rng_next(r) % n);
}

/* What the generator believes exists; the engine may disagree (e.g. after an out-of-memory line). */
struct gen_proc {
	int pid;
	unsigned nregions;
	unsigned region_pages[GEN_MAX_REGIONS];
	bool region_live[GEN_MAX_REGIONS];
	unsigned fds[GEN_OBJECTS];   /* descriptors held on gen_objects[i] */
	bool region_huge[GEN_MAX_REGIONS];
};

struct gen {
	struct rng r;
	struct gen_proc procs[GEN_MAX_PROCS];
	unsigned nprocs;
	int next_pid;
	bool have_swap;
	bool linked[GEN_OBJECTS];    /* the tmpfs file has its name */
	bool huge;          /* RAM for huge pages */
	bool cgroups;       /* gen_cgroups exist: spawn and move use them */
};

static struct gen_proc *gen_pick(struct gen *g)
{
	return g->nprocs ? &g->procs[rnd(&g->r, g->nprocs)] : NULL;
}

/* A live region of p, or -1. */
static int gen_region(struct gen *g, const struct gen_proc *p)
{
	int live[GEN_MAX_REGIONS], n = 0;

	for (unsigned i = 0; i < p->nregions; i++)
		if (p->region_live[i])
			live[n++] = (int)i;
	return n ? live[rnd(&g->r, (unsigned)n)] : -1;
}

static void gen_spawn(struct gen *g, struct buf *b)
{
	static const char *const names[] = { "web", "db", "worker", "a-rather-long-daemon-name" };
	static const unsigned uids[] = { 0, 0, 33, 1000 };
	struct gen_proc *p;

	if (g->nprocs == GEN_MAX_PROCS)
		return;
	p = &g->procs[g->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = g->next_pid++;
	buf_addf(b, "spawn %d %s uid=%u", p->pid, names[rnd(&g->r, 4)], uids[rnd(&g->r, 4)]);
	if (g->cgroups && rnd(&g->r, 3))
		buf_addf(b, " cgroup=%s", gen_cgroups[rnd(&g->r, GEN_CGROUPS)]);
	buf_add(b, "\n", 1);
}

/* A process moves to another cgroup (what it charged stays where it is). */
static void gen_move(struct gen *g, struct buf *b)
{
	struct gen_proc *p = gen_pick(g);

	if (p && g->cgroups)
		buf_addf(b, "move %d %s\n", p->pid, gen_cgroups[rnd(&g->r, GEN_CGROUPS)]);
}

static void gen_mmap(struct gen *g, struct buf *b)
{
	static const char *const files[] = { "/usr/lib/libc.so.6", "/usr/bin/app", "/var/db/data" };
	static const char *const shms[] = { "ring", "cache" };
	struct gen_proc *p = gen_pick(g);
	unsigned pages = 1 + rnd(&g->r, 8), r;

	if (!p || p->nregions == GEN_MAX_REGIONS)
		return;
	r = p->nregions++;
	p->region_pages[r] = pages;
	p->region_live[r] = true;
	p->region_huge[r] = false;
	buf_addf(b, "mmap %d r%u ", p->pid, r);
	if (g->huge && rnd(&g->r, 3) == 0) {
		p->region_pages[r] = 512 * (1 + rnd(&g->r, 2));
		p->region_huge[r] = true;
		buf_addf(b, "anon private %uM huge\n", p->region_pages[r] / 256);
		return;
	}
	switch (rnd(&g->r, 6)) {
	case 0:
	case 1:
		buf_addf(b, "anon private %uK\n", pages * 4);
		break;
	case 2:
		buf_addf(b, "anon shared %u\n", pages * 4096 - rnd(&g->r, 4000));
		break;
	case 3:
		buf_addf(b, "file %s %s %uK offset=%uK\n", files[rnd(&g->r, 3)],
			 rnd(&g->r, 3) ? "private" : "shared", pages * 4, 4 * rnd(&g->r, 4));
		break;
	case 4:
		buf_addf(b, "shmem %s %uK\n", shms[rnd(&g->r, 2)], pages * 4);
		break;
	default: {
		unsigned o = 2 + rnd(&g->r, 2);

		g->linked[o] = true;
		buf_addf(b, "tmpfs %s %uK\n", gen_objects[o], pages * 4);
		break;
	}
	}
}

/* open, close (of a descriptor the process holds) or unlink (of a file with a name). */
static void gen_fd(struct gen *g, struct buf *b)
{
	struct gen_proc *p = gen_pick(g);
	unsigned o = rnd(&g->r, GEN_OBJECTS), op = rnd(&g->r, 3);

	if (op == 2 && o >= 2 && g->linked[o]) {
		g->linked[o] = false;
		buf_addf(b, "unlink %s\n", gen_objects[o]);
	} else if (p && op == 1 && p->fds[o]) {
		p->fds[o]--;
		buf_addf(b, "close %d %s\n", p->pid, gen_objects[o]);
	} else if (p) {
		p->fds[o]++;
		g->linked[o] = g->linked[o] || o >= 2;
		buf_addf(b, "open %d %s\n", p->pid, gen_objects[o]);
	}
}

/* " OFFSET LENGTH" within a region of pages pages, or nothing (the whole region). */
static void gen_range(struct gen *g, struct buf *b, unsigned pages)
{
	unsigned off, len;

	if (rnd(&g->r, 3) == 0)
		return;
	off = rnd(&g->r, pages * 4096);
	len = 1 + rnd(&g->r, pages * 4096 - off);
	buf_addf(b, " %u %u", off, len);
}

static void gen_touch_or_swapout(struct gen *g, struct buf *b, bool swapout)
{
	struct gen_proc *p = gen_pick(g);
	int r = p ? gen_region(g, p) : -1;

	if (r < 0)
		return;
	if (!swapout && p->region_huge[r] && rnd(&g->r, 3)) {
		unsigned block = rnd(&g->r, p->region_pages[r] / 512);

		/* A whole 2 MiB block (a huge page when none of it is mapped yet), or one page: its head or another. */
		if (rnd(&g->r, 2))
			buf_addf(b, "touch %d r%d write %uM 2M\n", p->pid, r, 2 * block);
		else
			buf_addf(b, "touch %d r%d write %uK 1\n", p->pid, r,
				 2048 * block + 4 * (rnd(&g->r, 2) ? 0 : rnd(&g->r, 512)));
		return;
	}
	if (swapout)
		buf_addf(b, "swapout %d r%d", p->pid, r);
	else
		buf_addf(b, "touch %d r%d %s", p->pid, r, rnd(&g->r, 2) ? "write" : "read");
	gen_range(g, b, p->region_pages[r]);
	buf_add(b, "\n", 1);
}

static void gen_guard(struct gen *g, struct buf *b)
{
	struct gen_proc *p = gen_pick(g);
	int r = p ? gen_region(g, p) : -1;

	if (r < 0)
		return;
	buf_addf(b, "guard %d r%d", p->pid, r);
	gen_range(g, b, p->region_pages[r]);
	buf_add(b, "\n", 1);
}

static void gen_fork(struct gen *g, struct buf *b)
{
	struct gen_proc *p = gen_pick(g), *c;

	if (!p || g->nprocs == GEN_MAX_PROCS)
		return;
	c = &g->procs[g->nprocs++];
	*c = *p;
	c->pid = g->next_pid++;
	buf_addf(b, "fork %d %d\n", p->pid, c->pid);
}

static void gen_exit_or_munmap(struct gen *g, struct buf *b, bool exit_proc)
{
	struct gen_proc *p = gen_pick(g);
	int r;

	if (!p)
		return;
	if (exit_proc) {
		buf_addf(b, "exit %d\n", p->pid);
		*p = g->procs[--g->nprocs];
		return;
	}
	r = gen_region(g, p);
	if (r >= 0) {
		buf_addf(b, "munmap %d r%d\n", p->pid, r);
		p->region_live[r] = false;
	}
}

/* Writes a random scenario for seed into b. */
void gen_scenario(uint64_t seed, struct buf *b)
{
	struct gen g;
	unsigned ncmds;

	memset(&g, 0, sizeof(g));
	g.r.s = seed * UINT64_C(0x9E3779B97F4A7C15) + 1;
	g.next_pid = 2 + (int)rnd(&g.r, 3);   /* sometimes PID 1 is spawned below */
	g.have_swap = rnd(&g.r, 4) != 0;
	g.huge = rnd(&g.r, 4) == 0;
	g.cgroups = rnd(&g.r, 3) != 0;
	buf_addf(b, "# differential seed %llu\nram %uK\n", (unsigned long long)seed,
		 g.huge ? 6144 + 512 * rnd(&g.r, 8) : 64 + 16 * rnd(&g.r, 8));
	for (unsigned i = 1; g.cgroups && i < GEN_CGROUPS; i++)
		buf_addf(b, "cgroup %s\n", gen_cgroups[i]);
	if (g.have_swap)
		buf_addf(b, "swap %uK\n", g.huge ? 8192 : 64 + 32 * rnd(&g.r, 8));
	if (rnd(&g.r, 4) == 0) {
		/* PID 1 itself: its children lead tree groups of their own */
		g.procs[g.nprocs++].pid = 1;
		buf_addf(b, "spawn 1 init\n");
	}
	gen_spawn(&g, b);
	if (g.huge) {
		/* A prefork server with huge pages: a huge region written whole, then workers. */
		struct gen_proc *p = &g.procs[g.nprocs - 1];
		unsigned r = p->nregions++;

		p->region_pages[r] = 1024;
		p->region_live[r] = p->region_huge[r] = true;
		buf_addf(b, "mmap %d r%u anon private 4M huge\ntouch %d r%u write\n", p->pid, r, p->pid, r);
		gen_fork(&g, b);
		gen_fork(&g, b);
	}
	ncmds = 10 + rnd(&g.r, 40);
	for (unsigned i = 0; i < ncmds; i++) {
		unsigned op = rnd(&g.r, 110);

		if (op < 8)
			gen_spawn(&g, b);
		else if (op < 28)
			gen_mmap(&g, b);
		else if (op < 60)
			gen_touch_or_swapout(&g, b, false);
		else if (op < 72)
			gen_fork(&g, b);
		else if (op < 76)
			gen_exit_or_munmap(&g, b, true);
		else if (op < 81)
			gen_exit_or_munmap(&g, b, false);
		else if (op < 90)
			gen_touch_or_swapout(&g, b, !g.have_swap ? false : true);
		else if (op < 93)
			gen_guard(&g, b);
		else if (op < 97)
			gen_fd(&g, b);
		else if (op < 100)
			buf_addf(b, "reclaim %u\n", 1 + rnd(&g.r, 12));
		else
			gen_move(&g, b);
	}
}
