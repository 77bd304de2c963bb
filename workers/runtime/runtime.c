/* runtime.c — backends, worker threads and counters shared by the jobs of one process. */
#include "workers/runtime/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/base/deadline.h"
#include "pipeline/base/log.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"

int sohoa_runtime_open(struct sohoa_runtime *rt, const struct sohoa_config *cfg,
                       struct sohoa_err *err)
{
    int rc;
    memset(rt, 0, sizeof *rt);
    rt->cfg = cfg;
    pthread_mutex_init(&rt->mu, NULL);
    pthread_cond_init(&rt->cv, NULL);
    sohoa_clean_opts_default(&rt->clean);
    if ((rc = sohoa_imageio_init(err)) < 0)
        goto fail;
    if ((rc = sohoa_objstore_open(cfg->store_url, &rt->store, err)) < 0)
        goto fail;
    if ((rc = sohoa_catalog_open(cfg->catalog_url, &rt->catalog, err)) < 0)
        goto fail;
    struct sohoa_queue_opts qo = {.capacity = (size_t)cfg->queue_capacity};
    if ((rc = sohoa_queue_open(cfg->queue_url, &qo, &rt->queue, err)) < 0)
        goto fail;
    struct sohoa_err merr;
    if (sohoa_models_load(NULL, &rt->models, &merr) < 0)
        sohoa_log(SOHOA_LOG_WARN, "runtime",
                  "document models not loaded, fields will not be extracted: %s", merr.msg);
    return 0;
fail:
    sohoa_runtime_release(rt);
    return rc;
}

static int thread_init(void *shared, void **ctx, struct sohoa_err *err)
{
    struct sohoa_runtime *rt = shared;
    struct sohoa_ocr *ocr = NULL;
    int rc = sohoa_ocr_new(rt->cfg->tessdata, rt->cfg->lang, &ocr, err);
    *ctx = ocr;
    return rc;
}

static void thread_release(void *shared, void *ctx)
{
    struct sohoa_ocr *ocr = ctx;
    sohoa_ocr_free(&ocr);
}

static enum sohoa_job_outcome run_job(void *shared, void *ctx, const struct sohoa_delivery *d,
                                      struct sohoa_err *why)
{
    if (d->job.kind == SOHOA_JOB_PAGE)
        return sohoa_page_job_run(shared, ctx, d, why);
    return sohoa_doc_job_run(shared, d, why);
}

static const struct sohoa_pool_ops pool_ops = {
    .thread_init = thread_init,
    .thread_release = thread_release,
    .run = run_job,
};

int sohoa_runtime_interactive_workers(const struct sohoa_runtime *rt)
{
    int n = rt->cfg->interactive_workers;
    return n >= 0 ? n : rt->interactive_traffic ? 1 : 0;
}

int sohoa_runtime_start_workers(struct sohoa_runtime *rt, struct sohoa_err *err)
{
    return sohoa_pool_start(rt->cfg->workers, sohoa_runtime_interactive_workers(rt), rt->queue,
                            &pool_ops, rt, &rt->pool, err);
}

int sohoa_runtime_stop_workers(struct sohoa_runtime *rt, int grace_ms)
{
    if (!rt->pool)
        return 0;
    sohoa_pool_stop(rt->pool);
    if (sohoa_pool_wait(rt->pool, grace_ms))
        return 0;
    int busy = sohoa_pool_busy(rt->pool);
    return busy > 0 ? busy : 1;
}

int sohoa_runtime_publish_doc(struct sohoa_runtime *rt, const struct sohoa_job *page_job,
                              struct sohoa_err *err)
{
    struct sohoa_job doc = *page_job;
    doc.kind = SOHOA_JOB_DOC;
    doc.page = 0;
    doc.attempt = 1;
    return sohoa_queue_publish(rt->queue, &doc, true, err);
}

void sohoa_runtime_release(struct sohoa_runtime *rt)
{
    if (!rt->cfg)
        return; /* never opened */
    if (rt->sweeper_started) {
        pthread_mutex_lock(&rt->mu);
        rt->stopping = true;
        pthread_cond_broadcast(&rt->cv);
        pthread_mutex_unlock(&rt->mu);
        pthread_join(rt->sweeper, NULL);
        rt->sweeper_started = false;
    }
    if (rt->queue)
        sohoa_queue_close(rt->queue);
    sohoa_pool_join(&rt->pool);
    sohoa_queue_free(&rt->queue);
    sohoa_catalog_free(&rt->catalog);
    sohoa_objstore_free(&rt->store);
    sohoa_models_free(&rt->models);
    pthread_cond_destroy(&rt->cv);
    pthread_mutex_destroy(&rt->mu);
    rt->cfg = NULL;
}

void sohoa_runtime_add_pages(struct sohoa_runtime *rt, long total)
{
    pthread_mutex_lock(&rt->mu);
    rt->counts.pages_total += total;
    pthread_mutex_unlock(&rt->mu);
}

void sohoa_runtime_page_finished(struct sohoa_runtime *rt, const char *status)
{
    pthread_mutex_lock(&rt->mu);
    rt->counts.pages_done++;
    if (strcmp(status, "failed") == 0)
        rt->counts.pages_failed++;
    else if (strcmp(status, "blank") == 0)
        rt->counts.pages_blank++;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
}

void sohoa_runtime_doc_queued(struct sohoa_runtime *rt)
{
    pthread_mutex_lock(&rt->mu);
    rt->counts.docs_total++;
    pthread_mutex_unlock(&rt->mu);
}

int sohoa_runtime_follow(struct sohoa_runtime *rt, const char *doc_id, struct sohoa_err *err)
{
    return rt->tracker ? sohoa_tracker_add(rt->tracker, doc_id, err) : 0;
}

void sohoa_runtime_doc_finished(struct sohoa_runtime *rt, const char *status)
{
    pthread_mutex_lock(&rt->mu);
    rt->counts.docs_done++;
    if (strcmp(status, "done") == 0)
        rt->counts.docs_ok++;
    else if (strcmp(status, "partial") == 0)
        rt->counts.docs_partial++;
    else
        rt->counts.docs_failed++;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
}

struct sohoa_counts sohoa_runtime_counts(struct sohoa_runtime *rt)
{
    pthread_mutex_lock(&rt->mu);
    struct sohoa_counts c = rt->counts;
    pthread_mutex_unlock(&rt->mu);
    return c;
}

void sohoa_runtime_wait_activity(struct sohoa_runtime *rt, int ms)
{
    struct timespec until;
    sohoa_deadline_in(CLOCK_REALTIME, ms, &until);
    pthread_mutex_lock(&rt->mu);
    pthread_cond_timedwait(&rt->cv, &rt->mu, &until);
    pthread_mutex_unlock(&rt->mu);
}

long sohoa_runtime_stall_ms(const struct sohoa_runtime *rt)
{
    const struct sohoa_limits *l = &rt->cfg->limits;
    long page = (long)(l->decode_timeout_ms > 0 ? l->decode_timeout_ms : 300000) +
                (long)(l->page_timeout_ms > 0 ? l->page_timeout_ms : 300000);
    long slack = page < 5000 ? 5000 : page > 60000 ? 60000 : page; /* store, catalog */
    return 2 * page + slack + (rt->queue && sohoa_queue_durable(rt->queue) ? 91000 : 0);
}

long sohoa_runtime_lease_ms(int n_pages)
{
    return 60000 + 1000L * (n_pages > 0 ? n_pages : 0);
}

#define SWEEP_BATCH 200

int sohoa_runtime_sweep(struct sohoa_runtime *rt, int64_t idle_ms, bool lost_processing,
                        int *republished, struct sohoa_err *err)
{
    struct sohoa_stalled_doc *v = NULL;
    size_t n = 0;
    int count = 0;
    if (republished)
        *republished = 0;
    int rc = sohoa_catalog_stalled(rt->catalog, idle_ms, SWEEP_BATCH, &v, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct sohoa_job job;
        memset(&job, 0, sizeof job);
        job.lane = SOHOA_LANE_BULK;
        memcpy(job.doc_id, v[i].id, sizeof job.doc_id);
        job.n_pages = v[i].n_pages;
        job.attempt = 1; /* format left empty: the decoder sniffs it */
        if (v[i].status == SOHOA_DOC_ASSEMBLING) {
            sohoa_log(
                SOHOA_LOG_WARN, "sweep",
                "document %.12s: left assembling %lld s ago, its document job published again",
                v[i].id, (long long)(v[i].idle_ms / 1000));
            rc = sohoa_runtime_publish_doc(rt, &job, err);
            count += rc == 0;
        } else if (lost_processing) {
            sohoa_log(SOHOA_LOG_WARN, "sweep",
                      "document %.12s: %d of %d pages recorded by a previous run, its pages queued "
                      "again",
                      v[i].id, v[i].pages_done, v[i].n_pages);
            job.kind = SOHOA_JOB_PAGE;
            for (int p = 0; rc == 0 && p < v[i].n_pages; p++) {
                job.page = p;
                rc = sohoa_queue_publish(rt->queue, &job, true, err);
            }
            count += rc == 0;
        }
    }
    free(v);
    if (republished)
        *republished = count;
    return rc;
}

struct sweeper_arg {
    struct sohoa_runtime *rt;
    int interval_ms;
};

static void *sweeper_main(void *arg)
{
    struct sweeper_arg a = *(struct sweeper_arg *)arg;
    free(arg);
    struct sohoa_runtime *rt = a.rt;
    bool first = true;
    pthread_mutex_lock(&rt->mu);
    while (!rt->stopping) {
        pthread_mutex_unlock(&rt->mu);
        struct sohoa_err err;
        sohoa_err_clear(&err);
        /* at the start of a process on an in-process queue, every unfinished document's jobs died
         * with the process before: all of them are taken up again at once */
        bool lost = first && !sohoa_queue_durable(rt->queue);
        if (sohoa_runtime_sweep(rt, lost ? 0 : sohoa_runtime_stall_ms(rt), lost, NULL, &err) < 0)
            sohoa_log(SOHOA_LOG_WARN, "sweep", "sweep of stalled documents failed: %s", err.msg);
        first = false;
        struct timespec until;
        sohoa_deadline_in(CLOCK_REALTIME, a.interval_ms, &until);
        pthread_mutex_lock(&rt->mu);
        while (!rt->stopping && pthread_cond_timedwait(&rt->cv, &rt->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&rt->mu);
    return NULL;
}

int sohoa_runtime_start_sweeper(struct sohoa_runtime *rt, int interval_ms, struct sohoa_err *err)
{
    struct sweeper_arg *a = malloc(sizeof *a);
    if (!a)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    a->rt = rt;
    a->interval_ms = interval_ms > 0 ? interval_ms : 30000;
    if (pthread_create(&rt->sweeper, NULL, sweeper_main, a) != 0) {
        free(a);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "cannot start the sweeper thread");
    }
    rt->sweeper_started = true;
    return 0;
}
