/* queue_mem.c — the in-process queue backend (see queue.h): bounded, two lanes, interactive
 * first, with the whole contract (in-flight deliveries, delayed retries, a dead-letter list) so the
 * embedded mode and the conformance tests see the same behaviour as the broker.
 *
 * DESIGN: one mutex and two condition variables (not_empty for consumers, not_full for
 * producers) over five lists of nodes: the two lanes (FIFO; a requeued job goes back to the head),
 * the delayed retries (each with a due time; pop moves due ones to their lane's tail), the
 * in-flight deliveries (tagged, owned by a consumer; freeing the consumer requeues them) and the
 * dead jobs. A node moves between lists; nothing is copied but the job out to the caller.
 * Capacity limits only what publishers add to a lane (back-pressure); internal moves never block.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/runtime/queue.h"
#include "pipeline/base/deadline.h"

struct node {
    struct node *next;
    struct sohoa_job job;
    bool redelivered;
    uint64_t tag;
    void *owner;    /* in flight: the consumer holding it */
    int64_t due_ms; /* delayed: when it becomes ready */
    int code;       /* dead: status of the last failure */
    char *reason;   /* dead: why */
};

struct list {
    struct node *head, *tail;
    long n;
};

struct memq {
    pthread_mutex_t mu;
    pthread_cond_t not_empty, not_full;
    struct list lanes[SOHOA_LANE_COUNT], delayed, inflight, dead;
    long consumers[SOHOA_LANE_COUNT]; /* attached consumers taking each lane */
    size_t capacity;
    uint64_t next_tag;
    bool closed;
};

struct memc {
    struct memq *q;
    unsigned lanes; /* SOHOA_LANE_BIT mask */
};

static void list_append(struct list *l, struct node *n)
{
    n->next = NULL;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
    l->n++;
}

static void list_prepend(struct list *l, struct node *n)
{
    n->next = l->head;
    l->head = n;
    if (!l->tail)
        l->tail = n;
    l->n++;
}

/* Unlinks the node after `prev` (NULL: the head). */
static struct node *list_take(struct list *l, struct node *prev)
{
    struct node *n = prev ? prev->next : l->head;
    if (prev)
        prev->next = n->next;
    else
        l->head = n->next;
    if (l->tail == n)
        l->tail = prev;
    l->n--;
    n->next = NULL;
    return n;
}

static void list_free(struct list *l)
{
    while (l->head) {
        struct node *n = list_take(l, NULL);
        free(n->reason);
        free(n);
    }
}

static int lane_of(const struct sohoa_job *job)
{
    return job->lane == SOHOA_LANE_INTERACTIVE ? SOHOA_LANE_INTERACTIVE : SOHOA_LANE_BULK;
}

/* Finds the in-flight node of `d` held by `owner` and unlinks it. Call with the mutex held. */
static struct node *take_inflight(struct memq *q, void *owner, const struct sohoa_delivery *d)
{
    struct node *prev = NULL;
    for (struct node *n = q->inflight.head; n; prev = n, n = n->next)
        if (n->tag == d->tag && n->owner == owner)
            return list_take(&q->inflight, prev);
    return NULL;
}

static int mem_publish(void *be, const struct sohoa_job *job, bool force, struct sohoa_err *err)
{
    struct memq *q = be;
    struct node *n = calloc(1, sizeof *n);
    if (!n)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    n->job = *job;
    pthread_mutex_lock(&q->mu);
    struct list *l = &q->lanes[lane_of(job)];
    while (!force && !q->closed && (size_t)l->n >= q->capacity)
        pthread_cond_wait(&q->not_full, &q->mu);
    if (q->closed) {
        pthread_mutex_unlock(&q->mu);
        free(n);
        return sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
    }
    list_append(l, n);
    pthread_cond_broadcast(&q->not_empty); /* a signal could wake a consumer of the other lane */
    pthread_mutex_unlock(&q->mu);
    return 0;
}

/* Adds `by` to the consumer counts of the lanes in `lanes` (under mu). */
static void count_consumer(struct memq *q, unsigned lanes, long by)
{
    for (int l = 0; l < SOHOA_LANE_COUNT; l++)
        if (lanes & SOHOA_LANE_BIT(l))
            q->consumers[l] += by;
}

static int mem_consumer_open(void *be, unsigned lanes, void **cons, struct sohoa_err *err)
{
    struct memc *c = calloc(1, sizeof *c);
    if (!c)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    c->q = be;
    c->lanes = lanes;
    pthread_mutex_lock(&c->q->mu);
    count_consumer(c->q, lanes, 1);
    pthread_mutex_unlock(&c->q->mu);
    *cons = c;
    return 0;
}

static void mem_consumer_close(void *cons)
{
    struct memc *c = cons;
    struct memq *q = c->q;
    pthread_mutex_lock(&q->mu);
    struct node *prev = NULL, *n = q->inflight.head;
    while (n) {
        if (n->owner != c) {
            prev = n;
            n = n->next;
            continue;
        }
        struct node *next = n->next;
        list_take(&q->inflight, prev);
        n->redelivered = true;
        list_prepend(&q->lanes[lane_of(&n->job)], n);
        n = next;
    }
    count_consumer(q, c->lanes, -1);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    free(c);
}

/* Moves due retries to their lanes; returns the earliest due time still waiting (or -1). */
static int64_t promote_due(struct memq *q, int64_t now)
{
    int64_t next = -1;
    struct node *prev = NULL, *n = q->delayed.head;
    while (n) {
        struct node *following = n->next;
        if (n->due_ms <= now) {
            list_take(&q->delayed, prev);
            list_append(&q->lanes[lane_of(&n->job)], n);
        } else {
            if (next < 0 || n->due_ms < next)
                next = n->due_ms;
            prev = n;
        }
        n = following;
    }
    return next;
}

static int mem_pop(void *cons, int timeout_ms, struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct memc *c = cons;
    struct memq *q = c->q;
    int64_t deadline = timeout_ms < 0 ? -1 : (int64_t)sohoa_now_ms() + timeout_ms;
    int rc = 0;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        int64_t now = (int64_t)sohoa_now_ms();
        int64_t next_due = promote_due(q, now);
        struct list *l = NULL; /* the first of the consumer's lanes holding a job */
        for (int i = 0; i < SOHOA_LANE_COUNT && !l; i++)
            if ((c->lanes & SOHOA_LANE_BIT(i)) && q->lanes[i].head)
                l = &q->lanes[i];
        if (l) {
            struct node *n = list_take(l, NULL);
            n->owner = c;
            n->tag = ++q->next_tag;
            d->job = n->job;
            d->redelivered = n->redelivered;
            d->tag = n->tag;
            list_append(&q->inflight, n);
            pthread_cond_broadcast(&q->not_full);
            break;
        }
        if (q->closed && next_due < 0) {
            rc = sohoa_err_set(err, SOHOA_ECLOSED, false, "queue is closed");
            break;
        }
        if (deadline >= 0 && now >= deadline) {
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, true, "no job within %d ms", timeout_ms);
            break;
        }
        int64_t until = deadline;
        if (next_due >= 0 && (until < 0 || next_due < until))
            until = next_due;
        if (until < 0) {
            pthread_cond_wait(&q->not_empty, &q->mu);
        } else {
            struct timespec ts = {(time_t)(until / 1000), (long)(until % 1000) * 1000000L};
            pthread_cond_timedwait(&q->not_empty, &q->mu, &ts);
        }
    }
    pthread_mutex_unlock(&q->mu);
    return rc;
}

static int settle(struct memc *c, const struct sohoa_delivery *d, struct node **out,
                  struct sohoa_err *err)
{
    *out = take_inflight(c->q, c, d);
    if (!*out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "delivery %llu is not in flight here",
                             (unsigned long long)d->tag);
    return 0;
}

static int mem_ack(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct memc *c = cons;
    struct node *n = NULL;
    pthread_mutex_lock(&c->q->mu);
    int rc = settle(c, d, &n, err);
    pthread_mutex_unlock(&c->q->mu);
    free(n);
    return rc;
}

static int mem_requeue(void *cons, const struct sohoa_delivery *d, struct sohoa_err *err)
{
    struct memc *c = cons;
    struct node *n = NULL;
    pthread_mutex_lock(&c->q->mu);
    int rc = settle(c, d, &n, err);
    if (rc == 0) {
        n->redelivered = true;
        list_prepend(&c->q->lanes[lane_of(&n->job)], n);
        pthread_cond_broadcast(&c->q->not_empty);
    }
    pthread_mutex_unlock(&c->q->mu);
    return rc;
}

static int mem_retry(void *cons, const struct sohoa_delivery *d, const struct sohoa_job *again,
                     int delay_ms, struct sohoa_err *err)
{
    struct memc *c = cons;
    struct node *n = NULL;
    pthread_mutex_lock(&c->q->mu);
    int rc = settle(c, d, &n, err);
    if (rc == 0) {
        n->job = *again;
        n->redelivered = false;
        n->due_ms = (int64_t)sohoa_now_ms() + delay_ms;
        list_append(&c->q->delayed, n);
        pthread_cond_broadcast(&c->q->not_empty);
    }
    pthread_mutex_unlock(&c->q->mu);
    return rc;
}

static int mem_dead(void *cons, const struct sohoa_delivery *d, const struct sohoa_err *why,
                    struct sohoa_err *err)
{
    struct memc *c = cons;
    struct node *n = NULL;
    char *reason = strdup(why->msg);
    if (!reason)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    pthread_mutex_lock(&c->q->mu);
    int rc = settle(c, d, &n, err);
    if (rc == 0) {
        n->reason = reason;
        n->code = why->code;
        reason = NULL;
        list_append(&c->q->dead, n);
        pthread_cond_broadcast(&c->q->not_empty); /* a closed queue may now be drained */
    }
    pthread_mutex_unlock(&c->q->mu);
    free(reason);
    return rc;
}

static void mem_close(void *be)
{
    struct memq *q = be;
    pthread_mutex_lock(&q->mu);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->mu);
}

static int mem_stats(void *be, struct sohoa_queue_stats *st, struct sohoa_err *err)
{
    struct memq *q = be;
    pthread_mutex_lock(&q->mu);
    for (int l = 0; l < SOHOA_LANE_COUNT; l++) {
        st->ready[l] = q->lanes[l].n;
        st->consumers[l] = q->consumers[l];
    }
    for (struct node *n = q->inflight.head; n; n = n->next)
        st->unacked[lane_of(&n->job)]++;
    st->delayed = q->delayed.n;
    st->dead = q->dead.n;
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static void to_dead_job(const struct node *n, struct sohoa_dead_job *dj)
{
    memset(dj, 0, sizeof *dj);
    dj->job = n->job;
    sohoa_job_id(&n->job, dj->id, sizeof dj->id);
    dj->attempts = n->job.attempt;
    dj->code = n->code;
    /* a message: a cut is fine */
    (void)snprintf(dj->reason, sizeof dj->reason, "%s", n->reason ? n->reason : "");
}

/* The callback runs with the queue locked: it must not call the queue. */
static int mem_dead_list(void *be, sohoa_dead_fn fn, void *arg, struct sohoa_err *err)
{
    struct memq *q = be;
    struct sohoa_dead_job dj;
    pthread_mutex_lock(&q->mu);
    for (struct node *n = q->dead.head; n; n = n->next) {
        to_dead_job(n, &dj);
        if (fn(arg, &dj) != 0)
            break;
    }
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static int mem_dead_replay(void *be, const char *const *ids, int n_ids, long *replayed,
                           struct sohoa_err *err)
{
    struct memq *q = be;
    struct sohoa_dead_job dj;
    pthread_mutex_lock(&q->mu);
    struct node *prev = NULL, *n = q->dead.head;
    while (n) {
        struct node *next = n->next;
        to_dead_job(n, &dj);
        if (!sohoa_dead_job_matches(&dj, ids, n_ids)) {
            prev = n;
            n = next;
            continue;
        }
        list_take(&q->dead, prev);
        free(n->reason);
        n->reason = NULL;
        n->job.attempt = 1;
        n->redelivered = false;
        list_append(&q->lanes[lane_of(&n->job)], n);
        (*replayed)++;
        n = next;
    }
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

static void mem_free(void *be)
{
    struct memq *q = be;
    for (int l = 0; l < SOHOA_LANE_COUNT; l++)
        list_free(&q->lanes[l]);
    list_free(&q->delayed);
    list_free(&q->inflight);
    list_free(&q->dead);
    pthread_cond_destroy(&q->not_empty);
    pthread_cond_destroy(&q->not_full);
    pthread_mutex_destroy(&q->mu);
    free(q);
}

static const struct sohoa_queue_ops mem_ops = {
    .version = SOHOA_QUEUE_OPS_VERSION,
    .scheme = "mem",
    .durable = false,
    .publish = mem_publish,
    .consumer_open = mem_consumer_open,
    .consumer_close = mem_consumer_close,
    .pop = mem_pop,
    .ack = mem_ack,
    .requeue = mem_requeue,
    .retry = mem_retry,
    .dead = mem_dead,
    .close = mem_close,
    .stats = mem_stats,
    .dead_list = mem_dead_list,
    .dead_replay = mem_dead_replay,
    .free = mem_free,
};

int sohoa_queue_mem_open(const struct sohoa_queue_opts *opts, void **be,
                         const struct sohoa_queue_ops **ops, struct sohoa_err *err)
{
    *be = NULL;
    *ops = NULL;
    struct memq *q = calloc(1, sizeof *q);
    if (!q)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->not_empty, &ca);
    pthread_cond_init(&q->not_full, NULL);
    pthread_condattr_destroy(&ca);
    q->capacity = opts->capacity ? opts->capacity : 1;
    *be = q;
    *ops = &mem_ops;
    return 0;
}
