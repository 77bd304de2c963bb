/* vntext.h — Vietnamese text normalisation and folding (utf8proc).
 *
 * The one place that knows Unicode: every other file handles text through these functions.
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
 * Ownership: every char ** out-param receives a malloc'd NUL-terminated string, and the uint32_t **
 * one of vn_codepoints a malloc'd array; the caller frees them.
 * Threads: all functions are reentrant.
 */
#ifndef SOHOA_VNTEXT_H
#define SOHOA_VNTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

/* Bytes → canonical form (see above). `len` bytes of `in`, which need not be NUL-terminated.
 * Also: each byte that starts no valid UTF-8 sequence, and each NUL, becomes one U+FFFD;
 * zero-width characters (U+200B..U+200D, U+FEFF) are dropped; NBSP and narrow NBSP (U+00A0,
 * U+202F) become a plain space. A token (run of letters and marks) is re-toned only when it parses
 * as one syllable (initial + vowel nucleus + final c ch m n ng nh p t) with exactly one tone mark,
 * so loan words and foreign names ("café", "Pokémon", "où") pass through as NFC. Misplaced tones
 * are moved too ("muà" → "mùa", "qúa" → "quá"). Ð (U+00D0, eth), drawn exactly like Đ and
 * emitted for it by Tesseract's vie model and legacy-encoding converters, becomes Đ everywhere
 * ("QÐ-TTg" → "QĐ-TTg"); ð becomes đ where it begins a syllable ("ðồng" → "đồng").
 * Idempotent. */
int vn_normalize(const char *in, size_t len, char **out, struct sohoa_err *err);

/* Canonical (or any NFC) text → folded form: lower case, every diacritic removed (any letter whose
 * canonical decomposition is a letter plus combining marks becomes that letter), đ → d. Exactly one
 * code point out per code point in; a code point that does not decompose so (a stray combining
 * mark, Hangul, punctuation) is only lower-cased. Invalid UTF-8 fails with SOHOA_EINVAL. */
int vn_fold(const char *in, char **out, struct sohoa_err *err);

/* True when the NFC string holds any letter with a Vietnamese diacritic (including đ). */
bool vn_has_diacritics(const char *in);

/* Replace invalid UTF-8 with U+FFFD and control characters (except \n and \t) with '?'.
 * For file names and other untrusted labels shown to users. Control characters are C0, DEL, C1
 * and the bidirectional embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069),
 * which can make a label display as something it is not. */
int vn_sanitize_label(const char *in, size_t len, char **out, struct sohoa_err *err);

/* Strict UTF-8 → code points: *out receives a malloc'd array of *n code points (NULL and 0 for an
 * empty input). Invalid UTF-8 fails with SOHOA_EINVAL naming the byte offset. */
int vn_codepoints(const char *in, size_t len, uint32_t **out, size_t *n, struct sohoa_err *err);

/* Code points → UTF-8: *out receives a malloc'd NUL-terminated string; a value that is no
 * Unicode scalar value (a surrogate, past U+10FFFF) and U+0000 are written as U+FFFD. */
int vn_from_codepoints(const uint32_t *cps, size_t n, char **out, struct sohoa_err *err);

/* One code point with its diacritics removed, case kept: ế → e, Ư → U, Đ → D, đ → d; anything
 * that vn_fold would not strip is returned as it is. vn_fold = this after lower-casing. */
uint32_t vn_strip_cp(uint32_t cp);

#endif
