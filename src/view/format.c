/*
 * format.c: what every text front end shares: human units (1024-based, as
 * SPEC section 1 asks) and the escaping of untrusted process names.
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
