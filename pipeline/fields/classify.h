/* classify.h — which document type a page or a document is, from its folded text and layout.
 *
 * Every model's cues are scored: each phrase found in the folded text (at word boundaries, once)
 * adds its weight, each layout hint that holds (a QR code, a CCCD QR payload, a 1-D barcode) adds
 * its own; negative weights speak against the type. score = clamp(sum / saturation, 0, 1). The
 * best type wins when its score reaches the model's threshold, else the answer is "unknown"
 * (score: the best type's). Ties go to the model loaded first (file name order).
 *
 * Ownership: plain values. Threads: reentrant; the models are only read.
 */
#ifndef SOHOA_CLASSIFY_H
#define SOHOA_CLASSIFY_H

#include <stdbool.h>

#include "pipeline/fields/doctype.h"
#include "pipeline/base/err.h"

#define SOHOA_TYPE_UNKNOWN "unknown"

struct sohoa_layout_hints {
    bool qr;      /* a QR code was read */
    bool cccd_qr; /* ... holding a CCCD payload */
    bool barcode; /* a 1-D barcode was read */
};

struct sohoa_class {
    char type[SOHOA_DOCTYPE_ID_MAX]; /* a model id or SOHOA_TYPE_UNKNOWN */
    double score;                    /* 0..1 */
};

/* Classify folded text (vn_fold; several lines joined by '\n' are fine). `hints` may be NULL.
 * `scores` (may be NULL) receives the score of every type, m->n_types entries in model order. */
int sohoa_classify(const struct sohoa_models *m, const char *folded,
                   const struct sohoa_layout_hints *hints, struct sohoa_class *out, double *scores,
                   struct sohoa_err *err);

/* True when `phrase` occurs in `text` with no letter or digit right before or after it. */
bool sohoa_phrase_find(const char *text, const char *phrase, const char **at);

#endif
