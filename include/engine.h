/*
 * engine.h: the paging engine behind `truemem sim` (SPEC section 5): a
 * simulated memory manager driven by a scenario, which writes a snapshot
 * in the capture format (snapshot.h) and the ground truth (truth.h).
 *
 * The operations below are the scenario commands; each returns 0, or -1
 * with err saying why (without the "FILE:LINE: " prefix, which the
 * scenario runner adds). The state after a failed operation is consistent
 * but the operation may have been partly done (e.g. swapout stopped by a
 * full swap device). The machinery is in engine_mm.h.
 */
#ifndef TRUEMEM_ENGINE_H
#define TRUEMEM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "truth.h"

struct engine;

/* RAM and swap a scenario gets when it does not say (`ram`, `swap`). */
#define ENGINE_DEFAULT_RAM_BYTES  (UINT64_C(256) << 20)
#define ENGINE_DEFAULT_SWAP_BYTES UINT64_C(0)
/* Bounds on `ram` and `swap`: frames and slots are numbered in 32 bits. */
#define ENGINE_MIN_RAM_BYTES      (UINT64_C(64) << 10)
#define ENGINE_MAX_RAM_BYTES      (UINT64_C(4) << 40)

/* MAP_ANON_HUGE: private anonymous, 2 MiB aligned, PMD-mapped when written 2 MiB at a time. */
enum engine_map_kind { MAP_ANON_PRIVATE, MAP_ANON_SHARED, MAP_FILE_PRIVATE, MAP_FILE_SHARED, MAP_SHMEM, MAP_TMPFS,
		       MAP_ANON_HUGE };

/* A new engine with no processes (caller frees with engine_free). */
struct engine *engine_new(void);
/* Frees e and everything it holds (NULL is fine). */
void engine_free(struct engine *e);
/* Sends --trace events to out (NULL: none). out is borrowed. */
void engine_set_trace(struct engine *e, FILE *out);

/* `ram BYTES`, `swap BYTES`: only before the first spawn. */
int engine_set_ram(struct engine *e, uint64_t bytes, struct tm_error *err);
int engine_set_swap(struct engine *e, uint64_t bytes, struct tm_error *err);
/*
 * `spawn PID NAME [uid=N] [cgroup=PATH]`: parent PID 1; cgroup is PATH (a
 * cgroup that exists), or NULL for /sim.slice/NAME.service (made when absent).
 */
int engine_spawn(struct engine *e, pid_t pid, const char *name, uid_t uid, const char *cgroup,
		 struct tm_error *err);
/* `cgroup PATH`: makes the memory cgroup PATH and its missing parents (an existing one is fine). */
int engine_cgroup(struct engine *e, const char *path, struct tm_error *err);
/* `move PID PATH`: pid joins cgroup PATH (which exists); what it charged stays charged where it is. */
int engine_move(struct engine *e, pid_t pid, const char *path, struct tm_error *err);
/* `mmap`: object is the PATH or NAME (NULL for anon); offset_bytes for files. */
int engine_mmap(struct engine *e, pid_t pid, const char *region, enum engine_map_kind kind,
		const char *object, uint64_t size_bytes, uint64_t offset_bytes, struct tm_error *err);
/* `touch`: length_bytes 0 means to the end of the region. */
int engine_touch(struct engine *e, pid_t pid, const char *region, bool write,
		 uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err);
int engine_fork(struct engine *e, pid_t parent, pid_t child, struct tm_error *err);
int engine_exit(struct engine *e, pid_t pid, struct tm_error *err);
int engine_munmap(struct engine *e, pid_t pid, const char *region, struct tm_error *err);
/*
 * `open PID OBJECT`: a descriptor on the tmpfs file OBJECT (a path: it
 * starts with '/', created when absent) or the shmem object NAME (created
 * when absent, as memfd_create does). `close PID OBJECT` closes one of
 * pid's descriptors on it. `unlink PATH`: the tmpfs file loses its name.
 */
int engine_open(struct engine *e, pid_t pid, const char *object, struct tm_error *err);
int engine_close(struct engine *e, pid_t pid, const char *object, struct tm_error *err);
int engine_unlink(struct engine *e, const char *path, struct tm_error *err);
/* `swapout`: length_bytes 0 means to the end of the region. */
int engine_swapout(struct engine *e, pid_t pid, const char *region,
		   uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err);
/*
 * `guard`: MADV_GUARD_INSTALL over the range (length_bytes 0: to the
 * region's end): its pages are unmapped (anonymous ones freed, swap slots
 * dropped) and each entry becomes a guard marker, which fork copies and a
 * touch faults on (an error).
 */
int engine_guard(struct engine *e, pid_t pid, const char *region,
		 uint64_t offset_bytes, uint64_t length_bytes, struct tm_error *err);
/* `reclaim PAGES`: runs the reclaim policy until pages frames are free. */
int engine_reclaim(struct engine *e, uint64_t pages, struct tm_error *err);

/* Free RAM frames, RAM frames, and swap slots in use (for tests and meminfo). */
uint64_t engine_free_pages(const struct engine *e);
uint64_t engine_ram_pages(const struct engine *e);
uint64_t engine_swap_used_pages(const struct engine *e);

/*
 * Runs the scenario text (len bytes; name is used in messages). Stops at
 * the first error: returns -1 with err "NAME:LINE: what". Returns 0.
 */
int scenario_run(struct engine *e, const char *name, const char *text, size_t len, struct tm_error *err);
/* Reads the file path and runs it. Returns 0, or -1 with err set. */
int scenario_run_file(struct engine *e, const char *path, struct tm_error *err);

/*
 * Checks the engine's bookkeeping from scratch (mapcounts against page
 * tables, slot references against holders, swap cache links, rmap
 * placement, counters). Returns 0, or -1 with err naming the first
 * inconsistency. For tests; it walks everything.
 */
int engine_check(const struct engine *e, struct tm_error *err);

/* Fills t (truth_init'ed by the caller) with the engine's numbers. */
void engine_truth(const struct engine *e, struct truth *t);
/* Writes the snapshot of the engine's state into dir (created). Returns 0 or -1 with err. */
int engine_emit(const struct engine *e, const char *dir, struct tm_error *err);

#endif
