/* test_image.c — the colour checks of pipeline/image/image.h on generated pixel buffers:
 * sohoa_image_is_colourless (scanner casts, small coloured areas at and past the allowed share,
 * the tolerance edge, 1-band images, padded rows) and sohoa_image_to_grey (Rec. 601 luma values,
 * geometry and resolution kept, padded rows, a no-op on 1-band images).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/image/image.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct rgb {
    uint8_t r, g, b;
};

/* A w x h RGB image with row padding `pad` bytes (filled with saturated red, which must never
 * be read as pixels), painted `bg` with `n_fg` pixels of `fg` from the top-left in row order. */
static void make_rgb(struct sohoa_image *img, int w, int h, size_t pad, struct rgb bg,
                     struct rgb fg, int n_fg)
{
    memset(img, 0, sizeof *img);
    img->width = w;
    img->height = h;
    img->bands = 3;
    img->stride = (size_t)w * 3 + pad;
    img->pixels = malloc(img->stride * (size_t)h);
    assert_non_null(img->pixels);
    for (int y = 0; y < h; y++) {
        uint8_t *row = img->pixels + (size_t)y * img->stride;
        for (int x = 0; x < w; x++) {
            struct rgb c = y * w + x < n_fg ? fg : bg;
            row[3 * (size_t)x] = c.r;
            row[3 * (size_t)x + 1] = c.g;
            row[3 * (size_t)x + 2] = c.b;
        }
        for (size_t p = 0; p < pad; p++)
            row[(size_t)w * 3 + p] = p % 3 == 0 ? 255 : 0;
    }
}

/* Colours as initialisers: the table below needs constant expressions, and a const object is not
 * one in C (GCC accepts it as an extension, clang refuses it); calls pass (struct rgb)WHITE. */
/* clang-format off */
#define WHITE {255, 255, 255}
#define RED   {255, 0, 0}
#define PAPER {200, 203, 210}
/* clang-format on */

static const struct {
    const char *what;
    int w, h;
    size_t pad;
    struct rgb bg, fg;
    int n_fg;
    int tolerance;
    double max_share;
    bool want;
} colour_rows[] = {
    {"white page", 100, 100, 0, WHITE, WHITE, 0, 24, 0.001, true},
    {"paper with a faint cast and dark text",
     100,
     100,
     0,
     PAPER,
     {20, 22, 30},
     3000,
     24,
     0.001,
     true},
    {"bluish scanner cast", 64, 48, 0, {235, 240, 255}, {0, 0, 0}, 500, 24, 0.001, true},
    {"spread exactly at the tolerance", 50, 50, 0, {100, 112, 124}, WHITE, 0, 24, 0.001, true},
    {"spread one past the tolerance", 50, 50, 0, {100, 112, 125}, WHITE, 0, 24, 0.001, false},
    {"red block covering 1 %", 100, 100, 0, PAPER, RED, 100, 24, 0.001, false},
    {"a few red pixels, 0.05 %", 200, 100, 0, PAPER, RED, 10, 24, 0.001, true},
    {"coloured share exactly at max_share", 4, 4, 0, WHITE, RED, 4, 24, 0.25, true},
    {"coloured share one pixel past max_share", 4, 4, 0, WHITE, RED, 5, 24, 0.25, false},
    {"one red pixel, no share allowed", 1, 1, 0, WHITE, RED, 1, 24, 0.0, false},
    {"one white pixel, no share allowed", 1, 1, 0, WHITE, RED, 0, 24, 0.0, true},
    {"red padding is not part of the image", 30, 20, 7, WHITE, WHITE, 0, 24, 0.0, true},
    {"red pixels with padded rows", 30, 20, 5, WHITE, RED, 2, 24, 0.001, false},
    {"all colour, large tolerance", 10, 10, 0, {10, 250, 10}, WHITE, 0, 255, 0.0, true},
};

static void test_is_colourless(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(colour_rows); i++) {
        struct sohoa_image img;
        make_rgb(&img, colour_rows[i].w, colour_rows[i].h, colour_rows[i].pad, colour_rows[i].bg,
                 colour_rows[i].fg, colour_rows[i].n_fg);
        bool got =
            sohoa_image_is_colourless(&img, colour_rows[i].tolerance, colour_rows[i].max_share);
        if (got != colour_rows[i].want)
            fail_msg("%s: %s, want %s", colour_rows[i].what, got ? "colourless" : "colour",
                     colour_rows[i].want ? "colourless" : "colour");
        sohoa_image_release(&img);
    }
}

/* A 1-band image is never "colourless" (there is nothing to convert); nor is an empty one. */
static void test_is_colourless_not_rgb(void **state)
{
    (void)state;
    struct sohoa_image img;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_image_alloc(&img, 20, 10, 1, &err), 0);
    memset(img.pixels, 255, img.stride * 10);
    assert_false(sohoa_image_is_colourless(&img, 24, 1.0));
    sohoa_image_release(&img);

    struct sohoa_image empty;
    memset(&empty, 0, sizeof empty);
    empty.bands = 3;
    assert_false(sohoa_image_is_colourless(&empty, 24, 1.0));
}

static const struct {
    struct rgb in;
    uint8_t want; /* round(0.299 R + 0.587 G + 0.114 B), worked out by hand */
} luma_rows[] = {
    {{0, 0, 0}, 0},         {{255, 255, 255}, 255}, {{255, 0, 0}, 76},    {{0, 255, 0}, 150},
    {{0, 0, 255}, 29},      {{128, 128, 128}, 128}, {{10, 200, 30}, 124}, {{200, 100, 50}, 124},
    {{100, 150, 200}, 141}, {{1, 1, 1}, 1},         {{255, 255, 0}, 226}, {{0, 255, 255}, 179},
    {{255, 0, 255}, 105},   {{254, 1, 3}, 77},
};

static void test_to_grey_values(void **state)
{
    (void)state;
    const size_t pads[] = {0, 1, 9};
    for (size_t pd = 0; pd < COUNT(pads); pd++) {
        const int w = (int)COUNT(luma_rows), h = 3;
        struct sohoa_image img;
        make_rgb(&img, w, h, pads[pd], (struct rgb)WHITE, (struct rgb)WHITE, 0);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                /* each row holds the table shifted by y, so rows are not alike */
                struct rgb c = luma_rows[(x + y) % w].in;
                uint8_t *p = img.pixels + (size_t)y * img.stride + 3 * (size_t)x;
                p[0] = c.r;
                p[1] = c.g;
                p[2] = c.b;
            }
        img.xres = 300;
        img.yres = 150;
        struct sohoa_err err = {0};
        assert_int_equal(sohoa_image_to_grey(&img, &err), 0);
        assert_int_equal(img.bands, 1);
        assert_int_equal(img.width, w);
        assert_int_equal(img.height, h);
        assert_int_equal(img.stride, (size_t)w);
        assert_true(img.xres == 300);
        assert_true(img.yres == 150);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                size_t k = (size_t)((x + y) % w);
                uint8_t got = img.pixels[(size_t)y * img.stride + (size_t)x];
                if (got != luma_rows[k].want)
                    fail_msg("pad %zu: (%d,%d,%d) became %d, want %d", pads[pd], luma_rows[k].in.r,
                             luma_rows[k].in.g, luma_rows[k].in.b, got, luma_rows[k].want);
            }
        sohoa_image_release(&img);
    }
}

/* Many colours against the Rec. 601 formula. */
static void test_to_grey_formula(void **state)
{
    (void)state;
    const int w = 4096;
    struct sohoa_image img;
    make_rgb(&img, w, 1, 0, (struct rgb)WHITE, (struct rgb)WHITE, 0);
    uint32_t x = 12345;
    for (int i = 0; i < 3 * w; i++) {
        x = x * 1103515245u + 12345u;
        img.pixels[i] = (uint8_t)(x >> 16);
    }
    uint8_t *rgb = malloc(3 * (size_t)w);
    assert_non_null(rgb);
    memcpy(rgb, img.pixels, 3 * (size_t)w);
    assert_int_equal(sohoa_image_to_grey(&img, NULL), 0);
    for (int i = 0; i < w; i++) {
        const uint8_t *px = rgb + 3 * (size_t)i;
        double y = (299.0 * px[0] + 587.0 * px[1] + 114.0 * px[2]) / 1000.0;
        int want = (int)floor(y + 0.5);
        if (img.pixels[i] != want)
            fail_msg("(%d,%d,%d) became %d, want %d", px[0], px[1], px[2], img.pixels[i], want);
    }
    free(rgb);
    sohoa_image_release(&img);
}

static void test_to_grey_noop_on_grey(void **state)
{
    (void)state;
    struct sohoa_image img;
    struct sohoa_err err = {0};
    assert_int_equal(sohoa_image_alloc(&img, 7, 5, 1, &err), 0);
    for (size_t i = 0; i < 35; i++)
        img.pixels[i] = (uint8_t)(i * 7);
    img.xres = img.yres = 200;
    img.bilevel = false;
    uint8_t *before = img.pixels;
    assert_int_equal(sohoa_image_to_grey(&img, &err), 0);
    assert_ptr_equal(img.pixels, before);
    assert_int_equal(img.bands, 1);
    assert_int_equal(img.stride, 7);
    for (size_t i = 0; i < 35; i++)
        assert_int_equal(img.pixels[i], (uint8_t)(i * 7));
    assert_true(img.xres == 200);
    sohoa_image_release(&img);
    assert_null(img.pixels);
    sohoa_image_release(&img); /* safe twice */
}

/* A colourless scan with padded rows, converted to grey: text and paper keep their luma. */
static void test_colourless_then_grey(void **state)
{
    (void)state;
    struct sohoa_image img;
    make_rgb(&img, 80, 60, 3, (struct rgb)PAPER, (struct rgb){30, 28, 35}, 1200);
    assert_true(sohoa_image_is_colourless(&img, 24, 0.001));
    assert_int_equal(sohoa_image_to_grey(&img, NULL), 0);
    assert_int_equal(img.pixels[0], 29);            /* text: 8.97 + 16.436 + 3.99 */
    assert_int_equal(img.pixels[80 * 60 - 1], 203); /* paper: 59.8 + 119.161 + 23.94 */
    sohoa_image_release(&img);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_colourless),        cmocka_unit_test(test_is_colourless_not_rgb),
        cmocka_unit_test(test_to_grey_values),       cmocka_unit_test(test_to_grey_formula),
        cmocka_unit_test(test_to_grey_noop_on_grey), cmocka_unit_test(test_colourless_then_grey),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
