/* barcode.c — QR codes and 1-D barcodes through zbar (the only file that includes <zbar.h>).
 *
 * zbar reads 8-bit grey ("Y800"); a colour page is converted to luma into a buffer of our own
 * first. The scanner is created per call: zbar scanners are not shareable between threads and
 * creating one costs little next to the scan. zbar reports failure as a negative count.
 */
#include "pipeline/barcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

/* A grey copy of `img` with stride = width (zbar's layout). */
static uint8_t *grey_copy(const struct sohoa_image *img)
{
    uint8_t *g = malloc((size_t)img->width * (size_t)img->height);
    if (!g)
        return NULL;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->pixels + (size_t)y * img->stride;
        uint8_t *o = g + (size_t)y * (size_t)img->width;
        if (img->bands == 1) {
            memcpy(o, row, (size_t)img->width);
            continue;
        }
        for (int x = 0; x < img->width; x++) {
            const uint8_t *p = row + (size_t)x * (size_t)img->bands;
            o[x] = (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
        }
    }
    return g;
}

static void symbol_box(const zbar_symbol_t *s, int box[4])
{
    unsigned n = zbar_symbol_get_loc_size(s);
    box[0] = box[1] = box[2] = box[3] = 0;
    for (unsigned i = 0; i < n; i++) {
        int x = zbar_symbol_get_loc_x(s, i), y = zbar_symbol_get_loc_y(s, i);
        if (i == 0 || x < box[0])
            box[0] = x;
        if (i == 0 || y < box[1])
            box[1] = y;
        if (i == 0 || x + 1 > box[2])
            box[2] = x + 1;
        if (i == 0 || y + 1 > box[3])
            box[3] = y + 1;
    }
}

int sohoa_barcode_scan(const struct sohoa_image *img, struct sohoa_barcodes *out,
                       struct sohoa_err *err)
{
    zbar_image_scanner_t *sc = NULL;
    zbar_image_t *zi = NULL;
    uint8_t *grey = NULL;
    int rc = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!img || !out || !img->pixels || img->width <= 0 || img->height <= 0 ||
        (img->bands != 1 && img->bands != 3))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "barcode: no image to scan");
    if (!(grey = grey_copy(img)) || !(sc = zbar_image_scanner_create()) ||
        !(zi = zbar_image_create())) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "barcode: out of memory");
        goto out;
    }
    zbar_image_scanner_set_config(sc, ZBAR_NONE, ZBAR_CFG_ENABLE, 1);
    zbar_image_set_format(zi, zbar_fourcc('Y', '8', '0', '0'));
    zbar_image_set_size(zi, (unsigned)img->width, (unsigned)img->height);
    zbar_image_set_data(zi, grey, (unsigned long)img->width * (unsigned long)img->height, NULL);
    int found = zbar_scan_image(sc, zi);
    if (found < 0) {
        rc = sohoa_err_set(err, SOHOA_EBACKEND, false, "barcode: zbar failed to scan the page");
        goto out;
    }
    if (found == 0)
        goto out;
    if (!(out->items = calloc((size_t)found, sizeof *out->items))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "barcode: out of memory");
        goto out;
    }
    for (const zbar_symbol_t *s = zbar_image_first_symbol(zi); s && out->n < (size_t)found;
         s = zbar_symbol_next(s)) {
        struct sohoa_barcode *b = &out->items[out->n];
        const char *data = zbar_symbol_get_data(s);
        unsigned len = zbar_symbol_get_data_length(s);
        if (!(b->data = malloc((size_t)len + 1))) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "barcode: out of memory");
            goto out;
        }
        memcpy(b->data, data, len);
        b->data[len] = '\0';
        snprintf(b->symbology, sizeof b->symbology, "%s",
                 zbar_get_symbol_name(zbar_symbol_get_type(s)));
        symbol_box(s, b->box);
        out->n++;
    }
out:
    if (zi)
        zbar_image_destroy(zi);
    if (sc)
        zbar_image_scanner_destroy(sc);
    free(grey);
    if (rc)
        sohoa_barcodes_release(out);
    return rc;
}

void sohoa_barcodes_release(struct sohoa_barcodes *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++)
        free(b->items[i].data);
    free(b->items);
    memset(b, 0, sizeof *b);
}

int sohoa_barcodes_copy(const struct sohoa_barcodes *src, struct sohoa_barcodes *dst,
                        struct sohoa_err *err)
{
    memset(dst, 0, sizeof *dst);
    if (!src || !src->n)
        return 0;
    if (!(dst->items = calloc(src->n, sizeof *dst->items)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; i < src->n; i++) {
        dst->items[i] = src->items[i];
        if (!(dst->items[i].data = strdup(src->items[i].data ? src->items[i].data : ""))) {
            sohoa_barcodes_release(dst);
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        }
        dst->n++;
    }
    return 0;
}
