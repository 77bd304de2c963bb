/* catalog.c — the backend-neutral side of the catalog: URL → backend, argument checks, text
 * preparation (normalise, strip controls, fold: page text, field values and their folded keys)
 * and query parsing before any backend runs, and the names of the enums as stored. The memory
 * of results: catalog_result.c.
 *
 * A backend plugs in with one line in `backends` below and a struct sohoa_catalog_ops.
 */
#include "storage/catalog.h"

#include "pipeline/base/date.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"

struct sohoa_catalog {
    const struct sohoa_catalog_ops *ops;
    void *state;
};

typedef int (*backend_open_fn)(const char *target, const struct sohoa_catalog_ops **ops,
                               void **state, struct sohoa_err *err);

static const struct backend {
    const char *scheme;
    backend_open_fn open; /* NULL: known scheme, backend not built yet; gets the whole URL */
} backends[] = {
    {"sqlite", sohoa_catalog_sqlite_open},
    {"postgres", sohoa_catalog_pg_open},
    {"postgresql", sohoa_catalog_pg_open},
};

/* ---- names --------------------------------------------------------------------------------- */

static const char *const source_names[] = {"desk", "portal", "archive"};
static const char *const doc_status_names[] = {"processing", "assembling", "done", "partial",
                                               "failed"};
static const char *const page_status_names[] = {"ok", "blank", "failed"};
static const char *const match_names[] = {"exact", "folded", "filter"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *name_of(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n ? names[v] : "?";
}

static int parse_name(const char *const *names, size_t n, const char *s, int *out)
{
    for (size_t i = 0; s && i < n; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (int)i;
            return 0;
        }
    }
    return SOHOA_EINVAL;
}

const char *sohoa_source_name(enum sohoa_source s)
{
    return name_of(source_names, N_OF(source_names), (int)s);
}

const char *sohoa_doc_status_name(enum sohoa_doc_status s)
{
    return name_of(doc_status_names, N_OF(doc_status_names), (int)s);
}

const char *sohoa_page_status_name(enum sohoa_page_status s)
{
    return name_of(page_status_names, N_OF(page_status_names), (int)s);
}

const char *sohoa_match_name(enum sohoa_match m)
{
    return name_of(match_names, N_OF(match_names), (int)m);
}

int sohoa_source_parse(const char *name, enum sohoa_source *out)
{
    int v = 0, rc = parse_name(source_names, N_OF(source_names), name, &v);
    *out = (enum sohoa_source)v;
    return rc;
}

int sohoa_doc_status_parse(const char *name, enum sohoa_doc_status *out)
{
    int v = 0, rc = parse_name(doc_status_names, N_OF(doc_status_names), name, &v);
    *out = (enum sohoa_doc_status)v;
    return rc;
}

int sohoa_page_status_parse(const char *name, enum sohoa_page_status *out)
{
    int v = 0, rc = parse_name(page_status_names, N_OF(page_status_names), name, &v);
    *out = (enum sohoa_page_status)v;
    return rc;
}

/* ---- argument checks ----------------------------------------------------------------------- */

static int check_id(const char *what, const char *s, struct sohoa_err *err)
{
    if (!s || !*s)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s is missing", what);
    size_t n = strnlen(s, SOHOA_CATALOG_ID_MAX + 1);
    if (n > SOHOA_CATALOG_ID_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "%s is longer than %d bytes", what,
                             SOHOA_CATALOG_ID_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x20 || b == 0x7F)
            return sohoa_err_set(err, SOHOA_EINVAL, false, "%s holds a control character", what);
    }
    return 0;
}

static int check_doc_id(const char *s, struct sohoa_err *err)
{
    size_t n = s ? strnlen(s, 65) : 0;
    bool ok = n == 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f');
    if (!ok)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document id must be 64 lower-case hex digits (SHA-256)");
    return 0;
}

/* NULL is fine (unknown); otherwise a real calendar date written YYYY-MM-DD. */
static int check_date(const char *what, const char *s, struct sohoa_err *err)
{
    if (s && !sohoa_iso_date_valid(s))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s \"%.16s\" is not a YYYY-MM-DD date",
                             what, s);
    return 0;
}

static bool in_range(int v, int n)
{
    return v >= 0 && v < n;
}

/* A field name or a document type: [a-z0-9_]+, at most SOHOA_CATALOG_FIELD_NAME_MAX bytes. */
static int check_name(const char *what, const char *s, struct sohoa_err *err)
{
    size_t n = s ? strnlen(s, SOHOA_CATALOG_FIELD_NAME_MAX + 1) : 0;
    if (n == 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s is missing", what);
    if (n > SOHOA_CATALOG_FIELD_NAME_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "%s is longer than %d bytes", what,
                             SOHOA_CATALOG_FIELD_NAME_MAX);
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return sohoa_err_set(err, SOHOA_EINVAL, false,
                                 "%s \"%.48s\" may hold only a-z, 0-9 and _", what, s);
    return 0;
}

/* A backend written against an older contract lacks a member: say so instead of calling it. */
static int need_version(const struct sohoa_catalog *cat, int version, const char *what,
                        struct sohoa_err *err)
{
    if (cat->ops->version >= version)
        return 0;
    return sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog backend %s cannot %s", cat->ops->name,
                         what);
}

/* `len` bytes of `s` made canonical (vn_normalize, controls stripped) into a malloc'd *out. */
static int canonical(const char *s, size_t len, char **out, struct sohoa_err *err)
{
    int rc = vn_normalize(s, len, out, err);
    if (rc == 0)
        sohoa_text_strip_controls(*out);
    return rc;
}

/* ---- open / free --------------------------------------------------------------------------- */

/* Scheme of "scheme://..." into `scheme` (lower-case letters, digits, + . -), or "" for none. */
static void url_scheme(const char *url, char *scheme, size_t cap)
{
    size_t n = 0;
    scheme[0] = '\0';
    while (url[n] && n + 1 < cap &&
           ((url[n] >= 'a' && url[n] <= 'z') ||
            (n > 0 && ((url[n] >= '0' && url[n] <= '9') || strchr("+.-", url[n])))))
        n++;
    if (n > 0 && strncmp(url + n, "://", 3) == 0) {
        memcpy(scheme, url, n);
        scheme[n] = '\0';
    }
}

int sohoa_catalog_open(const char *url, struct sohoa_catalog **out, struct sohoa_err *err)
{
    struct sohoa_catalog *cat = NULL;
    const struct backend *be = &backends[0];
    const char *target = url;
    char scheme[32];
    int rc = 0;

    if (out)
        *out = NULL;
    if (!url || !*url || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "catalog URL is missing");

    url_scheme(url, scheme, sizeof scheme);
    if (strncmp(url, "sqlite:", 7) == 0) {
        target = url + 7;
    } else if (scheme[0]) {
        be = NULL;
        for (size_t i = 0; i < N_OF(backends); i++)
            if (strcmp(backends[i].scheme, scheme) == 0)
                be = &backends[i];
        if (!be || !be->open)
            return sohoa_err_set(err, SOHOA_EINVAL, false,
                                 "catalog URL scheme \"%s\" is not supported by this build",
                                 scheme);
    }
    if (!*target)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "catalog URL \"%s\" names no database", url);

    cat = calloc(1, sizeof *cat);
    if (!cat)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory opening catalog");
    rc = be->open(target, &cat->ops, &cat->state, err);
    if (rc)
        goto out;
    const struct sohoa_catalog_ops *o = cat->ops;
    if (o->version < 1 || (o->version >= 2 && !o->put_fields) ||
        (o->version >= 3 && (!o->admit_document || !o->remove_document || !o->doc_dossiers ||
                             !o->claim_assembly || !o->release_assembly || !o->stalled))) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog backend %s: bad ops version %d",
                           cat->ops->name, cat->ops->version);
        goto out;
    }
    *out = cat;
    cat = NULL;
out:
    sohoa_catalog_free(&cat);
    return rc;
}

void sohoa_catalog_free(struct sohoa_catalog **cat)
{
    if (!cat || !*cat)
        return;
    if ((*cat)->ops)
        (*cat)->ops->close((*cat)->state);
    free(*cat);
    *cat = NULL;
}

/* ---- writing ------------------------------------------------------------------------------- */

int sohoa_catalog_upsert_dossier(struct sohoa_catalog *cat, const char *id,
                                 const struct sohoa_dossier *d, struct sohoa_err *err)
{
    int rc = 0;
    if (!cat || !d)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "upsert dossier: missing argument");
    if ((rc = check_id("dossier id", id, err)) ||
        (rc = check_date("received date", d->received_date, err)))
        return rc;
    if (!in_range((int)d->source, (int)N_OF(source_names)))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "dossier %s: bad source %d", id,
                             (int)d->source);
    return cat->ops->upsert_dossier(cat->state, id, d, err);
}

int sohoa_catalog_upsert_document(struct sohoa_catalog *cat, const char *doc_id,
                                  const struct sohoa_document *d, struct sohoa_err *err)
{
    int rc = 0;
    if (!cat || !d)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "upsert document: missing argument");
    if ((rc = check_doc_id(doc_id, err)) || (rc = check_id("dossier id", d->dossier_id, err)))
        return rc;
    if (d->n_pages < 0 || d->ordinal < 0 || d->size_bytes < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document %.12s: negative page count, ordinal or size", doc_id);
    if (!in_range((int)d->status, (int)N_OF(doc_status_names)) || d->status == SOHOA_DOC_ASSEMBLING)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document %.12s: status must be processing, done, partial or failed",
                             doc_id);
    return cat->ops->upsert_document(cat->state, doc_id, d, err);
}

const char *sohoa_admit_name(enum sohoa_admit a)
{
    static const char *const names[] = {"new", "running", "finished"};
    return name_of(names, N_OF(names), (int)a);
}

int sohoa_catalog_admit_document(struct sohoa_catalog *cat, const char *doc_id,
                                 const struct sohoa_document *d, int64_t stale_ms,
                                 enum sohoa_admit *admit, enum sohoa_doc_status *status,
                                 struct sohoa_err *err)
{
    int rc = 0;
    enum sohoa_admit ignored_admit;
    enum sohoa_doc_status ignored_status;
    admit = admit ? admit : &ignored_admit;
    status = status ? status : &ignored_status;
    *admit = SOHOA_ADMIT_NEW;
    *status = SOHOA_DOC_PROCESSING;
    if (!cat || !d)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "admit document: missing argument");
    if ((rc = need_version(cat, 3, "admit documents", err)) || (rc = check_doc_id(doc_id, err)) ||
        (rc = check_id("dossier id", d->dossier_id, err)))
        return rc;
    if (d->n_pages < 0 || d->ordinal < 0 || d->size_bytes < 0 || stale_ms < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document %.12s: negative page count, ordinal, size or stale time",
                             doc_id);
    if (d->status != SOHOA_DOC_PROCESSING && d->status != SOHOA_DOC_FAILED)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document %.12s: admitted as processing or failed only", doc_id);
    return cat->ops->admit_document(cat->state, doc_id, d, stale_ms, admit, status, err);
}

int sohoa_catalog_remove_document(struct sohoa_catalog *cat, const char *dossier_id,
                                  const char *doc_id, struct sohoa_err *err)
{
    int rc = 0;
    if (!cat)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "remove document: missing argument");
    if ((rc = need_version(cat, 3, "remove documents", err)) ||
        (rc = check_id("dossier id", dossier_id, err)) || (rc = check_doc_id(doc_id, err)))
        return rc;
    return cat->ops->remove_document(cat->state, dossier_id, doc_id, err);
}

int sohoa_catalog_doc_dossiers(struct sohoa_catalog *cat, const char *doc_id, struct sohoa_ids *out,
                               struct sohoa_err *err)
{
    int rc = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!cat || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "document dossiers: missing argument");
    if ((rc = need_version(cat, 3, "list a document's dossiers", err)) ||
        (rc = check_doc_id(doc_id, err)))
        return rc;
    rc = cat->ops->doc_dossiers(cat->state, doc_id, out, err);
    if (rc)
        sohoa_ids_release(out);
    return rc;
}

int sohoa_catalog_claim_assembly(struct sohoa_catalog *cat, const char *doc_id, int lease_ms,
                                 bool *yours, struct sohoa_err *err)
{
    int rc = 0;
    if (yours)
        *yours = false;
    if (!cat || !yours || lease_ms < 1 || lease_ms > 86400000)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "claim assembly: bad argument");
    if ((rc = need_version(cat, 3, "lease assemblies", err)) || (rc = check_doc_id(doc_id, err)))
        return rc;
    return cat->ops->claim_assembly(cat->state, doc_id, lease_ms, yours, err);
}

int sohoa_catalog_release_assembly(struct sohoa_catalog *cat, const char *doc_id,
                                   struct sohoa_err *err)
{
    int rc = 0;
    if (!cat)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "release assembly: missing argument");
    if ((rc = need_version(cat, 3, "lease assemblies", err)) || (rc = check_doc_id(doc_id, err)))
        return rc;
    return cat->ops->release_assembly(cat->state, doc_id, err);
}

int sohoa_catalog_stalled(struct sohoa_catalog *cat, int64_t idle_ms, size_t max,
                          struct sohoa_stalled_doc **out, size_t *n, struct sohoa_err *err)
{
    int rc = 0;
    if (out)
        *out = NULL;
    if (n)
        *n = 0;
    if (!cat || !out || !n || idle_ms < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "stalled documents: bad argument");
    if ((rc = need_version(cat, 3, "list stalled documents", err)))
        return rc;
    if (max == 0)
        return 0;
    if (max > 10000)
        max = 10000;
    struct sohoa_stalled_doc *v = calloc(max, sizeof *v);
    if (!v)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    rc = cat->ops->stalled(cat->state, idle_ms, max, v, n, err);
    if (rc || *n == 0) {
        free(v);
        *n = 0;
        return rc;
    }
    *out = v;
    return 0;
}

int sohoa_catalog_page_done(struct sohoa_catalog *cat, const char *doc_id, int page_index,
                            const struct sohoa_page *page, int *remaining, bool *you_finish,
                            struct sohoa_err *err)
{
    char *canon = NULL, *fold = NULL;
    int rc = 0, ignored_remaining = 0;
    bool ignored_finish = false;

    remaining = remaining ? remaining : &ignored_remaining;
    you_finish = you_finish ? you_finish : &ignored_finish;
    *remaining = 0;
    *you_finish = false;
    if (!cat || !page)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "page done: missing argument");
    if ((rc = check_doc_id(doc_id, err)))
        return rc;
    if (page_index < 0 || !in_range((int)page->status, (int)N_OF(page_status_names)))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "document %.12s: bad page %d or status",
                             doc_id, page_index);

    if (page->text && *page->text) {
        size_t len = strnlen(page->text, (size_t)SOHOA_CATALOG_PAGE_TEXT_MAX + 1);
        if (len > (size_t)SOHOA_CATALOG_PAGE_TEXT_MAX) {
            rc = sohoa_err_set(err, SOHOA_ELIMIT, false,
                               "document %.12s page %d: text longer than %d bytes", doc_id,
                               page_index, SOHOA_CATALOG_PAGE_TEXT_MAX);
            goto out;
        }
        if ((rc = canonical(page->text, len, &canon, err)) || (rc = vn_fold(canon, &fold, err)))
            goto out;
    }
    struct sohoa_page p = *page;
    p.text = canon;
    rc = cat->ops->page_done(cat->state, doc_id, page_index, &p, fold, remaining, you_finish, err);
out:
    free(canon);
    free(fold);
    return rc;
}

int sohoa_catalog_finish_document(struct sohoa_catalog *cat, const char *doc_id,
                                  enum sohoa_doc_status status, const char *error,
                                  const char *record_key, const char *pdf_key,
                                  struct sohoa_err *err)
{
    int rc = 0;
    if (!cat)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "finish document: missing argument");
    if ((rc = check_doc_id(doc_id, err)))
        return rc;
    if (status != SOHOA_DOC_DONE && status != SOHOA_DOC_PARTIAL && status != SOHOA_DOC_FAILED)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "document %.12s: a finished status is done, partial or failed",
                             doc_id);
    return cat->ops->finish_document(cat->state, doc_id, status, error, record_key, pdf_key, err);
}

/* ---- fields -------------------------------------------------------------------------------- */

/* Collapse runs of ASCII white space to one space and trim, in place. */
static void squeeze_spaces(char *s)
{
    size_t o = 0;
    bool gap = false;
    for (size_t i = 0; s[i]; i++) {
        if (strchr(" \t\n\r\v\f", s[i])) {
            gap = o > 0;
            continue;
        }
        if (gap)
            s[o++] = ' ';
        gap = false;
        s[o++] = s[i];
    }
    s[o] = '\0';
}

int sohoa_catalog_field_key(const char *value, char **out, struct sohoa_err *err)
{
    char *canon = NULL;
    *out = NULL;
    int rc = canonical(value ? value : "", value ? strlen(value) : 0, &canon, err);
    if (rc == 0 && (rc = vn_fold(canon, out, err)) == 0)
        squeeze_spaces(*out);
    free(canon);
    return rc;
}

/* Check one row and prepare it (canonical value and raw, folded key) into `put`, whose strings
 * are malloc'd: free them with put_release. */
static int field_prepare(const struct sohoa_field_row *r, size_t i, struct sohoa_field_put *put,
                         struct sohoa_err *err)
{
    char *value = NULL, *raw = NULL, *key = NULL;
    int rc = check_name("field name", r->name, err);
    if (rc)
        return rc;
    if (!r->value || !*r->value)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "field %s has no value", r->name);
    if (strnlen(r->value, SOHOA_CATALOG_FIELD_VALUE_MAX + 1) > SOHOA_CATALOG_FIELD_VALUE_MAX ||
        (r->raw &&
         strnlen(r->raw, SOHOA_CATALOG_FIELD_VALUE_MAX + 1) > SOHOA_CATALOG_FIELD_VALUE_MAX))
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "field %s: value or raw text longer than %d bytes", r->name,
                             SOHOA_CATALOG_FIELD_VALUE_MAX);
    if (r->confidence > 1 || r->page < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "field %s: confidence above 1 or negative page", r->name);
    if (r->source && (rc = check_name("field source", r->source, err)))
        return rc;
    if ((rc = canonical(r->value, strlen(r->value), &value, err)) ||
        (r->raw && (rc = canonical(r->raw, strlen(r->raw), &raw, err))) ||
        (rc = sohoa_catalog_field_key(value, &key, err)))
        goto out;
    if (!*key) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "field %s has only white space", r->name);
        goto out;
    }
    put->row = *r;
    put->row.value = value;
    put->row.raw = raw;
    put->row.confidence = r->confidence < 0 ? -1 : r->confidence;
    put->key = key;
    value = raw = key = NULL;
out:
    if (rc)
        sohoa_err_prefix(err, "field %zu", i + 1);
    free(value);
    free(raw);
    free(key);
    return rc;
}

static void put_release(struct sohoa_field_put *put, size_t n)
{
    for (size_t i = 0; put && i < n; i++) {
        free((char *)put[i].row.value);
        free((char *)put[i].row.raw);
        free((char *)put[i].key);
    }
    free(put);
}

int sohoa_catalog_put_fields(struct sohoa_catalog *cat, const char *doc_id, const char *doc_type,
                             const struct sohoa_field_row *rows, size_t n, struct sohoa_err *err)
{
    struct sohoa_field_put *put = NULL;
    size_t n_put = 0;
    int rc = 0;

    if (!cat || (n && !rows))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "put fields: missing argument");
    if ((rc = check_doc_id(doc_id, err)) ||
        (doc_type && *doc_type && (rc = check_name("document type", doc_type, err))) ||
        (rc = need_version(cat, 2, "store fields", err)))
        return rc;
    if (n > SOHOA_CATALOG_FIELDS_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "document %.12s: %zu fields, at most %d",
                             doc_id, n, SOHOA_CATALOG_FIELDS_MAX);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i && rows[i].name && rows[j].name; j++)
            if (strcmp(rows[i].name, rows[j].name) == 0)
                return sohoa_err_set(err, SOHOA_EINVAL, false,
                                     "document %.12s: field %.48s given twice", doc_id,
                                     rows[i].name);
    if (n && !(put = calloc(n, sizeof *put)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory storing fields");
    for (; n_put < n; n_put++)
        if ((rc = field_prepare(&rows[n_put], n_put, &put[n_put], err)))
            goto out;
    rc = cat->ops->put_fields(cat->state, doc_id, doc_type && *doc_type ? doc_type : NULL, put, n,
                              err);
out:
    if (rc)
        sohoa_err_prefix(err, "document %.12s", doc_id);
    put_release(put, n_put);
    return rc;
}

/* ---- searching and showing ----------------------------------------------------------------- */

/* Copy `in` (may be NULL) into `o` with defaults filled in, or fail on a bad option. */
static int search_opts_resolve(const struct sohoa_search_opts *in, struct sohoa_search_opts *o,
                               struct sohoa_err *err)
{
    int rc = 0;
    memset(o, 0, sizeof *o);
    if (in)
        *o = *in;
    if (o->department && !*o->department)
        o->department = NULL;
    if (o->dossier_id && !*o->dossier_id)
        o->dossier_id = NULL;
    if (o->field && !*o->field)
        o->field = NULL;
    if (o->doc_type && !*o->doc_type)
        o->doc_type = NULL;
    if ((o->field && (rc = check_name("field", o->field, err))) ||
        (o->doc_type && (rc = check_name("document type", o->doc_type, err))))
        return rc;
    if (o->field_value && !o->field)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search: a field value needs a field name");
    if (o->field_value &&
        strnlen(o->field_value, SOHOA_CATALOG_FIELD_VALUE_MAX + 1) > SOHOA_CATALOG_FIELD_VALUE_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "search: field value longer than %d bytes",
                             SOHOA_CATALOG_FIELD_VALUE_MAX);
    if ((rc = check_date("date_from", o->date_from, err)) ||
        (rc = check_date("date_to", o->date_to, err)))
        return rc;
    if (o->limit == 0)
        o->limit = SOHOA_SEARCH_DEFAULT_LIMIT;
    if (o->context_words == 0)
        o->context_words = SOHOA_SNIPPET_WORDS;
    if (o->limit < 0 || o->offset < 0 || o->context_words < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search: negative limit, offset or context");
    if (o->limit > SOHOA_SEARCH_MAX_LIMIT || o->offset > SOHOA_SEARCH_MAX_OFFSET ||
        o->context_words > SOHOA_SNIPPET_MAX_WORDS)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "search: limit %d, offset %d and context %d must stay within %d, %d "
                             "and %d",
                             o->limit, o->offset, o->context_words, SOHOA_SEARCH_MAX_LIMIT,
                             SOHOA_SEARCH_MAX_OFFSET, SOHOA_SNIPPET_MAX_WORDS);
    return 0;
}

static bool blank(const char *s)
{
    while (s && *s && strchr(" \t\n\r\v\f", *s))
        s++;
    return !s || !*s;
}

int sohoa_catalog_search(struct sohoa_catalog *cat, const char *query,
                         const struct sohoa_search_opts *opts, struct sohoa_hits *out,
                         struct sohoa_err *err)
{
    struct sohoa_query q = {0};
    struct sohoa_search_opts o;
    char *key = NULL;
    int rc = 0;

    if (out)
        memset(out, 0, sizeof *out);
    if (!cat || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search: missing argument");
    if ((rc = search_opts_resolve(opts, &o, err)))
        goto out;
    bool filtered = o.field || o.doc_type;
    if (filtered && (rc = need_version(cat, 2, "filter on fields", err)))
        goto out;
    if (o.field_value) {
        if ((rc = sohoa_catalog_field_key(o.field_value, &key, err)))
            goto out;
        if (!*key) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "search: the field value is empty");
            goto out;
        }
        o.field_value = key;
    }
    if (!(filtered && blank(query)) && (rc = sohoa_query_parse(query, &q, err)))
        goto out;
    rc = cat->ops->search(cat->state, &q, &o, out, err);
out:
    if (rc)
        sohoa_hits_release(out);
    sohoa_query_release(&q);
    free(key);
    return rc;
}

int sohoa_catalog_get_dossier(struct sohoa_catalog *cat, const char *id, unsigned flags,
                              struct sohoa_dossier_info **out, struct sohoa_err *err)
{
    struct sohoa_dossier_info *info = NULL;
    int rc = 0;

    if (out)
        *out = NULL;
    if (!cat || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "get dossier: missing argument");
    if ((rc = check_id("dossier id", id, err)))
        return rc;
    info = calloc(1, sizeof *info);
    if (!info)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading dossier");
    rc = cat->ops->get_dossier(cat->state, id, flags, info, err);
    if (rc)
        goto out;
    /* the same content at a later position names its first one */
    for (size_t i = 0; i < info->n_docs; i++)
        for (size_t j = 0; j < i && !info->docs[i].same_as; j++)
            if (!strcmp(info->docs[j].id, info->docs[i].id))
                info->docs[i].same_as = info->docs[j].doc.ordinal;
    *out = info;
    info = NULL;
out:
    sohoa_dossier_info_free(&info);
    return rc;
}

int sohoa_catalog_progress(struct sohoa_catalog *cat, const char *doc_id,
                           struct sohoa_doc_progress *out, struct sohoa_err *err)
{
    int rc = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!cat || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "progress: missing argument");
    if ((rc = check_doc_id(doc_id, err)))
        return rc;
    return cat->ops->progress(cat->state, doc_id, out, err);
}

int sohoa_catalog_page_text(struct sohoa_catalog *cat, const char *doc_id, int page_index,
                            char **text, struct sohoa_err *err)
{
    int rc = 0;
    if (text)
        *text = NULL;
    if (!cat || !text || page_index < 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "page text: bad argument");
    if ((rc = check_doc_id(doc_id, err)))
        return rc;
    return cat->ops->page_text(cat->state, doc_id, page_index, text, err);
}
