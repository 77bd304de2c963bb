/* doc.h — the generator's document mode (bench/gen): renders one document of a known type
 * (models/doctypes/README.md: cccd_front … dossier_receipt) with fictional facts (docdata.h),
 * clean or scan-damaged, and writes the image, its OCR ground truth (<name>.gt.txt, the lines
 * drawn) and its field ground truth (<name>.json: {"type": …, "fields": {name: value}} in the
 * normalised forms of the contract).
 *
 * Ownership: everything crossing this header is a caller value; strings are borrowed.
 * Threads: one document at a time per thread (libvips runs its own workers inside).
 */
#ifndef SOHOA_GEN_DOC_H
#define SOHOA_GEN_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/gen/damage.h"
#include "bench/gen/docdata.h"
#include "bench/gen/ink.h"
#include "bench/gen/output.h"
#include "bench/gen/page.h"
#include "bench/gen/render.h"
#include "pipeline/base/err.h"

enum doctype {
    DOC_CCCD_FRONT,
    DOC_CCCD_BACK,
    DOC_CMND,
    DOC_BIRTH_CERTIFICATE,
    DOC_BUSINESS_REGISTRATION,
    DOC_LAND_USE_CERTIFICATE,
    DOC_APPLICATION_FORM,
    DOC_OFFICIAL_DOCUMENT,
    DOC_DOSSIER_RECEIPT,
    DOC_N
};

/* "cccd_front", …; NULL out of range. */
const char *doctype_name(enum doctype t);
/* Type id → enum; SOHOA_EINVAL when unknown. */
int doctype_parse(const char *s, enum doctype *out, struct sohoa_err *err);
/* ID cards (card-sized images) as opposed to A4 pages. */
bool doctype_is_card(enum doctype t);

/* The fields a render printed, in the contract's normalised forms. */
enum { DOCFIELDS_MAX = 16, DOCFIELD_VALUE_MAX = 512 };
struct docfields {
    size_t n;
    struct {
        const char *name; /* static string */
        char value[DOCFIELD_VALUE_MAX];
    } f[DOCFIELDS_MAX];
};
void docfields_set(struct docfields *t, const char *name, const char *value);

/* What the document mode needs besides the type and seed. */
struct docgen_opts {
    const char *family;    /* font family with Vietnamese glyphs ("Liberation Serif") */
    int dpi;               /* A4 pages */
    int card_dpi;          /* ID cards */
    struct damage_plan dp; /* preset 0 = clean */
    enum colour_mode mode;
    enum fmt format; /* FMT_PNG, FMT_JPEG or FMT_TIFF */
    int jpeg_q;      /* for FMT_JPEG */
    const char *dir; /* output folder (exists) */
};

/* Render document `index` of type `t` for `seed` and write DIR/<name>.{png|jpg|tif},
 * DIR/<name>.gt.txt and DIR/<name>.json. */
int docgen_write(const struct docgen_opts *o, enum doctype t, uint64_t seed, uint64_t index,
                 const char *name, struct sohoa_err *err);

/* ---- for the renderers (doc_card.c, doc_a4.c) ------------------------------------------------ */

/* A line from Pango markup (`plain` goes to the ground truth; NULL: none) with its logical top
 * at row y, left edge at x; `*x_end` (may be NULL) receives the right edge of its ink. */
int doc_text(struct gen *g, struct page *p, const char *style, double size, const char *markup,
             const char *plain, int x, int y, int *x_end, struct sohoa_err *err);

/* "label value" where the value may wrap: the first line starts with `label` (regular) at x,
 * the value (style `vstyle`) follows and wraps within [x, x + w) onto lines `pitch` apart,
 * continuation lines starting at x. *y is the first line's top on entry and the row under the
 * last line on exit. Each drawn line goes to the ground truth. */
int doc_label_value(struct gen *g, struct page *p, double size, const char *label,
                    const char *vstyle, const char *value, int x, int w, int pitch, int *y,
                    struct sohoa_err *err);

/* Ink width of plain text in a font. */
int doc_text_width(struct gen *g, const char *style, double size, const char *plain, int *w,
                   struct sohoa_err *err);

/* Renderers: lay out the page (already initialised at the right size) and record the truth.
 * `stamp` receives the seal's ring text ("" for none). */
int doc_render_card(struct gen *g, enum doctype t, const struct docdata *d, struct page *p,
                    struct docfields *truth, struct sohoa_err *err);
int doc_render_a4(struct gen *g, enum doctype t, const struct docdata *d, struct page *p,
                  struct docfields *truth, char *stamp, size_t stamp_n, struct sohoa_err *err);

/* The card's printed background, photo, emblem, chip, fingerprints, painted under the ink of a
 * composed canvas (multiplied in, so the text stays on top). */
void doc_card_paint(struct gen *g, enum doctype t, const struct page *p, struct canvas *cv,
                    struct rng *r);

#endif
