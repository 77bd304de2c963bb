/* catalog_pg.c — the catalog on PostgreSQL (libpq): the backend for many workers on many hosts.
 *
 * With catalog_pg_*.c (catalog_pg_int.h lists the parts), the only files that include
 * <libpq-fe.h>; libpq results and SQLSTATEs become struct sohoa_err in them. This one holds error
 * translation, the connection pool, running statements, applying the migrations, and opening and
 * closing (the ops table). The schema itself and why it is built so: catalog_pg_schema.c.
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
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "storage/catalog_pg_schema.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"
#include "storage/catalog_pg_schema.h"

#define MIGRATION_KEY "7300154702" /* pg_advisory_xact_lock key: "sohoa" migrations */
/* ---- connections --------------------------------------------------------------------------- */

static void quiet_notices(void *arg, const char *message)
{
    (void)arg; /* "text-search query doesn't contain lexemes" and the like: not for stderr */
    (void)message;
}

/* libpq's message without its trailing newline, into `buf`. */
static const char *pg_message(const char *m, char *buf, size_t cap)
{
    (void)snprintf(buf, cap, "%s", m && *m ? m : "unknown error"); /* a message: may be cut */
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
        /* a bad setting in the URL ("invalid integer value ... port"), a refused password or a
         * missing database will not mend itself; anything else might */
        bool config = strncmp(msg, "invalid ", 8) == 0;
        bool retry =
            !config && !strstr(msg, "authentication failed") && !strstr(msg, "does not exist");
        PQfinish(pg);
        return sohoa_err_set(err, config ? SOHOA_EINVAL : SOHOA_EIO, retry,
                             "catalog: cannot connect to PostgreSQL: %s", msg);
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
int cpg_take(struct state *s, struct slot **out, struct sohoa_err *err)
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
void cpg_give(struct state *s, struct slot *c)
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
    /* the connection went (the server restarted or the network failed), or a connection
     * failure, shutdown, recovery, read-only standby */
    if (PQstatus(pg) != CONNECTION_OK || !state || !strncmp(state, "08", 2) ||
        !strcmp(state, "57P01") || !strcmp(state, "57P02") || !strcmp(state, "57P03") ||
        !strcmp(state, "25006")) {
        code = SOHOA_EIO;
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

/* Run `sql` with `p` (may be NULL); *res holds the rows (PQclear it) when asked for. */
int cpg_run(struct slot *c, const char *sql, const struct params *p, PGresult **res,
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

/* One statement on a connection of the pool: take, run, give back. */
int cpg_query(struct state *s, const char *sql, const struct params *p, PGresult **res,
              const char *what, struct sohoa_err *err)
{
    struct slot *c = NULL;
    if (res)
        *res = NULL;
    int rc = cpg_take(s, &c, err);
    if (rc == 0)
        rc = cpg_run(c, sql, p, res, what, err);
    cpg_give(s, c);
    return rc;
}

/* `rc`, or SOHOA_ENOTFOUND when a statement about document `doc_id` returned no row. */
int cpg_doc_row(int rc, const PGresult *r, const char *doc_id, struct sohoa_err *err)
{
    if (rc == 0 && PQntuples(r) == 0)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "document %.12s is not in the catalog",
                             doc_id);
    return rc;
}

/* Several statements without parameters (BEGIN, COMMIT, migrations). */
int cpg_exec(struct slot *c, const char *sql, const char *what, struct sohoa_err *err)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK
                 ? 0
                 : pg_fail(c->pg, r, what, err);
    PQclear(r);
    return rc;
}

/* End the transaction begun on `c`: COMMIT when rc == 0, else ROLLBACK. Returns the outcome. */
int cpg_tx_end(struct slot *c, int rc, struct sohoa_err *err)
{
    if (rc == 0)
        return cpg_exec(c, "COMMIT", "commit", err);
    PQclear(PQexec(c->pg, "ROLLBACK"));
    return rc;
}

const char *cpg_val(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

int cpg_ival(const PGresult *r, int row, int col, int dflt)
{
    return PQgetisnull(r, row, col) ? dflt : atoi(PQgetvalue(r, row, col));
}

double cpg_dval(const PGresult *r, int row, int col, double dflt)
{
    return PQgetisnull(r, row, col) ? dflt : strtod(PQgetvalue(r, row, col), NULL);
}

bool cpg_bval(const PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

/* Copy a value (NULL stays NULL) into the arena; 0 or SOHOA_ENOMEM. */
int cpg_dup(struct sohoa_arena *a, const PGresult *r, int row, int col, const char **out)
{
    const char *s = cpg_val(r, row, col);
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
    int rc = cpg_run(c, SQL_CHECK_CTYPE, NULL, &r, "check the database locale", err);
    if (rc)
        return rc;
    if (!cpg_bval(r, 0, 0)) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false,
                           "catalog: the database's ctype \"%s\" does not lower-case Vietnamese; "
                           "create it with a UTF-8 locale (e.g. LC_CTYPE 'C.UTF-8')",
                           cpg_val(r, 0, 1) ? cpg_val(r, 0, 1) : "?");
        PQclear(r);
        return rc;
    }
    PQclear(r);
    if ((rc = cpg_exec(c, SQL_MIGRATE_BEGIN, "begin migration", err)))
        goto out;
    if ((rc = cpg_run(c, "SELECT coalesce(max(version), 0) FROM sohoa_schema", NULL, &r,
                      "read schema version", err)))
        goto out;
    int version = cpg_ival(r, 0, 0, 0), want = (int)sohoa_pg_n_migrations;
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
        if ((rc = cpg_exec(c, sohoa_pg_migrations[v], "migrate schema", err)) ||
            (rc = cpg_run(c, "DELETE FROM sohoa_schema", NULL, NULL, "record schema version",
                          err)) ||
            (rc = cpg_run(c, "INSERT INTO sohoa_schema VALUES ($1::integer)", &p, NULL,
                          "record schema version", err))) {
            sohoa_err_prefix(err, "to version %d", v + 1);
            goto out;
        }
    }
out:
    return cpg_tx_end(c, rc, err);
}

/* ---- opening ------------------------------------------------------------------------------- */

static const struct sohoa_catalog_ops pg_ops = {
    .version = SOHOA_CATALOG_OPS_VERSION,
    .name = "postgres",
    .close = pg_close,
    .upsert_dossier = cpg_upsert_dossier,
    .upsert_document = cpg_upsert_document,
    .page_done = cpg_page_done,
    .finish_document = cpg_finish_document,
    .search = cpg_search,
    .get_dossier = cpg_get_dossier,
    .progress = cpg_progress,
    .page_text = cpg_page_text,
    .put_fields = cpg_put_fields,
    .admit_document = cpg_admit_document,
    .remove_document = cpg_remove_document,
    .doc_dossiers = cpg_doc_dossiers,
    .claim_assembly = cpg_claim_assembly,
    .release_assembly = cpg_release_assembly,
    .stalled = cpg_stalled,
};

/* A URL libpq cannot parse is a configuration error, found once here rather than as a retryable
 * failure of every connection. libpq's reason quotes the URL or its tokens, so it is shown only
 * when the URL holds no credentials. */
static int check_url(const char *url, struct sohoa_err *err)
{
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &why);
    if (opts) {
        PQconninfoFree(opts);
        return 0;
    }
    int rc;
    if (!why) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading the catalog URL");
    } else {
        char msg[SOHOA_ERR_MSG_MAX];
        bool secret = strchr(url, '@') || strstr(url, "password");
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "catalog: bad PostgreSQL URL: %s",
                           secret ? "it does not parse (the reason is not shown: it would quote "
                                    "the credentials)"
                                  : pg_message(why, msg, sizeof msg));
    }
    PQfreemem(why);
    return rc;
}

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
    if ((rc = check_url(url, err)) < 0)
        return rc;
    s = calloc(1, sizeof *s);
    if (!s || !(s->url = strdup(url))) {
        free(s);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory opening catalog");
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->freed, NULL);
    if ((rc = cpg_take(s, &c, err)) == 0) {
        rc = migrate(c, err);
        cpg_give(s, c);
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
