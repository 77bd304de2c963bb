/* date.c — calendar dates (date.h). */
#include "pipeline/base/date.h"

#include <string.h>
#include <time.h>

bool sohoa_ymd_valid(int year, int month, int day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return day <= mdays[month - 1] + (month == 2 && leap);
}

int sohoa_ymd_today(struct sohoa_ymd *out, struct sohoa_err *err)
{
    struct tm tm;
    time_t now = time(NULL);
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_ymd_today: NULL result");
    memset(out, 0, sizeof *out);
    if (now == (time_t)-1 || !localtime_r(&now, &tm))
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "cannot read the current date");
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
    return 0;
}

int sohoa_ymd_compare(const struct sohoa_ymd *a, const struct sohoa_ymd *b)
{
    int ka = a->year * 10000 + (a->month ? a->month : 1) * 100 + (a->day ? a->day : 1);
    int kb = b->year * 10000 + (b->month ? b->month : 1) * 100 + (b->day ? b->day : 1);
    return (ka > kb) - (ka < kb);
}

bool sohoa_iso_date_valid(const char *s)
{
    if (!s || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int v[3] = {0, 0, 0};
    static const int at[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < len[k]; i++) {
            char c = s[at[k] + i];
            if (c < '0' || c > '9')
                return false;
            v[k] = v[k] * 10 + (c - '0');
        }
    return sohoa_ymd_valid(v[0], v[1], v[2]);
}
