/* mrz.c — machine-readable zones (see mrz.h). Plain C, no library.
 *
 * Holds: the ICAO 9303 check digit; the layouts of TD1/TD2/TD3 as tables (which positions hold
 * digits, letters or either; which ranges each check digit covers); parsing of OCR lines into a
 * zone; repair of confusions under the check digits; and the band finder and splice that the OCR
 * stage uses to put a second reading of the zone into a page.
 */
#include "pipeline/image/mrz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- layouts ------------------------------------------------------------------------------- */

enum kind { K_ANY = 0, K_DIGIT, K_ALPHA };

struct span {
    int line, start, len;
};

struct field {
    int line, start, len;
    enum kind kind;
};

#define MAX_FIELDS 12
#define MAX_CHECKS 4
#define MAX_SPANS  4

/* A check digit at (line, pos) over spans; composite = checked last, over what the others do
 * not cover. */
struct check {
    int line, pos;
    int n_spans;
    struct span spans[MAX_SPANS];
    bool composite;
    bool date; /* over a YYMMDD date: a repair must give a real month and day */
};

struct layout {
    enum sohoa_mrz_format format;
    int n_lines, len;
    int n_fields;
    struct field fields[MAX_FIELDS];
    int n_checks;
    struct check checks[MAX_CHECKS];
};

/* TD2 and TD3 share their second line up to the optional data (ICAO 9303 parts 5 and 4): document
 * number and its check, nationality, birth date and its check, sex, expiry date and its check. */
/* clang-format off */
#define TD23_LINE2_FIELDS \
    {1, 0, 9, K_ANY}, {1, 9, 1, K_DIGIT}, {1, 10, 3, K_ALPHA}, {1, 13, 7, K_DIGIT}, \
    {1, 20, 1, K_ALPHA}, {1, 21, 7, K_DIGIT}
#define TD23_LINE2_CHECKS \
    {1, 9, 1, {{1, 0, 9}}, false, false}, {1, 19, 1, {{1, 13, 6}}, false, true}, \
    {1, 27, 1, {{1, 21, 6}}, false, true}
/* clang-format on */

static const struct layout LAYOUTS[] = {
    {SOHOA_MRZ_TD1,
     3,
     30,
     11,
     {{0, 0, 5, K_ALPHA},
      {0, 5, 9, K_ANY},
      {0, 14, 1, K_DIGIT},
      {0, 15, 15, K_ANY},
      {1, 0, 7, K_DIGIT},
      {1, 7, 1, K_ALPHA},
      {1, 8, 7, K_DIGIT},
      {1, 15, 3, K_ALPHA},
      {1, 18, 11, K_ANY},
      {1, 29, 1, K_DIGIT},
      {2, 0, 30, K_ALPHA}},
     4,
     {{0, 14, 1, {{0, 5, 9}}, false, false},
      {1, 6, 1, {{1, 0, 6}}, false, true},
      {1, 14, 1, {{1, 8, 6}}, false, true},
      {1, 29, 4, {{0, 5, 25}, {1, 0, 7}, {1, 8, 7}, {1, 18, 11}}, true, false}}},
    {SOHOA_MRZ_TD2,
     2,
     36,
     9,
     {{0, 0, 36, K_ALPHA}, TD23_LINE2_FIELDS, {1, 28, 7, K_ANY}, {1, 35, 1, K_DIGIT}},
     4,
     {TD23_LINE2_CHECKS, {1, 35, 3, {{1, 0, 10}, {1, 13, 7}, {1, 21, 14}}, true, false}}},
    {SOHOA_MRZ_TD3,
     2,
     44,
     9,
     {{0, 0, 44, K_ALPHA}, TD23_LINE2_FIELDS, {1, 28, 14, K_ANY}, {1, 42, 2, K_DIGIT}},
     4,
     {TD23_LINE2_CHECKS, {1, 43, 3, {{1, 0, 10}, {1, 13, 7}, {1, 21, 22}}, true, false}}},
};

/* --- check digits ---------------------------------------------------------------------------- */

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return c == '<' ? 0 : -1;
}

char sohoa_mrz_check_digit(const char *s, size_t n)
{
    static const int weight[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = char_value(s[i]);
        if (v < 0)
            return 0;
        sum += v * weight[i % 3];
    }
    return (char)('0' + sum % 10);
}

/* Does check k of layout l validate on m? A '<' check digit over an all-filler field counts as
 * valid (an empty optional number). */
static bool check_ok(const struct layout *l, int k, const struct sohoa_mrz *m)
{
    const struct check *c = &l->checks[k];
    char buf[64];
    size_t n = 0;
    bool empty = true;
    for (int s = 0; s < c->n_spans; s++) {
        memcpy(buf + n, m->line[c->spans[s].line] + c->spans[s].start, (size_t)c->spans[s].len);
        n += (size_t)c->spans[s].len;
    }
    for (size_t i = 0; i < n; i++)
        empty = empty && buf[i] == '<';
    char want = m->line[c->line][c->pos];
    if (want == '<')
        return empty;
    return sohoa_mrz_check_digit(buf, n) == want;
}

/* --- confusions ------------------------------------------------------------------------------ */

static char letter_to_digit(char c)
{
    static const char from[] = "ODQUIL|TZSGB", to[] = "000011112568";
    const char *p = c ? strchr(from, c) : NULL;
    return (char)(p ? to[p - from] : 0);
}

static char digit_to_letter(char c)
{
    static const char from[] = "0125864", to[] = "OIZSBGA";
    const char *p = c ? strchr(from, c) : NULL;
    return (char)(p ? to[p - from] : 0);
}

/* Single-character alternatives tried under a failing check: letter/digit look-alikes in fields
 * that may hold either, look-alike digits in digit fields. */
static const char *alternatives(char c, enum kind kind)
{
    if (kind == K_ANY) {
        switch (c) {
        case 'O':
            return "0";
        case '0':
            return "O";
        case 'I':
            return "1";
        case '1':
            return "I";
        case 'B':
            return "8";
        case '8':
            return "B";
        case 'S':
            return "5";
        case '5':
            return "S";
        case 'Z':
            return "2";
        case '2':
            return "Z";
        default:
            return "";
        }
    }
    switch (c) {
    case '0':
        return "89";
    case '1':
        return "47";
    case '3':
        return "8";
    case '4':
        return "1";
    case '5':
        return "6";
    case '6':
        return "58";
    case '7':
        return "1";
    case '8':
        return "3609";
    case '9':
        return "08";
    default:
        return "";
    }
}

static enum kind kind_at(const struct layout *l, int line, int pos)
{
    for (int f = 0; f < l->n_fields; f++) {
        const struct field *fd = &l->fields[f];
        if (fd->line == line && pos >= fd->start && pos < fd->start + fd->len)
            return fd->kind;
    }
    return K_ANY;
}

/* Is (line, pos) covered by a non-composite check that validates? */
static bool covered_by_valid(const struct layout *l, const struct sohoa_mrz *m, int line, int pos)
{
    for (int k = 0; k < l->n_checks; k++) {
        const struct check *c = &l->checks[k];
        if (c->composite || !check_ok(l, k, m))
            continue;
        if (c->line == line && c->pos == pos)
            return true;
        for (int s = 0; s < c->n_spans; s++)
            if (c->spans[s].line == line && pos >= c->spans[s].start &&
                pos < c->spans[s].start + c->spans[s].len)
                return true;
    }
    return false;
}

/* Does a date check's span read as YYMMDD with a month 01-12 and a day 01-31? */
static bool date_ok(const struct check *c, const struct sohoa_mrz *m)
{
    const char *d = m->line[c->spans[0].line] + c->spans[0].start;
    for (int i = 0; i < 6; i++)
        if (d[i] < '0' || d[i] > '9')
            return false;
    int mo = (d[2] - '0') * 10 + d[3] - '0', day = (d[4] - '0') * 10 + d[5] - '0';
    return mo >= 1 && mo <= 12 && day >= 1 && day <= 31;
}

/* Try every single alternative at the positions of check k (and at the check digit); apply it
 * when exactly one validates — or exactly one also validates the composite. Returns 1 when it
 * applied one, else 0. */
static int repair_check(const struct layout *l, int k, struct sohoa_mrz *m)
{
    const struct check *c = &l->checks[k];
    const struct check *comp = &l->checks[l->n_checks - 1];
    int n_ok = 0, n_both = 0, n_digit = 0;
    int ok_line = 0, ok_pos = 0, both_line = 0, both_pos = 0;
    char ok_c = 0, both_c = 0, digit_c = 0;
    int digit_line = 0, digit_pos = 0;
    for (int s = -1; s < c->n_spans; s++) {
        int line = s < 0 ? c->line : c->spans[s].line;
        int from = s < 0 ? c->pos : c->spans[s].start;
        int to = s < 0 ? c->pos + 1 : from + c->spans[s].len;
        for (int pos = from; pos < to; pos++) {
            if (c->composite && covered_by_valid(l, m, line, pos))
                continue;
            char orig = m->line[line][pos];
            const char *alt = alternatives(orig, s < 0 ? K_DIGIT : kind_at(l, line, pos));
            for (; *alt; alt++) {
                if (*alt == orig)
                    continue;
                m->line[line][pos] = *alt;
                if (check_ok(l, k, m) && (!c->date || date_ok(c, m))) {
                    n_ok++;
                    ok_line = line, ok_pos = pos, ok_c = *alt;
                    if (*alt >= '0' && *alt <= '9' && !(orig >= '0' && orig <= '9')) {
                        n_digit++; /* a letter read in a run of digits, the likelier error */
                        digit_line = line, digit_pos = pos, digit_c = *alt;
                    }
                    if (!c->composite && check_ok(l, (int)(comp - l->checks), m)) {
                        n_both++;
                        both_line = line, both_pos = pos, both_c = *alt;
                    }
                }
                m->line[line][pos] = orig;
            }
        }
    }
    if (n_ok == 1) {
        m->line[ok_line][ok_pos] = ok_c;
        return 1;
    }
    if (n_both == 1) {
        m->line[both_line][both_pos] = both_c;
        return 1;
    }
    if (n_digit == 1) {
        m->line[digit_line][digit_pos] = digit_c;
        return 1;
    }
    return 0;
}

static const struct layout *layout_of(enum sohoa_mrz_format f)
{
    for (size_t i = 0; i < sizeof LAYOUTS / sizeof LAYOUTS[0]; i++)
        if (LAYOUTS[i].format == f)
            return &LAYOUTS[i];
    return NULL;
}

int sohoa_mrz_repair(struct sohoa_mrz *m, int *fixes)
{
    int n_fix = 0, failing = 0;
    if (fixes)
        *fixes = 0;
    const struct layout *l = m ? layout_of(m->format) : NULL;
    if (!l)
        return 0;
    /* fixed shapes: look-alikes by field kind */
    for (int f = 0; f < l->n_fields; f++) {
        const struct field *fd = &l->fields[f];
        for (int pos = fd->start; pos < fd->start + fd->len; pos++) {
            char *p = &m->line[fd->line][pos], r = 0;
            if (fd->kind == K_DIGIT && !(*p >= '0' && *p <= '9') && *p != '<')
                r = letter_to_digit(*p);
            else if (fd->kind == K_ALPHA && *p >= '0' && *p <= '9')
                r = digit_to_letter(*p);
            if (r) {
                *p = r;
                n_fix++;
            }
        }
    }
    /* check digits, the composite last (the table keeps it last) */
    for (int k = 0; k < l->n_checks; k++) {
        if (check_ok(l, k, m))
            continue;
        if (repair_check(l, k, m))
            n_fix++;
        else
            failing++;
    }
    if (fixes)
        *fixes = n_fix;
    return failing;
}

/* --- parsing --------------------------------------------------------------------------------- */

/* Brings a line to `len`. The OCR miscounts long filler runs and reads a '<' after a name as
 * 'K': a line that ends in filler gets its trailing run cut or padded to the length (a short
 * line's 'K' just before that run counts as filler); otherwise the longest filler run is
 * lengthened or shortened, by at most half its length (2 at least). */
static bool fit_line(char *s, int len)
{
    int n = (int)strlen(s);
    if (n == len)
        return true;
    int t = n;
    while (t > 0 && s[t - 1] == '<')
        t--;
    if (t < n && t < len) {
        if (n < len && t > 0 && s[t - 1] == 'K')
            s[--t] = '<';
        memset(s + t, '<', (size_t)(len - t));
        s[len] = '\0';
        return true;
    }
    int best = -1, best_len = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && s[j] == '<')
            j++;
        if (j - i > best_len) {
            best_len = j - i;
            best = i;
        }
        i = j > i ? j : i + 1;
    }
    int diff = len - n, most = best_len / 2 > 2 ? best_len / 2 : 2;
    if (best < 0 || diff < -most || diff > most || best_len + diff < 1)
        return false;
    memmove(s + best + best_len + diff, s + best + best_len, (size_t)(n - best - best_len) + 1);
    for (int i = 0; i < best_len + diff; i++)
        s[best + i] = '<';
    return (int)strlen(s) == len;
}

int sohoa_mrz_parse(const char *text, struct sohoa_mrz *out, struct sohoa_err *err)
{
    char lines[SOHOA_MRZ_MAX_LINES + 1][SOHOA_MRZ_MAX_LEN + 8];
    int nl = 0, o = 0;
    if (out)
        memset(out, 0, sizeof *out);
    if (!text || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "mrz: no text or result");
    memset(lines, 0, sizeof lines);
    for (const unsigned char *p = (const unsigned char *)text;; p++) {
        if (*p == '\n' || !*p) {
            if (o > 0) {
                lines[nl][o] = '\0';
                if (++nl > SOHOA_MRZ_MAX_LINES)
                    break;
            }
            o = 0;
            if (!*p)
                break;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\r')
            continue;
        if (o + 2 >= (int)sizeof lines[0]) {
            nl = SOHOA_MRZ_MAX_LINES + 1; /* too long for any format */
            break;
        }
        if (p[0] == 0xC2 && p[1] == 0xAB) { /* « */
            lines[nl][o++] = '<';
            lines[nl][o++] = '<';
            p++;
        } else if (*p >= 'a' && *p <= 'z') {
            lines[nl][o++] = (char)(*p - 'a' + 'A');
        } else {
            lines[nl][o++] = (char)*p;
        }
    }
    for (size_t i = 0; nl <= SOHOA_MRZ_MAX_LINES && i < sizeof LAYOUTS / sizeof LAYOUTS[0]; i++) {
        const struct layout *l = &LAYOUTS[i];
        if (l->n_lines != nl)
            continue;
        bool fits = true;
        for (int k = 0; k < nl && fits; k++) {
            char tmp[sizeof lines[0]];
            memcpy(tmp, lines[k], sizeof tmp);
            fits = fit_line(tmp, l->len);
            for (const char *c = tmp; fits && *c; c++)
                fits = char_value(*c) >= 0 || *c == '|';
            if (fits)
                memcpy(out->line[k], tmp, (size_t)l->len + 1);
        }
        if (!fits)
            continue;
        out->format = l->format;
        out->n_lines = nl;
        /* '|' only survives as a look-alike; the repair decides what it is */
        for (int k = 0; k < nl; k++)
            for (char *c = out->line[k]; *c; c++)
                if (*c == '|')
                    *c = kind_at(l, k, (int)(c - out->line[k])) == K_DIGIT ? '1' : 'I';
        return 0;
    }
    memset(out, 0, sizeof *out);
    return sohoa_err_set(err, SOHOA_EFORMAT, false, "mrz: %d line(s) that fit no MRZ format", nl);
}

void sohoa_mrz_format_text(const struct sohoa_mrz *m, char *buf, size_t size)
{
    size_t o = 0;
    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    for (int k = 0; m && k < m->n_lines && o < size; k++) {
        int w = snprintf(buf + o, size - o, "%s%s", k ? "\n" : "", m->line[k]);
        if (w < 0)
            break;
        o += (size_t)w;
    }
}

/* --- the band on a page ---------------------------------------------------------------------- */

bool sohoa_mrz_line_like(const char *text)
{
    int n = 0, fill = 0, other = 0;
    for (const unsigned char *p = (const unsigned char *)text; p && *p; p++) {
        if (*p == ' ')
            continue;
        if (p[0] == 0xC2 && p[1] == 0xAB) {
            fill += 2;
            n += 2;
            p++;
            continue;
        }
        if ((*p & 0xC0) == 0x80)
            continue; /* continuation bytes: the lead byte counted the character */
        n++;
        if (*p == '<')
            fill++;
        else if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
                   (*p >= 'a' && *p <= 'z')))
            other++;
    }
    return n >= 20 && fill >= 2 && other * 10 <= n;
}

bool sohoa_mrz_find_band(const struct sohoa_rawpage *rp, int width, int height,
                         struct sohoa_mrz_band *band)
{
    memset(band, 0, sizeof *band);
    long hsum = 0;
    char text[256];
    for (size_t i = 0, end; rp && i < rp->n; i = end) {
        size_t o = 0;
        int x0 = rp->v[i].w.x0, y0 = rp->v[i].w.y0, x1 = rp->v[i].w.x1, y1 = rp->v[i].w.y1;
        for (end = i; end < rp->n && rp->v[end].tline == rp->v[i].tline; end++) {
            const struct sohoa_word *w = &rp->v[end].w;
            int wrote = snprintf(text + o, sizeof text - o, "%s", w->text);
            o = wrote < 0 || (size_t)wrote >= sizeof text - o ? sizeof text - 1 : o + (size_t)wrote;
            x0 = w->x0 < x0 ? w->x0 : x0;
            y0 = w->y0 < y0 ? w->y0 : y0;
            x1 = w->x1 > x1 ? w->x1 : x1;
            y1 = w->y1 > y1 ? w->y1 : y1;
        }
        if (!sohoa_mrz_line_like(text) || band->n_lines == SOHOA_MRZ_BAND_LINES)
            continue;
        if (band->n_lines == 0) {
            band->x0 = x0, band->y0 = y0, band->x1 = x1, band->y1 = y1;
        } else {
            band->x0 = x0 < band->x0 ? x0 : band->x0;
            band->y0 = y0 < band->y0 ? y0 : band->y0;
            band->x1 = x1 > band->x1 ? x1 : band->x1;
            band->y1 = y1 > band->y1 ? y1 : band->y1;
        }
        band->tline[band->n_lines++] = rp->v[i].tline;
        hsum += y1 - y0;
    }
    if (band->n_lines == 0)
        return false;
    band->line_h = (int)(hsum / (long)band->n_lines);
    int pad = band->line_h / 2 + 1;
    band->x0 = band->x0 - 2 * pad < 0 ? 0 : band->x0 - 2 * pad;
    band->y0 = band->y0 - pad < 0 ? 0 : band->y0 - pad;
    band->x1 = band->x1 + 2 * pad > width ? width : band->x1 + 2 * pad;
    band->y1 = band->y1 + pad > height ? height : band->y1 + pad;
    return band->x1 > band->x0 && band->y1 > band->y0;
}

/* --- the splice ------------------------------------------------------------------------------ */

static bool in_band(const struct sohoa_mrz_band *band, int tline)
{
    for (size_t k = 0; k < band->n_lines; k++)
        if (band->tline[k] == tline)
            return true;
    return false;
}

/* The band's engine lines as struct sohoa_mrz_line (words joined without spaces, box, mean
 * confidence weighted by characters), in page order; returns how many (≤ SOHOA_MRZ_BAND_LINES). */
static size_t band_lines(const struct sohoa_rawpage *rp, const struct sohoa_mrz_band *band,
                         struct sohoa_mrz_line *out)
{
    size_t n = 0;
    for (size_t i = 0, end; i < rp->n; i = end) {
        for (end = i; end < rp->n && rp->v[end].tline == rp->v[i].tline; end++)
            ;
        if (!in_band(band, rp->v[i].tline) || n == SOHOA_MRZ_BAND_LINES)
            continue;
        struct sohoa_mrz_line *l = &out[n++];
        size_t o = 0;
        double sum = 0, chars = 0;
        memset(l, 0, sizeof *l);
        l->x0 = rp->v[i].w.x0, l->y0 = rp->v[i].w.y0, l->x1 = rp->v[i].w.x1, l->y1 = rp->v[i].w.y1;
        for (size_t j = i; j < end; j++) {
            const struct sohoa_word *w = &rp->v[j].w;
            int wrote = snprintf(l->text + o, sizeof l->text - o, "%s", w->text);
            o = wrote < 0 || (size_t)wrote >= sizeof l->text - o ? sizeof l->text - 1
                                                                 : o + (size_t)wrote;
            l->x0 = w->x0 < l->x0 ? w->x0 : l->x0;
            l->y0 = w->y0 < l->y0 ? w->y0 : l->y0;
            l->x1 = w->x1 > l->x1 ? w->x1 : l->x1;
            l->y1 = w->y1 > l->y1 ? w->y1 : l->y1;
            sum += w->conf * (float)rp->v[j].ncp;
            chars += rp->v[j].ncp;
        }
        l->conf = chars > 0 ? (float)(sum / chars) : 0;
    }
    return n;
}

/* A zone from lines of 20+ characters, repaired; src[k] = the line that gave zone line k.
 * Returns the failing check count, or -1 when the lines fit no format. */
static int zone_of(const struct sohoa_mrz_line *lines, size_t n, struct sohoa_mrz *m, size_t *src)
{
    char text[SOHOA_MRZ_MAX_LINES * (sizeof lines[0].text + 1) + 1];
    size_t o = 0, nl = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        for (const char *c = lines[i].text; *c; c++)
            len += *c != ' ';
        if (len < 20)
            continue;
        if (nl == SOHOA_MRZ_MAX_LINES)
            return -1;
        src[nl++] = i;
        int w = snprintf(text + o, sizeof text - o, "%s%s", o ? "\n" : "", lines[i].text);
        if (w < 0 || (size_t)w >= sizeof text - o)
            return -1; /* cannot happen: `text` holds SOHOA_MRZ_MAX_LINES whole lines */
        o += (size_t)w;
    }
    if (nl == 0 || sohoa_mrz_parse(text, m, NULL))
        return -1;
    return sohoa_mrz_repair(m, NULL);
}

int sohoa_mrz_splice(struct sohoa_rawpage *rp, const struct sohoa_mrz_band *band,
                     const struct sohoa_mrz_line *lines, size_t n, bool *repaired,
                     struct sohoa_err *err)
{
    struct sohoa_mrz_line first[SOHOA_MRZ_BAND_LINES];
    struct sohoa_mrz m2, m1;
    size_t src2[SOHOA_MRZ_MAX_LINES], src1[SOHOA_MRZ_MAX_LINES];
    struct sohoa_rawword *v = NULL;
    int rc = 0;
    if (repaired)
        *repaired = false;
    if (!rp || !band)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "mrz: no page or band");
    if (band->n_lines == 0)
        return 0;
    size_t n1 = band_lines(rp, band, first);
    int fail2 = lines ? zone_of(lines, n, &m2, src2) : -1;
    int fail1 = zone_of(first, n1, &m1, src1);
    if (fail2 < 0 && fail1 < 0) {
        for (size_t i = 0; i < rp->n; i++)
            rp->v[i].keep = rp->v[i].keep || in_band(band, rp->v[i].tline);
        return 0;
    }
    bool second = fail2 >= 0 && (fail1 < 0 || fail2 <= fail1);
    const struct sohoa_mrz *m = second ? &m2 : &m1;
    const struct sohoa_mrz_line *from = second ? lines : first;
    const size_t *src = second ? src2 : src1;

    int maxb = 0, maxp = 0, maxl = 0;
    for (size_t i = 0; i < rp->n; i++) {
        maxb = rp->v[i].tblock > maxb ? rp->v[i].tblock : maxb;
        maxp = rp->v[i].tpara > maxp ? rp->v[i].tpara : maxp;
        maxl = rp->v[i].tline > maxl ? rp->v[i].tline : maxl;
    }
    size_t cap = rp->n + (size_t)m->n_lines, o = 0;
    v = calloc(cap, sizeof *v);
    if (!v)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "mrz: out of memory for words");
    bool put = false;
    size_t ins = 0; /* where the zone's words start in v */
    for (size_t i = 0; i <= rp->n; i++) {
        bool band_word = i < rp->n && in_band(band, rp->v[i].tline);
        if (!put && (band_word || i == rp->n)) {
            ins = o;
            for (int k = 0; k < m->n_lines; k++) {
                const struct sohoa_mrz_line *l = &from[src[k]];
                struct sohoa_rawword *r = &v[o];
                r->w.text = strdup(m->line[k]);
                if (!r->w.text) {
                    rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "mrz: out of memory for words");
                    goto out;
                }
                o++;
                r->w.x0 = l->x0, r->w.y0 = l->y0, r->w.x1 = l->x1, r->w.y1 = l->y1;
                r->w.baseline = l->y1;
                r->w.conf = l->conf;
                r->tblock = maxb + 1;
                r->tpara = maxp + 1;
                r->tline = maxl + 1 + k;
                r->ncp = (int)strlen(m->line[k]);
                r->keep = true;
            }
            put = true;
        }
        if (i < rp->n && !band_word)
            v[o++] = rp->v[i];
    }
    /* committed: the band's words go, the rest move */
    for (size_t i = 0; i < rp->n; i++)
        if (in_band(band, rp->v[i].tline))
            free(rp->v[i].w.text);
    free(rp->v);
    rp->v = v;
    rp->n = o;
    rp->cap = cap;
    v = NULL;
    if (repaired)
        *repaired = true;
out:
    if (v) {
        for (size_t i = ins; i < o; i++)
            free(v[i].w.text);
        free(v);
    }
    return rc;
}
