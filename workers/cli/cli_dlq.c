/* cli_dlq.c — `sohoa dlq list` and `sohoa dlq replay [--all | ID…]`: the jobs that failed for
 * good (with the reason and the attempts made), and sending them back to their lanes once the
 * cause is fixed. An ID is a job id as listed ("page:<doc>:<n>", "doc:<doc>") or a document id
 * (all of its dead jobs). */
#include <stdio.h>
#include <string.h>

#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/runtime/queue.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa dlq list [--queue URL]\n"
               "       sohoa dlq replay [--queue URL] (--all | ID...)\n"
               "Lists the dead-letter queue (job id, attempts, reason), or puts jobs back on\n"
               "their lanes with attempt 1. ID: a job id as listed, or a document id.\n");
}

static int print_dead(void *arg, const struct sohoa_dead_job *d)
{
    long *n = arg;
    (*n)++;
    printf("%s\t%d\t%s\t%s\n", d->id, d->attempts, sohoa_status_name(d->code), d->reason);
    return 0;
}

int sohoa_cli_dlq(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_queue *q = NULL;
    struct sohoa_err err;
    int rest = 0, code = SOHOA_EXIT_OK;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    if ((code = sohoa_cli_config("dlq", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    char **args = argv + 1;
    const char *verb = rest > 0 ? args[0] : "";
    bool all = false;
    const char **ids = (const char **)args + 1;
    int n_ids = 0;
    for (int i = 1; i < rest; i++) {
        if (!strcmp(args[i], "--all"))
            all = true;
        else if (args[i][0] == '-')
            n_ids = -1000000;
        else
            ids[n_ids++] = args[i];
    }
    bool list = !strcmp(verb, "list") && rest == 1;
    bool replay = !strcmp(verb, "replay") && n_ids >= 0 && (all != (n_ids > 0));
    if (sohoa_cli_is_help(verb)) {
        usage(stdout);
        goto out;
    }
    if (!list && !replay) {
        usage(stderr);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    if ((code = sohoa_cli_queue_open("dlq", &cfg, &q)) != SOHOA_EXIT_OK)
        goto out;
    if (!sohoa_queue_durable(q)) {
        fprintf(stderr, "sohoa dlq: the in-process queue keeps no dead-letter queue between "
                        "runs; give --queue amqp://…\n");
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    int rc;
    long n = 0;
    if (list) {
        rc = sohoa_queue_dead_list(q, print_dead, &n, &err);
        if (rc == 0)
            fprintf(stderr, "%ld dead job(s)\n", n);
    } else {
        rc = sohoa_queue_dead_replay(q, ids, n_ids, &n, &err);
        if (rc == 0)
            printf("replayed %ld job(s)\n", n);
        if (rc == 0 && n == 0 && !all)
            code = SOHOA_EXIT_NOTFOUND;
    }
    if (rc < 0) {
        fprintf(stderr, "sohoa dlq: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
    }
out:
    sohoa_queue_free(&q);
    sohoa_config_release(&cfg);
    return code;
}
