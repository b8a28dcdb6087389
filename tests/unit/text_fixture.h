/*
 * text_fixture.h: helpers the parser unit tests share. Parsers take text
 * and a length and must never read past text+len, so tests hand them
 * copies in buffers of exactly that size (no terminator): under
 * -fsanitize=address one byte too far is a reported error.
 */
#ifndef TRUEMEM_TEXT_FIXTURE_H
#define TRUEMEM_TEXT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

/* A malloc'd copy of n bytes of s with nothing after them; free() it. */
static inline char *exact_copy(const char *s, size_t n)
{
	char *d = malloc(n ? n : 1);

	if (!d)
		abort();
	memcpy(d, s, n);
	return d;
}

/* The length of the first k lines of s (with their newlines). */
static inline size_t lines_len(const char *s, size_t k)
{
	const char *p = s;

	while (k-- && (p = strchr(p, '\n')))
		p++;
	return p ? (size_t)(p - s) : strlen(s);
}

#endif
