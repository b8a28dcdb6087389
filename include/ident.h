/*
 * ident.h: the model of a process's identity (pid, parents, user, names,
 * cgroup, start time, the mm it shares), as a source lists it (source.h)
 * and the scan, the aggregator and the views use it.
 */
#ifndef TRUEMEM_IDENT_H
#define TRUEMEM_IDENT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_ident {
	pid_t pid, ppid;
	uid_t uid;
	char user[33];      /* name for uid, or the number as text */
	char comm[64];
	char *cmdline;      /* owned; arguments joined by ' ', "" for none */
	char *exe;          /* owned; target of /proc/PID/exe, NULL when unknown */
	char *cgroup;       /* owned; cgroup v2 path ("0::" line), NULL when unknown */
	bool have_start;    /* start_ms is known (stat was read; a snapshot recorded it) */
	uint64_t start_ms;  /* start time, milliseconds after boot (stat field 22, starttime):
			       with pid, tells a reused pid from the process it replaced */
	int err;            /* 0, or -errno when the process could not be read */
	/*
	 * The lowest pid of the listing whose process shares this one's mm
	 * (CLONE_VM without CLONE_THREAD, SPEC 2.4), 0 when none: live from
	 * kcmp(2) where it answers, from a snapshot as its capture recorded.
	 */
	pid_t shares_mm_with;
	uint64_t mm_hint;   /* live: stat's startcode, endcode and startstack mixed; 0 unknown */
};
void proc_ident_release(struct proc_ident *id);

/*
 * The parts of a process's identity a caller wants read (pid, uid and
 * user always are). What is not wanted may be left empty: comm "", ppid 0,
 * cmdline "" (comm is read whenever the cmdline is empty), exe and cgroup
 * NULL. A snapshot and a capture always have all of it.
 */
enum ident_want {
	IDENT_STAT    = 1 << 0,   /* comm, ppid and start time */
	IDENT_CMDLINE = 1 << 1,
	IDENT_EXE     = 1 << 2,
	IDENT_CGROUP  = 1 << 3,
	IDENT_ALL     = IDENT_STAT | IDENT_CMDLINE | IDENT_EXE | IDENT_CGROUP,
};

#endif
