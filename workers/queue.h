/* queue.h — the in-process job queue: bounded, two lanes, interactive first.
 *
 * Producers block in sohoa_queue_push() while the lane holds `capacity` jobs (back-pressure: intake
 * never runs ahead of the workers by more than that, so memory stays bounded). Jobs that workers
 * push for themselves (a document job after the last page) use `force` and never block, which
 * rules out a deadlock of workers waiting on their own queue.
 * Consumers take interactive jobs before any bulk job.
 *
 * Threads: every function may be called from any thread. Jobs are copied in and out by value.
 */
#ifndef SOHOA_QUEUE_H
#define SOHOA_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/err.h"
#include "workers/job.h"

struct sohoa_queue;

int sohoa_queue_new(size_t capacity, struct sohoa_queue **out, struct sohoa_err *err);
void sohoa_queue_free(struct sohoa_queue **q);

/* Adds a copy of `job` to its lane. Returns SOHOA_ECLOSED once the queue is closed. */
int sohoa_queue_push(struct sohoa_queue *q, const struct sohoa_job *job, bool force,
                     struct sohoa_err *err);

/* Waits for a job (interactive lane first). Returns SOHOA_ECLOSED when the queue is closed and
 * empty: the consumer should exit. */
int sohoa_queue_pop(struct sohoa_queue *q, struct sohoa_job *job, struct sohoa_err *err);

/* No more pushes; consumers drain what is left, then get SOHOA_ECLOSED. */
void sohoa_queue_close(struct sohoa_queue *q);

/* Jobs waiting in a lane (for progress and status). */
size_t sohoa_queue_depth(struct sohoa_queue *q, enum sohoa_lane lane);

#endif
