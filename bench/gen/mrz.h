/* mrz.h — the machine-readable zone of the chip CCCD's back (ICAO 9303 TD1: 3 lines of 30
 * characters) with its check digits, for the generator (bench/gen).
 *
 * Ownership: plain buffers owned by the caller. Threads: reentrant.
 */
#ifndef SOHOA_GEN_MRZ_H
#define SOHOA_GEN_MRZ_H

#include "bench/gen/people.h"
#include "pipeline/base/err.h"

/* ICAO 9303 check digit of `s` (weights 7 3 1; 0–9, A–Z = 10–35, '<' = 0), as a character. */
char mrz_check(const char *s, int n);

/* The three lines for a 12-digit ID, name (any case, with diacritics), sex, date of birth and
 * expiry: line 1 "IDVNM" + the ID's last 9 digits + check + the full ID as optional data;
 * line 2 birth date, check, M/F, expiry, check, "VNM", filler, composite check; line 3
 * SURNAME<<GIVEN<NAMES without diacritics (Đ → D). Each out[i] holds 31 bytes. */
int mrz_td1(const char *id12, const char *name, bool female, const struct date *born,
            const struct date *expiry, char out[3][31], struct sohoa_err *err);

#endif
