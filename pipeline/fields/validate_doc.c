/* validate_doc.c — fixed-shape codes (dossier receipt numbers, procedure codes) and official
 * document numbers "Số: 15/QĐ-BNV" (see validate.h). */
#include "pipeline/fields/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate_int.h"
#include "pipeline/base/vntext.h"

static const struct field F_RECEIPT = {"receipt", "số biên nhận hồ sơ", "dossier receipt number"};
static const struct field F_PROCEDURE = {"procedure", "mã thủ tục hành chính", "procedure code"};
static const struct field F_DOCNUM = {"docnum", "số, ký hiệu văn bản", "document number"};

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
        if (vd_cp_space(c))
            continue;
        if (comma_is_dot && c == ',') {
            vd_repairs_note(rep, vd_input_pos(in, i), ',', '.');
            c = '.';
        }
        p->c[p->n] = vd_cp_dash(c) ? '-' : c;
        p->pos[p->n++] = vd_input_pos(in, i);
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
            char d = (char)(vd_cp_digit(c) ? (char)c : vd_repair_digit(c));
            if (!d)
                return i;
            if (!vd_cp_digit(c))
                vd_repairs_note(rep, p->pos[i], c, (uint32_t)d);
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
    struct sohoa_buf bv = SOHOA_BUF_INIT(VD_TEXT_MAX), be = SOHOA_BUF_INIT(VD_TEXT_MAX);
    if (bad < p->n) {
        char qvi[64], qen[64];
        vd_quote_char(qvi, qen, sizeof qvi, p->c[bad], p->pos[bad]);
        (void)sohoa_buf_addf(&bv, "sai từ ký tự %s", qvi);
        (void)sohoa_buf_addf(&be, "wrong from character %s", qen);
    } else {
        (void)sohoa_buf_addf(&bv, "quá ngắn, chỉ có %zu ký tự", p->n);
        (void)sohoa_buf_addf(&be, "too short, only %zu characters", p->n);
    }
    vd_sb_done(&bv, wvi, sizeof wvi);
    vd_sb_done(&be, wen, sizeof wen);
    struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_ERROR, f, "format");
    vd_msg(c->msg_vi, "Không đúng dạng %s %s: %s", f->vi, form_vi, wvi);
    vd_msg(c->msg_en, "Not a %s of the form %s: %s", f->en, form_en, wen);
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
    int rc = vd_begin(raw, &F_RECEIPT, today, &now, out, &in, err);
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
    vd_value_set(out, value);
    vd_repairs_report(out, &F_RECEIPT, &rep);
    const char *ds = value + sizeof UNIT_SHAPE; /* YYMMDD */
    got.year = 2000 + (ds[0] - '0') * 10 + (ds[1] - '0');
    got.month = (ds[2] - '0') * 10 + (ds[3] - '0');
    got.day = (ds[4] - '0') * 10 + (ds[5] - '0');
    int seq = atoi(ds + 7);
    if (!sohoa_ymd_valid(got.year, got.month, got.day)) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_RECEIPT, "date_invalid");
        vd_msg(c->msg_vi,
               "Ngày tiếp nhận %.6s (năm, tháng, ngày) trong số biên nhận không có trong lịch", ds);
        vd_msg(c->msg_en, "The receipt date %.6s (YYMMDD) in the receipt number is no calendar day",
               ds);
    } else if (sohoa_ymd_compare(&got, &now) > 0) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_RECEIPT, "date_future");
        vd_msg(c->msg_vi, "Ngày tiếp nhận %02d/%02d/%04d trong số biên nhận ở sau hôm nay", got.day,
               got.month, got.year);
        vd_msg(c->msg_en, "The receipt date %04d-%02d-%02d in the receipt number is after today",
               got.year, got.month, got.day);
    }
    if (seq == 0) {
        c = vd_finding(out, SOHOA_CHECK_WARNING, &F_RECEIPT, "sequence_zero");
        vd_msg(c->msg_vi, "Số thứ tự hồ sơ trong ngày là 0000; số thứ tự bắt đầu từ 0001");
        vd_msg(c->msg_en, "The day's sequence number is 0000; numbering starts at 0001");
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(out, SOHOA_CHECK_PASS, &F_RECEIPT, "ok");
        vd_msg(c->msg_vi,
               "Số biên nhận hợp lệ: đơn vị tiếp nhận %.13s, ngày tiếp nhận %02d/%02d/%04d, "
               "hồ sơ thứ %d trong ngày",
               value, got.day, got.month, got.year, seq);
        vd_msg(c->msg_en,
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
    int rc = vd_begin(raw, &F_PROCEDURE, NULL, NULL, out, &in, err);
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
    vd_value_set(out, value);
    vd_repairs_report(out, &F_PROCEDURE, &rep);
    if (out->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(out, SOHOA_CHECK_PASS, &F_PROCEDURE, "ok");
        if (national) {
            vd_msg(c->msg_vi, "Mã thủ tục hành chính hợp lệ (mã quốc gia %s)", value);
            vd_msg(c->msg_en, "Valid procedure code (national code %s)", value);
        } else {
            vd_msg(c->msg_vi, "Mã thủ tục hành chính hợp lệ: mã quốc gia %.8s, đơn vị %s", value,
                   value + sizeof PROCEDURE_NAT);
            vd_msg(c->msg_en, "Valid procedure code: national code %.8s, unit %s", value,
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
    return cp_ascii_letter(c) || vd_cp_digit(c) || c == CP_D_STROKE_UPPER || c == CP_D_STROKE;
}

/* Characters of a leading "Số" / "So" label with its ':' (or '.', ';' as OCR reads it), 0 when
 * there is none. */
static size_t docnum_label(const struct input *in)
{
    size_t i = 2;
    if (in->n < 3 || vd_cp_fold(in->cp[0]) != 's' || vd_cp_fold(in->cp[1]) != 'o' ||
        (vd_cp_alnum(in->cp[2]) && !vd_cp_digit(in->cp[2])) || in->cp[2] == '/')
        return 0;
    while (i < in->n && vd_cp_space(in->cp[i]))
        i++;
    if (i < in->n && (in->cp[i] == ':' || in->cp[i] == '.' || in->cp[i] == ';'))
        i++;
    return i;
}

static void docnum_error(struct sohoa_validation *v, const char *why_vi, const char *why_en)
{
    struct sohoa_check *c = vd_finding(v, SOHOA_CHECK_ERROR, &F_DOCNUM, "format");
    vd_msg(c->msg_vi,
           "Không đúng dạng số, ký hiệu văn bản \"số/ký hiệu\" (15/QĐ-BNV, 59/2020/QH14): %s",
           why_vi);
    vd_msg(c->msg_en, "Not a document number \"number/symbol\" (15/QĐ-BNV, 59/2020/QH14): %s",
           why_en);
}

/* docnum_error naming one character. */
static void docnum_char_error(struct sohoa_validation *v, const struct packed *p, size_t i,
                              const char *what_vi, const char *what_en)
{
    char qvi[64], qen[64], wvi[160], wen[160];
    vd_quote_char(qvi, qen, sizeof qvi, p->c[i], p->pos[i]);
    (void)snprintf(wvi, sizeof wvi, "%s %s", what_vi, qvi);
    (void)snprintf(wen, sizeof wen, "%s %s", what_en, qen);
    docnum_error(v, wvi, wen);
}

/* Digits p->c[from..to) into `s` (confusions repaired); false at another character (reported). */
static bool docnum_digits(struct sohoa_validation *v, const struct packed *p, size_t from,
                          size_t to, bool year, char *s, size_t cap, struct repairs *rep)
{
    size_t k = 0;
    for (size_t i = from; i < to; i++) {
        char d = (char)(vd_cp_digit(p->c[i]) ? (char)p->c[i] : vd_repair_digit(p->c[i]));
        if (!d) {
            docnum_char_error(
                v, p, i,
                year ? "năm phải là chữ số, không phải" : "số văn bản phải là chữ số, không phải",
                year ? "the year must be digits, not" : "the number must be digits, not");
            return false;
        }
        if (!vd_cp_digit(p->c[i]))
            vd_repairs_note(rep, p->pos[i], p->c[i], (uint32_t)d);
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
    struct sohoa_buf b = SOHOA_BUF_INIT(VD_TEXT_MAX);
    bool ok = false;
    if (to - from > DOCNUM_SYMBOL_MAX) {
        docnum_error(v, "ký hiệu dài quá 30 ký tự", "the symbol is longer than 30 characters");
        goto out;
    }
    for (size_t i = from; i <= to;) {
        size_t e = i;
        while (e < to && p->c[e] != '-')
            e++;
        if (e == i) {
            docnum_error(v, i == to && i == from ? "thiếu ký hiệu" : "ký hiệu có phần rỗng",
                         i == to && i == from ? "no symbol" : "the symbol has an empty part");
            goto out;
        }
        for (size_t k = i; k < e; k++)
            if (!symbol_char(p->c[k])) {
                docnum_char_error(v, p, k, "ký hiệu có ký tự", "the symbol holds character");
                goto out;
            }
        if (i == from && !cp_ascii_letter(p->c[i]) && p->c[i] != CP_D_STROKE_UPPER) {
            docnum_char_error(v, p, i, "ký hiệu phải bắt đầu bằng chữ cái, không phải",
                              "the symbol must start with a letter, not");
            goto out;
        }
        bool lost_stroke = e - i == 2 && (p->c[i] == 'Q' || p->c[i] == 'N') && p->c[i + 1] == 'D';
        for (size_t k = i; k < e; k++) {
            if (lost_stroke && k == i + 1) {
                vd_repairs_note(rep, p->pos[k], 'D', CP_D_STROKE_UPPER);
                vd_sb_cp(&b, CP_D_STROKE_UPPER);
            } else {
                vd_sb_cp(&b, p->c[k]);
            }
        }
        if (e < to)
            (void)sohoa_buf_addc(&b, '-');
        i = e + 1;
    }
    ok = true;
out:
    vd_sb_done(&b, s, cap);
    return ok;
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
    int rc = vd_begin(raw, &F_DOCNUM, NULL, NULL, out, &in, err);
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
                        in.cp[in.n - 1] == ';' || vd_cp_space(in.cp[in.n - 1])))
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
    (void)snprintf(out->value, sizeof out->value, "%s/%s%s%s", got.number, got.year,
                   ns == 2 ? "/" : "", got.symbol);
    if (doc)
        *doc = got;
    vd_repairs_report(out, &F_DOCNUM, &rep);
    if (out->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(out, SOHOA_CHECK_PASS, &F_DOCNUM, "ok");
        if (ns == 2) {
            vd_msg(c->msg_vi, "Số văn bản %s, năm %s, ký hiệu %s", got.number, got.year,
                   got.symbol);
            vd_msg(c->msg_en, "Document number %s, year %s, symbol %s", got.number, got.year,
                   got.symbol);
        } else {
            vd_msg(c->msg_vi, "Số văn bản %s, ký hiệu %s", got.number, got.symbol);
            vd_msg(c->msg_en, "Document number %s, symbol %s", got.number, got.symbol);
        }
    }
out:
    free(p);
    free(in.cp);
    return rc > 0 ? 0 : rc;
}
