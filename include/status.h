/*
 * status.h: /proc/PID/status (proc(5)), the identity fields truemem reads from it
 * (snapshots, and top watching own-memory counters), /proc/PID/statm and
 * /proc/meminfo.
 */
#ifndef TRUEMEM_STATUS_H
#define TRUEMEM_STATUS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "meminfo.h"

struct proc_status {
	char name[64];       /* Name:, as the kernel escapes it */
	pid_t pid, ppid;     /* Pid:, PPid: */
	uid_t uid;           /* first (real) field of Uid: */
	uint64_t vm_swap_kb; /* VmSwap:, 0 when absent */
	uint64_t rss_file_kb, rss_shmem_kb, rss_anon_kb;
	int kernel_thread;   /* 1 when the Kthread: field says so, or no VmSize (no mm) */
};

/* Returns 0, or -EINVAL when Pid, PPid or Uid is missing or malformed. */
int status_parse(const char *text, size_t len, struct proc_status *out);

/*
 * The resident pages of /proc/PID/statm ("size resident shared text lib
 * data dt", in pages; world-readable, as top's RES). Returns 0 or -EINVAL.
 */
int statm_parse(const char *text, size_t len, uint64_t *resident_pages);

/* Parses "Key:   N kB" (or unitless counts such as HugePages_Total). Returns 0 or -EINVAL. */
int meminfo_parse(const char *text, size_t len, struct meminfo *out);

#endif
