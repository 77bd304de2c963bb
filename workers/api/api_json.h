/* api_json.h — the JSON bodies of the HTTP API (jansson is confined to api_json.c for them):
 * errors, the extract result, a dossier view (also the webhook's payload), search hits, the
 * answer to an accepted dossier. Shapes are documented in models/openapi.json.
 *
 * Ownership: inputs are borrowed; every char ** result is malloc'd, NUL-terminated and the
 * caller's (NULL on failure, with SOHOA_ENOMEM or SOHOA_EFORMAT in `err`).
 * Threads: reentrant.
 */
#ifndef SOHOA_API_JSON_H
#define SOHOA_API_JSON_H

#include <stddef.h>

#include "pipeline/base/err.h"
#include "storage/catalog.h"
#include "workers/api/service.h"

/* {"error": {"code": code, "message": message}} */
char *sohoa_api_json_error(const char *code, const char *message);

/* 0 when `text` is one well-formed JSON value, else SOHOA_EFORMAT with line and column. */
int sohoa_api_json_check(const char *text, size_t len, struct sohoa_err *err);

/* POST /v1/extract: the document's status, type, fields, validation and text, read from its
 * record (record.json, NULL when there is none: a failed intake). */
int sohoa_api_json_extract(const char *dossier_id, const char *doc_id, enum sohoa_doc_status status,
                           const char *record, char **out, size_t *len, struct sohoa_err *err);

/* The reason a record's document failed ("" when it has none), into `out`. */
void sohoa_api_json_failure(const char *record, char *out, size_t outsz);

/* GET /v1/dossiers/{id}: `info` may be NULL (accepted only); records[i] is the record of
 * info->docs[i] or NULL; `summary` the dossier's summary.json (NULL: not finished yet), whose
 * completeness becomes "completeness" (null without one). With `event` non-NULL, wrapped as
 * {"event": event, "dossier": …}. */
int sohoa_api_json_dossier(const char *id, enum sohoa_dossier_state state,
                           const struct sohoa_dossier_info *info, char *const *records,
                           const char *summary, const char *event, char **out, size_t *len,
                           struct sohoa_err *err);

/* GET /v1/search */
int sohoa_api_json_hits(const char *query, int limit, int offset, const struct sohoa_hits *hits,
                        char **out, size_t *len, struct sohoa_err *err);

/* 202 to POST /v1/dossiers */
int sohoa_api_json_accepted(const char *id, char **out, size_t *len, struct sohoa_err *err);

#endif
