/*
 * scan_threads.c: the threaded exact walk. Reader threads read the
 * processes' mappings and pagemaps ahead, each into a feed of its own
 * (feed.h); the accounting takes them back in walk order on the scan's
 * thread. Admission bounds the mappings held between the two.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "scan_internal.h"

/*
 * A threaded walk: WALK_READERS readers at most (one per CPU), reader j
 * reading the processes j, j + n, j + 2n... of the walk order into a feed
 * of its own, and the accounting taking them back in order, here.
 *
 * A process with thousands of mappings holds megabytes of them while it
 * is walked. So that readers do not pile up several such, a reader starts
 * the process the accounting waits for at once, but one further ahead only
 * while fewer than WALK_HELD mappings are handed on and not yet counted.
 */
#define WALK_READERS 2
#define WALK_HELD    4096

struct walk_reader {
	struct walk *w;
	size_t first;
	struct feed feed;
	struct reader rd;
	struct tm_error err;
	pthread_t tid;
};

struct walk {
	struct scan_ctx *c;
	const size_t *order;
	size_t n;                       /* readers */
	struct walk_reader r[WALK_READERS];
	pthread_mutex_t mu;
	pthread_cond_t changed;
	size_t held;                    /* mappings handed on, not yet counted */
	size_t next;                    /* the walk position the accounting is at */
	atomic_bool stop;               /* the accounting wants no more */
};

bool walk_stopped(struct walk *w)
{
	return atomic_load(&w->stop);
}

void walk_hold(struct walk *w, size_t nvmas)
{
	pthread_mutex_lock(&w->mu);
	w->held += nvmas;
	pthread_mutex_unlock(&w->mu);
}

/*
 * A reader waits to start walk position k (see WALK_HELD): at once when
 * the accounting waits for k, otherwise while few mappings are held.
 * Returns false when the walk stops.
 */
static bool walk_admit(struct walk *w, size_t k, struct feed *f)
{
	bool go;

	pthread_mutex_lock(&w->mu);
	while (!walk_stopped(w) && k != w->next && w->held >= WALK_HELD) {
		if (f->pending) {
			/* The accounting may be waiting for what this reader has not published. */
			pthread_mutex_unlock(&w->mu);
			feed_flush(f);
			pthread_mutex_lock(&w->mu);
			continue;
		}
		pthread_cond_wait(&w->changed, &w->mu);
	}
	go = !walk_stopped(w);
	pthread_mutex_unlock(&w->mu);
	return go;
}

/* The accounting moves to walk position next, having counted (and let go of) nvmas mappings. */
static void walk_advance(struct walk *w, size_t next, size_t nvmas)
{
	pthread_mutex_lock(&w->mu);
	w->held -= nvmas;
	w->next = next;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
}

static void feed_send(struct feed *f, enum feed_kind kind, uint32_t proc, int rc)
{
	struct feed_item *it = feed_stage(f);

	it->kind = kind;
	it->proc = proc;
	it->rc = rc;
	feed_push(f);
}

static void *walk_read(void *arg)
{
	struct walk_reader *wr = arg;
	struct walk *w = wr->w;
	struct scan *sc = w->c->sc;

	for (size_t k = wr->first; k < sc->n && walk_admit(w, k, &wr->feed); k += w->n) {
		uint32_t i = (uint32_t)(w->order ? w->order[k] : k);
		struct sink s = { .feed = &wr->feed, .walk = w, .proc = i };
		int rc = sc->procs[i].id.err;

		if (rc == 0 && exact_reads(w->c, i))
			rc = read_proc_exact(&wr->rd, sc->procs[i].id.pid, want_smaps(w->c), &s);
		feed_send(&wr->feed, FEED_END, i, rc);
		if (rc < 0 && proc_error_fatal(wr->rd.src, &sc->procs[i], rc))
			break;   /* the scan ends: wr->err says why */
	}
	feed_send(&wr->feed, FEED_EOF, 0, 0);
	return NULL;
}

/*
 * Stops the readers started (the first `started`) and waits for them:
 * what is still coming is dropped, mappings freed once their reading ended.
 */
static void walk_stop(struct walk *w, size_t started)
{
	pthread_mutex_lock(&w->mu);
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->mu);
	for (size_t j = 0; j < started; j++) {
		struct vma_list held;
		struct feed_item *it;
		enum feed_kind kind;

		vma_list_init(&held);
		do {
			it = feed_pop(&w->r[j].feed);
			if (it->kind == FEED_VMAS)
				held = it->vmas;
			else if (it->kind != FEED_BATCH)
				vma_list_release(&held);
			kind = it->kind;
			feed_done(&w->r[j].feed);
		} while (kind != FEED_EOF);
		pthread_join(w->r[j].tid, NULL);
	}
	for (size_t j = 0; j < w->n; j++) {
		feed_release(&w->r[j].feed);
		reader_release(&w->r[j].rd);
	}
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->changed);
}

/* Starts the readers; returns how many started (all, or fewer when a thread could not be made). */
static size_t walk_start(struct walk *w)
{
	sigset_t all, old;
	size_t j;

	/* Signals are the scan's thread's to take (top's resize and quit). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (j = 0; j < w->n; j++)
		if (pthread_create(&w->r[j].tid, NULL, walk_read, &w->r[j]))
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return j;
}

/* Sets up walk w (zeroed) of c in order: its readers, one per CPU up to WALK_READERS, and their feeds. */
static void walk_init(struct walk *w, struct scan_ctx *c, const size_t *order)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	w->c = c;
	w->order = order;
	w->n = cpus >= WALK_READERS ? WALK_READERS : 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->changed, NULL);
	atomic_init(&w->stop, false);
	for (size_t j = 0; j < w->n; j++) {
		struct walk_reader *wr = &w->r[j];

		wr->w = w;
		wr->first = j;
		wr->rd = (struct reader){ .src = c->src, .swap_in_use = c->swap_in_use, .err = &wr->err };
		feed_init(&wr->feed);
	}
}

/*
 * An exact walk with the reading on other threads, a few batches ahead of
 * the accounting here: the kernel's page-table walks (pagemap, maps) then
 * overlap the frame lookups and the counting, and each other. The order
 * and every number are those of scan_walk. Returns 0 or the fatal error.
 */
int scan_walk_threaded(struct scan_ctx *c, const size_t *order)
{
	struct scan *sc = c->sc;
	struct walk *w = xcalloc(1, sizeof(*w));
	size_t started;
	int fatal = 0;

	walk_init(w, c, order);
	if ((started = walk_start(w)) < w->n) {
		walk_stop(w, started);
		free(w);
		return scan_walk(c, order);
	}
	for (size_t k = 0; k < sc->n && !fatal; k++) {
		size_t i = order ? order[k] : k;
		struct proc *p = &sc->procs[i];
		struct walk_reader *wr = &w->r[k % w->n];
		struct feed_item *it;
		size_t nvmas = 0;
		int rc = 0;

		if (scan_cancelled(c)) {
			fatal = -ECANCELED;
			break;
		}
		if (walk_first(sc, order, k))
			account_group_begin(&c->acc, (uint32_t)p->group);
		while ((it = feed_pop(&wr->feed))->kind != FEED_END) {
			if (it->kind == FEED_VMAS) {
				nvmas = it->vmas.n;
				take_vmas(c, p, &it->vmas);
			} else if (rc == 0) {
				rc = take_batch(c, (uint32_t)i, p, it->vaddr, it->n, it->pm);
			}
			feed_done(&wr->feed);
		}
		if (rc == 0 && (rc = it->rc) < 0 && proc_error_fatal(c->src, p, rc))
			*c->err = wr->err;
		feed_done(&wr->feed);
		proc_done(c, p, rc, &fatal);
		walk_advance(w, k + 1, nvmas);
		if (walk_last(sc, order, k))
			group_end(c, p->group);
	}
	walk_stop(w, w->n);
	free(w);
	return fatal;
}

/*
 * Exact live scans and snapshot reads are threaded; a capture, whose
 * writer records every read in order, is not. TRUEMEM_SERIAL=1 walks on
 * one thread (tests compare the two).
 */
bool walk_threaded(const struct scan_ctx *c)
{
	return c->sc->mode == MODE_EXACT && !(c->src->caps & SOURCE_WHOLE) &&
	       !getenv("TRUEMEM_SERIAL");
}
