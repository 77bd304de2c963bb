/* score.h — OCR accuracy: character and word error rates against ground truth.
 *
 * Both texts are brought to one form first (vn_normalize: NFC and one tone placement; then every
 * run of white space becomes one space, and leading/trailing space goes). Then
 *   CER = Levenshtein distance over code points / code points of the reference,
 *   WER = Levenshtein distance over space-separated words / words of the reference.
 * A set of pages is pooled by summing distances and lengths (not by averaging rates).
 * Diacritic errors: substitutions of one character by another that differs only in its
 * diacritics (ế for é, d for đ; vn_strip_cp equal, case equal), counted in an optimal alignment
 * that has as many of them as any optimal alignment can have. Their share among all character
 * edits tells how much of the error is wrong or missing marks.
 *
 * Cost: O(n·m) time and O(min(n, m)) memory per page; pages whose n·m passes
 * SOHOA_SCORE_MAX_CELLS are refused with SOHOA_ELIMIT.
 *
 * Ownership: struct sohoa_score is a plain value, no heap memory inside.
 * Threads: reentrant; a struct used as a pool must not be shared between threads without a lock.
 */
#ifndef SOHOA_SCORE_H
#define SOHOA_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

/* Two texts of ~45 000 code points each: about 2 s on one core (~1 ns a cell). */
#define SOHOA_SCORE_MAX_CELLS ((uint64_t)2000000000)

/* Totals for one page or, summed, for a set of pages. */
struct sohoa_score {
    uint64_t pages;
    uint64_t ref_chars;      /* code points of the normalised reference */
    uint64_t hyp_chars;      /* code points of the normalised hypothesis */
    uint64_t char_edits;     /* Levenshtein distance over code points */
    uint64_t diacritic_subs; /* of those edits, substitutions that differ only in diacritics */
    uint64_t ref_words;
    uint64_t hyp_words;
    uint64_t word_edits; /* Levenshtein distance over words */
};

/* Zero a struct before pooling into it. */
void sohoa_score_init(struct sohoa_score *s);

/* Score one page: `ref` (ground truth, `ref_len` bytes) against `hyp` (OCR output, `hyp_len`
 * bytes); neither need be NUL-terminated nor valid UTF-8. `page` is zeroed on entry and filled
 * with pages = 1 on success. */
int sohoa_score_page(const char *ref, size_t ref_len, const char *hyp, size_t hyp_len,
                     struct sohoa_score *page, struct sohoa_err *err);

/* Add the totals of `page` (one page or a pool) into `pool`. */
void sohoa_score_add(struct sohoa_score *pool, const struct sohoa_score *page);

/* Error rates of a page or pool. With an empty reference: 0 when there are no edits, else 1. */
double sohoa_score_cer(const struct sohoa_score *s);
double sohoa_score_wer(const struct sohoa_score *s);

/* diacritic_subs / char_edits; 0 when there are no edits. */
double sohoa_score_diacritic_share(const struct sohoa_score *s);

/* The form texts are compared in: vn_normalize, white space collapsed and trimmed. `*out` is a
 * malloc'd NUL-terminated string the caller frees. */
int sohoa_score_text_form(const char *in, size_t len, char **out, struct sohoa_err *err);

#endif
