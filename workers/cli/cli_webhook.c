/* cli_webhook.c — `sohoa webhook list` and `sohoa webhook replay KEY|--all`: the webhook
 * outbox (webhook.h) seen and mended from the command line. Replayed messages go back to
 * pending; the sender of a running `sohoa serve` delivers them within a second (or the next
 * `serve` does).
 */
#include <stdio.h>
#include <string.h>

#include "workers/api/api.h"
#include "workers/cli/cli.h"
#include "workers/runtime/config.h"
#include "workers/api/webhook.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa webhook list\n"
               "       sohoa webhook replay KEY | --all\n"
               "\n"
               "The outbox of webhooks to the portal lives in <data-dir>/webhooks: pending,\n"
               "delivered and dead (dead-lettered after webhook-max-attempts or a permanent\n"
               "refusal). `list` shows every message; `replay` puts dead ones back to pending.\n"
               "\n"
               "Exit codes: 0 ok, 3 no such dead message, 64 usage, 70 internal.\n");
}

static void print_msg(void *arg, const char *state, const char *key, const char *dossier,
                      int attempts, const char *last_error)
{
    (void)arg;
    printf("%-9s %s  dossier=%s attempts=%d  %s\n", state, key, dossier, attempts, last_error);
}

int sohoa_cli_webhook(int argc, char **argv)
{
    struct sohoa_config cfg;
    struct sohoa_err err;
    int rest = 0, code = SOHOA_EXIT_OK, rc = 0;
    char dir[4096];
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    if ((code = sohoa_cli_config("webhook", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    const char *verb = rest > 0 ? argv[1] : NULL;
    if (sohoa_api_webhook_dir(&cfg, dir, sizeof dir, &err) < 0) {
        fprintf(stderr, "sohoa webhook: %s\n", err.msg);
        code = SOHOA_EXIT_USAGE; /* a data-dir too long: fix the configuration */
        goto out;
    }
    if (sohoa_cli_is_help(verb)) {
        usage(stdout);
    } else if (verb && !strcmp(verb, "list") && rest == 1) {
        rc = sohoa_webhook_list(dir, print_msg, NULL, &err);
    } else if (verb && !strcmp(verb, "replay") && rest == 2) {
        const char *key = !strcmp(argv[2], "--all") ? NULL : argv[2];
        int n = 0;
        if ((rc = sohoa_webhook_replay(dir, key, &n, &err)) == 0)
            printf("replayed %d message(s)\n", n);
    } else {
        usage(stderr);
        code = SOHOA_EXIT_USAGE;
    }
    if (rc < 0) {
        fprintf(stderr, "sohoa webhook: %s\n", err.msg);
        code = rc == SOHOA_ENOTFOUND ? SOHOA_EXIT_NOTFOUND : SOHOA_EXIT_INTERNAL;
    }
out:
    sohoa_config_release(&cfg);
    return code;
}
