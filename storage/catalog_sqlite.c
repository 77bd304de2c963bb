/* catalog_sqlite.c — the catalog on SQLite + FTS5: the embedded default backend.
 *
 * With catalog_sqlite_*.c (catalog_sqlite_int.h lists the parts), the only files that include
 * <sqlite3.h>; SQLite result codes become struct sohoa_err in them. This one holds error
 * translation, connections and their statement caches, binding and reading helpers, and opening
 * and closing (the ops table).
 *
 * DESIGN. One writer and one reader connection, each guarded by its own mutex, so that any number
 * of worker threads may call in: writes queue on the writer, searches and "show" reads run on the
 * reader in parallel with them (WAL lets a reader see the last commit while a write is under
 * way). An in-memory catalog has one connection for both. Writes that read before they write
 * (page_done) run in BEGIN IMMEDIATE transactions so that several processes sharing the file
 * serialise instead of failing to upgrade a lock; a lock held elsewhere for longer than
 * SOHOA_CATALOG_BUSY_MS is a retryable error. synchronous=FULL: a page result acknowledged to the
 * queue must survive a power cut.
 *
 * Index: pages_fts(canon, fold), rowid = pages.id, tokenizer unicode61 with diacritics kept
 * (FTS5 tokenizers are per table, so the folded copy is a column, not a second tokenizer).
 * A search matches the folded column; the page is an exact-class hit when the canonical column
 * matches the same terms too. Pages without text have no index row.
 */
#include "storage/catalog_sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- connections --------------------------------------------------------------------------- */

/* Translate a SQLite failure on `db` (may be NULL) into `err`; returns the sohoa code. */
int sq_fail(sqlite3 *db, int rc, const char *what, struct sohoa_err *err)
{
    int code = SOHOA_EBACKEND;
    bool retry = false;
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    switch (rc & 0xFF) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        retry = true;
        break;
    case SQLITE_NOMEM:
        code = SOHOA_ENOMEM;
        break;
    case SQLITE_IOERR:
    case SQLITE_FULL:
        code = SOHOA_EIO;
        retry = true;
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
        code = SOHOA_EIO;
        break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        code = SOHOA_EFORMAT;
        break;
    case SQLITE_TOOBIG:
        code = SOHOA_ELIMIT;
        break;
    case SQLITE_INTERRUPT:
        code = SOHOA_ETIMEOUT;
        break;
    case SQLITE_CONSTRAINT:
        code = ext == SQLITE_CONSTRAINT_FOREIGNKEY ? SOHOA_ENOTFOUND : SOHOA_EINVAL;
        break;
    default:
        break;
    }
    return sohoa_err_set(err, code, retry, "catalog: %s: %s", what,
                         db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Run SQL without results (several statements allowed). */
int sq_exec(struct conn *c, const char *sql, const char *what, struct sohoa_err *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sq_fail(c->db, rc, what, err);
}

/* The prepared statement for the static string `sql`, prepared on first use. Only under the
 * connection's lock; it comes reset, and conn_unlock resets it again. */
int sq_stmt(struct conn *c, const char *sql, sqlite3_stmt **out, struct sohoa_err *err)
{
    *out = NULL;
    for (size_t i = 0; i < c->n_cached; i++) {
        if (c->cached_sql[i] == sql) {
            *out = c->cached[i];
            sqlite3_reset(*out);
            return 0;
        }
    }
    if (c->n_cached == STMT_CACHE_MAX)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog: statement cache full");
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(c->db, rc, "prepare", err);
    c->cached_sql[c->n_cached] = sql;
    c->cached[c->n_cached++] = *out;
    return 0;
}

static void conn_reset_all(struct conn *c)
{
    for (size_t i = 0; i < c->n_cached; i++) {
        sqlite3_reset(c->cached[i]);
        sqlite3_clear_bindings(c->cached[i]);
    }
}

void sq_lock(struct conn *c)
{
    pthread_mutex_lock(&c->lock);
}

/* Release every statement (and so every implicit read transaction), then the lock. */
void sq_unlock(struct conn *c)
{
    conn_reset_all(c);
    pthread_mutex_unlock(&c->lock);
}

/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
int sq_tx_end(struct conn *c, int rc, struct sohoa_err *err)
{
    conn_reset_all(c);
    if (rc == 0) {
        rc = sq_exec(c, "COMMIT", "commit", err);
        if (rc == 0)
            return 0;
    }
    sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static void conn_close(struct conn *c)
{
    for (size_t i = 0; i < c->n_cached; i++)
        sqlite3_finalize(c->cached[i]);
    c->n_cached = 0;
    sqlite3_close_v2(c->db);
    c->db = NULL;
    if (c->lock_made)
        pthread_mutex_destroy(&c->lock);
    c->lock_made = false;
}

static int conn_open(struct conn *c, const char *path, bool readonly, struct sohoa_err *err)
{
    int flags = SQLITE_OPEN_NOMUTEX |
                (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (pthread_mutex_init(&c->lock, NULL) != 0)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog: cannot create a mutex");
    c->lock_made = true;
    int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
    if (rc != SQLITE_OK)
        return sohoa_err_set(err, SOHOA_EIO, false, "catalog: cannot open %s: %s", path,
                             c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(c->db, SOHOA_CATALOG_BUSY_MS);
    if (readonly)
        return 0;
    return sq_exec(c,
                   "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                   "PRAGMA foreign_keys = ON;",
                   "set up connection", err);
}

static void sqlite_close(void *state)
{
    struct state *s = state;
    if (!s)
        return;
    if (s->tok)
        s->tok_api.xDelete(s->tok);
    if (s->reader == &s->reader_own)
        conn_close(&s->reader_own);
    conn_close(&s->writer);
    free(s);
}

/* ---- binding and reading ------------------------------------------------------------------- */

/* Step once: 1 for a row, 0 when done, or the translated error. */
int sq_step(struct conn *c, sqlite3_stmt *st, const char *what, struct sohoa_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return sq_fail(c->db, rc, what, err);
}

/* The cached statement for `sql`, with parameters 1..n bound from `args`, stepped once: 1 for a
 * row (read more with step), 0 when done, or the translated error. Use through RUN. */
int sq_run(struct conn *c, const char *sql, sqlite3_stmt **st, const char *what,
           struct sohoa_err *err, const struct arg *args, int n)
{
    int rc = sq_stmt(c, sql, st, err);
    if (rc)
        return rc;
    if (sqlite3_bind_parameter_count(*st) != n)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog: %s: %d values for %d slots",
                             what, n, sqlite3_bind_parameter_count(*st));
    for (int i = 0; i < n && rc == SQLITE_OK; i++) {
        switch (args[i].kind) {
        case ARG_TEXT:
            rc = sqlite3_bind_text(*st, i + 1, args[i].text, -1, SQLITE_STATIC);
            break;
        case ARG_INT:
            rc = sqlite3_bind_int64(*st, i + 1, args[i].i);
            break;
        case ARG_REAL:
            rc = sqlite3_bind_double(*st, i + 1, args[i].real);
            break;
        case ARG_NULL:
            rc = sqlite3_bind_null(*st, i + 1);
            break;
        }
    }
    if (rc != SQLITE_OK)
        return sq_fail(c->db, rc, what, err);
    return sq_step(c, *st, what, err);
}

/* Copy column `i` (NULL stays NULL) into the arena. */
int sq_col_dup(struct sohoa_arena *a, sqlite3_stmt *st, int i, const char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return sohoa_arena_strndup(a, s, s ? (size_t)sqlite3_column_bytes(st, i) : 0, out);
}

int sq_col_int(sqlite3_stmt *st, int i, int dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int(st, i);
}

double sq_col_double(sqlite3_stmt *st, int i, double dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_double(st, i);
}

/* ---- opening ------------------------------------------------------------------------------- */

static const struct sohoa_catalog_ops sqlite_ops = {
    .version = SOHOA_CATALOG_OPS_VERSION,
    .name = "sqlite",
    .close = sqlite_close,
    .upsert_dossier = sq_upsert_dossier,
    .upsert_document = sq_upsert_document,
    .page_done = sq_page_done,
    .finish_document = sq_finish_document,
    .search = sq_search,
    .get_dossier = sq_get_dossier,
    .progress = sq_progress,
    .page_text = sq_page_text,
    .put_fields = sq_put_fields,
    .admit_document = sq_admit_document,
    .remove_document = sq_remove_document,
    .doc_dossiers = sq_doc_dossiers,
    .claim_assembly = sq_claim_assembly,
    .release_assembly = sq_release_assembly,
    .stalled = sq_stalled,
};

int sohoa_catalog_sqlite_open(const char *path, const struct sohoa_catalog_ops **ops, void **state,
                              struct sohoa_err *err)
{
    struct state *s = NULL;
    int rc = 0;

    *ops = NULL;
    *state = NULL;
    if (!sqlite3_threadsafe())
        return sohoa_err_set(err, SOHOA_EBACKEND, false,
                             "catalog: this SQLite library is built without thread safety");
    s = calloc(1, sizeof *s);
    if (!s)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory opening catalog");
    bool in_memory = strcmp(path, ":memory:") == 0;
    s->reader = in_memory ? &s->writer : &s->reader_own;
    if ((rc = conn_open(&s->writer, path, false, err)) || (rc = sq_migrate(&s->writer, err)))
        goto out;
    if (!in_memory && (rc = conn_open(&s->reader_own, path, true, err)))
        goto out;
    if ((rc = sq_tokenizer_open(s, err)))
        goto out;
    *ops = &sqlite_ops;
    *state = s;
    s = NULL;
out:
    sqlite_close(s);
    return rc;
}
