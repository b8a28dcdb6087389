/*
 * churner: process churn for truemem's churn test (tests/churn/run.sh).
 *
 * `churner [--seconds S]` forks short-lived processes as fast as it can
 * for S seconds (default 60, at most 600), so a scan running beside it
 * keeps meeting processes that exit between being listed and being read:
 * /proc/PID gone, a pagemap or smaps that reads empty, an mm torn down
 * halfway through a walk. The children vary what a scanner finds when it
 * gets there: some exit at once, some first write a few anonymous pages
 * and live for up to a millisecond, some fork a grandchild and exit before
 * it (an orphan, reparented to churner as a child subreaper), and some
 * replace their image with exec(/bin/true).
 *
 * It prints "ready PID" once running and "forks N" when it stops. It
 * stops by itself after S seconds, on SIGTERM/SIGINT, or when its parent
 * dies (PR_SET_PDEATHSIG), and reaps every descendant first (each lives a
 * millisecond at most, and children die with churner: PR_SET_PDEATHSIG).
 * Kernel interfaces: fork(2), prctl(2) (PR_SET_CHILD_SUBREAPER,
 * PR_SET_PDEATHSIG), waitpid(2).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_LIVE 64   /* children alive at once: churn, not a fork bomb */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* What one child does before it exits; kind cycles through the four. */
static void child(unsigned long kind)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	switch (kind % 4) {
	case 0:
		break;
	case 1: {
		size_t len = (1 + kind % 16) * 4096;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct timespec ts = { 0, (long)(kind % 1000) * 1000 };

		if (p != MAP_FAILED)
			memset(p, 1, len);
		nanosleep(&ts, NULL);
		break;
	}
	case 2:
		if (fork() == 0) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
		}
		break;
	case 3:
		execl("/bin/true", "true", (char *)NULL);
		break;
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	double seconds = 60, end;
	unsigned long forks = 0;
	int live = 0;
	struct sigaction sa;

	if (argc == 3 && strcmp(argv[1], "--seconds") == 0)
		seconds = atof(argv[2]);
	else if (argc != 1) {
		fprintf(stderr, "usage: churner [--seconds S]\n");
		return 2;
	}
	if (!(seconds > 0 && seconds <= 600)) {
		fprintf(stderr, "churner: --seconds must be in (0, 600]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == 1)   /* the parent died before PR_SET_PDEATHSIG took */
		return 1;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	printf("ready %d\n", (int)getpid());
	fflush(stdout);
	end = now_s() + seconds;
	while (!stop && now_s() < end) {
		pid_t pid;

		/* Reap whatever has exited; block only when too many are alive. */
		while ((pid = waitpid(-1, NULL, live >= MAX_LIVE ? 0 : WNOHANG)) > 0)
			live--;
		if (live < 0)   /* reaped orphans are not counted when forked */
			live = 0;
		pid = fork();
		if (pid == 0)
			child(forks);
		if (pid < 0) {
			if (errno != EAGAIN && errno != ENOMEM)
				break;
			waitpid(-1, NULL, 0);
			continue;
		}
		forks++;
		live++;
	}
	/* Every descendant exits within a millisecond by itself: reap them all. */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	printf("forks %lu\n", forks);
	return 0;
}
