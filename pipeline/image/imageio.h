/* imageio.h — reading scans and PDFs into pixel buffers, and writing JPEGs, with libvips.
 *
 * probe() looks at a file without decoding it: the format (sniffed from its bytes, never from its
 * name), the page count and the size of page 0, and refuses what the limits forbid (bytes, pages,
 * pixels: a decompression bomb is caught from its header). decode_page() turns one page into an
 * 8-bit grey or sRGB struct sohoa_image at OCR resolution: PDF pages are rendered at ocr_dpi; scans
 * keep their resolution unless it is over max_dpi_before_reduce, when they are reduced to ocr_dpi;
 * non-square pixels (fax modes) are made square. A scan with no plausible resolution is assumed to
 * be 300 dpi: "plausible" means 70..2400 dpi, other than exactly 72 or 96 dpi on both axes, which
 * are what software writes when it knows nothing (the vn-docs page PNGs are 200 dpi labelled 72).
 *
 * Every failure is a negative SOHOA_E* code with a message naming the file and, for a limit, the
 * limit, its value and how to change it. Codes: SOHOA_ENOTFOUND (no such file), SOHOA_EIO (not a
 * regular file, unreadable), SOHOA_EEMPTY (zero bytes, a PDF with no pages), SOHOA_EFORMAT (not a
 * PDF or image, truncated, corrupt), SOHOA_EENCRYPTED (PDF needs a password to open), SOHOA_ELIMIT,
 * SOHOA_ETIMEOUT (decode_timeout_ms, checked between strips of rows: one strip that never ends
 * inside a codec cannot be interrupted), SOHOA_EINVAL (bad argument, page out of range),
 * SOHOA_ENOMEM. Messages count pages from 1; page_index arguments count from 0.
 *
 * Known limit of an in-process decoder: a PDF page whose content stream decompresses to gigabytes
 * (fuzz-seeds/pdf/bomb_giant.pdf: 1.16 GB of JBIG2 per stream) keeps poppler busy for minutes
 * (5 to 8 minutes and 2.5 GB here; pdftocairo takes 508 s) inside one call that nothing can
 * interrupt; decode_timeout_ms only fires after it. Bounding that needs PDF rendering in a helper
 * process that can be killed. Pages wider or taller than 4000 pixels are rendered in 4000-pixel
 * tiles, each a full poppler render of the page: a 9000 x 9000 page takes 9 renders (about 7 s
 * here).
 *
 * Ownership: paths are borrowed. A decoded image belongs to the caller (sohoa_image_release). An
 * encoded JPEG is a malloc'd buffer that the caller frees with free().
 * Threads: sohoa_imageio_init() may be called from any thread, any number of times; every other
 * function calls it too. After that every function may be called from any thread, concurrently;
 * libvips runs each call with concurrency 1 (one thread per worker, the pool sizes itself).
 * libvips keeps one error buffer per process: when two threads fail at the same instant, a
 * message may carry a line of the other's reason, or lose its own (the code is always right).
 */
#ifndef SOHOA_IMAGEIO_H
#define SOHOA_IMAGEIO_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "pipeline/image/image.h"
#include "pipeline/base/limits.h"

enum sohoa_format {
    SOHOA_FORMAT_UNKNOWN = 0,
    SOHOA_FORMAT_PDF,
    SOHOA_FORMAT_TIFF, /* multi-page */
    SOHOA_FORMAT_JPEG,
    SOHOA_FORMAT_PNG,
    SOHOA_FORMAT_WEBP, /* first frame */
    SOHOA_FORMAT_GIF,  /* first frame */
    SOHOA_FORMAT_JP2K, /* JPEG 2000, .jp2 or raw codestream */
    SOHOA_FORMAT_HEIF, /* HEIC / AVIF phone photos, primary image */
    SOHOA_FORMAT_JXL,
};

/* What probe() learns from a file's headers. */
struct sohoa_probe {
    enum sohoa_format format;
    int n_pages; /* PDF and TIFF pages; 1 for the other formats */
    int width;   /* page 0 in pixels: as stored (images), as rendered at ocr_dpi (PDF) */
    int height;
    uint64_t size; /* file size in bytes */
};

/* Start libvips once per process: concurrency 1, a small operation cache that never keeps an
 * input file open, libvips warnings kept off stderr (set SOHOA_VIPS_WARNINGS=1 to see them).
 * Returns SOHOA_EBACKEND when libvips cannot start; the same answer on every later call. */
int sohoa_imageio_init(struct sohoa_err *err);

/* Short lower-case name: "pdf", "tiff", "jpeg", "png", "webp", "gif", "jp2k", "heif", "jxl",
 * "unknown". Static string. */
const char *sohoa_format_name(enum sohoa_format format);

/* The format whose signature starts `head` (the first bytes of a file; 1 KiB is plenty, a PDF
 * header may sit anywhere in its first 1024 bytes). SOHOA_FORMAT_UNKNOWN when none matches. */
enum sohoa_format sohoa_format_sniff(const void *head, size_t len);

/* Look at `path` without decoding pixels. `limits` NULL = sohoa_limits_default(). `out` is zeroed
 * on entry and filled on success. Refuses: a missing, unreadable or non-regular file (directory,
 * FIFO, device: never opened for reading in a way that could block); zero bytes; over
 * max_file_bytes; not a PDF or supported image; a PNG without its IEND chunk or a PDF without
 * %%EOF at its end (truncated); a PDF that needs a password; a PDF with no pages; over
 * max_pages_per_file; and, for a one-page file, a page over max_page_pixels. A multi-page file
 * with one oversized page is accepted here: decode_page() refuses that page alone. */
int sohoa_imageio_probe(const char *path, const struct sohoa_limits *limits,
                        struct sohoa_probe *out, struct sohoa_err *err);

/* Decode page `page_index` (from 0) of `path` into `out` (overwritten; zeroed on failure).
 * `format` SOHOA_FORMAT_UNKNOWN = sniff it again. `limits` NULL = defaults. The file checks of
 * probe() (regular file, bytes) are repeated, and the page's pixels are checked against
 * max_page_pixels before anything is decoded. The result:
 *   - bands 1 (grey) or 3 (sRGB), 8 bits; alpha is flattened onto white, CMYK converted to sRGB
 *     (with the embedded ICC profile when there is one), 16-bit reduced to 8, palettes expanded;
 *   - EXIF / TIFF orientation applied;
 *   - xres/yres set: ocr_dpi for PDF, else the scan's resolution as described at the top;
 *   - bilevel set when the page is grey with only the values 0 and 255 (a 1-bit scan); a bilevel
 *     page that is reduced or squared is thresholded again at 128, so it stays 0/255.
 * Truncated or corrupt image data is an error (SOHOA_EFORMAT), never a silently grey page. */
int sohoa_imageio_decode_page(const char *path, enum sohoa_format format, int page_index,
                              const struct sohoa_limits *limits, struct sohoa_image *out,
                              struct sohoa_err *err);

/* Encode `img` as a baseline JPEG of `quality` 1..100: grey stays one channel, sRGB three; the
 * JFIF header carries img->xres/yres (300 when 0). `*out` (set to NULL on entry) receives a
 * malloc'd buffer the caller frees with free(); `*len` its size. */
int sohoa_imageio_encode_jpeg(const struct sohoa_image *img, int quality, uint8_t **out,
                              size_t *len, struct sohoa_err *err);

/* A JPEG of `img` shrunk so that its longer side is at most `max_side` pixels (never enlarged),
 * at `quality` 1..100. Same ownership as sohoa_imageio_encode_jpeg(). */
int sohoa_imageio_thumbnail_jpeg(const struct sohoa_image *img, int max_side, int quality,
                                 uint8_t **out, size_t *len, struct sohoa_err *err);

/* "libvips 8.14.1": the library linked at run time. Static string. */
const char *sohoa_imageio_version(void);

#endif
