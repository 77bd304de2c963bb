/* pool.h — a fixed pool of worker threads consuming a sohoa_queue.
 *
 * Each thread builds its own context once (for sohoa: a Tesseract handle, models loaded once) and
 * then runs jobs until the queue is closed and drained. Jobs never fail the pool: the handler
 * records a job's failure in the catalog and the record itself.
 *
 * Threads: start and join from one controlling thread; the handler runs on pool threads.
 */
#ifndef SOHOA_POOL_H
#define SOHOA_POOL_H

#include "pipeline/err.h"
#include "workers/job.h"
#include "workers/queue.h"

struct sohoa_pool_ops {
    /* Called once on each pool thread before its first job. */
    int (*thread_init)(void *shared, void **thread_ctx, struct sohoa_err *err);
    /* Called once on each pool thread after its last job. */
    void (*thread_release)(void *shared, void *thread_ctx);
    /* Runs one job. */
    void (*run)(void *shared, void *thread_ctx, const struct sohoa_job *job);
};

struct sohoa_pool;

/* Starts `n` threads and waits until each has built its context; if one fails, the others are
 * stopped and its error is returned. `ops` and `shared` must outlive the pool. */
int sohoa_pool_start(int n, struct sohoa_queue *q, const struct sohoa_pool_ops *ops, void *shared,
                     struct sohoa_pool **out, struct sohoa_err *err);

/* Waits for every thread to exit (close the queue first) and frees the pool. */
void sohoa_pool_join(struct sohoa_pool **pool);

#endif
