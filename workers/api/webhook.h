/* webhook.h — signed webhooks to the portal, through an outbox on disk.
 *
 * When a dossier completes, its JSON (the GET /v1/dossiers/{id} view wrapped as
 * {"event": "dossier.completed", "dossier": …}) is written to the outbox and delivered by a
 * sender thread: POST to webhook-url with
 *   Content-Type: application/json
 *   Idempotency-Key: <dossier id>.<first 24 hex digits of SHA-256(body)>  (stable across retries)
 *   X-Sohoa-Timestamp: <unix seconds of this attempt>
 *   X-Sohoa-Signature: v1=<hex HMAC-SHA256(webhook-secret, timestamp + "." + body)>
 * A receiver verifies by recomputing the HMAC over the timestamp header, a ".", and the raw body
 * bytes, comparing in constant time, and refusing timestamps more than a few minutes old (replay
 * protection); it deduplicates on Idempotency-Key (a retry after a lost answer carries the same
 * key and body).
 * Outcomes: 2xx delivered; 5xx, 408, 429, time-outs and connection errors are retried with
 * exponential backoff (backoff_ms doubling up to max_backoff_ms); any other status is permanent.
 * After max_attempts tries, or a permanent failure, the message is dead-lettered with its last
 * error and attempts; `sohoa webhook replay` puts it back.
 *
 * Outbox (webhook_outbox.c), under `dir` (<data-dir>/webhooks): pending/<key>.msg,
 * delivered/<key>.msg, dead/<key>.msg. A message file is a few "name: value" header lines
 * (key, dossier, attempts, next-attempt-ms, last-error), a blank line, then the body. Files are
 * written whole and renamed into place, so a crash never leaves half a message; a restart finds
 * pending messages and sends them. (A directory, not the object store: the object-store
 * contract has no listing or deletion yet.)
 *
 * Ownership: inputs are borrowed. Threads: sohoa_webhook_post and the outbox functions are
 * reentrant; one sender per outbox directory (the process that runs `serve`).
 */
#ifndef SOHOA_WEBHOOK_H
#define SOHOA_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "pipeline/base/hash.h"

#define SOHOA_WEBHOOK_KEY_MAX  128
#define SOHOA_WEBHOOK_BODY_MAX (16u << 20)

struct sohoa_webhook_opts {
    const char *url;    /* NULL: nothing is sent (messages stay pending) */
    const char *secret; /* NULL or "": no signature header */
    int max_attempts;   /* 0 = 8 */
    const char *dir;    /* the outbox */
    int timeout_ms;     /* per attempt, 0 = 10000 */
    int backoff_ms;     /* delay after the first failure, doubled each time; 0 = 2000 */
    int max_backoff_ms; /* 0 = 600000 */
};

/* ---- signing and one delivery attempt (webhook.c, libcurl) ------------------------------- */

/* hex HMAC-SHA256(secret, "<timestamp>." + body) */
void sohoa_webhook_sign(const char *secret, long long timestamp, const char *body, size_t len,
                        char hex[SOHOA_SHA256_HEX]);

/* POSTs `body` once. 0 on 2xx; otherwise a negative code with err->retryable telling a retry
 * apart from a permanent failure; *http_status is the status (0 when none came back). */
int sohoa_webhook_post(const struct sohoa_webhook_opts *o, const char *key, const char *body,
                       size_t len, long *http_status, struct sohoa_err *err);

/* ---- the outbox (webhook_outbox.c) -------------------------------------------------------- */

/* The idempotency key of a dossier's message with this body. */
void sohoa_webhook_key(const char *dossier_id, const char *body, size_t len,
                       char key[SOHOA_WEBHOOK_KEY_MAX]);

/* Writes pending/<key>.msg, unless that message is already pending or delivered. */
int sohoa_webhook_enqueue(const char *dir, const char *dossier_id, const char *body, size_t len,
                          char key[SOHOA_WEBHOOK_KEY_MAX], struct sohoa_err *err);

/* Tries every pending message that is due (next attempt reached) once; counts outcomes. */
struct sohoa_webhook_pass {
    int delivered, retried, dead, waiting;
};
int sohoa_webhook_drain(const struct sohoa_webhook_opts *o, struct sohoa_webhook_pass *pass,
                        struct sohoa_err *err);

/* Moves dead/<key>.msg (key NULL: every dead message) back to pending with its attempts reset;
 * *n counts them. SOHOA_ENOTFOUND for a key that is not dead. */
int sohoa_webhook_replay(const char *dir, const char *key, int *n, struct sohoa_err *err);

/* Prints "state key dossier attempts last-error" lines for every message (the CLI's list). */
int sohoa_webhook_list(const char *dir,
                       void (*fn)(void *arg, const char *state, const char *key,
                                  const char *dossier, int attempts, const char *last_error),
                       void *arg, struct sohoa_err *err);

/* A thread that drains the outbox every second, or at once after a kick. `o` and its strings
 * must outlive the sender. */
struct sohoa_webhook_sender;
int sohoa_webhook_sender_start(const struct sohoa_webhook_opts *o,
                               struct sohoa_webhook_sender **out, struct sohoa_err *err);
void sohoa_webhook_sender_kick(struct sohoa_webhook_sender *s);
void sohoa_webhook_sender_stop(struct sohoa_webhook_sender **s);

#endif
