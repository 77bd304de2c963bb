/* config.h — sohoa's settings and where they come from.
 *
 * Precedence, lowest first: built-in defaults (need nothing), the config file, environment
 * variables, command-line flags. Every setting has one key used by all three sources:
 *   config file  `workers = 4`            (file: --config PATH, $SOHOA_CONFIG, ./sohoa.conf,
 *                                           or ~/.config/sohoa/sohoa.conf — the first that exists)
 *   environment  `SOHOA_WORKERS=4`        (key upper-cased, '-' → '_')
 *   flag         `--workers 4` or `--workers=4`
 *
 * Ownership: strings inside struct sohoa_config are owned by it; sohoa_config_release frees them.
 * Threads: build it on the main thread; afterwards it is read-only and may be shared.
 */
#ifndef SOHOA_CONFIG_H
#define SOHOA_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "pipeline/base/limits.h"

struct sohoa_config {
    char *data_dir;          /* data-dir: where the embedded backends live (default ./sohoa-data) */
    char *store_url;         /* store: object store URL (default <data-dir>/objects) */
    char *catalog_url;       /* catalog: catalog URL (default sqlite:<data-dir>/catalog.sqlite) */
    int workers;             /* workers: worker threads (default: number of cores) */
    int interactive_workers; /* interactive-workers: extra threads reserved for the interactive
                                lane, at normal priority while `workers` run niced (pool.h);
                                default -1 = decided by the subcommand: 1 for serve and worker,
                                0 for ingest (no interactive traffic; saves ~100 MB) */
    char *lang;              /* lang: Tesseract languages (default: SOHOA_OCR_DEFAULT_LANGS) */
    char *tessdata; /* tessdata: Tesseract data directory (default: $SOHOA_TESSDATA, else system) */
    int jpeg_quality;   /* jpeg-quality: page images in the searchable PDF (default 60) */
    int archive_dpi;    /* archive-dpi: PDF pages are rendered at ocr-dpi for OCR, and their image
                           is archived at this resolution (default 200: Decree 30/2020's minimum
                           for scans, and what most scanned PDFs hold) */
    int queue_capacity; /* queue-capacity: page jobs waiting at most (default 64) */
    char *queue_url;    /* queue: job queue URL: "" or mem: (in-process, default) or
                           amqp://user:pass@host:port/vhost (RabbitMQ; workers/runtime/QUEUE.md) */
    struct sohoa_limits limits; /* max-file-bytes, max-pages-per-file,
                                   max-page-pixels, page-timeout-ms, ocr-dpi,
                                   max-dpi-before-reduce, decode-timeout-ms */
    /* sohoa serve: the HTTP API (workers/api/api.c) and its webhooks (workers/api/webhook.c) */
    char *listen;              /* listen: host:port of the API (NULL = SOHOA_LISTEN_DEFAULT) */
    char *api_token;           /* api-token: the bearer token clients send (required by serve) */
    uint64_t max_upload_bytes; /* max-upload-bytes: largest request body (default 50 MiB) */
    char *webhook_url;         /* webhook-url: where completed dossiers are POSTed (NULL = none) */
    char *webhook_secret;      /* webhook-secret: HMAC-SHA256 key of X-Sohoa-Signature */
    int webhook_max_attempts;  /* webhook-max-attempts: tries before dead-lettering (default 8) */
};

#define SOHOA_LISTEN_DEFAULT "127.0.0.1:8080"

/* Defaults only. */
void sohoa_config_init(struct sohoa_config *cfg);
void sohoa_config_release(struct sohoa_config *cfg);

/* Sets one key from text. Unknown keys and bad values are SOHOA_EINVAL with a message. */
int sohoa_config_set(struct sohoa_config *cfg, const char *key, const char *value,
                     struct sohoa_err *err);

/* Reads `path` (missing file = error only when `required`). */
int sohoa_config_load_file(struct sohoa_config *cfg, const char *path, bool required,
                           struct sohoa_err *err);

/* Applies every SOHOA_* variable that names a known key. */
int sohoa_config_load_env(struct sohoa_config *cfg, struct sohoa_err *err);

/* Full layering for a subcommand: defaults, file, env, then flags from argv. Flags that are config
 * keys are consumed; the other arguments are moved, in order, to the front of argv and their count
 * is returned in *rest (argv[0] excluded). `--config PATH` is honoured. */
int sohoa_config_from_args(struct sohoa_config *cfg, int argc, char **argv, int *rest,
                           struct sohoa_err *err);

/* Lines "key = value" for --help and `sohoa config`. */
void sohoa_config_print_keys(void);

#endif
