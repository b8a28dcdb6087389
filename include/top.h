/*
 * top.h: `truemem top` (issue 5), a controller and a view over one state.
 * cmd_top (src/cli) checks the options, opens the source and hands both
 * to the controller as a struct top_config; the controller decides when
 * to scan and what, and the view draws the state and turns keys into
 * changes of it. The view never scans and never touches a source: what it
 * wants scanned it asks for (st->dirty, a screen that needs figures).
 *
 *   the controller, src/top/:
 *   top_run.c    the main loop: state, signals, the turn log; clocks
 *   top_sched.c  the refresh schedule under a CPU budget, its jobs on a
 *                thread of their own (full scans, light refreshes, the
 *                cgroup report) and the drill-down's scan
 *
 *   the view, src/view/:
 *   top_term.c   the terminal: start and restore, waiting for a key
 *   top_rows.c   the rows on screen: filter, sort, tree order, growth
 *   top_meter.c  the header's memory bar: meminfo reconciled with the scan
 *   top_draw.c   drawing the header, the table and the help screen
 *   top_map.c    the drill-down into one process's mappings
 *   top_keys.c   the key table and what each key does
 *   top_cgroup.c the cgroup view: the `cgroup` report's rows (cgroup_take.h)
 *
 * Only the view's top_draw.c, top_map.c, top_keys.c, top_cgroup.c and
 * top_term.c include <curses.h>; top_rows.c and top_meter.c are pure, so
 * unit tests can drive them with a hand-made struct scan; the controller
 * reads only through the source.
 */
#ifndef TRUEMEM_TOP_H
#define TRUEMEM_TOP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cgroup_take.h"
#include "scan.h"
#include "source.h"
#include "status.h"
#include "util.h"

#define TOP_CPU_BUDGET 0.03     /* share of one core top may use on average (top_sched.c, "Cost") */
#define TOP_ROWS_SHARE 0.02     /* of it, what keeps the rows on screen fresh (top_sched.c, "Freshness") */
#define TOP_MAX_AGE 10.0        /* seconds: the exact figures on screen are no older, while the budget allows */

/* The table's columns, in screen order. */
enum top_col { TOP_PID, TOP_USER, TOP_SWAP, TOP_FREES, TOP_RECLAIMABLE, TOP_STAYS, TOP_FREES_SWAP, TOP_USS,
	       TOP_PSS, TOP_RSS, TOP_DUSS, TOP_DPSS, TOP_COMMAND, TOP_NCOLS };

struct top_column {
	const char *title;       /* header text (the Δ columns have an ASCII fallback) */
	const char *title_ascii; /* for terminals without UTF-8 */
	int ps_col;              /* the shared ps column it shows (view.h), or -1 */
	int drop_rank;           /* narrow terminals drop the highest rank first; 0: never */
	bool numeric;
	bool on_demand;          /* shown only while it is the sort column (--sort, F6); < > pass it by */
};
extern const struct top_column top_columns[TOP_NCOLS];

/* One line of the table: a process or a group, with its growth per second. */
struct top_row {
	const struct proc *proc;    /* a process row, or NULL */
	const struct group *group;  /* a group row, or NULL */
	int depth;                  /* tree view: levels below the root */
	bool have_duss, have_dpss;  /* growth known (the row was in the previous scan) */
	double duss, dpss;          /* bytes per second, signed */
};

/*
 * The last figures seen of each process (key: pid) or group (key: hash of
 * the group key), each with the time it was taken, for the growth columns.
 * Entries carry their own time because a light refresh updates only some.
 */
struct top_hist_entry {
	uint64_t key;
	uint64_t uss_bytes, pss_bytes;
	bool uss_ok, pss_ok;
	double t;                   /* CLOCK_MONOTONIC seconds */
};
struct top_hist {
	struct top_hist_entry *e;   /* sorted by key */
	size_t n, cap;
	enum group_by group_by;     /* groups: what the keys are */
};

/* The growth of one process or group, per second. */
struct top_growth {
	bool uss_ok, pss_ok;
	double duss, dpss;          /* bytes per second */
};

/* A process's own-memory counters (status RssAnon/RssFile/RssShmem/VmSwap), to see it change. */
struct top_sig {
	bool ok;
	uint64_t anon_kb, file_kb, shmem_kb, swap_kb;
};

/* The header's memory bar, in bytes (SPEC section 3, "accounted"). */
enum top_seg { SEG_ANON, SEG_FILE, SEG_SHMEM, SEG_CACHE, SEG_KERNEL, SEG_FREE, SEG_COUNT };
struct top_meter {
	bool ok;                    /* meminfo was read */
	bool mapped_by_kind;        /* anon/file/shmem known; else seg[SEG_ANON] is all mapped */
	uint64_t total;             /* MemTotal */
	uint64_t seg[SEG_COUNT];
	uint64_t other;             /* MemTotal minus the segments: unexplained */
	uint64_t swap_total, swap_used, swap_attributed;
	bool swap_attributed_ok;
};
extern const char *const top_seg_names[SEG_COUNT];

/*
 * What the command line asked of top (cmd_top.c fills it): the scan's
 * selection and how to start. The controller copies it into its state.
 */
struct top_config {
	struct scan_opts scan;      /* pids, users, filter, self; mode and grouping come from below */
	enum scan_mode mode;        /* MODE_EXACT or MODE_ROLLUP: the source allows it */
	enum group_by group_by;
	bool tree;
	int sort;                   /* enum top_col */
	bool reverse;
	double interval;            /* seconds between refreshes */
	bool human;
	bool no_color;
	long count;                 /* refreshes before quitting (-n), <0: until q */
	const char *from;           /* the snapshot shown (--from), NULL for the live system */
};

enum top_screen { SCREEN_LIST, SCREEN_MAP, SCREEN_HELP, SCREEN_SORT, SCREEN_CGROUP, SCREEN_COUNT };

/*
 * A full scan running on a thread of its own (top_sched.c), so keys are
 * answered while it runs. The thread writes only out, rc, err and done;
 * the main loop starts it, sees done, joins it and takes out over.
 */
struct top_job {
	pthread_t tid;
	bool running;               /* started and not yet joined */
	atomic_bool done;           /* the thread has finished */
	atomic_bool cancel;         /* asks the scan to stop (quit, or a key changed what to scan) */
	struct source *src;
	struct scan_opts so;
	struct scan out;
	int rc;
	struct tm_error err;
	char fallback[320];         /* why exact was refused, when the scan fell back to rollup */
	double t0, c0;              /* when it started: wall seconds, process CPU ms */
	long delay_ms;              /* TRUEMEM_TOP_SCAN_DELAY_MS: tests hold each scan back this long */
	/* the cgroup report instead (the cgroup view is on screen) */
	bool cgroup;
	enum scan_mode cg_mode;
	struct cgroup_take cg_out;
	/* a light refresh instead (top_sched.c, light_refresh) */
	bool light;
	bool claim;                 /* rescan the changed ones (the budget allows) */
	bool stale[512];            /* rescan this one whether it changed or not: its figures are getting old */
	enum scan_mode light_mode;  /* the mode of the table the rescans merge into */
	size_t nlight;              /* processes on screen: scan index, pid, counters before and now */
	size_t idx[512];
	pid_t pids[512];
	struct top_sig was[512], now[512];
	size_t nchanged;            /* rescanned into out when claim */
	struct meminfo meminfo;     /* read afresh */
	struct buf buf;             /* the thread's scratch */
	struct top_fd { pid_t pid; int fd; } fds[512];   /* status of the processes on screen, kept open */
	size_t nfds;
};

struct top_state {
	struct top_config cfg;
	struct source *src;         /* the controller's: the view never reads it */
	bool live;                  /* false for --from: scan only on demand */
	bool exact_ok;              /* the source can give exact figures */
	const char *exact_why;      /* why not, when !exact_ok */

	/* what is asked for */
	enum scan_mode mode;        /* MODE_EXACT or MODE_ROLLUP */
	enum group_by group_by;
	bool tree;
	enum top_col sort;
	bool reverse;
	char filter[128];           /* regular expression on command or user (filter_compile) */
	regex_t filter_re;          /* filter compiled, only while top_rows_build runs */
	bool filter_ok;             /* filter is empty or compiles */
	pid_t *members;             /* Enter on a group: only its processes (sorted), or NULL */
	size_t nmembers;
	char *members_of;           /* that group's key */
	enum group_by members_group_by; /* the grouping to go back to */
	bool editing_filter;
	char search[128];           /* F3: a regex (filter_compile) the selection jumps to */
	bool editing_search;
	double interval;            /* seconds between refreshes, as asked */
	bool paused;
	bool human;
	bool color, utf8;
	bool keys;                  /* stdin is a terminal: there is a keyboard to read */

	/* the last scan and what is drawn from it */
	struct scan scan;
	bool have_scan;
	struct top_hist phist, ghist;
	struct top_growth *pgrowth; /* per scan.procs index */
	struct top_growth *ggrowth; /* per scan.groups index */
	struct top_row *rows;
	size_t nrows, cap_rows;
	size_t sel, first;          /* selected row, first row on screen */
	pid_t sel_pid;              /* to keep the selection across refreshes */
	uint64_t sel_key;           /* group rows: hash of the key */
	struct top_meter meter;
	struct meminfo meminfo;     /* read afresh on light refreshes (full scans carry their own) */
	struct buf buf;             /* scratch: status reads, escaping */

	/* refresh schedule (top_sched.c, "Cost") */
	double next_tick;           /* CLOCK_MONOTONIC seconds of the next refresh */
	unsigned long refreshes;    /* refresh ticks so far (for -n) */
	bool dirty;                 /* a key changed what must be scanned: full scan now */
	double tokens_ms;           /* CPU milliseconds the budget allows spending now */
	double last_wall, last_cpu; /* where the budget was last brought up to date */
	double est_ms[3];           /* CPU of a full scan, by enum scan_mode; 0: not measured */
	double last_full;           /* CLOCK_MONOTONIC seconds when the scan on screen started */
	struct top_job job;         /* the full scan under way, if any */
	struct top_sig *sig;        /* per scan.procs index */
	double *row_t;              /* per scan.procs index: CLOCK_MONOTONIC seconds its figures were taken */
	double row_tokens_ms;       /* the rows' share of the budget (TOP_ROWS_SHARE), spent by light refreshes */
	double est_rows_ms;         /* CPU of the last light refresh that rescanned rows; 0: none yet */
	double light_wall;          /* how long the last light refresh took, seconds */

	/* the cgroup view (top_cgroup.c): the `cgroup` report, taken by the schedule */
	struct cgroup_take cg;
	bool have_cg;
	bool cg_failed;             /* the first report failed (said in msg); m or reopening tries again */
	enum scan_mode cg_asked;    /* the mode the report on screen was asked in */
	double cg_last_full;        /* CLOCK_MONOTONIC seconds when the report on screen was started */
	double est_cg_ms;           /* CPU of taking the report; 0: not measured */
	int cg_sort;                /* enum cgroup_col */
	bool cg_reverse, cg_tree;
	size_t *cg_order, cg_n;     /* rows in the order shown */
	size_t cg_sel, cg_first;

	/* screens */
	enum top_screen screen, back;
	size_t sort_menu_sel;
	struct scan map_scan;       /* drill-down: one process with its mappings */
	bool have_map, map_gone;
	pid_t map_pid;
	size_t map_sel, map_first;
	int map_sort;               /* 0: address order; 1..: a column (top_map.c) */
	bool map_reverse;
	size_t *map_order;          /* the mappings in the order shown */
	size_t help_first;

	char msg[640];              /* one-line notice at the bottom, cleared on the next key */
	bool quit;
};

/*
 * The controller (src/top/top_run.c): runs top on src until q (or -n
 * refreshes). src stays the caller's. Returns the exit code.
 */
int top_run(const struct top_config *cfg, struct source *src);

/*
 * top_rows.c: rebuilds st->rows from st->scan (filter, sort, tree, growth),
 * keeping the selection on the process or group top_selection_save noted.
 */
void top_rows_build(struct top_state *st);
/* Notes which process or group is selected, before the rows or the scan change. */
void top_selection_save(struct top_state *st);
/*
 * Computes the growth of every process and group of the scan just taken at
 * time t against the history, then records the scan as the history.
 */
void top_growth_full(struct top_state *st, double t);
/* The same for the process at scan index i alone (after a light refresh). */
void top_growth_proc(struct top_state *st, size_t i, double t);
void top_hist_release(struct top_hist *h);
/* Hash of a group key, the growth and selection key of a group row. */
uint64_t top_key_hash(const char *s);
/* The value of a row in column col; false when it is unknown (shown as "-"). */
bool top_row_value(const struct top_row *r, enum top_col col, double *out);
/* True when the row's command, command line or user (group: key) matches re (filter_compile); NULL: all. */
bool top_row_matches(const struct proc *p, const struct group *g, const regex_t *re);

/* top_meter.c: fills m from meminfo and the scan's totals (sc may be NULL). */
void top_meter_compute(struct top_meter *m, const struct meminfo *mi, const struct scan *sc);

/* top_draw.c */
void top_draw_init_colors(struct top_state *st);
void top_draw(struct top_state *st);
/* Rows of the table area on this screen size (at least 1). */
int top_table_height(void);
/* Draws UTF-8 text at (y, x) clipped to maxw display columns; returns the columns used. */
int top_draw_text(int y, int x, int maxw, const char *s);
/* Draws an untrusted name escaped (escape_untrusted) and clipped; returns the columns used. */
int top_draw_untrusted(struct top_state *st, int y, int x, int maxw, const char *s);
/* Draws an untrusted path escaped; when it does not fit, its tail after an ellipsis ("…/libc.so.6"). */
int top_draw_untrusted_tail(struct top_state *st, int y, int x, int maxw, const char *s);
/* Draws text at (y, x) cut between words to fit maxw columns (nothing when its first word does not fit). */
int top_draw_fit(int y, int x, int maxw, const char *s);
/* The same for untrusted text, escaped first. */
int top_draw_untrusted_fit(struct top_state *st, int y, int x, int maxw, const char *s);
/* Formats a byte count for a table cell: human units or raw, "-" when unknown. */
void top_fmt_cell(char *out, size_t len, bool known, double bytes, bool human, bool signed_rate);

/* top_map.c: the drill-down into one process's mappings. */
/* Opens the mappings screen of pid; the controller scans it before the next draw (st->dirty). */
void top_map_open(struct top_state *st, pid_t pid);
void top_map_draw(struct top_state *st);
/* Frees the drill-down's scan and returns to the list (safe when none is open). */
void top_map_close(struct top_state *st);
/* Sorts the mappings by the previous (dir -1) or next (+1) column. */
void top_map_sort_step(struct top_state *st, int dir);
/* Number of mapping rows on the drill-down screen. */
size_t top_map_rows(const struct top_state *st);
/* True when the drill-down is on screen, or under the help screen. */
bool top_in_map(const struct top_state *st);

/* top_cgroup.c: the cgroup view. */
/* True when the cgroup view is on screen, or under the help screen or its sort menu. */
bool top_in_cgroup(const struct top_state *st);
/* Puts a report just taken on screen (takes ownership of ct), keeping the selected cgroup. */
void top_cgroup_install(struct top_state *st, struct cgroup_take *ct);
/* Orders the rows again (after a sort key). */
void top_cgroup_sort(struct top_state *st);
void top_cgroup_draw(struct top_state *st);
/* The title line of the cgroup view: what the report is, how old, its cost. */
void top_cgroup_title(const struct top_state *st, char *line, size_t len);
/* Keeps cg_sel and cg_first within the rows and the screen. */
void top_cgroup_clamp(struct top_state *st);
void top_cgroup_release(struct top_state *st);

/* top_keys.c: handles one key; returns false when it was not bound. */
bool top_key(struct top_state *st, int key);
/* Leaves a group's member list, back to its grouping (no-op when none is open). */
void top_members_clear(struct top_state *st);
/* Writes the help text, one line per call index; NULL past the end. */
const char *top_help_line(size_t i, char *out, size_t len);

/* top_term.c: the terminal. */
/* Starts curses on the terminal; false, with why, when it cannot. */
bool top_term_start(struct top_state *st, char *why, size_t len);
/* Leaves curses mode and frees the screen; safe when it was never started. */
void top_term_stop(void);
#define TOP_NO_KEY (-1)
/* Waits up to ms milliseconds (-1: for ever) for a key (a curses key code); TOP_NO_KEY when none came. */
int top_term_key(const struct top_state *st, int ms);
/* Keeps a selection (*sel) and the first row shown (*first) within n rows and the screen. */
void top_clamp_cursor(size_t *sel, size_t *first, size_t n);
/* Keeps sel and first within the rows and the screen. */
void top_clamp_selection(struct top_state *st);

/* The controller. top_sched.c: the refresh schedule and the scans behind it. */
/* Brings the CPU budget up to date; called every turn of the main loop. */
void top_sched_account(struct top_state *st);
/* Refreshes what is due: a full scan, a light refresh, or nothing. */
void top_sched_run(struct top_state *st);
/* How old the oldest figures on screen are, in seconds: the rows shown, or the full scan for groups. */
double top_sched_figures_age(const struct top_state *st);
/* Seconds until the budget allows the next full scan (estimated), -1 when none will run. */
double top_sched_full_eta(const struct top_state *st);
/* Milliseconds until something is due, -1 when nothing will be. */
int top_sched_wait_ms(const struct top_state *st);
/* Starts a full scan of every process in the mode asked for (a snapshot's runs at once). */
void top_full_scan(struct top_state *st);
/* Whether a full scan is under way. */
bool top_scan_running(const struct top_state *st);
/* Stops a full scan under way and waits for it (quitting). */
void top_sched_stop(struct top_state *st);
/* Stops the job under way and frees what the schedule holds. */
void top_sched_release(struct top_state *st);
/* Rescans the drilled-into process; when it has gone, keeps its last mappings and says so. */
void top_map_refresh(struct top_state *st);

/* top_run.c: seconds on CLOCK_MONOTONIC, and CPU milliseconds of this process. */
double top_now(void);
double top_cpu_ms(void);

#endif
