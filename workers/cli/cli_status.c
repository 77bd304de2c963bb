/* cli_status.c — `sohoa status [--json]`: the queue's depths per lane, jobs in flight, waiting for
 * a retry and dead-lettered, and consumers attached. Also holds the queue opening shared by the
 * queue subcommands (status, dlq). */
#include <stdio.h>
#include <string.h>

#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/runtime/queue.h"

int sohoa_cli_queue_open(const char *cmd, const struct sohoa_config *cfg, struct sohoa_queue **q)
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    int rc = sohoa_queue_open(cfg->queue_url, NULL, q, &err);
    if (rc < 0) {
        fprintf(stderr, "sohoa %s: %s\n", cmd, err.msg);
        return rc == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
    }
    return SOHOA_EXIT_OK;
}

static void print_count(const char *label, long n)
{
    if (n < 0)
        printf("  %-22s unknown (RabbitMQ management API: messages_unacknowledged)\n", label);
    else
        printf("  %-22s %ld\n", label, n);
}

int sohoa_cli_status(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_queue *q = NULL;
    struct sohoa_err err;
    struct sohoa_queue_stats st;
    int rest = 0, code = SOHOA_EXIT_OK;
    bool json = false;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    if ((code = sohoa_cli_config("status", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    for (int i = 0; i < rest; i++) {
        const char *a = argv[1 + i];
        if (!strcmp(a, "--json")) {
            json = true;
        } else if (sohoa_cli_is_help(a)) {
            printf("Usage: sohoa status [--queue URL] [--json]\n"
                   "Queue depths per lane, jobs in flight, waiting for a retry, dead-lettered;\n"
                   "consumers attached. Exit 70 when the queue cannot be reached.\n");
            goto out;
        } else {
            fprintf(stderr, "sohoa status: unexpected argument %s\n", a);
            code = SOHOA_EXIT_USAGE;
            goto out;
        }
    }
    if ((code = sohoa_cli_queue_open("status", &cfg, &q)) != SOHOA_EXIT_OK)
        goto out;
    if (sohoa_queue_stats(q, &st, &err) < 0) {
        fprintf(stderr, "sohoa status: %s\n", err.msg);
        code = SOHOA_EXIT_INTERNAL;
        goto out;
    }
    char url[512];
    sohoa_queue_url_redacted(cfg.queue_url, url, sizeof url);
    if (json) {
        printf("{\"queue\":\"%s\",\"lanes\":{", sohoa_queue_scheme(q));
        for (int l = 0; l < SOHOA_LANE_COUNT; l++)
            printf("%s\"%s\":{\"ready\":%ld,\"unacked\":%ld,\"consumers\":%ld}", l ? "," : "",
                   sohoa_lane_name((enum sohoa_lane)l), st.ready[l], st.unacked[l],
                   st.consumers[l]);
        printf("},\"delayed\":%ld,\"dead\":%ld}\n", st.delayed, st.dead);
        goto out;
    }
    printf("queue %s\n", url);
    for (int l = 0; l < SOHOA_LANE_COUNT; l++) {
        printf(" %s lane\n", sohoa_lane_name((enum sohoa_lane)l));
        print_count("ready", st.ready[l]);
        print_count("in flight (unacked)", st.unacked[l]);
        print_count("consumers", st.consumers[l]);
    }
    print_count("waiting for a retry", st.delayed);
    print_count("dead-lettered", st.dead);
out:
    sohoa_queue_free(&q);
    sohoa_config_release(&cfg);
    return code;
}
