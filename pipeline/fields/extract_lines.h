/* extract_lines.h — a page's words as lines of canonical and folded text, for classification and
 * field extraction.
 *
 * A line is the words of one OCR line (same block, paragraph and line index) joined by single
 * spaces; its folded copy (vn_fold) is matched against the models' phrases and patterns, and any
 * byte range of the folded copy maps back to the canonical text and to the words it came from
 * (their boxes and confidences are a field's provenance).
 *
 * Ownership: a struct sohoa_xlines owns its lines; the words stay owned by the caller and must
 * outlive it. Threads: reentrant; an xlines is used by one thread at a time.
 */
#ifndef SOHOA_EXTRACT_LINES_H
#define SOHOA_EXTRACT_LINES_H

#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"

struct sohoa_xline {
    char *canon;    /* canonical text of the line */
    char *fold;     /* folded copy */
    size_t *f2c;    /* byte offset in `canon` of each byte offset of `fold` (len + 1) */
    size_t *wstart; /* canonical byte offset where each word of the line starts */
    size_t *wend;   /* ... and ends */
    const struct sohoa_word *words; /* the line's first word (the caller's array) */
    size_t n_words;
};

struct sohoa_xlines {
    struct sohoa_xline *lines;
    size_t n;
    char *fold_all; /* every folded line, '\n'-joined (classification) */
};

/* Build the lines of `n` words (in reading order). `out` is overwritten; zeroed on failure. */
int sohoa_xlines_build(const struct sohoa_word *words, size_t n, struct sohoa_xlines *out,
                       struct sohoa_err *err);
void sohoa_xlines_release(struct sohoa_xlines *x);

/* Provenance of canonical bytes [a, b) of line `l`: union box of the words they touch and their
 * mean confidence (0..100; 100 when no word carries one). Box zeroed when no word has one. */
void sohoa_xline_span(const struct sohoa_xline *l, size_t a, size_t b, int box[4], double *conf);

/* Text → words (one line per text line, split at white space; zero boxes, confidence 100).
 * `*words` receives a malloc'd array of `*n` words with malloc'd texts; free with
 * sohoa_words_free (render.h). */
int sohoa_words_from_text(const char *text, struct sohoa_word **words, size_t *n,
                          struct sohoa_err *err);

/* Deep copy of `n` words (texts included). */
int sohoa_words_copy(const struct sohoa_word *src, size_t n, struct sohoa_word **out,
                     struct sohoa_err *err);

#endif
