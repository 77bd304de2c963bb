/* catalog_pg_int.h — private to the PostgreSQL catalog backend (catalog_pg*.c): the pool's
 * connections, the statement helpers every part uses, and the ops each part holds.
 *
 *   catalog_pg.c         connections and their pool, error translation, statements, migrations,
 *                        open / close
 *   catalog_pg_schema.c  the schema as migrations (data)
 *   catalog_pg_write.c   upserts, page_done (one PL/pgSQL call), finish, put_fields
 *   catalog_pg_search.c  tsquery building, ranking, snippets, filtered listings
 *   catalog_pg_read.c    get_dossier (documents through their memberships, pages, fields),
 *                        progress, page text
 *   catalog_pg_member.c  admission, a document's dossiers and its removal from one, the
 *                        assembler's lease, stalled documents
 *
 * Only these files include <libpq-fe.h>; libpq results become struct sohoa_err in them.
 * Ownership: a PGresult handed out by cpg_run belongs to the caller (PQclear). Parameters are
 * borrowed until the statement has run. Threads: a struct slot is lent to one thread at a time
 * (cpg_take / cpg_give); see the DESIGN paragraph of catalog_pg.c.
 */
#ifndef SOHOA_CATALOG_PG_INT_H
#define SOHOA_CATALOG_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "storage/catalog.h"

#define POOL_MAX     SOHOA_CATALOG_PG_POOL
#define MAX_PARAMS   40
#define TS_FMT       "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
#define TS(col)      "to_char(" col " AT TIME ZONE 'UTC', " TS_FMT ")"
#define STR_(x)      #x
#define SOHOA_STR(x) STR_(x)

struct slot {
    PGconn *pg; /* NULL until first needed, or after it broke */
    bool busy;  /* lent to a caller */
};

struct state {
    char *url; /* may hold the password: never shown */
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct slot slots[POOL_MAX];
};

/* ---- connections and statements (catalog_pg.c) --------------------------------------------- */

/* Lend a connection: an idle live one, else a new one while the pool has room, else wait. */
int cpg_take(struct state *s, struct slot **out, struct sohoa_err *err);
/* Return a connection (NULL is fine); one that broke, or is left inside a transaction, is closed.
 */
void cpg_give(struct state *s, struct slot *c);

/* Parameters, all sent as text: values are copied into `buf` when they are numbers. */
struct params {
    const char *v[MAX_PARAMS];
    char buf[MAX_PARAMS][32];
    int n;
};

static inline void p_text(struct params *p, const char *s)
{
    p->v[p->n++] = s;
}

static inline void p_int(struct params *p, long long v)
{
    (void)snprintf(p->buf[p->n], sizeof p->buf[p->n], "%lld", v); /* at most 20 chars: fits */
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

/* A real number; negative (unknown) is NULL when `neg_null`. */
static inline void p_real(struct params *p, double v, bool neg_null)
{
    (void)snprintf(p->buf[p->n], sizeof p->buf[p->n], "%.17g", v); /* at most 24 chars: fits */
    p->v[p->n] = neg_null && v < 0 ? NULL : p->buf[p->n];
    p->n++;
}

/* Run `sql` with `p` (may be NULL); *res holds the rows (PQclear it) when asked for. */
int cpg_run(struct slot *c, const char *sql, const struct params *p, PGresult **res,
            const char *what, struct sohoa_err *err);
/* cpg_run on a connection taken from the pool and given back (one statement, no transaction). */
int cpg_query(struct state *s, const char *sql, const struct params *p, PGresult **res,
              const char *what, struct sohoa_err *err);
/* `rc`, or SOHOA_ENOTFOUND ("document ... is not in the catalog") when rc == 0 and `r` has no
 * row. */
int cpg_doc_row(int rc, const PGresult *r, const char *doc_id, struct sohoa_err *err);
/* Several statements without parameters (BEGIN, COMMIT, migrations). */
int cpg_exec(struct slot *c, const char *sql, const char *what, struct sohoa_err *err);
/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
int cpg_tx_end(struct slot *c, int rc, struct sohoa_err *err);

/* Reading a result: NULL / dflt / false for SQL NULL. */
const char *cpg_val(const PGresult *r, int row, int col);
int cpg_ival(const PGresult *r, int row, int col, int dflt);
double cpg_dval(const PGresult *r, int row, int col, double dflt);
bool cpg_bval(const PGresult *r, int row, int col);
/* Copy a value (NULL stays NULL) into the arena; 0 or SOHOA_ENOMEM. */
int cpg_dup(struct sohoa_arena *a, const PGresult *r, int row, int col, const char **out);

/* The tail of a membership upsert of (dossier_id, ordinal, doc_id, name): what stood at that
 * position is replaced; added_at is kept when the same document stood there already. */
#define SQL_MEMBER_CONFLICT                                                                        \
    " ON CONFLICT (dossier_id, ordinal) DO UPDATE SET doc_id = excluded.doc_id,"                   \
    " name = excluded.name,"                                                                       \
    " added_at = CASE WHEN m.doc_id = excluded.doc_id THEN m.added_at ELSE now() END"

/* ---- the ops of catalog.h, by part --------------------------------------------------------- */

int cpg_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                       struct sohoa_err *err);
int cpg_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                        struct sohoa_err *err);
int cpg_page_done(void *state, const char *doc_id, int page_index, const struct sohoa_page *pg,
                  const char *fold, int *remaining, bool *you_finish, struct sohoa_err *err);
int cpg_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                        const char *error, const char *record_key, const char *pdf_key,
                        struct sohoa_err *err);
int cpg_put_fields(void *state, const char *doc_id, const char *doc_type,
                   const struct sohoa_field_put *rows, size_t n, struct sohoa_err *err);
int cpg_search(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *o,
               struct sohoa_hits *out, struct sohoa_err *err);
int cpg_get_dossier(void *state, const char *id, unsigned flags, struct sohoa_dossier_info *info,
                    struct sohoa_err *err);
int cpg_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                 struct sohoa_err *err);
int cpg_page_text(void *state, const char *doc_id, int page_index, char **text,
                  struct sohoa_err *err);
int cpg_admit_document(void *state, const char *doc_id, const struct sohoa_document *d,
                       int64_t stale_ms, enum sohoa_admit *admit, enum sohoa_doc_status *status,
                       struct sohoa_err *err);
int cpg_remove_document(void *state, const char *dossier_id, const char *doc_id,
                        struct sohoa_err *err);
int cpg_doc_dossiers(void *state, const char *doc_id, struct sohoa_ids *out, struct sohoa_err *err);
int cpg_claim_assembly(void *state, const char *doc_id, int lease_ms, bool *yours,
                       struct sohoa_err *err);
int cpg_release_assembly(void *state, const char *doc_id, struct sohoa_err *err);
int cpg_stalled(void *state, int64_t idle_ms, size_t max, struct sohoa_stalled_doc *out, size_t *n,
                struct sohoa_err *err);

#endif
