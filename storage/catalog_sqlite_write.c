/* catalog_sqlite_write.c — the SQLite catalog's writes: dossier and document upserts, page_done
 * (the fan-in: one BEGIN IMMEDIATE transaction decides the single finisher), finish_document and
 * put_fields (a document's type and fields replaced in one transaction).
 *
 * Every write runs on the writer connection under its lock.
 */
#include "storage/catalog_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_UPSERT[] =
    "INSERT INTO dossiers (id, receipt_no, procedure_code, department, district, commune,"
    " received_date, source, title, path, meta_json, created_at, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, " NOW ", " NOW ")"
    " ON CONFLICT (id) DO UPDATE SET receipt_no = excluded.receipt_no,"
    " procedure_code = excluded.procedure_code, department = excluded.department,"
    " district = excluded.district, commune = excluded.commune,"
    " received_date = excluded.received_date, source = excluded.source,"
    " title = excluded.title, path = excluded.path, meta_json = excluded.meta_json,"
    " updated_at = excluded.updated_at";

int sq_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                      struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_DOSSIER_UPSERT, &st, "upsert dossier", err, arg_text(id),
                    arg_text(d->receipt_no), arg_text(d->procedure_code), arg_text(d->department),
                    arg_text(d->district), arg_text(d->commune), arg_text(d->received_date),
                    arg_text(sohoa_source_name(d->source)), arg_text(d->title), arg_text(d->path),
                    arg_text(d->meta_json));
    sq_unlock(c);
    if (rc < 0)
        sohoa_err_prefix(err, "dossier %s", id);
    return rc < 0 ? rc : 0;
}

/* The first dossier that brought the content stays in documents (dossier_id, name, ordinal);
 * every dossier's hold on it is a membership row (sq_member_put). */
static const char SQL_DOCUMENT_UPSERT[] =
    "INSERT INTO documents (id, dossier_id, name, ordinal, format, n_pages, size_bytes, status,"
    " error, created_at, updated_at, finished_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " NOW ", " NOW ","
    " CASE WHEN ?8 IN ('done', 'partial', 'failed') THEN " NOW " END)"
    " ON CONFLICT (id) DO UPDATE SET format = excluded.format, n_pages = excluded.n_pages,"
    " size_bytes = excluded.size_bytes, status = excluded.status, error = excluded.error,"
    " updated_at = excluded.updated_at, assembling_at = NULL, lease_until = NULL,"
    " finished_at = excluded.finished_at";

int sq_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                       struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = sq_exec(c, "BEGIN IMMEDIATE", "begin document", err);
    if (rc)
        goto unlock;
    rc = SQ_RUN(c, SQL_DOCUMENT_UPSERT, &st, "upsert document", err, arg_text(doc_id),
                arg_text(d->dossier_id), arg_text(d->name), arg_int(d->ordinal),
                arg_text(d->format), arg_int(d->n_pages), arg_int(d->size_bytes),
                arg_text(sohoa_doc_status_name(d->status)), arg_text(d->error));
    if (rc >= 0)
        rc = sq_member_put(c, doc_id, d, err);
    rc = sq_tx_end(c, rc < 0 ? rc : 0, err);
unlock:
    sq_unlock(c);
    if (rc == SOHOA_ENOTFOUND)
        return sohoa_err_set(err, rc, false, "document %.12s: dossier %s is not in the catalog",
                             doc_id, d->dossier_id);
    if (rc < 0)
        sohoa_err_prefix(err, "document %.12s", doc_id);
    return rc < 0 ? rc : 0;
}

static const char SQL_DOC_N_PAGES[] = "SELECT n_pages FROM documents WHERE id = ?1";

/* A failed retry never replaces a page that had succeeded (WHERE of the DO UPDATE); RETURNING
 * gives the page's id only when the row was written. */
static const char SQL_PAGE_UPSERT[] =
    "INSERT INTO pages (doc_id, page_index, status, error, mean_conf, rotation, skew, width,"
    " height, dpi, text_source, elapsed_ms, updated_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, " NOW ")"
    " ON CONFLICT (doc_id, page_index) DO UPDATE SET status = excluded.status,"
    " error = excluded.error, mean_conf = excluded.mean_conf, rotation = excluded.rotation,"
    " skew = excluded.skew, width = excluded.width, height = excluded.height,"
    " dpi = excluded.dpi, text_source = excluded.text_source, elapsed_ms = excluded.elapsed_ms,"
    " updated_at = excluded.updated_at"
    " WHERE excluded.status <> 'failed' OR pages.status = 'failed'"
    " RETURNING id";

static const char SQL_FTS_DELETE[] = "DELETE FROM pages_fts WHERE rowid = ?1";
static const char SQL_FTS_INSERT[] =
    "INSERT INTO pages_fts (rowid, canon, fold) VALUES (?1, ?2, ?3)";
static const char SQL_PAGES_DONE[] =
    "SELECT count(*) FROM pages WHERE doc_id = ?1 AND page_index < ?2";

/* The fan-in: only the statement that moves the document out of 'processing' changes a row. */
static const char SQL_CLAIM_FINISH[] =
    "UPDATE documents SET status = 'assembling', assembling_at = " NOW ", updated_at = " NOW
    " WHERE id = ?1 AND status = 'processing'";

int sq_page_done(void *state, const char *doc_id, int page_index, const struct sohoa_page *p,
                 const char *fold, int *remaining, bool *you_finish, struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    int n_pages = 0, left = 0;
    bool finisher = false;

    sq_lock(c);
    int rc = sq_exec(c, "BEGIN IMMEDIATE", "begin page", err);
    if (rc)
        goto out;
    rc = SQ_RUN(c, SQL_DOC_N_PAGES, &st, "read document", err, arg_text(doc_id));
    if (rc < 0)
        goto out;
    if (rc == 0) {
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
        goto out;
    }
    n_pages = sqlite3_column_int(st, 0);
    if (page_index >= n_pages) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "document %.12s: page %d is out of range (%d pages)", doc_id, page_index,
                           n_pages);
        goto out;
    }
    rc = SQ_RUN(c, SQL_PAGE_UPSERT, &st, "record page", err, arg_text(doc_id), arg_int(page_index),
                arg_text(sohoa_page_status_name(p->status)), arg_text(p->error),
                arg_opt_real(p->mean_conf), arg_int(p->rotation), arg_real(p->skew),
                arg_int(p->width), arg_int(p->height), arg_int(p->dpi), arg_text(p->text_source),
                arg_real(p->elapsed_ms));
    if (rc < 0)
        goto out;
    if (rc == 1) { /* written: replace its index row */
        int64_t id = (int64_t)sqlite3_column_int64(st, 0);
        rc = SQ_RUN(c, SQL_FTS_DELETE, &st, "unindex page", err, arg_int(id));
        if (rc >= 0 && p->text && fold)
            rc = SQ_RUN(c, SQL_FTS_INSERT, &st, "index page", err, arg_int(id), arg_text(p->text),
                        arg_text(fold));
        if (rc < 0)
            goto out;
    }
    rc = SQ_RUN(c, SQL_PAGES_DONE, &st, "count pages", err, arg_text(doc_id), arg_int(n_pages));
    if (rc < 0)
        goto out;
    left = n_pages - sqlite3_column_int(st, 0);
    if (left <= 0) {
        left = 0;
        rc = SQ_RUN(c, SQL_CLAIM_FINISH, &st, "claim document", err, arg_text(doc_id));
        if (rc < 0)
            goto out;
        finisher = sqlite3_changes(c->db) == 1;
    }
    rc = 0;
out:
    rc = sq_tx_end(c, rc, err); /* after a failed BEGIN too: its ROLLBACK of nothing is ignored */
    sq_unlock(c);
    if (rc == 0) {
        *remaining = left;
        *you_finish = finisher;
    }
    return rc;
}

static const char SQL_FINISH[] =
    "UPDATE documents SET status = ?2, error = ?3, record_key = coalesce(?4, record_key),"
    " pdf_key = coalesce(?5, pdf_key), lease_until = NULL, finished_at = " NOW ","
    " updated_at = " NOW " WHERE id = ?1";

int sq_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                       const char *error, const char *record_key, const char *pdf_key,
                       struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_FINISH, &st, "finish document", err, arg_text(doc_id),
                    arg_text(sohoa_doc_status_name(status)), arg_text(error), arg_text(record_key),
                    arg_text(pdf_key));
    if (rc >= 0 && sqlite3_changes(c->db) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}

/* ---- fields -------------------------------------------------------------------------------- */

static const char SQL_SET_TYPE[] =
    "UPDATE documents SET doc_type = ?2, updated_at = " NOW " WHERE id = ?1";
static const char SQL_FIELDS_DELETE[] = "DELETE FROM fields WHERE doc_id = ?1";
static const char SQL_FIELD_INSERT[] =
    "INSERT INTO fields (doc_id, name, ordinal, value, value_key, raw, confidence, page, source)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

int sq_put_fields(void *state, const char *doc_id, const char *doc_type,
                  const struct sohoa_field_put *rows, size_t n, struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;

    sq_lock(c);
    int rc = sq_exec(c, "BEGIN IMMEDIATE", "begin fields", err);
    if (rc)
        goto unlock;
    rc = SQ_RUN(c, SQL_SET_TYPE, &st, "set document type", err, arg_text(doc_id),
                arg_text(doc_type));
    if (rc >= 0 && sqlite3_changes(c->db) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    if (rc >= 0)
        rc = SQ_RUN(c, SQL_FIELDS_DELETE, &st, "clear fields", err, arg_text(doc_id));
    for (size_t i = 0; rc >= 0 && i < n; i++) {
        const struct sohoa_field_row *r = &rows[i].row;
        rc = SQ_RUN(c, SQL_FIELD_INSERT, &st, "store field", err, arg_text(doc_id),
                    arg_text(r->name), arg_int((int64_t)i), arg_text(r->value),
                    arg_text(rows[i].key), arg_text(r->raw), arg_opt_real(r->confidence),
                    arg_int(r->page), arg_text(r->source));
    }
    rc = sq_tx_end(c, rc < 0 ? rc : 0, err);
unlock:
    sq_unlock(c);
    return rc;
}
