/*
 * cmd_diff.c: `truemem diff A B`, what changed between two snapshots (SPEC
 * section 2.5), as text or JSON.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "diff.h"
#include "view.h"

/* Opens snapshot path. Returns 0, or 1 after saying why. */
static int open_one(const struct cli_opts *o, const char *path, struct source *src)
{
	struct cli_opts one = *o;

	one.from = path;
	return cli_open_source(&one, src);
}

/* Scans an open snapshot as the options ask. Returns 0, or 1 after saying why. */
static int scan_one(const struct cli_opts *o, struct source *src, struct scan *sc)
{
	struct scan_opts so;
	struct tm_error err = { "" };

	cli_scan_opts(o, &so);
	so.self = 0;
	so.flags = SCAN_KEEP_VMAS;
	if (scan_run(src, &so, sc, &err) < 0) {
		cli_error("%s", err.msg);
		memset(sc, 0, sizeof(*sc));   /* nothing of it to release */
		return 1;
	}
	cli_note_mode(o, sc);
	return 0;
}

static void status_line(const struct cli_opts *o, const struct diff *d, const struct scan *a, const struct scan *b)
{
	size_t n[3] = { 0, 0, 0 };
	char ta[32], tb[32];
	struct tm tm;

	if (o->format != OUT_TEXT)
		return;
	for (size_t i = 0; i < d->n; i++)
		n[d->p[i].status]++;
	gmtime_r(&a->time.tv_sec, &tm);
	strftime(ta, sizeof(ta), "%Y-%m-%d %H:%M:%S", &tm);
	gmtime_r(&b->time.tv_sec, &tm);
	strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "truemem: %s mode, %zu changed, %zu new, %zu gone; from %s (%s UTC) to %s (%s UTC)\n",
		scan_mode_names[a->mode == MODE_EXACT ? b->mode : a->mode], n[DIFF_CHANGED], n[DIFF_NEW],
		n[DIFF_GONE], a->host, ta, b->host, tb);
}

int cmd_diff(const struct cli_opts *o)
{
	struct source sa, sb;
	struct scan a, b;
	struct diff d;
	struct tm_error err = { "" };
	int rc;

	if (o->nargs != 2) {
		cli_error("diff takes two snapshots, A and B (see truemem diff --help)");
		return 2;
	}
	if ((rc = open_one(o, o->args[0], &sa)) != 0)
		return rc;
	if ((rc = open_one(o, o->args[1], &sb)) != 0) {
		source_close(&sa);
		return rc;
	}
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if (sa.page_size != sb.page_size) {
		cli_error("'%s' and '%s' have different page sizes (%" PRIu64 " and %" PRIu64 " bytes): not comparable",
			  o->args[0], o->args[1], sa.page_size, sb.page_size);
		rc = 1;
	} else if ((rc = scan_one(o, &sa, &a)) == 0 && (rc = scan_one(o, &sb, &b)) == 0) {
		if (diff_build(&sa, &a, &sb, &b, &d, &err) < 0) {
			cli_error("%s", err.msg);
			rc = 1;
		} else {
			status_line(o, &d, &a, &b);
			if (o->format == OUT_JSON)
				rc = diff_json_write(stdout, &d, &a, o->args[0], &b, o->args[1]) < 0;
			else
				diff_text_write(stdout, &d, &b, !o->bytes, o->no_headers);
			diff_release(&d);
		}
	}
	scan_release(&a);
	scan_release(&b);
	source_close(&sa);
	source_close(&sb);
	return rc;
}
