/* test_validate.c — validate: identifiers, dates, receipt and document numbers.
 *
 * The cases are data: tests/data/validate/<field>.tsv, one case a line, a header line naming the
 * columns, '#' comments, "-" for an empty cell, escapes \xHH \t \\ in cells. Every row gives the
 * input and the expected normalised value, severity and list of check codes (in order); some
 * files add the context (birth year, sex, today) or the parts (document numbers). A table must
 * hold enough passing and failing rows that it cannot pass by being empty.
 *
 * Every result, from the tables and from the generated inputs below, must also keep the result
 * invariants of validate.h: at least one check; the severity is the worst check's; a PASS result
 * has exactly one check and no other result has a PASS check; a usable result has a value; every
 * code is "<field>.<finding>" of one field; repairs are counted iff a ".repaired" check is there;
 * both messages are non-empty canonical UTF-8, the Vietnamese one with diacritics and different
 * from the English one.
 *
 * Then: models/provinces.json and the compiled province table agree on all 1000 prefixes; every
 * single-digit change of a valid MST is caught; repair is idempotent and changes only confusable
 * letters; random inputs keep the invariants; argument errors and limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate.h"
#include "pipeline/base/vntext.h"

#define TABLE_DIR SOHOA_TEST_DATA "/validate/"
#define MAX_COLS  8
#define LINE_MAX_ 4096

/* ---- tables ---------------------------------------------------------------------------------- */

struct table {
    const char *name;
    FILE *f;
    int line;
    char header[LINE_MAX_];
    char row[LINE_MAX_];
    char raw[LINE_MAX_]; /* the row as written, for messages */
    char *names[MAX_COLS];
    char *cells[MAX_COLS];
    size_t ncols;
    int pass, warning, error; /* rows expecting each severity */
};

static size_t split_tabs(char *s, char **cells)
{
    size_t n = 0;
    while (n < MAX_COLS) {
        cells[n++] = s;
        char *tab = strchr(s, '\t');
        if (!tab)
            break;
        *tab = '\0';
        s = tab + 1;
    }
    return n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* In place: "-" → "", \xHH, \t, \n, \\. */
static void unescape(struct table *t, char *s)
{
    char *o = s;
    if (!strcmp(s, "-")) {
        s[0] = '\0';
        return;
    }
    for (const char *p = s; *p; p++) {
        if (*p != '\\') {
            *o++ = *p;
            continue;
        }
        p++;
        if (*p == 'x' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
            *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
            p += 2;
        } else if (*p == 't') {
            *o++ = '\t';
        } else if (*p == 'n') {
            *o++ = '\n';
        } else if (*p == '\\') {
            *o++ = '\\';
        } else {
            fail_msg("%s:%d: bad escape \\%c", t->name, t->line, *p ? *p : '0');
        }
    }
    *o = '\0';
}

/* Read the next non-comment line into `buf`; false at the end. */
static bool table_line(struct table *t, char *buf)
{
    while (fgets(buf, LINE_MAX_, t->f)) {
        t->line++;
        size_t n = strlen(buf);
        if (n == LINE_MAX_ - 1 && buf[n - 1] != '\n')
            fail_msg("%s:%d: line too long", t->name, t->line);
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
        if (n == 0 || buf[0] == '#')
            continue;
        return true;
    }
    return false;
}

static void table_open(struct table *t, const char *name)
{
    char path[512];
    memset(t, 0, sizeof *t);
    t->name = name;
    snprintf(path, sizeof path, TABLE_DIR "%s", name);
    t->f = fopen(path, "r");
    if (!t->f)
        fail_msg("cannot open %s", path);
    if (!table_line(t, t->header))
        fail_msg("%s: no header line", name);
    t->ncols = split_tabs(t->header, t->names);
}

static bool table_next(struct table *t)
{
    if (!table_line(t, t->row))
        return false;
    snprintf(t->raw, sizeof t->raw, "%s", t->row);
    size_t n = split_tabs(t->row, t->cells);
    if (n != t->ncols)
        fail_msg("%s:%d: %zu cells, the header names %zu", t->name, t->line, n, t->ncols);
    for (size_t i = 0; i < n; i++)
        unescape(t, t->cells[i]);
    return true;
}

static const char *cell(const struct table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->names[i], name))
            return t->cells[i];
    fail_msg("%s: no column \"%s\"", t->name, name);
    return NULL;
}

/* Close, and require enough rows of each kind that the table tests something. */
static void table_close(struct table *t, int min_pass, int min_warning, int min_error)
{
    fclose(t->f);
    print_message("%s: %d rows (%d pass, %d warning, %d error)\n", t->name,
                  t->pass + t->warning + t->error, t->pass, t->warning, t->error);
    if (t->pass < min_pass || t->warning < min_warning || t->error < min_error)
        fail_msg("%s: needs at least %d pass, %d warning, %d error rows", t->name, min_pass,
                 min_warning, min_error);
}

static struct sohoa_ymd ymd_parse(const struct table *t, const char *s)
{
    struct sohoa_ymd d = {0};
    if (sscanf(s, "%d-%d-%d", &d.year, &d.month, &d.day) != 3)
        fail_msg("%s:%d: \"%s\" is no YYYY-MM-DD", t->name, t->line, s);
    return d;
}

/* ---- result invariants ------------------------------------------------------------------------
 */

static bool canonical_utf8(const char *s)
{
    char *n = NULL;
    if (vn_normalize(s, strlen(s), &n, NULL))
        return false;
    bool same = !strcmp(n, s);
    free(n);
    return same;
}

static bool code_well_formed(const char *code, const char *field, size_t field_len)
{
    const char *dot = strchr(code, '.');
    if (!dot || dot == code || !dot[1] ||
        (field && ((size_t)(dot - code) != field_len || strncmp(code, field, field_len) != 0)))
        return false;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || p == dot))
            return false;
    return true;
}

/* Problems with `v` as text in `why` (empty when none). */
static void invariants(const struct sohoa_validation *v, char *why, size_t cap)
{
    why[0] = '\0';
#define BROKEN(...)                                                                                \
    do {                                                                                           \
        snprintf(why, cap, __VA_ARGS__);                                                           \
        return;                                                                                    \
    } while (0)
    if (v->n_checks < 1 || v->n_checks > SOHOA_CHECKS_MAX)
        BROKEN("%zu checks", v->n_checks);
    enum sohoa_check_severity worst = SOHOA_CHECK_PASS;
    bool repaired = false;
    const char *field = v->checks[0].code;
    size_t field_len = strcspn(field, ".");
    for (size_t i = 0; i < v->n_checks; i++) {
        const struct sohoa_check *c = &v->checks[i];
        if (c->severity > worst)
            worst = c->severity;
        if (!code_well_formed(c->code, field, field_len))
            BROKEN("code \"%s\" is no <field>.<finding> of field %.*s", c->code, (int)field_len,
                   field);
        if (strstr(c->code, ".repaired"))
            repaired = true;
        if (!c->msg_vi[0] || !c->msg_en[0])
            BROKEN("%s: empty message", c->code);
        if (!canonical_utf8(c->msg_vi) || !canonical_utf8(c->msg_en))
            BROKEN("%s: message not canonical UTF-8", c->code);
        if (!vn_has_diacritics(c->msg_vi))
            BROKEN("%s: Vietnamese message without diacritics: %s", c->code, c->msg_vi);
        if (!strcmp(c->msg_vi, c->msg_en))
            BROKEN("%s: the same message in both languages", c->code);
        if (c->severity == SOHOA_CHECK_PASS && v->severity != SOHOA_CHECK_PASS)
            BROKEN("%s: a PASS check in a %s result", c->code,
                   sohoa_check_severity_name(v->severity));
    }
    if (worst != v->severity)
        BROKEN("severity %s, worst check %s", sohoa_check_severity_name(v->severity),
               sohoa_check_severity_name(worst));
    if (v->severity == SOHOA_CHECK_PASS && v->n_checks != 1)
        BROKEN("a PASS result with %zu checks", v->n_checks);
    if (v->severity != SOHOA_CHECK_ERROR && !v->value[0])
        BROKEN("a usable result without a value");
    if (!canonical_utf8(v->value))
        BROKEN("value not canonical UTF-8");
    if ((v->repairs > 0) != repaired)
        BROKEN("repairs %d but %s .repaired check", v->repairs, repaired ? "a" : "no");
    if (sohoa_validation_worst(v)->severity != v->severity)
        BROKEN("sohoa_validation_worst disagrees");
#undef BROKEN
}

static void join_codes(const struct sohoa_validation *v, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < v->n_checks && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "", v->checks[i].code);
}

static void print_checks(const struct sohoa_validation *v)
{
    for (size_t i = 0; i < v->n_checks; i++)
        print_message("      %s %s: %s | %s\n", sohoa_check_severity_name(v->checks[i].severity),
                      v->checks[i].code, v->checks[i].msg_vi, v->checks[i].msg_en);
}

/* Compare one result with its row; returns 1 on a mismatch (printed), else 0. */
static int row_compare(struct table *t, int rc, const struct sohoa_validation *v)
{
    char codes[512], why[512];
    const char *want_value = cell(t, "value"), *want_sev = cell(t, "severity"),
               *want_codes = cell(t, "codes");
    if (!strcmp(want_sev, "pass"))
        t->pass++;
    else if (!strcmp(want_sev, "warning"))
        t->warning++;
    else if (!strcmp(want_sev, "error"))
        t->error++;
    else
        fail_msg("%s:%d: severity \"%s\"", t->name, t->line, want_sev);
    if (rc) {
        print_message("%s:%d: [%s] returned %d\n", t->name, t->line, t->raw, rc);
        return 1;
    }
    join_codes(v, codes, sizeof codes);
    invariants(v, why, sizeof why);
    if (!strcmp(v->value, want_value) &&
        !strcmp(sohoa_check_severity_name(v->severity), want_sev) && !strcmp(codes, want_codes) &&
        !why[0])
        return 0;
    print_message("%s:%d: [%s]\n    got  value \"%s\" %s %s\n    want value \"%s\" %s %s%s%s\n",
                  t->name, t->line, t->raw, v->value, sohoa_check_severity_name(v->severity), codes,
                  want_value, want_sev, want_codes, why[0] ? "\n    broken: " : "", why);
    print_checks(v);
    return 1;
}

/* ---- the tables ---------------------------------------------------------------------------------
 */

static void test_cccd_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "cccd.tsv");
    while (table_next(&t)) {
        struct sohoa_cccd_hint hint = {0};
        const char *birth = cell(&t, "birth"), *sex = cell(&t, "sex");
        struct sohoa_ymd today = ymd_parse(&t, cell(&t, "today"));
        hint.birth_year = birth[0] ? atoi(birth) : 0;
        hint.sex = sohoa_sex_parse(sex);
        if (sex[0] && hint.sex == SOHOA_SEX_UNKNOWN)
            fail_msg("cccd.tsv:%d: sex \"%s\" not understood", t.line, sex);
        int rc = sohoa_cccd_validate(cell(&t, "input"), &hint, &today, &v, NULL);
        bad += row_compare(&t, rc, &v);
    }
    table_close(&t, 10, 10, 10);
    assert_int_equal(bad, 0);
}

static void test_mst_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "mst.tsv");
    while (table_next(&t))
        bad += row_compare(&t, sohoa_mst_validate(cell(&t, "input"), &v, NULL), &v);
    table_close(&t, 10, 5, 10);
    assert_int_equal(bad, 0);
}

static void test_dates_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "dates.tsv");
    while (table_next(&t)) {
        struct sohoa_ymd today = ymd_parse(&t, cell(&t, "today")), date;
        int rc = sohoa_date_parse(cell(&t, "input"), &today, &date, &v, NULL);
        bad += row_compare(&t, rc, &v);
        /* the parsed date is the value's */
        char iso[16] = "";
        if (date.month)
            snprintf(iso, sizeof iso, "%04d-%02d-%02d", date.year, date.month, date.day);
        else if (date.year)
            snprintf(iso, sizeof iso, "%04d", date.year);
        if (strcmp(iso, v.value) != 0) {
            print_message("dates.tsv:%d: date out-param %s, value %s\n", t.line, iso, v.value);
            bad++;
        }
    }
    table_close(&t, 20, 5, 20);
    assert_int_equal(bad, 0);
}

static void test_receipts_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "receipts.tsv");
    while (table_next(&t)) {
        struct sohoa_ymd today = ymd_parse(&t, cell(&t, "today"));
        bad += row_compare(&t, sohoa_receipt_validate(cell(&t, "input"), &today, &v, NULL), &v);
    }
    table_close(&t, 5, 3, 10);
    assert_int_equal(bad, 0);
}

static void test_procedures_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "procedures.tsv");
    while (table_next(&t))
        bad += row_compare(&t, sohoa_procedure_code_validate(cell(&t, "input"), &v, NULL), &v);
    table_close(&t, 5, 1, 5);
    assert_int_equal(bad, 0);
}

static void test_docnumbers_table(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int bad = 0;
    table_open(&t, "docnumbers.tsv");
    while (table_next(&t)) {
        struct sohoa_docnum doc;
        int rc = sohoa_docnum_parse(cell(&t, "input"), &doc, &v, NULL);
        bad += row_compare(&t, rc, &v);
        if (strcmp(doc.number, cell(&t, "number")) != 0 ||
            strcmp(doc.year, cell(&t, "year")) != 0 ||
            strcmp(doc.symbol, cell(&t, "symbol")) != 0) {
            print_message("docnumbers.tsv:%d: parts \"%s\" \"%s\" \"%s\"\n", t.line, doc.number,
                          doc.year, doc.symbol);
            bad++;
        }
    }
    table_close(&t, 10, 3, 10);
    assert_int_equal(bad, 0);
}

static void test_repairs_table(void **state)
{
    (void)state;
    struct table t;
    int bad = 0, rows = 0, repaired = 0;
    table_open(&t, "repairs.tsv");
    while (table_next(&t)) {
        const char *in = cell(&t, "input");
        char out[LINE_MAX_];
        int n = -1;
        int rc = sohoa_digits_repair(in, out, sizeof out, &n, NULL);
        rows++;
        repaired += n > 0;
        if (rc || strcmp(out, cell(&t, "value")) != 0 || n != atoi(cell(&t, "repairs"))) {
            print_message("repairs.tsv:%d: [%s] got \"%s\" (%d repairs, rc %d)\n", t.line, t.raw,
                          out, n, rc);
            bad++;
        }
    }
    fclose(t.f);
    print_message("repairs.tsv: %d rows, %d with repairs\n", rows, repaired);
    assert_true(repaired >= 10 && rows - repaired >= 10);
    assert_int_equal(bad, 0);
}

/* ---- the province list: models/provinces.json = the compiled table -----------------------------
 */

static void test_provinces_json(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_load_file(SOHOA_SOURCE_DIR "/models/provinces.json", 0, &jerr);
    if (!root)
        fail_msg("provinces.json:%d: %s", jerr.line, jerr.text);
    json_t *list = json_object_get(root, "provinces"), *p;
    size_t i;
    bool listed[1000] = {false};
    assert_true(json_is_array(list));
    assert_int_equal(json_array_size(list), 63);
    assert_true(json_is_true(json_object_get(root, "codes_never_change")));
    json_array_foreach(list, i, p)
    {
        const char *code = json_string_value(json_object_get(p, "code"));
        const char *prefix = json_string_value(json_object_get(p, "cccd_prefix"));
        const char *name = json_string_value(json_object_get(p, "name"));
        assert_non_null(code);
        assert_non_null(prefix);
        assert_non_null(name);
        assert_int_equal(strlen(code), 2);
        assert_true(prefix[0] == '0' && !strcmp(prefix + 1, code));
        assert_true(canonical_utf8(name));
        const char *compiled = sohoa_cccd_province_name(prefix);
        if (!compiled || strcmp(compiled, name) != 0)
            fail_msg("province %s: json \"%s\", compiled \"%s\"", prefix, name,
                     compiled ? compiled : "(none)");
        int k = atoi(prefix);
        assert_false(listed[k]); /* no code twice */
        listed[k] = true;
    }
    for (int k = 0; k < 1000; k++) { /* and nothing else is known */
        char prefix[4];
        snprintf(prefix, sizeof prefix, "%03d", k);
        assert_int_equal(sohoa_cccd_province_name(prefix) != NULL, listed[k]);
    }
    assert_null(sohoa_cccd_province_name("01"));
    assert_null(sohoa_cccd_province_name("0011"));
    assert_null(sohoa_cccd_province_name(NULL));
    json_decref(root);
}

/* ---- properties ---------------------------------------------------------------------------------
 */

/* Every single-digit change to a valid MST of mst.tsv gives an error (weights are non-zero
 * mod 11, 11 is prime: no substitution can keep the sum). */
static void test_mst_single_digit_errors(void **state)
{
    (void)state;
    struct table t;
    struct sohoa_validation v;
    int tried = 0, missed = 0;
    table_open(&t, "mst.tsv");
    while (table_next(&t)) {
        const char *value = cell(&t, "value");
        if (strcmp(cell(&t, "severity"), "pass") != 0)
            continue;
        for (int pos = 0; pos < 10; pos++)
            for (int d = '0'; d <= '9'; d++) {
                char m[32];
                snprintf(m, sizeof m, "%s", value);
                if (m[pos] == d)
                    continue;
                m[pos] = (char)d;
                assert_int_equal(sohoa_mst_validate(m, &v, NULL), 0);
                tried++;
                if (v.severity != SOHOA_CHECK_ERROR) {
                    print_message("mutation %s of %s passed\n", m, value);
                    missed++;
                }
            }
    }
    fclose(t.f);
    print_message("%d single-digit mutations, %d missed\n", tried, missed);
    assert_true(tried >= 900);
    assert_int_equal(missed, 0);
}

/* A tiny deterministic generator (no libc rand state shared with other tests). */
static uint32_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(*s >> 33);
}

/* clang-format off */
/* Characters and words the validators treat specially, and some that break things: confusable
 * letters, separators, dash look-alikes, NBSP, zero-width space, a bad byte, a control, a lone
 * combining mark, eth, a bidirectional override, an emoji. */
static const char *const pieces[] = {
    "0", "1", "2", "9", "O", "o", "l", "I", "|", "/", ".", "-", ",", ":", ";", " ", "\t",
    "ngày", "tháng", "năm", "Sinh", "Số", "QĐ", "QD", "ND", "H", "h", "Đ", "đ", "x", "Hà Nội",
    "2020", "0000", "\xe2\x80\x93", "\xc2\xa0", "\xe2\x80\x8b", "\xff", "\x01", "\xcc\x80",
    "\xc3\x90", "\xe2\x80\xae", "\xf0\x9f\x98\x80",
};

/* Well-formed values of every field, for mutation. */
static const char *const seeds[] = {
    "001169020213", "0011 6902 0213", "079203001234", "012345678", "0100233488",
    "0314409058-002", "05/01/2020", "ngày 05 tháng 01 năm 2020", "Hà Nội, ngày 5 tháng 1 năm 2020",
    "Sinh năm 1969", "2020-01-05", "000.00.00.H30-261129-0001", "1.011442.000.00.00.H38",
    "1.011442", "Số: 15/QĐ-BNV", "59/2020/QH14",
};
/* clang-format on */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A random input: half of them a seed with one to three edits (a byte replaced by a piece, a
 * byte dropped, a piece inserted), the rest a string of pieces. */
static void random_input(uint64_t *s, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    if (rng_next(s) % 2) {
        snprintf(out, cap, "%s", seeds[rng_next(s) % COUNT(seeds)]);
        for (uint32_t e = 1 + rng_next(s) % 3; e > 0; e--) {
            len = strlen(out);
            size_t at = len ? rng_next(s) % len : 0;
            const char *p = pieces[rng_next(s) % COUNT(pieces)];
            size_t pl = strlen(p), kind = rng_next(s) % 3, drop = kind == 2 ? 0 : 1;
            if (len + pl + 1 > cap || at >= len)
                continue;
            if (kind == 1)
                pl = 0; /* drop one byte */
            memmove(out + at + pl, out + at + drop, len - at - drop + 1);
            memcpy(out + at, p, pl);
        }
        return;
    }
    for (size_t i = 0, n = 1 + rng_next(s) % 24; i < n; i++) {
        const char *p = pieces[rng_next(s) % COUNT(pieces)];
        size_t pl = strlen(p);
        if (len + pl + 1 > cap)
            break;
        memcpy(out + len, p, pl + 1);
        len += pl;
    }
}

static int random_one(const char *in, struct sohoa_validation *v, int which)
{
    static const struct sohoa_ymd today = {2026, 11, 29};
    struct sohoa_cccd_hint hint = {1969, SOHOA_SEX_FEMALE};
    switch (which) {
    case 0:
        return sohoa_cccd_validate(in, &hint, &today, v, NULL);
    case 1:
        return sohoa_mst_validate(in, v, NULL);
    case 2:
        return sohoa_date_parse(in, &today, NULL, v, NULL);
    case 3:
        return sohoa_receipt_validate(in, &today, v, NULL);
    case 4:
        return sohoa_procedure_code_validate(in, v, NULL);
    default:
        return sohoa_docnum_parse(in, NULL, v, NULL);
    }
}

static void test_random_inputs(void **state)
{
    (void)state;
    uint64_t seed = 20261129;
    struct sohoa_validation v;
    int broken = 0, by_severity[3] = {0};
    for (int i = 0; i < 4000; i++) {
        char in[400], why[512], once[400], twice[400];
        int n1 = 0, n2 = 0;
        random_input(&seed, in, sizeof in);
        for (int which = 0; which < 6; which++) {
            assert_int_equal(random_one(in, &v, which), 0);
            invariants(&v, why, sizeof why);
            by_severity[v.severity]++;
            if (why[0]) {
                print_message("validator %d, input [%s]: %s\n", which, in, why);
                print_checks(&v);
                broken++;
            }
        }
        /* repair: same length, only confusable letters changed (to their digit), idempotent */
        assert_int_equal(sohoa_digits_repair(in, once, sizeof once, &n1, NULL), 0);
        assert_int_equal(sohoa_digits_repair(once, twice, sizeof twice, &n2, NULL), 0);
        assert_int_equal(strlen(once), strlen(in));
        int changed = 0;
        for (size_t k = 0; in[k]; k++) {
            if (in[k] == once[k])
                continue;
            changed++;
            assert_true(((in[k] == 'O' || in[k] == 'o') && once[k] == '0') ||
                        ((in[k] == 'I' || in[k] == 'l' || in[k] == '|') && once[k] == '1'));
        }
        assert_int_equal(changed, n1);
        assert_int_equal(n2, 0);
        assert_string_equal(once, twice);
    }
    print_message("random results: %d pass, %d warning, %d error, %d broken\n", by_severity[0],
                  by_severity[1], by_severity[2], broken);
    assert_true(by_severity[0] > 0 && by_severity[1] > 0 && by_severity[2] > 0);
    assert_int_equal(broken, 0);
}

/* ---- arguments and limits ----------------------------------------------------------------------
 */

static void test_arguments_and_limits(void **state)
{
    (void)state;
    struct sohoa_validation v;
    struct sohoa_err err;
    struct sohoa_ymd date = {1, 2, 3};
    char big[SOHOA_VALIDATE_INPUT_MAX + 2];
    char why[512];

    /* NULL input or result: SOHOA_EINVAL, result zeroed */
    memset(&v, 0x55, sizeof v);
    assert_int_equal(sohoa_cccd_validate(NULL, NULL, NULL, &v, &err), SOHOA_EINVAL);
    assert_int_equal(err.code, SOHOA_EINVAL);
    assert_int_equal(v.n_checks, 0);
    assert_string_equal(v.value, "");
    assert_int_equal(sohoa_mst_validate("0100233488", NULL, NULL), SOHOA_EINVAL);
    assert_int_equal(sohoa_date_parse(NULL, NULL, &date, &v, NULL), SOHOA_EINVAL);
    assert_int_equal(date.year, 0);
    assert_int_equal(sohoa_receipt_validate(NULL, NULL, &v, NULL), SOHOA_EINVAL);
    assert_int_equal(sohoa_procedure_code_validate(NULL, &v, NULL), SOHOA_EINVAL);
    assert_int_equal(sohoa_docnum_parse(NULL, NULL, &v, NULL), SOHOA_EINVAL);

    /* an impossible `today` */
    struct sohoa_ymd feb30 = {2026, 2, 30};
    assert_int_equal(sohoa_date_parse("01/01/2020", &feb30, NULL, &v, &err), SOHOA_EINVAL);

    /* NULL today: the clock */
    assert_int_equal(sohoa_date_parse("01/01/2000", NULL, NULL, &v, NULL), 0);
    assert_int_equal(v.severity, SOHOA_CHECK_PASS);
    assert_int_equal(sohoa_date_parse("01/01/9999", NULL, NULL, &v, NULL), 0);
    assert_true(sohoa_validation_has(&v, "date.future"));
    assert_int_equal(sohoa_cccd_validate("001169020213", NULL, NULL, &v, NULL), 0);
    assert_true(sohoa_validation_has(&v, "cccd.ok"));

    /* too long: a finding, not a failure; exactly the limit is read */
    memset(big, '0', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(sohoa_cccd_validate(big, NULL, NULL, &v, NULL), 0);
    assert_int_equal(v.severity, SOHOA_CHECK_ERROR);
    assert_string_equal(sohoa_validation_worst(&v)->code, "cccd.too_long");
    invariants(&v, why, sizeof why);
    assert_string_equal(why, "");
    memset(big, ' ', SOHOA_VALIDATE_INPUT_MAX);
    big[SOHOA_VALIDATE_INPUT_MAX] = '\0';
    assert_int_equal(sohoa_mst_validate(big, &v, NULL), 0);
    assert_string_equal(sohoa_validation_worst(&v)->code, "mst.empty");

    /* repair: the output must hold the input */
    char small[4] = "xyz";
    int n = 7;
    assert_int_equal(sohoa_digits_repair("2O2O", small, sizeof small, &n, &err), SOHOA_EINVAL);
    assert_string_equal(small, "");
    assert_int_equal(n, 0);
    assert_int_equal(sohoa_digits_repair(NULL, small, sizeof small, NULL, NULL), SOHOA_EINVAL);

    /* sex words */
    assert_int_equal(sohoa_sex_parse(" Nữ "), SOHOA_SEX_FEMALE);
    assert_int_equal(sohoa_sex_parse("NAM"), SOHOA_SEX_MALE);
    assert_int_equal(sohoa_sex_parse("nu\xcc\x83"), SOHOA_SEX_FEMALE); /* NFD */
    assert_int_equal(sohoa_sex_parse("nam nữ"), SOHOA_SEX_UNKNOWN);
    assert_int_equal(sohoa_sex_parse("x"), SOHOA_SEX_UNKNOWN);
    assert_int_equal(sohoa_sex_parse(""), SOHOA_SEX_UNKNOWN);
    assert_int_equal(sohoa_sex_parse(NULL), SOHOA_SEX_UNKNOWN);

    /* calendar helpers */
    struct sohoa_ymd a = {1969, 0, 0}, b = {1969, 1, 1}, c = {1969, 12, 31};
    assert_int_equal(sohoa_ymd_compare(&a, &b), 0);
    assert_true(sohoa_ymd_compare(&a, &c) < 0);
    assert_true(sohoa_ymd_compare(&c, &b) > 0);
    assert_true(sohoa_ymd_valid(2024, 2, 29));
    assert_false(sohoa_ymd_valid(2100, 2, 29));
    assert_false(sohoa_ymd_valid(0, 1, 1));
    assert_int_equal(sohoa_ymd_today(&a, NULL), 0);
    assert_true(sohoa_ymd_valid(a.year, a.month, a.day));

    /* results */
    assert_string_equal(sohoa_check_severity_name(SOHOA_CHECK_WARNING), "warning");
    assert_string_equal(sohoa_check_severity_name((enum sohoa_check_severity)7), "?");
    assert_null(sohoa_validation_worst(NULL));
    assert_false(sohoa_validation_has(NULL, "x"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cccd_table),
        cmocka_unit_test(test_mst_table),
        cmocka_unit_test(test_dates_table),
        cmocka_unit_test(test_receipts_table),
        cmocka_unit_test(test_procedures_table),
        cmocka_unit_test(test_docnumbers_table),
        cmocka_unit_test(test_repairs_table),
        cmocka_unit_test(test_provinces_json),
        cmocka_unit_test(test_mst_single_digit_errors),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test(test_arguments_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
