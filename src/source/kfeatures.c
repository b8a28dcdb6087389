/*
 * kfeatures.c: what the running kernel offers truemem, probed: exact mode
 * (frame numbers in pagemap, /proc/kpage*), the PAGEMAP_SCAN ioctl, the
 * zero page on anonymous read faults, /proc/kpagecgroup, the memory cgroup
 * controller (v1 or v2), transparent huge pages and their mTHP sizes,
 * KSM, hugetlb pools and swap areas. `truemem version --verbose` prints
 * one line each; the live source asks the first probes here too, so what
 * is printed is what truemem does.
 *
 * Kernel docs: admin-guide/mm/pagemap.rst (pagemap, kpage*, PAGEMAP_SCAN),
 * admin-guide/mm/transhuge.rst, admin-guide/mm/ksm.rst,
 * admin-guide/mm/hugetlbpage.rst, admin-guide/cgroup-v1/memory.rst,
 * admin-guide/cgroup-v2.rst, proc(5) (/proc/swaps, /proc/mounts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel.h"
#include "kfeatures.h"
#include "source.h"

#define THP_DIR "/sys/kernel/mm/transparent_hugepage"
#define KSM_DIR "/sys/kernel/mm/ksm"
#define HUGETLB_DIR "/sys/kernel/mm/hugepages"
#define ZERO_PROBE_PAGES 16

/* Appends to a value, truncating at its end. */
__attribute__((format(printf, 2, 3))) static void add(struct kfeature *f, const char *fmt, ...)
{
	size_t len = strlen(f->value);
	va_list ap;

	if (len + 1 >= sizeof(f->value))
		return;
	va_start(ap, fmt);
	vsnprintf(f->value + len, sizeof(f->value) - len, fmt, ap);
	va_end(ap);
}

/* The first line of a small file, without its newline; false when unreadable. */
static bool read_line(const char *path, char *out, size_t n)
{
	FILE *fp = fopen(path, "re");
	bool ok;

	if (!fp)
		return false;
	ok = fgets(out, (int)n, fp) != NULL;
	fclose(fp);
	if (ok)
		out[strcspn(out, "\n")] = '\0';
	return ok;
}

/* The word in [brackets] of a sysfs mode file ("always [madvise] never"). */
static bool read_mode(const char *path, char *out, size_t n)
{
	char line[256], *a, *b;

	if (!read_line(path, line, sizeof(line)) || !(a = strchr(line, '[')) || !(b = strchr(a, ']')))
		return false;
	*b = '\0';
	snprintf(out, n, "%s", a + 1);
	return true;
}

bool kfeatures_pfns_visible(int proc_fd, uint64_t page_size)
{
	static volatile char probe[1] = { 1 };
	uint64_t pm = 0;
	int fd = openat(proc_fd, "self/pagemap", O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	probe[0]++;
	ok = pread_full(fd, &pm, sizeof(pm), (off_t)((uintptr_t)probe / page_size * 8)) == sizeof(pm) &&
	     (pm & PM_PRESENT) && pm_pfn(pm) != 0;
	close(fd);
	return ok;
}

bool kfeatures_pagemap_scan(int proc_fd, uint64_t page_size)
{
	static volatile char probe[1] = { 1 };
	struct pm_page_region reg;
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.start = (uintptr_t)probe / page_size * page_size,
		.end = (uintptr_t)probe / page_size * page_size + page_size,
		.vec = (uintptr_t)&reg, .vec_len = 1,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
	};
	int fd = openat(proc_fd, "self/pagemap", O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	probe[0]++;
	ok = ioctl(fd, TM_PAGEMAP_SCAN, &arg) == 1;
	close(fd);
	return ok;
}

/* The Rss (kB) smaps gives the mapping that starts at start, or -1. */
static long self_smaps_rss_kb(uintptr_t start)
{
	char line[512];
	FILE *fp = fopen("/proc/self/smaps", "re");
	bool here = false;
	long rss = -1;

	if (!fp)
		return -1;
	while (rss < 0 && fgets(line, sizeof(line), fp)) {
		unsigned long lo, hi;
		long kb;

		if (strchr(line, '-') && strchr(line, '-') < strchr(line, ' ') &&
		    sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			here = lo == start;
		else if (here && sscanf(line, "Rss: %ld kB", &kb) == 1)
			rss = kb;
	}
	fclose(fp);
	return rss;
}

/*
 * Reads 16 fresh anonymous pages (no THP) and asks smaps how many are
 * resident: none when they map the zero page, all when the kernel gives
 * read faults real pages (e.g. booted with pvm_no_zero_page=1).
 */
int kfeatures_zero_page(uint64_t page_size)
{
	size_t len = ZERO_PROBE_PAGES * page_size;
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned sum = 0;
	long rss;

	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < ZERO_PROBE_PAGES; i++)
		sum += (unsigned char)p[i * page_size];
	rss = self_smaps_rss_kb((uintptr_t)p);
	munmap((void *)p, len);
	if (sum || rss < 0)
		return -1;
	return rss == 0;
}

static void probe_kernel(struct kfeature *f, uint64_t page_size)
{
	struct utsname u;

	if (uname(&u) == 0)
		add(f, "%s %s %s", u.sysname, u.release, u.machine);
	else
		add(f, "unknown: %s", strerror(errno));
}

static void probe_page_size(struct kfeature *f, uint64_t page_size)
{
	add(f, "%llu", (unsigned long long)page_size);
}

static void probe_exact(struct kfeature *f, uint64_t page_size)
{
	struct source s;
	struct tm_error err = { "" };

	if (source_open_live(&s, &err) < 0)
		add(f, "no: %s", err.msg);
	else if (s.exact_ok)
		add(f, "yes");
	else
		add(f, "no: %s", s.exact_why);
	source_close(&s);
}

static void probe_pagemap_scan(struct kfeature *f, uint64_t page_size)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	add(f, "%s", fd >= 0 && kfeatures_pagemap_scan(fd, page_size) ? "yes" : "no");
	if (fd >= 0)
		close(fd);
	if (getenv("TRUEMEM_NO_PAGEMAP_SCAN"))
		add(f, " (not used: TRUEMEM_NO_PAGEMAP_SCAN is set)");
}

static void probe_zero_page(struct kfeature *f, uint64_t page_size)
{
	static const char *const answer[] = {
		"unknown: the probe mapping could not be read back",
		"no: read faults on anonymous memory get real pages",
		"yes",
	};

	add(f, "%s", answer[kfeatures_zero_page(page_size) + 1]);
}

static void probe_kpagecgroup(struct kfeature *f, uint64_t page_size)
{
	uint64_t v;
	int fd = open("/proc/kpagecgroup", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		add(f, "no: %s", strerror(errno));
	else if (pread_full(fd, &v, sizeof(v), 0) != sizeof(v))
		add(f, "no: cannot read it");
	else
		add(f, "yes");
	if (fd >= 0)
		close(fd);
}

/* The mount point of the first /proc/mounts entry of fstype (with option opt, if any). */
static bool find_mount(const char *fstype, const char *opt, char *out, size_t n)
{
	char dev[256], dir[512], type[64], opts[512];
	FILE *fp = fopen("/proc/mounts", "re");
	bool found = false;

	if (!fp)
		return false;
	while (!found && fscanf(fp, "%255s %511s %63s %511s %*d %*d", dev, dir, type, opts) == 4) {
		char *save = NULL;

		if (strcmp(type, fstype))
			continue;
		found = !opt;
		for (char *o = strtok_r(opts, ",", &save); o && !found; o = strtok_r(NULL, ",", &save))
			found = !strcmp(o, opt);
		if (found)
			snprintf(out, n, "%s", dir);
	}
	fclose(fp);
	return found;
}

/* Is word one of the blank-separated words of line? */
static bool has_word(const char *line, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = strstr(line, word); p; p = strstr(p + 1, word))
		if ((p == line || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

static void probe_cgroup_memory(struct kfeature *f, uint64_t page_size)
{
	char dir[512], path[600], ctl[256];

	if (find_mount("cgroup", "memory", dir, sizeof(dir))) {
		add(f, "v1 %s", dir);
		return;
	}
	if (find_mount("cgroup2", NULL, dir, sizeof(dir))) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
		if (read_line(path, ctl, sizeof(ctl)) && has_word(ctl, "memory")) {
			add(f, "v2 %s", dir);
			return;
		}
	}
	add(f, "no: neither a v1 memory hierarchy nor a v2 tree with the memory controller is mounted");
}

static void probe_cgroup2(struct kfeature *f, uint64_t page_size)
{
	char dir[512], path[600], ctl[256] = "";

	if (!find_mount("cgroup2", NULL, dir, sizeof(dir))) {
		add(f, "not mounted");
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	read_line(path, ctl, sizeof(ctl));
	add(f, "%s (controllers: %s)", dir, ctl[0] ? ctl : "none");
}

static void probe_thp(struct kfeature *f, uint64_t page_size)
{
	char mode[64], pmd[64];

	if (!read_mode(THP_DIR "/enabled", mode, sizeof(mode))) {
		add(f, "no: " THP_DIR "/enabled is missing");
		return;
	}
	add(f, "%s", mode);
	if (read_line(THP_DIR "/hpage_pmd_size", pmd, sizeof(pmd)))
		add(f, ", pmd %llu kB", strtoull(pmd, NULL, 10) / 1024);
	if (read_mode(THP_DIR "/shmem_enabled", mode, sizeof(mode)))
		add(f, ", shmem %s", mode);
}

static int by_kb(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return (x > y) - (x < y);
}

/* The sizes (kB) of the DIR/hugepages-NkB directories, sorted; how many. */
static size_t size_dirs(const char *dir, unsigned long *kb, size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < cap) {
		unsigned long v;
		char tail[8];

		if (sscanf(e->d_name, "hugepages-%lu%7s", &v, tail) == 2 && !strcmp(tail, "kB"))
			kb[n++] = v;
	}
	closedir(d);
	qsort(kb, n, sizeof(*kb), by_kb);
	return n;
}

static void probe_mthp(struct kfeature *f, uint64_t page_size)
{
	unsigned long kb[64];
	size_t n = size_dirs(THP_DIR, kb, 64);
	char path[128], mode[64];

	if (!n) {
		add(f, "no: no per-size controls (" THP_DIR "/hugepages-*kB, Linux 6.8+)");
		return;
	}
	/* A size without an anonymous control (8kB: shmem only) is left out. */
	for (size_t i = 0, shown = 0; i < n; i++) {
		snprintf(path, sizeof(path), THP_DIR "/hugepages-%lukB/enabled", kb[i]);
		if (read_mode(path, mode, sizeof(mode)))
			add(f, "%s%lukB=%s", shown++ ? " " : "", kb[i], mode);
	}
}

static void probe_ksm(struct kfeature *f, uint64_t page_size)
{
	static const char *const run[] = { "stopped", "running", "unmerging" };
	char v[64], sharing[64] = "?";

	if (!read_line(KSM_DIR "/run", v, sizeof(v))) {
		add(f, "no: " KSM_DIR " is missing");
		return;
	}
	read_line(KSM_DIR "/pages_sharing", sharing, sizeof(sharing));
	add(f, "%s, pages_sharing %s", atoi(v) >= 0 && atoi(v) <= 2 ? run[atoi(v)] : v, sharing);
}

static void probe_hugetlb(struct kfeature *f, uint64_t page_size)
{
	unsigned long kb[16];
	size_t n = size_dirs(HUGETLB_DIR, kb, 16);
	char path[128], nr[64], fr[64];

	if (!n) {
		add(f, "no: " HUGETLB_DIR " is missing or empty");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), HUGETLB_DIR "/hugepages-%lukB/nr_hugepages", kb[i]);
		if (!read_line(path, nr, sizeof(nr)))
			snprintf(nr, sizeof(nr), "?");
		snprintf(path, sizeof(path), HUGETLB_DIR "/hugepages-%lukB/free_hugepages", kb[i]);
		if (!read_line(path, fr, sizeof(fr)))
			snprintf(fr, sizeof(fr), "?");
		add(f, "%s%lukB %s pages (%s free)", i ? ", " : "", kb[i], nr, fr);
	}
}

static void probe_swap(struct kfeature *f, uint64_t page_size)
{
	char name[512], type[32];
	unsigned long long size, used;
	int prio, n = 0;
	FILE *fp = fopen("/proc/swaps", "re");

	if (!fp) {
		add(f, "no: /proc/swaps: %s", strerror(errno));
		return;
	}
	if (fscanf(fp, "%*[^\n]") == EOF) {   /* the title line */
		fclose(fp);
		add(f, "no: /proc/swaps is empty");
		return;
	}
	while (fscanf(fp, "%511s %31s %llu %llu %d", name, type, &size, &used, &prio) == 5)
		add(f, "%s%s %s %llu kB (%llu kB used)", n++ ? ", " : "", name, type, size, used);
	fclose(fp);
	if (!n)
		add(f, "none");
}

/* kcmp(2) KCMP_VM of this process with itself: the test that two processes share one mm. */
static void probe_kcmp(struct kfeature *f, uint64_t page_size)
{
	pid_t self = getpid();

	if (syscall(SYS_kcmp, self, self, KCMP_VM, 0, 0) == 0)
		add(f, "yes");
	else
		add(f, "no: %s", strerror(errno));
}

static const struct {
	const char *key;
	void (*probe)(struct kfeature *f, uint64_t page_size);
} probes[] = {
	{ "kernel", probe_kernel },
	{ "page_size", probe_page_size },
	{ "exact_mode", probe_exact },
	{ "pagemap_scan", probe_pagemap_scan },
	{ "zero_page", probe_zero_page },
	{ "kpagecgroup", probe_kpagecgroup },
	{ "cgroup_memory", probe_cgroup_memory },
	{ "cgroup2", probe_cgroup2 },
	{ "thp", probe_thp },
	{ "mthp", probe_mthp },
	{ "ksm", probe_ksm },
	{ "hugetlb", probe_hugetlb },
	{ "swap", probe_swap },
	{ "kcmp", probe_kcmp },
};

size_t kfeatures_collect(struct kfeature *out, size_t cap)
{
	uint64_t page_size = (uint64_t)sysconf(_SC_PAGESIZE);
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(probes) && n < cap; i++, n++) {
		out[n].key = probes[i].key;
		out[n].value[0] = '\0';
		probes[i].probe(&out[n], page_size);
	}
	return n;
}
