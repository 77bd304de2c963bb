/* runtime.h — what the worker threads of one process share: configuration, backends, queue,
 * counters. Created by a subcommand (ingest, later worker/serve), used by the jobs.
 *
 * DESIGN: page jobs run on pool threads, each thread owning one Tesseract handle. The thread that
 * records the last page of a document (the catalog says so exactly once) queues the document job.
 * Counters feed the progress display; the ingest command waits on `cv` until every document it
 * queued has finished.
 *
 * Threads: backends are thread-safe; counters are guarded by `mu`.
 */
#ifndef SOHOA_RUNTIME_H
#define SOHOA_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>

#include "pipeline/clean.h"
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
    struct sohoa_clean_opts clean;

    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sohoa_counts counts;
};

/* Opens the backends named in `cfg` (store, catalog); no threads yet. */
int sohoa_runtime_open(struct sohoa_runtime *rt, const struct sohoa_config *cfg,
                       struct sohoa_err *err);
/* Starts cfg->workers threads, each loading its own OCR models. */
int sohoa_runtime_start_workers(struct sohoa_runtime *rt, struct sohoa_err *err);
/* Closes the queue, waits for the workers, closes the backends. */
void sohoa_runtime_release(struct sohoa_runtime *rt);

/* Counter updates, from any thread. */
void sohoa_runtime_add_pages(struct sohoa_runtime *rt, long total);
void sohoa_runtime_page_finished(struct sohoa_runtime *rt, const char *status);
void sohoa_runtime_doc_queued(struct sohoa_runtime *rt);
void sohoa_runtime_doc_finished(struct sohoa_runtime *rt, const char *status);
struct sohoa_counts sohoa_runtime_counts(struct sohoa_runtime *rt);

/* Waits until every queued document finished or `timeout_ms` passed (then returns false). */
bool sohoa_runtime_wait_docs(struct sohoa_runtime *rt, int timeout_ms);

/* The jobs (page_job.c, doc_job.c). `ocr` is the calling thread's handle. */
struct sohoa_ocr;
void sohoa_page_job_run(struct sohoa_runtime *rt, struct sohoa_ocr *ocr,
                        const struct sohoa_job *job);
void sohoa_doc_job_run(struct sohoa_runtime *rt, const struct sohoa_job *job);

#endif
