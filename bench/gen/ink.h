/* ink.h — what the generator (bench/gen) blends onto paper like ink: a colour or grey canvas,
 * a handwritten-looking signature stroke, a round red seal.
 *
 * Ownership: struct canvas is a caller value; its pixels are malloc'd by whoever fills it
 * (page_compose) and freed by the caller with free(). Threads: one canvas, one thread.
 */
#ifndef SOHOA_GEN_INK_H
#define SOHOA_GEN_INK_H

#include <stdint.h>

#include "bench/gen/page.h"
#include "bench/gen/render.h"
#include "bench/gen/util.h"
#include "pipeline/base/err.h"

struct canvas {
    int w, h, bands; /* 3 colour, 1 grey */
    uint8_t *px;     /* w × h × bands, row-major */
};

/* Blend colour `col` (RGB; its luminance on grey) over pixel (x, y) with opacity a (0..1), like
 * ink: multiplied into the paper. Outside the canvas: nothing. */
void blend_px(struct canvas *cv, int x, int y, double a, const double col[3]);

/* A blue handwritten-looking stroke in the signature box of `p` (p->sig_*). */
int draw_scribble(struct canvas *cv, const struct page *p, const struct gen *g, struct rng *r,
                  struct sohoa_err *err);

/* A round red seal centred at (cx, cy) with `ring` written around it (UTF-8), ink uneven like a
 * real impression. */
int draw_stamp(struct gen *g, struct canvas *cv, double cx, double cy, const char *ring,
               struct rng *r, struct sohoa_err *err);

#endif
