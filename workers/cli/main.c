/* main.c — the `sohoa` command: picks the subcommand. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers/cli/cli.h"
#include "workers/runtime/version.h"

static void usage(FILE *f)
{
    fprintf(f,
            "sohoa %s — scanned dossiers to searchable PDFs, records and a Vietnamese index\n"
            "\n"
            "Usage: sohoa COMMAND [options]\n"
            "  ingest PATH...   store, OCR and index files and dossier folders\n"
            "  search QUERY     find pages by words, with or without diacritics\n"
            "  show DOSSIER     a dossier, its documents and pages\n"
            "  serve            the HTTP API (+ workers, signed webhooks) until SIGTERM\n"
            "  webhook list|replay  the webhook outbox: pending, delivered, dead-lettered\n"
            "  extract FILE     document type, fields and validation of one file\n"
            "  worker           run jobs from a shared queue (--queue amqp://…) until SIGTERM\n"
            "  status           queue depths, jobs in flight, dead-lettered\n"
            "  dlq list|replay  the dead-letter queue: failed jobs and their reasons\n"
            "  version          versions of sohoa and its libraries\n"
            "Run `sohoa COMMAND --help` for a command's options.\n",
            SOHOA_VERSION);
}

/* Tesseract must run single-threaded (one handle per worker thread; OpenMP inside it would
 * oversubscribe the cores many times over). The OpenMP runtime reads OMP_THREAD_LIMIT once, when it
 * is loaded — before main() — so when it is unset we set it and start again. */
static void single_threaded_ocr(char **argv)
{
    if (getenv("OMP_THREAD_LIMIT"))
        return;
    setenv("OMP_THREAD_LIMIT", "1", 1);
    execv("/proc/self/exe", argv);
    /* exec failed (no /proc): go on; OCR will be slower but correct */
}

int main(int argc, char **argv)
{
    single_threaded_ocr(argv);
    if (argc < 2) {
        usage(stderr);
        return SOHOA_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "ingest"))
        return sohoa_cli_ingest(argc - 1, argv + 1);
    if (!strcmp(cmd, "search"))
        return sohoa_cli_search(argc - 1, argv + 1);
    if (!strcmp(cmd, "show"))
        return sohoa_cli_show(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return sohoa_cli_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "webhook"))
        return sohoa_cli_webhook(argc - 1, argv + 1);
    if (!strcmp(cmd, "extract"))
        return sohoa_cli_extract(argc - 1, argv + 1);
    if (!strcmp(cmd, "worker"))
        return sohoa_cli_worker(argc - 1, argv + 1);
    if (!strcmp(cmd, "dlq"))
        return sohoa_cli_dlq(argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return sohoa_cli_status(argc - 1, argv + 1);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        const char *v[8];
        sohoa_versions(v, 8);
        for (int i = 0; v[i]; i++)
            puts(v[i]);
        return SOHOA_EXIT_OK;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return SOHOA_EXIT_OK;
    }
    fprintf(stderr, "sohoa: unknown command '%s'\n", cmd);
    usage(stderr);
    return SOHOA_EXIT_USAGE;
}
