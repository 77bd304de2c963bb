/* catalog_pg_write.c — the PostgreSQL catalog's writes: dossier and document upserts (a document
 * with its membership in the dossier, one statement), page_done (one call of the
 * sohoa_page_done() PL/pgSQL function, which decides the single finisher), finish_document (which
 * ends the assembler's lease) and put_fields (a document's type and fields replaced in one
 * transaction, behind the document row's lock so that two deliveries of one job do not
 * interleave). Admission and the other membership operations: catalog_pg_member.c.
 */
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "storage/search_query.h"

/* ---- writing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_UPSERT[] =
    "INSERT INTO dossiers AS d (id, receipt_no, procedure_code, department, district, commune,"
    " received_date, source, title, path, meta_json)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10, $11::json)"
    " ON CONFLICT (id) DO UPDATE SET receipt_no = excluded.receipt_no,"
    " procedure_code = excluded.procedure_code, department = excluded.department,"
    " district = excluded.district, commune = excluded.commune,"
    " received_date = excluded.received_date, source = excluded.source,"
    " title = excluded.title, path = excluded.path, meta_json = excluded.meta_json,"
    " updated_at = now()";

int cpg_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                       struct sohoa_err *err)
{
    struct params p = {0};
    p_text(&p, id);
    p_text(&p, d->receipt_no);
    p_text(&p, d->procedure_code);
    p_text(&p, d->department);
    p_text(&p, d->district);
    p_text(&p, d->commune);
    p_text(&p, d->received_date);
    p_text(&p, sohoa_source_name(d->source));
    p_text(&p, d->title);
    p_text(&p, d->path);
    p_text(&p, d->meta_json);
    int rc = cpg_query(state, SQL_DOSSIER_UPSERT, &p, NULL, "upsert dossier", err);
    if (rc)
        sohoa_err_prefix(err, "dossier %s", id);
    return rc;
}

/* The document row (its first dossier, name and position are written on insert only), then its
 * membership, in one statement: the membership's foreign key sees the row the CTE wrote. */
static const char SQL_DOCUMENT_UPSERT[] =
    "WITH d AS (INSERT INTO documents AS d (id, dossier_id, name, ordinal, format, n_pages,"
    " size_bytes, status, error, finished_at)"
    " VALUES ($1, $2, $3, $4::integer, $5, $6::integer, $7::bigint, $8, $9,"
    " CASE WHEN $8 IN ('done', 'partial', 'failed') THEN now() END)"
    " ON CONFLICT (id) DO UPDATE SET format = excluded.format, n_pages = excluded.n_pages,"
    " size_bytes = excluded.size_bytes, status = excluded.status, error = excluded.error,"
    " updated_at = now(), assembling_at = NULL, lease_until = NULL,"
    " finished_at = excluded.finished_at RETURNING d.id)"
    " INSERT INTO memberships AS m (dossier_id, ordinal, doc_id, name)"
    " SELECT $2, $4::integer, d.id, $3 FROM d" SQL_MEMBER_CONFLICT;

int cpg_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                        struct sohoa_err *err)
{
    struct params p = {0};
    p_text(&p, doc_id);
    p_text(&p, d->dossier_id);
    p_text(&p, d->name);
    p_int(&p, d->ordinal);
    p_text(&p, d->format);
    p_int(&p, d->n_pages);
    p_int(&p, d->size_bytes);
    p_text(&p, sohoa_doc_status_name(d->status));
    p_text(&p, d->error);
    int rc = cpg_query(state, SQL_DOCUMENT_UPSERT, &p, NULL, "upsert document", err);
    if (rc == SOHOA_ENOTFOUND)
        return sohoa_err_set(err, rc, false, "document %.12s: dossier %s is not in the catalog",
                             doc_id, d->dossier_id);
    if (rc)
        sohoa_err_prefix(err, "document %.12s", doc_id);
    return rc;
}

static const char SQL_PAGE_DONE[] =
    "SELECT remaining, you_finish FROM sohoa_page_done($1, $2::integer, $3, $4,"
    " $5::double precision, $6::integer, $7::double precision, $8::integer, $9::integer,"
    " $10::integer, $11, $12::double precision, $13, $14, $15)";

int cpg_page_done(void *state, const char *doc_id, int page_index, const struct sohoa_page *pg,
                  const char *fold, int *remaining, bool *you_finish, struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    char *canon_words = NULL, *fold_words = NULL;
    int rc = 0;

    if (pg->text && fold &&
        ((rc = sohoa_text_words(pg->text, &canon_words, err)) ||
         (rc = sohoa_text_words(fold, &fold_words, err))))
        goto out;
    p_text(&p, doc_id);
    p_int(&p, page_index);
    p_text(&p, sohoa_page_status_name(pg->status));
    p_text(&p, pg->error);
    p_real(&p, pg->mean_conf, true);
    p_int(&p, pg->rotation);
    p_real(&p, pg->skew, false);
    p_int(&p, pg->width);
    p_int(&p, pg->height);
    p_int(&p, pg->dpi);
    p_text(&p, pg->text_source);
    p_real(&p, pg->elapsed_ms, false);
    p_text(&p, canon_words ? pg->text : NULL);
    p_text(&p, canon_words);
    p_text(&p, fold_words);
    rc = cpg_query(state, SQL_PAGE_DONE, &p, &r, "record page", err);
    if (rc == 0) {
        *remaining = cpg_ival(r, 0, 0, 0);
        *you_finish = cpg_bval(r, 0, 1);
    }
out:
    PQclear(r);
    free(canon_words);
    free(fold_words);
    return rc;
}

static const char SQL_FINISH[] =
    "UPDATE documents SET status = $2, error = $3, record_key = coalesce($4, record_key),"
    " pdf_key = coalesce($5, pdf_key), finished_at = now(), updated_at = now(),"
    " lease_until = NULL WHERE id = $1"
    " RETURNING 1";

int cpg_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                        const char *error, const char *record_key, const char *pdf_key,
                        struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, doc_id);
    p_text(&p, sohoa_doc_status_name(status));
    p_text(&p, error);
    p_text(&p, record_key);
    p_text(&p, pdf_key);
    int rc = cpg_query(state, SQL_FINISH, &p, &r, "finish document", err);
    rc = cpg_doc_row(rc, r, doc_id, err);
    PQclear(r);
    return rc;
}

/* ---- fields -------------------------------------------------------------------------------- */

/* The UPDATE takes the document's row lock first: a second delivery of the same job waits here,
 * then deletes what the first one wrote (READ COMMITTED: a fresh snapshot per statement). */
static const char SQL_SET_TYPE[] =
    "UPDATE documents SET doc_type = $2, updated_at = now() WHERE id = $1 RETURNING 1";
static const char SQL_FIELD_INSERT[] =
    "INSERT INTO fields (doc_id, name, ordinal, value, value_key, raw, confidence, page, source)"
    " VALUES ($1, $2, $3::integer, $4, $5, $6, $7::double precision, $8::integer, $9)";

int cpg_put_fields(void *state, const char *doc_id, const char *doc_type,
                   const struct sohoa_field_put *rows, size_t n, struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *r = NULL;
    int rc = cpg_take(s, &c, err);
    if (rc)
        return rc;
    if ((rc = cpg_exec(c, "BEGIN", "begin fields", err)))
        goto out;
    p_text(&p, doc_id);
    p_text(&p, doc_type);
    rc = cpg_run(c, SQL_SET_TYPE, &p, &r, "set document type", err);
    rc = cpg_doc_row(rc, r, doc_id, err);
    p.n = 1;
    if (rc == 0)
        rc = cpg_run(c, "DELETE FROM fields WHERE doc_id = $1", &p, NULL, "clear fields", err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct sohoa_field_row *f = &rows[i].row;
        p.n = 1;
        p_text(&p, f->name);
        p_int(&p, (long long)i);
        p_text(&p, f->value);
        p_text(&p, rows[i].key);
        p_text(&p, f->raw);
        p_real(&p, f->confidence, true);
        p_int(&p, f->page);
        p_text(&p, f->source);
        rc = cpg_run(c, SQL_FIELD_INSERT, &p, NULL, "store field", err);
    }
    rc = cpg_tx_end(c, rc, err);
out:
    cpg_give(s, c);
    PQclear(r);
    return rc;
}
