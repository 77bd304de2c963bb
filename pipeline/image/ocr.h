/* ocr.h — text recognition with Tesseract's C API.
 *
 * One struct sohoa_ocr per worker thread, created once (models load once) and reused for every
 * page. Tesseract must run single-threaded inside it: OMP_THREAD_LIMIT=1 has to be in the
 * process environment when it starts, because libgomp reads it once at load time, before main()
 * (without it a page costs ~4.5x the CPU). An entry point that finds it unset sets it and
 * re-execs itself (see bench/tools/sohoa_ocrpage.c); sohoa_ocr_new() sets it if unset, which only
 * reaches child processes.
 *
 * What a page goes through: Tesseract (LSTM, PSM auto) → every word through vn_normalize →
 * a machine-readable zone (ICAO MRZ, e.g. the chip CCCD's back) read again with `eng` limited to
 * the MRZ alphabet and repaired under its check digits (pipeline/image/mrz.h; kept with the first
 * reading when eng data is missing) → lines of low confidence dropped (never the MRZ) →
 * side-by-side columns read left then right → text.
 *
 * Ownership: a struct sohoa_ocr_page owns its words and texts; release with
 * sohoa_ocr_page_release(). Threads: a handle is used by one thread at a time; different handles
 * may be used concurrently.
 */
#ifndef SOHOA_OCR_H
#define SOHOA_OCR_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/image/image.h"

/* One recognised word; box in pixels of the image given to sohoa_ocr_page, origin top-left,
 * x1/y1 exclusive. `text` is in vntext canonical form (NFC, one tone placement). */
struct sohoa_word {
    int x0, y0, x1, y1;
    float conf;   /* 0..100 */
    int block;    /* block index on the page, in reading order */
    int para;     /* paragraph index on the page */
    int line;     /* line index on the page */
    int baseline; /* y of the line's baseline at the word, pixels */
    char *text;   /* owned */
};

struct sohoa_ocr_page {
    struct sohoa_word *words; /* reading order */
    size_t n_words;
    char *text;       /* canonical text: words joined by spaces, lines by \n,
                         paragraphs by a blank line */
    double mean_conf; /* mean word confidence 0..100; 0 when no words */
};

struct sohoa_ocr;

/* Defaults chosen by the accuracy measurements (models/ocr/README.md). */
#define SOHOA_OCR_DEFAULT_LANGS         "vie"
#define SOHOA_OCR_DEFAULT_PSM           3 /* Tesseract PSM_AUTO: page layout analysis, no OSD */
#define SOHOA_OCR_DEFAULT_MIN_LINE_CONF 50.0

/* Load the models. `datapath` NULL = $SOHOA_TESSDATA when set, else Tesseract's default tessdata
 * (TESSDATA_PREFIX or the distribution's folder); `langs` NULL = SOHOA_OCR_DEFAULT_LANGS, else
 * e.g. "vie+eng". Fails with SOHOA_ENOTFOUND when the language data cannot be loaded. */
int sohoa_ocr_new(const char *datapath, const char *langs, struct sohoa_ocr **out,
                  struct sohoa_err *err);
void sohoa_ocr_free(struct sohoa_ocr **h);

/* Page segmentation mode for the following pages (Tesseract's PSM numbers: 3 auto, 4 one column,
 * 6 one uniform block, 11 sparse text...). */
int sohoa_ocr_set_psm(struct sohoa_ocr *h, int psm, struct sohoa_err *err);

/* What happens to Tesseract's lines before they become words and text:
 *   min_line_conf  a line whose mean word confidence (weighted by characters) is below this is
 *                  dropped: seals, handwriting, received-stamps, scanner borders (0 keeps all;
 *                  default SOHOA_OCR_DEFAULT_MIN_LINE_CONF);
 *   columns        text set side by side on the same rows (header, number/date, recipients/
 *                  signature) is read column by column, left then right (default true). */
void sohoa_ocr_set_layout(struct sohoa_ocr *h, double min_line_conf, bool columns);

/* Set one Tesseract parameter by name, for experiments and benchmarks ("tessedit_do_invert",
 * "thresholding_method"...). SOHOA_EINVAL when Tesseract does not know the name. */
int sohoa_ocr_set_param(struct sohoa_ocr *h, const char *name, const char *value,
                        struct sohoa_err *err);

/* Recognise one page. `timeout_ms` > 0 is a hard deadline (Tesseract's monitor): passing it fails
 * the page with SOHOA_ETIMEOUT (permanent). Tesseract checks it between words, so the layout
 * analysis before the first word (a small part of a page's time) is not interrupted. `img` is
 * normally sohoa_clean_result.ocr; its xres is passed as the source resolution (0: Tesseract
 * estimates it). `out` is overwritten; on failure it is left zeroed. A page without text gives
 * zero words and text "". */
int sohoa_ocr_page(struct sohoa_ocr *h, const struct sohoa_image *img, int timeout_ms,
                   struct sohoa_ocr_page *out, struct sohoa_err *err);
void sohoa_ocr_page_release(struct sohoa_ocr_page *p);

/* Multiply every word box and baseline by `factor` (rounded): maps boxes found on an upscaled
 * OCR image back onto the archive image (factor = 1 / sohoa_clean_result.ocr_scale). */
void sohoa_ocr_page_scale(struct sohoa_ocr_page *p, double factor);

/* "tesseract 5.3.0" — static string. */
const char *sohoa_ocr_version(void);

#endif
