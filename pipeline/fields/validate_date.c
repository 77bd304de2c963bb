/* validate_date.c — dates as written on Vietnamese documents → ISO 8601 (see validate.h). */
#include "pipeline/fields/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate_int.h"
#include "pipeline/base/vntext.h"

static const struct field F_DATE = {"date", "ngày tháng", "date"};

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

/* Tokens of `in`; false when there are more than `cap`. */
static bool date_tokenize(const struct input *in, struct tok *t, size_t cap, size_t *nt)
{
    *nt = 0;
    for (size_t i = 0; i < in->n;) {
        uint32_t c = in->cp[i];
        if (vd_cp_space(c)) {
            i++;
            continue;
        }
        if (*nt == cap)
            return false;
        struct tok *k = &t[(*nt)++];
        memset(k, 0, sizeof *k);
        k->start = i;
        if (!vd_cp_alnum(c)) {
            k->len = 1;
            k->kind = c == '/' || c == '.' || vd_cp_dash(c) ? TOK_SEP : TOK_PUNCT;
            k->ch = vd_cp_dash(c) ? '-' : c;
            i++;
            continue;
        }
        bool number = true;
        while (i < in->n && vd_cp_alnum(in->cp[i])) {
            if (!vd_cp_digit(in->cp[i]) && !vd_repair_digit(in->cp[i]))
                number = false;
            i++;
        }
        k->len = i - k->start;
        k->kind = number ? TOK_NUM : TOK_WORD;
        if (!number && k->len < sizeof k->word)
            for (size_t j = 0; j < k->len; j++)
                k->word[j] =
                    (char)(vd_cp_fold(in->cp[k->start + j]) ? vd_cp_fold(in->cp[k->start + j])
                                                            : '?');
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
        char d = (char)(vd_cp_digit(c) ? (char)c : vd_repair_digit(c));
        if (!vd_cp_digit(c))
            vd_repairs_note(rep, vd_input_pos(in, t[i].start + j), c, (uint32_t)d);
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
    if (nam) { /* NOLINT(bugprone-branch-clone): "năm 1969"; the bare "1969" is tried last */
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
    int rc = vd_begin(raw, &F_DATE, today, &now, out, &in, err);
    if (rc)
        goto out;
    bool year_only = false;
    if (!date_tokenize(&in, t, DATE_TOKENS_MAX, &nt) ||
        !date_grammar(&in, t, nt, &ymd, &year_only, &rep)) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_DATE, "format");
        vd_msg(c->msg_vi,
               "Không đọc được ngày tháng; dạng nhận được: 05/01/2020, 5-1-2020, 2020-01-05, "
               "ngày 05 tháng 01 năm 2020, năm 1969 (năm đủ 4 chữ số)");
        vd_msg(c->msg_en, "Not a date; accepted forms: 05/01/2020, 5-1-2020, 2020-01-05, "
                          "ngày 05 tháng 01 năm 2020, năm 1969 (4-digit years)");
        goto out;
    }
    if (year_only ? !sohoa_ymd_valid(ymd.year, 1, 1)
                  : !sohoa_ymd_valid(ymd.year, ymd.month, ymd.day)) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_DATE, "invalid");
        if (year_only) {
            vd_msg(c->msg_vi, "Năm %04d không tồn tại", ymd.year);
            vd_msg(c->msg_en, "There is no year %04d", ymd.year);
        } else {
            vd_msg(c->msg_vi, "Ngày %02d/%02d/%04d không có trong lịch", ymd.day, ymd.month,
                   ymd.year);
            vd_msg(c->msg_en, "There is no such day as %02d/%02d/%04d (day/month/year)", ymd.day,
                   ymd.month, ymd.year);
        }
        goto out;
    }
    if (year_only)
        (void)snprintf(out->value, sizeof out->value, "%04d", ymd.year);
    else
        (void)snprintf(out->value, sizeof out->value, "%04d-%02d-%02d", ymd.year, ymd.month,
                       ymd.day);
    if (date)
        *date = ymd;
    vd_repairs_report(out, &F_DATE, &rep);
    /* how the date is named in messages: "Ngày 05/01/2020" / "Năm 1969", "date 2020-01-05" */
    char vi[32], en[32];
    if (year_only) {
        (void)snprintf(vi, sizeof vi, "Năm %04d", ymd.year);
        (void)snprintf(en, sizeof en, "Year %04d", ymd.year);
    } else {
        (void)snprintf(vi, sizeof vi, "Ngày %02d/%02d/%04d", ymd.day, ymd.month, ymd.year);
        (void)snprintf(en, sizeof en, "Date %04d-%02d-%02d", ymd.year, ymd.month, ymd.day);
    }
    if (sohoa_ymd_compare(&ymd, &now) > 0) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_DATE, "future");
        vd_msg(c->msg_vi, "%s ở sau hôm nay (%02d/%02d/%04d)", vi, now.day, now.month, now.year);
        vd_msg(c->msg_en, "%s is after today (%04d-%02d-%02d)", en, now.year, now.month, now.day);
    } else if (ymd.year < 1900) {
        c = vd_finding(out, SOHOA_CHECK_WARNING, &F_DATE, "before_1900");
        vd_msg(c->msg_vi, "%s trước năm 1900: khó có thật, cần đối chiếu bản gốc", vi);
        vd_msg(c->msg_en, "%s is before 1900: unlikely, check the original", en);
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(out, SOHOA_CHECK_PASS, &F_DATE, "ok");
        vd_msg(c->msg_vi, "%s hợp lệ%s", vi, year_only ? " (chỉ ghi năm)" : "");
        vd_msg(c->msg_en, "%s is valid%s", en, year_only ? " (year only)" : "");
    }
out:
    free(in.cp);
    return rc > 0 ? 0 : rc;
}
