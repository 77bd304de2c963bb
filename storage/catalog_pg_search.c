/* catalog_pg_search.c — search on the PostgreSQL catalog: the query as tsqueries built by the
 * server's parser from client-cut words, ranking (exact-tone class first, then ts_rank), filters
 * (dossier metadata, document type, field values through the fields table), snippets marked here
 * and moved onto the accented text, and the listing of filtered documents when no words are given.
 */
#include "storage/catalog_pg_int.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/vntext.h"

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

/* The filters, on dossiers s and documents d: $1..$7 as filter_params() sends them; a NULL
 * parameter lets every row through (each call is planned with its values, so the server drops
 * those conditions). The field filter goes through fields_key: the documents holding the value. */
#define FILTERS                                                                                    \
    " AND ($1::text IS NULL OR s.department = $1)"                                                 \
    " AND ($2::date IS NULL OR s.received_date >= $2::date)"                                       \
    " AND ($3::date IS NULL OR s.received_date <= $3::date)"                                       \
    " AND ($4::text IS NULL OR d.dossier_id = $4)"                                                 \
    " AND ($5::text IS NULL OR d.doc_type = $5)"                                                   \
    " AND ($6::text IS NULL OR d.id IN (SELECT f.doc_id FROM fields f WHERE f.name = $6"           \
    "   AND ($7::text IS NULL OR f.value_key = $7)))"

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
 * page's text (and the server's lower-case of it, for marking) for the rows kept only. */
static const char SQL_SEARCH[] =
    "SELECT r.doc_id, r.page_index, d.dossier_id, d.name, r.exact, r.score, p.canon,"
    " lower(p.canon), d.doc_type"
    " FROM (SELECT p.doc_id, p.page_index, p.canon_tsv @@ $11::tsquery AS exact,"
    "   ts_rank(p.fold_tsv, $10::tsquery, 1) AS score"
    "   FROM pages p JOIN documents d ON d.id = p.doc_id"
    "   JOIN dossiers s ON s.id = d.dossier_id"
    "   WHERE p.fold_tsv @@ $10::tsquery" FILTERS
    "   ORDER BY exact DESC, score DESC, p.doc_id, p.page_index"
    "   LIMIT $8::integer OFFSET $9::integer) r"
    " JOIN pages p ON p.doc_id = r.doc_id AND p.page_index = r.page_index"
    " JOIN documents d ON d.id = r.doc_id"
    " ORDER BY r.exact DESC, r.score DESC, r.doc_id, r.page_index";

/* Without words: page 0 of each document the filters keep (with its text, when it has some),
 * newest dossier first, then newest document. */
static const char SQL_LIST[] =
    "SELECT d.id, d.dossier_id, d.name, d.doc_type, p.canon"
    " FROM documents d JOIN dossiers s ON s.id = d.dossier_id"
    " LEFT JOIN pages p ON p.doc_id = d.id AND p.page_index = 0"
    " WHERE true" FILTERS " ORDER BY s.received_date DESC NULLS LAST, d.created_at DESC, d.id"
    " LIMIT $8::integer OFFSET $9::integer";

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
    size_t n = (size_t)PQntuples(r);
    for (size_t i = 0; i < q->n_terms; i++)
        folded[i] = q->terms[i].fold;
    int rc = sohoa_hits_reserve(out, n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct sohoa_hit *h = &out->v[out->n++];
        int row = (int)i;
        rc = 0;
        h->page_index = cpg_ival(r, row, 1, 0);
        h->match = cpg_bval(r, row, 4) ? SOHOA_MATCH_EXACT : SOHOA_MATCH_FOLDED;
        h->score = cpg_dval(r, row, 5, 0);
        if (cpg_dup(a, r, row, 0, &h->doc_id) || cpg_dup(a, r, row, 2, &h->dossier_id) ||
            cpg_dup(a, r, row, 3, &h->doc_name) || cpg_dup(a, r, row, 8, &h->doc_type))
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        const char *canon = cpg_val(r, row, 6) ? cpg_val(r, row, 6) : "";
        char *fold = NULL;
        if (h->match == SOHOA_MATCH_EXACT) {
            const char *lower = cpg_val(r, row, 7) ? cpg_val(r, row, 7) : "";
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

/* The hits of a search without words: SQL_LIST's rows. */
static int list_filtered(struct slot *c, const struct sohoa_search_opts *o, struct sohoa_hits *out,
                         struct sohoa_err *err)
{
    struct sohoa_arena *a = &out->arena;
    struct params p = {0};
    PGresult *r = NULL;
    filter_params(&p, o);
    int rc = cpg_run(c, SQL_LIST, &p, &r, "list documents", err);
    size_t n = rc ? 0 : (size_t)PQntuples(r);
    if (rc == 0)
        rc = sohoa_hits_reserve(out, n, err);
    for (int i = 0; rc == 0 && (size_t)i < n; i++) {
        struct sohoa_hit *h = &out->v[out->n++];
        h->match = SOHOA_MATCH_FILTER;
        if (cpg_dup(a, r, i, 0, &h->doc_id) || cpg_dup(a, r, i, 1, &h->dossier_id) ||
            cpg_dup(a, r, i, 2, &h->doc_name) || cpg_dup(a, r, i, 3, &h->doc_type))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
        else
            rc = sohoa_hit_snippet(a, cpg_val(r, i, 4), o, &h->snippet, err);
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
    char sql[4096];
    int rc = 0;

    if (q->n_terms == 0) {
        if ((rc = cpg_take(s, &c, err)) == 0)
            rc = list_filtered(c, o, out, err);
        cpg_give(s, c);
        return rc;
    }
    if (q->n_terms > SOHOA_QUERY_MAX_TERMS || build_query_sql(q->n_terms, sql, sizeof sql))
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "search query has too many terms");
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].canon);
    for (size_t i = 0; i < q->n_terms; i++)
        p_text(&p, q->terms[i].fold);
    if ((rc = cpg_take(s, &c, err)) || (rc = cpg_run(c, sql, &p, &qr, "parse query", err)))
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
    return rc;
}
