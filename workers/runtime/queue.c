/* queue.c — the queue contract's front (see queue.h): picks a backend from the URL, checks
 * arguments, and owns the retry policy (how long to wait before each attempt, when to give up), so
 * every backend retries and dead-letters alike.
 */
#include "workers/runtime/queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* In-process: a short pause is enough for a busy SQLite writer; the queue dies with the process.
 * Broker: enough in all (91 s) to outlast a 30 s outage of the object store or the catalog. */
static const int mem_delays[] = {200, 400};
static const int amqp_delays[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};

struct sohoa_queue {
    const struct sohoa_queue_ops *ops;
    void *be;
    int delays[SOHOA_QUEUE_MAX_RETRIES];
    int n_delays;
};

struct sohoa_consumer {
    struct sohoa_queue *q;
    void *cons;
};

const char *sohoa_lane_name(enum sohoa_lane lane)
{
    return lane == SOHOA_LANE_INTERACTIVE ? "interactive" : "bulk";
}

int sohoa_lane_parse(const char *name, enum sohoa_lane *out)
{
    if (strcmp(name, "interactive") == 0)
        *out = SOHOA_LANE_INTERACTIVE;
    else if (strcmp(name, "bulk") == 0)
        *out = SOHOA_LANE_BULK;
    else
        return SOHOA_EINVAL;
    return 0;
}

void sohoa_job_id(const struct sohoa_job *job, char *out, size_t outsz)
{
    /* doc_id is char[65]: at most 81 chars, which fit the SOHOA_JOB_ID_MAX callers pass */
    if (job->kind == SOHOA_JOB_DOC)
        (void)snprintf(out, outsz, "doc:%s", job->doc_id);
    else
        (void)snprintf(out, outsz, "page:%s:%d", job->doc_id, job->page + 1);
}

bool sohoa_dead_job_matches(const struct sohoa_dead_job *d, const char *const *ids, int n)
{
    if (n == 0)
        return true;
    for (int i = 0; i < n; i++)
        if (strcmp(ids[i], d->id) == 0 || (d->job.doc_id[0] && strcmp(ids[i], d->job.doc_id) == 0))
            return true;
    return false;
}

void sohoa_queue_url_redacted(const char *url, char *out, size_t outsz)
{
    /* a URL to show, the password already left out: a cut is harmless */
    if (!url || !url[0]) {
        (void)snprintf(out, outsz, "mem:");
        return;
    }
    const char *auth = strstr(url, "://");
    const char *at = auth ? strchr(auth + 3, '@') : NULL;
    const char *colon = auth ? strchr(auth + 3, ':') : NULL;
    if (!at || !colon || colon > at) {
        (void)snprintf(out, outsz, "%s", url);
        return;
    }
    (void)snprintf(out, outsz, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

int sohoa_queue_open(const char *url, const struct sohoa_queue_opts *opts, struct sohoa_queue **out,
                     struct sohoa_err *err)
{
    *out = NULL;
    struct sohoa_queue_opts o = {0};
    if (opts)
        o = *opts;
    if (!url)
        url = "";
    bool amqp = strncmp(url, "amqp://", 7) == 0;
    if (!amqp && url[0] && strcmp(url, "mem:") != 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "queue URL must be mem: or amqp://user:pass@host:port/vhost");
    if (o.n_retry_delays < 0 || o.n_retry_delays > SOHOA_QUEUE_MAX_RETRIES)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "at most %d retry delays",
                             SOHOA_QUEUE_MAX_RETRIES);
    if (!o.retry_delays_ms) {
        o.retry_delays_ms = amqp ? amqp_delays : mem_delays;
        o.n_retry_delays = amqp ? (int)(sizeof amqp_delays / sizeof amqp_delays[0])
                                : (int)(sizeof mem_delays / sizeof mem_delays[0]);
    }
    if (!o.capacity)
        o.capacity = 64;
    if (!o.prefix || !o.prefix[0])
        o.prefix = "sohoa";
    struct sohoa_queue *q = calloc(1, sizeof *q);
    if (!q)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    q->n_delays = o.n_retry_delays;
    for (int i = 0; i < q->n_delays; i++)
        q->delays[i] = o.retry_delays_ms[i] < 0 ? 0 : o.retry_delays_ms[i];
    int rc = amqp ? sohoa_queue_amqp_open(url, &o, &q->be, &q->ops, err)
                  : sohoa_queue_mem_open(&o, &q->be, &q->ops, err);
    if (rc < 0) {
        free(q);
        return rc;
    }
    *out = q;
    return 0;
}

void sohoa_queue_free(struct sohoa_queue **qp)
{
    if (!qp || !*qp)
        return;
    (*qp)->ops->free((*qp)->be);
    free(*qp);
    *qp = NULL;
}

int sohoa_queue_publish(struct sohoa_queue *q, const struct sohoa_job *job, bool force,
                        struct sohoa_err *err)
{
    if (!job || job->doc_id[0] == '\0' || job->attempt < 1 ||
        (job->kind != SOHOA_JOB_PAGE && job->kind != SOHOA_JOB_DOC))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "not a valid job");
    return q->ops->publish(q->be, job, force, err);
}

void sohoa_queue_close(struct sohoa_queue *q)
{
    q->ops->close(q->be);
}

const char *sohoa_queue_scheme(const struct sohoa_queue *q)
{
    return q->ops->scheme;
}

bool sohoa_queue_durable(const struct sohoa_queue *q)
{
    return q->ops->durable;
}

int sohoa_queue_max_attempts(const struct sohoa_queue *q)
{
    return q->n_delays + 1;
}

bool sohoa_queue_last_attempt(const struct sohoa_queue *q, const struct sohoa_job *job)
{
    return job->attempt >= q->n_delays + 1;
}

int sohoa_queue_stats(struct sohoa_queue *q, struct sohoa_queue_stats *st, struct sohoa_err *err)
{
    memset(st, 0, sizeof *st);
    return q->ops->stats(q->be, st, err);
}

size_t sohoa_queue_depth(struct sohoa_queue *q, enum sohoa_lane lane)
{
    struct sohoa_queue_stats st;
    if (sohoa_queue_stats(q, &st, NULL) < 0)
        return 0;
    long n = st.ready[lane == SOHOA_LANE_INTERACTIVE ? 0 : 1];
    return n > 0 ? (size_t)n : 0;
}

int sohoa_queue_dead_list(struct sohoa_queue *q, sohoa_dead_fn fn, void *arg, struct sohoa_err *err)
{
    return q->ops->dead_list(q->be, fn, arg, err);
}

int sohoa_queue_dead_replay(struct sohoa_queue *q, const char *const *ids, int n, long *replayed,
                            struct sohoa_err *err)
{
    *replayed = 0;
    if (n < 0 || (n > 0 && !ids))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "bad list of job ids");
    return q->ops->dead_replay(q->be, ids, n, replayed, err);
}

int sohoa_consumer_open(struct sohoa_queue *q, struct sohoa_consumer **out, struct sohoa_err *err)
{
    return sohoa_consumer_open_lanes(q, SOHOA_LANES_ALL, out, err);
}

int sohoa_consumer_open_lanes(struct sohoa_queue *q, unsigned lanes, struct sohoa_consumer **out,
                              struct sohoa_err *err)
{
    *out = NULL;
    if (lanes == 0 || (lanes & ~SOHOA_LANES_ALL) != 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "bad lane mask 0x%x", lanes);
    struct sohoa_consumer *c = calloc(1, sizeof *c);
    if (!c)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    c->q = q;
    int rc = q->ops->consumer_open(q->be, lanes, &c->cons, err);
    if (rc < 0) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void sohoa_consumer_free(struct sohoa_consumer **cp)
{
    if (!cp || !*cp)
        return;
    (*cp)->q->ops->consumer_close((*cp)->cons);
    free(*cp);
    *cp = NULL;
}

int sohoa_consumer_pop(struct sohoa_consumer *c, int timeout_ms, struct sohoa_delivery *d,
                       struct sohoa_err *err)
{
    memset(d, 0, sizeof *d);
    return c->q->ops->pop(c->cons, timeout_ms, d, err);
}

int sohoa_delivery_ack(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                       struct sohoa_err *err)
{
    return c->q->ops->ack(c->cons, d, err);
}

int sohoa_delivery_requeue(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                           struct sohoa_err *err)
{
    return c->q->ops->requeue(c->cons, d, err);
}

int sohoa_delivery_dead(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                        const struct sohoa_err *why, struct sohoa_err *err)
{
    struct sohoa_err none;
    if (!why) {
        sohoa_err_set(&none, SOHOA_EBACKEND, false, "no reason given");
        why = &none;
    }
    return c->q->ops->dead(c->cons, d, why, err);
}

int sohoa_delivery_retry(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                         const struct sohoa_err *why, struct sohoa_err *err)
{
    const struct sohoa_queue *q = c->q;
    if (sohoa_queue_last_attempt(q, &d->job)) {
        struct sohoa_err gave_up;
        sohoa_err_set(&gave_up, why ? why->code : SOHOA_EBACKEND, false,
                      "gave up after %d attempts: %s", d->job.attempt,
                      why ? why->msg : "no reason given");
        return c->q->ops->dead(c->cons, d, &gave_up, err);
    }
    struct sohoa_job again = d->job;
    again.attempt = d->job.attempt < 1 ? 2 : d->job.attempt + 1;
    int delay = q->delays[again.attempt - 2 < 0 ? 0 : again.attempt - 2];
    return c->q->ops->retry(c->cons, d, &again, delay, err);
}

int sohoa_delivery_settle(struct sohoa_consumer *c, const struct sohoa_delivery *d,
                          enum sohoa_job_outcome outcome, const struct sohoa_err *why,
                          struct sohoa_err *err)
{
    switch (outcome) {
    case SOHOA_OUTCOME_RETRY:
        return sohoa_delivery_retry(c, d, why, err);
    case SOHOA_OUTCOME_DEAD:
        return sohoa_delivery_dead(c, d, why, err);
    default:
        return sohoa_delivery_ack(c, d, err);
    }
}
