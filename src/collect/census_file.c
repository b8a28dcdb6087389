/*
 * census_file.c: the snapshot member "census" (census.h), the finished
 * census as "key value" lines, counts in frames:
 *
 *   truemem-census 1
 *   page_size 4096
 *   frames N
 *   mapped_anon N ... kernel_other N     one line per class
 *   free_buddy N
 *   free_uninit N
 *   cost_ms N.NNN
 *   by_memcg 0|1
 *   memcg INO N N N N N N                the user classes charged to a memcg
 *
 * The parser checks what the census promises: the classes add up to the
 * frames, the two parts of free to free.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "census.h"

#define CENSUS_FILE_MAGIC "truemem-census 1"

void census_format(const struct census *c, struct buf *b)
{
	buf_addf(b, "%s\npage_size %" PRIu64 "\nframes %" PRIu64 "\n", CENSUS_FILE_MAGIC, c->page_size, c->frames);
	for (int k = 0; k < CEN_COUNT; k++)
		buf_addf(b, "%s %" PRIu64 "\n", census_class_names[k], c->pages[k]);
	buf_addf(b, "free_buddy %" PRIu64 "\nfree_uninit %" PRIu64 "\ncost_ms %.3f\nby_memcg %d\n",
		 c->free_buddy, c->free_uninit, c->cost_ms, c->by_memcg ? 1 : 0);
	for (size_t i = 0; i < c->nmemcg; i++) {
		buf_addf(b, "memcg %" PRIu64, c->memcg[i].ino);
		for (int k = 0; k < CEN_USER_COUNT; k++)
			buf_addf(b, " %" PRIu64, c->memcg[i].pages[k]);
		buf_addstr(b, "\n");
	}
}

/* Parses one unsigned decimal at *p, advancing past it. Returns 0 or -EINVAL. */
static int take_u64(const char **p, uint64_t *v)
{
	const char *q = *p;

	*v = 0;
	if (*q < '0' || *q > '9')
		return -EINVAL;
	for (; *q >= '0' && *q <= '9'; q++) {
		if (*v > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		*v = *v * 10 + (uint64_t)(*q - '0');
	}
	*p = q;
	return 0;
}

static int parse_memcg(const char *v, struct census *c)
{
	struct census_memcg m;

	if (take_u64(&v, &m.ino) < 0)
		return -EINVAL;
	for (int k = 0; k < CEN_USER_COUNT; k++)
		if (*v++ != ' ' || take_u64(&v, &m.pages[k]) < 0)
			return -EINVAL;
	if (*v || (c->nmemcg && c->memcg[c->nmemcg - 1].ino >= m.ino))
		return -EINVAL;
	c->memcg = xrealloc(c->memcg, (c->nmemcg + 1) * sizeof(*c->memcg));
	c->memcg[c->nmemcg++] = m;
	return 0;
}

/* Stores the value of key k; -EINVAL for an unknown key or a malformed value. */
static int parse_line(const char *k, const char *v, struct census *c, unsigned *seen)
{
	uint64_t x;
	char *end;

	if (!strcmp(k, "memcg"))
		return parse_memcg(v, c);
	if (!strcmp(k, "cost_ms")) {
		c->cost_ms = strtod(v, &end);
		return *end || c->cost_ms < 0 || c->cost_ms > 1e9 ? -EINVAL : 0;
	}
	if (take_u64(&v, &x) < 0 || *v)
		return -EINVAL;
	for (int i = 0; i < CEN_COUNT; i++)
		if (!strcmp(k, census_class_names[i])) {
			c->pages[i] = x;
			*seen |= 1u << i;
			return 0;
		}
	if (!strcmp(k, "page_size"))
		c->page_size = x;
	else if (!strcmp(k, "frames"))
		c->frames = x;
	else if (!strcmp(k, "free_buddy"))
		c->free_buddy = x;
	else if (!strcmp(k, "free_uninit"))
		c->free_uninit = x;
	else if (!strcmp(k, "by_memcg") && x <= 1)
		c->by_memcg = x;
	else
		return -EINVAL;
	return 0;
}

static int check(const struct census *c, unsigned seen)
{
	uint64_t sum = 0;

	if (seen != (1u << CEN_COUNT) - 1 || c->page_size < 512 || c->page_size > (1u << 30) ||
	    (c->page_size & (c->page_size - 1)) || c->frames > (UINT64_C(1) << 52))
		return -EINVAL;
	for (int k = 0; k < CEN_COUNT; k++) {
		if (c->pages[k] > c->frames)
			return -EINVAL;
		sum += c->pages[k];
	}
	if (sum != c->frames || c->free_buddy > c->pages[CEN_FREE] ||
	    c->free_uninit != c->pages[CEN_FREE] - c->free_buddy)
		return -EINVAL;
	return 0;
}

int census_parse(const char *text, size_t len, struct census *out)
{
	char *copy, *body, *line, *save = NULL;
	unsigned seen = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!(body = text_after_magic(text, len, CENSUS_FILE_MAGIC, &copy)))
		return -EINVAL;
	for (line = strtok_r(body, "\n", &save); line && !rc;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (!sp) {
			rc = -EINVAL;
			break;
		}
		*sp = '\0';
		rc = parse_line(line, sp + 1, out, &seen);
	}
	free(copy);
	if (!rc)
		rc = check(out, seen);
	if (rc)
		census_release(out);
	return rc;
}
