/* catalog_pg.c — the catalog on PostgreSQL (libpq): the backend for many workers on many hosts.
 *
 * The only file that includes <libpq-fe.h>; libpq results and SQLSTATEs become struct sohoa_err
 * here. Holds: error translation, the connection pool, schema migrations, and the ops of
 * catalog.h. The schema itself and why it is built so: catalog_pg_schema.c.
 *
 * DESIGN. The catalog is shared by every thread of a process; a libpq connection is not. A small
 * pool (at most SOHOA_CATALOG_PG_POOL connections, opened on demand) lends each call a connection
 * of its own, so N threads use N connections and never wait on each other here. Before a pooled
 * connection is lent again it is checked (PQconsumeInput): after a server restart the dead one is
 * replaced by a new connection instead of failing the next call. A call that loses its connection
 * (or meets a shutdown, a deadlock, a serialisation failure, a lock held past
 * SOHOA_CATALOG_BUSY_MS, too many connections) fails with a *retryable* error; the job is redone
 * and every write is an upsert. Each connection runs with statement_timeout =
 * SOHOA_SEARCH_DEADLINE_MS (a longer search fails with SOHOA_ETIMEOUT) and lock_timeout =
 * SOHOA_CATALOG_BUSY_MS. Nothing logs the URL: it may hold the password, and libpq's own messages
 * name host, port and user only.
 *
 * Migrations run once per open, in one transaction holding a transaction-level advisory lock, so
 * many workers starting at once apply them once; a schema newer than this code is refused. The
 * tables live in the first schema of the connection's search_path (a URL may choose it with
 * ?options=-csearch_path%3DNAME), created when missing.
 *
 * Text: page text and query words are cut into words on this side (sohoa_text_words) and lower-
 * cased by the server (to_tsvector 'simple', lower()), which therefore needs a UTF-8 ctype that
 * knows Vietnamese letters: checked at open. Snippets are marked here (sohoa_text_mark) on the
 * server-lowered canonical text or on the folded text, then moved onto the accented text.
 */
#include "storage/catalog.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/vntext.h"
#include "storage/catalog_pg_schema.h"

#define POOL_MAX      SOHOA_CATALOG_PG_POOL
#define MAX_PARAMS    40
#define TS_FMT        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'"
#define TS(col)       "to_char(" col " AT TIME ZONE 'UTC', " TS_FMT ")"
#define MIGRATION_KEY "7300154702" /* pg_advisory_xact_lock key: "sohoa" migrations */
#define STR_(x)       #x
#define SOHOA_STR(x)  STR_(x)

/* ---- connections --------------------------------------------------------------------------- */

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

static void quiet_notices(void *arg, const char *message)
{
    (void)arg; /* "text-search query doesn't contain lexemes" and the like: not for stderr */
    (void)message;
}

/* libpq's message without its trailing newline, into `buf`. */
static const char *pg_message(const char *m, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", m && *m ? m : "unknown error");
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    return buf;
}

/* A connection's settings; runs once per new connection. */
static const char SQL_SESSION[] =
    "SET client_encoding = 'UTF8'; SET datestyle = 'ISO, YMD'; SET TimeZone = 'UTC';"
    "SET statement_timeout = " SOHOA_STR(SOHOA_SEARCH_DEADLINE_MS) ";"
                                                                   "SET lock_timeout = " SOHOA_STR(
                                                                       SOHOA_CATALOG_BUSY_MS) ";";

static int conn_open(const char *url, PGconn **out, struct sohoa_err *err)
{
    /* the URL comes last so that what it says wins over these defaults */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *const vals[] = {"10", "sohoa", url, NULL};
    char msg[SOHOA_ERR_MSG_MAX];
    *out = NULL;
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory connecting to PostgreSQL");
    if (PQstatus(pg) != CONNECTION_OK) {
        pg_message(PQerrorMessage(pg), msg, sizeof msg);
        /* a refused password or a missing database will not mend itself; anything else might */
        bool retry = !strstr(msg, "authentication failed") && !strstr(msg, "does not exist");
        PQfinish(pg);
        return sohoa_err_set(err, SOHOA_EIO, retry, "catalog: cannot connect to PostgreSQL: %s",
                             msg);
    }
    PQsetNoticeProcessor(pg, quiet_notices, NULL);
    PGresult *res = PQexec(pg, SQL_SESSION);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        int rc = sohoa_err_set(err, SOHOA_EIO, true, "catalog: setting up a connection: %s",
                               pg_message(PQerrorMessage(pg), msg, sizeof msg));
        PQclear(res);
        PQfinish(pg);
        return rc;
    }
    PQclear(res);
    *out = pg;
    return 0;
}

/* Lend a connection: an idle live one, else a new one while the pool has room, else wait. */
static int take(struct state *s, struct slot **out, struct sohoa_err *err)
{
    struct slot *c = NULL;
    *out = NULL;
    pthread_mutex_lock(&s->lock);
    while (!c) {
        for (size_t i = 0; i < POOL_MAX && !c; i++)
            if (!s->slots[i].busy && s->slots[i].pg)
                c = &s->slots[i];
        for (size_t i = 0; i < POOL_MAX && !c; i++)
            if (!s->slots[i].busy)
                c = &s->slots[i];
        if (!c)
            pthread_cond_wait(&s->freed, &s->lock);
    }
    c->busy = true;
    pthread_mutex_unlock(&s->lock);

    /* an idle connection the server closed (restart, idle timeout) shows as bad once read */
    if (c->pg && (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK ||
                  PQtransactionStatus(c->pg) != PQTRANS_IDLE)) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    int rc = c->pg ? 0 : conn_open(s->url, &c->pg, err);
    if (rc) {
        pthread_mutex_lock(&s->lock);
        c->busy = false;
        pthread_cond_signal(&s->freed);
        pthread_mutex_unlock(&s->lock);
        return rc;
    }
    *out = c;
    return 0;
}

/* Return a connection; one that broke, or is left inside a transaction, is closed. */
static void give(struct state *s, struct slot *c)
{
    if (!c)
        return;
    if (c->pg && (PQstatus(c->pg) != CONNECTION_OK || PQtransactionStatus(c->pg) != PQTRANS_IDLE)) {
        PQfinish(c->pg);
        c->pg = NULL;
    }
    pthread_mutex_lock(&s->lock);
    c->busy = false;
    pthread_cond_signal(&s->freed);
    pthread_mutex_unlock(&s->lock);
}

static void pg_close(void *state)
{
    struct state *s = state;
    if (!s)
        return;
    for (size_t i = 0; i < POOL_MAX; i++)
        if (s->slots[i].pg)
            PQfinish(s->slots[i].pg);
    pthread_cond_destroy(&s->freed);
    pthread_mutex_destroy(&s->lock);
    free(s->url);
    free(s);
}

/* ---- running statements -------------------------------------------------------------------- */

/* Translate a failed result (or a lost connection) into `err`; returns the sohoa code. */
static int pg_fail(PGconn *pg, const PGresult *res, const char *what, struct sohoa_err *err)
{
    char msg[SOHOA_ERR_MSG_MAX];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    pg_message(primary ? primary : PQerrorMessage(pg), msg, sizeof msg);
    int code = SOHOA_EBACKEND;
    bool retry = false;
    if (PQstatus(pg) != CONNECTION_OK || !state) {
        code = SOHOA_EIO; /* the connection went: the server restarted or the network failed */
        retry = true;
    } else if (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
               !strcmp(state, "57P03") || !strcmp(state, "25006")) {
        code = SOHOA_EIO; /* connection failure, shutdown, recovery, read-only standby */
        retry = true;
    } else if (!strncmp(state, "40", 2) || !strncmp(state, "53", 2) || !strcmp(state, "55P03")) {
        retry = true; /* deadlock, serialisation, resources, lock timeout */
    } else if (!strcmp(state, "57014")) {
        code = SOHOA_ETIMEOUT;
    } else if (!strcmp(state, "23503") || !strcmp(state, "P0002")) {
        code = SOHOA_ENOTFOUND;
    } else if (!strncmp(state, "22", 2) || !strncmp(state, "23", 2)) {
        code = SOHOA_EINVAL;
    } else if (!strncmp(state, "54", 2)) {
        code = SOHOA_ELIMIT;
    }
    return sohoa_err_set(err, code, retry, "catalog: %s: %s", what, msg);
}

/* Parameters, all sent as text: values are copied into `buf` when they are numbers. */
struct params {
    const char *v[MAX_PARAMS];
    char buf[MAX_PARAMS][32];
    int n;
};

static void p_text(struct params *p, const char *s)
{
    p->v[p->n++] = s;
}

static void p_int(struct params *p, long long v)
{
    snprintf(p->buf[p->n], sizeof p->buf[p->n], "%lld", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

/* A real number; negative (unknown) is NULL when `neg_null`. */
static void p_real(struct params *p, double v, bool neg_null)
{
    snprintf(p->buf[p->n], sizeof p->buf[p->n], "%.17g", v);
    p->v[p->n] = neg_null && v < 0 ? NULL : p->buf[p->n];
    p->n++;
}

/* Run `sql` with `p` (may be NULL); *res holds the rows (PQclear it) when asked for. */
static int run(struct slot *c, const char *sql, const struct params *p, PGresult **res,
               const char *what, struct sohoa_err *err)
{
    if (res)
        *res = NULL;
    PGresult *r = PQexecParams(c->pg, sql, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        int rc = pg_fail(c->pg, r, what, err);
        PQclear(r);
        return rc;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

/* Several statements without parameters (BEGIN, COMMIT, migrations). */
static int exec(struct slot *c, const char *sql, const char *what, struct sohoa_err *err)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK
                 ? 0
                 : pg_fail(c->pg, r, what, err);
    PQclear(r);
    return rc;
}

/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
static int tx_end(struct slot *c, int rc, struct sohoa_err *err)
{
    if (rc == 0)
        return exec(c, "COMMIT", "commit", err);
    PQclear(PQexec(c->pg, "ROLLBACK"));
    return rc;
}

static const char *val(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int ival(const PGresult *r, int row, int col, int dflt)
{
    return PQgetisnull(r, row, col) ? dflt : atoi(PQgetvalue(r, row, col));
}

static double dval(const PGresult *r, int row, int col, double dflt)
{
    return PQgetisnull(r, row, col) ? dflt : strtod(PQgetvalue(r, row, col), NULL);
}

static bool bval(const PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

/* Copy a value (NULL stays NULL) into the arena; 0 or SOHOA_ENOMEM. */
static int dup(struct sohoa_arena *a, const PGresult *r, int row, int col, const char **out)
{
    const char *s = val(r, row, col);
    return sohoa_arena_strndup(a, s, s ? (size_t)PQgetlength(r, row, col) : 0, out);
}

/* ---- schema -------------------------------------------------------------------------------- */

/* The server must lower-case Vietnamese as text search does: both sides of every comparison. */
static const char SQL_CHECK_CTYPE[] =
    "SELECT to_tsvector('simple', 'ĐƯỜNG HOÀ')::text = '''hoà'':2 ''đường'':1'"
    " AND lower('ĐƯỜNG HOÀ') = 'đường hoà', current_setting('lc_ctype')";

static const char SQL_MIGRATE_BEGIN[] =
    "BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0;"
    "SELECT pg_advisory_xact_lock(" MIGRATION_KEY ");"
    "DO $$ BEGIN IF current_schema() IS NULL THEN EXECUTE format('CREATE SCHEMA %I',"
    " btrim(split_part(current_setting('search_path'), ',', 1), ' \"')); END IF; END $$;"
    "CREATE TABLE IF NOT EXISTS sohoa_schema (version integer NOT NULL);";

static int migrate(struct slot *c, struct sohoa_err *err)
{
    PGresult *r = NULL;
    int rc = run(c, SQL_CHECK_CTYPE, NULL, &r, "check the database locale", err);
    if (rc)
        return rc;
    if (!bval(r, 0, 0)) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false,
                           "catalog: the database's ctype \"%s\" does not lower-case Vietnamese; "
                           "create it with a UTF-8 locale (e.g. LC_CTYPE 'C.UTF-8')",
                           val(r, 0, 1) ? val(r, 0, 1) : "?");
        PQclear(r);
        return rc;
    }
    PQclear(r);
    if ((rc = exec(c, SQL_MIGRATE_BEGIN, "begin migration", err)))
        goto out;
    if ((rc = run(c, "SELECT coalesce(max(version), 0) FROM sohoa_schema", NULL, &r,
                  "read schema version", err)))
        goto out;
    int version = ival(r, 0, 0, 0), want = (int)sohoa_pg_n_migrations;
    PQclear(r);
    if (version > want) {
        rc =
            sohoa_err_set(err, SOHOA_EFORMAT, false,
                          "catalog schema version %d is newer than this sohoa (%d)", version, want);
        goto out;
    }
    for (int v = version; v < want; v++) {
        struct params p = {0};
        p_int(&p, v + 1);
        if ((rc = exec(c, sohoa_pg_migrations[v], "migrate schema", err)) ||
            (rc = run(c, "DELETE FROM sohoa_schema", NULL, NULL, "record schema version", err)) ||
            (rc = run(c, "INSERT INTO sohoa_schema VALUES ($1::integer)", &p, NULL,
                      "record schema version", err))) {
            sohoa_err_prefix(err, "to version %d", v + 1);
            goto out;
        }
    }
out:
    return tx_end(c, rc, err);
}

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

static int pg_upsert_dossier(void *state, const char *id, const struct sohoa_dossier *d,
                             struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    int rc = take(s, &c, err);
    if (rc)
        return rc;
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
    rc = run(c, SQL_DOSSIER_UPSERT, &p, NULL, "upsert dossier", err);
    give(s, c);
    if (rc)
        sohoa_err_prefix(err, "dossier %s", id);
    return rc;
}

static const char SQL_DOCUMENT_UPSERT[] =
    "INSERT INTO documents AS d (id, dossier_id, name, ordinal, format, n_pages, size_bytes,"
    " status, error, finished_at)"
    " VALUES ($1, $2, $3, $4::integer, $5, $6::integer, $7::bigint, $8, $9,"
    " CASE WHEN $8 IN ('done', 'partial', 'failed') THEN now() END)"
    " ON CONFLICT (id) DO UPDATE SET dossier_id = excluded.dossier_id, name = excluded.name,"
    " ordinal = excluded.ordinal, format = excluded.format, n_pages = excluded.n_pages,"
    " size_bytes = excluded.size_bytes, status = excluded.status, error = excluded.error,"
    " updated_at = now(), assembling_at = NULL, finished_at = excluded.finished_at";

static int pg_upsert_document(void *state, const char *doc_id, const struct sohoa_document *d,
                              struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    int rc = take(s, &c, err);
    if (rc)
        return rc;
    p_text(&p, doc_id);
    p_text(&p, d->dossier_id);
    p_text(&p, d->name);
    p_int(&p, d->ordinal);
    p_text(&p, d->format);
    p_int(&p, d->n_pages);
    p_int(&p, d->size_bytes);
    p_text(&p, sohoa_doc_status_name(d->status));
    p_text(&p, d->error);
    rc = run(c, SQL_DOCUMENT_UPSERT, &p, NULL, "upsert document", err);
    give(s, c);
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

static int pg_page_done(void *state, const char *doc_id, int page_index,
                        const struct sohoa_page *pg, const char *fold, int *remaining,
                        bool *you_finish, struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
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
    if ((rc = take(s, &c, err)))
        goto out;
    rc = run(c, SQL_PAGE_DONE, &p, &r, "record page", err);
    give(s, c);
    if (rc == 0) {
        *remaining = ival(r, 0, 0, 0);
        *you_finish = bval(r, 0, 1);
    }
out:
    PQclear(r);
    free(canon_words);
    free(fold_words);
    return rc;
}

static const char SQL_FINISH[] =
    "UPDATE documents SET status = $2, error = $3, record_key = coalesce($4, record_key),"
    " pdf_key = coalesce($5, pdf_key), finished_at = now(), updated_at = now() WHERE id = $1"
    " RETURNING 1";

static int pg_finish_document(void *state, const char *doc_id, enum sohoa_doc_status status,
                              const char *error, const char *record_key, const char *pdf_key,
                              struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *r = NULL;
    int rc = take(s, &c, err);
    if (rc)
        return rc;
    p_text(&p, doc_id);
    p_text(&p, sohoa_doc_status_name(status));
    p_text(&p, error);
    p_text(&p, record_key);
    p_text(&p, pdf_key);
    rc = run(c, SQL_FINISH, &p, &r, "finish document", err);
    give(s, c);
    if (rc == 0 && PQntuples(r) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    PQclear(r);
    return rc;
}

/* ---- search -------------------------------------------------------------------------------- */

/* The query as tsqueries, built by the server's own parser from the client-cut words: the
 * folded terms AND-ed (f), the canonical ones (e), and each canonical term lower-cased the way
 * the index was, for marking snippets. $1..$n are the canonical terms, $n+1..$2n the folded. */
static int build_query_sql(size_t n, char *sql, size_t cap)
{
    size_t o = (size_t)snprintf(sql, cap, "SELECT numnode(f), f::text, e::text");
    for (size_t i = 1; i <= n && o < cap; i++)
        o += (size_t)snprintf(sql + o, cap - o, ", lower($%zu)", i);
    for (int pass = 0; pass < 2 && o < cap; pass++) {
        o += (size_t)snprintf(sql + o, cap - o, pass ? ", " : " FROM (SELECT ");
        for (size_t i = 1; i <= n && o < cap; i++)
            o += (size_t)snprintf(sql + o, cap - o, "%sphraseto_tsquery('simple', $%zu)",
                                  i > 1 ? " && " : "", pass ? i : n + i);
        o += (size_t)snprintf(sql + o, cap - o, pass ? " AS e) q" : " AS f");
    }
    return o < cap ? 0 : SOHOA_ELIMIT;
}

/* Matches on the folded index, filtered; exact-tone class first, then relevance; the page's
 * text (and the server's lower-case of it, for marking) for the rows kept only. */
static const char SQL_SEARCH[] =
    "SELECT r.doc_id, r.page_index, d.dossier_id, d.name, r.exact, r.score, p.canon,"
    " lower(p.canon)"
    " FROM (SELECT p.doc_id, p.page_index, p.canon_tsv @@ $2::tsquery AS exact,"
    "   ts_rank(p.fold_tsv, $1::tsquery, 1) AS score"
    "   FROM pages p JOIN documents d ON d.id = p.doc_id"
    "   JOIN dossiers s ON s.id = d.dossier_id"
    "   WHERE p.fold_tsv @@ $1::tsquery"
    "   AND ($3::text IS NULL OR s.department = $3)"
    "   AND ($4::date IS NULL OR s.received_date >= $4::date)"
    "   AND ($5::date IS NULL OR s.received_date <= $5::date)"
    "   AND ($6::text IS NULL OR d.dossier_id = $6)"
    "   ORDER BY exact DESC, score DESC, p.doc_id, p.page_index"
    "   LIMIT $7::integer OFFSET $8::integer) r"
    " JOIN pages p ON p.doc_id = r.doc_id AND p.page_index = r.page_index"
    " JOIN documents d ON d.id = r.doc_id"
    " ORDER BY r.exact DESC, r.score DESC, r.doc_id, r.page_index";

/* The snippet of one hit: `cmp` (the page text in the form of `terms`) marked, the marks moved
 * onto the accented text, cut to a window. Unmarked text when the forms do not line up. */
static int hit_snippet(const char *canon, const char *cmp, const char *const *terms, size_t n_terms,
                       const struct sohoa_search_opts *o, struct sohoa_arena *a, const char **out,
                       struct sohoa_err *err)
{
    char *marked = NULL, *moved = NULL, *window = NULL;
    int rc = sohoa_text_mark(cmp, terms, n_terms, &marked, err);
    if (rc == 0 && sohoa_snippet_transfer(canon, marked, &moved, NULL) == SOHOA_ENOMEM)
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    if (rc == 0)
        rc = sohoa_snippet_window(moved ? moved : canon, o->context_words, o->mark_open,
                                  o->mark_close, &window, err);
    if (rc == 0 && sohoa_arena_strndup(a, window, strlen(window), out))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    free(marked);
    free(moved);
    free(window);
    return rc;
}

static int fill_hits(const PGresult *r, const struct sohoa_query *q, const char *const *lowered,
                     const struct sohoa_search_opts *o, struct sohoa_hits *out,
                     struct sohoa_err *err)
{
    const char *folded[SOHOA_QUERY_MAX_TERMS];
    struct sohoa_arena *a = &out->arena;
    size_t n = (size_t)PQntuples(r);
    for (size_t i = 0; i < q->n_terms; i++)
        folded[i] = q->terms[i].fold;
    if (n == 0)
        return 0;
    out->v = sohoa_arena_alloc(a, n * sizeof *out->v);
    if (!out->v)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
    for (size_t i = 0; i < n; i++) {
        struct sohoa_hit *h = &out->v[out->n++];
        int row = (int)i, rc = 0;
        h->page_index = ival(r, row, 1, 0);
        h->match = bval(r, row, 4) ? SOHOA_MATCH_EXACT : SOHOA_MATCH_FOLDED;
        h->score = dval(r, row, 5, 0);
        if (dup(a, r, row, 0, &h->doc_id) || dup(a, r, row, 2, &h->dossier_id) ||
            dup(a, r, row, 3, &h->doc_name))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        const char *canon = val(r, row, 6) ? val(r, row, 6) : "";
        char *fold = NULL;
        if (h->match == SOHOA_MATCH_EXACT) {
            const char *lower = val(r, row, 7) ? val(r, row, 7) : "";
            rc = hit_snippet(canon, lower, lowered, q->n_terms, o, a, &h->snippet, err);
        } else if ((rc = vn_fold(canon, &fold, err)) == 0) {
            rc = hit_snippet(canon, fold, folded, q->n_terms, o, a, &h->snippet, err);
        }
        free(fold);
        if (rc)
            return rc;
    }
    return 0;
}

static int pg_search(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *o,
                     struct sohoa_hits *out, struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *qr = NULL, *r = NULL;
    const char *lowered[SOHOA_QUERY_MAX_TERMS];
    char sql[4096];
    int rc = 0;

    if (q->n_terms > SOHOA_QUERY_MAX_TERMS || build_query_sql(q->n_terms, sql, sizeof sql))
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "search query has too many terms");
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].canon);
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].fold);
    if ((rc = take(s, &c, err)) || (rc = run(c, sql, &p, &qr, "parse query", err)))
        goto out;
    if (ival(qr, 0, 0, 0) == 0) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "search query has no words to look for");
        goto out;
    }
    for (size_t i = 0; i < q->n_terms; i++)
        lowered[i] = val(qr, 0, 3 + (int)i);
    p = (struct params){0};
    p_text(&p, val(qr, 0, 1));
    p_text(&p, val(qr, 0, 2));
    p_text(&p, o->department);
    p_text(&p, o->date_from);
    p_text(&p, o->date_to);
    p_text(&p, o->dossier_id);
    p_int(&p, o->limit);
    p_int(&p, o->offset);
    if ((rc = run(c, SQL_SEARCH, &p, &r, "search", err)))
        goto out;
    rc = fill_hits(r, q, lowered, o, out, err);
out:
    give(s, c);
    PQclear(qr);
    PQclear(r);
    return rc;
}

/* ---- showing ------------------------------------------------------------------------------- */

static const char SQL_DOSSIER_GET[] =
    "SELECT receipt_no, procedure_code, department, district, commune, received_date::text,"
    " source, title, path, meta_json::text, " TS("created_at") ", " TS(
        "updated_at") " FROM dossiers WHERE id = $1";

/* Pages beyond n_pages (left from a larger earlier count) never count as done. */
static const char SQL_DOCS_LIST[] =
    "SELECT d.id, d.name, d.ordinal, d.format, d.n_pages, d.size_bytes, d.status, d.error,"
    " d.record_key, d.pdf_key, " TS("d.created_at") ", " TS("d.updated_at") ", " TS(
        "d.finished_at") ", count(p.doc_id), count(CASE WHEN p.status = 'failed' THEN 1 END)"
                         " FROM documents d LEFT JOIN pages p"
                         " ON p.doc_id = d.id AND p.page_index < d.n_pages"
                         " WHERE d.dossier_id = $1 GROUP BY d.id ORDER BY d.ordinal, d.name, d.id";

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
    int rc = run(c, SQL_DOSSIER_GET, &p, &r, "read dossier", err);
    if (rc)
        return rc;
    if (PQntuples(r) == 0) {
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "dossier %s is not in the catalog", id);
    } else if (sohoa_arena_strndup(a, id, strlen(id), &info->id) ||
               dup(a, r, 0, 0, &d->receipt_no) || dup(a, r, 0, 1, &d->procedure_code) ||
               dup(a, r, 0, 2, &d->department) || dup(a, r, 0, 3, &d->district) ||
               dup(a, r, 0, 4, &d->commune) || dup(a, r, 0, 5, &d->received_date) ||
               dup(a, r, 0, 7, &d->title) || dup(a, r, 0, 8, &d->path) ||
               dup(a, r, 0, 9, &d->meta_json) || dup(a, r, 0, 10, &info->created_at) ||
               dup(a, r, 0, 11, &info->updated_at)) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading dossier");
    } else {
        enum sohoa_source source = SOHOA_SOURCE_DESK;
        if (sohoa_source_parse(val(r, 0, 6), &source))
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
    int rc = run(c, SQL_DOCS_LIST, &p, &r, "list documents", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    if (n && !(info->docs = sohoa_arena_alloc(a, n * sizeof *info->docs)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading documents");
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_document_info *di = &info->docs[info->n_docs++];
        struct sohoa_document *doc = &di->doc;
        doc->dossier_id = info->id;
        doc->ordinal = ival(r, i, 2, 0);
        doc->n_pages = ival(r, i, 4, 0);
        doc->size_bytes = val(r, i, 5) ? strtoll(val(r, i, 5), NULL, 10) : 0;
        di->pages_done = ival(r, i, 13, 0);
        di->pages_failed = ival(r, i, 14, 0);
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        if (sohoa_doc_status_parse(val(r, i, 6), &status))
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "dossier %s: bad document status", id);
        doc->status = status;
        if (rc == 0 && (dup(a, r, i, 0, &di->id) || dup(a, r, i, 1, &doc->name) ||
                        dup(a, r, i, 3, &doc->format) || dup(a, r, i, 7, &doc->error) ||
                        dup(a, r, i, 8, &di->record_key) || dup(a, r, i, 9, &di->pdf_key) ||
                        dup(a, r, i, 10, &di->created_at) || dup(a, r, i, 11, &di->updated_at) ||
                        dup(a, r, i, 12, &di->finished_at)))
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
    int rc = run(c, SQL_PAGES_LIST, &p, &r, "list pages", err);
    if (rc)
        return rc;
    size_t n = (size_t)PQntuples(r);
    if (n && !(di->pages = sohoa_arena_alloc(a, n * sizeof *di->pages)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_page_info *pi = &di->pages[di->n_pages_listed++];
        struct sohoa_page *pg = &pi->page;
        pi->index = ival(r, i, 0, 0);
        enum sohoa_page_status status = SOHOA_PAGE_FAILED;
        if (sohoa_page_status_parse(val(r, i, 1), &status))
            rc =
                sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad page status", di->id);
        pg->status = status;
        pg->mean_conf = dval(r, i, 3, -1);
        pg->rotation = ival(r, i, 4, 0);
        pg->skew = dval(r, i, 5, 0);
        pg->width = ival(r, i, 6, 0);
        pg->height = ival(r, i, 7, 0);
        pg->dpi = ival(r, i, 8, 0);
        pg->elapsed_ms = dval(r, i, 10, 0);
        if (rc == 0 && (dup(a, r, i, 2, &pg->error) || dup(a, r, i, 9, &pg->text_source) ||
                        dup(a, r, i, 11, &pi->updated_at)))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading pages");
    }
    PQclear(r);
    return rc;
}

static int pg_get_dossier(void *state, const char *id, unsigned flags,
                          struct sohoa_dossier_info *info, struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    int rc = take(s, &c, err);
    if (rc)
        return rc;
    /* one snapshot for the dossier, its documents and their pages */
    if ((rc = exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin read", err)))
        goto out;
    if ((rc = read_dossier(c, id, info, err)) == 0)
        rc = read_documents(c, id, info, err);
    for (size_t i = 0; rc == 0 && (flags & SOHOA_CATALOG_WITH_PAGES) && i < info->n_docs; i++)
        rc = read_pages(c, &info->docs[i], &info->arena, err);
    rc = tx_end(c, rc, err);
out:
    give(s, c);
    return rc;
}

static const char SQL_PROGRESS[] =
    "SELECT d.status, d.n_pages, count(p.doc_id),"
    " count(CASE WHEN p.status = 'failed' THEN 1 END),"
    " count(CASE WHEN p.status = 'blank' THEN 1 END)"
    " FROM documents d LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index < d.n_pages"
    " WHERE d.id = $1 GROUP BY d.id";

static int pg_progress(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                       struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *r = NULL;
    int rc = take(s, &c, err);
    if (rc)
        return rc;
    p_text(&p, doc_id);
    rc = run(c, SQL_PROGRESS, &p, &r, "read progress", err);
    give(s, c);
    if (rc == 0 && PQntuples(r) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                           doc_id);
    if (rc == 0) {
        enum sohoa_doc_status status = SOHOA_DOC_FAILED;
        if (sohoa_doc_status_parse(val(r, 0, 0), &status))
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "document %.12s: bad status", doc_id);
        out->status = status;
        out->n_pages = ival(r, 0, 1, 0);
        out->pages_done = ival(r, 0, 2, 0);
        out->pages_failed = ival(r, 0, 3, 0);
        out->pages_blank = ival(r, 0, 4, 0);
    }
    PQclear(r);
    return rc;
}

static int pg_page_text(void *state, const char *doc_id, int page_index, char **text,
                        struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *r = NULL;
    int rc = take(s, &c, err);
    if (rc)
        return rc;
    p_text(&p, doc_id);
    p_int(&p, page_index);
    rc = run(c, "SELECT coalesce(canon, '') FROM pages WHERE doc_id = $1 AND page_index = $2", &p,
             &r, "read page text", err);
    give(s, c);
    if (rc == 0 && PQntuples(r) == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s page %d has no record",
                           doc_id, page_index);
    if (rc == 0 && !(*text = strdup(PQgetvalue(r, 0, 0))))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading page text");
    PQclear(r);
    return rc;
}

/* ---- opening ------------------------------------------------------------------------------- */

static const struct sohoa_catalog_ops pg_ops = {
    .version = SOHOA_CATALOG_OPS_VERSION,
    .name = "postgres",
    .close = pg_close,
    .upsert_dossier = pg_upsert_dossier,
    .upsert_document = pg_upsert_document,
    .page_done = pg_page_done,
    .finish_document = pg_finish_document,
    .search = pg_search,
    .get_dossier = pg_get_dossier,
    .progress = pg_progress,
    .page_text = pg_page_text,
};

int sohoa_catalog_pg_open(const char *url, const struct sohoa_catalog_ops **ops, void **state,
                          struct sohoa_err *err)
{
    struct state *s = NULL;
    struct slot *c = NULL;
    int rc = 0;

    *ops = NULL;
    *state = NULL;
    if (!PQisthreadsafe())
        return sohoa_err_set(err, SOHOA_EBACKEND, false,
                             "catalog: this libpq is built without thread safety");
    s = calloc(1, sizeof *s);
    if (!s || !(s->url = strdup(url))) {
        free(s);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory opening catalog");
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    if ((rc = take(s, &c, err)) == 0) {
        rc = migrate(c, err);
        give(s, c);
    }
    if (rc)
        goto out;
    *ops = &pg_ops;
    *state = s;
    s = NULL;
out:
    pg_close(s);
    return rc;
}
