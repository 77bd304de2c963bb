/* api_json.c — the HTTP API's JSON bodies through jansson (see api_json.h). Records are read
 * as they are written by record.c, the extraction under document.extraction (type, score,
 * fields, validation, quality): what a record holds is passed through, what it lacks gets a
 * neutral value (type "unknown", fields {}, validation []). A dossier's completeness comes from
 * its summary.json (record.h).
 */
#include "workers/api/api_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/buf.h"

/* The cap on a document's text as one string (its pages joined by form feeds). */
#define DOC_TEXT_MAX (1u << 30)

static int nomem(struct sohoa_err *err)
{
    return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
}

/* Serialises and frees `root`. */
static int dump(json_t *root, char **out, size_t *len, struct sohoa_err *err)
{
    *out = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!*out)
        return nomem(err);
    if (len)
        *len = strlen(*out);
    return 0;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *sohoa_api_json_error(const char *code, const char *message)
{
    json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    char *out = NULL;
    if (dump(e, &out, NULL, NULL) < 0 || !out) {
        const char *fallback = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        return strdup(fallback);
    }
    return out;
}

int sohoa_api_json_check(const char *text, size_t len, struct sohoa_err *err)
{
    json_error_t je;
    json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (!v)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "malformed JSON at line %d column %d: %s",
                             je.line, je.column, je.text);
    json_decref(v);
    return 0;
}

/* The value `name` of the record's document object, else of the record itself. */
static json_t *pick(json_t *root, const char *name)
{
    json_t *v = json_object_get(json_object_get(root, "document"), name);
    return v ? v : json_object_get(root, name);
}

/* Adds type, type_score, fields, validation and quality, as the extractor left them in the
 * record (document.extraction), and the extraction's error when it failed. */
static void add_extraction(json_t *o, json_t *record)
{
    json_t *x = pick(record, "extraction");
    json_t *from = json_is_object(x) ? x : NULL;
    json_t *type = json_object_get(from, "type");
    json_t *score = json_object_get(from, "score");
    json_object_set_new(o, "type", json_is_string(type) ? json_copy(type) : json_string("unknown"));
    json_object_set_new(o, "type_score", json_is_number(score) ? json_copy(score) : json_null());
    json_t *fields = json_object_get(from, "fields");
    json_t *validation = json_object_get(from, "validation");
    json_t *quality = json_object_get(from, "quality");
    json_t *xerr = json_object_get(from, "error");
    json_object_set_new(o, "fields", fields ? json_deep_copy(fields) : json_object());
    json_object_set_new(o, "validation", validation ? json_deep_copy(validation) : json_array());
    json_object_set_new(o, "quality", quality ? json_deep_copy(quality) : json_array());
    json_object_set_new(o, "extraction_error", xerr ? json_deep_copy(xerr) : json_null());
}

/* Dossier ids are at most SOHOA_CATALOG_ID_MAX (200) bytes, document ids 64: the links fit. */
static json_t *links(const char *dossier_id, const char *doc_id)
{
    char buf[512];
    json_t *l = json_object();
    (void)snprintf(buf, sizeof buf, "/v1/dossiers/%s/documents/%s/pdf", dossier_id, doc_id);
    json_object_set_new(l, "pdf", json_string(buf));
    (void)snprintf(buf, sizeof buf, "/v1/dossiers/%s/documents/%s/text", dossier_id, doc_id);
    json_object_set_new(l, "text", json_string(buf));
    (void)snprintf(buf, sizeof buf, "/v1/dossiers/%s", dossier_id);
    json_object_set_new(l, "dossier", json_string(buf));
    return l;
}

/* Pages of a record without their text; the texts joined with form feeds into *text. */
static json_t *pages_of(json_t *record, json_t **text)
{
    json_t *out = json_array();
    json_t *pages = json_object_get(json_object_get(record, "document"), "pages");
    size_t i;
    json_t *p;
    struct sohoa_buf joined = SOHOA_BUF_INIT(DOC_TEXT_MAX);
    json_array_foreach(pages, i, p)
    {
        json_t *c = json_object();
        const char *keys[] = {"page", "status", "error", "mean_conf", "rotation", "skew", "dpi"};
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            json_t *v = json_object_get(p, keys[k]);
            if (v)
                json_object_set_new(c, keys[k], json_deep_copy(v));
        }
        json_array_append_new(out, c);
        const char *t = json_string_value(json_object_get(p, "text"));
        if (i > 0)
            (void)sohoa_buf_addc(&joined, '\f');
        (void)sohoa_buf_adds(&joined, t ? t : ""); /* out of memory: the text as far as it got */
    }
    if (text)
        *text = json_string(joined.data ? joined.data : "");
    sohoa_buf_release(&joined);
    return out;
}

static json_t *load_record(const char *record)
{
    return record ? json_loads(record, 0, NULL) : NULL;
}

int sohoa_api_json_extract(const char *dossier_id, const char *doc_id, enum sohoa_doc_status status,
                           const char *record, char **out, size_t *len, struct sohoa_err *err)
{
    *out = NULL;
    json_t *rec = load_record(record);
    json_t *o = json_object();
    const char *dossier = dossier_id; /* holds it, even when the same content came before */
    json_object_set_new(o, "document_id", json_string(doc_id));
    json_object_set_new(o, "dossier_id", json_string(dossier));
    json_object_set_new(o, "status", json_string(sohoa_doc_status_name(status)));
    add_extraction(o, rec);
    json_t *text = NULL;
    json_object_set_new(o, "pages", pages_of(rec, &text));
    json_object_set_new(o, "text", text);
    json_t *e = json_object_get(json_object_get(rec, "document"), "error");
    json_object_set_new(o, "error", e ? json_deep_copy(e) : json_null());
    json_object_set_new(o, "links", links(dossier, doc_id));
    json_decref(rec);
    return dump(o, out, len, err);
}

void sohoa_api_json_failure(const char *record, char *out, size_t outsz)
{
    json_t *rec = load_record(record);
    json_t *e = json_object_get(json_object_get(rec, "document"), "error");
    const char *m = json_string_value(json_object_get(e, "message"));
    (void)snprintf(out, outsz, "%s", m ? m : ""); /* a message: a cut is fine */
    json_decref(rec);
}

static json_t *metadata(const struct sohoa_dossier *d)
{
    json_t *m = json_object();
    json_object_set_new(m, "receipt_no", str_or_null(d->receipt_no));
    json_object_set_new(m, "procedure_code", str_or_null(d->procedure_code));
    json_object_set_new(m, "department", str_or_null(d->department));
    json_object_set_new(m, "district", str_or_null(d->district));
    json_object_set_new(m, "commune", str_or_null(d->commune));
    json_object_set_new(m, "received_date", str_or_null(d->received_date));
    json_object_set_new(m, "source", json_string(sohoa_source_name(d->source)));
    json_object_set_new(m, "title", str_or_null(d->title));
    return m;
}

static json_t *document(const char *dossier_id, const struct sohoa_document_info *di,
                        const char *record)
{
    json_t *o = json_object();
    json_t *rec = load_record(record);
    json_object_set_new(o, "id", json_string(di->id));
    json_object_set_new(o, "name", str_or_null(di->doc.name));
    json_object_set_new(o, "ordinal", json_integer(di->doc.ordinal));
    json_object_set_new(o, "same_as", di->same_as ? json_integer(di->same_as) : json_null());
    json_object_set_new(o, "added_at", str_or_null(di->added_at));
    json_object_set_new(o, "format", str_or_null(di->doc.format));
    json_object_set_new(o, "status", json_string(sohoa_doc_status_name(di->doc.status)));
    json_object_set_new(o, "error", str_or_null(di->doc.error));
    json_object_set_new(o, "pages", json_integer(di->doc.n_pages));
    json_object_set_new(o, "pages_done", json_integer(di->pages_done));
    json_object_set_new(o, "pages_failed", json_integer(di->pages_failed));
    add_extraction(o, rec);
    json_object_set_new(o, "links", links(dossier_id, di->id));
    json_decref(rec);
    return o;
}

int sohoa_api_json_dossier(const char *id, enum sohoa_dossier_state state,
                           const struct sohoa_dossier_info *info, char *const *records,
                           const char *summary, const char *event, char **out, size_t *len,
                           struct sohoa_err *err)
{
    *out = NULL;
    char self[256];
    json_t *o = json_object();
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "status", json_string(sohoa_dossier_state_name(state)));
    json_object_set_new(o, "metadata", info ? metadata(&info->dossier) : json_null());
    json_object_set_new(o, "created_at", str_or_null(info ? info->created_at : NULL));
    json_object_set_new(o, "updated_at", str_or_null(info ? info->updated_at : NULL));
    json_t *docs = json_array();
    for (size_t i = 0; info && i < info->n_docs; i++)
        json_array_append_new(docs, document(id, &info->docs[i], records ? records[i] : NULL));
    json_object_set_new(o, "documents", docs);
    json_t *sum = load_record(summary);
    json_t *c = json_object_get(sum, "completeness");
    json_object_set_new(o, "completeness", json_is_object(c) ? json_deep_copy(c) : json_null());
    json_decref(sum);
    (void)snprintf(self, sizeof self, "/v1/dossiers/%s", id); /* ids <= 200 bytes: fits */
    json_object_set_new(o, "links", json_pack("{s:s}", "self", self));
    if (event)
        o = json_pack("{s:s,s:o}", "event", event, "dossier", o);
    return dump(o, out, len, err);
}

int sohoa_api_json_hits(const char *query, int limit, int offset, const struct sohoa_hits *hits,
                        char **out, size_t *len, struct sohoa_err *err)
{
    *out = NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < hits->n; i++) {
        const struct sohoa_hit *h = &hits->v[i];
        json_t *o = json_object();
        json_object_set_new(o, "dossier_id", json_string(h->dossier_id));
        json_object_set_new(o, "document_id", json_string(h->doc_id));
        json_object_set_new(o, "document_name", str_or_null(h->doc_name));
        json_object_set_new(o, "page", json_integer(h->page_index + 1));
        json_object_set_new(o, "match", json_string(sohoa_match_name(h->match)));
        json_object_set_new(o, "score", json_real(h->score));
        json_object_set_new(o, "snippet", str_or_null(h->snippet));
        json_object_set_new(o, "links", links(h->dossier_id, h->doc_id));
        json_t *ds = json_array();
        for (size_t k = 0; k < h->n_dossiers; k++)
            json_array_append_new(ds,
                                  json_pack("{s:s,s:o,s:o}", "id", h->dossiers[k].id,
                                            "document_name", str_or_null(h->dossiers[k].doc_name),
                                            "links", links(h->dossiers[k].id, h->doc_id)));
        json_object_set_new(o, "dossiers", ds);
        json_array_append_new(arr, o);
    }
    json_t *o = json_pack("{s:s,s:i,s:i,s:o}", "query", query ? query : "", "limit", limit,
                          "offset", offset, "hits", arr);
    return dump(o, out, len, err);
}

int sohoa_api_json_accepted(const char *id, char **out, size_t *len, struct sohoa_err *err)
{
    char self[256];
    (void)snprintf(self, sizeof self, "/v1/dossiers/%s", id); /* ids <= 200 bytes: fits */
    json_t *o =
        json_pack("{s:s,s:s,s:{s:s}}", "id", id, "status", "accepted", "links", "self", self);
    return dump(o, out, len, err);
}
