/* image.c — allocation and release of struct sohoa_image. */
#include "pipeline/image/image.h"

#include <stdlib.h>
#include <string.h>

int sohoa_image_alloc(struct sohoa_image *img, int width, int height, int bands,
                      struct sohoa_err *err)
{
    memset(img, 0, sizeof *img);
    if (width <= 0 || height <= 0 || (bands != 1 && bands != 3))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "bad image geometry %dx%dx%d", width, height,
                             bands);
    size_t stride = (size_t)width * (size_t)bands;
    img->pixels = calloc((size_t)height, stride);
    if (!img->pixels)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory for a %dx%d image", width,
                             height);
    img->width = width;
    img->height = height;
    img->bands = bands;
    img->stride = stride;
    return 0;
}

void sohoa_image_release(struct sohoa_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    memset(img, 0, sizeof *img);
}

void sohoa_image_move(struct sohoa_image *dst, struct sohoa_image *src)
{
    if (dst == src)
        return;
    sohoa_image_release(dst);
    *dst = *src;
    memset(src, 0, sizeof *src);
}

bool sohoa_image_is_colourless(const struct sohoa_image *img, int tolerance, double max_share)
{
    if (img->bands != 3 || !img->pixels)
        return false;
    uint64_t limit = (uint64_t)(max_share * (double)img->width * (double)img->height);
    uint64_t coloured = 0;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++, p += 3) {
            int hi = p[0], lo = p[0];
            hi = p[1] > hi ? p[1] : hi;
            lo = p[1] < lo ? p[1] : lo;
            hi = p[2] > hi ? p[2] : hi;
            lo = p[2] < lo ? p[2] : lo;
            if (hi - lo > tolerance && ++coloured > limit)
                return false;
        }
    }
    return true;
}

int sohoa_image_to_grey(struct sohoa_image *img, struct sohoa_err *err)
{
    if (img->bands == 1)
        return 0;
    struct sohoa_image grey;
    int rc = sohoa_image_alloc(&grey, img->width, img->height, 1, err);
    if (rc < 0)
        return rc;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + (size_t)y * img->stride;
        uint8_t *q = grey.pixels + (size_t)y * grey.stride;
        for (int x = 0; x < img->width; x++, p += 3)
            q[x] = (uint8_t)((299u * p[0] + 587u * p[1] + 114u * p[2] + 500u) / 1000u);
    }
    grey.xres = img->xres;
    grey.yres = img->yres;
    sohoa_image_move(img, &grey);
    return 0;
}
