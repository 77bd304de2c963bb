/* output.h — where the generator's (bench/gen) pages go: one image file a page (PNG, JPEG,
 * TIFF LZW or G4) with its ground-truth text `<name>.gt.txt` beside it (or in gt_dir), or all
 * pages in one multi-page TIFF with one ground-truth file (pages ended by form feeds).
 *
 * Ownership: struct sink is a caller value; its strings are borrowed; sink_finish releases what
 * it holds. Threads: one sink, one thread.
 */
#ifndef SOHOA_GEN_OUTPUT_H
#define SOHOA_GEN_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

#include <vips/vips.h>

#include "bench/gen/damage.h"
#include "bench/gen/util.h"
#include "pipeline/base/err.h"

enum fmt { FMT_PNG, FMT_JPEG, FMT_TIFF, FMT_TIFF_G4, FMT_TIFF_MULTI };

/* "png", "jpg", "tif". */
const char *fmt_ext(enum fmt f);

/* Where pages go: one file per page, or one multi-page TIFF; ground truth beside the images
 * (or in gt_dir). */
struct sink {
    enum fmt format;
    enum colour_mode mode;
    int jpeg_q; /* for --format jpeg */
    const char *dir, *gt_dir, *name;
    int dpi;
    int pages;           /* written so far */
    struct sohoa_buf gt; /* multi-page: all pages, each ended by a form feed */
    bool numbered;       /* one file per page: name-0001.png */
    bool dry;            /* only count pages (layout, no images) */
};

/* Write one page (`gt` its ground-truth text); `quality`: JPEG quality when the format is JPEG. */
int sink_page(struct sink *s, VipsImage *im, const char *gt, int quality, struct sohoa_err *err);
/* Write what is pending (the multi-page ground truth) and release the sink. */
int sink_finish(struct sink *s, struct sohoa_err *err);

/* `len` bytes to a new file at `path`. */
int write_file(const char *path, const char *data, size_t len, struct sohoa_err *err);

#endif
