/* pagechain.h — one page of a file through decode → barcodes → clean → OCR → quality input: the
 * chain the page worker (workers/runtime/page_job.c) and `sohoa extract`
 * (workers/cli/cli_extract.c) both run, written once so that they cannot drift.
 *
 * What the chain decides for both:
 *   - barcodes and QR codes are read on the decoded colour page, before red-stamp dropout; a
 *     reader that fails costs the page its codes (barcode_error says why), never its result;
 *   - an assumed resolution (the file gave none) is not told to Tesseract: it then estimates one
 *     from the text, which reads small print far better;
 *   - OCR word boxes come back in archive-image pixels (the OCR image may be scaled);
 *   - the quality input (resolution, blur and skew left of the archive image, blank, OCR
 *     confidence) is measured before the caller reduces or converts the archive image;
 *   - the limits (pixels, pages, decode deadline, OCR deadline per page) always apply.
 * A blank page is not OCR'd.
 *
 * Ownership: `out` owns everything it holds; release it with sohoa_page_read_release (also after
 * a failure). Inputs are borrowed. Threads: reentrant given one OCR handle per thread (ocr.h).
 */
#ifndef SOHOA_PAGECHAIN_H
#define SOHOA_PAGECHAIN_H

#include <stdbool.h>

#include "pipeline/base/err.h"
#include "pipeline/base/limits.h"
#include "pipeline/image/barcode.h"
#include "pipeline/image/clean.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"
#include "pipeline/image/quality.h"

struct sohoa_page_read {
    struct sohoa_clean_result clean;       /* archive image (kept) and OCR image */
    struct sohoa_ocr_page ocr;             /* empty when the page is blank */
    struct sohoa_barcodes barcodes;        /* read on the decoded colour page */
    struct sohoa_quality_input quality;    /* measured on the archive image as cleaned */
    bool dpi_assumed;                      /* the file gave no resolution */
    char barcode_error[SOHOA_ERR_MSG_MAX]; /* why no codes were read, or "" */
    double decode_ms, clean_ms, ocr_ms;    /* time spent per stage (quality counts as clean) */
};

/* Page `index` (from 0) of the file at `path` (its format as probed, or SOHOA_FORMAT_UNKNOWN to
 * sniff) through the chain, with `limits` (NULL: sohoa_limits_default()) and `clean` options
 * (NULL: sohoa_clean_opts_default()), OCR'd with `ocr`. `out` is overwritten. Errors: those of the
 * stages (decode, clean, OCR: a bad page, past a limit or a deadline). */
int sohoa_page_read(const char *path, enum sohoa_format format, int index, struct sohoa_ocr *ocr,
                    const struct sohoa_limits *limits, const struct sohoa_clean_opts *clean,
                    struct sohoa_page_read *out, struct sohoa_err *err);

void sohoa_page_read_release(struct sohoa_page_read *r);

/* The quality input of a cleaned page `cr` (its archive image is measured for blur and skew: call
 * it before that image is reduced or converted), `dpi_assumed` and its OCR result `op` (NULL when
 * not OCR'd: blank). `q` is overwritten. sohoa_page_read calls it; exposed for its tests. */
void sohoa_page_quality_input(const struct sohoa_clean_result *cr, bool dpi_assumed,
                              const struct sohoa_ocr_page *op, struct sohoa_quality_input *q);

#endif
