/*
 * feed.h: the hand-over between the two halves of an exact walk, a reader
 * that lists a process's mappings and reads its pagemap, and the
 * accounting that resolves the frames and counts them. Outside a capture
 * each reader runs on a thread of its own, so the kernel's page-table
 * walks overlap the accounting; a feed is the bounded ring between one
 * reader and the accounting: one producer, one consumer, items taken in
 * the order given. Each slot owns a buffer of FEED_PAGES pagemap entries,
 * so the reader reads straight into it and memory stays fixed however
 * large the processes are. Stopping early is the caller's: the consumer
 * takes what is left until the producer's last item.
 *
 * Hand-offs are per batch of slots, not per slot: the producer publishes
 * what it filled FEED_HANDOFF slots at a time (or when the ring is full,
 * at its last item, or on feed_flush before it waits for something else),
 * and the consumer gives slots back as many at a time (or before it waits).
 * A small process is a few slots, so the threads meet (lock, and wake one
 * another) about once for several processes rather than a few times for
 * each. The producer must call feed_flush before it blocks on anything
 * the consumer does.
 */
#ifndef TRUEMEM_FEED_H
#define TRUEMEM_FEED_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"

#define FEED_PAGES   8192
#define FEED_SLOTS   16
#define FEED_HANDOFF 8

enum feed_kind {
	FEED_VMAS,     /* a process's mappings (vmas; ownership passes on) */
	FEED_BATCH,    /* n pagemap entries from vaddr, in pm */
	FEED_END,      /* the process is read: rc is 0 or -errno */
	FEED_EOF,      /* the reader is done */
};

struct feed_item {
	enum feed_kind kind;
	uint32_t proc;
	int rc;
	uint64_t vaddr;
	size_t n;
	struct vma_list vmas;
	uint64_t *pm;             /* the slot's buffer, FEED_PAGES entries */
};

struct feed {
	pthread_mutex_t mu;
	pthread_cond_t filled, emptied;
	struct feed_item slot[FEED_SLOTS];
	uint64_t *pages;          /* FEED_SLOTS buffers */
	size_t count;             /* slots published and not yet given back (shared, under mu) */
	size_t tail, room, pending;   /* producer's: next slot, slots known free, filled not published */
	size_t head, avail, done;     /* consumer's: oldest slot, published not taken, taken not given back */
};

void feed_init(struct feed *f);
void feed_release(struct feed *f);

/* Producer: the next slot to fill, waiting while every slot is full. */
struct feed_item *feed_stage(struct feed *f);
/* Producer: hands the staged slot on (published with the next hand-off). */
void feed_push(struct feed *f);
/* Producer: publishes every slot pushed so far. */
void feed_flush(struct feed *f);

/* Consumer: the oldest filled slot, waiting while there is none. */
struct feed_item *feed_pop(struct feed *f);
/* Consumer: gives the slot feed_pop returned back to the producer. */
void feed_done(struct feed *f);

#endif
