/* runtime.h — what the worker threads of one process share: configuration, backends, queue,
 * counters. Created by a subcommand (ingest, worker, serve), used by the jobs.
 *
 * DESIGN: page jobs run on pool threads, each thread owning one Tesseract handle and one queue
 * consumer. A job handler stores its results and returns an outcome; the pool acknowledges the
 * delivery only then. The thread that records the last page of a document (the catalog says so
 * exactly once) publishes the document job before its page job is acknowledged; a page job
 * delivered again that finds its document "assembling" publishes it again (the crash window
 * between the two), and the document job skips a document already finished. Counters feed the
 * progress display; the embedded ingest waits on `cv` until every document it queued finished.
 *
 * Threads: backends are thread-safe; counters are guarded by `mu`.
 */
#ifndef SOHOA_RUNTIME_H
#define SOHOA_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>

#include "pipeline/clean.h"
#include "pipeline/doctype.h"
#include "pipeline/err.h"
#include "storage/catalog.h"
#include "storage/objstore.h"
#include "workers/config.h"
#include "workers/job.h"
#include "workers/pool.h"
#include "workers/queue.h"

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

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sohoa_counts counts;
    bool track_docs;  /* keep the ids of queued documents (ingest --queue --wait) */
    char (*docs)[65]; /* those ids, under mu */
    size_t n_docs, cap_docs;
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
void sohoa_runtime_doc_queued(struct sohoa_runtime *rt, const char *doc_id);
void sohoa_runtime_doc_finished(struct sohoa_runtime *rt, const char *status);
struct sohoa_counts sohoa_runtime_counts(struct sohoa_runtime *rt);

/* Waits until every queued document finished or `timeout_ms` passed (then returns false). */
bool sohoa_runtime_wait_docs(struct sohoa_runtime *rt, int timeout_ms);

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
