/* pool.h — a fixed pool of worker threads, each with its own consumer on a sohoa_queue.
 *
 * Each thread builds its own context once (for sohoa: a Tesseract handle, models loaded once) and
 * opens its own consumer (rabbitmq-c: one connection per thread), then runs deliveries until the
 * queue is closed or the pool is stopped. The handler returns an outcome and the thread settles
 * the delivery by it — ack only after the handler has stored the job's results, retry or
 * dead-letter on failure — so a job is never lost: one that is not settled (the process dies) is
 * delivered again.
 *
 * Two kinds of thread (reserved capacity + priority, not preemption):
 *   - `n` general threads take both lanes, interactive first. They run at bulk priority for their
 *     whole life: nice +SOHOA_POOL_BULK_NICE relative to the process (Linux nice is per thread).
 *     An unprivileged thread may lower its priority but never raise it again, so they cannot
 *     drop to bulk priority for a bulk job only; an interactive job one of them takes runs niced
 *     too, which is why the reserved threads below exist.
 *   - `n_interactive` reserved threads take the interactive lane only (they sleep in a blocking
 *     pop on that lane while it is empty) and keep the process's priority. With every core busy
 *     on bulk pages, an interactive page starts at once on a reserved thread and the scheduler
 *     gives it nearly a whole core: a nice 0 thread weighs 1024 against 110 for one at nice +10.
 *   Each thread holds its own context (one Tesseract handle, ~100 MB), so a reserved thread costs
 *   that much memory while idle.
 *
 * Threads: start, stop, wait and join from one controlling thread (stop also from any thread);
 * the handler runs on pool threads.
 */
#ifndef SOHOA_POOL_H
#define SOHOA_POOL_H

#include <stdbool.h>

#include "pipeline/base/err.h"
#include "workers/runtime/job.h"
#include "workers/runtime/queue.h"

struct sohoa_pool_ops {
    /* Called once on each pool thread before its first job. */
    int (*thread_init)(void *shared, void **thread_ctx, struct sohoa_err *err);
    /* Called once on each pool thread after its last job. */
    void (*thread_release)(void *shared, void *thread_ctx);
    /* Runs one delivery; for RETRY and DEAD, `why` says what went wrong. */
    enum sohoa_job_outcome (*run)(void *shared, void *thread_ctx, const struct sohoa_delivery *d,
                                  struct sohoa_err *why);
};

struct sohoa_pool;

/* How much lower than the process a general (bulk-capable) thread runs. */
#define SOHOA_POOL_BULK_NICE 10

/* Starts `n` general threads (n >= 1) and `n_interactive` interactive-only threads (>= 0) and
 * waits until each has built its context and opened its consumer; if one fails, the others are
 * stopped and its error is returned (no job is taken). A thread whose priority cannot be lowered
 * runs on at the process's (said once on stderr). `q`, `ops` and `shared` must outlive the
 * pool. */
int sohoa_pool_start(int n, int n_interactive, struct sohoa_queue *q,
                     const struct sohoa_pool_ops *ops, void *shared, struct sohoa_pool **out,
                     struct sohoa_err *err);

/* Threads take no new job; each finishes the one it runs, then exits. Safe from any thread. */
void sohoa_pool_stop(struct sohoa_pool *pool);

/* Jobs being run right now. */
int sohoa_pool_busy(struct sohoa_pool *pool);

/* Waits up to `timeout_ms` (< 0: for ever) for every thread to exit; true when they have. */
bool sohoa_pool_wait(struct sohoa_pool *pool, int timeout_ms);

/* Waits for every thread to exit (close the queue or stop the pool first) and frees the pool. */
void sohoa_pool_join(struct sohoa_pool **pool);

#endif
