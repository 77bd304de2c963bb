/* clean.h — page cleaning before OCR (Leptonica): upright, deskewed, red seals dropped out.
 *
 * One call turns a decoded page into two images of the same geometry:
 *   - `archive`: the page in its original colour (or grey, or bi-level), rotated upright and
 *     deskewed. It is what goes into the searchable PDF.
 *   - `ocr`: what Tesseract reads: grey, red/purple-red ink (seals, signatures) turned white,
 *     background flattened, dot leaders of forms erased, optionally binarised. Its pixels map onto
 * `archive` pixels through `ocr_scale` (1.0 unless the page was upscaled for recognition): a box
 * found in `ocr` divided by `ocr_scale` is the same box in `archive`. The result also says what was
 * done (rotation, skew and their confidences) and whether the page is blank (no ink worth OCR).
 *
 * Ownership: the caller owns `in`; the result's images are owned by the result and freed by
 * sohoa_clean_result_release(). Encoded G4 bytes are malloc'd and owned by the caller (free()).
 * Threads: every function is reentrant; different threads may clean different pages at once.
 */
#ifndef SOHOA_CLEAN_H
#define SOHOA_CLEAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "pipeline/image/image.h"

/* What the `ocr` image looks like. */
enum sohoa_clean_ocr_form {
    SOHOA_CLEAN_OCR_GREY = 0,   /* 8-bit grey, background normalised to white */
    SOHOA_CLEAN_OCR_BINARY = 1, /* bi-level 0/255 (bilevel = true) */
};

struct sohoa_clean_opts {
    bool orient;            /* detect and undo 90/180/270 rotation */
    bool deskew;            /* measure and undo skew (within ±max_skew_deg) */
    bool drop_red;          /* red/purple-red ink → white in `ocr` */
    bool normalize_bg;      /* flatten uneven background in `ocr` */
    int ocr_form;           /* enum sohoa_clean_ocr_form */
    double ocr_min_dpi;     /* upscale `ocr` to ocr_target_dpi when the page is below this */
    double ocr_target_dpi;  /* 0: never rescale */
    double max_skew_deg;    /* skew search range, degrees each side */
    double min_skew_conf;   /* a skew found with lower confidence is left alone */
    double min_orient_conf; /* an orientation found with lower confidence is left alone */
    bool drop_dot_leaders; /* dotted fill-in lines ("Họ và tên: ........") → white in `ocr` */
};

/* The defaults the accuracy measurements chose (see models/ocr/README.md). */
void sohoa_clean_opts_default(struct sohoa_clean_opts *o);

struct sohoa_clean_result {
    struct sohoa_image archive; /* upright, deskewed, original colour; bilevel kept bi-level */
    struct sohoa_image ocr;     /* for Tesseract; see ocr_scale */
    double ocr_scale;           /* ocr pixels per archive pixel (1.0, or >1 when upscaled) */
    int rotation;               /* 0, 90, 180, 270: degrees clockwise applied to make upright */
    double orient_conf;         /* confidence of the orientation decision (0 when not run) */
    double skew_deg;            /* rotation applied to level the page, degrees, clockwise positive:
                                   a page turned clockwise by t reports about -t */
    double skew_conf;           /* confidence of the skew measure (0 when not measured) */
    bool skew_applied;          /* false when the skew was too small or too uncertain */
    bool blank;                 /* no ink worth OCR */
    double dpi;                 /* resolution of `archive` used for the decisions */
    bool dpi_guessed;           /* the input had no resolution; dpi was guessed from page size */
};

/* Clean one page. `o` NULL = defaults. `out` is overwritten; on failure it is left zeroed.
 * Errors: SOHOA_EINVAL (bad image), SOHOA_ENOMEM, SOHOA_EBACKEND (Leptonica failed). */
int sohoa_clean_page(const struct sohoa_image *in, const struct sohoa_clean_opts *o,
                     struct sohoa_clean_result *out, struct sohoa_err *err);

/* Free both images and zero the result. Safe on a zeroed result. */
void sohoa_clean_result_release(struct sohoa_clean_result *r);

/* Measure the skew of a page as it is (no orientation step): `angle` in degrees, the clockwise
 * rotation that would level it (same convention as skew_deg), `conf` Leptonica's confidence
 * (about 0..20; below 3 means no reliable text lines). For tests and diagnostics. */
int sohoa_clean_measure_skew(const struct sohoa_image *img, double *angle, double *conf,
                             struct sohoa_err *err);

/* Encode a bi-level image (1 band, every pixel 0 or 255; 0 = black ink) as raw CCITT Group 4
 * bytes (no TIFF wrapper) for a PDF image XObject.
 * Polarity: the stream uses the ITU-T convention with black ink = black, so the PDF needs
 * `/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns w /Rows h >>` with /BlackIs1 false
 * (the default), /ColorSpace /DeviceGray, /BitsPerComponent 1, and no /Decode array.
 * `*data` (malloc'd, caller frees) and `*len` are set to NULL/0 on entry. */
int sohoa_encode_g4(const struct sohoa_image *bilevel, uint8_t **data, size_t *len,
                    struct sohoa_err *err);

/* Reduce a grey or colour image by `scale` (0 < scale < 1) with area averaging, for the archived
 * copy of a page (e.g. a PDF page rendered at 300 dpi for OCR, archived at 200 dpi). The
 * resolution is scaled with it. Bi-level images are refused (SOHOA_EINVAL): scaling would smear
 * them, and G4 keeps them small anyway. `out` is overwritten. */
int sohoa_clean_reduce(const struct sohoa_image *in, double scale, struct sohoa_image *out,
                       struct sohoa_err *err);

/* "leptonica-1.82.0": the library linked at run time. Static string. */
const char *sohoa_clean_version(void);

#endif
