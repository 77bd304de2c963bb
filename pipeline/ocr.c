/* ocr.c — text recognition with Tesseract's C API: one TessBaseAPI per handle.
 *
 * Holds the handle (models loaded once, reused for every page), the per-page recognition with a
 * deadline (Tesseract's ETEXT_DESC monitor), and the walk over Tesseract's result iterator that
 * turns words into struct sohoa_word and the page text. The only file in sohoa that includes
 * <tesseract/capi.h>; Tesseract's own messages are sent to /dev/null (debug_file), never stderr.
 */
#include "pipeline/ocr.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tesseract/capi.h>

#include "pipeline/vntext.h"

struct sohoa_ocr {
    TessBaseAPI *api;
    double min_line_conf; /* see the reading-order section */
    bool columns;
};

/* --- version ------------------------------------------------------------------------------- */

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_str[64];

static void version_init(void)
{
    snprintf(version_str, sizeof version_str, "tesseract %s", TessVersion());
}

const char *sohoa_ocr_version(void)
{
    pthread_once(&version_once, version_init);
    return version_str;
}

/* --- handle -------------------------------------------------------------------------------- */

/* Process-wide settings, made once and before any handle loads models:
 *   - Tesseract's messages go to /dev/null: debug_file is a global parameter, so it is set once
 *     here (through a throwaway handle) rather than racing from every worker's sohoa_ocr_new;
 *   - OMP_THREAD_LIMIT=1 if unset. Tesseract's OpenMP threads would fight the worker pool for
 *     the cores (4.5x the CPU time for the same pages, measured), but libgomp reads this once,
 *     when it is loaded, which is before main() in a program linking Tesseract: the entry point
 *     must have it in its environment (set it and re-exec). Here it only reaches children. */
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void process_init(void)
{
    setenv("OMP_THREAD_LIMIT", "1", 0);
    TessBaseAPI *api = TessBaseAPICreate();
    if (api) {
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        TessBaseAPIDelete(api);
    }
}

int sohoa_ocr_new(const char *datapath, const char *langs, struct sohoa_ocr **out,
                  struct sohoa_err *err)
{
    struct sohoa_ocr *h = NULL;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: no out-param");
    if (!langs || !*langs)
        langs = SOHOA_OCR_DEFAULT_LANGS;
    if (!datapath) {
        const char *env = getenv("SOHOA_TESSDATA");
        if (env && *env)
            datapath = env;
    }
    pthread_once(&process_once, process_init);

    h = calloc(1, sizeof *h);
    if (!h) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: out of memory");
        goto out;
    }
    h->api = TessBaseAPICreate();
    if (!h->api) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: cannot create a Tesseract handle");
        goto out;
    }
    if (TessBaseAPIInit2(h->api, datapath, langs, OEM_LSTM_ONLY) != 0) {
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false,
                           "ocr: cannot load Tesseract language data '%s' from %s", langs,
                           datapath ? datapath : "the default tessdata folder");
        goto out;
    }
    TessBaseAPISetPageSegMode(h->api, (TessPageSegMode)SOHOA_OCR_DEFAULT_PSM);
    h->min_line_conf = SOHOA_OCR_DEFAULT_MIN_LINE_CONF;
    h->columns = true;
out:
    if (rc)
        sohoa_ocr_free(&h);
    *out = h;
    return rc;
}

void sohoa_ocr_free(struct sohoa_ocr **h)
{
    if (!h || !*h)
        return;
    if ((*h)->api) {
        TessBaseAPIEnd((*h)->api);
        TessBaseAPIDelete((*h)->api);
    }
    free(*h);
    *h = NULL;
}

int sohoa_ocr_set_psm(struct sohoa_ocr *h, int psm, struct sohoa_err *err)
{
    if (!h || psm < 0 || psm >= (int)PSM_COUNT)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: bad page segmentation mode %d", psm);
    TessBaseAPISetPageSegMode(h->api, (TessPageSegMode)psm);
    return 0;
}

int sohoa_ocr_set_param(struct sohoa_ocr *h, const char *name, const char *value,
                        struct sohoa_err *err)
{
    if (!h || !name || !value)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: set_param needs a name and value");
    if (!TessBaseAPISetVariable(h->api, name, value))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: Tesseract has no parameter '%s'",
                             name);
    return 0;
}

void sohoa_ocr_set_layout(struct sohoa_ocr *h, double min_line_conf, bool columns)
{
    if (!h)
        return;
    h->min_line_conf = min_line_conf;
    h->columns = columns;
}

/* --- page text buffer ---------------------------------------------------------------------- */

struct textbuf {
    char *s;
    size_t len, cap;
};

static int textbuf_add(struct textbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p)
            return SOHOA_ENOMEM;
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return 0;
}

/* --- page ---------------------------------------------------------------------------------- */

void sohoa_ocr_page_release(struct sohoa_ocr_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_words; i++)
        free(p->words[i].text);
    free(p->words);
    free(p->text);
    memset(p, 0, sizeof *p);
}

void sohoa_ocr_page_scale(struct sohoa_ocr_page *p, double factor)
{
    if (!p || factor <= 0)
        return;
    for (size_t i = 0; i < p->n_words; i++) {
        struct sohoa_word *w = &p->words[i];
        w->x0 = (int)lround(w->x0 * factor);
        w->y0 = (int)lround(w->y0 * factor);
        w->x1 = (int)lround(w->x1 * factor);
        w->y1 = (int)lround(w->y1 * factor);
        w->baseline = (int)lround(w->baseline * factor);
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* y of the baseline through (x1,y1)-(x2,y2) at x. */
static int baseline_at(int x1, int y1, int x2, int y2, int x)
{
    if (x2 == x1)
        return y1;
    return (int)lround(y1 + (double)(y2 - y1) * (x - x1) / (x2 - x1));
}

/* --- words as Tesseract gives them ------------------------------------------------------------ */

/* A recognised word before the reading-order pass, with Tesseract's own block/para/line. */
struct rawword {
    struct sohoa_word w; /* w.text owned; w.block/para/line filled at the end */
    int tblock, tpara, tline;
    int ncp; /* code points in w.text */
};

struct rawpage {
    struct rawword *v;
    size_t n, cap;
};

static void rawpage_release(struct rawpage *rp)
{
    for (size_t i = 0; i < rp->n; i++)
        free(rp->v[i].w.text);
    free(rp->v);
    memset(rp, 0, sizeof *rp);
}

static int utf8_count(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Walk Tesseract's result iterator: every non-empty word, normalised, with box and indices. */
static int gather_words(TessBaseAPI *api, struct rawpage *rp, struct sohoa_err *err)
{
    int rc = 0, tblock = -1, tpara = -1, tline = -1;
    TessResultIterator *ri = TessBaseAPIGetIterator(api);
    if (!ri)
        return 0; /* nothing recognised */
    const TessPageIterator *pi = TessResultIteratorGetPageIterator(ri);
    do {
        /* Counted before dropping empty words, so a beginning is never lost. */
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_BLOCK))
            tblock++;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_PARA))
            tpara++;
        if (TessPageIteratorIsAtBeginningOf(pi, RIL_TEXTLINE))
            tline++;
        char *raw = TessResultIteratorGetUTF8Text(ri, RIL_WORD);
        if (!raw)
            continue;
        char *norm = NULL;
        rc = vn_normalize(raw, strlen(raw), &norm, err);
        TessDeleteText(raw);
        if (rc)
            break;
        if (!norm[strspn(norm, " \t\r\n")]) {
            free(norm);
            continue;
        }
        if (rp->n == rp->cap) {
            size_t ncap = rp->cap ? rp->cap * 2 : 256;
            struct rawword *nv = realloc(rp->v, ncap * sizeof *nv);
            if (!nv) {
                free(norm);
                rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: out of memory for words");
                break;
            }
            rp->v = nv;
            rp->cap = ncap;
        }
        struct rawword *r = &rp->v[rp->n++];
        memset(r, 0, sizeof *r);
        r->w.text = norm;
        r->ncp = utf8_count(norm);
        r->tblock = tblock < 0 ? 0 : tblock;
        r->tpara = tpara < 0 ? 0 : tpara;
        r->tline = tline < 0 ? 0 : tline;
        struct sohoa_word *w = &r->w;
        TessPageIteratorBoundingBox(pi, RIL_WORD, &w->x0, &w->y0, &w->x1, &w->y1);
        w->conf = TessResultIteratorConfidence(ri, RIL_WORD);
        int bx1, by1, bx2, by2;
        if (TessPageIteratorBaseline(pi, RIL_WORD, &bx1, &by1, &bx2, &by2))
            w->baseline = baseline_at(bx1, by1, bx2, by2, (w->x0 + w->x1) / 2);
        else
            w->baseline = w->y1;
    } while (TessResultIteratorNext(ri, RIL_WORD));
    TessResultIteratorDelete(ri);
    return rc;
}

/* --- reading order ----------------------------------------------------------------------------
 *
 * Two passes over Tesseract's lines, both aimed at what Vietnamese administrative pages look like
 * (Decree 30/2020 layout: issuing body top-left beside the national motto, number beside place
 * and date, recipients beside the signature block):
 *   1. noise lines: a line whose mean word confidence (weighted by characters) is below
 *      min_line_conf is dropped. On scans these are seals, handwritten notes, received-stamps
 *      and scanner borders; real text lines score far above.
 *   2. side-by-side columns: Tesseract often reads such pages across, row by row, interleaving
 *      the two columns. Lines are cut at gaps wider than COL_GAP word heights into segments; a
 *      run of vertically close segments that all keep clear of one vertical gutter, starting with
 *      two segments side by side on one row, is re-emitted as its left column then its right.
 */

#define COL_GAP       2.0 /* gap, in word heights, that separates columns on one row */
#define COL_VGAP      0.5 /* vertical gap, in word heights, that ends a column band */
#define COL_MIN_WIDTH 0.5 /* narrowest gutter, in word heights, that still separates */

struct seg {
    size_t first, n;    /* words first..first+n-1 of the raw page */
    int x0, y0, x1, y1; /* box of its words */
    bool col_start;     /* first segment of a column of a band */
    bool in_band;
};

static void drop_noise_lines(struct rawpage *rp, double min_conf)
{
    size_t keep = 0;
    for (size_t i = 0; i < rp->n;) {
        size_t j = i;
        double sum = 0, wsum = 0;
        while (j < rp->n && rp->v[j].tline == rp->v[i].tline) {
            sum += rp->v[j].w.conf * rp->v[j].ncp;
            wsum += rp->v[j].ncp;
            j++;
        }
        bool noise = wsum > 0 && sum / wsum < min_conf;
        for (size_t k = i; k < j; k++) {
            if (noise)
                free(rp->v[k].w.text);
            else
                rp->v[keep++] = rp->v[k];
        }
        i = j;
    }
    rp->n = keep;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void seg_grow(struct seg *s, const struct sohoa_word *w)
{
    if (s->n == 0) {
        s->x0 = w->x0;
        s->y0 = w->y0;
        s->x1 = w->x1;
        s->y1 = w->y1;
    } else {
        s->x0 = w->x0 < s->x0 ? w->x0 : s->x0;
        s->y0 = w->y0 < s->y0 ? w->y0 : s->y0;
        s->x1 = w->x1 > s->x1 ? w->x1 : s->x1;
        s->y1 = w->y1 > s->y1 ? w->y1 : s->y1;
    }
    s->n++;
}

/* Cut lines into segments at wide gaps. `segs` has room for rp->n entries. */
static size_t make_segments(const struct rawpage *rp, double h, struct seg *segs)
{
    size_t ns = 0;
    for (size_t i = 0; i < rp->n; i++) {
        const struct sohoa_word *w = &rp->v[i].w;
        bool cut = i == 0 || rp->v[i].tline != rp->v[i - 1].tline ||
                   w->x0 - rp->v[i - 1].w.x1 > COL_GAP * h;
        if (cut) {
            memset(&segs[ns], 0, sizeof segs[ns]);
            segs[ns++].first = i;
        }
        seg_grow(&segs[ns - 1], w);
    }
    return ns;
}

/* Fill `order` (room for ns) with segment indices in reading order; see the comment above. */
static void order_segments(struct seg *s, size_t ns, double h, size_t *order)
{
    size_t no = 0, i = 0;
    while (i < ns) {
        bool band = false;
        if (i + 1 < ns) {
            const struct seg *a = &s[i], *b = &s[i + 1];
            int overlap = (a->y1 < b->y1 ? a->y1 : b->y1) - (a->y0 > b->y0 ? a->y0 : b->y0);
            band = overlap > 0.3 * h && b->x0 - a->x1 > COL_GAP * h;
        }
        if (!band) {
            order[no++] = i++;
            continue;
        }
        int gl = s[i].x1, gr = s[i + 1].x0;
        int bottom = s[i].y1 > s[i + 1].y1 ? s[i].y1 : s[i + 1].y1;
        size_t j = i + 2;
        for (; j < ns; j++) {
            const struct seg *c = &s[j];
            if (c->y0 - bottom > COL_VGAP * h)
                break;
            int ngl = gl, ngr = gr;
            if (c->x0 < gl && c->x1 > gr)
                break; /* crosses the gutter: the band is over */
            if (c->x0 < gl && c->x1 > gl)
                ngl = c->x1;
            else if (c->x1 > gr && c->x0 < gr)
                ngr = c->x0;
            if (ngr - ngl < COL_MIN_WIDTH * h)
                break;
            gl = ngl;
            gr = ngr;
            bottom = c->y1 > bottom ? c->y1 : bottom;
        }
        double mid = (gl + gr) / 2.0;
        for (int side = 0; side < 2; side++) {
            bool first = true;
            for (size_t k = i; k < j; k++) {
                bool left = s[k].x1 <= mid;
                if (left != (side == 0))
                    continue;
                s[k].in_band = true;
                s[k].col_start = first;
                first = false;
                order[no++] = k;
            }
        }
        i = j;
    }
}

/* Move the raw words into `out` in segment order, numbering blocks/paras/lines and writing the
 * page text. On success the raw page's texts belong to `out`. */
static int emit_page(struct rawpage *rp, const struct seg *s, const size_t *order, size_t ns,
                     struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    struct textbuf tb = {0};
    double conf_sum = 0;
    int block = -1, para = -1, line = -1;
    const struct seg *prev = NULL;
    out->words = rp->n ? malloc(rp->n * sizeof *out->words) : NULL;
    if (rp->n && !out->words)
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: out of memory for words");
    for (size_t oi = 0; oi < ns; oi++) {
        const struct seg *g = &s[order[oi]];
        const struct rawword *first = &rp->v[g->first];
        bool new_block = !prev || g->col_start || prev->in_band != g->in_band ||
                         rp->v[prev->first].tblock != first->tblock;
        bool new_para = new_block || rp->v[prev->first].tpara != first->tpara;
        block += new_block;
        para += new_para;
        line++;
        for (size_t k = 0; k < g->n; k++) {
            struct rawword *r = &rp->v[g->first + k];
            const char *sep = k > 0 ? " " : (new_para ? "\n\n" : "\n");
            if ((out->n_words > 0 && textbuf_add(&tb, sep, strlen(sep))) ||
                textbuf_add(&tb, r->w.text, strlen(r->w.text))) {
                free(tb.s);
                goto nomem;
            }
            r->w.block = block;
            r->w.para = para;
            r->w.line = line;
            conf_sum += r->w.conf;
            out->words[out->n_words++] = r->w;
        }
        prev = g;
    }
    if (textbuf_add(&tb, "", 0)) {
        free(tb.s);
        goto nomem;
    }
    out->text = tb.s;
    out->mean_conf = out->n_words ? conf_sum / (double)out->n_words : 0;
    /* the texts now belong to out->words */
    free(rp->v);
    memset(rp, 0, sizeof *rp);
    return 0;
nomem:
    /* the texts still belong to the raw page */
    free(out->words);
    out->words = NULL;
    out->n_words = 0;
    return sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: out of memory for text");
}

/* Recognised words → `out` in reading order, after the noise and column passes. */
static int collect_words(struct sohoa_ocr *h, struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    struct rawpage rp = {0};
    struct seg *segs = NULL;
    size_t *order = NULL;
    int *heights = NULL;
    int rc = gather_words(h->api, &rp, err);
    if (rc)
        goto out;
    if (h->min_line_conf > 0)
        drop_noise_lines(&rp, h->min_line_conf);

    size_t n = rp.n ? rp.n : 1;
    segs = malloc(n * sizeof *segs);
    order = malloc(n * sizeof *order);
    heights = malloc(n * sizeof *heights);
    if (!segs || !order || !heights) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: out of memory for layout");
        goto out;
    }
    for (size_t i = 0; i < rp.n; i++)
        heights[i] = rp.v[i].w.y1 - rp.v[i].w.y0;
    qsort(heights, rp.n, sizeof *heights, cmp_int);
    double wh = rp.n ? heights[rp.n / 2] : 1;
    if (wh < 1)
        wh = 1;

    size_t ns = make_segments(&rp, h->columns ? wh : 1e9, segs);
    if (h->columns) {
        order_segments(segs, ns, wh, order);
    } else {
        for (size_t i = 0; i < ns; i++)
            order[i] = i;
    }
    rc = emit_page(&rp, segs, order, ns, out, err);
out:
    rawpage_release(&rp);
    free(segs);
    free(order);
    free(heights);
    return rc;
}

int sohoa_ocr_page(struct sohoa_ocr *h, const struct sohoa_image *img, int timeout_ms,
                   struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    ETEXT_DESC *monitor = NULL;
    int rc = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!h || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: no handle or result");
    if (!img || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->bands != 1 && img->bands != 3) || img->stride < (size_t)img->width * img->bands)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "ocr: not a valid image");
    if (img->stride > (size_t)INT32_MAX || img->width > INT32_MAX / 3)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "ocr: image rows too long");

    /* Tesseract copies the pixels into its own image. */
    TessBaseAPISetImage(h->api, img->pixels, img->width, img->height, img->bands, (int)img->stride);
    if (img->xres > 0)
        TessBaseAPISetSourceResolution(h->api, (int)lround(img->xres));

    double t0 = now_ms();
    if (timeout_ms > 0) {
        monitor = TessMonitorCreate();
        if (!monitor) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, true, "ocr: cannot create a monitor");
            goto out;
        }
        TessMonitorSetDeadlineMSecs(monitor, timeout_ms);
    }
    if (TessBaseAPIRecognize(h->api, monitor) != 0) {
        double took = now_ms() - t0;
        if (timeout_ms > 0 && took >= timeout_ms)
            rc = sohoa_err_set(err, SOHOA_ETIMEOUT, false, "ocr: page passed its deadline of %d ms",
                               timeout_ms);
        else
            rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "ocr: Tesseract recognition failed");
        goto out;
    }
    rc = collect_words(h, out, err);

out:
    if (monitor)
        TessMonitorDelete(monitor);
    /* Drop the image and results; keep the loaded models. */
    TessBaseAPIClear(h->api);
    if (rc)
        sohoa_ocr_page_release(out);
    return rc;
}
