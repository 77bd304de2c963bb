/* render.h — a page's recognised words as hOCR, plain text, and the compact "words TSV".
 *
 * The words TSV carries a page's words from the page job to the document job (which builds the
 * searchable PDF): one header line "sohoa-words<TAB>1<TAB><count>", then one line per word:
 *     x0 y0 x1 y1 conf block para line baseline text        (TAB-separated, LF-terminated)
 * Integers in decimal; conf with up to two decimals ("93.57"); text UTF-8 with backslash escapes
 * for
 * '\\', TAB (\t), LF (\n), CR (\r) and other control bytes (\xHH). The count in the header and the
 * final LF make truncation detectable. Numbers are written and read without the C locale's help,
 * so a process running under vi_VN (decimal comma) reads and writes the same bytes.
 *
 * Also here, shared with the PDF writer: a strict UTF-8 decoder and a locale-free real-number
 * formatter.
 *
 * Ownership: every char ** out-param receives a malloc'd NUL-terminated buffer the caller frees;
 * sohoa_words_tsv_parse's array is released with sohoa_words_free. Inputs are only read.
 * Threads: all functions are reentrant.
 */
#ifndef SOHOA_RENDER_H
#define SOHOA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"

/* Most words a TSV may hold (a 600 dpi A3 newspaper page has ~10 000). */
#define SOHOA_WORDS_TSV_MAX 200000

/* hOCR 1.2 (XHTML, UTF-8) of one page of `width` x `height` pixels scanned at `dpi` (0 =
 * unknown, scan_res left out): ocr_page > ocr_carea > ocr_par > ocr_line > ocrx_word, with bbox,
 * x_wconf, baseline and x_size. Groups follow the words' block/para/line indexes (a change of
 * index starts a new group). Text is XML-escaped; invalid UTF-8 and characters XML forbids
 * become U+FFFD. Only page->words and page->n_words are read. */
int sohoa_render_hocr(const struct sohoa_ocr_page *page, int width, int height, double dpi,
                      char **out, struct sohoa_err *err);

/* Plain text of words, as in struct sohoa_ocr_page.text: words of a line joined by a space, lines
 * by "\n", paragraphs (and blocks) by a blank line; no trailing newline. Empty words are skipped.
 */
int sohoa_render_text(const struct sohoa_word *words, size_t n_words, char **out,
                      struct sohoa_err *err);

/* Words → words TSV (see above), NUL-terminated (its length is strlen). conf is rounded to
 * 0.01. */
int sohoa_words_tsv_write(const struct sohoa_word *words, size_t n_words, char **out,
                          struct sohoa_err *err);

/* Words TSV → words. Strict: a bad header, field, escape, count or a missing final LF is
 * SOHOA_EFORMAT naming the line; more than SOHOA_WORDS_TSV_MAX words is SOHOA_ELIMIT.
 * `len` bytes of `data` (need not be NUL-terminated). A count of 0 gives *words = NULL. */
int sohoa_words_tsv_parse(const char *data, size_t len, struct sohoa_word **words, size_t *n_words,
                          struct sohoa_err *err);

/* Free an array of words and their texts; NULLs the pointer. */
void sohoa_words_free(struct sohoa_word **words, size_t n_words);

/* ---- helpers shared with the PDF writer ---- */

/* Decode one UTF-8 sequence from s[0..len) (len >= 1). Invalid or truncated input (overlongs,
 * surrogates, > U+10FFFF) gives U+FFFD and consumes one byte. *used receives the bytes consumed. */
uint32_t sohoa_utf8_next(const unsigned char *s, size_t len, size_t *used);

#define SOHOA_REAL_BUF 48

/* `v` with at most `decimals` (0..6) decimals, trailing zeros dropped, always '.' as the decimal
 * point; clamped to ±1e9, NaN as 0. Returns buf. */
const char *sohoa_fmt_real(char buf[SOHOA_REAL_BUF], double v, int decimals);

#endif
