/* runtime.c — backends, worker threads and counters shared by the jobs of one process. */
#include "workers/runtime.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/deadline.h"
#include "pipeline/imageio.h"
#include "pipeline/ocr.h"

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
        fprintf(stderr, "sohoa: document models not loaded, fields will not be extracted: %s\n",
                merr.msg);
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
    if (rt->queue)
        sohoa_queue_close(rt->queue);
    sohoa_pool_join(&rt->pool);
    sohoa_queue_free(&rt->queue);
    sohoa_catalog_free(&rt->catalog);
    sohoa_objstore_free(&rt->store);
    sohoa_models_free(&rt->models);
    free(rt->docs);
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

void sohoa_runtime_doc_queued(struct sohoa_runtime *rt, const char *doc_id)
{
    pthread_mutex_lock(&rt->mu);
    rt->counts.docs_total++;
    if (rt->track_docs && rt->n_docs == rt->cap_docs) {
        size_t cap = rt->cap_docs ? rt->cap_docs * 2 : 64;
        void *grown = realloc(rt->docs, cap * sizeof *rt->docs);
        if (grown) {
            rt->docs = grown;
            rt->cap_docs = cap;
        }
    }
    if (rt->track_docs && rt->n_docs < rt->cap_docs)
        snprintf(rt->docs[rt->n_docs++], sizeof rt->docs[0], "%s", doc_id);
    pthread_mutex_unlock(&rt->mu);
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

bool sohoa_runtime_wait_docs(struct sohoa_runtime *rt, int timeout_ms)
{
    struct timespec until;
    sohoa_deadline_in(CLOCK_REALTIME, timeout_ms, &until);
    pthread_mutex_lock(&rt->mu);
    bool done;
    while (!(done = rt->counts.docs_done >= rt->counts.docs_total)) {
        if (pthread_cond_timedwait(&rt->cv, &rt->mu, &until) == ETIMEDOUT) {
            done = rt->counts.docs_done >= rt->counts.docs_total;
            break;
        }
    }
    pthread_mutex_unlock(&rt->mu);
    return done;
}
