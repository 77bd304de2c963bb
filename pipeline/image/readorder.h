/* readorder.h — the reading-order passes over recognised words, independent of the OCR engine.
 *
 * Lines with a word marked `keep` are never dropped as noise.
 * Input: the words as the engine gave them (with its own block/paragraph/line numbers). Output: a
 * struct sohoa_ocr_page whose words are in reading order, renumbered, with the page text built
 * from them. Two passes, aimed at Vietnamese administrative pages (Decree 30/2020 layout):
 * lines whose mean confidence is below `min_line_conf` are dropped (seals, handwriting, stamps,
 * scanner borders), and side-by-side columns that the engine read across are re-emitted column
 * by column (issuer | national motto, number | place and date, recipients | signer).
 *
 * Ownership: sohoa_readorder consumes the raw page (its words' texts move into `out`, the rest is
 * freed) whatever it returns. Threads: reentrant.
 */
#ifndef SOHOA_READORDER_H
#define SOHOA_READORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"

/* A recognised word before the reading-order pass, with the engine's own block/para/line. */
struct sohoa_rawword {
    struct sohoa_word w; /* w.text owned; w.block/para/line filled by sohoa_readorder */
    int tblock, tpara, tline;
    int ncp;   /* code points in w.text */
    bool keep; /* never dropped as noise (a machine-readable zone, see pipeline/image/mrz.h) */
};

struct sohoa_rawpage {
    struct sohoa_rawword *v;
    size_t n, cap;
};

void sohoa_rawpage_release(struct sohoa_rawpage *rp);

/* Orders, filters and numbers the words of `rp` into `out` (overwritten) and builds out->text and
 * out->mean_conf. `min_line_conf` <= 0 keeps every line; `columns` false keeps the engine's order.
 */
int sohoa_readorder(struct sohoa_rawpage *rp, double min_line_conf, bool columns,
                    struct sohoa_ocr_page *out, struct sohoa_err *err);

#endif
