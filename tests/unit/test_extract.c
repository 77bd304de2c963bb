/* test_extract.c — document type and fields from OCR-like text, table-driven.
 *
 * Every tests/data/extract/NAME.txt (the text of a page, pages split by form feeds) has a
 * NAME.expect: "type<TAB>id" then "field<TAB>value" lines (normalised values; "\n" inside a value
 * stands for a line break). The test extracts with the models of the source tree and fails on
 * any wrong type, missing or wrong field, naming each. Also: confusions between similar types,
 * OCR digit repairs recorded, the CCCD QR payload winning over OCR with a mismatch warning,
 * dossier completeness, and every model loading.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/image/barcode.h"
#include "pipeline/fields/completeness.h"
#include "pipeline/fields/extract.h"
#include "pipeline/fields/extract_json.h"
#include "support.h"

#define DATA_DIR   SOHOA_TEST_DATA "/extract/"
#define MODELS_DIR SOHOA_SOURCE_DIR "/models"

static const struct sohoa_ymd TODAY = {2026, 1, 1};

static int setup(void **state)
{
    struct sohoa_models *m = NULL;
    struct sohoa_err err;
    if (sohoa_models_load(MODELS_DIR, &m, &err) != 0) {
        fprintf(stderr, "models: %s\n", err.msg);
        return -1;
    }
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    struct sohoa_models *m = *state;
    sohoa_models_free(&m);
    return 0;
}

/* Extract a text (pages split at '\f'); barcodes (may be NULL) go to page 1. */
static struct sohoa_extraction *run(const struct sohoa_models *m, const char *text,
                                    const struct sohoa_barcodes *bc)
{
    struct sohoa_xpage pages[8];
    struct sohoa_extraction *x = NULL;
    struct sohoa_err err;
    size_t n = 0;
    char *copy = strdup(text), *p = copy;
    assert_non_null(copy);
    while (p && n < 8) {
        char *ff = strchr(p, '\f');
        if (ff)
            *ff = '\0';
        assert_int_equal(sohoa_xpage_init_text(&pages[n], (int)n + 1, p, &err), 0);
        if (n == 0 && bc)
            assert_int_equal(sohoa_barcodes_copy(bc, &pages[0].barcodes, &err), 0);
        n++;
        p = ff ? ff + 1 : NULL;
    }
    struct sohoa_extract_opts o = {.today = &TODAY};
    assert_int_equal(sohoa_extract_document(m, pages, n, &o, &x, &err), 0);
    for (size_t i = 0; i < n; i++)
        sohoa_xpage_release(&pages[i]);
    free(copy);
    return x;
}

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && s[1] == 'n') {
            *o++ = '\n';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static int check_case(const struct sohoa_models *m, const char *name)
{
    char path[1024], line[2048];
    int wrong = 0;
    snprintf(path, sizeof path, DATA_DIR "%s.txt", name);
    size_t len = 0;
    char *text = test_read_file(path, &len);
    assert_non_null(text);
    struct sohoa_extraction *x = run(m, text, NULL);
    snprintf(path, sizeof path, DATA_DIR "%s.expect", name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (!tab)
            continue;
        *tab = '\0';
        unescape(tab + 1);
        if (!strcmp(line, "type")) {
            if (strcmp(x->cls.type, tab + 1) != 0) {
                fprintf(stderr, "%s: type %s, expected %s\n", name, x->cls.type, tab + 1);
                wrong++;
            }
            continue;
        }
        const struct sohoa_field *fld = sohoa_extraction_field(x, line);
        if (!fld || strcmp(fld->value, tab + 1) != 0) {
            fprintf(stderr, "%s: %s = \"%s\", expected \"%s\"\n", name, line,
                    fld ? fld->value : "(missing)", tab + 1);
            wrong++;
        }
    }
    fclose(f);
    sohoa_extraction_free(&x);
    free(text);
    return wrong;
}

static void test_table(void **state)
{
    DIR *d = opendir(DATA_DIR);
    struct dirent *e;
    int cases = 0, wrong = 0;
    assert_non_null(d);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".txt") != 0)
            continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
        wrong += check_case(*state, name);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 10);
    assert_int_equal(wrong, 0);
}

/* Similar types must not be confused: the cue that tells them apart decides. */
static void test_confusions(void **state)
{
    static const struct {
        const char *text, *type;
    } cases[] = {
        {"GIẤY CHỨNG MINH NHÂN DÂN\nSố 012345678\nHọ tên: A\nNguyên quán: B", "cmnd"},
        {"CĂN CƯỚC CÔNG DÂN\nSố: 001099012345\nHọ, chữ đệm và tên: A\nQuê quán: B", "cccd_front"},
        {"TỜ KHAI ĐĂNG KÝ KHAI SINH\nKính gửi: UBND xã\nHọ, chữ đệm, tên người yêu cầu: A",
         "application_form"},
        {"GIẤY KHAI SINH\nSố: 1/2024\nQuyển số: 01\nNơi sinh: B\nHọ, chữ đệm, tên người mẹ: C",
         "birth_certificate"},
        {"GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\nMã hồ sơ: 000.00.00.H30-250101-0001",
         "dossier_receipt"},
        {"Một đoạn văn bình thường không có gì đặc biệt.", SOHOA_TYPE_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct sohoa_extraction *x = run(*state, cases[i].text, NULL);
        if (strcmp(x->cls.type, cases[i].type) != 0)
            fail_msg("case %zu: %s, expected %s", i, x->cls.type, cases[i].type);
        sohoa_extraction_free(&x);
    }
}

/* A mixed scan: each page gets its own type. */
static void test_mixed_pages(void **state)
{
    struct sohoa_extraction *x =
        run(*state,
            "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ\nMã hồ sơ: 000.00.00.H30-250101-0001\f"
            "CĂN CƯỚC CÔNG DÂN\nSố: 001099012345\nHọ, chữ đệm và tên: A\nQuê quán: B",
            NULL);
    assert_int_equal(x->n_pages, 2);
    assert_string_equal(x->pages[0].cls.type, "dossier_receipt");
    assert_string_equal(x->pages[1].cls.type, "cccd_front");
    sohoa_extraction_free(&x);
}

static bool has_check(const struct sohoa_extraction *x, const char *field, const char *code)
{
    for (size_t i = 0; i < x->n_checks; i++)
        if (!strcmp(x->checks[i].field, field) && !strcmp(x->checks[i].check.code, code))
            return true;
    return false;
}

/* O→0 and l→1 inside an ID are repaired and recorded. */
static void test_repairs(void **state)
{
    struct sohoa_extraction *x =
        run(*state, "CĂN CƯỚC CÔNG DÂN\nSố: OO1O99Ol2345\nHọ, chữ đệm và tên: A\n", NULL);
    const struct sohoa_field *f = sohoa_extraction_field(x, "id_number");
    assert_non_null(f);
    assert_string_equal(f->value, "001099012345");
    assert_true(f->repairs >= 4);
    assert_true(has_check(x, "id_number", "cccd.repaired"));
    sohoa_extraction_free(&x);
}

/* The QR payload wins; a different OCR value gives a warning naming both. */
static void test_qr_wins(void **state)
{
    struct sohoa_barcode b = {.symbology = "QR-Code",
                              .data = "001099012345|012345678|Nguyễn Văn An|15031999|Nam|Số 12 "
                                      "Phố Huế, Hà Nội|01052021"};
    struct sohoa_barcodes bc = {&b, 1};
    struct sohoa_extraction *x = run(*state,
                                     "CĂN CƯỚC CÔNG DÂN\nSố: 001099012346\nHọ, chữ đệm và tên: "
                                     "NGUYỄN VĂN AN\nNgày sinh: 15/03/1999\n",
                                     &bc);
    const struct sohoa_field *f = sohoa_extraction_field(x, "id_number");
    assert_non_null(f);
    assert_string_equal(f->value, "001099012345");
    assert_int_equal(f->source, SOHOA_SRC_QR);
    assert_true(has_check(x, "id_number", "qr.mismatch"));
    assert_false(has_check(x, "full_name", "qr.mismatch"));
    f = sohoa_extraction_field(x, "place_of_residence");
    assert_non_null(f);
    assert_string_equal(f->value, "Số 12 Phố Huế, Hà Nội");
    char *json = NULL;
    assert_int_equal(sohoa_extraction_to_json(x, "t", false, &json, NULL), 0);
    assert_non_null(strstr(json, "\"source\":\"qr\""));
    free(json);
    sohoa_extraction_free(&x);
}

/* A wrong MST check digit is an error; a missing required field a warning. */
static void test_validation_wired(void **state)
{
    struct sohoa_extraction *x = run(*state,
                                     "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP\nMã số doanh nghiệp: "
                                     "0100233480\nĐăng ký lần đầu: ngày 05 tháng 02 năm 2015\n",
                                     NULL);
    assert_true(has_check(x, "enterprise_code", "mst.check_digit"));
    assert_true(has_check(x, "enterprise_name", "field.missing"));
    sohoa_extraction_free(&x);
}

static void test_completeness(void **state)
{
    const char *types[] = {"application_form"};
    struct sohoa_completeness c;
    assert_int_equal(sohoa_completeness_check(*state, "1.001193.000.00.00.H30", types, 1, &c, NULL),
                     0);
    assert_true(c.known);
    assert_int_equal(c.n_missing, 1);
    assert_string_equal(c.missing[0], "cccd_front");
    assert_non_null(strstr(c.check.msg_vi, "Thiếu"));
    assert_non_null(strstr(c.check.msg_en, "missing: "));
    const char *all[] = {"cccd_front", "application_form"};
    assert_int_equal(sohoa_completeness_check(*state, "1.001193", all, 2, &c, NULL), 0);
    assert_int_equal(c.n_missing, 0);
    assert_int_equal(c.check.severity, SOHOA_CHECK_PASS);
    assert_int_equal(sohoa_completeness_check(*state, "9.999999", all, 2, &c, NULL), 0);
    assert_false(c.known);
}

/* Broken models are refused with a message naming the file. */
static void test_models_refused(void **state)
{
    (void)state;
    struct sohoa_models *m = NULL;
    struct sohoa_err err;
    assert_int_equal(sohoa_models_load("/nonexistent-dir", &m, &err), SOHOA_ENOTFOUND);
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),        cmocka_unit_test(test_confusions),
        cmocka_unit_test(test_mixed_pages),  cmocka_unit_test(test_repairs),
        cmocka_unit_test(test_qr_wins),      cmocka_unit_test(test_validation_wired),
        cmocka_unit_test(test_completeness), cmocka_unit_test(test_models_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
