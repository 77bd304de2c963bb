/* quality.h — is a scanned page usable? Per-page findings from what earlier stages measured.
 *
 * Checks (each a struct sohoa_check with Vietnamese and English messages): resolution below 200 dpi
 * (Decree 30/2020 Annex I) — "quality.low_dpi"; blur — "quality.blurry" (variance of a 4-neighbour
 * Laplacian of the grey page below SOHOA_QUALITY_BLUR_MIN); skew left after deskew —
 * "quality.skewed" (|angle| above SOHOA_QUALITY_SKEW_MAX degrees); a blank page —
 * "quality.blank"; low mean OCR confidence — "quality.low_conf". All are warnings: the desk
 * decides whether to rescan.
 *
 * Ownership: plain values. Threads: reentrant.
 */
#ifndef SOHOA_QUALITY_H
#define SOHOA_QUALITY_H

#include <stdbool.h>

#include "pipeline/base/err.h"
#include "pipeline/image/image.h"
#include "pipeline/base/check.h"

#define SOHOA_QUALITY_DPI_MIN 200.0
#define SOHOA_QUALITY_BLUR_MIN                                                                     \
    60.0 /* Laplacian variance of a sharp 200–300 dpi text page: 300+                            \
          */
#define SOHOA_QUALITY_SKEW_MAX     1.0  /* degrees */
#define SOHOA_QUALITY_CONF_MIN     60.0 /* mean word confidence 0..100 */
#define SOHOA_QUALITY_ISSUES       6
#define SOHOA_QUALITY_NOT_MEASURED (-999.0) /* skew_left when it was not measured */

/* What is known about a page; a negative number (skew: SOHOA_QUALITY_NOT_MEASURED) = not
 * measured (that check is skipped). */
struct sohoa_quality_input {
    double dpi;       /* resolution of the scan */
    bool dpi_assumed; /* the file gave none: dpi is a guess, not checked */
    double blur;      /* sohoa_quality_blur() of the page */
    double skew_left; /* residual skew after deskew, degrees */
    bool blank;       /* no ink worth OCR */
    double mean_conf; /* mean OCR word confidence 0..100; < 0 when not OCR'd */
    int n_words;      /* words read */
};

struct sohoa_page_quality {
    int page; /* 1-based */
    struct sohoa_quality_input in;
    bool usable; /* no issue of those that make a page unusable (blank, blurry, very low dpi) */
    size_t n_issues;
    struct sohoa_check issues[SOHOA_QUALITY_ISSUES];
};

/* Blur measure: variance of the Laplacian of the grey values (of the luma of a colour page),
 * sampled on every `step`-th row and column (1 = all; 2 is enough for 300 dpi). Higher = sharper;
 * a blank page gives about 0. Negative when the image is empty. */
double sohoa_quality_blur(const struct sohoa_image *img, int step);

/* The findings for one page. `out` is overwritten. */
void sohoa_quality_assess(int page, const struct sohoa_quality_input *in,
                          struct sohoa_page_quality *out);

/* An input with every measure "not measured". */
void sohoa_quality_input_init(struct sohoa_quality_input *in);

#endif
