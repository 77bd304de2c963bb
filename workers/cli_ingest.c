/* cli_ingest.c — `sohoa ingest PATH...`: store, OCR and index dossiers on this machine, or, with a
 * shared queue (--queue amqp://…), store and record the originals and publish their page jobs for
 * `sohoa worker` processes, optionally waiting (--wait) with progress read from the catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workers/cli.h"
#include "workers/config.h"
#include "workers/intake.h"
#include "workers/progress.h"
#include "workers/runtime.h"

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

static void add_progress(struct sohoa_counts *c, const struct sohoa_doc_progress *pr)
{
    c->pages_total += pr->n_pages;
    c->pages_done += pr->pages_done;
    c->pages_failed += pr->pages_failed;
    c->pages_blank += pr->pages_blank;
}

/* Counts from the catalog over the documents this run published (shared queue). `fin`
 * accumulates the finished documents, which are not asked about again; *shown = fin + the
 * unfinished documents' current state. */
static int catalog_counts(struct sohoa_runtime *rt, bool *finished, struct sohoa_counts *fin,
                          struct sohoa_counts *shown, struct sohoa_err *err)
{
    struct sohoa_counts now;
    memset(&now, 0, sizeof now);
    for (size_t i = 0; i < rt->n_docs; i++) {
        if (finished[i])
            continue;
        struct sohoa_doc_progress pr;
        int rc = sohoa_catalog_progress(rt->catalog, rt->docs[i], &pr, err);
        if (rc < 0)
            return rc;
        if (pr.status != SOHOA_DOC_DONE && pr.status != SOHOA_DOC_PARTIAL &&
            pr.status != SOHOA_DOC_FAILED) {
            add_progress(&now, &pr);
            continue;
        }
        finished[i] = true;
        add_progress(fin, &pr);
        fin->docs_done++;
        if (pr.status == SOHOA_DOC_DONE)
            fin->docs_ok++;
        else if (pr.status == SOHOA_DOC_PARTIAL)
            fin->docs_partial++;
        else
            fin->docs_failed++;
    }
    fin->docs_total = (long)rt->n_docs;
    *shown = *fin;
    shown->pages_total += now.pages_total;
    shown->pages_done += now.pages_done;
    shown->pages_failed += now.pages_failed;
    shown->pages_blank += now.pages_blank;
    return 0;
}

/* Waits until every published document is finished (or the timeout passed: false). */
static int wait_catalog(struct sohoa_runtime *rt, struct sohoa_progress *prog, bool quiet,
                        double timeout_s, struct sohoa_counts *out, struct sohoa_err *err)
{
    struct sohoa_counts fin;
    memset(&fin, 0, sizeof fin);
    bool *finished = calloc(rt->n_docs + 1, sizeof *finished);
    if (!finished)
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "out of memory");
    int rc = 0;
    bool outage = false;
    double t0 = sohoa_now_ms();
    for (;;) {
        if ((rc = catalog_counts(rt, finished, &fin, out, err)) < 0) {
            if (!err || !err->retryable)
                break;
            /* The catalog is unreachable for now (a restart, a network blip): the workers retry
             * their jobs meanwhile, so waiting goes on until the timeout. */
            if (!outage)
                fprintf(stderr, "\nsohoa ingest: catalog unavailable, still waiting: %s\n",
                        err->msg);
            outage = true;
            rc = 0;
        } else {
            if (outage)
                fprintf(stderr, "sohoa ingest: catalog reachable again\n");
            outage = false;
        }
        bool done = !outage && out->docs_done >= out->docs_total;
        if (!quiet && !outage)
            sohoa_progress_update(prog, out->pages_done, out->pages_total, out->pages_failed, done);
        if (done)
            break;
        if (timeout_s > 0 && sohoa_now_ms() - t0 > timeout_s * 1000) {
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, true,
                               "%ld of %ld documents still unfinished after %.0f s (see `sohoa "
                               "status` and `sohoa dlq list`)",
                               out->docs_total - out->docs_done, out->docs_total, timeout_s);
            break;
        }
        struct timespec ts = {0, 500000000L};
        nanosleep(&ts, NULL);
    }
    free(finished);
    return rc;
}

static void log_note(void *arg, const char *dossier, const char *name, const struct sohoa_err *why)
{
    const struct sohoa_progress *prog = arg;
    fprintf(stderr, "%ssohoa: %s%s%s: %s [%s]\n", prog->tty ? "\r\033[K" : "", dossier,
            *dossier ? "/" : "", name, why->msg, sohoa_status_name(why->code));
}

int sohoa_cli_ingest(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_runtime rt;
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
        if (only_paths) {
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
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "sohoa ingest: unknown option %s (see --help)\n", a);
            code = SOHOA_EXIT_USAGE;
            goto out;
        } else {
            paths[n++] = argv[1 + i];
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
    rt.track_docs = shared;
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
    if ((rc = sohoa_intake_paths(&rt, paths, n, lane, log_note, &prog, &st, &err)) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
    }
    struct sohoa_counts c;
    memset(&c, 0, sizeof c);
    if (shared && !wait) {
        printf("published %ld page job(s) of %zu document(s) from %ld dossier(s) to %s; %ld "
               "refused, %ld unchanged\n",
               st.pages_queued, rt.n_docs, st.dossiers, queue, st.files_refused, st.files_skipped);
        if (code == SOHOA_EXIT_OK && st.files_refused > 0)
            code = st.files_refused < st.files ? SOHOA_EXIT_PARTIAL : SOHOA_EXIT_FAILED;
        goto out;
    }
    if (shared) {
        if (code == SOHOA_EXIT_OK &&
            (rc = wait_catalog(&rt, &prog, quiet, timeout_s, &c, &err)) < 0) {
            fprintf(stderr, "%ssohoa ingest: %s\n", prog.tty ? "\r\033[K" : "", err.msg);
            code = SOHOA_EXIT_INTERNAL;
        }
    } else {
        for (;;) {
            bool done = sohoa_runtime_wait_docs(&rt, 200);
            c = sohoa_runtime_counts(&rt);
            if (!quiet)
                sohoa_progress_update(&prog, c.pages_done, c.pages_total, c.pages_failed, done);
            if (done)
                break;
        }
    }
    double secs = (sohoa_now_ms() - prog.start_ms) / 1000.0;
    printf("ingested %ld dossier(s), %ld file(s): %ld document(s) ok, %ld partial, %ld failed, "
           "%ld refused, %ld unchanged\n",
           st.dossiers, st.files, c.docs_ok, c.docs_partial, c.docs_failed, st.files_refused,
           st.files_skipped);
    printf("pages: %ld done (%ld blank, %ld failed) in %.1f s, %.2f pages/s\n", c.pages_done,
           c.pages_blank, c.pages_failed, secs, secs > 0 ? c.pages_done / secs : 0.0);
    printf("outputs: %s (docs/<sha256>/searchable.pdf, text.txt, record.json), catalog %s\n",
           cfg.store_url, catalog);
    if (code == SOHOA_EXIT_OK) {
        long bad = c.docs_partial + c.docs_failed + st.files_refused;
        long good = c.docs_ok + c.docs_partial + st.files_skipped;
        code = bad == 0 ? SOHOA_EXIT_OK : good > 0 ? SOHOA_EXIT_PARTIAL : SOHOA_EXIT_FAILED;
    }
out:
    sohoa_runtime_release(&rt);
    sohoa_config_release(&cfg);
    return code;
}
