/*
 * special: processes holding memory the kernel treats specially, for the
 * kernel-consistency suite (tests/kernel/run.sh), which compares truemem
 * with smaps mapping by mapping.
 *
 *   special fork FOLIO_KB MIB HOW    MIB of MADV_HUGEPAGE anonymous memory on
 *                                    FOLIO_KB boundaries, written, then a child;
 *                                    the child writes one byte in each folio:
 *                                    HOW head (page 0), tail (page 1), none, or
 *                                    mixed (page 0 in the first half of the
 *                                    folios, page 1 in the rest)
 *   special file PATH MIB            PATH (created, MIB) read through a shared
 *                                    MADV_HUGEPAGE mapping (large page-cache folios)
 *   special ksm PAGES                PAGES identical MADV_MERGEABLE pages written by
 *                                    the process and by each of two children
 *   special thpswap MIB              MIB of THP memory, written, its second half
 *                                    paged out (MADV_PAGEOUT; needs swap)
 *   special guard                    64 pages written, pages 16-31 made guard pages
 *                                    (MADV_GUARD_INSTALL)
 *   special uffd                     48 pages write-protected by userfaultfd: 32
 *                                    untouched (WP_UNPOPULATED markers), 16 written
 *   special memfd PAGES RW           a memfd of PAGES pages written, its first half
 *                                    paged out, unmapped, then mapped MAP_PRIVATE
 *                                    read-only (RW ro) or writable (RW rw), with page
 *                                    PAGES-1 read and, if writable, page 0 written
 *   special hugetlb N                N 2 MiB hugetlb pages, written, and a child
 *   special clonevm MIB OUT_KIB      MIB of anonymous memory written, its first
 *                                    OUT_KIB paged out (MADV_PAGEOUT; 0: none), then
 *                                    a child made with clone(CLONE_VM) without
 *                                    CLONE_THREAD: two processes, one mm
 *   special poison                   32 pages written, pages 8-23 made poison markers
 *                                    (UFFDIO_POISON on a MISSING-registered range)
 *
 * It prints "region NAME 0xSTART 0xEND" per region, then "ready PID..."
 * (the process first, then its children), and sleeps until killed (at most
 * --timeout seconds, default 120); the children die with it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#define UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct uffdio_poison)
struct uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#define HUGE_2M (2UL << 20)
#define MAX_KIDS 4

static size_t page;
static pid_t kids[MAX_KIDS];
static int nkids;

static void die(const char *what)
{
	fprintf(stderr, "special: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long number(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v <= 0) {
		fprintf(stderr, "special: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

/* len bytes of private anonymous memory starting on an align boundary. */
static char *map_aligned(size_t len, size_t align, int flags)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		die("mmap");
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (char *)a;
}

static void region(const char *name, const char *p, size_t len)
{
	printf("region %s %p %p\n", name, (const void *)p, (const void *)(p + len));
}

/* A child that runs fn(arg) once, then sleeps; dies with this process. */
static void child(void (*fn)(char *, size_t), char *p, size_t len)
{
	int pfd[2];
	char c;
	pid_t pid;

	if (nkids == MAX_KIDS || pipe(pfd))
		die("child");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fn)
			fn(p, len);
		if (write(pfd[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		fprintf(stderr, "special: child failed\n");
		exit(1);
	}
	close(pfd[0]);
	kids[nkids++] = pid;
}

static size_t folio_len;
static const char *fork_how;

/* The child of `fork`: one byte written in each folio, where HOW says. */
static void fork_writes(char *p, size_t len)
{
	size_t n = len / folio_len;

	for (size_t i = 0; i < n; i++) {
		int tail = !strcmp(fork_how, "tail") || (!strcmp(fork_how, "mixed") && i >= n / 2);

		if (strcmp(fork_how, "none"))
			p[i * folio_len + (size_t)tail * page] ^= 1;
	}
}

static void scenario_fork(char **argv)
{
	size_t len = (size_t)number(argv[2]) << 20;
	char *p;

	folio_len = (size_t)number(argv[1]) << 10;
	fork_how = argv[3];
	if (strcmp(fork_how, "head") && strcmp(fork_how, "tail") && strcmp(fork_how, "none") &&
	    strcmp(fork_how, "mixed")) {
		fprintf(stderr, "special: HOW is head, tail, none or mixed\n");
		exit(2);
	}
	p = map_aligned(len, HUGE_2M, 0);
	if (madvise(p, len, MADV_HUGEPAGE))
		die("MADV_HUGEPAGE");
	for (size_t off = 0; off < len; off += page)
		p[off] = 1;
	region("fork", p, len);
	child(fork_writes, p, len);
}

static void scenario_file(char **argv)
{
	size_t len = (size_t)number(argv[2]) << 20;
	int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *buf = malloc(1 << 20), *p;
	volatile char sum = 0;

	if (fd < 0 || !buf)
		die(argv[1]);
	memset(buf, 0x5a, 1 << 20);
	for (size_t off = 0; off < len; off += 1 << 20)
		if (write(fd, buf, 1 << 20) != 1 << 20)
			die("write");
	free(buf);
	fsync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	madvise(p, len, MADV_HUGEPAGE);
	for (size_t off = 0; off < len; off += page)
		sum += p[off];
	(void)sum;
	close(fd);
	region("file", p, len);
}

/* PAGES identical pages of its own, offered to ksmd. */
static void ksm_pages(char *unused, size_t len)
{
	char *p = map_aligned(len, page, 0);

	(void)unused;
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	if (madvise(p, len, MADV_MERGEABLE))
		die("MADV_MERGEABLE");
}

static void scenario_ksm(char **argv)
{
	size_t len = (size_t)number(argv[1]) * page;

	child(ksm_pages, NULL, len);
	child(ksm_pages, NULL, len);
	ksm_pages(NULL, len);
}

static void scenario_thpswap(char **argv)
{
	size_t len = (size_t)number(argv[1]) << 20;
	char *p = map_aligned(len, HUGE_2M, 0);

	if (madvise(p, len, MADV_HUGEPAGE))
		die("MADV_HUGEPAGE");
	memset(p, 0x5a, len);
	if (madvise(p + len / 2, len / 2, MADV_PAGEOUT))
		die("MADV_PAGEOUT");
	region("thpswap", p, len);
}

static void scenario_guard(void)
{
	char *p = map_aligned(64 * page, page, 0);

	madvise(p, 64 * page, MADV_NOHUGEPAGE);
	memset(p, 0x5a, 64 * page);
	if (madvise(p + 16 * page, 16 * page, MADV_GUARD_INSTALL))
		die("MADV_GUARD_INSTALL");
	region("guard", p, 64 * page);
}

static void scenario_uffd(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_WP_UNPOPULATED };
	char *wp = map_aligned(48 * page, page, 0);
	struct uffdio_register reg = { .range = { (uintptr_t)wp, 48 * page }, .mode = UFFDIO_REGISTER_MODE_WP };
	struct uffdio_writeprotect prot = { .range = { (uintptr_t)wp, 48 * page },
					    .mode = UFFDIO_WRITEPROTECT_MODE_WP };

	if (fd < 0)
		die("userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api))
		die("UFFDIO_API");
	madvise(wp, 48 * page, MADV_NOHUGEPAGE);
	memset(wp + 32 * page, 0x5a, 16 * page);
	if (ioctl(fd, UFFDIO_REGISTER, &reg) || ioctl(fd, UFFDIO_WRITEPROTECT, &prot))
		die("UFFDIO_WRITEPROTECT");
	region("uffd_wp", wp, 48 * page);
}

/*
 * Poison markers: a range registered for missing faults, zapped, and
 * UFFDIO_POISON on part of it: the kernel installs PTE markers there
 * (pagemap shows them as swap entries of a pseudo type, no swap behind).
 */
static void scenario_poison(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_POISON };
	char *p = map_aligned(32 * page, page, 0);
	struct uffdio_register reg = { .range = { (uintptr_t)p, 32 * page }, .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_poison poison = { .range = { (uintptr_t)(p + 8 * page), 16 * page } };

	if (fd < 0)
		die("userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api))
		die("UFFDIO_API");
	if (!(api.features & UFFD_FEATURE_POISON)) {
		errno = ENOTSUP;
		die("UFFDIO_API UFFD_FEATURE_POISON");
	}
	madvise(p, 32 * page, MADV_NOHUGEPAGE);
	memset(p, 0x5a, 32 * page);
	if (madvise(p + 8 * page, 16 * page, MADV_DONTNEED))
		die("MADV_DONTNEED");
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");
	if (ioctl(fd, UFFDIO_POISON, &poison) || poison.updated != (__s64)(16 * page))
		die("UFFDIO_POISON");
	region("poison", p, 32 * page);
}

static pid_t vm_child;

static int vm_child_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
	return 0;
}

/* A second process on this mm: clone(CLONE_VM) without CLONE_THREAD (own pid, own tgid). */
static void scenario_clonevm(char **argv)
{
	size_t len = (size_t)number(argv[1]) << 20, out = (size_t)strtoul(argv[2], NULL, 10) << 10;
	char *p = map_aligned(len, page, 0);
	size_t stack_len = 16 * page;
	char *stack = map_aligned(stack_len, page, 0);

	if (out > len) {
		fprintf(stderr, "special: OUT_KIB beyond the region\n");
		exit(2);
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	memset(p, 0x5a, len);
	if (out && madvise(p, out, MADV_PAGEOUT))
		die("MADV_PAGEOUT");
	memset(stack, 0, stack_len);
	vm_child = clone(vm_child_main, stack + stack_len, CLONE_VM | SIGCHLD, NULL);
	if (vm_child < 0)
		die("clone(CLONE_VM)");
	kids[nkids++] = vm_child;
	region("clonevm", p, len);
}

static void scenario_memfd(char **argv)
{
	size_t pages = (size_t)number(argv[1]), len = pages * page;
	int rw = !strcmp(argv[2], "rw");
	int fd = memfd_create("special", 0);
	char *p;
	volatile char sum;

	if (fd < 0 || ftruncate(fd, (off_t)len))
		die("memfd");
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd");
	memset(p, 0x5a, len);
	if (madvise(p, len / 2, MADV_PAGEOUT))
		die("MADV_PAGEOUT");
	munmap(p, len);
	p = mmap(NULL, len, PROT_READ | (rw ? PROT_WRITE : 0), MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap private");
	sum = p[(pages - 1) * page];
	(void)sum;
	if (rw)
		p[0] = 1;
	region("memfd", p, len);
}

static void scenario_hugetlb(char **argv)
{
	size_t len = (size_t)number(argv[1]) * HUGE_2M;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED)
		die("MAP_HUGETLB");
	memset(p, 0x5a, len);
	region("hugetlb", p, len);
	child(NULL, p, len);
}

static const struct {
	const char *name;
	int nargs;
} scenarios[] = {
	{ "fork", 3 }, { "file", 2 }, { "ksm", 1 }, { "thpswap", 1 }, { "guard", 0 },
	{ "uffd", 0 }, { "memfd", 2 }, { "hugetlb", 1 }, { "clonevm", 2 }, { "poison", 0 },
};

int main(int argc, char **argv)
{
	unsigned timeout = 120;
	size_t s;

	page = (size_t)sysconf(_SC_PAGESIZE);
	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		timeout = (unsigned)number(argv[2]);
		argc -= 2;
		argv += 2;
	}
	for (s = 0; argc > 1 && s < sizeof(scenarios) / sizeof(scenarios[0]); s++)
		if (!strcmp(argv[1], scenarios[s].name) && argc == scenarios[s].nargs + 2)
			break;
	if (argc < 2 || s == sizeof(scenarios) / sizeof(scenarios[0])) {
		fprintf(stderr, "usage: special [--timeout S] fork FOLIO_KB MIB HOW | file PATH MIB | ksm PAGES |\n"
				"       thpswap MIB | guard | uffd | memfd PAGES ro|rw | hugetlb N |\n"
				"       clonevm MIB OUT_KIB | poison\n");
		return 2;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(timeout);
	argv++;
	if (!strcmp(argv[0], "fork"))
		scenario_fork(argv);
	else if (!strcmp(argv[0], "file"))
		scenario_file(argv);
	else if (!strcmp(argv[0], "ksm"))
		scenario_ksm(argv);
	else if (!strcmp(argv[0], "thpswap"))
		scenario_thpswap(argv);
	else if (!strcmp(argv[0], "guard"))
		scenario_guard();
	else if (!strcmp(argv[0], "uffd"))
		scenario_uffd();
	else if (!strcmp(argv[0], "memfd"))
		scenario_memfd(argv);
	else if (!strcmp(argv[0], "clonevm"))
		scenario_clonevm(argv);
	else if (!strcmp(argv[0], "poison"))
		scenario_poison();
	else
		scenario_hugetlb(argv);
	printf("ready %d", (int)getpid());
	for (int i = 0; i < nkids; i++)
		printf(" %d", (int)kids[i]);
	printf("\n");
	fflush(stdout);
	for (;;)
		pause();
}
