/*
 * shm_facts.h: the model of what the kernel says about shmem objects
 * (link counts, SysV segments, the descriptors held on them, whether a
 * process outside the scan maps them), as shmobj.h collects them and the
 * aggregator (fates.h) decides SPEC section 2.1 with them.
 */
#ifndef TRUEMEM_SHM_FACTS_H
#define TRUEMEM_SHM_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SHM_DEST_MODE 01000   /* include/linux/shm.h: SHM_DEST, in shm_perm.mode */

/* An object as a maps line names it: device and inode. */
struct shm_obj {
	unsigned major, minor;
	uint64_t ino;
};

struct shm_link {
	struct shm_obj obj;
	uint64_t nlink;
};

struct shm_sysv {
	uint64_t shmid;
	unsigned mode;
	uint64_t nattch;
};

struct shm_holder {
	pid_t pid;
	struct shm_obj obj;
};

struct shm_facts {
	bool have;                  /* read (a snapshot taken before they were kept has none) */
	struct shm_link *links;
	size_t nlinks, cap_links;
	struct shm_sysv *sysv;
	size_t nsysv, cap_sysv;
	struct shm_holder *holders;
	size_t nholders, cap_holders;
	struct shm_obj *outside;    /* objects a process outside the scan maps */
	size_t noutside, cap_outside;
};

void shm_facts_init(struct shm_facts *f);
void shm_facts_release(struct shm_facts *f);
/* The link count of o, or -1 when not known. */
int64_t shm_facts_nlink(const struct shm_facts *f, const struct shm_obj *o);
/* The SysV segment of that shmid, or NULL. */
const struct shm_sysv *shm_facts_sysv(const struct shm_facts *f, uint64_t shmid);
/*
 * The 64-bit key the aggregator knows an object by (account.h: shmem swap,
 * fates.h): from a mapping's device and inode.
 */
static inline uint64_t shm_obj_key(unsigned major, unsigned minor, uint64_t ino)
{
	return ((uint64_t)major << 52) ^ ((uint64_t)minor << 32) ^ ino;
}

/* Whether o is the same object as p. */
static inline bool shm_obj_eq(const struct shm_obj *o, const struct shm_obj *p)
{
	return o->ino == p->ino && o->major == p->major && o->minor == p->minor;
}

/* What the decision needs to know of one object, and one mapping to reach it through. */
struct shm_want {
	struct shm_obj obj;
	const char *name;          /* the maps pathname (borrowed) */
	pid_t pid;                 /* a process mapping it, and where */
	uint64_t start, end;
	bool sysv;                 /* named /SYSVkkkkkkkk: the SysV table decides */
};

#endif
