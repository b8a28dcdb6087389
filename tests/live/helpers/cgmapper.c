/*
 * cgmapper: a process of known memory for the live cgroup tests (the
 * frames it faults in are charged to its memory cgroup).
 *
 *   cgmapper [--anon PAGES] [--file PATH] [--timeout SECONDS]
 *
 * writes PAGES private anonymous pages, maps PATH whole (MAP_SHARED,
 * read only) and reads every page of it, then prints "ready" and sleeps
 * until killed, its parent dies or the timeout passes.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void die_msg(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned long anon = 0, timeout = 120;
	const char *path = NULL;
	volatile unsigned long sum = 0;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--anon"))
			anon = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--file"))
			path = argv[i + 1];
		else if (!strcmp(argv[i], "--timeout"))
			timeout = strtoul(argv[i + 1], NULL, 10);
		else {
			fprintf(stderr, "usage: cgmapper [--anon PAGES] [--file PATH] [--timeout SECONDS]\n");
			return 2;
		}
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (anon) {
		char *p = mmap(NULL, anon * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			die_msg("mmap anon");
		for (unsigned long k = 0; k < anon; k++)
			p[k * (size_t)page] = 1;
	}
	if (path) {
		struct stat st;
		int fd = open(path, O_RDONLY);
		const char *f;

		if (fd < 0 || fstat(fd, &st) < 0)
			die_msg(path);
		f = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		if (f == MAP_FAILED)
			die_msg("mmap file");
		for (off_t o = 0; o < st.st_size; o += page)
			sum += (unsigned char)f[o];
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	alarm((unsigned)timeout);
	for (;;)
		pause();
}
