/*
 * snapscan.h: what the snapshot harnesses (fuzz_snapshot.c: directories,
 * fuzz_snapfile.c: the one-file form) do with a snapshot once it is
 * written: open it, scan it in exact and rollup mode and for one process,
 * and print every report to `sink`. A failure must come with a message,
 * and no file descriptor may stay open once the source is closed. The
 * including file has included scratch.h and the truemem headers.
 */
#ifndef TRUEMEM_FUZZ_SNAPSCAN_H
#define TRUEMEM_FUZZ_SNAPSCAN_H

/* The lowest free descriptor: it moves when one leaks. */
static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		abort();
	close(fd);
	return fd;
}

static void report_all(struct scan *sc)
{
	struct ps_rows rows = { xmalloc((sc->n + 1) * sizeof(*rows.p)), 0 };
	struct ps_text_opts t = { .human = true, .width = 80, .tree = sc->group_by == GROUP_TREE, .sort = GCOL_PSS };
	struct text_opts mt = { .human = false, .width = 0 }, lt = { .human = true, .width = 100 };
	struct lib_report lr;
	struct sys_report sr;

	for (size_t i = 0; i < sc->n; i++)
		rows.p[rows.n++] = &sc->procs[i];
	ps_sort(rows.p, rows.n, (enum ps_col)(sc->n % COL_COUNT), sc->n & 1);
	json_write_ps(sink, sc, &rows, false);
	ps_text_write(sink, sc, &rows, &t);
	prom_write_ps(sink, sc, &rows);
	for (size_t i = 0; i < sc->n; i++) {
		const struct proc *p = &sc->procs[i];

		/* Unknown numbers are never reported as 0 (SPEC section 3). */
		if (!p->readable && p->counts.valid)
			abort();
		if (!p->readable)
			continue;
		json_write_map(sink, sc, p, true);
		mt.human = i & 1;
		map_text_write(sink, sc, p, &mt, true);
	}
	lib_report_build(sc, &lr);
	json_write_lib(sink, sc, &lr, false);
	lib_text_write(sink, sc, &lr, &lt);
	lib_report_release(&lr);
	sys_report_build(sc, &sr);
	json_write_sys(sink, sc, &sr, false);
	sys_text_write(sink, sc, &sr, false);
	free(rows.p);
}

/* One scan of the snapshot at dir with the given options; a failure must say why. */
static void scan_once(const char *dir, const struct scan_opts *o, bool report, pid_t *first_pid)
{
	struct source src;
	struct scan sc;
	struct tm_error err = { "" };
	int fd0 = lowest_free_fd();

	if (source_open_snapshot(&src, dir, &err) < 0) {
		if (!err.msg[0])
			abort();
		source_close(&src);
	} else {
		if (scan_run(&src, o, &sc, &err) < 0) {
			if (!err.msg[0])
				abort();
		} else {
			if (sc.n && first_pid)
				*first_pid = sc.procs[sc.n / 2].id.pid;
			if (report)
				report_all(&sc);
			scan_release(&sc);
		}
		source_close(&src);
	}
	fflush(sink);
	if (lowest_free_fd() != fd0)
		abort();
}

/* The three scans of the snapshot at path; size varies the grouping. */
static void scan_all(const char *path, size_t size)
{
	pid_t pid = 0;
	struct scan_opts o;

	/* Exact (when the snapshot allows) with mappings, smaps and a grouping. */
	memset(&o, 0, sizeof(o));
	o.mode = MODE_AUTO;
	o.group_by = (enum group_by)(1 + size % (GROUP_COUNT - 1));
	o.flags = SCAN_KEEP_VMAS | SCAN_SMAPS;
	scan_once(path, &o, true, &pid);
	/* Rollup, grouped by tree, mappings from smaps. */
	memset(&o, 0, sizeof(o));
	o.mode = MODE_ROLLUP;
	o.group_by = GROUP_TREE;
	o.flags = SCAN_KEEP_VMAS;
	scan_once(path, &o, true, NULL);
	/* One process only: the others' swap entries are walked for swap_pss. */
	if (pid) {
		memset(&o, 0, sizeof(o));
		o.mode = MODE_AUTO;
		o.pids = &pid;
		o.npids = 1;
		scan_once(path, &o, false, NULL);
	}
}

#endif
