/* record.c — JSON in and out of sohoa (the only file including jansson; see record.h). */
#include "workers/runtime/record.h"

#include "pipeline/base/check.h"
#include "pipeline/base/date.h"

#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_SCHEMA "https://sohoa.local/schema/record-1.json"

static int nomem(struct sohoa_err *err)
{
    return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building JSON");
}

/* Adds key → string (or null when s is NULL). */
static void put_str(json_t *o, const char *key, const char *s)
{
    json_object_set_new(o, key, s ? json_string(s) : json_null());
}

/* A JSON number, or null for NaN and infinities (jansson refuses them). */
static json_t *put_real(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int dump(json_t *root, char **out, struct sohoa_err *err)
{
    *out = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *out ? 0 : nomem(err);
}

static json_t *load(const char *json, size_t len, const char *what, struct sohoa_err *err)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        sohoa_err_set(err, SOHOA_EFORMAT, false, "%s is not valid JSON (line %d: %s)", what,
                      je.line, je.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        sohoa_err_set(err, SOHOA_EFORMAT, false, "%s must be a JSON object", what);
        return NULL;
    }
    return root;
}

/* Copies an optional string member; wrong type is an error naming the key. */
static int get_str(json_t *o, const char *key, char **dst, const char *what, struct sohoa_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "%s: \"%s\" must be a string", what, key);
    char *s = strdup(json_string_value(v));
    if (!s)
        return nomem(err);
    free(*dst);
    *dst = s;
    return 0;
}

int sohoa_dossier_meta_parse(const char *json, size_t len, struct sohoa_dossier_meta *meta,
                             struct sohoa_err *err)
{
    int rc = 0;
    json_t *root = load(json, len, "dossier.json", err);
    if (!root)
        return SOHOA_EFORMAT;
    static const struct {
        const char *key;
        size_t off;
    } fields[] = {
        {"receipt_no", offsetof(struct sohoa_dossier_meta, receipt_no)},
        {"procedure_code", offsetof(struct sohoa_dossier_meta, procedure_code)},
        {"department", offsetof(struct sohoa_dossier_meta, department)},
        {"district", offsetof(struct sohoa_dossier_meta, district)},
        {"commune", offsetof(struct sohoa_dossier_meta, commune)},
        {"received_date", offsetof(struct sohoa_dossier_meta, received_date)},
        {"source", offsetof(struct sohoa_dossier_meta, source)},
        {"title", offsetof(struct sohoa_dossier_meta, title)},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if ((rc = get_str(root, fields[i].key, (char **)((char *)meta + fields[i].off),
                          "dossier.json", err)) < 0)
            goto out;
    if (meta->received_date && !sohoa_iso_date_valid(meta->received_date)) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                           "dossier.json: \"received_date\" must be YYYY-MM-DD, not \"%s\"",
                           meta->received_date);
        goto out;
    }
    if (meta->source && strcmp(meta->source, "desk") != 0 && strcmp(meta->source, "portal") != 0 &&
        strcmp(meta->source, "archive") != 0) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                           "dossier.json: \"source\" must be desk, portal or archive, not \"%s\"",
                           meta->source);
        goto out;
    }
out:
    json_decref(root);
    return rc;
}

void sohoa_dossier_meta_release(struct sohoa_dossier_meta *m)
{
    if (!m)
        return;
    free(m->id);
    free(m->receipt_no);
    free(m->procedure_code);
    free(m->department);
    free(m->district);
    free(m->commune);
    free(m->received_date);
    free(m->source);
    free(m->title);
    memset(m, 0, sizeof *m);
}

static json_t *dossier_obj(const struct sohoa_dossier_meta *d)
{
    json_t *o = json_object();
    put_str(o, "id", d->id);
    put_str(o, "receipt_no", d->receipt_no);
    put_str(o, "procedure_code", d->procedure_code);
    put_str(o, "department", d->department);
    put_str(o, "district", d->district);
    put_str(o, "commune", d->commune);
    put_str(o, "received_date", d->received_date);
    put_str(o, "source", d->source);
    put_str(o, "title", d->title);
    return o;
}

static json_t *manifest_obj(const struct sohoa_manifest *m)
{
    json_t *o = json_object();
    put_str(o, "id", m->doc_id);
    put_str(o, "sha256", m->doc_id);
    put_str(o, "dossier_id", m->dossier_id);
    put_str(o, "name", m->name);
    json_object_set_new(o, "ordinal", json_integer(m->ordinal));
    put_str(o, "format", m->format[0] ? m->format : NULL);
    json_object_set_new(o, "pages", json_integer(m->n_pages));
    json_object_set_new(o, "size_bytes", json_integer((json_int_t)m->size));
    if (m->error_code) {
        json_t *e = json_object();
        put_str(e, "kind", sohoa_status_name(m->error_code));
        put_str(e, "message", m->error);
        json_object_set_new(o, "error", e);
    } else {
        json_object_set_new(o, "error", json_null());
    }
    return o;
}

int sohoa_dossier_to_json(const struct sohoa_dossier_meta *meta, const struct sohoa_manifest *docs,
                          size_t n, char **out, struct sohoa_err *err)
{
    *out = NULL;
    json_t *root = dossier_obj(meta);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, manifest_obj(&docs[i]));
    json_object_set_new(root, "documents", arr);
    return dump(root, out, err);
}

int sohoa_manifest_to_json(const struct sohoa_manifest *m, const struct sohoa_dossier_meta *d,
                           char **out, struct sohoa_err *err)
{
    *out = NULL;
    json_t *root = manifest_obj(m);
    json_object_set_new(root, "dossier", dossier_obj(d));
    return dump(root, out, err);
}

static int error_kind_code(const char *kind)
{
    static const int codes[] = {SOHOA_EINVAL,   SOHOA_ENOMEM,   SOHOA_EIO,       SOHOA_EFORMAT,
                                SOHOA_ELIMIT,   SOHOA_ETIMEOUT, SOHOA_ENOTFOUND, SOHOA_EENCRYPTED,
                                SOHOA_EBACKEND, SOHOA_EEMPTY,   SOHOA_ECLOSED};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (kind && strcmp(kind, sohoa_status_name(codes[i])) == 0)
            return codes[i];
    return SOHOA_EBACKEND;
}

/* Reads {"kind":..,"message":..} into code + message. */
static int get_error(json_t *o, int *code, char **msg, struct sohoa_err *err)
{
    json_t *e = json_object_get(o, "error");
    if (!json_is_object(e))
        return 0;
    *code = error_kind_code(json_string_value(json_object_get(e, "kind")));
    return get_str(e, "message", msg, "error", err);
}

int sohoa_manifest_parse(const char *json, size_t len, struct sohoa_manifest *m,
                         struct sohoa_dossier_meta *d, struct sohoa_err *err)
{
    int rc = 0;
    memset(m, 0, sizeof *m);
    memset(d, 0, sizeof *d);
    json_t *root = load(json, len, "manifest.json", err);
    if (!root)
        return SOHOA_EFORMAT;
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *fmt = json_string_value(json_object_get(root, "format"));
    if (!id || strlen(id) != 64) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "manifest.json: bad \"id\"");
        goto out;
    }
    memcpy(m->doc_id, id, 65);
    if (fmt && snprintf(m->format, sizeof m->format, "%s", fmt) >= (int)sizeof m->format) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "manifest.json: \"format\" is too long");
        goto out;
    }
    m->ordinal = (int)json_integer_value(json_object_get(root, "ordinal"));
    m->n_pages = (int)json_integer_value(json_object_get(root, "pages"));
    m->size = (uint64_t)json_integer_value(json_object_get(root, "size_bytes"));
    if ((rc = get_str(root, "dossier_id", &m->dossier_id, "manifest.json", err)) < 0 ||
        (rc = get_str(root, "name", &m->name, "manifest.json", err)) < 0 ||
        (rc = get_error(root, &m->error_code, &m->error, err)) < 0)
        goto out;
    json_t *dj = json_object_get(root, "dossier");
    if (json_is_object(dj)) {
        char *s = json_dumps(dj, 0);
        if (!s) {
            rc = nomem(err);
            goto out;
        }
        rc = sohoa_dossier_meta_parse(s, strlen(s), d, err);
        free(s);
        if (rc == 0)
            rc = get_str(dj, "id", &d->id, "manifest.json", err);
    }
out:
    json_decref(root);
    return rc;
}

void sohoa_manifest_release(struct sohoa_manifest *m)
{
    if (!m)
        return;
    free(m->dossier_id);
    free(m->name);
    free(m->error);
    memset(m, 0, sizeof *m);
}

static json_t *ms_obj(const struct sohoa_stage_ms *t)
{
    json_t *o = json_object();
    json_object_set_new(o, "decode", put_real(t->decode));
    json_object_set_new(o, "clean", put_real(t->clean));
    json_object_set_new(o, "ocr", put_real(t->ocr));
    json_object_set_new(o, "render", put_real(t->render));
    json_object_set_new(o, "store", put_real(t->store));
    json_object_set_new(o, "index", put_real(t->index));
    return o;
}

static json_t *page_obj(const struct sohoa_page_result *p)
{
    json_t *o = json_object();
    json_object_set_new(o, "page", json_integer(p->page + 1));
    put_str(o, "status", p->status);
    if (p->error_code) {
        json_t *e = json_object();
        put_str(e, "kind", sohoa_status_name(p->error_code));
        put_str(e, "message", p->error);
        json_object_set_new(o, "error", e);
    } else {
        json_object_set_new(o, "error", json_null());
    }
    json_object_set_new(o, "width", json_integer(p->width));
    json_object_set_new(o, "height", json_integer(p->height));
    json_object_set_new(o, "dpi", put_real(p->dpi));
    json_object_set_new(o, "rotation", json_integer(p->rotation));
    json_object_set_new(o, "skew", put_real(p->skew));
    json_object_set_new(o, "mean_conf", put_real(p->mean_conf));
    json_object_set_new(o, "words", json_integer(p->n_words));
    put_str(o, "image", p->image);
    json_object_set_new(o, "timings_ms", ms_obj(&p->ms));
    return o;
}

int sohoa_page_result_to_json(const struct sohoa_page_result *p, char **out, struct sohoa_err *err)
{
    *out = NULL;
    return dump(page_obj(p), out, err);
}

static double num(json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

int sohoa_page_result_parse(const char *json, size_t len, struct sohoa_page_result *p,
                            struct sohoa_err *err)
{
    memset(p, 0, sizeof *p);
    json_t *root = load(json, len, "page.json", err);
    if (!root)
        return SOHOA_EFORMAT;
    int rc = 0;
    p->page = (int)json_integer_value(json_object_get(root, "page")) - 1;
    const char *st = json_string_value(json_object_get(root, "status"));
    p->status = st && !strcmp(st, "ok") ? "ok" : st && !strcmp(st, "blank") ? "blank" : "failed";
    const char *img = json_string_value(json_object_get(root, "image"));
    static const char *const kinds[] = {"jpeg", "jpeg-grey", "g4"};
    p->image = NULL;
    for (size_t i = 0; img && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(img, kinds[i]) == 0)
            p->image = kinds[i];
    p->width = (int)json_integer_value(json_object_get(root, "width"));
    p->height = (int)json_integer_value(json_object_get(root, "height"));
    p->dpi = num(root, "dpi");
    p->rotation = (int)json_integer_value(json_object_get(root, "rotation"));
    p->skew = num(root, "skew");
    p->mean_conf = num(root, "mean_conf");
    p->n_words = (int)json_integer_value(json_object_get(root, "words"));
    json_t *t = json_object_get(root, "timings_ms");
    p->ms.decode = num(t, "decode");
    p->ms.clean = num(t, "clean");
    p->ms.ocr = num(t, "ocr");
    p->ms.render = num(t, "render");
    p->ms.store = num(t, "store");
    p->ms.index = num(t, "index");
    rc = get_error(root, &p->error_code, &p->error, err);
    json_decref(root);
    return rc;
}

void sohoa_page_result_release(struct sohoa_page_result *p)
{
    if (!p)
        return;
    free(p->error);
    memset(p, 0, sizeof *p);
}

/* The document's extraction with "error": null, or, when it failed, an "unknown" one with its
 * error; NULL when the record has none. */
static json_t *extraction_obj(const struct sohoa_record_info *info)
{
    json_t *x = NULL;
    if (info->extraction) {
        x = json_loads(info->extraction, 0, NULL);
        if (json_is_object(x)) {
            json_object_set_new(x, "error", json_null());
            return x;
        }
        json_decref(x);
    }
    if (!info->extraction && !info->extraction_error)
        return NULL;
    x = json_object();
    put_str(x, "type", "unknown");
    json_object_set_new(x, "score", json_null());
    json_object_set_new(x, "pages", json_array());
    json_object_set_new(x, "fields", json_object());
    json_object_set_new(x, "validation", json_array());
    json_object_set_new(x, "quality", json_array());
    json_object_set_new(x, "barcodes", json_array());
    json_t *e = json_object();
    const struct sohoa_err *xe = info->extraction_error;
    put_str(e, "kind", sohoa_status_name(xe ? xe->code : SOHOA_EFORMAT));
    put_str(e, "message", xe ? xe->msg : "the extraction could not be read back");
    json_object_set_new(x, "error", e);
    return x;
}

int sohoa_record_to_json(const struct sohoa_manifest *m, const struct sohoa_dossier_meta *d,
                         const struct sohoa_page_result *pages, const char *const *texts, size_t n,
                         const struct sohoa_record_info *info, char **out, struct sohoa_err *err)
{
    *out = NULL;
    json_t *root = json_object();
    put_str(root, "$schema", RECORD_SCHEMA);
    json_object_set_new(root, "record_version", json_integer(1));
    json_object_set_new(root, "dossier", dossier_obj(d));
    json_t *doc = manifest_obj(m);
    put_str(doc, "status", info->status);
    put_str(doc, "searchable_pdf", info->pdf_key);
    put_str(doc, "text", info->text_key);
    json_object_set_new(doc, "pdf_bytes", json_integer((json_int_t)info->pdf_bytes));
    struct sohoa_stage_ms sum = {0};
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *po = page_obj(&pages[i]);
        put_str(po, "text", texts && texts[i] ? texts[i] : "");
        json_array_append_new(arr, po);
        sum.decode += pages[i].ms.decode;
        sum.clean += pages[i].ms.clean;
        sum.ocr += pages[i].ms.ocr;
        sum.render += pages[i].ms.render;
        sum.store += pages[i].ms.store;
        sum.index += pages[i].ms.index;
    }
    json_object_set_new(doc, "pages", arr);
    json_t *timings = ms_obj(&sum);
    json_object_set_new(timings, "assemble", put_real(info->assemble_ms));
    json_object_set_new(doc, "timings_ms", timings);
    json_t *x = extraction_obj(info);
    if (x)
        json_object_set_new(doc, "extraction", x);
    json_t *versions = json_array();
    for (size_t i = 0; i < sizeof info->versions / sizeof info->versions[0] && info->versions[i];
         i++)
        json_array_append_new(versions, json_string(info->versions[i]));
    json_object_set_new(root, "software", versions);
    json_object_set_new(root, "document", doc);
    if (!root || !doc)
        return nomem(err);
    return dump(root, out, err);
}

int sohoa_dossier_summary_to_json(const struct sohoa_dossier_summary *s, char **out,
                                  struct sohoa_err *err)
{
    *out = NULL;
    json_t *root = json_object(), *docs = json_array();
    if (!root || !docs) {
        json_decref(root);
        json_decref(docs);
        return nomem(err);
    }
    put_str(root, "dossier_id", s->dossier_id);
    put_str(root, "procedure_code", s->procedure_code);
    for (size_t i = 0; i < s->n_docs; i++) {
        json_t *d = json_object();
        put_str(d, "id", s->docs[i].id);
        put_str(d, "name", s->docs[i].name);
        put_str(d, "status", s->docs[i].status);
        put_str(d, "type", s->docs[i].type);
        json_array_append_new(docs, d);
    }
    json_object_set_new(root, "documents", docs);
    if (s->procedure_code) {
        json_t *c = json_object(), *missing = json_array();
        put_str(c, "procedure_code", s->procedure_code);
        json_object_set_new(c, "known", json_boolean(s->known));
        json_object_set_new(c, "complete", json_boolean(s->known && s->n_missing == 0));
        for (size_t i = 0; i < s->n_missing; i++)
            json_array_append_new(missing, json_string(s->missing[i]));
        json_object_set_new(c, "missing", missing);
        put_str(c, "level", sohoa_check_severity_name((enum sohoa_check_severity)s->severity));
        put_str(c, "code", s->code);
        put_str(c, "message_vi", s->msg_vi);
        put_str(c, "message_en", s->msg_en);
        json_object_set_new(root, "completeness", c);
    } else {
        json_object_set_new(root, "completeness", json_null());
    }
    return dump(root, out, err);
}

/* ---- job messages ------------------------------------------------------------------------------
 * {"v":1,"kind":"page"|"doc","lane":"interactive"|"bulk","doc":"<64 hex>","page":0,"pages":3,
 *  "format":"pdf","attempt":1} — compact, one line; see workers/runtime/QUEUE.md. */

int sohoa_job_to_json(const struct sohoa_job *job, char **out, struct sohoa_err *err)
{
    *out = NULL;
    json_t *o = json_object();
    if (!o)
        return nomem(err);
    json_object_set_new(o, "v", json_integer(SOHOA_JOB_FORMAT_VERSION));
    put_str(o, "kind", job->kind == SOHOA_JOB_DOC ? "doc" : "page");
    put_str(o, "lane", sohoa_lane_name(job->lane));
    put_str(o, "doc", job->doc_id);
    json_object_set_new(o, "page", json_integer(job->page));
    json_object_set_new(o, "pages", json_integer(job->n_pages));
    put_str(o, "format", job->format);
    json_object_set_new(o, "attempt", json_integer(job->attempt));
    *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *out ? 0 : nomem(err);
}

static int job_int(json_t *o, const char *key, long long min, long long max, int *dst,
                   struct sohoa_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "job message: \"%s\" must be a whole number from %lld to %lld", key,
                             min, max);
    *dst = (int)json_integer_value(v);
    return 0;
}

static const char *job_str(json_t *o, const char *key, size_t max, struct sohoa_err *err)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || json_string_length(v) > max) {
        sohoa_err_set(err, SOHOA_EFORMAT, false,
                      "job message: \"%s\" must be a string of at most %zu bytes", key, max);
        return NULL;
    }
    return json_string_value(v);
}

int sohoa_job_from_json(const char *json, size_t len, struct sohoa_job *job, struct sohoa_err *err)
{
    int rc = SOHOA_EFORMAT, version = 0;
    memset(job, 0, sizeof *job);
    json_t *o = load(json, len, "job message", err);
    if (!o)
        return SOHOA_EFORMAT;
    if (job_int(o, "v", 1, 1 << 30, &version, err) < 0)
        goto out;
    if (version > SOHOA_JOB_FORMAT_VERSION) {
        sohoa_err_set(err, SOHOA_EFORMAT, false,
                      "job message version %d is newer than this sohoa understands (%d)", version,
                      SOHOA_JOB_FORMAT_VERSION);
        goto out;
    }
    const char *kind = job_str(o, "kind", 8, err);
    const char *lane = kind ? job_str(o, "lane", 16, err) : NULL;
    const char *doc = lane ? job_str(o, "doc", 64, err) : NULL;
    const char *format = doc ? job_str(o, "format", sizeof job->format - 1, err) : NULL;
    if (!format)
        goto out;
    if (strcmp(kind, "page") == 0)
        job->kind = SOHOA_JOB_PAGE;
    else if (strcmp(kind, "doc") == 0)
        job->kind = SOHOA_JOB_DOC;
    else {
        sohoa_err_set(err, SOHOA_EFORMAT, false, "job message: unknown kind \"%s\"", kind);
        goto out;
    }
    if (sohoa_lane_parse(lane, &job->lane) < 0) {
        sohoa_err_set(err, SOHOA_EFORMAT, false, "job message: unknown lane \"%s\"", lane);
        goto out;
    }
    if (strlen(doc) != 64 || strspn(doc, "0123456789abcdef") != 64) {
        sohoa_err_set(err, SOHOA_EFORMAT, false,
                      "job message: \"doc\" must be 64 lower-case hex digits");
        goto out;
    }
    memcpy(job->doc_id, doc, 65);
    (void)snprintf(job->format, sizeof job->format, "%s", format); /* length checked above */
    if (job_int(o, "pages", 1, 1 << 24, &job->n_pages, err) < 0 ||
        job_int(o, "page", 0, job->n_pages - 1, &job->page, err) < 0 ||
        job_int(o, "attempt", 1, 1 << 20, &job->attempt, err) < 0)
        goto out;
    rc = 0;
out:
    json_decref(o);
    if (rc < 0)
        memset(job, 0, sizeof *job);
    return rc;
}
