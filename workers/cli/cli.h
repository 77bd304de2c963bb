/* cli.h — the `sohoa` subcommands and their exit codes.
 *
 * Exit codes (documented in the README and in `sohoa --help`):
 *   0  ok       everything given was processed
 *   1  partial  some files or pages failed (each one's reason is in its record and the log)
 *   2  failed   nothing could be processed
 *   3  not found (search with no hit, show of an unknown dossier)
 *   64 usage    bad command line or configuration
 *   70 internal a backend failed (store, catalog): retry later
 * Each subcommand takes argv with argv[0] = the subcommand name.
 */
#ifndef SOHOA_CLI_H
#define SOHOA_CLI_H

#include <stdbool.h>

enum sohoa_exit {
    SOHOA_EXIT_OK = 0,
    SOHOA_EXIT_PARTIAL = 1,
    SOHOA_EXIT_FAILED = 2,
    SOHOA_EXIT_NOTFOUND = 3,
    SOHOA_EXIT_USAGE = 64,
    SOHOA_EXIT_INTERNAL = 70,
};

int sohoa_cli_ingest(int argc, char **argv);
int sohoa_cli_search(int argc, char **argv);
int sohoa_cli_show(int argc, char **argv);
int sohoa_cli_serve(int argc, char **argv);
int sohoa_cli_webhook(int argc, char **argv);
int sohoa_cli_extract(int argc, char **argv);
int sohoa_cli_worker(int argc, char **argv);
int sohoa_cli_dlq(int argc, char **argv);
int sohoa_cli_status(int argc, char **argv);

struct sohoa_config;

/* Reads the configuration of subcommand `cmd` (sohoa_config_from_args: argv[1..*rest] are what it
 * left); on a bad one prints "sohoa CMD: …" to stderr. SOHOA_EXIT_OK or SOHOA_EXIT_USAGE. */
int sohoa_cli_config(const char *cmd, struct sohoa_config *cfg, int argc, char **argv, int *rest);
/* Is `arg` (may be NULL) "--help" or "-h"? */
bool sohoa_cli_is_help(const char *arg);

/* Opens cfg->queue_url for a queue subcommand, printing the error as "sohoa CMD: …"; returns an
 * exit code (SOHOA_EXIT_OK on success). */
struct sohoa_queue;
int sohoa_cli_queue_open(const char *cmd, const struct sohoa_config *cfg, struct sohoa_queue **q);

#endif
