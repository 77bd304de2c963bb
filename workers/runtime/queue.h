/* queue.h — the job-queue contract: two lanes, at-least-once delivery, retry with backoff, a
 * dead-letter queue. A backend is a versioned table of function pointers chosen from a URL:
 *   "" or "mem:"                      in-process, bounded (queue_mem.c): the embedded default;
 *   "amqp://user:pass@host:port/vhost" RabbitMQ through rabbitmq-c (queue_amqp.c); topology and
 *                                      message format in workers/runtime/QUEUE.md.
 *
 * Life of a job: sohoa_queue_publish() puts it on its lane. A consumer (one per thread) pops a
 * delivery — interactive lane before bulk — and settles it with exactly one of:
 *   ack      its results are stored;
 *   retry    a retryable failure: published again with attempt + 1 after the backoff delay for
 *            that attempt (opts.retry_delays_ms); past the last delay it is dead-lettered;
 *   dead     a permanent failure: to the dead-letter queue with the reason and attempt count;
 *   requeue  give it back untouched (shutdown); it comes again with redelivered = true.
 * A delivery not settled when its consumer is freed (or its process dies) is redelivered.
 * Publishing never loses a job: on AMQP it returns only once the broker confirmed it.
 *
 * Close: no more publishes from this process, and consumers stop. The mem backend first hands out
 * what it still holds (nothing else would ever run it); AMQP consumers return SOHOA_ECLOSED at once
 * and the jobs stay in the broker.
 *
 * Ownership: jobs and deliveries are plain values copied in and out. The queue must outlive its
 * consumers. Threads: sohoa_queue_* functions may be called from any thread; a consumer and its
 * deliveries belong to the one thread that opened it (rabbitmq-c: one connection per thread).
 */
#ifndef SOHOA_QUEUE_H
#define SOHOA_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "workers/runtime/job.h"

#define SOHOA_QUEUE_MAX_RETRIES 16

struct sohoa_queue_opts {
    size_t capacity;            /* mem: jobs waiting per lane before publish blocks (0: 64) */
    const char *prefix;         /* amqp: prefix of exchange and queue names (NULL: "sohoa") */
    const int *retry_delays_ms; /* delay before attempt 2, 3, …; NULL: backend default */
    int n_retry_delays;         /* at most SOHOA_QUEUE_MAX_RETRIES; attempts = n + 1 */
};

struct sohoa_delivery {
    struct sohoa_job job;
    bool redelivered; /* the broker handed it out before (a consumer died or requeued it) */
    uint64_t tag;     /* backend handle */
    uint32_t gen;     /* backend handle: the connection it came on */
};

struct sohoa_queue_stats {
    long ready[SOHOA_LANE_COUNT];     /* waiting to be taken */
    long unacked[SOHOA_LANE_COUNT];   /* taken, not settled; -1 when the backend cannot tell */
    long consumers[SOHOA_LANE_COUNT]; /* consumers attached */
    long delayed;                     /* waiting for a retry delay to pass */
    long dead;                        /* in the dead-letter queue */
};

/* A job in the dead-letter queue. */
struct sohoa_dead_job {
    char id[SOHOA_JOB_ID_MAX]; /* sohoa_job_id(), or "raw:<n>" for a message that is not a job */
    struct sohoa_job job;      /* zeroed for a raw message */
    int attempts;
    int code; /* sohoa status of the last failure */
    char reason[SOHOA_ERR_MSG_MAX];
};

/* Called for each dead job; return non-zero to stop listing. */
typedef int (*sohoa_dead_fn)(void *arg, const struct sohoa_dead_job *dead);

/* The lanes a consumer takes: a mask of SOHOA_LANE_BIT(lane). A consumer of both lanes takes the
 * interactive lane first; one of a single lane waits on that lane only (for AMQP: a consumer on
 * that lane's queue alone), so a thread reserved for interactive work never takes a bulk job. */
#define SOHOA_LANE_BIT(lane) (1u << (unsigned)(lane))
#define SOHOA_LANES_ALL      (SOHOA_LANE_BIT(SOHOA_LANE_INTERACTIVE) | SOHOA_LANE_BIT(SOHOA_LANE_BULK))

#define SOHOA_QUEUE_OPS_VERSION 2 /* 2: consumer_open takes a lane mask */

/* What a backend implements; queue.c checks arguments, clears out-params and computes retry
 * delays before calling. `be` is what the backend's open returned, `cons` a consumer's state. */
struct sohoa_queue_ops {
    int version;
    const char *scheme;
    bool durable; /* jobs outlive the process (a dead-letter queue worth replaying) */
    int (*publish)(void *be, const struct sohoa_job *job, bool force, struct sohoa_err *err);
    /* `lanes`: a non-empty subset of SOHOA_LANES_ALL (checked by queue.c). */
    int (*consumer_open)(void *be, unsigned lanes, void **cons, struct sohoa_err *err);
    void (*consumer_close)(void *cons); /* requeues what it holds unsettled */
    int (*pop)(void *cons, int timeout_ms, struct sohoa_delivery *d, struct sohoa_err *err);
    int (*ack)(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err);
    int (*requeue)(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err);
    /* Publish `again` (attempt already raised) after `delay_ms`, then settle `d`. */
    int (*retry)(void *cons, const struct sohoa_delivery *d, const struct sohoa_job *again,
                 int delay_ms, struct sohoa_err *err);
    /* Dead-letter `d` with the failure `why`, then settle it. */
    int (*dead)(void *cons, const struct sohoa_delivery *d, const struct sohoa_err *why,
                struct sohoa_err *err);
    void (*close)(void *be);
    int (*stats)(void *be, struct sohoa_queue_stats *st, struct sohoa_err *err);
    int (*dead_list)(void *be, sohoa_dead_fn fn, void *arg, struct sohoa_err *err);
    /* Back to their lanes with attempt 1: the dead jobs whose id or document id is in `ids`
     * (all of them when n == 0). */
    int (*dead_replay)(void *be, const char *const *ids, int n, long *replayed,
                       struct sohoa_err *err);
    void (*free)(void *be);
};

struct sohoa_queue;
struct sohoa_consumer;

/* Opens the backend named by `url` (NULL or "" = "mem:"); `opts` may be NULL. For AMQP this
 * connects and declares the topology, so a wrong URL or refused login fails here. */
int sohoa_queue_open(const char *url, const struct sohoa_queue_opts *opts, struct sohoa_queue **out,
                     struct sohoa_err *err);
/* Frees the queue (close it and free its consumers first); sets *q to NULL. */
void sohoa_queue_free(struct sohoa_queue **q);

/* Adds a copy of `job` to its lane. The mem backend blocks while the lane is full unless `force`
 * (workers publishing jobs for themselves must use force). SOHOA_ECLOSED once closed. */
int sohoa_queue_publish(struct sohoa_queue *q, const struct sohoa_job *job, bool force,
                        struct sohoa_err *err);
void sohoa_queue_close(struct sohoa_queue *q);

/* The URL with its password replaced by "***", for logs. */
void sohoa_queue_url_redacted(const char *url, char *out, size_t outsz);

/* "mem" or "amqp"; whether jobs outlive the process. */
const char *sohoa_queue_scheme(const struct sohoa_queue *q);
bool sohoa_queue_durable(const struct sohoa_queue *q);
/* Attempts a job gets in all (retries + 1); whether `job` is on its last one. */
int sohoa_queue_max_attempts(const struct sohoa_queue *q);
bool sohoa_queue_last_attempt(const struct sohoa_queue *q, const struct sohoa_job *job);

int sohoa_queue_stats(struct sohoa_queue *q, struct sohoa_queue_stats *st, struct sohoa_err *err);
/* Jobs ready on a lane (0 when the backend cannot tell). */
size_t sohoa_queue_depth(struct sohoa_queue *q, enum sohoa_lane lane);
int sohoa_queue_dead_list(struct sohoa_queue *q, sohoa_dead_fn fn, void *arg,
                          struct sohoa_err *err);
int sohoa_queue_dead_replay(struct sohoa_queue *q, const char *const *ids, int n, long *replayed,
                            struct sohoa_err *err);

/* A consumer for the calling thread, of both lanes. */
int sohoa_consumer_open(struct sohoa_queue *q, struct sohoa_consumer **out, struct sohoa_err *err);
/* A consumer for the calling thread of the lanes in `lanes` (SOHOA_LANE_BIT masks; SOHOA_EINVAL
 * when empty or unknown). */
int sohoa_consumer_open_lanes(struct sohoa_queue *q, unsigned lanes, struct sohoa_consumer **out,
                              struct sohoa_err *err);
/* Requeues whatever it holds unsettled; sets *c to NULL. */
void sohoa_consumer_free(struct sohoa_consumer **c);

/* Waits up to `timeout_ms` (< 0: for ever) for a delivery from the consumer's lanes, interactive
 * lane first.
 * SOHOA_ETIMEOUT when none came, SOHOA_ECLOSED when the queue is closed (and, for mem, drained).
 * A broker that went away is reconnected to inside pop (with backoff), within the timeout. */
int sohoa_consumer_pop(struct sohoa_consumer *c, int timeout_ms, struct sohoa_delivery *d,
                       struct sohoa_err *err);
int sohoa_delivery_ack(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                       struct sohoa_err *err);
/* Retry after the delay for d->job.attempt; dead-letters when it was the last attempt. */
int sohoa_delivery_retry(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                         const struct sohoa_err *why, struct sohoa_err *err);
int sohoa_delivery_dead(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                        const struct sohoa_err *why, struct sohoa_err *err);
int sohoa_delivery_requeue(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                           struct sohoa_err *err);
/* Settles `d` by `outcome` (done → ack, retry, dead). */
int sohoa_delivery_settle(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                          enum sohoa_job_outcome outcome, const struct sohoa_err *why,
                          struct sohoa_err *err);

/* Backend constructors (used by sohoa_queue_open). `opts` is complete (defaults filled). */
int sohoa_queue_mem_open(const struct sohoa_queue_opts *opts, void **be,
                         const struct sohoa_queue_ops **ops, struct sohoa_err *err);
int sohoa_queue_amqp_open(const char *url, const struct sohoa_queue_opts *opts, void **be,
                          const struct sohoa_queue_ops **ops, struct sohoa_err *err);

/* True when a dead job matches one of `ids` (its job id or its document id); n == 0 matches all.
 * For backends' dead_replay. */
bool sohoa_dead_job_matches(const struct sohoa_dead_job *d, const char *const *ids, int n);

#endif
