/* vntext.h — Vietnamese text normalisation and folding (utf8proc).
 *
 * Canonical form used everywhere in sohoa (index, records, scoring):
 *   - valid UTF-8 (invalid bytes become U+FFFD),
 *   - NFC,
 *   - one tone-mark placement: the "new style" (hoà, thuỷ, khoẻ — not hòa, thủy, khỏe), applied
 *     only to tokens that parse as Vietnamese syllables; anything else is left as it was.
 * Folded form (accent-insensitive search): canonical text lower-cased, every diacritic removed,
 * đ→d and Đ→d. Folding maps each code point of canonical text to exactly one code point, so
 * token i of the folded text is token i of the canonical text (used to mark search hits).
 *
 * Ownership: every char ** out-param receives a malloc'd NUL-terminated string the caller frees.
 * Threads: all functions are reentrant.
 */
#ifndef SOHOA_VNTEXT_H
#define SOHOA_VNTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/err.h"

/* Bytes → canonical form (see above). `len` bytes of `in`, which need not be NUL-terminated. */
int vn_normalize(const char *in, size_t len, char **out, struct sohoa_err *err);

/* Canonical (or any NFC) text → folded form. */
int vn_fold(const char *in, char **out, struct sohoa_err *err);

/* True when the NFC string holds any letter with a Vietnamese diacritic (including đ). */
bool vn_has_diacritics(const char *in);

/* Replace invalid UTF-8 with U+FFFD and control characters (except \n and \t) with '?'.
 * For file names and other untrusted labels shown to users. */
int vn_sanitize_label(const char *in, size_t len, char **out, struct sohoa_err *err);

#endif
