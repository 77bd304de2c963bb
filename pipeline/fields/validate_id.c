/* validate_id.c — citizen ID (CCCD / CMND, with the province table) and tax code (MST) checks
 * (see validate.h). */
#include "pipeline/fields/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/validate_int.h"
#include "pipeline/base/vntext.h"

static const struct field F_CCCD = {"cccd", "số CCCD/CMND", "citizen ID number"};
static const struct field F_MST = {"mst", "mã số thuế", "tax code"};

/* ---- CCCD ------------------------------------------------------------------------------------ */

/* The 63 province codes of CCCD prefixes (docs/DOMAIN.md; Decision 124/2004/QĐ-TTg codes, which
 * never change). Names in canonical form. The same list is models/provinces.json; test_validate
 * keeps the two equal. */
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
    struct sohoa_validation scratch; /* vd_begin's findings, not reported */
    struct input in = {0};
    char w[8];
    size_t k = 0;
    enum sohoa_sex sex = SOHOA_SEX_UNKNOWN;
    if (vd_begin(text, &F_CCCD, NULL, NULL, &scratch, &in, NULL))
        goto out;
    for (size_t i = 0; i < in.n; i++) {
        char c = vd_cp_fold(in.cp[i]);
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
        c = vd_finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "province_unknown");
        vd_msg(c->msg_vi,
               "Mã nơi đăng ký khai sinh %s (3 chữ số đầu) không thuộc 63 mã tỉnh, thành phố",
               prefix);
        vd_msg(c->msg_en,
               "Birth registration code %s (first 3 digits) is none of the 63 province codes",
               prefix);
    }
    if (g <= 5) {
        year = 1900 + 100 * (g / 2) + yy;
        sex = g % 2 ? SOHOA_SEX_FEMALE : SOHOA_SEX_MALE;
    } else {
        c = vd_finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "century_sex_unknown");
        vd_msg(c->msg_vi, "Chữ số thứ 4 (%d) phải từ 0 đến 5: nó cho biết thế kỷ sinh và giới tính",
               g);
        vd_msg(c->msg_en, "Digit 4 (%d) must be 0 to 5: it gives the century of birth and the sex",
               g);
    }
    if (year && year > today->year) {
        c = vd_finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "birth_year_future");
        vd_msg(c->msg_vi, "Năm sinh theo số CCCD (%d) chưa tới", year);
        vd_msg(c->msg_en, "The birth year the number gives (%d) lies in the future", year);
    }
    if (hint && hint->birth_year > 0 &&
        (year ? year != hint->birth_year : yy != hint->birth_year % 100)) {
        c = vd_finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "birth_year_mismatch");
        if (year) {
            vd_msg(c->msg_vi, "Số CCCD cho năm sinh %d nhưng giấy tờ ghi năm sinh %d", year,
                   hint->birth_year);
            vd_msg(c->msg_en, "The number gives birth year %d but the document says %d", year,
                   hint->birth_year);
        } else {
            vd_msg(c->msg_vi, "Hai chữ số năm sinh trong số CCCD (%02d) khác năm sinh %d", yy,
                   hint->birth_year);
            vd_msg(c->msg_en,
                   "The two birth-year digits of the number (%02d) differ from birth year %d", yy,
                   hint->birth_year);
        }
    }
    if (hint && hint->sex != SOHOA_SEX_UNKNOWN && sex != SOHOA_SEX_UNKNOWN && sex != hint->sex) {
        c = vd_finding(v, SOHOA_CHECK_WARNING, &F_CCCD, "sex_mismatch");
        vd_msg(c->msg_vi, "Số CCCD cho giới tính %s (chữ số thứ 4 là %d) nhưng giấy tờ ghi %s",
               sex_vi(sex), g, sex_vi(hint->sex));
        vd_msg(c->msg_en, "The number says %s (digit 4 is %d) but the document says %s",
               sex_en(sex), g, sex_en(hint->sex));
    }
    if (v->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(v, SOHOA_CHECK_PASS, &F_CCCD, "ok");
        vd_msg(c->msg_vi, "Số CCCD đúng cấu trúc: đăng ký khai sinh tại %s, %s, sinh năm %d", place,
               sex_vi(sex), year);
        vd_msg(c->msg_en, "Citizen ID well formed: birth registered in %s, %s, born %d", place,
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
    int rc = vd_begin(raw, &F_CCCD, today, &now, out, &in, err);
    if (rc)
        goto out;
    if (!vd_digits_collect(&in, &F_CCCD, out, d, sizeof d, &nd, &rep))
        goto out;
    if (nd != 12 && nd != 9) {
        struct sohoa_check *c = vd_finding(out, SOHOA_CHECK_ERROR, &F_CCCD, "length");
        vd_msg(c->msg_vi, "Số CCCD có %zu chữ số; cần 12 (CCCD) hoặc 9 (CMND cũ)", nd);
        vd_msg(c->msg_en, "The ID number has %zu digits; a CCCD has 12, an old CMND 9", nd);
        goto out;
    }
    vd_value_set(out, d);
    vd_repairs_report(out, &F_CCCD, &rep);
    if (nd == 12) {
        cccd_structure(out, d, hint, &now);
    } else if (out->severity == SOHOA_CHECK_PASS) {
        struct sohoa_check *c = vd_finding(out, SOHOA_CHECK_PASS, &F_CCCD, "old_cmnd");
        vd_msg(c->msg_vi,
               "Số chứng minh nhân dân 9 chữ số (mẫu cũ); không có quy tắc cấu trúc để kiểm tra");
        vd_msg(c->msg_en, "Old 9-digit identity card (CMND) number; it has no structure to check");
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
    int rc = vd_begin(raw, &F_MST, NULL, NULL, out, &in, err);
    if (rc)
        goto out;
    if (!vd_digits_collect(&in, &F_MST, out, d, sizeof d, &nd, &rep))
        goto out;
    bool dashed = false; /* "0100233488-01": a branch code that lost a digit, no personal ID */
    for (size_t i = 0; i < in.n; i++)
        dashed = dashed || vd_cp_dash(in.cp[i]);
    if (nd == 12 && !dashed) { /* an individual's tax code since 1 July 2025: the personal ID */
        vd_value_set(out, d);
        vd_repairs_report(out, &F_MST, &rep);
        c = vd_finding(out, SOHOA_CHECK_WARNING, &F_MST, "personal_id");
        vd_msg(c->msg_vi,
               "Mã số thuế 12 chữ số: từ 01/7/2025 cá nhân dùng số định danh cá nhân làm "
               "mã số thuế; không có chữ số kiểm tra, hãy kiểm tra như số CCCD");
        vd_msg(c->msg_en, "12-digit tax code: since 1 July 2025 an individual's tax code is their "
                          "personal ID number; it has no check digit, check it as a citizen ID");
        goto out;
    }
    if (nd != 10 && nd != 13) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_MST, "length");
        vd_msg(c->msg_vi,
               "Mã số thuế có %zu chữ số; cần 10, hoặc 13 với đơn vị phụ thuộc "
               "(XXXXXXXXXX-NNN)",
               nd);
        vd_msg(c->msg_en,
               "The tax code has %zu digits; it needs 10, or 13 for a branch "
               "(XXXXXXXXXX-NNN)",
               nd);
        goto out;
    }
    (void)snprintf(out->value, sizeof out->value, "%.10s%s%s", d, nd == 13 ? "-" : "",
                   nd == 13 ? d + 10 : "");
    vd_repairs_report(out, &F_MST, &rep);
    if (!memcmp(d + 2, "0000000", 7)) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_MST, "sequence_zero");
        vd_msg(c->msg_vi, "Chữ số thứ 3 đến 9 của mã số thuế (số thứ tự) không thể là 0000000");
        vd_msg(c->msg_en, "Digits 3 to 9 of a tax code (the sequence number) cannot be 0000000");
    }
    if (nd == 13 && !memcmp(d + 10, "000", 3)) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_MST, "branch_zero");
        vd_msg(c->msg_vi,
               "Số đơn vị phụ thuộc (3 chữ số cuối) phải từ 001 đến 999, không phải 000");
        vd_msg(c->msg_en, "The branch number (last 3 digits) must be 001 to 999, not 000");
    }
    int check = mst_check_digit(d);
    if (check == 10) {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_MST, "check_digit");
        vd_msg(c->msg_vi, "Sai mã số thuế: không có chữ số kiểm tra nào hợp với 9 chữ số đầu %.9s",
               d);
        vd_msg(c->msg_en, "Invalid tax code: no check digit fits the first nine digits %.9s", d);
    } else if (check != d[9] - '0') {
        c = vd_finding(out, SOHOA_CHECK_ERROR, &F_MST, "check_digit");
        vd_msg(c->msg_vi, "Sai chữ số kiểm tra: chữ số thứ 10 là %c, theo 9 chữ số đầu phải là %d",
               d[9], check);
        vd_msg(c->msg_en, "Wrong check digit: digit 10 is %c, the first nine digits call for %d",
               d[9], check);
    }
    if (out->severity == SOHOA_CHECK_PASS) {
        c = vd_finding(out, SOHOA_CHECK_PASS, &F_MST, "ok");
        if (nd == 13) {
            vd_msg(c->msg_vi,
                   "Mã số thuế hợp lệ (chữ số kiểm tra đúng) của đơn vị phụ thuộc số %s "
                   "thuộc %.10s",
                   d + 10, d);
            vd_msg(c->msg_en, "Valid tax code (check digit correct) of branch %s of %.10s", d + 10,
                   d);
        } else {
            vd_msg(c->msg_vi, "Mã số thuế hợp lệ (chữ số kiểm tra đúng)");
            vd_msg(c->msg_en, "Valid tax code (check digit correct)");
        }
    }
out:
    free(in.cp);
    return rc > 0 ? 0 : rc;
}
