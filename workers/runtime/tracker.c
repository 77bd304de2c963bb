/* tracker.c — the documents a command waits for, and the wait's watchdog (see tracker.h). */
#include "workers/runtime/tracker.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/base/deadline.h"
#include "pipeline/base/log.h"
#include "workers/runtime/runtime.h"

#define LOOK_MS     250
#define STUCK_NAMED 5 /* documents named in the watchdog's message */

struct entry {
    char id[65];
    bool finished;
    long signature; /* pages recorded and status, to see movement */
};

struct sohoa_tracker {
    pthread_mutex_t mu;
    struct entry *v;
    size_t n, cap;
    size_t *slots; /* open addressing over v's indexes + 1 (0 = empty) */
    size_t n_slots;
    struct sohoa_counts fin; /* over the finished entries, kept across waits */
};

int sohoa_tracker_new(struct sohoa_tracker **out, struct sohoa_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    pthread_mutex_init(&(*out)->mu, NULL);
    return 0;
}

void sohoa_tracker_free(struct sohoa_tracker **t)
{
    if (!*t)
        return;
    pthread_mutex_destroy(&(*t)->mu);
    free((*t)->v);
    free((*t)->slots);
    free(*t);
    *t = NULL;
}

static size_t hash_id(const char *id)
{
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (const char *p = id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211u;
    return h;
}

/* The slot of `id`: where it is, or the empty slot where it would go. */
static size_t *slot_of(struct sohoa_tracker *t, const char *id)
{
    size_t i = hash_id(id) & (t->n_slots - 1);
    while (t->slots[i] && strcmp(t->v[t->slots[i] - 1].id, id) != 0)
        i = (i + 1) & (t->n_slots - 1);
    return &t->slots[i];
}

static int grow(struct sohoa_tracker *t)
{
    if (t->cap > SIZE_MAX / 4 / sizeof *t->v) /* cap and n_slots = 2 * cap, in bytes */
        return SOHOA_ENOMEM;
    size_t cap = t->cap ? 2 * t->cap : 64, n_slots = 2 * cap;
    struct entry *v = realloc(t->v, cap * sizeof *v);
    if (!v)
        return SOHOA_ENOMEM;
    t->v = v;
    t->cap = cap;
    size_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return SOHOA_ENOMEM;
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    for (size_t i = 0; i < t->n; i++)
        *slot_of(t, t->v[i].id) = i + 1;
    return 0;
}

int sohoa_tracker_add(struct sohoa_tracker *t, const char *doc_id, struct sohoa_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&t->mu);
    if (t->n == t->cap && (rc = grow(t)) < 0) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t *s = slot_of(t, doc_id);
    if (*s)
        goto out; /* followed already */
    struct entry *e = &t->v[t->n];
    memset(e, 0, sizeof *e);
    (void)snprintf(e->id, sizeof e->id, "%s", doc_id); /* 64 hex digits (tracker.h): fits */
    e->signature = -1;
    *s = ++t->n;
out:
    pthread_mutex_unlock(&t->mu);
    return rc;
}

size_t sohoa_tracker_count(struct sohoa_tracker *t)
{
    pthread_mutex_lock(&t->mu);
    size_t n = t->n;
    pthread_mutex_unlock(&t->mu);
    return n;
}

/* A copy of entry i (another thread may be adding entries and growing the array). */
static struct entry entry_at(struct sohoa_tracker *t, size_t i)
{
    pthread_mutex_lock(&t->mu);
    struct entry e = t->v[i];
    pthread_mutex_unlock(&t->mu);
    return e;
}

static void add_pages(struct sohoa_counts *c, const struct sohoa_doc_progress *pr)
{
    c->pages_total += pr->n_pages;
    c->pages_done += pr->pages_done;
    c->pages_failed += pr->pages_failed;
    c->pages_blank += pr->pages_blank;
}

/* Work seen elsewhere that is not a tracked document's: pages finished by this process's threads
 * and, on a shared queue, the lanes' depths. */
static long activity(struct sohoa_runtime *rt)
{
    struct sohoa_counts c = sohoa_runtime_counts(rt);
    long a = c.pages_done * 7 + c.docs_done;
    struct sohoa_queue_stats qs;
    if (sohoa_queue_durable(rt->queue) && sohoa_queue_stats(rt->queue, &qs, NULL) == 0)
        for (int l = 0; l < SOHOA_LANE_COUNT; l++)
            a = a * 31 + qs.ready[l] * 3 + qs.unacked[l];
    return a;
}

struct look {
    struct sohoa_counts shown;
    bool moved;
    size_t unfinished;
    int assembling_pages; /* the largest assembling document's pages (its lease) */
};

/* One look at every unfinished document. A catalog error stops the look (the caller decides). */
static int look_once(struct sohoa_tracker *t, struct sohoa_runtime *rt, struct look *lk,
                     struct sohoa_err *err)
{
    struct sohoa_counts now;
    memset(&now, 0, sizeof now);
    lk->moved = false;
    lk->unfinished = 0;
    lk->assembling_pages = 0;
    size_t n = sohoa_tracker_count(t);
    for (size_t i = 0; i < n; i++) {
        struct entry e = entry_at(t, i);
        if (e.finished)
            continue;
        struct sohoa_doc_progress pr;
        int rc = sohoa_catalog_progress(rt->catalog, e.id, &pr, err);
        if (rc < 0)
            return rc;
        long sig = (long)pr.pages_done * 8 + (long)pr.status;
        bool finished = pr.status == SOHOA_DOC_DONE || pr.status == SOHOA_DOC_PARTIAL ||
                        pr.status == SOHOA_DOC_FAILED;
        pthread_mutex_lock(&t->mu);
        if (t->v[i].signature != sig)
            lk->moved = true;
        t->v[i].signature = sig;
        t->v[i].finished = finished;
        pthread_mutex_unlock(&t->mu);
        if (!finished) {
            lk->unfinished++;
            add_pages(&now, &pr);
            if (pr.status == SOHOA_DOC_ASSEMBLING && pr.n_pages > lk->assembling_pages)
                lk->assembling_pages = pr.n_pages;
            continue;
        }
        pthread_mutex_lock(&t->mu);
        add_pages(&t->fin, &pr);
        t->fin.docs_done++;
        if (pr.status == SOHOA_DOC_DONE)
            t->fin.docs_ok++;
        else if (pr.status == SOHOA_DOC_PARTIAL)
            t->fin.docs_partial++;
        else
            t->fin.docs_failed++;
        pthread_mutex_unlock(&t->mu);
    }
    pthread_mutex_lock(&t->mu);
    t->fin.docs_total = (long)n;
    lk->shown = t->fin;
    pthread_mutex_unlock(&t->mu);
    lk->shown.pages_total += now.pages_total;
    lk->shown.pages_done += now.pages_done;
    lk->shown.pages_failed += now.pages_failed;
    lk->shown.pages_blank += now.pages_blank;
    return 0;
}

/* The watchdog's message: which documents, in what state, and why that is likely. */
static int stuck(struct sohoa_tracker *t, struct sohoa_runtime *rt, double idle_s,
                 struct sohoa_err *err)
{
    char list[SOHOA_ERR_MSG_MAX / 2] = "";
    size_t o = 0, named = 0, n = sohoa_tracker_count(t), left = 0;
    bool shared = sohoa_queue_durable(rt->queue), assembling = false;
    for (size_t i = 0; i < n; i++) {
        struct entry e = entry_at(t, i);
        if (e.finished)
            continue;
        left++;
        struct sohoa_doc_progress pr;
        if (named >= STUCK_NAMED || sohoa_catalog_progress(rt->catalog, e.id, &pr, NULL) < 0)
            continue;
        assembling |= pr.status == SOHOA_DOC_ASSEMBLING;
        int k = snprintf(list + o, sizeof list - o, "%s%.12s %s, %d of %d pages recorded",
                         named ? "; " : "", e.id, sohoa_doc_status_name(pr.status), pr.pages_done,
                         pr.n_pages);
        if (k > 0 && (size_t)k < sizeof list - o)
            o += (size_t)k;
        named++;
    }
    const char *why =
        assembling ? "an assembler stopped before finishing: a long-running `sohoa worker` or "
                     "`sohoa serve` re-assembles it once its lease ends"
        : shared   ? "no worker is taking the jobs, or they were dead-lettered: see `sohoa status` "
                     "and `sohoa dlq list`"
                   : "the workers recorded nothing (see the log above for the pages' errors)";
    return sohoa_err_set(err, SOHOA_ETIMEOUT, true,
                         "%zu document(s) made no progress for %.0f s (the bound comes from "
                         "decode-timeout-ms and page-timeout-ms): %s%s — %s; the originals are "
                         "stored, so running the same command again resumes them",
                         left, idle_s, list, left > named ? "; …" : "", why);
}

int sohoa_tracker_wait(struct sohoa_tracker *t, struct sohoa_runtime *rt,
                       const struct sohoa_wait_opts *o, struct sohoa_counts *out,
                       struct sohoa_err *err)
{
    struct look lk;
    memset(&lk, 0, sizeof lk);
    bool outage = false;
    double t0 = sohoa_now_ms(), last_move = t0;
    long last_activity = activity(rt);
    int rc = 0;
    for (;;) {
        if ((rc = look_once(t, rt, &lk, err)) < 0) {
            if (!err || !err->retryable)
                break;
            /* the catalog is unreachable for now (a restart, a blip): the workers retry their
             * jobs meanwhile, so the wait goes on, under the same watchdog */
            if (!outage)
                sohoa_log(SOHOA_LOG_WARN, "wait", "\ncatalog unavailable, still waiting: %s",
                          err->msg);
            outage = true;
            rc = 0;
        } else if (outage) {
            sohoa_log(SOHOA_LOG_INFO, "wait", "catalog reachable again");
            outage = false;
        }
        bool done = !outage && lk.unfinished == 0;
        *out = lk.shown;
        if (o->show && !outage)
            o->show(o->show_arg, out, done);
        if (done)
            break;
        double now = sohoa_now_ms();
        long a = activity(rt);
        if (lk.moved || a != last_activity)
            last_move = now;
        last_activity = a;
        double bound =
            (double)sohoa_runtime_stall_ms(rt) +
            (double)(lk.assembling_pages ? sohoa_runtime_lease_ms(lk.assembling_pages) : 0);
        if (now - last_move > bound) {
            rc = stuck(t, rt, (now - last_move) / 1000.0, err);
            break;
        }
        if (o->timeout_s > 0 && now - t0 > o->timeout_s * 1000) {
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, true,
                               "%zu of %ld documents still unfinished after %.0f s (see `sohoa "
                               "status` and `sohoa dlq list`)",
                               lk.unfinished, lk.shown.docs_total, o->timeout_s);
            break;
        }
        sohoa_runtime_wait_activity(rt, LOOK_MS);
    }
    return rc;
}
