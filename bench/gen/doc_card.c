/* doc_card.c — ID cards for the generator's document mode: the chip CCCD front (QR code with the
 * chip card payload, photo, fields), its back (issue date, ICAO TD1 machine-readable zone) and
 * the old 9-digit CMND; and the printed card background painted under the ink. See doc.h.
 * Positions follow the real cards roughly, in millimetres of the 85.6 × 53.98 mm card.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench/gen/doc.h"
#include "bench/gen/mrz.h"
#include "bench/gen/qr.h"

#define MM(v) ((int)lround((v)*k))

/* "label <b>value</b>" on one line at (x, y); truth line = label + " " + value. */
static int lv_line(struct gen *g, struct page *p, double size, const char *label, const char *value,
                   int x, int y, int *x_end, struct sohoa_err *err)
{
    struct sohoa_buf m = GEN_BUF, plain = GEN_BUF;
    sb_put_escaped(&m, label);
    sohoa_buf_adds(&m, " <b>");
    sb_put_escaped(&m, value);
    sohoa_buf_adds(&m, "</b>");
    sohoa_buf_adds(&plain, label);
    sohoa_buf_adds(&plain, " ");
    sohoa_buf_adds(&plain, value);
    int rc = m.failed || plain.failed
                 ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                 : doc_text(g, p, "", size, m.data, plain.data, x, y, x_end, err);
    sohoa_buf_release(&m);
    sohoa_buf_release(&plain);
    return rc;
}

static int motto(struct gen *g, struct page *p, int x, int w, int y, double size, int gap,
                 struct sohoa_err *err)
{
    int rc =
        draw_centred(g, p, "Bold", size, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", x, w, y, NULL, err);
    return rc ? rc
              : draw_centred(g, p, "Bold", size, "Độc lập - Tự do - Hạnh phúc", x, w, y + gap, NULL,
                             err);
}

static int cccd_front(struct gen *g, const struct docdata *d, struct page *p, struct docfields *t,
                      struct sohoa_err *err)
{
    double k = px_mm(g);
    char dob[16], exp[16], iso[16], payload[512];
    fmt_dmy(&d->p.born, dob, sizeof dob);
    fmt_dmy(&d->cccd_expiry, exp, sizeof exp);
    int rc = motto(g, p, MM(16), MM(52), MM(3), 6.5, MM(2.8), err);
    if (rc == 0)
        rc = draw_centred(g, p, "Bold", 9.5, "CĂN CƯỚC CÔNG DÂN", MM(16), MM(52), MM(9), NULL, err);
    if (rc == 0)
        rc =
            draw_centred(g, p, "", 6, "Citizen Identity Card", MM(16), MM(52), MM(13.2), NULL, err);
    /* QR: ID|old CMND|name|DOB ddmmyyyy|sex|address|issue ddmmyyyy (docs/DOMAIN.md) */
    (void)snprintf(payload, sizeof payload, "%s|%s|%s|%02d%02d%04d|%s|%s|%02d%02d%04d", d->cccd,
                   d->cmnd, d->p.name, d->p.born.d, d->p.born.m, d->p.born.y,
                   d->p.female ? "Nữ" : "Nam", d->residence_short, d->cccd_issued.d,
                   d->cccd_issued.m, d->cccd_issued.y);
    if (rc == 0 && qr_available())
        rc = qr_draw(p, payload, MM(69.5), MM(1.8), MM(14.5), err);
    int x = MM(23), w = MM(83) - x, y = MM(17), xe = 0;
    if (rc == 0)
        rc = doc_text(g, p, "", 7, "Số / No.:", NULL, x, y + MM(0.8), &xe, err);
    if (rc == 0)
        rc = doc_text(g, p, "Bold", 10.5, d->cccd, NULL, xe + MM(2), y, NULL, err);
    if (rc == 0) {
        char line[64];
        (void)snprintf(line, sizeof line, "Số / No.: %s", d->cccd);
        gt_line(p, line);
        rc = doc_text(g, p, "", 6.5, "Họ và tên / Full name:", "Họ và tên / Full name:", x,
                      y += MM(4.6), NULL, err);
    }
    if (rc == 0)
        rc = doc_text(g, p, "Bold", 9, d->p.upper, d->p.upper, x, y += MM(2.9), NULL, err);
    if (rc == 0)
        rc = lv_line(g, p, 7, "Ngày sinh / Date of birth:", dob, x, y += MM(4), NULL, err);
    if (rc == 0)
        rc = lv_line(g, p, 7, "Giới tính / Sex:", d->p.female ? "Nữ" : "Nam", x, y += MM(3.3), &xe,
                     err);
    if (rc == 0)
        rc = lv_line(g, p, 7, "Quốc tịch / Nationality:", "Việt Nam", x + MM(24), y, NULL, err);
    if (rc == 0)
        rc = doc_text(g, p, "", 7, "Quê quán / Place of origin:", "Quê quán / Place of origin:", x,
                      y += MM(3.3), NULL, err);
    y += MM(3.1);
    if (rc == 0)
        rc = doc_label_value(g, p, 7.5, "", "Bold", d->origin_short, x, w, MM(3.1), &y, err);
    y += MM(0.3);
    if (rc == 0)
        rc = doc_label_value(g, p, 7, "Nơi thường trú / Place of residence:", "Bold",
                             d->residence_short, x, w, MM(3.1), &y, err);
    if (rc == 0)
        rc =
            doc_text(g, p, "", 5.5, "Có giá trị đến:", "Có giá trị đến:", MM(3), MM(44), NULL, err);
    if (rc == 0)
        rc = doc_text(g, p, "Bold", 6.5, exp, exp, MM(3), MM(46.5), NULL, err);
    if (rc)
        return rc;
    docfields_set(t, "id_number", d->cccd);
    docfields_set(t, "full_name", d->p.upper);
    date_iso(&d->p.born, iso);
    docfields_set(t, "date_of_birth", iso);
    docfields_set(t, "sex", d->p.female ? "Nữ" : "Nam");
    docfields_set(t, "nationality", "Việt Nam");
    docfields_set(t, "place_of_origin", d->origin_short);
    docfields_set(t, "place_of_residence", d->residence_short);
    date_iso(&d->cccd_expiry, iso);
    docfields_set(t, "date_of_expiry", iso);
    return 0;
}

static int cccd_back(struct gen *g, const struct docdata *d, struct page *p, struct docfields *t,
                     struct sohoa_err *err)
{
    double k = px_mm(g);
    char issued[16], iso[16], mrz[3][31];
    fmt_dmy(&d->cccd_issued, issued, sizeof issued);
    int rc = mrz_td1(d->cccd, d->p.name, d->p.female, &d->p.born, &d->cccd_expiry, mrz, err);
    int x = MM(3), w = MM(50), y = MM(17);
    if (rc == 0)
        rc = doc_text(g, p, "", 6, "Đặc điểm nhân dạng / Personal identification:",
                      "Đặc điểm nhân dạng / Personal identification:", x, y, NULL, err);
    y += MM(2.7);
    if (rc == 0)
        rc = doc_label_value(g, p, 6.5, "", "", "Nốt ruồi C:1cm dưới sau mép phải", x, w, MM(2.7),
                             &y, err);
    if (rc == 0)
        rc = lv_line(g, p, 6.5, "Ngày, tháng, năm / Date, month, year:", issued, x, y += MM(0.6),
                     NULL, err);
    if (rc == 0)
        rc =
            draw_centred(g, p, "Bold", 6, "CỤC TRƯỞNG CỤC CẢNH SÁT", x, w, y += MM(3.4), NULL, err);
    if (rc == 0)
        rc = draw_centred(g, p, "Bold", 6, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", x, w,
                          y += MM(2.5), NULL, err);
    p->has_sig = true;
    p->sig_w = MM(14);
    p->sig_h = MM(2.4);
    p->sig_x = x + (w - p->sig_w) / 2;
    p->sig_y = y + MM(4.3);
    if (rc == 0)
        rc = draw_centred(g, p, "Bold", 6.5, d->signer, x, w, y += MM(5.6), NULL, err);
    if (rc == 0)
        rc = doc_text(g, p, "", 5, "Ngón trỏ trái", "Ngón trỏ trái", MM(56), MM(20.5), NULL, err);
    if (rc == 0)
        rc = doc_text(g, p, "", 5, "Ngón trỏ phải", "Ngón trỏ phải", MM(71), MM(20.5), NULL, err);
    const struct font *mono = NULL;
    if (rc == 0)
        rc = font_get_family(g, "Liberation Mono", "", 11, &mono, err);
    for (int i = 0; rc == 0 && i < 3; i++) {
        struct bitmap b = {0};
        int top = 0;
        bool wrapped = false;
        struct sohoa_buf m = GEN_BUF;
        sb_put_escaped(&m, mrz[i]);
        rc = m.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                      : line_render(g, mono, m.data, 0, false, &b, &top, &wrapped, err);
        sohoa_buf_release(&m);
        if (rc == 0) {
            ink_blit(p, &b, MM(4), MM(38.3) + i * MM(4.6) - top);
            gt_line(p, mrz[i]);
        }
        bitmap_release(&b);
    }
    if (rc)
        return rc;
    date_iso(&d->cccd_issued, iso);
    docfields_set(t, "issue_date", iso);
    char joined[128];
    (void)snprintf(joined, sizeof joined, "%s\n%s\n%s", mrz[0], mrz[1], mrz[2]);
    docfields_set(t, "mrz", joined);
    docfields_set(t, "id_number", d->cccd);
    return 0;
}

static int cmnd(struct gen *g, const struct docdata *d, struct page *p, struct docfields *t,
                struct sohoa_err *err)
{
    double k = px_mm(g);
    char dob[16], iso[16], no[32];
    (void)snprintf(dob, sizeof dob, "%02d-%02d-%04d", d->p.born.d, d->p.born.m, d->p.born.y);
    (void)snprintf(no, sizeof no, "SỐ %s", d->cmnd);
    int x = MM(22), w = MM(83) - x, y = MM(19.5), pitch = MM(3.5);
    int rc = motto(g, p, x, w, MM(3), 6.5, MM(2.8), err);
    if (rc == 0)
        rc = draw_centred(g, p, "Bold", 10, "GIẤY CHỨNG MINH NHÂN DÂN", x, w, MM(8.8), NULL, err);
    if (rc == 0)
        rc = draw_centred(g, p, "Bold", 11, no, x, w, MM(13.3), NULL, err);
    if (rc == 0)
        rc = doc_label_value(g, p, 8, "Họ tên:", "Bold", d->p.upper, x, w, pitch, &y, err);
    if (rc == 0)
        rc = doc_label_value(g, p, 8, "Sinh ngày:", "Bold", dob, x, w, pitch, &y, err);
    if (rc == 0)
        rc =
            doc_label_value(g, p, 8, "Nguyên quán:", "Bold", d->origin_short, x, w, pitch, &y, err);
    if (rc == 0)
        rc = doc_label_value(g, p, 8, "Nơi ĐKHK thường trú:", "Bold", d->residence_short, x, w,
                             pitch, &y, err);
    if (rc)
        return rc;
    docfields_set(t, "id_number", d->cmnd);
    docfields_set(t, "full_name", d->p.upper);
    date_iso(&d->p.born, iso);
    docfields_set(t, "date_of_birth", iso);
    docfields_set(t, "place_of_origin", d->origin_short);
    docfields_set(t, "place_of_residence", d->residence_short);
    return 0;
}

int doc_render_card(struct gen *g, enum doctype t, const struct docdata *d, struct page *p,
                    struct docfields *truth, struct sohoa_err *err)
{
    switch (t) {
    case DOC_CCCD_FRONT:
        return cccd_front(g, d, p, truth, err);
    case DOC_CCCD_BACK:
        return cccd_back(g, d, p, truth, err);
    case DOC_CMND:
        return cmnd(g, d, p, truth, err);
    default:
        return sohoa_err_set(err, SOHOA_EINVAL, false, "%s is no card", doctype_name(t));
    }
}

/* ---- the printed card ------------------------------------------------------------------------ */

static void fill_rect(struct canvas *cv, int x0, int y0, int x1, int y1, double a,
                      const double col[3])
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            blend_px(cv, x, y, a, col);
}

/* Filled (or ringed, like a fingerprint) ellipse, drawn only above row `ymax`. */
static void fill_ellipse(struct canvas *cv, double cx, double cy, double rx, double ry, double a,
                         const double col[3], bool ring, double ymax)
{
    for (int y = (int)(cy - ry) - 1; y <= (int)(cy + ry) + 1 && y < ymax; y++)
        for (int x = (int)(cx - rx) - 1; x <= (int)(cx + rx) + 1; x++) {
            double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry, r = sqrt(dx * dx + dy * dy);
            if (r <= 1 && (!ring || fmod(r * 9, 1.0) < 0.45))
                blend_px(cv, x, y, a, col);
        }
}

void doc_card_paint(struct gen *g, enum doctype t, const struct page *p, struct canvas *cv,
                    struct rng *r)
{
    double k = px_mm(g), radius = 3.2 * k;
    /* background: a soft two-colour gradient multiplied into the paper; white round corners */
    double c0[3], c1[3];
    if (t == DOC_CMND) {
        const double a[3] = {214, 232, 238}, b[3] = {236, 240, 214};
        memcpy(c0, a, sizeof a);
        memcpy(c1, b, sizeof b);
    } else {
        const double a[3] = {226, 236, 246}, b[3] = {246, 228, 232};
        memcpy(c0, a, sizeof a);
        memcpy(c1, b, sizeof b);
    }
    double phase = rng_range(r, 0, 2 * M_PI);
    for (int y = 0; y < cv->h; y++)
        for (int x = 0; x < cv->w; x++) {
            double dx = fmax(0, fmax(radius - x, x - (cv->w - 1 - radius)));
            double dy = fmax(0, fmax(radius - y, y - (cv->h - 1 - radius)));
            if (hypot(dx, dy) > radius)
                continue;
            double s = (double)x / cv->w * 0.7 + (double)y / cv->h * 0.3;
            s += 0.04 * sin(x / (1.3 * k) + phase) * sin(y / (1.7 * k)); /* guilloche hint */
            s = s < 0 ? 0 : s > 1 ? 1 : s;
            uint8_t *q = cv->px + ((size_t)y * cv->w + x) * cv->bands;
            double col[3];
            for (int b = 0; b < 3; b++)
                col[b] = (c0[b] * (1 - s) + c1[b] * s) / 255.0;
            if (cv->bands == 3)
                for (int b = 0; b < 3; b++)
                    q[b] = (uint8_t)lround(q[b] * col[b]);
            else
                q[0] = (uint8_t)lround(q[0] * (0.299 * col[0] + 0.587 * col[1] + 0.114 * col[2]));
        }
    static const double red[3] = {200, 30, 40}, yellow[3] = {250, 215, 40},
                        photo[3] = {196, 206, 220}, person[3] = {120, 128, 140},
                        gold[3] = {214, 176, 90}, print[3] = {150, 150, 160};
    if (t == DOC_CCCD_FRONT || t == DOC_CMND) { /* national emblem: red disc, yellow star */
        double cx = 9.2 * k, cy = (t == DOC_CMND ? 9.5 : 8.5) * k;
        fill_ellipse(cv, cx, cy, 5.2 * k, 5.2 * k, 0.9, red, false, cv->h);
        fill_ellipse(cv, cx, cy, 2.0 * k, 2.0 * k, 0.9, yellow, false, cv->h);
        /* photo with a head-and-shoulders silhouette */
        double px0 = 3 * k, py0 = (t == DOC_CMND ? 20 : 17) * k,
               pw = (t == DOC_CMND ? 16 : 17.5) * k, ph = (t == DOC_CMND ? 22 : 25) * k;
        fill_rect(cv, (int)px0, (int)py0, (int)(px0 + pw), (int)(py0 + ph), 0.9, photo);
        fill_ellipse(cv, px0 + pw / 2, py0 + ph * 0.38, pw * 0.22, ph * 0.2, 0.9, person, false,
                     py0 + ph);
        fill_ellipse(cv, px0 + pw / 2, py0 + ph * 1.02, pw * 0.45, ph * 0.36, 0.9, person, false,
                     py0 + ph);
    }
    if (t == DOC_CCCD_BACK) {
        fill_rect(cv, (int)(5 * k), (int)(4 * k), (int)(16 * k), (int)(13 * k), 0.9, gold);
        fill_ellipse(cv, 62 * k, 11 * k, 5 * k, 7 * k, 0.6, print, true, cv->h);
        fill_ellipse(cv, 77 * k, 11 * k, 5 * k, 7 * k, 0.6, print, true, cv->h);
    }
    (void)p;
}
