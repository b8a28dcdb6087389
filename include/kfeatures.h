/*
 * kfeatures.h: what the running kernel offers truemem, found out by
 * probing, never assumed: `truemem version --verbose` prints it, and the
 * live source asks it whether exact mode and PAGEMAP_SCAN are possible.
 */
#ifndef TRUEMEM_KFEATURES_H
#define TRUEMEM_KFEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KFEATURE_VALUE_MAX 512

struct kfeature {
	const char *key;                  /* "exact_mode", "pagemap_scan", ... (static) */
	char value[KFEATURE_VALUE_MAX];   /* "yes", "no: why", or what there is */
};

/*
 * Probes every feature, one entry each in a fixed order, into out[0..cap).
 * Returns how many were filled. Needs no privilege: what it cannot read is
 * reported as such.
 */
size_t kfeatures_collect(struct kfeature *out, size_t cap);

/* Does pagemap (proc_fd: an open /proc) give frame numbers (CAP_SYS_ADMIN)? */
bool kfeatures_pfns_visible(int proc_fd, uint64_t page_size);
/* Does the PAGEMAP_SCAN ioctl (Linux 6.7+) answer on /proc/self/pagemap? */
bool kfeatures_pagemap_scan(int proc_fd, uint64_t page_size);
/* Do read faults on private anonymous memory map the shared zero page? 1, 0, or -1 unknown. */
int kfeatures_zero_page(uint64_t page_size);

#endif
