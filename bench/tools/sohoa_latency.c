/* sohoa_latency.c — interactive latency under bulk load, through the runtime API (workers/).
 *
 *   sohoa_latency [sohoa config flags: --data-dir D --workers N ...] [--interval-ms MS]
 *                 --bulk FOLDER FILE...
 *
 * Opens a runtime as `sohoa ingest` does (same configuration layering, same defaults), starts the
 * workers and, on a thread of its own, queues FOLDER as one bulk dossier (intake blocks while the
 * bulk lane is full, so the backlog stays at the queue's capacity). Once every worker has finished
 * a bulk page, each FILE is submitted alone on SOHOA_LANE_INTERACTIVE, one every MS milliseconds
 * (default 2000; at once when the previous one took longer), and the time from the intake call to
 * sohoa_catalog_progress() reporting the document done, partial or failed is measured (polled
 * every 5 ms: finer polling would take CPU from the workers). Each FILE must be a distinct one-page
 * document never ingested into D.
 *
 * Output (stdout, tab-separated), after "# key value" lines (workers, bulk pages done during the
 * measurement, its seconds): one line per FILE "latency_ms status bulk_waiting_at_submit
 * bulk_waiting_at_done". A sample whose bulk lane was empty at submission was not taken under
 * load; the caller must size FOLDER so that it never is.
 * The backlog left when the last FILE is done is not drained: the process exits (D is scratch).
 * Exit status 0, 1 on failure, 64 on a bad command line.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/hash.h"
#include "storage/catalog.h"
#include "workers/runtime/config.h"
#include "workers/runtime/intake.h"
#include "workers/runtime/runtime.h"
#include "pipeline/base/deadline.h"

struct bulk {
    struct sohoa_runtime *rt;
    char *folder;
    int rc;
    struct sohoa_err err;
};

static void sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {(time_t)(ms / 1e3),
                          (long)((ms - (double)(time_t)(ms / 1e3) * 1e3) * 1e6)};
    nanosleep(&ts, NULL);
}

static void note(void *arg, const char *dossier, const char *name, const struct sohoa_err *why)
{
    fprintf(stderr, "sohoa_latency: %s/%s: %s\n", dossier, name, why->msg);
}

static void *bulk_main(void *arg)
{
    struct bulk *b = arg;
    struct sohoa_intake_stats st;
    b->rc = sohoa_intake_paths(b->rt, &b->folder, 1, SOHOA_LANE_BULK, note, NULL, &st, &b->err);
    return NULL;
}

/* Submits `path` on the interactive lane and waits until its document is finished. */
static int one_sample(struct sohoa_runtime *rt, char *path, double *ms, const char **status,
                      struct sohoa_err *err)
{
    char id[SOHOA_SHA256_HEX];
    uint64_t size = 0;
    struct sohoa_intake_stats st;
    struct sohoa_doc_progress pr;
    int rc;
    *ms = 0;
    *status = "";
    double t0 = sohoa_now_ms();
    if ((rc = sohoa_sha256_file(path, 0, id, &size, err)) < 0 ||
        (rc = sohoa_intake_paths(rt, &path, 1, SOHOA_LANE_INTERACTIVE, note, NULL, &st, err)) < 0)
        return rc;
    if (st.files_reused > 0 || st.files_refused > 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s was not queued (already ingested?)",
                             path);
    for (;;) {
        if ((rc = sohoa_catalog_progress(rt->catalog, id, &pr, err)) < 0)
            return rc;
        if (pr.status == SOHOA_DOC_DONE || pr.status == SOHOA_DOC_PARTIAL ||
            pr.status == SOHOA_DOC_FAILED)
            break;
        sleep_ms(5);
    }
    *ms = sohoa_now_ms() - t0;
    *status = sohoa_doc_status_name(pr.status);
    return 0;
}

int main(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_runtime rt;
    struct sohoa_err err;
    struct bulk bulk = {.rt = &rt};
    pthread_t bulk_thread;
    bool bulk_started = false;
    char **files = NULL;
    int rest = 0, n = 0, rc = 0;
    double interval = 2000;

    /* Tesseract single-threaded: libgomp reads this at load time (as workers/cli/main.c does). */
    if (!getenv("OMP_THREAD_LIMIT")) {
        setenv("OMP_THREAD_LIMIT", "1", 1);
        execv("/proc/self/exe", argv);
    }
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    memset(&rt, 0, sizeof rt);
    if ((rc = sohoa_config_from_args(&cfg, argc, argv, &rest, &err)) < 0)
        goto out;
    files = argv + 1;
    for (int i = 0; i < rest; i++) {
        char *a = argv[1 + i];
        if (!strcmp(a, "--interval-ms") && i + 1 < rest)
            interval = atof(argv[1 + ++i]);
        else if (!strcmp(a, "--bulk") && i + 1 < rest)
            bulk.folder = argv[1 + ++i];
        else if (a[0] == '-')
            n = -1;
        else if (n >= 0)
            files[n++] = a;
        if (n < 0)
            break;
    }
    if (n <= 0 || !bulk.folder) {
        fprintf(stderr, "usage: sohoa_latency [--data-dir D --workers N ...] [--interval-ms MS] "
                        "--bulk FOLDER FILE...\n");
        sohoa_config_release(&cfg);
        return 64;
    }
    if ((rc = sohoa_runtime_open(&rt, &cfg, &err)) < 0 ||
        (rc = sohoa_runtime_start_workers(&rt, &err)) < 0)
        goto out;
    if (pthread_create(&bulk_thread, NULL, bulk_main, &bulk) != 0) {
        rc = sohoa_err_set(&err, SOHOA_ENOMEM, false, "cannot start the bulk intake thread");
        goto out;
    }
    bulk_started = true;
    while (sohoa_runtime_counts(&rt).pages_done < cfg.workers)
        sleep_ms(10); /* every worker has its model loaded and has run a bulk page */

    long done0 = sohoa_runtime_counts(&rt).pages_done;
    double t_start = sohoa_now_ms();
    printf("# workers\t%d\n", cfg.workers);
    for (int i = 0; i < n; i++) {
        double t_sub = sohoa_now_ms(), ms = 0;
        const char *status = "";
        size_t w0 = sohoa_queue_depth(rt.queue, SOHOA_LANE_BULK);
        if ((rc = one_sample(&rt, files[i], &ms, &status, &err)) < 0)
            goto out;
        size_t w1 = sohoa_queue_depth(rt.queue, SOHOA_LANE_BULK);
        printf("%.1f\t%s\t%zu\t%zu\n", ms, status, w0, w1);
        (void)fflush(stdout);
        sleep_ms(interval - (sohoa_now_ms() - t_sub));
    }
    long bulk_done = sohoa_runtime_counts(&rt).pages_done - done0 - n;
    printf("# bulk_pages_during\t%ld\n# seconds\t%.1f\n", bulk_done,
           (sohoa_now_ms() - t_start) / 1e3);
    if (bulk.rc < 0) {
        rc = bulk.rc;
        err = bulk.err;
    }
out:
    if (rc < 0)
        fprintf(stderr, "sohoa_latency: %s\n", err.msg);
    (void)fflush(stdout);
    if (bulk_started)
        _exit(rc < 0 ? 1 : 0); /* leave the backlog: the data dir is scratch */
    sohoa_runtime_release(&rt);
    sohoa_config_release(&cfg);
    return rc < 0 ? 1 : 0;
}
