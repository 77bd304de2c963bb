/* cli_ingest.c — `sohoa ingest PATH...`: store, OCR and index dossiers on this machine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
               "  --help             this text\n"
               "\n");
    sohoa_config_print_keys();
    fprintf(f, "\nExit codes: 0 ok, 1 partial (some files or pages failed), 2 failed,\n"
               "64 usage, 70 internal (a backend failed).\n");
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
    bool quiet = false;
    enum sohoa_lane lane = SOHOA_LANE_BULK;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    memset(&rt, 0, sizeof rt);

    if (sohoa_config_from_args(&cfg, argc, argv, &rest, &err) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    char **paths = argv + 1;
    int n = 0;
    bool only_paths = false;
    for (int i = 0; i < rest; i++) {
        const char *a = argv[1 + i];
        if (only_paths) {
            paths[n++] = argv[1 + i];
        } else if (!strcmp(a, "--")) {
            only_paths = true;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = true;
        } else if (!strcmp(a, "--interactive")) {
            lane = SOHOA_LANE_INTERACTIVE;
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

    if ((rc = sohoa_runtime_open(&rt, &cfg, &err)) < 0 ||
        (rc = sohoa_runtime_start_workers(&rt, &err)) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    fprintf(stderr, "sohoa: %d workers, store %s, catalog %s\n", cfg.workers, cfg.store_url,
            cfg.catalog_url);
    struct sohoa_progress prog;
    sohoa_progress_init(&prog, stderr);
    if ((rc = sohoa_intake_paths(&rt, paths, n, lane, log_note, &prog, &st, &err)) < 0) {
        fprintf(stderr, "sohoa ingest: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
    }
    for (;;) {
        bool done = sohoa_runtime_wait_docs(&rt, 200);
        struct sohoa_counts c = sohoa_runtime_counts(&rt);
        if (!quiet)
            sohoa_progress_update(&prog, c.pages_done, c.pages_total, c.pages_failed, done);
        if (done)
            break;
    }
    struct sohoa_counts c = sohoa_runtime_counts(&rt);
    double secs = (sohoa_now_ms() - prog.start_ms) / 1000.0;
    printf("ingested %ld dossier(s), %ld file(s): %ld document(s) ok, %ld partial, %ld failed, "
           "%ld refused, %ld unchanged\n",
           st.dossiers, st.files, c.docs_ok, c.docs_partial, c.docs_failed, st.files_refused,
           st.files_skipped);
    printf("pages: %ld done (%ld blank, %ld failed) in %.1f s, %.2f pages/s\n", c.pages_done,
           c.pages_blank, c.pages_failed, secs, secs > 0 ? c.pages_done / secs : 0.0);
    printf("outputs: %s (docs/<sha256>/searchable.pdf, text.txt, record.json), catalog %s\n",
           cfg.store_url, cfg.catalog_url);
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
