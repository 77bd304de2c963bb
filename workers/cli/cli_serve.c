/* cli_serve.c — `sohoa serve`: the HTTP API, worker threads and webhook delivery in one process,
 * until SIGTERM or SIGINT; then it stops accepting, finishes the requests in flight and the
 * queued work, and exits 0.
 *
 * The signals are blocked before any thread starts (every thread inherits the mask) and the
 * main thread waits for them with sigwait(): no handler runs in an arbitrary thread.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "workers/api/api.h"
#include "workers/cli/cli.h"
#include "workers/runtime/queue.h"
#include "workers/runtime/config.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa serve [options]\n"
               "\n"
               "Serves the HTTP API (models/openapi.json) on `listen` with worker threads in this\n"
               "process: POST /v1/extract, POST /v1/dossiers, GET /v1/dossiers/{id} (+ /pdf,\n"
               "/text), GET /v1/search, GET /v1/openapi.json, /healthz, /readyz. Clients send\n"
               "\"Authorization: Bearer <api-token>\". With webhook-url, every dossier submitted\n"
               "here is POSTed there when it completes, signed with webhook-secret.\n"
               "SIGTERM or SIGINT stop it gracefully.\n"
               "\n");
    sohoa_config_print_keys();
    fprintf(f, "\nExit codes: 0 stopped by a signal, 64 usage or configuration, 70 internal.\n");
}

int sohoa_cli_serve(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_err err;
    struct sohoa_api_server *srv = NULL;
    int rest = 0, code = SOHOA_EXIT_OK, rc;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    if ((code = sohoa_cli_config("serve", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    for (int i = 0; i < rest; i++) {
        const char *a = argv[1 + i];
        if (sohoa_cli_is_help(a)) {
            usage(stdout);
            goto out;
        }
        fprintf(stderr, "sohoa serve: unknown argument %s (see --help)\n", a);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    /* a client that hangs up is an error on its socket only; cannot fail (a valid signal) */
    (void)signal(SIGPIPE, SIG_IGN);

    if ((rc = sohoa_api_server_start(&cfg, &srv, &err)) < 0) {
        fprintf(stderr, "sohoa serve: %s\n", err.msg);
        code = rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    const char *listen = cfg.listen ? cfg.listen : SOHOA_LISTEN_DEFAULT;
    char host[256];
    (void)snprintf(host, sizeof host, "%.*s", (int)strcspn(listen, ":"), listen); /* shown only */
    char catalog[512]; /* password masked */
    sohoa_queue_url_redacted(cfg.catalog_url, catalog, sizeof catalog);
    fprintf(stderr, "sohoa serve: listening on http://%s:%d/ (%d workers, store %s, catalog %s)\n",
            host, sohoa_api_server_port(srv), cfg.workers, cfg.store_url, catalog);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "sohoa serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    sohoa_api_server_stop(&srv);
    fprintf(stderr, "sohoa serve: stopped\n");
out:
    sohoa_config_release(&cfg);
    return code;
}
