/* pool.c — worker threads over a queue (see pool.h).
 *
 * DESIGN: start-up is a small rendezvous: each thread initialises its context and consumer, then
 * reports success or failure under the pool mutex; sohoa_pool_start waits until all have
 * reported. A failed start closes nothing the caller owns: it tells the started threads to quit
 * and joins them. Thread i < n is general (both lanes, niced before it builds its context, so
 * its Tesseract start-up yields too); thread i >= n is interactive-only. Running threads pop with a
 * short timeout so that a stop is seen within POLL_MS; a thread that exits says so under the mutex
 * (sohoa_pool_wait).
 */
#include "workers/runtime/pool.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/base/deadline.h"
#include "pipeline/base/log.h"

#define POLL_MS 250

struct sohoa_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;         /* all threads */
    int n_general; /* threads [0, n_general) take both lanes at bulk priority */
    int ready;
    int failed;
    int exited;
    bool quit_early;
    int first_rc;
    struct sohoa_err first_err;
    atomic_bool stopping;
    atomic_int busy;
    struct sohoa_queue *q;
    const struct sohoa_pool_ops *ops;
    void *shared;
    pthread_t *threads;
    int started;
    atomic_int next_index; /* which kind a starting thread is */
};

/* Lowers the calling thread's priority by SOHOA_POOL_BULK_NICE (per-thread on Linux: the
 * PRIO_PROCESS "who" is a thread id). Failure is not fatal: the thread only competes harder. */
static void lower_priority(void)
{
    static atomic_bool warned;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    errno = 0;
    int now = getpriority(PRIO_PROCESS, (id_t)tid);
    if (now == -1 && errno != 0)
        now = 0;
    int want = now + SOHOA_POOL_BULK_NICE > 19 ? 19 : now + SOHOA_POOL_BULK_NICE;
    if (setpriority(PRIO_PROCESS, (id_t)tid, want) != 0 && !atomic_exchange(&warned, true))
        sohoa_log(SOHOA_LOG_WARN, "worker", "cannot lower the priority of bulk threads (%s)",
                  strerror(errno));
}

/* Pops and runs deliveries until the queue closes or the pool stops. */
static void run_jobs(struct sohoa_pool *p, void *ctx, struct sohoa_consumer *c)
{
    struct sohoa_delivery d;
    struct sohoa_err err, why;
    int quiet_until_fail = 0;
    while (!atomic_load(&p->stopping)) {
        sohoa_err_clear(&err);
        int rc = sohoa_consumer_pop(c, POLL_MS, &d, &err);
        if (rc == SOHOA_ECLOSED)
            break;
        if (rc == SOHOA_ETIMEOUT)
            continue;
        if (rc < 0) { /* the broker is away: pop keeps reconnecting; say so now and then */
            if (quiet_until_fail++ % 40 == 0)
                sohoa_log(SOHOA_LOG_WARN, "worker", "%s (reconnecting)", err.msg);
            continue;
        }
        quiet_until_fail = 0;
        atomic_fetch_add(&p->busy, 1);
        sohoa_err_clear(&why);
        enum sohoa_job_outcome out = p->ops->run(p->shared, ctx, &d, &why);
        if (sohoa_delivery_settle(c, &d, out, &why, &err) < 0) {
            char id[SOHOA_JOB_ID_MAX];
            sohoa_job_id(&d.job, id, sizeof id);
            sohoa_log(SOHOA_LOG_WARN, "worker",
                      "%s: cannot settle (%s); it will be delivered again", id, err.msg);
        }
        atomic_fetch_sub(&p->busy, 1);
    }
}

static void *worker_main(void *arg)
{
    struct sohoa_pool *p = arg;
    void *ctx = NULL;
    struct sohoa_consumer *c = NULL;
    struct sohoa_err err;
    sohoa_err_clear(&err);
    bool general = atomic_fetch_add(&p->next_index, 1) < p->n_general;
    if (general)
        lower_priority();
    int rc = p->ops->thread_init ? p->ops->thread_init(p->shared, &ctx, &err) : 0;
    bool have_ctx = rc == 0;
    unsigned lanes = general ? SOHOA_LANES_ALL : SOHOA_LANE_BIT(SOHOA_LANE_INTERACTIVE);
    if (rc == 0)
        rc = sohoa_consumer_open_lanes(p->q, lanes, &c, &err);

    pthread_mutex_lock(&p->mu);
    if (rc < 0) {
        if (p->failed++ == 0) {
            p->first_rc = rc;
            p->first_err = err;
        }
    } else {
        p->ready++;
    }
    pthread_cond_broadcast(&p->cv);
    while (rc == 0 && p->ready + p->failed < p->n && !p->quit_early)
        pthread_cond_wait(&p->cv, &p->mu);
    bool quit = rc < 0 || p->failed > 0 || p->quit_early;
    pthread_mutex_unlock(&p->mu);

    if (!quit)
        run_jobs(p, ctx, c);
    sohoa_consumer_free(&c); /* requeues anything it still holds */
    if (have_ctx && p->ops->thread_release)
        p->ops->thread_release(p->shared, ctx);
    pthread_mutex_lock(&p->mu);
    p->exited++;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int sohoa_pool_start(int n_general, int n_interactive, struct sohoa_queue *q,
                     const struct sohoa_pool_ops *ops, void *shared, struct sohoa_pool **out,
                     struct sohoa_err *err)
{
    int rc = 0;
    *out = NULL;
    if (n_general < 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "worker count must be at least 1");
    if (n_interactive < 0 || n_interactive > 1024)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "bad interactive worker count %d",
                             n_interactive);
    int n = n_general + n_interactive;
    struct sohoa_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc((size_t)n, sizeof *p->threads))) {
        free(p);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->n = n;
    p->n_general = n_general;
    p->q = q;
    p->ops = ops;
    p->shared = shared;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->quit_early = true;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "cannot start worker thread %d", i + 1);
            break;
        }
        p->started++;
    }
    if (rc == 0) {
        pthread_mutex_lock(&p->mu);
        while (p->ready + p->failed < n)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->failed > 0) {
            if (err)
                *err = p->first_err;
            rc = p->first_rc;
            if (err && !err->msg[0])
                sohoa_err_set(err, rc, false, "a worker thread could not start (%s)",
                              sohoa_status_name(rc));
        }
        pthread_mutex_unlock(&p->mu);
    }
    if (rc < 0) {
        sohoa_pool_join(&p); /* the started threads saw the failure and are quitting */
        return rc;
    }
    *out = p;
    return 0;
}

void sohoa_pool_stop(struct sohoa_pool *p)
{
    if (p)
        atomic_store(&p->stopping, true);
}

int sohoa_pool_busy(struct sohoa_pool *p)
{
    return p ? atomic_load(&p->busy) : 0;
}

bool sohoa_pool_wait(struct sohoa_pool *p, int timeout_ms)
{
    struct timespec until;
    sohoa_deadline_in(CLOCK_REALTIME, timeout_ms, &until);
    pthread_mutex_lock(&p->mu);
    while (p->exited < p->started) {
        if (timeout_ms < 0)
            pthread_cond_wait(&p->cv, &p->mu);
        else if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT)
            break;
    }
    bool all = p->exited >= p->started;
    pthread_mutex_unlock(&p->mu);
    return all;
}

void sohoa_pool_join(struct sohoa_pool **pool)
{
    if (!pool || !*pool)
        return;
    struct sohoa_pool *p = *pool;
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
    *pool = NULL;
}
