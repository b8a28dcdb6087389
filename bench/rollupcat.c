/*
 * rollupcat: the benchmark's baseline, "a bare read of every smaps_rollup".
 *
 * Iterates /proc and reads each /proc/PID/smaps_rollup to the end with
 * read(2) into one reused buffer; nothing is parsed or printed. The kernel
 * walks every page table to produce that file, so this is the floor for any
 * tool that reports per-process PSS from the kernel's own accounting
 * (Documentation/filesystems/proc.rst, "smaps_rollup").
 *
 * Usage: rollupcat [-v]   (-v: print processes and bytes read on stderr)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char buf[64 * 1024];
	char path[sizeof(((struct dirent *)0)->d_name) + 32];
	long files = 0, bytes = 0;
	struct dirent *de;
	DIR *proc = opendir("/proc");

	if (!proc) {
		perror("rollupcat: /proc");
		return 1;
	}
	while ((de = readdir(proc))) {
		int fd;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/smaps_rollup", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* vanished, or a kernel thread's empty file */
		while ((n = read(fd, buf, sizeof(buf))) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			bytes += n;
		}
		close(fd);
		files++;
	}
	closedir(proc);
	if (argc > 1 && strcmp(argv[1], "-v") == 0)
		fprintf(stderr, "rollupcat: %ld files, %ld bytes\n", files, bytes);
	return 0;
}
