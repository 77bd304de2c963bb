/* clean.c — page cleaning with Leptonica: orientation, deskew, red dropout, background, blank test.
 *
 * Holds:
 *   sohoa_clean_page()          decoded page → upright deskewed `archive` + `ocr` image
 *   sohoa_clean_measure_skew()  skew of a page as it is
 *   sohoa_encode_g4()           bi-level image → raw CCITT G4 bytes for a PDF
 * The only file in sohoa that includes Leptonica; its NULL/1 returns become struct sohoa_err and
 * its own messages are switched off (they would go to stderr).
 *
 * Order of work on a page: grey copy (red/purple-red ink blended towards white) → background
 * flattened → binarised analysis copy → blank test → orientation (ascender/descender statistics
 * on the binarised copy) → skew (sweep and binary search on the binarised copy) → the archive and
 * the grey copy are turned by the same angles, so `ocr` and `archive` share one geometry → dot
 * leaders erased from the grey copy (Tesseract drops a line of text that stands on a row of dots).
 */
#include "pipeline/image/clean.h"

#include <math.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

/* Leptonica prints its warnings and errors to stderr; sohoa reports through sohoa_err instead. */
static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void lept_quiet(void)
{
    setMsgSeverity(L_SEVERITY_NONE);
}

void sohoa_clean_opts_default(struct sohoa_clean_opts *o)
{
    memset(o, 0, sizeof *o);
    o->orient = true;
    o->deskew = true;
    o->drop_red = true;
    o->normalize_bg = true;
    o->ocr_form = SOHOA_CLEAN_OCR_GREY;
    o->ocr_min_dpi = 0;
    o->ocr_target_dpi = 0;
    o->max_skew_deg = 7.0;
    o->min_skew_conf = 3.0;
    o->min_orient_conf = 8.0; /* Leptonica's own default: a false 180° turn is costly */
    o->drop_dot_leaders = true;
}

void sohoa_clean_result_release(struct sohoa_clean_result *r)
{
    if (!r)
        return;
    sohoa_image_release(&r->archive);
    sohoa_image_release(&r->ocr);
    memset(r, 0, sizeof *r);
}

static int check_image(const struct sohoa_image *img, struct sohoa_err *err)
{
    if (!img || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->bands != 1 && img->bands != 3) || img->stride < (size_t)img->width * img->bands)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "clean: not a valid image");
    if (img->bilevel && img->bands != 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "clean: a bi-level image has one band");
    return 0;
}

/* --- conversions between struct sohoa_image and Pix ------------------------------------------ */

/* The image as a Pix: 1 bpp (bilevel, 1 = black), 8 bpp grey, or 32 bpp RGB. */
static PIX *pix_from_image(const struct sohoa_image *img)
{
    int w = img->width, h = img->height;
    int depth = img->bilevel ? 1 : (img->bands == 1 ? 8 : 32);
    PIX *pix = pixCreate(w, h, depth);
    if (!pix)
        return NULL;
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        const uint8_t *src = img->pixels + (size_t)y * img->stride;
        l_uint32 *line = data + (size_t)y * wpl;
        if (depth == 1) {
            for (int x = 0; x < w; x++)
                if (src[x] < 128)
                    SET_DATA_BIT(line, x);
        } else if (depth == 8) {
            for (int x = 0; x < w; x++)
                SET_DATA_BYTE(line, x, src[x]);
        } else {
            for (int x = 0; x < w; x++, src += 3)
                line[x] = ((l_uint32)src[0] << L_RED_SHIFT) | ((l_uint32)src[1] << L_GREEN_SHIFT) |
                          ((l_uint32)src[2] << L_BLUE_SHIFT);
        }
    }
    pixSetResolution(pix, (l_int32)lround(img->xres), (l_int32)lround(img->yres));
    return pix;
}

/* A Pix of depth 1, 8 or 32 (no colormap) → struct sohoa_image. */
static int image_from_pix(PIX *pix, struct sohoa_image *img, struct sohoa_err *err)
{
    int w = pixGetWidth(pix), h = pixGetHeight(pix), d = pixGetDepth(pix);
    if (pixGetColormap(pix) || (d != 1 && d != 8 && d != 32))
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: unexpected %d bpp result", d);
    int rc = sohoa_image_alloc(img, w, h, d == 32 ? 3 : 1, err);
    if (rc)
        return rc;
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        uint8_t *dst = img->pixels + (size_t)y * img->stride;
        const l_uint32 *line = data + (size_t)y * wpl;
        if (d == 1) {
            for (int x = 0; x < w; x++)
                dst[x] = GET_DATA_BIT(line, x) ? 0 : 255;
        } else if (d == 8) {
            for (int x = 0; x < w; x++)
                dst[x] = (uint8_t)GET_DATA_BYTE(line, x);
        } else {
            for (int x = 0; x < w; x++, dst += 3) {
                dst[0] = (uint8_t)(line[x] >> L_RED_SHIFT);
                dst[1] = (uint8_t)(line[x] >> L_GREEN_SHIFT);
                dst[2] = (uint8_t)(line[x] >> L_BLUE_SHIFT);
            }
        }
    }
    img->bilevel = d == 1;
    img->xres = pixGetXRes(pix);
    img->yres = pixGetYRes(pix);
    return 0;
}

/* --- the grey analysis/OCR copy ------------------------------------------------------------- */

/* 8-bit grey copy of the page. With `drop_red`, pixels whose red clearly exceeds their green
 * (red and purple-red seal ink, red signatures) take their red channel value instead of their
 * luminance: the ink turns light, as under a scanner's red dropout lamp, while black text
 * printed over the seal stays dark because its red channel is dark too. The blend is gradual
 * so the seal's anti-aliased edges leave no outline. */
static PIX *grey_from_image(const struct sohoa_image *img, bool drop_red)
{
    int w = img->width, h = img->height;
    PIX *pix = pixCreate(w, h, 8);
    if (!pix)
        return NULL;
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        const uint8_t *src = img->pixels + (size_t)y * img->stride;
        l_uint32 *line = data + (size_t)y * wpl;
        if (img->bands == 1) {
            for (int x = 0; x < w; x++)
                SET_DATA_BYTE(line, x, src[x]);
            continue;
        }
        for (int x = 0; x < w; x++, src += 3) {
            int r = src[0], g = src[1], b = src[2];
            int v = (77 * r + 150 * g + 29 * b + 128) >> 8;
            if (drop_red) {
                /* redness: how far red stands above green (and not below blue by much) */
                int red = r - g;
                if (b > r)
                    red -= b - r;
                if (red > 30) {
                    int wgt = red >= 90 ? 64 : (red - 30) * 64 / 60;
                    int target = r + (255 - r) / 2; /* lighter than the red channel alone */
                    v += (target - v) * wgt / 64;
                }
            }
            SET_DATA_BYTE(line, x, v);
        }
    }
    pixSetResolution(pix, (l_int32)lround(img->xres), (l_int32)lround(img->yres));
    return pix;
}

/* Flatten the background to white and stretch the ink to black. Small images, where
 * Leptonica's tiles do not fit, are returned as a plain copy. */
static PIX *grey_flatten(PIX *grey)
{
    PIX *out = NULL;
    if (pixGetWidth(grey) >= 100 && pixGetHeight(grey) >= 100)
        out = pixCleanBackgroundToWhite(grey, NULL, NULL, 1.0f, 70, 190);
    return out ? out : pixCopy(NULL, grey);
}

/* Binarised copy for analysis (and for the binary `ocr` form): fixed threshold on the
 * flattened grey, whose background is white by construction. */
static PIX *grey_binarize(PIX *flat)
{
    return pixThresholdToBinary(flat, 160);
}

/* --- decisions ----------------------------------------------------------------------------- */

static double guess_dpi(const struct sohoa_image *img, bool *guessed)
{
    *guessed = false;
    if (img->xres > 0)
        return img->xres;
    *guessed = true;
    /* No resolution recorded: if the image has a page's shape (A4, Letter, Legal), assume its
     * short side is about 8.3 inches and round to a usual scanner setting; else assume 300. */
    double s = img->width < img->height ? img->width : img->height;
    double l = img->width < img->height ? img->height : img->width;
    double ratio = l / s;
    if (ratio < 1.2 || ratio > 1.7)
        return 300;
    static const double usual[] = {100, 150, 200, 240, 300, 400, 600};
    double est = s / 8.3, best = usual[0];
    for (size_t i = 0; i < sizeof usual / sizeof usual[0]; i++)
        if (fabs(usual[i] - est) < fabs(best - est))
            best = usual[i];
    return best;
}

/* A page is blank when its inner part (margins of 4% dropped, where scanner borders and
 * punch holes live) holds fewer than a handful of glyph-sized connected components. */
static bool page_is_blank(PIX *bin, double dpi)
{
    int w = pixGetWidth(bin), h = pixGetHeight(bin);
    int mx = w / 25, my = h / 25;
    BOX *inner = boxCreate(mx, my, w - 2 * mx, h - 2 * my);
    PIX *clip = inner ? pixClipRectangle(bin, inner, NULL) : NULL;
    BOXA *boxes = clip ? pixConnCompBB(clip, 8) : NULL;
    int minsz = (int)(dpi / 60.0); /* 5 px at 300 dpi: smaller is dust */
    int maxsz = (int)(dpi * 1.5);  /* larger is a border, a rule or a photo edge */
    if (minsz < 2)
        minsz = 2;
    int glyphs = 0, n = boxes ? boxaGetCount(boxes) : 0;
    for (int i = 0; i < n && glyphs < 5; i++) {
        l_int32 bx, by, bw, bh;
        if (boxaGetBoxGeometry(boxes, i, &bx, &by, &bw, &bh))
            continue;
        if (bh >= minsz && bh <= maxsz && bw <= maxsz * 2)
            glyphs++;
    }
    boxaDestroy(&boxes);
    pixDestroy(&clip);
    boxDestroy(&inner);
    return glyphs < 5;
}

/* Skew of a binarised page: sweep then binary search, with reductions suited to `dpi`. 0, or
 * SOHOA_EBACKEND when Leptonica fails. */
static int skew_find(PIX *bin, double dpi, double range, double *angle, double *conf)
{
    l_float32 a = 0, c = 0;
    int sweep_red = dpi >= 250 ? 4 : 2;
    int bs_red = dpi >= 250 ? 2 : 1;
    l_ok bad =
        pixFindSkewSweepAndSearch(bin, &a, &c, sweep_red, bs_red, (l_float32)range, 1.0f, 0.01f);
    *angle = a;
    *conf = c;
    return bad ? SOHOA_EBACKEND : 0;
}

/* Orientation of a binarised page: quarter turns clockwise that make the text upright
 * (0..3), or 0 when unsure. `conf` is the winning confidence. */
static int orient_find(PIX *bin, double dpi, double min_conf, double *conf)
{
    PIX *work = NULL;
    /* the ascender/descender filters are tuned for about 150-300 ppi */
    if (dpi > 400)
        work = pixReduceRankBinary2(bin, 1, NULL);
    else
        work = pixClone(bin);
    l_float32 up = 0, left = 0;
    int quads = 0;
    *conf = 0;
    if (work && pixOrientDetect(work, &up, &left, 0, 0) == 0) {
        l_int32 orient = L_TEXT_ORIENT_UNKNOWN;
        makeOrientDecision(up, left, (l_float32)min_conf, 0, &orient, 0);
        switch (orient) {
        case L_TEXT_ORIENT_UP:
            quads = 0;
            break;
        case L_TEXT_ORIENT_LEFT:
            quads = 1;
            break;
        case L_TEXT_ORIENT_DOWN:
            quads = 2;
            break;
        case L_TEXT_ORIENT_RIGHT:
            quads = 3;
            break;
        default:
            quads = 0;
            break;
        }
        *conf = fabs(up) > fabs(left) ? fabs(up) : fabs(left);
    }
    pixDestroy(&work);
    return quads;
}

/* Replace *pix by f(*pix); on failure *pix is kept and 1 is returned. */
/* Dot leaders: the dotted fill-in lines of forms ("1. Họ và tên: BÙI THỊ HẰNG ..........").
 * Conservative on purpose: a dot is a small isolated blob (at most DOT_MAX_MM on each side, not
 * more than twice as wide as high or the reverse); a leader is a run of at least DOT_MIN_RUN dots
 * on one baseline (centres within DOT_Y_TOL_MM) with regular gaps (each at most DOT_MAX_GAP_MM and
 * within half to twice the run's first gap). Once a row has a leader, the other dots of that row
 * that sit on the leader's pitch (within DOT_PHASE_PX) are its pieces broken by the text written
 * over it, and go too. Periods, ellipses and the dots of Vietnamese letters (ạ ị ọ, i) never form
 * such runs. */
#define DOT_MAX_MM     0.7
#define DOT_Y_TOL_MM   0.25
#define DOT_MAX_GAP_MM 2.0
#define DOT_MIN_RUN    8
#define DOT_PHASE_PX   2.0

struct dot {
    int x, y, w, h;
    double cy;
    bool erase;
};

static int dot_cmp(const void *a, const void *b)
{
    const struct dot *p = a, *q = b;
    if (p->cy != q->cy)
        return p->cy < q->cy ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

static int dot_cmp_x(const void *a, const void *b)
{
    const struct dot *p = a, *q = b;
    return (p->x > q->x) - (p->x < q->x);
}

/* Mark the leaders of one row of dots d[0..n) (sorted by x). */
static void row_leaders(struct dot *d, size_t n, double px_mm)
{
    for (size_t a = 0, b; a < n; a = b) {
        double first = 0;
        for (b = a + 1; b < n; b++) {
            double gap = d[b].x - (d[b - 1].x + d[b - 1].w);
            if (gap > DOT_MAX_GAP_MM * px_mm || gap < 1 ||
                (b > a + 1 && (gap < first / 2 || gap > first * 2)))
                break;
            if (b == a + 1)
                first = gap;
        }
        if (b - a < DOT_MIN_RUN)
            continue;
        double pitch = (double)(d[b - 1].x - d[a].x) / (double)(b - a - 1);
        for (size_t k = 0; k < n; k++) {
            double steps = (d[k].x - d[a].x) / pitch;
            bool on_pitch = fabs(steps - round(steps)) * pitch <= DOT_PHASE_PX;
            bool alike = abs(d[k].w - d[a].w) <= 2 && abs(d[k].h - d[a].h) <= 2;
            d[k].erase |= (k >= a && k < b) || (on_pitch && alike);
        }
    }
}

/* Erase (set white) the dot leaders of `grey` (8 bpp) found on its binarised copy. Returns the
 * number of dots erased; a failure of Leptonica leaves the page as it is. */
static int erase_dot_leaders(PIX *grey, double dpi)
{
    double px_mm = dpi / 25.4;
    int max_side = (int)lround(DOT_MAX_MM * px_mm), erased = 0;
    PIX *bin = grey_binarize(grey);
    BOXA *boxes = bin ? pixConnCompBB(bin, 8) : NULL;
    int n = boxes ? boxaGetCount(boxes) : 0;
    struct dot *d = n ? malloc((size_t)n * sizeof *d) : NULL;
    size_t nd = 0;
    for (int i = 0; d && i < n; i++) {
        l_int32 x, y, w, h;
        if (boxaGetBoxGeometry(boxes, i, &x, &y, &w, &h) || w > max_side || h > max_side ||
            w > 2 * h + 1 || h > 2 * w + 1)
            continue;
        d[nd++] = (struct dot){x, y, w, h, y + h / 2.0, false};
    }
    if (nd)
        qsort(d, nd, sizeof *d, dot_cmp);
    /* rows: dots whose centres lie within the tolerance of the row's first dot */
    for (size_t i = 0, j; i < nd; i = j) {
        for (j = i + 1; j < nd && d[j].cy - d[i].cy <= DOT_Y_TOL_MM * px_mm; j++)
            ;
        qsort(d + i, j - i, sizeof *d, dot_cmp_x);
        row_leaders(d + i, j - i, px_mm);
    }
    for (size_t k = 0; k < nd; k++) {
        BOX *box =
            d[k].erase ? boxCreateValid(d[k].x - 1, d[k].y - 1, d[k].w + 2, d[k].h + 2) : NULL;
        if (box && pixSetInRect(grey, box) == 0)
            erased++;
        boxDestroy(&box);
    }
    free(d);
    boxaDestroy(&boxes);
    pixDestroy(&bin);
    return erased;
}

/* *pix becomes `next` (the old one destroyed); SOHOA_EBACKEND, *pix kept, when the Leptonica call
 * that made `next` failed (NULL). */
static int pix_replace(PIX **pix, PIX *next)
{
    if (!next)
        return SOHOA_EBACKEND;
    pixDestroy(pix);
    *pix = next;
    return 0;
}

/* --- public -------------------------------------------------------------------------------- */

int sohoa_clean_page(const struct sohoa_image *in, const struct sohoa_clean_opts *o,
                     struct sohoa_clean_result *out, struct sohoa_err *err)
{
    struct sohoa_clean_opts defaults;
    PIX *orig = NULL, *grey = NULL, *flat = NULL, *bin = NULL;
    int rc = 0;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "clean: no result struct");
    if ((rc = check_image(in, err)))
        return rc;
    if (!o) {
        sohoa_clean_opts_default(&defaults);
        o = &defaults;
    }
    pthread_once(&quiet_once, lept_quiet);

    double dpi = guess_dpi(in, &out->dpi_guessed);
    out->dpi = dpi;
    out->ocr_scale = 1.0;

    orig = pix_from_image(in);
    grey = grey_from_image(in, o->drop_red);
    if (!orig || !grey) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "clean: out of memory for a %dx%d page",
                           in->width, in->height);
        goto out;
    }
    flat = (o->normalize_bg && !in->bilevel) ? grey_flatten(grey) : pixCopy(NULL, grey);
    bin = flat ? grey_binarize(flat) : NULL;
    if (!flat || !bin) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: background/threshold failed");
        goto out;
    }

    out->blank = page_is_blank(bin, dpi);

    if (o->orient && !out->blank) {
        int quads = orient_find(bin, dpi, o->min_orient_conf, &out->orient_conf);
        if (quads) {
            if (pix_replace(&orig, pixRotateOrth(orig, quads)) ||
                pix_replace(&flat, pixRotateOrth(flat, quads)) ||
                pix_replace(&bin, pixRotateOrth(bin, quads))) {
                rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: orthogonal rotation failed");
                goto out;
            }
            out->rotation = 90 * quads;
        }
    }

    if (o->deskew && !out->blank) {
        double angle = 0, conf = 0;
        if (skew_find(bin, dpi, o->max_skew_deg, &angle, &conf) == 0) {
            out->skew_deg = angle;
            out->skew_conf = conf;
            if (conf >= o->min_skew_conf && fabs(angle) >= 0.1) {
                float rad = (float)(angle * M_PI / 180.0);
                if (pix_replace(&orig,
                                pixRotate(orig, rad, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0)) ||
                    pix_replace(&flat,
                                pixRotate(flat, rad, L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0))) {
                    rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: rotation failed");
                    goto out;
                }
                out->skew_applied = true;
            }
        }
    }

    /* `ocr`: the flattened grey without dot leaders, upscaled for low-resolution pages,
     * binarised if asked. */
    if (o->drop_dot_leaders && !out->blank)
        erase_dot_leaders(flat, dpi);
    if (o->ocr_target_dpi > 0 && dpi < o->ocr_min_dpi) {
        double s = o->ocr_target_dpi / dpi;
        if (pix_replace(&flat, pixScale(flat, (l_float32)s, (l_float32)s))) {
            rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: upscaling failed");
            goto out;
        }
        out->ocr_scale = (double)pixGetWidth(flat) / pixGetWidth(orig);
    }
    if (o->ocr_form == SOHOA_CLEAN_OCR_BINARY && pix_replace(&flat, grey_binarize(flat))) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "clean: binarisation failed");
        goto out;
    }

    if ((rc = image_from_pix(orig, &out->archive, err)) ||
        (rc = image_from_pix(flat, &out->ocr, err)))
        goto out;
    /* a quarter turn swaps the axes (fax scans have different x and y resolutions) */
    bool swap = out->rotation == 90 || out->rotation == 270;
    double xres = in->xres, yres = in->yres > 0 ? in->yres : in->xres;
    out->archive.xres = swap ? yres : xres;
    out->archive.yres = swap ? xres : yres;
    out->ocr.xres = (out->archive.xres > 0 ? out->archive.xres : dpi) * out->ocr_scale;
    out->ocr.yres = (out->archive.yres > 0 ? out->archive.yres : dpi) * out->ocr_scale;

out:
    pixDestroy(&orig);
    pixDestroy(&grey);
    pixDestroy(&flat);
    pixDestroy(&bin);
    if (rc)
        sohoa_clean_result_release(out);
    return rc;
}

int sohoa_clean_measure_skew(const struct sohoa_image *img, double *angle, double *conf,
                             struct sohoa_err *err)
{
    PIX *grey = NULL, *flat = NULL, *bin = NULL;
    int rc = 0;
    if (angle)
        *angle = 0;
    if (conf)
        *conf = 0;
    if (!angle || !conf)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "measure_skew: no out-params");
    if ((rc = check_image(img, err)))
        return rc;
    pthread_once(&quiet_once, lept_quiet);
    bool guessed;
    double dpi = guess_dpi(img, &guessed);
    grey = grey_from_image(img, true);
    flat = grey ? (img->bilevel ? pixClone(grey) : grey_flatten(grey)) : NULL;
    bin = flat ? grey_binarize(flat) : NULL;
    if (!bin) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "measure_skew: out of memory");
        goto out;
    }
    if (skew_find(bin, dpi, 7.0, angle, conf)) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "measure_skew: Leptonica failed");
        goto out;
    }
out:
    pixDestroy(&grey);
    pixDestroy(&flat);
    pixDestroy(&bin);
    return rc;
}

int sohoa_encode_g4(const struct sohoa_image *bilevel, uint8_t **data, size_t *len,
                    struct sohoa_err *err)
{
    PIX *pix = NULL;
    L_COMP_DATA *cid = NULL;
    int rc = 0;
    if (data)
        *data = NULL;
    if (len)
        *len = 0;
    if (!data || !len)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "encode_g4: no out-params");
    if ((rc = check_image(bilevel, err)))
        return rc;
    if (bilevel->bands != 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "encode_g4: needs a one-band image");
    pthread_once(&quiet_once, lept_quiet);

    struct sohoa_image as_bits = *bilevel;
    as_bits.bilevel = true; /* threshold at 128 whatever the flag says */
    pix = pix_from_image(&as_bits);
    if (!pix) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "encode_g4: out of memory");
        goto out;
    }
    if (pixGenerateCIData(pix, L_G4_ENCODE, 0, 0, &cid) || !cid || !cid->datacomp ||
        cid->type != L_G4_ENCODE) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, true, "encode_g4: Leptonica G4 encoding failed");
        goto out;
    }
    if (cid->minisblack) {
        /* Leptonica writes 1-bpp TIFF as min-is-white; anything else would flip the polarity
         * stated in clean.h. */
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "encode_g4: unexpected G4 polarity");
        goto out;
    }
    *data = malloc(cid->nbytescomp ? cid->nbytescomp : 1);
    if (!*data) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "encode_g4: out of memory");
        goto out;
    }
    memcpy(*data, cid->datacomp, cid->nbytescomp);
    *len = cid->nbytescomp;
out:
    l_CIDataDestroy(&cid);
    pixDestroy(&pix);
    return rc;
}

int sohoa_clean_reduce(const struct sohoa_image *in, double scale, struct sohoa_image *out,
                       struct sohoa_err *err)
{
    int rc = 0;
    PIX *pix = NULL, *small = NULL;
    memset(out, 0, sizeof *out);
    if ((rc = check_image(in, err)) < 0)
        return rc;
    if (in->bilevel || !(scale > 0.0 && scale < 1.0))
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "reduce: needs a grey or colour image and 0 < scale < 1");
    pthread_once(&quiet_once, lept_quiet);
    if (!(pix = pix_from_image(in)) ||
        !(small = pixScaleAreaMap(pix, (l_float32)scale, (l_float32)scale))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "reduce: Leptonica could not scale the page");
        goto out;
    }
    if ((rc = image_from_pix(small, out, err)) < 0)
        goto out;
    out->xres = in->xres * scale;
    out->yres = in->yres * scale;
out:
    pixDestroy(&small);
    pixDestroy(&pix);
    return rc;
}

static char clean_version[64];

static void clean_version_init(void)
{
    char *v = getLeptonicaVersion();
    if (v) {
        (void)snprintf(clean_version, sizeof clean_version, "%s", v);
        lept_free(v);
    }
}

const char *sohoa_clean_version(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, clean_version_init);
    return clean_version[0] ? clean_version : "leptonica";
}
