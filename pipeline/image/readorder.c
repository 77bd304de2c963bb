/* readorder.c — Tesseract's words → page words and text in reading order (see readorder.h).
 * Plain C over struct sohoa_word; no library. */
#include "pipeline/image/readorder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/buf.h"

/* The cap on one page's text (a dense A4 page at 300 dpi holds well under 100 KiB). */
#define PAGE_TEXT_MAX (64u << 20)

void sohoa_rawpage_release(struct sohoa_rawpage *rp)
{
    for (size_t i = 0; i < rp->n; i++)
        free(rp->v[i].w.text);
    free(rp->v);
    memset(rp, 0, sizeof *rp);
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

/* Mean confidence (weighted by characters) of the line starting at word i; *end gets the index
 * after it and *chars its characters. A line with a word marked keep counts as 100. */
static double line_conf(const struct sohoa_rawpage *rp, size_t i, size_t *end, double *chars)
{
    size_t j = i;
    double sum = 0, wsum = 0;
    bool keep = false;
    while (j < rp->n && rp->v[j].tline == rp->v[i].tline) {
        sum += rp->v[j].w.conf * (float)rp->v[j].ncp;
        wsum += rp->v[j].ncp;
        keep = keep || rp->v[j].keep;
        j++;
    }
    *end = j;
    *chars = wsum;
    return keep || wsum <= 0 ? 100.0 : sum / wsum;
}

/* Drops low-confidence lines — unless they hold most of the page's text: then the page is hard
 * to read (a faint scan, a single line image), not a clean page with a seal on it, and dropping
 * would lose the text itself. */
static void drop_noise_lines(struct sohoa_rawpage *rp, double min_conf)
{
    double noise_chars = 0, all_chars = 0, chars;
    size_t end;
    for (size_t i = 0; i < rp->n; i = end) {
        double c = line_conf(rp, i, &end, &chars);
        all_chars += chars;
        if (c < min_conf)
            noise_chars += chars;
    }
    if (noise_chars == 0 || noise_chars * 2 > all_chars)
        return;
    size_t keep = 0;
    for (size_t i = 0; i < rp->n; i = end) {
        bool noise = line_conf(rp, i, &end, &chars) < min_conf;
        for (size_t k = i; k < end; k++) {
            if (noise)
                free(rp->v[k].w.text);
            else
                rp->v[keep++] = rp->v[k];
        }
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
static size_t make_segments(const struct sohoa_rawpage *rp, double h, struct seg *segs)
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
static int emit_page(struct sohoa_rawpage *rp, const struct seg *s, const size_t *order, size_t ns,
                     struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    struct sohoa_buf tb = SOHOA_BUF_INIT(PAGE_TEXT_MAX);
    int rc = 0;
    double conf_sum = 0;
    int block = -1, para = -1, line = -1;
    const struct seg *prev = NULL;
    out->words = rp->n ? malloc(rp->n * sizeof *out->words) : NULL;
    if (rp->n && !out->words)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory for words");
    for (size_t oi = 0; oi < ns; oi++) {
        const struct seg *g = &s[order[oi]];
        const struct sohoa_rawword *first = &rp->v[g->first];
        bool new_block = !prev || g->col_start || prev->in_band != g->in_band ||
                         rp->v[prev->first].tblock != first->tblock;
        bool new_para = new_block || rp->v[prev->first].tpara != first->tpara;
        block += new_block;
        para += new_para;
        line++;
        for (size_t k = 0; k < g->n; k++) {
            struct sohoa_rawword *r = &rp->v[g->first + k];
            const char *sep = k > 0 ? " " : (new_para ? "\n\n" : "\n");
            if ((out->n_words > 0 && (rc = sohoa_buf_adds(&tb, sep)) < 0) ||
                (rc = sohoa_buf_adds(&tb, r->w.text)) < 0)
                goto fail;
            r->w.block = block;
            r->w.para = para;
            r->w.line = line;
            conf_sum += r->w.conf;
            out->words[out->n_words++] = r->w;
        }
        prev = g;
    }
    if ((rc = sohoa_buf_take(&tb, &out->text, NULL)) < 0) /* "" when there are no words */
        goto fail;
    out->mean_conf = out->n_words ? conf_sum / (double)out->n_words : 0;
    /* the texts now belong to out->words */
    free(rp->v);
    memset(rp, 0, sizeof *rp);
    return 0;
fail:
    /* the texts still belong to the raw page */
    sohoa_buf_release(&tb);
    free(out->words);
    out->words = NULL;
    out->n_words = 0;
    if (rc == SOHOA_ELIMIT)
        return sohoa_err_set(err, rc, false, "ocr: page text over %u bytes", PAGE_TEXT_MAX);
    return sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory for text");
}

/* Recognised words → `out` in reading order, after the noise and column passes. */
int sohoa_readorder(struct sohoa_rawpage *rp, double min_line_conf, bool columns,
                    struct sohoa_ocr_page *out, struct sohoa_err *err)
{
    struct seg *segs = NULL;
    size_t *order = NULL;
    int *heights = NULL;
    int rc = 0;
    if (min_line_conf > 0)
        drop_noise_lines(rp, min_line_conf);

    size_t n = rp->n ? rp->n : 1;
    segs = malloc(n * sizeof *segs);
    order = malloc(n * sizeof *order);
    heights = malloc(n * sizeof *heights);
    if (!segs || !order || !heights) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "ocr: out of memory for layout");
        goto out;
    }
    for (size_t i = 0; i < rp->n; i++)
        heights[i] = rp->v[i].w.y1 - rp->v[i].w.y0;
    qsort(heights, rp->n, sizeof *heights, cmp_int);
    double wh = rp->n ? heights[rp->n / 2] : 1;
    if (wh < 1)
        wh = 1;

    size_t ns = make_segments(rp, columns ? wh : 1e9, segs);
    if (columns) {
        order_segments(segs, ns, wh, order);
    } else {
        for (size_t i = 0; i < ns; i++)
            order[i] = i;
    }
    rc = emit_page(rp, segs, order, ns, out, err);
out:
    sohoa_rawpage_release(rp);
    free(segs);
    free(order);
    free(heights);
    return rc;
}
