/*
 * smaps.h: /proc/PID/smaps and /proc/PID/smaps_rollup (proc(5);
 * Documentation/filesystems/proc.rst, "smaps"). Values are in kB as the
 * kernel prints them.
 */
#ifndef TRUEMEM_SMAPS_H
#define TRUEMEM_SMAPS_H

#include <stddef.h>
#include <stdint.h>

#include "maps.h"

struct buf;

/*
 * Parses smaps_rollup text (the header line then "Key:   N kB" lines).
 * Returns 0, or -EINVAL when no Rss line is found or a known key has a
 * malformed value.
 */
int smaps_rollup_parse(const char *text, size_t len, struct smaps_rollup *out);

/*
 * Parses full smaps text: appends each mapping's header to l (as
 * maps_parse does) with its smaps fields in vma.smaps. Returns 0 or -EINVAL.
 */
int smaps_parse(const char *text, size_t len, struct vma_list *l);

/*
 * Appends to out the maps text the smaps text (len bytes) holds: its
 * mapping header lines, which smaps writes exactly as maps does, without
 * the lines of figures under each. A capture records maps this way, from
 * the same read as the smaps and pagemap it records, so the three agree.
 */
void maps_from_smaps(const char *smaps, size_t len, struct buf *out);

#endif
