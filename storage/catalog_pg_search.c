/* catalog_pg_search.c — search on the PostgreSQL catalog: the query as tsqueries built by the
 * server's parser from client-cut words, ranking (exact-tone class first, then ts_rank), filters
 * (dossier metadata through the document's memberships, document type, field values through the
 * fields table), each hit's dossiers, snippets marked here and moved onto the accented text, and
 * the listing of filtered documents when no words are given.
 */
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/base/buf.h"
#include "pipeline/base/vntext.h"

/* The statement that parses a query: < 4 KiB for SOHOA_QUERY_MAX_TERMS terms. */
#define QUERY_SQL_MAX 4095

/* ---- search -------------------------------------------------------------------------------- */

/* The query as tsqueries, built by the server's own parser from the client-cut words: the
 * folded terms AND-ed (f), the canonical ones (e), and each canonical term lower-cased the way
 * the index was, for marking snippets. $1..$n are the canonical terms, $n+1..$2n the folded. */
static int build_query_sql(size_t n, struct sohoa_buf *sql)
{
    (void)sohoa_buf_adds(sql, "SELECT numnode(f), f::text, e::text");
    for (size_t i = 1; i <= n; i++)
        (void)sohoa_buf_addf(sql, ", lower($%zu)", i);
    for (int pass = 0; pass < 2; pass++) {
        (void)sohoa_buf_adds(sql, pass ? ", " : " FROM (SELECT ");
        for (size_t i = 1; i <= n; i++)
            (void)sohoa_buf_addf(sql, "%sphraseto_tsquery('simple', $%zu)", i > 1 ? " && " : "",
                                 pass ? i : n + i);
        (void)sohoa_buf_adds(sql, pass ? " AS e) q" : " AS f");
    }
    return sql->failed;
}

/* The dossier filters, on memberships m and dossiers s: $1..$4 as filter_params() sends them; a
 * NULL parameter lets every row through (each call is planned with its values, so the server
 * drops those conditions). A document is in the search's scope when one of its memberships
 * passes them. */
#define DOSSIER_FILTERS                                                                            \
    " ($1::text IS NULL OR s.department = $1)"                                                     \
    " AND ($2::date IS NULL OR s.received_date >= $2::date)"                                       \
    " AND ($3::date IS NULL OR s.received_date <= $3::date)"                                       \
    " AND ($4::text IS NULL OR m.dossier_id = $4)"
#define IN_SCOPE                                                                                   \
    " EXISTS (SELECT 1 FROM memberships m JOIN dossiers s ON s.id = m.dossier_id"                  \
    " WHERE m.doc_id = d.id AND" DOSSIER_FILTERS ")"

/* The document filters, on documents d: $5..$7. The field filter goes through fields_key: the
 * documents holding the value. */
#define DOC_FILTERS                                                                                \
    " AND ($5::text IS NULL OR d.doc_type = $5)"                                                   \
    " AND ($6::text IS NULL OR d.id IN (SELECT f.doc_id FROM fields f WHERE f.name = $6"           \
    "   AND ($7::text IS NULL OR f.value_key = $7)))"

/* A hit's dossiers, one row each: every dossier holding document d that the filters keep,
 * once, with the name at its lowest position there, by id (bytewise, as SQLite compares); rn
 * numbers them from 1, nd counts them. */
#define HIT_DOSSIERS                                                                               \
    " CROSS JOIN LATERAL (SELECT m.dossier_id, (array_agg(m.name ORDER BY m.ordinal))[1] AS name," \
    "   row_number() OVER (ORDER BY m.dossier_id COLLATE \"C\") AS rn, count(*) OVER () AS nd"     \
    "   FROM memberships m JOIN dossiers s ON s.id = m.dossier_id"                                 \
    "   WHERE m.doc_id = d.id AND" DOSSIER_FILTERS " GROUP BY m.dossier_id) hd"

/* $1..$9: the filters, then limit and offset. */
static void filter_params(struct params *p, const struct sohoa_search_opts *o)
{
    p_text(p, o->department);
    p_text(p, o->date_from);
    p_text(p, o->date_to);
    p_text(p, o->dossier_id);
    p_text(p, o->doc_type);
    p_text(p, o->field);
    p_text(p, o->field_value);
    p_int(p, o->limit);
    p_int(p, o->offset);
}

/* Matches on the folded index ($10), filtered; exact-tone class ($11) first, then relevance; the
 * page's text (and the server's lower-case of it, for marking) for the rows kept only, on the
 * first row of each hit. One statement, so one snapshot: every hit has its dossiers. */
static const char SQL_SEARCH[] =
    "SELECT r.doc_id, r.page_index, hd.dossier_id, hd.name, r.exact, r.score,"
    " CASE WHEN hd.rn = 1 THEN p.canon END, CASE WHEN hd.rn = 1 THEN lower(p.canon) END,"
    " d.doc_type, hd.rn, hd.nd"
    " FROM (SELECT p.doc_id, p.page_index, p.canon_tsv @@ $11::tsquery AS exact,"
    "   ts_rank(p.fold_tsv, $10::tsquery, 1) AS score"
    "   FROM pages p JOIN documents d ON d.id = p.doc_id"
    "   WHERE p.fold_tsv @@ $10::tsquery AND" IN_SCOPE DOC_FILTERS
    "   ORDER BY exact DESC, score DESC, p.doc_id, p.page_index"
    "   LIMIT $8::integer OFFSET $9::integer) r"
    " JOIN pages p ON p.doc_id = r.doc_id AND p.page_index = r.page_index"
    " JOIN documents d ON d.id = r.doc_id" HIT_DOSSIERS
    " ORDER BY r.exact DESC, r.score DESC, r.doc_id, r.page_index, hd.rn";

/* Without words: page 0 of each document the filters keep (with its text, when it has some),
 * each document once, newest of its dossiers in scope first (received date), then newest
 * document. */
static const char SQL_LIST[] =
    "SELECT r.id, hd.dossier_id, hd.name, d.doc_type, CASE WHEN hd.rn = 1 THEN p.canon END,"
    " hd.rn, hd.nd"
    " FROM (SELECT d.id, d.created_at, sc.newest FROM documents d"
    "   CROSS JOIN LATERAL (SELECT count(*) AS n, max(s.received_date) AS newest"
    "   FROM memberships m JOIN dossiers s ON s.id = m.dossier_id"
    "   WHERE m.doc_id = d.id AND" DOSSIER_FILTERS ") sc"
    "   WHERE sc.n > 0" DOC_FILTERS " ORDER BY sc.newest DESC NULLS LAST, d.created_at DESC, d.id"
    "   LIMIT $8::integer OFFSET $9::integer) r"
    " JOIN documents d ON d.id = r.id"
    " LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index = 0" HIT_DOSSIERS
    " ORDER BY r.newest DESC NULLS LAST, r.created_at DESC, r.id, hd.rn";

/* Hits in rows: a hit is `nd` consecutive rows, the first with rn 1. */
static int count_hits(const PGresult *r, int rn_col, size_t *n, struct sohoa_err *err)
{
    int rows = PQntuples(r);
    *n = 0;
    for (int i = 0; i < rows;) {
        int nd = cpg_ival(r, i, rn_col + 1, 0);
        if (cpg_ival(r, i, rn_col, 0) != 1 || nd < 1 || nd > rows - i)
            return sohoa_err_set(err, SOHOA_EBACKEND, false, "search: hit rows out of order");
        (*n)++;
        i += nd;
    }
    return 0;
}

/* Hit h's dossiers from its rows `row` .. (ids in `col`, names in col + 1); h->dossier_id and
 * h->doc_name are the first. *next: the row of the next hit. */
static int hit_dossiers(const PGresult *r, int row, int col, int rn_col, struct sohoa_hits *out,
                        struct sohoa_hit *h, int *next, struct sohoa_err *err)
{
    size_t nd = (size_t)cpg_ival(r, row, rn_col + 1, 1);
    int rc = sohoa_hit_dossiers_reserve(out, h, nd, err);
    struct sohoa_hit_dossier *v = (struct sohoa_hit_dossier *)h->dossiers; /* ours to fill */
    for (size_t k = 0; rc == 0 && k < nd; k++) {
        if (cpg_dup(&out->arena, r, row + (int)k, col, &v[k].id) ||
            cpg_dup(&out->arena, r, row + (int)k, col + 1, &v[k].doc_name))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
    }
    if (rc)
        return rc;
    h->n_dossiers = nd;
    h->dossier_id = v[0].id;
    h->doc_name = v[0].doc_name;
    *next = row + (int)nd;
    return 0;
}

/* The snippet of one hit: `cmp` (the page text in the form of `terms`) marked, the marks moved
 * onto the accented text, cut to a window. Unmarked text when the forms do not line up. */
static int hit_snippet(const char *canon, const char *cmp, const char *const *terms, size_t n_terms,
                       const struct sohoa_search_opts *o, struct sohoa_arena *a, const char **out,
                       struct sohoa_err *err)
{
    char *marked = NULL, *moved = NULL;
    int rc = sohoa_text_mark(cmp, terms, n_terms, &marked, err);
    if (rc == 0 && sohoa_snippet_transfer(canon, marked, &moved, NULL) == SOHOA_ENOMEM)
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    if (rc == 0)
        rc = sohoa_hit_snippet(a, moved ? moved : canon, o, out, err);
    free(marked);
    free(moved);
    return rc;
}

static int fill_hits(const PGresult *r, const struct sohoa_query *q, const char *const *lowered,
                     const struct sohoa_search_opts *o, struct sohoa_hits *out,
                     struct sohoa_err *err)
{
    const char *folded[SOHOA_QUERY_MAX_TERMS];
    struct sohoa_arena *a = &out->arena;
    size_t n = 0;
    for (size_t i = 0; i < q->n_terms; i++)
        folded[i] = q->terms[i].fold;
    int rc = count_hits(r, 9, &n, err);
    if (rc == 0)
        rc = sohoa_hits_reserve(out, n, err);
    for (int row = 0, next = 0; rc == 0 && out->n < n; row = next) {
        struct sohoa_hit *h = &out->v[out->n++];
        h->page_index = cpg_ival(r, row, 1, 0);
        h->match = cpg_bval(r, row, 4) ? SOHOA_MATCH_EXACT : SOHOA_MATCH_FOLDED;
        h->score = cpg_dval(r, row, 5, 0);
        if (cpg_dup(a, r, row, 0, &h->doc_id) || cpg_dup(a, r, row, 8, &h->doc_type))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        if ((rc = hit_dossiers(r, row, 2, 9, out, h, &next, err)))
            return rc;
        const char *canon = cpg_val(r, row, 6) ? cpg_val(r, row, 6) : "";
        char *fold = NULL;
        if (h->match == SOHOA_MATCH_EXACT) {
            const char *lower = cpg_val(r, row, 7) ? cpg_val(r, row, 7) : "";
            rc = hit_snippet(canon, lower, lowered, q->n_terms, o, a, &h->snippet, err);
        } else if ((rc = vn_fold(canon, &fold, err)) == 0) {
            rc = hit_snippet(canon, fold, folded, q->n_terms, o, a, &h->snippet, err);
        }
        free(fold);
    }
    return rc;
}

/* The hits of a search without words: SQL_LIST's rows. */
static int list_filtered(struct slot *c, const struct sohoa_search_opts *o, struct sohoa_hits *out,
                         struct sohoa_err *err)
{
    struct sohoa_arena *a = &out->arena;
    struct params p = {0};
    PGresult *r = NULL;
    size_t n = 0;
    filter_params(&p, o);
    int rc = cpg_run(c, SQL_LIST, &p, &r, "list documents", err);
    if (rc == 0 && (rc = count_hits(r, 5, &n, err)) == 0)
        rc = sohoa_hits_reserve(out, n, err);
    for (int row = 0, next = 0; rc == 0 && out->n < n; row = next) {
        struct sohoa_hit *h = &out->v[out->n++];
        h->match = SOHOA_MATCH_FILTER;
        if (cpg_dup(a, r, row, 0, &h->doc_id) || cpg_dup(a, r, row, 3, &h->doc_type))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        else if ((rc = hit_dossiers(r, row, 1, 5, out, h, &next, err)) == 0)
            rc = sohoa_hit_snippet(a, cpg_val(r, row, 4), o, &h->snippet, err);
    }
    PQclear(r);
    return rc;
}

int cpg_search(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *o,
               struct sohoa_hits *out, struct sohoa_err *err)
{
    struct state *s = state;
    struct slot *c = NULL;
    struct params p = {0};
    PGresult *qr = NULL, *r = NULL;
    const char *lowered[SOHOA_QUERY_MAX_TERMS];
    struct sohoa_buf sql = SOHOA_BUF_INIT(QUERY_SQL_MAX);
    int rc = 0;

    if (q->n_terms == 0) {
        if ((rc = cpg_take(s, &c, err)) == 0)
            rc = list_filtered(c, o, out, err);
        cpg_give(s, c);
        return rc;
    }
    if (q->n_terms > SOHOA_QUERY_MAX_TERMS ||
        (rc = build_query_sql(q->n_terms, &sql)) == SOHOA_ELIMIT) {
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "search query has too many terms");
        goto out;
    }
    if (rc < 0) {
        rc = sohoa_err_set(err, rc, false, "out of memory building query");
        goto out;
    }
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].canon);
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].fold);
    if ((rc = cpg_take(s, &c, err)) || (rc = cpg_run(c, sql.data, &p, &qr, "parse query", err)))
        goto out;
    if (cpg_ival(qr, 0, 0, 0) == 0) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "search query has no words to look for");
        goto out;
    }
    for (size_t i = 0; i < q->n_terms; i++)
        lowered[i] = cpg_val(qr, 0, 3 + (int)i);
    p = (struct params){0};
    filter_params(&p, o);
    p_text(&p, cpg_val(qr, 0, 1));
    p_text(&p, cpg_val(qr, 0, 2));
    if ((rc = cpg_run(c, SQL_SEARCH, &p, &r, "search", err)))
        goto out;
    rc = fill_hits(r, q, lowered, o, out, err);
out:
    cpg_give(s, c);
    PQclear(qr);
    PQclear(r);
    sohoa_buf_release(&sql);
    return rc;
}
