/* letterhead.c — Decree 30/2020 letterhead, recipients and signer's blocks (see letterhead.h). */
#include "bench/gen/letterhead.h"

#include <math.h>

/* Line pitch and rule thickness of a letterhead, in pixels, from the body font. */
static int letterhead_metrics(struct gen *g, int *pitch, int *rule, struct sohoa_err *err)
{
    const struct font *f = NULL;
    int rc = font_get(g, "", g->size_pt, &f, err);
    if (rc)
        return rc;
    *pitch = (int)lround(f->pitch * 1.05);
    *rule = (int)fmax(2.0, (double)lround(0.25 * px_mm(g)));
    return 0;
}

/* The national name and motto, centred in [x, x + w) from y, with the rule under the motto. */
static int national_motto(struct gen *g, struct page *p, int x, int w, int y, int pitch, int rule,
                          struct sohoa_err *err)
{
    double s = g->size_pt;
    int wdraw = 0, rc;
    if ((rc = draw_centred(g, p, "Bold", s - 0.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", x, w, y,
                           NULL, err)) ||
        (rc = draw_centred(g, p, "Bold", s, "Độc lập - Tự do - Hạnh phúc", x, w, y + pitch, &wdraw,
                           err)))
        return rc;
    ink_rule(p, x + (w - wdraw) / 2, y + 2 * pitch + rule, wdraw, rule);
    return 0;
}

int letterhead_official(struct gen *g, struct page *p, const char *upper, const char *lower,
                        const char *no, const char *date, struct sohoa_err *err)
{
    double s = g->size_pt;
    int pitch = 0, rule = 0, W = p->right - p->left;
    int rc = letterhead_metrics(g, &pitch, &rule, err);
    if (rc)
        return rc;
    int y = p->top, wdraw = 0;
    int gutter = (int)lround(2.0 * px_mm(g));
    int lw = (int)(W * 0.40) - gutter, rx = p->left + (int)(W * 0.40), rw = p->right - rx;
    if ((rc = draw_centred(g, p, lower[0] ? "" : "Bold", s - 0.5, upper, p->left, lw, y, &wdraw,
                           err)) ||
        (lower[0] &&
         (rc = draw_centred(g, p, "Bold", s - 0.5, lower, p->left, lw, y + pitch, &wdraw, err))))
        return rc;
    int rl = wdraw / 3, ry = lower[0] ? y + 2 * pitch + rule : y + pitch + rule;
    ink_rule(p, p->left + (lw - rl) / 2, ry, rl, rule);
    if ((rc = national_motto(g, p, rx, rw, y, pitch, rule, err)))
        return rc;
    if ((no[0] &&
         (rc = draw_centred(g, p, "", s, no, p->left, lw, y + 2 * pitch + pitch / 2, NULL, err))) ||
        (date[0] && (rc = draw_centred(g, p, "Italic", s, date, rx, rw, y + 2 * pitch + pitch / 2,
                                       NULL, err))))
        return rc;
    p->y = y + 4 * pitch;
    return 0;
}

int letterhead_citizen(struct gen *g, struct page *p, struct sohoa_err *err)
{
    int pitch = 0, rule = 0, W = p->right - p->left;
    int rc = letterhead_metrics(g, &pitch, &rule, err);
    if (rc)
        return rc;
    int y = p->top;
    if ((rc = national_motto(g, p, p->left, W, y, pitch, rule, err)))
        return rc;
    p->y = y + 3 * pitch;
    return 0;
}

int recipients_block(struct gen *g, struct page *p, int y, struct sohoa_err *err)
{
    const struct font *f = NULL;
    int rc = font_get(g, "", g->size_pt, &f, err);
    if (rc)
        return rc;
    int pitch = (int)lround(f->pitch * g->spacing);
    double small = g->size_pt - 2;
    if ((rc = draw_left(g, p, "Bold Italic", small, "Nơi nhận:", p->left, y, err)) ||
        (rc = draw_left(g, p, "", small - 1, "- Như Điều 3;", p->left, y + pitch * 4 / 5, err)) ||
        (rc = draw_left(g, p, "", small - 1, "- Lưu: VT.", p->left, y + pitch * 8 / 5, err)))
        return rc;
    return 0;
}

int signature_rows(const struct gen *g, const struct font *f, int n)
{
    int pitch = (int)lround(f->pitch * g->spacing);
    int gap = (int)lround(24.0 * px_mm(g));
    return (n + 1) * pitch + gap;
}

int signature_block(struct gen *g, struct page *p, int x, int w, int y, const char *const *lines,
                    const char *const *styles, int n, const char *name, struct sohoa_err *err)
{
    const struct font *f = NULL;
    int rc = font_get(g, "", g->size_pt, &f, err);
    if (rc)
        return rc;
    int pitch = (int)lround(f->pitch * g->spacing);
    int gap = (int)lround(24.0 * px_mm(g));
    double s = g->size_pt;
    for (int i = 0; i < n; i++)
        if ((rc = draw_centred(g, p, styles[i], s, lines[i], x, w, y + i * pitch, NULL, err)))
            return rc;
    int wname = 0;
    if ((rc = draw_centred(g, p, "Bold", s, name, x, w, y + n * pitch + gap, &wname, err)))
        return rc;
    p->has_sig = true;
    p->sig_w = fmin(w * 0.5, 48.0 * px_mm(g));
    p->sig_h = gap * 0.55;
    p->sig_x = x + (w - p->sig_w) / 2;
    p->sig_y = y + n * pitch + gap / 2.0 - pitch * 0.1;
    p->y = y + (n + 1) * pitch + gap;
    return 0;
}
