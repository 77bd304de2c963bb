/* date.h — calendar dates: the check every layer shares (records, the catalog, validation) and
 * today's date. Pure logic but for sohoa_ymd_today (the clock).
 *
 * Ownership: plain values. Threads: reentrant.
 */
#ifndef SOHOA_DATE_H
#define SOHOA_DATE_H

#include <stdbool.h>

#include "pipeline/base/err.h"

/* A calendar date; month and day are 0 in a year-only date ("Sinh năm 1969"). */
struct sohoa_ymd {
    int year, month, day;
};

/* True for a day of the proleptic Gregorian calendar, years 1..9999. */
bool sohoa_ymd_valid(int year, int month, int day);

/* True when `s` is exactly "YYYY-MM-DD" and a real calendar date (the form stored in records and
 * the catalog). NULL is false. */
bool sohoa_iso_date_valid(const char *s);

/* Today's local date. */
int sohoa_ymd_today(struct sohoa_ymd *out, struct sohoa_err *err);

/* <0, 0, >0 as a is before, equal to, after b (year-only dates compare as their first day). */
int sohoa_ymd_compare(const struct sohoa_ymd *a, const struct sohoa_ymd *b);

#endif
