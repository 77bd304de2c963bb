/* render.c — page renderers: hOCR 1.2, plain text, and the words TSV (write and parse).
 *
 * Holds, in order: the shared UTF-8 decoder and number formatter, grouping of words into
 * block / paragraph / line runs, the hOCR writer, the plain-text writer, the TSV writer and its
 * strict parser. Output is built in an open_memstream buffer; a failed allocation shows up as
 * an error from fclose and is reported as SOHOA_ENOMEM.
 */
#include "pipeline/pdf/render.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TSV_MAGIC  "sohoa-words"
#define TSV_FIELDS 10

/* ---- shared helpers ------------------------------------------------------------------------ */

uint32_t sohoa_utf8_next(const unsigned char *s, size_t len, size_t *used)
{
    unsigned char c = s[0];
    *used = 1;
    if (c < 0x80)
        return c;
    int n;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return 0xFFFD;
    }
    if ((size_t)n >= len)
        return 0xFFFD;
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *used = (size_t)n + 1;
    return cp;
}

const char *sohoa_fmt_real(char buf[SOHOA_REAL_BUF], double v, int decimals)
{
    static const long long scale[7] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (!isfinite(v))
        v = 0;
    v = v > 1e9 ? 1e9 : v < -1e9 ? -1e9 : v;
    long long m = llround(v * (double)scale[decimals]);
    const char *sign = m < 0 ? "-" : "";
    if (m < 0)
        m = -m;
    long long ip = m / scale[decimals], fp = m % scale[decimals];
    int digits = decimals;
    while (digits > 0 && fp % 10 == 0)
        fp /= 10, digits--;
    char frac[8] = {0}; /* ".ddd" with leading zeros kept */
    if (digits > 0) {
        frac[0] = '.';
        for (int d = digits; d >= 1; d--, fp /= 10)
            frac[d] = (char)('0' + fp % 10);
    }
    (void)snprintf(buf, SOHOA_REAL_BUF, "%s%lld%s", sign, ip, frac);
    return buf;
}

/* Close a memstream and hand its buffer out, or report the allocation failure. */
static int memstream_done(FILE *f, char **buf, char **out, struct sohoa_err *err)
{
    bool bad = ferror(f) != 0;
    if (fclose(f) != 0)
        bad = true;
    if (bad) {
        free(*buf);
        *buf = NULL;
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "render: out of memory");
    }
    *out = *buf;
    *buf = NULL;
    return 0;
}

/* ---- grouping ------------------------------------------------------------------------------ */

enum level { LEVEL_BLOCK, LEVEL_PARA, LEVEL_LINE };

static bool same_group(const struct sohoa_word *a, const struct sohoa_word *b, enum level lv)
{
    if (a->block != b->block)
        return false;
    if (lv >= LEVEL_PARA && a->para != b->para)
        return false;
    return lv < LEVEL_LINE || a->line == b->line;
}

/* End (exclusive) of the run of words starting at i that share the group of level lv. */
static size_t run_end(const struct sohoa_word *w, size_t n, size_t i, enum level lv)
{
    size_t e = i + 1;
    while (e < n && same_group(&w[e], &w[i], lv))
        e++;
    return e;
}

struct box {
    int x0, y0, x1, y1;
};

static struct box run_box(const struct sohoa_word *w, size_t i, size_t end)
{
    struct box b = {w[i].x0, w[i].y0, w[i].x1, w[i].y1};
    for (size_t k = i + 1; k < end; k++) {
        b.x0 = w[k].x0 < b.x0 ? w[k].x0 : b.x0;
        b.y0 = w[k].y0 < b.y0 ? w[k].y0 : b.y0;
        b.x1 = w[k].x1 > b.x1 ? w[k].x1 : b.x1;
        b.y1 = w[k].y1 > b.y1 ? w[k].y1 : b.y1;
    }
    return b;
}

/* ---- hOCR ---------------------------------------------------------------------------------- */

/* XML text or attribute content: escapes markup, replaces invalid UTF-8 and characters XML 1.0
 * forbids (controls, U+FFFE/U+FFFF) with U+FFFD. */
static void xml_escape(FILE *f, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t used;
        uint32_t cp = sohoa_utf8_next((const unsigned char *)s + i, len - i, &used);
        switch (cp) {
        case '&':
            fputs("&amp;", f);
            break;
        case '<':
            fputs("&lt;", f);
            break;
        case '>':
            fputs("&gt;", f);
            break;
        case '"':
            fputs("&quot;", f);
            break;
        case '\'':
            fputs("&#39;", f);
            break;
        default:
            if (cp < 0x20 || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF || cp == 0xFFFD)
                fputs("\xEF\xBF\xBD", f);
            else
                fwrite(s + i, 1, used, f);
        }
        i += used;
    }
}

/* Baseline of a line as hOCR wants it: slope and offset from the bottom-left of the line box,
 * fitted through the words' baselines (those that lie inside the line box). */
static void hocr_baseline(FILE *f, const struct sohoa_word *w, size_t i, size_t end, struct box lb)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (size_t k = i; k < end; k++) {
        if (w[k].baseline < lb.y0 || w[k].baseline > lb.y1)
            continue;
        double x = (w[k].x0 + w[k].x1) / 2.0 - lb.x0, y = w[k].baseline - lb.y1;
        sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
    }
    if (n == 0)
        return;
    double den = n * sxx - sx * sx;
    double slope = n > 1 && den > 0 ? (n * sxy - sx * sy) / den : 0;
    double off = (sy - slope * sx) / n;
    char a[SOHOA_REAL_BUF], b[SOHOA_REAL_BUF];
    fprintf(f, "; baseline %s %s", sohoa_fmt_real(a, slope, 4), sohoa_fmt_real(b, off, 0));
}

static void hocr_words(FILE *f, const struct sohoa_ocr_page *pg, int pno, int *ids)
{
    const struct sohoa_word *w = pg->words;
    size_t n = pg->n_words;
    for (size_t bi = 0; bi < n;) {
        size_t be = run_end(w, n, bi, LEVEL_BLOCK);
        struct box b = run_box(w, bi, be);
        fprintf(f, "   <div class=\"ocr_carea\" id=\"block_%d_%d\" title=\"bbox %d %d %d %d\">\n",
                pno, ++ids[0], b.x0, b.y0, b.x1, b.y1);
        for (size_t pi = bi; pi < be;) {
            size_t pe = run_end(w, be, pi, LEVEL_PARA);
            b = run_box(w, pi, pe);
            fprintf(f,
                    "    <p class=\"ocr_par\" id=\"par_%d_%d\" lang=\"vie\""
                    " title=\"bbox %d %d %d %d\">\n",
                    pno, ++ids[1], b.x0, b.y0, b.x1, b.y1);
            for (size_t li = pi; li < pe;) {
                size_t le = run_end(w, pe, li, LEVEL_LINE);
                b = run_box(w, li, le);
                fprintf(f,
                        "     <span class=\"ocr_line\" id=\"line_%d_%d\" title=\"bbox %d %d %d %d",
                        pno, ++ids[2], b.x0, b.y0, b.x1, b.y1);
                hocr_baseline(f, w, li, le, b);
                fprintf(f, "; x_size %d\">", b.y1 - b.y0);
                for (size_t k = li; k < le; k++) {
                    long conf = lround(w[k].conf < 0 ? 0 : w[k].conf > 100 ? 100 : w[k].conf);
                    fprintf(f,
                            "\n      <span class=\"ocrx_word\" id=\"word_%d_%d\""
                            " title=\"bbox %d %d %d %d; x_wconf %ld\">",
                            pno, ++ids[3], w[k].x0, w[k].y0, w[k].x1, w[k].y1, conf);
                    xml_escape(f, w[k].text ? w[k].text : "");
                    fputs("</span>", f);
                }
                fputs("\n     </span>\n", f);
                li = le;
            }
            fputs("    </p>\n", f);
            pi = pe;
        }
        fputs("   </div>\n", f);
        bi = be;
    }
}

int sohoa_render_hocr(const struct sohoa_ocr_page *pg, int width, int height, double dpi,
                      char **out, struct sohoa_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    if (out)
        *out = NULL;
    if (!pg || !out || (pg->n_words && !pg->words) || width <= 0 || height <= 0)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "hocr: bad page");
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "hocr: out of memory");
    const int pno = 1; /* one page per hOCR file */
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
          "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
          "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"vi\" lang=\"vi\">\n"
          " <head>\n"
          "  <title></title>\n"
          "  <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
          "  <meta name=\"ocr-system\" content=\"sohoa\"/>\n"
          "  <meta name=\"ocr-capabilities\""
          " content=\"ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf\"/>\n"
          " </head>\n <body>\n",
          f);
    fprintf(f, "  <div class=\"ocr_page\" id=\"page_%d\" title=\"bbox 0 0 %d %d; ppageno %d", pno,
            width, height, pno - 1);
    if (dpi > 0)
        fprintf(f, "; scan_res %ld %ld", lround(dpi), lround(dpi));
    fputs("\">\n", f);
    int ids[4] = {0, 0, 0, 0};
    hocr_words(f, pg, pno, ids);
    fputs("  </div>\n </body>\n</html>\n", f);
    return memstream_done(f, &buf, out, err);
}

/* ---- plain text ---------------------------------------------------------------------------- */

int sohoa_render_text(const struct sohoa_word *w, size_t n, char **out, struct sohoa_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    if (out)
        *out = NULL;
    if (!out || (n && !w))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "text: bad arguments");
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "text: out of memory");
    const struct sohoa_word *prev = NULL;
    for (size_t k = 0; k < n; k++) {
        if (!w[k].text || !w[k].text[0])
            continue;
        if (prev)
            fputs(!same_group(prev, &w[k], LEVEL_PARA)   ? "\n\n"
                  : !same_group(prev, &w[k], LEVEL_LINE) ? "\n"
                                                         : " ",
                  f);
        fputs(w[k].text, f);
        prev = &w[k];
    }
    return memstream_done(f, &buf, out, err);
}

/* ---- words TSV ----------------------------------------------------------------------------- */

static void tsv_escape(FILE *f, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        switch (*c) {
        case '\\':
            fputs("\\\\", f);
            break;
        case '\t':
            fputs("\\t", f);
            break;
        case '\n':
            fputs("\\n", f);
            break;
        case '\r':
            fputs("\\r", f);
            break;
        default:
            if (*c < 0x20 || *c == 0x7F)
                fprintf(f, "\\x%02X", *c);
            else
                fputc(*c, f);
        }
    }
}

int sohoa_words_tsv_write(const struct sohoa_word *w, size_t n, char **out, struct sohoa_err *err)
{
    char *buf = NULL;
    size_t len = 0;
    if (out)
        *out = NULL;
    if (!out || (n && !w))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "words tsv: bad arguments");
    if (n > SOHOA_WORDS_TSV_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "words tsv: %zu words, limit %d", n,
                             SOHOA_WORDS_TSV_MAX);
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "words tsv: out of memory");
    fprintf(f, TSV_MAGIC "\t1\t%zu\n", n);
    for (size_t k = 0; k < n; k++) {
        char conf[SOHOA_REAL_BUF];
        fprintf(f, "%d\t%d\t%d\t%d\t%s\t%d\t%d\t%d\t%d\t", w[k].x0, w[k].y0, w[k].x1, w[k].y1,
                sohoa_fmt_real(conf, w[k].conf, 2), w[k].block, w[k].para, w[k].line,
                w[k].baseline);
        tsv_escape(f, w[k].text ? w[k].text : "");
        fputc('\n', f);
    }
    return memstream_done(f, &buf, out, err);
}

void sohoa_words_free(struct sohoa_word **words, size_t n)
{
    if (!words || !*words)
        return;
    for (size_t k = 0; k < n; k++)
        free((*words)[k].text);
    free(*words);
    *words = NULL;
}

/* A field [s, e) as an int: optional '-', 1..10 digits, in range. */
static bool parse_int(const char *s, const char *e, int *v)
{
    bool neg = s < e && *s == '-';
    s += neg;
    if (s == e || e - s > 10)
        return false;
    long long x = 0;
    for (; s < e; s++) {
        if (*s < '0' || *s > '9')
            return false;
        x = x * 10 + (*s - '0');
    }
    x = neg ? -x : x;
    if (x < -2147483647LL - 1 || x > 2147483647LL)
        return false;
    *v = (int)x;
    return true;
}

/* conf: optional '-', digits, optional '.' and 1..6 digits; no exponent, no locale. */
static bool parse_conf(const char *s, const char *e, float *v)
{
    bool neg = s < e && *s == '-';
    s += neg;
    const char *dot = memchr(s, '.', (size_t)(e - s));
    const char *ie = dot ? dot : e;
    if (ie == s || ie - s > 9 || (dot && (e - dot - 1 < 1 || e - dot - 1 > 6)))
        return false;
    double x = 0, scale = 1;
    for (const char *c = s; c < ie; c++) {
        if (*c < '0' || *c > '9')
            return false;
        x = x * 10 + (*c - '0');
    }
    for (const char *c = dot ? dot + 1 : e; c < e; c++) {
        if (*c < '0' || *c > '9')
            return false;
        scale /= 10;
        x += (*c - '0') * scale;
    }
    *v = (float)(neg ? -x : x);
    return true;
}

/* Unescape a text field into a new string: 0 ok, SOHOA_EFORMAT on a bad escape or a raw control
 * byte, SOHOA_ENOMEM. */
static int parse_text(const char *s, const char *e, char **out)
{
    char *t = malloc((size_t)(e - s) + 1), *o = t;
    if (!t)
        return SOHOA_ENOMEM;
    for (; s < e; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7F)
            goto bad;
        if (c != '\\') {
            *o++ = (char)c;
            continue;
        }
        if (++s == e)
            goto bad;
        switch (*s) {
        case '\\':
            *o++ = '\\';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'x': {
            if (e - s < 3)
                goto bad;
            int v = 0;
            for (int k = 1; k <= 2; k++) {
                char h = s[k];
                int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                               : -1;
                if (d < 0)
                    goto bad;
                v = v * 16 + d;
            }
            if (v == 0)
                goto bad; /* a NUL would cut the C string */
            *o++ = (char)v;
            s += 2;
            break;
        }
        default:
            goto bad;
        }
    }
    *o = '\0';
    *out = t;
    return 0;
bad:
    free(t);
    return SOHOA_EFORMAT;
}

/* Split [s, e) at TABs into at most `max` fields; returns the count (max + 1 if more). */
static int split_tabs(const char *s, const char *e, const char **fs, const char **fe, int max)
{
    int n = 0;
    for (;;) {
        const char *t = memchr(s, '\t', (size_t)(e - s));
        if (n == max)
            return max + 1;
        fs[n] = s;
        fe[n] = t ? t : e;
        n++;
        if (!t)
            return n;
        s = t + 1;
    }
}

int sohoa_words_tsv_parse(const char *data, size_t len, struct sohoa_word **words, size_t *n_words,
                          struct sohoa_err *err)
{
    int rc = 0;
    struct sohoa_word *w = NULL;
    size_t count = 0, got = 0;
    if (words)
        *words = NULL;
    if (n_words)
        *n_words = 0;
    if (!words || !n_words || (len && !data))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "words tsv: bad arguments");
    if (len == 0 || data[len - 1] != '\n')
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "words tsv: truncated (no final LF)");
    if (memchr(data, '\0', len))
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "words tsv: NUL byte");
    const char *end = data + len;
    const char *eol = memchr(data, '\n', len);
    const char *fs[TSV_FIELDS + 1], *fe[TSV_FIELDS + 1];
    int version, declared;
    if (split_tabs(data, eol, fs, fe, 3) != 3 || (size_t)(fe[0] - fs[0]) != strlen(TSV_MAGIC) ||
        memcmp(fs[0], TSV_MAGIC, strlen(TSV_MAGIC)) != 0 || !parse_int(fs[1], fe[1], &version) ||
        !parse_int(fs[2], fe[2], &declared) || declared < 0)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "words tsv: bad header");
    if (version != 1)
        return sohoa_err_set(err, SOHOA_EFORMAT, false, "words tsv: version %d not supported",
                             version);
    if (declared > SOHOA_WORDS_TSV_MAX)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "words tsv: %d words, limit %d", declared,
                             SOHOA_WORDS_TSV_MAX);
    count = (size_t)declared;
    size_t lines = 0;
    for (const char *p = eol + 1; p < end; p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1)
        lines++;
    if (lines != count)
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "words tsv: header says %zu words, found %zu lines", count, lines);
    if (count) {
        w = calloc(count, sizeof *w);
        if (!w)
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "words tsv: out of memory");
    }
    const char *p = eol + 1;
    for (got = 0; got < count; got++) {
        const char *le = memchr(p, '\n', (size_t)(end - p));
        struct sohoa_word *x = &w[got];
        int *ints[9] = {&x->x0,    &x->y0,   &x->x1,   &x->y1,      NULL,
                        &x->block, &x->para, &x->line, &x->baseline};
        bool ok = split_tabs(p, le, fs, fe, TSV_FIELDS) == TSV_FIELDS;
        for (int k = 0; ok && k < 9; k++)
            ok = ints[k] ? parse_int(fs[k], fe[k], ints[k]) : parse_conf(fs[k], fe[k], &x->conf);
        int trc = ok ? parse_text(fs[9], fe[9], &x->text) : SOHOA_EFORMAT;
        if (trc == SOHOA_ENOMEM) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "words tsv: out of memory");
            goto out;
        }
        if (trc < 0) {
            rc = sohoa_err_set(err, SOHOA_EFORMAT, false, "words tsv: bad word on line %zu",
                               got + 2);
            goto out;
        }
        p = le + 1;
    }
    *words = w;
    *n_words = count;
    w = NULL;
out:
    sohoa_words_free(&w, count);
    return rc;
}
