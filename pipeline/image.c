/* image.c — allocation and release of struct sohoa_image. */
#include "pipeline/image.h"

#include <stdlib.h>
#include <string.h>

int sohoa_image_alloc(struct sohoa_image *img, int width, int height, int bands,
                      struct sohoa_err *err)
{
    memset(img, 0, sizeof *img);
    if (width <= 0 || height <= 0 || (bands != 1 && bands != 3))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "bad image geometry %dx%dx%d", width,
                             height, bands);
    size_t stride = (size_t)width * (size_t)bands;
    img->pixels = calloc((size_t)height, stride);
    if (!img->pixels)
        return sohoa_err_set(err, SOHOA_ENOMEM, true, "out of memory for a %dx%d image", width,
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
