/* cli_worker.c — `sohoa worker`: a process of N worker threads consuming a shared queue until
 * SIGTERM or SIGINT, then a graceful stop: no new job is taken, running jobs get a grace period to
 * finish and be acknowledged; past it the process exits without acknowledging them, and the broker
 * delivers them again to another worker. Nothing is dropped.
 *
 * Signals: the handler only writes a byte to a pipe; the main thread waits on that pipe.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/runtime/runtime.h"

static int stop_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (write(stop_pipe[1], &b, 1) < 0) {
        /* the pipe is full: a stop is already pending */
    }
    errno = saved;
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: sohoa worker --queue amqp://user:pass@host:port/vhost [options]\n"
            "\n"
            "Takes page and document jobs from the shared queue (interactive lane first) and\n"
            "runs them on `workers` threads, storing results in the object store and catalog.\n"
            "They run at a lower priority (nice +10); `interactive-workers` more threads (default\n"
            "1) take only the interactive lane at normal priority, so API requests do not wait\n"
            "behind bulk pages.\n"
            "Runs until SIGTERM or SIGINT, then finishes the jobs it is running (up to the\n"
            "grace period; past it they are left to the broker, which delivers them again).\n"
            "\n"
            "Options:\n"
            "  --grace SECONDS    time running jobs get to finish on stop (default 60)\n"
            "  --help             this text\n"
            "\n");
    sohoa_config_print_keys();
}

/* 0, or SOHOA_EBACKEND with errno telling why. */
static int install_handlers(void)
{
    if (pipe(stop_pipe) < 0)
        return SOHOA_EBACKEND;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
        return SOHOA_EBACKEND;
    sa.sa_handler = SIG_IGN;
    return sigaction(SIGPIPE, &sa, NULL) < 0 ? SOHOA_EBACKEND : 0;
}

/* Blocks until a stop signal, logging the counters every minute when they changed. */
static int wait_for_stop(struct sohoa_runtime *rt)
{
    long last = -1;
    for (;;) {
        struct pollfd p = {.fd = stop_pipe[0], .events = POLLIN};
        int n = poll(&p, 1, 60000);
        if (n > 0) {
            unsigned char sig = 0;
            if (read(stop_pipe[0], &sig, 1) == 1)
                return sig;
        }
        if (n < 0 && errno != EINTR)
            return SIGTERM;
        struct sohoa_counts c = sohoa_runtime_counts(rt);
        if (c.pages_done + c.docs_done != last) {
            last = c.pages_done + c.docs_done;
            fprintf(stderr, "sohoa worker: %ld pages (%ld failed), %ld documents finished\n",
                    c.pages_done, c.pages_failed, c.docs_done);
        }
    }
}

int sohoa_cli_worker(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_runtime rt;
    struct sohoa_err err;
    int rest = 0, rc, code = SOHOA_EXIT_OK;
    int grace_s = 60;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    memset(&rt, 0, sizeof rt);

    if ((code = sohoa_cli_config("worker", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    for (int i = 0; i < rest; i++) {
        const char *a = argv[1 + i];
        if (sohoa_cli_is_help(a)) {
            usage(stdout);
            goto out;
        } else if (!strcmp(a, "--grace") && i + 1 < rest) {
            grace_s = atoi(argv[1 + ++i]);
        } else {
            fprintf(stderr, "sohoa worker: unexpected argument %s (see --help)\n", a);
            code = SOHOA_EXIT_USAGE;
            goto out;
        }
    }
    if (!cfg.queue_url || strncmp(cfg.queue_url, "amqp://", 7) != 0) {
        fprintf(stderr, "sohoa worker: needs a shared queue (--queue amqp://…); with the "
                        "in-process queue, `sohoa ingest` does the work itself\n");
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    if (install_handlers() < 0) {
        fprintf(stderr, "sohoa worker: cannot install signal handlers: %s\n", strerror(errno));
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    if ((rc = sohoa_runtime_open(&rt, &cfg, &err)) < 0) {
        fprintf(stderr, "sohoa worker: %s\n", err.msg);
        code = rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    rt.interactive_traffic = true; /* the lane may carry API requests: keep a thread for it */
    if (sohoa_runtime_start_workers(&rt, &err) < 0 ||
        sohoa_runtime_start_sweeper(&rt, SOHOA_SWEEP_INTERVAL_MS, &err) < 0) {
        fprintf(stderr, "sohoa worker: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    char queue[512], catalog[512]; /* URLs as shown: passwords masked */
    sohoa_queue_url_redacted(cfg.queue_url, queue, sizeof queue);
    sohoa_queue_url_redacted(cfg.catalog_url, catalog, sizeof catalog);
    fprintf(stderr,
            "sohoa worker %d: %d threads (+%d for the interactive lane only), queue %s, store %s, "
            "catalog %s\n",
            (int)getpid(), cfg.workers, sohoa_runtime_interactive_workers(&rt), queue,
            cfg.store_url, catalog);
    int sig = wait_for_stop(&rt);
    fprintf(stderr, "sohoa worker: %s: taking no new jobs; finishing %d running (grace %d s)\n",
            strsignal(sig), sohoa_pool_busy(rt.pool), grace_s);
    int left = sohoa_runtime_stop_workers(&rt, grace_s * 1000);
    if (left > 0) {
        fprintf(stderr,
                "sohoa worker: %d job(s) still running after %d s; exiting without "
                "acknowledging them: the broker delivers them again\n",
                left, grace_s);
        /* exiting now: a failed flush has nowhere to be reported */
        (void)fflush(NULL);
        _exit(SOHOA_EXIT_OK); /* closing the connections requeues the unacknowledged jobs */
    }
    struct sohoa_counts c = sohoa_runtime_counts(&rt);
    fprintf(stderr, "sohoa worker: stopped: %ld pages, %ld documents finished\n", c.pages_done,
            c.docs_done);
out:
    sohoa_runtime_release(&rt);
    sohoa_config_release(&cfg);
    return code;
}
