/* pdfwriter.h — our own streaming writer of searchable PDFs (image + invisible text), no library.
 *
 * A document's PDF is assembled page by page: begin → add_page × N → finish. Each page is an
 * already encoded image (JPEG, or raw CCITT G4 as made by Leptonica's pixGenerateCIData) drawn
 * over the whole page, and an invisible text layer (text render mode 3) that puts every
 * recognised word on its pixel box, so that search, copy/paste and pdftotext give the words, in
 * reading order, in Unicode (Vietnamese included). Page size in points = pixels * 72 / dpi, per
 * axis, so non-square resolutions are kept.
 *
 * The text uses one shared font: a Type0 font (Identity-H) over a CIDFontType2 whose embedded
 * TrueType program is generated here, with one empty glyph of fixed advance, and a ToUnicode
 * CMap. Each word's advance is stretched (Tz) to its box width; the font size is one per line
 * (see pdfwriter.c). Words are written in the order given, a space glyph between the words of a
 * line; lines are the runs of words sharing block, para and line indexes.
 *
 * Memory does not grow with page count beyond one offset per PDF object and one number per page:
 * every page is written out by add_page, before it returns.
 *
 * Ownership: the writer borrows the FILE * given to sohoa_pdf_begin (the caller closes it after
 * sohoa_pdf_free); with sohoa_pdf_open it owns the file it creates. Page data (image bytes,
 * words) is only read during the call. Threads: a writer is used by one thread at a time;
 * different writers are independent.
 */
#ifndef SOHOA_PDFWRITER_H
#define SOHOA_PDFWRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"

/* Largest page side in points (200 inches, the common viewer limit without UserUnit). */
#define SOHOA_PDF_MAX_PAGE_PT 14400.0

/* Document information dictionary. All strings UTF-8, may be NULL (entry left out). */
struct sohoa_pdf_info {
    const char *title;
    const char *producer;  /* "sohoa 0.1" */
    int64_t creation_time; /* seconds since the Unix epoch, written in UTC; 0 = left out */
};

enum sohoa_pdf_image_kind {
    SOHOA_PDF_JPEG_RGB = 1, /* baseline or progressive JPEG, 3 components */
    SOHOA_PDF_JPEG_GREY,    /* JPEG, 1 component */
    SOHOA_PDF_G4,           /* raw CCITT Group 4 data (K = -1), one strip, no TIFF wrapper */
};

/* One page to add. */
struct sohoa_pdf_page {
    enum sohoa_pdf_image_kind kind;
    const uint8_t *data; /* encoded image bytes */
    size_t len;
    int width, height;  /* image size in pixels; checked against a JPEG's own header */
    double xres, yres;  /* dots per inch; <= 0 = unknown: the other axis's value, else 300 */
    bool g4_black_is_1; /* G4 only: the data was coded with 1 = black (TIFF MinIsBlack,
                           Leptonica's cid->minisblack). Leptonica's usual output is false. */
    const struct sohoa_word *words; /* reading order; may be NULL when n_words == 0 (blank or
                                       failed page: image only) */
    size_t n_words;
};

struct sohoa_pdf;

/* Start a PDF on `fp` (opened for binary writing, positioned at the start of an empty file or
 * stream: offsets are counted from the first byte written; need not be seekable). The header is
 * written at once. `info` may be NULL. */
int sohoa_pdf_begin(FILE *fp, const struct sohoa_pdf_info *info, struct sohoa_pdf **out,
                    struct sohoa_err *err);

/* Start a PDF at `path`. It is written to "<path>.part" and renamed to `path` by
 * sohoa_pdf_finish, so `path` never holds a partial file; sohoa_pdf_free of an unfinished
 * writer removes the .part file. */
int sohoa_pdf_open(const char *path, const struct sohoa_pdf_info *info, struct sohoa_pdf **out,
                   struct sohoa_err *err);

/* Write one page (image object, content stream, page object). A page refused before anything
 * is written (SOHOA_EINVAL, SOHOA_EFORMAT for a JPEG whose header disagrees with the page,
 * SOHOA_ELIMIT for a page over SOHOA_PDF_MAX_PAGE_PT, SOHOA_ENOMEM) leaves the writer usable: the
 * caller may skip that page. A write error (SOHOA_EIO, retryable) breaks the writer: later calls
 * fail and the output must be discarded. */
int sohoa_pdf_add_page(struct sohoa_pdf *pdf, const struct sohoa_pdf_page *page,
                       struct sohoa_err *err);

/* Write the shared font, page tree, info dictionary, catalog, xref table and trailer, flush
 * (and, for sohoa_pdf_open, close and rename). A document needs at least one page
 * (SOHOA_EEMPTY otherwise). */
int sohoa_pdf_finish(struct sohoa_pdf *pdf, struct sohoa_err *err);

/* Pages added so far. */
size_t sohoa_pdf_page_count(const struct sohoa_pdf *pdf);

/* Release the writer (finished or not) and NULL the pointer. Never closes a borrowed FILE *. */
void sohoa_pdf_free(struct sohoa_pdf **pdf);

#endif
