/*
 * frameset.h: a set of frame numbers (or any u64 keys with locality), as a
 * sparse bitmap of 32 Ki-bit chunks allocated on first use. Memory follows
 * the populated part of physical memory: 24 GiB of 4 KiB frames is under
 * 1 MiB of bits.
 */
#ifndef TRUEMEM_FRAMESET_H
#define TRUEMEM_FRAMESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct frame_set;

struct frame_set *frame_set_new(void);
void frame_set_free(struct frame_set *fs);
/* Adds pfn; returns true when it was not in the set before. */
bool frame_set_add(struct frame_set *fs, uint64_t pfn);
/* Iterates in ascending order: *pos starts at 0; stores the next frame in *pfn, false when done. */
bool frame_set_next(const struct frame_set *fs, uint64_t *pos, uint64_t *pfn);

/*
 * A map from frame number to a non-zero u32, indexed directly in chunks of
 * 64 frames allocated on first use and freed when their last entry goes.
 * Unlike a hash it keeps the locality of physical memory: the frames of
 * one process or one fork tree sit close together, so do their entries.
 */
struct frame_map;
struct frame_map *frame_map_new(void);
void frame_map_free(struct frame_map *m);
/* The value of pfn to read or change in place (never to 0), or NULL when absent. */
uint32_t *frame_map_ref(const struct frame_map *m, uint64_t pfn);
/* Sets pfn's value (v != 0). */
void frame_map_set(struct frame_map *m, uint64_t pfn, uint32_t v);
/* Removes pfn. */
void frame_map_clear(struct frame_map *m, uint64_t pfn);

/*
 * A hash map from u64 keys to u64 counts (open addressing, linear probing).
 * Used for swap entries and shared frames per group.
 */
struct u64_counter;
struct u64_counter *u64_counter_new(void);
void u64_counter_free(struct u64_counter *c);
/* The count of key, to read or change in place; NULL when absent. Valid until the next insertion or deletion. */
uint64_t *u64_counter_ref(const struct u64_counter *c, uint64_t key);
/* The count of key, created at 0 when absent (key must not be UINT64_MAX). Valid as above. */
uint64_t *u64_counter_ins(struct u64_counter *c, uint64_t key);
/* Adds delta to key's count (creating it at 0) and returns the new count. */
uint64_t u64_counter_add(struct u64_counter *c, uint64_t key, uint64_t delta);
/* Sets key's count to val. */
void u64_counter_put(struct u64_counter *c, uint64_t key, uint64_t val);
/* key's count, 0 when absent. */
uint64_t u64_counter_get(const struct u64_counter *c, uint64_t key);
size_t u64_counter_size(const struct u64_counter *c);
/* Iterates: *pos starts at 0; returns false when done. */
bool u64_counter_next(const struct u64_counter *c, size_t *pos, uint64_t *key, uint64_t *count);

#endif
