/*
 * kprobe: the kernel behaviours the test suites depend on that only a
 * process can find out, for tests/probe.sh.
 *
 *   kprobe
 *
 * Prints one `key: yes|no` line each:
 *   zero_page     read faults on private anonymous memory map the shared
 *                 zero page (16 pages read, then the mapping's Rss in
 *                 /proc/self/smaps: 0 kB when they map the zero page; a
 *                 kernel booted with pvm_no_zero_page=1, or one whose
 *                 zero page is otherwise off, gives them real pages)
 *   pagemap_scan  the PAGEMAP_SCAN ioctl on /proc/self/pagemap (Linux 6.7+)
 *                 answers for one present page
 *   kcmp          kcmp(2) KCMP_VM answers (this process against itself)
 * Needs no privilege. Kernel interfaces: mmap(2), madvise(2), ioctl(2),
 * /proc/self/smaps, /proc/self/pagemap.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

#define ZERO_PAGES 16

/* The Rss (kB) of the mapping starting at START in /proc/self/smaps, -1 if none. */
static long smaps_rss_kb(uintptr_t start)
{
	char line[512];
	FILE *f = fopen("/proc/self/smaps", "r");
	long rss = -1;
	int here = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		long kb;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') < strchr(line, ' '))
			here = lo == start;
		else if (here && sscanf(line, "Rss: %ld kB", &kb) == 1) {
			rss = kb;
			break;
		}
	}
	fclose(f);
	return rss;
}

static const char *zero_page(size_t page)
{
	volatile char *p = mmap(NULL, ZERO_PAGES * page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char sum = 0;
	long rss;

	if (p == MAP_FAILED)
		return "unknown";
	madvise((void *)p, ZERO_PAGES * page, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < ZERO_PAGES; i++)
		sum += p[i * page];
	rss = smaps_rss_kb((uintptr_t)p);
	munmap((void *)p, ZERO_PAGES * page);
	if (sum != 0 || rss < 0)
		return "unknown";
	return rss == 0 ? "yes" : "no";
}

static const char *pagemap_scan(size_t page)
{
	static volatile char one[1] = { 1 };
	uintptr_t start = (uintptr_t)one / page * page;
	struct pm_page_region reg;
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = start, .end = start + page,
		.vec = (uintptr_t)&reg, .vec_len = 1,
		.category_anyof_mask = PAGE_IS_PRESENT,
		.return_mask = PAGE_IS_PRESENT,
	};
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int got;

	if (fd < 0)
		return "unknown";
	one[0]++;
	got = ioctl(fd, TM_PAGEMAP_SCAN, &arg);
	close(fd);
	return got == 1 ? "yes" : "no";
}

int main(int argc, char **argv)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: kprobe\n");
		return 2;
	}
	printf("zero_page: %s\n", zero_page(page));
	printf("pagemap_scan: %s\n", pagemap_scan(page));
	printf("kcmp: %s\n", syscall(SYS_kcmp, getpid(), getpid(), 1 /* KCMP_VM */, 0, 0) == 0 ? "yes" : "no");
	return 0;
}
