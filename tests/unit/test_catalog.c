/* test_catalog.c — the catalog contract: the conformance suite every catalog backend passes.
 *
 * Runs against SQLite (in memory, or a temporary file where a case needs two handles), or, when
 * SOHOA_TEST_CATALOG_URL holds a postgres:// URL, against that server: each case then gets a
 * schema of its own (…?options=-csearch_path=sohoa_t_PID_N, created by the backend), so cases
 * never see each other's rows. tests/integration/catalog_pg.sh starts a server and runs it so.
 *
 * A small fixture of three dossiers (two departments, dates in 2019 and 2024) whose pages hold
 * "đường", "Hoà"/"Hòa", "hoa", "hóa", "Đồng Nai", "QUYẾT ĐỊNH" and the same words reversed. Then:
 * accent-insensitive search and the exact-first ranking, phrases against bags of words, snippets
 * in canonical text, filters and paging, hostile queries, page_done idempotence and the single
 * finisher (also with 4 threads over two handles on one file), errors, show helpers, URLs and
 * reopening a file.
 *
 * By hand, not timed: SOHOA_CATALOG_PERF_PAGES=100000 ./test_catalog indexes that many synthetic
 * pages cut from ../shared/corpus/text and prints p50/p95 search latency (SOHOA_CATALOG_PERF_DIR
 * picks the directory of the database, default /tmp; with SOHOA_TEST_CATALOG_URL, on the server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/vntext.h"
#include "storage/catalog.h"
#include "tests/unit/catalog_support.h"
#include "pipeline/base/deadline.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture ------------------------------------------------------------------------------- */

static const struct fixture_page {
    int doc, index;
    const char *text;
} fixture_pages[] = {
    {1, 0, "QUYẾT ĐỊNH về việc cấp giấy phép xây dựng tại đường Hoà Bình, quận Hai Bà Trưng"},
    {1, 1, "Uỷ ban nhân dân phường Hòa Khánh"}, /* old tone placement in the source */
    {2, 0, "Bông hoa hồng nở trong vườn nhà"},
    {2, 1, "Công ty hóa chất Đồng Nai"},
    {2, 2, "Cấp phép cho đường Nguyễn Huệ theo quyết định số 15/QĐ-UBND"},
    {3, 0, "Hồ sơ lưu trữ: định quyết của hội đồng"}, /* the same words, reversed */
};

static int setup_memory(void **state)
{
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err = {0};
    char url[512];
    fresh_url(url, sizeof url, NULL);
    check(sohoa_catalog_open(url, &cat, &err), &err, "open");
    add_dossier(cat, "HS-001", "Sở Tư pháp", "2024-03-15", SOHOA_SOURCE_DESK);
    add_dossier(cat, "HS-002", "Sở Xây dựng", "2024-06-01", SOHOA_SOURCE_PORTAL);
    add_dossier(cat, "HS-003", "Sở Tư pháp", "2019-01-10", SOHOA_SOURCE_ARCHIVE);
    add_document(cat, 1, "HS-001", 2);
    add_document(cat, 2, "HS-002", 3);
    add_document(cat, 3, "HS-003", 3);
    for (size_t i = 0; i < COUNT(fixture_pages); i++)
        page_ok(cat, fixture_pages[i].doc, fixture_pages[i].index, fixture_pages[i].text);
    int remaining = 0;
    bool finish = false;
    assert_int_equal(page(cat, 3, 1, SOHOA_PAGE_BLANK, NULL, &remaining, &finish), 0);
    assert_int_equal(page(cat, 3, 2, SOHOA_PAGE_FAILED, NULL, &remaining, &finish), 0);
    *state = cat;
    return 0;
}

static int teardown_catalog(void **state)
{
    struct sohoa_catalog *cat = *state;
    sohoa_catalog_free(&cat);
    assert_null(cat);
    return 0;
}

/* Document number of a hit (its id is docid(n)). */
static int hit_doc(const struct sohoa_hit *h)
{
    return (int)strtol(h->doc_id, NULL, 16);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Hits written "E:1.0,2.2 F:2.1": per class, the pages (doc.index) in sorted order. Also checks
 * that no exact hit follows a folded one. */
static void describe(const struct sohoa_hits *hits, char *buf, size_t cap)
{
    char keys[2][64][16];
    const char *sorted[64];
    size_t n[2] = {0, 0};
    for (size_t i = 0; i < hits->n && i < 64; i++) {
        const struct sohoa_hit *h = &hits->v[i];
        if (i > 0 && h->match == SOHOA_MATCH_EXACT)
            assert_int_equal(hits->v[i - 1].match, SOHOA_MATCH_EXACT);
        snprintf(keys[h->match][n[h->match]++], 16, "%d.%d", hit_doc(h), h->page_index);
    }
    buf[0] = '\0';
    for (int c = 0; c < 2; c++) {
        if (!n[c])
            continue;
        for (size_t i = 0; i < n[c]; i++)
            sorted[i] = keys[c][i];
        qsort(sorted, n[c], sizeof *sorted, cmp_str);
        size_t len = strlen(buf);
        snprintf(buf + len, cap - len, "%s%c:", len ? " " : "", c == 0 ? 'E' : 'F');
        for (size_t i = 0; i < n[c]; i++) {
            len = strlen(buf);
            snprintf(buf + len, cap - len, "%s%s", i ? "," : "", sorted[i]);
        }
    }
}

static void expect(struct sohoa_catalog *cat, const char *query,
                   const struct sohoa_search_opts *opts, const char *want)
{
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    char got[512];
    int rc = sohoa_catalog_search(cat, query, opts, &hits, &err);
    if (rc)
        fail_msg("search \"%s\": rc %d (%s)", query, rc, err.msg);
    describe(&hits, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("search \"%s\": got \"%s\", want \"%s\"", query, got, want);
    sohoa_hits_release(&hits);
}

/* ---- search -------------------------------------------------------------------------------- */

static void test_folding_and_tones(void **state)
{
    struct sohoa_catalog *cat = *state;
    expect(cat, "duong", NULL, "F:1.0,2.2");
    expect(cat, "đường", NULL, "E:1.0,2.2");
    expect(cat, "ĐƯỜNG", NULL, "E:1.0,2.2");
    expect(cat, "Duong", NULL, "F:1.0,2.2");
    /* "hoa": the flower first, then every hoà / hóa */
    expect(cat, "hoa", NULL, "E:2.0 F:1.0,1.1,2.1");
    /* "hòa" and "hoà" are one canonical word; the source's "Hòa" was indexed as "Hoà" */
    expect(cat, "hòa", NULL, "E:1.0,1.1 F:2.0,2.1");
    expect(cat, "hoà", NULL, "E:1.0,1.1 F:2.0,2.1");
    expect(cat, "HÒA", NULL, "E:1.0,1.1 F:2.0,2.1");
    expect(cat, "hóa", NULL, "E:2.1 F:1.0,1.1,2.0");
    /* đ/Đ */
    expect(cat, "Đồng Nai", NULL, "E:2.1");
    expect(cat, "dong nai", NULL, "F:2.1");
    expect(cat, "DONG NAI", NULL, "F:2.1");
    expect(cat, "đông nai", NULL, "F:2.1"); /* wrong tone: found, but only folded */
    /* old placement in the query */
    expect(cat, "ủy ban", NULL, "E:1.1");
    expect(cat, "uy ban", NULL, "F:1.1");
    /* a term with its tones and one without: the page is exact only if both are */
    expect(cat, "đường hoa", NULL, "F:1.0");
    expect(cat, "nothing-like-this", NULL, "");
}

static void test_phrases(void **state)
{
    struct sohoa_catalog *cat = *state;
    expect(cat, "\"quyết định\"", NULL, "E:1.0,2.2");
    expect(cat, "quyết định", NULL, "E:1.0,2.2,3.0");
    expect(cat, "\"quyet dinh\"", NULL, "F:1.0,2.2");
    expect(cat, "\"định quyết\"", NULL, "E:3.0");
    expect(cat, "15/QĐ-UBND", NULL, "E:2.2");
    expect(cat, "15/qd-ubnd", NULL, "F:2.2");
    expect(cat, "\"UBND 15\"", NULL, "");
    expect(cat, "\"nhân dân phường hoà khánh\"", NULL, "E:1.1");
}

static void test_ranking(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    add_dossier(cat, "HS-004", "Sở Tài chính", "2024-07-01", SOHOA_SOURCE_DESK);
    add_document(cat, 4, "HS-004", 4);
    page_ok(cat, 4, 0, "hóa hóa hóa hóa hóa");
    page_ok(cat, 4, 1,
            "Trong văn bản dài này chỉ có một chữ hoa ở giữa rất nhiều chữ khác nhau, và nhiều "
            "chữ nữa để trang dài hơn hẳn");
    page_ok(cat, 4, 2, "thuế thuế thuế");
    page_ok(cat, 4, 3, "thuế và nhiều chữ khác trong một văn bản dài hơn nhiều so với trang kia");

    /* exact first even when a folded page scores far higher */
    struct sohoa_search_opts o = {.dossier_id = "HS-004"};
    check(sohoa_catalog_search(cat, "hoa", &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 2);
    assert_int_equal(hits.v[0].page_index, 1);
    assert_int_equal(hits.v[0].match, SOHOA_MATCH_EXACT);
    assert_int_equal(hits.v[1].page_index, 0);
    assert_int_equal(hits.v[1].match, SOHOA_MATCH_FOLDED);
    sohoa_hits_release(&hits);

    /* BM25 inside a class: more occurrences on a shorter page first */
    check(sohoa_catalog_search(cat, "thuế", &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 2);
    assert_int_equal(hits.v[0].page_index, 2);
    assert_int_equal(hits.v[1].page_index, 3);
    assert_true(hits.v[0].score > hits.v[1].score);
    assert_string_equal(hits.v[0].dossier_id, "HS-004");
    assert_string_equal(hits.v[0].doc_name, "tai-lieu-4.pdf");
    sohoa_hits_release(&hits);
}

/* The first hit's snippet for `query` restricted to `dossier`. */
static char *first_snippet(struct sohoa_catalog *cat, const char *query, const char *dossier,
                           const char *open, const char *close, int ctx)
{
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    struct sohoa_search_opts o = {
        .dossier_id = dossier, .mark_open = open, .mark_close = close, .context_words = ctx};
    check(sohoa_catalog_search(cat, query, &o, &hits, &err), &err, "search");
    assert_true(hits.n >= 1);
    char *s = strdup(hits.v[0].snippet);
    sohoa_hits_release(&hits);
    return s;
}

/* The snippet of page `index` among the hits of `query` in `dossier`, with [ ] markers. */
static void expect_snippet(struct sohoa_catalog *cat, const char *query, const char *dossier,
                           int index, enum sohoa_match match, const char *want)
{
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    struct sohoa_search_opts o = {.dossier_id = dossier, .mark_open = "[", .mark_close = "]"};
    check(sohoa_catalog_search(cat, query, &o, &hits, &err), &err, "search");
    size_t i = 0;
    while (i < hits.n && hits.v[i].page_index != index)
        i++;
    if (i == hits.n)
        fail_msg("search \"%s\": page %d not found", query, index);
    assert_int_equal(hits.v[i].match, match);
    assert_string_equal(hits.v[i].snippet, want);
    sohoa_hits_release(&hits);
}

static void test_snippets(void **state)
{
    struct sohoa_catalog *cat = *state;
    /* a folded match shows the canonical, accented word */
    char *s = first_snippet(cat, "duong", "HS-002", NULL, NULL, 0);
    assert_string_equal(s, "Cấp phép cho «đường» Nguyễn Huệ theo quyết định số 15/QĐ-UBND");
    free(s);
    s = first_snippet(cat, "hoa khanh", "HS-001", "<em>", "</em>", 0);
    assert_string_equal(s, "Uỷ ban nhân dân phường <em>Hoà</em> <em>Khánh</em>");
    free(s);
    /* a phrase is one marked span; an exact match marks only exact words */
    s = first_snippet(cat, "\"quyết định\"", "HS-001", "[", "]", 0);
    assert_non_null(strstr(s, "[QUYẾT ĐỊNH]"));
    free(s);
    add_dossier(cat, "HS-006", NULL, NULL, SOHOA_SOURCE_DESK);
    add_document(cat, 7, "HS-006", 2);
    page_ok(cat, 7, 0, "Hòa giải về hóa đơn và bông hoa");
    page_ok(cat, 7, 1, "Hòa giải về hóa đơn");
    /* exact class: only the exact words are marked; folded class: every form */
    expect_snippet(cat, "hoà", "HS-006", 0, SOHOA_MATCH_EXACT, "[Hoà] giải về hoá đơn và bông hoa");
    expect_snippet(cat, "hóa", "HS-006", 1, SOHOA_MATCH_EXACT, "Hoà giải về [hoá] đơn");
    expect_snippet(cat, "hoa", "HS-006", 0, SOHOA_MATCH_EXACT, "Hoà giải về hoá đơn và bông [hoa]");
    expect_snippet(cat, "hoa", "HS-006", 1, SOHOA_MATCH_FOLDED, "[Hoà] giải về [hoá] đơn");

    /* context: about 20 words around the first match of a long page */
    add_dossier(cat, "HS-005", "Sở Y tế", "2024-08-01", SOHOA_SOURCE_DESK);
    add_document(cat, 5, "HS-005", 1);
    char text[2048] = "";
    for (int i = 0; i < 80; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s ",
                 i == 40 ? "Điều"
                 : i % 2 ? "chữ"
                         : "khác");
    page_ok(cat, 5, 0, text);
    s = first_snippet(cat, "dieu", "HS-005", NULL, NULL, 0);
    assert_true(strncmp(s, "\xE2\x80\xA6 ", 4) == 0);
    assert_non_null(strstr(s, "«Điều»"));
    size_t words = 1;
    for (const char *p = s; *p; p++)
        words += *p == ' ';
    assert_int_equal(words, SOHOA_SNIPPET_WORDS + 1 + 2);
    free(s);
}

static void test_filters_and_paging(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_search_opts o = {.department = "Sở Tư pháp"};
    expect(cat, "quyết định", &o, "E:1.0,3.0");
    o.department = "Sở Xây dựng";
    expect(cat, "quyết định", &o, "E:2.2");
    o.department = "Sở tư pháp"; /* exact: case matters */
    expect(cat, "quyết định", &o, "");
    o = (struct sohoa_search_opts){.date_from = "2024-01-01", .date_to = "2024-12-31"};
    expect(cat, "quyết định", &o, "E:1.0,2.2");
    o = (struct sohoa_search_opts){.date_to = "2020-01-01"};
    expect(cat, "quyết định", &o, "E:3.0");
    o = (struct sohoa_search_opts){.date_from = "2024-06-01"}; /* inclusive */
    expect(cat, "quyết định", &o, "E:2.2");
    o = (struct sohoa_search_opts){.department = "Sở Tư pháp", .date_from = "2024-01-01"};
    expect(cat, "quyet dinh", &o, "F:1.0");
    o = (struct sohoa_search_opts){.dossier_id = "HS-003"};
    expect(cat, "quyết định", &o, "E:3.0");
    o = (struct sohoa_search_opts){.department = ""}; /* empty = any */
    expect(cat, "quyết định", &o, "E:1.0,2.2,3.0");

    /* paging walks the same order */
    struct sohoa_hits all, part;
    struct sohoa_err err = {0};
    check(sohoa_catalog_search(cat, "hoa", NULL, &all, &err), &err, "search");
    assert_int_equal(all.n, 4);
    for (int off = 0; off < 4; off += 2) {
        o = (struct sohoa_search_opts){.limit = 2, .offset = off};
        check(sohoa_catalog_search(cat, "hoa", &o, &part, &err), &err, "search");
        assert_int_equal(part.n, 2);
        for (size_t i = 0; i < 2; i++) {
            assert_string_equal(part.v[i].doc_id, all.v[off + i].doc_id);
            assert_int_equal(part.v[i].page_index, all.v[off + i].page_index);
        }
        sohoa_hits_release(&part);
    }
    sohoa_hits_release(&all);
    o = (struct sohoa_search_opts){.offset = 10};
    expect(cat, "hoa", &o, "");

    /* bad options */
    const struct {
        struct sohoa_search_opts o;
        int code;
    } bad[] = {
        {{.date_from = "2024-13-01"}, SOHOA_EINVAL},
        {{.date_to = "15/03/2024"}, SOHOA_EINVAL},
        {{.limit = -1}, SOHOA_EINVAL},
        {{.limit = SOHOA_SEARCH_MAX_LIMIT + 1}, SOHOA_ELIMIT},
        {{.offset = SOHOA_SEARCH_MAX_OFFSET + 1}, SOHOA_ELIMIT},
        {{.context_words = SOHOA_SNIPPET_MAX_WORDS + 1}, SOHOA_ELIMIT},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct sohoa_hits h;
        assert_int_equal(sohoa_catalog_search(cat, "hoa", &bad[i].o, &h, &err), bad[i].code);
        assert_int_equal(h.n, 0);
        assert_null(h.v);
    }
}

static void test_hostile_queries(void **state)
{
    struct sohoa_catalog *cat = *state;
    static const char *const queries[] = {
        "\"unbalanced",
        "*",
        "NEAR(",
        "NEAR(hoa đường, 2)",
        "a OR",
        "OR",
        "AND",
        "NOT hoa",
        "hoa NOT",
        "'; DROP TABLE pages; --",
        "\" OR 1=1 --",
        "(",
        ")",
        "-hoa",
        "^hoa",
        "hoa:",
        ":",
        "{canon}:hoa",
        "canon:hoa",
        "fold : duong",
        "hoa*",
        "\\",
        "%",
        "©",
        "→ hoa",
        "🙂 hoa",
        "\"\"\"",
        "'",
        "\x01hoa\x02",
        "hoa\" \"đường",
        "+hoa",
        "rank:1",
        "rowid = 1",
        "hoa; DELETE FROM dossiers",
    };
    for (size_t i = 0; i < COUNT(queries); i++) {
        struct sohoa_hits hits;
        struct sohoa_err err = {0};
        int rc = sohoa_catalog_search(cat, queries[i], NULL, &hits, &err);
        if (rc != 0 && rc != SOHOA_EINVAL)
            fail_msg("query \"%s\": rc %d (%s)", queries[i], rc, err.msg);
        if (rc)
            assert_true(err.msg[0] != '\0');
        sohoa_hits_release(&hits);
    }
    /* what some of them mean */
    expect(cat, "hoa ©", NULL, "E:2.0 F:1.0,1.1,2.1"); /* a lone symbol is ignored */
    expect(cat, "→ hoa", NULL, "E:2.0 F:1.0,1.1,2.1");
    /* FTS5 indexes emoji as words (none of these pages has it); PostgreSQL's parser drops them */
    expect(cat, "🙂 hoa", NULL, server_url() ? "E:2.0 F:1.0,1.1,2.1" : "");
    expect(cat, "\x01hoa\x02", NULL, "E:2.0 F:1.0,1.1,2.1");
    expect(cat, "NOT hoa", NULL, ""); /* "not" is a word to find, not an operator */
    expect(cat, "hoa*", NULL, "E:2.0 F:1.0,1.1,2.1");
    expect(cat, "NEAR(hoà đường, 2)", NULL, "");

    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    static const char *const empty[] = {"", "   ", "*", "\"\"", "©", "()"};
    for (size_t i = 0; i < COUNT(empty); i++) {
        assert_int_equal(sohoa_catalog_search(cat, empty[i], NULL, &hits, &err), SOHOA_EINVAL);
        assert_non_null(strstr(err.msg, "query"));
    }
    assert_int_equal(sohoa_catalog_search(cat, NULL, NULL, &hits, &err), SOHOA_EINVAL);
    /* the catalog is intact */
    expect(cat, "hoa", NULL, "E:2.0 F:1.0,1.1,2.1");
}

/* ---- page_done ----------------------------------------------------------------------------- */

static void expect_page(struct sohoa_catalog *cat, int doc, int index, int want_remaining,
                        bool want_finish)
{
    int remaining = -1;
    bool finish = !want_finish;
    char text[64];
    snprintf(text, sizeof text, "trang riêng p%dx%d", doc, index);
    assert_int_equal(page(cat, doc, index, SOHOA_PAGE_OK, text, &remaining, &finish), 0);
    assert_int_equal(remaining, want_remaining);
    assert_int_equal(finish, want_finish);
}

static void expect_status(struct sohoa_catalog *cat, int doc, enum sohoa_doc_status status,
                          int done)
{
    char id[65];
    struct sohoa_doc_progress pr;
    struct sohoa_err err = {0};
    check(sohoa_catalog_progress(cat, docid(doc, id), &pr, &err), &err, "progress");
    assert_string_equal(sohoa_doc_status_name(pr.status), sohoa_doc_status_name(status));
    assert_int_equal(pr.pages_done, done);
}

static void test_page_done_idempotent(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_err err = {0};
    char id[65];
    add_dossier(cat, "HS-010", "Sở Nội vụ", "2024-09-09", SOHOA_SOURCE_DESK);
    add_document(cat, 10, "HS-010", 3);

    expect_page(cat, 10, 0, 2, false);
    expect_page(cat, 10, 0, 2, false); /* redelivered: not counted twice */
    expect_page(cat, 10, 1, 1, false);
    expect_status(cat, 10, SOHOA_DOC_PROCESSING, 2);
    expect_page(cat, 10, 2, 0, true); /* the last page elects its caller */
    expect_status(cat, 10, SOHOA_DOC_ASSEMBLING, 3);
    expect_page(cat, 10, 2, 0, false); /* ... once */
    expect_page(cat, 10, 0, 0, false);
    expect(cat, "p10x0", NULL, "E:10.0"); /* one index row per page */

    char *text = NULL;
    check(sohoa_catalog_page_text(cat, docid(10, id), 1, &text, &err), &err, "page text");
    assert_string_equal(text, "trang riêng p10x1");
    free(text);

    check(sohoa_catalog_finish_document(cat, id, SOHOA_DOC_DONE, NULL, "records/x.json",
                                        "pdf/x.pdf", &err),
          &err, "finish");
    expect_status(cat, 10, SOHOA_DOC_DONE, 3);
    expect_page(cat, 10, 1, 0, false); /* a late redelivery changes nothing */
    expect_status(cat, 10, SOHOA_DOC_DONE, 3);

    /* a replay sets the document back to processing: one new finisher */
    add_document(cat, 10, "HS-010", 3);
    expect_page(cat, 10, 1, 0, true);
    expect_page(cat, 10, 1, 0, false);
    expect_page(cat, 10, 2, 0, false);

    /* finish keeps the keys it is not given */
    check(sohoa_catalog_finish_document(cat, id, SOHOA_DOC_PARTIAL, "page 2 unreadable", NULL, NULL,
                                        &err),
          &err, "finish");
    struct sohoa_dossier_info *info = NULL;
    check(sohoa_catalog_get_dossier(cat, "HS-010", 0, &info, &err), &err, "get");
    assert_int_equal(info->n_docs, 1);
    assert_string_equal(info->docs[0].record_key, "records/x.json");
    assert_string_equal(info->docs[0].pdf_key, "pdf/x.pdf");
    assert_string_equal(info->docs[0].doc.error, "page 2 unreadable");
    assert_int_equal(info->docs[0].doc.status, SOHOA_DOC_PARTIAL);
    assert_non_null(info->docs[0].finished_at);
    sohoa_dossier_info_free(&info);
    assert_null(info);
}

static void test_failed_retry_keeps_success(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_err err = {0};
    int remaining = 0;
    bool finish = false;
    char id[65];
    add_dossier(cat, "HS-011", NULL, NULL, SOHOA_SOURCE_PORTAL);
    add_document(cat, 11, "HS-011", 3);

    page_ok(cat, 11, 0, "alphaword");
    assert_int_equal(page(cat, 11, 0, SOHOA_PAGE_FAILED, NULL, &remaining, &finish), 0);
    expect(cat, "alphaword", NULL, "E:11.0");
    struct sohoa_doc_progress pr;
    check(sohoa_catalog_progress(cat, docid(11, id), &pr, &err), &err, "progress");
    assert_int_equal(pr.pages_failed, 0);
    assert_int_equal(pr.pages_done, 1);

    /* failed, then a retry succeeds: the success replaces it */
    assert_int_equal(page(cat, 11, 1, SOHOA_PAGE_FAILED, NULL, &remaining, &finish), 0);
    check(sohoa_catalog_progress(cat, id, &pr, &err), &err, "progress");
    assert_int_equal(pr.pages_failed, 1);
    page_ok(cat, 11, 1, "betaword");
    expect(cat, "betaword", NULL, "E:11.1");
    /* re-OCR with other text: the index row is replaced, not added */
    page_ok(cat, 11, 1, "gammaword");
    expect(cat, "betaword", NULL, "");
    expect(cat, "gammaword", NULL, "E:11.1");

    assert_int_equal(page(cat, 11, 2, SOHOA_PAGE_BLANK, NULL, &remaining, &finish), 0);
    assert_int_equal(remaining, 0);
    assert_true(finish);
    check(sohoa_catalog_progress(cat, id, &pr, &err), &err, "progress");
    assert_int_equal(pr.pages_failed, 0);
    assert_int_equal(pr.pages_blank, 1);
    assert_int_equal(pr.n_pages, 3);
    char *text = NULL;
    check(sohoa_catalog_page_text(cat, id, 2, &text, &err), &err, "page text");
    assert_string_equal(text, "");
    free(text);
}

static void test_errors(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_err err = {0};
    int remaining = 0;
    bool finish = true;
    char id[65];

    /* unknown document, page out of range */
    assert_int_equal(page(cat, 99, 0, SOHOA_PAGE_OK, "x", &remaining, &finish), SOHOA_ENOTFOUND);
    assert_false(finish);
    assert_int_equal(page(cat, 1, 2, SOHOA_PAGE_OK, "x", &remaining, &finish), SOHOA_EINVAL);
    assert_int_equal(page(cat, 1, -1, SOHOA_PAGE_OK, "x", &remaining, &finish), SOHOA_EINVAL);
    /* a page past the text limit */
    size_t big = (size_t)SOHOA_CATALOG_PAGE_TEXT_MAX + 1;
    char *huge = malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    assert_int_equal(page(cat, 1, 0, SOHOA_PAGE_OK, huge, &remaining, &finish), SOHOA_ELIMIT);
    free(huge);

    /* documents */
    struct sohoa_document d = {.dossier_id = "HS-404", .n_pages = 1};
    assert_int_equal(sohoa_catalog_upsert_document(cat, docid(50, id), &d, &err), SOHOA_ENOTFOUND);
    assert_non_null(strstr(err.msg, "HS-404"));
    d.dossier_id = "HS-001";
    char upper[65], longer[66];
    docid(0xABC, upper);
    for (char *p = upper; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 'a' + 'A' : *p);
    snprintf(longer, sizeof longer, "%s0", docid(1, id));
    const char *bad_ids[] = {"abc", upper, longer, "", NULL};
    for (size_t i = 0; i < COUNT(bad_ids); i++)
        assert_int_equal(sohoa_catalog_upsert_document(cat, bad_ids[i], &d, &err), SOHOA_EINVAL);
    d.status = SOHOA_DOC_ASSEMBLING;
    assert_int_equal(sohoa_catalog_upsert_document(cat, id, &d, &err), SOHOA_EINVAL);
    d.status = SOHOA_DOC_FAILED; /* a refused file is recorded failed straight away */
    d.error = "encrypted PDF";
    check(sohoa_catalog_upsert_document(cat, id, &d, &err), &err, "upsert failed document");
    assert_int_equal(
        sohoa_catalog_finish_document(cat, id, SOHOA_DOC_PROCESSING, NULL, NULL, NULL, &err),
        SOHOA_EINVAL);
    assert_int_equal(
        sohoa_catalog_finish_document(cat, docid(51, id), SOHOA_DOC_DONE, NULL, NULL, NULL, &err),
        SOHOA_ENOTFOUND);

    /* dossiers */
    struct sohoa_dossier ds = {.received_date = "2024-02-30"};
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "HS-020", &ds, &err), SOHOA_EINVAL);
    ds.received_date = "2023-02-29";
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "HS-020", &ds, &err), SOHOA_EINVAL);
    ds.received_date = "2024-02-29";
    check(sohoa_catalog_upsert_dossier(cat, "HS-020", &ds, &err), &err, "leap day");
    ds.meta_json = "{\"unclosed\": ";
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "HS-020", &ds, &err), SOHOA_EINVAL);
    ds.meta_json = NULL;
    ds.source = (enum sohoa_source)7;
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "HS-020", &ds, &err), SOHOA_EINVAL);
    ds.source = SOHOA_SOURCE_DESK;
    char long_id[SOHOA_CATALOG_ID_MAX + 2];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, long_id, &ds, &err), SOHOA_ELIMIT);
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "HS\n1", &ds, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_upsert_dossier(cat, "", &ds, &err), SOHOA_EINVAL);

    /* reads */
    struct sohoa_dossier_info *info = (void *)1;
    assert_int_equal(sohoa_catalog_get_dossier(cat, "HS-404", 0, &info, &err), SOHOA_ENOTFOUND);
    assert_null(info);
    struct sohoa_doc_progress pr;
    assert_int_equal(sohoa_catalog_progress(cat, docid(404, id), &pr, &err), SOHOA_ENOTFOUND);
    char *text = (void *)1;
    assert_int_equal(sohoa_catalog_page_text(cat, docid(3, id), 0, &text, &err), 0);
    free(text);
    assert_int_equal(sohoa_catalog_page_text(cat, docid(1, id), 1, &text, &err), 0);
    assert_string_equal(text, "Uỷ ban nhân dân phường Hoà Khánh"); /* canonical */
    free(text);
    assert_int_equal(sohoa_catalog_page_text(cat, docid(2, id), 5, &text, &err), SOHOA_ENOTFOUND);
    assert_null(text);
}

static void test_show(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_err err = {0};
    struct sohoa_dossier_info *info = NULL;
    char id[65];

    check(sohoa_catalog_get_dossier(cat, "HS-003", SOHOA_CATALOG_WITH_PAGES, &info, &err), &err,
          "get");
    assert_string_equal(info->id, "HS-003");
    assert_string_equal(info->dossier.department, "Sở Tư pháp");
    assert_string_equal(info->dossier.received_date, "2019-01-10");
    assert_int_equal(info->dossier.source, SOHOA_SOURCE_ARCHIVE);
    assert_string_equal(info->dossier.title, "Hồ sơ thử");
    assert_string_equal(info->dossier.meta_json, "{\"district\": \"Hải Châu\"}");
    assert_null(info->dossier.district);
    assert_non_null(info->created_at);
    assert_int_equal(info->n_docs, 1);
    const struct sohoa_document_info *di = &info->docs[0];
    assert_string_equal(di->id, docid(3, id));
    assert_string_equal(di->doc.dossier_id, "HS-003");
    assert_string_equal(di->doc.name, "tai-lieu-3.pdf");
    assert_string_equal(di->doc.format, "application/pdf");
    assert_int_equal(di->doc.size_bytes, 3000);
    assert_int_equal(di->doc.n_pages, 3);
    assert_int_equal(di->pages_done, 3);
    assert_int_equal(di->pages_failed, 1);
    assert_int_equal(di->doc.status, SOHOA_DOC_ASSEMBLING);
    assert_int_equal(di->n_pages_listed, 3);
    const enum sohoa_page_status want[] = {SOHOA_PAGE_OK, SOHOA_PAGE_BLANK, SOHOA_PAGE_FAILED};
    for (int i = 0; i < 3; i++) {
        const struct sohoa_page_info *pi = &di->pages[i];
        assert_int_equal(pi->index, i);
        assert_int_equal(pi->page.status, want[i]);
        assert_int_equal(pi->page.rotation, 90);
        assert_int_equal(pi->page.dpi, 300);
        assert_true(pi->page.mean_conf > 87 && pi->page.mean_conf < 88);
        assert_string_equal(pi->page.text_source, "ocr");
        assert_null(pi->page.text);
        assert_non_null(pi->updated_at);
    }
    assert_string_equal(di->pages[2].page.error, "OCR deadline passed");
    assert_null(di->pages[0].page.error);
    sohoa_dossier_info_free(&info);

    /* two documents, by ordinal, without pages */
    add_document(cat, 6, "HS-003", 1);
    check(sohoa_catalog_get_dossier(cat, "HS-003", 0, &info, &err), &err, "get");
    assert_int_equal(info->n_docs, 2);
    assert_int_equal(info->docs[0].doc.ordinal, 3);
    assert_int_equal(info->docs[1].doc.ordinal, 6);
    assert_int_equal(info->docs[1].pages_done, 0);
    assert_null(info->docs[0].pages);
    sohoa_dossier_info_free(&info);
    sohoa_dossier_info_free(&info);

    assert_string_equal(sohoa_match_name(SOHOA_MATCH_FOLDED), "folded");
    enum sohoa_doc_status st;
    assert_int_equal(sohoa_doc_status_parse("partial", &st), 0);
    assert_int_equal(st, SOHOA_DOC_PARTIAL);
    assert_int_equal(sohoa_doc_status_parse("PARTIAL", &st), SOHOA_EINVAL);
}

static void test_open_urls(void **state)
{
    (void)state;
    struct sohoa_catalog *cat = (void *)1;
    struct sohoa_err err = {0};
    struct tmpdir t;

    /* nothing listens on port 1: a retryable error (the server may come back) */
    assert_int_equal(sohoa_catalog_open("postgres://sohoa:secret-pw@127.0.0.1:1/sohoa", &cat, &err),
                     SOHOA_EIO);
    assert_null(cat);
    assert_true(err.retryable);
    assert_non_null(strstr(err.msg, "PostgreSQL"));
    assert_null(strstr(err.msg, "secret-pw")); /* the password is never shown */
    assert_int_equal(sohoa_catalog_open("postgresql://127.0.0.1:1/sohoa", &cat, &err), SOHOA_EIO);
    /* a URL that does not parse, or a bad setting in it, is configuration: never retryable, and
     * libpq's reason (which quotes the token, here the password) is not shown */
    assert_int_equal(sohoa_catalog_open("postgres://sohoa:pw%zz@127.0.0.1:1/sohoa", &cat, &err),
                     SOHOA_EINVAL);
    assert_false(err.retryable);
    assert_null(strstr(err.msg, "pw%zz"));
    assert_int_equal(sohoa_catalog_open("postgres://127.0.0.1:1/sohoa?nosuch=1", &cat, &err),
                     SOHOA_EINVAL);
    assert_false(err.retryable);
    assert_non_null(strstr(err.msg, "nosuch")); /* no credentials: libpq's reason is shown */
    assert_int_equal(sohoa_catalog_open("postgres://127.0.0.1:port/sohoa", &cat, &err),
                     SOHOA_EINVAL);
    assert_false(err.retryable);
    assert_null(cat);
    assert_int_equal(sohoa_catalog_open("mysql://localhost/x", &cat, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_open("", &cat, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_open("sqlite:", &cat, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_open(NULL, &cat, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_open("/nonexistent-dir/x/catalog.db", &cat, &err), SOHOA_EIO);
    assert_null(cat);

    tmpdir_make(&t);
    char path[128];
    snprintf(path, sizeof path, "%s/not-a-db", t.path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (int i = 0; i < 100; i++)
        fputs("this is no SQLite database at all. ", f);
    fclose(f);
    assert_int_equal(sohoa_catalog_open(path, &cat, &err), SOHOA_EFORMAT);
    assert_null(cat);
    tmpdir_remove(&t);

    check(sohoa_catalog_open("sqlite::memory:", &cat, &err), &err, "memory");
    sohoa_catalog_free(&cat);
    sohoa_catalog_free(&cat);
    sohoa_catalog_free(NULL);
}

static void test_schema_reopen(void **state)
{
    (void)state;
    struct sohoa_catalog *cat = NULL, *other = NULL;
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512];
    const char *bare = NULL; /* SQLite: the file's path without the scheme */
    int remaining = 0;
    bool finish = false;

    fresh_url(url, sizeof url, &t);
    if (!server_url())
        bare = url + strlen("sqlite:");
    check(sohoa_catalog_open(url, &cat, &err), &err, "create");
    add_dossier(cat, "HS-100", "Sở Tư pháp", "2024-01-02", SOHOA_SOURCE_DESK);
    add_document(cat, 100, "HS-100", 2);
    assert_int_equal(page(cat, 100, 0, SOHOA_PAGE_OK, "Đường Lê Lợi", &remaining, &finish), 0);
    assert_int_equal(remaining, 1);
    sohoa_catalog_free(&cat);

    /* reopened (SQLite: by bare path): nothing lost, nothing migrated twice, counting goes on */
    check(sohoa_catalog_open(bare ? bare : url, &cat, &err), &err, "reopen");
    check(sohoa_catalog_open(url, &other, &err), &err, "second handle");
    expect(cat, "duong le loi", NULL, "F:100.0");
    expect(other, "Đường", NULL, "E:100.0");
    assert_int_equal(page(other, 100, 1, SOHOA_PAGE_OK, "Hết", &remaining, &finish), 0);
    assert_int_equal(remaining, 0);
    assert_true(finish);
    expect_status(cat, 100, SOHOA_DOC_ASSEMBLING, 2); /* the other handle's write is visible */
    sohoa_catalog_free(&other);
    sohoa_catalog_free(&cat);
    check(sohoa_catalog_open(url, &cat, &err), &err, "third open");
    expect(cat, "het", NULL, "F:100.1");
    sohoa_catalog_free(&cat);
    fresh_done(&t);
}

/* ---- concurrency --------------------------------------------------------------------------- */

#define CONC_PAGES   200
#define CONC_WORKERS 4

struct worker {
    struct sohoa_catalog *cat;
    int id;
    int finishes;       /* calls that got you_finish */
    int finish_remains; /* remaining seen by the finisher */
    int failures;
    int retries; /* retryable errors met (and retried) */
    char msg[SOHOA_ERR_MSG_MAX];
};

/* A retryable error (a lock held past SOHOA_CATALOG_BUSY_MS by a stalled disk) is what the
 * runtime answers with a redelivery: so does this worker, a bounded number of times. */
#define CONC_RETRIES 5

static void *worker_run(void *arg)
{
    struct worker *w = arg;
    char id[65], text[96];
    docid(200, id);
    for (int i = w->id; i < CONC_PAGES; i += CONC_WORKERS) {
        /* its own page, and every fifth time someone else's again (a redelivery) */
        int pages[2] = {i, (i + 2) % CONC_PAGES};
        for (int k = 0; k < (i % 5 == 0 ? 2 : 1); k++) {
            struct sohoa_err err = {0};
            int remaining = -1, rc = 0;
            bool finish = false;
            snprintf(text, sizeof text, "trang %d của hồ sơ đường Hoà Bình", pages[k]);
            struct sohoa_page p = {.status = SOHOA_PAGE_OK, .text = text, .mean_conf = -1};
            for (int attempt = 0; attempt <= CONC_RETRIES; attempt++) {
                rc = sohoa_catalog_page_done(w->cat, id, pages[k], &p, &remaining, &finish, &err);
                if (rc == 0 || !err.retryable)
                    break;
                w->retries++;
            }
            if (rc) {
                w->failures++;
                snprintf(w->msg, sizeof w->msg, "%s", err.msg);
                continue;
            }
            if (finish) {
                w->finishes++;
                w->finish_remains = remaining;
            }
        }
    }
    return NULL;
}

struct searcher {
    struct sohoa_catalog *cat;
    atomic_int stop;
    int searches, failures, retryable;
    char msg[SOHOA_ERR_MSG_MAX];
};

static void *searcher_run(void *arg)
{
    struct searcher *s = arg;
    while (!atomic_load(&s->stop)) {
        struct sohoa_hits hits;
        struct sohoa_err err = {0};
        if (sohoa_catalog_search(s->cat, "hoa binh", NULL, &hits, &err)) {
            if (err.retryable)
                s->retryable++;
            else
                s->failures++;
            snprintf(s->msg, sizeof s->msg, "%s", err.msg);
        }
        sohoa_hits_release(&hits);
        s->searches++;
    }
    return NULL;
}

static void test_concurrent_fan_in(void **state)
{
    (void)state;
    struct sohoa_catalog *cats[2] = {NULL, NULL};
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512], id[65];

    fresh_url(url, sizeof url, &t);
    for (int i = 0; i < 2; i++) /* two handles: like two processes on one catalog */
        check(sohoa_catalog_open(url, &cats[i], &err), &err, "open");
    add_dossier(cats[0], "HS-200", "Sở Tư pháp", "2024-05-05", SOHOA_SOURCE_ARCHIVE);
    add_document(cats[0], 200, "HS-200", CONC_PAGES);

    pthread_t threads[CONC_WORKERS], search_thread;
    struct worker workers[CONC_WORKERS];
    struct searcher searcher = {.cat = cats[1]};
    assert_int_equal(pthread_create(&search_thread, NULL, searcher_run, &searcher), 0);
    for (int i = 0; i < CONC_WORKERS; i++) {
        workers[i] = (struct worker){.cat = cats[i % 2], .id = i};
        assert_int_equal(pthread_create(&threads[i], NULL, worker_run, &workers[i]), 0);
    }
    int finishes = 0, retries = 0;
    for (int i = 0; i < CONC_WORKERS; i++) {
        pthread_join(threads[i], NULL);
        if (workers[i].failures)
            fail_msg("worker %d: %d failures, last: %s", i, workers[i].failures, workers[i].msg);
        finishes += workers[i].finishes;
        retries += workers[i].retries;
        if (workers[i].finishes)
            assert_int_equal(workers[i].finish_remains, 0);
    }
    atomic_store(&searcher.stop, 1);
    pthread_join(search_thread, NULL);
    if (searcher.failures)
        fail_msg("searcher: %d failures, last: %s", searcher.failures, searcher.msg);
    assert_true(searcher.searches > 0);
    assert_int_equal(finishes, 1);

    struct sohoa_doc_progress pr;
    check(sohoa_catalog_progress(cats[1], docid(200, id), &pr, &err), &err, "progress");
    assert_int_equal(pr.pages_done, CONC_PAGES);
    assert_int_equal(pr.status, SOHOA_DOC_ASSEMBLING);
    struct sohoa_search_opts o = {.limit = SOHOA_SEARCH_MAX_LIMIT};
    struct sohoa_hits hits;
    check(sohoa_catalog_search(cats[0], "đường hoà bình", &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, CONC_PAGES); /* one index row per page, redeliveries or not */
    sohoa_hits_release(&hits);
    print_message("  %d searches ran alongside the writers; %d writes and %d searches met a "
                  "retryable error%s%s\n",
                  searcher.searches, retries, searcher.retryable, searcher.retryable ? ": " : "",
                  searcher.retryable ? searcher.msg : "");
    for (int i = 0; i < 2; i++)
        sohoa_catalog_free(&cats[i]);
    fresh_done(&t);
}

/* ---- performance, by hand ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* All words (white-space separated) of the corpus texts, in order. */
struct words {
    char *buf;
    char **v;
    size_t n;
};

static void words_add_file(struct words *w, const char *path, size_t *cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *raw = malloc((size_t)size + 1);
    size_t got = fread(raw, 1, (size_t)size, f);
    fclose(f);
    char *canon = NULL;
    assert_int_equal(vn_normalize(raw, got, &canon, NULL), 0);
    free(raw);
    for (char *tok = strtok(canon, " \t\r\n"); tok; tok = strtok(NULL, " \t\r\n")) {
        if (strlen(tok) > 60) /* URLs and the like: keeps page buffers bounded */
            continue;
        if (w->n == *cap) {
            *cap = *cap ? *cap * 2 : 65536;
            w->v = realloc(w->v, *cap * sizeof *w->v);
        }
        w->v[w->n++] = strdup(tok);
    }
    free(canon);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void test_perf(void **state)
{
    (void)state;
    /* a small run always (its checks hold at any size); the figures of the notes come from
     * SOHOA_CATALOG_PERF_PAGES=100000 */
    const char *env = getenv("SOHOA_CATALOG_PERF_PAGES");
    int n_pages = env ? atoi(env) : 500;
    const char *dir = getenv("SOHOA_CATALOG_PERF_DIR") ? getenv("SOHOA_CATALOG_PERF_DIR") : "/tmp";
    static const char *const files[] = {
        "wiki_vi/_seed_articles/việt_nam.txt",
        "wiki_vi/_seed_articles/hà_nội.txt",
        "wiki_vi/_seed_articles/huế.txt",
        "wiki_vi/_seed_articles/đà_nẵng.txt",
        "wiki_vi/_seed_articles/thành_phố_hồ_chí_minh.txt",
        "udhr_vi/udhr_vi.txt",
        "wikisource_vi/tua_truyen_kieu.txt",
        "tatoeba_vi/vie_sentences_sample_3k.tsv",
    };
    struct words w = {0};
    size_t cap = 0;
    char path[512];
    for (size_t i = 0; i < COUNT(files); i++) {
        snprintf(path, sizeof path, "%s/text/%s", SOHOA_CORPUS_DIR, files[i]);
        words_add_file(&w, path, &cap);
    }
    assert_true(w.n > 10000);

    static const char *const departments[] = {"Sở Tư pháp",
                                              "Sở Xây dựng",
                                              "Sở Tài chính",
                                              "Sở Y tế",
                                              "Sở Nội vụ",
                                              "Sở Giáo dục và Đào tạo",
                                              "Sở Tài nguyên và Môi trường",
                                              "Công an tỉnh"};
    snprintf(path, sizeof path, "%s/sohoa-perf-%d.db", dir, (int)getpid());
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err = {0};
    char url[512];
    fresh_url(url, sizeof url, NULL); /* the server's fresh schema, when there is a server */
    check(sohoa_catalog_open(server_url() ? url : path, &cat, &err), &err, "open");

    const int per_doc = 10, docs_per_dossier = 10, words_per_page = 250;
    char *text = malloc((size_t)words_per_page * 64);
    double t0 = sohoa_now_ms();
    for (int p = 0; p < n_pages; p++) {
        int doc = p / per_doc + 1, dossier = (doc - 1) / docs_per_dossier;
        char dossier_id[32];
        snprintf(dossier_id, sizeof dossier_id, "HS-%06d", dossier);
        if (p % (per_doc * docs_per_dossier) == 0) {
            char date[16];
            snprintf(date, sizeof date, "%04d-%02d-%02d", 2015 + (int)(rng() % 11),
                     1 + (int)(rng() % 12), 1 + (int)(rng() % 28));
            add_dossier(cat, dossier_id, departments[rng() % COUNT(departments)], date,
                        SOHOA_SOURCE_ARCHIVE);
        }
        if (p % per_doc == 0)
            add_document(cat, doc, dossier_id, per_doc);
        size_t start = rng() % (w.n - words_per_page), len = 0;
        for (int k = 0; k < words_per_page; k++)
            len += (size_t)sprintf(text + len, "%s%s", k ? " " : "", w.v[start + k]);
        page_ok(cat, doc, p % per_doc, text);
    }
    double t_index = sohoa_now_ms() - t0;
    free(text);

    /* queries: words, folded words, phrases, pairs, filtered; plus the commonest words */
    enum { NQ = 400 };
    char queries[NQ][160];
    int filtered[NQ];
    for (int q = 0; q < NQ; q++) {
        size_t i = rng() % (w.n - 2);
        char *f1 = NULL;
        filtered[q] = q % 5 == 4;
        switch (q % 5) {
        case 0:
            snprintf(queries[q], sizeof queries[q], "%s", w.v[i]);
            break;
        case 1:
            assert_int_equal(vn_fold(w.v[i], &f1, NULL), 0);
            snprintf(queries[q], sizeof queries[q], "%s", f1);
            break;
        case 2:
            snprintf(queries[q], sizeof queries[q], "\"%s %s\"", w.v[i], w.v[i + 1]);
            break;
        default:
            snprintf(queries[q], sizeof queries[q], "%s %s", w.v[i], w.v[i + 7]);
            break;
        }
        free(f1);
    }
    double lat[NQ], total_hits = 0;
    int n_ok = 0;
    for (int q = 0; q < NQ; q++) {
        struct sohoa_hits hits;
        struct sohoa_search_opts o = {.department = filtered[q] ? departments[q % 8] : NULL};
        double s = sohoa_now_ms();
        int rc = sohoa_catalog_search(cat, queries[q], &o, &hits, &err);
        lat[n_ok] = sohoa_now_ms() - s;
        if (rc == 0) {
            n_ok++;
            total_hits += (double)hits.n;
        } else {
            assert_int_equal(rc, SOHOA_EINVAL); /* a "word" of punctuation only */
        }
        sohoa_hits_release(&hits);
    }
    qsort(lat, (size_t)n_ok, sizeof *lat, cmp_double);
    static const char *const common[] = {"của",   "và",           "người",
                                         "nguoi", "\"việt nam\"", "thành phố"};
    double common_ms[COUNT(common)];
    for (size_t i = 0; i < COUNT(common); i++) {
        struct sohoa_hits hits;
        double s = sohoa_now_ms();
        check(sohoa_catalog_search(cat, common[i], NULL, &hits, &err), &err, "common");
        common_ms[i] = sohoa_now_ms() - s;
        sohoa_hits_release(&hits);
    }
    print_message("  indexed %d pages (%d words each) in %.1f s: %.0f pages/s\n", n_pages,
                  words_per_page, t_index / 1e3, n_pages / (t_index / 1e3));
    print_message("  %d queries, %.1f hits each: p50 %.2f ms, p95 %.2f ms, max %.2f ms\n", n_ok,
                  total_hits / n_ok, lat[n_ok / 2], lat[n_ok * 95 / 100], lat[n_ok - 1]);
    for (size_t i = 0; i < COUNT(common); i++)
        print_message("  common \"%s\": %.2f ms\n", common[i], common_ms[i]);
    sohoa_catalog_free(&cat);
    if (server_url()) {
        /* the schema stays on the test server */
    } else if (!getenv("SOHOA_CATALOG_PERF_KEEP")) {
        unlink(path);
        char side[600];
        snprintf(side, sizeof side, "%s-wal", path);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", path);
        unlink(side);
    } else {
        print_message("  kept %s\n", path);
    }
    for (size_t i = 0; i < w.n; i++)
        free(w.v[i]);
    free(w.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_folding_and_tones, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_phrases, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_ranking, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_snippets, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_filters_and_paging, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_hostile_queries, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_page_done_idempotent, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_failed_retry_keeps_success, setup_memory,
                                        teardown_catalog),
        cmocka_unit_test_setup_teardown(test_errors, setup_memory, teardown_catalog),
        cmocka_unit_test_setup_teardown(test_show, setup_memory, teardown_catalog),
        cmocka_unit_test(test_open_urls),
        cmocka_unit_test(test_schema_reopen),
        cmocka_unit_test(test_concurrent_fan_in),
        cmocka_unit_test(test_perf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
