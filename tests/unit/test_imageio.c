/* test_imageio.c — decoding every input format, refusing every bad input, encoding JPEGs.
 *
 * Tables of data: each good file with the page size, bands, bilevel flag and resolution it must
 * decode to (sizes from the files' own headers: vipsheader, tiffinfo, pdfinfo x 300/72); each bad
 * file with the error code and the words its message must hold. Fixtures are made by
 * tests/data/bad/make.sh; the rest is ../shared/corpus.
 *
 * Two tests run work in a child process (this executable started again with a mode flag): the
 * fuzz-seed sweep, so a crash or a hang in a codec is caught per file with a deadline, and the
 * memory measurement, so other tests' allocations do not blur it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/image/imageio.h"
#include "pipeline/base/deadline.h"

#define CORPUS SOHOA_CORPUS_DIR
#define GOOD   SOHOA_TEST_DATA "/imageio"
#define BAD    SOHOA_TEST_DATA "/bad"
#define PEER   CORPUS "/peer-ocrmypdf"

#define FUZZ_SECONDS_PER_FILE 30
#define MB                    (1024.0 * 1024.0)

static char self_exe[4096];

/* --- helpers ------------------------------------------------------------------------------- */

static const uint8_t *px(const struct sohoa_image *img, int x, int y)
{
    return img->pixels + (size_t)y * img->stride + (size_t)x * (size_t)img->bands;
}

/* Mean luminance-ish value (mean of bands) over a w x h block at x, y. */
static double block_mean(const struct sohoa_image *img, int x, int y, int w, int h)
{
    double sum = 0;
    for (int j = y; j < y + h; j++)
        for (int i = x; i < x + w; i++)
            for (int b = 0; b < img->bands; b++)
                sum += px(img, i, j)[b];
    return sum / ((double)w * h * img->bands);
}

static void decode_ok(const char *path, int page, const struct sohoa_limits *lim,
                      struct sohoa_image *img)
{
    struct sohoa_err err = {0};
    int rc = sohoa_imageio_decode_page(path, SOHOA_FORMAT_UNKNOWN, page, lim, img, &err);
    if (rc)
        fail_msg("%s page %d: %s (%d)", path, page, err.msg, rc);
}

/* Probe, then decode every page; the first failure, or 0. */
static int first_failure(const char *path, const struct sohoa_limits *lim, int max_pages,
                         struct sohoa_err *err)
{
    struct sohoa_probe p;
    int rc = sohoa_imageio_probe(path, lim, &p, err);
    for (int i = 0; rc == 0 && i < p.n_pages && i < max_pages; i++) {
        struct sohoa_image img;
        rc = sohoa_imageio_decode_page(path, p.format, i, lim, &img, err);
        sohoa_image_release(&img);
    }
    return rc;
}

static char *make_temp_dir(void)
{
    char *dir = strdup("/tmp/sohoa-imageio-XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* --- good inputs --------------------------------------------------------------------------- */

struct good_case {
    const char *path;
    enum sohoa_format format;
    int n_pages;
    int page;
    int width, height, bands;
    int bilevel; /* 1, 0, or -1 for either */
    double dpi;  /* xres and yres */
};

static const struct good_case good_cases[] = {
    /* fixtures: one per format, compression and oddity */
    {GOOD "/multipage-g4-lzw-jpeg.tif", SOHOA_FORMAT_TIFF, 3, 0, 600, 400, 1, 1, 300},
    {GOOD "/multipage-g4-lzw-jpeg.tif", SOHOA_FORMAT_TIFF, 3, 1, 500, 300, 1, 0, 300},
    {GOOD "/multipage-g4-lzw-jpeg.tif", SOHOA_FORMAT_TIFF, 3, 2, 400, 300, 3, 0, 300},
    {GOOD "/g4-600dpi.tif", SOHOA_FORMAT_TIFF, 1, 0, 600, 400, 1, 1, 300},  /* reduced */
    {GOOD "/fax-204x98.tif", SOHOA_FORMAT_TIFF, 1, 0, 408, 408, 1, 1, 204}, /* squared */
    {GOOD "/cmyk.tif", SOHOA_FORMAT_TIFF, 1, 0, 300, 200, 3, 0, 300},
    {GOOD "/cmyk.jpg", SOHOA_FORMAT_JPEG, 1, 0, 300, 200, 3, 0, 300},
    {GOOD "/exif-rot6.jpg", SOHOA_FORMAT_JPEG, 1, 0, 200, 300, 3, 0, 300}, /* turned */
    {GOOD "/grey.jpg", SOHOA_FORMAT_JPEG, 1, 0, 600, 400, 1, 0, 300},
    {GOOD "/png-named.jpg", SOHOA_FORMAT_PNG, 1, 0, 600, 400, 1, 0, 300}, /* wrong name */
    {GOOD "/palette.png", SOHOA_FORMAT_PNG, 1, 0, 600, 400, 3, 0, 300},
    {GOOD "/grey16.png", SOHOA_FORMAT_PNG, 1, 0, 600, 400, 1, 0, 300},
    {GOOD "/alpha.png", SOHOA_FORMAT_PNG, 1, 0, 600, 400, 3, 0, 300},
    {GOOD "/bilevel.png", SOHOA_FORMAT_PNG, 1, 0, 600, 400, 1, 1, 300},
    {GOOD "/page.webp", SOHOA_FORMAT_WEBP, 1, 0, 600, 400, 3, 0, 300},
    {GOOD "/two-pages.pdf", SOHOA_FORMAT_PDF, 2, 1, 2479, 3508, 3, 0, 300}, /* A4 */
    {GOOD "/owner-password-only.pdf", SOHOA_FORMAT_PDF, 2, 0, 2479, 3508, 3, 0, 300},
    /* the shared corpus */
    {PEER "/multipage.pdf", SOHOA_FORMAT_PDF, 6, 0, 1600, 1962, 3, 0, 300},
    {PEER "/multipage.pdf", SOHOA_FORMAT_PDF, 6, 5, 3300, 2550, 3, 0, 300},
    {PEER "/aspect.pdf", SOHOA_FORMAT_PDF, 1, 0, 1500, 1200, 3, 0, 300},
    {PEER "/cmyk.pdf", SOHOA_FORMAT_PDF, 1, 0, 900, 900, 3, 0, 300},
    {PEER "/ccitt.pdf", SOHOA_FORMAT_PDF, 1, 0, 2550, 3300, 3, 0, 300},
    {PEER "/baiona_color.jpg", SOHOA_FORMAT_JPEG, 1, 0, 640, 682, 3, 0, 300}, /* 1 dpi: assumed */
    {PEER "/typewriter.png", SOHOA_FORMAT_PNG, 1, 0, 4000, 2864, 3, 0, 300},  /* 72 dpi: assumed */
    {CORPUS "/vn-docs/pages/real_qd_707_ttg_p1.png", SOHOA_FORMAT_PNG, 1, 0, 1673, 2356, 3, 0, 300},
    {CORPUS "/vn-docs/docs/real_qd_707_ttg.pdf", SOHOA_FORMAT_PDF, 1, 0, 2510, 3534, 3, 0, 300},
    {CORPUS "/fuzz-seeds/tiff/testfax4.tiff", SOHOA_FORMAT_TIFF, 1, 0, 2453, 3369, 1, 1, 300},
    {CORPUS "/fuzz-seeds/tiff/lzw-single-strip.tiff", SOHOA_FORMAT_TIFF, 1, 0, 7795, 3122, 1, -1,
     400},
    {CORPUS "/fuzz-seeds/tiff/palette-1c-8b.tiff", SOHOA_FORMAT_TIFF, 1, 0, 157, 151, 3, 0, 300},
    {CORPUS "/fuzz-seeds/tiff/rgb-3c-16b.tiff", SOHOA_FORMAT_TIFF, 1, 0, 157, 151, 3, 0, 300},
    {CORPUS "/fuzz-seeds/tiff/minisblack-2c-8b-alpha.tiff", SOHOA_FORMAT_TIFF, 1, 0, 64, 64, 1, -1,
     300},
    {CORPUS "/fuzz-seeds/png/basn0g01.png", SOHOA_FORMAT_PNG, 1, 0, 32, 32, 1, 1, 300},
    {CORPUS "/fuzz-seeds/png/basn0g16.png", SOHOA_FORMAT_PNG, 1, 0, 32, 32, 1, 0, 300},
    {CORPUS "/fuzz-seeds/png/basn3p08.png", SOHOA_FORMAT_PNG, 1, 0, 32, 32, 3, 0, 300},
    {CORPUS "/fuzz-seeds/png/basn4a16.png", SOHOA_FORMAT_PNG, 1, 0, 32, 32, 1, 0, 300},
    {CORPUS "/fuzz-seeds/png/basn6a16.png", SOHOA_FORMAT_PNG, 1, 0, 32, 32, 3, 0, 300},
};

static void test_good_inputs(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
        const struct good_case *c = &good_cases[i];
        struct sohoa_err err = {0};
        struct sohoa_probe p;
        struct sohoa_image img;
        int rc = sohoa_imageio_probe(c->path, NULL, &p, &err);
        if (rc) {
            print_error("%s: probe failed: %s\n", c->path, err.msg);
            failures++;
            continue;
        }
        rc = sohoa_imageio_decode_page(c->path, p.format, c->page, NULL, &img, &err);
        bool same = rc == 0 && p.format == c->format && p.n_pages == c->n_pages &&
                    img.width == c->width && img.height == c->height && img.bands == c->bands &&
                    (c->bilevel < 0 || img.bilevel == (c->bilevel == 1)) && img.xres == c->dpi &&
                    img.yres == c->dpi && img.stride >= (size_t)img.width * img.bands;
        if (!same) {
            print_error("%s page %d: rc %d %s; got %s %d pages %dx%dx%d bilevel %d %gx%g dpi, "
                        "want %s %d pages %dx%dx%d bilevel %d %g dpi\n",
                        c->path, c->page, rc, err.msg, sohoa_format_name(p.format), p.n_pages,
                        img.width, img.height, img.bands, img.bilevel, img.xres, img.yres,
                        sohoa_format_name(c->format), c->n_pages, c->width, c->height, c->bands,
                        c->bilevel, c->dpi);
            failures++;
        }
        sohoa_image_release(&img);
    }
    assert_int_equal(failures, 0);
}

/* The probe reports page 0 as stored (before turning or reduction) and the file's size. */
static void test_probe_reports_header(void **state)
{
    static const struct {
        const char *path;
        int n_pages, width, height;
    } cases[] = {
        {GOOD "/exif-rot6.jpg", 1, 300, 200},   {GOOD "/g4-600dpi.tif", 1, 1200, 800},
        {GOOD "/fax-204x98.tif", 1, 408, 196},  {GOOD "/two-pages.pdf", 2, 2479, 3508},
        {PEER "/multipage.pdf", 6, 1600, 1962},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sohoa_probe p;
        struct stat st;
        assert_int_equal(sohoa_imageio_probe(cases[i].path, NULL, &p, NULL), 0);
        assert_int_equal(stat(cases[i].path, &st), 0);
        assert_int_equal(p.n_pages, cases[i].n_pages);
        assert_int_equal(p.width, cases[i].width);
        assert_int_equal(p.height, cases[i].height);
        assert_int_equal(p.size, (uint64_t)st.st_size);
    }
}

/* A bilevel page holds only 0 and 255, also after reduction from 600 dpi. */
static void test_bilevel_values(void **state)
{
    const char *paths[] = {GOOD "/g4-600dpi.tif", GOOD "/fax-204x98.tif", GOOD "/bilevel.png"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct sohoa_image img;
        decode_ok(paths[i], 0, NULL, &img);
        size_t black = 0, other = 0;
        for (int y = 0; y < img.height; y++)
            for (int x = 0; x < img.width; x++) {
                uint8_t v = *px(&img, x, y);
                black += v == 0;
                other += v != 0 && v != 255;
            }
        assert_int_equal(other, 0);
        assert_true(black > 1000); /* the text survived */
        sohoa_image_release(&img);
    }
}

/* Transparent pixels become white; opaque ones keep the picture. */
static void test_alpha_flattened_on_white(void **state)
{
    struct sohoa_image img;
    decode_ok(GOOD "/alpha.png", 0, NULL, &img);
    assert_true(block_mean(&img, 0, 0, 300, 400) == 255.0);  /* the transparent half */
    assert_true(block_mean(&img, 300, 0, 300, 400) < 250.0); /* text on the opaque half */
    sohoa_image_release(&img);
}

/* EXIF orientation 6: the marker stored top-left is shown top-right. */
static void test_exif_orientation(void **state)
{
    struct sohoa_image img;
    decode_ok(GOOD "/exif-rot6.jpg", 0, NULL, &img);
    assert_int_equal(img.width, 200);
    assert_true(block_mean(&img, 165, 5, 30, 30) < 40);  /* top-right: the marker */
    assert_true(block_mean(&img, 5, 5, 30, 30) > 100);   /* top-left: paper */
    assert_true(block_mean(&img, 5, 265, 30, 30) > 100); /* bottom-left: paper */
    sohoa_image_release(&img);
}

/* CMYK, as JPEG and as TIFF, becomes sRGB with the red block still red. */
static void test_cmyk_to_srgb(void **state)
{
    const char *paths[] = {GOOD "/cmyk.jpg", GOOD "/cmyk.tif"};
    for (size_t i = 0; i < 2; i++) {
        struct sohoa_image img;
        decode_ok(paths[i], 0, NULL, &img);
        assert_int_equal(img.bands, 3);
        const uint8_t *red = px(&img, 220, 150);
        assert_true(red[0] > 150 && red[1] < 90 && red[2] < 90);
        assert_true(block_mean(&img, 0, 0, 40, 40) > 200); /* white paper stays white */
        sohoa_image_release(&img);
    }
}

/* A PDF page is rendered where its content is: the first drawn bar, 180..192 pt from the top
 * and 72..272 pt from the left, is black at 300 dpi, the margin white. */
static void test_pdf_render_geometry(void **state)
{
    struct sohoa_image img;
    decode_ok(GOOD "/two-pages.pdf", 0, NULL, &img);
    assert_true(block_mean(&img, 400, 760, 600, 30) < 10);
    assert_true(block_mean(&img, 10, 10, 200, 200) == 255.0);
    sohoa_image_release(&img);
}

/* Pages of a TIFF are distinct images, not page 0 again. */
static void test_tiff_pages_distinct(void **state)
{
    struct sohoa_image a, b;
    decode_ok(GOOD "/multipage-g4-lzw-jpeg.tif", 0, NULL, &a);
    decode_ok(GOOD "/multipage-g4-lzw-jpeg.tif", 2, NULL, &b);
    assert_int_not_equal(a.width * a.bands, b.width * b.bands);
    assert_true(block_mean(&b, 260, 220, 100, 60) > 60); /* the red block of page 3 */
    assert_true(px(&b, 300, 250)[0] > 150 && px(&b, 300, 250)[1] < 90);
    sohoa_image_release(&a);
    sohoa_image_release(&b);
}

/* --- bad inputs ---------------------------------------------------------------------------- */

struct bad_case {
    const char *path;
    int code;
    const char *words;
    uint64_t max_page_pixels; /* 0 = default */
    uint64_t max_file_bytes;  /* 0 = default */
    int max_pages;            /* 0 = default */
};

static const struct bad_case bad_cases[] = {
    {BAD "/empty.png", SOHOA_EEMPTY, "file is empty (0 bytes)", 0, 0, 0},
    {BAD "/truncated.png", SOHOA_EFORMAT, "PNG is truncated", 0, 0, 0},
    {BAD "/truncated.jpg", SOHOA_EFORMAT, "cannot decode page 1", 0, 0, 0},
    {BAD "/truncated.pdf", SOHOA_EFORMAT, "PDF is truncated", 0, 0, 0},
    {BAD "/truncated.tif", SOHOA_EFORMAT, "TIFF is truncated", 0, 0, 0},
    {BAD "/text.pdf", SOHOA_EFORMAT, "not a PDF or image: ", 0, 0, 0},
    {BAD "/encrypted.pdf", SOHOA_EENCRYPTED, "PDF is password-protected", 0, 0, 0},
    {BAD "/no-pages.pdf", SOHOA_EEMPTY, "PDF has no pages", 0, 0, 0},
    {PEER "/invalid.pdf", SOHOA_EFORMAT, "cannot read", 0, 0, 0},
    {BAD "/bomb-35000x35000.png", SOHOA_ELIMIT,
     "page is 35000x35000 = 1225 megapixels, over the limit max_page_pixels=40 megapixels (set "
     "SOHOA_MAX_PAGE_PIXELS or --max-page-pixels)",
     0, 0, 0},
    {BAD "/bomb-60000x60000.jpg", SOHOA_ELIMIT, "60000x60000 = 3600 megapixels", 0, 0, 0},
    {BAD "/huge-page.pdf", SOHOA_ELIMIT, "60000x60000 = 3600 megapixels", 0, 0, 0},
    /* 30 x 30 inches is 81 megapixels at 300 dpi: over the default (40) too; OCRmyPDF's own test
     * refuses it with --skip-big 10; the limit given here is honoured. */
    {PEER "/enormous.pdf", SOHOA_ELIMIT,
     "9000x9000 = 81 megapixels, over the limit max_page_pixels=50 megapixels", 50000000, 0, 0},
    {GOOD "/two-pages.pdf", SOHOA_ELIMIT,
     "file is 1.5 KiB, over the limit max_file_bytes=1000 bytes (set SOHOA_MAX_FILE_BYTES or "
     "--max-file-bytes)",
     0, 1000, 0},
    {PEER "/multipage.pdf", SOHOA_ELIMIT,
     "file has 6 pages, over the limit max_pages_per_file=5 (set SOHOA_MAX_PAGES_PER_FILE or "
     "--max-pages-per-file)",
     0, 0, 5},
    {BAD, SOHOA_EIO, "not a regular file (a directory)", 0, 0, 0},
    {BAD "/no-such-file.png", SOHOA_ENOTFOUND, "no such file", 0, 0, 0},
};

static void check_bad(const struct bad_case *c, int *failures)
{
    struct sohoa_limits lim = sohoa_limits_default();
    if (c->max_page_pixels)
        lim.max_page_pixels = c->max_page_pixels;
    if (c->max_file_bytes)
        lim.max_file_bytes = c->max_file_bytes;
    if (c->max_pages)
        lim.max_pages_per_file = c->max_pages;
    struct sohoa_err err = {0};
    int rc = first_failure(c->path, &lim, 1000, &err);
    if (rc != c->code || !strstr(err.msg, c->words) || !strstr(err.msg, c->path)) {
        print_error("%s: got %d \"%s\", want %d with \"%s\" and the path\n", c->path, rc, err.msg,
                    c->code, c->words);
        (*failures)++;
    }
}

static void test_bad_inputs(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++)
        check_bad(&bad_cases[i], &failures);
    assert_int_equal(failures, 0);
}

/* A FIFO is refused without ever blocking on it (a blocking open would hang this test). */
static void test_fifo_refused(void **state)
{
    char *dir = make_temp_dir();
    char fifo[512];
    snprintf(fifo, sizeof fifo, "%s/scan.pdf", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20);
    struct bad_case c = {fifo, SOHOA_EIO, "not a regular file (a FIFO (named pipe))", 0, 0, 0};
    int failures = 0;
    check_bad(&c, &failures);
    struct sohoa_image img;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_imageio_decode_page(fifo, SOHOA_FORMAT_PDF, 0, NULL, &img, &err),
                     SOHOA_EIO);
    alarm(0);
    unlink(fifo);
    rmdir(dir);
    free(dir);
    assert_int_equal(failures, 0);
}

/* One oversized page of a multi-page file fails alone: probe accepts the file. */
static void test_oversized_page_fails_alone(void **state)
{
    struct sohoa_limits lim = sohoa_limits_default();
    lim.max_page_pixels = 50000000;
    struct sohoa_probe p;
    struct sohoa_err err = {0};
    struct sohoa_image img;
    assert_int_equal(sohoa_imageio_probe(PEER "/multipage.pdf", &lim, &p, &err), 0);
    assert_int_equal(p.n_pages, 6);
    assert_int_equal(
        sohoa_imageio_decode_page(PEER "/multipage.pdf", p.format, 1, &lim, &img, &err),
        SOHOA_ELIMIT);
    assert_non_null(strstr(err.msg, "page 2 of"));
    assert_null(img.pixels);
    decode_ok(PEER "/multipage.pdf", 2, &lim, &img);
    sohoa_image_release(&img);
}

static void test_page_out_of_range(void **state)
{
    struct sohoa_image img;
    struct sohoa_err err = {0};
    assert_int_equal(
        sohoa_imageio_decode_page(GOOD "/two-pages.pdf", SOHOA_FORMAT_UNKNOWN, 2, NULL, &img, &err),
        SOHOA_EINVAL);
    assert_non_null(strstr(err.msg, "page 3 is out of range"));
    assert_non_null(strstr(err.msg, "has 2 pages"));
    assert_int_equal(sohoa_imageio_decode_page(GOOD "/multipage-g4-lzw-jpeg.tif", SOHOA_FORMAT_TIFF,
                                               3, NULL, &img, &err),
                     SOHOA_EINVAL);
    assert_non_null(strstr(err.msg, "has 3 pages"));
    assert_int_equal(
        sohoa_imageio_decode_page(GOOD "/page.webp", SOHOA_FORMAT_WEBP, 1, NULL, &img, &err),
        SOHOA_EINVAL);
    assert_int_equal(
        sohoa_imageio_decode_page(GOOD "/page.webp", SOHOA_FORMAT_WEBP, -1, NULL, &img, &err),
        SOHOA_EINVAL);
}

/* A deadline of 1 ms cannot be met by rendering an A4 page at 300 dpi. */
static void test_decode_timeout(void **state)
{
    struct sohoa_limits lim = sohoa_limits_default();
    lim.decode_timeout_ms = 1;
    struct sohoa_image img;
    struct sohoa_err err = {0};
    assert_int_equal(
        sohoa_imageio_decode_page(GOOD "/two-pages.pdf", SOHOA_FORMAT_PDF, 0, &lim, &img, &err),
        SOHOA_ETIMEOUT);
    assert_non_null(strstr(err.msg, "decode_timeout_ms=1 (set SOHOA_DECODE_TIMEOUT_MS"));
    assert_null(img.pixels);
}

/* --- sniffing ------------------------------------------------------------------------------ */

static void test_sniff(void **state)
{
    static const struct {
        const char *bytes;
        size_t len;
        enum sohoa_format want;
    } cases[] = {
        {"%PDF-1.7\n", 9, SOHOA_FORMAT_PDF},
        {"junk before\n%PDF-1.4\n", 21, SOHOA_FORMAT_PDF},
        {"II*\0\x08\0\0\0", 8, SOHOA_FORMAT_TIFF},
        {"MM\0*\0\0\0\x08", 8, SOHOA_FORMAT_TIFF},
        {"II+\0\x08\0\0\0", 8, SOHOA_FORMAT_TIFF},
        {"\xff\xd8\xff\xe0", 4, SOHOA_FORMAT_JPEG},
        {"\x89PNG\r\n\x1a\n", 8, SOHOA_FORMAT_PNG},
        {"RIFF\x10\0\0\0WEBPVP8 ", 16, SOHOA_FORMAT_WEBP},
        {"GIF89a", 6, SOHOA_FORMAT_GIF},
        {"\0\0\0\x0cjP  \r\n\x87\n", 12, SOHOA_FORMAT_JP2K},
        {"\0\0\0\x18"
         "ftypheic",
         12, SOHOA_FORMAT_HEIF},
        {"\0\0\0\x1c"
         "ftypavif",
         12, SOHOA_FORMAT_HEIF},
        {"\xff\x0a", 2, SOHOA_FORMAT_JXL},
        {"RIFF\x10\0\0\0WAVEfmt ", 16, SOHOA_FORMAT_UNKNOWN},
        {"\x89PN", 3, SOHOA_FORMAT_UNKNOWN},
        {"Hello, world", 12, SOHOA_FORMAT_UNKNOWN},
        {"", 0, SOHOA_FORMAT_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(sohoa_format_sniff(cases[i].bytes, cases[i].len), cases[i].want);
    assert_int_equal(sohoa_format_sniff(NULL, 10), SOHOA_FORMAT_UNKNOWN);
    assert_string_equal(sohoa_format_name(SOHOA_FORMAT_WEBP), "webp");
    assert_string_equal(sohoa_format_name((enum sohoa_format)99), "unknown");
}

/* --- encoding ------------------------------------------------------------------------------ */

/* Encode, write, decode again. */
static void round_trip(const struct sohoa_image *img, struct sohoa_image *back)
{
    uint8_t *jpg = NULL;
    size_t len = 0;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_imageio_encode_jpeg(img, 90, &jpg, &len, &err), 0);
    assert_true(len > 100 && jpg[0] == 0xFF && jpg[1] == 0xD8);
    char *dir = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/page.jpg", dir);
    write_file(path, jpg, len);
    decode_ok(path, 0, NULL, back);
    unlink(path);
    rmdir(dir);
    free(dir);
    free(jpg);
}

static double mean_abs_diff(const struct sohoa_image *a, const struct sohoa_image *b)
{
    double sum = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * a->bands; x++)
            sum += abs((int)a->pixels[(size_t)y * a->stride + x] -
                       (int)b->pixels[(size_t)y * b->stride + x]);
    return sum / ((double)a->width * a->height * a->bands);
}

static void test_encode_jpeg_grey_and_colour(void **state)
{
    const char *paths[] = {GOOD "/grey.jpg", GOOD "/page.webp"};
    for (size_t i = 0; i < 2; i++) {
        struct sohoa_image img, back;
        decode_ok(paths[i], 0, NULL, &img);
        img.xres = img.yres = 200; /* must travel in the JFIF header */
        round_trip(&img, &back);
        assert_int_equal(back.width, img.width);
        assert_int_equal(back.height, img.height);
        assert_int_equal(back.bands, img.bands); /* grey stays one channel */
        assert_true(back.xres == 200 && back.yres == 200);
        assert_true(mean_abs_diff(&img, &back) < 6);
        sohoa_image_release(&img);
        sohoa_image_release(&back);
    }
}

/* Rows with padding (stride > width * bands) encode as the picture, not the padding. */
static void test_encode_padded_stride(void **state)
{
    struct sohoa_image img = {0}, back;
    img.width = 96;
    img.height = 64;
    img.bands = 3;
    img.stride = 96 * 3 + 40;
    img.pixels = malloc(img.stride * 64);
    assert_non_null(img.pixels);
    memset(img.pixels, 0, img.stride * 64); /* the padding is black */
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 96; x++) {
            uint8_t *p = img.pixels + (size_t)y * img.stride + (size_t)x * 3;
            p[0] = (uint8_t)(x * 2 + 40);
            p[1] = (uint8_t)(y * 3);
            p[2] = 200;
        }
    round_trip(&img, &back);
    assert_int_equal(back.width, 96);
    assert_true(mean_abs_diff(&img, &back) < 6);
    sohoa_image_release(&back);
    free(img.pixels);
}

static void test_thumbnail(void **state)
{
    struct sohoa_image page, thumb;
    decode_ok(GOOD "/two-pages.pdf", 0, NULL, &page);
    uint8_t *jpg = NULL;
    size_t len = 0;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_imageio_thumbnail_jpeg(&page, 256, 70, &jpg, &len, &err), 0);
    char *dir = make_temp_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/thumb.jpg", dir);
    write_file(path, jpg, len);
    decode_ok(path, 0, NULL, &thumb);
    assert_int_equal(thumb.height, 256); /* the longer side */
    assert_int_equal(thumb.width, 181);  /* 2479 * 256 / 3508 */
    assert_true(len < 40000);
    free(jpg);
    sohoa_image_release(&thumb);
    /* never enlarged */
    assert_int_equal(sohoa_imageio_thumbnail_jpeg(&page, 5000, 70, &jpg, &len, &err), 0);
    write_file(path, jpg, len);
    decode_ok(path, 0, NULL, &thumb);
    assert_int_equal(thumb.width, 2479);
    free(jpg);
    sohoa_image_release(&thumb);
    unlink(path);
    rmdir(dir);
    free(dir);
    sohoa_image_release(&page);
}

static void test_encode_bad_arguments(void **state)
{
    struct sohoa_image empty = {0};
    uint8_t *jpg = (uint8_t *)&empty;
    size_t len = 7;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_imageio_encode_jpeg(&empty, 80, &jpg, &len, &err), SOHOA_EINVAL);
    assert_null(jpg);
    assert_int_equal(len, 0);
    struct sohoa_image img;
    decode_ok(GOOD "/grey.jpg", 0, NULL, &img);
    assert_int_equal(sohoa_imageio_encode_jpeg(&img, 0, &jpg, &len, &err), SOHOA_EINVAL);
    assert_int_equal(sohoa_imageio_thumbnail_jpeg(&img, 0, 70, &jpg, &len, &err), SOHOA_EINVAL);
    sohoa_image_release(&img);
}

static void test_version(void **state)
{
    assert_int_equal(sohoa_imageio_init(NULL), 0);
    assert_int_equal(strncmp(sohoa_imageio_version(), "libvips 8.", 10), 0);
}

/* --- threads ------------------------------------------------------------------------------- */

struct thread_job {
    const char *path;
    int page, width;
    int ok;
};

static void *decode_many(void *arg)
{
    struct thread_job *j = arg;
    j->ok = 1;
    for (int i = 0; i < 4; i++) {
        struct sohoa_image img;
        struct sohoa_err err = {0};
        if (sohoa_imageio_decode_page(j->path, SOHOA_FORMAT_UNKNOWN, j->page, NULL, &img, &err) ||
            img.width != j->width)
            j->ok = 0;
        sohoa_image_release(&img);
    }
    return NULL;
}

/* Workers decode different files at the same time. */
static void test_concurrent_decodes(void **state)
{
    struct thread_job jobs[] = {
        {GOOD "/two-pages.pdf", 1, 2479, 0},
        {GOOD "/multipage-g4-lzw-jpeg.tif", 1, 500, 0},
        {GOOD "/cmyk.jpg", 0, 300, 0},
    };
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&t[i], NULL, decode_many, &jobs[i]), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(jobs[i].ok, 1);
    }
}

/* --- child processes: the fuzz sweep and the memory measurement ---------------------------- */

/* Child mode: probe and decode up to 4 pages; exit 0 when every answer kept the contract
 * (0, or a negative code with a message), 3 when one did not. */
static int child_decode_one(const char *path)
{
    struct sohoa_limits lim = sohoa_limits_default();
    lim.decode_timeout_ms = 10000;
    struct sohoa_err err = {0};
    struct sohoa_probe p;
    int rc = sohoa_imageio_probe(path, &lim, &p, &err);
    if (rc > 0 || (rc < 0 && !err.msg[0]))
        return 3;
    for (int i = 0; rc == 0 && i < p.n_pages && i < 4; i++) {
        struct sohoa_image img;
        sohoa_err_clear(&err);
        int r = sohoa_imageio_decode_page(path, p.format, i, &lim, &img, &err);
        if (r > 0 || (r < 0 && !err.msg[0]) || (r == 0 && !img.pixels))
            return 3;
        sohoa_image_release(&img);
    }
    return 0;
}

extern char **environ;

/* Run this executable with `args`; its status, or -1 after killing it at the deadline. Under
 * AddressSanitizer the child skips leak checking (fontconfig and cairo keep caches to the end),
 * so a non-zero exit means a real memory error or a broken contract. */
static int run_child(char *const args[], int seconds, double *ms)
{
    static char asan[512];
    const char *old = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "ASAN_OPTIONS=%s%sdetect_leaks=0", old ? old : "",
             old && *old ? ":" : "");
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    assert_non_null(env);
    for (size_t i = 0, j = 0; i < n; i++)
        if (strncmp(environ[i], "ASAN_OPTIONS=", 13) != 0)
            env[j++] = environ[i];
    for (n = 0; env[n];)
        n++;
    env[n] = asan;

    double start = sohoa_now_ms();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execve(self_exe, args, env);
        _exit(127);
    }
    free(env);
    int status = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        if (sohoa_now_ms() - start > seconds * 1000.0) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            *ms = sohoa_now_ms() - start;
            return -1;
        }
        struct timespec nap = {0, 20L * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    *ms = sohoa_now_ms() - start;
    return status;
}

/* A content stream that decompresses to gigabytes inside poppler: rendering runs for minutes
 * and cannot be interrupted from inside the process (see the report in imageio.h). */
static const char *const known_hangs[] = {"bomb_giant.pdf"};

static bool is_known_hang(const char *name)
{
    for (size_t i = 0; i < sizeof known_hangs / sizeof known_hangs[0]; i++)
        if (strcmp(name, known_hangs[i]) == 0)
            return true;
    return false;
}

static void test_fuzz_seeds_never_crash(void **state)
{
    static const char *const dirs[] = {"pdf", "tiff", "png"};
    int files = 0, failures = 0, hangs = 0;
    for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/fuzz-seeds/%s", CORPUS, dirs[d]);
        DIR *dh = opendir(dir);
        assert_non_null(dh);
        struct dirent *e;
        while ((e = readdir(dh))) {
            if (e->d_name[0] == '.' || strncmp(e->d_name, "LICENSE", 7) == 0)
                continue;
            char path[2048];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            char *args[] = {self_exe, "--decode-one", path, NULL};
            double ms = 0;
            int status = run_child(args, FUZZ_SECONDS_PER_FILE, &ms);
            files++;
            if (status == -1 && is_known_hang(e->d_name)) {
                print_message("known hang, killed after %.0f s: %s\n", ms / 1e3, path);
                hangs++;
            } else if (status == -1) {
                print_error("hang (over %d s): %s\n", FUZZ_SECONDS_PER_FILE, path);
                failures++;
            } else if (WIFSIGNALED(status)) {
                print_error("crash (signal %d): %s\n", WTERMSIG(status), path);
                failures++;
            } else if (WEXITSTATUS(status) != 0) {
                print_error("broke the error contract (exit %d): %s\n", WEXITSTATUS(status), path);
                failures++;
            }
        }
        closedir(dh);
    }
    print_message("fuzz seeds: %d files, %d failures, %d known hangs\n", files, failures, hangs);
    assert_true(files > 100);
    assert_int_equal(failures, 0);
}

static long max_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* Child mode: decode every page of multipage.pdf one by one, twice over. Nothing may be kept
 * between pages, so the second pass must not raise the peak; and the peak stays within what one
 * page needs (its 9000 x 9000 page: 243 MB of pixels, poppler's copy of the embedded image and
 * libvips' 4000-pixel tiles) with room to spare: 1.5 GB. */
static int child_measure_memory(void)
{
    const char *path = PEER "/multipage.pdf";
    struct sohoa_probe p;
    if (sohoa_imageio_probe(path, NULL, &p, NULL))
        return 4;
    long base = max_rss_kb(), after_first = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < p.n_pages; i++) {
            struct sohoa_image img;
            double t0 = sohoa_now_ms();
            int rc = sohoa_imageio_decode_page(path, p.format, i, NULL, &img, NULL);
            if (rc == SOHOA_ELIMIT) { /* its 9000x9000 page is over the default pixel limit */
                printf("pass %d page %d: refused by max_page_pixels\n", pass + 1, i + 1);
                continue;
            }
            if (rc)
                return 5;
            printf("pass %d page %d: %dx%dx%d in %.0f ms, peak RSS %.0f MB\n", pass + 1, i + 1,
                   img.width, img.height, img.bands, sohoa_now_ms() - t0,
                   (double)max_rss_kb() / 1024.0);
            sohoa_image_release(&img);
        }
        if (pass == 0)
            after_first = max_rss_kb();
    }
    long after_all = max_rss_kb();
    printf("multipage.pdf: RSS %.0f MB after probe, peak %.0f MB after one pass, %.0f MB after "
           "two\n",
           (double)base / 1024.0, (double)after_first / 1024.0, (double)after_all / 1024.0);
    if (after_all > after_first + 32L * 1024 || after_all > 1536L * 1024)
        return 6;
    return 0;
}

static void test_memory_bounded_over_pages(void **state)
{
    char *args[] = {self_exe, "--measure-memory", NULL};
    double ms = 0;
    int status = run_child(args, 600, &ms);
    assert_true(status != -1 && WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* Decode time of a real scanned decree page at 300 dpi (printed; the figure goes in reports). */
static void test_measure_pdf_page_time(void **state)
{
    const char *path = CORPUS "/vn-docs/docs/real_qd_707_ttg.pdf";
    struct sohoa_image img;
    decode_ok(path, 0, NULL, &img); /* warm the file cache */
    sohoa_image_release(&img);
    double t0 = sohoa_now_ms();
    for (int i = 0; i < 5; i++) {
        decode_ok(path, 0, NULL, &img);
        sohoa_image_release(&img);
    }
    print_message("real_qd_707_ttg.pdf page 1 at 300 dpi: %.0f ms per page\n",
                  (sohoa_now_ms() - t0) / 5);
}

int main(int argc, char **argv)
{
    ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    if (n <= 0)
        snprintf(self_exe, sizeof self_exe, "%s", argv[0]);
    if (argc == 3 && strcmp(argv[1], "--decode-one") == 0)
        return child_decode_one(argv[2]);
    if (argc == 2 && strcmp(argv[1], "--measure-memory") == 0)
        return child_measure_memory();

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_good_inputs),
        cmocka_unit_test(test_probe_reports_header),
        cmocka_unit_test(test_bilevel_values),
        cmocka_unit_test(test_alpha_flattened_on_white),
        cmocka_unit_test(test_exif_orientation),
        cmocka_unit_test(test_cmyk_to_srgb),
        cmocka_unit_test(test_pdf_render_geometry),
        cmocka_unit_test(test_tiff_pages_distinct),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_fifo_refused),
        cmocka_unit_test(test_oversized_page_fails_alone),
        cmocka_unit_test(test_page_out_of_range),
        cmocka_unit_test(test_decode_timeout),
        cmocka_unit_test(test_encode_jpeg_grey_and_colour),
        cmocka_unit_test(test_encode_padded_stride),
        cmocka_unit_test(test_thumbnail),
        cmocka_unit_test(test_encode_bad_arguments),
        cmocka_unit_test(test_concurrent_decodes),
        cmocka_unit_test(test_measure_pdf_page_time),
        cmocka_unit_test(test_memory_bounded_over_pages),
        cmocka_unit_test(test_fuzz_seeds_never_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
