/* http.c — the HTTP server behind http.h, on libmicrohttpd (the only file that includes it):
 * listening, reading bodies under limits (memory, temporary file, multipart/form-data), turning
 * struct sohoa_http_resp into MHD responses, and cleaning up when a request ends.
 *
 * DESIGN: see http.h (thread per connection). Each request has a struct request, created on the
 * first call of the access handler (headers in) and freed by the completion callback, which also
 * unlinks the temporary files still owned by the request. A body past its limit is consumed and
 * dropped (MHD cannot answer while the body is still arriving) and answered 413 at its end; a
 * client that goes on sending past twice the limit is disconnected.
 */
#include "workers/api/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pipeline/base/buf.h"

struct sohoa_http_server {
    struct MHD_Daemon *d;
    struct sohoa_http_routes routes;
    struct sohoa_http_opts opts;
    char *tmp_dir;
    int port;
};

struct request {
    struct sohoa_http_server *srv;
    struct sohoa_http_req req;
    char *ctype;
    struct sohoa_buf body;  /* a MEMORY body; req.body and req.body_len show it */
    struct sohoa_buf value; /* the last part's value (a plain field), handed to it when whole */
    int fd;                 /* FILE body, or the multipart file part being written */
    struct MHD_PostProcessor *pp;
    uint64_t total; /* body bytes received */
    uint64_t limit;
    int fail_status; /* 0, or the error to answer once the body is in */
    const char *fail_code;
    char fail_msg[256];
};

const char *sohoa_http_header(const struct sohoa_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sohoa_http_query(const struct sohoa_http_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void sohoa_http_resp_set(struct sohoa_http_resp *resp, int status, const char *content_type,
                         char *body, size_t len)
{
    free(resp->body);
    resp->status = status;
    resp->content_type = content_type;
    resp->body = body;
    resp->len = body ? len : 0;
}

int sohoa_http_resp_header(struct sohoa_http_resp *resp, const char *name, const char *value)
{
    for (int i = 0; i < SOHOA_HTTP_MAX_HEADERS; i++)
        if (!resp->headers[i][0]) {
            resp->headers[i][0] = strdup(name);
            resp->headers[i][1] = strdup(value);
            return resp->headers[i][0] && resp->headers[i][1] ? 0 : SOHOA_ENOMEM;
        }
    return SOHOA_ELIMIT;
}

static void resp_release(struct sohoa_http_resp *r)
{
    free(r->body);
    free(r->file_path);
    for (int i = 0; i < SOHOA_HTTP_MAX_HEADERS; i++) {
        free(r->headers[i][0]);
        free(r->headers[i][1]);
    }
    memset(r, 0, sizeof *r);
}

static void fail(struct request *rq, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(struct request *rq, int status, const char *code, const char *fmt, ...)
{
    if (rq->fail_status)
        return; /* the first reason stands */
    rq->fail_status = status;
    rq->fail_code = code;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(rq->fail_msg, sizeof rq->fail_msg, fmt, ap); /* a message: a cut is fine */
    va_end(ap);
}

static void fail_too_large(struct request *rq)
{
    fail(rq, 413, "too_large", "the request body is larger than the limit of %llu bytes",
         (unsigned long long)rq->limit);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, struct sohoa_http_resp *r)
{
    struct MHD_Response *mr = NULL;
    if (r->file_path) {
        int fd = open(r->file_path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && r->file_unlink)
            unlink(r->file_path);
        if (fd < 0 || fstat(fd, &st) < 0) {
            if (fd >= 0)
                close(fd);
            return MHD_NO;
        }
        mr = MHD_create_response_from_fd64((uint64_t)st.st_size, fd); /* closes fd */
    } else if (r->body) {
        mr = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (mr)
            r->body = NULL; /* MHD frees it */
    } else {
        mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!mr)
        return MHD_NO;
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (int i = 0; i < SOHOA_HTTP_MAX_HEADERS; i++)
        if (r->headers[i][0] && r->headers[i][1])
            MHD_add_response_header(mr, r->headers[i][0], r->headers[i][1]);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)(r->status ? r->status : 500), mr);
    MHD_destroy_response(mr);
    return ret;
}

static enum MHD_Result send_error(struct request *rq, struct MHD_Connection *c, int status,
                                  const char *code, const char *msg)
{
    struct sohoa_http_resp r;
    memset(&r, 0, sizeof r);
    rq->srv->routes.error(rq->srv->routes.arg, status, code, msg, &r);
    enum MHD_Result ret = send_resp(c, &r);
    resp_release(&r);
    return ret;
}

/* mkstemp, close-on-exec (uploads never leak into child processes). */
/* A new file <dir>/upload-XXXXXX, its name into path[cap]; -1 with errno (ENAMETOOLONG when the
 * name does not fit). */
static int temp_fd(char *path, size_t cap, const char *dir)
{
    int n = snprintf(path, cap, "%s/upload-XXXXXX", dir);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = mkstemp(path);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

static int write_all(struct request *rq, int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t w = write(fd, data, size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            fail(rq, 507, "storage_full", "cannot spool the upload: %s", strerror(errno));
            return SOHOA_EIO;
        }
        data += w;
        size -= (size_t)w;
    }
    return 0;
}

/* Appends to a memory body or field value (capped at its limit); -1 once the request failed. */
static int buf_append(struct request *rq, struct sohoa_buf *b, const char *data, size_t size)
{
    int rc = sohoa_buf_add(b, data, size);
    if (rc == SOHOA_ELIMIT)
        fail(rq, 413, "too_large", "a JSON or form field is larger than the limit of %zu bytes",
             b->max);
    else if (rc < 0)
        fail(rq, 500, "internal", "out of memory");
    return rc < 0 ? -1 : 0;
}

/* Hands the value received for the last part (when a plain field got one) over to it. */
static void value_to_part(struct request *rq)
{
    struct sohoa_http_req *req = &rq->req;
    if (rq->value.data && req->n_parts > 0)
        (void)sohoa_buf_take(&rq->value, &req->parts[req->n_parts - 1].value, NULL);
    sohoa_buf_release(&rq->value);
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    (void)kind;
    (void)transfer_encoding;
    struct request *rq = cls;
    struct sohoa_http_req *req = &rq->req;
    struct sohoa_http_part *p = req->n_parts ? &req->parts[req->n_parts - 1] : NULL;
    bool same = p && off > 0 && strcmp(p->name, key ? key : "") == 0;
    if (!same && !(p && off == 0 && p->size == 0 && strcmp(p->name, key ? key : "") == 0)) {
        if (rq->fd >= 0) {
            close(rq->fd);
            rq->fd = -1;
        }
        value_to_part(rq);
        struct sohoa_http_part *np = realloc(req->parts, (req->n_parts + 1) * sizeof *np);
        if (!np) {
            fail(rq, 500, "internal", "out of memory");
            return MHD_NO;
        }
        req->parts = np;
        p = &np[req->n_parts++];
        memset(p, 0, sizeof *p);
        p->name = strdup(key ? key : "");
        p->filename = filename ? strdup(filename) : NULL;
        p->content_type = content_type ? strdup(content_type) : NULL;
        if (!p->name || (filename && !p->filename)) {
            fail(rq, 500, "internal", "out of memory");
            return MHD_NO;
        }
        if (filename) {
            char path[4096];
            if ((rq->fd = temp_fd(path, sizeof path, rq->srv->tmp_dir)) < 0 ||
                !(p->path = strdup(path))) {
                fail(rq, 500, "internal", "cannot create a temporary file: %s", strerror(errno));
                return MHD_NO;
            }
        }
    }
    if (size == 0)
        return MHD_YES;
    if (p->filename) {
        if (write_all(rq, rq->fd, data, size) < 0)
            return MHD_NO;
    } else {
        if (buf_append(rq, &rq->value, data, size) < 0)
            return MHD_NO;
    }
    p->size += size;
    return MHD_YES;
}

/* The first call: headers are in. Route, then prepare to read the body. */
static enum MHD_Result begin(struct sohoa_http_server *srv, struct MHD_Connection *c,
                             const char *url, const char *method, void **con_cls)
{
    struct request *rq = calloc(1, sizeof *rq);
    if (!rq)
        return MHD_NO;
    *con_cls = rq;
    rq->srv = srv;
    rq->fd = -1;
    rq->req.method = method;
    rq->req.path = url;
    rq->req.conn = c;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    size_t n = ct ? strcspn(ct, ";") : 0;
    while (n > 0 && isspace((unsigned char)ct[n - 1]))
        n--;
    if (!(rq->ctype = malloc(n + 1)))
        return MHD_NO;
    for (size_t i = 0; i < n; i++)
        rq->ctype[i] = (char)tolower((unsigned char)ct[i]);
    rq->ctype[n] = '\0';
    rq->req.content_type = rq->ctype;

    struct sohoa_http_resp r;
    memset(&r, 0, sizeof r);
    enum sohoa_http_body kind = SOHOA_HTTP_BODY_MEMORY;
    if (srv->routes.begin(srv->routes.arg, &rq->req, &kind, &r) != 0) {
        enum MHD_Result ret = send_resp(c, &r);
        resp_release(&r);
        return ret;
    }
    resp_release(&r);
    rq->req.body_kind = kind;
    rq->limit =
        kind == SOHOA_HTTP_BODY_MEMORY ? srv->opts.max_json_bytes : srv->opts.max_upload_bytes;
    sohoa_buf_init(&rq->body, rq->limit < SIZE_MAX ? (size_t)rq->limit : SIZE_MAX);
    sohoa_buf_init(&rq->value, srv->opts.max_json_bytes);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (cl && strtoull(cl, NULL, 10) > rq->limit) {
        fail_too_large(rq);
        return send_error(rq, c, rq->fail_status, rq->fail_code, rq->fail_msg);
    }
    if (kind == SOHOA_HTTP_BODY_FILE) {
        char path[4096];
        if ((rq->fd = temp_fd(path, sizeof path, srv->tmp_dir)) < 0 ||
            !(rq->req.body_path = strdup(path)))
            fail(rq, 500, "internal", "cannot create a temporary file: %s", strerror(errno));
    } else if (kind == SOHOA_HTTP_BODY_MULTIPART) {
        rq->pp = MHD_create_post_processor(c, (size_t)64 * 1024, on_part, rq);
        if (!rq->pp)
            fail(rq, 400, "bad_multipart", "the body is not multipart/form-data with a boundary");
    }
    return MHD_YES;
}

static void body_chunk(struct request *rq, const char *data, size_t size)
{
    rq->total += size;
    if (rq->total > rq->limit)
        fail_too_large(rq);
    if (rq->fail_status)
        return; /* consume and drop */
    struct sohoa_http_req *req = &rq->req;
    switch (req->body_kind) {
    case SOHOA_HTTP_BODY_MEMORY:
        if (buf_append(rq, &rq->body, data, size) == 0) {
            req->body = rq->body.data;
            req->body_len = rq->body.len;
        }
        break;
    case SOHOA_HTTP_BODY_FILE:
        if (write_all(rq, rq->fd, data, size) == 0)
            req->body_size += size;
        break;
    case SOHOA_HTTP_BODY_MULTIPART:
        if (MHD_post_process(rq->pp, data, size) != MHD_YES)
            fail(rq, 400, "bad_multipart", "the multipart/form-data body is malformed");
        break;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct sohoa_http_server *srv = cls;
    if (!*con_cls)
        return begin(srv, c, url, method, con_cls);
    struct request *rq = *con_cls;
    if (*upload_data_size > 0) {
        body_chunk(rq, upload_data, *upload_data_size);
        *upload_data_size = 0;
        /* a client that keeps sending far past the limit is cut off */
        return rq->fail_status == 413 && rq->total > 2 * rq->limit + (1u << 20) ? MHD_NO : MHD_YES;
    }
    /* the whole body is in */
    if (rq->fd >= 0) {
        close(rq->fd);
        rq->fd = -1;
    }
    if (rq->pp) {
        MHD_destroy_post_processor(rq->pp);
        rq->pp = NULL;
    }
    value_to_part(rq);
    if (rq->fail_status)
        return send_error(rq, c, rq->fail_status, rq->fail_code, rq->fail_msg);
    struct sohoa_http_resp r;
    memset(&r, 0, sizeof r);
    srv->routes.handle(srv->routes.arg, &rq->req, &r);
    enum MHD_Result ret = send_resp(c, &r);
    resp_release(&r);
    if (ret != MHD_YES)
        ret = send_error(rq, c, 500, "internal", "the response could not be sent");
    return ret;
}

static void unlink_owned(char **path)
{
    if (*path)
        unlink(*path); /* ENOENT: the handler took it over */
    free(*path);
    *path = NULL;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct request *rq = *con_cls;
    if (!rq)
        return;
    if (rq->fd >= 0)
        close(rq->fd);
    if (rq->pp)
        MHD_destroy_post_processor(rq->pp);
    unlink_owned(&rq->req.body_path);
    for (size_t i = 0; i < rq->req.n_parts; i++) {
        struct sohoa_http_part *p = &rq->req.parts[i];
        unlink_owned(&p->path);
        free(p->name);
        free(p->filename);
        free(p->content_type);
        free(p->value);
    }
    free(rq->req.parts);
    sohoa_buf_release(&rq->value);
    sohoa_buf_release(&rq->body); /* rq->req.body */
    free(rq->ctype);
    free(rq);
    *con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct sohoa_err *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "listen '%s' is not HOST:PORT", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 0 || port > 65535)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "listen '%s': bad port", listen);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "localhost") || !host[0])
        strcpy(host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "listen '%s': the host must be an IPv4 address", listen);
    return 0;
}

int sohoa_http_start(const struct sohoa_http_opts *opts, const struct sohoa_http_routes *routes,
                     struct sohoa_http_server **out, struct sohoa_err *err)
{
    int rc = 0;
    *out = NULL;
    struct sockaddr_in sa;
    if ((rc = parse_listen(opts->listen, &sa, err)) < 0)
        return rc;
    struct sohoa_http_server *srv = calloc(1, sizeof *srv);
    if (!srv || !(srv->tmp_dir = strdup(opts->tmp_dir))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    srv->routes = *routes;
    srv->opts = *opts;
    srv->opts.tmp_dir = srv->tmp_dir;
    srv->opts.listen = NULL;
    unsigned limit = opts->connection_limit ? opts->connection_limit : 64;
    unsigned timeout = opts->timeout_s ? opts->timeout_s : 60;
    srv->d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0,
        NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_CONNECTION_LIMIT, limit,
        MHD_OPTION_CONNECTION_TIMEOUT, timeout, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    if (!srv->d) {
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot listen on %s (in use or not allowed)",
                           opts->listen);
        goto out;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : ntohs(sa.sin_port);
    *out = srv;
    srv = NULL;
out:
    if (srv)
        free(srv->tmp_dir);
    free(srv);
    return rc;
}

int sohoa_http_port(const struct sohoa_http_server *srv)
{
    return srv->port;
}

void sohoa_http_stop(struct sohoa_http_server **srv)
{
    if (!*srv)
        return;
    MHD_stop_daemon((*srv)->d);
    free((*srv)->tmp_dir);
    free(*srv);
    *srv = NULL;
}
