/*
 * snapfile.h: a snapshot as one file (SPEC section 4): the files of a
 * snapshot directory (snapshot.h) as members, each compressed with zstd,
 * checksummed, and named as its path in the directory ("meminfo",
 * "42/pagemap").
 *
 * Format, version 2 (little-endian):
 *   "TMSNAPF\n", u32 version (2), u32 0
 *   then one record per member, sorted by name (bytewise), no name twice:
 *     "TMMB", u32 name_len (1..255), u64 csize, u64 usize,
 *     u32 check: fnv1a32 of the 24 bytes before it, then of ref,
 *       transform and the u32 0 after them, then of name,
 *     u32 ref: 0, or 1 + the index of the member whose contents (its
 *       transform undone) the zstd frame was compressed against (a prefix,
 *       ZSTD_CCtx_refPrefix),
 *     u32 transform: 0 none; 1 (SNAPFILE_SHUFFLE) the member is u64 words
 *       (usize a multiple of 8) stored byte-shuffled: each block of
 *       SNAPFILE_SHUFFLE_WORDS words (the last one shorter) holds byte 0 of
 *       each word, then byte 1 of each, ... byte 7. Page-table entries and
 *       frame records vary in their low bytes only, so the high bytes
 *       become long runs zstd stores as a few matches, decompresses
 *       several times faster and compresses several times smaller. The
 *       writer shuffles pagemap, kpages and kpagecgroup members that have
 *       no ref (one with a ref is long matches already),
 *     u32 0,
 *     name, csize bytes: one zstd frame holding usize bytes, with its
 *       content checksum (XXH64) on
 *   A process's pagemap refers to its parent's: copy-on-write children
 *   map the same frames, so theirs compress to a fraction against it.
 *   then the end record: "TMMB", name_len 0, csize 0, usize = the number
 *     of members, its header check, u32 0, u32 0, u32 0; nothing after it.
 * Version 1 (still read) has no transform and no u32 0 after ref: its
 * record header is 32 bytes, its check covers the 24 bytes, ref and name.
 * A reader walks the record headers once, so a truncated, garbled or
 * oversized member is named, and the zstd frame checksum catches damaged
 * contents.
 */
#ifndef TRUEMEM_SNAPFILE_H
#define TRUEMEM_SNAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "util.h"

#define SNAPFILE_MAGIC "TMSNAPF\n"
#define SNAPFILE_VERSION 2
#define SNAPFILE_VERSION_MIN 1   /* the oldest version read */
#define SNAPFILE_MEMBER_MAGIC "TMMB"
#define SNAPFILE_MAX_NAME 255
/* The largest member a reader accepts (kpages of 2^28 frames, 1 TiB of RAM referenced). */
#define SNAPFILE_MAX_MEMBER (UINT64_C(6) << 30)

/* The bytes of a record's header, before its name, in version 2 and in version 1. */
#define SNAPFILE_RECORD_HEADER 40
#define SNAPFILE_RECORD_HEADER_V1 32

/* Member transforms (a record's transform field). */
enum { SNAPFILE_PLAIN = 0, SNAPFILE_SHUFFLE = 1 };
#define SNAPFILE_SHUFFLE_WORDS 16384   /* u64 words of a shuffled block: 128 KiB, in cache while undone */

/*
 * The check of a record: fnv1a32 of hdr's first 24 bytes, of the tail_len
 * bytes from hdr + 28 (ref; version 2: ref, transform, 0), then of name.
 */
uint32_t snapfile_record_check(const unsigned char *hdr, size_t tail_len, const char *name, size_t name_len);
/* Byte-shuffles (SNAPFILE_SHUFFLE) len bytes (a multiple of 8) of src into dst, or undoes it (unshuffle). */
void snapfile_shuffle(const unsigned char *src, unsigned char *dst, size_t len, bool unshuffle);
/* The longest chain of references a reader follows. */
#define SNAPFILE_MAX_REF_DEPTH 64

/* ---- writing ---- */

struct snapfile_out;

/* Starts collecting members in memory (level: zstd level). */
struct snapfile_out *snapfile_out_new(int level);
/*
 * Compresses data as member name, replacing one of that name; against
 * ref_data (ref_len bytes, the contents of member ref_name, which must be
 * put too) when ref_name is not NULL. Returns 1 (new), 0 (replaced) or -1
 * with err set.
 */
int snapfile_out_put(struct snapfile_out *o, const char *name, const void *data, size_t len,
		     const char *ref_name, const void *ref_data, size_t ref_len, struct tm_error *err);
/* Writes every member, sorted, to fd. Returns 0 or -errno. */
int snapfile_out_write(struct snapfile_out *o, int fd);
void snapfile_out_free(struct snapfile_out *o);

/* ---- reading ---- */

struct snapfile;

/*
 * Opens and walks the snapshot file at path. Returns NULL with err naming
 * what is wrong: not a snapshot file, or the member whose record is
 * truncated, garbled or too large.
 */
struct snapfile *snapfile_open(const char *path, struct tm_error *err);
void snapfile_close(struct snapfile *f);
/* Whether path starts with the magic of a snapshot file. */
int snapfile_is(const char *path);
/* The number of members, and member i's name (sorted). */
size_t snapfile_count(const struct snapfile *f);
const char *snapfile_name(const struct snapfile *f, size_t i);
/* The uncompressed size of member name, or -ENOENT. */
int64_t snapfile_size(const struct snapfile *f, const char *name);
/*
 * Decompresses member name into dst (exactly its size, snapfile_size).
 * Returns 0, -ENOENT, or -EIO with err naming the member (bad checksum,
 * not a zstd frame, wrong size). May be called from several threads at
 * once (the decompressed references are cached under a lock).
 */
int snapfile_read(struct snapfile *f, const char *name, void *dst, struct tm_error *err);/*
 * Decompresses member name into a buffer of f's, reused from one member to
 * the next so that its pages stay in memory: a reader of one member after
 * another touches fresh memory once. NULL when there is no such member
 * (err untouched) or it is damaged (err set). Give it back with
 * snapfile_unload; both may be called from several threads at once.
 */
struct buf *snapfile_load(struct snapfile *f, const char *name, struct tm_error *err);
void snapfile_unload(struct snapfile *f, struct buf *b);

#endif
