/*
 * source_record.h: a source that records another, as `tee` does: every
 * read goes to the source it wraps, and what comes back is also handed to
 * a snapshot writer (snapshot.h), so that a replay of the snapshot reads
 * exactly the same bytes. Its readers see a SOURCE_WHOLE source (source.h)
 * and nothing else: they read every fact whole and in order.
 */
#ifndef TRUEMEM_SOURCE_RECORD_H
#define TRUEMEM_SOURCE_RECORD_H

#include <stdbool.h>

#include "error.h"
#include "source.h"

struct snap_writer;

/*
 * Opens s as a recording of inner into w (opened in exact mode when exact:
 * then the frames' memcg is recorded too). inner and w stay the caller's
 * and must outlive s; source_close(s) closes neither.
 */
void source_record_open(struct source *s, struct source *inner, struct snap_writer *w, bool exact);

#endif
