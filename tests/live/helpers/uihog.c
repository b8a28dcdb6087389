/*
 * uihog: a process of known memory and chosen name, for the tmux tests of
 * `truemem top` (tests/ui/run.sh).
 *
 *   uihog MIB NAME [SECONDS [PADDING...]]
 *
 * Maps MIB MiB of private anonymous memory (MADV_NOHUGEPAGE, so it is base
 * pages as the figures expect) and writes every page, sets its comm to NAME
 * with prctl(PR_SET_NAME) (NAME may hold escape sequences: that is the
 * point), prints "ready PID" and sleeps until killed, until SECONDS (default
 * 120) have passed, or until its parent dies (PR_SET_PDEATHSIG), so it never
 * outlives the test that started it. PADDING arguments are ignored: they
 * make the command line as long as a test needs. Kernel interfaces: mmap(2),
 * madvise(2), prctl(2).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	size_t len;
	char *p;
	unsigned secs = 120;

	if (argc < 3) {
		fprintf(stderr, "usage: uihog MIB NAME [SECONDS [PADDING...]]\n");
		return 2;
	}
	len = (size_t)strtoul(argv[1], NULL, 10) << 20;
	if (argc >= 4)
		secs = (unsigned)strtoul(argv[3], NULL, 10);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || prctl(PR_SET_NAME, argv[2]) != 0) {
		perror("uihog: prctl");
		return 1;
	}
	if (len) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("uihog: mmap");
			return 1;
		}
		madvise(p, len, MADV_NOHUGEPAGE);
		memset(p, 0x5a, len);
	}
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	alarm(secs);
	for (;;)
		pause();
}
