/*
 * feed.c: the ring between the reading and the accounting halves of an
 * exact walk (feed.h).
 */
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
	struct feed_item *it;

	pthread_mutex_lock(&f->mu);
	while (f->count == FEED_SLOTS)
		pthread_cond_wait(&f->emptied, &f->mu);
	it = &f->slot[(f->head + f->count) % FEED_SLOTS];
	pthread_mutex_unlock(&f->mu);
	return it;
}

void feed_push(struct feed *f)
{
	pthread_mutex_lock(&f->mu);
	f->count++;
	pthread_cond_signal(&f->filled);
	pthread_mutex_unlock(&f->mu);
}

struct feed_item *feed_pop(struct feed *f)
{
	struct feed_item *it;

	pthread_mutex_lock(&f->mu);
	while (f->count == 0)
		pthread_cond_wait(&f->filled, &f->mu);
	it = &f->slot[f->head];
	pthread_mutex_unlock(&f->mu);
	return it;
}

void feed_done(struct feed *f)
{
	pthread_mutex_lock(&f->mu);
	f->head = (f->head + 1) % FEED_SLOTS;
	f->count--;
	pthread_cond_signal(&f->emptied);
	pthread_mutex_unlock(&f->mu);
}
