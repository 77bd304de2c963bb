/* people.h — invented Vietnamese people and numbers for the generator: names from family,
 * middle and given name lists, tax codes with a valid check digit, dates in the forms documents
 * print them.
 *
 * Ownership: plain values; outputs are caller buffers. Threads: reentrant (the caller's rng).
 */
#ifndef SOHOA_GEN_PEOPLE_H
#define SOHOA_GEN_PEOPLE_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/gen/util.h"

struct date {
    int y, m, d;
};

extern const char *const GEN_STREETS[]; /* street names */
extern const size_t GEN_N_STREETS;

/* "Nguyễn Văn An": family, middle and given name drawn from the lists for that sex. */
void person_name(struct rng *r, bool female, char *out, size_t n);

/* A 10-digit tax code (MST) starting with the two digits of `prefix`, with a valid check digit
 * (docs/DOMAIN.md: weights 31 29 23 19 17 13 7 5 3). */
void make_mst(struct rng *r, const char *prefix, char out[16]);

/* "05/03/2024". */
void fmt_dmy(const struct date *d, char *out, size_t n);

/* "ngày 05 tháng 02 năm 2026": days below 10 and months below 3 take a leading zero. */
void fmt_long(const struct date *d, char *out, size_t n);

#endif
