/*
 * fateshog: a process whose memory meets each fate of SPEC section 2.1,
 * for truemem's live test `frees`.
 *
 * `fateshog SHMPATH DISKPATH` maps and writes (page counts in brackets):
 *   anon [16]       private anonymous memory                   frees
 *   memfd [8]       a memfd only it holds                      frees
 *   rmid [4]        a SysV segment marked IPC_RMID             frees
 *   named [2]       the tmpfs file SHMPATH (e.g. in /dev/shm)  stays
 *   sysv [3]        a SysV segment not marked                  stays
 *   held [5]        a memfd its child holds open, unmapped     stays
 *   disk [6]        the file DISKPATH, read through MAP_SHARED reclaimable
 * then forks the holder, which unmaps all of them and keeps only the held
 * memfd's descriptor. It prints
 *   region NAME 0xSTART 0xEND     (one line per region)
 *   ready OWNER HOLDER SHMID_RMID SHMID_KEPT
 * and sleeps until killed. On SIGTERM/SIGINT, or when its parent dies
 * (PR_SET_PDEATHSIG), it removes the kept segment and SHMPATH and exits;
 * the holder dies with it. The test removes them too, whatever happened.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

#define PAGE 4096

struct region {
	const char *name;
	size_t pages;
	char *p;
};

static int kept_id = -1;
static const char *shm_path;

static void die(const char *what)
{
	perror(what);
	if (kept_id >= 0)
		shmctl(kept_id, IPC_RMID, NULL);
	if (shm_path)
		unlink(shm_path);
	exit(1);
}

static void on_signal(int sig)
{
	if (kept_id >= 0)
		shmctl(kept_id, IPC_RMID, NULL);
	unlink(shm_path);
	_exit(0);
}

static char *map_fd(int fd, size_t pages, int prot)
{
	char *p = mmap(NULL, pages * PAGE, prot, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

static int memfd_of(const char *name, size_t pages)
{
	int fd = memfd_create(name, 0);

	if (fd < 0 || ftruncate(fd, (off_t)(pages * PAGE)) < 0)
		die("memfd");
	return fd;
}

static char *sysv(size_t pages, int *id)
{
	char *p;

	if ((*id = shmget(IPC_PRIVATE, pages * PAGE, IPC_CREAT | 0600)) < 0 || (p = shmat(*id, NULL, 0)) == (void *)-1)
		die("shmget");
	return p;
}

int main(int argc, char **argv)
{
	struct region r[] = { { "anon", 16, NULL }, { "memfd", 8, NULL }, { "rmid", 4, NULL }, { "named", 2, NULL },
			      { "sysv", 3, NULL }, { "held", 5, NULL }, { "disk", 6, NULL } };
	int rmid_id, fd, held, ready[2];
	pid_t holder;
	char byte = 0;
	volatile char sum = 0;

	if (argc != 3) {
		fputs("usage: fateshog SHMPATH DISKPATH\n", stderr);
		return 2;
	}
	shm_path = argv[1];
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* Between two PROT_NONE pages, so no neighbour merges into its mapping. */
	r[0].p = mmap(NULL, (r[0].pages + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r[0].p == MAP_FAILED || mprotect(r[0].p += PAGE, r[0].pages * PAGE, PROT_READ | PROT_WRITE) < 0)
		die("mmap");
	fd = memfd_of("fates-only", r[1].pages);
	r[1].p = map_fd(fd, r[1].pages, PROT_READ | PROT_WRITE);
	close(fd);
	r[2].p = sysv(r[2].pages, &rmid_id);
	if (shmctl(rmid_id, IPC_RMID, NULL) < 0)
		die("IPC_RMID");
	if ((fd = open(shm_path, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0 || ftruncate(fd, (off_t)(r[3].pages * PAGE)) < 0)
		die(shm_path);
	r[3].p = map_fd(fd, r[3].pages, PROT_READ | PROT_WRITE);
	close(fd);
	r[4].p = sysv(r[4].pages, &kept_id);
	held = memfd_of("fates-held", r[5].pages);
	r[5].p = map_fd(held, r[5].pages, PROT_READ | PROT_WRITE);
	for (int i = 0; i < 6; i++)
		memset(r[i].p, 1, r[i].pages * PAGE);
	if ((fd = open(argv[2], O_RDONLY)) < 0)
		die(argv[2]);
	r[6].p = map_fd(fd, r[6].pages, PROT_READ);
	close(fd);
	for (size_t off = 0; off < r[6].pages * PAGE; off += PAGE)
		sum += r[6].p[off];
	fflush(stdout);
	if (pipe(ready) < 0 || (holder = fork()) < 0)
		die("fork");
	if (holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 0; i < 7; i++) {
			if (i == 2 || i == 4)
				shmdt(r[i].p);
			else
				munmap(r[i].p, r[i].pages * PAGE);
		}
		if (write(ready[1], &byte, 1) != 1)
			_exit(1);
		for (;;)
			pause();   /* keeps `held` open */
	}
	close(held);
	if (read(ready[0], &byte, 1) != 1)   /* the holder has let go of all but `held` */
		die("holder");
	for (int i = 0; i < 7; i++)
		printf("region %s %p %p\n", r[i].name, (void *)r[i].p, (void *)(r[i].p + r[i].pages * PAGE));
	printf("ready %d %d %d %d\n", (int)getpid(), (int)holder, rmid_id, kept_id);
	fflush(stdout);
	for (;;)
		pause();
}
