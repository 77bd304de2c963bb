/* validate.c — the parts every validator shares (see validate.h, validate_int.h).
 *
 * Holds, in order: result helpers (findings, messages cut on a UTF-8 boundary); calendar helpers;
 * the prepared input (canonical code points that remember their position in the text as read);
 * OCR digit repair. The validators themselves are in validate_id.c (CCCD, MST), validate_date.c
 * and validate_doc.c (receipt numbers, procedure codes, official document numbers).
 *
 * Positions in messages count characters (code points) of the input after vn_normalize, from 1,
 * so a person can find the character in what was read. Every finding writes two messages,
 * Vietnamese then English, each with its own format checked by the compiler.
 */
#include "pipeline/fields/validate.h"

#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate_int.h"
#include "pipeline/base/vntext.h"

/* ---- text buffers and messages --------------------------------------------------------------- */

/* After a cut: drop a partial UTF-8 sequence left at the end of `s`. */
static void utf8_cut_partial(char *s)
{
    size_t i = strlen(s), cont = 0;
    while (i > 0 && cont < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
        i--;
        cont++;
    }
    if (i == 0)
        return;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    if (cont < need)
        s[i - 1] = '\0';
}

/* The text built in `b` into s[cap] (cap ≥ 1): its first cap - 1 bytes at most, cut on a
 * character boundary, NUL-terminated. `b` is released. */
void vd_sb_done(struct sohoa_buf *b, char *s, size_t cap)
{
    size_t n = b->len < cap - 1 ? b->len : cap - 1;
    if (n)
        memcpy(s, b->data, n);
    s[n] = '\0';
    if (n < b->len)
        utf8_cut_partial(s);
    sohoa_buf_release(b);
}

/* One code point as UTF-8; controls, bidirectional overrides, lone combining marks and
 * non-characters as "U+XXXX" so a message never carries them. */
void vd_sb_cp(struct sohoa_buf *b, uint32_t cp)
{
    char u[5] = {0};
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x0300 && cp <= 0x036F) ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        (void)sohoa_buf_addf(b, "U+%04X", (unsigned)cp);
        return;
    }
    if (cp < 0x80) {
        u[0] = (char)cp;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
    }
    (void)sohoa_buf_adds(b, u);
}

/* Write a message (truncated on a character boundary). */
void vd_msg(char *buf, const char *fmt, ...)
{
    struct sohoa_buf b = SOHOA_BUF_INIT(VD_TEXT_MAX);
    va_list ap;
    va_start(ap, fmt);
    (void)sohoa_buf_vaddf(&b, fmt, ap);
    va_end(ap);
    vd_sb_done(&b, buf, SOHOA_CHECK_MSG_MAX);
}

/* ---- results --------------------------------------------------------------------------------- */

const struct sohoa_check *sohoa_validation_worst(const struct sohoa_validation *v)
{
    const struct sohoa_check *w = NULL;
    if (!v)
        return NULL;
    for (size_t i = 0; i < v->n_checks && i < SOHOA_CHECKS_MAX; i++)
        if (!w || v->checks[i].severity > w->severity)
            w = &v->checks[i];
    return w;
}

bool sohoa_validation_has(const struct sohoa_validation *v, const char *code)
{
    if (!v || !code)
        return false;
    for (size_t i = 0; i < v->n_checks && i < SOHOA_CHECKS_MAX; i++)
        if (!strcmp(v->checks[i].code, code))
            return true;
    return false;
}

/* Add a finding "<field>.<what>"; the caller writes its two messages. The validators find at most
 * six things, so the array never fills; if it did, the last slot would be reused. */
struct sohoa_check *vd_finding(struct sohoa_validation *v, enum sohoa_check_severity sev,
                               const struct field *f, const char *what)
{
    size_t i = v->n_checks < SOHOA_CHECKS_MAX ? v->n_checks++ : SOHOA_CHECKS_MAX - 1;
    struct sohoa_check *c = &v->checks[i];
    memset(c, 0, sizeof *c);
    c->severity = sev;
    (void)snprintf(c->code, sizeof c->code, "%s.%s", f->key, what);
    if (sev > v->severity)
        v->severity = sev;
    return c;
}

void vd_value_set(struct sohoa_validation *v, const char *s)
{
    (void)snprintf(v->value, sizeof v->value, "%s", s);
}

/* Zero the result and check the arguments every validator has. */
static int validation_begin(struct sohoa_validation *v, const char *raw, struct sohoa_err *err)
{
    if (v)
        memset(v, 0, sizeof *v);
    if (!v || !raw)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "validate: NULL input or result");
    return 0;
}

/* `today` as given (checked) or the clock's. */
static int today_resolve(const struct sohoa_ymd *today, struct sohoa_ymd *now,
                         struct sohoa_err *err)
{
    if (!today)
        return sohoa_ymd_today(now, err);
    if (!sohoa_ymd_valid(today->year, today->month, today->day))
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "validate: `today` %04d-%02d-%02d is no date", today->year,
                             today->month, today->day);
    *now = *today;
    return 0;
}

/* ---- prepared input -------------------------------------------------------------------------- */

bool vd_cp_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x2000 && c <= 0x200A) || c == 0x205F ||
           c == 0x3000;
}

/* Hyphen and the dashes OCR and word processors put in its place. */
bool vd_cp_dash(uint32_t c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212;
}

bool vd_cp_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Lower-case ASCII letter of a Vietnamese letter (ế → e, Đ → d), else 0. */
char vd_cp_fold(uint32_t c)
{
    uint32_t s = vn_strip_cp(c);
    if (s >= 'A' && s <= 'Z')
        return (char)(s - 'A' + 'a');
    if (s >= 'a' && s <= 'z')
        return (char)s;
    return 0;
}

/* A digit, '|' or a Vietnamese letter: what a word or number of a date or symbol is made of. */
bool vd_cp_alnum(uint32_t c)
{
    return vd_cp_digit(c) || c == '|' || vd_cp_fold(c);
}

/* Load `raw`. 0: ready; 1: a finding (too long, empty) already decided the result; <0: failure. */
static int input_load(const char *raw, const struct field *f, struct sohoa_validation *v,
                      struct input *in, struct sohoa_err *err)
{
    char *canon = NULL;
    size_t len = strnlen(raw, SOHOA_VALIDATE_INPUT_MAX + 1);
    if (len > SOHOA_VALIDATE_INPUT_MAX) {
        struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_ERROR, f, "too_long");
        vd_msg(c->msg_vi, "Chuỗi đọc được quá dài để là %s (hơn %d byte)", f->vi,
               SOHOA_VALIDATE_INPUT_MAX);
        vd_msg(c->msg_en, "The text read is too long to be a %s (over %d bytes)", f->en,
               SOHOA_VALIDATE_INPUT_MAX);
        return 1;
    }
    int rc = vn_normalize(raw, len, &canon, err);
    if (rc)
        return rc;
    rc = vn_codepoints(canon, strlen(canon), &in->cp, &in->n, err);
    free(canon);
    if (rc)
        return rc;
    size_t s = 0, e = in->n;
    while (s < e && vd_cp_space(in->cp[s]))
        s++;
    while (e > s && vd_cp_space(in->cp[e - 1]))
        e--;
    if (s > 0)
        memmove(in->cp, in->cp + s, (e - s) * sizeof *in->cp);
    in->n = e - s;
    in->base = s;
    if (in->n == 0) {
        struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_ERROR, f, "empty");
        vd_msg(c->msg_vi, "Không đọc được %s: chuỗi rỗng", f->vi);
        vd_msg(c->msg_en, "No %s: the text is empty", f->en);
        return 1;
    }
    return 0;
}

int vd_begin(const char *raw, const struct field *f, const struct sohoa_ymd *today,
             struct sohoa_ymd *now, struct sohoa_validation *v, struct input *in,
             struct sohoa_err *err)
{
    int rc = validation_begin(v, raw, err);
    if (rc == 0 && now)
        rc = today_resolve(today, now, err);
    return rc ? rc : input_load(raw, f, v, in, err);
}

size_t vd_input_pos(const struct input *in, size_t i)
{
    return in->base + i + 1;
}

/* "“X” ở vị trí 5" / "“X” at position 5" for messages about one character. */
void vd_quote_char(char *vi, char *en, size_t cap, uint32_t cp, size_t pos)
{
    struct sohoa_buf b = SOHOA_BUF_INIT(VD_TEXT_MAX);
    (void)sohoa_buf_adds(&b, "“");
    vd_sb_cp(&b, cp);
    (void)sohoa_buf_addf(&b, "” ở vị trí %zu", pos);
    vd_sb_done(&b, vi, cap);
    (void)sohoa_buf_adds(&b, "“");
    vd_sb_cp(&b, cp);
    (void)sohoa_buf_addf(&b, "” at position %zu", pos);
    vd_sb_done(&b, en, cap);
}

static void not_digit(struct sohoa_validation *v, const struct field *f, uint32_t cp, size_t pos)
{
    char qvi[64], qen[64];
    vd_quote_char(qvi, qen, sizeof qvi, cp, pos);
    struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_ERROR, f, "not_digits");
    vd_msg(c->msg_vi, "Ký tự %s không phải chữ số: %s chỉ gồm chữ số", qvi, f->vi);
    vd_msg(c->msg_en, "Character %s is not a digit: a %s holds only digits", qen, f->en);
}

/* ---- OCR digit repair ------------------------------------------------------------------------ */

/* The digit an OCR confusion stands for (Tesseract vie unicharambigs: 0/O, 0/o, 1/I, 1/l, I/|,
 * l/|), else 0. */
char vd_repair_digit(uint32_t c)
{
    switch (c) {
    case 'O':
    case 'o':
        return '0';
    case 'I':
    case 'l':
    case '|':
        return '1';
    default:
        return 0;
    }
}

void vd_repairs_note(struct repairs *r, size_t pos, uint32_t from, uint32_t to)
{
    if (r->n < REPAIRS_LISTED) {
        r->item[r->n].pos = pos;
        r->item[r->n].from = from;
        r->item[r->n].to = to;
    }
    r->n++;
}

/* Record the repairs as one warning (nothing when there were none). */
void vd_repairs_report(struct sohoa_validation *v, const struct field *f, const struct repairs *r)
{
    char vi[SOHOA_CHECK_MSG_MAX], en[SOHOA_CHECK_MSG_MAX];
    struct sohoa_buf bv = SOHOA_BUF_INIT(VD_TEXT_MAX), be = SOHOA_BUF_INIT(VD_TEXT_MAX);
    if (r->n == 0)
        return;
    for (int i = 0; i < r->n && i < REPAIRS_LISTED; i++) {
        (void)sohoa_buf_adds(&bv, i ? ", " : "");
        vd_sb_cp(&bv, r->item[i].from);
        (void)sohoa_buf_adds(&bv, "→");
        vd_sb_cp(&bv, r->item[i].to);
        (void)sohoa_buf_addf(&bv, " ở vị trí %zu", r->item[i].pos);
        (void)sohoa_buf_adds(&be, i ? ", " : "");
        vd_sb_cp(&be, r->item[i].from);
        (void)sohoa_buf_adds(&be, "→");
        vd_sb_cp(&be, r->item[i].to);
        (void)sohoa_buf_addf(&be, " at position %zu", r->item[i].pos);
    }
    if (r->n > REPAIRS_LISTED) {
        (void)sohoa_buf_adds(&bv, ", …");
        (void)sohoa_buf_adds(&be, ", …");
    }
    vd_sb_done(&bv, vi, sizeof vi);
    vd_sb_done(&be, en, sizeof en);
    struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_WARNING, f, "repaired");
    vd_msg(c->msg_vi, "Đã sửa %d ký tự OCR đọc nhầm trong %s, cần đối chiếu bản gốc: %s", r->n,
           f->vi, vi);
    vd_msg(c->msg_en, "Repaired %d character(s) misread by OCR in the %s, check the original: %s",
           r->n, f->en, en);
    v->repairs = r->n;
}

static bool run_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || vd_repair_digit(c);
}

/* A byte that makes a neighbouring run part of a word: an ASCII letter or any non-ASCII byte
 * (Vietnamese letters; canonical text has no non-ASCII spaces left). */
static bool word_byte(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c >= 0x80;
}

static bool group_sep(unsigned char c)
{
    return c == '/' || c == '.' || c == '-';
}

/* A number as OCR may have garbled it: runs of digits and confusable letters joined by single
 * separators ("Ol/O1/2O2O", "0011", "69O2"). */
struct chunk {
    size_t start, end;
    bool digit, glued;
};

static struct chunk chunk_scan(const char *s, size_t len, size_t i)
{
    struct chunk k = {.start = i, .end = i};
    while (1) {
        while (k.end < len && run_byte((unsigned char)s[k.end])) {
            if (vd_cp_digit((unsigned char)s[k.end]))
                k.digit = true;
            k.end++;
        }
        if (k.end + 1 < len && group_sep((unsigned char)s[k.end]) &&
            run_byte((unsigned char)s[k.end + 1]))
            k.end++;
        else
            break;
    }
    k.glued = (k.start > 0 && word_byte((unsigned char)s[k.start - 1])) ||
              (k.end < len && word_byte((unsigned char)s[k.end]));
    return k;
}

int sohoa_digits_repair(const char *raw, char *out, size_t n, int *repairs, struct sohoa_err *err)
{
    if (repairs)
        *repairs = 0;
    if (out && n)
        out[0] = '\0';
    if (!raw || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_digits_repair: NULL argument");
    size_t len = strlen(raw);
    if (n <= len)
        return sohoa_err_set(err, SOHOA_EINVAL, false,
                             "sohoa_digits_repair: output of %zu bytes for %zu bytes of text", n,
                             len);
    int count = 0;
    size_t i = 0;
    while (i < len) {
        if (!run_byte((unsigned char)raw[i])) {
            out[i] = raw[i];
            i++;
            continue;
        }
        struct chunk k = chunk_scan(raw, len, i);
        bool fix = k.digit && !k.glued;
        for (size_t j = k.start; j < k.end; j++) {
            char d = vd_repair_digit((unsigned char)raw[j]);
            out[j] = (char)(fix && d ? d : raw[j]);
            count += fix && d;
        }
        i = k.end;
    }
    out[len] = '\0';
    if (repairs)
        *repairs = count;
    return 0;
}

/* Digits of an identifier written with grouping: white space, dots and dashes dropped, confusions
 * repaired. False (with a "not_digits" finding) at the first other character. `*nd` counts every
 * digit; `d` holds the first cap - 1. */
bool vd_digits_collect(const struct input *in, const struct field *f, struct sohoa_validation *v,
                       char *d, size_t cap, size_t *nd, struct repairs *rep)
{
    *nd = 0;
    for (size_t i = 0; i < in->n; i++) {
        uint32_t c = in->cp[i];
        char digit = (char)(vd_cp_digit(c) ? (char)c : vd_repair_digit(c));
        if (vd_cp_space(c) || c == '.' || vd_cp_dash(c))
            continue;
        if (!digit) {
            not_digit(v, f, c, vd_input_pos(in, i));
            return false;
        }
        if (!vd_cp_digit(c))
            vd_repairs_note(rep, vd_input_pos(in, i), c, (uint32_t)digit);
        if (*nd + 1 < cap)
            d[*nd] = digit;
        (*nd)++;
    }
    d[*nd < cap ? *nd : cap - 1] = '\0';
    return true;
}
