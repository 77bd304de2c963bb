/* runtime.h — what the worker threads of one process share: configuration, backends, queue,
 * counters. Created by a subcommand (ingest, worker, serve), used by the jobs.
 *
 * DESIGN: page jobs run on pool threads, each thread owning one Tesseract handle and one queue
 * consumer. A job handler stores its results and returns an outcome; the pool acknowledges the
 * delivery only then. The thread that records the last page of a document (the catalog says so
 * exactly once) publishes the document job before its page job is acknowledged; a page job
 * delivered again that finds its document "assembling" publishes it again (the crash window
 * between the two). The document job assembles only under the catalog's assembly lease, so a
 * document job delivered twice assembles once; it skips a document already finished. A
 * long-running process (serve, worker) also runs a sweeper thread: every SWEEP interval it asks
 * the catalog for "assembling" documents whose lease ran out (a finisher that crashed) and
 * publishes their document jobs again; at its start, on an in-process queue, it also queues again
 * the pages of documents left "processing" by a previous process (their jobs died with it).
 * Counters feed the progress display and the waiting command's watchdog (tracker.h).
 *
 * Threads: backends are thread-safe; counters are guarded by `mu`.
 */
#ifndef SOHOA_RUNTIME_H
#define SOHOA_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "pipeline/image/clean.h"
#include "pipeline/fields/doctype.h"
#include "pipeline/base/err.h"
#include "storage/catalog.h"
#include "storage/objstore.h"
#include "workers/runtime/config.h"
#include "workers/runtime/job.h"
#include "workers/runtime/pool.h"
#include "workers/runtime/queue.h"
#include "workers/runtime/tracker.h"

#define SOHOA_SWEEP_INTERVAL_MS 30000 /* how often serve and worker look for stalled documents */

struct sohoa_counts {
    long docs_total, docs_done, docs_ok, docs_partial, docs_failed;
    long pages_total, pages_done, pages_failed, pages_blank;
};

struct sohoa_runtime {
    const struct sohoa_config *cfg;
    struct sohoa_objstore *store;
    struct sohoa_catalog *catalog;
    struct sohoa_queue *queue;
    struct sohoa_pool *pool;
    bool interactive_traffic; /* set before start_workers by a process that answers interactive
                                 requests (serve, worker): interactive-workers defaults to 1 */
    struct sohoa_clean_opts clean;
    /* Document-type models for the document job's extraction (read-only, shared by every thread);
     * NULL when they could not be loaded: documents are then recorded with that error in their
     * extraction, never failed for it. */
    struct sohoa_models *models;

    /* The documents a waiting command follows (ingest): intake adds each document it queued or
     * found being processed. Borrowed, set before intake; NULL in serve and worker. */
    struct sohoa_tracker *tracker;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sohoa_counts counts;
    bool stopping;     /* the sweeper stops, under mu */
    pthread_t sweeper; /* started by sohoa_runtime_start_sweeper */
    bool sweeper_started;
};

/* Opens the backends named in `cfg` (store, catalog, queue); no threads yet. */
int sohoa_runtime_open(struct sohoa_runtime *rt, const struct sohoa_config *cfg,
                       struct sohoa_err *err);
/* Starts cfg->workers general threads and cfg->interactive_workers interactive-only ones (when
 * that is -1: 1 if rt->interactive_traffic, else 0), each loading its own OCR models. General
 * threads take both lanes at bulk priority (nice +SOHOA_POOL_BULK_NICE), interactive-only ones
 * keep the process's priority: see pool.h for why. */
int sohoa_runtime_start_workers(struct sohoa_runtime *rt, struct sohoa_err *err);
/* The number of interactive-only threads start_workers starts. */
int sohoa_runtime_interactive_workers(const struct sohoa_runtime *rt);
/* Graceful stop (sohoa worker): the workers take no new job and finish the ones they run, for up to
 * `grace_ms`. Returns the number of jobs still running when the grace period ended (0: all
 * stopped; the caller may then release). Jobs still running are requeued by the broker when the
 * process exits without acknowledging them. */
int sohoa_runtime_stop_workers(struct sohoa_runtime *rt, int grace_ms);
/* Closes the queue, waits for the workers, closes the backends. */
void sohoa_runtime_release(struct sohoa_runtime *rt);

/* Counter updates, from any thread. */
void sohoa_runtime_add_pages(struct sohoa_runtime *rt, long total);
void sohoa_runtime_page_finished(struct sohoa_runtime *rt, const char *status);
void sohoa_runtime_doc_queued(struct sohoa_runtime *rt);
void sohoa_runtime_doc_finished(struct sohoa_runtime *rt, const char *status);
struct sohoa_counts sohoa_runtime_counts(struct sohoa_runtime *rt);
/* Waits up to `ms` for a page or document to finish in this process. */
void sohoa_runtime_wait_activity(struct sohoa_runtime *rt, int ms);
/* rt->tracker follows `doc_id` (nothing without a tracker). */
int sohoa_runtime_follow(struct sohoa_runtime *rt, const char *doc_id, struct sohoa_err *err);

/* The bounds derived from the limits (cfg->limits: decode and OCR deadlines per page):
 * stall_ms, how long a wait sees nothing move before its watchdog fires — two pages' worth of
 * decode + OCR deadlines plus one page's worth (5 s to a minute) for store and catalog, plus the
 * shared queue's retry budget (91 s) on a broker; lease_ms, how long an assembler holds a document
 * of `n_pages` (a minute plus a second a page) before a sweeper may hand it to another. */
long sohoa_runtime_stall_ms(const struct sohoa_runtime *rt);
long sohoa_runtime_lease_ms(int n_pages);

/* One sweep (see DESIGN above) over the documents idle for `idle_ms` (sohoa_catalog_stalled):
 * republish the document jobs of the assembling ones, and with `lost_processing` the page jobs
 * of the processing ones. *republished (may be NULL) counts the documents. */
int sohoa_runtime_sweep(struct sohoa_runtime *rt, int64_t idle_ms, bool lost_processing,
                        int *republished, struct sohoa_err *err);
/* Starts the sweeper thread (serve, worker): a sweep at once (on an in-process queue with idle 0
 * and lost_processing: the jobs of an earlier process died with it), then every `interval_ms`
 * over documents idle for stall_ms. Stopped by sohoa_runtime_release. */
int sohoa_runtime_start_sweeper(struct sohoa_runtime *rt, int interval_ms, struct sohoa_err *err);

/* The jobs (page_job.c, doc_job.c). `ocr` is the calling thread's handle. They return DONE once
 * their results are stored, RETRY for an infrastructure failure worth trying again (store or
 * catalog unreachable, the original not fetched), DEAD for a permanent failure of the job itself;
 * `why` says what failed. A page whose content is bad is recorded as failed and is DONE. On a
 * queue that dies with the process (mem) a job on its last attempt is recorded as failed instead
 * of dead-lettered, so the embedded ingest always finishes. */
struct sohoa_ocr;
enum sohoa_job_outcome sohoa_page_job_run(struct sohoa_runtime *rt, struct sohoa_ocr *ocr,
                                          const struct sohoa_delivery *d, struct sohoa_err *why);
enum sohoa_job_outcome sohoa_doc_job_run(struct sohoa_runtime *rt, const struct sohoa_delivery *d,
                                         struct sohoa_err *why);
/* Publishes the document job of `page_job`'s document (from a worker thread: never blocks). */
int sohoa_runtime_publish_doc(struct sohoa_runtime *rt, const struct sohoa_job *page_job,
                              struct sohoa_err *err);

#endif
