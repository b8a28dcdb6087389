/*
 * bigpages: a process holding memory of one of the kinds that sit apart
 * from base pages, for truemem's huge page and KSM tests.
 *
 *   bigpages thp MIB        MIB of MADV_HUGEPAGE anonymous memory, written
 *   bigpages hugetlb PAGES  PAGES 2 MiB MAP_HUGETLB pages, written
 *   bigpages ksm PAGES      PAGES MADV_MERGEABLE pages with identical contents
 *
 * It prints "ready PID 0xSTART 0xEND" once the region is populated and
 * sleeps until killed (at most --timeout seconds, default 120).
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_2M (2UL << 20)

static void *map_aligned(size_t len, size_t align)
{
	char *p = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + align - a);
	return (void *)a;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	size_t len;
	char *p;

	if (argc < 3 || n <= 0) {
		fprintf(stderr, "usage: bigpages thp MIB | hugetlb PAGES | ksm PAGES\n");
		return 2;
	}
	alarm(120);
	if (!strcmp(argv[1], "thp")) {
		len = (size_t)n << 20;
		if (!(p = map_aligned(len, HUGE_2M)) || madvise(p, len, MADV_HUGEPAGE) < 0)
			return perror("thp"), 1;
		memset(p, 0x5a, len);
	} else if (!strcmp(argv[1], "hugetlb")) {
		len = (size_t)n * HUGE_2M;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
		if (p == MAP_FAILED)
			return perror("hugetlb"), 1;
		memset(p, 0x5a, len);
	} else if (!strcmp(argv[1], "ksm")) {
		len = (size_t)n * 4096;
		if (!(p = map_aligned(len, 4096)))
			return perror("ksm"), 1;
		madvise(p, len, MADV_NOHUGEPAGE);
		memset(p, 0x5a, len);
		if (madvise(p, len, MADV_MERGEABLE) < 0)
			return perror("MADV_MERGEABLE"), 1;
	} else {
		fprintf(stderr, "bigpages: unknown kind '%s'\n", argv[1]);
		return 2;
	}
	printf("ready %d %p %p\n", (int)getpid(), (void *)p, (void *)(p + len));
	fflush(stdout);
	for (;;)
		pause();
}
