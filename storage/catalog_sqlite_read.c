/* catalog_sqlite_read.c — the SQLite catalog's reads: a dossier with its documents, their pages
 * and fields (get_dossier, in one read transaction), a document's progress and a page's text.
 *
 * Runs on the reader connection under its lock.
 */
#include "storage/catalog_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- showing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_GET[] =
    "SELECT receipt_no, procedure_code, department, district, commune, received_date, source,"
    " title, path, meta_json, created_at, updated_at FROM dossiers WHERE id = ?1";

static const char SQL_DOCS_COUNT[] = "SELECT count(*) FROM memberships WHERE dossier_id = ?1";

/* Pages beyond n_pages (left from a larger earlier count) never count as done. */
static const char SQL_DOCS_LIST[] =
    "SELECT d.id, m.name, m.ordinal, d.format, d.n_pages, d.size_bytes, d.status, d.error,"
    " d.record_key, d.pdf_key, d.created_at, d.updated_at, d.finished_at, count(p.id),"
    " count(CASE WHEN p.status = 'failed' THEN 1 END), d.doc_type, m.added_at"
    " FROM memberships m JOIN documents d ON d.id = m.doc_id"
    " LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE m.dossier_id = ?1 GROUP BY m.ordinal ORDER BY m.ordinal, d.id";

static const char SQL_PAGES_COUNT[] = "SELECT count(*) FROM pages WHERE doc_id = ?1";

static const char SQL_PAGES_LIST[] =
    "SELECT page_index, status, error, mean_conf, rotation, skew, width, height, dpi,"
    " text_source, elapsed_ms, updated_at FROM pages WHERE doc_id = ?1 ORDER BY page_index";

static int read_dossier(struct conn *c, const char *id, struct sohoa_dossier_info *info,
                        struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    struct sohoa_arena *a = &info->arena;
    struct sohoa_dossier *d = &info->dossier;
    int rc = SQ_RUN(c, SQL_DOSSIER_GET, &st, "read dossier", err, arg_text(id));
    if (rc <= 0)
        return rc < 0 ? rc
                      : sohoa_err_set(err, SOHOA_ENOTFOUND, false,
                                      "dossier %s is not in the catalog", id);
    if (sohoa_arena_strndup(a, id, strlen(id), &info->id) || sq_col_dup(a, st, 0, &d->receipt_no) ||
        sq_col_dup(a, st, 1, &d->procedure_code) || sq_col_dup(a, st, 2, &d->department) ||
        sq_col_dup(a, st, 3, &d->district) || sq_col_dup(a, st, 4, &d->commune) ||
        sq_col_dup(a, st, 5, &d->received_date) || sq_col_dup(a, st, 7, &d->title) ||
        sq_col_dup(a, st, 8, &d->path) || sq_col_dup(a, st, 9, &d->meta_json) ||
        sq_col_dup(a, st, 10, &info->created_at) || sq_col_dup(a, st, 11, &info->updated_at))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading dossier");
    enum sohoa_source source = SOHOA_SOURCE_DESK;
    if (sohoa_source_parse((const char *)sqlite3_column_text(st, 6), &source))
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "dossier %s: unknown source", id);
    d->source = source;
    return 0;
}

static int read_documents(struct conn *c, const char *id, struct sohoa_dossier_info *info,
                          struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    struct sohoa_arena *a = &info->arena;
    int rc = SQ_RUN(c, SQL_DOCS_COUNT, &st, "count documents", err, arg_text(id));
    if (rc <= 0)
        return rc;
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    if (n == 0)
        return 0;
    info->docs = sohoa_arena_alloc(a, n * sizeof *info->docs);
    if (!info->docs)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    for (rc = SQ_RUN(c, SQL_DOCS_LIST, &st, "list documents", err, arg_text(id));
         rc == 1 && info->n_docs < n; rc = sq_step(c, st, "list documents", err)) {
        struct sohoa_document_info *di = &info->docs[info->n_docs++];
        struct sohoa_document *doc = &di->doc;
        doc->dossier_id = info->id;
        doc->ordinal = sqlite3_column_int(st, 2);
        doc->n_pages = sqlite3_column_int(st, 4);
        doc->size_bytes = (int64_t)sqlite3_column_int64(st, 5);
        di->pages_done = sqlite3_column_int(st, 13);
        di->pages_failed = sqlite3_column_int(st, 14);
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        if (sohoa_doc_status_parse((const char *)sqlite3_column_text(st, 6), &status))
            return sohoa_err_set(err, SOHOA_EFORMAT, false, "dossier %s: bad document status", id);
        doc->status = status;
        if (sq_col_dup(a, st, 0, &di->id) || sq_col_dup(a, st, 1, &doc->name) ||
            sq_col_dup(a, st, 3, &doc->format) || sq_col_dup(a, st, 7, &doc->error) ||
            sq_col_dup(a, st, 8, &di->record_key) || sq_col_dup(a, st, 9, &di->pdf_key) ||
            sq_col_dup(a, st, 10, &di->created_at) || sq_col_dup(a, st, 11, &di->updated_at) ||
            sq_col_dup(a, st, 12, &di->finished_at) || sq_col_dup(a, st, 15, &di->doc_type) ||
            sq_col_dup(a, st, 16, &di->added_at))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    }
    return rc < 0 ? rc : 0;
}

static int read_pages(struct conn *c, struct sohoa_document_info *di, struct sohoa_arena *a,
                      struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQ_RUN(c, SQL_PAGES_COUNT, &st, "count pages", err, arg_text(di->id));
    if (rc <= 0)
        return rc;
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    if (n == 0)
        return 0;
    di->pages = sohoa_arena_alloc(a, n * sizeof *di->pages);
    if (!di->pages)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    for (rc = SQ_RUN(c, SQL_PAGES_LIST, &st, "list pages", err, arg_text(di->id));
         rc == 1 && di->n_pages_listed < n; rc = sq_step(c, st, "list pages", err)) {
        struct sohoa_page_info *pi = &di->pages[di->n_pages_listed++];
        struct sohoa_page *p = &pi->page;
        pi->index = sqlite3_column_int(st, 0);
        enum sohoa_page_status status = SOHOA_PAGE_FAILED;
        if (sohoa_page_status_parse((const char *)sqlite3_column_text(st, 1), &status))
            return sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad page status",
                                 di->id);
        p->status = status;
        p->mean_conf = sq_col_double(st, 3, -1);
        p->rotation = sq_col_int(st, 4, 0);
        p->skew = sq_col_double(st, 5, 0);
        p->width = sq_col_int(st, 6, 0);
        p->height = sq_col_int(st, 7, 0);
        p->dpi = sq_col_int(st, 8, 0);
        p->elapsed_ms = sq_col_double(st, 10, 0);
        if (sq_col_dup(a, st, 2, &p->error) || sq_col_dup(a, st, 9, &p->text_source) ||
            sq_col_dup(a, st, 11, &pi->updated_at))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    }
    return rc < 0 ? rc : 0;
}

static const char SQL_FIELDS_COUNT[] = "SELECT count(*) FROM fields WHERE doc_id = ?1";

static const char SQL_FIELDS_LIST[] =
    "SELECT name, value, raw, confidence, page, source FROM fields WHERE doc_id = ?1"
    " ORDER BY ordinal, name";

static int read_fields(struct conn *c, struct sohoa_document_info *di, struct sohoa_arena *a,
                       struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    struct sohoa_field_row *rows = NULL;
    int rc = SQ_RUN(c, SQL_FIELDS_COUNT, &st, "count fields", err, arg_text(di->id));
    if (rc <= 0)
        return rc;
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    if (n == 0)
        return 0;
    if (!(rows = sohoa_arena_alloc(a, n * sizeof *rows)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading fields");
    di->fields = rows;
    for (rc = SQ_RUN(c, SQL_FIELDS_LIST, &st, "list fields", err, arg_text(di->id));
         rc == 1 && di->n_fields < n; rc = sq_step(c, st, "list fields", err)) {
        struct sohoa_field_row *r = &rows[di->n_fields++];
        r->confidence = sq_col_double(st, 3, -1);
        r->page = sq_col_int(st, 4, 0);
        if (sq_col_dup(a, st, 0, &r->name) || sq_col_dup(a, st, 1, &r->value) ||
            sq_col_dup(a, st, 2, &r->raw) || sq_col_dup(a, st, 5, &r->source))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading fields");
    }
    return rc < 0 ? rc : 0;
}

int sq_get_dossier(void *state, const char *id, unsigned flags, struct sohoa_dossier_info *info,
                   struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sq_lock(c);
    int rc = sq_exec(c, "BEGIN", "begin read", err);
    if (rc)
        goto out;
    if ((rc = read_dossier(c, id, info, err)) || (rc = read_documents(c, id, info, err)))
        goto out;
    for (size_t i = 0; i < info->n_docs; i++)
        if ((rc = read_fields(c, &info->docs[i], &info->arena, err)) ||
            ((flags & SOHOA_CATALOG_WITH_PAGES) &&
             (rc = read_pages(c, &info->docs[i], &info->arena, err))))
            goto out;
out:
    rc = sq_tx_end(c, rc, err); /* after a failed BEGIN too: its ROLLBACK of nothing is ignored */
    sq_unlock(c);
    return rc;
}

static const char SQL_PROGRESS[] =
    "SELECT d.status, d.n_pages, count(p.id), count(CASE WHEN p.status = 'failed' THEN 1 END),"
    " count(CASE WHEN p.status = 'blank' THEN 1 END)"
    " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE d.id = ?1 GROUP BY d.id";

int sq_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_PROGRESS, &st, "read progress", err, arg_text(doc_id));
    if (rc == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    if (rc == 1) {
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        rc = sohoa_doc_status_parse((const char *)sqlite3_column_text(st, 0), &status)
                 ? sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad status", doc_id)
                 : 0;
        out->status = status;
        out->n_pages = sqlite3_column_int(st, 1);
        out->pages_done = sqlite3_column_int(st, 2);
        out->pages_failed = sqlite3_column_int(st, 3);
        out->pages_blank = sqlite3_column_int(st, 4);
    }
    sq_unlock(c);
    return rc;
}

static const char SQL_PAGE_ID[] = "SELECT id FROM pages WHERE doc_id = ?1 AND page_index = ?2";
static const char SQL_PAGE_TEXT[] = "SELECT canon FROM pages_fts WHERE rowid = ?1";

int sq_page_text(void *state, const char *doc_id, int page_index, char **text,
                 struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = sq_exec(c, "BEGIN", "begin read", err);
    if (rc)
        goto out;
    rc = SQ_RUN(c, SQL_PAGE_ID, &st, "find page", err, arg_text(doc_id), arg_int(page_index));
    if (rc == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s page %d has no record",
                           doc_id, page_index);
    if (rc < 0)
        goto out;
    rc = SQ_RUN(c, SQL_PAGE_TEXT, &st, "read page text", err, arg_int(sqlite3_column_int64(st, 0)));
    if (rc < 0)
        goto out;
    const char *s = rc == 1 ? (const char *)sqlite3_column_text(st, 0) : NULL;
    size_t n = s ? (size_t)sqlite3_column_bytes(st, 0) : 0;
    *text = malloc(n + 1);
    if (!*text) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading page text");
        goto out;
    }
    if (n)
        memcpy(*text, s, n);
    (*text)[n] = '\0';
    rc = 0;
out:
    rc = sq_tx_end(c, rc, err); /* after a failed BEGIN too: its ROLLBACK of nothing is ignored */
    if (rc) {
        free(*text);
        *text = NULL;
    }
    sq_unlock(c);
    return rc;
}
