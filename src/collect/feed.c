/*
 * feed.c: the ring between the reading and the accounting halves of an
 * exact walk (feed.h).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "util.h"

void feed_init(struct feed *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	pthread_cond_init(&f->filled, NULL);
	pthread_cond_init(&f->emptied, NULL);
	f->pages = xmalloc(sizeof(uint64_t) * FEED_PAGES * FEED_SLOTS);
	for (size_t i = 0; i < FEED_SLOTS; i++)
		f->slot[i].pm = f->pages + i * FEED_PAGES;
}

void feed_release(struct feed *f)
{
	pthread_mutex_destroy(&f->mu);
	pthread_cond_destroy(&f->filled);
	pthread_cond_destroy(&f->emptied);
	free(f->pages);
	f->pages = NULL;
}

struct feed_item *feed_stage(struct feed *f)
{
	if (f->room == 0) {
		pthread_mutex_lock(&f->mu);
		f->count += f->pending;
		f->pending = 0;
		pthread_cond_signal(&f->filled);
		while (f->count == FEED_SLOTS)
			pthread_cond_wait(&f->emptied, &f->mu);
		f->room = FEED_SLOTS - f->count;
		pthread_mutex_unlock(&f->mu);
	}
	return &f->slot[f->tail];
}

void feed_flush(struct feed *f)
{
	if (!f->pending)
		return;
	pthread_mutex_lock(&f->mu);
	f->count += f->pending;
	f->pending = 0;
	pthread_cond_signal(&f->filled);
	pthread_mutex_unlock(&f->mu);
}

void feed_push(struct feed *f)
{
	bool last = f->slot[f->tail].kind == FEED_EOF;

	f->tail = (f->tail + 1) % FEED_SLOTS;
	f->room--;
	if (++f->pending >= FEED_HANDOFF || last)
		feed_flush(f);
}

/* Consumer: gives back the slots taken and done with. Called with mu held. */
static void give_back(struct feed *f)
{
	f->count -= f->done;
	f->done = 0;
	pthread_cond_signal(&f->emptied);
}

struct feed_item *feed_pop(struct feed *f)
{
	if (f->avail == 0) {
		pthread_mutex_lock(&f->mu);
		give_back(f);
		while (f->count == 0)
			pthread_cond_wait(&f->filled, &f->mu);
		f->avail = f->count;
		pthread_mutex_unlock(&f->mu);
	}
	return &f->slot[f->head];
}

void feed_done(struct feed *f)
{
	f->head = (f->head + 1) % FEED_SLOTS;
	f->avail--;
	if (++f->done >= FEED_HANDOFF) {
		pthread_mutex_lock(&f->mu);
		give_back(f);
		pthread_mutex_unlock(&f->mu);
	}
}
