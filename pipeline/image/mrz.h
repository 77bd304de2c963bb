/* mrz.h — machine-readable zones (ICAO 9303: TD1 3×30, TD2 2×36, TD3 2×44): finding them among
 * recognised words, check digits, and repair of OCR confusions that the check digits confirm.
 *
 * Engine-independent: the OCR stage (pipeline/image/ocr.c) finds the band with sohoa_mrz_find_band,
 * re-reads it with its own engine, and hands the lines back to sohoa_mrz_splice, which repairs
 * them and puts them in the page in place of the first reading. Extraction may use
 * sohoa_mrz_parse / sohoa_mrz_repair on text.
 *
 * Ownership: plain values owned by the caller; sohoa_mrz_splice edits the raw page in place (its
 * words and texts stay the page's). Threads: reentrant.
 */
#ifndef SOHOA_MRZ_H
#define SOHOA_MRZ_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"
#include "pipeline/image/readorder.h"

enum sohoa_mrz_format {
    SOHOA_MRZ_NONE = 0,
    SOHOA_MRZ_TD1, /* ID cards: 3 lines of 30 */
    SOHOA_MRZ_TD2, /* 2 lines of 36 */
    SOHOA_MRZ_TD3, /* passports: 2 lines of 44 */
};

#define SOHOA_MRZ_MAX_LINES 3
#define SOHOA_MRZ_MAX_LEN   44

/* A zone of known format: every line exactly the format's length, of 0-9 A-Z '<'. */
struct sohoa_mrz {
    enum sohoa_mrz_format format;
    int n_lines;
    char line[SOHOA_MRZ_MAX_LINES][SOHOA_MRZ_MAX_LEN + 1];
};

/* ICAO 9303 check digit over s[0..n) (weights 7 3 1; 0-9, A-Z = 10-35, '<' = 0) as '0'..'9';
 * 0 when a character is outside that alphabet. */
char sohoa_mrz_check_digit(const char *s, size_t n);

/* Reads '\n'-separated lines (ASCII; spaces ignored, lower case raised, '«' read as "<<") into a
 * zone whose format is told by the line count and lengths. A filler run that the OCR made one or
 * two characters too long or short is brought back to the line length. SOHOA_EFORMAT when no
 * format fits; `out` is zeroed on entry. */
int sohoa_mrz_parse(const char *text, struct sohoa_mrz *out, struct sohoa_err *err);

/* Repairs a parsed zone in place: letters in positions that hold digits become the digit they
 * look like (O→0, I→1, B→8, S→5, Z→2...) and digits in letter positions the letter; then every
 * failing check digit (fields, then the composite over what no field check covers) is given the
 * one single-character confusion (O/0, I/1, B/8, S/5, Z/2 in letter-or-digit fields, look-alike
 * digits in digit fields, or the check digit itself) that makes it validate — only when exactly
 * one does (else the one letter-to-digit change that does). *fixes (optional) gets the characters
 * changed. Returns the number of check digits still failing (0: the zone validates). */
int sohoa_mrz_repair(struct sohoa_mrz *m, int *fixes);

/* The zone as text: its lines '\n'-joined, into buf (room for 3 × 45 bytes is always enough). */
void sohoa_mrz_format_text(const struct sohoa_mrz *m, char *buf, size_t size);

/* Does one recognised line (UTF-8, spaces allowed) look like an MRZ line: 20+ characters of which
 * two or more are fillers ('<', '«'), and nearly all 0-9 A-Z? */
bool sohoa_mrz_line_like(const char *text);

/* The band of a page that holds an MRZ: the engine's lines that look like one (see
 * sohoa_mrz_line_like) and the box around them, padded by half a line height. */
#define SOHOA_MRZ_BAND_LINES 8
struct sohoa_mrz_band {
    int x0, y0, x1, y1;              /* padded box, clipped to 0..width/height */
    int line_h;                      /* mean height of its lines */
    size_t n_lines;                  /* engine lines found (0: no band) */
    int tline[SOHOA_MRZ_BAND_LINES]; /* their engine line numbers */
};

/* Finds the band in `rp` (engine lines as gathered, before reading order) on a page of
 * width × height. Returns true when there is one. */
bool sohoa_mrz_find_band(const struct sohoa_rawpage *rp, int width, int height,
                         struct sohoa_mrz_band *band);

/* One line of the second reading of the band. */
struct sohoa_mrz_line {
    int x0, y0, x1, y1;
    float conf;                       /* 0..100 */
    char text[2 * SOHOA_MRZ_MAX_LEN]; /* ASCII as read */
};

/* Puts the MRZ back into `rp`: the second reading (`lines`, n may be 0) when it parses as a zone,
 * else the engine's own lines of the band; repaired (sohoa_mrz_repair). The band's engine words
 * are replaced by one word per zone line, in a block and paragraph of their own, marked `keep` so
 * that the noise-line pass leaves them. When neither reading parses, the band's words stay as
 * they are, marked keep. *repaired (optional) gets 1 when a zone was put in. */
int sohoa_mrz_splice(struct sohoa_rawpage *rp, const struct sohoa_mrz_band *band,
                     const struct sohoa_mrz_line *lines, size_t n, bool *repaired,
                     struct sohoa_err *err);

#endif
