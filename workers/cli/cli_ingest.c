/* cli_ingest.c — `sohoa ingest PATH...`: store, OCR and index dossiers on this machine, or, with a
 * shared queue (--queue amqp://…), store and record the originals and publish their page jobs for
 * `sohoa worker` processes, optionally waiting (--wait) with progress read from the catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/runtime/intake.h"
#include "workers/cli/progress.h"
#include "workers/runtime/runtime.h"
#include "workers/runtime/tracker.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa ingest [options] PATH...\n"
               "\n"
               "Stores each file's original, then decodes, cleans, OCRs (Vietnamese) and indexes\n"
               "every page, writing a searchable PDF, text, hOCR and a JSON record per document.\n"
               "A folder is a dossier (an optional dossier.json in it gives receipt_no,\n"
               "procedure_code, department, district, commune, received_date YYYY-MM-DD, source\n"
               "desk|portal|archive, title); its sub-folders are dossiers too; a file alone is a\n"
               "dossier of one document. Formats: PDF, TIFF, JPEG, PNG, WebP (by content).\n"
               "\n"
               "Options:\n"
               "  --interactive      put the jobs on the interactive lane (drained first)\n"
               "  --quiet            no progress display\n"
               "  --wait             with a shared queue: wait until every document is finished\n"
               "  --timeout SECONDS  with --wait: give up waiting after this long (exit 70)\n"
               "  --help             this text\n"
               "\n");
    sohoa_config_print_keys();
    fprintf(f, "\nExit codes: 0 ok, 1 partial (some files or pages failed), 2 failed,\n"
               "64 usage, 70 internal (a backend failed).\n");
}

static void show_progress(void *arg, const struct sohoa_counts *c, bool final)
{
    sohoa_progress_update(arg, c->pages_done, c->pages_total, c->pages_failed, final);
}

static void log_note(void *arg, const char *dossier, const char *name, const struct sohoa_err *why)
{
    const struct sohoa_progress *prog = arg;
    if (why->code == SOHOA_OK) /* information, not a failure */
        fprintf(stderr, "%ssohoa: %s%s%s: %s\n", prog->tty ? "\r\033[K" : "", dossier,
                *dossier ? "/" : "", name, why->msg);
    else
        fprintf(stderr, "%ssohoa: %s%s%s: %s [%s]\n", prog->tty ? "\r\033[K" : "", dossier,
                *dossier ? "/" : "", name, why->msg, sohoa_status_name(why->code));
}

int sohoa_cli_ingest(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_runtime rt;
    struct sohoa_tracker *tracker = NULL;
    struct sohoa_err err;
    struct sohoa_intake_stats st;
    int rest = 0, rc, code = SOHOA_EXIT_OK;
    bool quiet = false, wait = false;
    double timeout_s = 0;
    enum sohoa_lane lane = SOHOA_LANE_BULK;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    memset(&rt, 0, sizeof rt);

    if ((code = sohoa_cli_config("ingest", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    char **paths = argv + 1;
    int n = 0;
    bool only_paths = false;
    for (int i = 0; i < rest; i++) {
        const char *a = argv[1 + i];
        if (only_paths || a[0] != '-' || !a[1]) { /* a path: after "--", or not an option */
            paths[n++] = argv[1 + i];
        } else if (!strcmp(a, "--")) {
            only_paths = true;
        } else if (sohoa_cli_is_help(a)) {
            usage(stdout);
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (!strcmp(a, "--interactive")) {
            lane = SOHOA_LANE_INTERACTIVE;
        } else if (!strcmp(a, "--wait")) {
            wait = true;
        } else if (!strcmp(a, "--timeout") && i + 1 < rest) {
            timeout_s = atof(argv[1 + ++i]);
        } else {
            fprintf(stderr, "sohoa ingest: unknown option %s (see --help)\n", a);
            code = SOHOA_EXIT_USAGE;
            goto out;
        }
    }
    if (n == 0) {
        usage(stderr);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }

    if ((rc = sohoa_runtime_open(&rt, &cfg, &err)) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    /* A shared queue: `sohoa worker` processes do the work; this process only publishes. */
    bool shared = sohoa_queue_durable(rt.queue);
    if (sohoa_tracker_new(&tracker, &err) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    rt.tracker = tracker;
    if (!shared && (rc = sohoa_runtime_start_workers(&rt, &err)) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    char queue[512], catalog[512]; /* URLs as shown: passwords masked */
    sohoa_queue_url_redacted(cfg.queue_url, queue, sizeof queue);
    sohoa_queue_url_redacted(cfg.catalog_url, catalog, sizeof catalog);
    if (shared)
        fprintf(stderr, "sohoa: queue %s, store %s, catalog %s\n", queue, cfg.store_url, catalog);
    else
        fprintf(stderr, "sohoa: %d workers, store %s, catalog %s\n", cfg.workers, cfg.store_url,
                catalog);
    struct sohoa_progress prog;
    sohoa_progress_init(&prog, stderr);
    if (sohoa_intake_paths(&rt, paths, n, lane, log_note, &prog, &st, &err) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
    }
    struct sohoa_counts c;
    memset(&c, 0, sizeof c);
    if (shared && !wait) {
        printf("published %ld page job(s) of %zu document(s) from %ld dossier(s) to %s; %ld "
               "refused, %ld reused, %ld already in progress\n",
               st.pages_queued, sohoa_tracker_count(tracker), st.dossiers, queue, st.files_refused,
               st.files_reused, st.files_followed);
        if (code == SOHOA_EXIT_OK && st.files_refused > 0)
            code = st.files_refused < st.files ? SOHOA_EXIT_PARTIAL : SOHOA_EXIT_FAILED;
        goto out;
    }
    /* One wait for both modes: the catalog says when each document finished, and the watchdog
     * ends a wait that sees nothing move (tracker.h). */
    struct sohoa_wait_opts wo = {
        .timeout_s = timeout_s, .show = quiet ? NULL : show_progress, .show_arg = &prog};
    if (code == SOHOA_EXIT_OK && sohoa_tracker_wait(tracker, &rt, &wo, &c, &err) < 0) {
        fprintf(stderr, "%ssohoa ingest: %s\n", prog.tty ? "\r\033[K" : "", err.msg);
        code = SOHOA_EXIT_INTERNAL;
    }
    double secs = (sohoa_now_ms() - prog.start_ms) / 1000.0;
    printf("ingested %ld dossier(s), %ld file(s): %ld document(s) ok, %ld partial, %ld failed, "
           "%ld refused, %ld reused from earlier runs, %ld the same content twice in a dossier\n",
           st.dossiers, st.files, c.docs_ok, c.docs_partial, c.docs_failed, st.files_refused,
           st.files_reused, st.files_same);
    struct sohoa_counts here = sohoa_runtime_counts(&rt);
    printf("pages: %ld done (%ld blank, %ld failed) in %.1f s, %.2f pages/s; %ld processed by "
           "this process\n",
           c.pages_done, c.pages_blank, c.pages_failed, secs,
           secs > 0 ? (double)c.pages_done / secs : 0.0, here.pages_done);
    printf("outputs: %s (docs/<sha256>/searchable.pdf, text.txt, record.json), catalog %s\n",
           cfg.store_url, catalog);
    if (code == SOHOA_EXIT_OK) {
        long bad = c.docs_partial + c.docs_failed + st.files_refused;
        long good = c.docs_ok + c.docs_partial + st.files_reused;
        code = bad == 0 ? SOHOA_EXIT_OK : good > 0 ? SOHOA_EXIT_PARTIAL : SOHOA_EXIT_FAILED;
    }
out:
    sohoa_runtime_release(&rt);
    sohoa_tracker_free(&tracker);
    sohoa_config_release(&cfg);
    return code;
}
