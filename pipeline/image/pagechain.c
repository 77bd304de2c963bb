/* pagechain.c — one page through decode → barcodes → clean → OCR → quality input (pagechain.h). */
#include "pipeline/image/pagechain.h"

#include <stdio.h>
#include <string.h>

#include "pipeline/base/deadline.h"

#define SKEW_CONF_MIN 3.0 /* sohoa_clean_measure_skew confidence below which skew is unknown */

void sohoa_page_quality_input(const struct sohoa_clean_result *cr, bool dpi_assumed,
                              const struct sohoa_ocr_page *op, struct sohoa_quality_input *q)
{
    sohoa_quality_input_init(q);
    q->dpi = cr->dpi;
    q->dpi_assumed = cr->dpi_guessed || dpi_assumed;
    q->blank = cr->blank;
    q->blur = sohoa_quality_blur(&cr->archive, 2);
    double angle = 0, conf = 0;
    if (!cr->blank && sohoa_clean_measure_skew(&cr->archive, &angle, &conf, NULL) == 0 &&
        conf >= SKEW_CONF_MIN)
        q->skew_left = angle;
    if (op && !cr->blank) {
        q->mean_conf = op->mean_conf;
        q->n_words = (int)op->n_words;
    }
}

void sohoa_page_read_release(struct sohoa_page_read *r)
{
    sohoa_clean_result_release(&r->clean);
    sohoa_ocr_page_release(&r->ocr);
    sohoa_barcodes_release(&r->barcodes);
    memset(r, 0, sizeof *r);
}

int sohoa_page_read(const char *path, enum sohoa_format format, int index, struct sohoa_ocr *ocr,
                    const struct sohoa_limits *limits, const struct sohoa_clean_opts *clean,
                    struct sohoa_page_read *out, struct sohoa_err *err)
{
    struct sohoa_limits dflt_limits = sohoa_limits_default();
    struct sohoa_clean_opts dflt_clean;
    struct sohoa_image img;
    memset(&img, 0, sizeof img);
    memset(out, 0, sizeof *out);
    if (!limits)
        limits = &dflt_limits;
    if (!clean) {
        sohoa_clean_opts_default(&dflt_clean);
        clean = &dflt_clean;
    }

    double t = sohoa_now_ms();
    int rc = sohoa_imageio_decode_page(path, format, index, limits, &img, err);
    if (rc < 0)
        goto out;
    struct sohoa_err berr;
    sohoa_err_clear(&berr);
    if (sohoa_barcode_scan(&img, &out->barcodes, &berr) < 0) {
        sohoa_barcodes_release(&out->barcodes);
        (void)snprintf(out->barcode_error, sizeof out->barcode_error, "%s",
                       berr.msg); /* a message */
    }
    out->dpi_assumed = img.dpi_assumed;
    out->decode_ms = sohoa_now_ms() - t;

    t = sohoa_now_ms();
    if ((rc = sohoa_clean_page(&img, clean, &out->clean, err)) < 0)
        goto out;
    sohoa_image_release(&img);
    out->clean_ms = sohoa_now_ms() - t;

    t = sohoa_now_ms();
    if (!out->clean.blank) {
        if (out->dpi_assumed)
            out->clean.ocr.xres = out->clean.ocr.yres = 0;
        if ((rc = sohoa_ocr_page(ocr, &out->clean.ocr, limits->page_timeout_ms, &out->ocr, err)) <
            0)
            goto out;
        if (out->clean.ocr_scale > 0 && out->clean.ocr_scale != 1.0) /* boxes → archive pixels */
            sohoa_ocr_page_scale(&out->ocr, 1.0 / out->clean.ocr_scale);
    }
    out->ocr_ms = sohoa_now_ms() - t;

    t = sohoa_now_ms();
    sohoa_page_quality_input(&out->clean, out->dpi_assumed, out->clean.blank ? NULL : &out->ocr,
                             &out->quality);
    out->clean_ms += sohoa_now_ms() - t;
out:
    sohoa_image_release(&img);
    return rc;
}
