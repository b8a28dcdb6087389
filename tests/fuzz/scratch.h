/*
 * scratch.h: the scratch directory a fuzz harness writes its files in,
 * /dev/shm/SCRATCH.PID, removed at exit. The including file defines
 * SCRATCH (the directory name prefix) before including it; setup() also
 * opens `sink`, /dev/null, for the reports a harness prints.
 */
#ifndef TRUEMEM_FUZZ_SCRATCH_H
#define TRUEMEM_FUZZ_SCRATCH_H

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef SCRATCH
#error "define SCRATCH before including scratch.h"
#endif

static char base[64];
static FILE *sink;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) < 0)
		abort();
	return 0;
}

static void rm_tree(const char *path)
{
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		abort();
}

static void cleanup(void)
{
	if (base[0])
		rm_tree(base);
}

/*
 * The scratch directory is /dev/shm/SCRATCH.PID. A crash skips the atexit
 * cleanup, so the directories of runs that are gone are swept first.
 */
static void setup(void)
{
	DIR *d;
	struct dirent *de;

	if (base[0])
		return;
	if ((d = opendir("/dev/shm"))) {
		while ((de = readdir(d))) {
			char *end;
			long pid;

			if (strncmp(de->d_name, SCRATCH, strlen(SCRATCH)) != 0)
				continue;
			pid = strtol(de->d_name + strlen(SCRATCH), &end, 10);
			if (*end || pid <= 0 || (pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno != ESRCH)))
				continue;
			snprintf(base, sizeof(base), "/dev/shm/%s", de->d_name);
			rm_tree(base);
		}
		closedir(d);
	}
	snprintf(base, sizeof(base), "/dev/shm/" SCRATCH "%d", (int)getpid());
	if (mkdir(base, 0700) < 0)
		abort();
	atexit(cleanup);
	sink = fopen("/dev/null", "w");
	if (!sink)
		abort();
}

#endif
