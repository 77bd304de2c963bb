/* extract_norm.h — a field's raw text → its normalised value (models/doctypes/README.md).
 *
 * One function per normaliser named in the models (enum sohoa_norm), plus the Vietnamese upper
 * case they share with the CCCD QR reader. Pure text work, no models, no I/O.
 *
 * Ownership: char ** out-params receive malloc'd strings the caller frees.
 * Threads: reentrant.
 */
#ifndef SOHOA_EXTRACT_NORM_H
#define SOHOA_EXTRACT_NORM_H

#include "pipeline/fields/doctype.h"
#include "pipeline/base/err.h"

/* Canonical text in upper case (Vietnamese letters included: "đức" → "ĐỨC"). */
int sohoa_text_upper(const char *in, char **out, struct sohoa_err *err);

/* Canonical text, runs of white space as one space, trimmed, with label punctuation around it
 * dropped (a leading ':' or '-', a trailing ',' ';' or ':'). */
int sohoa_text_tidy(const char *in, char **out, struct sohoa_err *err);

/* `raw` (canonical text) normalised by `norm`. `*out` is NULL when the text has no value of that
 * kind (no date in it, no digits...). `*repairs` (may be NULL) counts O→0 / l,I→1 repairs. */
int sohoa_norm_apply(enum sohoa_norm norm, const char *raw, char **out, int *repairs,
                     struct sohoa_err *err);

#endif
