/*
 * workload: the benchmark's own memory workload, shaped like a busy server.
 *
 * It starts PROCS processes holding about GIB of distinct memory, with the
 * heavy sharing that makes per-page accounting expensive:
 *   - prefork groups: a parent fills a private anonymous region, then forks
 *     many children that inherit it copy-on-write (every child has a present
 *     PTE for every page); each child dirties a few random pages of it (COW
 *     breaks) and allocates a little private heap of its own;
 *   - file mappers: a few processes map one regular file MAP_SHARED;
 *   - memfd mappers: a few processes map one memfd MAP_SHARED, each with a
 *     private anonymous heap beside it;
 *   - VMA-heavy processes: thousands of one-page mappings each (anonymous
 *     with alternating protections, and one-page windows of the shared file).
 * All regions are MADV_NOHUGEPAGE, so the page tables hold base-page PTEs;
 * with -H the prefork regions are MADV_HUGEPAGE instead, on 2 MiB
 * boundaries: PMD-mapped huge pages shared after fork, each child's writes
 * splitting its own PMDs (the parent's stay).
 *
 * When every process has populated its memory it prints "ready" on stdout
 * and sleeps until killed. SIGTERM/SIGINT/SIGHUP kill the whole workload
 * (the workers share one process group of their own); every worker also has
 * PR_SET_PDEATHSIG, so SIGKILL on the supervisor takes the workers down too.
 *
 * Usage: workload [-n PROCS] [-g GIB] [-v VMAS] [-G GROUPS] [-d DIR] [-H]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MIB (1024.0 * 1024.0)
#define READY_TIMEOUT_S 300

/* The shape of the workload, derived from the command line. */
struct shape {
	int procs;		/* all processes, supervisor included */
	double gib;		/* distinct memory target */
	int vmas;		/* mappings per VMA-heavy process */
	int groups;		/* prefork groups, 0: scaled with procs */
	const char *dir;	/* where the shared file lives (unlinked) */
	int huge;		/* -H: prefork regions MADV_HUGEPAGE */
	int n_vma, n_file, n_memfd, n_groups, n_children;
	size_t page;
	size_t cow_bytes;	/* per prefork group, inherited by children */
	size_t child_dirty_pages, child_heap_bytes;
	size_t file_bytes, memfd_bytes;
	size_t heap_bytes;	/* private heap of each file/memfd mapper */
};

static pid_t worker_pgid;	/* process group of every worker, 0 before */
static int ready_wfd = -1;	/* workers write one byte here when populated */

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	if (worker_pgid > 0)
		kill(-worker_pgid, SIGKILL);
	exit(1);
}

static void on_term(int sig)
{
	if (worker_pgid > 0)
		kill(-worker_pgid, SIGKILL);
	_exit(128 + sig);
}

/* Maps SIZE bytes of private anonymous memory, base pages only. */
static char *map_anon(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap anonymous");
	madvise(p, size, MADV_NOHUGEPAGE);
	return p;
}

/* Maps SIZE bytes of private anonymous memory on a 2 MiB boundary, MADV_HUGEPAGE. */
static char *map_anon_huge(size_t size)
{
	size_t align = 2u << 20;
	char *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap anonymous");
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + size, (uintptr_t)p + align - a);
	madvise((char *)a, size, MADV_HUGEPAGE);
	return (char *)a;
}

/* Writes a distinct word into every page, so each is a real, non-zero frame. */
static void dirty_pages(char *p, size_t size, size_t page, uint64_t salt)
{
	for (size_t off = 0; off < size; off += page)
		*(volatile uint64_t *)(p + off) = salt ^ (off * 0x9e3779b97f4a7c15ULL);
}

/* Reads one byte of every page, faulting it in without writing. */
static uint64_t read_pages(const char *p, size_t size, size_t page)
{
	uint64_t sum = 0;

	for (size_t off = 0; off < size; off += page)
		sum += *(const volatile char *)(p + off);
	return sum;
}

static void signal_ready(void)
{
	char c = 'r';

	while (write(ready_wfd, &c, 1) < 0 && errno == EINTR)
		;
	close(ready_wfd);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

/*
 * Forks a worker that runs FN(ARG) and never returns. The worker joins the
 * workers' process group (created by the first one) when JOIN is set, and
 * dies with its parent.
 */
static pid_t spawn(const char *name, int join, void (*fn)(const struct shape *, long),
		   const struct shape *s, long arg)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		if (join)
			setpgid(0, worker_pgid ? worker_pgid : 0);
		/* A worker that fails takes the whole workload down with it. */
		worker_pgid = getpgrp();
		prctl(PR_SET_NAME, name);
		fn(s, arg);
		_exit(0);
	}
	if (join) {
		setpgid(pid, worker_pgid ? worker_pgid : pid);
		if (!worker_pgid)
			worker_pgid = pid;
	}
	return pid;
}

static void run_child(const struct shape *s, long cow_addr)
{
	char *cow = (char *)cow_addr;
	size_t cow_pages = s->cow_bytes / s->page;
	uint64_t x = (uint64_t)getpid() * 0x9e3779b97f4a7c15ULL | 1;
	char *heap;

	/* Dirty random pages of the inherited region: COW breaks, as in a real server. */
	for (size_t i = 0; i < s->child_dirty_pages && cow_pages; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		*(volatile uint64_t *)(cow + (x % cow_pages) * s->page) = x;
	}
	heap = map_anon(s->child_heap_bytes);
	dirty_pages(heap, s->child_heap_bytes, s->page, (uint64_t)getpid());
	signal_ready();
	sleep_forever();
}

static void run_prefork(const struct shape *s, long group)
{
	int nkids = s->n_children / s->n_groups + (group < s->n_children % s->n_groups);
	char *cow = s->huge ? map_anon_huge(s->cow_bytes) : map_anon(s->cow_bytes);

	dirty_pages(cow, s->cow_bytes, s->page, 0x5eed0000ULL + (uint64_t)group);
	for (int i = 0; i < nkids; i++)
		spawn("wl-worker", 0, run_child, s, (long)cow);
	signal_ready();
	/* Reap nothing: workers live until the workload is killed. */
	sleep_forever();
}

static int shared_file_fd = -1, shared_memfd = -1;

static void run_file(const struct shape *s, long unused)
{
	char *f = mmap(NULL, s->file_bytes, PROT_READ, MAP_SHARED, shared_file_fd, 0);
	char *heap;

	if (f == MAP_FAILED)
		die("mmap shared file");
	madvise(f, s->file_bytes, MADV_NOHUGEPAGE);
	read_pages(f, s->file_bytes, s->page);
	heap = map_anon(s->heap_bytes);
	dirty_pages(heap, s->heap_bytes, s->page, (uint64_t)getpid());
	signal_ready();
	sleep_forever();
}

static void run_memfd(const struct shape *s, long unused)
{
	char *m = mmap(NULL, s->memfd_bytes, PROT_READ | PROT_WRITE, MAP_SHARED,
		       shared_memfd, 0);
	char *heap;

	if (m == MAP_FAILED)
		die("mmap memfd");
	madvise(m, s->memfd_bytes, MADV_NOHUGEPAGE);
	read_pages(m, s->memfd_bytes, s->page);
	heap = map_anon(s->heap_bytes);
	dirty_pages(heap, s->heap_bytes, s->page, (uint64_t)getpid());
	signal_ready();
	sleep_forever();
}

static void run_vmas(const struct shape *s, long idx)
{
	size_t n_anon = (size_t)(s->vmas + 1) / 2, n_file = (size_t)s->vmas / 2;
	size_t file_pages = s->file_bytes / s->page;
	char *a = map_anon(n_anon * s->page);

	dirty_pages(a, n_anon * s->page, s->page, (uint64_t)getpid());
	/* Alternating protections keep the kernel from merging neighbours. */
	for (size_t i = 1; i < n_anon; i += 2)
		if (mprotect(a + i * s->page, s->page, PROT_READ) < 0)
			die("mprotect");
	/* One-page windows of the shared file at scattered offsets, like libraries. */
	for (size_t i = 0; i < n_file && file_pages; i++) {
		off_t pg = (off_t)((i * 7919 + (size_t)idx * 104729) % file_pages);
		char *w = mmap(NULL, s->page, PROT_READ, MAP_SHARED, shared_file_fd,
			       pg * (off_t)s->page);

		if (w == MAP_FAILED)
			die("mmap file window");
		read_pages(w, s->page, s->page);
	}
	signal_ready();
	sleep_forever();
}

/* Creates an unlinked file of SIZE bytes in DIR filled with non-zero data. */
static int make_filled(int fd, size_t size, const char *what)
{
	static char buf[1 << 20];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 131 + 7);
	for (size_t done = 0; done < size;) {
		size_t n = size - done < sizeof(buf) ? size - done : sizeof(buf);
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die(what);
		done += (size_t)w;
	}
	return fd;
}

static int open_tmpfile(const char *dir)
{
	char path[4096];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	snprintf(path, sizeof(path), "%s/truemem-bench-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		die(path);
	unlink(path);
	return fd;
}

static size_t round_pages(double bytes, size_t page)
{
	return bytes <= 0 ? 0 : ((size_t)bytes + page - 1) / page * page;
}

static int scale(int procs, int at280)
{
	int n = (int)((long)procs * at280 / 280);

	return n < 1 ? 1 : n;
}

/* Derives the process mix and region sizes; the defaults give the target shape. */
static int shape_init(struct shape *s)
{
	double total = s->gib * 1024 * MIB, rest;

	s->page = (size_t)sysconf(_SC_PAGESIZE);
	s->n_vma = scale(s->procs, 8);
	s->n_file = scale(s->procs, 4);
	s->n_memfd = scale(s->procs, 4);
	s->n_groups = s->groups > 0 ? s->groups : scale(s->procs, 4);
	s->n_children = s->procs - 1 - s->n_vma - s->n_file - s->n_memfd - s->n_groups;
	if (s->n_children < s->n_groups)
		return -1;
	/*
	 * At 3 GiB and 280 processes: 108 MiB COW per group (432 MiB over the
	 * groups), 1 MiB heap per child, 768 MiB file, 512 MiB memfd. More
	 * groups split the same COW total; more processes get smaller heaps.
	 */
	s->cow_bytes = round_pages(total * 144 / 1024 / s->n_groups, s->page);
	s->child_heap_bytes = round_pages(total / 3072 * 280 / s->procs, s->page);
	s->child_dirty_pages = s->child_heap_bytes / s->page;
	s->file_bytes = round_pages(total / 4, s->page);
	s->memfd_bytes = round_pages(total / 6, s->page);
	rest = total - (double)s->n_groups * s->cow_bytes
	       - 2.0 * s->n_children * s->child_heap_bytes
	       - (double)s->n_vma * ((s->vmas + 1) / 2) * s->page	/* file windows are in the file */
	       - (double)s->file_bytes - (double)s->memfd_bytes;
	s->heap_bytes = rest > 0 ? round_pages(rest / (s->n_file + s->n_memfd), s->page) : 0;
	if (s->heap_bytes == 0)
		s->heap_bytes = s->page;
	return 0;
}

static void shape_print(const struct shape *s)
{
	double ptes = (double)(s->n_groups + s->n_children) * s->cow_bytes / s->page
		      + (double)s->n_children * s->child_heap_bytes / s->page
		      + (double)s->n_file * (s->file_bytes + s->heap_bytes) / s->page
		      + (double)s->n_memfd * (s->memfd_bytes + s->heap_bytes) / s->page
		      + (double)s->n_vma * s->vmas;

	printf("workload: %d processes: 1 supervisor, %d prefork groups (%d children, "
	       "%.0f MiB COW each), %d file mappers (%.0f MiB shared file), "
	       "%d memfd mappers (%.0f MiB memfd), %d VMA-heavy (%d mappings each)\n",
	       s->procs, s->n_groups, s->n_children, s->cow_bytes / MIB, s->n_file,
	       s->file_bytes / MIB, s->n_memfd, s->memfd_bytes / MIB, s->n_vma, s->vmas);
	printf("workload: planned ~%.2f GiB distinct, ~%.2fM present PTEs%s\n",
	       s->gib, ptes / 1e6, s->huge ? "; prefork regions MADV_HUGEPAGE (-H)" : "");
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: workload [-n PROCS] [-g GIB] [-v VMAS] [-G GROUPS] [-d DIR] [-H]\n"
		"  -n PROCS  processes in all, supervisor included (default 280)\n"
		"  -g GIB    distinct memory in GiB, fractions allowed (default 3)\n"
		"  -v VMAS   mappings per VMA-heavy process (default 5000)\n"
		"  -G GROUPS prefork groups (default 4 per 280 processes)\n"
		"  -d DIR    directory for the shared (unlinked) file (default /var/tmp)\n"
		"  -H        prefork regions MADV_HUGEPAGE (transparent huge pages)\n");
	exit(2);
}

/* Waits for one byte from every worker; fails if one dies or time runs out. */
static void wait_ready(int rfd, int expect)
{
	time_t deadline = time(NULL) + READY_TIMEOUT_S;
	int got = 0;

	while (got < expect) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		char buf[256];
		int status;
		pid_t dead = waitpid(-1, &status, WNOHANG);

		if (dead > 0) {
			errno = ECHILD;
			die("a worker died while populating");
		}
		if (time(NULL) > deadline) {
			errno = ETIMEDOUT;
			die("waiting for workers");
		}
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		ssize_t n = read(rfd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("ready pipe closed early");
		got += (int)n;
	}
}

int main(int argc, char **argv)
{
	struct shape s = { .procs = 280, .gib = 3.0, .vmas = 5000, .dir = "/var/tmp" };
	struct sigaction sa = { .sa_handler = on_term };
	int pfd[2], opt, i;

	while ((opt = getopt(argc, argv, "n:g:v:G:d:Hh")) != -1) {
		switch (opt) {
		case 'n': s.procs = atoi(optarg); break;
		case 'g': s.gib = atof(optarg); break;
		case 'v': s.vmas = atoi(optarg); break;
		case 'G': s.groups = atoi(optarg); break;
		case 'd': s.dir = optarg; break;
		case 'H': s.huge = 1; break;
		default: usage();
		}
	}
	if (optind != argc || s.gib <= 0 || s.vmas < 2 || s.groups < 0 || shape_init(&s) < 0) {
		fprintf(stderr, "workload: need -n >= 6 (one process of each kind, a child per group), -g > 0, -v >= 2, -G >= 0\n");
		usage();
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	prctl(PR_SET_NAME, "workload");
	shape_print(&s);

	shared_file_fd = make_filled(open_tmpfile(s.dir), s.file_bytes, "write shared file");
	shared_memfd = memfd_create("truemem-bench", MFD_CLOEXEC);
	if (shared_memfd < 0)
		die("memfd_create");
	make_filled(shared_memfd, s.memfd_bytes, "write memfd");

	if (pipe2(pfd, O_CLOEXEC) < 0)
		die("pipe");
	ready_wfd = pfd[1];
	for (i = 0; i < s.n_groups; i++)
		spawn("wl-prefork", 1, run_prefork, &s, i);
	for (i = 0; i < s.n_file; i++)
		spawn("wl-file", 1, run_file, &s, i);
	for (i = 0; i < s.n_memfd; i++)
		spawn("wl-memfd", 1, run_memfd, &s, i);
	for (i = 0; i < s.n_vma; i++)
		spawn("wl-vmas", 1, run_vmas, &s, i);
	close(pfd[1]);
	ready_wfd = -1;
	/* The supervisor holds no mapping: the workers keep file and memfd alive. */
	close(shared_file_fd);
	close(shared_memfd);

	wait_ready(pfd[0], s.procs - 1);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int status;

		if (wait(&status) < 0 && errno == ECHILD)
			pause();
	}
}
