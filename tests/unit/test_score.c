/* test_score.c — CER/WER scoring: hand-computed cases, pooling, diacritic errors, the comparison
 * form, a full-table Levenshtein as an independent check on random texts, a long page, and the
 * ground truth of vn-docs scored against itself and against a copy stripped of diacritics.
 * (That old and new tone placement score alike on the same pages is checked in test_vntext.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>

#include "tests/support/score.h"
#include "pipeline/base/vntext.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void assert_rate(double got, double want)
{
    if (fabs(got - want) > 1e-12)
        fail_msg("rate %.15g, want %.15g", got, want);
}

static struct sohoa_score score(const char *ref, const char *hyp)
{
    struct sohoa_score s;
    struct sohoa_err err = {0};
    if (sohoa_score_page(ref, strlen(ref), hyp, strlen(hyp), &s, &err) != 0)
        fail_msg("score failed: %s", err.msg);
    return s;
}

/* Each figure below was counted by hand. */
static const struct {
    const char *ref, *hyp;
    uint64_t ref_chars, char_edits, diacritic_subs, ref_words, word_edits;
} hand_cases[] = {
    {"kitten", "sitting", 6, 3, 0, 1, 1},         /* k→s, e→i, +g */
    {"một hai ba", "một ba", 10, 4, 0, 3, 1},     /* "hai " deleted */
    {"a b c d", "a x c", 7, 3, 0, 4, 2},          /* b→x, " d" deleted */
    {"QUYẾT ĐỊNH", "QUYÉT ĐỊNH", 10, 1, 1, 2, 1}, /* Ế→É differs only in diacritics */
    {"Chủ tịch", "Chú tịch", 8, 1, 1, 2, 1},      /* ủ→ú */
    {"đồng", "dong", 4, 2, 2, 1, 1},              /* đ→d and ồ→o */
    {"ab", "á", 2, 2, 1, 1, 1},                   /* a→á (diacritic) and b deleted */
    {"A", "a", 1, 1, 0, 1, 1},                    /* case is not a diacritic */
    {"Ế", "é", 1, 1, 0, 1, 1},                    /* nor is case + diacritic */
    {"hòa bình", "hoà bình", 8, 0, 0, 2, 0},      /* one tone placement after normalising */
    {"ho\u0300a", "hoà", 3, 0, 0, 1, 0},          /* NFD */
    {"  Điều 1.\n\n Phạm vi\t", "Điều 1. Phạm\u00A0vi", 15, 0, 0, 4, 0}, /* white space */
    {"Điều 1", "Điều L", 6, 1, 0, 2, 1},
    {"abc", "", 3, 3, 0, 1, 1},
    {"", "", 0, 0, 0, 0, 0},
    {"", "xyz", 0, 3, 0, 0, 1},
};

static void test_hand_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(hand_cases); i++) {
        struct sohoa_score s = score(hand_cases[i].ref, hand_cases[i].hyp);
        if (s.ref_chars != hand_cases[i].ref_chars || s.char_edits != hand_cases[i].char_edits ||
            s.diacritic_subs != hand_cases[i].diacritic_subs ||
            s.ref_words != hand_cases[i].ref_words || s.word_edits != hand_cases[i].word_edits)
            fail_msg("case %zu (\"%s\" / \"%s\"): chars %llu edits %llu diacritic %llu words %llu "
                     "word edits %llu",
                     i, hand_cases[i].ref, hand_cases[i].hyp, (unsigned long long)s.ref_chars,
                     (unsigned long long)s.char_edits, (unsigned long long)s.diacritic_subs,
                     (unsigned long long)s.ref_words, (unsigned long long)s.word_edits);
        assert_int_equal(s.pages, 1);
    }
}

static void test_rates_and_pool(void **state)
{
    (void)state;
    struct sohoa_score a = score("kitten", "sitting");        /* 3 / 6 */
    struct sohoa_score b = score("QUYẾT ĐỊNH", "QUYÉT ĐỊNH"); /* 1 / 10 */
    assert_rate(sohoa_score_cer(&a), 0.5);
    assert_rate(sohoa_score_wer(&a), 1.0);
    assert_rate(sohoa_score_cer(&b), 0.1);
    assert_rate(sohoa_score_wer(&b), 0.5);
    assert_rate(sohoa_score_diacritic_share(&b), 1.0);

    struct sohoa_score pool;
    sohoa_score_init(&pool);
    sohoa_score_add(&pool, &a);
    sohoa_score_add(&pool, &b);
    assert_int_equal(pool.pages, 2);
    assert_rate(sohoa_score_cer(&pool), 4.0 / 16.0); /* not (0.5 + 0.1) / 2 */
    assert_rate(sohoa_score_wer(&pool), 2.0 / 3.0);
    assert_rate(sohoa_score_diacritic_share(&pool), 1.0 / 4.0);

    struct sohoa_score empty = score("", "");
    assert_rate(sohoa_score_cer(&empty), 0.0);
    assert_rate(sohoa_score_diacritic_share(&empty), 0.0);
    struct sohoa_score extra = score("", "xyz");
    assert_rate(sohoa_score_cer(&extra), 1.0);
}

static void test_text_form(void **state)
{
    (void)state;
    char *out = NULL;
    const char *in = "\n  Thủy\u2003\u00A0Hòa \xff\r\n";
    assert_int_equal(sohoa_score_text_form(in, strlen(in), &out, NULL), 0);
    assert_string_equal(out, "Thuỷ Hoà \uFFFD");
    free(out);
    assert_int_equal(sohoa_score_text_form("", 0, &out, NULL), 0);
    assert_string_equal(out, "");
    free(out);
}

static void test_errors(void **state)
{
    (void)state;
    struct sohoa_score s = {.pages = 9};
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_score_page(NULL, 3, "x", 1, &s, &err), SOHOA_EINVAL);
    assert_int_equal(s.pages, 0);
    assert_int_equal(sohoa_score_page("x", 1, "x", 1, NULL, NULL), SOHOA_EINVAL);

    /* past the cell limit: refused at once, naming the limit */
    size_t n = 50000;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = '\0';
    clock_t t0 = clock();
    assert_int_equal(sohoa_score_page(big, n, big, n, &s, &err), SOHOA_ELIMIT);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    assert_non_null(strstr(err.msg, "limit"));
    assert_int_equal(s.pages, 0);
    free(big);
}

/* ---- independent check: the full table, (distance, -diacritic) compared lexicographically --- */

static void full_table(const uint32_t *a, size_t n, const uint32_t *b, size_t m, uint64_t *dist,
                       uint64_t *diac)
{
    size_t w = m + 1;
    uint64_t *d = malloc((n + 1) * w * sizeof *d), *k = malloc((n + 1) * w * sizeof *k);
    assert_non_null(d);
    assert_non_null(k);
    for (size_t i = 0; i <= n; i++)
        for (size_t j = 0; j <= m; j++) {
            if (i == 0 || j == 0) {
                d[i * w + j] = i + j;
                k[i * w + j] = 0;
                continue;
            }
            bool same = a[i - 1] == b[j - 1];
            bool dia = !same && vn_strip_cp(a[i - 1]) == vn_strip_cp(b[j - 1]);
            uint64_t cd[3] = {d[(i - 1) * w + j - 1] + !same, d[(i - 1) * w + j] + 1,
                              d[i * w + j - 1] + 1};
            uint64_t ck[3] = {k[(i - 1) * w + j - 1] + dia, k[(i - 1) * w + j], k[i * w + j - 1]};
            size_t best = 0;
            for (size_t c = 1; c < 3; c++)
                if (cd[c] < cd[best] || (cd[c] == cd[best] && ck[c] > ck[best]))
                    best = c;
            d[i * w + j] = cd[best];
            k[i * w + j] = ck[best];
        }
    *dist = d[n * w + m];
    *diac = k[n * w + m];
    free(d);
    free(k);
}

static void test_random_against_full_table(void **state)
{
    (void)state;
    /* letters that are equal when stripped, and others; no spaces so the form keeps them as is */
    static const char *const alphabet[] = {"a", "á", "à", "ă", "ắ", "â", "e", "ê",
                                           "ế", "d", "đ", "o", "ơ", "ờ", "b", "c"};
    unsigned seed = 12345;
    for (int round = 0; round < 400; round++) {
        char ref[256] = "", hyp[256] = "";
        for (char *s = ref; s; s = s == ref ? hyp : NULL) {
            seed = seed * 1103515245u + 12345u;
            size_t len = (seed >> 16) % 25, used = 0;
            for (size_t i = 0; i < len; i++) { /* at most 24 letters of 3 bytes: fits */
                seed = seed * 1103515245u + 12345u;
                const char *l = alphabet[(seed >> 16) % COUNT(alphabet)];
                size_t k = strlen(l);
                memcpy(s + used, l, k + 1);
                used += k;
            }
        }
        /* the full table runs on the same comparison form as the scorer */
        char *rf = NULL, *hf = NULL;
        assert_int_equal(sohoa_score_text_form(ref, strlen(ref), &rf, NULL), 0);
        assert_int_equal(sohoa_score_text_form(hyp, strlen(hyp), &hf, NULL), 0);
        uint32_t *a = NULL, *b = NULL;
        size_t n = 0, m = 0;
        assert_int_equal(vn_codepoints(rf, strlen(rf), &a, &n, NULL), 0);
        assert_int_equal(vn_codepoints(hf, strlen(hf), &b, &m, NULL), 0);
        uint64_t dist = 0, diac = 0;
        full_table(a, n, b, m, &dist, &diac);
        struct sohoa_score s = score(ref, hyp);
        if (s.char_edits != dist || s.diacritic_subs != diac)
            fail_msg("\"%s\" / \"%s\": %llu edits %llu diacritic, full table %llu %llu", ref, hyp,
                     (unsigned long long)s.char_edits, (unsigned long long)s.diacritic_subs,
                     (unsigned long long)dist, (unsigned long long)diac);
        /* symmetric */
        struct sohoa_score t = score(hyp, ref);
        assert_int_equal(t.char_edits, s.char_edits);
        assert_int_equal(t.diacritic_subs, s.diacritic_subs);
        free(a);
        free(b);
        free(rf);
        free(hf);
    }
}

/* ---- long pages and the real ground truth -------------------------------------------------- */

/* Every ground-truth page of vn-docs against a copy with all diacritics stripped (case kept):
 * each changed code point is one diacritic substitution, each word holding one is one word edit. */
static void test_ground_truth(void **state)
{
    (void)state;
    char dirpath[1024];
    snprintf(dirpath, sizeof dirpath, "%s/vn-docs/gt", SOHOA_CORPUS_DIR);
    DIR *dir = opendir(dirpath);
    assert_non_null(dir);
    struct sohoa_score same, stripped;
    sohoa_score_init(&same);
    sohoa_score_init(&stripped);
    uint64_t want_chars = 0, want_words = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t nl = strlen(e->d_name);
        if (nl < 8 || strcmp(e->d_name + nl - 7, ".gt.txt") != 0)
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dirpath, e->d_name);
        size_t len = 0;
        char *gt = test_read_file(path, &len);
        char *form = NULL, *plain = NULL;
        assert_int_equal(sohoa_score_text_form(gt, len, &form, NULL), 0);
        uint32_t *cps = NULL;
        size_t n = 0;
        assert_int_equal(vn_codepoints(form, strlen(form), &cps, &n, NULL), 0);
        bool word_hit = false;
        for (size_t i = 0; i <= n; i++) {
            if (i == n || cps[i] == ' ') {
                want_words += word_hit;
                word_hit = false;
                continue;
            }
            uint32_t p = vn_strip_cp(cps[i]);
            if (p != cps[i]) {
                cps[i] = p;
                want_chars++;
                word_hit = true;
            }
        }
        assert_int_equal(vn_from_codepoints(cps, n, &plain, NULL), 0);
        struct sohoa_score s;
        assert_int_equal(sohoa_score_page(gt, len, gt, len, &s, NULL), 0);
        sohoa_score_add(&same, &s);
        assert_int_equal(sohoa_score_page(gt, len, plain, strlen(plain), &s, NULL), 0);
        sohoa_score_add(&stripped, &s);
        free(gt);
        free(form);
        free(plain);
        free(cps);
    }
    closedir(dir);
    print_message("ground truth: %llu pages, %llu chars, %llu words; stripped: CER %.4f WER %.4f\n",
                  (unsigned long long)same.pages, (unsigned long long)same.ref_chars,
                  (unsigned long long)same.ref_words, sohoa_score_cer(&stripped),
                  sohoa_score_wer(&stripped));
    assert_true(same.pages >= 100);
    assert_int_equal(same.char_edits, 0);
    assert_int_equal(same.word_edits, 0);
    assert_true(want_chars > 10000);
    assert_int_equal(stripped.char_edits, want_chars);
    assert_int_equal(stripped.diacritic_subs, want_chars);
    assert_int_equal(stripped.word_edits, want_words);
    assert_int_equal(stripped.ref_chars, same.ref_chars);
}

/* A page of ~10 000 code points against a damaged copy: the distance must equal the damage. */
static void test_long_page(void **state)
{
    (void)state;
    size_t len = 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/text/udhr_vi/udhr_vi.txt", SOHOA_CORPUS_DIR);
    char *text = test_read_file(path, &len);
    char *form = NULL;
    assert_int_equal(sohoa_score_text_form(text, len, &form, NULL), 0);
    uint32_t *cps = NULL;
    size_t n = 0;
    assert_int_equal(vn_codepoints(form, strlen(form), &cps, &n, NULL), 0);
    if (n > 10000)
        n = 10000;
    while (n && cps[n - 1] == ' ')
        n--;
    /* damage: every 97th letter 'a' becomes 'b' (a plain substitution, far apart) */
    uint32_t *hyp = malloc((n + 1) * sizeof *hyp); /* + 1: never malloc(0) */
    assert_non_null(hyp);
    memcpy(hyp, cps, n * sizeof *hyp);
    uint64_t damage = 0;
    for (size_t i = 50; i < n; i += 97)
        if (hyp[i] != ' ' && hyp[i] != 'b') {
            hyp[i] = 'b';
            damage++;
        }
    char *ref_s = NULL, *hyp_s = NULL;
    assert_int_equal(vn_from_codepoints(cps, n, &ref_s, NULL), 0);
    assert_int_equal(vn_from_codepoints(hyp, n, &hyp_s, NULL), 0);
    clock_t t0 = clock();
    struct sohoa_score s = score(ref_s, hyp_s);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    print_message("long page: %llu chars, %llu edits in %.2f s\n", (unsigned long long)s.ref_chars,
                  (unsigned long long)s.char_edits, secs);
    assert_int_equal(s.ref_chars, n);
    assert_int_equal(s.char_edits, damage);
    assert_true(damage > 50);
    free(text);
    free(form);
    free(cps);
    free(hyp);
    free(ref_s);
    free(hyp_s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_cases),
        cmocka_unit_test(test_rates_and_pool),
        cmocka_unit_test(test_text_form),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_random_against_full_table),
        cmocka_unit_test(test_ground_truth),
        cmocka_unit_test(test_long_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
