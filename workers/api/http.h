/* http.h — a small HTTP/1.1 server: the one place sohoa uses libmicrohttpd.
 *
 * The caller gives two callbacks. `begin` runs once the request line and headers are in, before
 * any body byte is read: it routes, checks authorisation and says how the body is to be read
 * (or answers at once, so that a refused 50 MB upload is never spooled). `handle` runs when the
 * whole body is in. Bodies are read under limits:
 *   SOHOA_HTTP_BODY_MEMORY     in memory, at most max_json_bytes (JSON requests);
 *   SOHOA_HTTP_BODY_FILE       streamed to a temporary file in tmp_dir (raw uploads);
 *   SOHOA_HTTP_BODY_MULTIPART  multipart/form-data: file parts streamed to temporary files,
 *                              other fields in memory (each at most max_json_bytes).
 * A body past its limit is answered 413 (at once when Content-Length says so), a malformed
 * multipart body 400, through the `error` callback so that every error has the caller's format.
 * Temporary files are unlinked when the request ends: a handler that keeps one renames it first.
 *
 * DESIGN: thread per connection (MHD_USE_THREAD_PER_CONNECTION with its internal polling
 * thread). Handlers block: POST /v1/extract waits seconds for OCR, and a pool thread blocked in
 * a handler would stall every other connection it polls; suspending and resuming connections
 * would split each handler into a state machine. Threads are bounded by `connection_limit`
 * (further clients wait in the listen backlog) and idle connections are closed after
 * `timeout_s`, so a slow client cannot hold a thread for ever.
 *
 * Ownership: a request and everything in it belong to the server and live until the response is
 * sent; the response's body and file path are handed to the server, which frees them.
 * Threads: `begin`, `handle` and `error` run on connection threads, concurrently: they must be
 * thread-safe. sohoa_http_start/stop from one controlling thread.
 */
#ifndef SOHOA_HTTP_H
#define SOHOA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

enum sohoa_http_body {
    SOHOA_HTTP_BODY_MEMORY,    /* the default, also for requests that should carry none */
    SOHOA_HTTP_BODY_FILE,      /* raw body to a temporary file */
    SOHOA_HTTP_BODY_MULTIPART, /* multipart/form-data */
};

struct sohoa_http_part {
    char *name;         /* form field name ("" when none) */
    char *filename;     /* NULL for a plain field */
    char *content_type; /* as sent, or NULL */
    char *path;         /* file parts: the temporary file */
    char *value;        /* plain fields: the value, NUL-terminated */
    uint64_t size;      /* bytes of the part */
};

struct sohoa_http_req {
    const char *method;       /* "GET", "POST", ... */
    const char *path;         /* without the query string */
    const char *content_type; /* media type, lower case, without parameters; "" when none */
    enum sohoa_http_body body_kind;
    char *body; /* MEMORY: NUL-terminated (NULL when empty) */
    size_t body_len;
    char *body_path; /* FILE: the temporary file */
    uint64_t body_size;
    struct sohoa_http_part *parts; /* MULTIPART, in order */
    size_t n_parts;
    void *conn; /* private */
};

/* A request header or query argument ("" values are returned as ""), NULL when absent. */
const char *sohoa_http_header(const struct sohoa_http_req *req, const char *name);
const char *sohoa_http_query(const struct sohoa_http_req *req, const char *name);

#define SOHOA_HTTP_MAX_HEADERS 6

struct sohoa_http_resp {
    int status;               /* 0 until set */
    const char *content_type; /* a static string */
    char *body;               /* malloc'd, handed to the server */
    size_t len;
    char *file_path;  /* or: send this file (malloc'd, handed to the server) */
    bool file_unlink; /* unlink file_path once opened (a temporary copy) */
    char *headers[SOHOA_HTTP_MAX_HEADERS][2]; /* extra headers, malloc'd */
};

/* Sets the status and the body (taken over, freeing any earlier one; NULL = empty). */
void sohoa_http_resp_set(struct sohoa_http_resp *resp, int status, const char *content_type,
                         char *body, size_t len);
/* Adds a header (copied). SOHOA_ELIMIT past SOHOA_HTTP_MAX_HEADERS. */
int sohoa_http_resp_header(struct sohoa_http_resp *resp, const char *name, const char *value);

struct sohoa_http_routes {
    void *arg;
    /* Headers are in, no body yet. Return 0 and set *body to read the body, or fill `resp` and
     * return 1 to answer now. */
    int (*begin)(void *arg, const struct sohoa_http_req *req, enum sohoa_http_body *body,
                 struct sohoa_http_resp *resp);
    /* The whole body is in: fill `resp` (status 0 is answered 500). `req` may be changed, e.g.
     * to take over a temporary file (rename it, then set its path to NULL). */
    void (*handle)(void *arg, struct sohoa_http_req *req, struct sohoa_http_resp *resp);
    /* An error the server found itself (413 too large, 400 bad multipart): fill `resp`. */
    void (*error)(void *arg, int status, const char *code, const char *message,
                  struct sohoa_http_resp *resp);
};

struct sohoa_http_opts {
    const char *listen;        /* "HOST:PORT" (IPv4 address or "localhost"); port 0 = any free */
    uint64_t max_upload_bytes; /* FILE and MULTIPART bodies */
    size_t max_json_bytes;     /* MEMORY bodies and plain multipart fields */
    const char *tmp_dir;       /* where uploads are spooled (must exist) */
    unsigned connection_limit; /* 0 = 64 */
    unsigned timeout_s;        /* idle connection timeout, 0 = 60 */
};

struct sohoa_http_server; /* opaque */

/* Listens and serves until stopped. SOHOA_EINVAL for a bad `listen`, SOHOA_EIO when the address
 * cannot be bound. */
int sohoa_http_start(const struct sohoa_http_opts *opts, const struct sohoa_http_routes *routes,
                     struct sohoa_http_server **out, struct sohoa_err *err);
/* The port listened on (useful with port 0). */
int sohoa_http_port(const struct sohoa_http_server *srv);
/* Stops accepting, waits for the connection threads, frees; sets *srv to NULL. */
void sohoa_http_stop(struct sohoa_http_server **srv);

#endif
