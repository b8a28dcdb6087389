/*
 * proc_text.c: the text files a simulated process shows under /proc/PID,
 * printed from the engine's tables exactly as the kernel prints them:
 * maps (fs/proc/task_mmu.c: show_map_vma, the pathname padded to column
 * 73), smaps and smaps_rollup (__show_smap: "Key:" padded to 16 columns,
 * the value in kB right-aligned in 8; Pss kept in fixed point with
 * PSS_SHIFT bits per mapping, or across all of them for the rollup, and
 * truncated when printed), and status (fs/proc/task_mmu.c: task_mem, the
 * per-mm counters: RssAnon/RssFile/RssShmem count mapped pages, VmSwap the
 * swap entries in the page tables).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_mm.h"
#include "util.h"

/* Fake device numbers: simulated files live on 08:01, shmem on 00:01, tmpfs files on 00:1a. */
#define FILE_DEV "08:01"
#define SHMEM_DEV "00:01"
#define TMPFS_DEV "00:1a"
#define MAPS_NAME_COLUMN 72   /* 25 + sizeof(void *) * 6 - 1 */

static void maps_header(struct buf *b, uint64_t start, uint64_t end, const char *perms, uint64_t offset,
			const char *dev, uint64_t ino, const char *name)
{
	size_t line = b->len;

	buf_addf(b, "%08llx-%08llx %s %08llx %s %llu ", (unsigned long long)start, (unsigned long long)end,
		 perms, (unsigned long long)offset, dev, (unsigned long long)ino);
	if (name && *name) {
		while (b->len - line < MAPS_NAME_COLUMN)
			buf_add(b, " ", 1);
		buf_add(b, " ", 1);
		buf_addstr(b, name);
	}
	buf_add(b, "\n", 1);
}

static void maps_line(struct buf *b, const struct engine *e, const struct eng_vma *v)
{
	bool shared = vma_type_shared(v->type);
	const char *dev = "00:00";
	uint64_t ino = 0;
	char *name = vma_maps_name(e, v);

	if (v->object) {
		dev = e->objs[v->object].kind == OBJ_FILE ? FILE_DEV
		      : e->objs[v->object].kind == OBJ_TMPFS ? TMPFS_DEV : SHMEM_DEV;
		ino = e->objs[v->object].ino;
	}
	maps_header(b, v->start, v->end, shared ? "rw-s" : "rw-p", v->object ? v->pgoff << ENG_PAGE_SHIFT : 0,
		    dev, ino, name);
	free(name);
}

void proc_maps_text(const struct engine *e, const struct eng_proc *p, struct buf *b)
{
	for (uint32_t i = 0; i < p->vmas.n; i++)
		maps_line(b, e, &e->vmas[p->vmas.v[i]]);
}

static void kb_line(struct buf *b, const char *key, uint64_t bytes)
{
	buf_addf(b, "%-16s%8llu kB\n", key, (unsigned long long)(bytes >> 10));
}

/* The __show_smap lines; kinds (Pss_Anon...) only for the rollup. */
static void smap_fields(struct buf *b, const struct vma_acct *a, bool rollup)
{
	kb_line(b, "Rss:", a->c.rss_bytes);
	kb_line(b, "Pss:", pss_bytes(a->c.pss));
	kb_line(b, "Pss_Dirty:", pss_bytes(a->pss_dirty));
	if (rollup) {
		kb_line(b, "Pss_Anon:", pss_bytes(a->c.kind[KIND_ANON].pss));
		kb_line(b, "Pss_File:", pss_bytes(a->c.kind[KIND_FILE].pss));
		kb_line(b, "Pss_Shmem:", pss_bytes(a->c.kind[KIND_SHMEM].pss));
	}
	kb_line(b, "Shared_Clean:", a->shared_clean_bytes);
	kb_line(b, "Shared_Dirty:", a->shared_dirty_bytes);
	kb_line(b, "Private_Clean:", a->private_clean_bytes);
	kb_line(b, "Private_Dirty:", a->private_dirty_bytes);
	kb_line(b, "Referenced:", a->referenced_bytes);
	kb_line(b, "Anonymous:", a->anonymous_bytes);
	kb_line(b, "KSM:", 0);
	kb_line(b, "LazyFree:", 0);
	kb_line(b, "AnonHugePages:", 0);
	kb_line(b, "ShmemPmdMapped:", 0);
	kb_line(b, "FilePmdMapped:", 0);
	kb_line(b, "Shared_Hugetlb:", 0);
	kb_line(b, "Private_Hugetlb:", 0);
	kb_line(b, "Swap:", a->c.swap_bytes);
	kb_line(b, "SwapPss:", pss_bytes(a->c.swap_pss));
	kb_line(b, "Locked:", 0);
}

static const char *const vma_flags_text[] = {
	[VMA_ANON_PRIVATE] = "rd wr mr mw me ac ",
	[VMA_ANON_SHARED] = "rd wr sh mr mw me ms ",
	[VMA_FILE_PRIVATE] = "rd wr mr mw me ",
	[VMA_FILE_SHARED] = "rd wr sh mr mw me ms ",
	[VMA_SHMEM] = "rd wr sh mr mw me ms ",
};

static void acct_add(struct vma_acct *sum, const struct vma_acct *a)
{
	counts_add(&sum->c, &a->c);
	sum->shared_clean_bytes += a->shared_clean_bytes;
	sum->shared_dirty_bytes += a->shared_dirty_bytes;
	sum->private_clean_bytes += a->private_clean_bytes;
	sum->private_dirty_bytes += a->private_dirty_bytes;
	sum->referenced_bytes += a->referenced_bytes;
	sum->anonymous_bytes += a->anonymous_bytes;
	sum->pss_dirty += a->pss_dirty;
}

void proc_smaps_text(const struct engine *e, const struct eng_proc *p, struct buf *smaps, struct buf *rollup)
{
	struct vma_acct sum;
	uint64_t first = 0, last = 0;

	memset(&sum, 0, sizeof(sum));
	for (uint32_t i = 0; i < p->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[p->vmas.v[i]];
		struct vma_acct a;

		vma_account(e, p->vmas.v[i], &a);
		acct_add(&sum, &a);
		maps_line(smaps, e, v);
		kb_line(smaps, "Size:", v->end - v->start);
		kb_line(smaps, "KernelPageSize:", ENG_PAGE_SIZE);
		kb_line(smaps, "MMUPageSize:", ENG_PAGE_SIZE);
		smap_fields(smaps, &a, false);
		buf_addf(smaps, "THPeligible:    0\nVmFlags: %s\n", vma_flags_text[v->type]);
		if (i == 0)
			first = v->start;
		last = v->end;
	}
	maps_header(rollup, first, last, "---p", 0, "00:00", 0, "[rollup]");
	smap_fields(rollup, &sum, true);
}

static void status_kb(struct buf *b, const char *key, uint64_t bytes)
{
	buf_addf(b, "%s\t%8llu kB\n", key, (unsigned long long)(bytes >> 10));
}

void proc_status_text(const struct engine *e, const struct eng_proc *p, struct buf *b)
{
	struct mem_counts c;
	uint64_t size = 0, data = 0;
	char comm[16];

	memset(&c, 0, sizeof(c));
	for (uint32_t i = 0; i < p->vmas.n; i++) {
		const struct eng_vma *v = &e->vmas[p->vmas.v[i]];
		struct vma_acct a;

		vma_account(e, p->vmas.v[i], &a);
		counts_add(&c, &a.c);
		size += v->end - v->start;
		if (!vma_type_shared(v->type))
			data += v->end - v->start;   /* VmData: private writable mappings */
	}
	snprintf(comm, sizeof(comm), "%s", p->name);
	buf_addf(b, "Name:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t%d\n", comm, (int)p->pid, (int)p->pid, (int)p->ppid);
	buf_addf(b, "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\n", p->uid, p->uid, p->uid, p->uid,
		 p->uid, p->uid, p->uid, p->uid);
	status_kb(b, "VmSize:", size);
	status_kb(b, "VmRSS:", c.rss_bytes);
	status_kb(b, "RssAnon:", c.kind[KIND_ANON].rss_bytes);
	status_kb(b, "RssFile:", c.kind[KIND_FILE].rss_bytes);
	status_kb(b, "RssShmem:", c.kind[KIND_SHMEM].rss_bytes);
	status_kb(b, "VmData:", data);
	status_kb(b, "VmPTE:", p->pt.ntables * ENG_PAGE_SIZE);
	status_kb(b, "VmSwap:", c.kind[KIND_ANON].swap_bytes);
	buf_addf(b, "Threads:\t1\n");
}
