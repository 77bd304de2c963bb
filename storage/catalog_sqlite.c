/* catalog_sqlite.c — the catalog on SQLite + FTS5: the embedded default backend.
 *
 * The only file that includes <sqlite3.h>; SQLite result codes become struct sohoa_err here.
 * Holds: error translation, connections and their statement caches, the schema migrations, the
 * FTS5 query builder (it tokenizes every query word with the index's own tokenizer and quotes
 * it), and the ops of catalog.h.
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
#include "storage/catalog.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The index tokenizer: the schema and the query builder must agree on it. */
#define TOKENIZER      "unicode61"
#define TOKENIZER_ARG0 "remove_diacritics"
#define TOKENIZER_ARG1 "0"

#define NOW            "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
#define STMT_CACHE_MAX 24

/* ---- schema -------------------------------------------------------------------------------- */

/* migrations[i] takes the schema from version i to i + 1. Never edit a released entry: append. */
static const char *const migrations[] = {
    /* 1: dossiers, documents, pages and the two-column page index */
    "CREATE TABLE dossiers ("
    "  id TEXT PRIMARY KEY,"
    "  receipt_no TEXT, procedure_code TEXT, department TEXT, district TEXT, commune TEXT,"
    "  received_date TEXT,"
    "  source TEXT NOT NULL CHECK (source IN ('desk', 'portal', 'archive')),"
    "  title TEXT, path TEXT,"
    "  meta_json TEXT CHECK (meta_json IS NULL OR json_valid(meta_json)),"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL);"
    "CREATE INDEX dossiers_department ON dossiers (department, received_date);"
    "CREATE INDEX dossiers_received ON dossiers (received_date);"
    "CREATE TABLE documents ("
    "  id TEXT PRIMARY KEY,"
    "  dossier_id TEXT NOT NULL REFERENCES dossiers (id),"
    "  name TEXT, ordinal INTEGER NOT NULL, format TEXT,"
    "  n_pages INTEGER NOT NULL CHECK (n_pages >= 0), size_bytes INTEGER,"
    "  status TEXT NOT NULL"
    "    CHECK (status IN ('processing', 'assembling', 'done', 'partial', 'failed')),"
    "  error TEXT, record_key TEXT, pdf_key TEXT,"
    "  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, assembling_at TEXT, finished_at TEXT);"
    "CREATE INDEX documents_dossier ON documents (dossier_id, ordinal);"
    "CREATE TABLE pages ("
    "  id INTEGER PRIMARY KEY,"
    "  doc_id TEXT NOT NULL REFERENCES documents (id),"
    "  page_index INTEGER NOT NULL CHECK (page_index >= 0),"
    "  status TEXT NOT NULL CHECK (status IN ('ok', 'blank', 'failed')),"
    "  error TEXT, mean_conf REAL, rotation INTEGER, skew REAL,"
    "  width INTEGER, height INTEGER, dpi INTEGER, text_source TEXT, elapsed_ms REAL,"
    "  updated_at TEXT NOT NULL,"
    "  UNIQUE (doc_id, page_index));"
    "CREATE VIRTUAL TABLE pages_fts USING fts5 (canon, fold,"
    "  tokenize = '" TOKENIZER " " TOKENIZER_ARG0 " " TOKENIZER_ARG1 "');",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- connections --------------------------------------------------------------------------- */

struct conn {
    sqlite3 *db;
    pthread_mutex_t lock;
    bool lock_made;
    const char *cached_sql[STMT_CACHE_MAX]; /* static SQL strings, compared by address */
    sqlite3_stmt *cached[STMT_CACHE_MAX];
    size_t n_cached;
};

struct state {
    struct conn writer;
    struct conn reader_own;
    struct conn *reader; /* &reader_own, or &writer for an in-memory catalog */
    fts5_tokenizer tok_api;
    Fts5Tokenizer *tok; /* created on the reader; used under its lock */
};

/* Translate a SQLite failure on `db` (may be NULL) into `err`; returns the sohoa code. */
static int db_fail(sqlite3 *db, int rc, const char *what, struct sohoa_err *err)
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
static int exec(struct conn *c, const char *sql, const char *what, struct sohoa_err *err)
{
    int rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : db_fail(c->db, rc, what, err);
}

/* The prepared statement for the static string `sql`, prepared on first use. Only under the
 * connection's lock; it comes reset, and conn_unlock resets it again. */
static int stmt(struct conn *c, const char *sql, sqlite3_stmt **out, struct sohoa_err *err)
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
        return db_fail(c->db, rc, "prepare", err);
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

static void conn_lock(struct conn *c)
{
    pthread_mutex_lock(&c->lock);
}

/* Release every statement (and so every implicit read transaction), then the lock. */
static void conn_unlock(struct conn *c)
{
    conn_reset_all(c);
    pthread_mutex_unlock(&c->lock);
}

/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
static int tx_end(struct conn *c, int rc, struct sohoa_err *err)
{
    conn_reset_all(c);
    if (rc == 0) {
        rc = exec(c, "COMMIT", "commit", err);
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
    return exec(c,
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
                "PRAGMA foreign_keys = ON;",
                "set up connection", err);
}

/* Bring the schema to SCHEMA_VERSION, one migration after another, in one transaction. */
static int migrate(struct conn *c, struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = exec(c, "BEGIN IMMEDIATE", "begin migration", err);
    if (rc)
        return rc;
    rc = exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
              "create schema_version", err);
    if (rc)
        goto out;
    int version = 0,
        src = sqlite3_prepare_v2(c->db, "SELECT max(version) FROM schema_version", -1, &st, NULL);
    if (src == SQLITE_OK && (src = sqlite3_step(st)) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    else {
        rc = db_fail(c->db, src, "read schema version", err);
        goto out;
    }
    if (version > SCHEMA_VERSION) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                           "catalog schema version %d is newer than this sohoa (%d)", version,
                           SCHEMA_VERSION);
        goto out;
    }
    for (int v = version; v < SCHEMA_VERSION; v++) {
        char bump[96];
        snprintf(bump, sizeof bump,
                 "DELETE FROM schema_version; INSERT INTO schema_version "
                 "VALUES (%d);",
                 v + 1);
        if ((rc = exec(c, migrations[v], "migrate schema", err)) ||
            (rc = exec(c, bump, "record schema version", err))) {
            sohoa_err_prefix(err, "to version %d", v + 1);
            goto out;
        }
    }
out:
    sqlite3_finalize(st);
    return tx_end(c, rc, err);
}

/* The index's tokenizer, for cutting query words exactly as the index cut page text. */
static int tokenizer_open(struct state *s, struct sohoa_err *err)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    void *ud = NULL;
    const char *args[] = {TOKENIZER_ARG0, TOKENIZER_ARG1};
    sqlite3 *db = s->reader->db;

    int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    if (!api || api->iVersion < 2)
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "catalog: SQLite lacks FTS5");
    rc = api->xFindTokenizer(api, TOKENIZER, &ud, &s->tok_api);
    if (rc == SQLITE_OK)
        rc = s->tok_api.xCreate(ud, args, 2, &s->tok);
    if (rc != SQLITE_OK)
        return db_fail(NULL, rc, "create query tokenizer", err);
    return 0;
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

/* One bound parameter; built with the typed helpers below so the compiler checks each value. */
struct arg {
    enum { ARG_TEXT, ARG_INT, ARG_REAL, ARG_NULL } kind;
    const char *text;
    int64_t i;
    double real;
};

static struct arg arg_text(const char *s)
{
    return (struct arg){.kind = s ? ARG_TEXT : ARG_NULL, .text = s};
}

static struct arg arg_int(int64_t v)
{
    return (struct arg){.kind = ARG_INT, .i = v};
}

static struct arg arg_real(double v)
{
    return (struct arg){.kind = ARG_REAL, .real = v};
}

/* A measurement where negative means unknown: stored as NULL. */
static struct arg arg_opt_real(double v)
{
    return v < 0 ? (struct arg){.kind = ARG_NULL} : arg_real(v);
}

/* Step once: 1 for a row, 0 when done, or the translated error. */
static int step(struct conn *c, sqlite3_stmt *st, const char *what, struct sohoa_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_fail(c->db, rc, what, err);
}

/* The cached statement for `sql`, with parameters 1..n bound from `args`, stepped once: 1 for a
 * row (read more with step), 0 when done, or the translated error. Use through RUN. */
static int run(struct conn *c, const char *sql, sqlite3_stmt **st, const char *what,
               struct sohoa_err *err, const struct arg *args, int n)
{
    int rc = stmt(c, sql, st, err);
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
        return db_fail(c->db, rc, what, err);
    return step(c, *st, what, err);
}

/* RUN(conn, sql, &stmt, what, err, arg_text(a), arg_int(b), ...) */
#define RUN(c, sql, st, what, err, ...)                                                            \
    run(c, sql, st, what, err, (const struct arg[]){__VA_ARGS__},                                  \
        (int)(sizeof((const struct arg[]){__VA_ARGS__}) / sizeof(struct arg)))

/* Copy column `i` (NULL stays NULL) into the arena. */
static int col_dup(struct sohoa_arena *a, sqlite3_stmt *st, int i, const char **out)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    return sohoa_arena_strndup(a, s, s ? (size_t)sqlite3_column_bytes(st, i) : 0, out);
}

static int col_int_or(sqlite3_stmt *st, int i, int dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_int(st, i);
}

static double col_double_or(sqlite3_stmt *st, int i, double dflt)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt : sqlite3_column_double(st, i);
}

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

static int sqlite_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                                 struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    conn_lock(c);
    int rc = RUN(c, SQL_DOSSIER_UPSERT, &st, "upsert dossier", err, arg_text(id),
                 arg_text(d->receipt_no), arg_text(d->procedure_code), arg_text(d->department),
                 arg_text(d->district), arg_text(d->commune), arg_text(d->received_date),
                 arg_text(sohoa_source_name(d->source)), arg_text(d->title), arg_text(d->path),
                 arg_text(d->meta_json));
    conn_unlock(c);
    if (rc < 0)
        sohoa_err_prefix(err, "dossier %s", id);
    return rc < 0 ? rc : 0;
}

static const char SQL_DOCUMENT_UPSERT[] =
    "INSERT INTO documents (id, dossier_id, name, ordinal, format, n_pages, size_bytes, status,"
    " error, created_at, updated_at, finished_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " NOW ", " NOW ","
    " CASE WHEN ?8 IN ('done', 'partial', 'failed') THEN " NOW " END)"
    " ON CONFLICT (id) DO UPDATE SET dossier_id = excluded.dossier_id, name = excluded.name,"
    " ordinal = excluded.ordinal, format = excluded.format, n_pages = excluded.n_pages,"
    " size_bytes = excluded.size_bytes, status = excluded.status, error = excluded.error,"
    " updated_at = excluded.updated_at, assembling_at = NULL,"
    " finished_at = excluded.finished_at";

static int sqlite_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                                  struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    conn_lock(c);
    int rc = RUN(c, SQL_DOCUMENT_UPSERT, &st, "upsert document", err, arg_text(doc_id),
                 arg_text(d->dossier_id), arg_text(d->name), arg_int(d->ordinal),
                 arg_text(d->format), arg_int(d->n_pages), arg_int(d->size_bytes),
                 arg_text(sohoa_doc_status_name(d->status)), arg_text(d->error));
    conn_unlock(c);
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

static int sqlite_page_done(void *state, const char *doc_id, int page_index,
                            const struct sohoa_page *p, const char *fold, int *remaining,
                            bool *you_finish, struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    int n_pages = 0, left = 0;
    bool finisher = false;

    conn_lock(c);
    int rc = exec(c, "BEGIN IMMEDIATE", "begin page", err);
    if (rc)
        goto unlock;
    rc = RUN(c, SQL_DOC_N_PAGES, &st, "read document", err, arg_text(doc_id));
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
    rc =
        RUN(c, SQL_PAGE_UPSERT, &st, "record page", err, arg_text(doc_id), arg_int(page_index),
            arg_text(sohoa_page_status_name(p->status)), arg_text(p->error),
            arg_opt_real(p->mean_conf), arg_int(p->rotation), arg_real(p->skew), arg_int(p->width),
            arg_int(p->height), arg_int(p->dpi), arg_text(p->text_source), arg_real(p->elapsed_ms));
    if (rc < 0)
        goto out;
    if (rc == 1) { /* written: replace its index row */
        int64_t id = (int64_t)sqlite3_column_int64(st, 0);
        rc = RUN(c, SQL_FTS_DELETE, &st, "unindex page", err, arg_int(id));
        if (rc >= 0 && p->text && fold)
            rc = RUN(c, SQL_FTS_INSERT, &st, "index page", err, arg_int(id), arg_text(p->text),
                     arg_text(fold));
        if (rc < 0)
            goto out;
    }
    rc = RUN(c, SQL_PAGES_DONE, &st, "count pages", err, arg_text(doc_id), arg_int(n_pages));
    if (rc < 0)
        goto out;
    left = n_pages - sqlite3_column_int(st, 0);
    if (left <= 0) {
        left = 0;
        rc = RUN(c, SQL_CLAIM_FINISH, &st, "claim document", err, arg_text(doc_id));
        if (rc < 0)
            goto out;
        finisher = sqlite3_changes(c->db) == 1;
    }
    rc = 0;
out:
    rc = tx_end(c, rc, err);
unlock:
    conn_unlock(c);
    if (rc == 0) {
        *remaining = left;
        *you_finish = finisher;
    }
    return rc;
}

static const char SQL_FINISH[] =
    "UPDATE documents SET status = ?2, error = ?3, record_key = coalesce(?4, record_key),"
    " pdf_key = coalesce(?5, pdf_key), finished_at = " NOW ", updated_at = " NOW " WHERE id = ?1";

static int sqlite_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                                  const char *error, const char *record_key, const char *pdf_key,
                                  struct sohoa_err *err)
{
    struct conn *c = &((struct state *)state)->writer;
    sqlite3_stmt *st = NULL;
    conn_lock(c);
    int rc = RUN(c, SQL_FINISH, &st, "finish document", err, arg_text(doc_id),
                 arg_text(sohoa_doc_status_name(status)), arg_text(error), arg_text(record_key),
                 arg_text(pdf_key));
    if (rc >= 0 && sqlite3_changes(c->db) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    conn_unlock(c);
    return rc < 0 ? rc : 0;
}

/* ---- search -------------------------------------------------------------------------------- */

/* Growable string; `failed` sticks after an allocation failure. */
struct sbuf {
    char *p;
    size_t n, cap;
    bool failed;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_truncate(struct sbuf *b, size_t n)
{
    if (!b->failed && n < b->n) {
        b->n = n;
        b->p[n] = '\0';
    }
}

struct phrase_ctx {
    struct sbuf *b;
    size_t n_tokens;
};

/* FTS5 tokenizer callback: append one token to the phrase, '"' doubled. */
static int on_token(void *ctx, int tflags, const char *tok, int n, int start, int end)
{
    struct phrase_ctx *x = ctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (x->n_tokens++)
        sb_put(x->b, " ", 1);
    for (int i = 0; i < n; i++)
        sb_put(x->b, tok[i] == '"' ? "\"\"" : tok + i, tok[i] == '"' ? 2 : 1);
    return x->b->failed ? SQLITE_NOMEM : SQLITE_OK;
}

/* Append `text` to `b` as one quoted FTS5 phrase of the tokens the index would see. */
static int append_phrase(struct state *s, struct sbuf *b, const char *text, size_t *n_tokens)
{
    struct phrase_ctx x = {b, 0};
    sb_put(b, "\"", 1);
    int rc =
        s->tok_api.xTokenize(s->tok, &x, FTS5_TOKENIZE_QUERY, text, (int)strlen(text), on_token);
    sb_put(b, "\"", 1);
    *n_tokens = x.n_tokens;
    return rc;
}

/* The two MATCH expressions of a query: every term on the canonical column, and on the folded
 * one. Terms the tokenizer finds nothing in (a lone symbol) are left out of both. */
static int build_match(struct state *s, const struct sohoa_query *q, struct sbuf *exact,
                       struct sbuf *fold, struct sohoa_err *err)
{
    size_t used = 0;
    sb_puts(exact, "{canon} : (");
    sb_puts(fold, "{fold} : (");
    for (size_t i = 0; i < q->n_terms; i++) {
        size_t exact_mark = exact->n, fold_mark = fold->n, n_fold = 0, n_canon = 0;
        if (used) {
            sb_puts(exact, " AND ");
            sb_puts(fold, " AND ");
        }
        int rc = append_phrase(s, fold, q->terms[i].fold, &n_fold);
        if (rc == SQLITE_OK && n_fold > 0)
            rc = append_phrase(s, exact, q->terms[i].canon, &n_canon);
        if (rc != SQLITE_OK)
            return db_fail(NULL, rc, "tokenize query", err);
        if (n_fold == 0) {
            sb_truncate(exact, exact_mark);
            sb_truncate(fold, fold_mark);
            continue;
        }
        used++;
    }
    sb_puts(exact, ")");
    sb_puts(fold, ")");
    if (exact->failed || fold->failed)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building query");
    if (!used)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search query has no words to look for");
    return 0;
}

/* The ranking statement: matches on the folded column, filtered, exact-class first, then BM25.
 * Built from fixed pieces only; every value is a bound parameter. */
static void build_rank_sql(const struct sohoa_search_opts *o, struct sbuf *b)
{
    bool dossier_filter = o->department || o->date_from || o->date_to;
    sb_puts(b, "SELECT pages_fts.rowid,"
               " pages_fts.rowid IN (SELECT rowid FROM pages_fts WHERE pages_fts MATCH :exact)"
               " AS exact, bm25(pages_fts) AS score FROM pages_fts");
    if (dossier_filter || o->dossier_id)
        sb_puts(b, " JOIN pages ON pages.id = pages_fts.rowid"
                   " JOIN documents ON documents.id = pages.doc_id");
    if (dossier_filter)
        sb_puts(b, " JOIN dossiers ON dossiers.id = documents.dossier_id");
    sb_puts(b, " WHERE pages_fts MATCH :fold");
    if (o->department)
        sb_puts(b, " AND dossiers.department = :department");
    if (o->date_from)
        sb_puts(b, " AND dossiers.received_date >= :date_from");
    if (o->date_to)
        sb_puts(b, " AND dossiers.received_date <= :date_to");
    if (o->dossier_id)
        sb_puts(b, " AND documents.dossier_id = :dossier_id");
    sb_puts(b, " ORDER BY exact DESC, score, pages_fts.rowid LIMIT :limit OFFSET :offset");
}

static int bind_named(sqlite3_stmt *st, const char *name, const char *text, int num)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (!i)
        return SQLITE_OK;
    return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC) : sqlite3_bind_int(st, i, num);
}

struct ranked {
    int64_t rowid;
    bool exact;
    double score;
};

static const char SQL_HIT_INFO[] =
    "SELECT pages.page_index, pages.doc_id, documents.dossier_id, documents.name"
    " FROM pages JOIN documents ON documents.id = pages.doc_id WHERE pages.id = ?1";

static const char SQL_HIT_MARK[] = "SELECT highlight(pages_fts, ?1, ?4, ?5), canon FROM pages_fts"
                                   " WHERE pages_fts MATCH ?2 AND rowid = ?3";

/* The snippet of one ranked page: its text with the matched words marked, cut to a window. */
static int hit_snippet(struct conn *c, const struct ranked *r, const char *exact_expr,
                       const char *fold_expr, const struct sohoa_search_opts *o,
                       struct sohoa_arena *a, const char **out, struct sohoa_err *err)
{
    static const char open[] = {SOHOA_MARK_OPEN, '\0'}, close[] = {SOHOA_MARK_CLOSE, '\0'};
    sqlite3_stmt *st = NULL;
    char *moved = NULL, *window = NULL;

    *out = "";
    int rc = RUN(c, SQL_HIT_MARK, &st, "highlight", err, arg_int(r->exact ? 0 : 1),
                 arg_text(r->exact ? exact_expr : fold_expr), arg_int(r->rowid), arg_text(open),
                 arg_text(close));
    if (rc <= 0)
        return rc;
    const char *marked = (const char *)sqlite3_column_text(st, 0);
    const char *canon = (const char *)sqlite3_column_text(st, 1);
    if (!marked || !canon)
        return 0;
    if (!r->exact) { /* marks found on the folded copy move to the canonical text */
        rc = sohoa_snippet_transfer(canon, marked, &moved, NULL);
        if (rc == SOHOA_ENOMEM)
            return sohoa_err_set(err, rc, false, "out of memory building snippet");
        rc = 0; /* on SOHOA_EFORMAT (fold invariant broken) the folded text is shown instead */
        marked = moved ? moved : marked;
    }
    rc = sohoa_snippet_window(marked, o->context_words, o->mark_open, o->mark_close, &window, err);
    if (rc == 0 && sohoa_arena_strndup(a, window, strlen(window), out))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    free(moved);
    free(window);
    return rc;
}

/* Turn ranked page ids into hits (document, dossier, snippet), in rank order. */
static int fill_hits(struct conn *c, const struct ranked *top, size_t n, const char *exact_expr,
                     const char *fold_expr, const struct sohoa_search_opts *o,
                     struct sohoa_hits *out, struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    struct sohoa_arena *a = &out->arena;
    if (n == 0)
        return 0;
    out->v = sohoa_arena_alloc(a, n * sizeof *out->v);
    if (!out->v)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
    for (size_t i = 0; i < n; i++) {
        struct sohoa_hit *h = &out->v[out->n];
        int rc = RUN(c, SQL_HIT_INFO, &st, "read hit", err, arg_int(top[i].rowid));
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue; /* cannot happen inside one read transaction; skip rather than fail */
        h->page_index = sqlite3_column_int(st, 0);
        if (col_dup(a, st, 1, &h->doc_id) || col_dup(a, st, 2, &h->dossier_id) ||
            col_dup(a, st, 3, &h->doc_name))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        h->match = top[i].exact ? SOHOA_MATCH_EXACT : SOHOA_MATCH_FOLDED;
        h->score = -top[i].score;
        rc = hit_snippet(c, &top[i], exact_expr, fold_expr, o, a, &h->snippet, err);
        if (rc)
            return rc;
        out->n++;
    }
    return 0;
}

/* SQLite progress handler: interrupt a search past its deadline. */
static int search_deadline(void *arg)
{
    const struct timespec *deadline = arg;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > deadline->tv_sec ||
           (now.tv_sec == deadline->tv_sec && now.tv_nsec > deadline->tv_nsec);
}

static int sqlite_search(void *state, const struct sohoa_query *q,
                         const struct sohoa_search_opts *o, struct sohoa_hits *out,
                         struct sohoa_err *err)
{
    struct state *s = state;
    struct conn *c = s->reader;
    struct sbuf exact = {0}, fold = {0}, sql = {0};
    sqlite3_stmt *rank = NULL;
    struct ranked *top = NULL;
    size_t n_top = 0;
    bool in_tx = false;
    struct timespec deadline;
    int rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += SOHOA_SEARCH_DEADLINE_MS / 1000;
    deadline.tv_nsec += (long)(SOHOA_SEARCH_DEADLINE_MS % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }

    conn_lock(c);
    sqlite3_progress_handler(c->db, 1000, search_deadline, &deadline);
    if ((rc = build_match(s, q, &exact, &fold, err)))
        goto out;
    build_rank_sql(o, &sql);
    top = calloc((size_t)o->limit, sizeof *top);
    if (sql.failed || !top) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory searching");
        goto out;
    }
    int src = sqlite3_prepare_v2(c->db, sql.p, -1, &rank, NULL);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":exact", exact.p, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":fold", fold.p, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":department", o->department, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":date_from", o->date_from, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":date_to", o->date_to, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":dossier_id", o->dossier_id, 0);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":limit", NULL, o->limit);
    if (src == SQLITE_OK)
        src = bind_named(rank, ":offset", NULL, o->offset);
    if (src != SQLITE_OK) {
        rc = db_fail(c->db, src, "prepare search", err);
        goto out;
    }
    if ((rc = exec(c, "BEGIN", "begin search", err)))
        goto out;
    in_tx = true;
    while (n_top < (size_t)o->limit && (rc = step(c, rank, "search", err)) == 1) {
        top[n_top].rowid = (int64_t)sqlite3_column_int64(rank, 0);
        top[n_top].exact = sqlite3_column_int(rank, 1) != 0;
        top[n_top].score = sqlite3_column_double(rank, 2);
        n_top++;
    }
    if (rc < 0)
        goto out;
    sqlite3_finalize(rank);
    rank = NULL;
    rc = fill_hits(c, top, n_top, exact.p, fold.p, o, out, err);
out:
    sqlite3_finalize(rank);
    if (in_tx)
        rc = tx_end(c, rc, err);
    sqlite3_progress_handler(c->db, 0, NULL, NULL);
    conn_unlock(c);
    free(top);
    free(exact.p);
    free(fold.p);
    free(sql.p);
    return rc;
}

/* ---- showing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_GET[] =
    "SELECT receipt_no, procedure_code, department, district, commune, received_date, source,"
    " title, path, meta_json, created_at, updated_at FROM dossiers WHERE id = ?1";

static const char SQL_DOCS_COUNT[] = "SELECT count(*) FROM documents WHERE dossier_id = ?1";

/* Pages beyond n_pages (left from a larger earlier count) never count as done. */
static const char SQL_DOCS_LIST[] =
    "SELECT d.id, d.name, d.ordinal, d.format, d.n_pages, d.size_bytes, d.status, d.error,"
    " d.record_key, d.pdf_key, d.created_at, d.updated_at, d.finished_at, count(p.id),"
    " count(CASE WHEN p.status = 'failed' THEN 1 END)"
    " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE d.dossier_id = ?1 GROUP BY d.id ORDER BY d.ordinal, d.name, d.id";

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
    int rc = RUN(c, SQL_DOSSIER_GET, &st, "read dossier", err, arg_text(id));
    if (rc <= 0)
        return rc < 0 ? rc
                      : sohoa_err_set(err, SOHOA_ENOTFOUND, false,
                                      "dossier %s is not in the catalog", id);
    if (sohoa_arena_strndup(a, id, strlen(id), &info->id) || col_dup(a, st, 0, &d->receipt_no) ||
        col_dup(a, st, 1, &d->procedure_code) || col_dup(a, st, 2, &d->department) ||
        col_dup(a, st, 3, &d->district) || col_dup(a, st, 4, &d->commune) ||
        col_dup(a, st, 5, &d->received_date) || col_dup(a, st, 7, &d->title) ||
        col_dup(a, st, 8, &d->path) || col_dup(a, st, 9, &d->meta_json) ||
        col_dup(a, st, 10, &info->created_at) || col_dup(a, st, 11, &info->updated_at))
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
    int rc = RUN(c, SQL_DOCS_COUNT, &st, "count documents", err, arg_text(id));
    if (rc <= 0)
        return rc;
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    if (n == 0)
        return 0;
    info->docs = sohoa_arena_alloc(a, n * sizeof *info->docs);
    if (!info->docs)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    for (rc = RUN(c, SQL_DOCS_LIST, &st, "list documents", err, arg_text(id));
         rc == 1 && info->n_docs < n; rc = step(c, st, "list documents", err)) {
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
        if (col_dup(a, st, 0, &di->id) || col_dup(a, st, 1, &doc->name) ||
            col_dup(a, st, 3, &doc->format) || col_dup(a, st, 7, &doc->error) ||
            col_dup(a, st, 8, &di->record_key) || col_dup(a, st, 9, &di->pdf_key) ||
            col_dup(a, st, 10, &di->created_at) || col_dup(a, st, 11, &di->updated_at) ||
            col_dup(a, st, 12, &di->finished_at))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    }
    return rc < 0 ? rc : 0;
}

static int read_pages(struct conn *c, struct sohoa_document_info *di, struct sohoa_arena *a,
                      struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    int rc = RUN(c, SQL_PAGES_COUNT, &st, "count pages", err, arg_text(di->id));
    if (rc <= 0)
        return rc;
    size_t n = (size_t)sqlite3_column_int64(st, 0);
    if (n == 0)
        return 0;
    di->pages = sohoa_arena_alloc(a, n * sizeof *di->pages);
    if (!di->pages)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    for (rc = RUN(c, SQL_PAGES_LIST, &st, "list pages", err, arg_text(di->id));
         rc == 1 && di->n_pages_listed < n; rc = step(c, st, "list pages", err)) {
        struct sohoa_page_info *pi = &di->pages[di->n_pages_listed++];
        struct sohoa_page *p = &pi->page;
        pi->index = sqlite3_column_int(st, 0);
        enum sohoa_page_status status = SOHOA_PAGE_FAILED;
        if (sohoa_page_status_parse((const char *)sqlite3_column_text(st, 1), &status))
            return sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad page status",
                                 di->id);
        p->status = status;
        p->mean_conf = col_double_or(st, 3, -1);
        p->rotation = col_int_or(st, 4, 0);
        p->skew = col_double_or(st, 5, 0);
        p->width = col_int_or(st, 6, 0);
        p->height = col_int_or(st, 7, 0);
        p->dpi = col_int_or(st, 8, 0);
        p->elapsed_ms = col_double_or(st, 10, 0);
        if (col_dup(a, st, 2, &p->error) || col_dup(a, st, 9, &p->text_source) ||
            col_dup(a, st, 11, &pi->updated_at))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    }
    return rc < 0 ? rc : 0;
}

static int sqlite_get_dossier(void *state, const char *id, unsigned flags,
                              struct sohoa_dossier_info *info, struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    conn_lock(c);
    int rc = exec(c, "BEGIN", "begin read", err);
    if (rc)
        goto unlock;
    if ((rc = read_dossier(c, id, info, err)) || (rc = read_documents(c, id, info, err)))
        goto out;
    for (size_t i = 0; (flags & SOHOA_CATALOG_WITH_PAGES) && i < info->n_docs; i++)
        if ((rc = read_pages(c, &info->docs[i], &info->arena, err)))
            goto out;
out:
    rc = tx_end(c, rc, err);
unlock:
    conn_unlock(c);
    return rc;
}

static const char SQL_PROGRESS[] =
    "SELECT d.status, d.n_pages, count(p.id), count(CASE WHEN p.status = 'failed' THEN 1 END),"
    " count(CASE WHEN p.status = 'blank' THEN 1 END)"
    " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE d.id = ?1 GROUP BY d.id";

static int sqlite_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                           struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    conn_lock(c);
    int rc = RUN(c, SQL_PROGRESS, &st, "read progress", err, arg_text(doc_id));
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
    conn_unlock(c);
    return rc;
}

static const char SQL_PAGE_ID[] = "SELECT id FROM pages WHERE doc_id = ?1 AND page_index = ?2";
static const char SQL_PAGE_TEXT[] = "SELECT canon FROM pages_fts WHERE rowid = ?1";

static int sqlite_page_text(void *state, const char *doc_id, int page_index, char **text,
                            struct sohoa_err *err)
{
    struct conn *c = ((struct state *)state)->reader;
    sqlite3_stmt *st = NULL;
    conn_lock(c);
    int rc = exec(c, "BEGIN", "begin read", err);
    if (rc)
        goto unlock;
    rc = RUN(c, SQL_PAGE_ID, &st, "find page", err, arg_text(doc_id), arg_int(page_index));
    if (rc == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s page %d has no record",
                           doc_id, page_index);
    if (rc < 0)
        goto out;
    rc = RUN(c, SQL_PAGE_TEXT, &st, "read page text", err, arg_int(sqlite3_column_int64(st, 0)));
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
    rc = tx_end(c, rc, err);
    if (rc) {
        free(*text);
        *text = NULL;
    }
unlock:
    conn_unlock(c);
    return rc;
}

/* ---- opening ------------------------------------------------------------------------------- */

static const struct sohoa_catalog_ops sqlite_ops = {
    .version = SOHOA_CATALOG_OPS_VERSION,
    .name = "sqlite",
    .close = sqlite_close,
    .upsert_dossier = sqlite_upsert_dossier,
    .upsert_document = sqlite_upsert_document,
    .page_done = sqlite_page_done,
    .finish_document = sqlite_finish_document,
    .search = sqlite_search,
    .get_dossier = sqlite_get_dossier,
    .progress = sqlite_progress,
    .page_text = sqlite_page_text,
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
    if ((rc = conn_open(&s->writer, path, false, err)) || (rc = migrate(&s->writer, err)))
        goto out;
    if (!in_memory && (rc = conn_open(&s->reader_own, path, true, err)))
        goto out;
    if ((rc = tokenizer_open(s, err)))
        goto out;
    *ops = &sqlite_ops;
    *state = s;
    s = NULL;
out:
    sqlite_close(s);
    return rc;
}
