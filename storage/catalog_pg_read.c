/* catalog_pg_read.c — the PostgreSQL catalog's reads: a dossier with its documents (through its
 * memberships), their pages and fields (get_dossier, one REPEATABLE READ snapshot), a document's
 * progress, a page's text.
 */
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- showing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_GET[] =
    "SELECT receipt_no, procedure_code, department, district, commune, received_date::text,"
    " source, title, path, meta_json::text, " TS("created_at") ", " TS(
        "updated_at") " FROM dossiers WHERE id = $1";

/* A dossier's documents through its memberships, by position: name, position and added_at are
 * the membership's (the same document may stand at two positions). Pages beyond n_pages (left
 * from a larger earlier count) never count as done. */
#define DOC_TIMES                                                                                  \
    TS("d.created_at") ", " TS("d.updated_at") ", " TS("d.finished_at") ", " TS("m.added_at")
static const char SQL_DOCS_LIST[] =
    "SELECT d.id, m.name, m.ordinal, d.format, d.n_pages, d.size_bytes, d.status, d.error,"
    " d.record_key, d.pdf_key, count(p.doc_id), count(CASE WHEN p.status = 'failed' THEN 1 END),"
    " d.doc_type, " DOC_TIMES " FROM memberships m JOIN documents d ON d.id = m.doc_id"
    " LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages WHERE m.dossier_id = $1"
    " GROUP BY m.dossier_id, m.ordinal, d.id ORDER BY m.ordinal";

static const char SQL_PAGES_LIST[] =
    "SELECT page_index, status, error, mean_conf, rotation, skew, width, height, dpi,"
    " text_source, elapsed_ms, " TS("updated_at") " FROM pages WHERE doc_id = $1"
                                                  " ORDER BY page_index";

static int read_dossier(struct slot *c, const char *id, struct sohoa_dossier_info *info,
                        struct sohoa_err *err)
{
    struct sohoa_arena *a = &info->arena;
    struct sohoa_dossier *d = &info->dossier;
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, id);
    int rc = cpg_run(c, SQL_DOSSIER_GET, &p, &r, "read dossier", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "dossier %s is not in the catalog", id);
    } else if (sohoa_arena_strndup(a, id, strlen(id), &info->id) ||
               cpg_dup(a, r, 0, 0, &d->receipt_no) || cpg_dup(a, r, 0, 1, &d->procedure_code) ||
               cpg_dup(a, r, 0, 2, &d->department) || cpg_dup(a, r, 0, 3, &d->district) ||
               cpg_dup(a, r, 0, 4, &d->commune) || cpg_dup(a, r, 0, 5, &d->received_date) ||
               cpg_dup(a, r, 0, 7, &d->title) || cpg_dup(a, r, 0, 8, &d->path) ||
               cpg_dup(a, r, 0, 9, &d->meta_json) || cpg_dup(a, r, 0, 10, &info->created_at) ||
               cpg_dup(a, r, 0, 11, &info->updated_at)) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading dossier");
    } else {
        enum sohoa_source source = SOHOA_SOURCE_DESK;
        if (sohoa_source_parse(cpg_val(r, 0, 6), &source))
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "dossier %s: unknown source", id);
        d->source = source;
    }
    PQclear(r);
    return rc;
}

static int read_documents(struct slot *c, const char *id, struct sohoa_dossier_info *info,
                          struct sohoa_err *err)
{
    struct sohoa_arena *a = &info->arena;
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, id);
    int rc = cpg_run(c, SQL_DOCS_LIST, &p, &r, "list documents", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    if (n && !(info->docs = sohoa_arena_alloc(a, n * sizeof *info->docs)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_document_info *di = &info->docs[info->n_docs++];
        struct sohoa_document *doc = &di->doc;
        doc->dossier_id = info->id;
        doc->ordinal = cpg_ival(r, i, 2, 0);
        doc->n_pages = cpg_ival(r, i, 4, 0);
        doc->size_bytes = cpg_val(r, i, 5) ? strtoll(cpg_val(r, i, 5), NULL, 10) : 0;
        di->pages_done = cpg_ival(r, i, 10, 0);
        di->pages_failed = cpg_ival(r, i, 11, 0);
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        if (sohoa_doc_status_parse(cpg_val(r, i, 6), &status))
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "dossier %s: bad document status", id);
        doc->status = status;
        if (rc == 0 &&
            (cpg_dup(a, r, i, 0, &di->id) || cpg_dup(a, r, i, 1, &doc->name) ||
             cpg_dup(a, r, i, 3, &doc->format) || cpg_dup(a, r, i, 7, &doc->error) ||
             cpg_dup(a, r, i, 8, &di->record_key) || cpg_dup(a, r, i, 9, &di->pdf_key) ||
             cpg_dup(a, r, i, 12, &di->doc_type) || cpg_dup(a, r, i, 13, &di->created_at) ||
             cpg_dup(a, r, i, 14, &di->updated_at) || cpg_dup(a, r, i, 15, &di->finished_at) ||
             cpg_dup(a, r, i, 16, &di->added_at)))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    }
    PQclear(r);
    return rc;
}

static int read_pages(struct slot *c, struct sohoa_document_info *di, struct sohoa_arena *a,
                      struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, di->id);
    int rc = cpg_run(c, SQL_PAGES_LIST, &p, &r, "list pages", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    if (n && !(di->pages = sohoa_arena_alloc(a, n * sizeof *di->pages)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_page_info *pi = &di->pages[di->n_pages_listed++];
        struct sohoa_page *pg = &pi->page;
        pi->index = cpg_ival(r, i, 0, 0);
        enum sohoa_page_status status = SOHOA_PAGE_FAILED;
        if (sohoa_page_status_parse(cpg_val(r, i, 1), &status))
            rc =
                sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad page status", di->id);
        pg->status = status;
        pg->mean_conf = cpg_dval(r, i, 3, -1);
        pg->rotation = cpg_ival(r, i, 4, 0);
        pg->skew = cpg_dval(r, i, 5, 0);
        pg->width = cpg_ival(r, i, 6, 0);
        pg->height = cpg_ival(r, i, 7, 0);
        pg->dpi = cpg_ival(r, i, 8, 0);
        pg->elapsed_ms = cpg_dval(r, i, 10, 0);
        if (rc == 0 && (cpg_dup(a, r, i, 2, &pg->error) || cpg_dup(a, r, i, 9, &pg->text_source) ||
                        cpg_dup(a, r, i, 11, &pi->updated_at)))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    }
    PQclear(r);
    return rc;
}

static const char SQL_FIELDS_LIST[] =
    "SELECT name, value, raw, confidence, page, source FROM fields WHERE doc_id = $1"
    " ORDER BY ordinal, name";

static int read_fields(struct slot *c, struct sohoa_document_info *di, struct sohoa_arena *a,
                       struct sohoa_err *err)
{
    struct params p = {0};
    struct sohoa_field_row *rows = NULL;
    PGresult *r = NULL;
    p_text(&p, di->id);
    int rc = cpg_run(c, SQL_FIELDS_LIST, &p, &r, "list fields", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    if (n && !(rows = sohoa_arena_alloc(a, n * sizeof *rows)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading fields");
    di->fields = rows;
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_field_row *f = &rows[di->n_fields++];
        f->confidence = cpg_dval(r, i, 3, -1);
        f->page = cpg_ival(r, i, 4, 0);
        if (cpg_dup(a, r, i, 0, &f->name) || cpg_dup(a, r, i, 1, &f->value) ||
            cpg_dup(a, r, i, 2, &f->raw) || cpg_dup(a, r, i, 5, &f->source))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading fields");
    }
    PQclear(r);
    return rc;
}

int cpg_get_dossier(void *state, const char *id, unsigned flags, struct sohoa_dossier_info *info,
                    struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    int rc = cpg_take(s, &c, err);
    if (rc)
        return rc;
    /* one snapshot for the dossier, its documents and their pages */
    if ((rc = cpg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin read", err)))
        goto out;
    if ((rc = read_dossier(c, id, info, err)) == 0)
        rc = read_documents(c, id, info, err);
    for (size_t i = 0; rc == 0 && i < info->n_docs; i++) {
        rc = read_fields(c, &info->docs[i], &info->arena, err);
        if (rc == 0 && (flags & SOHOA_CATALOG_WITH_PAGES))
            rc = read_pages(c, &info->docs[i], &info->arena, err);
    }
    rc = cpg_tx_end(c, rc, err);
out:
    cpg_give(s, c);
    return rc;
}

static const char SQL_PROGRESS[] =
    "SELECT d.status, d.n_pages, count(p.doc_id),"
    " count(CASE WHEN p.status = 'failed' THEN 1 END),"
    " count(CASE WHEN p.status = 'blank' THEN 1 END)"
    " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE d.id = $1 GROUP BY d.id";

int cpg_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                 struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, doc_id);
    int rc = cpg_query(state, SQL_PROGRESS, &p, &r, "read progress", err);
    rc = cpg_doc_row(rc, r, doc_id, err);
    if (rc == 0) {
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        if (sohoa_doc_status_parse(cpg_val(r, 0, 0), &status))
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad status", doc_id);
        out->status = status;
        out->n_pages = cpg_ival(r, 0, 1, 0);
        out->pages_done = cpg_ival(r, 0, 2, 0);
        out->pages_failed = cpg_ival(r, 0, 3, 0);
        out->pages_blank = cpg_ival(r, 0, 4, 0);
    }
    PQclear(r);
    return rc;
}

int cpg_page_text(void *state, const char *doc_id, int page_index, char **text,
                  struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, doc_id);
    p_int(&p, page_index);
    int rc = cpg_query(
        state, "SELECT coalesce(canon, '') FROM pages WHERE doc_id = $1 AND page_index = $2", &p,
        &r, "read page text", err);
    if (rc == 0 && PQntuples(r) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s page %d has no record",
                           doc_id, page_index);
    if (rc == 0 && !(*text = strdup(PQgetvalue(r, 0, 0))))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading page text");
    PQclear(r);
    return rc;
}
