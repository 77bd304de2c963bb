/* validate.c — checks on Vietnamese identifiers, dates and document numbers (see validate.h).
 *
 * Holds, in order: result helpers (findings, messages cut on a UTF-8 boundary); the prepared
 * input (canonical code points that remember their position in the text as read); OCR digit
 * repair; CCCD with its province table; MST; dates; receipt numbers and procedure codes
 * (fixed-shape codes); official document numbers.
 *
 * Positions in messages count characters (code points) of the input after vn_normalize, from 1,
 * so a person can find the character in what was read. Every finding writes two messages,
 * Vietnamese then English, each with its own format checked by the compiler.
 */
#include "pipeline/validate.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline/vntext.h"

/* What a field is called: the prefix of its codes and its name inside a sentence. */
struct field {
    const char *key;
    const char *vi;
    const char *en;
};

static const struct field F_CCCD = {"cccd", "số CCCD/CMND", "citizen ID number"};
static const struct field F_MST = {"mst", "mã số thuế", "tax code"};
static const struct field F_DATE = {"date", "ngày tháng", "date"};
static const struct field F_RECEIPT = {"receipt", "số biên nhận hồ sơ", "dossier receipt number"};
static const struct field F_PROCEDURE = {"procedure", "mã thủ tục hành chính", "procedure code"};
static const struct field F_DOCNUM = {"docnum", "số, ký hiệu văn bản", "document number"};

/* ---- text buffers and messages --------------------------------------------------------------- */

/* After a truncating vsnprintf: drop a partial UTF-8 sequence left at the end of `s`. */
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

/* A bounded string builder: appends until full, then ignores the rest; always NUL-terminated. */
struct sbuf {
    char *s;
    size_t cap, len;
    bool full;
};

static void sb_init(struct sbuf *b, char *s, size_t cap)
{
    b->s = s;
    b->cap = cap;
    b->len = 0;
    b->full = false;
    s[0] = '\0';
}

static void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->full)
        return;
    int k = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    if (k < 0) {
        b->s[b->len] = '\0';
    } else if ((size_t)k >= b->cap - b->len) {
        utf8_cut_partial(b->s);
        b->len = strlen(b->s);
        b->full = true;
    } else {
        b->len += (size_t)k;
    }
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

/* One code point as UTF-8; controls, bidirectional overrides, lone combining marks and
 * non-characters as "U+XXXX" so a message never carries them. */
static void sb_cp(struct sbuf *b, uint32_t cp)
{
    char u[5] = {0};
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || (cp >= 0x0300 && cp <= 0x036F) ||
        (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        sb_printf(b, "U+%04X", (unsigned)cp);
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
    sb_printf(b, "%s", u);
}

/* Write a message (truncated on a character boundary). */
static void msg(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void msg(char *buf, const char *fmt, ...)
{
    struct sbuf b;
    va_list ap;
    sb_init(&b, buf, SOHOA_CHECK_MSG_MAX);
    va_start(ap, fmt);
    sb_vprintf(&b, fmt, ap);
    va_end(ap);
}

/* ---- results --------------------------------------------------------------------------------- */

const char *sohoa_check_severity_name(enum sohoa_check_severity s)
{
    switch (s) {
    case SOHOA_CHECK_PASS:
        return "pass";
    case SOHOA_CHECK_WARNING:
        return "warning";
    case SOHOA_CHECK_ERROR:
        return "error";
    }
    return "?";
}

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
static struct sohoa_check *finding(struct sohoa_validation *v, enum sohoa_check_severity sev,
                                   const struct field *f, const char *what)
{
    size_t i = v->n_checks < SOHOA_CHECKS_MAX ? v->n_checks++ : SOHOA_CHECKS_MAX - 1;
    struct sohoa_check *c = &v->checks[i];
    memset(c, 0, sizeof *c);
    c->severity = sev;
    snprintf(c->code, sizeof c->code, "%s.%s", f->key, what);
    if (sev > v->severity)
        v->severity = sev;
    return c;
}

static void value_set(struct sohoa_validation *v, const char *s)
{
    snprintf(v->value, sizeof v->value, "%s", s);
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

/* ---- dates: calendar helpers ----------------------------------------------------------------- */

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

/* The input as canonical code points, white space trimmed; cp[i] is character base + i + 1 of
 * the canonical text. */
struct input {
    uint32_t *cp;
    size_t n;
    size_t base;
};

static bool cp_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x2000 && c <= 0x200A) || c == 0x205F ||
           c == 0x3000;
}

/* Hyphen and the dashes OCR and word processors put in its place. */
static bool cp_dash(uint32_t c)
{
    return c == '-' || (c >= 0x2010 && c <= 0x2015) || c == 0x2212;
}

static bool cp_digit(uint32_t c)
{
    return c >= '0' && c <= '9';
}

/* Lower-case ASCII letter of a Vietnamese letter (ế → e, Đ → d), else 0. */
static char cp_fold(uint32_t c)
{
    uint32_t s = vn_strip_cp(c);
    if (s >= 'A' && s <= 'Z')
        return (char)(s - 'A' + 'a');
    if (s >= 'a' && s <= 'z')
        return (char)s;
    return 0;
}

/* Load `raw`. 0: ready; 1: a finding (too long, empty) already decided the result; <0: failure. */
static int input_load(const char *raw, const struct field *f, struct sohoa_validation *v,
                      struct input *in, struct sohoa_err *err)
{
    char *canon = NULL;
    size_t len = strnlen(raw, SOHOA_VALIDATE_INPUT_MAX + 1);
    if (len > SOHOA_VALIDATE_INPUT_MAX) {
        struct sohoa_check *c = finding(v, SOHOA_CHECK_ERROR, f, "too_long");
        msg(c->msg_vi, "Chuỗi đọc được quá dài để là %s (hơn %d byte)", f->vi,
            SOHOA_VALIDATE_INPUT_MAX);
        msg(c->msg_en, "The text read is too long to be a %s (over %d bytes)", f->en,
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
    while (s < e && cp_space(in->cp[s]))
        s++;
    while (e > s && cp_space(in->cp[e - 1]))
        e--;
    if (s > 0)
        memmove(in->cp, in->cp + s, (e - s) * sizeof *in->cp);
    in->n = e - s;
    in->base = s;
    if (in->n == 0) {
        struct sohoa_check *c = finding(v, SOHOA_CHECK_ERROR, f, "empty");
        msg(c->msg_vi, "Không đọc được %s: chuỗi rỗng", f->vi);
        msg(c->msg_en, "No %s: the text is empty", f->en);
        return 1;
    }
    return 0;
}

static size_t input_pos(const struct input *in, size_t i)
{
    return in->base + i + 1;
}

/* "“X” ở vị trí 5" / "“X” at position 5" for messages about one character. */
static void quote_char(char *vi, char *en, size_t cap, uint32_t cp, size_t pos)
{
    struct sbuf b;
    sb_init(&b, vi, cap);
    sb_printf(&b, "“");
    sb_cp(&b, cp);
    sb_printf(&b, "” ở vị trí %zu", pos);
    sb_init(&b, en, cap);
    sb_printf(&b, "“");
    sb_cp(&b, cp);
    sb_printf(&b, "” at position %zu", pos);
}

static void not_digit(struct sohoa_validation *v, const struct field *f, uint32_t cp, size_t pos)
{
    char qvi[64], qen[64];
    quote_char(qvi, qen, sizeof qvi, cp, pos);
    struct sohoa_check *c = finding(v, SOHOA_CHECK_ERROR, f, "not_digits");
    msg(c->msg_vi, "Ký tự %s không phải chữ số: %s chỉ gồm chữ số", qvi, f->vi);
    msg(c->msg_en, "Character %s is not a digit: a %s holds only digits", qen, f->en);
}

/* ---- OCR digit repair ------------------------------------------------------------------------ */

/* The digit an OCR confusion stands for (Tesseract vie unicharambigs: 0/O, 0/o, 1/I, 1/l, I/|,
 * l/|), else 0. */
static char repair_digit(uint32_t c)
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

#define REPAIRS_LISTED 6

/* Repairs made while reading one value: how many, and the first few in detail. */
struct repairs {
    int n;
    struct {
        size_t pos;
        uint32_t from, to;
    } item[REPAIRS_LISTED];
};

static void repairs_note(struct repairs *r, size_t pos, uint32_t from, uint32_t to)
{
    if (r->n < REPAIRS_LISTED) {
        r->item[r->n].pos = pos;
        r->item[r->n].from = from;
        r->item[r->n].to = to;
    }
    r->n++;
}

/* Record the repairs as one warning (nothing when there were none). */
static void repairs_report(struct sohoa_validation *v, const struct field *f,
                           const struct repairs *r)
{
    char vi[SOHOA_CHECK_MSG_MAX], en[SOHOA_CHECK_MSG_MAX];
    struct sbuf bv, be;
    if (r->n == 0)
        return;
    sb_init(&bv, vi, sizeof vi);
    sb_init(&be, en, sizeof en);
    for (int i = 0; i < r->n && i < REPAIRS_LISTED; i++) {
        sb_printf(&bv, "%s", i ? ", " : "");
        sb_cp(&bv, r->item[i].from);
        sb_printf(&bv, "→");
        sb_cp(&bv, r->item[i].to);
        sb_printf(&bv, " ở vị trí %zu", r->item[i].pos);
        sb_printf(&be, "%s", i ? ", " : "");
        sb_cp(&be, r->item[i].from);
        sb_printf(&be, "→");
        sb_cp(&be, r->item[i].to);
        sb_printf(&be, " at position %zu", r->item[i].pos);
    }
    if (r->n > REPAIRS_LISTED) {
        sb_printf(&bv, ", …");
        sb_printf(&be, ", …");
    }
    struct sohoa_check *c = finding(v, SOHOA_CHECK_WARNING, f, "repaired");
    msg(c->msg_vi, "Đã sửa %d ký tự OCR đọc nhầm trong %s, cần đối chiếu bản gốc: %s", r->n, f->vi,
        vi);
    msg(c->msg_en, "Repaired %d character(s) misread by OCR in the %s, check the original: %s",
        r->n, f->en, en);
    v->repairs = r->n;
}

static bool run_byte(unsigned char c)
{
    return (c >= '0' && c <= '9') || repair_digit(c);
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
            if (cp_digit((unsigned char)s[k.end]))
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
            char d = repair_digit((unsigned char)raw[j]);
            out[j] = fix && d ? d : raw[j];
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
static bool digits_collect(const struct input *in, const struct field *f,
                           struct sohoa_validation *v, char *d, size_t cap, size_t *nd,
                           struct repairs *rep)
{
    *nd = 0;
    for (size_t i = 0; i < in->n; i++) {
        uint32_t c = in->cp[i];
        char digit = cp_digit(c) ? (char)c : repair_digit(c);
        if (cp_space(c) || c == '.' || cp_dash(c))
            continue;
        if (!digit) {
            not_digit(v, f, c, input_pos(in, i));
            return false;
        }
        if (!cp_digit(c))
            repairs_note(rep, input_pos(in, i), c, (uint32_t)digit);
        if (*nd + 1 < cap)
            d[*nd] = digit;
        (*nd)++;
    }
    d[*nd < cap ? *nd : cap - 1] = '\0';
    return true;
}

/* ---- CCCD ------------------------------------------------------------------------------------ */

/* The 63 province codes of CCCD prefixes (DOMAIN.md; Decision 124/2004/QĐ-TTg codes, which never
 * change). Names in canonical form. The same list is models/provinces.json; test_validate keeps
 * the two equal. */
/* clang-format off */
static const struct {
    const char *prefix;
    const char *name;
} provinces[] = {
    {"001", "Hà Nội"}, {"002", "Hà Giang"}, {"004", "Cao Bằng"}, {"006", "Bắc Kạn"},
    {"008", "Tuyên Quang"}, {"010", "Lào Cai"}, {"011", "Điện Biên"}, {"012", "Lai Châu"},
    {"014", "Sơn La"}, {"015", "Yên Bái"}, {"017", "Hoà Bình"}, {"019", "Thái Nguyên"},
    {"020", "Lạng Sơn"}, {"022", "Quảng Ninh"}, {"024", "Bắc Giang"}, {"025", "Phú Thọ"},
    {"026", "Vĩnh Phúc"}, {"027", "Bắc Ninh"}, {"030", "Hải Dương"}, {"031", "Hải Phòng"},
    {"033", "Hưng Yên"}, {"034", "Thái Bình"}, {"035", "Hà Nam"}, {"036", "Nam Định"},
    {"037", "Ninh Bình"}, {"038", "Thanh Hoá"}, {"040", "Nghệ An"}, {"042", "Hà Tĩnh"},
    {"044", "Quảng Bình"}, {"045", "Quảng Trị"}, {"046", "Thừa Thiên Huế"}, {"048", "Đà Nẵng"},
    {"049", "Quảng Nam"}, {"051", "Quảng Ngãi"}, {"052", "Bình Định"}, {"054", "Phú Yên"},
    {"056", "Khánh Hoà"}, {"058", "Ninh Thuận"}, {"060", "Bình Thuận"}, {"062", "Kon Tum"},
    {"064", "Gia Lai"}, {"066", "Đắk Lắk"}, {"067", "Đắk Nông"}, {"068", "Lâm Đồng"},
    {"070", "Bình Phước"}, {"072", "Tây Ninh"}, {"074", "Bình Dương"}, {"075", "Đồng Nai"},
    {"077", "Bà Rịa - Vũng Tàu"}, {"079", "TP. Hồ Chí Minh"}, {"080", "Long An"}, {"082", "Tiền Giang"},
    {"083", "Bến Tre"}, {"084", "Trà Vinh"}, {"086", "Vĩnh Long"}, {"087", "Đồng Tháp"},
    {"089", "An Giang"}, {"091", "Kiên Giang"}, {"092", "Cần Thơ"}, {"093", "Hậu Giang"},
    {"094", "Sóc Trăng"}, {"095", "Bạc Liêu"}, {"096", "Cà Mau"},
};
/* clang-format on */

const char *sohoa_cccd_province_name(const char *prefix3)
{
    if (!prefix3 || strnlen(prefix3, 4) != 3)
        return NULL;
    for (size_t i = 0; i < sizeof provinces / sizeof provinces[0]; i++)
        if (!strcmp(provinces[i].prefix, prefix3))
            return provinces[i].name;
    return NULL;
}

enum sohoa_sex sohoa_sex_parse(const char *text)
{
    struct sohoa_validation scratch; /* input_load's findings, not reported */
    struct input in = {0};
    char w[8];
    size_t k = 0;
    enum sohoa_sex sex = SOHOA_SEX_UNKNOWN;
    if (validation_begin(&scratch, text, NULL) || input_load(text, &F_CCCD, &scratch, &in, NULL))
        goto out;
    for (size_t i = 0; i < in.n; i++) {
        char c = cp_fold(in.cp[i]);
        if (!c || k + 1 >= sizeof w)
            goto out;
        w[k++] = c;
    }
    w[k] = '\0';
    if (!strcmp(w, "nam") || !strcmp(w, "male"))
        sex = SOHOA_SEX_MALE;
    else if (!strcmp(w, "nu") || !strcmp(w, "female"))
        sex = SOHOA_SEX_FEMALE;
out:
    free(in.cp);
    return sex;
}

static const char *sex_vi(enum sohoa_sex s)
{
    return s == SOHOA_SEX_MALE ? "nam" : s == SOHOA_SEX_FEMALE ? "nữ" : "?";
}

static const char *sex_en(enum sohoa_sex s)
{
    return s == SOHOA_SEX_MALE ? "male" : s == SOHOA_SEX_FEMALE ? "female" : "?";
}

/* The soft structure rules of a 12-digit number PPP G YY NNNNNN (all warnings). */
static void cccd_structure(struct sohoa_validation *v, const char *d,
                           const struct sohoa_cccd_hint *hint, const struct sohoa_ymd *today)
{
    struct sohoa_check *c;
    char prefix[4] = {d[0], d[1], d[2], '\0'};
    const char *place = sohoa_cccd_province_name(prefix);
    int g = d[3] - '0', yy = (d[4] - '0') * 10 + (d[5] - '0');
    int year = 0;
    enum sohoa_sex sex = SOHOA_SEX_UNKNOWN;

    if (!place) {
        c = finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "province_unknown");
        msg(c->msg_vi,
            "Mã nơi đăng ký khai sinh %s (3 chữ số đầu) không thuộc 63 mã tỉnh, thành phố", prefix);
        msg(c->msg_en,
            "Birth registration code %s (first 3 digits) is none of the 63 province codes", prefix);
    }
    if (g <= 5) {
        year = 1900 + 100 * (g / 2) + yy;
        sex = g % 2 ? SOHOA_SEX_FEMALE : SOHOA_SEX_MALE;
    } else {
        c = finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "century_sex_unknown");
        msg(c->msg_vi, "Chữ số thứ 4 (%d) phải từ 0 đến 5: nó cho biết thế kỷ sinh và giới tính",
            g);
        msg(c->msg_en, "Digit 4 (%d) must be 0 to 5: it gives the century of birth and the sex", g);
    }
    if (year && year > today->year) {
        c = finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "birth_year_future");
        msg(c->msg_vi, "Năm sinh theo số CCCD (%d) chưa tới", year);
        msg(c->msg_en, "The birth year the number gives (%d) lies in the future", year);
    }
    if (hint && hint->birth_year > 0 &&
        (year ? year != hint->birth_year : yy != hint->birth_year % 100)) {
        c = finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "birth_year_mismatch");
        if (year) {
            msg(c->msg_vi, "Số CCCD cho năm sinh %d nhưng giấy tờ ghi năm sinh %d", year,
                hint->birth_year);
            msg(c->msg_en, "The number gives birth year %d but the document says %d", year,
                hint->birth_year);
        } else {
            msg(c->msg_vi, "Hai chữ số năm sinh trong số CCCD (%02d) khác năm sinh %d", yy,
                hint->birth_year);
            msg(c->msg_en,
                "The two birth-year digits of the number (%02d) differ from birth year %d", yy,
                hint->birth_year);
        }
    }
    if (hint && hint->sex != SOHOA_SEX_UNKNOWN && sex != SOHOA_SEX_UNKNOWN && sex != hint->sex) {
        c = finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "sex_mismatch");
        msg(c->msg_vi, "Số CCCD cho giới tính %s (chữ số thứ 4 là %d) nhưng giấy tờ ghi %s",
            sex_vi(sex), g, sex_vi(hint->sex));
        msg(c->msg_en, "The number says %s (digit 4 is %d) but the document says %s", sex_en(sex),
            g, sex_en(hint->sex));
    }
    if (v->severity == SOHOA_CHECK_PASS) {
        c = finding(v, SOHOA_CHECK_PASS, &F_CCCD, "ok");
        msg(c->msg_vi, "Số CCCD đúng cấu trúc: đăng ký khai sinh tại %s, %s, sinh năm %d", place,
            sex_vi(sex), year);
        msg(c->msg_en, "Citizen ID well formed: birth registered in %s, %s, born %d", place,
            sex_en(sex), year);
    }
}

int sohoa_cccd_validate(const char *raw, const struct sohoa_cccd_hint *hint,
                        const struct sohoa_ymd *today, struct sohoa_validation *out,
                        struct sohoa_err *err)
{
    struct input in = {0};
    struct repairs rep = {0};
    struct sohoa_ymd now;
    char d[16];
    size_t nd = 0;
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = today_resolve(today, &now, err);
    if (rc)
        goto out;
    rc = input_load(raw, &F_CCCD, out, &in, err);
    if (rc)
        goto out;
    if (!digits_collect(&in, &F_CCCD, out, d, sizeof d, &nd, &rep))
        goto out;
    if (nd != 12 && nd != 9) {
        struct sohoa_check *c = finding(out, SOHOA_CHECK_ERROR, &F_CCCD, "length");
        msg(c->msg_vi, "Số CCCD có %zu chữ số; cần 12 (CCCD) hoặc 9 (CMND cũ)", nd);
        msg(c->msg_en, "The ID number has %zu digits; a CCCD has 12, an old CMND 9", nd);
        goto out;
    }
    value_set(out, d);
    repairs_report(out, &F_CCCD, &rep);
    if (nd == 12) {
        cccd_structure(out, d, hint, &now);
    } else if (out->severity == SOHOA_CHECK_PASS) {
        struct sohoa_check *c = finding(out, SOHOA_CHECK_PASS, &F_CCCD, "old_cmnd");
        msg(c->msg_vi,
            "Số chứng minh nhân dân 9 chữ số (mẫu cũ); không có quy tắc cấu trúc để kiểm tra");
        msg(c->msg_en, "Old 9-digit identity card (CMND) number; it has no structure to check");
    }
out:
    free(in.cp);
    return rc > 0 ? 0 : rc;
}

/* ---- MST ------------------------------------------------------------------------------------- */

/* 10 − (Σ weight·digit mod 11) over the first nine digits; 10 means no digit fits. */
static int mst_check_digit(const char *d)
{
    static const int weights[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += weights[i] * (d[i] - '0');
    return 10 - sum % 11;
}

int sohoa_mst_validate(const char *raw, struct sohoa_validation *out, struct sohoa_err *err)
{
    struct input in = {0};
    struct repairs rep = {0};
    struct sohoa_check *c;
    char d[16];
    size_t nd = 0;
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = input_load(raw, &F_MST, out, &in, err);
    if (rc)
        goto out;
    if (!digits_collect(&in, &F_MST, out, d, sizeof d, &nd, &rep))
        goto out;
    bool dashed = false; /* "0100233488-01": a branch code that lost a digit, no personal ID */
    for (size_t i = 0; i < in.n; i++)
        dashed = dashed || cp_dash(in.cp[i]);
    if (nd == 12 && !dashed) { /* an individual's tax code since 1 July 2025: the personal ID */
        value_set(out, d);
        repairs_report(out, &F_MST, &rep);
        c = finding(out, SOHOA_CHECK_WARNING, &F_MST, "personal_id");
        msg(c->msg_vi, "Mã số thuế 12 chữ số: từ 01/7/2025 cá nhân dùng số định danh cá nhân làm "
                       "mã số thuế; không có chữ số kiểm tra, hãy kiểm tra như số CCCD");
        msg(c->msg_en, "12-digit tax code: since 1 July 2025 an individual's tax code is their "
                       "personal ID number; it has no check digit, check it as a citizen ID");
        goto out;
    }
    if (nd != 10 && nd != 13) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_MST, "length");
        msg(c->msg_vi,
            "Mã số thuế có %zu chữ số; cần 10, hoặc 13 với đơn vị phụ thuộc "
            "(XXXXXXXXXX-NNN)",
            nd);
        msg(c->msg_en,
            "The tax code has %zu digits; it needs 10, or 13 for a branch "
            "(XXXXXXXXXX-NNN)",
            nd);
        goto out;
    }
    snprintf(out->value, sizeof out->value, "%.10s%s%s", d, nd == 13 ? "-" : "",
             nd == 13 ? d + 10 : "");
    repairs_report(out, &F_MST, &rep);
    if (!memcmp(d + 2, "0000000", 7)) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_MST, "sequence_zero");
        msg(c->msg_vi, "Chữ số thứ 3 đến 9 của mã số thuế (số thứ tự) không thể là 0000000");
        msg(c->msg_en, "Digits 3 to 9 of a tax code (the sequence number) cannot be 0000000");
    }
    if (nd == 13 && !memcmp(d + 10, "000", 3)) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_MST, "branch_zero");
        msg(c->msg_vi, "Số đơn vị phụ thuộc (3 chữ số cuối) phải từ 001 đến 999, không phải 000");
        msg(c->msg_en, "The branch number (last 3 digits) must be 001 to 999, not 000");
    }
    int check = mst_check_digit(d);
    if (check == 10) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_MST, "check_digit");
        msg(c->msg_vi, "Sai mã số thuế: không có chữ số kiểm tra nào hợp với 9 chữ số đầu %.9s", d);
        msg(c->msg_en, "Invalid tax code: no check digit fits the first nine digits %.9s", d);
    } else if (check != d[9] - '0') {
        c = finding(out, SOHOA_CHECK_ERROR, &F_MST, "check_digit");
        msg(c->msg_vi, "Sai chữ số kiểm tra: chữ số thứ 10 là %c, theo 9 chữ số đầu phải là %d",
            d[9], check);
        msg(c->msg_en, "Wrong check digit: digit 10 is %c, the first nine digits call for %d", d[9],
            check);
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = finding(out, SOHOA_CHECK_PASS, &F_MST, "ok");
        if (nd == 13) {
            msg(c->msg_vi,
                "Mã số thuế hợp lệ (chữ số kiểm tra đúng) của đơn vị phụ thuộc số %s "
                "thuộc %.10s",
                d + 10, d);
            msg(c->msg_en, "Valid tax code (check digit correct) of branch %s of %.10s", d + 10, d);
        } else {
            msg(c->msg_vi, "Mã số thuế hợp lệ (chữ số kiểm tra đúng)");
            msg(c->msg_en, "Valid tax code (check digit correct)");
        }
    }
out:
    free(in.cp);
    return rc > 0 ? 0 : rc;
}

/* ---- dates ----------------------------------------------------------------------------------- */

/* A date is read as tokens: words (folded to ASCII), numbers (digits and confusable letters),
 * separators (/ - .) and other punctuation. */
enum tok_kind { TOK_WORD, TOK_NUM, TOK_SEP, TOK_PUNCT };

struct tok {
    enum tok_kind kind;
    size_t start, len; /* in code points of the input */
    char word[12];     /* TOK_WORD: folded ASCII ("" when longer or not Vietnamese letters) */
    uint32_t ch;       /* TOK_SEP ('/', '-', '.') and TOK_PUNCT: the character */
};

#define DATE_TOKENS_MAX 32

static bool cp_alnum(uint32_t c)
{
    return cp_digit(c) || c == '|' || cp_fold(c);
}

/* Tokens of `in`; false when there are more than `cap`. */
static bool date_tokenize(const struct input *in, struct tok *t, size_t cap, size_t *nt)
{
    *nt = 0;
    for (size_t i = 0; i < in->n;) {
        uint32_t c = in->cp[i];
        if (cp_space(c)) {
            i++;
            continue;
        }
        if (*nt == cap)
            return false;
        struct tok *k = &t[(*nt)++];
        memset(k, 0, sizeof *k);
        k->start = i;
        if (!cp_alnum(c)) {
            k->len = 1;
            k->kind = c == '/' || c == '.' || cp_dash(c) ? TOK_SEP : TOK_PUNCT;
            k->ch = cp_dash(c) ? '-' : c;
            i++;
            continue;
        }
        bool number = true;
        while (i < in->n && cp_alnum(in->cp[i])) {
            if (!cp_digit(in->cp[i]) && !repair_digit(in->cp[i]))
                number = false;
            i++;
        }
        k->len = i - k->start;
        k->kind = number ? TOK_NUM : TOK_WORD;
        if (!number && k->len < sizeof k->word)
            for (size_t j = 0; j < k->len; j++)
                k->word[j] = cp_fold(in->cp[k->start + j]) ? cp_fold(in->cp[k->start + j]) : '?';
    }
    return true;
}

static bool tok_word(const struct tok *t, size_t nt, size_t i, const char *w)
{
    return i < nt && t[i].kind == TOK_WORD && !strcmp(t[i].word, w);
}

static bool tok_punct(const struct tok *t, size_t nt, size_t i, uint32_t ch)
{
    return i < nt && (t[i].kind == TOK_PUNCT || t[i].kind == TOK_SEP) && t[i].ch == ch;
}

/* The value of a number token of `min`..`max` characters, confusions repaired (noted in `rep`);
 * -1 when it is no such number. */
static int tok_number(const struct input *in, const struct tok *t, size_t nt, size_t i, size_t min,
                      size_t max, struct repairs *rep)
{
    int val = 0;
    if (i >= nt || t[i].kind != TOK_NUM || t[i].len < min || t[i].len > max)
        return -1;
    for (size_t j = 0; j < t[i].len; j++) {
        uint32_t c = in->cp[t[i].start + j];
        char d = cp_digit(c) ? (char)c : repair_digit(c);
        if (!cp_digit(c))
            repairs_note(rep, input_pos(in, t[i].start + j), c, (uint32_t)d);
        val = val * 10 + (d - '0');
    }
    return val;
}

/* Parse the tokens into y/m/d (m = d = 0 for a year only). False when they form no date. */
static bool date_grammar(const struct input *in, const struct tok *t, size_t nt,
                         struct sohoa_ymd *ymd, bool *year_only, struct repairs *rep)
{
    size_t i = 0;
    int d = -1, m = -1, y = -1;
    *year_only = false;
    /* "Hà Nội, ngày ...": a place before the last comma that precedes "ngày" */
    for (size_t k = 0; k + 1 < nt; k++)
        if (tok_punct(t, nt, k, ',') && tok_word(t, nt, k + 1, "ngay"))
            i = k + 1;
    if (tok_word(t, nt, i, "sinh"))
        i++;
    bool ngay = tok_word(t, nt, i, "ngay");
    bool nam = !ngay && tok_word(t, nt, i, "nam");
    if (ngay || nam) {
        i++;
        if (tok_punct(t, nt, i, ':'))
            i++;
    }
    if (nam) { /* "năm 1969" */
        y = tok_number(in, t, nt, i++, 4, 4, rep);
        d = m = 0;
        *year_only = true;
    } else if (tok_word(t, nt, i + 1, "thang")) { /* "ngày 05 tháng 01 năm 2020" */
        d = tok_number(in, t, nt, i, 1, 2, rep);
        m = tok_number(in, t, nt, i + 2, 1, 2, rep);
        if (!tok_word(t, nt, i + 3, "nam"))
            return false;
        y = tok_number(in, t, nt, i + 4, 4, 4, rep);
        i += 5;
    } else if (i + 1 < nt && t[i + 1].kind == TOK_SEP && t[i].len == 4) { /* "2020-01-05" */
        uint32_t sep = t[i + 1].ch;
        y = tok_number(in, t, nt, i, 4, 4, rep);
        m = tok_number(in, t, nt, i + 2, 1, 2, rep);
        if (!tok_punct(t, nt, i + 3, sep) || t[i + 3].kind != TOK_SEP)
            return false;
        d = tok_number(in, t, nt, i + 4, 1, 2, rep);
        i += 5;
    } else if (i + 1 < nt && t[i + 1].kind == TOK_SEP) { /* "05/01/2020" */
        uint32_t sep = t[i + 1].ch;
        d = tok_number(in, t, nt, i, 1, 2, rep);
        m = tok_number(in, t, nt, i + 2, 1, 2, rep);
        if (!tok_punct(t, nt, i + 3, sep) || t[i + 3].kind != TOK_SEP)
            return false;
        y = tok_number(in, t, nt, i + 4, 4, 4, rep);
        i += 5;
    } else if (!ngay) { /* "1969" */
        y = tok_number(in, t, nt, i++, 4, 4, rep);
        d = m = 0;
        *year_only = true;
    }
    if (d < 0 || m < 0 || y < 0)
        return false;
    for (; i < nt; i++) /* a sentence's end may follow */
        if (!tok_punct(t, nt, i, '.') && !tok_punct(t, nt, i, ',') && !tok_punct(t, nt, i, ';'))
            return false;
    ymd->year = y;
    ymd->month = m;
    ymd->day = d;
    return true;
}

int sohoa_date_parse(const char *raw, const struct sohoa_ymd *today, struct sohoa_ymd *date,
                     struct sohoa_validation *out, struct sohoa_err *err)
{
    struct input in = {0};
    struct repairs rep = {0};
    struct tok t[DATE_TOKENS_MAX];
    struct sohoa_ymd now, ymd = {0};
    struct sohoa_check *c;
    size_t nt = 0;
    if (date)
        memset(date, 0, sizeof *date);
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = today_resolve(today, &now, err);
    if (rc)
        goto out;
    rc = input_load(raw, &F_DATE, out, &in, err);
    if (rc)
        goto out;
    bool year_only = false;
    if (!date_tokenize(&in, t, DATE_TOKENS_MAX, &nt) ||
        !date_grammar(&in, t, nt, &ymd, &year_only, &rep)) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_DATE, "format");
        msg(c->msg_vi,
            "Không đọc được ngày tháng; dạng nhận được: 05/01/2020, 5-1-2020, 2020-01-05, "
            "ngày 05 tháng 01 năm 2020, năm 1969 (năm đủ 4 chữ số)");
        msg(c->msg_en, "Not a date; accepted forms: 05/01/2020, 5-1-2020, 2020-01-05, "
                       "ngày 05 tháng 01 năm 2020, năm 1969 (4-digit years)");
        goto out;
    }
    if (year_only ? !sohoa_ymd_valid(ymd.year, 1, 1)
                  : !sohoa_ymd_valid(ymd.year, ymd.month, ymd.day)) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_DATE, "invalid");
        if (year_only) {
            msg(c->msg_vi, "Năm %04d không tồn tại", ymd.year);
            msg(c->msg_en, "There is no year %04d", ymd.year);
        } else {
            msg(c->msg_vi, "Ngày %02d/%02d/%04d không có trong lịch", ymd.day, ymd.month, ymd.year);
            msg(c->msg_en, "There is no such day as %02d/%02d/%04d (day/month/year)", ymd.day,
                ymd.month, ymd.year);
        }
        goto out;
    }
    if (year_only)
        snprintf(out->value, sizeof out->value, "%04d", ymd.year);
    else
        snprintf(out->value, sizeof out->value, "%04d-%02d-%02d", ymd.year, ymd.month, ymd.day);
    if (date)
        *date = ymd;
    repairs_report(out, &F_DATE, &rep);
    /* how the date is named in messages: "Ngày 05/01/2020" / "Năm 1969", "date 2020-01-05" */
    char vi[32], en[32];
    if (year_only) {
        snprintf(vi, sizeof vi, "Năm %04d", ymd.year);
        snprintf(en, sizeof en, "Year %04d", ymd.year);
    } else {
        snprintf(vi, sizeof vi, "Ngày %02d/%02d/%04d", ymd.day, ymd.month, ymd.year);
        snprintf(en, sizeof en, "Date %04d-%02d-%02d", ymd.year, ymd.month, ymd.day);
    }
    if (sohoa_ymd_compare(&ymd, &now) > 0) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_DATE, "future");
        msg(c->msg_vi, "%s ở sau hôm nay (%02d/%02d/%04d)", vi, now.day, now.month, now.year);
        msg(c->msg_en, "%s is after today (%04d-%02d-%02d)", en, now.year, now.month, now.day);
    } else if (ymd.year < 1900) {
        c = finding(out, SOHOA_CHECK_WARNING, &F_DATE, "before_1900");
        msg(c->msg_vi, "%s trước năm 1900: khó có thật, cần đối chiếu bản gốc", vi);
        msg(c->msg_en, "%s is before 1900: unlikely, check the original", en);
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = finding(out, SOHOA_CHECK_PASS, &F_DATE, "ok");
        msg(c->msg_vi, "%s hợp lệ%s", vi, year_only ? " (chỉ ghi năm)" : "");
        msg(c->msg_en, "%s is valid%s", en, year_only ? " (year only)" : "");
    }
out:
    free(in.cp);
    return rc > 0 ? 0 : rc;
}

/* ---- fixed-shape codes: receipt numbers, procedure codes ------------------------------------- */

#define UNIT_SHAPE     "DDD.DD.DD.LDD"
#define RECEIPT_SHAPE  UNIT_SHAPE "-DDDDDD-DDDD"
#define PROCEDURE_NAT  "D.DDDDDD"
#define PROCEDURE_UNIT PROCEDURE_NAT "." UNIT_SHAPE

/* The input with white space dropped, dashes read as '-' and, when `comma_is_dot`, ',' as '.'
 * (an OCR confusion, noted); `pos` keeps each character's position. */
struct packed {
    uint32_t c[SOHOA_VALIDATE_INPUT_MAX];
    size_t pos[SOHOA_VALIDATE_INPUT_MAX];
    size_t n;
};

static void pack(const struct input *in, struct packed *p, bool comma_is_dot, struct repairs *rep)
{
    p->n = 0;
    for (size_t i = 0; i < in->n && p->n < SOHOA_VALIDATE_INPUT_MAX; i++) {
        uint32_t c = in->cp[i];
        if (cp_space(c))
            continue;
        if (comma_is_dot && c == ',') {
            repairs_note(rep, input_pos(in, i), ',', '.');
            c = '.';
        }
        p->c[p->n] = cp_dash(c) ? '-' : c;
        p->pos[p->n++] = input_pos(in, i);
    }
}

/* Match `p` against `shape` ('D' a digit, confusions repaired and noted; 'L' an ASCII letter,
 * upper-cased; anything else itself) into `value`. Returns the index of the first character that
 * does not fit (p->n or the shape's length when one is shorter), or SIZE_MAX on a match. */
static size_t shape_match(const struct packed *p, const char *shape, char *value,
                          struct repairs *rep)
{
    size_t len = strlen(shape), i;
    for (i = 0; i < len && i < p->n; i++) {
        uint32_t c = p->c[i];
        char want = shape[i];
        if (want == 'D') {
            char d = cp_digit(c) ? (char)c : repair_digit(c);
            if (!d)
                return i;
            if (!cp_digit(c))
                repairs_note(rep, p->pos[i], c, (uint32_t)d);
            value[i] = d;
        } else if (want == 'L') {
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                return i;
            value[i] = (char)(c >= 'a' ? c - 'a' + 'A' : c);
        } else {
            if (c != (uint32_t)want)
                return i;
            value[i] = want;
        }
    }
    value[i] = '\0';
    return i == len && i == p->n ? SIZE_MAX : i;
}

/* The "format" error of a fixed-shape code, naming where the text stops fitting. */
static void shape_error(struct sohoa_validation *v, const struct field *f, const struct packed *p,
                        size_t bad, const char *form_vi, const char *form_en)
{
    char wvi[96], wen[96];
    struct sbuf bv, be;
    sb_init(&bv, wvi, sizeof wvi);
    sb_init(&be, wen, sizeof wen);
    if (bad < p->n) {
        char qvi[64], qen[64];
        quote_char(qvi, qen, sizeof qvi, p->c[bad], p->pos[bad]);
        sb_printf(&bv, "sai từ ký tự %s", qvi);
        sb_printf(&be, "wrong from character %s", qen);
    } else {
        sb_printf(&bv, "quá ngắn, chỉ có %zu ký tự", p->n);
        sb_printf(&be, "too short, only %zu characters", p->n);
    }
    struct sohoa_check *c = finding(v, SOHOA_CHECK_ERROR, f, "format");
    msg(c->msg_vi, "Không đúng dạng %s %s: %s", f->vi, form_vi, wvi);
    msg(c->msg_en, "Not a %s of the form %s: %s", f->en, form_en, wen);
}

int sohoa_receipt_validate(const char *raw, const struct sohoa_ymd *today,
                           struct sohoa_validation *out, struct sohoa_err *err)
{
    static const char form[] = "V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX (000.00.00.H30-261129-0001)";
    struct input in = {0};
    struct repairs rep = {0};
    struct packed *p = NULL;
    struct sohoa_ymd now, got;
    struct sohoa_check *c;
    char value[sizeof RECEIPT_SHAPE];
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = today_resolve(today, &now, err);
    if (rc)
        goto out;
    rc = input_load(raw, &F_RECEIPT, out, &in, err);
    if (rc)
        goto out;
    p = malloc(sizeof *p);
    if (!p) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "receipt number: out of memory");
        goto out;
    }
    pack(&in, p, true, &rep);
    size_t bad = shape_match(p, RECEIPT_SHAPE, value, &rep);
    if (bad != SIZE_MAX) {
        shape_error(out, &F_RECEIPT, p, bad, form, form);
        goto out;
    }
    value_set(out, value);
    repairs_report(out, &F_RECEIPT, &rep);
    const char *ds = value + sizeof UNIT_SHAPE; /* YYMMDD */
    got.year = 2000 + (ds[0] - '0') * 10 + (ds[1] - '0');
    got.month = (ds[2] - '0') * 10 + (ds[3] - '0');
    got.day = (ds[4] - '0') * 10 + (ds[5] - '0');
    int seq = atoi(ds + 7);
    if (!sohoa_ymd_valid(got.year, got.month, got.day)) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_RECEIPT, "date_invalid");
        msg(c->msg_vi,
            "Ngày tiếp nhận %.6s (năm, tháng, ngày) trong số biên nhận không có trong lịch", ds);
        msg(c->msg_en, "The receipt date %.6s (YYMMDD) in the receipt number is no calendar day",
            ds);
    } else if (sohoa_ymd_compare(&got, &now) > 0) {
        c = finding(out, SOHOA_CHECK_ERROR, &F_RECEIPT, "date_future");
        msg(c->msg_vi, "Ngày tiếp nhận %02d/%02d/%04d trong số biên nhận ở sau hôm nay", got.day,
            got.month, got.year);
        msg(c->msg_en, "The receipt date %04d-%02d-%02d in the receipt number is after today",
            got.year, got.month, got.day);
    }
    if (seq == 0) {
        c = finding(out, SOHOA_CHECK_WARNING, &F_RECEIPT, "sequence_zero");
        msg(c->msg_vi, "Số thứ tự hồ sơ trong ngày là 0000; số thứ tự bắt đầu từ 0001");
        msg(c->msg_en, "The day's sequence number is 0000; numbering starts at 0001");
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = finding(out, SOHOA_CHECK_PASS, &F_RECEIPT, "ok");
        msg(c->msg_vi,
            "Số biên nhận hợp lệ: đơn vị tiếp nhận %.13s, ngày tiếp nhận %02d/%02d/%04d, "
            "hồ sơ thứ %d trong ngày",
            value, got.day, got.month, got.year, seq);
        msg(c->msg_en,
            "Valid receipt number: receiving unit %.13s, received %04d-%02d-%02d, "
            "dossier %d of the day",
            value, got.year, got.month, got.day, seq);
    }
out:
    free(p);
    free(in.cp);
    return rc > 0 ? 0 : rc;
}

int sohoa_procedure_code_validate(const char *raw, struct sohoa_validation *out,
                                  struct sohoa_err *err)
{
    struct input in = {0};
    struct repairs rep = {0}, rep_unit = {0};
    struct packed *p = NULL;
    struct sohoa_check *c;
    char value[sizeof PROCEDURE_UNIT];
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = input_load(raw, &F_PROCEDURE, out, &in, err);
    if (rc)
        goto out;
    p = malloc(sizeof *p);
    if (!p) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "procedure code: out of memory");
        goto out;
    }
    pack(&in, p, true, &rep);
    rep_unit = rep;
    size_t bad_nat = shape_match(p, PROCEDURE_NAT, value, &rep);
    bool national = bad_nat == SIZE_MAX;
    if (!national) {
        size_t bad = shape_match(p, PROCEDURE_UNIT, value, &rep_unit);
        if (bad != SIZE_MAX) {
            shape_error(out, &F_PROCEDURE, p, bad, "1.011442 hoặc 1.011442.000.00.00.H38",
                        "1.011442 or 1.011442.000.00.00.H38");
            goto out;
        }
        rep = rep_unit;
    }
    value_set(out, value);
    repairs_report(out, &F_PROCEDURE, &rep);
    if (out->severity == SOHOA_CHECK_PASS) {
        c = finding(out, SOHOA_CHECK_PASS, &F_PROCEDURE, "ok");
        if (national) {
            msg(c->msg_vi, "Mã thủ tục hành chính hợp lệ (mã quốc gia %s)", value);
            msg(c->msg_en, "Valid procedure code (national code %s)", value);
        } else {
            msg(c->msg_vi, "Mã thủ tục hành chính hợp lệ: mã quốc gia %.8s, đơn vị %s", value,
                value + sizeof PROCEDURE_NAT);
            msg(c->msg_en, "Valid procedure code: national code %.8s, unit %s", value,
                value + sizeof PROCEDURE_NAT);
        }
    }
out:
    free(p);
    free(in.cp);
    return rc > 0 ? 0 : rc;
}

/* ---- official document numbers --------------------------------------------------------------- */

#define DOCNUM_NUMBER_MAX 11 /* Decree 30/2020 Annex VI: CodeNumber */
#define DOCNUM_SYMBOL_MAX 30 /* CodeNotation */

enum { CP_D_STROKE_UPPER = 0x0110, CP_D_STROKE = 0x0111 };

static bool cp_ascii_letter(uint32_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool symbol_char(uint32_t c)
{
    return cp_ascii_letter(c) || cp_digit(c) || c == CP_D_STROKE_UPPER || c == CP_D_STROKE;
}

/* Characters of a leading "Số" / "So" label with its ':' (or '.', ';' as OCR reads it), 0 when
 * there is none. */
static size_t docnum_label(const struct input *in)
{
    size_t i = 2;
    if (in->n < 3 || cp_fold(in->cp[0]) != 's' || cp_fold(in->cp[1]) != 'o' ||
        (cp_alnum(in->cp[2]) && !cp_digit(in->cp[2])) || in->cp[2] == '/')
        return 0;
    while (i < in->n && cp_space(in->cp[i]))
        i++;
    if (i < in->n && (in->cp[i] == ':' || in->cp[i] == '.' || in->cp[i] == ';'))
        i++;
    return i;
}

static void docnum_error(struct sohoa_validation *v, const char *why_vi, const char *why_en)
{
    struct sohoa_check *c = finding(v, SOHOA_CHECK_ERROR, &F_DOCNUM, "format");
    msg(c->msg_vi,
        "Không đúng dạng số, ký hiệu văn bản \"số/ký hiệu\" (15/QĐ-BNV, 59/2020/QH14): %s", why_vi);
    msg(c->msg_en, "Not a document number \"number/symbol\" (15/QĐ-BNV, 59/2020/QH14): %s", why_en);
}

/* docnum_error naming one character. */
static void docnum_char_error(struct sohoa_validation *v, const struct packed *p, size_t i,
                              const char *what_vi, const char *what_en)
{
    char qvi[64], qen[64], wvi[160], wen[160];
    quote_char(qvi, qen, sizeof qvi, p->c[i], p->pos[i]);
    snprintf(wvi, sizeof wvi, "%s %s", what_vi, qvi);
    snprintf(wen, sizeof wen, "%s %s", what_en, qen);
    docnum_error(v, wvi, wen);
}

/* Digits p->c[from..to) into `s` (confusions repaired); false at another character (reported). */
static bool docnum_digits(struct sohoa_validation *v, const struct packed *p, size_t from,
                          size_t to, bool year, char *s, size_t cap, struct repairs *rep)
{
    size_t k = 0;
    for (size_t i = from; i < to; i++) {
        char d = cp_digit(p->c[i]) ? (char)p->c[i] : repair_digit(p->c[i]);
        if (!d) {
            docnum_char_error(
                v, p, i,
                year ? "năm phải là chữ số, không phải" : "số văn bản phải là chữ số, không phải",
                year ? "the year must be digits, not" : "the number must be digits, not");
            return false;
        }
        if (!cp_digit(p->c[i]))
            repairs_note(rep, p->pos[i], p->c[i], (uint32_t)d);
        if (k + 1 < cap)
            s[k++] = d;
    }
    s[k] = '\0';
    return true;
}

/* The symbol p->c[from..to): parts joined by '-', none empty, the first starting with a letter;
 * a part "QD" or "ND" gets the stroke OCR lost ("QĐ", "NĐ"). False when malformed (reported). */
static bool docnum_symbol(struct sohoa_validation *v, const struct packed *p, size_t from,
                          size_t to, char *s, size_t cap, struct repairs *rep)
{
    struct sbuf b;
    sb_init(&b, s, cap);
    if (to - from > DOCNUM_SYMBOL_MAX) {
        docnum_error(v, "ký hiệu dài quá 30 ký tự", "the symbol is longer than 30 characters");
        return false;
    }
    for (size_t i = from; i <= to;) {
        size_t e = i;
        while (e < to && p->c[e] != '-')
            e++;
        if (e == i) {
            docnum_error(v, i == to && i == from ? "thiếu ký hiệu" : "ký hiệu có phần rỗng",
                         i == to && i == from ? "no symbol" : "the symbol has an empty part");
            return false;
        }
        for (size_t k = i; k < e; k++)
            if (!symbol_char(p->c[k])) {
                docnum_char_error(v, p, k, "ký hiệu có ký tự", "the symbol holds character");
                return false;
            }
        if (i == from && !cp_ascii_letter(p->c[i]) && p->c[i] != CP_D_STROKE_UPPER) {
            docnum_char_error(v, p, i, "ký hiệu phải bắt đầu bằng chữ cái, không phải",
                              "the symbol must start with a letter, not");
            return false;
        }
        bool lost_stroke = e - i == 2 && (p->c[i] == 'Q' || p->c[i] == 'N') && p->c[i + 1] == 'D';
        for (size_t k = i; k < e; k++) {
            if (lost_stroke && k == i + 1) {
                repairs_note(rep, p->pos[k], 'D', CP_D_STROKE_UPPER);
                sb_cp(&b, CP_D_STROKE_UPPER);
            } else {
                sb_cp(&b, p->c[k]);
            }
        }
        if (e < to)
            sb_printf(&b, "-");
        i = e + 1;
    }
    return true;
}

int sohoa_docnum_parse(const char *raw, struct sohoa_docnum *doc, struct sohoa_validation *out,
                       struct sohoa_err *err)
{
    struct input in = {0};
    struct repairs rep = {0};
    struct packed *p = NULL;
    struct sohoa_docnum got;
    struct sohoa_check *c;
    size_t slash[2], ns = 0;
    memset(&got, 0, sizeof got);
    if (doc)
        memset(doc, 0, sizeof *doc);
    int rc = validation_begin(out, raw, err);
    if (rc)
        return rc;
    rc = input_load(raw, &F_DOCNUM, out, &in, err);
    if (rc)
        goto out;
    p = malloc(sizeof *p);
    if (!p) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "document number: out of memory");
        goto out;
    }
    size_t label = docnum_label(&in);
    memmove(in.cp, in.cp + label, (in.n - label) * sizeof *in.cp);
    in.n -= label;
    in.base += label;
    while (in.n > 0 && (in.cp[in.n - 1] == '.' || in.cp[in.n - 1] == ',' ||
                        in.cp[in.n - 1] == ';' || cp_space(in.cp[in.n - 1])))
        in.n--; /* the end of a sentence */
    pack(&in, p, false, &rep);
    for (size_t i = 0; i < p->n; i++) {
        if (p->c[i] != '/')
            continue;
        if (ns == 2) {
            docnum_char_error(out, p, i, "thừa dấu", "one slash too many:");
            goto out;
        }
        slash[ns++] = i;
    }
    if (ns == 0) {
        docnum_error(out, "thiếu dấu \"/\" giữa số và ký hiệu",
                     "no \"/\" between number and symbol");
        goto out;
    }
    if (slash[0] == 0 || slash[0] > DOCNUM_NUMBER_MAX) {
        docnum_error(out, slash[0] ? "số văn bản dài quá 11 ký tự" : "thiếu số văn bản",
                     slash[0] ? "the number is longer than 11 characters" : "no number");
        goto out;
    }
    if (ns == 2 && slash[1] - slash[0] != 5) {
        docnum_error(out, "năm giữa hai dấu \"/\" phải có 4 chữ số",
                     "the year between the two slashes needs 4 digits");
        goto out;
    }
    if (!docnum_digits(out, p, 0, slash[0], false, got.number, sizeof got.number, &rep) ||
        (ns == 2 &&
         !docnum_digits(out, p, slash[0] + 1, slash[1], true, got.year, sizeof got.year, &rep)) ||
        !docnum_symbol(out, p, slash[ns - 1] + 1, p->n, got.symbol, sizeof got.symbol, &rep))
        goto out;
    snprintf(out->value, sizeof out->value, "%s/%s%s%s", got.number, got.year, ns == 2 ? "/" : "",
             got.symbol);
    if (doc)
        *doc = got;
    repairs_report(out, &F_DOCNUM, &rep);
    if (out->severity == SOHOA_CHECK_PASS) {
        c = finding(out, SOHOA_CHECK_PASS, &F_DOCNUM, "ok");
        if (ns == 2) {
            msg(c->msg_vi, "Số văn bản %s, năm %s, ký hiệu %s", got.number, got.year, got.symbol);
            msg(c->msg_en, "Document number %s, year %s, symbol %s", got.number, got.year,
                got.symbol);
        } else {
            msg(c->msg_vi, "Số văn bản %s, ký hiệu %s", got.number, got.symbol);
            msg(c->msg_en, "Document number %s, symbol %s", got.number, got.symbol);
        }
    }
out:
    free(p);
    free(in.cp);
    return rc > 0 ? 0 : rc;
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
