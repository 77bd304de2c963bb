/* pool.c — worker threads over a queue (see pool.h).
 *
 * DESIGN: start-up is a small rendezvous: each thread initialises its context, then reports
 * success or failure under the pool mutex; sohoa_pool_start waits until all have reported. A failed
 * start closes nothing the caller owns: it tells the started threads to quit and joins them.
 */
#include "workers/pool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sohoa_pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int n;
    int ready;
    int failed;
    bool quit_early;
    int first_rc;
    struct sohoa_err first_err;
    struct sohoa_queue *q;
    const struct sohoa_pool_ops *ops;
    void *shared;
    pthread_t *threads;
    int started;
};

static void *worker_main(void *arg)
{
    struct sohoa_pool *p = arg;
    void *ctx = NULL;
    struct sohoa_err err;
    sohoa_err_clear(&err);
    int rc = p->ops->thread_init ? p->ops->thread_init(p->shared, &ctx, &err) : 0;

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

    if (!quit) {
        struct sohoa_job job;
        while (sohoa_queue_pop(p->q, &job, NULL) == 0)
            p->ops->run(p->shared, ctx, &job);
    }
    if (rc == 0 && p->ops->thread_release)
        p->ops->thread_release(p->shared, ctx);
    return NULL;
}

int sohoa_pool_start(int n, struct sohoa_queue *q, const struct sohoa_pool_ops *ops, void *shared,
                     struct sohoa_pool **out, struct sohoa_err *err)
{
    int rc = 0;
    *out = NULL;
    if (n < 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "worker count must be at least 1");
    struct sohoa_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc((size_t)n, sizeof *p->threads))) {
        free(p);
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "out of memory");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->n = n;
    p->q = q;
    p->ops = ops;
    p->shared = shared;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->quit_early = true;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->mu);
            rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "cannot start worker thread %d", i + 1);
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
