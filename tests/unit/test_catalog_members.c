/* test_catalog_members.c — conformance cases for membership (a document in many dossiers, twice
 * in one), admission (who processes new content), the assembler's lease and stalled documents.
 * Runs on SQLite, and on PostgreSQL with SOHOA_TEST_CATALOG_URL (catalog_support.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "tests/unit/catalog_support.h"

struct fixture {
    struct sohoa_catalog *cat;
    struct tmpdir t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct sohoa_err err = {0};
    char url[512];
    fresh_url(url, sizeof url, &f->t);
    check(sohoa_catalog_open(url, &f->cat, &err), &err, "open");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sohoa_catalog_free(&f->cat);
    fresh_done(&f->t);
    free(f);
    return 0;
}

/* Admits document n into `dossier` at `ordinal` as `name`; returns the decision. */
static enum sohoa_admit admit(struct sohoa_catalog *cat, int n, const char *dossier, int ordinal,
                              const char *name, int64_t stale_ms, enum sohoa_doc_status *status)
{
    struct sohoa_err err = {0};
    char id[65];
    enum sohoa_admit a = SOHOA_ADMIT_RUNNING;
    struct sohoa_document d = {.dossier_id = dossier,
                               .name = name,
                               .ordinal = ordinal,
                               .format = "image/png",
                               .n_pages = 1,
                               .size_bytes = 4242,
                               .status = SOHOA_DOC_PROCESSING};
    check(sohoa_catalog_admit_document(cat, docid(n, id), &d, stale_ms, &a, status, &err), &err,
          "admit");
    return a;
}

static void finish(struct sohoa_catalog *cat, int n)
{
    struct sohoa_err err = {0};
    char id[65];
    check(sohoa_catalog_finish_document(cat, docid(n, id), SOHOA_DOC_DONE, NULL, "r", NULL, &err),
          &err, "finish");
}

/* "id:name@ordinal(same_as)" for each document of a dossier, space-separated. */
static void members(struct sohoa_catalog *cat, const char *dossier, char *buf, size_t cap)
{
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_err err = {0};
    size_t o = 0;
    buf[0] = '\0';
    check(sohoa_catalog_get_dossier(cat, dossier, 0, &info, &err), &err, "get dossier");
    for (size_t i = 0; i < info->n_docs && o < cap; i++) {
        const struct sohoa_document_info *d = &info->docs[i];
        assert_non_null(d->added_at);
        int n =
            snprintf(buf + o, cap - o, "%s%d:%s@%d(%d)", i ? " " : "",
                     (int)strtol(d->id + 56, NULL, 16), d->doc.name, d->doc.ordinal, d->same_as);
        o += n > 0 ? (size_t)n : 0;
    }
    sohoa_dossier_info_free(&info);
}

static void dossiers_of(struct sohoa_catalog *cat, int n, char *buf, size_t cap)
{
    struct sohoa_ids ids;
    struct sohoa_err err = {0};
    char id[65];
    size_t o = 0;
    buf[0] = '\0';
    check(sohoa_catalog_doc_dossiers(cat, docid(n, id), &ids, &err), &err, "doc dossiers");
    for (size_t i = 0; i < ids.n && o < cap; i++) {
        int k = snprintf(buf + o, cap - o, "%s%s", i ? " " : "", ids.v[i]);
        o += k > 0 ? (size_t)k : 0;
    }
    sohoa_ids_release(&ids);
}

static void test_many_dossiers(void **state)
{
    struct fixture *f = *state;
    char buf[256];
    enum sohoa_doc_status st;
    add_dossier(f->cat, "HS-A", "Sở Tư pháp", "2026-01-02", SOHOA_SOURCE_DESK);
    add_dossier(f->cat, "HS-B", "Sở Xây dựng", "2026-01-03", SOHOA_SOURCE_PORTAL);
    add_dossier(f->cat, "HS-C", "Sở Xây dựng", "2026-01-04", SOHOA_SOURCE_PORTAL);

    assert_int_equal(admit(f->cat, 7, "HS-A", 1, "cccd.jpg", 0, &st), SOHOA_ADMIT_NEW);
    assert_int_equal(st, SOHOA_DOC_PROCESSING);
    /* the same content in another dossier while it is processed: followed, not queued again */
    assert_int_equal(admit(f->cat, 7, "HS-B", 1, "anh-cccd.jpg", 0, &st), SOHOA_ADMIT_RUNNING);
    assert_int_equal(st, SOHOA_DOC_PROCESSING);
    /* admitting it again at the same place changes nothing */
    assert_int_equal(admit(f->cat, 7, "HS-A", 1, "cccd.jpg", 0, &st), SOHOA_ADMIT_RUNNING);
    page_ok(f->cat, 7, 0, "Căn cước công dân Nguyễn Văn An");
    finish(f->cat, 7);
    /* and after it finished: reused as it is */
    assert_int_equal(admit(f->cat, 7, "HS-C", 2, "can-cuoc.jpg", 0, &st), SOHOA_ADMIT_FINISHED);
    assert_int_equal(st, SOHOA_DOC_DONE);

    members(f->cat, "HS-A", buf, sizeof buf);
    assert_string_equal(buf, "7:cccd.jpg@1(0)");
    members(f->cat, "HS-B", buf, sizeof buf);
    assert_string_equal(buf, "7:anh-cccd.jpg@1(0)");
    members(f->cat, "HS-C", buf, sizeof buf);
    assert_string_equal(buf, "7:can-cuoc.jpg@2(0)");
    dossiers_of(f->cat, 7, buf, sizeof buf);
    assert_string_equal(buf, "HS-A HS-B HS-C");
    dossiers_of(f->cat, 99, buf, sizeof buf); /* unknown: none, not an error */
    assert_string_equal(buf, "");

    /* search names every dossier in scope, with the name the document has there */
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    check(sohoa_catalog_search(f->cat, "nguyen van an", NULL, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].n_dossiers, 3);
    assert_string_equal(hits.v[0].dossiers[0].id, "HS-A");
    assert_string_equal(hits.v[0].dossiers[1].doc_name, "anh-cccd.jpg");
    assert_string_equal(hits.v[0].dossier_id, "HS-A");
    assert_string_equal(hits.v[0].doc_name, "cccd.jpg");
    sohoa_hits_release(&hits);
    struct sohoa_search_opts o = {.department = "Sở Xây dựng"};
    check(sohoa_catalog_search(f->cat, "căn cước", &o, &hits, &err), &err, "search in scope");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].n_dossiers, 2);
    assert_string_equal(hits.v[0].dossier_id, "HS-B");
    assert_string_equal(hits.v[0].dossiers[1].id, "HS-C");
    sohoa_hits_release(&hits);
    struct sohoa_search_opts od = {.dossier_id = "HS-C"};
    check(sohoa_catalog_search(f->cat, "an", &od, &hits, &err), &err, "search one dossier");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].n_dossiers, 1);
    assert_string_equal(hits.v[0].doc_name, "can-cuoc.jpg");
    sohoa_hits_release(&hits);
    /* a listing by type without words: the document once, with its dossiers */
    char id[65];
    check(sohoa_catalog_put_fields(f->cat, docid(7, id), "cccd_front", NULL, 0, &err), &err,
          "type");
    struct sohoa_search_opts ot = {.doc_type = "cccd_front", .department = "Sở Xây dựng"};
    check(sohoa_catalog_search(f->cat, NULL, &ot, &hits, &err), &err, "list by type");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].match, SOHOA_MATCH_FILTER);
    assert_int_equal(hits.v[0].n_dossiers, 2);
    sohoa_hits_release(&hits);

    /* taken out of one dossier: the others keep it, and search follows */
    check(sohoa_catalog_remove_document(f->cat, "HS-B", docid(7, id), &err), &err, "remove");
    assert_int_equal(sohoa_catalog_remove_document(f->cat, "HS-B", docid(7, id), &err),
                     SOHOA_ENOTFOUND);
    members(f->cat, "HS-B", buf, sizeof buf);
    assert_string_equal(buf, "");
    members(f->cat, "HS-A", buf, sizeof buf);
    assert_string_equal(buf, "7:cccd.jpg@1(0)");
    check(sohoa_catalog_search(f->cat, "căn cước", &o, &hits, &err), &err, "search after remove");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].n_dossiers, 1);
    assert_string_equal(hits.v[0].dossier_id, "HS-C");
    sohoa_hits_release(&hits);
    /* out of every dossier: no longer a hit, but kept */
    check(sohoa_catalog_remove_document(f->cat, "HS-A", docid(7, id), &err), &err, "remove A");
    check(sohoa_catalog_remove_document(f->cat, "HS-C", docid(7, id), &err), &err, "remove C");
    check(sohoa_catalog_search(f->cat, "căn cước", NULL, &hits, &err), &err, "search none");
    assert_int_equal(hits.n, 0);
    sohoa_hits_release(&hits);
    struct sohoa_doc_progress pr;
    check(sohoa_catalog_progress(f->cat, docid(7, id), &pr, &err), &err, "still there");
    assert_int_equal(pr.status, SOHOA_DOC_DONE);
}

static void test_twice_in_one_dossier(void **state)
{
    struct fixture *f = *state;
    char buf[256];
    enum sohoa_doc_status st;
    add_dossier(f->cat, "HS-D", NULL, NULL, SOHOA_SOURCE_DESK);
    assert_int_equal(admit(f->cat, 3, "HS-D", 1, "01-don.jpg", 0, &st), SOHOA_ADMIT_NEW);
    assert_int_equal(admit(f->cat, 4, "HS-D", 2, "02-cccd.jpg", 0, &st), SOHOA_ADMIT_NEW);
    assert_int_equal(admit(f->cat, 3, "HS-D", 3, "03-don-scan-lai.jpg", 0, &st),
                     SOHOA_ADMIT_RUNNING);
    members(f->cat, "HS-D", buf, sizeof buf);
    assert_string_equal(buf, "3:01-don.jpg@1(0) 4:02-cccd.jpg@2(0) 3:03-don-scan-lai.jpg@3(1)");
    dossiers_of(f->cat, 3, buf, sizeof buf);
    assert_string_equal(buf, "HS-D");
    /* a hit names the dossier once */
    page_ok(f->cat, 3, 0, "Đơn đề nghị cấp giấy phép");
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    check(sohoa_catalog_search(f->cat, "don de nghi", NULL, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_int_equal(hits.v[0].n_dossiers, 1);
    assert_string_equal(hits.v[0].doc_name, "01-don.jpg");
    sohoa_hits_release(&hits);
    /* removal takes every position it holds */
    char id[65];
    check(sohoa_catalog_remove_document(f->cat, "HS-D", docid(3, id), &err), &err, "remove");
    members(f->cat, "HS-D", buf, sizeof buf);
    assert_string_equal(buf, "4:02-cccd.jpg@2(0)");
}

static void test_failed_and_stale(void **state)
{
    struct fixture *f = *state;
    struct sohoa_err err = {0};
    enum sohoa_doc_status st;
    char id[65];
    add_dossier(f->cat, "HS-E", NULL, NULL, SOHOA_SOURCE_DESK);
    assert_int_equal(admit(f->cat, 5, "HS-E", 1, "a.pdf", 0, &st), SOHOA_ADMIT_NEW);
    check(sohoa_catalog_finish_document(f->cat, docid(5, id), SOHOA_DOC_FAILED, "bomb", NULL, NULL,
                                        &err),
          &err, "fail");
    /* a failed document given again is processed again */
    assert_int_equal(admit(f->cat, 5, "HS-E", 1, "a.pdf", 0, &st), SOHOA_ADMIT_NEW);
    assert_int_equal(st, SOHOA_DOC_PROCESSING);
    /* processing with nothing recorded for longer than stale_ms: its jobs were lost */
    assert_int_equal(admit(f->cat, 5, "HS-E", 1, "a.pdf", INT64_C(3600) * 1000, &st),
                     SOHOA_ADMIT_RUNNING);
    struct timespec ts = {2, 100000000L}; /* the catalog's clock counts whole seconds */
    nanosleep(&ts, NULL);
    assert_int_equal(admit(f->cat, 5, "HS-E", 1, "a.pdf", 1000, &st), SOHOA_ADMIT_NEW);
    /* taken over: active again (a minute, not a second: the clock's second may turn between) */
    assert_int_equal(admit(f->cat, 5, "HS-E", 1, "a.pdf", 60000, &st), SOHOA_ADMIT_RUNNING);
    /* a refusal at intake is always written */
    struct sohoa_document d = {.dossier_id = "HS-E",
                               .name = "b.bin",
                               .ordinal = 2,
                               .status = SOHOA_DOC_FAILED,
                               .error = "not an image"};
    enum sohoa_admit a = SOHOA_ADMIT_RUNNING;
    check(sohoa_catalog_admit_document(f->cat, docid(6, id), &d, 0, &a, &st, &err), &err,
          "refused");
    assert_int_equal(a, SOHOA_ADMIT_NEW);
    assert_int_equal(st, SOHOA_DOC_FAILED);
    /* errors */
    d.dossier_id = "HS-NONE";
    d.status = SOHOA_DOC_PROCESSING;
    assert_int_equal(sohoa_catalog_admit_document(f->cat, docid(8, id), &d, 0, &a, &st, &err),
                     SOHOA_ENOTFOUND);
    d.dossier_id = "HS-E";
    d.status = SOHOA_DOC_DONE;
    assert_int_equal(sohoa_catalog_admit_document(f->cat, docid(8, id), &d, 0, &a, &st, &err),
                     SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_remove_document(f->cat, "HS-E", "nothex", &err), SOHOA_EINVAL);
}

static void test_lease_and_stalled(void **state)
{
    struct fixture *f = *state;
    struct sohoa_err err = {0};
    enum sohoa_doc_status st;
    char id[65];
    bool yours = true;
    struct sohoa_stalled_doc *v = NULL;
    size_t n = 9;
    add_dossier(f->cat, "HS-L", NULL, NULL, SOHOA_SOURCE_DESK);
    assert_int_equal(admit(f->cat, 11, "HS-L", 1, "a.pdf", 0, &st), SOHOA_ADMIT_NEW);
    assert_int_equal(admit(f->cat, 12, "HS-L", 2, "b.pdf", 0, &st), SOHOA_ADMIT_NEW);
    /* not assembling yet: nobody may claim it */
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 60000, &yours, &err), &err, "claim");
    assert_false(yours);
    int remaining = 1;
    bool fin = false;
    assert_int_equal(page(f->cat, 11, 0, SOHOA_PAGE_OK, "Quyết định", &remaining, &fin), 0);
    assert_true(fin);
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 60000, &yours, &err), &err, "claim");
    assert_true(yours);
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 60000, &yours, &err), &err,
          "claim again");
    assert_false(yours); /* a second document job finds it held */
    /* held, or recently active: not stalled */
    check(sohoa_catalog_stalled(f->cat, 0, 10, &v, &n, &err), &err, "stalled");
    assert_int_equal(n, 1); /* only document 12, processing, idle >= 0 ms */
    assert_string_equal(v[0].id, docid(12, id));
    assert_int_equal(v[0].status, SOHOA_DOC_PROCESSING);
    assert_int_equal(v[0].n_pages, 1);
    assert_int_equal(v[0].pages_done, 0);
    free(v);
    check(sohoa_catalog_stalled(f->cat, INT64_C(3600) * 1000, 10, &v, &n, &err), &err,
          "stalled 1 h");
    assert_int_equal(n, 0);
    assert_null(v);
    /* given back: claimable again */
    check(sohoa_catalog_release_assembly(f->cat, docid(11, id), &err), &err, "release");
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 1, &yours, &err), &err, "claim 1ms");
    assert_true(yours);
    /* a lease that ran out (the assembler crashed): stalled, and claimable */
    struct timespec ts = {2, 100000000L};
    nanosleep(&ts, NULL);
    check(sohoa_catalog_stalled(f->cat, 1000, 10, &v, &n, &err), &err, "stalled after lease");
    assert_int_equal(n, 2);
    bool saw = false;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i].id, docid(11, id))) {
            saw = true;
            assert_int_equal(v[i].status, SOHOA_DOC_ASSEMBLING);
            assert_int_equal(v[i].pages_done, 1);
            assert_true(v[i].idle_ms >= 1000);
        }
    assert_true(saw);
    free(v);
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 60000, &yours, &err), &err,
          "reclaim");
    assert_true(yours);
    finish(f->cat, 11);
    check(sohoa_catalog_claim_assembly(f->cat, docid(11, id), 60000, &yours, &err), &err,
          "claim finished");
    assert_false(yours);
    check(sohoa_catalog_stalled(f->cat, 0, 10, &v, &n, &err), &err, "stalled at the end");
    assert_int_equal(n, 1);
    free(v);
}

/* ---- concurrency: the same new content admitted at once from many dossiers ------------------ */

#define RACERS 6
#define ROUNDS 20

struct racer {
    char url[600];
    int id;
    int news[ROUNDS];
    char msg[SOHOA_ERR_MSG_MAX + 16];
};

static pthread_barrier_t race_start;

static void *racer_run(void *arg)
{
    struct racer *r = arg;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err = {0};
    if (sohoa_catalog_open(r->url, &cat, &err) < 0) {
        snprintf(r->msg, sizeof r->msg, "open: %s", err.msg);
        pthread_barrier_wait(&race_start);
        return NULL;
    }
    char dossier[32];
    snprintf(dossier, sizeof dossier, "HS-R%d", r->id % 100);
    pthread_barrier_wait(&race_start);
    for (int k = 0; k < ROUNDS; k++) {
        char id[65];
        struct sohoa_document d = {.dossier_id = dossier,
                                   .name = "same.jpg",
                                   .ordinal = k + 1,
                                   .n_pages = 1,
                                   .status = SOHOA_DOC_PROCESSING};
        enum sohoa_admit a = SOHOA_ADMIT_RUNNING;
        for (int attempt = 0; attempt < 5; attempt++) {
            int rc = sohoa_catalog_admit_document(cat, docid(1000 + k, id), &d, 0, &a, NULL, &err);
            if (rc == 0)
                break;
            if (!err.retryable || attempt == 4) {
                snprintf(r->msg, sizeof r->msg, "admit: %s", err.msg);
                goto out;
            }
        }
        r->news[k] = a == SOHOA_ADMIT_NEW;
    }
out:
    sohoa_catalog_free(&cat);
    return NULL;
}

static void test_concurrent_admission(void **state)
{
    (void)state;
    struct tmpdir t;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err = {0};
    static struct racer r[RACERS];
    char url[512];
    fresh_url(url, sizeof url, &t);
    check(sohoa_catalog_open(url, &cat, &err), &err, "open");
    for (int i = 0; i < RACERS; i++) {
        char dossier[32];
        snprintf(dossier, sizeof dossier, "HS-R%d", i % 100);
        add_dossier(cat, dossier, NULL, NULL, SOHOA_SOURCE_PORTAL);
    }
    pthread_t th[RACERS];
    pthread_barrier_init(&race_start, NULL, RACERS);
    for (int i = 0; i < RACERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        snprintf(r[i].url, sizeof r[i].url, "%s", url);
        r[i].id = i;
        assert_int_equal(pthread_create(&th[i], NULL, racer_run, &r[i]), 0);
    }
    for (int i = 0; i < RACERS; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&race_start);
    for (int i = 0; i < RACERS; i++)
        if (r[i].msg[0])
            fail_msg("racer %d: %s", i, r[i].msg);
    for (int k = 0; k < ROUNDS; k++) {
        int news = 0;
        for (int i = 0; i < RACERS; i++)
            news += r[i].news[k];
        assert_int_equal(news, 1); /* exactly one caller queues the content */
        char buf[256];
        dossiers_of(cat, 1000 + k, buf, sizeof buf);
        assert_string_equal(buf, "HS-R0 HS-R1 HS-R2 HS-R3 HS-R4 HS-R5");
    }
    sohoa_catalog_free(&cat);
    fresh_done(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_dossiers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_twice_in_one_dossier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_and_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_and_stalled, setup, teardown),
        cmocka_unit_test(test_concurrent_admission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
