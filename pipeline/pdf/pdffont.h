/* pdffont.h — the font program behind sohoa's invisible text layer, built in code.
 *
 * A TrueType font with one empty glyph of fixed advance (every character maps to it; the text is
 * never drawn, only searched and selected), and a small raw-deflate writer for the font's
 * CIDToGIDMap (65 536 repeats of one glyph id). No third-party code; output is reproducible.
 * Threads: reentrant; no state.
 */
#ifndef SOHOA_PDFFONT_H
#define SOHOA_PDFFONT_H

#include <stddef.h>
#include <stdint.h>

#define FONT_NAME    "SohoaGlyphLess"
#define FONT_UPM     1000 /* TrueType units per em */
#define FONT_ADVANCE 500  /* advance of every glyph, units per em */
#define FONT_ASCENT  800
#define FONT_DESCENT (-200)
#define NOTDEF_X0    50 /* .notdef is a box over the whole em height, x from 50 to 450 */
#define NOTDEF_X1    450
#define FONT_DATE    3786912000u /* 2024-01-01, seconds since 1904: fixed, output is reproducible */

#define SOHOA_PDFFONT_MAX 1024 /* bytes: the font is about 750 */

/* Writes the TrueType program into out[SOHOA_PDFFONT_MAX]; returns its length. */
size_t sohoa_pdffont_build(uint8_t *out);

/* zlib stream of `total` bytes made of `pat` (1..4 bytes) repeated, in one fixed-Huffman block.
 * Returns the length written into out[cap], or 0 if it does not fit. */
size_t sohoa_flate_repeat(const uint8_t *pat, int plen, size_t total, uint8_t *out, size_t cap);

#endif
