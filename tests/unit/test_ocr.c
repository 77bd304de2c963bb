/* test_ocr.c — recognition with Tesseract: accuracy on the corpus, deadline, blank pages, words.
 *
 * One handle is created for the whole file and reused for every page (as a worker thread does).
 * Accuracy is scored with tests/support/score.h (docs/CORPUS.md rules) on real OCR output through
 * the same path as the page worker: imageio decode → clean → OCR. The vn-docs page PNGs are 200 dpi
 * but labelled 72, so their resolution is set to 200 here, as docs/CORPUS.md documents.
 *   - vn-docs-clean, 12 synthetic clean pages: pooled CER must be ≤ 1 %.
 *   - vn-docs, the 4 real scanned pages: pooled CER printed, must be ≤ 11 % (plain
 *     `tesseract -l vie` scores 13.6 % on them; ground truth leaves out seals and handwriting).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "pipeline/image/clean.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"
#include "tests/support/score.h"
#include "pipeline/base/vntext.h"

#define CORPUS SOHOA_CORPUS_DIR

static struct sohoa_ocr *ocr; /* one handle for the whole file */

static int setup(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    if (sohoa_ocr_new(NULL, NULL, &ocr, &err)) {
        fprintf(stderr, "sohoa_ocr_new: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sohoa_ocr_free(&ocr);
    return ocr == NULL ? 0 : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* decode → clean → OCR, the page worker's path. `dpi` > 0 overrides the file's resolution. */
static void ocr_file(const char *path, double dpi, struct sohoa_ocr_page *page)
{
    struct sohoa_err err = {0};
    struct sohoa_image img = {0};
    struct sohoa_clean_result cr;
    if (sohoa_imageio_decode_page(path, SOHOA_FORMAT_UNKNOWN, 0, NULL, &img, &err))
        fail_msg("%s: %s", path, err.msg);
    if (dpi > 0)
        img.xres = img.yres = dpi;
    if (sohoa_clean_page(&img, NULL, &cr, &err))
        fail_msg("%s: %s", path, err.msg);
    assert_false(cr.blank);
    if (sohoa_ocr_page(ocr, &cr.ocr, 0, page, &err))
        fail_msg("%s: %s", path, err.msg);
    sohoa_clean_result_release(&cr);
    sohoa_image_release(&img);
}

static void score_into(const char *name, const char *ref, const char *hyp, struct sohoa_score *pool)
{
    struct sohoa_score s;
    struct sohoa_err err = {0};
    if (sohoa_score_page(ref, strlen(ref), hyp, strlen(hyp), &s, &err))
        fail_msg("score %s: %s", name, err.msg);
    printf("  %-28s CER %6.2f%%  WER %6.2f%%\n", name, 100 * sohoa_score_cer(&s),
           100 * sohoa_score_wer(&s));
    sohoa_score_add(pool, &s);
}

/* --- accuracy ------------------------------------------------------------------------------ */

static void test_clean_corpus_cer(void **state)
{
    (void)state;
    json_error_t jerr;
    FILE *f = fopen(CORPUS "/vn-docs-clean/metadata.jsonl", "r");
    assert_non_null(f);
    struct sohoa_score pool;
    sohoa_score_init(&pool);
    char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        json_t *doc = json_loads(line, 0, &jerr);
        if (!doc)
            fail_msg("metadata.jsonl: %s", jerr.text);
        size_t i;
        json_t *pg;
        json_array_foreach(json_object_get(doc, "pages"), i, pg)
        {
            const char *image = json_string_value(json_object_get(pg, "image"));
            const char *text = json_string_value(json_object_get(pg, "text"));
            assert_non_null(image);
            assert_non_null(text);
            char path[1024];
            snprintf(path, sizeof path, "%s/vn-docs-clean/%s", CORPUS, image);
            struct sohoa_ocr_page page;
            ocr_file(path, 200, &page);
            score_into(strrchr(image, '/') + 1, text, page.text, &pool);
            sohoa_ocr_page_release(&page);
        }
        json_decref(doc);
    }
    fclose(f);
    double cer = sohoa_score_cer(&pool);
    printf("  vn-docs-clean: %llu pages pooled CER %.2f%% WER %.2f%%\n",
           (unsigned long long)pool.pages, 100 * cer, 100 * sohoa_score_wer(&pool));
    assert_int_equal(pool.pages, 12);
    assert_true(cer <= 0.01);
}

static void test_real_pages_cer(void **state)
{
    (void)state;
    static const char *names[] = {"real_cv_3722_metro", "real_hanoi_tb_453_flag",
                                  "real_nq_115_ba_vi", "real_qd_707_ttg"};
    struct sohoa_score pool;
    sohoa_score_init(&pool);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char img[1024], gt[1024];
        snprintf(img, sizeof img, "%s/vn-docs/pages/%s_p1.png", CORPUS, names[i]);
        snprintf(gt, sizeof gt, "%s/vn-docs/gt/%s.gt.txt", CORPUS, names[i]);
        char *ref = slurp(gt);
        struct sohoa_ocr_page page;
        ocr_file(img, 200, &page);
        score_into(names[i], ref, page.text, &pool);
        sohoa_ocr_page_release(&page);
        free(ref);
    }
    double cer = sohoa_score_cer(&pool);
    printf("  vn-docs real pages: pooled CER %.2f%% WER %.2f%% (plain tesseract -l vie: 13.6%%)\n",
           100 * cer, 100 * sohoa_score_wer(&pool));
    assert_true(cer <= 0.11);
}

/* --- behaviour ----------------------------------------------------------------------------- */

static void test_timeout(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    struct sohoa_image img = {0};
    struct sohoa_clean_result cr;
    assert_int_equal(sohoa_imageio_decode_page(CORPUS "/vn-docs/pages/real_qd_707_ttg_p1.png",
                                               SOHOA_FORMAT_UNKNOWN, 0, NULL, &img, &err),
                     0);
    assert_int_equal(sohoa_clean_page(&img, NULL, &cr, &err), 0);
    struct sohoa_ocr_page page;
    assert_int_equal(sohoa_ocr_page(ocr, &cr.ocr, 1, &page, &err), SOHOA_ETIMEOUT);
    assert_int_equal(err.code, SOHOA_ETIMEOUT);
    assert_false(err.retryable);
    printf("  1 ms deadline: %s\n", err.msg);
    assert_null(page.words);
    assert_null(page.text);
    assert_int_equal(page.n_words, 0);
    /* the handle is fine afterwards, and a generous deadline is no obstacle */
    assert_int_equal(sohoa_ocr_page(ocr, &cr.ocr, 120000, &page, &err), 0);
    assert_true(page.n_words > 100);
    sohoa_ocr_page_release(&page);
    sohoa_clean_result_release(&cr);
    sohoa_image_release(&img);
}

static void test_blank_image(void **state)
{
    (void)state;
    struct sohoa_image white = {0};
    assert_int_equal(sohoa_image_alloc(&white, 1000, 1400, 1, NULL), 0);
    memset(white.pixels, 255, white.stride * (size_t)white.height);
    white.xres = white.yres = 300;
    struct sohoa_ocr_page page;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_ocr_page(ocr, &white, 10000, &page, &err), 0);
    assert_int_equal(page.n_words, 0);
    assert_non_null(page.text);
    assert_string_equal(page.text, "");
    assert_true(page.mean_conf == 0);
    sohoa_ocr_page_release(&page);
    sohoa_image_release(&white);
}

/* Words: boxes inside the image, indices that never go back, page text = words + separators,
 * canonical text, and the same page twice gives the same result. */
static void test_words_and_text(void **state)
{
    (void)state;
    const char *path = CORPUS "/vn-docs-clean/pages/govt_cong_van_p1.png";
    struct sohoa_ocr_page a, b;
    ocr_file(path, 200, &a);
    ocr_file(path, 200, &b);
    assert_true(a.n_words > 100);
    assert_int_equal(a.n_words, b.n_words);
    assert_string_equal(a.text, b.text);
    assert_true(a.mean_conf > 80 && a.mean_conf <= 100);

    size_t pos = 0;
    for (size_t i = 0; i < a.n_words; i++) {
        const struct sohoa_word *w = &a.words[i];
        assert_true(w->x0 >= 0 && w->y0 >= 0 && w->x0 < w->x1 && w->y0 < w->y1);
        assert_true(w->x1 <= 1700 && w->y1 <= 2200);
        assert_true(w->conf >= 0 && w->conf <= 100);
        if (w->y1 - w->y0 >= 12) /* letters: the baseline crosses the box (dashes sit above) */
            assert_true(w->baseline > w->y0 && w->baseline <= w->y1 + 2);
        if (i > 0) {
            const struct sohoa_word *p = &a.words[i - 1];
            assert_true(w->block >= p->block && w->para >= p->para && w->line >= p->line);
            const char *sep = w->para != p->para ? "\n\n" : w->line != p->line ? "\n" : " ";
            assert_memory_equal(a.text + pos, sep, strlen(sep));
            pos += strlen(sep);
        }
        assert_memory_equal(a.text + pos, w->text, strlen(w->text));
        pos += strlen(w->text);
    }
    assert_int_equal(pos, strlen(a.text));
    /* the text is canonical: normalising it again changes nothing, and the page's "Uỷ ban"
     * comes out in the new tone placement whatever Tesseract spelled */
    char *again = NULL;
    assert_int_equal(vn_normalize(a.text, strlen(a.text), &again, NULL), 0);
    assert_string_equal(again, a.text);
    free(again);
    assert_non_null(strstr(a.text, "Uỷ ban"));
    assert_null(strstr(a.text, "Ủy ban"));

    /* boxes mapped back from an upscaled OCR image */
    int x1 = a.words[0].x1;
    sohoa_ocr_page_scale(&a, 0.5);
    assert_int_equal(a.words[0].x1, (x1 + 1) / 2);
    sohoa_ocr_page_release(&a);
    sohoa_ocr_page_release(&b);
}

/* Neither a missing language nor a page of unknown resolution (Tesseract then estimates it and
 * says so) prints anything on stderr. */
static void test_quiet(void **state)
{
    (void)state;
    char path[] = "/tmp/test_ocr_stderr.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fd, 2) >= 0);

    struct sohoa_err err = {0};
    struct sohoa_ocr *bad = NULL;
    int rc_bad = sohoa_ocr_new(NULL, "xyz", &bad, &err);
    struct sohoa_image img = {0};
    int rc_dec = sohoa_imageio_decode_page(CORPUS "/vn-docs-clean/pages/form_xin_nghi_viec_p1.png",
                                           SOHOA_FORMAT_UNKNOWN, 0, NULL, &img, &err);
    img.xres = img.yres = 0;
    struct sohoa_ocr_page page = {0};
    int rc_ocr = rc_dec ? -1 : sohoa_ocr_page(ocr, &img, 0, &page, &err);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    close(fd);
    char *said = slurp(path);
    unlink(path);
    if (st.st_size)
        fail_msg("stderr got %lld bytes: %.300s", (long long)st.st_size, said);
    free(said);

    assert_int_equal(rc_bad, SOHOA_ENOTFOUND);
    assert_null(bad);
    assert_int_equal(rc_dec, 0);
    assert_int_equal(rc_ocr, 0);
    assert_true(page.n_words > 50);
    sohoa_ocr_page_release(&page);
    sohoa_image_release(&img);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    struct sohoa_ocr_page page;
    struct sohoa_image empty = {0};
    assert_int_equal(sohoa_ocr_page(ocr, &empty, 0, &page, &err), SOHOA_EINVAL);
    assert_null(page.text);
    assert_int_equal(sohoa_ocr_page(NULL, &empty, 0, &page, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_ocr_set_psm(ocr, 99, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_ocr_set_param(ocr, "no_such_parameter_xyz", "1", &err), SOHOA_EINVAL);
    assert_non_null(strstr(sohoa_ocr_version(), "tesseract 5"));
    sohoa_ocr_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),  cmocka_unit_test(test_blank_image),
        cmocka_unit_test(test_quiet),          cmocka_unit_test(test_timeout),
        cmocka_unit_test(test_words_and_text), cmocka_unit_test(test_clean_corpus_cer),
        cmocka_unit_test(test_real_pages_cer),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
