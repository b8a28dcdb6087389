/*
 * shmobj.h: what the kernel says about the shmem objects processes map,
 * as much as SPEC section 2.1 needs to tell which of them outlive a
 * process or group:
 *  - the link count of the file behind a mapping (fstat of
 *    /proc/PID/map_files/START-END): a tmpfs file with a name has links, a
 *    memfd, a deleted tmpfs file, a SysV segment and shared anonymous
 *    memory have none;
 *  - the SysV segments (/proc/sysvipc/shm, ipc/shm.c sysvipc_shm_proc_show):
 *    shmid, which the segment's inode number is (newseg), the mode with
 *    SHM_DEST once IPC_RMID was asked while attached, and the attach count;
 *  - the descriptors processes hold on the objects (/proc/PID/fd links,
 *    and the "ino:" line of /proc/PID/fdinfo/FD);
 *  - whether a process outside the scan maps them (its maps).
 * All of it is read only for the objects that need it (shmobj_collect),
 * and a snapshot keeps it in the text file "shmem" (shm_facts_format):
 *
 *   truemem-shmem 1
 *   link MAJ:MIN INO NLINK         an object's link count
 *   sysv SHMID MODE NATTCH         a SysV segment (MODE in octal)
 *   fd PID MAJ:MIN INO             a descriptor of PID on an object
 */
#ifndef TRUEMEM_SHMOBJ_H
#define TRUEMEM_SHMOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "shm_facts.h"
#include "util.h"

#define SHM_FACTS_FILE "shmem"
#define SHM_FACTS_HEADER "truemem-shmem 1\n"
/* Appends the "shmem" file text of f to b. */
void shm_facts_format(const struct shm_facts *f, struct buf *b);
/* Parses a "shmem" file into f (empty, initialised). Returns 0 or -EINVAL. */
int shm_facts_parse(const char *text, size_t len, struct shm_facts *f);
/* Parses /proc/sysvipc/shm text into f's SysV table. Returns 0 or -EINVAL. */
int shm_sysv_parse(const char *text, size_t len, struct shm_facts *f);

struct source;
/*
 * Reads the facts of the n objects w into f: their link counts, the SysV
 * table when one of them is a SysV segment, and, for those with no link,
 * the descriptors every process of all[] (the whole system) holds on
 * them and whether a process of outside[] maps them. A snapshot gives
 * what it kept. A SOURCE_WHOLE source (a recording) is handed the facts
 * (source_keep).
 * Returns 0, or -1 with err set (a damaged snapshot).
 */
int shmobj_collect(struct source *s, const struct shm_want *w, size_t n, const pid_t *all, size_t nall,
		   const pid_t *outside, size_t noutside, struct shm_facts *f, struct tm_error *err);

/*
 * The live reads behind shmobj_collect (src/source/shm_live.c), relative
 * to the source's /proc; each returns 0 or -errno (a vanished process is
 * -ENOENT or -ESRCH). None of them records into a capture.
 */
/* The link count of the file behind pid's mapping [start, end). */
int shm_live_nlink(struct source *s, pid_t pid, uint64_t start, uint64_t end, uint64_t *nlink);
/* /proc/sysvipc/shm into b (-ENOENT: no SysV IPC in this kernel). */
int shm_live_sysv(struct source *s, struct buf *b);
/*
 * Calls fn(ctx, fd, link) for each descriptor of pid whose link text
 * (readlink of /proc/PID/fd/FD) is the pathname of an object wanted,
 * i.e. when want(ctx, link) is true.
 */
int shm_live_fds(struct source *s, pid_t pid, bool (*want)(void *ctx, const char *link),
		 void (*fn)(void *ctx, int fd, const char *link), void *ctx);
/* The inode number of pid's descriptor fd (the "ino:" line of its fdinfo). */
int shm_live_fd_ino(struct source *s, pid_t pid, int fd, uint64_t *ino);

#endif
