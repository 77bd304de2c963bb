/* page.c — a page being laid out for the generator: text coverage, ground-truth lines, and the
 * line-drawing primitives (centred, left-aligned). See page.h.
 */
#include "bench/gen/page.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double px_mm(const struct gen *g)
{
    return g->dpi / 25.4;
}

int page_init_mm(struct page *p, const struct gen *g, double w_mm, double h_mm, double left_mm,
                 double right_mm, double top_mm, double bottom_mm, struct sohoa_err *err)
{
    memset(p, 0, sizeof *p);
    sohoa_buf_init(&p->gt, GEN_BUF_MAX);
    double k = px_mm(g);
    p->w = (int)lround(w_mm * k);
    p->h = (int)lround(h_mm * k);
    p->left = (int)lround(left_mm * k);
    p->right = p->w - (int)lround(right_mm * k);
    p->top = (int)lround(top_mm * k);
    p->bottom = p->h - (int)lround(bottom_mm * k);
    p->y = p->top;
    p->body_y0 = -1;
    p->ink = calloc((size_t)p->w * p->h, 1);
    if (!p->ink)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory for a %dx%d page", p->w,
                             p->h);
    return 0;
}

int page_init(struct page *p, const struct gen *g, struct sohoa_err *err)
{
    /* Decree 30/2020 margins: top/bottom 20–25 mm, left 30–35 mm, right 15–20 mm. */
    return page_init_mm(p, g, 210.0, 297.0, 30.0, 20.0, 20.0, 20.0, err);
}

void page_release(struct page *p)
{
    free(p->ink);
    sohoa_buf_release(&p->gt);
    memset(p, 0, sizeof *p);
}

void ink_blit(struct page *p, const struct bitmap *b, int x, int y)
{
    for (int j = 0; j < b->h; j++) {
        int py = y + j;
        if (py < 0 || py >= p->h)
            continue;
        const uint8_t *src = b->px + (size_t)j * b->w;
        uint8_t *dst = p->ink + (size_t)py * p->w;
        for (int i = 0; i < b->w; i++) {
            int px = x + i;
            if (px >= 0 && px < p->w && src[i] > dst[px])
                dst[px] = src[i];
        }
    }
}

void ink_rule(struct page *p, int x, int y, int w, int thick)
{
    for (int j = y; j < y + thick; j++)
        if (j >= 0 && j < p->h)
            for (int i = x; i < x + w; i++)
                if (i >= 0 && i < p->w)
                    p->ink[(size_t)j * p->w + i] = 255;
}

void gt_line(struct page *p, const char *plain)
{
    sohoa_buf_adds(&p->gt, plain);
    sohoa_buf_adds(&p->gt, "\n");
}

/* A single line centred in the column [colx, colx + colw) with its logical top at row y; the
 * font shrinks (down to 7 pt) until the line fits. `*drawn` receives the ink width. */
int draw_centred(struct gen *g, struct page *p, const char *style, double size, const char *plain,
                 int colx, int colw, int y, int *drawn, struct sohoa_err *err)
{
    struct sohoa_buf m = GEN_BUF;
    sb_put_escaped(&m, plain);
    if (m.failed)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    int rc = 0;
    for (;; size -= 0.5) {
        const struct font *f = NULL;
        struct bitmap b = {0};
        int top = 0, x0 = 0, x1 = 0;
        bool wrapped = false;
        if ((rc = font_get(g, style, size, &f, err)) ||
            (rc = line_render(g, f, m.data, 0, false, &b, &top, &wrapped, err)))
            break;
        bitmap_cols(&b, &x0, &x1);
        if (x1 - x0 <= colw || size <= 7.0) {
            ink_blit(p, &b, colx + (colw - (x1 - x0)) / 2 - x0, y - top);
            if (drawn)
                *drawn = x1 - x0;
            gt_line(p, plain);
            bitmap_release(&b);
            break;
        }
        bitmap_release(&b);
    }
    sohoa_buf_release(&m);
    return rc;
}

/* A line at x (left aligned) with its logical top at row y. */
int draw_left(struct gen *g, struct page *p, const char *style, double size, const char *plain,
              int x, int y, struct sohoa_err *err)
{
    struct sohoa_buf m = GEN_BUF;
    sb_put_escaped(&m, plain);
    const struct font *f = NULL;
    struct bitmap b = {0};
    int top = 0;
    bool wrapped = false;
    int rc = m.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                      : font_get(g, style, size, &f, err);
    if (rc == 0 && (rc = line_render(g, f, m.data, 0, false, &b, &top, &wrapped, err)) == 0) {
        ink_blit(p, &b, x, y - top);
        gt_line(p, plain);
    }
    bitmap_release(&b);
    sohoa_buf_release(&m);
    return rc;
}
