/* output.c — where the generator's pages go: PNG, JPEG, TIFF (LZW or G4) one file a page, or one
 * multi-page TIFF (appended with Leptonica: libvips cannot append), with the ground-truth text
 * beside. See output.h.
 */
#include "bench/gen/output.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <leptonica/allheaders.h>

const char *fmt_ext(enum fmt f)
{
    return f == FMT_PNG ? "png" : f == FMT_JPEG ? "jpg" : "tif";
}

int write_file(const char *path, const char *data, size_t len, struct sohoa_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s: %s", path, strerror(errno));
    size_t n = fwrite(data, 1, len, f);
    if (fclose(f) != 0 || n != len)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s", path);
    return 0;
}

/* Append one page to a multi-page TIFF with Leptonica (G4 when bilevel, else LZW). */
static int tiff_append(VipsImage *im, const char *path, bool first, bool bilevel, int dpi,
                       struct sohoa_err *err)
{
    int w = im->Xsize, h = im->Ysize, bands = im->Bands;
    const uint8_t *src = (const uint8_t *)VIPS_IMAGE_ADDR(im, 0, 0);
    PIX *pix = pixCreate(w, h, bilevel ? 1 : bands == 1 ? 8 : 32);
    if (!pix)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    l_uint32 *data = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for (int y = 0; y < h; y++) {
        l_uint32 *line = data + (size_t)y * wpl;
        const uint8_t *s = src + (size_t)y * w * bands;
        for (int x = 0; x < w; x++) {
            if (bilevel) {
                if (s[x] < 128)
                    SET_DATA_BIT(line, x);
            } else if (bands == 1) {
                SET_DATA_BYTE(line, x, s[x]);
            } else {
                const uint8_t *px = s + 3 * (size_t)x;
                composeRGBPixel(px[0], px[1], px[2], line + x);
            }
        }
    }
    pixSetResolution(pix, dpi, dpi);
    int lrc = pixWriteTiff(path, pix, bilevel ? IFF_TIFF_G4 : IFF_TIFF_LZW, first ? "w" : "a");
    pixDestroy(&pix);
    return lrc ? sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s (Leptonica)", path) : 0;
}

/* `quality`: JPEG quality of this page when the format is JPEG. */
int sink_page(struct sink *s, VipsImage *im, const char *gt, int quality, struct sohoa_err *err)
{
    char path[4096], gtpath[4096];
    const char *gtdir = s->gt_dir ? s->gt_dir : s->dir;
    int rc = 0;
    if (s->format == FMT_TIFF_MULTI) {
        if ((size_t)snprintf(path, sizeof path, "%s/%s.tif", s->dir, s->name) >= sizeof path)
            return sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", s->dir);
        rc = tiff_append(im, path, s->pages == 0, s->mode == MODE_BILEVEL, s->dpi, err);
        sohoa_buf_adds(&s->gt, gt);
        sohoa_buf_adds(&s->gt, "\f");
        s->pages++;
        return rc;
    }
    int n, gtn;
    if (s->numbered) {
        n = snprintf(path, sizeof path, "%s/%s-%04d.%s", s->dir, s->name, s->pages + 1,
                     fmt_ext(s->format));
        gtn = snprintf(gtpath, sizeof gtpath, "%s/%s-%04d.gt.txt", gtdir, s->name, s->pages + 1);
    } else {
        n = snprintf(path, sizeof path, "%s/%s.%s", s->dir, s->name, fmt_ext(s->format));
        gtn = snprintf(gtpath, sizeof gtpath, "%s/%s.gt.txt", gtdir, s->name);
    }
    if (n < 0 || (size_t)n >= sizeof path || gtn < 0 || (size_t)gtn >= sizeof gtpath)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", s->dir);
    bool bilevel = s->mode == MODE_BILEVEL;
    int vrc = 0;
    switch (s->format) {
    case FMT_PNG:
        vrc = bilevel ? vips_pngsave(im, path, "compression", 6, "bitdepth", 1, NULL)
                      : vips_pngsave(im, path, "compression", 2, "filter",
                                     VIPS_FOREIGN_PNG_FILTER_UP, NULL);
        break;
    case FMT_JPEG:
        vrc = vips_jpegsave(im, path, "Q", quality, NULL);
        break;
    case FMT_TIFF:
    case FMT_TIFF_G4:
        vrc = bilevel
                  ? vips_tiffsave(im, path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_CCITTFAX4,
                                  "bitdepth", 1, "resunit", VIPS_FOREIGN_TIFF_RESUNIT_INCH, NULL)
                  : vips_tiffsave(im, path, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_LZW,
                                  "predictor", VIPS_FOREIGN_TIFF_PREDICTOR_HORIZONTAL, "resunit",
                                  VIPS_FOREIGN_TIFF_RESUNIT_INCH, NULL);
        break;
    case FMT_TIFF_MULTI:
        break;
    }
    if (vrc)
        return vips_fail(err, path);
    s->pages++;
    return write_file(gtpath, gt, strlen(gt), err);
}

int sink_finish(struct sink *s, struct sohoa_err *err)
{
    int rc = 0;
    if (s->format == FMT_TIFF_MULTI && s->pages > 0) {
        char gtpath[4096];
        const char *gtdir = s->gt_dir ? s->gt_dir : s->dir;
        if ((size_t)snprintf(gtpath, sizeof gtpath, "%s/%s.gt.txt", gtdir, s->name) >=
            sizeof gtpath)
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", gtdir);
        else
            rc = s->gt.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                              : write_file(gtpath, s->gt.data ? s->gt.data : "", s->gt.len, err);
    }
    sohoa_buf_release(&s->gt);
    return rc;
}
