/* test_catalog_faults.c — the catalog's fan-in under concurrency and faults, on every backend.
 *
 * Cases (SQLite file, or the server of SOHOA_TEST_CATALOG_URL; see catalog_support.h):
 *   duplicates   8 threads over two handles deliver every page of 6 documents, each page
 *                several times in different orders (duplicates and redeliveries at once): exactly
 *                one you_finish per document, one page row and one index row per page.
 *                Then a replay: the documents, finished and set back to processing, get exactly
 *                one new finisher each however many threads redeliver their pages.
 *   last pages   150 two-page documents, each page delivered once, the two pages of a document by
 *                two threads at the same moment: no redelivery heals a fan-in that misses the
 *                other page's write, so each document must still get exactly one finisher.
 *   restart      only with SOHOA_TEST_RESTART_DIR (tests/integration/catalog_pg.sh): writer
 *                threads keep recording pages of new documents, retrying retryable errors with
 *                backoff, while the script restarts the server. The case writes DIR/writing once
 *                writes flow, and stops taking new documents once DIR/restarted exists; then every
 *                document must be complete with exactly one finisher, and the writers must have
 *                met at least one retryable error (the restart was seen) and recovered from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storage/catalog.h"
#include "tests/unit/catalog_support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* page_done, retrying retryable errors with a short backoff (what a queue's redelivery does).
 * Returns rc; counts retries in *retries. */
static int deliver(struct sohoa_catalog *cat, int doc, int index, int *retries, bool *finish,
                   char *msg, size_t cap)
{
    char id[65], text[96];
    int rc = 0, remaining = 0;
    snprintf(text, sizeof text, "tài liệu %d trang %d đường Hoà Bình", doc, index);
    struct sohoa_page p = {.status = SOHOA_PAGE_OK, .text = text, .mean_conf = 90};
    for (int attempt = 0; attempt < 300; attempt++) {
        struct sohoa_err err = {0};
        *finish = false;
        rc = sohoa_catalog_page_done(cat, docid(doc, id), index, &p, &remaining, finish, &err);
        if (rc == 0 || !err.retryable) {
            if (rc)
                snprintf(msg, cap, "%s", err.msg);
            break;
        }
        snprintf(msg, cap, "%s", err.msg);
        (*retries)++;
        sleep_ms(attempt < 10 ? 20 : 100);
    }
    return rc;
}

/* ---- duplicates ---------------------------------------------------------------------------- */

#define DUP_DOCS    6
#define DUP_PAGES   24
#define DUP_THREADS 8
#define DUP_COPIES  3 /* each thread delivers each page of its share this many times */

struct dup_worker {
    struct sohoa_catalog *cat;
    int id;
    atomic_int *finishes; /* per document */
    int failures, retries;
    char msg[SOHOA_ERR_MSG_MAX];
};

static void *dup_run(void *arg)
{
    struct dup_worker *w = arg;
    /* every thread walks every page (so each is delivered DUP_THREADS * copies times), from its
     * own starting point and direction, so that last pages of a document race each other */
    int total = DUP_DOCS * DUP_PAGES;
    for (int copy = 0; copy < DUP_COPIES; copy++) {
        for (int k = 0; k < total; k++) {
            int j = w->id % 2 ? total - 1 - (k + w->id * 7) % total : (k + w->id * 11) % total;
            int doc = 300 + j % DUP_DOCS, index = j / DUP_DOCS;
            bool finish = false;
            if (deliver(w->cat, doc, index, &w->retries, &finish, w->msg, sizeof w->msg)) {
                w->failures++;
                continue;
            }
            if (finish)
                atomic_fetch_add(&w->finishes[doc - 300], 1);
        }
    }
    return NULL;
}

static void expect_complete(struct sohoa_catalog *cat, int doc, int n_pages)
{
    char id[65];
    struct sohoa_doc_progress pr;
    struct sohoa_err err = {0};
    check(sohoa_catalog_progress(cat, docid(doc, id), &pr, &err), &err, "progress");
    assert_int_equal(pr.pages_done, n_pages);
    assert_int_equal(pr.n_pages, n_pages);
    assert_int_equal(pr.status, SOHOA_DOC_ASSEMBLING);
}

/* One index row per page: a search for words of one document finds each of its pages once. */
static void expect_indexed_once(struct sohoa_catalog *cat, int doc, int n_pages)
{
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    char q[64];
    snprintf(q, sizeof q, "\"tai lieu %d trang\"", doc);
    struct sohoa_search_opts o = {.limit = SOHOA_SEARCH_MAX_LIMIT};
    check(sohoa_catalog_search(cat, q, &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, (size_t)n_pages);
    sohoa_hits_release(&hits);
}

static void run_dup_workers(struct sohoa_catalog *cats[2], atomic_int *finishes)
{
    pthread_t threads[DUP_THREADS];
    struct dup_worker workers[DUP_THREADS];
    for (int i = 0; i < DUP_THREADS; i++) {
        workers[i] = (struct dup_worker){.cat = cats[i % 2], .id = i, .finishes = finishes};
        assert_int_equal(pthread_create(&threads[i], NULL, dup_run, &workers[i]), 0);
    }
    int retries = 0;
    for (int i = 0; i < DUP_THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].failures)
            fail_msg("worker %d: %d failures, last: %s", i, workers[i].failures, workers[i].msg);
        retries += workers[i].retries;
    }
    print_message("  %d deliveries by %d threads; %d retryable errors retried\n",
                  DUP_THREADS * DUP_COPIES * DUP_DOCS * DUP_PAGES, DUP_THREADS, retries);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct sohoa_catalog *cats[2] = {NULL, NULL};
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512];
    atomic_int finishes[DUP_DOCS];

    fresh_url(url, sizeof url, &t);
    for (int i = 0; i < 2; i++)
        check(sohoa_catalog_open(url, &cats[i], &err), &err, "open");
    add_dossier(cats[0], "HS-300", "Sở Tư pháp", "2024-05-05", SOHOA_SOURCE_ARCHIVE);
    for (int d = 0; d < DUP_DOCS; d++) {
        add_document(cats[0], 300 + d, "HS-300", DUP_PAGES);
        atomic_init(&finishes[d], 0);
    }
    run_dup_workers(cats, finishes);
    for (int d = 0; d < DUP_DOCS; d++) {
        if (atomic_load(&finishes[d]) != 1)
            fail_msg("document %d: %d finishers", 300 + d, atomic_load(&finishes[d]));
        expect_complete(cats[1], 300 + d, DUP_PAGES);
        expect_indexed_once(cats[0], 300 + d, DUP_PAGES);
    }

    /* replay: finished, then set back to processing; redelivered pages elect one new finisher */
    char id[65];
    for (int d = 0; d < DUP_DOCS; d++) {
        check(sohoa_catalog_finish_document(cats[0], docid(300 + d, id), SOHOA_DOC_DONE, NULL,
                                            "r.json", "p.pdf", &err),
              &err, "finish");
        add_document(cats[1], 300 + d, "HS-300", DUP_PAGES);
        atomic_init(&finishes[d], 0);
    }
    run_dup_workers(cats, finishes);
    for (int d = 0; d < DUP_DOCS; d++) {
        if (atomic_load(&finishes[d]) != 1)
            fail_msg("replayed document %d: %d finishers", 300 + d, atomic_load(&finishes[d]));
        expect_indexed_once(cats[1], 300 + d, DUP_PAGES);
    }
    for (int i = 0; i < 2; i++)
        sohoa_catalog_free(&cats[i]);
    fresh_done(&t);
}

/* ---- last pages racing, each delivered once ----------------------------------------------- */

#define RACE_DOCS    150
#define RACE_THREADS 6 /* three pairs: the two threads of a pair deliver a document's two pages */

struct race_worker {
    struct sohoa_catalog *cat;
    int id;
    atomic_int *finishes;
    int failures, retries;
    char msg[SOHOA_ERR_MSG_MAX];
};

static void *race_run(void *arg)
{
    struct race_worker *w = arg;
    for (int doc = w->id / 2; doc < RACE_DOCS; doc += RACE_THREADS / 2) {
        bool finish = false;
        if (deliver(w->cat, 500 + doc, w->id % 2, &w->retries, &finish, w->msg, sizeof w->msg))
            w->failures++;
        else if (finish)
            atomic_fetch_add(&w->finishes[doc], 1);
    }
    return NULL;
}

/* Without redeliveries to heal it, a fan-in that counts pages without seeing the other last
 * page's write leaves a document with no finisher: every document must get exactly one. */
static void test_last_pages_race(void **state)
{
    (void)state;
    struct sohoa_catalog *cats[2] = {NULL, NULL};
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512];
    static atomic_int finishes[RACE_DOCS];
    pthread_t threads[RACE_THREADS];
    struct race_worker workers[RACE_THREADS];

    fresh_url(url, sizeof url, &t);
    for (int i = 0; i < 2; i++)
        check(sohoa_catalog_open(url, &cats[i], &err), &err, "open");
    add_dossier(cats[0], "HS-500", NULL, NULL, SOHOA_SOURCE_DESK);
    for (int d = 0; d < RACE_DOCS; d++) {
        add_document(cats[0], 500 + d, "HS-500", 2);
        atomic_init(&finishes[d], 0);
    }
    for (int i = 0; i < RACE_THREADS; i++) {
        workers[i] = (struct race_worker){.cat = cats[i % 2], .id = i, .finishes = finishes};
        assert_int_equal(pthread_create(&threads[i], NULL, race_run, &workers[i]), 0);
    }
    for (int i = 0; i < RACE_THREADS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].failures)
            fail_msg("worker %d: %d failures, last: %s", i, workers[i].failures, workers[i].msg);
    }
    for (int d = 0; d < RACE_DOCS; d++) {
        if (atomic_load(&finishes[d]) != 1)
            fail_msg("document %d: %d finishers", 500 + d, atomic_load(&finishes[d]));
        expect_complete(cats[1], 500 + d, 2);
    }
    for (int i = 0; i < 2; i++)
        sohoa_catalog_free(&cats[i]);
    fresh_done(&t);
}

/* ---- writers through a server restart ------------------------------------------------------ */

#define RS_THREADS  4
#define RS_PAGES    10   /* pages a document */
#define RS_MAX_DOCS 5000 /* a bound, should the script never say it restarted the server */

struct rs_shared {
    struct sohoa_catalog *cat;
    const char *dir;
    atomic_int next_job; /* job j = page j % RS_PAGES of document j / RS_PAGES */
    atomic_int last_doc; /* documents 0..last_doc-1 are the run; grows until the restart */
    atomic_int finishes[RS_MAX_DOCS];
    atomic_int done_jobs;
    atomic_int retries, failures;
    pthread_mutex_t lock; /* creating documents */
    int created;          /* documents created so far */
    char msg[SOHOA_ERR_MSG_MAX];
};

static bool file_exists(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f)
        fclose(f);
}

/* Create documents up to `doc` (inclusive), retrying through the restart. */
static int rs_ensure_doc(struct rs_shared *s, int doc)
{
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    while (rc == 0 && s->created <= doc) {
        char id[65], name[32];
        snprintf(name, sizeof name, "rs-%d.pdf", s->created);
        struct sohoa_document d = {.dossier_id = "HS-RS",
                                   .name = name,
                                   .ordinal = s->created + 1,
                                   .n_pages = RS_PAGES,
                                   .status = SOHOA_DOC_PROCESSING};
        for (int attempt = 0; attempt < 300; attempt++) {
            struct sohoa_err err = {0};
            rc = sohoa_catalog_upsert_document(s->cat, docid(1000 + s->created, id), &d, &err);
            if (rc == 0 || !err.retryable)
                break;
            atomic_fetch_add(&s->retries, 1);
            sleep_ms(100);
        }
        if (rc == 0)
            s->created++;
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

static void *rs_run(void *arg)
{
    struct rs_shared *s = arg;
    char msg[SOHOA_ERR_MSG_MAX];
    for (;;) {
        if (file_exists(s->dir, "restarted")) {
            /* finish the documents begun: none grows beyond the current one */
            int cur = (atomic_load(&s->next_job) / RS_PAGES) + 1, want = cur;
            int last = atomic_load(&s->last_doc);
            while (want < last && !atomic_compare_exchange_weak(&s->last_doc, &last, want))
                ;
        }
        int j = atomic_fetch_add(&s->next_job, 1), doc = j / RS_PAGES;
        if (doc >= atomic_load(&s->last_doc) || doc >= RS_MAX_DOCS)
            break;
        if (rs_ensure_doc(s, doc)) {
            atomic_fetch_add(&s->failures, 1);
            continue;
        }
        int retries = 0;
        bool finish = false;
        /* every third job is delivered twice: a redelivery racing the original */
        for (int copy = 0; copy < (j % 3 == 0 ? 2 : 1); copy++) {
            if (deliver(s->cat, 1000 + doc, j % RS_PAGES, &retries, &finish, msg, sizeof msg)) {
                atomic_fetch_add(&s->failures, 1);
                pthread_mutex_lock(&s->lock);
                snprintf(s->msg, sizeof s->msg, "%s", msg);
                pthread_mutex_unlock(&s->lock);
            } else if (finish) {
                atomic_fetch_add(&s->finishes[doc], 1);
            }
        }
        atomic_fetch_add(&s->retries, retries);
        if (atomic_fetch_add(&s->done_jobs, 1) == 200)
            touch(s->dir, "writing");
    }
    return NULL;
}

static void test_restart(void **state)
{
    (void)state;
    const char *dir = getenv("SOHOA_TEST_RESTART_DIR");
    if (!dir || !server_url()) {
        print_message("  run by tests/integration/catalog_pg.sh (SOHOA_TEST_RESTART_DIR)\n");
        skip();
    }
    static struct rs_shared s; /* large: not on the stack */
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512];
    memset(&s, 0, sizeof s);
    fresh_url(url, sizeof url, &t);
    check(sohoa_catalog_open(url, &s.cat, &err), &err, "open");
    add_dossier(s.cat, "HS-RS", "Sở Tư pháp", "2024-05-05", SOHOA_SOURCE_DESK);
    s.dir = dir;
    atomic_init(&s.last_doc, RS_MAX_DOCS);
    pthread_mutex_init(&s.lock, NULL);

    pthread_t threads[RS_THREADS];
    for (int i = 0; i < RS_THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, rs_run, &s), 0);
    for (int i = 0; i < RS_THREADS; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&s.lock);

    int docs = atomic_load(&s.last_doc);
    print_message("  %d documents, %d page jobs; %d retryable errors retried, %d failures%s%s\n",
                  docs, atomic_load(&s.done_jobs), atomic_load(&s.retries),
                  atomic_load(&s.failures), s.msg[0] ? ", last: " : "", s.msg);
    assert_true(file_exists(dir, "restarted"));
    assert_int_equal(atomic_load(&s.failures), 0);
    assert_true(atomic_load(&s.retries) > 0); /* the restart was seen ... */
    for (int d = 0; d < docs; d++) {          /* ... and nothing was lost or doubled */
        if (atomic_load(&s.finishes[d]) != 1)
            fail_msg("document %d: %d finishers", d, atomic_load(&s.finishes[d]));
        expect_complete(s.cat, 1000 + d, RS_PAGES);
    }
    sohoa_catalog_free(&s.cat);
    fresh_done(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicates),
        cmocka_unit_test(test_last_pages_race),
        cmocka_unit_test(test_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
