/* limits.h — the named limits every stage enforces, with their defaults.
 *
 * Passing a limit is a clear, permanent error for that item (SOHOA_ELIMIT, or SOHOA_ETIMEOUT for a
 * deadline), never a crash or a hang. A message about a limit names the field, its value and how
 * to change it, using the SOHOA_LIMIT_HOWTO_* strings below, e.g.
 *   "page is 35000x35000 = 1225 megapixels, over the limit max_page_pixels=40 megapixels
 *    (set SOHOA_MAX_PAGE_PIXELS or --max-page-pixels)"
 * The environment variables and flags are read by the entry points (workers/), not here.
 * A zero in a max_* or *_timeout_ms field means "no limit".
 *
 * Ownership: a plain value, copied freely. Threads: read-only once filled; share it freely.
 */
#ifndef SOHOA_LIMITS_H
#define SOHOA_LIMITS_H

#include <stdint.h>

struct sohoa_limits {
    uint64_t max_file_bytes;   /* bytes of one input file */
    int max_pages_per_file;    /* pages of one PDF or TIFF */
    uint64_t max_page_pixels;  /* width x height of one decoded page, checked before decoding;
                                  a PDF page is measured at ocr_dpi */
    int ocr_dpi;               /* PDF pages are rendered at this resolution, and over-resolved
                                  scans are reduced to it */
    int max_dpi_before_reduce; /* scans above this resolution are reduced to ocr_dpi */
    int page_timeout_ms;       /* OCR deadline per page (Tesseract's monitor) */
    int decode_timeout_ms;     /* decoding deadline per page */
};

#define SOHOA_DEFAULT_MAX_FILE_BYTES        (UINT64_C(512) * 1024 * 1024)
#define SOHOA_DEFAULT_MAX_PAGES_PER_FILE    2000
#define SOHOA_DEFAULT_MAX_PAGE_PIXELS       (UINT64_C(40) * 1000 * 1000) /* A4 at 600 dpi, A3 at 400 */
#define SOHOA_DEFAULT_OCR_DPI               300
#define SOHOA_DEFAULT_MAX_DPI_BEFORE_REDUCE 450
#define SOHOA_DEFAULT_PAGE_TIMEOUT_MS       60000
#define SOHOA_DEFAULT_DECODE_TIMEOUT_MS     30000

/* How to change each limit, for messages. The variables and flags (workers/runtime/config.c) take
 * the field's own unit: bytes, pages, pixels, dpi, milliseconds; messages show bytes as KiB/MiB and
 * pixels as megapixels. */
#define SOHOA_LIMIT_HOWTO_MAX_FILE_BYTES     "set SOHOA_MAX_FILE_BYTES or --max-file-bytes"
#define SOHOA_LIMIT_HOWTO_MAX_PAGES_PER_FILE "set SOHOA_MAX_PAGES_PER_FILE or --max-pages-per-file"
#define SOHOA_LIMIT_HOWTO_MAX_PAGE_PIXELS    "set SOHOA_MAX_PAGE_PIXELS or --max-page-pixels"
#define SOHOA_LIMIT_HOWTO_OCR_DPI            "set SOHOA_OCR_DPI or --ocr-dpi"
#define SOHOA_LIMIT_HOWTO_MAX_DPI_BEFORE_REDUCE                                                    \
    "set SOHOA_MAX_DPI_BEFORE_REDUCE or --max-dpi-before-reduce"
#define SOHOA_LIMIT_HOWTO_PAGE_TIMEOUT_MS   "set SOHOA_PAGE_TIMEOUT_MS or --page-timeout-ms"
#define SOHOA_LIMIT_HOWTO_DECODE_TIMEOUT_MS "set SOHOA_DECODE_TIMEOUT_MS or --decode-timeout-ms"

/* The defaults above, as a value. */
static inline struct sohoa_limits sohoa_limits_default(void)
{
    struct sohoa_limits l = {
        .max_file_bytes = SOHOA_DEFAULT_MAX_FILE_BYTES,
        .max_pages_per_file = SOHOA_DEFAULT_MAX_PAGES_PER_FILE,
        .max_page_pixels = SOHOA_DEFAULT_MAX_PAGE_PIXELS,
        .ocr_dpi = SOHOA_DEFAULT_OCR_DPI,
        .max_dpi_before_reduce = SOHOA_DEFAULT_MAX_DPI_BEFORE_REDUCE,
        .page_timeout_ms = SOHOA_DEFAULT_PAGE_TIMEOUT_MS,
        .decode_timeout_ms = SOHOA_DEFAULT_DECODE_TIMEOUT_MS,
    };
    return l;
}

#endif
