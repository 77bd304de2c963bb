/* page.h — a page being laid out by the generator (bench/gen): an 8-bit text coverage buffer
 * (255 = ink), the ground-truth lines in reading order, where the body and signature went; and
 * the primitives that draw one line of text into it.
 *
 * Ownership: struct page is embedded by the caller (page_init / page_release); its buffers are
 * malloc'd inside. Threads: one page, one thread.
 */
#ifndef SOHOA_GEN_PAGE_H
#define SOHOA_GEN_PAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/gen/render.h"
#include "bench/gen/util.h"
#include "pipeline/base/err.h"

struct page {
    int w, h;
    int left, right, top, bottom; /* text area, px */
    uint8_t *ink;                 /* w × h text coverage */
    struct sohoa_buf gt;          /* lines as rendered, in reading order */
    int y;                        /* next free row in the body */
    int body_y0, body_y1;         /* extent of body text drawn */
    bool has_sig;
    double sig_x, sig_y; /* where the signature stroke goes (its left end, middle row) */
    double sig_w, sig_h; /* its size */
    int prev;            /* page mode: kind of the last paragraph placed */
    bool any_body;
};

/* Pixels per millimetre at g->dpi. */
double px_mm(const struct gen *g);

/* An A4 page with the Decree 30/2020 margins (left 30, right 20, top and bottom 20 mm). */
int page_init(struct page *p, const struct gen *g, struct sohoa_err *err);
/* A page of any size (an ID card) with the given margins, all in millimetres. */
int page_init_mm(struct page *p, const struct gen *g, double w_mm, double h_mm, double left_mm,
                 double right_mm, double top_mm, double bottom_mm, struct sohoa_err *err);
void page_release(struct page *p);

/* Coverage `b` onto the page at (x, y) (max of the two, clipped). */
void ink_blit(struct page *p, const struct bitmap *b, int x, int y);
/* A filled rectangle of ink. */
void ink_rule(struct page *p, int x, int y, int w, int thick);
/* Append one line to the ground truth. */
void gt_line(struct page *p, const char *plain);

/* A single line centred in the column [colx, colx + colw) with its logical top at row y; the
 * font shrinks (down to 7 pt) until the line fits. `*drawn` (may be NULL) receives the ink width.
 * The line goes to the ground truth. */
int draw_centred(struct gen *g, struct page *p, const char *style, double size, const char *plain,
                 int colx, int colw, int y, int *drawn, struct sohoa_err *err);

/* A line at x (left aligned) with its logical top at row y; into the ground truth. */
int draw_left(struct gen *g, struct page *p, const char *style, double size, const char *plain,
              int x, int y, struct sohoa_err *err);

#endif
