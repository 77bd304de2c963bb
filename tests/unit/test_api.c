/* test_api.c — the HTTP API over real HTTP (libcurl as the client) against the server `sohoa
 * serve` runs, started in-process on a free port of 127.0.0.1 with its own data directory and
 * one worker: every error the API promises (401, 404, 405, 413, 415, 400 malformed JSON and
 * others) and the happy paths (extract a page and read its text; submit a dossier, poll it to
 * done, find it by search, download its PDF and text; a completed dossier's webhook reaches a
 * receiver). The pages are line images of the shared corpus (vn-lines, with their ground truth).
 * Every JSON answer, the webhook's body and the schemas' own examples are checked against the
 * served models/openapi.json (required keys, types, enums, nullable, no undescribed key).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workers/api/api.h"
#include "workers/runtime/config.h"
#include "workers/api/http.h"

#define TOKEN "test-token-0123456789"
#define LINES SOHOA_CORPUS_DIR "/vn-lines/clean/"
#define CCCD  SOHOA_TEST_DATA "/api/cccd_front" /* .jpg and its field truth .json */
/* another card for the dossier (the same content would be the earlier upload's document) */
#define CCCD2 SOHOA_TEST_DATA "/api/cccd_front_grey" /* .png and .json */

/* The generator's truth for field `name` of a committed CCCD front `card` (malloc'd). */
static char *cccd_truth(const char *card, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s.json", card);
    json_t *t = json_load_file(path, 0, NULL);
    assert_non_null(t);
    const char *v = json_string_value(json_object_get(json_object_get(t, "fields"), name));
    assert_non_null(v);
    char *out = strdup(v);
    json_decref(t);
    return out;
}

/* Field `name` of an API document object `o`: its value equals `card`'s truth, from `source`. */
static void expect_field(json_t *o, const char *card, const char *name, const char *source)
{
    char *want = cccd_truth(card, name);
    json_t *f = json_object_get(json_object_get(o, "fields"), name);
    if (!f)
        fail_msg("no field %s in %s", name, json_dumps(o, JSON_COMPACT));
    assert_string_equal(json_string_value(json_object_get(f, "value")), want);
    assert_string_equal(json_string_value(json_object_get(f, "source")), source);
    free(want);
}

static char tmpdir[256];
static char base[128];
static struct sohoa_config cfg;
static struct sohoa_api_server *srv;

/* the webhook receiver: counts deliveries of completed dossiers */
static struct sohoa_http_server *hook;
static pthread_mutex_t hook_mu = PTHREAD_MUTEX_INITIALIZER;
static int hook_calls;
static char hook_body[1 << 16];

struct reply {
    long status;
    char *body;
    size_t len;
    char location[256];
    char allow[64];
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    char *nb = realloc(r->body, r->len + size * n + 1);
    assert_non_null(nb);
    memcpy(nb + r->len, p, size * n);
    r->len += size * n;
    nb[r->len] = '\0';
    r->body = nb;
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    size_t len = size * n;
    if (len > 10 && !strncasecmp(p, "Location: ", 10))
        snprintf(r->location, sizeof r->location, "%.*s", (int)strcspn(p + 10, "\r\n"), p + 10);
    if (len > 7 && !strncasecmp(p, "Allow: ", 7))
        snprintf(r->allow, sizeof r->allow, "%.*s", (int)strcspn(p + 7, "\r\n"), p + 7);
    return len;
}

/* One request. `token` NULL sends none; `ctype` and `body` give a raw body; `mime` a form. */
static struct reply request(const char *method, const char *path, const char *token,
                            const char *ctype, const char *body, size_t len, curl_mime *mime,
                            bool chunked)
{
    struct reply r = {0};
    char url[512], auth[128], ct[128];
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    snprintf(url, sizeof url, "%s%s", base, path);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (ctype) {
        snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        h = curl_slist_append(h, ct);
    }
    if (chunked)
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 300L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    if (mime)
        curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return r;
}

static struct reply get(const char *path)
{
    return request("GET", path, TOKEN, NULL, NULL, 0, NULL, false);
}

/* ---- responses against the served models/openapi.json ---------------------------------------
 * What the schemas say, checked on real answers: $ref (to components/schemas), allOf, nullable,
 * type, enum, required, properties, additionalProperties and items; and no key that the schema
 * (with its allOf parts) does not describe. */
static json_t *openapi;

static json_t *resolve(json_t *schema)
{
    const char *prefix = "#/components/schemas/";
    const char *r = json_string_value(json_object_get(schema, "$ref"));
    if (!r)
        return schema;
    if (strncmp(r, prefix, strlen(prefix)) != 0)
        fail_msg("unsupported $ref %s", r);
    json_t *s = json_object_get(json_object_get(json_object_get(openapi, "components"), "schemas"),
                                r + strlen(prefix));
    if (!s)
        fail_msg("dangling $ref %s", r);
    return s;
}

static bool has_type(const char *t, json_t *v)
{
    return !strcmp(t, "object")    ? json_is_object(v)
           : !strcmp(t, "array")   ? json_is_array(v)
           : !strcmp(t, "string")  ? json_is_string(v)
           : !strcmp(t, "integer") ? json_is_integer(v)
           : !strcmp(t, "number")  ? json_is_number(v)
           : !strcmp(t, "boolean") ? json_is_boolean(v)
                                   : false;
}

/* Whether `key` is a property of `schema` or of one of its allOf parts, or extra keys are open. */
static bool describes(json_t *schema, const char *key)
{
    schema = resolve(schema);
    if (json_object_get(json_object_get(schema, "properties"), key) ||
        json_object_get(schema, "additionalProperties"))
        return true;
    size_t i;
    json_t *part;
    bool found = false;
    json_array_foreach(json_object_get(schema, "allOf"), i, part) found =
        found || describes(part, key);
    return found;
}

static void conforms(json_t *schema, json_t *v, const char *path, bool whole)
{
    char sub[256];
    size_t i;
    json_t *s;
    schema = resolve(schema);
    if (json_is_null(v) && json_is_true(json_object_get(schema, "nullable")))
        return;
    json_array_foreach(json_object_get(schema, "allOf"), i, s) conforms(s, v, path, false);
    const char *type = json_string_value(json_object_get(schema, "type"));
    json_t *choices = json_object_get(schema, "enum");
    bool listed = !choices;
    json_array_foreach(choices, i, s) listed = listed || json_equal(s, v);
    if ((type && !has_type(type, v)) || !listed)
        fail_msg("%s: %s does not fit %s", path, json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT),
                 json_dumps(schema, JSON_COMPACT));
    json_array_foreach(json_object_get(schema, "required"), i, s)
    {
        if (json_is_object(v) && !json_object_get(v, json_string_value(s)))
            fail_msg("%s: no \"%s\"", path, json_string_value(s));
    }
    const char *key;
    json_t *m;
    json_object_foreach(v, key, m)
    {
        snprintf(sub, sizeof sub, "%s.%s", path, key);
        json_t *ps = json_object_get(json_object_get(schema, "properties"), key);
        json_t *extra = json_object_get(schema, "additionalProperties");
        if (ps)
            conforms(ps, m, sub, true);
        else if (json_is_object(extra))
            conforms(extra, m, sub, true);
        else if (whole && !describes(schema, key))
            fail_msg("%s is not in the schema", sub);
    }
    json_t *items = json_object_get(schema, "items");
    json_array_foreach(items ? v : NULL, i, m)
    {
        snprintf(sub, sizeof sub, "%s[%zu]", path, i);
        conforms(items, m, sub, true);
    }
}

/* Fails unless `v` fits components/schemas/`name` of the document the server serves. */
static void expect_schema(json_t *v, const char *name)
{
    if (!openapi) {
        struct reply r = request("GET", "/v1/openapi.json", NULL, NULL, NULL, 0, NULL, false);
        assert_int_equal(r.status, 200);
        openapi = json_loads(r.body ? r.body : "", 0, NULL);
        free(r.body);
        assert_non_null(openapi);
    }
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/schemas/%s", name);
    json_t *schema = json_pack("{s:s}", "$ref", ref);
    conforms(schema, v, name, true);
    json_decref(schema);
}

/* The error code of an {"error": {"code": …}} body; fails the test on any other shape. */
static void expect_error(struct reply r, long status, const char *code)
{
    if (r.status != status)
        fail_msg("expected %ld, got %ld: %s", status, r.status, r.body ? r.body : "");
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    assert_non_null(j);
    const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
    const char *m = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(m);
    assert_true(strlen(m) > 0);
    assert_non_null(c);
    assert_string_equal(c, code);
    expect_schema(j, "Error");
    json_decref(j);
    free(r.body);
}

static json_t *expect_json(struct reply r, long status)
{
    if (r.status != status)
        fail_msg("expected %ld, got %ld: %s", status, r.status, r.body ? r.body : "");
    json_t *j = json_loads(r.body ? r.body : "", 0, NULL);
    assert_non_null(j);
    free(r.body);
    return j;
}

static int hook_begin(void *arg, const struct sohoa_http_req *req, enum sohoa_http_body *body,
                      struct sohoa_http_resp *resp)
{
    (void)arg;
    (void)req;
    (void)resp;
    *body = SOHOA_HTTP_BODY_MEMORY;
    return 0;
}

static void hook_handle(void *arg, struct sohoa_http_req *req, struct sohoa_http_resp *resp)
{
    (void)arg;
    pthread_mutex_lock(&hook_mu);
    hook_calls++;
    snprintf(hook_body, sizeof hook_body, "%s", req->body ? req->body : "");
    pthread_mutex_unlock(&hook_mu);
    sohoa_http_resp_set(resp, 204, NULL, NULL, 0);
}

static void hook_error(void *arg, int status, const char *code, const char *message,
                       struct sohoa_http_resp *resp)
{
    (void)arg;
    (void)code;
    (void)message;
    sohoa_http_resp_set(resp, status, NULL, NULL, 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sohoa-test-api-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    struct sohoa_err err;
    sohoa_err_clear(&err);
    struct sohoa_http_opts ho = {.listen = "127.0.0.1:0",
                                 .max_upload_bytes = 1 << 20,
                                 .max_json_bytes = 1 << 20,
                                 .tmp_dir = tmpdir};
    struct sohoa_http_routes hr = {.begin = hook_begin, .handle = hook_handle, .error = hook_error};
    assert_int_equal(sohoa_http_start(&ho, &hr, &hook, &err), 0);
    char data[300], hook_url[64], hook_port[16];
    snprintf(data, sizeof data, "%s/data", tmpdir);
    snprintf(hook_port, sizeof hook_port, "%d", sohoa_http_port(hook));
    snprintf(hook_url, sizeof hook_url, "http://127.0.0.1:%s/hook", hook_port);
    char *argv[] = {"serve",       "--data-dir",         data,      "--listen",
                    "127.0.0.1:0", "--api-token",        TOKEN,     "--workers",
                    "1",           "--max-upload-bytes", "2000000", "--webhook-url",
                    hook_url,      "--webhook-secret",   "s3cret",  NULL};
    int rest = 0;
    sohoa_config_init(&cfg);
    assert_int_equal(sohoa_config_from_args(&cfg, 15, argv, &rest, &err), 0);
    assert_int_equal(rest, 0);
    if (sohoa_api_server_start(&cfg, &srv, &err) < 0)
        fail_msg("%s", err.msg);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", sohoa_api_server_port(srv));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sohoa_api_server_stop(&srv);
    sohoa_http_stop(&hook);
    sohoa_config_release(&cfg);
    json_decref(openapi);
    openapi = NULL;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static void test_public_and_errors(void **state)
{
    (void)state;
    json_t *j = expect_json(request("GET", "/healthz", NULL, NULL, NULL, 0, NULL, false), 200);
    expect_schema(j, "Status");
    json_decref(j);
    j = expect_json(request("GET", "/readyz", NULL, NULL, NULL, 0, NULL, false), 200);
    expect_schema(j, "Status");
    json_decref(j);
    j = expect_json(request("GET", "/v1/openapi.json", NULL, NULL, NULL, 0, NULL, false), 200);
    assert_true(!strncmp(json_string_value(json_object_get(j, "openapi")), "3.", 2));
    /* the document's own examples fit its schemas */
    const char *name;
    json_t *schema;
    int examples = 0;
    json_object_foreach(json_object_get(json_object_get(j, "components"), "schemas"), name, schema)
    {
        json_t *example = json_object_get(schema, "example");
        if (example) {
            expect_schema(example, name);
            examples++;
        }
    }
    assert_true(examples >= 5);
    json_decref(j);

    /* 401: no token, a wrong one, a wrong scheme */
    expect_error(request("GET", "/v1/search?q=a", NULL, NULL, NULL, 0, NULL, false), 401,
                 "unauthorized");
    expect_error(
        request("GET", "/v1/search?q=a", "test-token-0123456788", NULL, NULL, 0, NULL, false), 401,
        "unauthorized");
    expect_error(request("GET", "/v1/search?q=a", "x", NULL, NULL, 0, NULL, false), 401,
                 "unauthorized");
    /* 404 unknown route, 405 wrong method */
    expect_error(get("/v1/nothing"), 404, "not_found");
    expect_error(get("/v1/dossiers/../etc"), 404, "not_found");
    struct reply r = request("DELETE", "/v1/search", TOKEN, NULL, NULL, 0, NULL, false);
    assert_string_equal(r.allow, "GET");
    expect_error(r, 405, "method_not_allowed");
    expect_error(get("/v1/extract"), 405, "method_not_allowed");
    /* 415 */
    expect_error(request("POST", "/v1/extract", TOKEN, "text/plain", "hello", 5, NULL, false), 415,
                 "unsupported_media_type");
    expect_error(request("POST", "/v1/dossiers", TOKEN, "application/json", "{}", 2, NULL, false),
                 415, "unsupported_media_type");
    /* 413: over max-upload-bytes (2 000 000), announced and chunked */
    size_t big = 3000000;
    char *junk = calloc(1, big);
    assert_non_null(junk);
    expect_error(request("POST", "/v1/extract", TOKEN, "application/pdf", junk, big, NULL, false),
                 413, "too_large");
    expect_error(request("POST", "/v1/extract", TOKEN, "application/pdf", junk, big, NULL, true),
                 413, "too_large");
    free(junk);
    /* 400: malformed JSON, metadata of the wrong type, no file, empty upload, bad paging */
    CURL *c = curl_easy_init();
    curl_mime *m = curl_mime_init(c);
    curl_mimepart *p = curl_mime_addpart(m);
    curl_mime_name(p, "metadata");
    curl_mime_data(p, "{\"receipt_no\": ", CURL_ZERO_TERMINATED);
    p = curl_mime_addpart(m);
    curl_mime_name(p, "file");
    curl_mime_filedata(p, LINES "001.png");
    expect_error(request("POST", "/v1/dossiers", TOKEN, NULL, NULL, 0, m, false), 400,
                 "malformed_json");
    curl_mime_free(m);
    m = curl_mime_init(c);
    p = curl_mime_addpart(m);
    curl_mime_name(p, "metadata");
    curl_mime_data(p, "{\"received_date\": 5}", CURL_ZERO_TERMINATED);
    p = curl_mime_addpart(m);
    curl_mime_name(p, "file");
    curl_mime_filedata(p, LINES "001.png");
    expect_error(request("POST", "/v1/dossiers", TOKEN, NULL, NULL, 0, m, false), 400,
                 "invalid_metadata");
    curl_mime_free(m);
    m = curl_mime_init(c);
    p = curl_mime_addpart(m);
    curl_mime_name(p, "metadata");
    curl_mime_data(p, "{}", CURL_ZERO_TERMINATED);
    expect_error(request("POST", "/v1/dossiers", TOKEN, NULL, NULL, 0, m, false), 400, "no_file");
    curl_mime_free(m);
    curl_easy_cleanup(c);
    expect_error(request("POST", "/v1/extract", TOKEN, "image/png", "", 0, NULL, false), 400,
                 "no_file");
    expect_error(get("/v1/search"), 400, "bad_request");
    expect_error(get("/v1/search?q=a&limit=x"), 400, "bad_request");
    expect_error(get("/v1/search?q=a&field=Colour%21&value=red"), 400, "unsupported_field");
    /* 404: unknown dossier, unknown document */
    expect_error(get("/v1/dossiers/no-such-dossier"), 404, "dossier_not_found");
    expect_error(get("/v1/dossiers/no-such-dossier/documents/"
                     "0000000000000000000000000000000000000000000000000000000000000000/pdf"),
                 404, "not_found");
    /* 422: an upload that is not a document */
    expect_error(
        request("POST", "/v1/extract", TOKEN, "application/pdf", "not a pdf", 9, NULL, false), 422,
        "unprocessable_document");
}

/* Share of the ground truth's words found in `text` (exact, with tones). */
static double words_found(const char *gt, const char *text)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", gt);
    int n = 0, found = 0;
    for (char *save = NULL, *w = strtok_r(buf, " .,", &save); w; w = strtok_r(NULL, " .,", &save))
        n++, found += strstr(text, w) != NULL;
    return n ? (double)found / n : 0;
}

static void test_extract(void **state)
{
    (void)state;
    size_t len = 0;
    FILE *f = fopen(LINES "001.png", "rb");
    assert_non_null(f);
    char *png = malloc(1 << 20);
    len = fread(png, 1, 1 << 20, f);
    fclose(f);
    json_t *j =
        expect_json(request("POST", "/v1/extract", TOKEN, "image/png", png, len, NULL, false), 200);
    free(png);
    const char *text = json_string_value(json_object_get(j, "text"));
    assert_non_null(text);
    double share = words_found("Văn bản này được ban hành theo thẩm quyền của Giám đốc Sở", text);
    printf("extract: %.0f%% of the words found in \"%s\"\n", 100 * share, text);
    assert_true(share >= 0.8);
    expect_schema(j, "Extract");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "done");
    assert_string_equal(json_string_value(json_object_get(j, "type")), "unknown");
    assert_true(json_is_object(json_object_get(j, "fields")));
    const char *pdf = json_string_value(json_object_get(json_object_get(j, "links"), "pdf"));
    assert_non_null(pdf);
    struct reply r = get(pdf);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 100 && !memcmp(r.body, "%PDF-", 5));
    free(r.body);
    json_decref(j);

    /* the same as a multipart form */
    CURL *c = curl_easy_init();
    curl_mime *m = curl_mime_init(c);
    curl_mimepart *p = curl_mime_addpart(m);
    curl_mime_name(p, "file");
    curl_mime_filedata(p, LINES "002.png");
    j = expect_json(request("POST", "/v1/extract", TOKEN, NULL, NULL, 0, m, false), 200);
    curl_mime_free(m);
    curl_easy_cleanup(c);
    text = json_string_value(json_object_get(j, "text"));
    share = words_found("Cuối tuần này tôi muốn về thăm bố mẹ ở quê", text);
    printf("extract (multipart): %.0f%% of the words found in \"%s\"\n", 100 * share, text);
    assert_true(share >= 0.8);
    json_decref(j);

    /* a generated CCCD front: its type, and the ID number read from its QR code */
    f = fopen(CCCD ".jpg", "rb");
    assert_non_null(f);
    char *jpg = malloc(1 << 20);
    len = fread(jpg, 1, 1 << 20, f);
    fclose(f);
    j = expect_json(request("POST", "/v1/extract", TOKEN, "image/jpeg", jpg, len, NULL, false),
                    200);
    free(jpg);
    expect_schema(j, "Extract");
    assert_string_equal(json_string_value(json_object_get(j, "type")), "cccd_front");
    expect_field(j, CCCD, "id_number", "qr");
    expect_field(j, CCCD, "full_name", "qr");
    assert_true(json_array_size(json_object_get(j, "validation")) > 0);
    assert_true(json_is_null(json_object_get(j, "extraction_error")));
    json_decref(j);
}

static void test_dossier_search_outputs_webhook(void **state)
{
    (void)state;
    CURL *c = curl_easy_init();
    curl_mime *m = curl_mime_init(c);
    curl_mimepart *p = curl_mime_addpart(m);
    curl_mime_name(p, "metadata");
    curl_mime_data(p,
                   "{\"receipt_no\": \"000.00.00.H30-261129-0042\", \"department\": \"Sở Tư "
                   "pháp\", \"source\": \"portal\", \"procedure_code\": \"1.001193\"}",
                   CURL_ZERO_TERMINATED);
    const char *files[] = {LINES "003.png", LINES "004.png", CCCD2 ".png"};
    for (int i = 0; i < 3; i++) {
        p = curl_mime_addpart(m);
        curl_mime_name(p, "files");
        curl_mime_filedata(p, files[i]);
    }
    struct reply r = request("POST", "/v1/dossiers", TOKEN, NULL, NULL, 0, m, false);
    curl_mime_free(m);
    curl_easy_cleanup(c);
    char loc[256];
    snprintf(loc, sizeof loc, "%s", r.location);
    json_t *j = expect_json(r, 202);
    expect_schema(j, "Accepted");
    assert_string_equal(json_string_value(json_object_get(j, "id")), "000.00.00.h30-261129-0042");
    assert_string_equal(loc, "/v1/dossiers/000.00.00.h30-261129-0042");
    json_decref(j);

    const char *status = NULL;
    for (int i = 0; i < 600; i++) { /* up to 5 minutes on a busy machine */
        j = expect_json(get(loc), 200);
        expect_schema(j, "Dossier"); /* accepted, processing and done alike */
        status = json_string_value(json_object_get(j, "status"));
        if (!strcmp(status, "done"))
            break;
        assert_true(!strcmp(status, "accepted") || !strcmp(status, "processing"));
        json_decref(j);
        j = NULL;
        usleep(500 * 1000);
    }
    assert_non_null(j);
    json_t *docs = json_object_get(j, "documents");
    assert_int_equal(json_array_size(docs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(docs, 2), "type")),
                        "cccd_front");
    expect_field(json_array_get(docs, 2), CCCD2, "id_number", "qr");
    const char *doc = json_string_value(json_object_get(json_array_get(docs, 1), "id"));
    char pdf[512], text[512];
    snprintf(pdf, sizeof pdf, "%s",
             json_string_value(
                 json_object_get(json_object_get(json_array_get(docs, 1), "links"), "pdf")));
    snprintf(text, sizeof text, "%s/documents/%s/text", loc, doc);
    json_decref(j);

    r = get(pdf);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 100 && !memcmp(r.body, "%PDF-", 5));
    free(r.body);
    r = get(text);
    assert_int_equal(r.status, 200);
    printf("dossier document 2 text: %s\n", r.body);
    free(r.body);

    /* 004.png reads "Sáng nay tôi dậy sớm để đi tập thể dục cùng con." in the ground truth */
    j = expect_json(get("/v1/search?q=the+duc&field=dossier&value=000.00.00.h30-261129-0042"), 200);
    expect_schema(j, "Hits");
    json_t *hits = json_object_get(j, "hits");
    assert_true(json_array_size(hits) >= 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(hits, 0), "dossier_id")),
                        "000.00.00.h30-261129-0042");
    json_decref(j);
    j = expect_json(get("/v1/search?q=the+duc&field=department&value=S%E1%BB%9F%20kh%C3%A1c"), 200);
    assert_int_equal(json_array_size(json_object_get(j, "hits")), 0);
    json_decref(j);

    /* the completed dossier's webhook */
    int calls = 0;
    for (int i = 0; i < 100 && calls == 0; i++) {
        pthread_mutex_lock(&hook_mu);
        calls = hook_calls;
        pthread_mutex_unlock(&hook_mu);
        usleep(100 * 1000);
    }
    assert_int_equal(calls, 1);
    j = json_loads(hook_body, 0, NULL);
    assert_non_null(j);
    expect_schema(j, "WebhookEvent");
    assert_string_equal(json_string_value(json_object_get(j, "event")), "dossier.completed");
    json_t *dossier = json_object_get(j, "dossier");
    assert_string_equal(json_string_value(json_object_get(dossier, "id")),
                        "000.00.00.h30-261129-0042");
    /* it carries the documents' fields and the dossier's completeness against its procedure
     * (1.001193 wants an application form, which this dossier lacks) */
    json_t *card = json_array_get(json_object_get(dossier, "documents"), 2);
    assert_string_equal(json_string_value(json_object_get(card, "type")), "cccd_front");
    expect_field(card, CCCD2, "id_number", "qr");
    json_t *cpl = json_object_get(dossier, "completeness");
    if (!json_is_object(cpl))
        fail_msg("no completeness in the webhook: %s", hook_body);
    assert_true(json_is_true(json_object_get(cpl, "known")));
    assert_true(json_is_false(json_object_get(cpl, "complete")));
    assert_string_equal(json_string_value(json_object_get(cpl, "code")), "dossier.missing");
    assert_true(json_array_size(json_object_get(cpl, "missing")) >= 1);
    json_decref(j);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_and_errors),
        cmocka_unit_test(test_extract),
        cmocka_unit_test(test_dossier_search_outputs_webhook),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
