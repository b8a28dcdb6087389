/*
 * kpageflagscat: the census benchmark's baseline, "a bare kpageflags pass
 * over all RAM".
 *
 * Reads the top-level "System RAM" ranges of /proc/iomem, then every
 * frame's /proc/kpageflags word in those ranges with pread(2), 65536
 * frames (512 KiB) at a time into one reused buffer; nothing is looked at.
 * `truemem sys`'s census reads the same words and classifies them
 * (Documentation/admin-guide/mm/pagemap.rst).
 *
 * Usage: kpageflagscat [-v]   (-v: print frames read on stderr). Needs root.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define BATCH 65536

static uint64_t buf[BATCH];

/* Reads the flag words of frames [lo, hi). Returns the frames read, or -1. */
static long long read_range(int fd, uint64_t lo, uint64_t hi)
{
	long long frames = 0;

	for (uint64_t p = lo; p < hi;) {
		size_t n = hi - p < BATCH ? (size_t)(hi - p) : BATCH;
		ssize_t got = pread(fd, buf, n * 8, (off_t)(p * 8));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		frames += got / 8;
		p += (uint64_t)got / 8;
	}
	return frames;
}

int main(int argc, char **argv)
{
	char line[256];
	long long frames = 0, got;
	long page = sysconf(_SC_PAGESIZE);
	FILE *io = fopen("/proc/iomem", "r");
	int fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);

	if (!io || fd < 0) {
		perror("kpageflagscat: /proc/iomem or /proc/kpageflags");
		return 1;
	}
	while (fgets(line, sizeof(line), io)) {
		unsigned long long a, b;
		int used = 0;

		if (line[0] == ' ' || sscanf(line, "%llx-%llx : %n", &a, &b, &used) != 2 || !used ||
		    strcmp(line + used, "System RAM\n") || b <= a)
			continue;
		if ((got = read_range(fd, (a + page - 1) / page, (b + 1) / page)) < 0) {
			perror("kpageflagscat: /proc/kpageflags");
			return 1;
		}
		frames += got;
	}
	fclose(io);
	close(fd);
	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		fprintf(stderr, "kpageflagscat: %lld frames\n", frames);
	return 0;
}
