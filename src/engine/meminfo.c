/*
 * meminfo.c: /proc/meminfo of the simulated host (fs/proc/meminfo.c), from
 * the frame table and swap device. RAM frames are anonymous, page cache or
 * shmem, or free; the zero page and the page tables are kernel memory kept
 * outside MemTotal. Cached counts page cache and shmem (Linux's
 * NR_FILE_PAGES less the swap cache); an anonymous frame that is also in
 * the swap cache counts in AnonPages and SwapCached. Referenced frames are
 * reported active, the others inactive; shmem sits on the anon lists.
 */
#include "engine.h"
#include "engine_mm.h"
#include "util.h"

static void mi_kb(struct buf *b, const char *key, uint64_t pages)
{
	buf_addf(b, "%-16s%8llu kB\n", key, (unsigned long long)(pages << (ENG_PAGE_SHIFT - 10)));
}

void engine_meminfo_text(const struct engine *e, struct buf *b)
{
	const struct frame_table *ft = &e->frames;
	uint64_t act_anon = 0, inact_anon = 0, act_file = 0, inact_file = 0;
	uint64_t dirty = 0, mapped = 0, swapcached = 0;
	uint64_t ram = e->ram_bytes >> ENG_PAGE_SHIFT, free_pages = engine_free_pages(e);

	for (uint32_t i = FRAME_FIRST_PFN; i < ft->n; i++) {
		const struct frame *f = &ft->f[i];
		bool active = f->flags & FRAME_REFERENCED;

		if (f->kind == FRAME_FREE)
			continue;
		if (f->kind == FRAME_FILE) {
			*(active ? &act_file : &inact_file) += 1;
			dirty += (f->flags & FRAME_DIRTY) != 0;
		} else {
			*(active ? &act_anon : &inact_anon) += 1;
		}
		mapped += f->kind != FRAME_ANON && f->mapcount > 0;
		swapcached += f->swap_slot != 0;
	}
	mi_kb(b, "MemTotal:", ram);
	mi_kb(b, "MemFree:", free_pages);
	mi_kb(b, "MemAvailable:", free_pages + ft->nkind[FRAME_FILE]);
	mi_kb(b, "Buffers:", 0);
	mi_kb(b, "Cached:", (uint64_t)ft->nkind[FRAME_FILE] + ft->nkind[FRAME_SHMEM]);
	mi_kb(b, "SwapCached:", swapcached);
	mi_kb(b, "Active:", act_anon + act_file);
	mi_kb(b, "Inactive:", inact_anon + inact_file);
	mi_kb(b, "Active(anon):", act_anon);
	mi_kb(b, "Inactive(anon):", inact_anon);
	mi_kb(b, "Active(file):", act_file);
	mi_kb(b, "Inactive(file):", inact_file);
	mi_kb(b, "Unevictable:", 0);
	mi_kb(b, "Mlocked:", 0);
	mi_kb(b, "SwapTotal:", e->swap.nslots);
	mi_kb(b, "SwapFree:", (uint64_t)e->swap.nslots - e->swap.used);
	mi_kb(b, "Dirty:", dirty);
	mi_kb(b, "Writeback:", 0);
	mi_kb(b, "AnonPages:", ft->nkind[FRAME_ANON]);
	mi_kb(b, "Mapped:", mapped);
	mi_kb(b, "Shmem:", ft->nkind[FRAME_SHMEM]);
	buf_addf(b, "HugePages_Total:       0\nHugePages_Free:        0\nHugePages_Rsvd:        0\n"
		 "HugePages_Surp:        0\n");
	mi_kb(b, "Hugepagesize:", 512);
	mi_kb(b, "Hugetlb:", 0);
}
