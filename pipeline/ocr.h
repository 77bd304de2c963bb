/* ocr.h — text recognition with Tesseract's C API.
 *
 * One struct sohoa_ocr per worker thread, created once (models load once) and reused for every
 * page. Tesseract runs single-threaded inside it; the caller sets OMP_THREAD_LIMIT=1 before the
 * first handle is created (sohoa_ocr_new does it if unset).
 *
 * Ownership: a struct sohoa_ocr_page owns its words and texts; release with
 * sohoa_ocr_page_release(). Threads: a handle is used by one thread at a time; different handles
 * may be used concurrently.
 */
#ifndef SOHOA_OCR_H
#define SOHOA_OCR_H

#include <stddef.h>

#include "pipeline/err.h"
#include "pipeline/image.h"

/* One recognised word; box in pixels of the image given to sohoa_ocr_page, origin top-left,
 * x1/y1 exclusive. `text` is in vntext canonical form (NFC, one tone placement). */
struct sohoa_word {
    int x0, y0, x1, y1;
    float conf;     /* 0..100 */
    int block;      /* block index on the page, in reading order */
    int para;       /* paragraph index on the page */
    int line;       /* line index on the page */
    int baseline;   /* y of the line's baseline at the word, pixels */
    char *text;     /* owned */
};

struct sohoa_ocr_page {
    struct sohoa_word *words; /* reading order */
    size_t n_words;
    char *text;               /* canonical text: words joined by spaces, lines by \n,
                                 paragraphs by a blank line */
    double mean_conf;         /* mean word confidence 0..100; 0 when no words */
};

struct sohoa_ocr;

/* Load the models. `datapath` NULL = Tesseract's default tessdata; `langs` e.g. "vie+eng". */
int sohoa_ocr_new(const char *datapath, const char *langs, struct sohoa_ocr **out,
                  struct sohoa_err *err);
void sohoa_ocr_free(struct sohoa_ocr **h);

/* Recognise one page. `timeout_ms` > 0 is a hard deadline (Tesseract's monitor): passing it fails
 * the page with SOHOA_ETIMEOUT. `out` is overwritten. */
int sohoa_ocr_page(struct sohoa_ocr *h, const struct sohoa_image *img, int timeout_ms,
                   struct sohoa_ocr_page *out, struct sohoa_err *err);
void sohoa_ocr_page_release(struct sohoa_ocr_page *p);

/* "tesseract 5.3.0" — static string. */
const char *sohoa_ocr_version(void);

#endif
