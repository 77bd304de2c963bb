/* render.h — text rendering for the generator (bench/gen) with libvips (Pango).
 *
 * Text is rendered to 8-bit coverage bitmaps (255 = ink) cropped to the ink. A line is rendered
 * with a "strut" line (a full block glyph) under it: vips_text crops its output to the ink, and
 * the strut gives every line the same vertical reference, so baselines sit on a regular grid; it
 * also makes Pango justify a text line (a line that ends a paragraph is never justified).
 *
 * Ownership: a struct gen is owned by its caller (its `widths` table too, created and destroyed
 * by the caller); fonts handed out by font_get point into it and live as long as it does.
 * Bitmaps' pixels are g_malloc'd, freed by bitmap_release.
 * Threads: one struct gen is used from one thread (libvips runs its own workers inside).
 */
#ifndef SOHOA_GEN_RENDER_H
#define SOHOA_GEN_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "pipeline/base/err.h"

#define STRUT    "\xe2\x96\x88" /* U+2588 FULL BLOCK */
#define LINE_SEP "\xe2\x80\xa8" /* U+2028 LINE SEPARATOR */

struct bitmap { /* 8-bit coverage, 255 = ink */
    int w, h;
    uint8_t *px; /* g_malloc'd */
};

struct font {
    char desc[128]; /* Pango font description, "DejaVu Serif Bold 13" */
    int pitch;      /* natural line advance, px */
    int strut_h;    /* ink height of the strut glyph */
    int gap;        /* ink-to-ink distance of a space between two words */
};

struct gen {
    int dpi;
    const char *family;
    double size_pt;
    double spacing;         /* body line pitch = natural pitch × spacing */
    struct font fonts[256]; /* every (family, style, size) used */
    int n_fonts;
    GHashTable *widths; /* "desc\x1f[b]word" → width + 1 (used by the page mode) */
};

void bitmap_release(struct bitmap *b);

/* libvips' error buffer → err (SOHOA_EBACKEND), prefixed by `what`; returns the code. */
int vips_fail(struct sohoa_err *err, const char *what);

/* Pango markup → coverage bitmap cropped to the ink. width > 0 wraps (and justifies) at that
 * width; otherwise the text is laid out as it is. */
int render_markup(const struct gen *g, const char *desc, const char *markup, int width,
                  bool justify, struct bitmap *out, struct sohoa_err *err);

/* The font (family, style such as "Bold Italic" or "", size in pt), its metrics measured once
 * and cached in `g`. font_get uses g->family. */
int font_get_family(struct gen *g, const char *family, const char *style, double size,
                    const struct font **out, struct sohoa_err *err);
int font_get(struct gen *g, const char *style, double size, const struct font **out,
             struct sohoa_err *err);

/* One text line with the strut line under it; the strut is cropped off. `*top` receives the
 * row of the line's logical top inside the bitmap (negative when the ink starts lower);
 * `*wrapped` is set when Pango needed more than one line for the text. */
int line_render(const struct gen *g, const struct font *f, const char *markup, int width,
                bool justify, struct bitmap *out, int *top, bool *wrapped, struct sohoa_err *err);

/* Columns holding ink: [*x0, *x1). */
void bitmap_cols(const struct bitmap *b, int *x0, int *x1);

/* Crop a bitmap to its ink columns. */
int bitmap_crop_cols(struct bitmap *b, struct sohoa_err *err);

#endif
