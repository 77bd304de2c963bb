/* catalog_sqlite_int.h — private to the SQLite catalog backend (catalog_sqlite*.c): its
 * connections, the statement and binding helpers every part uses, and the ops each part holds.
 *
 *   catalog_sqlite.c         connections, error translation, statements, binding, open / close
 *   catalog_sqlite_schema.c  the schema as migrations, and applying them
 *   catalog_sqlite_write.c   upserts, page_done (the fan-in), finish, put_fields
 *   catalog_sqlite_search.c  the FTS5 query builder, ranking, snippets, filtered listings
 *   catalog_sqlite_read.c    get_dossier (documents, pages, fields), progress, page text
 *   catalog_sqlite_member.c  admission into dossiers, removal, a document's dossiers, the
 *                            assembler's lease, stalled documents
 *
 * Only these files include <sqlite3.h>; SQLite result codes become struct sohoa_err in them.
 * Ownership: a struct conn owns its sqlite3 handle and cached statements; strings bound through
 * struct arg are borrowed until the statement is reset. Threads: a connection is used only under
 * its lock (sq_lock / sq_unlock); see the DESIGN paragraph of catalog_sqlite.c.
 */
#ifndef SOHOA_CATALOG_SQLITE_INT_H
#define SOHOA_CATALOG_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "storage/catalog.h"

/* The index tokenizer: the schema and the query builder must agree on it. */
#define TOKENIZER      "unicode61"
#define TOKENIZER_ARG0 "remove_diacritics"
#define TOKENIZER_ARG1 "0"

#define NOW            "strftime('%Y-%m-%dT%H:%M:%SZ','now')"
#define STMT_CACHE_MAX 32

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

/* ---- connections and statements (catalog_sqlite.c) ----------------------------------------- */

/* Translate a SQLite failure on `db` (may be NULL) into `err`; returns the sohoa code. */
int sq_fail(sqlite3 *db, int rc, const char *what, struct sohoa_err *err);

/* Run SQL without results (several statements allowed). */
int sq_exec(struct conn *c, const char *sql, const char *what, struct sohoa_err *err);

/* The prepared statement for the static string `sql`, prepared on first use. Only under the
 * connection's lock; it comes reset, and sq_unlock resets it again. */
int sq_stmt(struct conn *c, const char *sql, sqlite3_stmt **out, struct sohoa_err *err);

void sq_lock(struct conn *c);
/* Release every statement (and so every implicit read transaction), then the lock. */
void sq_unlock(struct conn *c);

/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
int sq_tx_end(struct conn *c, int rc, struct sohoa_err *err);

/* One bound parameter; built with the typed helpers below so the compiler checks each value. */
struct arg {
    enum { ARG_TEXT, ARG_INT, ARG_REAL, ARG_NULL } kind;
    const char *text;
    int64_t i;
    double real;
};

static inline struct arg arg_text(const char *s)
{
    return (struct arg){.kind = s ? ARG_TEXT : ARG_NULL, .text = s};
}

static inline struct arg arg_int(int64_t v)
{
    return (struct arg){.kind = ARG_INT, .i = v};
}

static inline struct arg arg_real(double v)
{
    return (struct arg){.kind = ARG_REAL, .real = v};
}

/* A measurement where negative means unknown: stored as NULL. */
static inline struct arg arg_opt_real(double v)
{
    return v < 0 ? (struct arg){.kind = ARG_NULL} : arg_real(v);
}

/* Step once: 1 for a row, 0 when done, or the translated error. */
int sq_step(struct conn *c, sqlite3_stmt *st, const char *what, struct sohoa_err *err);

/* The cached statement for `sql`, with parameters 1..n bound from `args`, stepped once: 1 for a
 * row (read more with sq_step), 0 when done, or the translated error. Use through SQ_RUN. */
int sq_run(struct conn *c, const char *sql, sqlite3_stmt **st, const char *what,
           struct sohoa_err *err, const struct arg *args, int n);

/* SQ_RUN(conn, sql, &stmt, what, err, arg_text(a), arg_int(b), ...) */
#define SQ_RUN(c, sql, st, what, err, ...)                                                         \
    sq_run(c, sql, st, what, err, (const struct arg[]){__VA_ARGS__},                               \
           (int)(sizeof((const struct arg[]){__VA_ARGS__}) / sizeof(struct arg)))

/* Copy column `i` (NULL stays NULL) into the arena: 0 or SOHOA_ENOMEM. */
int sq_col_dup(struct sohoa_arena *a, sqlite3_stmt *st, int i, const char **out);
int sq_col_int(sqlite3_stmt *st, int i, int dflt);          /* dflt for NULL */
double sq_col_double(sqlite3_stmt *st, int i, double dflt); /* dflt for NULL */

/* ---- the parts ----------------------------------------------------------------------------- */

/* catalog_sqlite_schema.c: bring the schema to the newest version, in one transaction. */
int sq_migrate(struct conn *c, struct sohoa_err *err);

/* catalog_sqlite_search.c: the index's tokenizer, for cutting query words as the index did. */
int sq_tokenizer_open(struct state *s, struct sohoa_err *err);

/* The ops of catalog.h, by part. */
int sq_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                      struct sohoa_err *err);
int sq_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                       struct sohoa_err *err);
int sq_page_done(void *state, const char *doc_id, int page_index, const struct sohoa_page *p,
                 const char *fold, int *remaining, bool *you_finish, struct sohoa_err *err);
int sq_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                       const char *error, const char *record_key, const char *pdf_key,
                       struct sohoa_err *err);
int sq_put_fields(void *state, const char *doc_id, const char *doc_type,
                  const struct sohoa_field_put *rows, size_t n, struct sohoa_err *err);
int sq_search(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *o,
              struct sohoa_hits *out, struct sohoa_err *err);
int sq_get_dossier(void *state, const char *id, unsigned flags, struct sohoa_dossier_info *info,
                   struct sohoa_err *err);
int sq_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                struct sohoa_err *err);
int sq_page_text(void *state, const char *doc_id, int page_index, char **text,
                 struct sohoa_err *err);
int sq_admit_document(void *state, const char *doc_id, const struct sohoa_document *d,
                      int64_t stale_ms, enum sohoa_admit *admit, enum sohoa_doc_status *status,
                      struct sohoa_err *err);
int sq_remove_document(void *state, const char *dossier_id, const char *doc_id,
                       struct sohoa_err *err);
int sq_doc_dossiers(void *state, const char *doc_id, struct sohoa_ids *out, struct sohoa_err *err);
int sq_claim_assembly(void *state, const char *doc_id, int lease_ms, bool *yours,
                      struct sohoa_err *err);
int sq_release_assembly(void *state, const char *doc_id, struct sohoa_err *err);
int sq_stalled(void *state, int64_t idle_ms, size_t max, struct sohoa_stalled_doc *out, size_t *n,
               struct sohoa_err *err);

/* catalog_sqlite_member.c: put `doc_id` at d's position of d's dossier (inside the caller's
 * transaction, on the writer under its lock). */
int sq_member_put(struct conn *c, const char *doc_id, const struct sohoa_document *d,
                  struct sohoa_err *err);

#endif
