/* catalog_pg_member.c — the PostgreSQL catalog's membership and assembly bookkeeping: admission
 * (one transaction behind the document row's lock, so that of two callers admitting the same
 * content at once exactly one is told to process it), taking a document out of a dossier, the
 * dossiers holding a document, the assembler's lease (documents.lease_until) and the documents
 * that made no progress, for the sweepers.
 *
 * "Last activity" of a document being processed is the later of its row's updated_at (admitted,
 * reset) and its newest page record; of one being assembled, the later of the move to
 * 'assembling' and the end of its last lease.
 */
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- admission ----------------------------------------------------------------------------- */

/* $1 id, $2 format, $3 n_pages, $4 size, $5 status, $6 error, $7 dossier, $8 ordinal, $9 name:
 * the row of new content, with its first dossier. Of two callers at once, the second waits on the
 * first's unique-index entry, then inserts nothing. */
static const char SQL_ADMIT_INSERT[] =
    "INSERT INTO documents (id, format, n_pages, size_bytes, status, error, dossier_id, ordinal,"
    " name, finished_at) VALUES ($1, $2, $3::integer, $4::bigint, $5, $6, $7, $8::integer, $9,"
    " CASE WHEN $5 = 'failed' THEN now() END) ON CONFLICT (id) DO NOTHING RETURNING 1";

/* The row lock page_done takes too: admissions and page records of one document take turns. */
static const char SQL_ADMIT_LOCK[] = "SELECT status FROM documents WHERE id = $1 FOR NO KEY UPDATE";

/* $1..$6 as in SQL_ADMIT_INSERT: the row written again (refused at intake, failed and retried). */
static const char SQL_ADMIT_WRITE[] =
    "UPDATE documents SET format = $2, n_pages = $3::integer, size_bytes = $4::bigint,"
    " status = $5, error = $6, updated_at = now(), assembling_at = NULL, lease_until = NULL,"
    " finished_at = CASE WHEN $5 = 'failed' THEN now() END WHERE id = $1";

/* A document left 'processing' with no activity for longer than $2 ms: taken over (touched, so
 * that the next admission within $2 ms follows it instead). Run after the lock: a fresh snapshot
 * sees every page recorded before it. */
static const char SQL_ADMIT_STALE[] =
    "UPDATE documents d SET updated_at = now() WHERE d.id = $1 AND d.status = 'processing'"
    " AND extract(epoch FROM now() - greatest(d.updated_at,"
    " (SELECT max(p.updated_at) FROM pages p WHERE p.doc_id = d.id))) * 1000 > $2::bigint"
    " RETURNING 1";

static const char SQL_MEMBER_UPSERT[] =
    "INSERT INTO memberships AS m (dossier_id, ordinal, doc_id, name)"
    " VALUES ($1, $2::integer, $3, $4)" SQL_MEMBER_CONFLICT;

/* The decision once the row is locked: *admit and *status from its status `cur`. */
static int admit_existing(struct slot *c, const char *doc_id, const struct params *row,
                          const struct sohoa_document *d, int64_t stale_ms, const char *cur,
                          enum sohoa_admit *admit, enum sohoa_doc_status *status,
                          struct sohoa_err *err)
{
    struct params p = *row;
    PGresult *r = NULL;
    int rc = 0;
    if (sohoa_doc_status_parse(cur, status))
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad status", doc_id);
    if (d->status == SOHOA_DOC_FAILED ||
        (*status == SOHOA_DOC_FAILED && d->status == SOHOA_DOC_PROCESSING)) {
        p.n = 6;
        *admit = SOHOA_ADMIT_NEW;
        *status = d->status;
        return cpg_run(c, SQL_ADMIT_WRITE, &p, NULL, "write admitted document", err);
    }
    if (*status == SOHOA_DOC_DONE || *status == SOHOA_DOC_PARTIAL) {
        *admit = SOHOA_ADMIT_FINISHED;
        return 0;
    }
    *admit = SOHOA_ADMIT_RUNNING;
    if (*status != SOHOA_DOC_PROCESSING || stale_ms <= 0)
        return 0;
    p = (struct params){0};
    p_text(&p, doc_id);
    p_int(&p, stale_ms);
    if ((rc = cpg_run(c, SQL_ADMIT_STALE, &p, &r, "take over a stale document", err)) == 0 &&
        PQntuples(r) == 1)
        *admit = SOHOA_ADMIT_NEW;
    PQclear(r);
    return rc;
}

int cpg_admit_document(void *state, const char *doc_id, const struct sohoa_document *d,
                       int64_t stale_ms, enum sohoa_admit *admit, enum sohoa_doc_status *status,
                       struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params row = {0}, m = {0};
    PGresult *r = NULL;
    bool fk = false;
    int rc = cpg_take(s, &c, err);
    if (rc)
        return rc;
    p_text(&row, doc_id);
    p_text(&row, d->format);
    p_int(&row, d->n_pages);
    p_int(&row, d->size_bytes);
    p_text(&row, sohoa_doc_status_name(d->status));
    p_text(&row, d->error);
    p_text(&row, d->dossier_id);
    p_int(&row, d->ordinal);
    p_text(&row, d->name);
    if ((rc = cpg_exec(c, "BEGIN", "begin admission", err)))
        goto out;
    if ((rc = cpg_run(c, SQL_ADMIT_INSERT, &row, &r, "admit document", err))) {
        fk = rc == SOHOA_ENOTFOUND;
        goto out;
    }
    if (PQntuples(r) == 1) {
        *admit = SOHOA_ADMIT_NEW;
        *status = d->status;
    } else {
        PQclear(r);
        row.n = 1;
        rc = cpg_run(c, SQL_ADMIT_LOCK, &row, &r, "lock document", err);
        if ((rc = cpg_doc_row(rc, r, doc_id, err)) == 0)
            rc = admit_existing(c, doc_id, &row, d, stale_ms, cpg_val(r, 0, 0), admit, status, err);
    }
    if (rc)
        goto out;
    p_text(&m, d->dossier_id);
    p_int(&m, d->ordinal);
    p_text(&m, doc_id);
    p_text(&m, d->name);
    rc = cpg_run(c, SQL_MEMBER_UPSERT, &m, NULL, "put document in dossier", err);
    fk = rc == SOHOA_ENOTFOUND;
out:
    rc = cpg_tx_end(c, rc, err); /* after a failed BEGIN too: its ROLLBACK of nothing is harmless */
    cpg_give(s, c);
    PQclear(r);
    if (fk) /* the only foreign key these statements can break: the dossier's */
        return sohoa_err_set(err, rc, false, "document %.12s: dossier %s is not in the catalog",
                             doc_id, d->dossier_id);
    if (rc)
        sohoa_err_prefix(err, "document %.12s", doc_id);
    return rc;
}

/* ---- a document's dossiers ----------------------------------------------------------------- */

int cpg_remove_document(void *state, const char *dossier_id, const char *doc_id,
                        struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, dossier_id);
    p_text(&p, doc_id);
    int rc = cpg_query(state,
                       "DELETE FROM memberships WHERE dossier_id = $1 AND doc_id = $2 RETURNING 1",
                       &p, &r, "remove document", err);
    if (rc == 0 && PQntuples(r) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "dossier %s does not hold document %.12s",
                           dossier_id, doc_id);
    PQclear(r);
    return rc;
}

/* Ids compare byte by byte (COLLATE "C"), whatever the database's collation, as in SQLite. */
int cpg_doc_dossiers(void *state, const char *doc_id, struct sohoa_ids *out, struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, doc_id);
    int rc = cpg_query(state,
                       "SELECT dossier_id FROM memberships WHERE doc_id = $1 GROUP BY dossier_id"
                       " ORDER BY dossier_id COLLATE \"C\"",
                       &p, &r, "list document dossiers", err);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++)
        rc = sohoa_ids_push(out, PQgetvalue(r, i, 0), err);
    PQclear(r);
    return rc;
}

/* ---- the assembler's lease ----------------------------------------------------------------- */

/* Of two claims at once, the second waits on the row, then sees the first's lease (READ
 * COMMITTED re-checks the WHERE on the new row version) and updates nothing. */
static const char SQL_CLAIM[] =
    "UPDATE documents SET lease_until = now() + $2::bigint * interval '1 millisecond'"
    " WHERE id = $1 AND status = 'assembling' AND (lease_until IS NULL OR lease_until < now())"
    " RETURNING 1";

int cpg_claim_assembly(void *state, const char *doc_id, int lease_ms, bool *yours,
                       struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_text(&p, doc_id);
    p_int(&p, lease_ms);
    int rc = cpg_query(state, SQL_CLAIM, &p, &r, "claim assembly", err);
    if (rc == 0)
        *yours = PQntuples(r) == 1;
    PQclear(r);
    return rc;
}

int cpg_release_assembly(void *state, const char *doc_id, struct sohoa_err *err)
{
    struct params p = {0};
    p_text(&p, doc_id);
    return cpg_query(state,
                     "UPDATE documents SET lease_until = NULL WHERE id = $1"
                     " AND status = 'assembling'",
                     &p, NULL, "release assembly", err);
}

/* ---- stalled documents --------------------------------------------------------------------- */

/* $1 idle ms, $2 how many. Idle time is compared in milliseconds (no timestamp arithmetic that a
 * huge $1 would overflow); pages past n_pages (left from a larger earlier count) are not done. */
static const char SQL_STALLED[] =
    "SELECT d.id, d.status, d.n_pages, (SELECT count(*) FROM pages p WHERE p.doc_id = d.id"
    " AND p.page_index < d.n_pages), a.idle FROM documents d"
    " CROSS JOIN LATERAL (SELECT CASE WHEN d.status = 'assembling'"
    "   THEN coalesce(greatest(d.assembling_at, d.lease_until), d.updated_at)"
    "   ELSE greatest(d.updated_at, (SELECT max(p.updated_at) FROM pages p"
    "   WHERE p.doc_id = d.id)) END AS last) l"
    " CROSS JOIN LATERAL (SELECT greatest(0, floor(extract(epoch FROM now() - l.last) * 1000))"
    "   ::bigint AS idle) a"
    " WHERE d.status IN ('assembling', 'processing') AND CASE WHEN d.status = 'assembling'"
    "   THEN (d.lease_until IS NULL AND a.idle >= $1::bigint) OR d.lease_until < now()"
    "   ELSE a.idle >= $1::bigint END"
    " ORDER BY l.last, d.id LIMIT $2::bigint";

int cpg_stalled(void *state, int64_t idle_ms, size_t max, struct sohoa_stalled_doc *out, size_t *n,
                struct sohoa_err *err)
{
    struct params p = {0};
    PGresult *r = NULL;
    p_int(&p, idle_ms);
    p_int(&p, (long long)max);
    int rc = cpg_query(state, SQL_STALLED, &p, &r, "list stalled documents", err);
    for (int i = 0; rc == 0 && i < PQntuples(r) && (size_t)i < max; i++) {
        struct sohoa_stalled_doc *sd = &out[*n];
        enum sohoa_doc_status status = SOHOA_DOC_PROCESSING;
        if (PQgetlength(r, i, 0) != 64 || sohoa_doc_status_parse(cpg_val(r, i, 1), &status)) {
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "stalled documents: bad row");
            break;
        }
        memcpy(sd->id, PQgetvalue(r, i, 0), 65);
        sd->status = status;
        sd->n_pages = cpg_ival(r, i, 2, 0);
        sd->pages_done = cpg_ival(r, i, 3, 0);
        sd->idle_ms = strtoll(PQgetvalue(r, i, 4), NULL, 10);
        (*n)++;
    }
    if (rc)
        *n = 0;
    PQclear(r);
    return rc;
}
