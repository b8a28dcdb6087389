/*
 * memhog: processes of exactly known memory, for truemem's live tests.
 *
 * `memhog SCENARIO ARGS...` builds a region of a known shape (private
 * anonymous pages, copy-on-write pages shared after fork, a MAP_SHARED file,
 * a memfd, zero-page reads, a huge MAP_NORESERVE reservation, pages pushed
 * to swap), then every scenario process strips its address space down to
 * that region and one stub page: it copies a few instructions into a fresh
 * private anonymous page, jumps there, munmaps everything else (executable,
 * libc, ld.so, heap, stack, vdso, vvar) and sleeps in pause(2) until killed.
 * So a scenario process maps exactly its region(s) plus one private,
 * written, anonymous page (4096 bytes of rss/pss/uss) and nothing else, and
 * the tests can assert exact totals, not just differences.
 *
 * Process layout: the process the test starts is a supervisor (a child
 * subreaper, not measured). It forks the scenario root, which forks the
 * scenario children. Each scenario process reports "ready PID" through a
 * pipe once its address space is final; the supervisor then prints
 *   region NAME 0xSTART 0xEND     (one line per region)
 *   ready ROOT CHILD...
 * on stdout, and waits. SIGTERM/SIGINT to the supervisor, its --timeout
 * (default 300 s) or the death of its parent kill the whole scenario (its
 * own process group) and reap it. Scenario processes die with their parent
 * (PR_SET_PDEATHSIG), so nothing outlives a killed test.
 *
 * The stub is x86-64 only; memhog exits 1 with a message elsewhere.
 * Kernel interfaces: mmap(2), madvise(2) (MADV_NOHUGEPAGE, MADV_PAGEOUT),
 * memfd_create(2), prctl(2) (PR_SET_MM_ARG_*, PR_SET_CHILD_SUBREAPER).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_REGIONS 4
#define MAX_KEEP (MAX_REGIONS + 1)
#define MAX_PROCS 64

static const char usage_text[] =
	"usage: memhog [--timeout SECONDS] SCENARIO ARGS...\n"
	"  base                    nothing but the stub page\n"
	"  anon PAGES              PAGES private anonymous pages, written\n"
	"  zero PAGES              PAGES private anonymous pages, read only (zero page)\n"
	"  cow PAGES K             PAGES written, then K children that only read them\n"
	"  file PATH PAGES K       MAP_SHARED file PATH (created), written, touched by K processes\n"
	"  memfd PAGES K           memfd of PAGES pages, written, touched by K processes\n"
	"  noreserve GIB           GIB GiB MAP_NORESERVE anonymous, only its last page written\n"
	"  swap PAGES SHMPAGES K   PAGES private anonymous and a memfd of SHMPAGES, all\n"
	"                          paged out (MADV_PAGEOUT, needs swap), then K children\n"
	"  thp N K                 N 2 MiB transparent huge pages, then K reader children\n"
	"  ksm PAGES               PAGES identical pages merged by KSM (needs ksm/run 1)\n"
	"  hugetlb N               N 2 MiB hugetlb pages (needs vm.nr_hugepages)\n"
	"  sparse PAGES STRIDE     PAGES written pages, each STRIDE pages from the next\n"
	"  churn                   no stub: maps, splits and unmaps memory without end\n"
	"Every scenario process but churn keeps only its regions and one 4096-byte stub page.\n";

/* ---- the stub: code copied into a fresh page, data at STUB_DATA_OFF ---- */

#define STUB_DATA_OFF 2048

/* glibc (2.35+) registers an rseq area in TLS; the kernel writes to it. */
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
#define RSEQ_FLAG_UNREGISTER 1
#define RSEQ_SIG_X86 0x53053053

/* Offsets used by the assembly below; keep in sync. */
struct stub_data {
	uint64_t nranges;           /* +0: munmap ranges */
	uint64_t fd;                /* +8: where to write the ready message */
	uint64_t msg_len;           /* +16 */
	uint64_t pad;               /* +24 */
	char msg[64];               /* +32 */
	uint64_t ranges[2 * (MAX_KEEP + 1)]; /* +96: start, length pairs */
	char args[256];             /* the cmdline the process shows */
};

extern const char memhog_stub_start[], memhog_stub_end[];

#if defined(__x86_64__)
__asm__(
	".pushsection .text\n"
	".globl memhog_stub_start\n"
	".globl memhog_stub_end\n"
	"memhog_stub_start:\n"
	".Lstub_base:\n"
	"	lea .Lstub_base+2048(%rip), %rbx\n"
	"	mov 0(%rbx), %r12\n"
	"	lea 96(%rbx), %r13\n"
	"1:	test %r12, %r12\n"
	"	jz 2f\n"
	"	mov $11, %eax\n"            /* munmap(start, length) */
	"	mov 0(%r13), %rdi\n"
	"	mov 8(%r13), %rsi\n"
	"	syscall\n"
	"	add $16, %r13\n"
	"	dec %r12\n"
	"	jmp 1b\n"
	"2:	mov $1, %eax\n"             /* write(fd, msg, msg_len) */
	"	mov 8(%rbx), %rdi\n"
	"	lea 32(%rbx), %rsi\n"
	"	mov 16(%rbx), %rdx\n"
	"	syscall\n"
	"	mov $3, %eax\n"             /* close(fd) */
	"	mov 8(%rbx), %rdi\n"
	"	syscall\n"
	"3:	mov $34, %eax\n"            /* pause() until killed */
	"	syscall\n"
	"	jmp 3b\n"
	"memhog_stub_end:\n"
	".popsection\n");
#define HAVE_STUB 1
#else
#define HAVE_STUB 0
#endif

struct range {
	uintptr_t start, end;
};

static size_t page_size;
static int ready_fd = -1;
static struct range regions[MAX_REGIONS];
static int nregions;
static char saved_args[256];
static size_t saved_args_len;

/* Report a failure of a scenario process to the supervisor and exit. */
static void die(const char *fmt, ...)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "error %d: ", (int)getpid());
	va_list ap;

	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (ready_fd >= 0) {
		if (write(ready_fd, buf, (size_t)n) < 0) {
			/* nothing left to tell */
		}
	} else {
		fputs(buf, stderr);
	}
	_exit(1);
}

static void send_line(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || n >= (int)sizeof(buf))
		die("message too long");
	if (write(ready_fd, buf, (size_t)n) != n)
		die("write to supervisor: %s", strerror(errno));
}

static unsigned long parse_ulong(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "memhog: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void add_region(const char *name, void *p, size_t len)
{
	if (nregions == MAX_REGIONS)
		die("too many regions");
	regions[nregions].start = (uintptr_t)p;
	regions[nregions].end = (uintptr_t)p + len;
	nregions++;
	send_line("region %s %#lx %#lx\n", name, (unsigned long)(uintptr_t)p,
		  (unsigned long)((uintptr_t)p + len));
}

static void *map_or_die(size_t len, int prot, int flags, int fd)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		die("mmap %zu bytes: %s", len, strerror(errno));
	/* No THP or mTHP: each page its own frame, counted page by page. */
	if (madvise(p, len, MADV_NOHUGEPAGE) && errno != EINVAL)
		die("madvise(MADV_NOHUGEPAGE): %s", strerror(errno));
	return p;
}

static void write_pages(char *p, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		memset(p + i * page_size, (int)(0x5a ^ (i & 0xff)) | 1, page_size);
}

static void read_pages(const char *p, size_t pages)
{
	unsigned sum = 0;

	for (size_t i = 0; i < pages; i++)
		sum += *(const volatile char *)(p + i * page_size);
	(void)sum;
}

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The end of user address space: the highest mapping below the kernel half. */
static uintptr_t user_space_end(void)
{
	static char buf[1 << 16];
	uintptr_t top = 0;
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/maps", O_RDONLY);

	if (fd < 0)
		die("open /proc/self/maps: %s", strerror(errno));
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned long s = strtoul(line, &line, 16);
		unsigned long e = strtoul(line + 1, NULL, 16);

		if (s < 0x800000000000000UL && e > top)
			top = e;
		line = nl ? nl + 1 : NULL;
	}
	if (!top)
		die("no mappings in /proc/self/maps");
	return top;
}

/*
 * Unregister glibc's rseq area at p. glibc 2.36 registers 32 bytes but
 * publishes __rseq_size 20, and the length must match the registration.
 */
static void rseq_unregister(void *p)
{
	static const unsigned int lens[] = { 32, 20 };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		if (!syscall(SYS_rseq, p, lens[i], RSEQ_FLAG_UNREGISTER, RSEQ_SIG_X86))
			return;
	if (__rseq_size && syscall(SYS_rseq, p, __rseq_size, RSEQ_FLAG_UNREGISTER,
				   RSEQ_SIG_X86) && errno != EINVAL)
		die("rseq unregister: %s", strerror(errno));
}

/*
 * Point the kernel's arg_start/arg_end (what /proc/PID/cmdline reads) at
 * args. PR_SET_MM_MAP needs no CAP_SYS_RESOURCE when the exe link stays;
 * every other field is passed back unchanged from /proc/self/stat.
 * Best effort: on failure the cmdline reads as empty.
 */
static void set_cmdline(const char *args, size_t len)
{
	struct prctl_mm_map map;
	unsigned long long f[52] = { 0 };
	char buf[1024], *p;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY), field;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	p = strrchr(buf, ')'); /* comm may hold spaces */
	if (!p)
		return;
	p += 2; /* field 3 (state) */
	for (field = 3; field <= 51 && *p; field++) {
		if (field > 3)
			f[field] = strtoull(p, NULL, 10);
		p = strchr(p, ' ');
		if (!p)
			break;
		p++;
	}
	if (field <= 51)
		return;
	memset(&map, 0, sizeof(map));
	map.start_code = f[26];
	map.end_code = f[27];
	map.start_stack = f[28];
	map.start_data = f[45];
	map.end_data = f[46];
	map.start_brk = f[47];
	map.brk = (uintptr_t)sbrk(0);
	map.arg_start = (uintptr_t)args;
	map.arg_end = (uintptr_t)args + len;
	map.env_start = f[50];
	map.env_end = f[51];
	map.exe_fd = (__u32)-1;
	prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof(map), 0);
}

/*
 * Become the final shape: a stub page holding code and data, everything
 * but the regions and the stub unmapped, "ready PID" sent, pause() forever.
 * Never returns.
 */
static void enter_stub(void)
{
	struct range keep[MAX_KEEP];
	struct stub_data *d;
	size_t code_len = (size_t)(memhog_stub_end - memhog_stub_start);
	uintptr_t prev = 0, top;
	char *stub;
	int nkeep = 0;
	sigset_t none;

	if (!HAVE_STUB)
		die("the stub exists only on x86-64");
	if (code_len > STUB_DATA_OFF || sizeof(*d) > page_size - STUB_DATA_OFF)
		die("stub does not fit in a page");
	stub = mmap(NULL, page_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (stub == MAP_FAILED)
		die("mmap stub: %s", strerror(errno));
	memcpy(stub, memhog_stub_start, code_len);
	d = (struct stub_data *)(stub + STUB_DATA_OFF);
	d->fd = (uint64_t)ready_fd;
	d->msg_len = (uint64_t)snprintf(d->msg, sizeof(d->msg), "ready %d\n",
					(int)getpid());
	memcpy(d->args, saved_args, saved_args_len);

	for (int i = 0; i < nregions; i++)
		keep[nkeep++] = regions[i];
	keep[nkeep].start = (uintptr_t)stub;
	keep[nkeep].end = (uintptr_t)stub + page_size;
	nkeep++;
	qsort(keep, (size_t)nkeep, sizeof(keep[0]), cmp_range);
	top = user_space_end();
	d->nranges = 0;
	for (int i = 0; i <= nkeep; i++) {
		uintptr_t end = i < nkeep ? keep[i].start : top;

		if (end > prev) {
			d->ranges[2 * d->nranges] = prev;
			d->ranges[2 * d->nranges + 1] = end - prev;
			d->nranges++;
		}
		if (i < nkeep && keep[i].end > prev)
			prev = keep[i].end;
	}

	/* Keep a cmdline: it lived on the stack, which is about to go. */
	set_cmdline(d->args, saved_args_len);

	if (mprotect(stub, page_size, PROT_READ | PROT_EXEC))
		die("mprotect stub: %s", strerror(errno));
	/*
	 * The TLS holding glibc's rseq area is about to be unmapped; the
	 * kernel would fault writing it on the next preemption and kill us.
	 */
	if (&__rseq_size && __rseq_size)
		rseq_unregister((char *)__builtin_thread_pointer() + __rseq_offset);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	((void (*)(void))stub)();
	_exit(1);
}

/* Fork a scenario child that runs fn (which must not return). */
static pid_t fork_child(void (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		fn(arg);
		_exit(1);
	}
	return pid;
}

/* ---- scenarios ---- */

struct shared_arg {
	char *p;
	size_t pages;
	int lock;
};

static void reader_child(void *arg)
{
	struct shared_arg *a = arg;

	read_pages(a->p, a->pages);
	if (a->lock && mlock(a->p, a->pages * page_size))
		die("mlock: %s", strerror(errno));
	enter_stub();
}

static void idle_child(void *arg)
{
	(void)arg;
	enter_stub();
}

static void scenario_anon(size_t pages)
{
	char *p = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1);

	write_pages(p, pages);
	add_region("anon", p, pages * page_size);
	enter_stub();
}

static void scenario_zero(size_t pages)
{
	char *p = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1);

	read_pages(p, pages);
	add_region("zero", p, pages * page_size);
	enter_stub();
}

static void scenario_cow(size_t pages, unsigned long k)
{
	struct shared_arg a;

	a.p = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1);
	a.pages = pages;
	a.lock = 0;
	write_pages(a.p, pages);
	add_region("cow", a.p, pages * page_size);
	for (unsigned long i = 0; i < k; i++)
		fork_child(reader_child, &a);
	enter_stub();
}

/* A MAP_SHARED mapping of fd, written here, read by k-1 children; mlocked. */
static void shared_mapping(const char *name, int fd, size_t pages,
			   unsigned long k)
{
	struct shared_arg a;

	if (ftruncate(fd, (off_t)(pages * page_size)))
		die("ftruncate: %s", strerror(errno));
	a.p = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd);
	close(fd);
	a.pages = pages;
	a.lock = 1;
	write_pages(a.p, pages);
	if (mlock(a.p, pages * page_size))
		die("mlock: %s", strerror(errno));
	add_region(name, a.p, pages * page_size);
	for (unsigned long i = 1; i < k; i++)
		fork_child(reader_child, &a);
	enter_stub();
}

static void scenario_file(const char *path, size_t pages, unsigned long k)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	shared_mapping("file", fd, pages, k);
}

static void scenario_memfd(size_t pages, unsigned long k)
{
	int fd = memfd_create("memhog", 0);

	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	shared_mapping("memfd", fd, pages, k);
}

static void scenario_noreserve(unsigned long gib)
{
	size_t len = (size_t)gib << 30;
	char *p = map_or_die(len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);

	/* The last page: a scanner must walk the whole reservation to find it. */
	write_pages(p + len - page_size, 1);
	add_region("noreserve", p, len);
	enter_stub();
}

/* PAGES written pages, STRIDE pages apart: PAGES separate populated runs. */
static void scenario_sparse(size_t pages, size_t stride)
{
	size_t len = pages * stride * page_size;
	char *p;

	if (!stride)
		die("STRIDE must be at least 1");
	p = map_or_die(len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1);
	for (size_t i = 0; i < pages; i++)
		write_pages(p + i * stride * page_size, 1);
	add_region("sparse", p, len);
	enter_stub();
}

/* Pages of [p, p+pages) that pagemap shows as swapped (bit 62). */
static size_t count_swapped(const char *p, size_t pages)
{
	uint64_t ent;
	size_t n = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		die("open pagemap: %s", strerror(errno));
	for (size_t i = 0; i < pages; i++) {
		off_t off = (off_t)(((uintptr_t)p / page_size + i) * sizeof(ent));

		if (pread(fd, &ent, sizeof(ent), off) != sizeof(ent))
			die("read pagemap: %s", strerror(errno));
		n += (ent >> 62) & 1;
	}
	close(fd);
	return n;
}

/*
 * FIELD (e.g. "Swap:") of the mapping at p in /proc/self/smaps, in kB.
 * Swapped shmem is not in pagemap, and mincore counts a page still in the
 * swap cache; smaps is what the kernel itself reports.
 */
static size_t smaps_kb(const char *p, const char *field)
{
	static char buf[1 << 16];
	char want[32], line_field[40], *at, *f, *next;
	size_t len = 0;
	ssize_t n;
	int fd = open("/proc/self/smaps", O_RDONLY);

	if (fd < 0)
		die("open smaps: %s", strerror(errno));
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = 0;
	snprintf(want, sizeof(want), "%lx-", (unsigned long)(uintptr_t)p);
	at = strstr(buf, want);
	if (!at || (at != buf && at[-1] != '\n'))
		die("mapping %s not in /proc/self/smaps", want);
	next = strstr(at + 1, "\nVmFlags:"); /* the end of this mapping's block */
	snprintf(line_field, sizeof(line_field), "\n%s", field);
	f = strstr(at, line_field);
	if (!f || (next && f > next))
		die("no %s line for %s in /proc/self/smaps", field, want);
	return strtoul(f + strlen(line_field), NULL, 10);
}

static size_t smaps_swap_pages(const char *p)
{
	return smaps_kb(p, "Swap:") * 1024 / page_size;
}

/* N 2 MiB transparent huge pages, then K children that only read them. */
static void scenario_thp(size_t n, unsigned long k)
{
	const size_t huge = 2 << 20;
	size_t len = n * huge, got_kb;
	struct shared_arg a;
	char *raw, *p;

	raw = mmap(NULL, len + huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	p = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (p + len < raw + len + huge)
		munmap(p + len, (size_t)(raw + len + huge - (p + len)));
	if (madvise(p, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE): %s", strerror(errno));
	write_pages(p, len / page_size);
	got_kb = smaps_kb(p, "AnonHugePages:");
	if (got_kb != len / 1024)
		die("only %zu of %zu kB became transparent huge pages", got_kb, len / 1024);
	add_region("thp", p, len);
	a.p = p;
	a.pages = len / page_size;
	a.lock = 0;
	for (unsigned long i = 0; i < k; i++)
		fork_child(reader_child, &a);
	enter_stub();
}

/* PAGES identical pages, MADV_MERGEABLE, waits until KSM merged them all. */
static void scenario_ksm(size_t pages)
{
	char *p = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1);
	size_t got_kb = 0;

	for (size_t i = 0; i < pages; i++)
		memset(p + i * page_size, 0x6b, page_size);
	if (madvise(p, pages * page_size, MADV_MERGEABLE))
		die("madvise(MADV_MERGEABLE): %s", strerror(errno));
	for (int tries = 0; tries < 300; tries++) {
		got_kb = smaps_kb(p, "KSM:");
		if (got_kb == pages * page_size / 1024)
			break;
		usleep(50000);
	}
	if (got_kb != pages * page_size / 1024)
		die("KSM merged %zu of %zu kB in 15 s (is /sys/kernel/mm/ksm/run 1?)",
		    got_kb, pages * page_size / 1024);
	add_region("ksm", p, pages * page_size);
	enter_stub();
}

/* N hugetlb pages of 2 MiB (MAP_HUGETLB), written. Needs nr_hugepages. */
static void scenario_hugetlb(size_t n)
{
	size_t len = n * (2 << 20);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);

	if (p == MAP_FAILED)
		die("mmap MAP_HUGETLB %zu bytes: %s", len, strerror(errno));
	write_pages(p, len / page_size);
	add_region("hugetlb", p, len);
	enter_stub();
}

static void scenario_swap(size_t pages, size_t shm_pages, unsigned long k)
{
	char *anon, *shm = NULL;
	int tries;

	anon = map_or_die(pages * page_size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1);
	write_pages(anon, pages);
	if (shm_pages) {
		int fd = memfd_create("memhog-swap", 0);

		if (fd < 0)
			die("memfd_create: %s", strerror(errno));
		if (ftruncate(fd, (off_t)(shm_pages * page_size)))
			die("ftruncate: %s", strerror(errno));
		shm = map_or_die(shm_pages * page_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd);
		close(fd);
		write_pages(shm, shm_pages);
	}
	/* Only this process maps the pages now, so MADV_PAGEOUT takes them. */
	for (tries = 0; tries < 20; tries++) {
		if (madvise(anon, pages * page_size, MADV_PAGEOUT))
			die("madvise(MADV_PAGEOUT): %s", strerror(errno));
		if (shm && madvise(shm, shm_pages * page_size, MADV_PAGEOUT))
			die("madvise(MADV_PAGEOUT) memfd: %s", strerror(errno));
		if (count_swapped(anon, pages) == pages &&
		    (!shm || smaps_swap_pages(shm) == shm_pages))
			break;
		usleep(50000);
	}
	if (tries == 20)
		die("pages did not go to swap: %zu of %zu anon, %zu of %zu memfd swapped",
		    count_swapped(anon, pages), pages,
		    shm ? smaps_swap_pages(shm) : 0, shm_pages);
	add_region("swap", anon, pages * page_size);
	if (shm)
		add_region("swapmemfd", shm, shm_pages * page_size);
	/* Children get the parent's swap entries, and touch nothing. */
	for (unsigned long i = 0; i < k; i++)
		fork_child(idle_child, NULL);
	enter_stub();
}

/*
 * Not a stub: keeps changing its mappings forever, so its maps change under
 * any scan (a robustness target). Two patterns: regions mapped, written,
 * split by mprotect and unmapped; and, as ASan's allocator does, read-write
 * arenas that grow by mprotect inside PROT_NONE reservations, so a VMA's
 * end moves while its neighbour's start follows.
 */
static void scenario_churn(void)
{
	enum { SLOTS = 256, ARENAS = 16, ARENA_PAGES = 256 };
	char *slot[SLOTS] = { 0 };
	size_t len[SLOTS] = { 0 };
	char *arena[ARENAS];
	size_t grown[ARENAS] = { 0 };
	unsigned seed = (unsigned)getpid();

	for (int a = 0; a < ARENAS; a++) {
		arena[a] = mmap(NULL, ARENA_PAGES * page_size, PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (arena[a] == MAP_FAILED)
			die("mmap arena: %s", strerror(errno));
	}
	send_line("ready %d\n", (int)getpid());
	close(ready_fd);
	ready_fd = -1;
	for (;;) {
		unsigned i = (seed = seed * 1103515245u + 12345u) % SLOTS;
		unsigned a = (seed >> 16) % ARENAS;

		/* Grow an arena by a page, or drop it back to nothing. */
		if (grown[a] == ARENA_PAGES) {
			mprotect(arena[a], ARENA_PAGES * page_size, PROT_NONE);
			madvise(arena[a], ARENA_PAGES * page_size, MADV_DONTNEED);
			grown[a] = 0;
		} else {
			mprotect(arena[a], (grown[a] + 1) * page_size, PROT_READ | PROT_WRITE);
			write_pages(arena[a] + grown[a] * page_size, 1);
			grown[a]++;
		}
		if (slot[i]) {
			munmap(slot[i], len[i]);
			slot[i] = NULL;
			continue;
		}
		len[i] = (1 + (seed >> 8) % 16) * page_size;
		slot[i] = mmap(NULL, len[i], PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (slot[i] == MAP_FAILED) {
			slot[i] = NULL;
			continue;
		}
		write_pages(slot[i], len[i] / page_size);
		if (len[i] >= 4 * page_size) /* split it in three VMAs */
			mprotect(slot[i] + page_size, page_size, PROT_READ);
	}
}

/* ---- supervisor ---- */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void run_scenario(char **argv)
{
	const char *s = argv[0];

	if (!strcmp(s, "base"))
		enter_stub();
	else if (!strcmp(s, "anon"))
		scenario_anon(parse_ulong(argv[1], "PAGES"));
	else if (!strcmp(s, "zero"))
		scenario_zero(parse_ulong(argv[1], "PAGES"));
	else if (!strcmp(s, "cow"))
		scenario_cow(parse_ulong(argv[1], "PAGES"), parse_ulong(argv[2], "K"));
	else if (!strcmp(s, "file"))
		scenario_file(argv[1], parse_ulong(argv[2], "PAGES"),
			      parse_ulong(argv[3], "K"));
	else if (!strcmp(s, "memfd"))
		scenario_memfd(parse_ulong(argv[1], "PAGES"), parse_ulong(argv[2], "K"));
	else if (!strcmp(s, "noreserve"))
		scenario_noreserve(parse_ulong(argv[1], "GIB"));
	else if (!strcmp(s, "thp"))
		scenario_thp(parse_ulong(argv[1], "N"), parse_ulong(argv[2], "K"));
	else if (!strcmp(s, "ksm"))
		scenario_ksm(parse_ulong(argv[1], "PAGES"));
	else if (!strcmp(s, "hugetlb"))
		scenario_hugetlb(parse_ulong(argv[1], "N"));
	else if (!strcmp(s, "sparse"))
		scenario_sparse(parse_ulong(argv[1], "PAGES"), parse_ulong(argv[2], "STRIDE"));
	else if (!strcmp(s, "churn"))
		scenario_churn();
	else if (!strcmp(s, "swap"))
		scenario_swap(parse_ulong(argv[1], "PAGES"), parse_ulong(argv[2], "SHMPAGES"),
			      parse_ulong(argv[3], "K"));
	die("unknown scenario '%s'", s);
}

/* How many scenario processes argv makes, or 0 if argv is not valid. */
static unsigned long scenario_procs(int argc, char **argv)
{
	static const struct {
		const char *name;
		int nargs;
		int k_arg; /* index of K, 0 if none */
		int k_is_total;
	} table[] = {
		{ "base", 0, 0, 0 }, { "anon", 1, 0, 0 }, { "zero", 1, 0, 0 },
		{ "cow", 2, 2, 0 }, { "file", 3, 3, 1 }, { "memfd", 2, 2, 1 },
		{ "noreserve", 1, 0, 0 }, { "swap", 3, 3, 0 }, { "churn", 0, 0, 0 },
		{ "sparse", 2, 0, 0 }, { "thp", 2, 2, 0 }, { "ksm", 1, 0, 0 },
		{ "hugetlb", 1, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		unsigned long k;

		if (strcmp(argv[0], table[i].name))
			continue;
		if (argc != table[i].nargs + 1)
			return 0;
		for (int a = 1; a < argc; a++)
			if (!(table[i].name[0] == 'f' && a == 1))
				parse_ulong(argv[a], "number");
		if (!table[i].k_arg)
			return 1;
		k = parse_ulong(argv[table[i].k_arg], "K");
		if (table[i].k_is_total)
			return k >= 1 && k <= MAX_PROCS ? k : 0;
		return k + 1 <= MAX_PROCS ? k + 1 : 0;
	}
	return 0;
}

static void kill_scenario(pid_t pgid)
{
	kill(-pgid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	unsigned long timeout = 300, nprocs, nready = 0;
	long pids[MAX_PROCS];
	char buf[4096];
	size_t len = 0;
	struct sigaction sa;
	sigset_t mask, old;
	int pfd[2];
	pid_t root, sup = getpid();

	page_size = (size_t)sysconf(_SC_PAGESIZE);
	for (int i = 0; i < argc && saved_args_len < sizeof(saved_args) - 1; i++) {
		size_t n = strlen(argv[i]) + 1;

		if (n > sizeof(saved_args) - saved_args_len)
			break;
		memcpy(saved_args + saved_args_len, argv[i], n);
		saved_args_len += n;
	}

	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		timeout = parse_ulong(argv[2], "timeout");
		argc -= 2;
		argv += 2;
	}
	if (argc < 2 || !(nprocs = scenario_procs(argc - 1, argv + 1))) {
		fputs(usage_text, stderr);
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (pipe(pfd)) {
		perror("memhog: pipe");
		return 1;
	}
	alarm((unsigned)timeout);
	fflush(stdout);
	root = fork();
	if (root < 0) {
		perror("memhog: fork");
		return 1;
	}
	if (root == 0) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != sup)
			_exit(1);
		close(pfd[0]);
		ready_fd = pfd[1];
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			if (null > 2)
				close(null);
		}
		run_scenario(argv + 1);
		_exit(1);
	}
	setpgid(root, root);
	close(pfd[1]);

	/* Collect region and ready lines until every process is ready. */
	while (nready < nprocs && !got_signal) {
		ssize_t n = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		char *line, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "memhog: scenario ended before it was ready (%lu of %lu)\n",
				nready, nprocs);
			kill_scenario(root);
			return 1;
		}
		len += (size_t)n;
		buf[len] = 0;
		line = buf;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			if (!strncmp(line, "ready ", 6) && nready < nprocs) {
				pids[nready++] = strtol(line + 6, NULL, 10);
			} else if (!strncmp(line, "region ", 7)) {
				printf("%s\n", line);
			} else {
				fprintf(stderr, "memhog: %s\n", line);
				kill_scenario(root);
				return 1;
			}
			line = nl + 1;
		}
		len = strlen(line);
		memmove(buf, line, len + 1);
	}
	if (got_signal) {
		fprintf(stderr, "memhog: signal %d before ready\n", (int)got_signal);
		kill_scenario(root);
		return 1;
	}
	/* The scenario root first, then its children in the order they came. */
	printf("ready %ld", (long)root);
	for (unsigned long i = 0; i < nready; i++)
		if (pids[i] != root)
			printf(" %ld", pids[i]);
	printf("\n");
	fflush(stdout);

	/* Wait to be told to end; reap whatever exits meanwhile. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGALRM);
	sigprocmask(SIG_BLOCK, &mask, &old);
	while (!got_signal) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (!got_signal)
			sigsuspend(&old);
	}
	kill_scenario(root);
	return got_signal == SIGALRM ? 1 : 0;
}
