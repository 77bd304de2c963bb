/* image.h — the plain pixel buffer that crosses stage boundaries.
 *
 * Stages never pass library objects (VipsImage, Pix) to each other: decode (libvips) produces a
 * struct sohoa_image, clean (Leptonica) and ocr (Tesseract) consume it. That keeps each library
 * inside the one file that includes it.
 *
 * Ownership: `pixels` is heap memory owned by the struct; release it with sohoa_image_release().
 * Threads: an image is used by one thread at a time.
 */
#ifndef SOHOA_IMAGE_H
#define SOHOA_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

struct sohoa_image {
    int width;
    int height;
    int bands;        /* 1 = 8-bit grey, 3 = 8-bit sRGB (interleaved RGB) */
    size_t stride;    /* bytes per row, >= width * bands */
    uint8_t *pixels;  /* owned */
    double xres;      /* dots per inch, 0 when unknown */
    double yres;      /* dots per inch, 0 when unknown */
    bool bilevel;     /* source was 1-bit: every pixel is 0 or 255 */
    bool dpi_assumed; /* the file gave no plausible resolution: xres/yres are an assumption */
};

/* Allocate a zeroed image of the given geometry (stride = width * bands). `img` is overwritten. */
int sohoa_image_alloc(struct sohoa_image *img, int width, int height, int bands,
                      struct sohoa_err *err);

/* Free the pixels and zero the struct. Safe on a zeroed or already released image. */
void sohoa_image_release(struct sohoa_image *img);

/* Move `src` into `dst` (dst released first); `src` is left zeroed. */
void sohoa_image_move(struct sohoa_image *dst, struct sohoa_image *src);

/* True when a 3-band image carries no colour worth keeping: at most `max_share` of its pixels
 * (e.g. 0.001) have a channel spread (max − min of R, G, B) above `tolerance` (e.g. 24). Scans of
 * black-on-white paper come out of colour scanners with a faint cast; storing them as grey saves a
 * third of the bytes and loses nothing. Always false for 1-band images. */
bool sohoa_image_is_colourless(const struct sohoa_image *img, int tolerance, double max_share);

/* Converts a 3-band image to 1-band grey in place (Rec. 601 luma). No-op on 1-band images. */
int sohoa_image_to_grey(struct sohoa_image *img, struct sohoa_err *err);

#endif
