/*
 * cli.c: what the subcommands share: messages, opening the source the
 * options name, and the note on the mode in effect.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "view.h"

/*
 * Messages quote what they were given (a scenario line, a path, an
 * argument): all of it is escaped as names are, so no input reaches the
 * terminal raw.
 */
void cli_error(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	escape_untrusted(&b, msg, 0);
	fflush(stdout);
	fprintf(stderr, "truemem: %s\n", b.buf);
	buf_release(&b);
}

int cli_open_source(const struct cli_opts *o, struct source *s)
{
	struct tm_error err = { "" };
	int rc = o->from ? source_open_snapshot(s, o->from, &err) : source_open_live(s, &err);

	if (rc < 0) {
		cli_error("%s", err.msg);
		source_close(s);
		return 1;
	}
	return 0;
}

void cli_scan_opts(const struct cli_opts *o, struct scan_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->mode = o->mode;
	so->group_by = o->group_by;
	so->pids = o->pids;
	so->npids = o->npids;
	so->filter = o->have_filter ? &o->filter : NULL;
	so->users = o->users;
	so->nusers = o->nusers;
	so->self = o->from ? 0 : getpid();
}

void cli_status(const struct cli_opts *o, const struct scan *sc, const char *fmt, ...)
{
	va_list ap;

	if (o->format != OUT_TEXT)
		return;
	fflush(stdout);
	fprintf(stderr, "truemem: %s mode, ", scan_mode_names[sc->mode]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (o->from) {
		struct buf host = BUF_INIT;
		char when[40];
		struct tm tm;

		gmtime_r(&sc->time.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
		escape_untrusted(&host, sc->host, 64);
		fprintf(stderr, "; snapshot of %s taken %s", host.buf, when);
		buf_release(&host);
	}
	fputc('\n', stderr);
}

void cli_note_mode(const struct cli_opts *o, const struct scan *sc)
{
	if (sc->mode == MODE_ROLLUP && sc->mode_reason)
		fprintf(stderr, "truemem: using rollup mode (smaps_rollup): %s\n", sc->mode_reason);
}

int cli_scan(const struct cli_opts *o, unsigned flags, struct source *src, struct scan *sc)
{
	struct scan_opts so;
	struct tm_error err = { "" };
	int rc = cli_open_source(o, src);

	if (rc)
		return rc;
	cli_scan_opts(o, &so);
	so.flags = flags;
	if (scan_run(src, &so, sc, &err) < 0) {
		cli_error("%s", err.msg);
		source_close(src);
		return 1;
	}
	cli_note_mode(o, sc);
	return 0;
}

int cli_no_args(const struct cli_opts *o)
{
	if (!o->nargs)
		return 0;
	cli_error("'%s' takes no arguments ('%s')", o->cmd, o->args[0]);
	return 2;
}
