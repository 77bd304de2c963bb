/* tracker.h — the documents a command waits for, and the one wait with a watchdog.
 *
 * `sohoa ingest` (embedded or `--wait` on a shared queue) adds every document its intake queued
 * or found already being processed (each id once, however many dossiers or positions hold it),
 * then waits until the catalog says each one finished. The catalog is the truth in both modes,
 * so a document processed by another process or host is followed the same way as our own.
 *
 * The watchdog: the wait ends with SOHOA_ETIMEOUT and a message naming the stuck documents and
 * why when nothing moved for the stall bound (sohoa_runtime_stall_ms): no tracked document
 * recorded a page or changed state, no page finished in this process, and (shared queue) the
 * lanes' depths did not change. A backlog that moves is never taken for a hang.
 *
 * Ownership: the tracker owns copies of the ids. Threads: add from any thread; wait from one.
 */
#ifndef SOHOA_TRACKER_H
#define SOHOA_TRACKER_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"

struct sohoa_runtime;
struct sohoa_counts;
struct sohoa_tracker; /* opaque */

int sohoa_tracker_new(struct sohoa_tracker **out, struct sohoa_err *err);
void sohoa_tracker_free(struct sohoa_tracker **t);

/* Follow document `doc_id` (64 hex digits); a second add of the same id does nothing. 0 or
 * SOHOA_ENOMEM. */
int sohoa_tracker_add(struct sohoa_tracker *t, const char *doc_id, struct sohoa_err *err);
size_t sohoa_tracker_count(struct sohoa_tracker *t);

/* Called after each look (about twice a second) with the counts so far; `final` on the last. */
typedef void (*sohoa_tracker_show_fn)(void *arg, const struct sohoa_counts *c, bool final);

struct sohoa_wait_opts {
    double timeout_s;           /* give up after this long (0: no limit but the watchdog) */
    sohoa_tracker_show_fn show; /* may be NULL */
    void *show_arg;
};

/* Waits until every tracked document finished (0), the timeout passed or the watchdog fired
 * (SOHOA_ETIMEOUT, retryable: the work may still finish), or the catalog failed for good. A
 * catalog that is unreachable for a while (retryable errors) is waited out. `out` gets the
 * counts (documents by outcome, pages) over the tracked documents. */
int sohoa_tracker_wait(struct sohoa_tracker *t, struct sohoa_runtime *rt,
                       const struct sohoa_wait_opts *o, struct sohoa_counts *out,
                       struct sohoa_err *err);

#endif
