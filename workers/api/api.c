/* api.c — routing, authorisation and the handlers of the HTTP API (api.h), on http.h and
 * service.h; JSON bodies come from api_json.c. Also the assembly `sohoa serve` runs.
 *
 * Routing happens in `begin`, before any body byte is read: an unknown route (404), a wrong
 * method (405), a missing or wrong token (401) or a content type the route does not take (415)
 * is answered without spooling the body.
 */
#include "workers/api/api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/base/log.h"
#include "workers/api/api_json.h"
#include "workers/api/http.h"
#include "workers/api/webhook.h"

enum route {
    R_NONE,
    R_HEALTH,
    R_READY,
    R_OPENAPI,
    R_EXTRACT,
    R_DOSSIERS,
    R_DOSSIER,
    R_PDF,
    R_TEXT,
    R_SEARCH,
};

struct sohoa_api_server {
    const struct sohoa_config *cfg;
    struct sohoa_service *svc;
    struct sohoa_http_server *http;
    struct sohoa_webhook_sender *sender;
    struct sohoa_webhook_opts wh;
    char wh_dir[4096];
};

/* ---- responses ------------------------------------------------------------------------------ */

static void reply_error(struct sohoa_http_resp *resp, int status, const char *code, const char *msg)
{
    char *body = sohoa_api_json_error(code, msg);
    sohoa_http_resp_set(resp, status, "application/json", body, body ? strlen(body) : 0);
    if (status == 401)
        sohoa_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"sohoa\"");
}

static void on_error(void *arg, int status, const char *code, const char *message,
                     struct sohoa_http_resp *resp)
{
    (void)arg;
    reply_error(resp, status, code, message);
}

static void reply_json(struct sohoa_http_resp *resp, int status, char *body, size_t len)
{
    sohoa_http_resp_set(resp, status, "application/json", body, len);
}

/* A failure of the service, as an HTTP error. */
static void reply_err(struct sohoa_http_resp *resp, const struct sohoa_err *err)
{
    switch (err->code) {
    case SOHOA_ENOTFOUND:
        reply_error(resp, 404, "not_found", err->msg);
        break;
    case SOHOA_EINVAL:
    case SOHOA_EFORMAT:
    case SOHOA_ELIMIT:
        reply_error(resp, 400, "bad_request", err->msg);
        break;
    case SOHOA_ETIMEOUT:
    case SOHOA_ECLOSED:
        reply_error(resp, 503, "unavailable", err->msg);
        break;
    default:
        reply_error(resp, err->retryable ? 503 : 500, "internal", err->msg);
    }
}

/* ---- routing -------------------------------------------------------------------------------- */

static bool id_ok(const char *s, size_t n)
{
    if (n == 0 || n > SOHOA_CATALOG_ID_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
              s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

static bool hex64_ok(const char *s, size_t n)
{
    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'f') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* The route of `path`, with the dossier and document ids copied out. */
static enum route match(const char *path, char id[SOHOA_CATALOG_ID_MAX + 1],
                        char doc[SOHOA_SHA256_HEX])
{
    static const struct {
        const char *path;
        enum route r;
    } fixed[] = {{"/healthz", R_HEALTH},          {"/readyz", R_READY},
                 {"/v1/openapi.json", R_OPENAPI}, {"/v1/extract", R_EXTRACT},
                 {"/v1/dossiers", R_DOSSIERS},    {"/v1/search", R_SEARCH}};
    id[0] = doc[0] = '\0';
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (!strcmp(path, fixed[i].path))
            return fixed[i].r;
    static const char pre[] = "/v1/dossiers/";
    if (strncmp(path, pre, sizeof pre - 1) != 0)
        return R_NONE;
    const char *p = path + sizeof pre - 1;
    size_t n = strcspn(p, "/");
    if (!id_ok(p, n))
        return R_NONE;
    memcpy(id, p, n);
    id[n] = '\0';
    p += n;
    if (!*p)
        return R_DOSSIER;
    static const char docs[] = "/documents/";
    if (strncmp(p, docs, sizeof docs - 1) != 0)
        return R_NONE;
    p += sizeof docs - 1;
    n = strcspn(p, "/");
    if (!hex64_ok(p, n))
        return R_NONE;
    memcpy(doc, p, n);
    doc[n] = '\0';
    p += n;
    return !strcmp(p, "/pdf") ? R_PDF : !strcmp(p, "/text") ? R_TEXT : R_NONE;
}

static const char *method_of(enum route r)
{
    return r == R_EXTRACT || r == R_DOSSIERS ? "POST" : "GET";
}

/* Constant-time: the time taken depends on the lengths only, never on where bytes differ. */
static bool token_ok(const char *given, const char *want)
{
    size_t gl = strlen(given), wl = strlen(want);
    unsigned char diff = (unsigned char)(gl != wl);
    for (size_t i = 0; i < wl; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < gl ? given[i] : 0);
    return diff == 0;
}

static bool authorised(const struct sohoa_api_server *s, const struct sohoa_http_req *req)
{
    const char *h = sohoa_http_header(req, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    return token_ok(h, s->cfg->api_token);
}

static bool upload_type(const char *ct)
{
    return !strcmp(ct, "application/pdf") || !strncmp(ct, "image/", 6) ||
           !strcmp(ct, "application/octet-stream");
}

static int on_begin(void *arg, const struct sohoa_http_req *req, enum sohoa_http_body *body,
                    struct sohoa_http_resp *resp)
{
    struct sohoa_api_server *s = arg;
    char id[SOHOA_CATALOG_ID_MAX + 1], doc[SOHOA_SHA256_HEX];
    enum route r = match(req->path, id, doc);
    if (r == R_NONE) {
        reply_error(resp, 404, "not_found", "no such route");
        return 1;
    }
    const char *want = method_of(r);
    bool head_ok = !strcmp(want, "GET") && !strcmp(req->method, "HEAD");
    if (strcmp(req->method, want) != 0 && !head_ok) {
        char msg[96];
        (void)snprintf(msg, sizeof msg, "%s takes %s", req->path, want); /* a message: may be cut */
        reply_error(resp, 405, "method_not_allowed", msg);
        sohoa_http_resp_header(resp, "Allow", want);
        return 1;
    }
    if (r != R_HEALTH && r != R_READY && r != R_OPENAPI && !authorised(s, req)) {
        reply_error(resp, 401, "unauthorized",
                    "send the API token as \"Authorization: Bearer <token>\"");
        return 1;
    }
    *body = SOHOA_HTTP_BODY_MEMORY;
    const char *ct = req->content_type;
    if (r == R_EXTRACT && upload_type(ct)) {
        *body = SOHOA_HTTP_BODY_FILE;
    } else if ((r == R_EXTRACT || r == R_DOSSIERS) && !strcmp(ct, "multipart/form-data")) {
        *body = SOHOA_HTTP_BODY_MULTIPART;
    } else if (r == R_EXTRACT || r == R_DOSSIERS) {
        reply_error(resp, 415, "unsupported_media_type",
                    r == R_EXTRACT ? "send multipart/form-data with a \"file\" part, or the "
                                     "file itself as application/pdf or image/*"
                                   : "send multipart/form-data: a \"metadata\" JSON field and "
                                     "the files");
        return 1;
    }
    return 0;
}

/* ---- handlers ------------------------------------------------------------------------------- */

static void h_openapi(struct sohoa_http_resp *resp)
{
    const char *env = getenv("SOHOA_OPENAPI");
    const char *cands[] = {env, SOHOA_SOURCE_DIR "/models/openapi.json",
                           "/usr/share/sohoa/openapi.json"};
    for (size_t i = 0; i < sizeof cands / sizeof cands[0]; i++)
        if (cands[i] && *cands[i] && access(cands[i], R_OK) == 0) {
            resp->status = 200;
            resp->content_type = "application/json";
            resp->file_path = strdup(cands[i]);
            return;
        }
    reply_error(resp, 404, "not_found", "the OpenAPI document is not installed");
}

static void h_ready(struct sohoa_api_server *s, struct sohoa_http_resp *resp)
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    if (!sohoa_service_ready(s->svc, &err)) {
        reply_error(resp, 503, "not_ready", err.msg);
        return;
    }
    char *b = strdup("{\"status\":\"ready\"}");
    reply_json(resp, 200, b, b ? strlen(b) : 0);
}

/* The file of an upload request: the raw body, or the "file" part (else the first file part). */
static char **upload_of(struct sohoa_http_req *req, const char **name)
{
    *name = sohoa_http_query(req, "filename");
    if (req->body_kind == SOHOA_HTTP_BODY_FILE)
        return req->body_size > 0 ? &req->body_path : NULL;
    struct sohoa_http_part *best = NULL;
    for (size_t i = 0; i < req->n_parts; i++) {
        struct sohoa_http_part *p = &req->parts[i];
        if (p->filename && p->path && (!best || !strcmp(p->name, "file")) &&
            !(best && !strcmp(best->name, "file")))
            best = p;
    }
    if (!best || best->size == 0)
        return NULL;
    *name = best->filename;
    return &best->path;
}

static void h_extract(struct sohoa_api_server *s, struct sohoa_http_req *req,
                      struct sohoa_http_resp *resp)
{
    const char *name = NULL;
    char **path = upload_of(req, &name);
    if (!path) {
        reply_error(resp, 400, "no_file", "the request carries no file (or an empty one)");
        return;
    }
    struct sohoa_err err;
    sohoa_err_clear(&err);
    char doc[SOHOA_SHA256_HEX], dossier[SOHOA_SERVICE_ID_MAX];
    enum sohoa_doc_status st;
    struct sohoa_upload up = {*path, name};
    int rc = sohoa_service_extract(s->svc, &up, SOHOA_API_EXTRACT_WAIT_MS, doc, dossier, &st, &err);
    free(*path); /* the service took the file over (moved or removed) */
    *path = NULL;
    char *record = NULL, *body = NULL;
    size_t len = 0;
    if (rc == SOHOA_ETIMEOUT) {
        char loc[256];
        (void)snprintf(loc, sizeof loc, "/v1/dossiers/%s", dossier); /* id < 80 bytes: fits */
        if (sohoa_api_json_extract(dossier, doc, st, NULL, &body, &len, &err) == 0) {
            reply_json(resp, 202, body, len);
            sohoa_http_resp_header(resp, "Location", loc);
        } else {
            reply_err(resp, &err);
        }
        return;
    }
    if (rc < 0) {
        reply_err(resp, &err);
        return;
    }
    sohoa_service_record(s->svc, doc, &record, &len, NULL);
    if (st == SOHOA_DOC_FAILED) {
        char why[SOHOA_ERR_MSG_MAX];
        sohoa_api_json_failure(record, why, sizeof why);
        reply_error(resp, 422, "unprocessable_document",
                    why[0] ? why : "the file is not a readable document");
        free(record);
        return;
    }
    rc = sohoa_api_json_extract(dossier, doc, st, record, &body, &len, &err);
    free(record);
    if (rc < 0)
        reply_err(resp, &err);
    else
        reply_json(resp, 200, body, len);
}

static void h_submit(struct sohoa_api_server *s, struct sohoa_http_req *req,
                     struct sohoa_http_resp *resp)
{
    const char *meta = NULL;
    size_t meta_len = 0, n = 0;
    int rc = 0;
    struct sohoa_upload *files = calloc(req->n_parts + 1, sizeof *files);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    if (!files) {
        reply_error(resp, 503, "internal", "out of memory");
        return;
    }
    for (size_t i = 0; i < req->n_parts; i++) {
        struct sohoa_http_part *p = &req->parts[i];
        if (!p->filename && !strcmp(p->name, "metadata")) {
            meta = p->value ? p->value : "";
            meta_len = (size_t)p->size;
        } else if (p->filename && p->path && p->size > 0) {
            files[n].path = p->path;
            files[n++].name = p->filename;
        }
    }
    char id[SOHOA_SERVICE_ID_MAX], *body = NULL;
    size_t len = 0;
    if (meta && sohoa_api_json_check(meta, meta_len, &err) < 0) {
        reply_error(resp, 400, "malformed_json", err.msg);
    } else if (n == 0) {
        reply_error(resp, 400, "no_file", "a dossier needs at least one non-empty file part");
    } else {
        rc = sohoa_service_submit(s->svc, meta, meta_len, files, n, id, &err);
        for (size_t i = 0; i < req->n_parts; i++) /* taken over by the service */
            if (req->parts[i].filename && req->parts[i].path && req->parts[i].size > 0) {
                free(req->parts[i].path);
                req->parts[i].path = NULL;
            }
        if (rc < 0 && err.code == SOHOA_EFORMAT) {
            reply_error(resp, 400, "invalid_metadata", err.msg);
        } else if (rc < 0 || sohoa_api_json_accepted(id, &body, &len, &err) < 0) {
            reply_err(resp, &err);
        } else {
            char loc[256];
            (void)snprintf(loc, sizeof loc, "/v1/dossiers/%s", id); /* id < 80 bytes: fits */
            reply_json(resp, 202, body, len);
            sohoa_http_resp_header(resp, "Location", loc);
        }
    }
    free(files);
}

int sohoa_api_dossier_body(struct sohoa_service *svc, const char *id, const char *event, char **out,
                           size_t *len, struct sohoa_err *err)
{
    enum sohoa_dossier_state st;
    struct sohoa_dossier_info *info = NULL;
    char **records = NULL, *summary = NULL;
    *out = NULL;
    int rc = sohoa_service_dossier(svc, id, &st, &info, err);
    if (rc < 0)
        return rc;
    if (info && info->n_docs > 0 && !(records = calloc(info->n_docs, sizeof *records))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    for (size_t i = 0; records && i < info->n_docs; i++) {
        size_t l;
        sohoa_service_record(svc, info->docs[i].id, &records[i], &l, NULL);
    }
    size_t sl;
    if (info && st != SOHOA_DOSSIER_ACCEPTED && st != SOHOA_DOSSIER_PROCESSING)
        sohoa_service_summary(svc, id, &summary, &sl, NULL);
    rc = sohoa_api_json_dossier(id, st, info, records, summary, event, out, len, err);
out:
    free(summary);
    for (size_t i = 0; records && i < info->n_docs; i++)
        free(records[i]);
    free(records);
    sohoa_dossier_info_free(&info);
    return rc;
}

static void h_dossier(struct sohoa_api_server *s, const char *id, struct sohoa_http_resp *resp)
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    char *body = NULL;
    size_t len = 0;
    if (sohoa_api_dossier_body(s->svc, id, NULL, &body, &len, &err) < 0) {
        if (err.code == SOHOA_ENOTFOUND)
            reply_error(resp, 404, "dossier_not_found", "no dossier has this id");
        else
            reply_err(resp, &err);
        return;
    }
    reply_json(resp, 200, body, len);
}

static void h_output(struct sohoa_api_server *s, const char *id, const char *doc,
                     enum sohoa_output what, struct sohoa_http_resp *resp)
{
    struct sohoa_err err;
    sohoa_err_clear(&err);
    char *path = NULL;
    bool is_temp = false;
    if (sohoa_service_output(s->svc, id, doc, what, &path, &is_temp, &err) < 0) {
        reply_err(resp, &err);
        return;
    }
    resp->status = 200;
    resp->content_type = what == SOHOA_OUTPUT_PDF ? "application/pdf" : "text/plain; charset=utf-8";
    resp->file_path = path;
    resp->file_unlink = is_temp;
}

static bool int_arg(const struct sohoa_http_req *req, const char *name, int max, int *out)
{
    const char *v = sohoa_http_query(req, name);
    if (!v)
        return true;
    char *end = NULL;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || !*v || *end || n < 0 || n > max)
        return false;
    *out = (int)n;
    return true;
}

static void h_search(struct sohoa_api_server *s, const struct sohoa_http_req *req,
                     struct sohoa_http_resp *resp)
{
    struct sohoa_search_opts o = {0};
    const char *q = sohoa_http_query(req, "q");
    const char *field = sohoa_http_query(req, "field");
    const char *value = sohoa_http_query(req, "value");
    if (!int_arg(req, "limit", SOHOA_SEARCH_MAX_LIMIT, &o.limit) ||
        !int_arg(req, "offset", SOHOA_SEARCH_MAX_OFFSET, &o.offset)) {
        reply_error(resp, 400, "bad_request", "limit (0-500) and offset (0-10000) are numbers");
        return;
    }
    o.date_from = sohoa_http_query(req, "from");
    o.date_to = sohoa_http_query(req, "to");
    if (field || value) {
        if (!field || !value) {
            reply_error(resp, 400, "bad_request", "field and value go together");
            return;
        }
        if (!strcmp(field, "department")) {
            o.department = value;
        } else if (!strcmp(field, "dossier")) {
            o.dossier_id = value;
        } else if (!strcmp(field, "type")) {
            o.doc_type = value;
        } else if (strspn(field, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(field)) {
            o.field = field; /* an extracted field (models/doctypes), value compared folded */
            o.field_value = value;
        } else {
            reply_error(resp, 400, "unsupported_field",
                        "field is department, dossier, type or an extracted field name "
                        "([a-z0-9_]+)");
            return;
        }
    }
    if ((!q || !*q) && !o.field && !o.doc_type) {
        reply_error(resp, 400, "bad_request", "q is required unless field and value filter");
        return;
    }
    struct sohoa_hits hits;
    struct sohoa_err err;
    char *body = NULL;
    size_t len = 0;
    sohoa_err_clear(&err);
    memset(&hits, 0, sizeof hits);
    int rc = sohoa_service_search(s->svc, q, &o, &hits, &err);
    if (rc == 0)
        rc = sohoa_api_json_hits(q, o.limit ? o.limit : SOHOA_SEARCH_DEFAULT_LIMIT, o.offset, &hits,
                                 &body, &len, &err);
    sohoa_hits_release(&hits);
    if (rc < 0)
        reply_err(resp, &err);
    else
        reply_json(resp, 200, body, len);
}

static void on_handle(void *arg, struct sohoa_http_req *req, struct sohoa_http_resp *resp)
{
    struct sohoa_api_server *s = arg;
    char id[SOHOA_CATALOG_ID_MAX + 1], doc[SOHOA_SHA256_HEX];
    switch (match(req->path, id, doc)) {
    case R_HEALTH: {
        char *b = strdup("{\"status\":\"ok\"}");
        reply_json(resp, 200, b, b ? strlen(b) : 0);
        break;
    }
    case R_READY:
        h_ready(s, resp);
        break;
    case R_OPENAPI:
        h_openapi(resp);
        break;
    case R_EXTRACT:
        h_extract(s, req, resp);
        break;
    case R_DOSSIERS:
        h_submit(s, req, resp);
        break;
    case R_DOSSIER:
        h_dossier(s, id, resp);
        break;
    case R_PDF:
        h_output(s, id, doc, SOHOA_OUTPUT_PDF, resp);
        break;
    case R_TEXT:
        h_output(s, id, doc, SOHOA_OUTPUT_TEXT, resp);
        break;
    case R_SEARCH:
        h_search(s, req, resp);
        break;
    case R_NONE:
        reply_error(resp, 404, "not_found", "no such route");
        break;
    }
}

/* ---- the server ----------------------------------------------------------------------------- */

int sohoa_api_webhook_dir(const struct sohoa_config *cfg, char *out, size_t outsz,
                          struct sohoa_err *err)
{
    const char *data = cfg->data_dir ? cfg->data_dir : ".";
    int n = snprintf(out, outsz, "%s/webhooks", data);
    if (n < 0 || (size_t)n >= outsz)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "the webhook outbox %s/webhooks is longer than %zu bytes: use a "
                             "shorter data-dir",
                             data, outsz - 1);
    return 0;
}

/* The service's watch thread: a submitted dossier finished; queue its webhook. */
static int on_dossier_done(void *arg, const char *id)
{
    struct sohoa_api_server *s = arg;
    if (!s->wh.url)
        return 0;
    struct sohoa_err err;
    char *body = NULL, key[SOHOA_WEBHOOK_KEY_MAX];
    size_t len = 0;
    sohoa_err_clear(&err);
    int rc = sohoa_api_dossier_body(s->svc, id, "dossier.completed", &body, &len, &err);
    if (rc == 0)
        rc = sohoa_webhook_enqueue(s->wh_dir, id, body, len, key, &err);
    free(body);
    if (rc < 0) {
        sohoa_log(SOHOA_LOG_WARN, "serve", "webhook for %s: %s (will retry)", id, err.msg);
        return rc;
    }
    sohoa_webhook_sender_kick(s->sender);
    return 0;
}

int sohoa_api_server_start(const struct sohoa_config *cfg, struct sohoa_api_server **out,
                           struct sohoa_err *err)
{
    int rc = 0;
    *out = NULL;
    if (!cfg->api_token || strlen(cfg->api_token) < 16)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "serve needs an api-token of at least 16 characters "
                             "(--api-token, SOHOA_API_TOKEN or the config file)");
    struct sohoa_api_server *s = calloc(1, sizeof *s);
    if (!s)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    s->cfg = cfg;
    if ((rc = sohoa_api_webhook_dir(cfg, s->wh_dir, sizeof s->wh_dir, err)) < 0)
        goto fail;
    s->wh.url = cfg->webhook_url && *cfg->webhook_url ? cfg->webhook_url : NULL;
    s->wh.secret = cfg->webhook_secret;
    s->wh.max_attempts = cfg->webhook_max_attempts;
    s->wh.dir = s->wh_dir;
    if ((rc = sohoa_service_open(cfg, on_dossier_done, s, &s->svc, err)) < 0)
        goto fail;
    if (s->wh.url && (rc = sohoa_webhook_sender_start(&s->wh, &s->sender, err)) < 0)
        goto fail;
    struct sohoa_http_opts ho = {
        .listen = cfg->listen ? cfg->listen : SOHOA_LISTEN_DEFAULT,
        .max_upload_bytes = cfg->max_upload_bytes,
        .max_json_bytes = SOHOA_API_JSON_MAX,
        .tmp_dir = sohoa_service_tmp_dir(s->svc),
    };
    struct sohoa_http_routes routes = {
        .arg = s, .begin = on_begin, .handle = on_handle, .error = on_error};
    if ((rc = sohoa_http_start(&ho, &routes, &s->http, err)) < 0)
        goto fail;
    *out = s;
    return 0;
fail:
    sohoa_api_server_stop(&s);
    return rc;
}

int sohoa_api_server_port(const struct sohoa_api_server *s)
{
    return sohoa_http_port(s->http);
}

void sohoa_api_server_stop(struct sohoa_api_server **sp)
{
    struct sohoa_api_server *s = *sp;
    if (!s)
        return;
    sohoa_http_stop(&s->http);
    sohoa_service_free(&s->svc); /* its watch thread may still queue a webhook: sender after */
    sohoa_webhook_sender_stop(&s->sender);
    free(s);
    *sp = NULL;
}
