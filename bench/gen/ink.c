/* ink.c — ink blended onto the scanned paper by the generator: a handwritten-looking signature
 * stroke and a round red seal (rings, the issuer's name around it, a star). See ink.h.
 */
#include "bench/gen/ink.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Smooth noise in [0, 1): bilinear over a coarse random grid. */
struct smooth {
    int gw, gh;
    double sx, sy;
    float *v;
};

enum { RING_MAX = 96 };

void blend_px(struct canvas *cv, int x, int y, double a, const double col[3])
{
    if (x < 0 || y < 0 || x >= cv->w || y >= cv->h || a <= 0)
        return;
    if (a > 1)
        a = 1;
    uint8_t *q = cv->px + ((size_t)y * cv->w + x) * cv->bands;
    if (cv->bands == 3) {
        for (int b = 0; b < 3; b++)
            q[b] = (uint8_t)lround(q[b] * (1 - a + a * col[b] / 255.0));
    } else {
        double lum = 0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2];
        q[0] = (uint8_t)lround(q[0] * (1 - a + a * lum / 255.0));
    }
}

static int smooth_init(struct smooth *s, struct rng *r, int gw, int gh, int w, int h)
{
    s->gw = gw;
    s->gh = gh;
    s->sx = (double)(gw - 1) / (w > 1 ? w - 1 : 1);
    s->sy = (double)(gh - 1) / (h > 1 ? h - 1 : 1);
    s->v = malloc(sizeof *s->v * (size_t)gw * gh);
    if (!s->v)
        return -1;
    for (int i = 0; i < gw * gh; i++)
        s->v[i] = (float)rng_unit(r);
    return 0;
}

static double smooth_at(const struct smooth *s, double x, double y)
{
    double gx = x * s->sx, gy = y * s->sy;
    int ix = (int)gx, iy = (int)gy;
    if (ix >= s->gw - 1)
        ix = s->gw - 2;
    if (iy >= s->gh - 1)
        iy = s->gh - 2;
    if (ix < 0)
        ix = 0;
    if (iy < 0)
        iy = 0;
    double fx = gx - ix, fy = gy - iy;
    const float *v = s->v + (size_t)iy * s->gw + ix;
    return (v[0] * (1 - fx) + v[1] * fx) * (1 - fy) +
           (v[s->gw] * (1 - fx) + v[s->gw + 1] * fx) * fy;
}

/* A handwritten-looking stroke: a Catmull-Rom curve through random points, drawn with a round
 * pen into a coverage mask, then blended once (so the stroke does not darken where it
 * overlaps itself). */
int draw_scribble(struct canvas *cv, const struct page *p, const struct gen *g, struct rng *r,
                  struct sohoa_err *err)
{
    double pen = fmax(1.0, 0.28 * px_mm(g));
    int pad = (int)ceil(pen) + 2;
    int mx = (int)floor(p->sig_x) - pad, my = (int)floor(p->sig_y - p->sig_h / 2) - pad;
    int mw = (int)ceil(p->sig_w) + 2 * pad, mh = (int)ceil(p->sig_h) + 2 * pad;
    float *m = calloc((size_t)mw * mh, sizeof *m);
    if (!m)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    /* Up-and-down strokes moving right, with a loop or two (a step back), ending in a long
     * flourish back under the name. */
    enum { K = 16 };
    double px[K + 2], py[K + 2], pen_x = p->sig_x;
    for (int i = 0; i < K + 2; i++) {
        double step = p->sig_w / (K - 4);
        if (i > 2 && i < K - 3 && rng_unit(r) < 0.25)
            step = -step * 0.6; /* a loop */
        if (i >= K - 2) {
            px[i] = p->sig_x + p->sig_w * (i == K - 2 ? 0.45 : 0.15);
            py[i] = p->sig_y + p->sig_h * 0.42;
            continue;
        }
        pen_x += step * rng_range(r, 0.7, 1.2);
        px[i] = pen_x;
        py[i] = p->sig_y + (i % 2 ? -1 : 1) * p->sig_h * rng_range(r, 0.15, 0.5);
    }
    for (int i = 1; i < K; i++) {
        double len = hypot(px[i + 1] - px[i], py[i + 1] - py[i]);
        int steps = (int)(len * 2) + 2;
        for (int s = 0; s <= steps; s++) {
            double t = (double)s / steps, t2 = t * t, t3 = t2 * t;
            double x = 0.5 * ((2 * px[i]) + (-px[i - 1] + px[i + 1]) * t +
                              (2 * px[i - 1] - 5 * px[i] + 4 * px[i + 1] - px[i + 2]) * t2 +
                              (-px[i - 1] + 3 * px[i] - 3 * px[i + 1] + px[i + 2]) * t3);
            double y = 0.5 * ((2 * py[i]) + (-py[i - 1] + py[i + 1]) * t +
                              (2 * py[i - 1] - 5 * py[i] + 4 * py[i + 1] - py[i + 2]) * t2 +
                              (-py[i - 1] + 3 * py[i] - 3 * py[i + 1] + py[i + 2]) * t3);
            double rad = pen * (0.75 + 0.25 * sin(t * M_PI)); /* thinner at the ends */
            for (int yy = (int)(y - rad - 1); yy <= (int)(y + rad + 1); yy++)
                for (int xx = (int)(x - rad - 1); xx <= (int)(x + rad + 1); xx++) {
                    int lx = xx - mx, ly = yy - my;
                    if (lx < 0 || ly < 0 || lx >= mw || ly >= mh)
                        continue;
                    double c = rad + 0.5 - hypot(xx + 0.5 - x, yy + 0.5 - y);
                    c = c < 0 ? 0 : c > 1 ? 1 : c;
                    float *q = &m[(size_t)ly * mw + lx];
                    if (c > *q)
                        *q = (float)c;
                }
        }
    }
    static const double blue[3] = {28, 38, 125};
    for (int y = 0; y < mh; y++)
        for (int x = 0; x < mw; x++)
            if (m[(size_t)y * mw + x] > 0)
                blend_px(cv, mx + x, my + y, 0.92 * m[(size_t)y * mw + x], blue);
    free(m);
    return 0;
}

static bool in_polygon(const double *xs, const double *ys, int n, double x, double y)
{
    bool in = false;
    for (int i = 0, j = n - 1; i < n; j = i++)
        if ((ys[i] > y) != (ys[j] > y) &&
            x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i])
            in = !in;
    return in;
}

static double band(double d, double a, double b) /* antialiased coverage of a ≤ d ≤ b */
{
    double c = fmin(d - a, b - d) + 0.5;
    return c < 0 ? 0 : c > 1 ? 1 : c;
}

/* The glyphs of a seal's ring text, each cropped to its ink; `*total` = sum of advances. */
static int ring_glyphs(struct gen *g, const char *text, double size, struct bitmap *gl, int *tops,
                       int *n, int *total, const struct font **fout, struct sohoa_err *err)
{
    const struct font *f = NULL;
    *n = 0;
    *total = 0;
    int rc = font_get_family(g, "DejaVu Sans", "Bold", size, &f, err);
    *fout = f;
    for (const char *p = text; rc == 0 && *p && *n < RING_MAX;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)p, -1, &cp);
        if (len <= 0)
            break;
        char ch[8];
        if (cp == '&' || cp == '<' || cp == '>')
            (void)snprintf(ch, sizeof ch, "-");
        else
            (void)snprintf(ch, sizeof ch, "%.*s", (int)len, p);
        p += len;
        bool wrapped = false;
        struct bitmap *b = &gl[*n];
        tops[*n] = 0;
        if (cp == ' ')
            *b = (struct bitmap){(int)(f->gap * 0.9), 0, NULL};
        else if ((rc = line_render(g, f, ch, 0, false, b, &tops[*n], &wrapped, err)) ||
                 (rc = bitmap_crop_cols(b, err))) {
            bitmap_release(b);
            break;
        }
        *total += b->w + (int)(0.12 * f->pitch);
        (*n)++;
    }
    return rc;
}

/* A round red seal (Vietnamese stamps: outer ring, the issuer's name around it, an inner ring,
 * a star in the middle), ink texture uneven like a real impression, centred at (cx, cy). */
int draw_stamp(struct gen *g, struct canvas *cv, double cx, double cy, const char *ring,
               struct rng *r, struct sohoa_err *err)
{
    double k = px_mm(g);
    double R = rng_range(r, 17.0, 19.5) * k, rot = rng_range(r, -0.6, 0.6);
    double t_out = 1.0 * k, r_in = R - 6.4 * k, t_in = 0.4 * k;
    int S = (int)ceil(2 * R) + 6;
    double c = S / 2.0;
    float *m = calloc((size_t)S * S, sizeof *m);
    struct smooth tex = {0}, tex2 = {0};
    int rc = 0;
    if (!m || smooth_init(&tex, r, 14, 14, S, S) || smooth_init(&tex2, r, 40, 40, S, S)) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    /* rings */
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            double d = hypot(x + 0.5 - c, y + 0.5 - c);
            double v = fmax(band(d, R - t_out, R), band(d, r_in - t_in, r_in));
            m[(size_t)y * S + x] = (float)v;
        }
    /* star, 4×4 supersampled */
    double xs[10], ys[10], rs = r_in * 0.42;
    for (int i = 0; i < 10; i++) {
        double a = rot - M_PI / 2 + i * M_PI / 5, rr = i % 2 ? rs * 0.382 : rs;
        xs[i] = c + rr * cos(a);
        ys[i] = c + rr * sin(a);
    }
    for (int y = (int)(c - rs) - 1; y <= (int)(c + rs) + 1; y++)
        for (int x = (int)(c - rs) - 1; x <= (int)(c + rs) + 1; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++)
                    hits += in_polygon(xs, ys, 10, x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
            float *q = &m[(size_t)y * S + x];
            if ((float)hits / 16.0f > *q)
                *q = (float)hits / 16.0f;
        }
    /* text ring: glyphs upright outwards, reading clockwise, spread evenly around the ring
     * from the top; shrunk when the name is too long to fit */
    {
        double rt = (R - t_out + r_in) / 2;
        double band_h = (R - t_out) - r_in;
        double size = band_h / k * 72.0 / 25.4 * 0.78; /* em size in pt for the band */
        double target = 2 * M_PI * rt * 0.93;
        struct bitmap gl[RING_MAX];
        int tops[RING_MAX], n = 0, total = 0;
        const struct font *f = NULL;
        rc = ring_glyphs(g, ring, size, gl, tops, &n, &total, &f, err);
        if (rc == 0 && total > target) {
            for (int i = 0; i < n; i++)
                bitmap_release(&gl[i]);
            rc = ring_glyphs(g, ring, size * target / total * 0.97, gl, tops, &n, &total, &f, err);
        }
        double extra = n && total < target ? (target - total) / n : 0;
        double acc = 0, a0 = rot - M_PI / 2 - (total + extra * n) / rt / 2;
        for (int i = 0; rc == 0 && i < n; i++) {
            double adv = gl[i].w + 0.12 * f->pitch + extra;
            double phi = a0 + (acc + adv / 2) / rt;
            acc += adv;
            if (!gl[i].px)
                continue;
            /* Glyph centre: middle of its ink columns, middle of its logical line. */
            double gx = gl[i].w / 2.0, gy = tops[i] + f->pitch * 0.55;
            double tx = c + rt * cos(phi), ty = c + rt * sin(phi);
            double ang = phi + M_PI / 2, ca = cos(ang), sa = sin(ang);
            int reach = (int)ceil(hypot(gl[i].w, gl[i].h)) + 2;
            for (int y = (int)ty - reach; y <= (int)ty + reach; y++)
                for (int x = (int)tx - reach; x <= (int)tx + reach; x++) {
                    if (x < 0 || y < 0 || x >= S || y >= S)
                        continue;
                    double dx = x + 0.5 - tx, dy = y + 0.5 - ty;
                    /* inverse rotation into glyph space */
                    double u = dx * ca + dy * sa + gx - 0.5, v = -dx * sa + dy * ca + gy - 0.5;
                    int iu = (int)floor(u), iv = (int)floor(v);
                    if (iu < 0 || iv < 0 || iu + 1 >= gl[i].w || iv + 1 >= gl[i].h)
                        continue;
                    double fu = u - iu, fv = v - iv;
                    const uint8_t *q = gl[i].px + (size_t)iv * gl[i].w + iu;
                    double val = ((q[0] * (1 - fu) + q[1] * fu) * (1 - fv) +
                                  (q[gl[i].w] * (1 - fu) + q[gl[i].w + 1] * fu) * fv) /
                                 255.0;
                    float *o = &m[(size_t)y * S + x];
                    if (val > *o)
                        *o = (float)val;
                }
        }
        for (int i = 0; i < n; i++)
            bitmap_release(&gl[i]);
    }
    if (rc)
        goto out;
    /* ink: uneven pressure (one side lighter), blotchy texture, a few dry specks */
    {
        static const double red[3] = {204, 28, 42};
        double pa = rng_range(r, 0, 2 * M_PI), alpha = rng_range(r, 0.78, 0.92);
        int x0 = (int)lround(cx - c), y0 = (int)lround(cy - c);
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++) {
                float v = m[(size_t)y * S + x];
                if (v <= 0)
                    continue;
                double side = 0.5 + 0.5 * ((x - c) * cos(pa) + (y - c) * sin(pa)) / R;
                double t = 0.55 + 0.45 * smooth_at(&tex, x, y);
                double speck = smooth_at(&tex2, x, y) < 0.12 ? 0.35 : 1.0;
                blend_px(cv, x0 + x, y0 + y, alpha * v * t * speck * (1 - 0.35 * side), red);
            }
    }
out:
    free(m);
    free(tex.v);
    free(tex2.v);
    return rc;
}
