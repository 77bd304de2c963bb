/* test_search_query.c — search_query: parsing user queries, moving markers, cutting snippets.
 *
 * Table cases for the grammar (terms, quoted and curly-quoted phrases, punctuation inside a word,
 * tone placement and folding, hostile input that must become plain words or a clear error, the
 * limits), then the snippet helpers: marker transfer from folded to canonical text, checked on
 * every line of the UDHR text of the corpus, and the window around the first match.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"
#include "storage/search_query.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parsing ------------------------------------------------------------------------------- */

struct parse_case {
    const char *raw;
    /* expected terms, canonical and folded, '|' between terms; phrases start with '=' */
    const char *canon;
    const char *fold;
};

static const struct parse_case parse_cases[] = {
    {"quyết định số", "quyết|định|số", "quyet|dinh|so"},
    {"\"quyết định\" số", "=quyết định|số", "=quyet dinh|so"},
    {"\xE2\x80\x9Cquyết định\xE2\x80\x9D", "=quyết định", "=quyet dinh"}, /* curly quotes */
    {"hòa", "hoà", "hoa"},                                                /* old tone placement */
    {"Hoà", "Hoà", "hoa"},
    {"ĐƯỜNG Đồng", "ĐƯỜNG|Đồng", "duong|dong"},
    {"15/QĐ-BNV", "=15 QĐ BNV", "=15 qd bnv"},         /* punctuation inside: implicit phrase */
    {"(hoà), \"", "hoà", "hoa"},                       /* punctuation around: dropped */
    {"  duong   \t\n hoa ", "duong|hoa", "duong|hoa"}, /* any white space */
    {"\"unbalanced", "=unbalanced", "=unbalanced"},
    {"\"quyết định", "=quyết định", "=quyet dinh"}, /* unbalanced: phrase to the end */
    {"NEAR(", "NEAR", "near"},
    {"a OR", "a|OR", "a|or"},
    {"hoa*", "hoa", "hoa"},
    {"'; DROP TABLE pages; --", "DROP|TABLE|pages", "drop|table|pages"},
    {"{canon}:hoa", "=canon hoa", "=canon hoa"},
    {"\"a\" \"b c", "=a|=b c", "=a|=b c"},
    {"abc\"def ghi\"", "abc|=def ghi", "abc|=def ghi"},
    {"\xFF\xFE hoa", "hoa", "hoa"}, /* invalid bytes become U+FFFD: punctuation */
    {"a\xC2\xA0"
     "b",
     "a|b", "a|b"}, /* no-break space separates */
    {"«hoà» – đường…", "hoà|đường", "hoa|duong"},
};

/* Render parsed terms in the notation of parse_cases. */
static void render(const struct sohoa_query *q, bool folded, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < q->n_terms; i++) {
        const struct sohoa_query_term *t = &q->terms[i];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s%s", i ? "|" : "", t->phrase ? "=" : "",
                              folded ? t->fold : t->canon);
        assert_true(n < cap);
    }
}

static void test_parse_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(parse_cases); i++) {
        struct sohoa_query q;
        struct sohoa_err err = {0};
        char got[512];
        int rc = sohoa_query_parse(parse_cases[i].raw, &q, &err);
        if (rc)
            fail_msg("case %zu \"%s\": %s", i, parse_cases[i].raw, err.msg);
        render(&q, false, got, sizeof got);
        if (strcmp(got, parse_cases[i].canon) != 0)
            fail_msg("case %zu \"%s\": canon \"%s\", want \"%s\"", i, parse_cases[i].raw, got,
                     parse_cases[i].canon);
        render(&q, true, got, sizeof got);
        if (strcmp(got, parse_cases[i].fold) != 0)
            fail_msg("case %zu \"%s\": fold \"%s\", want \"%s\"", i, parse_cases[i].raw, got,
                     parse_cases[i].fold);
        for (size_t t = 0; t < q.n_terms; t++) {
            size_t spaces = 0;
            for (const char *p = q.terms[t].canon; *p; p++)
                spaces += *p == ' ';
            assert_int_equal(q.terms[t].n_words, spaces + 1);
        }
        sohoa_query_release(&q);
        sohoa_query_release(&q); /* twice is harmless */
    }
}

struct error_case {
    const char *raw;
    int code;
};

static void test_parse_errors(void **state)
{
    (void)state;
    char long_query[SOHOA_QUERY_MAX_BYTES + 2];
    memset(long_query, 'a', sizeof long_query - 1);
    long_query[sizeof long_query - 1] = '\0';
    char many_terms[256] = "", many_words[512] = "\"";
    for (int i = 0; i <= SOHOA_QUERY_MAX_TERMS; i++)
        snprintf(many_terms + strlen(many_terms), sizeof many_terms - strlen(many_terms), "w%d ",
                 i);
    for (int i = 0; i <= SOHOA_QUERY_MAX_WORDS; i++)
        snprintf(many_words + strlen(many_words), sizeof many_words - strlen(many_words), "w%d ",
                 i);

    const struct error_case cases[] = {
        {"", SOHOA_EINVAL},         {"   \t\n", SOHOA_EINVAL},  {"*", SOHOA_EINVAL},
        {"\"\"", SOHOA_EINVAL},     {"\"", SOHOA_EINVAL},       {"()-^:", SOHOA_EINVAL},
        {"' OR 1=1 --", 0},         {long_query, SOHOA_ELIMIT}, {many_terms, SOHOA_ELIMIT},
        {many_words, SOHOA_ELIMIT},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct sohoa_query q;
        struct sohoa_err err = {0};
        int rc = sohoa_query_parse(cases[i].raw, &q, &err);
        if (rc != cases[i].code)
            fail_msg("case %zu: rc %d, want %d (%s)", i, rc, cases[i].code, err.msg);
        if (rc) {
            assert_true(err.msg[0] != '\0');
            assert_null(q.terms);
            assert_int_equal(q.n_terms, 0);
        }
        sohoa_query_release(&q);
    }
    /* exactly at the limits is fine */
    long_query[SOHOA_QUERY_MAX_BYTES] = '\0';
    struct sohoa_query q;
    assert_int_equal(sohoa_query_parse(long_query, &q, NULL), 0);
    sohoa_query_release(&q);
    assert_int_equal(sohoa_query_parse(NULL, &q, NULL), SOHOA_EINVAL);
}

/* ---- snippets ------------------------------------------------------------------------------ */

static void test_strip_controls(void **state)
{
    (void)state;
    char s[] = "a\x01"
               "b\x02"
               "c\td\ne\rf\x1f"
               "đ\x7f";
    sohoa_text_strip_controls(s);
    assert_string_equal(s, "a b c\td\ne\rf đ\x7f");
    sohoa_text_strip_controls(NULL);
}

static void test_transfer(void **state)
{
    (void)state;
    char *out = NULL;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_snippet_transfer("Đường Hoà Bình",
                                            "\x01"
                                            "duong\x02 hoa \x01"
                                            "binh\x02",
                                            &out, &err),
                     0);
    assert_string_equal(out, "\x01"
                             "Đường\x02 Hoà \x01"
                             "Bình\x02");
    free(out);
    /* phrase span across words, marker at the very end */
    assert_int_equal(sohoa_snippet_transfer("Quyết định số", "\x01quyet dinh\x02 so", &out, &err),
                     0);
    assert_string_equal(out, "\x01Quyết định\x02 số");
    free(out);
    /* different lengths: the invariant is broken, nothing is returned */
    assert_int_equal(sohoa_snippet_transfer("Hoà", "\x01hoaa\x02", &out, &err), SOHOA_EFORMAT);
    assert_null(out);
    assert_int_equal(sohoa_snippet_transfer("Hoà Bình", "\x01hoa\x02", &out, &err), SOHOA_EFORMAT);
    assert_null(out);
}

/* Every line of the UDHR text: fold it, mark one word of the folded copy, move the marks over;
 * the result must be the canonical line with that same word marked. */
static void test_transfer_corpus(void **state)
{
    (void)state;
    FILE *f = fopen(SOHOA_CORPUS_DIR "/text/udhr_vi/udhr_vi.txt", "rb");
    if (!f) {
        print_message("corpus text missing: skipped\n");
        skip();
    }
    char line[8192];
    size_t lines = 0;
    while (fgets(line, sizeof line, f)) {
        char *canon = NULL, *fold = NULL, *moved = NULL, *word_fold = NULL;
        assert_int_equal(vn_normalize(line, strlen(line), &canon, NULL), 0);
        sohoa_text_strip_controls(canon);
        assert_int_equal(vn_fold(canon, &fold, NULL), 0);
        /* mark the middle word (bytes between two spaces) of the folded line */
        size_t n = strlen(fold), mid = n / 2, a = mid, b = mid;
        while (a > 0 && fold[a - 1] != ' ')
            a--;
        while (b < n && fold[b] != ' ' && fold[b] != '\n')
            b++;
        if (b <= a) {
            free(canon);
            free(fold);
            continue;
        }
        char *marked = malloc(n + 3);
        memcpy(marked, fold, a);
        marked[a] = SOHOA_MARK_OPEN;
        memcpy(marked + a + 1, fold + a, b - a);
        marked[b + 1] = SOHOA_MARK_CLOSE;
        memcpy(marked + b + 2, fold + b, n - b + 1);
        assert_int_equal(sohoa_snippet_transfer(canon, marked, &moved, NULL), 0);

        /* without the marks it is the canonical line */
        char *plain = strdup(moved), *o = plain;
        for (const char *p = moved; *p; p++)
            if (*p != SOHOA_MARK_OPEN && *p != SOHOA_MARK_CLOSE)
                *o++ = *p;
        *o = '\0';
        assert_string_equal(plain, canon);
        /* the marked canonical word folds to the marked folded word */
        const char *s = strchr(moved, SOHOA_MARK_OPEN) + 1, *e = strchr(moved, SOHOA_MARK_CLOSE);
        char *word = strndup(s, (size_t)(e - s));
        assert_int_equal(vn_fold(word, &word_fold, NULL), 0);
        assert_int_equal(strlen(word_fold), b - a);
        assert_memory_equal(word_fold, fold + a, b - a);
        lines++;
        free(word);
        free(word_fold);
        free(plain);
        free(marked);
        free(moved);
        free(canon);
        free(fold);
    }
    fclose(f);
    assert_true(lines > 50);
}

static char *window(const char *marked, int ctx, const char *open, const char *close)
{
    char *out = NULL;
    struct sohoa_err err = {0};
    int rc = sohoa_snippet_window(marked, ctx, open, close, &out, &err);
    if (rc)
        fail_msg("window: %s", err.msg);
    return out;
}

static size_t count_words(const char *s)
{
    size_t n = 0;
    bool in = false;
    for (; *s; s++) {
        if (*s == ' ') {
            in = false;
        } else if (!in) {
            in = true;
            n++;
        }
    }
    return n;
}

static void test_window(void **state)
{
    (void)state;
    /* 100 words w0 .. w99, the match on w50 */
    char text[1024] = "";
    for (int i = 0; i < 100; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text),
                 i == 50 ? "\x01w%d\x02 " : "w%d\n ", i);
    char *s = window(text, 20, NULL, NULL);
    assert_non_null(strstr(s, "«w50»"));
    assert_true(strncmp(s, "\xE2\x80\xA6 w40 ", 8) == 0); /* half the context before */
    assert_non_null(strstr(s, " w60 \xE2\x80\xA6"));
    assert_null(strchr(s, '\n'));
    assert_int_equal(count_words(s), 21 + 2); /* match + 20 context + two ellipses */
    free(s);

    /* near the start: no ellipsis before, context taken after */
    s = window("\x01Quyết\x02 định số 15 của Uỷ ban nhân dân tỉnh", 4, "<b>", "</b>");
    assert_string_equal(s, "<b>Quyết</b> định số 15 của \xE2\x80\xA6");
    free(s);

    /* near the end: context taken before */
    s = window("một hai ba bốn năm sáu \x01"
               "bảy\x02",
               3, "[", "]");
    assert_string_equal(s, "\xE2\x80\xA6 bốn năm sáu [bảy]");
    free(s);

    /* the first span is kept whole; a later span cut by the window end gets closed */
    s = window("a \x01"
               "b c d e\x02 f g",
               1, "[", "]");
    assert_string_equal(s, "\xE2\x80\xA6 [b c d e] f \xE2\x80\xA6");
    free(s);
    s = window("\x01"
               "a\x02 b \x01"
               "c d e\x02",
               2, "[", "]");
    assert_string_equal(s, "[a] b [c] \xE2\x80\xA6");
    free(s);
    s = window("x \x01y z\x02 \x01w\x02 v", 10, "[", "]");
    assert_string_equal(s, "x [y z] [w] v");
    free(s);

    /* no marker: the first words */
    s = window("  một\n\nhai   ba bốn  ", 2, NULL, NULL);
    assert_string_equal(s, "một hai ba \xE2\x80\xA6");
    free(s);
    s = window("", 5, NULL, NULL);
    assert_string_equal(s, "");
    free(s);

    char *out = (char *)1;
    assert_int_equal(sohoa_snippet_window("x", 0, NULL, NULL, &out, NULL), SOHOA_EINVAL);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_cases),     cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_strip_controls),  cmocka_unit_test(test_transfer),
        cmocka_unit_test(test_transfer_corpus), cmocka_unit_test(test_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
