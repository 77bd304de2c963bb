/* mrz.c — ICAO 9303 TD1 machine-readable zone of the chip CCCD (see mrz.h). */
#include "bench/gen/mrz.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"

char mrz_check(const char *s, int n)
{
    static const int w[3] = {7, 3, 1};
    int sum = 0;
    for (int i = 0; i < n; i++) {
        int c = (unsigned char)s[i], v = 0;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'A' && c <= 'Z')
            v = c - 'A' + 10;
        sum += v * w[i % 3];
    }
    return (char)('0' + sum % 10);
}

static void fill(char *line, size_t from)
{
    for (size_t i = from; i < 30; i++)
        line[i] = '<';
    line[30] = '\0';
}

int mrz_td1(const char *id12, const char *name, bool female, const struct date *born,
            const struct date *expiry, char out[3][31], struct sohoa_err *err)
{
    if (strlen(id12) != 12)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "MRZ: the ID must have 12 digits");
    /* line 1 */
    (void)snprintf(out[0], 31, "IDVNM%s", id12 + 3);
    out[0][14] = mrz_check(out[0] + 5, 9);
    memcpy(out[0] + 15, id12, 12);
    fill(out[0], 27);
    /* line 2 */
    (void)snprintf(out[1], 31, "%02d%02d%02d", born->y % 100, born->m, born->d);
    out[1][6] = mrz_check(out[1], 6);
    out[1][7] = female ? 'F' : 'M';
    (void)snprintf(out[1] + 8, 23, "%02d%02d%02d", expiry->y % 100, expiry->m, expiry->d);
    out[1][14] = mrz_check(out[1] + 8, 6);
    memcpy(out[1] + 15, "VNM", 3);
    fill(out[1], 18);
    char comp[64];
    (void)snprintf(comp, sizeof comp, "%.25s%.7s%.7s%.11s", out[0] + 5, out[1], out[1] + 8,
                   out[1] + 18);
    out[1][29] = mrz_check(comp, (int)strlen(comp));
    /* line 3: SURNAME<<GIVEN<NAMES */
    char *folded = NULL;
    int rc = vn_fold(name, &folded, err);
    if (rc)
        return rc;
    size_t o = 0;
    bool first = true;
    for (const char *p = folded; *p && o < 30; p++) {
        if (*p == ' ') {
            out[2][o++] = '<';
            if (first && o < 30)
                out[2][o++] = '<';
            first = false;
            while (p[1] == ' ')
                p++;
        } else if (isalpha((unsigned char)*p)) {
            out[2][o++] = (char)toupper((unsigned char)*p);
        }
    }
    free(folded);
    fill(out[2], o);
    return 0;
}
