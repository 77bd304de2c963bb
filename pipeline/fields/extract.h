/* extract.h — a document's type, fields, validation and page quality, in two steps.
 *
 *   1. per page (page worker, after decode/clean/OCR): sohoa_xpage_init() keeps what the document
 *      step needs — a copy of the OCR words, the barcodes read from the decoded image
 *      (sohoa_barcode_scan), and the page's quality findings (sohoa_quality_assess);
 *   2. per document (document worker, once every page is in): sohoa_extract_document() classifies
 *      each page and the whole document, extracts the fields of the document's type (a CCCD QR
 *      payload wins over OCR, which is then cross-checked against it), validates them, and
 *      returns one struct sohoa_extraction. extract_json.h turns it into JSON.
 *
 * Fields are found by the model (doctype.h): after an anchor phrase on the same line or, when
 * nothing follows it, on the next line; a value ends where another field's anchor begins; the
 * pattern (on folded text) picks the value out of that text. Provenance: page, union box of the
 * words the value came from, mean confidence of those words (scaled 0..1 and lowered by repairs
 * and validation errors), source.
 *
 * Ownership: a struct sohoa_xpage owns its copies (release with sohoa_xpage_release); a
 * struct sohoa_extraction owns everything in it (sohoa_extraction_free). Threads: reentrant;
 * the models are only read, so any number of threads may extract with the same models.
 */
#ifndef SOHOA_EXTRACT_H
#define SOHOA_EXTRACT_H

#include <stddef.h>

#include "pipeline/image/barcode.h"
#include "pipeline/fields/classify.h"
#include "pipeline/fields/doctype.h"
#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"
#include "pipeline/image/quality.h"
#include "pipeline/fields/validate.h"

#define SOHOA_FIELD_NAME_MAX 48

/* What the document step needs of one page. */
struct sohoa_xpage {
    int page; /* 1-based */
    struct sohoa_word *words;
    size_t n_words;
    struct sohoa_barcodes barcodes;
    struct sohoa_page_quality quality;
};

/* Fill `pg` for page `page` (1-based) from its OCR words (`words` may be NULL for none), barcodes
 * (may be NULL) and quality measures (may be NULL: not assessed). Copies what it keeps.
 * `pg` is overwritten; zeroed on failure. */
int sohoa_xpage_init(struct sohoa_xpage *pg, int page, const struct sohoa_word *words,
                     size_t n_words, const struct sohoa_barcodes *barcodes,
                     const struct sohoa_quality_input *quality, struct sohoa_err *err);

/* The same from plain text (a text layer, tests): one line per text line, no boxes. */
int sohoa_xpage_init_text(struct sohoa_xpage *pg, int page, const char *text,
                          struct sohoa_err *err);
void sohoa_xpage_release(struct sohoa_xpage *pg);

enum sohoa_field_source { SOHOA_SRC_OCR = 0, SOHOA_SRC_QR, SOHOA_SRC_BARCODE };

struct sohoa_field {
    char name[SOHOA_FIELD_NAME_MAX];
    char *value;       /* normalised (models/doctypes/README.md) */
    char *raw;         /* as read */
    double confidence; /* 0..1 */
    int page;          /* 1-based */
    int box[4];        /* x0 y0 x1 y1, pixels of the page; zeros when unknown (QR payload) */
    enum sohoa_field_source source;
    int repairs; /* characters changed by O→0 / l,I→1 repair */
};

/* One validation finding about one field ("" for document-level findings: missing fields). */
struct sohoa_field_check {
    char field[SOHOA_FIELD_NAME_MAX];
    struct sohoa_check check;
};

struct sohoa_page_class {
    int page;
    struct sohoa_class cls;
};

struct sohoa_extraction {
    struct sohoa_class cls; /* the document's type and score */
    struct sohoa_page_class *pages;
    size_t n_pages;
    struct sohoa_field *fields;
    size_t n_fields;
    struct sohoa_field_check *checks;
    size_t n_checks, cap_checks;
    struct sohoa_page_quality *quality; /* one per page that was assessed */
    size_t n_quality;
    struct sohoa_barcode *barcodes; /* every code read, `page` in barcode_pages */
    int *barcode_pages;
    size_t n_barcodes;
};

struct sohoa_extract_opts {
    const struct sohoa_ymd *today; /* NULL = the clock (dates in the future are errors) */
    const char *force_type;        /* extract as this type whatever the classifier says */
};

/* Classify, extract and validate a document of `n` pages (in page order). `o` may be NULL.
 * `*out` is NULL on entry and on failure; a document where nothing fits is no failure (type
 * "unknown", no fields). Errors: SOHOA_EINVAL, SOHOA_ENOMEM. */
int sohoa_extract_document(const struct sohoa_models *m, const struct sohoa_xpage *pages, size_t n,
                           const struct sohoa_extract_opts *o, struct sohoa_extraction **out,
                           struct sohoa_err *err);
void sohoa_extraction_free(struct sohoa_extraction **x);

/* The field with this name, NULL when it was not found. */
const struct sohoa_field *sohoa_extraction_field(const struct sohoa_extraction *x,
                                                 const char *name);

/* Add a check (copied) about `field` ("" for the document). SOHOA_ENOMEM when it cannot grow. */
int sohoa_extraction_add_check(struct sohoa_extraction *x, const char *field,
                               const struct sohoa_check *c, struct sohoa_err *err);

/* "ocr", "qr", "barcode". */
const char *sohoa_field_source_name(enum sohoa_field_source s);

#endif
