/* docdata.c — fictional facts for the generator's document mode: people, IDs, places, a company,
 * a parcel, a decision, a receipt. See docdata.h. Province names come from the 63-province list
 * behind sohoa_cccd_province_name (models/provinces.json); communes, districts, streets, people
 * and companies are made up. Every identifier drawn is checked with sohoa's own validators.
 */
#include "bench/gen/docdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "pipeline/fields/validate.h"
#include "pipeline/base/vntext.h"

static const char *const COMMUNES[] = {"Tân Phong",   "An Phước", "Bình Sơn",    "Xuân An",
                                       "Phú Lợi",     "Long Tân", "Tân Hiệp",    "Hiệp Phước",
                                       "Phước Thiền", "Tân Mai",  "Quang Trung", "Thanh Xuân",
                                       "Đông Hưng",   "Yên Sở",   "Hòa Lợi",     "Bắc Sơn"};
static const char *const DISTRICTS[] = {"Long Thành", "Châu Thành", "Phú Tân",  "Bình Minh",
                                        "Tân Uyên",   "Đông Anh",   "Yên Lạc",  "Thống Nhất",
                                        "Kiến Xương", "Hoài Đức",   "Vĩnh Cửu", "Đức Hòa"};
static const char *const STREETS2[] = {"Lê Lợi",         "Nguyễn Trãi",   "Hai Bà Trưng",
                                       "Lý Thường Kiệt", "Trần Hưng Đạo", "Phan Chu Trinh",
                                       "Quang Trung",    "Điện Biên Phủ"};
/* Centrally-run cities: "thành phố", not "tỉnh". */
static const char *const CITY_CODES[] = {"001", "031", "048", "079", "092"};

static const char *const TRADES[] = {"THƯƠNG MẠI DỊCH VỤ", "XÂY DỰNG",
                                     "KỸ THUẬT CÔNG NGHỆ", "VẬN TẢI",
                                     "SẢN XUẤT",           "NÔNG NGHIỆP XANH"};
static const char *const TRADES_EN[] = {"TRADING SERVICE",        "CONSTRUCTION",
                                        "ENGINEERING TECHNOLOGY", "TRANSPORT",
                                        "MANUFACTURING",          "GREEN AGRICULTURE"};
static const char *const BRANDS[] = {"AN PHÁT",  "HOÀNG LONG", "MINH TÂM", "PHÚ THÀNH",
                                     "ĐẠI VIỆT", "SAO MAI",    "TÂN TIẾN", "HƯNG THỊNH"};
static const char *const BRANDS_EN[] = {"AN PHAT",  "HOANG LONG", "MINH TAM", "PHU THANH",
                                        "DAI VIET", "SAO MAI",    "TAN TIEN", "HUNG THINH"};

static const char *const SERIAL_LETTERS[] = {"AA", "AB", "AK", "BA", "BB", "BD",
                                             "BX", "CA", "CB", "CD", "DA", "DB"};

static const char *const DOC_KINDS[][2] = {
    {"QUYẾT ĐỊNH", "QĐ"}, {"THÔNG BÁO", "TB"}, {"KẾ HOẠCH", "KH"}, {"CHỈ THỊ", "CT"}};
static const char *const SUBJECTS[] = {
    "phê duyệt kế hoạch cải cách hành chính năm 2025",
    "tăng cường kỷ luật, kỷ cương hành chính",
    "kiện toàn Ban Chỉ đạo chuyển đổi số",
    "triển khai số hoá hồ sơ thủ tục hành chính",
    "ban hành quy chế tiếp nhận hồ sơ trực tuyến",
    "tổ chức Hội nghị tổng kết công tác năm 2024",
    "giao chỉ tiêu tiếp nhận hồ sơ cho các xã",
    "công bố danh mục thủ tục hành chính mới",
};

static const char *const FORMS[][2] = {
    {"TỜ KHAI ĐĂNG KÝ KHAI SINH", "Ủy ban nhân dân xã %s"},
    {"ĐƠN ĐỀ NGHỊ CẤP PHIẾU LÝ LỊCH TƯ PHÁP", "Sở Tư pháp %s"},
    {"TỜ KHAI CĂN CƯỚC", "Công an huyện %s"},
    {"ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", "Ủy ban nhân dân huyện %s"},
    {"TỜ KHAI THAY ĐỔI THÔNG TIN CƯ TRÚ", "Công an xã %s"},
};

static const char *const PROCEDURES[] = {
    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    "Đăng ký thành lập doanh nghiệp tư nhân",
    "Cấp giấy phép xây dựng nhà ở riêng lẻ",
    "Đăng ký biến động quyền sử dụng đất",
    "Giải quyết hưởng trợ cấp thất nghiệp",
    "Đăng ký khai sinh",
};

/* ---- dates ------------------------------------------------------------------------------- */

static long days_from_civil(int y, int m, int d) /* days since 1970-01-01 */
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static struct date civil_from_days(long z)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
    long m = mp + (mp < 10 ? 3 : -9);
    return (struct date){(int)(y + (m <= 2)), (int)m, (int)d};
}

static long dnum(const struct date *d)
{
    return days_from_civil(d->y, d->m, d->d);
}

/* A day in [lo, hi]. */
static struct date date_between(struct rng *r, struct date lo, struct date hi)
{
    long a = dnum(&lo), b = dnum(&hi);
    return civil_from_days(a + (long)(rng_next(r) % (uint64_t)(b - a + 1)));
}

static struct date date_add(struct date d, int days)
{
    return civil_from_days(dnum(&d) + days);
}

void date_iso(const struct date *d, char out[16])
{
    (void)snprintf(out, 16, "%04d-%02d-%02d", d->y, d->m, d->d);
}

/* ---- text ---------------------------------------------------------------------------------- */

/* `in` → canonical form into out[n]. */
static int canon(const char *in, char *out, size_t n, struct sohoa_err *err)
{
    char *c = NULL;
    int rc = vn_normalize(in, strlen(in), &c, err);
    if (rc == 0)
        (void)snprintf(out, n, "%s", c);
    free(c);
    return rc;
}

static int canon_upper(const char *in, char *out, size_t n, struct sohoa_err *err)
{
    char up[512];
    utf8_case(in, up, sizeof up, false);
    return canon(up, out, n, err);
}

static int person(struct rng *r, bool female, struct date lo, struct date hi, struct docperson *p,
                  struct sohoa_err *err)
{
    char raw[96];
    p->female = female;
    person_name(r, female, raw, sizeof raw);
    p->born = date_between(r, lo, hi);
    int rc = canon(raw, p->name, sizeof p->name, err);
    return rc ? rc : canon_upper(raw, p->upper, sizeof p->upper, err);
}

/* The same person's family name ("Nguyễn") with another middle and given name. */
static int child_of(struct rng *r, const struct docperson *father, bool female, struct date lo,
                    struct date hi, struct docperson *c, struct sohoa_err *err)
{
    int rc = person(r, female, lo, hi, c, err);
    if (rc)
        return rc;
    const char *sp = strchr(c->name, ' '), *fsp = strchr(father->name, ' ');
    char raw[128];
    (void)snprintf(raw, sizeof raw, "%.*s%s", (int)(fsp - father->name), father->name, sp);
    rc = canon(raw, c->name, sizeof c->name, err);
    return rc ? rc : canon_upper(raw, c->upper, sizeof c->upper, err);
}

static int check(const struct sohoa_validation *v, const char *what, const char *value,
                 struct sohoa_err *err)
{
    if (v->severity != SOHOA_CHECK_ERROR && v->severity != SOHOA_CHECK_WARNING)
        return 0;
    return sohoa_err_set(err, SOHOA_EBACKEND, false, "generated %s %s fails validation: %s", what,
                         value, v->n_checks ? v->checks[0].msg_en : "?");
}

/* ---- the facts ------------------------------------------------------------------------------ */

static int places(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    /* the province: one of the 63 codes, drawn until the list knows it */
    const char *prov = NULL;
    char code[4];
    while (!prov) {
        (void)snprintf(code, sizeof code, "%03d", rng_int(r, 1, 96));
        prov = sohoa_cccd_province_name(code);
    }
    memcpy(d->birth_prov_code, code, 4);
    bool city = false;
    for (size_t i = 0; i < G_N_ELEMENTS(CITY_CODES); i++)
        city = city || !strcmp(CITY_CODES[i], code);
    const char *bare = !strncmp(prov, "TP. ", 4) ? prov + 4 : prov;
    char tmp[512];
    int rc = canon(bare, d->province, sizeof d->province, err);
    (void)snprintf(tmp, sizeof tmp, "%s %s", city ? "thành phố" : "tỉnh", d->province);
    if (rc == 0)
        rc = canon(tmp, d->province_line, sizeof d->province_line, err);
    if (rc == 0)
        rc = canon_upper(tmp, d->province_upper, sizeof d->province_upper, err);
    (void)snprintf(tmp, sizeof tmp, "%s%s", city ? "Thành phố " : "", d->province);
    if (rc == 0)
        rc = canon(tmp, d->place, sizeof d->place, err);
    const char *dist = rng_pick(r, DISTRICTS, G_N_ELEMENTS(DISTRICTS));
    if (rc == 0)
        rc = canon(dist, d->district, sizeof d->district, err);
    (void)snprintf(tmp, sizeof tmp, "huyện %s", d->district);
    if (rc == 0)
        rc = canon(tmp, d->district_line, sizeof d->district_line, err);
    const char *c1 = rng_pick(r, COMMUNES, G_N_ELEMENTS(COMMUNES));
    const char *c2 = rng_pick(r, COMMUNES, G_N_ELEMENTS(COMMUNES));
    const char *d2 = rng_pick(r, DISTRICTS, G_N_ELEMENTS(DISTRICTS));
    int no = rng_int(r, 1, 250);
    const char *street = rng_pick(r, STREETS2, G_N_ELEMENTS(STREETS2));
    (void)snprintf(tmp, sizeof tmp, "%s, %s, %s", c1, d2, d->province);
    if (rc == 0)
        rc = canon(tmp, d->origin_short, sizeof d->origin_short, err);
    (void)snprintf(tmp, sizeof tmp, "xã %s, huyện %s, %s", c1, d2, d->province_line);
    if (rc == 0)
        rc = canon(tmp, d->origin_long, sizeof d->origin_long, err);
    (void)snprintf(tmp, sizeof tmp, "%d %s, %s, %s, %s", no, street, c2, d->district, d->province);
    if (rc == 0)
        rc = canon(tmp, d->residence_short, sizeof d->residence_short, err);
    (void)snprintf(tmp, sizeof tmp, "số %d đường %s, xã %s, %s, %s", no, street, c2,
                   d->district_line, d->province_line);
    if (rc == 0)
        rc = canon(tmp, d->residence_long, sizeof d->residence_long, err);
    return rc;
}

static int holder(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    bool female = rng_unit(r) < 0.5;
    int rc = person(r, female, (struct date){1968, 1, 1}, (struct date){2005, 12, 31}, &d->p, err);
    if (rc)
        return rc;
    const struct date *b = &d->p.born;
    (void)snprintf(d->cccd, sizeof d->cccd, "%s%d%02d%06d", d->birth_prov_code,
                   (b->y >= 2000 ? 2 : 0) + (female ? 1 : 0), b->y % 100, rng_int(r, 0, 999999));
    (void)snprintf(d->cmnd, sizeof d->cmnd, "%09d", rng_int(r, 10000000, 389999999));
    (void)snprintf(d->phone, sizeof d->phone, "0%d%08d", rng_int(r, 0, 1) ? 9 : 3,
                   rng_int(r, 0, 99999999));
    /* issued from 2021 (chip cards), at 14 or older; valid until 25, 40 or 60 */
    struct date lo = {b->y + 14, b->m, b->d < 29 ? b->d : 28};
    if (lo.y < 2021)
        lo = (struct date){2021, 1, 1};
    d->cccd_issued = date_between(r, lo, (struct date){DOCDATA_LATEST_Y, 12, 31});
    int age = d->cccd_issued.y - b->y, until = age < 23 ? 25 : age < 38 ? 40 : 60;
    d->cccd_expiry = (struct date){b->y + until, b->m, b->d};
    struct sohoa_ymd today = {DOCDATA_LATEST_Y, 12, 31};
    struct sohoa_cccd_hint hint = {b->y, female ? SOHOA_SEX_FEMALE : SOHOA_SEX_MALE};
    struct sohoa_validation v;
    if ((rc = sohoa_cccd_validate(d->cccd, &hint, &today, &v, err)) ||
        (rc = check(&v, "CCCD", d->cccd, err)))
        return rc;
    if ((rc = sohoa_cccd_validate(d->cmnd, NULL, &today, &v, err)) ||
        (rc = check(&v, "CMND", d->cmnd, err)))
        return rc;
    return 0;
}

static int birth(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    int rc =
        person(r, false, (struct date){1972, 1, 1}, (struct date){1998, 12, 31}, &d->father, err);
    if (rc == 0)
        rc = person(r, true, (struct date){1974, 1, 1}, (struct date){2000, 12, 31}, &d->mother,
                    err);
    if (rc == 0)
        rc = child_of(r, &d->father, rng_unit(r) < 0.5, (struct date){2012, 1, 1},
                      (struct date){DOCDATA_LATEST_Y, 10, 31}, &d->child, err);
    if (rc)
        return rc;
    d->birth_registered = date_add(d->child.born, rng_int(r, 3, 55));
    (void)snprintf(d->birth_reg_no, sizeof d->birth_reg_no, "%d/%d", rng_int(r, 1, 480),
                   d->birth_registered.y);
    (void)snprintf(d->birth_book, sizeof d->birth_book, "%02d", rng_int(r, 1, 3));
    char tmp[256];
    if (rng_unit(r) < 0.6)
        (void)snprintf(tmp, sizeof tmp, "Bệnh viện Đa khoa %s", d->province_line);
    else
        (void)snprintf(tmp, sizeof tmp, "Trạm Y tế xã %s, %s",
                       rng_pick(r, COMMUNES, G_N_ELEMENTS(COMMUNES)), d->district_line);
    return canon(tmp, d->birth_place, sizeof d->birth_place, err);
}

static int company(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    char prefix[3] = {d->birth_prov_code[1], d->birth_prov_code[2], 0};
    make_mst(r, prefix, d->mst);
    struct sohoa_validation v;
    int rc = sohoa_mst_validate(d->mst, &v, err);
    if (rc == 0)
        rc = check(&v, "MST", d->mst, err);
    size_t t = rng_next(r) % G_N_ELEMENTS(TRADES), b = rng_next(r) % G_N_ELEMENTS(BRANDS);
    bool jsc = rng_unit(r) < 0.4;
    char tmp[256];
    (void)snprintf(tmp, sizeof tmp, "%s %s %s", jsc ? "CÔNG TY CỔ PHẦN" : "CÔNG TY TNHH", TRADES[t],
                   BRANDS[b]);
    if (rc == 0)
        rc = canon(tmp, d->company, sizeof d->company, err);
    (void)snprintf(d->company_en, sizeof d->company_en, "%s %s %s", BRANDS_EN[b], TRADES_EN[t],
                   jsc ? "JOINT STOCK COMPANY" : "COMPANY LIMITED");
    (void)snprintf(tmp, sizeof tmp, "Số %d đường %s, phường %s, %s, %s", rng_int(r, 1, 300),
                   rng_pick(r, STREETS2, G_N_ELEMENTS(STREETS2)),
                   rng_pick(r, COMMUNES, G_N_ELEMENTS(COMMUNES)), d->district_line,
                   d->province_line);
    if (rc == 0)
        rc = canon(tmp, d->company_addr, sizeof d->company_addr, err);
    d->company_first = date_between(r, (struct date){2010, 1, 1}, (struct date){2022, 12, 31});
    d->company_changed =
        date_between(r, date_add(d->company_first, 60), (struct date){DOCDATA_LATEST_Y, 12, 31});
    return rc;
}

static int land(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    (void)snprintf(d->serial, sizeof d->serial, "%s %06d",
                   rng_pick(r, SERIAL_LETTERS, G_N_ELEMENTS(SERIAL_LETTERS)),
                   rng_int(r, 1, 999999));
    (void)snprintf(d->register_no, sizeof d->register_no, "CS %05d", rng_int(r, 1, 99999));
    d->parcel = rng_int(r, 1, 999);
    d->map_sheet = rng_int(r, 1, 60);
    int whole = rng_int(r, 40, 600), tenth = rng_int(r, 1, 9);
    (void)snprintf(d->area_print, sizeof d->area_print, "%d,%d", whole, tenth);
    (void)snprintf(d->area_norm, sizeof d->area_norm, "%d.%d", whole, tenth);
    char tmp[256];
    (void)snprintf(tmp, sizeof tmp, "xã %s, %s, %s", rng_pick(r, COMMUNES, G_N_ELEMENTS(COMMUNES)),
                   d->district_line, d->province_line);
    d->land_issued =
        date_between(r, (struct date){2012, 1, 1}, (struct date){DOCDATA_LATEST_Y, 12, 31});
    return canon(tmp, d->parcel_addr, sizeof d->parcel_addr, err);
}

static int official(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    size_t k = rng_next(r) % G_N_ELEMENTS(DOC_KINDS);
    bool district = rng_unit(r) < 0.35;
    char tmp[256];
    int rc = canon(DOC_KINDS[k][0], d->doc_kind, sizeof d->doc_kind, err);
    (void)snprintf(d->doc_symbol, sizeof d->doc_symbol, "%s", DOC_KINDS[k][1]);
    (void)snprintf(tmp, sizeof tmp, "%d/%s-UBND", rng_int(r, 1, 2400), DOC_KINDS[k][1]);
    if (rc == 0)
        rc = canon(tmp, d->doc_number, sizeof d->doc_number, err);
    if (rc == 0)
        rc = canon_upper("Ủy ban nhân dân", d->issuing_l1, sizeof d->issuing_l1, err);
    (void)snprintf(tmp, sizeof tmp, "%s", district ? d->district_line : d->province_line);
    if (rc == 0)
        rc = canon_upper(tmp, d->issuing_l2, sizeof d->issuing_l2, err);
    (void)snprintf(d->issuing_body, sizeof d->issuing_body, "%s %s", d->issuing_l1, d->issuing_l2);
    if (district && rc == 0)
        rc = canon(d->district, d->place, sizeof d->place, err);
    if (rc == 0)
        rc = canon(rng_pick(r, SUBJECTS, G_N_ELEMENTS(SUBJECTS)), d->subject, sizeof d->subject,
                   err);
    struct docperson s;
    if (rc == 0)
        rc = person(r, rng_unit(r) < 0.3, (struct date){1965, 1, 1}, (struct date){1980, 1, 1}, &s,
                    err);
    (void)snprintf(d->signer, sizeof d->signer, "%s", s.name);
    d->doc_date =
        date_between(r, (struct date){2020, 1, 1}, (struct date){DOCDATA_LATEST_Y, 12, 31});
    struct sohoa_validation v;
    if (rc == 0 && (rc = sohoa_docnum_parse(d->doc_number, NULL, &v, err)) == 0)
        rc = check(&v, "document number", d->doc_number, err);
    return rc;
}

static int form_and_receipt(struct rng *r, struct docdata *d, struct sohoa_err *err)
{
    size_t f = rng_next(r) % G_N_ELEMENTS(FORMS);
    char tmp[256];
    int rc = canon(FORMS[f][0], d->form_title, sizeof d->form_title, err);
    (void)snprintf(tmp, sizeof tmp, FORMS[f][1], f == 1 ? d->province_line : d->district);
    if (rc == 0)
        rc = canon(tmp, d->form_to, sizeof d->form_to, err);
    d->signed_date =
        date_between(r, (struct date){2023, 1, 1}, (struct date){DOCDATA_LATEST_Y, 12, 31});
    if (rc == 0)
        rc = canon(rng_pick(r, PROCEDURES, G_N_ELEMENTS(PROCEDURES)), d->procedure,
                   sizeof d->procedure, err);
    (void)snprintf(tmp, sizeof tmp, "Trung tâm Phục vụ hành chính công %s", d->province_line);
    if (rc == 0)
        rc = canon(tmp, d->centre, sizeof d->centre, err);
    d->received =
        date_between(r, (struct date){2024, 1, 1}, (struct date){DOCDATA_LATEST_Y, 12, 31});
    d->appointment = date_add(d->received, rng_int(r, 3, 20));
    d->received_hour = rng_int(r, 7, 16);
    d->received_min = rng_int(r, 0, 11) * 5;
    (void)snprintf(d->receipt, sizeof d->receipt, "000.00.%02d.H%.2s-%02d%02d%02d-%04d",
                   rng_int(r, 0, 30), d->birth_prov_code + 1, d->received.y % 100, d->received.m,
                   d->received.d, rng_int(r, 1, 999));
    struct sohoa_ymd today = {DOCDATA_LATEST_Y, 12, 31};
    struct sohoa_validation v;
    if (rc == 0 && (rc = sohoa_receipt_validate(d->receipt, &today, &v, err)) == 0)
        rc = check(&v, "receipt number", d->receipt, err);
    return rc;
}

int docdata_make(uint64_t seed, uint64_t index, struct docdata *out, struct sohoa_err *err)
{
    memset(out, 0, sizeof *out);
    struct rng r = rng_for(seed, 11, index);
    int rc = places(&r, out, err);
    if (rc == 0)
        rc = holder(&r, out, err);
    if (rc == 0)
        rc = birth(&r, out, err);
    if (rc == 0)
        rc = company(&r, out, err);
    if (rc == 0)
        rc = land(&r, out, err);
    if (rc == 0)
        rc = official(&r, out, err);
    if (rc == 0)
        rc = form_and_receipt(&r, out, err);
    return rc;
}
