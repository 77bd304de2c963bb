/* cli_common.c — what every `sohoa` subcommand does first: read its configuration (defaults,
 * file, environment, flags) with the error printed as "sohoa CMD: …", and tell a request for help.
 */
#include <stdio.h>
#include <string.h>

#include "workers/cli/cli.h"
#include "workers/runtime/config.h"

int sohoa_cli_config(const char *cmd, struct sohoa_config *cfg, int argc, char **argv, int *rest)
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    if (sohoa_config_from_args(cfg, argc, argv, rest, &err) < 0) {
        fprintf(stderr, "sohoa %s: %s\n", cmd, err.msg);
        return SOHOA_EXIT_USAGE;
    }
    return SOHOA_EXIT_OK;
}

bool sohoa_cli_is_help(const char *arg)
{
    return arg && (!strcmp(arg, "--help") || !strcmp(arg, "-h"));
}
