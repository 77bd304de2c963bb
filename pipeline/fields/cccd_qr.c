/* cccd_qr.c — parse the chip CCCD QR payload (see cccd_qr.h). The parts are split at '|', each
 * brought to canonical form, and the dates (ddmmyyyy, no separators) checked as real days.
 */
#include "pipeline/fields/cccd_qr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/extract_norm.h"
#include "pipeline/fields/validate.h"
#include "pipeline/base/vntext.h"

#define QR_PARTS 7

static bool all_digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* "05011969" → "1969-01-05"; false when it is no real day. */
static bool ddmmyyyy(const char *s, char *iso, size_t cap)
{
    if (!all_digits(s, 8))
        return false;
    int d = (s[0] - '0') * 10 + s[1] - '0', m = (s[2] - '0') * 10 + s[3] - '0';
    int y = atoi(s + 4);
    if (!sohoa_ymd_valid(y, m, d))
        return false;
    if (cap < 11)
        return false;
    memcpy(iso, s + 4, 4);
    iso[4] = '-';
    memcpy(iso + 5, s + 2, 2);
    iso[7] = '-';
    memcpy(iso + 8, s, 2);
    iso[10] = '\0';
    return true;
}

bool sohoa_cccd_qr_parse(const char *payload, struct sohoa_cccd_qr *out)
{
    char *canon = NULL, *part[QR_PARTS] = {0}, *up = NULL;
    bool ok = false;
    if (!out)
        return false;
    memset(out, 0, sizeof *out);
    if (!payload || vn_normalize(payload, strlen(payload), &canon, NULL))
        return false;
    size_t n = 0;
    for (char *p = canon, *bar; n < QR_PARTS; p = bar + 1) {
        part[n++] = p;
        if (!(bar = strchr(p, '|')))
            break;
        *bar = '\0';
    }
    if (n < QR_PARTS || !all_digits(part[0], 12) || !ddmmyyyy(part[3], out->dob, sizeof out->dob))
        goto out;
    (void)snprintf(out->id, sizeof out->id, "%s", part[0]);
    if (all_digits(part[1], 9) || all_digits(part[1], 12))
        (void)snprintf(out->old_id, sizeof out->old_id, "%s", part[1]);
    if (sohoa_text_upper(part[2], &up, NULL))
        goto out;
    (void)snprintf(out->name, sizeof out->name, "%s", up);
    enum sohoa_sex s = sohoa_sex_parse(part[4]);
    (void)snprintf(out->sex, sizeof out->sex, "%s",
                   s == SOHOA_SEX_MALE     ? "Nam"
                   : s == SOHOA_SEX_FEMALE ? "Nữ"
                                           : "");
    (void)snprintf(out->address, sizeof out->address, "%s", part[5]);
    if (!ddmmyyyy(part[6], out->issued, sizeof out->issued))
        out->issued[0] = '\0';
    ok = true;
out:
    if (!ok)
        memset(out, 0, sizeof *out);
    free(up);
    free(canon);
    return ok;
}

const char *sohoa_cccd_qr_part(const struct sohoa_cccd_qr *q, const char *part)
{
    const char *v = NULL;
    if (!q || !part)
        return NULL;
    if (!strcmp(part, "id"))
        v = q->id;
    else if (!strcmp(part, "old_id"))
        v = q->old_id;
    else if (!strcmp(part, "name"))
        v = q->name;
    else if (!strcmp(part, "dob"))
        v = q->dob;
    else if (!strcmp(part, "sex"))
        v = q->sex;
    else if (!strcmp(part, "address"))
        v = q->address;
    else if (!strcmp(part, "issued"))
        v = q->issued;
    return v && *v ? v : NULL;
}
