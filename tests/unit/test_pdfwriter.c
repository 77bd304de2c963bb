/* test_pdfwriter.c — the searchable-PDF writer, checked with independent readers.
 *
 * Pages are synthetic: Vietnamese lines laid out as word boxes, drawn into an image that Leptonica
 * encodes (colour JPEG, grey JPEG, CCITT G4 from pixGenerateCIData — Leptonica is used here in the
 * test only). The PDF is then read back by poppler and qpdf:
 *   - pdftotext and MuPDF give each page's lines in order, diacritics intact (ệ ữ đ and a non-BMP
 *     letter);
 *   - pdftotext -bbox gives each word at its box (points = pixels * 72 / dpi, per axis);
 *   - pdfinfo gives page sizes (non-square dpi kept), title and producer;
 *   - pdftoppm renders the images: black G4 text stays black, colours stay colours;
 *   - pdftocairo loads the embedded font without complaint, pdffonts reports it embedded with a
 *     ToUnicode map, qpdf --check finds no syntax or stream error (when qpdf is installed);
 * plus error paths (bad JPEG, size mismatch, empty document, oversize page), the .part/rename of
 * sohoa_pdf_open, and a run under the vi_VN locale (decimal comma) when that locale exists.
 * Tools that are missing make the test that needs them skip, visibly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <leptonica/allheaders.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/pdf/pdfwriter.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- synthetic pages --------------------------------------------------------------------- */

struct tline {
    int block, para;
    const char *text; /* words separated by single spaces */
    bool tight;       /* words 1 px apart: only the space glyph separates them */
    int tall;         /* 1-based index of a word whose box is inflated like a stamp; 0 none */
};

static const struct tline page_a[] = {
    {0, 0, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", false, 0},
    {0, 0, "Độc lập - Tự do - Hạnh phúc", false, 0},
    {1, 0, "Quyết định về việc tiếp nhận hồ sơ", false, 0},
    {1, 0, "của công dân Nguyễn Thị Hương", false, 3},
    {1, 1, "Điều 1. Giữ nguyên mức phí (đồng) ngữ nghĩa", false, 0},
};

static const struct tline page_b[] = {
    {0, 0, "Số: 15/QĐ-BNV", false, 0},
    {0, 1, "Hà Nội, ngày 05 tháng 01 năm 2020", false, 0},
    {1, 0, "Người ký: Trần Văn Đức 𝔸", false, 0},
};

static const struct tline page_c[] = {
    {0, 0, "Giấy chứng nhận đăng ký", false, 0},
    {0, 0, "doanh nghiệp số 0100233488", false, 0},
    {1, 0, "ngữ đồng thuận lệ", true, 0},
};

#define LINE_H  40 /* pixels */
#define CHAR_W  20
#define LEFT    150
#define TOP     200
#define LINE_DY 70

struct page_fx {
    struct sohoa_word *words;
    size_t n_words;
    int width, height;
    double xres, yres;
    enum sohoa_pdf_image_kind kind;
    uint8_t *data;
    size_t len;
    bool black_is_1;
};

static size_t cps(const char *s) /* code points */
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Words of the lines, one word box per space-separated token, lines LINE_DY apart (a new
 * paragraph adds half a line). Word heights vary slightly inside a line, like real text. */
static void layout(const struct tline *lines, size_t n_lines, struct page_fx *fx)
{
    size_t cap = 0;
    for (size_t i = 0; i < n_lines; i++)
        for (const char *c = lines[i].text; *c; c++)
            cap += *c == ' ';
    cap += n_lines;
    fx->words = calloc(cap, sizeof *fx->words);
    assert_non_null(fx->words);
    fx->n_words = 0;
    int y = TOP;
    for (size_t i = 0; i < n_lines; i++) {
        if (i > 0 && (lines[i].para != lines[i - 1].para || lines[i].block != lines[i - 1].block))
            y += LINE_DY / 2;
        int x = LEFT, nth = 0;
        const char *s = lines[i].text;
        while (*s) {
            const char *e = strchr(s, ' ');
            size_t len = e ? (size_t)(e - s) : strlen(s);
            struct sohoa_word *w = &fx->words[fx->n_words];
            char *text = strndup(s, len);
            assert_non_null(text);
            int nc = (int)cps(text);
            int shrink = fx->n_words % 3 == 1 ? 4 : 0; /* a word without descenders */
            *w = (struct sohoa_word){.x0 = x,
                                     .y0 = y,
                                     .x1 = x + nc * CHAR_W,
                                     .y1 = y + LINE_H - shrink,
                                     .conf = 90,
                                     .block = lines[i].block,
                                     .para = lines[i].para,
                                     .line = (int)i,
                                     .baseline =
                                         y + 30, /* 3/4 down the line, not where the font puts it */
                                     .text = text};
            if (++nth == lines[i].tall)
                w->y0 -= 45, w->y1 += 35; /* reaches into the lines above and below */
            fx->n_words++;
            x += nc * CHAR_W + (lines[i].tight ? 1 : CHAR_W);
            s += len;
            if (*s == ' ')
                s++;
        }
        y += LINE_DY;
    }
}

/* The page image: white, each word box filled (dark red in colour, black otherwise). */
static void encode(struct page_fx *fx)
{
    int depth = fx->kind == SOHOA_PDF_JPEG_RGB ? 32 : fx->kind == SOHOA_PDF_JPEG_GREY ? 8 : 1;
    PIX *pix = pixCreate(fx->width, fx->height, depth);
    assert_non_null(pix);
    pixSetResolution(pix, (l_int32)fx->xres, (l_int32)fx->yres);
    if (depth == 32)
        pixSetAllArbitrary(pix, 0xffffff00);
    else if (depth == 8)
        pixSetAllArbitrary(pix, 255);
    for (size_t i = 0; i < fx->n_words; i++) {
        const struct sohoa_word *w = &fx->words[i];
        BOX *box = boxCreate(w->x0, w->y0, w->x1 - w->x0, w->y1 - w->y0);
        if (depth == 32)
            pixSetInRectArbitrary(pix, box, 0xc8000000); /* r=200 g=0 b=0 */
        else if (depth == 8)
            pixSetInRectArbitrary(pix, box, 0);
        else
            pixSetInRect(pix, box); /* 1 = black in Leptonica */
        boxDestroy(&box);
    }
    if (depth == 1) {
        L_COMP_DATA *cid = NULL;
        assert_int_equal(pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid), 0);
        fx->len = cid->nbytescomp;
        fx->data = malloc(fx->len);
        assert_non_null(fx->data);
        memcpy(fx->data, cid->datacomp, fx->len);
        fx->black_is_1 = cid->minisblack != 0;
        l_CIDataDestroy(&cid);
    } else {
        l_uint8 *data = NULL;
        size_t len = 0;
        assert_int_equal(pixWriteMemJpeg(&data, &len, pix, 85, 0), 0);
        fx->data = malloc(len);
        assert_non_null(fx->data);
        memcpy(fx->data, data, len);
        fx->len = len;
        lept_free(data);
    }
    pixDestroy(&pix);
}

static void fx_make(struct page_fx *fx, const struct tline *lines, size_t n_lines,
                    enum sohoa_pdf_image_kind kind, int w, int h, double xres, double yres)
{
    memset(fx, 0, sizeof *fx);
    fx->kind = kind, fx->width = w, fx->height = h, fx->xres = xres, fx->yres = yres;
    if (lines)
        layout(lines, n_lines, fx);
    encode(fx);
}

static void fx_release(struct page_fx *fx)
{
    for (size_t i = 0; i < fx->n_words; i++)
        free(fx->words[i].text);
    free(fx->words);
    free(fx->data);
    memset(fx, 0, sizeof *fx);
}

static struct sohoa_pdf_page fx_page(const struct page_fx *fx)
{
    return (struct sohoa_pdf_page){.kind = fx->kind,
                                   .data = fx->data,
                                   .len = fx->len,
                                   .width = fx->width,
                                   .height = fx->height,
                                   .xres = fx->xres,
                                   .yres = fx->yres,
                                   .g4_black_is_1 = fx->black_is_1,
                                   .words = fx->words,
                                   .n_words = fx->n_words};
}

/* ---- running the readers ----------------------------------------------------------------- */

static bool have_tool(const char *name)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
    return system(cmd) == 0;
}

/* pdfinfo prints "Key:" padded with spaces, then the value. */
static bool info_has(const char *out, const char *key, const char *value)
{
    for (const char *k = strstr(out, key); k; k = strstr(k + 1, key)) {
        const char *v = k + strlen(key);
        while (*v == ' ')
            v++;
        if (strncmp(v, value, strlen(value)) == 0)
            return true;
    }
    return false;
}

/* Run a shell command, capture stdout (and stderr when the command redirects it); exit code. */
static int run(const char *cmd, char **out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(m);
    int st = pclose(p);
    *out = buf;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* ---- the document under test ------------------------------------------------------------- */

#define N_PAGES 4
static struct page_fx pages[N_PAGES];
static const struct tline *page_lines[N_PAGES] = {page_a, page_b, page_c, NULL};
static const size_t page_nlines[N_PAGES] = {COUNT(page_a), COUNT(page_b), COUNT(page_c), 0};
static const char *doc_title = "Hồ sơ thủ tục: Đăng ký (bản sao) \\ 𝔸";

/* 4 pages: colour JPEG 300 dpi, grey JPEG 300x150 dpi (non-square), G4 200 dpi, and a blank
 * colour page with no words (a failed or empty page: image only). */
static int setup_doc(void **state)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/test_pdfwriter-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    fx_make(&pages[0], page_a, COUNT(page_a), SOHOA_PDF_JPEG_RGB, 2480, 3508, 300, 300);
    fx_make(&pages[1], page_b, COUNT(page_b), SOHOA_PDF_JPEG_GREY, 2480, 1754, 300, 150);
    fx_make(&pages[2], page_c, COUNT(page_c), SOHOA_PDF_G4, 1700, 1100, 200, 200);
    fx_make(&pages[3], NULL, 0, SOHOA_PDF_JPEG_RGB, 600, 800, 100, 100);

    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    struct sohoa_pdf_info info = {
        .title = doc_title, .producer = "sohoa 0.1", .creation_time = 1577836800};
    FILE *fp = fopen(tmp_path("doc.pdf"), "wb");
    if (!fp || sohoa_pdf_begin(fp, &info, &pdf, &err) != 0)
        return -1;
    for (int i = 0; i < N_PAGES; i++) {
        struct sohoa_pdf_page pg = fx_page(&pages[i]);
        if (sohoa_pdf_add_page(pdf, &pg, &err) != 0) {
            fprintf(stderr, "add_page %d: %s\n", i, err.msg);
            return -1;
        }
    }
    int rc = sohoa_pdf_finish(pdf, &err);
    sohoa_pdf_free(&pdf);
    fclose(fp);
    return rc;
}

static int teardown_doc(void **state)
{
    for (int i = 0; i < N_PAGES; i++)
        fx_release(&pages[i]);
    if (getenv("SOHOA_KEEP_TMP")) { /* for looking at the PDFs by hand */
        printf("kept %s\n", tmpdir);
        return 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* Lines of pdftotext output for one page, empty lines and form feeds dropped, trimmed. */
static size_t text_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n\f", &save); l;
         l = strtok_r(NULL, "\n\f", &save)) {
        while (*l == ' ')
            l++;
        size_t len = strlen(l);
        while (len && l[len - 1] == ' ')
            l[--len] = '\0';
        if (len && n < max)
            lines[n++] = l;
    }
    return n;
}

/* a == b once spaces are dropped from both */
static bool equal_without_spaces(const char *a, const char *b)
{
    for (;; a++, b++) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
    }
}

enum reader { POPPLER, MUPDF };

/* Each page's text lines, in order, as pdftotext or MuPDF extract them. pdftotext places word
 * breaks by geometry only, so on the tight line its spaces are not compared; MuPDF honours the
 * space glyphs between words. */
static void check_text(const char *pdf, enum reader reader)
{
    if (!have_tool(reader == POPPLER ? "pdftotext" : "mutool"))
        skip();
    for (int p = 0; p < N_PAGES; p++) {
        char cmd[512], *out = NULL, *got[32];
        if (reader == POPPLER)
            snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 -f %d -l %d '%s' -", p + 1, p + 1, pdf);
        else
            snprintf(cmd, sizeof cmd, "mutool draw -F txt -o - '%s' %d 2>/dev/null", pdf, p + 1);
        assert_int_equal(run(cmd, &out), 0);
        size_t n = text_lines(out, got, COUNT(got));
        if (n != page_nlines[p])
            fprintf(stderr, "page %d: %zu lines, want %zu\n", p + 1, n, page_nlines[p]);
        assert_int_equal(n, page_nlines[p]);
        for (size_t i = 0; i < n; i++) {
            const struct tline *want = &page_lines[p][i];
            if (reader == POPPLER && want->tight)
                assert_true(equal_without_spaces(got[i], want->text));
            else
                assert_string_equal(got[i], want->text);
        }
        free(out);
    }
}

static void test_text_in_reading_order(void **state)
{
    check_text(tmp_path("doc.pdf"), POPPLER);
}

static void test_text_mupdf(void **state)
{
    check_text(tmp_path("doc.pdf"), MUPDF);
}

/* Every <word> of pdftotext -bbox, in order, against the input boxes. Horizontal edges come
 * from Tz and must match closely. Vertically, the selection box (the font's ascent and descent
 * around the baseline) must cover most of the word's box without running far past it; the
 * inflated "stamp" word is exempt (its line's font follows the typical word, not the outlier). */
static void check_boxes(const char *pdf)
{
    if (!have_tool("pdftotext"))
        skip();
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdftotext -bbox -enc UTF-8 '%s' - 2>/dev/null", pdf);
    assert_int_equal(run(cmd, &out), 0);
    const char *s = out;
    double worst_x = 0, worst_cover = 1, worst_tall = 0;
    for (int p = 0; p < N_PAGES; p++) {
        s = strstr(s, "<page ");
        assert_non_null(s);
        double pw, ph;
        assert_int_equal(sscanf(s, "<page width=\"%lf\" height=\"%lf\"", &pw, &ph), 2);
        const struct page_fx *fx = &pages[p];
        assert_true(fabs(pw - fx->width * 72.0 / fx->xres) < 0.01);
        assert_true(fabs(ph - fx->height * 72.0 / fx->yres) < 0.01);
        const char *next_page = strstr(s + 1, "<page ");
        size_t k = 0;
        for (const char *w = strstr(s, "<word "); w && (!next_page || w < next_page);
             w = strstr(w + 1, "<word ")) {
            double x0, y0, x1, y1;
            assert_int_equal(sscanf(w, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
                                    &x0, &y0, &x1, &y1),
                             4);
            const char *t = strchr(w, '>') + 1, *te = strstr(t, "</word>");
            assert_true(k < fx->n_words);
            const struct sohoa_word *want = &fx->words[k];
            assert_int_equal((size_t)(te - t), strlen(want->text));
            assert_memory_equal(t, want->text, strlen(want->text));
            double sx = 72.0 / fx->xres, sy = 72.0 / fx->yres;
            double dx = fmax(fabs(x0 - want->x0 * sx), fabs(x1 - want->x1 * sx));
            double wy0 = want->y0 * sy, wy1 = want->y1 * sy, wh = wy1 - wy0;
            double cover = fmax(0, fmin(y1, wy1) - fmax(y0, wy0)) / wh, tall = (y1 - y0) / wh;
            bool stamp = wh > 2 * LINE_H * sy;
            worst_x = fmax(worst_x, dx);
            if (!stamp) {
                worst_cover = fmin(worst_cover, cover);
                worst_tall = fmax(worst_tall, tall);
            }
            bool ok = dx <= 0.2 && (stamp || (cover >= 0.9 && tall <= 1.15));
            if (!ok)
                fprintf(stderr,
                        "page %d word %zu '%s': got %.2f %.2f %.2f %.2f want %.2f %.2f %.2f %.2f\n",
                        p + 1, k, want->text, x0, y0, x1, y1, want->x0 * sx, wy0, want->x1 * sx,
                        wy1);
            assert_true(ok);
            k++;
        }
        assert_int_equal(k, fx->n_words);
        s += 1;
    }
    printf("word boxes: worst horizontal error %.3f pt; selection covers >= %.0f %% of each word's "
           "height and is at most %.2f times as tall\n",
           worst_x, 100 * worst_cover, worst_tall);
    free(out);
}

static void test_word_boxes(void **state)
{
    check_boxes(tmp_path("doc.pdf"));
}

static void test_pdfinfo(void **state)
{
    if (!have_tool("pdfinfo"))
        skip();
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdfinfo -enc UTF-8 -f 1 -l %d '%s' 2>&1", N_PAGES,
             tmp_path("doc.pdf"));
    assert_int_equal(run(cmd, &out), 0);
    assert_true(info_has(out, "Pages:", "4\n"));
    assert_true(info_has(out, "PDF version:", "1.5\n"));
    assert_true(info_has(out, "Producer:", "sohoa 0.1\n"));
    char want[256];
    snprintf(want, sizeof want, "%s\n", doc_title);
    assert_true(info_has(out, "Title:", want));
    const char *date = strstr(out, "CreationDate:");
    assert_non_null(date);
    assert_true(strstr(date, "2020") && strstr(date, "2020") < strchr(date, '\n'));
    /* 2480x3508 @300 = A4 595.2x841.92; 2480x1754 @300x150 = 595.2x841.92 too */
    assert_true(info_has(out, "Page    1 size:", "595.2 x 841.92 pts"));
    assert_true(info_has(out, "Page    2 size:", "595.2 x 841.92 pts"));
    assert_true(info_has(out, "Page    3 size:", "612 x 396 pts"));
    assert_true(info_has(out, "Page    4 size:", "432 x 576 pts"));
    assert_null(strstr(out, "Error"));
    free(out);
}

static void test_qpdf_check(void **state)
{
    if (!have_tool("qpdf"))
        skip();
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", tmp_path("doc.pdf"));
    int rc = run(cmd, &out);
    if (rc != 0 || !strstr(out, "No syntax or stream encoding errors found"))
        fprintf(stderr, "%s", out);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "No syntax or stream encoding errors found"));
    free(out);
}

static void test_font(void **state)
{
    if (!have_tool("pdffonts") || !have_tool("pdftocairo"))
        skip();
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", tmp_path("doc.pdf"));
    assert_int_equal(run(cmd, &out), 0);
    /* name, type, encoding, emb, sub, uni */
    const char *row = strstr(out, "SohoaGlyphLess");
    assert_non_null(row);
    assert_non_null(strstr(row, "CID TrueType"));
    assert_non_null(strstr(row, "Identity-H"));
    assert_non_null(strstr(row, "yes no  yes"));
    assert_null(strstr(row + 1, "SohoaGlyphLess")); /* one shared font */
    free(out);
    /* cairo loads the embedded program through FreeType on every Tf: any complaint shows here */
    snprintf(cmd, sizeof cmd, "pdftocairo -r 20 -png '%s' '%s' 2>&1", tmp_path("doc.pdf"),
             tmp_path("cairo"));
    assert_int_equal(run(cmd, &out), 0);
    if (out[0])
        fprintf(stderr, "pdftocairo: %s\n", out);
    assert_string_equal(out, "");
    free(out);
}

static char *find_bytes(char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return hay + i;
    return NULL;
}

static uint32_t be(const uint8_t *p, int n)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static uint32_t sfnt_sum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint8_t w[4] = {0};
        memcpy(w, p + i, len - i < 4 ? len - i : 4);
        sum += be(w, 4);
    }
    return sum;
}

/* The embedded TrueType program (FontFile2) is a well-formed sfnt: every table in bounds with
 * its checksum right, the whole-font checksum 0xB1B0AFBA, the tables a TrueType font needs, two
 * glyphs of equal advance, loca consistent with glyf. */
static void test_truetype_program(void **state)
{
    FILE *f = fopen(tmp_path("doc.pdf"), "rb");
    assert_non_null(f);
    static char pdf[1 << 20];
    size_t n = fread(pdf, 1, sizeof pdf - 1, f);
    fclose(f);
    pdf[n] = '\0';
    char *at = NULL;
    for (char *p = pdf; (p = find_bytes(p, n - (size_t)(p - pdf), "/Length1 ")); p++)
        at = p; /* the font is written last; the page images come first */
    assert_non_null(at);
    /* assert_non_null leaves the test when `at` is NULL (cmocka longjmps): the analyzer goes on */
    size_t len = strtoul(at + 9, NULL, 10); /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
    char *st = find_bytes(at, n - (size_t)(at - pdf), "stream\n");
    assert_non_null(st);
    const uint8_t *ttf = (const uint8_t *)st + 7;
    assert_true(len > 12 && ttf + len <= (const uint8_t *)pdf + n);

    assert_int_equal(be(ttf, 4), 0x00010000);
    int ntab = (int)be(ttf + 4, 2);
    const char *need[] = {"OS/2", "cmap", "glyf", "head", "hhea",
                          "hmtx", "loca", "maxp", "name", "post"};
    const uint8_t *tab[COUNT(need)] = {0};
    uint32_t tlen[COUNT(need)] = {0};
    for (int i = 0; i < ntab; i++) {
        const uint8_t *rec = ttf + 12 + 16 * (size_t)i;
        uint32_t off = be(rec + 8, 4), tl = be(rec + 12, 4);
        assert_true(off % 4 == 0 && off + tl <= len);
        uint32_t sum = sfnt_sum(ttf + off, tl);
        if (memcmp(rec, "head", 4) == 0)
            sum -= be(ttf + off + 8, 4); /* checkSumAdjustment counts as 0 */
        assert_int_equal(sum, be(rec + 4, 4));
        if (i > 0)
            assert_true(memcmp(rec - 16, rec, 4) < 0); /* sorted by tag */
        for (size_t k = 0; k < COUNT(need); k++)
            if (memcmp(rec, need[k], 4) == 0)
                tab[k] = ttf + off, tlen[k] = tl;
    }
    for (size_t k = 0; k < COUNT(need); k++)
        assert_non_null(tab[k]);
    assert_int_equal(sfnt_sum(ttf, len), 0xB1B0AFBAu);
    const uint8_t *head = tab[3], *hhea = tab[4], *hmtx = tab[5], *loca = tab[6], *maxp = tab[7];
    assert_int_equal(be(head + 12, 4), 0x5F0F3CF5);
    assert_int_equal(be(head + 18, 2), 1000); /* unitsPerEm */
    assert_int_equal(be(head + 50, 2), 0);    /* short loca */
    int glyphs = (int)be(maxp + 4, 2), hmetrics = (int)be(hhea + 34, 2);
    assert_int_equal(glyphs, 2);
    assert_true(hmetrics >= 1 && hmetrics <= glyphs);
    assert_int_equal(tlen[5], 4 * hmetrics + 2 * (glyphs - hmetrics));
    for (int g = 0; g < hmetrics; g++)
        assert_int_equal(be(hmtx + 4 * (size_t)g, 2), 500); /* every glyph the same advance */
    assert_int_equal(tlen[6], 2 * (glyphs + 1));
    assert_int_equal(2 * be(loca + 2 * (size_t)glyphs, 2), tlen[2]);
    /* FontDescriptor's ascent/descent equal the font's own (hhea) */
    assert_non_null(find_bytes(pdf, n, "/Ascent 800 /Descent -200"));
    assert_int_equal((int16_t)be(hhea + 4, 2), 800);
    assert_int_equal((int16_t)be(hhea + 6, 2), -200);
}

/* Render page p at `dpi` and return the image (grey or colour). */
static PIX *render_page(int p, int dpi, bool grey)
{
    char cmd[512], *out = NULL;
    snprintf(cmd, sizeof cmd, "pdftoppm -f %d -l %d -r %d %s -png -singlefile '%s' '%s' 2>&1",
             p + 1, p + 1, dpi, grey ? "-gray" : "", tmp_path("doc.pdf"), tmp_path("render"));
    assert_int_equal(run(cmd, &out), 0);
    assert_string_equal(out, "");
    free(out);
    PIX *raw = pixRead(tmp_path("render.png"));
    assert_non_null(raw);
    PIX *pix = grey ? pixConvertTo8(raw, 0) : pixConvertTo32(raw);
    pixDestroy(&raw);
    assert_non_null(pix);
    return pix;
}

/* G4 data coded with 1 = black (TIFF MinIsBlack): an inverted bitmap declared g4_black_is_1
 * shows like the original; the same data without the flag shows inverted. */
static void test_g4_black_is_1(void **state)
{
    if (!have_tool("pdftoppm"))
        skip();
    const struct page_fx *fx = &pages[2];
    PIX *pix = pixCreate(fx->width, fx->height, 1);
    for (size_t i = 0; i < fx->n_words; i++) {
        const struct sohoa_word *w = &fx->words[i];
        BOX *box = boxCreate(w->x0, w->y0, w->x1 - w->x0, w->y1 - w->y0);
        pixSetInRect(pix, box);
        boxDestroy(&box);
    }
    pixInvert(pix, pix); /* text bits 0, paper bits 1 */
    L_COMP_DATA *cid = NULL;
    assert_int_equal(pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid), 0);
    pixDestroy(&pix);
    for (int flag = 0; flag <= 1; flag++) {
        struct sohoa_err err = {0};
        struct sohoa_pdf *pdf = NULL;
        struct sohoa_pdf_page pg = fx_page(fx);
        pg.data = cid->datacomp, pg.len = cid->nbytescomp, pg.g4_black_is_1 = flag;
        assert_int_equal(sohoa_pdf_open(tmp_path("g4.pdf"), NULL, &pdf, &err), 0);
        assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
        assert_int_equal(sohoa_pdf_finish(pdf, &err), 0);
        sohoa_pdf_free(&pdf);
        char cmd[512], *out = NULL;
        snprintf(cmd, sizeof cmd, "pdftoppm -r 50 -gray -png -singlefile '%s' '%s' 2>&1",
                 tmp_path("g4.pdf"), tmp_path("g4"));
        assert_int_equal(run(cmd, &out), 0);
        free(out);
        PIX *raw = pixRead(tmp_path("g4.png"));
        PIX *grey = pixConvertTo8(raw, 0);
        const struct sohoa_word *w = &fx->words[0];
        l_uint32 ink, paper;
        pixGetPixel(grey, (int)((w->x0 + w->x1) / 2.0 * 50 / fx->xres),
                    (int)((w->y0 + w->y1) / 2.0 * 50 / fx->yres), &ink);
        pixGetPixel(grey, 5, 5, &paper);
        if (flag) {
            assert_true(ink < 80 && paper > 200);
        } else {
            assert_true(ink > 200 && paper < 80);
        }
        pixDestroy(&raw);
        pixDestroy(&grey);
    }
    l_CIDataDestroy(&cid);
}

/* The image is drawn over the whole page the right way up and in the right colours: sample the
 * centre of every word box (filled) and the gap left of each line (background). */
static void test_images_render(void **state)
{
    if (!have_tool("pdftoppm"))
        skip();
    const int dpi = 50;
    for (int p = 0; p < 3; p++) {
        const struct page_fx *fx = &pages[p];
        bool colour = fx->kind == SOHOA_PDF_JPEG_RGB;
        PIX *pix = render_page(p, dpi, !colour);
        assert_true(abs(pixGetWidth(pix) - (int)lround(fx->width * (double)dpi / fx->xres)) <= 1);
        assert_true(abs(pixGetHeight(pix) - (int)lround(fx->height * (double)dpi / fx->yres)) <= 1);
        for (size_t i = 0; i < fx->n_words; i++) {
            const struct sohoa_word *w = &fx->words[i];
            int cx = (int)((w->x0 + w->x1) / 2.0 * dpi / fx->xres);
            int cy = (int)((w->y0 + w->y1) / 2.0 * dpi / fx->yres);
            int bx = (int)((LEFT / 2.0) * dpi / fx->xres);
            l_int32 r, g, b;
            if (colour) {
                pixGetRGBPixel(pix, cx, cy, &r, &g, &b);
                assert_true(r > 150 && g < 80 && b < 80);
                pixGetRGBPixel(pix, bx, cy, &r, &g, &b);
                assert_true(r > 220 && g > 220 && b > 220);
            } else {
                l_uint32 v;
                pixGetPixel(pix, cx, cy, &v);
                if (v > 80)
                    fprintf(stderr, "page %d word %zu: grey %u at its centre\n", p + 1, i, v);
                assert_true(v < 80); /* black stays black (G4 BlackIs1 right) */
                pixGetPixel(pix, bx, cy, &v);
                assert_true(v > 200);
            }
        }
        pixDestroy(&pix);
    }
}

/* ---- error paths ------------------------------------------------------------------------- */

static void test_errors(void **state)
{
    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(sohoa_pdf_begin(NULL, NULL, &pdf, &err), SOHOA_EINVAL);
    assert_null(pdf);
    assert_int_equal(sohoa_pdf_begin(fp, NULL, &pdf, &err), 0);
    assert_int_equal(sohoa_pdf_finish(pdf, &err), SOHOA_EEMPTY);

    struct sohoa_pdf_page pg = fx_page(&pages[0]);
    pg.width += 1; /* JPEG header says otherwise */
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EFORMAT);
    assert_non_null(strstr(err.msg, "2480x3508"));
    pg = fx_page(&pages[0]);
    pg.kind = SOHOA_PDF_JPEG_GREY; /* 3 components */
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EFORMAT);
    pg = fx_page(&pages[0]);
    pg.len = 100; /* header cut before the frame */
    uint8_t junk[100] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10};
    pg.data = junk;
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EFORMAT);
    pg = fx_page(&pages[0]);
    pg.xres = pg.yres = 10; /* 2480 px at 10 dpi = 248 in */
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_ELIMIT);
    pg = fx_page(&pages[0]);
    pg.words = NULL;
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_pdf_page_count(pdf), 0);

    /* the rejected pages left the writer usable */
    pg = fx_page(&pages[2]);
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
    assert_int_equal(sohoa_pdf_finish(pdf, &err), 0);
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EINVAL);
    sohoa_pdf_free(&pdf);
    assert_null(pdf);
    fclose(fp);
    assert_memory_equal(buf, "%PDF-1.5", 8);
    assert_non_null(strstr(buf + len - 7, "%%EOF"));
    free(buf);
}

/* A full disk is a retryable I/O error, and the writer stays failed. */
static void test_write_error(void **state)
{
    FILE *fp = fopen("/dev/full", "wb");
    if (!fp)
        skip();
    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    assert_int_equal(sohoa_pdf_begin(fp, NULL, &pdf, &err), 0); /* header still buffered */
    struct sohoa_pdf_page pg = fx_page(&pages[0]);              /* larger than stdio's buffer */
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), SOHOA_EIO);
    assert_true(err.retryable);
    assert_int_equal(sohoa_pdf_finish(pdf, &err), SOHOA_EIO);
    sohoa_pdf_free(&pdf);
    fclose(fp);
}

/* A long document: a flat page tree of 1000 kids that qpdf and poppler accept. */
static void test_many_pages(void **state)
{
    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    const int n = 1000;
    struct timespec t0, t1;
    assert_int_equal(sohoa_pdf_open(tmp_path("long.pdf"), NULL, &pdf, &err), 0);
    struct sohoa_pdf_page pg = fx_page(&pages[2]);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++)
        assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
    assert_int_equal(sohoa_pdf_finish(pdf, &err), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    sohoa_pdf_free(&pdf);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("%d pages (%zu words each) written in %.0f ms: %.3f ms per page\n", n, pages[2].n_words,
           ms, ms / n);
    char cmd[512], *out = NULL;
    if (have_tool("pdfinfo")) {
        snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", tmp_path("long.pdf"));
        assert_int_equal(run(cmd, &out), 0);
        assert_true(info_has(out, "Pages:", "1000\n"));
        free(out);
        snprintf(cmd, sizeof cmd, "pdftotext -f 777 -l 777 '%s' - 2>&1", tmp_path("long.pdf"));
        assert_int_equal(run(cmd, &out), 0);
        assert_non_null(strstr(out, "doanh nghiệp số 0100233488"));
        free(out);
    }
    if (have_tool("qpdf")) {
        snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", tmp_path("long.pdf"));
        assert_int_equal(run(cmd, &out), 0);
        free(out);
    }
}

/* sohoa_pdf_open writes <path>.part and renames it on finish; an abandoned writer leaves
 * nothing behind. Unknown dpi is taken as 300. */
static void test_open_path(void **state)
{
    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    struct stat st;
    const char *path = tmp_path("open.pdf"), *part = tmp_path("open.pdf.part");
    assert_int_equal(sohoa_pdf_open(path, NULL, &pdf, &err), 0);
    struct sohoa_pdf_page pg = fx_page(&pages[2]);
    pg.xres = pg.yres = 0;
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
    assert_int_equal(stat(path, &st), -1);
    assert_int_equal(stat(part, &st), 0);
    assert_int_equal(sohoa_pdf_finish(pdf, &err), 0);
    sohoa_pdf_free(&pdf);
    assert_int_equal(stat(part, &st), -1);
    assert_int_equal(stat(path, &st), 0);
    if (have_tool("pdfinfo")) {
        char cmd[512], *out = NULL;
        snprintf(cmd, sizeof cmd, "pdfinfo '%s'", path);
        assert_int_equal(run(cmd, &out), 0);
        assert_true(info_has(out, "Page size:", "408 x 264 pts")); /* 1700x1100 @ 300 */
        free(out);
    }

    const char *path2 = tmp_path("abandoned.pdf"), *part2 = tmp_path("abandoned.pdf.part");
    assert_int_equal(sohoa_pdf_open(path2, NULL, &pdf, &err), 0);
    assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
    sohoa_pdf_free(&pdf);
    assert_int_equal(stat(part2, &st), -1);
    assert_int_equal(stat(path2, &st), -1);

    assert_int_equal(sohoa_pdf_open("/nonexistent-dir/x.pdf", NULL, &pdf, &err), SOHOA_EIO);
    assert_null(pdf);
}

/* The same document written under a decimal-comma locale reads back identically. */
static void test_locale(void **state)
{
    const char *names[] = {"vi_VN.UTF-8", "vi_VN.utf8", "vi_VN", "de_DE.UTF-8", "fr_FR.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; i < COUNT(names) && !got; i++)
        got = setlocale(LC_NUMERIC, names[i]);
    if (!got) {
        printf("no decimal-comma locale installed (e.g. vi_VN): skipped\n");
        skip();
    }
    char probe[16];
    snprintf(probe, sizeof probe, "%.1f", 1.5);
    assert_string_equal(probe, "1,5"); /* the trap is armed */
    struct sohoa_err err = {0};
    struct sohoa_pdf *pdf = NULL;
    assert_int_equal(sohoa_pdf_open(tmp_path("locale.pdf"), NULL, &pdf, &err), 0);
    for (int i = 0; i < N_PAGES; i++) {
        struct sohoa_pdf_page pg = fx_page(&pages[i]);
        assert_int_equal(sohoa_pdf_add_page(pdf, &pg, &err), 0);
    }
    assert_int_equal(sohoa_pdf_finish(pdf, &err), 0);
    sohoa_pdf_free(&pdf);
    setlocale(LC_NUMERIC, "C");
    check_text(tmp_path("locale.pdf"), POPPLER);
    check_boxes(tmp_path("locale.pdf"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_in_reading_order),
        cmocka_unit_test(test_text_mupdf),
        cmocka_unit_test(test_word_boxes),
        cmocka_unit_test(test_pdfinfo),
        cmocka_unit_test(test_qpdf_check),
        cmocka_unit_test(test_font),
        cmocka_unit_test(test_truetype_program),
        cmocka_unit_test(test_images_render),
        cmocka_unit_test(test_g4_black_is_1),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_open_path),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_many_pages),
        cmocka_unit_test(test_locale),
    };
    return cmocka_run_group_tests(tests, setup_doc, teardown_doc);
}
