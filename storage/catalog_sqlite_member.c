/* catalog_sqlite_member.c — the SQLite catalog's membership and recovery operations: a document's
 * admission into a dossier (one BEGIN IMMEDIATE transaction decides whether the caller processes
 * it), its removal from one dossier, the dossiers holding it, the assembler's lease and the
 * documents that stalled.
 *
 * Times are the catalog's own clock (SQLite's 'now', whole seconds, UTC), so processes on one
 * machine agree on them. Writes run on the writer connection under its lock, reads on the reader.
 */
#include "storage/catalog_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "+N seconds" for SQLite's date functions, rounded up so that a lease never ends early. */
static void seconds_modifier(int64_t ms, char out[32])
{
    (void)snprintf(out, 32, "%+lld seconds", (long long)((ms + 999) / 1000)); /* <= 29: fits */
}

static const char SQL_MEMBER_UPSERT[] =
    "INSERT INTO memberships (dossier_id, ordinal, doc_id, name, added_at)"
    " VALUES (?1, ?2, ?3, ?4, " NOW ")"
    " ON CONFLICT (dossier_id, ordinal) DO UPDATE SET doc_id = excluded.doc_id,"
    " name = excluded.name, added_at = CASE WHEN memberships.doc_id = excluded.doc_id"
    " THEN memberships.added_at ELSE excluded.added_at END";

int sq_member_put(struct conn *c, const char *doc_id, const struct sohoa_document *d,
                  struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = SQ_RUN(c, SQL_MEMBER_UPSERT, &st, "add to dossier", err, arg_text(d->dossier_id),
                    arg_int(d->ordinal), arg_text(doc_id), arg_text(d->name));
    if (rc == SOHOA_ENOTFOUND)
        return sohoa_err_set(err, rc, false, "document %.12s: dossier %s is not in the catalog",
                             doc_id, d->dossier_id);
    return rc < 0 ? rc : 0;
}

/* The document's status and how long (seconds) since anything happened to it. */
static const char SQL_ADMIT_READ[] =
    "SELECT status, CAST(strftime('%s','now') AS INTEGER) - CAST(strftime('%s',"
    " max(updated_at, coalesce((SELECT max(updated_at) FROM pages WHERE doc_id = ?1), '')))"
    " AS INTEGER) FROM documents WHERE id = ?1";

static const char SQL_ADMIT_INSERT[] =
    "INSERT INTO documents (id, dossier_id, name, ordinal, format, n_pages, size_bytes, status,"
    " error, created_at, updated_at, finished_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " NOW ", " NOW ","
    " CASE WHEN ?8 = 'failed' THEN " NOW " END)";

/* A failed (or stale) document processed again: what intake learned now replaces what it had. */
static const char SQL_ADMIT_RESET[] =
    "UPDATE documents SET format = ?2, n_pages = ?3, size_bytes = ?4, status = ?5, error = ?6,"
    " updated_at = " NOW ", assembling_at = NULL, lease_until = NULL,"
    " finished_at = CASE WHEN ?5 = 'failed' THEN " NOW " END WHERE id = ?1";

int sq_admit_document(void *state, const char *doc_id, const struct sohoa_document *d,
                      int64_t stale_ms, enum sohoa_admit *admit, enum sohoa_doc_status *status,
                      struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    enum sohoa_admit a = SOHOA_ADMIT_NEW;
    enum sohoa_doc_status now = d->status;

    sq_lock(c);
    int rc = sq_exec(c, "BEGIN IMMEDIATE", "begin admission", err);
    if (rc)
        goto out;
    rc = SQ_RUN(c, SQL_ADMIT_READ, &st, "read document", err, arg_text(doc_id));
    if (rc < 0)
        goto out;
    bool reset = false;
    if (rc == 1) {
        enum sohoa_doc_status was = SOHOA_DOC_FAILED;
        sohoa_doc_status_parse((const char *)sqlite3_column_text(st, 0), &was);
        int64_t idle_s = sqlite3_column_int64(st, 1);
        bool stale = stale_ms > 0 && idle_s * 1000 >= stale_ms;
        if (d->status == SOHOA_DOC_FAILED || was == SOHOA_DOC_FAILED ||
            (was == SOHOA_DOC_PROCESSING && stale)) {
            reset = true;
        } else {
            a = was == SOHOA_DOC_DONE || was == SOHOA_DOC_PARTIAL ? SOHOA_ADMIT_FINISHED
                                                                  : SOHOA_ADMIT_RUNNING;
            now = was;
        }
        rc = 0;
        if (reset)
            rc = SQ_RUN(c, SQL_ADMIT_RESET, &st, "reset document", err, arg_text(doc_id),
                        arg_text(d->format), arg_int(d->n_pages), arg_int(d->size_bytes),
                        arg_text(sohoa_doc_status_name(d->status)), arg_text(d->error));
    } else {
        rc = SQ_RUN(c, SQL_ADMIT_INSERT, &st, "insert document", err, arg_text(doc_id),
                    arg_text(d->dossier_id), arg_text(d->name), arg_int(d->ordinal),
                    arg_text(d->format), arg_int(d->n_pages), arg_int(d->size_bytes),
                    arg_text(sohoa_doc_status_name(d->status)), arg_text(d->error));
        if (rc == SOHOA_ENOTFOUND)
            sohoa_err_set(err, rc, false, "document %.12s: dossier %s is not in the catalog",
                          doc_id, d->dossier_id);
    }
    if (rc >= 0)
        rc = sq_member_put(c, doc_id, d, err);
    rc = rc < 0 ? rc : 0;
out:
    rc = sq_tx_end(c, rc, err); /* after a failed BEGIN too: its ROLLBACK of nothing is ignored */
    sq_unlock(c);
    if (rc == 0) {
        *admit = a;
        *status = now;
    } else {
        sohoa_err_prefix(err, "admit %.12s", doc_id);
    }
    return rc;
}

static const char SQL_MEMBER_DELETE[] =
    "DELETE FROM memberships WHERE dossier_id = ?1 AND doc_id = ?2";

int sq_remove_document(void *state, const char *dossier_id, const char *doc_id,
                       struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_MEMBER_DELETE, &st, "remove from dossier", err, arg_text(dossier_id),
                    arg_text(doc_id));
    if (rc >= 0 && sqlite3_changes(c->db) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "dossier %s does not hold document %.12s",
                           dossier_id, doc_id);
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}

static const char SQL_DOC_DOSSIERS[] =
    "SELECT DISTINCT dossier_id FROM memberships WHERE doc_id = ?1 ORDER BY dossier_id";

int sq_doc_dossiers(void *state, const char *doc_id, struct sohoa_ids *out, struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_DOC_DOSSIERS, &st, "list dossiers of document", err, arg_text(doc_id));
    while (rc == 1) {
        if ((rc = sohoa_ids_push(out, (const char *)sqlite3_column_text(st, 0), err)) < 0)
            break;
        rc = sq_step(c, st, "list dossiers of document", err);
    }
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}

static const char SQL_CLAIM_ASSEMBLY[] =
    "UPDATE documents SET lease_until = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?2),"
    " updated_at = " NOW " WHERE id = ?1 AND status = 'assembling'"
    " AND (lease_until IS NULL OR lease_until < " NOW ")";

int sq_claim_assembly(void *state, const char *doc_id, int lease_ms, bool *yours,
                      struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    char mod[32];
    seconds_modifier(lease_ms, mod);
    sq_lock(c);
    int rc =
        SQ_RUN(c, SQL_CLAIM_ASSEMBLY, &st, "claim assembly", err, arg_text(doc_id), arg_text(mod));
    if (rc >= 0)
        *yours = sqlite3_changes(c->db) == 1;
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}

static const char SQL_RELEASE_ASSEMBLY[] =
    "UPDATE documents SET lease_until = NULL WHERE id = ?1 AND status = 'assembling'";

int sq_release_assembly(void *state, const char *doc_id, struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_RELEASE_ASSEMBLY, &st, "release assembly", err, arg_text(doc_id));
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}

/* Last activity: an assembling document's claim or lease end, a processing one's admission or
 * newest page. ?1 is the idle time as a date modifier ("-N seconds"). */
static const char SQL_STALLED[] =
    "SELECT id, status, n_pages, done, CAST(strftime('%s','now') AS INTEGER)"
    " - CAST(strftime('%s', last) AS INTEGER) FROM ("
    " SELECT d.id, d.status, d.n_pages,"
    "  (SELECT count(*) FROM pages p WHERE p.doc_id = d.id AND p.page_index < d.n_pages) AS done,"
    "  CASE WHEN d.status = 'assembling' THEN max(coalesce(d.assembling_at, d.updated_at),"
    "   coalesce(d.lease_until, ''))"
    "  ELSE max(d.updated_at, coalesce((SELECT max(p.updated_at) FROM pages p"
    "   WHERE p.doc_id = d.id), '')) END AS last"
    " FROM documents d WHERE d.status IN ('processing', 'assembling')"
    "  AND (d.lease_until IS NULL OR d.lease_until < " NOW "))"
    " WHERE last <= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', ?1) ORDER BY last, id LIMIT ?2";

int sq_stalled(void *state, int64_t idle_ms, size_t max, struct sohoa_stalled_doc *out, size_t *n,
               struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    char mod[32];
    (void)snprintf(mod, sizeof mod, "-%lld seconds", (long long)(idle_ms / 1000)); /* <= 29: fits */
    sq_lock(c);
    int rc = SQ_RUN(c, SQL_STALLED, &st, "list stalled documents", err, arg_text(mod),
                    arg_int((int64_t)max));
    while (rc == 1 && *n < max) {
        struct sohoa_stalled_doc *s = &out[*n];
        /* document ids are 64 hex digits (checked when stored): fits */
        (void)snprintf(s->id, sizeof s->id, "%s", (const char *)sqlite3_column_text(st, 0));
        enum sohoa_doc_status status = SOHOA_DOC_PROCESSING;
        sohoa_doc_status_parse((const char *)sqlite3_column_text(st, 1), &status);
        s->status = status;
        s->n_pages = sqlite3_column_int(st, 2);
        s->pages_done = sqlite3_column_int(st, 3);
        s->idle_ms = sqlite3_column_int64(st, 4) * 1000;
        (*n)++;
        rc = sq_step(c, st, "list stalled documents", err);
    }
    sq_unlock(c);
    return rc < 0 ? rc : 0;
}
