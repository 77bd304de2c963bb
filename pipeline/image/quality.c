/* quality.c — per-page scan quality findings (see quality.h). The blur measure is plain
 * arithmetic on the pixel buffer; everything else is read from what decode, clean and OCR
 * reported.
 */
#include "pipeline/image/quality.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sohoa_quality_input_init(struct sohoa_quality_input *in)
{
    memset(in, 0, sizeof *in);
    in->dpi = in->blur = in->mean_conf = -1;
    in->skew_left = SOHOA_QUALITY_NOT_MEASURED;
    in->n_words = -1;
}

static uint8_t luma(const struct sohoa_image *img, int x, int y)
{
    const uint8_t *p = img->pixels + (size_t)y * img->stride + (size_t)x * (size_t)img->bands;
    if (img->bands < 3)
        return p[0];
    return (uint8_t)((299 * p[0] + 587 * p[1] + 114 * p[2] + 500) / 1000);
}

double sohoa_quality_blur(const struct sohoa_image *img, int step)
{
    if (!img || !img->pixels || img->width < 3 || img->height < 3)
        return -1;
    if (step < 1)
        step = 1;
    double sum = 0, sum2 = 0;
    size_t n = 0;
    for (int y = 1; y + 1 < img->height; y += step)
        for (int x = 1; x + 1 < img->width; x += step) {
            double l = 4.0 * luma(img, x, y) - luma(img, x - 1, y) - luma(img, x + 1, y) -
                       luma(img, x, y - 1) - luma(img, x, y + 1);
            sum += l;
            sum2 += l * l;
            n++;
        }
    if (!n)
        return -1;
    double mean = sum / (double)n;
    return sum2 / (double)n - mean * mean;
}

static void issue(struct sohoa_page_quality *q, const char *code, const char *vi, const char *en,
                  ...) __attribute__((format(printf, 4, 5)));

/* Add a warning; `vi` and `en` take the same arguments in the same order. */
static void issue(struct sohoa_page_quality *q, const char *code, const char *vi, const char *en,
                  ...)
{
    if (q->n_issues >= SOHOA_QUALITY_ISSUES)
        return;
    struct sohoa_check *c = &q->issues[q->n_issues++];
    va_list ap;
    c->severity = SOHOA_CHECK_WARNING;
    (void)snprintf(c->code, sizeof c->code, "%s", code);
    va_start(ap, en);
    (void)vsnprintf(c->msg_en, sizeof c->msg_en, en, ap);
    va_end(ap);
    va_start(ap, en);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    (void)vsnprintf(c->msg_vi, sizeof c->msg_vi, vi, ap);
#pragma GCC diagnostic pop
    va_end(ap);
}

void sohoa_quality_assess(int page, const struct sohoa_quality_input *in,
                          struct sohoa_page_quality *q)
{
    memset(q, 0, sizeof *q);
    q->page = page;
    q->in = *in;
    q->usable = true;
    if (in->blank) {
        issue(q, "quality.blank", "Trang %d để trống (không có chữ)", "Page %d is blank (no text)",
              page);
        q->usable = false;
        return; /* nothing else means anything on a blank page */
    }
    if (in->dpi > 0 && !in->dpi_assumed && in->dpi + 0.5 < SOHOA_QUALITY_DPI_MIN) {
        issue(q, "quality.low_dpi",
              "Trang %d quét ở %.0f dpi, dưới mức tối thiểu %.0f dpi (Nghị định 30/2020)",
              "Page %d was scanned at %.0f dpi, below the %.0f dpi minimum (Decree 30/2020)", page,
              in->dpi, SOHOA_QUALITY_DPI_MIN);
        if (in->dpi < 150)
            q->usable = false;
    }
    if (in->blur >= 0 && in->blur < SOHOA_QUALITY_BLUR_MIN) {
        issue(q, "quality.blurry", "Trang %d bị mờ (độ nét %.0f, cần ít nhất %.0f)",
              "Page %d is blurry (sharpness %.0f, at least %.0f wanted)", page, in->blur,
              SOHOA_QUALITY_BLUR_MIN);
        q->usable = false;
    }
    if (in->skew_left > SOHOA_QUALITY_NOT_MEASURED && fabs(in->skew_left) > SOHOA_QUALITY_SKEW_MAX)
        issue(q, "quality.skewed", "Trang %d còn nghiêng %.1f° sau khi chỉnh",
              "Page %d is still skewed by %.1f° after deskew", page, in->skew_left);
    if (in->mean_conf >= 0 && in->n_words > 0 && in->mean_conf < SOHOA_QUALITY_CONF_MIN)
        issue(q, "quality.low_conf", "Trang %d nhận dạng chữ kém (độ tin cậy trung bình %.0f/100)",
              "Page %d was read poorly (mean OCR confidence %.0f/100)", page, in->mean_conf);
}
