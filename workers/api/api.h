/* api.h — sohoa's HTTP API (the routes of models/openapi.json) and the server `sohoa serve`
 * runs: a service (service.h), the HTTP layer (http.h) and the webhook sender (webhook.h).
 *
 *   GET  /healthz  /readyz  /v1/openapi.json                 public
 *   POST /v1/extract                                         one file → type, fields, text
 *   POST /v1/dossiers                                        multipart: metadata + files → 202
 *   GET  /v1/dossiers/{id}                                   status, documents, fields, links
 *   GET  /v1/dossiers/{id}/documents/{doc}/pdf | /text       outputs
 *   GET  /v1/search?q=&field=&value=&from=&to=&limit=&offset=
 * Everything under /v1 but the OpenAPI document wants "Authorization: Bearer <api-token>".
 * Errors are {"error": {"code": "...", "message": "..."}} with 400 (malformed JSON, bad
 * parameters), 401, 404, 405, 413, 415, 422 (a file that is not a readable document), 503.
 *
 * Ownership: the server keeps `cfg` (borrowed) until stopped.
 * Threads: start and stop from one thread; requests are served on the HTTP layer's threads.
 */
#ifndef SOHOA_API_H
#define SOHOA_API_H

#include "pipeline/base/err.h"
#include "workers/runtime/config.h"
#include "workers/api/service.h"

#define SOHOA_API_JSON_MAX        (1u << 20) /* JSON bodies and form fields */
#define SOHOA_API_EXTRACT_WAIT_MS 30000      /* POST /v1/extract answers 202 after this */

struct sohoa_api_server; /* opaque */

/* Opens the service (backends, workers), starts listening on cfg->listen and, with a
 * webhook-url, the webhook sender. SOHOA_EINVAL without an api-token or with a bad listen
 * address. */
int sohoa_api_server_start(const struct sohoa_config *cfg, struct sohoa_api_server **out,
                           struct sohoa_err *err);
int sohoa_api_server_port(const struct sohoa_api_server *s);
/* Stops listening (waiting for requests in flight), the webhook sender, then the service. */
void sohoa_api_server_stop(struct sohoa_api_server **s);

/* The JSON of dossier `id` as GET /v1/dossiers/{id} answers it; with `event`, wrapped as a
 * webhook payload. */
int sohoa_api_dossier_body(struct sohoa_service *svc, const char *id, const char *event, char **out,
                           size_t *len, struct sohoa_err *err);

/* The outbox directory of cfg's webhooks: <data-dir>/webhooks. 0, or SOHOA_ELIMIT when the path
 * does not fit in `outsz` bytes. */
int sohoa_api_webhook_dir(const struct sohoa_config *cfg, char *out, size_t outsz,
                          struct sohoa_err *err);

#endif
