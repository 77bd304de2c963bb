/* test_sweep.c — the runtime's recovery of stalled documents (runtime.h, DESIGN) and the
 * waiting command's watchdog (tracker.h). The sweep: an
 * "assembling" document whose finisher died has its document job published again, once its
 * lease (if any) ran out; a document left "processing" by a process whose in-process queue died
 * has its page jobs queued again; a document whose assembly lease is held is left alone. Runs on
 * a real runtime (directory store, SQLite catalog, in-process queue), with no worker threads:
 * the test reads what the sweep published from the queue itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "workers/runtime/config.h"
#include "workers/runtime/runtime.h"
#include "pipeline/base/deadline.h"

static char tmpdir[64];
static struct sohoa_config cfg;
static struct sohoa_runtime rt;

static int setup(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sohoa-sweep-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    char data[128];
    snprintf(data, sizeof data, "%s/data", tmpdir);
    /* short deadlines: the watchdog's bound is derived from them (2 x 2 s + 5 s) */
    char *argv[] = {"sweep", "--data-dir",        data,   "--decode-timeout-ms",
                    "1000",  "--page-timeout-ms", "1000", NULL};
    int rest = 0;
    sohoa_config_init(&cfg);
    assert_int_equal(sohoa_config_from_args(&cfg, 7, argv, &rest, &err), 0);
    if (sohoa_runtime_open(&rt, &cfg, &err) < 0)
        fail_msg("runtime: %s", err.msg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sohoa_runtime_release(&rt);
    sohoa_config_release(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void doc(int n, char id[65], int n_pages)
{
    struct sohoa_err err = {0};
    snprintf(id, 65, "%064x", n);
    struct sohoa_dossier d = {.source = SOHOA_SOURCE_DESK};
    assert_int_equal(sohoa_catalog_upsert_dossier(rt.catalog, "HS-S", &d, &err), 0);
    struct sohoa_document doc = {.dossier_id = "HS-S",
                                 .name = "a.png",
                                 .ordinal = n,
                                 .n_pages = n_pages,
                                 .status = SOHOA_DOC_PROCESSING};
    enum sohoa_admit a;
    assert_int_equal(sohoa_catalog_admit_document(rt.catalog, id, &doc, 0, &a, NULL, &err), 0);
    assert_int_equal(a, SOHOA_ADMIT_NEW);
}

static void record_page(const char *id, int i, bool *finish)
{
    struct sohoa_err err = {0};
    struct sohoa_page p = {.status = SOHOA_PAGE_OK, .text = "Trang", .mean_conf = 90};
    int remaining = 0;
    assert_int_equal(sohoa_catalog_page_done(rt.catalog, id, i, &p, &remaining, finish, &err), 0);
}

/* Every job waiting in the queue, as "d:<n>" (document job of doc n) or "p:<n>.<page>". */
static void drain(char *buf, size_t cap)
{
    struct sohoa_consumer *c = NULL;
    struct sohoa_err err = {0};
    struct sohoa_delivery d;
    size_t o = 0;
    buf[0] = '\0';
    assert_int_equal(sohoa_consumer_open(rt.queue, &c, &err), 0);
    while (sohoa_consumer_pop(c, 50, &d, &err) == 0) {
        int n = (int)strtol(d.job.doc_id + 56, NULL, 16);
        int k = d.job.kind == SOHOA_JOB_DOC
                    ? snprintf(buf + o, cap - o, "%sd:%d", o ? " " : "", n)
                    : snprintf(buf + o, cap - o, "%sp:%d.%d", o ? " " : "", n, d.job.page);
        o += k > 0 && (size_t)k < cap - o ? (size_t)k : 0;
        assert_int_equal(sohoa_delivery_ack(c, &d, &err), 0);
    }
    sohoa_consumer_free(&c);
}

static void test_sweep(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    char a[65], b[65], c[65], buf[256];
    bool finish = false, yours = false;
    int n = -1;
    doc(1, a, 1); /* will be left assembling by a finisher that died */
    doc(2, b, 3); /* left processing, one page of three recorded */
    doc(3, c, 1); /* assembling, its lease held by a live assembler */
    record_page(a, 0, &finish);
    assert_true(finish);
    record_page(b, 0, &finish);
    record_page(c, 0, &finish);
    assert_int_equal(sohoa_catalog_claim_assembly(rt.catalog, c, 600000, &yours, &err), 0);
    assert_true(yours);

    /* a periodic sweep: nothing is idle for the stall bound yet */
    assert_int_equal(sohoa_runtime_sweep(&rt, sohoa_runtime_stall_ms(&rt), false, &n, &err), 0);
    assert_int_equal(n, 0);
    drain(buf, sizeof buf);
    assert_string_equal(buf, "");

    /* a sweep at the start of a process on an in-process queue: every lost job again, the held
     * lease respected */
    assert_int_equal(sohoa_runtime_sweep(&rt, 0, true, &n, &err), 0);
    assert_int_equal(n, 2);
    drain(buf, sizeof buf);
    assert_string_equal(buf, "d:1 p:2.0 p:2.1 p:2.2");

    /* without lost_processing (a shared queue keeps page jobs): assembling ones only */
    assert_int_equal(sohoa_runtime_sweep(&rt, 0, false, &n, &err), 0);
    assert_int_equal(n, 1);
    drain(buf, sizeof buf);
    assert_string_equal(buf, "d:1");

    /* once a document job holds it, the sweep leaves it alone too */
    assert_int_equal(sohoa_catalog_claim_assembly(rt.catalog, a, 600000, &yours, &err), 0);
    assert_true(yours);
    assert_int_equal(sohoa_runtime_sweep(&rt, 0, false, &n, &err), 0);
    assert_int_equal(n, 0);

    /* the bounds come from the limits */
    assert_true(sohoa_runtime_stall_ms(&rt) >=
                2L * (cfg.limits.decode_timeout_ms + cfg.limits.page_timeout_ms));
    assert_true(sohoa_runtime_lease_ms(300) > sohoa_runtime_lease_ms(1));
}

/* A wait on a document nobody works on ends with the watchdog's error, naming it, after the bound
 * derived from the deadlines; a wait on finished documents ends at once. */
static void test_watchdog(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    struct sohoa_tracker *t = NULL;
    struct sohoa_counts c;
    char a[65], b[65];
    bool finish = false;
    assert_int_equal(sohoa_runtime_stall_ms(&rt), 9000);
    assert_int_equal(sohoa_tracker_new(&t, &err), 0);
    doc(7, a, 1);
    doc(8, b, 2);
    record_page(a, 0, &finish);
    assert_int_equal(
        sohoa_catalog_finish_document(rt.catalog, a, SOHOA_DOC_DONE, NULL, NULL, NULL, &err), 0);
    assert_int_equal(sohoa_tracker_add(t, a, &err), 0);
    assert_int_equal(sohoa_tracker_add(t, a, &err), 0); /* twice: followed once */
    assert_int_equal(sohoa_tracker_count(t), 1);
    struct sohoa_wait_opts o = {0};
    assert_int_equal(sohoa_tracker_wait(t, &rt, &o, &c, &err), 0);
    assert_int_equal(c.docs_total, 1);
    assert_int_equal(c.docs_ok, 1);

    assert_int_equal(sohoa_tracker_add(t, b, &err), 0);
    record_page(b, 0, &finish); /* one page of two, then nothing */
    double t0 = sohoa_now_ms();
    assert_int_equal(sohoa_tracker_wait(t, &rt, &o, &c, &err), SOHOA_ETIMEOUT);
    double took = sohoa_now_ms() - t0;
    assert_true(took >= 9000);
    assert_true(took < 60000);
    assert_non_null(strstr(err.msg, "made no progress for"));
    assert_non_null(strstr(err.msg, "000000000000 processing, 1 of 2 pages recorded"));
    assert_int_equal(c.docs_done, 1);
    assert_int_equal(c.docs_total, 2);
    sohoa_tracker_free(&t);
    assert_null(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watchdog, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
