/* service.h — what the HTTP API (and `sohoa serve`) needs from the rest of sohoa, and nothing
 * more: submit an upload and wait for its document, submit a dossier, read a dossier, its
 * records and outputs, search. The API never sees the runtime, the queue, the intake or the
 * backends: when they change (RabbitMQ, PostgreSQL, remote workers), service.c is the one file
 * to rewire.
 *
 * Today a service owns a runtime with worker threads in this process (the embedded, in-process
 * queue), so that `sohoa serve` alone is a complete system. Uploads are saved by the caller to a
 * file under sohoa_service_tmp_dir() (same file system as the service's upload area), handed over
 * (renamed), taken in by sohoa_intake_paths (originals stored first, byte for byte), and removed
 * once taken in. A dossier submitted here is watched until every document of it has finished;
 * then `on_done` is called once (e.g. to queue a webhook). Accepted dossiers and watches are
 * kept on disk (<data-dir>/serve/) so that a restart resumes them.
 *
 * Ownership: strings passed in are borrowed; results are the caller's (free with the function
 * named). The service keeps `cfg` (borrowed) until freed.
 * Threads: every function except open and free may be called from many threads at once
 * (connection threads). `on_done` runs on the service's watch thread.
 */
#ifndef SOHOA_SERVICE_H
#define SOHOA_SERVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/base/hash.h"
#include "storage/catalog.h"
#include "workers/runtime/config.h"

#define SOHOA_SERVICE_ID_MAX 80 /* bytes of a dossier id made here, with its NUL */

enum sohoa_dossier_state {
    SOHOA_DOSSIER_ACCEPTED,   /* received, not yet taken in */
    SOHOA_DOSSIER_PROCESSING, /* some document still being worked on */
    SOHOA_DOSSIER_DONE,       /* every document done */
    SOHOA_DOSSIER_PARTIAL,    /* finished; some documents or pages failed */
    SOHOA_DOSSIER_FAILED,     /* finished; nothing usable */
};
const char *sohoa_dossier_state_name(enum sohoa_dossier_state s);

/* Called once when a dossier submitted with sohoa_service_submit has finished. Return 0 when
 * handled; non-zero to be called again later (e.g. the outbox could not be written). */
typedef int (*sohoa_service_done_fn)(void *arg, const char *dossier_id);

struct sohoa_service; /* opaque */

/* Opens the backends named in `cfg`, starts cfg->workers worker threads and the service's own
 * threads, and resumes what a previous run left (accepted dossiers, watches). */
int sohoa_service_open(const struct sohoa_config *cfg, sohoa_service_done_fn on_done,
                       void *on_done_arg, struct sohoa_service **out, struct sohoa_err *err);
/* Stops taking work, lets the workers finish what was queued, frees; sets *svc to NULL. */
void sohoa_service_free(struct sohoa_service **svc);

/* Where callers spool uploads before handing them over. */
const char *sohoa_service_tmp_dir(const struct sohoa_service *svc);
/* True when workers run and the backends answer; else false with the reason in `err`. */
bool sohoa_service_ready(struct sohoa_service *svc, struct sohoa_err *err);

/* One uploaded file. The functions below take it over in every case: `path` is renamed into
 * the service's upload area, or removed. */
struct sohoa_upload {
    const char *path;
    const char *name; /* the client's file name (any bytes; sanitised here), or NULL */
};

/* Takes in one file as a dossier of its own on the interactive lane and waits, at most
 * `deadline_ms`, for its document to finish. Sets doc_id and dossier_id in every case that got
 * that far, and *status to the document's status. 0 when finished (done, partial or failed);
 * SOHOA_ETIMEOUT when the deadline passed first (the work goes on); SOHOA_ECLOSED when the
 * service is stopping. */
int sohoa_service_extract(struct sohoa_service *svc, const struct sohoa_upload *file,
                          int deadline_ms, char doc_id[SOHOA_SHA256_HEX],
                          char dossier_id[SOHOA_SERVICE_ID_MAX], enum sohoa_doc_status *status,
                          struct sohoa_err *err);

/* Accepts a dossier: metadata (the dossier.json format of the README; NULL = none) and files,
 * taken in on the bulk lane later, in order. Returns without waiting; `id` is the dossier id
 * (the receipt number made safe, else a new id). SOHOA_EFORMAT for bad metadata (the message
 * names the key), SOHOA_EINVAL without files. */
int sohoa_service_submit(struct sohoa_service *svc, const char *meta_json, size_t meta_len,
                         const struct sohoa_upload *files, size_t n, char id[SOHOA_SERVICE_ID_MAX],
                         struct sohoa_err *err);

/* A dossier's state and catalog entry (*info is NULL while it is only accepted; free it with
 * sohoa_dossier_info_free). SOHOA_ENOTFOUND for an unknown id. */
int sohoa_service_dossier(struct sohoa_service *svc, const char *id,
                          enum sohoa_dossier_state *state, struct sohoa_dossier_info **info,
                          struct sohoa_err *err);

/* A document's record.json (malloc'd, NUL-terminated). SOHOA_ENOTFOUND until it is written. */
int sohoa_service_record(struct sohoa_service *svc, const char *doc_id, char **json, size_t *len,
                         struct sohoa_err *err);

/* A finished dossier's summary.json (summary.h; malloc'd, NUL-terminated), written here if its
 * documents have all finished and no document job wrote it. SOHOA_ENOTFOUND while it is still
 * processing. */
int sohoa_service_summary(struct sohoa_service *svc, const char *id, char **json, size_t *len,
                          struct sohoa_err *err);

enum sohoa_output { SOHOA_OUTPUT_PDF, SOHOA_OUTPUT_TEXT };

/* A local file holding an output of document `doc_id` of dossier `dossier_id`: *is_temp says
 * the caller must unlink it after use. SOHOA_ENOTFOUND when the document is not in that dossier
 * or the output does not exist (yet). */
int sohoa_service_output(struct sohoa_service *svc, const char *dossier_id, const char *doc_id,
                         enum sohoa_output what, char **path, bool *is_temp, struct sohoa_err *err);

/* Full-text search (catalog.h); release `out` with sohoa_hits_release. */
int sohoa_service_search(struct sohoa_service *svc, const char *query,
                         const struct sohoa_search_opts *opts, struct sohoa_hits *out,
                         struct sohoa_err *err);

#endif
