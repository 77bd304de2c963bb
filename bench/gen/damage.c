/* damage.c — what a desk scanner does to a page, for the generator: ink (text, signature,
 * seal) onto paper, uneven lighting, skew, blur, grain, a JPEG round trip, binarisation; and
 * the mild / heavy presets drawn per page. See damage.h.
 */
#include "bench/gen/damage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

/* Uneven lighting: a gradient in a random direction, an off-centre vignette and slow blotches,
 * times a paper tint. The field is separable except for the blotches, which are interpolated
 * along each row from a coarse grid; applied in 16-bit fixed point. */
int light_apply(struct canvas *cv, struct rng *r, struct sohoa_err *err)
{
    int w = cv->w, h = cv->h, gw = 7, gh = 9;
    double ga = rng_range(r, 0, 2 * M_PI), gs = rng_range(r, 0.05, 0.14);
    double vig = rng_range(r, 0.06, 0.14);
    double ex = rng_range(r, -0.15, 0.15), ey = rng_range(r, -0.15, 0.15);
    static const double tint3[3] = {0.985, 0.972, 0.935};
    double grid[9][7];
    for (int j = 0; j < gh; j++)
        for (int i = 0; i < gw; i++)
            grid[j][i] = 0.04 * (rng_unit(r) - 0.5);
    float *colx = malloc(sizeof *colx * (size_t)w * 3);
    int *cix = malloc(sizeof *cix * (size_t)w);
    if (!colx || !cix) {
        free(colx);
        free(cix);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    }
    float *rowl = colx + w, *cfx = colx + 2 * (size_t)w;
    for (int x = 0; x < w; x++) {
        double nx = (double)x / w - 0.5;
        colx[x] = (float)(-gs * nx * cos(ga) - 2 * vig * (nx - ex) * (nx - ex));
        double gx = (double)x / (w - 1) * (gw - 1);
        cix[x] = gx >= gw - 1 ? gw - 2 : (int)gx;
        cfx[x] = (float)(gx - cix[x]);
    }
    for (int y = 0; y < h; y++) {
        double ny = (double)y / h - 0.5;
        double base = 1.0 - gs * (0.5 + ny * sin(ga)) - 2 * vig * (ny - ey) * (ny - ey);
        double gy = (double)y / (h - 1) * (gh - 1);
        int iy = gy >= gh - 1 ? gh - 2 : (int)gy;
        double fy = gy - iy, row[7];
        for (int i = 0; i < gw; i++)
            row[i] = grid[iy][i] * (1 - fy) + grid[iy + 1][i] * fy;
        for (int x = 0; x < w; x++) {
            int ix = cix[x];
            rowl[x] = (float)(base + colx[x] + row[ix] + (row[ix + 1] - row[ix]) * cfx[x]);
        }
        uint8_t *q = cv->px + (size_t)y * w * cv->bands;
        if (cv->bands == 3) {
            const float t0 = (float)tint3[0], t1 = (float)tint3[1], t2 = (float)tint3[2];
            for (int x = 0; x < w; x++) {
                float l = rowl[x];
                uint8_t *px = q + 3 * (size_t)x;
                int v0 = (int)((float)px[0] * l * t0 + 0.5f),
                    v1 = (int)((float)px[1] * l * t1 + 0.5f),
                    v2 = (int)((float)px[2] * l * t2 + 0.5f);
                px[0] = (uint8_t)(v0 > 255 ? 255 : v0);
                px[1] = (uint8_t)(v1 > 255 ? 255 : v1);
                px[2] = (uint8_t)(v2 > 255 ? 255 : v2);
            }
        } else {
            for (int x = 0; x < w; x++) {
                int v = (int)((float)q[x] * rowl[x] * 0.965f + 0.5f);
                q[x] = (uint8_t)(v > 255 ? 255 : v);
            }
        }
    }
    free(colx);
    free(cix);
    return 0;
}

/* Gaussian grain, the same for every band (scanner noise is mostly luminance): values drawn from
 * a 64K table of gaussian samples by a fast per-pixel generator. */
static int grain_apply(uint8_t *px, size_t n_px, int bands, double sigma, uint64_t seed,
                       struct sohoa_err *err)
{
    enum { TABLE = 65536 };
    int16_t *tab = malloc(sizeof *tab * TABLE);
    if (!tab)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    struct rng r = rng_for(seed, 5, 0);
    for (int i = 0; i < TABLE; i += 2) { /* Box-Muller, in 1/16 grey levels */
        double u1 = rng_unit(&r), u2 = rng_unit(&r);
        double m = sigma * 16 * sqrt(-2 * log(u1 > 1e-300 ? u1 : 1e-300));
        tab[i] = (int16_t)fmax(-32000, fmin(32000, m * cos(2 * M_PI * u2)));
        tab[i + 1] = (int16_t)fmax(-32000, fmin(32000, m * sin(2 * M_PI * u2)));
    }
    uint32_t x = (uint32_t)rng_next(&r) | 1u;
    for (size_t i = 0; i < n_px; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int d = tab[x & (TABLE - 1)];
        for (int b = 0; b < bands; b++) {
            uint8_t *q = px + i * bands + b;
            int v = *q + (d >= 0 ? (d + 8) >> 4 : -((-d + 8) >> 4));
            *q = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
    free(tab);
    return 0;
}

/* Text, signature and stamp onto paper; lighting last (it lights everything). */
int page_compose(struct gen *g, const struct page *p, const struct damage *dm,
                 enum colour_mode mode, const char *stamp_text, struct rng *r, struct canvas *cv,
                 struct sohoa_err *err)
{
    cv->w = p->w;
    cv->h = p->h;
    cv->bands = mode == MODE_COLOUR ? 3 : 1;
    size_t n = (size_t)p->w * p->h;
    cv->px = malloc(n * cv->bands);
    if (!cv->px)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    static const double ink[3] = {24, 24, 28};
    double lum = 0.299 * ink[0] + 0.587 * ink[1] + 0.114 * ink[2];
    uint8_t lut[3][256]; /* coverage → paper value under that much ink */
    for (int a = 0; a < 256; a++)
        for (int b = 0; b < 3; b++)
            lut[b][a] = (uint8_t)lround(255 - a / 255.0 * (255 - (cv->bands == 3 ? ink[b] : lum)));
    if (cv->bands == 3)
        for (size_t i = 0; i < n; i++) {
            uint8_t a = p->ink[i];
            cv->px[3 * i] = lut[0][a];
            cv->px[3 * i + 1] = lut[1][a];
            cv->px[3 * i + 2] = lut[2][a];
        }
    else
        for (size_t i = 0; i < n; i++)
            cv->px[i] = lut[0][p->ink[i]];
    int rc = 0;
    if (p->has_sig && (rc = draw_scribble(cv, p, g, r, err)))
        return rc;
    if (dm->stamp) {
        double k = px_mm(g), cx, cy;
        if (p->has_sig) { /* over the left part of the signature, as desks stamp */
            cx = p->sig_x + rng_range(r, -4, 6) * k;
            cy = p->sig_y + rng_range(r, -4, 4) * k;
        } else { /* over the lower body text, right half */
            int y0 = p->body_y0 < 0 ? p->top : p->body_y0,
                y1 = p->body_y1 > y0 ? p->body_y1 : p->bottom;
            cx = rng_range(r, p->left + (p->right - p->left) * 0.5, p->right - 12 * k);
            cy = fmax(y0 + 20 * k, y1 - rng_range(r, 20, 60) * k);
        }
        if ((rc = draw_stamp(g, cv, cx, cy, stamp_text, r, err)))
            return rc;
    }
    if (dm->uneven && (rc = light_apply(cv, r, err)))
        return rc;
    return 0;
}

/* Skew, blur, grain, JPEG round trip, binarisation → an image in memory (caller unrefs). */
int page_damage(const struct gen *g, const struct canvas *cv, const struct damage *dm,
                enum colour_mode mode, uint64_t noise_seed, VipsImage **out, struct sohoa_err *err)
{
    *out = NULL;
    VipsImage *ctx = vips_image_new();
    VipsImage **t = (VipsImage **)vips_object_local_array(VIPS_OBJECT(ctx), 12);
    void *jbuf = NULL, *nbuf = NULL;
    size_t jlen = 0;
    int rc = 0;
    VipsImage *cur = t[0] = vips_image_new_from_memory(cv->px, (size_t)cv->w * cv->h * cv->bands,
                                                       cv->w, cv->h, cv->bands, VIPS_FORMAT_UCHAR);
    if (!cur) {
        rc = vips_fail(err, "image from memory");
        goto out;
    }
    if (dm->skew != 0) {
        VipsArrayDouble *bg = vips_array_double_newv(cv->bands, 255.0, 255.0, 255.0);
        int r1 = vips_rotate(cur, &t[1], dm->skew, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (r1 || vips_crop(t[1], &t[2], (t[1]->Xsize - cv->w) / 2, (t[1]->Ysize - cv->h) / 2,
                            cv->w, cv->h, NULL)) {
            rc = vips_fail(err, "skew");
            goto out;
        }
        cur = t[2];
    }
    if (dm->blur > 0) {
        if (vips_gaussblur(cur, &t[3], dm->blur, NULL)) {
            rc = vips_fail(err, "blur");
            goto out;
        }
        cur = t[3];
    }
    if (dm->noise > 0) {
        size_t len = 0;
        if (!(nbuf = vips_image_write_to_memory(cur, &len))) {
            rc = vips_fail(err, "noise");
            goto out;
        }
        if ((rc = grain_apply(nbuf, (size_t)cv->w * cv->h, cv->bands, dm->noise, noise_seed, err)))
            goto out;
        if (!(cur = t[6] = vips_image_new_from_memory(nbuf, len, cv->w, cv->h, cv->bands,
                                                      VIPS_FORMAT_UCHAR))) {
            rc = vips_fail(err, "noise");
            goto out;
        }
    }
    double res = g->dpi / 25.4;
    if (vips_copy(cur, &t[7], "interpretation",
                  cv->bands == 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W, "xres", res,
                  "yres", res, NULL)) {
        rc = vips_fail(err, "copy");
        goto out;
    }
    cur = t[7];
    if (dm->jpeg_q > 0) {
        if (vips_jpegsave_buffer(cur, &jbuf, &jlen, "Q", dm->jpeg_q, NULL) ||
            vips_jpegload_buffer(jbuf, jlen, &t[8], NULL)) {
            rc = vips_fail(err, "jpeg round trip");
            goto out;
        }
        cur = t[8];
    }
    if (mode == MODE_BILEVEL) {
        if (vips_moreeq_const1(cur, &t[9], 128.0, NULL) ||
            vips_copy(t[9], &t[10], "interpretation", VIPS_INTERPRETATION_B_W, "xres", res, "yres",
                      res, NULL)) {
            rc = vips_fail(err, "threshold");
            goto out;
        }
        cur = t[10];
    }
    if (!(*out = vips_image_copy_memory(cur)))
        rc = vips_fail(err, "render");
out:
    g_object_unref(ctx);
    g_free(jbuf);
    g_free(nbuf);
    return rc;
}

struct damage damage_for(const struct damage_plan *dp, uint64_t seed, uint64_t index)
{
    struct rng r = rng_for(seed, 3, index);
    struct damage d = {0};
    if (dp->preset == 1) {
        d.skew = rng_range(&r, -1.2, 1.2);
        d.noise = rng_range(&r, 2, 6);
        d.blur = rng_range(&r, 0.3, 0.8);
        d.jpeg_q = rng_int(&r, 70, 92);
        d.uneven = rng_unit(&r) < 0.7;
        d.stamp = rng_unit(&r) < 0.3;
    } else if (dp->preset == 2) {
        d.skew = rng_range(&r, -3.5, 3.5);
        d.noise = rng_range(&r, 8, 16);
        d.blur = rng_range(&r, 0.9, 1.6);
        d.jpeg_q = rng_int(&r, 35, 60);
        d.uneven = true;
        d.stamp = rng_unit(&r) < 0.6;
    }
    if (dp->set_skew)
        d.skew = dp->fixed.skew;
    if (dp->set_noise)
        d.noise = dp->fixed.noise;
    if (dp->set_blur)
        d.blur = dp->fixed.blur;
    if (dp->set_jpeg)
        d.jpeg_q = dp->fixed.jpeg_q;
    if (dp->set_uneven)
        d.uneven = dp->fixed.uneven;
    if (dp->set_stamp)
        d.stamp = dp->fixed.stamp;
    return d;
}
