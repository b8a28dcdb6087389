/*
 * top_sched.c: when `truemem top` scans, and what: the controller's
 * schedule. Everything is read through the data pipeline (scan_run, the
 * source), never /proc directly; the view only draws what is installed
 * here into the state, and asks for scans through st->dirty.
 *
 * Full scans run on a thread of their own (struct top_job): the main loop
 * keeps answering keys and drawing while one runs, looks every
 * SCAN_POLL_MS whether it has finished, and then puts its result on
 * screen. The first one runs at start, in the mode asked for (exact when
 * the source allows it), before the CPU budget applies: the first screen
 * of figures is exact. A key that changes what is scanned (m, g) cancels a
 * scan under way and starts the new one. The header says how old the
 * figures on screen are (from the start of the scan that made them).
 *
 * Cost (issues 5 and 14: at most 3% of one core at the default 2 s refresh
 * on the bench workload, 280 processes / 3 GiB / 9M present PTEs). A full
 * scan of any kind every 2 s is over that budget, so the schedule works
 * from a CPU budget (TOP_CPU_BUDGET of one core):
 *
 *  - Two token buckets: tokens_ms, the full scans', grows by TOP_CPU_BUDGET
 *    less TOP_ROWS_SHARE of the wall time, row_tokens_ms, the rows', by
 *    TOP_ROWS_SHARE; the full scans' bucket is charged all the CPU the
 *    process uses (CLOCK_PROCESS_CPUTIME_ID: user and system of every
 *    thread, so the kernel's page-table walks count), drawing included,
 *    but for the light refreshes, which the rows' bucket pays. What the
 *    rows do not save up for their next rescan goes to the full scans.
 *  - A full scan, in the mode asked for, runs when its bucket covers its
 *    measured cost (est_ms), no more often than the refresh interval: an
 *    exact scan costing C ms of CPU runs about every C / TOP_CPU_BUDGET ms
 *    while the rows need nothing, every C / (TOP_CPU_BUDGET -
 *    TOP_ROWS_SHARE) ms at worst. The totals of the header (the memory
 *    bar, "attributed") and the groups change only with full scans.
 *  - Every refresh tick in between is a light refresh of the processes on
 *    screen (while the rows' bucket is not in debt): their own-memory
 *    counters (status RssAnon, RssFile, RssShmem, VmSwap) are read, and
 *    those that changed are rescanned, in the table's mode, and merged
 *    into the table; so are those whose figures would otherwise be older
 *    than TOP_MAX_AGE before the next tick ("Freshness"). A rescan of
 *    chosen processes in exact mode is the exact walk of their page
 *    tables against the kpagecount of that moment (and, for what killing
 *    frees, every other process's holdings), so a rescanned row has the
 *    figures a full scan would have given it then.
 *  - Freshness: a process whose own page tables did not change still
 *    changes PSS when another process maps or unmaps a frame it shares
 *    (a fork, an exit, a copy-on-write break in a sibling), and nothing
 *    in the process says so. So no row is trusted for longer than
 *    TOP_MAX_AGE: it is walked again, changed or not. The header says how
 *    old the oldest row on screen is ("N s old") and, apart, when the
 *    last full scan was. When the rows' share cannot pay for walking the
 *    rows on screen every TOP_MAX_AGE, they get older than that, and the
 *    header says so: the budget wins. truemem's own row is left out (a
 *    scan of chosen pids never selects it). The light refresh's reading
 *    runs on the job's thread too, and not while a full scan does; the
 *    main loop only merges what it found.
 *  - A key that changes what is scanned (m, g) scans at once: the user
 *    asked. Its cost comes out of the bucket like any other.
 *
 * A snapshot (--from) does not change: it is scanned once, and again only
 * when a key asks for another mode or grouping; its scans run in the main
 * loop (reading a snapshot is quick and nothing else would run meanwhile).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "top.h"

#define INITIAL_CREDIT_MS 200.0 /* so a small system gets its exact walk at once */
#define ROLLUP_TO_EXACT 4.0     /* first guess of an exact walk's cost, in rollup scans (measured 3.4) */
#define SCAN_POLL_MS 40         /* how often the main loop looks whether a full scan has finished */

void top_sched_account(struct top_state *st)
{
	double now = top_now(), cpu = top_cpu_ms(), cap;

	if (st->last_wall == 0) {
		st->tokens_ms = INITIAL_CREDIT_MS;
	} else {
		st->tokens_ms += (now - st->last_wall) * 1e3 * (TOP_CPU_BUDGET - TOP_ROWS_SHARE);
		st->row_tokens_ms += (now - st->last_wall) * 1e3 * TOP_ROWS_SHARE;
		st->tokens_ms -= cpu - st->last_cpu;
	}
	st->last_wall = now;
	st->last_cpu = cpu;
	/* What the rows do not use goes to the full scans: they save up for one rescan of theirs at most. */
	cap = st->est_rows_ms * 1.25;
	if (st->row_tokens_ms > cap) {
		st->tokens_ms += st->row_tokens_ms - cap;
		st->row_tokens_ms = cap;
	}
	/* Saving up is capped at what the next full scan needs. */
	cap = st->est_ms[st->mode] * 1.25;
	if (cap < INITIAL_CREDIT_MS)
		cap = INITIAL_CREDIT_MS;
	if (st->tokens_ms > cap)
		st->tokens_ms = cap;
}

/* Reads meminfo through the source; a failure leaves the bar out, quietly. */
static void read_meminfo(struct top_state *st)
{
	struct tm_error err;

	meminfo_release(&st->meminfo);
	if (source_read_top(st->src, "meminfo", &st->buf, &err) == 0)
		meminfo_parse(st->buf.buf, st->buf.len, &st->meminfo);
}

/* The scan index of each process row on screen; returns how many. */
static size_t visible_procs(const struct top_state *st, size_t *out, size_t max)
{
	size_t n = 0, h = (size_t)top_table_height();

	for (size_t r = st->first; r < st->nrows && r < st->first + h && n < max; r++)
		if (st->rows[r].proc)
			out[n++] = (size_t)(st->rows[r].proc - st->scan.procs);
	return n;
}

/*
 * truemem's own row (its pid in the namespace it scans): a full scan shows
 * it, but a scan of chosen pids never selects it (scan_opts.self), so no
 * light refresh can rescan it and the age on screen leaves it out.
 */
static bool own_row(const struct top_state *st, const struct proc *p)
{
	return st->scan.self && p->id.pid == st->scan.self;
}

/*
 * The counters of pid from its status file, kept open between light
 * refreshes (a seq_file reads afresh from offset 0; once the process is
 * gone the kept file reads nothing, whatever reuses its pid). The files of
 * processes no longer on screen are closed by close_unused.
 */
static bool read_sig_kept(struct top_job *j, struct top_fd *keep, size_t *nkeep, pid_t pid, struct top_sig *sig)
{
	struct proc_status ps;
	ssize_t n;
	int fd = -1;

	memset(sig, 0, sizeof(*sig));
	for (size_t i = 0; i < j->nfds && fd < 0; i++)
		if (j->fds[i].pid == pid) {
			fd = j->fds[i].fd;
			j->fds[i].pid = 0;   /* taken over */
		}
	if (fd < 0 && (fd = source_open_proc(j->src, pid, "status")) < 0)
		return false;
	keep[(*nkeep)++] = (struct top_fd){ pid, fd };
	buf_reserve(&j->buf, 16384);
	n = pread(fd, j->buf.buf, j->buf.cap - 1, 0);
	if (n <= 0 || (size_t)n >= j->buf.cap - 1)
		return false;
	j->buf.len = (size_t)n;
	j->buf.buf[n] = '\0';
	if (status_parse(j->buf.buf, j->buf.len, &ps) != 0)
		return false;
	*sig = (struct top_sig){ true, ps.rss_anon_kb, ps.rss_file_kb, ps.rss_shmem_kb, ps.vm_swap_kb };
	return true;
}

/* Closes the kept files not taken over, and keeps keep[0..n) instead. */
static void close_unused(struct top_job *j, const struct top_fd *keep, size_t n)
{
	for (size_t i = 0; i < j->nfds; i++)
		if (j->fds[i].pid)
			close(j->fds[i].fd);
	if (n)
		memcpy(j->fds, keep, n * sizeof(*keep));
	j->nfds = n;
}

/*
 * A light refresh's reading: the counters of the processes on screen, a
 * rollup rescan of those that changed (when the budget allows), meminfo.
 * A process seen for the first time since the full scan only gets its
 * counters noted.
 */
static void light_job(struct top_job *j)
{
	pid_t changed[ARRAY_SIZE(j->pids)];
	struct top_fd keep[ARRAY_SIZE(j->fds)];
	size_t nkeep = 0;
	struct tm_error err;

	j->nchanged = 0;
	for (size_t k = 0; k < j->nlight; k++) {
		struct top_sig *was = &j->was[k], *now = &j->now[k];

		if (read_sig_kept(j, keep, &nkeep, j->pids[k], now) && was->ok &&
		    (j->stale[k] || memcmp(now, was, sizeof(*now))))
			changed[j->nchanged++] = j->pids[k];
	}
	close_unused(j, keep, nkeep);
	j->rc = -1;
	if (j->nchanged && j->claim) {
		j->so.mode = j->light_mode;
		j->so.group_by = GROUP_NONE;
		j->so.pids = changed;
		j->so.npids = j->nchanged;
		j->so.filter = NULL;
		j->rc = scan_run(j->src, &j->so, &j->out, &j->err);
	}
	meminfo_release(&j->meminfo);
	if (source_read_top(j->src, "meminfo", &j->buf, &err) == 0)
		meminfo_parse(j->buf.buf, j->buf.len, &j->meminfo);
}

/* The cgroup view's report, taken as `truemem cgroup` takes it (cgroup_take.h). */
static void cgroup_job(struct top_job *j)
{
	j->rc = cgroup_take_begin(j->src, j->cg_mode, &j->cg_out, &j->err);
	if (j->rc == 0)
		j->rc = cgroup_take_finish(j->src, j->cg_mode, NULL, &j->cancel, &j->cg_out, &j->err);
	if (j->rc != 0)
		cgroup_take_release(&j->cg_out);
}

/* The thread of a full scan. When exact is refused, it says why and scans in rollup mode. */
static void *scan_job(void *arg)
{
	struct top_job *j = arg;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (j->light) {
		light_job(j);
		atomic_store(&j->done, true);
		return NULL;
	}
	for (long ms = j->delay_ms; ms > 0 && !atomic_load(&j->cancel); ms -= 10)
		nanosleep(&tick, NULL);
	if (j->cgroup) {
		cgroup_job(j);
		atomic_store(&j->done, true);
		return NULL;
	}
	j->rc = scan_run(j->src, &j->so, &j->out, &j->err);
	if (j->rc != 0 && j->so.mode == MODE_EXACT && !atomic_load(&j->cancel)) {
		snprintf(j->fallback, sizeof(j->fallback), "%s", j->err.msg);
		j->so.mode = MODE_ROLLUP;
		j->rc = scan_run(j->src, &j->so, &j->out, &j->err);
	}
	atomic_store(&j->done, true);
	return NULL;
}

/* A full scan is under way (a light refresh of the rows on screen is not one). */
bool top_scan_running(const struct top_state *st)
{
	return st->job.running && !st->job.light;
}

/* Puts the finished scan of st->job on screen (or says why there is none). */
static void scan_install(struct top_state *st)
{
	struct top_job *j = &st->job;
	struct scan next = j->out;
	bool first = !st->have_scan;

	if (j->fallback[0]) {
		snprintf(st->msg, sizeof(st->msg), "exact mode unavailable: %s", j->fallback);
		st->mode = MODE_ROLLUP;
	}
	if (j->rc != 0) {
		if (!atomic_load(&j->cancel))
			snprintf(st->msg, sizeof(st->msg), "scan failed: %s", j->err.msg);
		return;
	}
	top_selection_save(st);
	if (st->have_scan)
		scan_release(&st->scan);
	st->scan = next;
	st->have_scan = true;
	st->sig = xrealloc(st->sig, (next.n + 1) * sizeof(*st->sig));
	memset(st->sig, 0, (next.n + 1) * sizeof(*st->sig));
	st->row_t = xrealloc(st->row_t, (next.n + 1) * sizeof(*st->row_t));
	for (size_t i = 0; i < next.n; i++)
		st->row_t[i] = j->t0;
	top_growth_full(st, j->t0);
	if (st->scan.meminfo.n) {
		top_meter_compute(&st->meter, &st->scan.meminfo, &st->scan);
	} else {
		read_meminfo(st);
		top_meter_compute(&st->meter, &st->meminfo, &st->scan);
	}
	top_rows_build(st);
	st->est_ms[next.mode] = top_cpu_ms() - j->c0;
	if (next.mode == MODE_ROLLUP && st->est_ms[MODE_EXACT] == 0)
		st->est_ms[MODE_EXACT] = st->est_ms[MODE_ROLLUP] * ROLLUP_TO_EXACT;
	st->last_full = j->t0;
	if (first && st->live) {
		/* The first scan is not charged to the budget: the bucket starts now. */
		st->last_wall = top_now();
		st->last_cpu = top_cpu_ms();
		st->tokens_ms = 0;
	}
}

static void light_install(struct top_state *st);

/* Puts the cgroup report of st->job on screen (or says why there is none). */
static void cgroup_install(struct top_state *st)
{
	struct top_job *j = &st->job;

	if (j->rc != 0) {
		if (!atomic_load(&j->cancel))
			snprintf(st->msg, sizeof(st->msg), "cgroup report failed: %s", j->err.msg);
		/* Nothing to show, and no point in trying again at once. */
		st->cg_last_full = j->t0;
		if (!st->have_cg)
			st->cg_failed = true;
		return;
	}
	top_cgroup_install(st, &j->cg_out);
	st->cg_asked = j->cg_mode;
	st->est_cg_ms = top_cpu_ms() - j->c0;
	st->cg_last_full = j->t0;
}

/*
 * TRUEMEM_TOP_SCANLOG=FILE (tests, measurements): one line per job put on
 * screen: its kind (full, light, cgroup), the mode, the processes it
 * (re)scanned, its CPU and wall milliseconds, and then how old the oldest
 * figures on screen are, in seconds, and both buckets of the budget.
 */
static void scan_log(const struct top_state *st, size_t n, double cpu_ms)
{
	static FILE *log;
	static bool opened;
	const struct top_job *j = &st->job;

	if (!opened && getenv("TRUEMEM_TOP_SCANLOG"))
		log = fopen(getenv("TRUEMEM_TOP_SCANLOG"), "a");
	opened = true;
	if (!log)
		return;
	fprintf(log, "%s %s %zu %.1f %.1f %.1f %.1f %.1f\n", j->light ? "light" : j->cgroup ? "cgroup" : "full",
		scan_mode_names[j->light ? j->light_mode : j->cgroup ? j->cg_mode : j->so.mode],
		n, cpu_ms,
		(top_now() - j->t0) * 1e3, top_sched_figures_age(st), st->tokens_ms, st->row_tokens_ms);
	fflush(log);
}

/* Installs what the finished job found. */
static void job_install(struct top_state *st)
{
	double cpu = top_cpu_ms() - st->job.c0;
	size_t n = st->job.rc == 0 && !st->job.cgroup ? st->job.out.n : 0;

	if (st->job.light)
		light_install(st);
	else if (st->job.cgroup)
		cgroup_install(st);
	else
		scan_install(st);
	scan_log(st, n, cpu);
}

/* Joins a finished job and installs its result; true when one finished. */
static bool scan_poll(struct top_state *st)
{
	if (!st->job.running || !atomic_load(&st->job.done))
		return false;
	pthread_join(st->job.tid, NULL);
	st->job.running = false;
	job_install(st);
	return true;
}

/* Runs st->job: on a thread when live, here otherwise (or when no thread can be made). */
static void job_start(struct top_state *st)
{
	struct top_job *j = &st->job;
	sigset_t all, old;

	j->src = st->src;
	j->t0 = top_now() + (double)j->delay_ms / 1e3;
	j->c0 = top_cpu_ms();
	atomic_store(&j->done, false);
	atomic_store(&j->cancel, false);
	if (st->live) {
		/* Signals are the main loop's to take (resize, quit). */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		j->running = pthread_create(&j->tid, NULL, scan_job, j) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (j->running)
			return;
	}
	scan_job(j);
	job_install(st);
}

void top_full_scan(struct top_state *st)
{
	struct top_job *j = &st->job;

	if (j->running)
		return;
	st->dirty = false;
	j->light = false;
	j->cgroup = top_in_cgroup(st);
	j->cg_mode = st->mode;
	memset(&j->out, 0, sizeof(j->out));
	j->src = st->src;
	j->so = st->cfg.scan;
	j->so.mode = st->mode;
	j->so.group_by = st->group_by;
	j->so.flags = 0;
	j->so.ident = IDENT_STAT | IDENT_CMDLINE;   /* top shows comm and the command line */
	j->so.cancel = &j->cancel;
	j->fallback[0] = '\0';
	j->delay_ms = getenv("TRUEMEM_TOP_SCAN_DELAY_MS") ? atol(getenv("TRUEMEM_TOP_SCAN_DELAY_MS")) : 0;
	job_start(st);
}

void top_sched_stop(struct top_state *st)
{
	if (!st->job.running)
		return;
	atomic_store(&st->job.cancel, true);
	pthread_join(st->job.tid, NULL);
	st->job.running = false;
	if (st->job.cgroup)
		cgroup_take_release(&st->job.cg_out);
	else if (st->job.rc == 0)
		scan_release(&st->job.out);
}

void top_sched_release(struct top_state *st)
{
	top_sched_stop(st);
	meminfo_release(&st->job.meminfo);
	buf_release(&st->job.buf);
	close_unused(&st->job, NULL, 0);
}

/* Copies the figures of the light scan's processes into the table's. */
static void merge_light(struct top_state *st, const struct scan *light, double t)
{
	for (size_t k = 0; k < light->n; k++) {
		const struct proc *lp = &light->procs[k];
		struct proc *p = scan_find(&st->scan, lp->id.pid);

		if (!p)
			continue;
		p->counts = lp->counts;
		p->readable = lp->readable;
		p->err = lp->err;
		st->row_t[p - st->scan.procs] = t;
		top_growth_proc(st, (size_t)(p - st->scan.procs), t);
	}
}

/*
 * Puts a light refresh on screen: the processes whose counters changed
 * were rescanned (when claimed; otherwise they stay unseen, so a later tick
 * rescans them); one that has gone is marked unreadable, quietly (the next
 * full scan drops it); one whose counters did not change has not grown.
 */
static void light_install(struct top_state *st)
{
	struct top_job *j = &st->job;
	double cpu = top_cpu_ms() - j->c0;

	/* A light refresh is the rows' to pay for: moved from the full scans' bucket to theirs. */
	st->tokens_ms += cpu;
	st->row_tokens_ms -= cpu;
	st->light_wall = top_now() - j->t0;
	if (j->claim && j->rc == 0)
		st->est_rows_ms = cpu;
	for (size_t k = 0; k < j->nlight; k++) {
		size_t i = j->idx[k];
		struct proc *p = &st->scan.procs[i];
		struct top_sig *was = &st->sig[i], *now = &j->now[k];

		if (!now->ok) {
			p->readable = false;
			p->err = -ESRCH;
			p->counts.valid = 0;
		} else if (was->ok && !memcmp(now, was, sizeof(*now)) && !(j->stale[k] && j->claim)) {
			if (p->readable)
				st->pgrowth[i] = (struct top_growth){ .uss_ok = true, .pss_ok = true };
		} else if (!was->ok || j->claim) {
			*was = *now;
		}
	}
	if (j->rc == 0) {
		merge_light(st, &j->out, j->t0);
		scan_release(&j->out);
		top_selection_save(st);
		top_rows_build(st);
	}
	/* Free memory and the page cache move all the time: the bar is redrawn from fresh meminfo. */
	meminfo_release(&st->meminfo);
	st->meminfo = j->meminfo;
	memset(&j->meminfo, 0, sizeof(j->meminfo));
	top_meter_compute(&st->meter, &st->meminfo, &st->scan);
}

/*
 * The light refresh: rescans the processes on screen whose own counters
 * changed, on the job's thread. It spends from the same bucket, and only
 * while the bucket is positive and the full scan is not being starved by
 * it (overdue by twice its own period), so a screen of ever-changing
 * processes cannot hold off the full scans or push top over budget.
 */
static void light_refresh(struct top_state *st)
{
	struct top_job *j = &st->job;
	size_t idx[ARRAY_SIZE(j->idx)], n;
	double now = top_now(), margin = st->light_wall > 1 ? st->light_wall : 1;

	j->light = true;
	j->cgroup = false;
	j->claim = st->row_tokens_ms >= 0;
	j->light_mode = st->scan.mode;
	j->nlight = 0;
	n = visible_procs(st, idx, ARRAY_SIZE(idx));
	for (size_t k = 0; k < n; k++) {
		const struct proc *p = &st->scan.procs[idx[k]];

		/* Not permitted stays not permitted until the next full scan says otherwise. */
		if (!p->readable && p->err != -ESRCH && p->err != -ENOENT)
			continue;
		j->idx[j->nlight] = idx[k];
		j->pids[j->nlight] = p->id.pid;
		/* Rescanned now, or it would be older than TOP_MAX_AGE before the next tick's rescan is on screen. */
		j->stale[j->nlight] = !own_row(st, p) && now - st->row_t[idx[k]] + st->interval + margin > TOP_MAX_AGE;
		j->was[j->nlight++] = st->sig[idx[k]];
	}
	j->so = st->cfg.scan;
	j->so.flags = 0;
	j->so.ident = IDENT_STAT | IDENT_CMDLINE;   /* top shows comm and the command line */
	j->so.cancel = &j->cancel;
	memset(&j->out, 0, sizeof(j->out));
	j->delay_ms = 0;
	job_start(st);
}

/* The cgroup view's report is due: none yet, or the interval passed and it is affordable. */
static bool cgroup_due(const struct top_state *st, double now)
{
	if (!st->have_cg)
		return !st->cg_failed;
	if (st->cg_asked != st->mode && !st->paused)
		return true;
	if (!st->live || st->paused || st->tokens_ms < st->est_cg_ms)
		return false;
	return now - st->cg_last_full >= st->interval - 0.01;
}

/* A full scan is due: none yet, or the interval passed and it is affordable. */
static bool full_due(const struct top_state *st, double now)
{
	if (top_in_cgroup(st))
		return cgroup_due(st, now);
	if (!st->have_scan)
		return true;
	if (!st->live || st->paused || top_in_map(st))
		return false;
	if (st->tokens_ms < st->est_ms[st->mode])
		return false;
	return st->scan.mode != st->mode || now - st->last_full >= st->interval - 0.01;
}

void top_sched_run(struct top_state *st)
{
	double now = top_now();

	scan_poll(st);
	if (st->dirty && top_in_map(st)) {
		st->dirty = false;
		top_map_refresh(st);
	} else if (st->job.running) {
		/* A key changed what is scanned: the scan under way is of no use now. */
		if (st->dirty)
			atomic_store(&st->job.cancel, true);
	} else if (st->dirty || full_due(st, now)) {
		top_full_scan(st);
	} else if (top_in_map(st) && now >= st->next_tick && !st->paused && st->live) {
		top_map_refresh(st);
	} else if (now >= st->next_tick && !st->paused && st->live && st->have_scan && !st->scan.ngroups &&
		   !top_in_cgroup(st)) {
		light_refresh(st);
	}
	if (now >= st->next_tick && !st->paused && (st->have_scan || st->have_cg)) {
		/* A refresh tick, whatever it had to do: what -n counts (from the first figures on). */
		st->refreshes++;
		st->next_tick = (st->next_tick == 0 ? now : st->next_tick) + st->interval;
		if (st->next_tick < now)
			st->next_tick = now + st->interval;
	}
}

double top_sched_figures_age(const struct top_state *st)
{
	size_t idx[512], n;
	double now = top_now(), oldest = st->last_full;

	if (!st->have_scan || st->scan.ngroups || !st->row_t)
		return now - st->last_full;
	n = visible_procs(st, idx, ARRAY_SIZE(idx));
	for (size_t k = 0, first = 1; k < n; k++) {
		if (own_row(st, &st->scan.procs[idx[k]]))
			continue;
		oldest = first || st->row_t[idx[k]] < oldest ? st->row_t[idx[k]] : oldest;
		first = 0;
	}
	return now - oldest;
}

double top_sched_full_eta(const struct top_state *st)
{
	double need = st->est_ms[st->mode] - st->tokens_ms;

	if (!st->live || st->paused)
		return -1;
	return need <= 0 ? 0 : need / 1e3 / TOP_CPU_BUDGET;
}

int top_sched_wait_ms(const struct top_state *st)
{
	double left;

	if (st->dirty && !st->job.running)
		return 0;
	if (st->job.running)
		return SCAN_POLL_MS;
	if (st->paused)
		return -1;
	left = st->next_tick - top_now();
	/* A full scan waiting for tokens is looked at again on the next tick. */
	return left <= 0 ? 0 : (int)(left * 1e3) + 1;
}

void top_map_refresh(struct top_state *st)
{
	struct scan_opts so = st->cfg.scan;
	struct scan next;
	struct tm_error err;
	const struct proc *p;

	so.mode = st->mode;
	so.group_by = GROUP_NONE;
	so.pids = &st->map_pid;
	so.npids = 1;
	so.filter = NULL;
	so.flags = SCAN_KEEP_VMAS;
	if (scan_run(st->src, &so, &next, &err) != 0) {
		st->map_gone = true;
		return;
	}
	p = scan_find(&next, st->map_pid);
	if (!p || !p->readable) {
		/* Gone or no longer readable: keep what was shown, quietly. */
		st->map_gone = true;
		if (!st->have_map) {
			st->map_scan = next;
			st->have_map = true;
		} else {
			scan_release(&next);
		}
		return;
	}
	if (st->have_map)
		scan_release(&st->map_scan);
	st->map_scan = next;
	st->have_map = true;
	st->map_gone = false;
}
