/* test_clean.c — page cleaning: deskew, orientation, red dropout, blank pages, bi-level, G4.
 *
 * Pages come from ../shared/corpus through the pipeline's decoder (imageio) and are turned by
 * known angles here with the test's own rotation (bilinear, white brought in). Residual skew is
 * measured twice: by sohoa_clean_measure_skew() and by an independent projection-profile search
 * written in this file, so the cleaner is not only judged by its own yardstick.
 *
 * Conventions checked: `skew_deg` is the clockwise rotation that levelled the page (a page turned
 * clockwise by t reports about -t); `rotation` is the clockwise quarter turn that made it upright
 * (a page turned 90° clockwise reports 270).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipeline/image/clean.h"
#include "pipeline/image/imageio.h"

#define CORPUS     SOHOA_CORPUS_DIR
#define REAL_PAGE  CORPUS "/vn-docs/pages/real_qd_707_ttg_p1.png"
#define CLEAN_PAGE CORPUS "/vn-docs-clean/pages/contract_lao_dong_p1.png"

/* --- helpers ------------------------------------------------------------------------------- */

static void load(const char *path, struct sohoa_image *img)
{
    struct sohoa_err err = {0};
    int rc = sohoa_imageio_decode_page(path, SOHOA_FORMAT_UNKNOWN, 0, NULL, img, &err);
    if (rc)
        fail_msg("%s: %s", path, err.msg);
}

static uint8_t lum_at(const struct sohoa_image *img, int x, int y)
{
    const uint8_t *p = img->pixels + (size_t)y * img->stride + (size_t)x * img->bands;
    if (img->bands == 1)
        return p[0];
    return (uint8_t)((77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8);
}

/* `in` turned clockwise (on screen) by `deg` about its centre, same size, bilinear, white in. */
static void rotate_deg(const struct sohoa_image *in, double deg, struct sohoa_image *out)
{
    assert_int_equal(sohoa_image_alloc(out, in->width, in->height, in->bands, NULL), 0);
    out->xres = in->xres;
    out->yres = in->yres;
    double t = deg * M_PI / 180.0, c = cos(t), s = sin(t);
    double cx = in->width / 2.0, cy = in->height / 2.0;
    for (int y = 0; y < out->height; y++) {
        uint8_t *dst = out->pixels + (size_t)y * out->stride;
        for (int x = 0; x < out->width; x++) {
            double sx = cx + (x - cx) * c + (y - cy) * s;
            double sy = cy - (x - cx) * s + (y - cy) * c;
            int x0 = (int)floor(sx), y0 = (int)floor(sy);
            double fx = sx - x0, fy = sy - y0;
            for (int b = 0; b < in->bands; b++) {
                double v = 0;
                for (int k = 0; k < 4; k++) {
                    int xx = x0 + (k & 1), yy = y0 + (k >> 1);
                    double wgt = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
                    int pv = 255;
                    if (xx >= 0 && yy >= 0 && xx < in->width && yy < in->height)
                        pv = in->pixels[(size_t)yy * in->stride + (size_t)xx * in->bands + b];
                    v += wgt * pv;
                }
                dst[x * in->bands + b] = (uint8_t)lround(v);
            }
        }
    }
}

/* `in` turned clockwise by `quads` quarter turns. */
static void rotate_quads(const struct sohoa_image *in, int quads, struct sohoa_image *out)
{
    quads &= 3;
    int w = (quads & 1) ? in->height : in->width;
    int h = (quads & 1) ? in->width : in->height;
    assert_int_equal(sohoa_image_alloc(out, w, h, in->bands, NULL), 0);
    out->xres = (quads & 1) ? in->yres : in->xres;
    out->yres = (quads & 1) ? in->xres : in->yres;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int sx, sy;
            switch (quads) {
            case 1:
                sx = y, sy = in->height - 1 - x;
                break;
            case 2:
                sx = in->width - 1 - x, sy = in->height - 1 - y;
                break;
            case 3:
                sx = in->width - 1 - y, sy = x;
                break;
            default:
                sx = x, sy = y;
                break;
            }
            memcpy(out->pixels + (size_t)y * out->stride + (size_t)x * in->bands,
                   in->pixels + (size_t)sy * in->stride + (size_t)sx * in->bands,
                   (size_t)in->bands);
        }
}

/* Independent skew estimate: the angle (degrees, lines descending to the right positive) whose
 * shear makes the row profile of dark pixels sharpest, searched over ±3° in 0.05° steps. */
static double profile_skew(const struct sohoa_image *img)
{
    int h = img->height, w = img->width;
    int nb = h + w; /* room for sheared rows */
    long *bins = calloc((size_t)nb, sizeof *bins);
    assert_non_null(bins);
    double best = 0, best_score = -1;
    for (int step = -60; step <= 60; step++) {
        double a = step * 0.05, t = tan(a * M_PI / 180.0);
        memset(bins, 0, (size_t)nb * sizeof *bins);
        for (int y = 0; y < h; y++) /* every row: skipping rows would favour 0° */
            for (int x = 0; x < w; x += 3)
                if (lum_at(img, x, y) < 128) {
                    long b = lround(y - (x - w / 2.0) * t) + w / 2;
                    if (b >= 0 && b < nb)
                        bins[b]++;
                }
        double score = 0;
        for (int i = 0; i < nb; i++)
            score += (double)bins[i] * (double)bins[i];
        if (score > best_score) {
            best_score = score;
            best = a;
        }
    }
    free(bins);
    return best;
}

/* Mean absolute luminance difference between two images of one size, sampled. */
static double mean_diff(const struct sohoa_image *a, const struct sohoa_image *b)
{
    assert_int_equal(a->width, b->width);
    assert_int_equal(a->height, b->height);
    double sum = 0;
    long n = 0;
    for (int y = 0; y < a->height; y += 3)
        for (int x = 0; x < a->width; x += 3) {
            sum += abs((int)lum_at(a, x, y) - (int)lum_at(b, x, y));
            n++;
        }
    return sum / (double)n;
}

/* Clean, then check the archive is level by both yardsticks; returns the skew removed. */
static double clean_and_check_level(const struct sohoa_image *page, const char *what)
{
    struct sohoa_clean_result r;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_clean_page(page, NULL, &r, &err), 0);
    assert_false(r.blank);
    assert_int_equal(r.archive.width, r.ocr.width);
    assert_int_equal(r.archive.height, r.ocr.height);

    double angle, conf;
    assert_int_equal(sohoa_clean_measure_skew(&r.archive, &angle, &conf, &err), 0);
    double prof = profile_skew(&r.archive);
    printf("  %-28s removed %+6.2f° (conf %4.1f); residual: leptonica %+5.2f° (conf %4.1f), "
           "profile %+5.2f°\n",
           what, r.skew_deg, r.skew_conf, angle, conf, prof);
    assert_true(conf >= 3.0); /* the residual measure means something */
    assert_true(fabs(angle) <= 0.5);
    assert_true(fabs(prof) <= 0.5);
    double removed = r.skew_deg;
    sohoa_clean_result_release(&r);
    return removed;
}

/* --- deskew -------------------------------------------------------------------------------- */

static void test_skew_pdf(void **state)
{
    (void)state;
    struct sohoa_image page = {0};
    load(CORPUS "/peer-ocrmypdf/skew.pdf", &page); /* rendered at 300 dpi */
    assert_int_equal((int)page.xres, 300);
    double before = profile_skew(&page);
    printf("  skew.pdf before cleaning: profile %+5.2f°\n", before);
    assert_true(fabs(before) > 1.0); /* the test page is visibly skewed */
    clean_and_check_level(&page, "skew.pdf");
    sohoa_image_release(&page);
}

static void check_known_angles(const char *path)
{
    struct sohoa_image page = {0};
    load(path, &page);
    page.xres = page.yres = 200; /* the vn-docs pages are 200 dpi (labelled 72) */
    double own = profile_skew(&page);
    static const double angles[] = {2, -2, 5, -5};
    for (size_t i = 0; i < sizeof angles / sizeof angles[0]; i++) {
        struct sohoa_image turned = {0};
        rotate_deg(&page, angles[i], &turned);
        char what[64];
        snprintf(what, sizeof what, "%s %+g°", strrchr(path, '/') + 1, angles[i]);
        double removed = clean_and_check_level(&turned, what);
        /* turned clockwise by t on top of its own skew: levelled by about -(t + own) */
        assert_true(fabs(removed + angles[i] + own) <= 0.5);
        sohoa_image_release(&turned);
    }
    sohoa_image_release(&page);
}

static void test_known_angles_real(void **state)
{
    (void)state;
    check_known_angles(REAL_PAGE);
}

static void test_known_angles_clean(void **state)
{
    (void)state;
    check_known_angles(CLEAN_PAGE);
}

static void test_measure_skew_args(void **state)
{
    (void)state;
    struct sohoa_err err = {0};
    double a = 1, c = 1;
    assert_int_equal(sohoa_clean_measure_skew(NULL, &a, &c, &err), SOHOA_EINVAL);
    assert_true(a == 0 && c == 0);
    struct sohoa_image bad = {0};
    assert_int_equal(sohoa_clean_measure_skew(&bad, &a, &c, &err), SOHOA_EINVAL);
    struct sohoa_clean_result r;
    assert_int_equal(sohoa_clean_page(&bad, NULL, &r, &err), SOHOA_EINVAL);
    assert_null(r.archive.pixels);
    assert_null(r.ocr.pixels);
}

/* --- orientation --------------------------------------------------------------------------- */

static void check_orientation(const char *path)
{
    struct sohoa_image page = {0};
    load(path, &page);
    page.xres = page.yres = 200;
    struct sohoa_clean_opts o;
    sohoa_clean_opts_default(&o);
    o.deskew = false; /* so the archive can be compared with the page pixel for pixel */
    for (int q = 1; q <= 3; q++) {
        struct sohoa_image turned = {0};
        struct sohoa_clean_result r;
        struct sohoa_err err = {0};
        rotate_quads(&page, q, &turned);
        assert_int_equal(sohoa_clean_page(&turned, &o, &r, &err), 0);
        printf("  %s turned %d°: rotation %d (conf %.1f)\n", strrchr(path, '/') + 1, 90 * q,
               r.rotation, r.orient_conf);
        assert_int_equal(r.rotation, (360 - 90 * q) % 360);
        assert_int_equal(r.archive.width, page.width);
        assert_int_equal(r.archive.height, page.height);
        /* upright again: close to the original, far from it upside down */
        struct sohoa_image flipped = {0};
        rotate_quads(&page, 2, &flipped);
        double d_same = mean_diff(&r.archive, &page), d_flip = mean_diff(&r.archive, &flipped);
        assert_true(d_same < 0.5 && d_flip > 5 * d_same);
        sohoa_image_release(&flipped);
        sohoa_clean_result_release(&r);
        sohoa_image_release(&turned);
    }
    /* upright stays upright */
    struct sohoa_clean_result r;
    assert_int_equal(sohoa_clean_page(&page, NULL, &r, NULL), 0);
    assert_int_equal(r.rotation, 0);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&page);
}

static void test_orientation_real(void **state)
{
    (void)state;
    check_orientation(REAL_PAGE);
}

static void test_orientation_clean(void **state)
{
    (void)state;
    check_orientation(CLEAN_PAGE);
}

/* --- red dropout --------------------------------------------------------------------------- */

/* A seal-like red ring with a filled dot in its middle. */
static bool seal_at(int x, int y, int cx, int cy, int radius, int thick)
{
    double d = hypot(x - cx, y - cy);
    return fabs(d - radius * 0.9) < thick || d < radius * 0.2;
}

/* Draw the seal over a colour page; ink multiplies, so black text under it stays dark. */
static void draw_seal(struct sohoa_image *img, int cx, int cy, int radius, int thick)
{
    for (int y = cy - radius; y <= cy + radius; y++)
        for (int x = cx - radius; x <= cx + radius; x++) {
            if (x < 0 || y < 0 || x >= img->width || y >= img->height ||
                !seal_at(x, y, cx, cy, radius, thick))
                continue;
            uint8_t *p = img->pixels + (size_t)y * img->stride + (size_t)x * 3;
            p[0] = (uint8_t)(p[0] * 215 / 255);
            p[1] = (uint8_t)(p[1] * 40 / 255);
            p[2] = (uint8_t)(p[2] * 60 / 255);
        }
}

static void test_red_dropout(void **state)
{
    (void)state;
    struct sohoa_image page = {0};
    load(CLEAN_PAGE, &page);
    assert_int_equal(page.bands, 3);
    page.xres = page.yres = 200;
    struct sohoa_image stamped = {0};
    assert_int_equal(sohoa_image_alloc(&stamped, page.width, page.height, 3, NULL), 0);
    memcpy(stamped.pixels, page.pixels, page.stride * (size_t)page.height);
    stamped.xres = stamped.yres = 200;
    int cx = page.width / 2, cy = page.height / 3, rad = 220;
    draw_seal(&stamped, cx, cy, rad, 10);

    struct sohoa_clean_opts o;
    sohoa_clean_opts_default(&o);
    o.deskew = o.orient = false; /* keep the geometry so pixels can be compared */
    struct sohoa_clean_result with, without;
    assert_int_equal(sohoa_clean_page(&stamped, &o, &with, NULL), 0);
    o.drop_red = false;
    assert_int_equal(sohoa_clean_page(&stamped, &o, &without, NULL), 0);

    /* Over the seal: where the page was paper, dropout leaves paper; where it was ink, ink. */
    long paper = 0, paper_dark_with = 0, paper_dark_without = 0, ink = 0, ink_dark_with = 0;
    for (int y = cy - rad; y <= cy + rad; y++)
        for (int x = cx - rad; x <= cx + rad; x++) {
            if (!seal_at(x, y, cx, cy, rad, 10))
                continue;
            uint8_t orig = lum_at(&page, x, y);
            if (orig > 230) {
                paper++;
                paper_dark_with += lum_at(&with.ocr, x, y) < 160;
                paper_dark_without += lum_at(&without.ocr, x, y) < 160;
            } else if (orig < 60) {
                ink++;
                ink_dark_with += lum_at(&with.ocr, x, y) < 128;
            }
        }
    printf("  seal over paper: %ld px, dark in ocr %ld with dropout, %ld without; "
           "seal over text: %ld px, %ld still dark\n",
           paper, paper_dark_with, paper_dark_without, ink, ink_dark_with);
    assert_true(paper > 10000 && ink > 500);
    assert_true(paper_dark_without > paper / 2); /* the seal is there without dropout */
    assert_true(paper_dark_with < paper / 100);  /* and gone with it */
    assert_true(ink_dark_with > ink * 9 / 10);   /* text under the seal survives */
    /* the archive keeps the seal in colour */
    const uint8_t *a = with.archive.pixels + (size_t)(cy + (int)(rad * 0.9)) * with.archive.stride +
                       (size_t)cx * 3;
    assert_true(a[0] > 150 && a[1] < 80);

    sohoa_clean_result_release(&with);
    sohoa_clean_result_release(&without);
    sohoa_image_release(&stamped);
    sohoa_image_release(&page);
}

/* --- forms of the ocr image ---------------------------------------------------------------- */

static void test_ocr_forms(void **state)
{
    (void)state;
    struct sohoa_image page = {0};
    load(CLEAN_PAGE, &page);
    page.xres = page.yres = 0; /* unknown: guessed from the page's shape */
    struct sohoa_clean_opts o;
    sohoa_clean_opts_default(&o);
    struct sohoa_clean_result r;

    assert_int_equal(sohoa_clean_page(&page, &o, &r, NULL), 0);
    assert_true(r.dpi_guessed);
    assert_true(r.dpi == 200); /* 1700 x 2200 pixels is a Letter page at 200 dpi */
    assert_true(r.ocr_scale == 1.0);
    assert_int_equal(r.ocr.bands, 1);
    assert_false(r.ocr.bilevel);
    assert_int_equal(r.archive.bands, 3); /* colour kept */
    assert_true(r.ocr.xres == 200);
    sohoa_clean_result_release(&r);

    o.ocr_form = SOHOA_CLEAN_OCR_BINARY;
    o.ocr_min_dpi = 270;
    o.ocr_target_dpi = 300;
    assert_int_equal(sohoa_clean_page(&page, &o, &r, NULL), 0);
    assert_true(r.ocr.bilevel);
    assert_true(fabs(r.ocr_scale - 1.5) < 0.01);
    assert_true(abs(r.ocr.width - page.width * 3 / 2) <= 1);
    assert_true(abs(r.ocr.height - page.height * 3 / 2) <= 1);
    assert_true(fabs(r.ocr.xres - 300) < 1);
    assert_int_equal(r.archive.width, page.width);
    for (size_t i = 0; i < r.ocr.stride * (size_t)r.ocr.height; i++)
        if (r.ocr.pixels[i] != 0 && r.ocr.pixels[i] != 255)
            fail_msg("binary ocr pixel %zu is %d", i, r.ocr.pixels[i]);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&page);
}

/* --- blank pages --------------------------------------------------------------------------- */

static void test_blank(void **state)
{
    (void)state;
    struct sohoa_clean_result r;
    struct sohoa_err err = {0};

    struct sohoa_image page = {0};
    load(CORPUS "/peer-ocrmypdf/blank.pdf", &page);
    assert_int_equal(sohoa_clean_page(&page, NULL, &r, &err), 0);
    assert_true(r.blank);
    assert_int_equal(r.rotation, 0);
    assert_false(r.skew_applied);
    assert_int_equal(r.archive.width, page.width);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&page);

    /* white paper with dust specks and a dark scanner edge */
    struct sohoa_image dusty = {0};
    assert_int_equal(sohoa_image_alloc(&dusty, 1700, 2200, 1, NULL), 0);
    dusty.xres = dusty.yres = 200;
    memset(dusty.pixels, 245, dusty.stride * (size_t)dusty.height);
    srand(7);
    for (int i = 0; i < 300; i++) {
        int x = 100 + rand() % 1500, y = 100 + rand() % 2000;
        dusty.pixels[(size_t)y * dusty.stride + (size_t)x] = 20;
    }
    for (int y = 0; y < 2200; y++)
        memset(dusty.pixels + (size_t)y * dusty.stride, 10, 30);
    assert_int_equal(sohoa_clean_page(&dusty, NULL, &r, &err), 0);
    assert_true(r.blank);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&dusty);

    /* a text page is not blank */
    load(CLEAN_PAGE, &page);
    assert_int_equal(sohoa_clean_page(&page, NULL, &r, &err), 0);
    assert_false(r.blank);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&page);
}

/* --- bi-level pages ------------------------------------------------------------------------ */

/* Grey (if colour) and thresholded at 128, marked bi-level. */
static void threshold(struct sohoa_image *img)
{
    if (img->bands == 3) {
        struct sohoa_image g = {0};
        assert_int_equal(sohoa_image_alloc(&g, img->width, img->height, 1, NULL), 0);
        for (int y = 0; y < img->height; y++)
            for (int x = 0; x < img->width; x++)
                g.pixels[(size_t)y * g.stride + x] = lum_at(img, x, y);
        g.xres = img->xres;
        g.yres = img->yres;
        sohoa_image_move(img, &g);
    }
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++) {
            uint8_t *p = img->pixels + (size_t)y * img->stride + x;
            *p = *p < 128 ? 0 : 255;
        }
    img->bilevel = true;
}

static void test_bilevel_stays_bilevel(void **state)
{
    (void)state;
    struct sohoa_image page = {0}, turned = {0};
    load(CORPUS "/peer-ocrmypdf/skew.pdf", &page);
    threshold(&page);
    rotate_deg(&page, 3, &turned);
    threshold(&turned);

    struct sohoa_clean_result r;
    assert_int_equal(sohoa_clean_page(&turned, NULL, &r, NULL), 0);
    assert_true(r.archive.bilevel);
    assert_int_equal(r.archive.bands, 1);
    for (int y = 0; y < r.archive.height; y++)
        for (int x = 0; x < r.archive.width; x++) {
            uint8_t v = r.archive.pixels[(size_t)y * r.archive.stride + x];
            if (v != 0 && v != 255)
                fail_msg("archive pixel %d,%d is %d", x, y, v);
        }
    double angle, conf;
    assert_int_equal(sohoa_clean_measure_skew(&r.archive, &angle, &conf, NULL), 0);
    printf("  bi-level skew.pdf +3°: removed %+.2f°, residual %+.2f° (conf %.1f)\n", r.skew_deg,
           angle, conf);
    assert_true(fabs(angle) <= 0.5);
    sohoa_clean_result_release(&r);
    sohoa_image_release(&turned);
    sohoa_image_release(&page);
}

/* --- G4 ------------------------------------------------------------------------------------ */

/* A one-page PDF whose page is `w`×`h` points showing the G4 image at one point per pixel. */
static void write_g4_pdf(const char *path, const uint8_t *g4, size_t len, int w, int h)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    long off[6];
    char content[128];
    int clen = snprintf(content, sizeof content, "q %d 0 0 %d 0 0 cm /Im0 Do Q\n", w, h);
    fprintf(f, "%%PDF-1.4\n");
    off[1] = ftell(f);
    fprintf(f, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    off[2] = ftell(f);
    fprintf(f, "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n");
    off[3] = ftell(f);
    fprintf(f,
            "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
            "/Resources << /XObject << /Im0 5 0 R >> >> >>\nendobj\n",
            w, h);
    off[4] = ftell(f);
    fprintf(f, "4 0 obj\n<< /Length %d >>\nstream\n%sendstream\nendobj\n", clen, content);
    off[5] = ftell(f);
    fprintf(f,
            "5 0 obj\n<< /Type /XObject /Subtype /Image /Width %d /Height %d "
            "/ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode "
            "/DecodeParms << /K -1 /Columns %d /Rows %d >> /Length %zu >>\nstream\n",
            w, h, w, h, len);
    fwrite(g4, 1, len, f);
    fprintf(f, "\nendstream\nendobj\n");
    long xref = ftell(f);
    fprintf(f, "xref\n0 6\n0000000000 65535 f \n");
    for (int i = 1; i <= 5; i++)
        fprintf(f, "%010ld 00000 n \n", off[i]);
    fprintf(f, "trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
    fclose(f);
}

static void test_g4_polarity(void **state)
{
    (void)state;
    /* bi-level test card: black bar top-left, black square bottom-right, a diagonal line */
    const int w = 400, h = 300;
    struct sohoa_image card = {0};
    assert_int_equal(sohoa_image_alloc(&card, w, h, 1, NULL), 0);
    card.bilevel = true;
    memset(card.pixels, 255, card.stride * (size_t)h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            bool ink = (x < 200 && y < 40) || (x >= 300 && y >= 200) || abs(x - y) < 2;
            if (ink)
                card.pixels[(size_t)y * card.stride + x] = 0;
        }
    uint8_t *g4 = (uint8_t *)1;
    size_t len = 99;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_encode_g4(&card, &g4, &len, &err), 0);
    assert_non_null(g4);
    assert_true(len > 10 && len < (size_t)w * h / 8); /* compressed */

    char dir[] = "/tmp/test_clean.XXXXXX", path[64];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/g4.pdf", dir);
    write_g4_pdf(path, g4, len, w, h);
    free(g4);

    /* decode the PDF at 72 dpi: one pixel per point, as encoded */
    struct sohoa_limits lim = sohoa_limits_default();
    lim.ocr_dpi = 72;
    struct sohoa_image back = {0};
    int rc = sohoa_imageio_decode_page(path, SOHOA_FORMAT_PDF, 0, &lim, &back, &err);
    unlink(path);
    rmdir(dir);
    if (rc)
        fail_msg("decode of the G4 PDF: %s", err.msg);
    assert_int_equal(back.width, w);
    assert_int_equal(back.height, h);
    long agree = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            agree += (lum_at(&back, x, y) < 128) == (card.pixels[(size_t)y * card.stride + x] == 0);
    printf("  G4 round trip through a PDF: %.2f%% of pixels agree\n",
           100.0 * (double)agree / (w * h));
    assert_true(agree > (long)w * h * 99 / 100);
    sohoa_image_release(&back);

    /* refusals */
    assert_int_equal(sohoa_encode_g4(NULL, &g4, &len, &err), SOHOA_EINVAL);
    assert_null(g4);
    assert_int_equal(len, 0);
    struct sohoa_image rgb = {0};
    assert_int_equal(sohoa_image_alloc(&rgb, 10, 10, 3, NULL), 0);
    assert_int_equal(sohoa_encode_g4(&rgb, &g4, &len, &err), SOHOA_EINVAL);
    sohoa_image_release(&rgb);
    sohoa_image_release(&card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skew_pdf),
        cmocka_unit_test(test_known_angles_real),
        cmocka_unit_test(test_known_angles_clean),
        cmocka_unit_test(test_measure_skew_args),
        cmocka_unit_test(test_orientation_real),
        cmocka_unit_test(test_orientation_clean),
        cmocka_unit_test(test_red_dropout),
        cmocka_unit_test(test_ocr_forms),
        cmocka_unit_test(test_blank),
        cmocka_unit_test(test_bilevel_stays_bilevel),
        cmocka_unit_test(test_g4_polarity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
