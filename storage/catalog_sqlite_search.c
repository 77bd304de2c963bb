/* catalog_sqlite_search.c — search on the SQLite catalog: the FTS5 query builder (every query
 * word cut by the index's own tokenizer and quoted, so no user input is FTS5 syntax), ranking
 * (exact-tone class first, then BM25), filters (dossier metadata, document type, field values
 * through the fields table), snippets, and the listing of filtered documents when no words are
 * given.
 *
 * Runs on the reader connection under its lock, inside one read transaction, with a progress
 * handler that interrupts a search past SOHOA_SEARCH_DEADLINE_MS.
 */
#include "storage/catalog_sqlite_int.h"

#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/deadline.h"

/* The cap on one built statement or MATCH expression: far above what a query of
 * SOHOA_QUERY_MAX_BYTES with every filter makes (a few KiB). */
#define SEARCH_SQL_MAX ((size_t)64 * 1024)

/* The index's tokenizer, for cutting query words exactly as the index cut page text. */
int sq_tokenizer_open(struct state *s, struct sohoa_err *err)
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
        return sq_fail(NULL, rc, "create query tokenizer", err);
    return 0;
}

/* ---- search -------------------------------------------------------------------------------- */

/* The statements and expressions below are built in sohoa_buf buffers (pipeline/base/buf.h) of
 * SEARCH_SQL_MAX bytes; a failure sticks and is checked once, after the last add. */

struct phrase_ctx {
    struct sohoa_buf *b;
    size_t n_tokens;
};

/* FTS5 tokenizer callback: append one token to the phrase, '"' doubled. */
static int on_token(void *ctx, int tflags, const char *tok, int n, int start, int end)
{
    struct phrase_ctx *x = ctx;
    if (tflags & FTS5_TOKEN_COLOCATED)
        return SQLITE_OK;
    if (x->n_tokens++)
        (void)sohoa_buf_addc(x->b, ' ');
    for (int i = 0; i < n; i++)
        (void)sohoa_buf_add(x->b, tok[i] == '"' ? "\"\"" : tok + i, tok[i] == '"' ? 2 : 1);
    return !x->b->failed ? SQLITE_OK : x->b->failed == SOHOA_ELIMIT ? SQLITE_TOOBIG : SQLITE_NOMEM;
}

/* Append `text` to `b` as one quoted FTS5 phrase of the tokens the index would see. */
static int append_phrase(struct state *s, struct sohoa_buf *b, const char *text, size_t *n_tokens)
{
    struct phrase_ctx x = {b, 0};
    (void)sohoa_buf_addc(b, '"');
    int rc =
        s->tok_api.xTokenize(s->tok, &x, FTS5_TOKENIZE_QUERY, text, (int)strlen(text), on_token);
    (void)sohoa_buf_addc(b, '"');
    *n_tokens = x.n_tokens;
    return rc;
}

/* The error of a statement buffer that failed (SOHOA_ENOMEM or SOHOA_ELIMIT). */
static int sql_failed(const struct sohoa_buf *b, const char *what, struct sohoa_err *err)
{
    if (b->failed == SOHOA_ENOMEM)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory %s", what);
    return sohoa_err_set(err, b->failed, false, "%s: over %zu bytes", what, SEARCH_SQL_MAX);
}

/* The two MATCH expressions of a query: every term on the canonical column, and on the folded
 * one. Terms the tokenizer finds nothing in (a lone symbol) are left out of both. */
static int build_match(struct state *s, const struct sohoa_query *q, struct sohoa_buf *exact,
                       struct sohoa_buf *fold, struct sohoa_err *err)
{
    size_t used = 0;
    (void)sohoa_buf_adds(exact, "{canon} : (");
    (void)sohoa_buf_adds(fold, "{fold} : (");
    for (size_t i = 0; i < q->n_terms; i++) {
        size_t exact_mark = exact->len, fold_mark = fold->len, n_fold = 0, n_canon = 0;
        if (used) {
            (void)sohoa_buf_adds(exact, " AND ");
            (void)sohoa_buf_adds(fold, " AND ");
        }
        int rc = append_phrase(s, fold, q->terms[i].fold, &n_fold);
        if (rc == SQLITE_OK && n_fold > 0)
            rc = append_phrase(s, exact, q->terms[i].canon, &n_canon);
        if (rc != SQLITE_OK)
            return sq_fail(NULL, rc, "tokenize query", err);
        if (n_fold == 0) {
            (void)sohoa_buf_setlen(exact, exact_mark);
            (void)sohoa_buf_setlen(fold, fold_mark);
            continue;
        }
        used++;
    }
    (void)sohoa_buf_addc(exact, ')');
    (void)sohoa_buf_addc(fold, ')');
    if (exact->failed || fold->failed)
        return sql_failed(exact->failed ? exact : fold, "building query", err);
    if (!used)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search query has no words to look for");
    return 0;
}

/* The dossier filters of `o` as conditions on a membership `m` (and `dossiers`, joined when
 * needed), after a WHERE clause. Values are bound parameters named after the options. */
static bool dossier_metadata_filter(const struct sohoa_search_opts *o)
{
    return o->department || o->date_from || o->date_to;
}

static void append_scope(const struct sohoa_search_opts *o, struct sohoa_buf *b)
{
    if (o->department)
        (void)sohoa_buf_adds(b, " AND dossiers.department = :department");
    if (o->date_from)
        (void)sohoa_buf_adds(b, " AND dossiers.received_date >= :date_from");
    if (o->date_to)
        (void)sohoa_buf_adds(b, " AND dossiers.received_date <= :date_to");
    if (o->dossier_id)
        (void)sohoa_buf_adds(b, " AND m.dossier_id = :dossier_id");
}

/* FROM memberships m [JOIN dossiers] WHERE m.doc_id = <doc> AND the scope. */
static void append_members(const struct sohoa_search_opts *o, const char *doc, bool dossiers,
                           struct sohoa_buf *b)
{
    (void)sohoa_buf_adds(b, " FROM memberships m");
    if (dossiers || dossier_metadata_filter(o))
        (void)sohoa_buf_adds(b, " JOIN dossiers ON dossiers.id = m.dossier_id");
    (void)sohoa_buf_adds(b, " WHERE m.doc_id = ");
    (void)sohoa_buf_adds(b, doc);
    append_scope(o, b);
}

/* The document conditions (type, field) on `documents`, and: some dossier in scope holds it. */
static void append_conditions(const struct sohoa_search_opts *o, const char *doc,
                              struct sohoa_buf *b)
{
    if (o->doc_type)
        (void)sohoa_buf_adds(b, " AND documents.doc_type = :doc_type");
    if (o->field) /* through fields_key: the documents holding the value, looked up once */
        (void)sohoa_buf_adds(b, o->field_value
                                    ? " AND documents.id IN (SELECT doc_id FROM fields"
                                      " WHERE name = :field AND value_key = :field_value)"
                                    : " AND documents.id IN (SELECT doc_id FROM fields"
                                      " WHERE name = :field)");
    (void)sohoa_buf_adds(b, " AND EXISTS (SELECT 1");
    append_members(o, doc, false, b);
    (void)sohoa_buf_adds(b, ")");
}

/* The ranking statement: matches on the folded column, filtered, exact-class first, then BM25.
 * Built from fixed pieces only; every value is a bound parameter. */
static void build_rank_sql(const struct sohoa_search_opts *o, struct sohoa_buf *b)
{
    (void)sohoa_buf_adds(
        b, "SELECT pages_fts.rowid,"
           " pages_fts.rowid IN (SELECT rowid FROM pages_fts WHERE pages_fts MATCH :exact)"
           " AS exact, bm25(pages_fts) AS score FROM pages_fts"
           " JOIN pages ON pages.id = pages_fts.rowid");
    if (o->doc_type || o->field)
        (void)sohoa_buf_adds(b, " JOIN documents ON documents.id = pages.doc_id");
    (void)sohoa_buf_adds(b, " WHERE pages_fts MATCH :fold");
    append_conditions(o, "pages.doc_id", b);
    (void)sohoa_buf_adds(
        b, " ORDER BY exact DESC, score, pages_fts.rowid LIMIT :limit OFFSET :offset");
}

/* Without words: page 0 of each document the filters keep (with its text, when it has some),
 * newest dossier in scope first, then newest document. */
static void build_list_sql(const struct sohoa_search_opts *o, struct sohoa_buf *b)
{
    (void)sohoa_buf_adds(b,
                         "SELECT documents.id, documents.doc_type,"
                         " (SELECT canon FROM pages_fts WHERE pages_fts.rowid = pages.id)"
                         " FROM documents"
                         " LEFT JOIN pages ON pages.doc_id = documents.id AND pages.page_index = 0"
                         " WHERE 1");
    append_conditions(o, "documents.id", b);
    (void)sohoa_buf_adds(b, " ORDER BY (SELECT max(dossiers.received_date)");
    append_members(o, "documents.id", true, b);
    (void)sohoa_buf_adds(b, ") DESC NULLS LAST, documents.created_at DESC, documents.id"
                            " LIMIT :limit OFFSET :offset");
}

/* The dossiers in scope holding document :doc, by id (each once: the first row of each). */
static void build_dossiers_sql(const struct sohoa_search_opts *o, struct sohoa_buf *b)
{
    (void)sohoa_buf_adds(b, "SELECT m.dossier_id, m.name");
    append_members(o, ":doc", false, b);
    (void)sohoa_buf_adds(b, " ORDER BY m.dossier_id, m.ordinal");
}

static int bind_named(sqlite3_stmt *st, const char *name, const char *text, int num)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (!i)
        return SQLITE_OK;
    return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC) : sqlite3_bind_int(st, i, num);
}

/* Bind every named parameter the statement has (the match expressions may be NULL). */
static int bind_search(sqlite3_stmt *st, const char *exact, const char *fold, const char *doc,
                       const struct sohoa_search_opts *o)
{
    const struct {
        const char *name, *text;
        int num;
    } v[] = {
        {":exact", exact, 0},
        {":fold", fold, 0},
        {":department", o->department, 0},
        {":date_from", o->date_from, 0},
        {":date_to", o->date_to, 0},
        {":dossier_id", o->dossier_id, 0},
        {":doc_type", o->doc_type, 0},
        {":field", o->field, 0},
        {":field_value", o->field_value, 0},
        {":doc", doc, 0},
        {":limit", NULL, o->limit},
        {":offset", NULL, o->offset},
    };
    int rc = SQLITE_OK;
    for (size_t i = 0; rc == SQLITE_OK && i < sizeof v / sizeof v[0]; i++)
        rc = bind_named(st, v[i].name, v[i].text, v[i].num);
    return rc;
}

struct ranked {
    int64_t rowid;
    bool exact;
    double score;
};

static const char SQL_HIT_INFO[] =
    "SELECT pages.page_index, pages.doc_id, documents.doc_type"
    " FROM pages JOIN documents ON documents.id = pages.doc_id WHERE pages.id = ?1";

/* Hit h's dossiers (h->doc_id set) from the prepared dossiers statement `ds`. */
static int hit_dossiers(struct conn *c, sqlite3_stmt *ds, const struct sohoa_search_opts *o,
                        struct sohoa_hits *out, struct sohoa_hit *h, struct sohoa_err *err)
{
    struct sohoa_arena *a = &out->arena;
    struct sohoa_hit_dossier *v = NULL;
    size_t n = 0, cap = 0;
    sqlite3_reset(ds);
    int rc = bind_search(ds, NULL, NULL, h->doc_id, o);
    if (rc != SQLITE_OK)
        return sq_fail(c->db, rc, "bind hit dossiers", err);
    while ((rc = sq_step(c, ds, "read hit dossiers", err)) == 1) {
        const char *id = (const char *)sqlite3_column_text(ds, 0);
        if (n > 0 && !strcmp(v[n - 1].id, id))
            continue; /* the same dossier at another position: its first name is kept */
        if (n == cap) {
            if (cap > SIZE_MAX / 2 / sizeof *v)
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
            cap = cap ? 2 * cap : 4;
            struct sohoa_hit_dossier *grown = sohoa_arena_alloc(a, cap * sizeof *grown);
            if (!grown)
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
            if (n)
                memcpy(grown, v, n * sizeof *v);
            v = grown;
        }
        if (sq_col_dup(a, ds, 0, &v[n].id) || sq_col_dup(a, ds, 1, &v[n].doc_name))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        n++;
    }
    sqlite3_reset(ds);
    if (rc < 0)
        return rc;
    h->dossiers = v;
    h->n_dossiers = n;
    h->dossier_id = n ? v[0].id : NULL;
    h->doc_name = n ? v[0].doc_name : NULL;
    return 0;
}

static const char SQL_HIT_MARK[] = "SELECT highlight(pages_fts, ?1, ?4, ?5), canon FROM pages_fts"
                                   " WHERE pages_fts MATCH ?2 AND rowid = ?3";

/* The snippet of one ranked page: its text with the matched words marked, cut to a window. */
static int hit_snippet(struct conn *c, const struct ranked *r, const char *exact_expr,
                       const char *fold_expr, const struct sohoa_search_opts *o,
                       struct sohoa_arena *a, const char **out, struct sohoa_err *err)
{
    static const char open[] = {SOHOA_MARK_OPEN, '\0'}, close[] = {SOHOA_MARK_CLOSE, '\0'};
    sqlite3_stmt *st = NULL;
    char *moved = NULL;

    *out = "";
    int rc = SQ_RUN(c, SQL_HIT_MARK, &st, "highlight", err, arg_int(r->exact ? 0 : 1),
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
        /* on SOHOA_EFORMAT (fold invariant broken) the folded text is shown instead */
        marked = moved ? moved : marked;
    }
    rc = sohoa_hit_snippet(a, marked, o, out, err);
    free(moved);
    return rc;
}

/* Turn ranked page ids into hits (document, dossier, snippet), in rank order. */
static int fill_hits(struct conn *c, sqlite3_stmt *ds, const struct ranked *top, size_t n,
                     const char *exact_expr, const char *fold_expr,
                     const struct sohoa_search_opts *o, struct sohoa_hits *out,
                     struct sohoa_err *err)
{
    sqlite3_stmt *st = NULL;
    struct sohoa_arena *a = &out->arena;
    int rc = sohoa_hits_reserve(out, n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct sohoa_hit *h = &out->v[out->n];
        rc = SQ_RUN(c, SQL_HIT_INFO, &st, "read hit", err, arg_int(top[i].rowid));
        if (rc < 0)
            return rc;
        if (rc == 0)
            continue; /* cannot happen inside one read transaction; skip rather than fail */
        h->page_index = sqlite3_column_int(st, 0);
        if (sq_col_dup(a, st, 1, &h->doc_id) || sq_col_dup(a, st, 2, &h->doc_type))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        if ((rc = hit_dossiers(c, ds, o, out, h, err)) < 0)
            return rc;
        if (h->n_dossiers == 0)
            continue; /* cannot happen inside one read transaction; skip rather than fail */
        h->match = top[i].exact ? SOHOA_MATCH_EXACT : SOHOA_MATCH_FOLDED;
        h->score = -top[i].score;
        rc = hit_snippet(c, &top[i], exact_expr, fold_expr, o, a, &h->snippet, err);
        if (rc)
            return rc;
        out->n++;
    }
    return 0;
}

/* Read the rows of the listing statement (build_list_sql) into hits. */
static int list_hits(struct conn *c, sqlite3_stmt *st, sqlite3_stmt *ds,
                     const struct sohoa_search_opts *o, struct sohoa_hits *out,
                     struct sohoa_err *err)
{
    struct sohoa_arena *a = &out->arena;
    int rc = sohoa_hits_reserve(out, (size_t)o->limit, err);
    if (rc)
        return rc;
    while (out->n < (size_t)o->limit && (rc = sq_step(c, st, "list documents", err)) == 1) {
        struct sohoa_hit *h = &out->v[out->n];
        h->match = SOHOA_MATCH_FILTER;
        if (sq_col_dup(a, st, 0, &h->doc_id) || sq_col_dup(a, st, 1, &h->doc_type))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        if ((rc = hit_dossiers(c, ds, o, out, h, err)) < 0)
            return rc;
        if (h->n_dossiers == 0)
            continue;
        rc = sohoa_hit_snippet(a, (const char *)sqlite3_column_text(st, 2), o, &h->snippet, err);
        if (rc)
            return rc;
        out->n++;
    }
    return rc < 0 ? rc : 0;
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

int sq_search(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *o,
              struct sohoa_hits *out, struct sohoa_err *err)
{
    struct state *s = state;
    struct conn *c = s->reader;
    struct sohoa_buf exact = SOHOA_BUF_INIT(SEARCH_SQL_MAX), fold = SOHOA_BUF_INIT(SEARCH_SQL_MAX),
                     sql = SOHOA_BUF_INIT(SEARCH_SQL_MAX), dsql = SOHOA_BUF_INIT(SEARCH_SQL_MAX);
    sqlite3_stmt *rank = NULL, *ds = NULL;
    struct ranked *top = NULL;
    size_t n_top = 0;
    bool in_tx = false;
    struct timespec deadline;
    int rc = 0;

    sohoa_deadline_in(CLOCK_MONOTONIC, SOHOA_SEARCH_DEADLINE_MS, &deadline);

    bool words = q->n_terms > 0;
    sq_lock(c);
    sqlite3_progress_handler(c->db, 1000, search_deadline, &deadline);
    if (words && (rc = build_match(s, q, &exact, &fold, err)))
        goto out;
    if (words)
        build_rank_sql(o, &sql);
    else
        build_list_sql(o, &sql);
    build_dossiers_sql(o, &dsql);
    top = calloc((size_t)o->limit, sizeof *top);
    if (sql.failed || dsql.failed) {
        rc = sql_failed(sql.failed ? &sql : &dsql, "searching", err);
        goto out;
    }
    if (!top) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory searching");
        goto out;
    }
    int src = sqlite3_prepare_v2(c->db, sql.data, -1, &rank, NULL);
    if (src == SQLITE_OK)
        src = bind_search(rank, exact.data, fold.data, NULL, o);
    if (src == SQLITE_OK)
        src = sqlite3_prepare_v2(c->db, dsql.data, -1, &ds, NULL);
    if (src != SQLITE_OK) {
        rc = sq_fail(c->db, src, "prepare search", err);
        goto out;
    }
    if ((rc = sq_exec(c, "BEGIN", "begin search", err)))
        goto out;
    in_tx = true;
    if (!words) {
        rc = list_hits(c, rank, ds, o, out, err);
        goto out;
    }
    while (n_top < (size_t)o->limit && (rc = sq_step(c, rank, "search", err)) == 1) {
        top[n_top].rowid = (int64_t)sqlite3_column_int64(rank, 0);
        top[n_top].exact = sqlite3_column_int(rank, 1) != 0;
        top[n_top].score = sqlite3_column_double(rank, 2);
        n_top++;
    }
    if (rc < 0)
        goto out;
    sqlite3_finalize(rank);
    rank = NULL;
    rc = fill_hits(c, ds, top, n_top, exact.data, fold.data, o, out, err);
out:
    sqlite3_finalize(rank);
    sqlite3_finalize(ds);
    if (in_tx)
        rc = sq_tx_end(c, rc, err);
    sqlite3_progress_handler(c->db, 0, NULL, NULL);
    sq_unlock(c);
    free(top);
    sohoa_buf_release(&exact);
    sohoa_buf_release(&fold);
    sohoa_buf_release(&sql);
    sohoa_buf_release(&dsql);
    return rc;
}
