/* test_render.c — hOCR, plain text and the words TSV.
 *
 * hOCR: a page of Vietnamese words in 2 blocks / 3 paragraphs / 4 lines, with hostile text (markup
 * characters, a control byte, invalid UTF-8), must parse as XML (xmllint, when installed), count
 * the right elements through XPath, carry each line's box as the union of its words, and give back
 * every word's text once unescaped (invalid bytes and controls as U+FFFD).
 * Text: lines and paragraphs joined as struct sohoa_ocr_page.text documents.
 * TSV: words with tabs, newlines, CR, backslashes, control bytes, literal "\t", empty text and
 * negative numbers round-trip exactly (conf to 0.01); truncated, miscounted, badly escaped or
 * malformed input is refused with SOHOA_EFORMAT naming the line; an oversized count with
 * SOHOA_ELIMIT; the same bytes are written under a decimal-comma locale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pipeline/pdf/render.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static struct sohoa_word page_words[] = {
    {100, 100, 220, 140, 96.4f, 0, 0, 0, 132, "CỘNG"},
    {240, 98, 360, 140, 91.5f, 0, 0, 0, 133, "HÒA"},
    {100, 160, 200, 200, 88.0f, 0, 0, 1, 192, "Độc"},
    {220, 162, 300, 205, 87.2f, 0, 0, 1, 193, "lập"},
    {100, 300, 260, 340, 75.0f, 1, 1, 2, 331, "<b>&\"'"},
    {280, 300, 400, 342, 12.6f, 1, 1, 2, 331, "ngữ\x01\xff"},
    {100, 400, 300, 445, 100.0f, 1, 2, 3, 436, "đồng."},
};

static const char *page_texts_unescaped[] = {
    "CỘNG", "HÒA", "Độc", "lập", "<b>&\"'", "ngữ\xEF\xBF\xBD\xEF\xBF\xBD", "đồng.",
};

static bool have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

static int run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(m);
    int st = pclose(p);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Drop trailing white space (xmllint --xpath ends with a newline in some versions). */
static char *rtrim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
    return s;
}

static size_t count_of(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The five XML entities back to characters (enough for what the renderer writes). */
static char *xml_unescape(const char *s, size_t len)
{
    static const struct {
        const char *ent, *ch;
    } ents[] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}};
    char *out = malloc(len + 1), *o = out;
    assert_non_null(out);
    for (size_t i = 0; i < len;) {
        size_t k;
        for (k = 0; k < COUNT(ents); k++) {
            size_t el = strlen(ents[k].ent);
            if (i + el <= len && memcmp(s + i, ents[k].ent, el) == 0) {
                *o++ = ents[k].ch[0];
                i += el;
                break;
            }
        }
        if (k == COUNT(ents)) {
            assert_true(s[i] != '&'); /* every & is an entity */
            *o++ = s[i++];
        }
    }
    *o = '\0';
    return out;
}

/* With xmllint: the document is well-formed XML and XPath counts the hOCR elements (page, areas,
 * paragraphs, lines, words). */
static void xmllint_checks(const char *hocr, const char *const want[5])
{
    if (!have_tool("xmllint")) {
        printf("xmllint not installed: XML checks skipped\n");
        return;
    }
    char path[] = "/tmp/test_render-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, hocr, strlen(hocr)), (ssize_t)strlen(hocr));
    close(fd);
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "xmllint --noout --nonet '%s' 2>&1", path);
    int rc = run(cmd, &out);
    if (rc != 0)
        fprintf(stderr, "%s\n", out);
    assert_int_equal(rc, 0);
    assert_string_equal(out, "");
    free(out);
    static const char *cls[5] = {"ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(cmd, sizeof cmd, "xmllint --nonet --xpath \"count(//*[@class='%s'])\" '%s'",
                 cls[i], path);
        assert_int_equal(run(cmd, &out), 0);
        assert_string_equal(rtrim(out), want[i]);
        free(out);
    }
    /* words nest in lines, lines in paragraphs, paragraphs in areas */
    snprintf(cmd, sizeof cmd,
             "xmllint --nonet --xpath \"count(//*[@class='ocr_carea']/*[@class='ocr_par']"
             "/*[@class='ocr_line']/*[@class='ocrx_word'])\" '%s'",
             path);
    assert_int_equal(run(cmd, &out), 0);
    assert_string_equal(rtrim(out), want[4]);
    free(out);
    unlink(path);
}

static void test_hocr(void **state)
{
    struct sohoa_ocr_page pg = {page_words, COUNT(page_words), NULL, 0};
    struct sohoa_err err = {0};
    char *hocr = NULL;
    assert_int_equal(sohoa_render_hocr(&pg, 2480, 3508, 300, &hocr, &err), 0);
    assert_non_null(hocr);

    assert_non_null(
        strstr(hocr, "<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>"));
    assert_non_null(strstr(hocr, "name=\"ocr-system\""));
    assert_non_null(strstr(hocr, "title=\"bbox 0 0 2480 3508; ppageno 0; scan_res 300 300\""));
    assert_int_equal(count_of(hocr, "class=\"ocr_carea\""), 2);
    assert_int_equal(count_of(hocr, "class=\"ocr_par\""), 3);
    assert_int_equal(count_of(hocr, "class=\"ocr_line\""), 4);
    assert_int_equal(count_of(hocr, "class=\"ocrx_word\""), COUNT(page_words));
    /* line boxes are unions; baseline is relative to the line box's bottom */
    assert_non_null(strstr(
        hocr, "id=\"line_1_1\" title=\"bbox 100 98 360 140; baseline 0.0071 -8; x_size 42\""));
    assert_non_null(
        strstr(hocr, "id=\"line_1_2\" title=\"bbox 100 160 300 205; baseline 0.0091 -13;"));
    assert_non_null(strstr(hocr, "id=\"line_1_3\" title=\"bbox 100 300 400 342; baseline 0 -11;"));
    assert_non_null(strstr(hocr, "id=\"block_1_2\" title=\"bbox 100 300 400 445\""));
    assert_non_null(strstr(hocr, "id=\"par_1_2\" lang=\"vie\" title=\"bbox 100 300 400 342\""));
    assert_non_null(strstr(hocr, "title=\"bbox 100 100 220 140; x_wconf 96\""));
    assert_non_null(strstr(hocr, "title=\"bbox 280 300 400 342; x_wconf 13\""));

    /* every word's text comes back, in order */
    size_t k = 0;
    for (const char *p = strstr(hocr, "class=\"ocrx_word\""); p;
         p = strstr(p + 1, "class=\"ocrx_word\"")) {
        const char *t = strchr(p, '>') + 1, *e = strstr(t, "</span>");
        char *text = xml_unescape(t, (size_t)(e - t));
        assert_true(k < COUNT(page_texts_unescaped));
        assert_string_equal(text, page_texts_unescaped[k]);
        free(text);
        k++;
    }
    assert_int_equal(k, COUNT(page_words));
    const char *const want_full[5] = {"1", "2", "3", "4", "7"};
    xmllint_checks(hocr, want_full);
    free(hocr);

    /* a blank page is a valid page with no content */
    struct sohoa_ocr_page blank = {0};
    assert_int_equal(sohoa_render_hocr(&blank, 100, 50, 0, &hocr, &err), 0);
    assert_int_equal(count_of(hocr, "class=\"ocr_page\""), 1);
    assert_int_equal(count_of(hocr, "class=\"ocr_carea\""), 0);
    assert_null(strstr(hocr, "scan_res"));
    const char *const want_blank[5] = {"1", "0", "0", "0", "0"};
    xmllint_checks(hocr, want_blank);
    free(hocr);

    assert_int_equal(sohoa_render_hocr(&blank, 0, 50, 0, &hocr, &err), SOHOA_EINVAL);
    assert_null(hocr);
}

static void test_text(void **state)
{
    struct sohoa_err err = {0};
    char *text = NULL;
    assert_int_equal(sohoa_render_text(page_words, COUNT(page_words), &text, &err), 0);
    assert_string_equal(text, "CỘNG HÒA\nĐộc lập\n\n<b>&\"' ngữ\x01\xff\n\nđồng.");
    free(text);
    assert_int_equal(sohoa_render_text(NULL, 0, &text, &err), 0);
    assert_string_equal(text, "");
    free(text);
}

/* ---- words TSV ----------------------------------------------------------------------------- */

static struct sohoa_word hostile[] = {
    {0, 0, 10, 10, 0.0f, 0, 0, 0, 9, "tab\there"},
    {-5, -7, 2147483647, -2147483647 - 1, 100.0f, 1, 2, 3, -1, "new\nline\r\n"},
    {1, 2, 3, 4, 93.57f, 4, 5, 6, 7, "back\\slash \\t literal \\\\"},
    {1, 2, 3, 4, 12.3f, 4, 5, 6, 7, ""},
    {1, 2, 3, 4, 50.0f, 4, 5, 6, 7, "ctl\x01\x1f\x7f end"},
    {1, 2, 3, 4, 99.99f, 4, 5, 6, 7, "Nguyễn Thị Hương đồng ngữ 𝔸"},
    {1, 2, 3, 4, 33.333f, 4, 5, 6, 7, "\\x41 not an escape \\"},
};

static void check_roundtrip(const struct sohoa_word *in, size_t n, const char *tsv)
{
    struct sohoa_err err = {0};
    struct sohoa_word *out = NULL;
    size_t n_out = 99;
    int rc = sohoa_words_tsv_parse(tsv, strlen(tsv), &out, &n_out, &err);
    if (rc)
        fprintf(stderr, "%s\n", err.msg);
    assert_int_equal(rc, 0);
    assert_int_equal(n_out, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(out[i].x0, in[i].x0);
        assert_int_equal(out[i].y0, in[i].y0);
        assert_int_equal(out[i].x1, in[i].x1);
        assert_int_equal(out[i].y1, in[i].y1);
        assert_true(fabsf(out[i].conf - in[i].conf) <= 0.005f + 1e-4f);
        assert_int_equal(out[i].block, in[i].block);
        assert_int_equal(out[i].para, in[i].para);
        assert_int_equal(out[i].line, in[i].line);
        assert_int_equal(out[i].baseline, in[i].baseline);
        assert_string_equal(out[i].text, in[i].text);
    }
    sohoa_words_free(&out, n_out);
    assert_null(out);
}

static void test_tsv_roundtrip(void **state)
{
    struct sohoa_err err = {0};
    char *tsv = NULL;
    assert_int_equal(sohoa_words_tsv_write(hostile, COUNT(hostile), &tsv, &err), 0);
    /* one header line + one line per word: no raw tab or newline leaked from a text */
    assert_int_equal(count_of(tsv, "\n"), COUNT(hostile) + 1);
    assert_int_equal(count_of(tsv, "\t"), 2 + 9 * COUNT(hostile));
    assert_null(strchr(tsv, '\r'));
    assert_memory_equal(tsv, "sohoa-words\t1\t7\n", 16);
    assert_non_null(strstr(tsv, "\t93.57\t"));
    assert_non_null(strstr(tsv, "ctl\\x01\\x1F\\x7F end\n"));
    check_roundtrip(hostile, COUNT(hostile), tsv);
    free(tsv);

    /* the page words too, and an empty page */
    assert_int_equal(sohoa_words_tsv_write(page_words, COUNT(page_words), &tsv, &err), 0);
    check_roundtrip(page_words, COUNT(page_words), tsv);
    free(tsv);
    assert_int_equal(sohoa_words_tsv_write(NULL, 0, &tsv, &err), 0);
    assert_string_equal(tsv, "sohoa-words\t1\t0\n");
    struct sohoa_word *w = (struct sohoa_word *)1;
    size_t n = 5;
    assert_int_equal(sohoa_words_tsv_parse(tsv, strlen(tsv), &w, &n, &err), 0);
    assert_null(w);
    assert_int_equal(n, 0);
    free(tsv);
}

static void test_tsv_rejects(void **state)
{
    static const struct {
        const char *data;
        int code;
        const char *msg; /* part of the message */
    } bad[] = {
        {"", SOHOA_EFORMAT, "truncated"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\tabc", SOHOA_EFORMAT, "truncated"},
        {"sohoa-words\t1\t2\n1\t2\t3\t4\t5\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "found 1"},
        {"sohoa-words\t1\t0\n1\t2\t3\t4\t5\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "found 1"},
        {"sohoa-words\t2\t0\n", SOHOA_EFORMAT, "version 2"},
        {"sohoa-wordz\t1\t0\n", SOHOA_EFORMAT, "header"},
        {"sohoa-words\t1\t-1\n", SOHOA_EFORMAT, "header"},
        {"sohoa-words\t1\t999999999\n", SOHOA_ELIMIT, "limit"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\\qb\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\tab\\\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\\x0\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\\x00\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\\xZZ\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\rb\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\tb\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\tx\t4\t5\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5,5\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t1e2\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5.\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t2147483648\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t1\n\t2\t3\t4\t5\t6\t7\t8\t9\tabc\n", SOHOA_EFORMAT, "line 2"},
        {"sohoa-words\t1\t2\n1\t2\t3\t4\t5\t6\t7\t8\t9\tabc\n1\t2\t3\n", SOHOA_EFORMAT, "line 3"},
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct sohoa_err err = {0};
        struct sohoa_word *w = (struct sohoa_word *)1;
        size_t n = 5;
        int rc = sohoa_words_tsv_parse(bad[i].data, strlen(bad[i].data), &w, &n, &err);
        if (rc != bad[i].code || !strstr(err.msg, bad[i].msg))
            fprintf(stderr, "case %zu: rc %d msg '%s'\n", i, rc, err.msg);
        assert_int_equal(rc, bad[i].code);
        assert_non_null(strstr(err.msg, bad[i].msg));
        assert_null(w);
        assert_int_equal(n, 0);
    }
    /* an embedded NUL byte */
    const char nul[] = "sohoa-words\t1\t1\n1\t2\t3\t4\t5\t6\t7\t8\t9\ta\0b\n";
    struct sohoa_err err = {0};
    struct sohoa_word *w = NULL;
    size_t n = 0;
    assert_int_equal(sohoa_words_tsv_parse(nul, sizeof nul - 1, &w, &n, &err), SOHOA_EFORMAT);
}

/* Under a decimal-comma locale the TSV bytes are the same and parse back. */
static void test_tsv_locale(void **state)
{
    struct sohoa_err err = {0};
    char *c_tsv = NULL, *vi_tsv = NULL;
    assert_int_equal(sohoa_words_tsv_write(hostile, COUNT(hostile), &c_tsv, &err), 0);
    const char *names[] = {"vi_VN.UTF-8", "vi_VN.utf8", "de_DE.UTF-8", "fr_FR.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < COUNT(names) && !got; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (!got) {
        free(c_tsv);
        printf("no decimal-comma locale installed (e.g. vi_VN): skipped\n");
        skip();
    }
    assert_int_equal(sohoa_words_tsv_write(hostile, COUNT(hostile), &vi_tsv, &err), 0);
    assert_string_equal(vi_tsv, c_tsv);
    check_roundtrip(hostile, COUNT(hostile), vi_tsv);
    char b[SOHOA_REAL_BUF];
    assert_string_equal(sohoa_fmt_real(b, 1234.5678, 3), "1234.568");
    setlocale(LC_NUMERIC, "C");
    free(c_tsv);
    free(vi_tsv);
}

static void test_fmt_real(void **state)
{
    char b[SOHOA_REAL_BUF];
    assert_string_equal(sohoa_fmt_real(b, 0, 3), "0");
    assert_string_equal(sohoa_fmt_real(b, 12.5, 3), "12.5");
    assert_string_equal(sohoa_fmt_real(b, -0.0004, 3), "0");
    assert_string_equal(sohoa_fmt_real(b, -0.0006, 3), "-0.001");
    assert_string_equal(sohoa_fmt_real(b, 0.05, 2), "0.05");
    assert_string_equal(sohoa_fmt_real(b, 99.999, 2), "100");
    assert_string_equal(sohoa_fmt_real(b, 595.2, 3), "595.2");
    assert_string_equal(sohoa_fmt_real(b, 1e300, 3), "1000000000");
    assert_string_equal(sohoa_fmt_real(b, NAN, 3), "0");
}

static void test_utf8(void **state)
{
    static const struct {
        const char *s;
        uint32_t cp;
        size_t used;
    } cases[] = {
        {"a", 'a', 1},
        {"\xC3\xA9", 0xE9, 2},
        {"\xE1\xBB\x87", 0x1EC7, 3},
        {"\xF0\x9D\x94\xB8", 0x1D538, 4},
        {"\xC0\xAF", 0xFFFD, 1}, /* overlong */
        {"\xED\xA0\x80", 0xFFFD, 1},
        /* surrogate */ {"\xF4\x90\x80\x80", 0xFFFD, 1},
        {"\xE1\xBB", 0xFFFD, 1},
        /* truncated */ {"\xFF", 0xFFFD, 1},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        size_t used = 0;
        uint32_t cp = sohoa_utf8_next((const unsigned char *)cases[i].s, strlen(cases[i].s), &used);
        assert_int_equal(cp, cases[i].cp);
        assert_int_equal(used, cases[i].used);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hocr),          cmocka_unit_test(test_text),
        cmocka_unit_test(test_tsv_roundtrip), cmocka_unit_test(test_tsv_rejects),
        cmocka_unit_test(test_tsv_locale),    cmocka_unit_test(test_fmt_real),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
