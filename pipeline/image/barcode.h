/* barcode.h — QR codes and 1-D barcodes on a page image (zbar).
 *
 * Reads the page as decoded (colour or grey, before cleaning: red dropout and binarisation can
 * destroy a code). Finds every QR code and common 1-D symbology (Code 128, Code 39, EAN, ...).
 *
 * Ownership: a struct sohoa_barcodes owns its items and their data; release with
 * sohoa_barcodes_release(). Threads: reentrant (each call uses its own zbar scanner).
 */
#ifndef SOHOA_BARCODE_H
#define SOHOA_BARCODE_H

#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/image/image.h"

struct sohoa_barcode {
    char symbology[24]; /* zbar's name: "QR-Code", "CODE-128", "EAN-13", ... */
    char *data;         /* payload as read (QR codes: UTF-8), NUL-terminated, owned */
    int box[4];         /* x0, y0, x1, y1 in pixels of the image given */
};

struct sohoa_barcodes {
    struct sohoa_barcode *items;
    size_t n;
};

/* Scan `img` (1 or 3 bands). `out` is overwritten; a page without codes gives n = 0.
 * Errors: SOHOA_EINVAL (no image), SOHOA_ENOMEM, SOHOA_EBACKEND (zbar failed). */
int sohoa_barcode_scan(const struct sohoa_image *img, struct sohoa_barcodes *out,
                       struct sohoa_err *err);
void sohoa_barcodes_release(struct sohoa_barcodes *b);

/* Deep copy (dst overwritten). */
int sohoa_barcodes_copy(const struct sohoa_barcodes *src, struct sohoa_barcodes *dst,
                        struct sohoa_err *err);

#endif
