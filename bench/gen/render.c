/* render.c — text rendering for the generator with libvips (Pango): markup to an 8-bit coverage
 * bitmap, font metrics measured once per font, one line with a "strut" under it so that
 * baselines sit on a regular grid. See render.h.
 */
#include "bench/gen/render.h"

#include <stdio.h>
#include <string.h>

#include "bench/gen/util.h"

#include <vips/vips.h>

void bitmap_release(struct bitmap *b)
{
    g_free(b->px);
    memset(b, 0, sizeof *b);
}

int vips_fail(struct sohoa_err *err, const char *what)
{
    int rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "%s: %s", what, vips_error_buffer());
    vips_error_clear();
    return rc;
}

/* Pango markup → coverage bitmap cropped to the ink. width > 0 wraps (and justifies) at that
 * width; otherwise the text is laid out as it is. */
int render_markup(const struct gen *g, const char *desc, const char *markup, int width,
                  bool justify, struct bitmap *out, struct sohoa_err *err)
{
    memset(out, 0, sizeof *out);
    VipsImage *im = NULL;
    int rc = 0;
    if (vips_text(&im, markup, "font", desc, "dpi", g->dpi, "width", width > 0 ? width : 0,
                  "justify", justify, NULL))
        return vips_fail(err, "vips_text");
    size_t size = 0;
    void *mem = vips_image_write_to_memory(im, &size);
    if (!mem)
        rc = vips_fail(err, "vips_text");
    else {
        out->w = im->Xsize;
        out->h = im->Ysize;
        out->px = mem;
    }
    g_object_unref(im);
    return rc;
}

static int font_desc(char *out, size_t n, const char *family, const char *style, double size)
{
    return snprintf(out, n, "%s%s%s %.1f", family, style[0] ? " " : "", style, size);
}

/* Metrics of a font, measured once: natural pitch from "█\n█" − "█", space gap from
 * "n n" − 2·"n". */
int font_get_family(struct gen *g, const char *family, const char *style, double size,
                    const struct font **out, struct sohoa_err *err)
{
    char desc[128];
    font_desc(desc, sizeof desc, family, style, size);
    *out = NULL;
    for (int i = 0; i < g->n_fonts; i++)
        if (!strcmp(g->fonts[i].desc, desc)) {
            *out = &g->fonts[i];
            return 0;
        }
    if (g->n_fonts == (int)G_N_ELEMENTS(g->fonts))
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "too many fonts");
    struct font *f = &g->fonts[g->n_fonts];
    struct bitmap a = {0}, b = {0}, c = {0}, d = {0};
    int rc = render_markup(g, desc, STRUT, 0, false, &a, err);
    if (rc == 0)
        rc = render_markup(g, desc, STRUT LINE_SEP STRUT, 0, false, &b, err);
    if (rc == 0)
        rc = render_markup(g, desc, "n", 0, false, &c, err);
    if (rc == 0)
        rc = render_markup(g, desc, "n n", 0, false, &d, err);
    if (rc == 0) {
        (void)snprintf(f->desc, sizeof f->desc, "%s", desc);
        f->strut_h = a.h;
        f->pitch = b.h - a.h;
        f->gap = d.w - 2 * c.w;
        if (f->pitch <= 0 || f->gap <= 0)
            rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "font %s: bad metrics", desc);
        else {
            g->n_fonts++;
            *out = f;
        }
    }
    bitmap_release(&a);
    bitmap_release(&b);
    bitmap_release(&c);
    bitmap_release(&d);
    return rc;
}

int font_get(struct gen *g, const char *style, double size, const struct font **out,
             struct sohoa_err *err)
{
    return font_get_family(g, g->family, style, size, out, err);
}

int line_render(const struct gen *g, const struct font *f, const char *markup, int width,
                bool justify, struct bitmap *out, int *top, bool *wrapped, struct sohoa_err *err)
{
    struct sohoa_buf m = GEN_BUF;
    sohoa_buf_adds(&m, markup);
    sohoa_buf_adds(&m, LINE_SEP STRUT);
    if (m.failed)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    int rc = render_markup(g, f->desc, m.data, width, justify, out, err);
    sohoa_buf_release(&m);
    if (rc)
        return rc;
    *wrapped = out->h > f->strut_h + f->pitch * 8 / 5;
    int t2 = out->h - f->strut_h; /* logical top of the strut line */
    if (t2 < 1)
        t2 = 1;
    *top = t2 - f->pitch;
    out->h = t2; /* rows are contiguous: dropping the last ones crops the strut */
    return 0;
}

/* Columns holding ink: [*x0, *x1). */
void bitmap_cols(const struct bitmap *b, int *x0, int *x1)
{
    *x0 = b->w;
    *x1 = 0;
    for (int y = 0; y < b->h; y++)
        for (int x = 0; x < b->w; x++)
            if (b->px[(size_t)y * b->w + x] > 24) {
                if (x < *x0)
                    *x0 = x;
                if (x + 1 > *x1)
                    *x1 = x + 1;
            }
    if (*x1 <= *x0) {
        *x0 = 0;
        *x1 = 0;
    }
}

/* Crop a bitmap to its ink columns. */
int bitmap_crop_cols(struct bitmap *b, struct sohoa_err *err)
{
    int x0, x1;
    bitmap_cols(b, &x0, &x1);
    if (x1 <= x0 || (x0 == 0 && x1 == b->w))
        return 0;
    uint8_t *px = g_try_malloc((size_t)(x1 - x0) * b->h);
    if (!px)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (int y = 0; y < b->h; y++)
        memcpy(px + (size_t)y * (x1 - x0), b->px + (size_t)y * b->w + x0, (size_t)(x1 - x0));
    g_free(b->px);
    b->px = px;
    b->w = x1 - x0;
    return 0;
}
