/* extract_norm.c — the normalisers named in the document-type models (see extract_norm.h).
 *
 * Dates, document numbers and receipt numbers are normalised by their validate.h parsers (the
 * value is set whenever the text has the shape, whatever the checks found); the others are
 * small text transforms here. Upper case is done on code points with the few ranges that hold
 * Vietnamese letters, so no locale is involved.
 */
#include "pipeline/fields/extract_norm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate.h"
#include "pipeline/base/vntext.h"

/* A date after which nothing is "in the future": normalising never rejects a date (an expiry
 * date lies ahead); the validator decides with the real today. */
static const struct sohoa_ymd FAR_FUTURE = {9999, 12, 31};

static uint32_t cp_upper(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 0x20;
    if (c == 0x103 || c == 0x111 || c == 0x129 || c == 0x169) /* ă đ ĩ ũ */
        return c - 1;
    if (c == 0x1A1 || c == 0x1B0) /* ơ ư */
        return c == 0x1A1 ? 0x1A0 : 0x1AF;
    if (c >= 0x1EA0 && c <= 0x1EF9 && (c & 1))
        return c - 1;
    return c;
}

int sohoa_text_upper(const char *in, char **out, struct sohoa_err *err)
{
    uint32_t *cps = NULL;
    size_t n = 0;
    *out = NULL;
    int rc = vn_codepoints(in, strlen(in), &cps, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        cps[i] = cp_upper(cps[i]);
    rc = n ? vn_from_codepoints(cps, n, out, err) : 0;
    if (rc == 0 && !*out && !(*out = strdup("")))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    free(cps);
    return rc;
}

int sohoa_text_tidy(const char *in, char **out, struct sohoa_err *err)
{
    size_t len = strlen(in), o = 0;
    char *s = malloc(len + 1);
    *out = NULL;
    if (!s)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; i < len; i++) {
        bool sp = in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n';
        if (sp && (o == 0 || s[o - 1] == ' '))
            continue;
        s[o++] = (char)(sp ? ' ' : in[i]);
    }
    while (o > 0 && (s[o - 1] == ' ' || s[o - 1] == ',' || s[o - 1] == ';' || s[o - 1] == ':'))
        o--;
    s[o] = '\0';
    size_t start = 0;
    while (s[start] == ':' || s[start] == '-' || s[start] == ' ')
        start++;
    memmove(s, s + start, o - start + 1);
    *out = s;
    return 0;
}

static int dup_or_null(const char *v, char **out, struct sohoa_err *err)
{
    *out = NULL;
    if (!v || !*v)
        return 0;
    return (*out = strdup(v)) ? 0 : sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
}

static int norm_digits(const char *t, char **out, int *repairs, struct sohoa_err *err)
{
    size_t len = strlen(t), o = 0;
    char *fixed = malloc(len + 1);
    int rc = 0;
    if (!fixed)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    if ((rc = sohoa_digits_repair(t, fixed, len + 1, repairs, err)))
        goto out;
    for (size_t i = 0; i < len; i++)
        if (fixed[i] >= '0' && fixed[i] <= '9')
            fixed[o++] = fixed[i];
    fixed[o] = '\0';
    rc = dup_or_null(fixed, out, err);
out:
    free(fixed);
    return rc;
}

/* "120,5 m²" → "120.5"; "1.250,75" → "1250.75"; "120.50" → "120.5". A lone '.' is a decimal
 * point (the generator and most forms print areas so); with both, '.' groups thousands. */
static int norm_area(const char *t, char **out, struct sohoa_err *err)
{
    char num[64];
    size_t o = 0;
    const char *p = t;
    while (*p && !(*p >= '0' && *p <= '9'))
        p++;
    bool comma = false;
    for (const char *q = p; *q && ((*q >= '0' && *q <= '9') || *q == '.' || *q == ','); q++)
        comma |= *q == ',';
    for (; *p && o + 1 < sizeof num && ((*p >= '0' && *p <= '9') || *p == '.' || *p == ','); p++) {
        if (comma && *p == '.')
            continue;
        num[o++] = (char)(*p == ',' ? '.' : *p);
    }
    while (o > 0 && num[o - 1] == '.')
        o--;
    num[o] = '\0';
    if (strchr(num, '.')) {
        while (o > 0 && num[o - 1] == '0')
            num[--o] = '\0';
        if (o > 0 && num[o - 1] == '.')
            num[--o] = '\0';
    }
    return dup_or_null(num, out, err);
}

/* Two letters, optional space, 6 to 8 digits ("CS 123456", "AA123456") → "CS 123456". */
static int norm_serial(const char *t, char **out, int *repairs, struct sohoa_err *err)
{
    char *up = NULL, val[32];
    int rc = sohoa_text_upper(t, &up, err);
    *out = NULL;
    if (rc)
        return rc;
    for (const char *p = up; *p; p++) {
        if (!(p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z') ||
            (p > up && p[-1] >= 'A' && p[-1] <= 'Z'))
            continue;
        const char *q = p + 2;
        while (*q == ' ')
            q++;
        size_t nd = 0;
        int fixes = 0;
        char d[16];
        for (; *q && nd < 9; q++) {
            char c = (char)(*q == 'O' ? '0' : (*q == 'I' || *q == 'L' || *q == '|') ? '1' : *q);
            if (c < '0' || c > '9')
                break;
            fixes += c != *q;
            d[nd++] = c;
        }
        if (nd < 6 || nd > 8)
            continue;
        d[nd] = '\0';
        (void)snprintf(val, sizeof val, "%c%c %s", p[0], p[1], d);
        if (repairs)
            *repairs = fixes;
        rc = dup_or_null(val, out, err);
        break;
    }
    free(up);
    return rc;
}

/* A digit read as a look-alike letter in an MRZ position that holds digits; 0 when none. */
static char mrz_digit(uint32_t c)
{
    if (c >= '0' && c <= '9')
        return (char)c;
    switch (c) {
    case 'O':
    case 'D':
    case 'Q':
    case 0xD6:
    case 0xD2:
    case 0xD3: /* Ö Ò Ó */
        return '0';
    case 'I':
    case 'L':
    case 'T':
    case '|':
        return '1';
    case 'Z':
        return '2';
    case 'S':
        return '5';
    case 'G':
        return '6';
    case 'B':
        return '8';
    default:
        return 0;
    }
}

/* The MRZ lines, spaces dropped, upper case, '\n'-joined. An ICAO TD1 ID-card MRZ (first line
 * "I?VNM...") gets its fixed shape back: document code I, and look-alike letters in the
 * positions that hold digits (line 1: document number, its check digit and the 12-digit ID of
 * the optional data; line 2: dates and their check digits) read as digits. */
static int norm_mrz(const char *t, char **out, struct sohoa_err *err)
{
    uint32_t *cps = NULL;
    size_t n = 0, o = 0;
    *out = NULL;
    int rc = vn_codepoints(t, strlen(t), &cps, &n, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (cps[i] != ' ' && cps[i] != '\t' && cps[i] != '\r')
            cps[o++] = cp_upper(cps[i]);
    while (o > 0 && cps[o - 1] == '\n')
        o--;
    bool td1 =
        o >= 5 &&
        (cps[0] == 'I' || cps[0] == 'T' || cps[0] == '1' || cps[0] == 'L' || cps[0] == '|') &&
        cps[2] == 'V' && cps[3] == 'N' && cps[4] == 'M';
    size_t l2 = 0; /* line 2 is only taken for one when it holds the nationality at 16-18 */
    while (l2 < o && cps[l2] != '\n')
        l2++;
    bool line2 = l2 + 18 < o && cps[l2 + 16] == 'V' && cps[l2 + 17] == 'N' && cps[l2 + 18] == 'M';
    for (size_t i = 0, line = 0, col = 0; td1 && i < o; i++, col++) {
        if (cps[i] == '\n') {
            line++;
            col = (size_t)-1;
            continue;
        }
        bool digit = (line == 0 && col >= 5 && col <= 26) ||
                     (line == 1 && line2 && (col <= 6 || (col >= 8 && col <= 14) || col == 29));
        char dg = (char)(digit ? mrz_digit(cps[i]) : 0);
        if (dg)
            cps[i] = (uint32_t)dg;
    }
    if (td1)
        cps[0] = 'I';
    rc = o ? vn_from_codepoints(cps, o, out, err) : 0;
    free(cps);
    return rc;
}

/* Through a validate.h parser: its value when the text has the shape. */
static int norm_validated(enum sohoa_norm norm, const char *t, char **out, int *repairs,
                          struct sohoa_err *err)
{
    struct sohoa_validation v;
    int rc = norm == SOHOA_NORM_DATE     ? sohoa_date_parse(t, &FAR_FUTURE, NULL, &v, err)
             : norm == SOHOA_NORM_DOCNUM ? sohoa_docnum_parse(t, NULL, &v, err)
                                         : sohoa_receipt_validate(t, &FAR_FUTURE, &v, err);
    if (rc)
        return rc;
    if (repairs)
        *repairs = v.repairs;
    return dup_or_null(v.value, out, err);
}

int sohoa_norm_apply(enum sohoa_norm norm, const char *raw, char **out, int *repairs,
                     struct sohoa_err *err)
{
    char *t = NULL, *u = NULL;
    int rc = 0;
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_norm_apply: NULL result");
    *out = NULL;
    if (repairs)
        *repairs = 0;
    if (!raw)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_norm_apply: NULL text");
    if (norm == SOHOA_NORM_MRZ)
        return norm_mrz(raw, out, err);
    if ((rc = sohoa_text_tidy(raw, &t, err)))
        return rc;
    switch (norm) {
    case SOHOA_NORM_TEXT:
        rc = dup_or_null(t, out, err);
        break;
    case SOHOA_NORM_NAME_UPPER:
    case SOHOA_NORM_UPPER: {
        size_t n = strlen(t);
        while (norm == SOHOA_NORM_NAME_UPPER && n > 0 && t[n - 1] == '.')
            t[--n] = '\0';
        if ((rc = sohoa_text_upper(t, &u, err)) == 0)
            rc = dup_or_null(u, out, err);
        break;
    }
    case SOHOA_NORM_DIGITS:
        rc = norm_digits(t, out, repairs, err);
        break;
    case SOHOA_NORM_SEX: {
        enum sohoa_sex s = sohoa_sex_parse(t);
        rc = dup_or_null(s == SOHOA_SEX_MALE     ? "Nam"
                         : s == SOHOA_SEX_FEMALE ? "Nữ"
                                                 : NULL,
                         out, err);
        break;
    }
    case SOHOA_NORM_AREA:
        rc = norm_area(t, out, err);
        break;
    case SOHOA_NORM_SERIAL:
        rc = norm_serial(t, out, repairs, err);
        break;
    case SOHOA_NORM_DATE:
    case SOHOA_NORM_DOCNUM:
    case SOHOA_NORM_RECEIPT:
        rc = norm_validated(norm, t, out, repairs, err);
        break;
    case SOHOA_NORM_MRZ:
        break;
    }
    free(t);
    free(u);
    return rc;
}
