/*
 * format.c: what every text front end shares: human units (1024-based, as
 * SPEC section 1 asks), the escaping of untrusted process names, and the
 * column table of the process list with its sort.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

void fmt_bytes(char *out, size_t outlen, uint64_t bytes, bool human)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v;
	size_t u;

	if (!human) {
		snprintf(out, outlen, "%" PRIu64, bytes);
		return;
	}
	if (bytes < 1024) {
		snprintf(out, outlen, "%" PRIu64 " B", bytes);
		return;
	}
	/* Rounded to the nearest tenth, as numfmt and htop do; 1023.96 KiB is 1.0 MiB. */
	v = (double)bytes / 1024.0;
	for (u = 0; v >= 1023.95 && u + 1 < ARRAY_SIZE(units); u++)
		v /= 1024.0;
	snprintf(out, outlen, "%.1f %s", v, units[u]);
}

void fmt_cell(char *out, size_t outlen, uint64_t bytes, bool known, bool human)
{
	if (known)
		fmt_bytes(out, outlen, bytes, human);
	else
		snprintf(out, outlen, "-");
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, out of range, and C1 controls are not shown raw. */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff || (cp >= 0x80 && cp < 0xa0))
		return 0;
	return len;
}

void escape_untrusted(struct buf *b, const char *str, size_t max_cols)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), cols = 0;

	buf_reserve(b, 0);
	b->buf[b->len] = '\0';   /* b is a string even when nothing is added */
	for (size_t i = 0; i < n;) {
		char esc[8];
		const char *piece = esc;
		size_t plen, adv = 1, w;

		if (s[i] == '\\') {
			piece = "\\\\";
		} else if (s[i] == 0x1b) {
			piece = "\\e";
		} else if (s[i] == '\n') {
			piece = "\\n";
		} else if (s[i] == '\t') {
			piece = "\\t";
		} else if (s[i] == '\r') {
			piece = "\\r";
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		} else if ((adv = utf8_len(s + i, n - i)) == 0) {
			adv = 1;
			snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		} else {
			piece = (const char *)s + i;
		}
		plen = piece == (const char *)s + i ? adv : strlen(piece);
		w = piece == (const char *)s + i ? 1 : plen;
		if (max_cols && cols + w > max_cols)
			break;
		buf_add(b, piece, plen);
		cols += w;
		i += adv;
	}
}

const struct ps_column ps_columns[COL_COUNT] = {
	[COL_PID]      = { "pid",      "PID",     7,  true,  0 },
	[COL_USER]     = { "user",     "USER",    8,  false, 0 },
	[COL_SWAP]     = { "swap",     "SWAP",    10, true,  CNT_SWAP },
	[COL_USS]      = { "uss",      "USS",     10, true,  CNT_USS },
	[COL_PSS]      = { "pss",      "PSS",     10, true,  CNT_PSS },
	[COL_RSS]      = { "rss",      "RSS",     10, true,  CNT_RSS },
	[COL_COMMAND]  = { "command",  "COMMAND", 0,  false, 0 },
	[COL_SWAP_PSS] = { "swap_pss", "SWAPPSS", 10, true,  CNT_SWAP_PSS },
	[COL_PPID]     = { "ppid",     "PPID",    7,  true,  0 },
};

int ps_column_find(const char *name)
{
	if (!strcmp(name, "name") || !strcmp(name, "cmd") || !strcmp(name, "comm"))
		return COL_COMMAND;
	for (int c = 0; c < COL_COUNT; c++)
		if (!strcmp(name, ps_columns[c].name))
			return c;
	return -1;
}

bool ps_column_ascending(int col)
{
	return col == COL_PID || col == COL_PPID || col == COL_USER || col == COL_COMMAND;
}

static uint64_t col_value(const struct proc *p, enum ps_col col)
{
	switch (col) {
	case COL_PID: return (uint64_t)p->id.pid;
	case COL_PPID: return (uint64_t)p->id.ppid;
	case COL_SWAP: return p->counts.swap_bytes;
	case COL_USS: return p->counts.uss_bytes;
	case COL_PSS: return p->counts.pss;
	case COL_RSS: return p->counts.rss_bytes;
	case COL_SWAP_PSS: return p->counts.swap_pss;
	default: return 0;
	}
}

static bool col_known(const struct proc *p, enum ps_col col)
{
	return (p->counts.valid & ps_columns[col].need) == ps_columns[col].need;
}

static enum ps_col sort_col;
static bool sort_reverse;

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = *(struct proc *const *)a, *y = *(struct proc *const *)b;
	bool kx = col_known(x, sort_col), ky = col_known(y, sort_col);
	int c = 0;

	if (kx != ky)
		return kx ? -1 : 1;     /* unknown rows last, whatever the direction */
	if (kx) {
		if (sort_col == COL_USER)
			c = strcmp(x->id.user, y->id.user);
		else if (sort_col == COL_COMMAND)
			c = strcmp(x->id.comm, y->id.comm);
		else {
			uint64_t vx = col_value(x, sort_col), vy = col_value(y, sort_col);
			bool up = ps_column_ascending(sort_col);

			c = vx == vy ? 0 : ((vx < vy) == up ? -1 : 1);
		}
		if (sort_reverse)
			c = -c;
	}
	if (c == 0)
		c = x->id.pid < y->id.pid ? -1 : x->id.pid > y->id.pid;
	return c;
}

void ps_sort(struct proc **rows, size_t n, enum ps_col col, bool reverse)
{
	/* qsort has no context argument in C11; the views are single-threaded. */
	sort_col = col;
	sort_reverse = reverse;
	qsort(rows, n, sizeof(*rows), cmp_proc);
}
