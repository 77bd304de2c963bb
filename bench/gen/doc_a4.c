/* doc_a4.c — A4 documents for the generator's document mode: birth certificate, business
 * registration certificate, land-use certificate, application form (dotted lines filled in),
 * official document in the Decree 30/2020 layout, dossier receipt. See doc.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/gen/doc.h"
#include "bench/gen/letterhead.h"
#include "bench/gen/qr.h"

/* Where the next line goes. */
struct flow4 {
    struct gen *g;
    struct page *p;
    int x, w, y, pitch;
    double size;
    struct sohoa_err *err;
};

/* "label value" (value bold, wrapping). */
static int lv(struct flow4 *f, const char *label, const char *value)
{
    return doc_label_value(f->g, f->p, f->size, label, "Bold", value, f->x, f->w, f->pitch, &f->y,
                           f->err);
}

/* A plain paragraph (wrapping). */
static int para(struct flow4 *f, const char *style, const char *text)
{
    return doc_label_value(f->g, f->p, f->size, "", style, text, f->x, f->w, f->pitch, &f->y,
                           f->err);
}

static int centre(struct flow4 *f, const char *style, double size, const char *text)
{
    int rc = draw_centred(f->g, f->p, style, size, text, f->p->left, f->p->right - f->p->left, f->y,
                          NULL, f->err);
    f->y += (int)lround(f->pitch * size / f->size);
    return rc;
}

/* Several "label value" pairs on one line at the given x offsets (mm from the left margin). */
static int row(struct flow4 *f, int n, const char *const *labels, const char *const *values,
               const double *at_mm)
{
    struct sohoa_buf plain = GEN_BUF;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct sohoa_buf m = GEN_BUF;
        sb_put_escaped(&m, labels[i]);
        sohoa_buf_adds(&m, " <b>");
        sb_put_escaped(&m, values[i]);
        sohoa_buf_adds(&m, "</b>");
        sohoa_buf_adds(&plain, i ? " " : "");
        sohoa_buf_adds(&plain, labels[i]);
        sohoa_buf_adds(&plain, " ");
        sohoa_buf_adds(&plain, values[i]);
        rc = m.failed ? sohoa_err_set(f->err, SOHOA_ENOMEM, false, "out of memory")
                      : doc_text(f->g, f->p, "", f->size, m.data, NULL,
                                 f->x + (int)lround(at_mm[i] * px_mm(f->g)), f->y, NULL, f->err);
        sohoa_buf_release(&m);
    }
    if (rc == 0)
        gt_line(f->p, plain.data);
    sohoa_buf_release(&plain);
    f->y += f->pitch;
    return rc;
}

static void long_date(const struct date *d, const char *place, char *out, size_t n)
{
    char dl[64];
    fmt_long(d, dl, sizeof dl);
    (void)snprintf(out, n, "%.150s, %.64s", place, dl);
}

/* A signer's block in the right half from row f->y. */
static int signer(struct flow4 *f, const char *const *lines, const char *const *styles, int n,
                  const char *name)
{
    struct page *p = f->p;
    int W = p->right - p->left, rx = p->left + (int)(W * 0.45);
    return signature_block(f->g, p, rx, p->right - rx, f->y + f->pitch / 2, lines, styles, n, name,
                           f->err);
}

/* ---- the types ------------------------------------------------------------------------------ */

static int birth_certificate(struct flow4 *f, const struct docdata *d, struct docfields *t,
                             char *stamp, size_t sn)
{
    char no[64], dob[16], reg[16], tmp[512], iso[16], byf[8], bym[8];
    (void)snprintf(no, sizeof no, "Số: %s", d->birth_reg_no);
    char lower[128];
    utf8_case(d->district_line, lower, sizeof lower, false);
    int rc = letterhead_official(f->g, f->p, "UỶ BAN NHÂN DÂN", lower, no, "", f->err);
    f->y = f->p->y + f->pitch / 2;
    fmt_dmy(&d->child.born, dob, sizeof dob);
    fmt_dmy(&d->birth_registered, reg, sizeof reg);
    (void)snprintf(byf, sizeof byf, "%d", d->father.born.y);
    (void)snprintf(bym, sizeof bym, "%d", d->mother.born.y);
    const double at3[3] = {0, 58, 112};
    const char *sexl[3] = {"Giới tính:", "Dân tộc:", "Quốc tịch:"};
    const char *sexv[3] = {d->child.female ? "Nữ" : "Nam", "Kinh", "Việt Nam"};
    const char *yl[3] = {"Năm sinh:", "Dân tộc:", "Quốc tịch:"};
    const char *yvm[3] = {bym, "Kinh", "Việt Nam"}, *yvf[3] = {byf, "Kinh", "Việt Nam"};
    (void)snprintf(tmp, sizeof tmp, "Quyển số: %s", d->birth_book);
    if (rc == 0)
        rc = centre(f, "Bold", 16, "GIẤY KHAI SINH");
    if (rc == 0)
        rc = centre(f, "Italic", 13, tmp);
    if (rc == 0)
        rc = lv(f, "Họ, chữ đệm, tên:", d->child.upper);
    if (rc == 0)
        rc = lv(f, "Ngày, tháng, năm sinh:", dob);
    if (rc == 0)
        rc = row(f, 3, sexl, sexv, at3);
    if (rc == 0)
        rc = lv(f, "Nơi sinh:", d->birth_place);
    if (rc == 0)
        rc = lv(f, "Quê quán:", d->origin_long);
    if (rc == 0)
        rc = lv(f, "Họ, chữ đệm, tên người mẹ:", d->mother.upper);
    if (rc == 0)
        rc = row(f, 3, yl, yvm, at3);
    if (rc == 0)
        rc = lv(f, "Nơi cư trú:", d->residence_long);
    if (rc == 0)
        rc = lv(f, "Họ, chữ đệm, tên người cha:", d->father.upper);
    if (rc == 0)
        rc = row(f, 3, yl, yvf, at3);
    if (rc == 0)
        rc = lv(f, "Nơi cư trú:", d->residence_long);
    (void)snprintf(tmp, sizeof tmp, "Uỷ ban nhân dân %s, %s", d->district_line, d->province_line);
    if (rc == 0)
        rc = lv(f, "Nơi đăng ký khai sinh:", tmp);
    if (rc == 0)
        rc = lv(f, "Ngày, tháng, năm đăng ký:", reg);
    const char *lines[1] = {"NGƯỜI KÝ GIẤY KHAI SINH"}, *styles[1] = {"Bold"};
    if (rc == 0)
        rc = signer(f, lines, styles, 1, d->signer);
    (void)snprintf(stamp, sn, "UỶ BAN NHÂN DÂN * %s *", lower);
    if (rc)
        return rc;
    docfields_set(t, "registration_number", d->birth_reg_no);
    docfields_set(t, "full_name", d->child.upper);
    date_iso(&d->child.born, iso);
    docfields_set(t, "date_of_birth", iso);
    docfields_set(t, "sex", d->child.female ? "Nữ" : "Nam");
    docfields_set(t, "place_of_birth", d->birth_place);
    docfields_set(t, "father_name", d->father.upper);
    docfields_set(t, "mother_name", d->mother.upper);
    date_iso(&d->birth_registered, iso);
    docfields_set(t, "registration_date", iso);
    return 0;
}

static int business_registration(struct flow4 *f, const struct docdata *d, struct docfields *t,
                                 char *stamp, size_t sn)
{
    char upper[192], tmp[512], dl[64], iso[16], dob[16];
    (void)snprintf(upper, sizeof upper, "SỞ KẾ HOẠCH VÀ ĐẦU TƯ %s", d->province_upper);
    int rc = letterhead_official(f->g, f->p, upper, "PHÒNG ĐĂNG KÝ KINH DOANH", "", "", f->err);
    f->y = f->p->y;
    bool jsc = strstr(d->company, "CỔ PHẦN") != NULL;
    if (rc == 0)
        rc = centre(f, "Bold", 15, "GIẤY CHỨNG NHẬN ĐĂNG KÝ DOANH NGHIỆP");
    if (rc == 0)
        rc = centre(f, "Bold", 13, jsc ? "CÔNG TY CỔ PHẦN" : "CÔNG TY TRÁCH NHIỆM HỮU HẠN");
    (void)snprintf(tmp, sizeof tmp, "Mã số doanh nghiệp: %s", d->mst);
    if (rc == 0)
        rc = centre(f, "Bold", 13, tmp);
    fmt_long(&d->company_first, dl, sizeof dl);
    (void)snprintf(tmp, sizeof tmp, "Đăng ký lần đầu: %s", dl);
    if (rc == 0)
        rc = centre(f, "", 13, tmp);
    fmt_long(&d->company_changed, dl, sizeof dl);
    (void)snprintf(tmp, sizeof tmp, "Đăng ký thay đổi lần thứ: 2, %s", dl);
    if (rc == 0)
        rc = centre(f, "", 13, tmp);
    f->y += f->pitch / 2;
    if (rc == 0)
        rc = para(f, "Bold", "1. Tên công ty");
    if (rc == 0)
        rc = lv(f, "Tên công ty viết bằng tiếng Việt:", d->company);
    if (rc == 0)
        rc = lv(f, "Tên công ty viết bằng tiếng nước ngoài:", d->company_en);
    if (rc == 0)
        rc = para(f, "Bold", "2. Địa chỉ trụ sở chính");
    if (rc == 0)
        rc = para(f, "", d->company_addr);
    if (rc == 0)
        rc = lv(f, "Điện thoại:", d->phone);
    if (rc == 0)
        rc = lv(f, "3. Vốn điều lệ:", "5.000.000.000 đồng");
    if (rc == 0)
        rc = para(f, "Bold", "4. Người đại diện theo pháp luật của công ty");
    const double at2[2] = {0, 100}, at3[3] = {0, 58, 100};
    const char *l2[2] = {"Họ và tên:", "Giới tính:"},
               *v2[2] = {d->p.upper, d->p.female ? "Nữ" : "Nam"};
    if (rc == 0)
        rc = row(f, 2, l2, v2, at2);
    if (rc == 0)
        rc = lv(f, "Chức danh:", "Giám đốc");
    fmt_dmy(&d->p.born, dob, sizeof dob);
    const char *l3[3] = {"Sinh ngày:", "Dân tộc:", "Quốc tịch:"},
               *v3[3] = {dob, "Kinh", "Việt Nam"};
    if (rc == 0)
        rc = row(f, 3, l3, v3, at3);
    if (rc == 0)
        rc = lv(f, "Số giấy tờ pháp lý của cá nhân:", d->cccd);
    const char *lines[1] = {"TRƯỞNG PHÒNG"}, *styles[1] = {"Bold"};
    if (rc == 0)
        rc = signer(f, lines, styles, 1, d->signer);
    (void)snprintf(stamp, sn, "PHÒNG ĐĂNG KÝ KINH DOANH * %s *", d->province_upper);
    if (rc)
        return rc;
    docfields_set(t, "enterprise_code", d->mst);
    docfields_set(t, "enterprise_name", d->company);
    docfields_set(t, "address", d->company_addr);
    docfields_set(t, "legal_representative", d->p.upper);
    date_iso(&d->company_first, iso);
    docfields_set(t, "registration_date", iso);
    return 0;
}

static int land_use_certificate(struct flow4 *f, const struct docdata *d, struct docfields *t,
                                char *stamp, size_t sn)
{
    char tmp[512], iso[16], by[8], sheet[16], parcel[16];
    int rc = letterhead_citizen(f->g, f->p, f->err);
    f->y = f->p->y;
    if (rc == 0)
        rc = centre(f, "Bold", 16, "GIẤY CHỨNG NHẬN");
    if (rc == 0)
        rc = centre(f, "Bold", 13, "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở");
    if (rc == 0)
        rc = centre(f, "Bold", 13, "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT");
    if (rc == 0)
        rc = centre(f, "Bold", 14, d->serial);
    f->y += f->pitch / 2;
    if (rc == 0)
        rc = para(f, "Bold",
                  "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất");
    if (rc == 0)
        rc = lv(f, d->p.female ? "Bà:" : "Ông:", d->p.upper);
    (void)snprintf(by, sizeof by, "%d", d->p.born.y);
    const double at2[2] = {0, 50};
    const char *l2[2] = {"Sinh năm:", "CCCD số:"}, *v2[2] = {by, d->cccd};
    if (rc == 0)
        rc = row(f, 2, l2, v2, at2);
    if (rc == 0)
        rc = lv(f, "Địa chỉ thường trú:", d->residence_long);
    if (rc == 0)
        rc = para(f, "Bold", "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất");
    (void)snprintf(parcel, sizeof parcel, "%d;", d->parcel);
    (void)snprintf(sheet, sizeof sheet, "%d;", d->map_sheet);
    const char *l3[2] = {"a) Thửa đất số:", "b) Tờ bản đồ số:"}, *v3[2] = {parcel, sheet};
    if (rc == 0)
        rc = row(f, 2, l3, v3, at2);
    if (rc == 0)
        rc = lv(f, "c) Địa chỉ:", d->parcel_addr);
    (void)snprintf(tmp, sizeof tmp, "%s m²", d->area_print);
    if (rc == 0)
        rc = lv(f, "d) Diện tích:", tmp);
    if (rc == 0)
        rc = lv(f, "đ) Hình thức sử dụng:", "Sử dụng riêng");
    if (rc == 0)
        rc = lv(f, "e) Mục đích sử dụng:", "Đất ở tại nông thôn");
    if (rc == 0)
        rc = lv(f, "g) Thời hạn sử dụng:", "Lâu dài");
    if (rc == 0)
        rc = lv(f, "h) Nguồn gốc sử dụng:", "Nhà nước công nhận quyền sử dụng đất");
    char date[256], upper[160];
    long_date(&d->land_issued, d->district, date, sizeof date);
    const char *lines[4] = {date, "TM. UỶ BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"};
    const char *styles[4] = {"Italic", "Bold", "Bold", "Bold"};
    int y0 = f->y;
    if (rc == 0)
        rc = signer(f, lines, styles, 4, d->signer);
    (void)snprintf(tmp, sizeof tmp, "Số vào sổ cấp GCN: %s", d->register_no);
    if (rc == 0)
        rc = draw_left(f->g, f->p, "", f->size, tmp, f->p->left, y0 + f->pitch * 5, f->err);
    utf8_case(d->district_line, upper, sizeof upper, false);
    (void)snprintf(stamp, sn, "UỶ BAN NHÂN DÂN * %s *", upper);
    if (rc)
        return rc;
    docfields_set(t, "serial", d->serial);
    docfields_set(t, "holder_name", d->p.upper);
    (void)snprintf(parcel, sizeof parcel, "%d", d->parcel);
    (void)snprintf(sheet, sizeof sheet, "%d", d->map_sheet);
    docfields_set(t, "parcel_number", parcel);
    docfields_set(t, "map_sheet", sheet);
    docfields_set(t, "area_m2", d->area_norm);
    docfields_set(t, "address", d->parcel_addr);
    date_iso(&d->land_issued, iso);
    docfields_set(t, "issue_date", iso);
    return 0;
}

/* A row of dots (a form's blank) along the baseline from x0 to x1. */
static void dots(struct flow4 *f, int x0, int x1, int y)
{
    double k = px_mm(f->g);
    int s = (int)fmax(2, (double)lround(0.22 * k)), step = (int)lround(0.9 * k);
    for (int x = x0; x + s <= x1; x += step)
        ink_rule(f->p, x, y, s, s);
}

/* "label value" over a dotted blank that runs to the right margin. */
static int blank(struct flow4 *f, const char *label, const char *value)
{
    int xe = 0, rc = 0;
    struct sohoa_buf m = GEN_BUF, plain = GEN_BUF;
    sb_put_escaped(&m, label);
    sohoa_buf_adds(&plain, label);
    rc = m.failed ? sohoa_err_set(f->err, SOHOA_ENOMEM, false, "out of memory")
                  : doc_text(f->g, f->p, "", f->size, m.data, NULL, f->x, f->y, &xe, f->err);
    int gap = (int)lround(2 * px_mm(f->g)), vx = xe + gap;
    sohoa_buf_release(&m);
    sb_put_escaped(&m, value);
    if (rc == 0 && value[0])
        rc = doc_text(f->g, f->p, "Bold", f->size, m.data, NULL, vx, f->y, NULL, f->err);
    if (value[0]) {
        sohoa_buf_adds(&plain, " ");
        sohoa_buf_adds(&plain, value);
    }
    if (rc == 0)
        gt_line(f->p, plain.data);
    const struct font *fo = NULL;
    if (rc == 0 && (rc = font_get(f->g, "", f->size, &fo, f->err)) == 0)
        dots(f, xe + gap / 2, f->p->right, f->y + (int)lround(fo->pitch * 0.84));
    sohoa_buf_release(&m);
    sohoa_buf_release(&plain);
    f->y += f->pitch;
    return rc;
}

static int application_form(struct flow4 *f, const struct docdata *d, struct docfields *t,
                            char *stamp, size_t sn)
{
    char tmp[512], dob[16], iso[16];
    int rc = letterhead_citizen(f->g, f->p, f->err);
    f->y = f->p->y;
    if (rc == 0)
        rc = centre(f, "Bold", 14, d->form_title);
    (void)snprintf(tmp, sizeof tmp, "Kính gửi: %s", d->form_to);
    if (rc == 0)
        rc = centre(f, "", 13, tmp);
    f->y += f->pitch / 2;
    fmt_dmy(&d->p.born, dob, sizeof dob);
    if (rc == 0)
        rc = blank(f, "1. Họ, chữ đệm và tên:", d->p.upper);
    if (rc == 0)
        rc = blank(f, "2. Ngày, tháng, năm sinh:", dob);
    if (rc == 0)
        rc = blank(f, "3. Giới tính:", d->p.female ? "Nữ" : "Nam");
    if (rc == 0)
        rc = blank(f, "4. Số định danh cá nhân:", d->cccd);
    if (rc == 0)
        rc = lv(f, "5. Nơi cư trú:", d->residence_long);
    if (rc == 0)
        rc = blank(f, "6. Số điện thoại liên hệ:", d->phone);
    if (rc == 0)
        rc = blank(f, "7. Email:", "");
    f->y += f->pitch / 2;
    if (rc == 0)
        rc = para(f, "",
                  "Tôi xin cam đoan những thông tin khai trên đây là đúng sự thật và chịu trách "
                  "nhiệm trước pháp luật về lời khai của mình.");
    char date[256];
    long_date(&d->signed_date, d->district, date, sizeof date);
    const char *lines[3] = {date, "NGƯỜI LÀM ĐƠN", "(Ký, ghi rõ họ tên)"};
    const char *styles[3] = {"Italic", "Bold", "Italic"};
    if (rc == 0)
        rc = signer(f, lines, styles, 3, d->p.name);
    (void)snprintf(stamp, sn, "%s", "");
    if (rc)
        return rc;
    docfields_set(t, "form_title", d->form_title);
    docfields_set(t, "applicant_name", d->p.upper);
    docfields_set(t, "id_number", d->cccd);
    date_iso(&d->p.born, iso);
    docfields_set(t, "date_of_birth", iso);
    docfields_set(t, "address", d->residence_long);
    docfields_set(t, "phone", d->phone);
    date_iso(&d->signed_date, iso);
    docfields_set(t, "signed_date", iso);
    return 0;
}

static int official_document(struct flow4 *f, const struct docdata *d, struct docfields *t,
                             char *stamp, size_t sn)
{
    char no[96], date[256], tmp[512], iso[16];
    (void)snprintf(no, sizeof no, "Số: %s", d->doc_number);
    long_date(&d->doc_date, d->place, date, sizeof date);
    int rc = letterhead_official(f->g, f->p, d->issuing_l1, d->issuing_l2, no, date, f->err);
    f->y = f->p->y + f->pitch / 2;
    if (rc == 0)
        rc = centre(f, "Bold", 14, d->doc_kind);
    (void)snprintf(tmp, sizeof tmp, "Về việc %s", d->subject);
    if (rc == 0)
        rc = centre(f, "Bold", 13, tmp);
    f->y += f->pitch / 2;
    (void)snprintf(tmp, sizeof tmp, "CHỦ TỊCH UỶ BAN NHÂN DÂN %s", d->issuing_l2);
    bool qd = !strcmp(d->doc_symbol, "QĐ");
    if (rc == 0 && qd)
        rc = centre(f, "Bold", 13, tmp);
    if (rc == 0)
        rc = para(f, "Italic",
                  "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;");
    if (rc == 0)
        rc = para(f, "Italic",
                  "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về "
                  "công tác văn thư;");
    if (rc == 0)
        rc = para(f, "Italic", "Xét đề nghị của Chánh Văn phòng Uỷ ban nhân dân.");
    if (rc == 0 && qd)
        rc = centre(f, "Bold", 13, "QUYẾT ĐỊNH:");
    (void)snprintf(tmp, sizeof tmp,
                   "Điều 1. Triển khai nội dung %s trên địa bàn theo kế hoạch kèm theo.",
                   d->subject);
    if (rc == 0)
        rc = para(f, "", tmp);
    if (rc == 0)
        rc = para(f, "", "Điều 2. Văn bản này có hiệu lực kể từ ngày ký.");
    if (rc == 0)
        rc = para(f, "",
                  "Điều 3. Chánh Văn phòng, Thủ trưởng các cơ quan, đơn vị có liên quan chịu "
                  "trách nhiệm thi hành.");
    if (rc == 0)
        rc = recipients_block(f->g, f->p, f->y + f->pitch / 2, f->err);
    const char *lines[3] = {"TM. UỶ BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"};
    const char *styles[3] = {"Bold", "Bold", "Bold"};
    if (rc == 0)
        rc = signer(f, lines, styles, 3, d->signer);
    (void)snprintf(stamp, sn, "%s * %s *", d->issuing_l1, d->issuing_l2);
    if (rc)
        return rc;
    docfields_set(t, "doc_number", d->doc_number);
    docfields_set(t, "issuing_body", d->issuing_body);
    docfields_set(t, "place", d->place);
    date_iso(&d->doc_date, iso);
    docfields_set(t, "issue_date", iso);
    docfields_set(t, "doc_kind", d->doc_kind);
    docfields_set(t, "subject", d->subject);
    docfields_set(t, "signer", d->signer);
    return 0;
}

static int dossier_receipt(struct flow4 *f, const struct docdata *d, struct docfields *t,
                           char *stamp, size_t sn)
{
    char upper[192], date[256], tmp[512], iso[16], rd[16], ad[16];
    (void)snprintf(upper, sizeof upper, "UBND %s", d->province_upper);
    long_date(&d->received, d->place, date, sizeof date);
    int rc = letterhead_official(f->g, f->p, upper, "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG", "", date,
                                 f->err);
    f->y = f->p->y + f->pitch / 2;
    if (rc == 0)
        rc = centre(f, "Bold", 14, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ");
    (void)snprintf(tmp, sizeof tmp, "Mã hồ sơ: %s", d->receipt);
    if (rc == 0)
        rc = centre(f, "Bold", 13, tmp);
    f->y += f->pitch / 2;
    (void)snprintf(tmp, sizeof tmp, "%s tiếp nhận hồ sơ của:", d->centre);
    if (rc == 0)
        rc = para(f, "", tmp);
    if (rc == 0)
        rc = lv(f, "Ông/bà:", d->p.upper);
    if (rc == 0)
        rc = lv(f, "Địa chỉ:", d->residence_long);
    if (rc == 0)
        rc = lv(f, "Số điện thoại:", d->phone);
    if (rc == 0)
        rc = lv(f, "Nội dung yêu cầu giải quyết:", d->procedure);
    if (rc == 0)
        rc = para(f, "", "1. Thành phần hồ sơ nộp gồm:");
    if (rc == 0)
        rc = para(f, "", "- Tờ khai theo mẫu quy định: 01 bản chính;");
    if (rc == 0)
        rc = para(f, "", "- Giấy tờ tuỳ thân của người đề nghị: 01 bản sao.");
    if (rc == 0)
        rc = para(f, "", "2. Số lượng hồ sơ: 01 (bộ)");
    fmt_dmy(&d->received, rd, sizeof rd);
    fmt_dmy(&d->appointment, ad, sizeof ad);
    (void)snprintf(tmp, sizeof tmp, "%02d giờ %02d phút, ngày %s", d->received_hour,
                   d->received_min, rd);
    if (rc == 0)
        rc = lv(f, "3. Thời gian nhận hồ sơ:", tmp);
    (void)snprintf(tmp, sizeof tmp, "14 giờ 00 phút, ngày %s", ad);
    if (rc == 0)
        rc = lv(f, "4. Thời gian trả kết quả giải quyết hồ sơ:", tmp);
    if (rc == 0)
        rc = lv(f, "5. Nơi trả kết quả:", "Trung tâm Phục vụ hành chính công");
    /* the receipt number as a QR code, as receipts print it */
    double k = px_mm(f->g);
    if (rc == 0 && qr_available())
        rc = qr_draw(f->p, d->receipt, f->p->right - (int)lround(24 * k), f->y, (int)lround(24 * k),
                     f->err);
    int y = f->y + f->pitch / 2, W = f->p->right - f->p->left;
    const char *l1[1] = {"NGƯỜI NỘP HỒ SƠ"}, *l2[1] = {"NGƯỜI TIẾP NHẬN HỒ SƠ"},
               *styles[1] = {"Bold"};
    if (rc == 0)
        rc = signature_block(f->g, f->p, f->p->left, (int)(W * 0.42), y, l1, styles, 1, d->p.name,
                             f->err);
    if (rc == 0)
        rc = signature_block(f->g, f->p, f->p->left + (int)(W * 0.42), (int)(W * 0.36), y, l2,
                             styles, 1, d->signer, f->err);
    (void)snprintf(stamp, sn, "%s", "");
    if (rc)
        return rc;
    docfields_set(t, "receipt_number", d->receipt);
    docfields_set(t, "procedure_name", d->procedure);
    docfields_set(t, "applicant_name", d->p.upper);
    date_iso(&d->received, iso);
    docfields_set(t, "received_date", iso);
    date_iso(&d->appointment, iso);
    docfields_set(t, "appointment_date", iso);
    return 0;
}

int doc_render_a4(struct gen *g, enum doctype t, const struct docdata *d, struct page *p,
                  struct docfields *truth, char *stamp, size_t stamp_n, struct sohoa_err *err)
{
    const struct font *fo = NULL;
    int rc = font_get(g, "", g->size_pt, &fo, err);
    if (rc)
        return rc;
    struct flow4 f = {
        g, p, p->left, p->right - p->left, p->top, (int)lround(fo->pitch * 1.3), g->size_pt, err};
    stamp[0] = '\0';
    switch (t) {
    case DOC_BIRTH_CERTIFICATE:
        return birth_certificate(&f, d, truth, stamp, stamp_n);
    case DOC_BUSINESS_REGISTRATION:
        return business_registration(&f, d, truth, stamp, stamp_n);
    case DOC_LAND_USE_CERTIFICATE:
        return land_use_certificate(&f, d, truth, stamp, stamp_n);
    case DOC_APPLICATION_FORM:
        return application_form(&f, d, truth, stamp, stamp_n);
    case DOC_OFFICIAL_DOCUMENT:
        return official_document(&f, d, truth, stamp, stamp_n);
    case DOC_DOSSIER_RECEIPT:
        return dossier_receipt(&f, d, truth, stamp, stamp_n);
    default:
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s is no A4 document", doctype_name(t));
    }
}
