/* barcode.c — QR codes and 1-D barcodes through zbar (the only file that includes <zbar.h>).
 *
 * zbar reads 8-bit grey ("Y800"); a colour page is converted to luma into a buffer of our own
 * first. The scanner is created per call: zbar scanners are not shareable between threads and
 * creating one costs little next to the scan. zbar reports failure as a negative count.
 *
 * QR codes are read in zbar's binary mode (raw payload bytes): without it zbar guesses the
 * character set of an 8-bit segment that carries no ECI and takes UTF-8 Vietnamese for Shift-JIS
 * ("TRẦN" → "TR蘯ｧN"). The bytes are kept when they are valid UTF-8 (what every Vietnamese
 * issuer writes) and otherwise read as ISO-8859-1, the QR standard's default for 8-bit data.
 */
#include "pipeline/image/barcode.h"

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

/* Length of the valid UTF-8 sequence (no overlongs, surrogates or code points past U+10FFFF) at
 * s[0..n), 0 when there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
                 : (s[0] & 0xF0) == 0xE0        ? 3
                 : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
                                                : 0;
    if (!len || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

/* The payload bytes [data, data + len) as a NUL-terminated UTF-8 string: as they are when they are
 * valid UTF-8 without NULs, else read as ISO-8859-1 (NULs dropped). NULL when out of memory. */
static char *payload_text(const unsigned char *data, size_t len)
{
    bool utf8 = true;
    for (size_t i = 0, k = 0; i < len && utf8; i += k)
        utf8 = data[i] != 0 && (k = utf8_seq(data + i, len - i)) > 0;
    char *t = malloc(2 * len + 1), *o = t;
    if (!t)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (utf8 || data[i] < 0x80) {
            if (data[i])
                *o++ = (char)data[i];
        } else {
            *o++ = (char)(0xC0 | (data[i] >> 6));
            *o++ = (char)(0x80 | (data[i] & 0x3F));
        }
    }
    *o = '\0';
    return t;
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
    zbar_image_scanner_set_config(sc, ZBAR_QRCODE, ZBAR_CFG_BINARY, 1);
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
        const unsigned char *data = (const unsigned char *)zbar_symbol_get_data(s);
        if (!(b->data = payload_text(data, zbar_symbol_get_data_length(s)))) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "barcode: out of memory");
            goto out;
        }
        (void)snprintf(b->symbology, sizeof b->symbology, "%s",
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
