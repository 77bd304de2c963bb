/* test_catalog_fields.c — the catalog contract for extracted fields, on every backend.
 *
 * Runs against SQLite, or against the server of SOHOA_TEST_CATALOG_URL (catalog_support.h). A
 * fixture of three dossiers and four documents (two chip ID cards, an application form, one
 * document without fields) whose fields hold "NGUYỄN VĂN AN" and "001099012345". Then:
 * put / replace / clear and redelivery (same set twice, and concurrently from two handles), the
 * fields and type shown by get_dossier, filters by name with and without diacritics, case and
 * spacing, by id number, by type, combined with words, with an empty query, unknown fields,
 * paging, refused names and values; and a catalog written by the version-1 schema (the committed
 * schema SQL, before fields existed) migrating in place when opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/catalog.h"
#include "storage/catalog_pg_schema.h"
#include "storage/catalog_sqlite_schema.h"
#include "tests/unit/catalog_support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- fixture ------------------------------------------------------------------------------- */

static const struct sohoa_field_row card_an[] = {
    {"id_number", "001099012345", "0010 9901 2345", 0.97, 1, "qr"},
    {"full_name", "NGUYỄN VĂN AN", "NGUYEN VAN AN", 0.91, 1, "ocr"},
    {"date_of_birth", "1999-01-02", "02/01/1999", -1, 1, "ocr"},
};
static const struct sohoa_field_row form_an[] = {
    {"applicant_name", "Nguyễn  Văn An", NULL, 0.8, 1, "ocr"},
    {"id_number", "001099012345", NULL, 0.88, 2, "ocr"},
};
static const struct sohoa_field_row card_binh[] = {
    {"id_number", "079200001111", NULL, 0.99, 1, "qr"},
    {"full_name", "TRẦN THỊ BÌNH", NULL, 0.95, 1, "qr"},
};

static void put(struct sohoa_catalog *cat, int doc, const char *type,
                const struct sohoa_field_row *rows, size_t n)
{
    struct sohoa_err err = {0};
    char id[65];
    check(sohoa_catalog_put_fields(cat, docid(doc, id), type, rows, n, &err), &err, "put fields");
}

static int setup(void **state)
{
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err = {0};
    char url[512];
    fresh_url(url, sizeof url, NULL);
    check(sohoa_catalog_open(url, &cat, &err), &err, "open");
    add_dossier(cat, "HS-F1", "Sở Tư pháp", "2024-03-01", SOHOA_SOURCE_PORTAL);
    add_dossier(cat, "HS-F2", "Sở Xây dựng", "2024-05-01", SOHOA_SOURCE_DESK);
    add_dossier(cat, "HS-F3", "Sở Tư pháp", "2019-01-01", SOHOA_SOURCE_ARCHIVE);
    add_document(cat, 11, "HS-F1", 1);
    add_document(cat, 12, "HS-F2", 2);
    add_document(cat, 13, "HS-F3", 1); /* no page recorded yet */
    add_document(cat, 14, "HS-F2", 1);
    page_ok(cat, 11, 0, "CĂN CƯỚC CÔNG DÂN Họ và tên NGUYỄN VĂN AN Số 001099012345");
    page_ok(cat, 12, 0, "ĐƠN ĐỀ NGHỊ cấp giấy phép xây dựng của ông Nguyễn Văn An");
    page_ok(cat, 12, 1, "Trang hai: cam đoan của người làm đơn");
    page_ok(cat, 14, 0, "Đơn đề nghị không có trường nào");
    put(cat, 11, "cccd_front", card_an, COUNT(card_an));
    put(cat, 12, "application_form", form_an, COUNT(form_an));
    put(cat, 13, "cccd_front", card_binh, COUNT(card_binh));
    *state = cat;
    return 0;
}

static int teardown(void **state)
{
    struct sohoa_catalog *cat = *state;
    sohoa_catalog_free(&cat);
    return 0;
}

/* Hits written "11.0f 12.1e": document number, page, and the class (e exact, f folded,
 * - filter), in the order returned. */
static void expect_hits(struct sohoa_catalog *cat, const char *query,
                        const struct sohoa_search_opts *o, const char *want)
{
    struct sohoa_hits hits;
    struct sohoa_err err = {0};
    char got[512] = "";
    int rc = sohoa_catalog_search(cat, query, o, &hits, &err);
    if (rc)
        fail_msg("search \"%s\" (field %s): rc %d (%s)", query ? query : "(null)",
                 o && o->field ? o->field : "-", rc, err.msg);
    for (size_t i = 0; i < hits.n; i++) {
        const struct sohoa_hit *h = &hits.v[i];
        size_t len = strlen(got);
        snprintf(got + len, sizeof got - len, "%s%d.%d%c", i ? " " : "",
                 (int)strtol(h->doc_id, NULL, 16), h->page_index,
                 h->match == SOHOA_MATCH_EXACT    ? 'e'
                 : h->match == SOHOA_MATCH_FOLDED ? 'f'
                                                  : '-');
    }
    if (strcmp(got, want) != 0)
        fail_msg("search \"%s\" (field %s = %s, type %s): got \"%s\", want \"%s\"",
                 query ? query : "(null)", o && o->field ? o->field : "-",
                 o && o->field_value ? o->field_value : "-", o && o->doc_type ? o->doc_type : "-",
                 got, want);
    sohoa_hits_release(&hits);
}

/* The fields of document `doc` as "name=value;..." and its type. */
static void fields_of(struct sohoa_catalog *cat, const char *dossier, int doc, char *buf,
                      size_t cap, char *type, size_t type_cap)
{
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_err err = {0};
    char id[65];
    check(sohoa_catalog_get_dossier(cat, dossier, 0, &info, &err), &err, "get dossier");
    buf[0] = type[0] = '\0';
    for (size_t i = 0; i < info->n_docs; i++) {
        const struct sohoa_document_info *di = &info->docs[i];
        if (strcmp(di->id, docid(doc, id)) != 0)
            continue;
        snprintf(type, type_cap, "%s", di->doc_type ? di->doc_type : "(null)");
        for (size_t k = 0; k < di->n_fields; k++) {
            size_t len = strlen(buf);
            snprintf(buf + len, cap - len, "%s=%s;", di->fields[k].name, di->fields[k].value);
        }
    }
    sohoa_dossier_info_free(&info);
}

/* ---- writing and showing ------------------------------------------------------------------- */

static void test_put_and_show(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_err err = {0};
    char buf[512], type[64];

    check(sohoa_catalog_get_dossier(cat, "HS-F1", 0, &info, &err), &err, "get");
    assert_int_equal(info->n_docs, 1);
    const struct sohoa_document_info *di = &info->docs[0];
    assert_string_equal(di->doc_type, "cccd_front");
    assert_int_equal(di->n_fields, 3);
    for (size_t i = 0; i < 3; i++) { /* in the order given, every member kept */
        const struct sohoa_field_row *f = &di->fields[i];
        assert_string_equal(f->name, card_an[i].name);
        assert_string_equal(f->value, card_an[i].value);
        assert_string_equal(f->raw, card_an[i].raw);
        assert_int_equal(f->page, 1);
        assert_string_equal(f->source, card_an[i].source);
    }
    assert_true(di->fields[0].confidence > 0.969 && di->fields[0].confidence < 0.971);
    assert_true(di->fields[2].confidence < 0); /* unknown stays unknown */
    sohoa_dossier_info_free(&info);

    /* stored canonical: the old tone placement and decomposed input come back NFC, new style */
    const struct sohoa_field_row odd[] = {{"place_of_origin",
                                           "Thanh Ho\xcc\x81"
                                           "a",
                                           " x ", 0.5, 1,
                                           NULL}}; /* "Thanh Hóa" with a combining acute */
    put(cat, 14, NULL, odd, 1);
    fields_of(cat, "HS-F2", 14, buf, sizeof buf, type, sizeof type);
    assert_string_equal(buf, "place_of_origin=Thanh Hoá;");
    assert_string_equal(type, "(null)");

    /* replace: exactly the new set; redelivery of the same set changes nothing */
    put(cat, 12, "application_form", form_an, 1);
    put(cat, 12, "application_form", form_an, 1);
    fields_of(cat, "HS-F2", 12, buf, sizeof buf, type, sizeof type);
    assert_string_equal(buf, "applicant_name=Nguyễn  Văn An;");
    assert_string_equal(type, "application_form");
    struct sohoa_search_opts o = {.field = "id_number", .field_value = "001099012345"};
    expect_hits(cat, NULL, &o, "11.0-"); /* the form's id_number went with the replacement */
    put(cat, 12, "application_form", form_an, COUNT(form_an));
    put(cat, 12, "application_form", form_an, COUNT(form_an));
    expect_hits(cat, NULL, &o, "12.0- 11.0-");

    /* a replayed document (upsert again) keeps its type and fields until they are put again */
    add_document(cat, 12, "HS-F2", 2);
    fields_of(cat, "HS-F2", 12, buf, sizeof buf, type, sizeof type);
    assert_string_equal(buf, "applicant_name=Nguyễn  Văn An;id_number=001099012345;");

    /* clearing */
    put(cat, 12, "unknown", NULL, 0);
    fields_of(cat, "HS-F2", 12, buf, sizeof buf, type, sizeof type);
    assert_string_equal(buf, "");
    assert_string_equal(type, "unknown");
    expect_hits(cat, NULL, &o, "11.0-");
}

/* ---- filters ------------------------------------------------------------------------------- */

static void test_filter_by_value(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_search_opts o = {.field = "full_name"};

    /* with and without diacritics, any case, any spacing */
    const char *names[] = {"NGUYỄN VĂN AN", "nguyen van an", "Nguyễn Văn An", "  nguyễn   van\tAN ",
                           "NGUYEN VAN AN"};
    for (size_t i = 0; i < COUNT(names); i++) {
        o.field_value = names[i];
        expect_hits(cat, NULL, &o, "11.0-");
        expect_hits(cat, "", &o, "11.0-");
        expect_hits(cat, "   ", &o, "11.0-");
    }
    o.field_value = "nguyen van a"; /* a whole value, not a prefix */
    expect_hits(cat, NULL, &o, "");
    o.field_value = "nguyen van an binh";
    expect_hits(cat, NULL, &o, "");
    o.field = "applicant_name"; /* the same person under another field name */
    o.field_value = "nguyen van an";
    expect_hits(cat, NULL, &o, "12.0-");

    /* id number: newest dossier first (HS-F2 2024-05 before HS-F1 2024-03) */
    o.field = "id_number";
    o.field_value = "001099012345";
    expect_hits(cat, NULL, &o, "12.0- 11.0-");
    o.field_value = "079200001111";
    expect_hits(cat, NULL, &o, "13.0-"); /* no page recorded: still listed, page 0 */
    o.field_value = "001099012346";
    expect_hits(cat, NULL, &o, "");

    /* unknown field, and a field alone (any value) */
    o.field = "passport_number";
    o.field_value = "001099012345";
    expect_hits(cat, NULL, &o, "");
    o.field_value = NULL;
    expect_hits(cat, NULL, &o, "");
    o.field = "full_name";
    expect_hits(cat, NULL, &o, "11.0- 13.0-");

    /* by type alone and with a field */
    struct sohoa_search_opts t = {.doc_type = "cccd_front"};
    expect_hits(cat, NULL, &t, "11.0- 13.0-");
    t.field = "id_number";
    t.field_value = "001099012345";
    expect_hits(cat, NULL, &t, "11.0-");
    t.doc_type = "birth_certificate";
    expect_hits(cat, NULL, &t, "");

    /* with the dossier filters too, and paging */
    struct sohoa_search_opts d = {
        .field = "id_number", .field_value = "001099012345", .department = "Sở Tư pháp"};
    expect_hits(cat, NULL, &d, "11.0-");
    d.department = NULL;
    d.date_to = "2024-04-01";
    expect_hits(cat, NULL, &d, "11.0-");
    d.date_to = NULL;
    d.dossier_id = "HS-F2";
    expect_hits(cat, NULL, &d, "12.0-");
    d.dossier_id = NULL;
    d.limit = 1;
    expect_hits(cat, NULL, &d, "12.0-");
    d.offset = 1;
    expect_hits(cat, NULL, &d, "11.0-");
    d.offset = 2;
    expect_hits(cat, NULL, &d, "");
}

static void test_filter_with_words(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_search_opts o = {.field = "id_number", .field_value = "001099012345"};
    struct sohoa_hits hits;
    struct sohoa_err err = {0};

    /* both apply: the words pick pages, the field picks documents */
    expect_hits(cat, "đơn đề nghị", &o, "12.0e"); /* doc 14 has the words, not the field */
    expect_hits(cat, "don de nghi", &o, "12.0f");
    expect_hits(cat, "trang hai", &o, "12.1e");
    expect_hits(cat, "cam doan", &o, "12.1f");
    expect_hits(cat, "nguyễn văn an", &o, "11.0e 12.0e");
    expect_hits(cat, "giấy khai sinh", &o, "");
    expect_hits(cat, "đơn đề nghị", NULL, "14.0e 12.0e"); /* the shorter page first */
    struct sohoa_search_opts t = {.doc_type = "application_form"};
    expect_hits(cat, "nguyen van an", &t, "12.0f");

    /* hits carry the document's type, and filter hits a snippet of page 0 */
    check(sohoa_catalog_search(cat, "cam đoan", &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_string_equal(hits.v[0].doc_type, "application_form");
    assert_non_null(strstr(hits.v[0].snippet, "«đoan»"));
    sohoa_hits_release(&hits);
    o.field_value = "079200001111";
    o.field = "id_number";
    check(sohoa_catalog_search(cat, NULL, &o, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_string_equal(hits.v[0].snippet, ""); /* page 0 has no record */
    assert_string_equal(hits.v[0].dossier_id, "HS-F3");
    assert_string_equal(sohoa_match_name(hits.v[0].match), "filter");
    sohoa_hits_release(&hits);
    struct sohoa_search_opts n = {
        .field = "full_name", .field_value = "nguyen van an", .context_words = 3};
    check(sohoa_catalog_search(cat, NULL, &n, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_string_equal(hits.v[0].doc_type, "cccd_front");
    assert_string_equal(hits.v[0].doc_name, "tai-lieu-11.pdf");
    assert_non_null(strstr(hits.v[0].snippet, "CĂN CƯỚC"));
    assert_null(strchr(hits.v[0].snippet, '\x01'));
    sohoa_hits_release(&hits);

    /* a document without a type: NULL in hits */
    check(sohoa_catalog_search(cat, "trường", NULL, &hits, &err), &err, "search");
    assert_int_equal(hits.n, 1);
    assert_null(hits.v[0].doc_type);
    sohoa_hits_release(&hits);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void test_refused(void **state)
{
    struct sohoa_catalog *cat = *state;
    struct sohoa_err err = {0};
    char id[65], big[SOHOA_CATALOG_FIELD_VALUE_MAX + 2], buf[512], type[64];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    static struct sohoa_field_row many[SOHOA_CATALOG_FIELDS_MAX + 1];

    const struct {
        struct sohoa_field_row row;
        int code;
    } bad[] = {
        {{"Full_Name", "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"full-name", "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"tên", "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"full name", "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"", "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{NULL, "A", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"a_name_that_is_far_too_long_to_be_a_field_name_x", "A", NULL, 1, 1, NULL}, SOHOA_ELIMIT},
        {{"full_name", "", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"full_name", NULL, NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"full_name", " \t\n", NULL, 1, 1, NULL}, SOHOA_EINVAL},
        {{"full_name", big, NULL, 1, 1, NULL}, SOHOA_ELIMIT},
        {{"full_name", "A", big, 1, 1, NULL}, SOHOA_ELIMIT},
        {{"full_name", "A", NULL, 1.5, 1, NULL}, SOHOA_EINVAL},
        {{"full_name", "A", NULL, 1, -1, NULL}, SOHOA_EINVAL},
        {{"full_name", "A", NULL, 1, 1, "OCR"}, SOHOA_EINVAL},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        /* a good row first: nothing of the set is stored when one row is refused */
        const struct sohoa_field_row rows[] = {{"id_number", "1", NULL, 1, 1, NULL}, bad[i].row};
        int rc = sohoa_catalog_put_fields(cat, docid(11, id), "cccd_front", rows, 2, &err);
        if (rc != bad[i].code)
            fail_msg("bad row %zu: rc %d, want %d (%s)", i, rc, bad[i].code, err.msg);
    }
    const struct sohoa_field_row twice[] = {{"id_number", "1", NULL, 1, 1, NULL},
                                            {"id_number", "2", NULL, 1, 1, NULL}};
    assert_int_equal(sohoa_catalog_put_fields(cat, docid(11, id), NULL, twice, 2, &err),
                     SOHOA_EINVAL);
    for (size_t i = 0; i < COUNT(many); i++)
        many[i] = (struct sohoa_field_row){"id_number", "1", NULL, 1, 1, NULL};
    assert_int_equal(sohoa_catalog_put_fields(cat, docid(11, id), NULL, many, COUNT(many), &err),
                     SOHOA_ELIMIT);
    assert_int_equal(sohoa_catalog_put_fields(cat, docid(11, id), "CCCD", card_an, 1, &err),
                     SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_put_fields(cat, docid(11, id), NULL, NULL, 1, &err),
                     SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_put_fields(cat, "not-a-doc-id", NULL, card_an, 1, &err),
                     SOHOA_EINVAL);
    assert_int_equal(sohoa_catalog_put_fields(cat, docid(99, id), NULL, card_an, 1, &err),
                     SOHOA_ENOTFOUND);
    fields_of(cat, "HS-F1", 11, buf, sizeof buf, type, sizeof type); /* untouched */
    assert_string_equal(buf, "id_number=001099012345;full_name=NGUYỄN VĂN AN;"
                             "date_of_birth=1999-01-02;");
    assert_string_equal(type, "cccd_front");

    /* search options */
    struct sohoa_hits hits;
    const struct {
        const char *query;
        struct sohoa_search_opts o;
        int code;
    } sbad[] = {
        {NULL, {.field_value = "001099012345"}, SOHOA_EINVAL}, /* a value needs a field */
        {NULL, {.field = "Full Name", .field_value = "a"}, SOHOA_EINVAL},
        {NULL, {.field = "full_name", .field_value = " "}, SOHOA_EINVAL},
        {NULL, {.field = "full_name", .field_value = big}, SOHOA_ELIMIT},
        {NULL, {.doc_type = "cccd-front"}, SOHOA_EINVAL},
        {NULL, {.department = "Sở Tư pháp"}, SOHOA_EINVAL}, /* no words and no field */
        {"", {.field = ""}, SOHOA_EINVAL},
        {"*", {.field = "full_name"}, SOHOA_EINVAL}, /* words given, none to look for */
    };
    for (size_t i = 0; i < COUNT(sbad); i++) {
        int rc = sohoa_catalog_search(cat, sbad[i].query, &sbad[i].o, &hits, &err);
        if (rc != sbad[i].code)
            fail_msg("bad search %zu: rc %d, want %d (%s)", i, rc, sbad[i].code, err.msg);
        assert_int_equal(hits.n, 0);
    }
}

/* ---- concurrent redelivery ----------------------------------------------------------------- */

#define REDELIVERIES 25

struct putter {
    struct sohoa_catalog *cat;
    int failures;
    char msg[SOHOA_ERR_MSG_MAX];
};

/* Redeliveries of one document job: the same set, over and over, from several threads. A
 * retryable error (a busy lock) is what a queue answers with a redelivery: retried. */
static void *putter_run(void *arg)
{
    struct putter *p = arg;
    char id[65];
    for (int i = 0; i < REDELIVERIES; i++) {
        for (int attempt = 0; attempt < 50; attempt++) {
            struct sohoa_err err = {0};
            int rc = sohoa_catalog_put_fields(p->cat, docid(21, id), "cccd_front", card_an,
                                              COUNT(card_an), &err);
            if (rc == 0)
                break;
            snprintf(p->msg, sizeof p->msg, "%s", err.msg);
            if (!err.retryable || attempt == 49) {
                p->failures++;
                break;
            }
        }
    }
    return NULL;
}

static void test_concurrent_redelivery(void **state)
{
    (void)state;
    struct sohoa_catalog *cats[2] = {NULL, NULL};
    struct sohoa_err err = {0};
    struct putter w[4];
    pthread_t th[4];
    struct tmpdir t;
    char url[512], buf[512], type[64];

    fresh_url(url, sizeof url, &t);
    check(sohoa_catalog_open(url, &cats[0], &err), &err, "open");
    check(sohoa_catalog_open(url, &cats[1], &err), &err, "open again");
    add_dossier(cats[0], "HS-F21", "Sở Tư pháp", "2024-01-01", SOHOA_SOURCE_DESK);
    add_document(cats[0], 21, "HS-F21", 1);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct putter){.cat = cats[i % 2]};
        assert_int_equal(pthread_create(&th[i], NULL, putter_run, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        if (w[i].failures)
            fail_msg("putter %d: %d failures, last: %s", i, w[i].failures, w[i].msg);
    }
    fields_of(cats[1], "HS-F21", 21, buf, sizeof buf, type, sizeof type);
    assert_string_equal(buf, "id_number=001099012345;full_name=NGUYỄN VĂN AN;"
                             "date_of_birth=1999-01-02;");
    struct sohoa_search_opts o = {.field = "full_name", .field_value = "nguyen van an"};
    expect_hits(cats[0], NULL, &o, "21.0-");
    sohoa_catalog_free(&cats[1]);
    sohoa_catalog_free(&cats[0]);
    fresh_done(&t);
}

/* ---- a version-1 catalog migrates in place ------------------------------------------------- */

/* Version 1 as sohoa wrote it: the committed migration 1 (migrations are append-only), recorded
 * as version 1. */
static const char SQLITE_V1_VERSION[] = "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                                        "INSERT INTO schema_version VALUES (1);";

/* One dossier, one finished document, one indexed page, as version 1 wrote them. */
#define V1_ROWS(DOC_ID, PAGE_COLS, PAGE_VALS)                                                      \
    "INSERT INTO dossiers (id, department, received_date, source, created_at, updated_at)"         \
    " VALUES ('HS-V1', 'Sở Tư pháp', '2020-02-02', 'archive', '2020-02-02T00:00:00Z',"         \
    " '2020-02-02T00:00:00Z');"                                                                    \
    "INSERT INTO documents (id, dossier_id, name, ordinal, n_pages, status, created_at,"           \
    " updated_at) VALUES ('" DOC_ID "', 'HS-V1', 'cu.pdf', 1, 1, 'done', '2020-02-02T00:00:00Z',"  \
    " '2020-02-02T00:00:00Z');"                                                                    \
    "INSERT INTO pages (doc_id, page_index, status, updated_at" PAGE_COLS ") VALUES ('" DOC_ID     \
    "', 0, 'ok', '2020-02-02T00:00:00Z'" PAGE_VALS ");"

#define V1_DOC "0000000000000000000000000000000000000000000000000000000000000031"

static void make_v1_sqlite(const char *path)
{
    static const char rows[] =
        "BEGIN;" V1_ROWS(V1_DOC, "", "") "INSERT INTO pages_fts (rowid, canon, fold)"
                                         " VALUES (1, 'Đường Lê Lợi', 'duong le loi'); COMMIT;";
    sqlite3 *db = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    int rc = sqlite3_exec(db, sohoa_sqlite_migrations[0], NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, SQLITE_V1_VERSION, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, rows, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fail_msg("v1 catalog: %s", msg ? msg : sqlite3_errstr(rc));
    sqlite3_close(db);
}

/* The same on the server: the committed migration 1 (migrations are append-only) in the schema
 * `url` names, recorded as version 1. */
static void make_v1_pg(const char *url)
{
    const char *s = strstr(url, "search_path%3D");
    assert_non_null(s);
    char schema[64], sql[256];
    snprintf(schema, sizeof schema, "%s", s + strlen("search_path%3D"));
    PGconn *pg = PQconnectdb(url);
    assert_int_equal(PQstatus(pg), CONNECTION_OK);
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    const char *steps[] = {
        sql,
        sohoa_pg_migrations[0],
        "CREATE TABLE sohoa_schema (version integer NOT NULL); INSERT INTO sohoa_schema "
        "VALUES (1);",
        V1_ROWS(V1_DOC, ", canon, canon_tsv, fold_tsv",
                ", 'Đường Lê Lợi', to_tsvector('simple', 'Đường Lê Lợi'),"
                " to_tsvector('simple', 'duong le loi')"),
    };
    for (size_t i = 0; i < COUNT(steps); i++) {
        PGresult *r = PQexec(pg, steps[i]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fail_msg("v1 catalog step %zu: %s", i, PQerrorMessage(pg));
        PQclear(r);
    }
    PQfinish(pg);
}

static void test_migrate_v1(void **state)
{
    (void)state;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_err err = {0};
    struct tmpdir t;
    char url[512], buf[512], type[64];

    fresh_url(url, sizeof url, &t);
    if (server_url())
        make_v1_pg(url);
    else
        make_v1_sqlite(url + strlen("sqlite:"));

    for (int round = 0; round < 2; round++) { /* migrated once, then opened as it is */
        check(sohoa_catalog_open(url, &cat, &err), &err, "open a v1 catalog");
        expect_hits(cat, "duong le loi", NULL, "49.0f");
        check(sohoa_catalog_get_dossier(cat, "HS-V1", SOHOA_CATALOG_WITH_PAGES, &info, &err), &err,
              "get");
        assert_int_equal(info->n_docs, 1);
        assert_int_equal(info->docs[0].doc.status, SOHOA_DOC_DONE);
        assert_int_equal(info->docs[0].n_pages_listed, 1);
        assert_string_equal(info->docs[0].doc.name, "cu.pdf"); /* its membership, migrated */
        assert_non_null(info->docs[0].added_at);
        if (round == 0) {
            assert_null(info->docs[0].doc_type);
            assert_int_equal(info->docs[0].n_fields, 0);
            put(cat, 49, "cccd_front", card_an, COUNT(card_an));
        }
        sohoa_dossier_info_free(&info);
        fields_of(cat, "HS-V1", 49, buf, sizeof buf, type, sizeof type);
        assert_string_equal(type, "cccd_front");
        struct sohoa_search_opts o = {.field = "id_number", .field_value = "001099012345"};
        expect_hits(cat, "đường", &o, "49.0e");
        sohoa_catalog_free(&cat);
    }
    fresh_done(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_and_show, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_by_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_with_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test(test_concurrent_redelivery),
        cmocka_unit_test(test_migrate_v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
