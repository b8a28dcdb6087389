/*
 * engine_mm.h: the paging engine's memory-manager state, shared by the
 * files of src/engine/ (and readable by its tests). engine.h is the API;
 * this header is the machine behind it.
 *
 * The model follows Linux (mm/memory.c, mm/rmap.c, mm/swapfile.c):
 *
 *  - physical frames (frame.c): one small struct per page frame with its
 *    mapcount (page-table entries mapping it), kind and flags; pfn = index.
 *    pfn 0 is never used, pfn 1 is the shared zero page (outside RAM), RAM
 *    frames start at pfn 2.
 *  - page tables (pgtable.c): x86-64 style 4-level radix trees, 9 bits a
 *    level, 512 entries a table, indexed by virtual page number. The same
 *    tree keys a file's or shmem object's pages by page offset.
 *  - objects (object.c): a file's page cache (by PATH), a shmem/memfd
 *    object (by NAME), a tmpfs file (by PATH, while it has a name) or the
 *    shmem object behind a shared anonymous mapping (one per mmap,
 *    inherited by fork). Processes hold descriptors on shmem objects and
 *    tmpfs files (fd.c).
 *  - VMAs and anon groups (vma.c): a mapping of a process; private
 *    mappings belong to an anon group (Linux's anon_vma, flattened to the
 *    whole fork family), which is how an anonymous frame finds every page
 *    table that maps it (rmap).
 *  - swap (swap.c): slots with reference counts (PTEs holding the slot, or
 *    1 for a shmem object's page) and a swap cache slot -> frame.
 */
#ifndef TRUEMEM_ENGINE_MM_H
#define TRUEMEM_ENGINE_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "counts.h"
#include "error.h"

#define ENG_PAGE_SHIFT 12
#define ENG_PAGE_SIZE  (UINT64_C(1) << ENG_PAGE_SHIFT)
/* User address space: 47 bits, as x86-64 with 4-level tables. */
#define ENG_VA_BITS    47
#define ENG_VA_LIMIT   (UINT64_C(1) << ENG_VA_BITS)
/* Where a process's first mapping goes; each next one follows after a one-page gap. */
#define ENG_MMAP_BASE  UINT64_C(0x10000000)

/* ---- a vector of u32 ids ---- */
struct u32vec {
	uint32_t *v;
	uint32_t n, cap;
};
/* Appends x. */
void u32vec_push(struct u32vec *vec, uint32_t x);
/* Removes the first x (order not kept). Returns false when x is absent. */
bool u32vec_remove(struct u32vec *vec, uint32_t x);
/* Frees the array; vec is empty again. */
void u32vec_release(struct u32vec *vec);

/* ---- page tables (pgtable.c) ---- */
#define PT_BITS    9
#define PT_ENTRIES (1u << PT_BITS)
#define PT_LEVELS  4

/*
 * Entry encoding (engine-internal, x86-64 flavoured):
 *   0                       none
 *   bit 0 set               present: frame number in bits 12-51
 *   bit 0 clear, bit 1 set  swap entry: swap type 0, slot in bits 12-51
 *   bit 2 with bit 0        one of the 512 entries of a PMD-mapped huge page
 *                           (a 2 MiB block of 512 frames, pfn 512-aligned)
 *   bit 3 alone             a guard marker (MADV_GUARD_INSTALL): no page, no swap
 */
#define PTE_PRESENT   UINT64_C(1)
#define PTE_SWAP      UINT64_C(2)
#define PTE_PMD       UINT64_C(4)
#define PTE_GUARD     UINT64_C(8)
#define PMD_PAGES     PT_ENTRIES
#define PTE_NUM_SHIFT 12

static inline uint64_t pte_mk_present(uint32_t pfn) { return ((uint64_t)pfn << PTE_NUM_SHIFT) | PTE_PRESENT; }
static inline uint64_t pte_mk_swap(uint32_t slot) { return ((uint64_t)slot << PTE_NUM_SHIFT) | PTE_SWAP; }
static inline bool pte_present(uint64_t e) { return e & PTE_PRESENT; }
static inline bool pte_swapped(uint64_t e) { return !(e & PTE_PRESENT) && (e & PTE_SWAP); }
static inline bool pte_guard(uint64_t e) { return e == PTE_GUARD; }
static inline uint32_t pte_pfn(uint64_t e) { return (uint32_t)(e >> PTE_NUM_SHIFT); }
static inline uint32_t pte_slot(uint64_t e) { return (uint32_t)(e >> PTE_NUM_SHIFT); }

struct pgtable {
	void *root;        /* top-level table, NULL while empty */
	size_t ntables;    /* 512-entry tables allocated, all levels */
};
/* An empty table: nothing allocated until the first pgtable_slot(). */
void pgtable_init(struct pgtable *pt);
/* Frees every table (the entries must have been dropped by the caller). */
void pgtable_release(struct pgtable *pt);
/* The entry at index (virtual page number or page offset), 0 when no table covers it. */
uint64_t pgtable_get(const struct pgtable *pt, uint64_t index);
/* A pointer to the entry at index, allocating the tables on the way. */
uint64_t *pgtable_slot(struct pgtable *pt, uint64_t index);
/* A pointer to the entry at index, or NULL when no table covers it. */
uint64_t *pgtable_find(const struct pgtable *pt, uint64_t index);
/*
 * The first non-zero entry at an index in [*index, end): returns a pointer
 * to it and sets *index, or NULL when there is none. Skips absent tables.
 */
uint64_t *pgtable_next(const struct pgtable *pt, uint64_t *index, uint64_t end);

/* ---- physical frames (frame.c) ---- */
enum frame_kind { FRAME_FREE, FRAME_ZERO, FRAME_ANON, FRAME_FILE, FRAME_SHMEM, FRAME_KINDS };
enum {
	FRAME_REFERENCED = 1 << 0,   /* accessed since the clock hand last passed */
	FRAME_DIRTY      = 1 << 1,   /* written (anon pages always are) */
	FRAME_THP        = 1 << 2,   /* one of the 512 frames of a transparent huge page */
};
#define FRAME_ZERO_PFN  1u
#define FRAME_FIRST_PFN 2u

struct frame {
	uint32_t mapcount;    /* page-table entries mapping this frame */
	uint32_t owner;       /* anon: anon group id; file/shmem: object id; free: next free pfn */
	uint64_t index;       /* anon: virtual page number; file/shmem: page offset in the object */
	uint32_t swap_slot;   /* swap cache: the slot this frame is a copy of, 0 none */
	uint8_t kind;         /* enum frame_kind */
	uint8_t flags;        /* FRAME_* */
	uint16_t memcg;       /* the cgroup id it is charged to (cgroup.c), 0 none */
};

struct frame_table {
	struct frame *f;      /* indexed by pfn */
	uint32_t n;           /* pfns handed out so far (highest + 1) */
	size_t cap;
	uint32_t ram_pages;   /* RAM frames */
	uint32_t used;        /* RAM frames allocated */
	uint32_t free_head;   /* freed frames, linked through owner; 0 = none */
	uint32_t hand;        /* reclaim clock hand (a pfn) */
	uint32_t nkind[FRAME_KINDS];
};
/* A frame table of ram_pages RAM frames, all free, plus the zero page. */
void frames_init(struct frame_table *ft, uint32_t ram_pages);
/* Frees the table. */
void frames_release(struct frame_table *ft);
/* RAM frames not allocated. */
static inline uint32_t frames_free(const struct frame_table *ft) { return ft->ram_pages - ft->used; }
/* Takes a free frame (there must be one: callers reclaim first) and returns its pfn. */
uint32_t frame_alloc(struct frame_table *ft, enum frame_kind kind, uint32_t owner, uint64_t index);
/*
 * Takes PMD_PAGES free frames in a row, the first on a PMD_PAGES boundary,
 * from RAM never handed out (the frames skipped to align go to the free
 * list). Returns the first pfn, or 0 when RAM has no such run left.
 */
uint32_t frame_alloc_block(struct frame_table *ft, enum frame_kind kind, uint32_t owner, uint64_t index);
/* Returns a frame to the free list (mapcount 0, not in the swap cache). */
void frame_free(struct frame_table *ft, uint32_t pfn);

/* ---- swap device (swap.c) ---- */
struct swap_dev {
	uint32_t nslots;      /* usable slots are 1..nslots (slot 0 is the header) */
	uint32_t *refs;       /* references to each slot, 0 = free */
	uint32_t *cache;      /* swap cache: pfn holding the slot's data, 0 none */
	uint16_t *memcg;      /* the cgroup a slot without a swap-cache frame is charged to */
	uint32_t used;
	uint32_t hint;        /* next-fit search start */
};
/* A swap device of nslots free slots (0: no swap). */
void swap_init(struct swap_dev *sd, uint32_t nslots);
/* Frees the slot tables. */
void swap_release(struct swap_dev *sd);
/* Allocates a slot with refs references. Returns the slot, or 0 when the device is full. */
uint32_t swap_alloc(struct swap_dev *sd, uint32_t refs);
/* Drops one reference; returns true when that freed the slot (its cache link is cleared). */
bool swap_put(struct swap_dev *sd, uint32_t slot);

/* ---- objects: page caches and shmem (object.c) ---- */
enum obj_kind { OBJ_FILE, OBJ_SHMEM, OBJ_ANON_SHARED, OBJ_TMPFS };
struct eng_object {
	uint8_t kind;          /* enum obj_kind */
	bool live;
	bool linked;           /* tmpfs: the file still has its name (until `unlink`) */
	uint32_t nfds;         /* descriptors on it, over all processes */
	char *name;            /* PATH or NAME; NULL for shared anon */
	uint64_t ino;
	struct pgtable pages;  /* page offset -> present frame or (shmem) swap entry */
	struct u32vec vmas;    /* mappings of this object (i_mmap) */
	uint64_t resident_pages, swapped_pages;
};

/* ---- memory cgroups (cgroup.c) ---- */
#define CG_ROOT     1u               /* the root cgroup's id */
#define CG_MAX      UINT16_MAX       /* ids fit a frame's 16-bit memcg field */
#define CG_INO_ROOT 1u               /* the fake inodes: the root's is 1, as on cgroup2 */
#define CG_INO_BASE 300000u          /* the others' 300000 + id */

struct eng_cgroup {
	char *path;            /* "/" or "/A/B" */
	uint32_t parent;       /* parent id, 0 for the root */
	uint32_t depth;        /* 0 for the root */
	uint64_t ino;          /* what kpagecgroup and the snapshot name it by */
};

/* ---- VMAs, anon groups, processes (vma.c, proc.c) ---- */
enum vma_type { VMA_ANON_PRIVATE, VMA_ANON_SHARED, VMA_FILE_PRIVATE, VMA_FILE_SHARED, VMA_SHMEM };
static inline bool vma_type_shared(int t) { return t == VMA_ANON_SHARED || t == VMA_FILE_SHARED || t == VMA_SHMEM; }

struct eng_vma {
	uint64_t start, end;   /* bytes, page aligned */
	uint64_t pgoff;        /* object page offset at start */
	uint32_t proc;         /* index into engine.procs */
	uint32_t object;       /* object id, 0 for private anon */
	uint32_t anon;         /* anon group id (private mappings), 0 otherwise */
	uint8_t type;          /* enum vma_type */
	bool huge;             /* `huge`: 2 MiB aligned, written 2 MiB at a time it is PMD-mapped */
	bool live;
	char *region;          /* the scenario's REGION name */
};

struct anon_group {
	struct u32vec vmas;    /* every private VMA of the fork family */
	bool live;
};

struct eng_proc {
	pid_t pid, ppid;
	uid_t uid;
	uint32_t cgroup;       /* cgroup id (cgroup.c) */
	bool live;
	char *name;
	uint64_t start_ms;     /* start time after boot: deterministic, by creation order */
	struct pgtable pt;
	struct u32vec vmas;    /* VMA ids, ascending by address */
	struct u32vec fds;     /* object ids of its descriptors, one entry each */
	uint64_t next_addr;    /* where the next mmap goes */
};

struct engine {
	struct frame_table frames;
	struct swap_dev swap;
	uint64_t ram_bytes, swap_bytes;
	bool sized;            /* frames and swap set up (first spawn) */

	struct eng_object *objs;   /* id 0 unused */
	uint32_t nobjs;
	size_t cap_objs;
	uint32_t *obj_hash;        /* open addressing over named objects: id or 0 */
	uint32_t obj_hash_cap, obj_hash_n;

	struct eng_vma *vmas;      /* id 0 unused */
	uint32_t nvmas, free_vma;
	size_t cap_vmas;
	struct anon_group *anons;  /* id 0 unused */
	uint32_t nanons, free_anon;
	size_t cap_anons;

	struct eng_proc *procs;    /* in spawn order; dead ones stay with live = false */
	uint32_t nprocs;
	size_t cap_procs;
	uint32_t *pid_hash;        /* open addressing: proc index + 1, or 0 */
	uint32_t pid_hash_cap;

	struct eng_cgroup *cgs;    /* id 0 unused, CG_ROOT the root */
	uint32_t ncgs;
	size_t cap_cgs;

	FILE *trace;               /* --trace output, or NULL */
	uint64_t stat_faults, stat_cow, stat_swapouts, stat_swapins;
};

/* ---- object.c ---- */
/* The object of kind named name, created when absent. Returns its id. */
uint32_t object_get(struct engine *e, enum obj_kind kind, const char *name);
/* The live object of kind named name (a tmpfs file only while it has the name), or 0. */
uint32_t object_find(const struct engine *e, enum obj_kind kind, const char *name);
/* Whether object id lives on without the processes of member[] (indexed by process): see fd.c. */
bool object_outlives(const struct engine *e, uint32_t id, const bool *member);
/* A new anonymous shared-memory object (shared anon mapping). Returns its id. */
uint32_t object_new_anon(struct engine *e);
/*
 * Frees a shmem object's frames and swap slots once nothing refers to it:
 * no VMA, no descriptor and, for a tmpfs file, no name (file page caches stay).
 */
void object_maybe_free(struct engine *e, uint32_t id);
/* Frees every object and the name hash (engine_free). */
void objects_release(struct engine *e);

/* ---- cgroup.c ---- */
/* The root cgroup alone (engine_new); frees the table (engine_free). */
void cg_table_init(struct engine *e);
void cg_table_release(struct engine *e);
/* The id of the cgroup path, 0 when it does not exist. */
uint32_t cg_find(const struct engine *e, const char *path);
/* Whether cgroup id is ancestor or one of its descendants (id 0: no). */
bool cg_within(const struct engine *e, uint32_t id, uint32_t ancestor);
/*
 * The cgroup of a process spawned as name into path (NULL: the default
 * /sim.slice/NAME.service, made when absent; else it must exist). Returns
 * 0 with *id set, or -1 with err.
 */
int proc_cgroup_for_spawn(struct engine *e, const char *name, const char *path, uint32_t *id,
			  struct tm_error *err);
/* Charges the npages frames from pfn to p's cgroup (the faulting process). */
void frame_charge(struct engine *e, uint32_t pfn, uint32_t npages, const struct eng_proc *p);
/* Takes swap-cache frame f out of the swap cache; its slot, which lives on, takes f's charge. */
void swap_cache_drop(struct engine *e, struct frame *f);
/* What a cgroup (and, summed, its descendants) is charged, in pages. */
struct cg_tally {
	uint64_t charged[FRAME_KINDS];    /* frames by kind (FRAME_ANON, FILE, SHMEM) */
	uint64_t unmapped[FRAME_KINDS];   /* of those, mapped by no page table */
	uint64_t swap;                    /* swap slots (memory.swap.current) */
};
/* What each cgroup itself is charged, indexed by id (ncgs entries; the caller frees). */
struct cg_tally *cg_tally_take(const struct engine *e);
/* Adds each cgroup's tally into its ancestors': t then holds subtrees. */
void cg_tally_subtrees(const struct engine *e, struct cg_tally *t);
/* All the frames of t (memory.current, in pages), and those a page table maps. */
uint64_t cg_tally_charged(const struct cg_tally *t);
uint64_t cg_tally_mapped(const struct cg_tally *t);

/* ---- vma.c ---- */
/* A zeroed, live VMA slot (may move e->vmas). Returns its id. */
uint32_t vma_new(struct engine *e);
/* Removes VMA id from its process, object and anon group lists and frees it (PTEs already dropped). */
void vma_unlink(struct engine *e, uint32_t id);
/* A new, empty anon group (may move e->anons). Returns its id. */
uint32_t anon_group_new(struct engine *e);
/* The live VMA of process p named region, or 0. */
uint32_t vma_find_region(const struct engine *e, const struct eng_proc *p, const char *region);
/* Drops every PTE of VMA id: frames and swap slots that lose their last reference are freed. */
void vma_zap(struct engine *e, uint32_t id);
/* Frees every VMA and anon group (engine_free). */
void vmas_release(struct engine *e);
/*
 * Resolves `PID REGION [OFFSET [LENGTH]]` (length 0: to the region's end)
 * to the VMA and the page-aligned byte range [*start, *end). Returns 0 or
 * -1 with err (unknown pid or region, range outside the region).
 */
int vma_range(struct engine *e, pid_t pid, const char *region, uint64_t offset_bytes,
	      uint64_t length_bytes, uint32_t *vid, uint64_t *start, uint64_t *end, struct tm_error *err);

/* ---- fd.c ---- */
/* Copies parent's descriptors to child (fork). */
void fds_fork(struct engine *e, struct eng_proc *parent, struct eng_proc *child);
/* Closes every descriptor of p (exit); objects left with no reference die. */
void fds_close_all(struct engine *e, struct eng_proc *p);

/* ---- proc.c ---- */
/* The live process pid, or NULL. */
struct eng_proc *proc_find(const struct engine *e, pid_t pid);
/* Adds a process; pid must not be live. Returns it. */
struct eng_proc *proc_add(struct engine *e, pid_t pid, pid_t ppid, uid_t uid, const char *name);
/* The index of p in e->procs. */
static inline uint32_t proc_index(const struct engine *e, const struct eng_proc *p) { return (uint32_t)(p - e->procs); }
/* Frees every process's page table and the pid hash (engine_free). */
void procs_release(struct engine *e);

/* ---- fault.c ---- */
/* Faults page vaddr of VMA vid for a read or write. Returns 0 or -1 with err (out of memory/swap). */
int fault_page(struct engine *e, uint32_t vid, uint64_t vaddr, bool write, struct tm_error *err);
/* Maps the PMD-mapped block of pt holding vpn with page-table entries of their own (split_huge_pmd). */
void pmd_split(struct engine *e, struct pgtable *pt, uint64_t vpn);
/* Drops one mapping of frame pfn (a PTE went away); frees anon frames that lose their last one. */
void frame_unmap(struct engine *e, uint32_t pfn);
/* Drops one reference to swap slot; a freed slot leaves the swap cache. */
void swap_entry_put(struct engine *e, uint32_t slot);

/* ---- reclaim.c ---- */
/*
 * Evicts frame pfn: anon and shmem frames to a swap slot, file frames
 * dropped from the page cache; every PTE mapping it is rewritten (rmap).
 * Returns 0, or -1 with err when no swap slot is free.
 */
int reclaim_evict(struct engine *e, uint32_t pfn, struct tm_error *err);
/* Runs the clock until at least want frames are free. Returns 0 or -1 with err. */
int reclaim_until_free(struct engine *e, uint32_t want, struct tm_error *err);

/* ---- vma_acct.c ---- */
/* What one mapping holds, page by page: the SPEC section 2 numbers and the smaps breakdown. */
struct vma_acct {
	struct mem_counts c;       /* rss, pss, uss, swap, swap_pss, kinds, zero page */
	uint64_t shared_clean_bytes, shared_dirty_bytes, private_clean_bytes, private_dirty_bytes;
	uint64_t referenced_bytes, anonymous_bytes;
	pss_t pss_dirty;
};
/* Accounts VMA vid into *a (zeroed first), from the page tables, frames and swap slots. */
void vma_account(const struct engine *e, uint32_t vid, struct vma_acct *a);
/* The page kind of a frame (FRAME_ANON/FILE/SHMEM). */
enum page_kind frame_page_kind(const struct frame *f);

/* ---- truth.c, truth_cgroup.c ---- */
/* A distinct slot a group holds: anonymous (obj 0) or a shmem object's page. */
struct seen_slot {
	uint32_t slot, obj;
	uint64_t pgoff;
};

/* Scratch for distinct counting: a stamp and a member count per frame and per slot. */
struct group_scratch {
	bool *member;                     /* by process index: in the group being counted */
	uint32_t *frame_stamp, *frame_cnt;
	uint32_t *slot_stamp, *slot_cnt;
	uint32_t *seen_frames;            /* distinct frames of the current group */
	struct seen_slot *seen_slots;     /* distinct slots of the current group */
	size_t nframes_seen, cap_frames, nslots_seen, cap_slots;
	uint32_t serial;
};
struct truth;
/*
 * Fills the group numbers of members (live processes, with their process
 * counts) into c; s->seen_frames then holds the distinct frames they map.
 */
void group_count(const struct engine *e, const struct eng_proc *const *members, size_t n,
		 const struct mem_counts *const *member_counts, struct group_scratch *s, struct mem_counts *c);
/* Fills t's cgroups (SPEC section 2.3); live[i] is the process of t->procs[i]. */
void truth_cgroups(const struct engine *e, struct truth *t, const struct eng_proc *const *live,
		   struct group_scratch *s);

/* ---- ident.c ---- */
struct proc_ident;
/* Fills id (source.h) with the identity /proc would show for p; id's strings are owned by the caller. */
void eng_proc_ident(const struct engine *e, const struct eng_proc *p, struct proc_ident *id);
/* The pathname maps shows for v ("" for private anon). Returns an owned string. */
char *vma_maps_name(const struct engine *e, const struct eng_vma *v);

/* ---- proc_text.c: /proc/PID text files, appended to b ---- */
struct buf;
void proc_maps_text(const struct engine *e, const struct eng_proc *p, struct buf *b);
void proc_smaps_text(const struct engine *e, const struct eng_proc *p, struct buf *smaps, struct buf *rollup);
void proc_status_text(const struct engine *e, const struct eng_proc *p, struct buf *b);

/* ---- emit_cgroup.c: snapshot members from the charges ---- */
struct snap_writer;
/* Writes the "census" member, memcg split included; tally is cg_tally_take()'s (not summed). */
int emit_census(struct snap_writer *w, const struct engine *e, const struct cg_tally *tally, struct tm_error *err);
/* Writes the "cgroups" member; subtree is cg_tally_take()'s summed by cg_tally_subtrees(). */
int emit_cgroups(struct snap_writer *w, const struct engine *e, const struct cg_tally *subtree, struct tm_error *err);

/* ---- meminfo.c ---- */
/* Appends the simulated host's /proc/meminfo text to b. */
void engine_meminfo_text(const struct engine *e, struct buf *b);

/* ---- trace.c ---- */
__attribute__((format(printf, 2, 3))) void trace_event(const struct engine *e, const char *fmt, ...);

#endif
