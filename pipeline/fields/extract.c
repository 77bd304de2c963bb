/* extract.c — classification, field extraction and validation of one document (see extract.h).
 *
 * Holds, in order: page inputs; result building (fields, checks); finding a field's text on the
 * pages (anchors, patterns, first/last line); the CCCD QR payload and the cross-check of OCR
 * against it; validation of each field with validate.h; the document step that ties them.
 */
#include "pipeline/fields/extract.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/cccd_qr.h"
#include "pipeline/fields/extract_lines.h"
#include "pipeline/pdf/render.h"
#include "pipeline/fields/extract_norm.h"

/* ---- page inputs ----------------------------------------------------------------------------- */

int sohoa_xpage_init(struct sohoa_xpage *pg, int page, const struct sohoa_word *words,
                     size_t n_words, const struct sohoa_barcodes *barcodes,
                     const struct sohoa_quality_input *quality, struct sohoa_err *err)
{
    int rc = 0;
    if (!pg)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_xpage_init: NULL page");
    memset(pg, 0, sizeof *pg);
    pg->page = page;
    if (words && n_words) {
        if ((rc = sohoa_words_copy(words, n_words, &pg->words, err)))
            goto out;
        pg->n_words = n_words;
    }
    if (barcodes && (rc = sohoa_barcodes_copy(barcodes, &pg->barcodes, err)))
        goto out;
    if (quality)
        sohoa_quality_assess(page, quality, &pg->quality);
out:
    if (rc)
        sohoa_xpage_release(pg);
    return rc;
}

int sohoa_xpage_init_text(struct sohoa_xpage *pg, int page, const char *text, struct sohoa_err *err)
{
    if (!pg)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_xpage_init_text: NULL page");
    memset(pg, 0, sizeof *pg);
    pg->page = page;
    return sohoa_words_from_text(text, &pg->words, &pg->n_words, err);
}

void sohoa_xpage_release(struct sohoa_xpage *pg)
{
    if (!pg)
        return;
    sohoa_words_free(&pg->words, pg->n_words);
    sohoa_barcodes_release(&pg->barcodes);
    memset(pg, 0, sizeof *pg);
}

/* ---- results --------------------------------------------------------------------------------- */

const char *sohoa_field_source_name(enum sohoa_field_source s)
{
    return s == SOHOA_SRC_QR ? "qr" : s == SOHOA_SRC_BARCODE ? "barcode" : "ocr";
}

const struct sohoa_field *sohoa_extraction_field(const struct sohoa_extraction *x, const char *name)
{
    for (size_t i = 0; x && name && i < x->n_fields; i++)
        if (!strcmp(x->fields[i].name, name))
            return &x->fields[i];
    return NULL;
}

int sohoa_extraction_add_check(struct sohoa_extraction *x, const char *field,
                               const struct sohoa_check *c, struct sohoa_err *err)
{
    if (x->n_checks == x->cap_checks) {
        size_t cap = x->cap_checks ? x->cap_checks * 2 : 16;
        struct sohoa_field_check *g =
            x->cap_checks <= SIZE_MAX / 2 / sizeof *g ? realloc(x->checks, cap * sizeof *g) : NULL;
        if (!g)
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        x->checks = g;
        x->cap_checks = cap;
    }
    struct sohoa_field_check *fc = &x->checks[x->n_checks++];
    memset(fc, 0, sizeof *fc);
    (void)snprintf(fc->field, sizeof fc->field, "%s", field ? field : "");
    fc->check = *c;
    return 0;
}

static void field_release(struct sohoa_field *f)
{
    free(f->value);
    free(f->raw);
    memset(f, 0, sizeof *f);
}

void sohoa_extraction_free(struct sohoa_extraction **xp)
{
    if (!xp || !*xp)
        return;
    struct sohoa_extraction *x = *xp;
    for (size_t i = 0; i < x->n_fields; i++)
        field_release(&x->fields[i]);
    free(x->fields);
    free(x->pages);
    free(x->checks);
    free(x->quality);
    for (size_t i = 0; i < x->n_barcodes; i++)
        free(x->barcodes[i].data);
    free(x->barcodes);
    free(x->barcode_pages);
    free(x);
    *xp = NULL;
}

/* ---- finding a field's text ------------------------------------------------------------------ */

/* The pages of a document as lines. */
struct doc {
    const struct sohoa_xpage *pages;
    struct sohoa_xlines *lines; /* one per page */
    size_t n;
};

/* A candidate value: canonical bytes [a, b) of lines line[0..n) of page p (a in the first line,
 * b in the last; lines between are whole). The lines follow each other down the value's column,
 * not always in reading order (a wrapped value passes over noise and other columns). */
#define CAND_LINES 8
struct cand {
    size_t p, n, line[CAND_LINES], a, b;
};
static bool space_or_label_punct(char c)
{
    return c == ' ' || c == ':' || c == '/' || c == '-' || c == '.' || c == ',' || c == '|';
}

/* Anchors shorter than this ("so", "ong", "ba", "sex") are too common inside values to end one. */
#define CUT_ANCHOR_MIN 4

/* Where another field's anchor, or one of the model's stop phrases, starts in fold[from, to),
 * else `to`. */
static size_t cut_at_anchors(const struct sohoa_doctype *t, const struct sohoa_field_model *f,
                             const char *fold, size_t from, size_t to)
{
    char *s = strndup(fold + from, to - from);
    size_t end = to;
    const char *at;
    if (!s)
        return to;
    for (size_t g = 0; g < t->n_fields; g++) {
        if (&t->fields[g] == f)
            continue;
        for (size_t k = 0; k < t->fields[g].n_anchors; k++)
            if (strlen(t->fields[g].anchors[k]) >= CUT_ANCHOR_MIN &&
                sohoa_phrase_find(s, t->fields[g].anchors[k], &at) && at > s &&
                from + (size_t)(at - s) < end)
                end = from + (size_t)(at - s);
    }
    for (size_t k = 0; k < t->n_stops; k++)
        if (sohoa_phrase_find(s, t->stops[k], &at) && at > s && from + (size_t)(at - s) < end)
            end = from + (size_t)(at - s);
    free(s);
    return end;
}

/* Skip separators and the field's own (other-language) labels at fold[i]. */
static size_t skip_labels(const struct sohoa_field_model *f, const char *fold, size_t i, size_t end)
{
    for (bool again = true; again;) {
        again = false;
        while (i < end && space_or_label_punct(fold[i]))
            i++;
        for (size_t k = 0; k < f->n_anchors; k++) {
            size_t len = strlen(f->anchors[k]);
            if (i + len <= end && !strncmp(fold + i, f->anchors[k], len)) {
                i += len;
                again = true;
                break;
            }
        }
    }
    return i;
}

/* Narrow folded [*a, *b) of line `l` by the field's pattern (group 1 when it has one). */
static bool pattern_narrow(const struct sohoa_field_model *f, const struct sohoa_xline *l,
                           size_t *a, size_t *b)
{
    if (!f->has_pattern)
        return *b > *a;
    char *s = strndup(l->fold + *a, *b - *a);
    regmatch_t m[2];
    bool ok = s && regexec(&f->pattern, s, 2, m, 0) == 0;
    if (ok) {
        int g = m[1].rm_so >= 0 ? 1 : 0;
        *b = *a + (size_t)m[g].rm_eo;
        *a = *a + (size_t)m[g].rm_so;
        ok = *b > *a;
    }
    free(s);
    return ok;
}

static bool line_skipped(const struct sohoa_field_model *f, const struct sohoa_xline *l)
{
    if (!l->fold[0])
        return true;
    for (size_t k = 0; k < f->n_skip; k++)
        if (sohoa_phrase_find(l->fold, f->skip[k], NULL))
            return true;
    return false;
}

/* Box of a whole line (zeros when its words carry none). */
static void line_box(const struct sohoa_xline *l, int box[4])
{
    double conf;
    sohoa_xline_span(l, 0, strlen(l->canon), box, &conf);
}

/* A line of OCR noise: no word with two letters or digits ("`", "^", "R"). */
static bool line_noise(const struct sohoa_xline *l)
{
    int run = 0;
    for (const char *c = l->fold; *c; c++) {
        bool alnum = (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
                     (*c >= 'A' && *c <= 'Z') || (unsigned char)*c >= 0x80;
        run = alnum ? run + ((*c & 0xC0) != 0x80) : 0;
        if (run >= 2)
            return false;
    }
    return true;
}

/* The line below line `li` in its column: without word boxes (text input) simply the next line;
 * with boxes, the first of the next lines that starts below it by no more than one line height,
 * whose left edge lies between the column's left edge (less one line height) and its right edge,
 * and that is no noise. SIZE_MAX when there is none. */
static size_t line_below(const struct sohoa_xlines *x, size_t li)
{
    int c[4];
    line_box(&x->lines[li], c);
    if (c[2] <= c[0])
        return li + 1 < x->n ? li + 1 : SIZE_MAX;
    int h = c[3] - c[1];
    for (size_t k = li + 1; k < x->n && k <= li + 12; k++) {
        int b[4];
        line_box(&x->lines[k], b);
        if (b[2] <= b[0] || b[1] < c[1] + h / 2 || b[1] - c[3] > h || b[0] < c[0] - h ||
            b[0] > c[2] || line_noise(&x->lines[k]))
            continue;
        return k;
    }
    return SIZE_MAX;
}

/* Does folded line `l` start something else than the rest of a wrapped value: another field's
 * label or a stop phrase, one of the field's skip phrases, a numbered or lettered item ("2.",
 * "c)", "- ", "II."), any "label:", a sentence (ends with '.' or ';') or a date in words? */
static bool item_start(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (!n)
        n = strspn(s, "ivx");
    if (!n && s[0] >= 'a' && s[0] <= 'z')
        n = 1;
    if (n && (s[n] == '.' || s[n] == ')') && s[n + 1] == ' ')
        return true;
    return s[0] == '-' && s[1] == ' ';
}

static bool line_starts_other(const struct sohoa_doctype *t, const struct sohoa_field_model *f,
                              const struct sohoa_xline *l)
{
    size_t len = strlen(l->fold);
    if (strchr(l->fold, ':') || line_skipped(f, l) || item_start(l->fold) ||
        l->fold[len - 1] == '.' || l->fold[len - 1] == ';' || strstr(l->fold, " thang "))
        return true; /* a label, an item, a sentence, a date line */
    for (size_t g = 0; g < t->n_fields; g++)
        for (size_t k = 0; k < t->fields[g].n_anchors; k++)
            if (strlen(t->fields[g].anchors[k]) >= CUT_ANCHOR_MIN &&
                sohoa_phrase_find(l->fold, t->fields[g].anchors[k], NULL))
                return true;
    for (size_t k = 0; k < t->n_stops; k++)
        if (sohoa_phrase_find(l->fold, t->stops[k], NULL))
            return true;
    return false;
}

/* Folded range → candidate on canonical bytes; extends over f->lines lines, or over up to f->wrap
 * lines below that continue a value running to the end of its line. */
static struct cand cand_make(const struct doc *d, const struct sohoa_doctype *t,
                             const struct sohoa_field_model *f, size_t p, size_t li, size_t fa,
                             size_t fb, bool to_end)
{
    const struct sohoa_xlines *x = &d->lines[p];
    struct cand c = {
        .p = p, .n = 1, .line = {li}, .a = x->lines[li].f2c[fa], .b = x->lines[li].f2c[fb]};
    for (size_t k = li + 1; k < x->n && k < li + (size_t)f->lines && c.n < CAND_LINES; k++) {
        c.line[c.n++] = k;
        c.b = strlen(x->lines[k].canon);
    }
    for (int w = 0; to_end && w < f->wrap && c.n < CAND_LINES; w++) {
        size_t k = line_below(x, c.line[c.n - 1]);
        if (k == SIZE_MAX || line_starts_other(t, f, &x->lines[k]))
            break;
        c.line[c.n++] = k;
        c.b = strlen(x->lines[k].canon);
    }
    return c;
}

/* Candidates of one line after an anchor ending at folded offset `i`. */
static bool after_anchor(const struct doc *d, const struct sohoa_doctype *t,
                         const struct sohoa_field_model *f, size_t p, size_t li, size_t i,
                         struct cand *out)
{
    const struct sohoa_xlines *x = &d->lines[p];
    const struct sohoa_xline *l = &x->lines[li];
    size_t end = strlen(l->fold);
    size_t a = skip_labels(f, l->fold, i, end);
    size_t b = cut_at_anchors(t, f, l->fold, a, end);
    if (a >= b) { /* label alone on its line: the value is on the line below */
        if ((li = line_below(x, li)) == SIZE_MAX)
            return false;
        l = &x->lines[li];
        end = strlen(l->fold);
        a = skip_labels(f, l->fold, 0, end);
        b = cut_at_anchors(t, f, l->fold, a, end);
        if (a == 0 && b == 0)
            return false;
    }
    bool to_end = b == end;
    while (b > a && l->fold[b - 1] == ' ')
        b--;
    size_t before = b;
    if (!pattern_narrow(f, l, &a, &b))
        return false;
    *out = cand_make(d, t, f, p, li, a, b, to_end && b == before);
    return true;
}

/* Candidate number `want` (0, 1, ...) of field `f`: callers ask for the next until one
 * normalises. False when there are no more. */
static bool field_find(const struct doc *d, const struct sohoa_doctype *t,
                       const struct sohoa_field_model *f, size_t want, struct cand *out)
{
    size_t seen = 0;
    for (size_t p = 0; p < d->n; p++) {
        const struct sohoa_xlines *x = &d->lines[p];
        if (f->where != SOHOA_WHERE_ANCHOR) {
            for (size_t k = 0; k < x->n; k++) {
                size_t li = f->where == SOHOA_WHERE_FIRST_LINE ? k : x->n - 1 - k;
                const struct sohoa_xline *l = &x->lines[li];
                size_t a = 0, b = strlen(l->fold);
                if (line_skipped(f, l) || !pattern_narrow(f, l, &a, &b))
                    continue;
                if (seen++ == want) {
                    *out = cand_make(d, t, f, p, li, a, b, b == strlen(l->fold));
                    return true;
                }
            }
            continue;
        }
        for (size_t li = 0; li < x->n; li++) {
            const struct sohoa_xline *l = &x->lines[li];
            if (!f->n_anchors) {
                size_t a = 0, b = strlen(l->fold);
                if (pattern_narrow(f, l, &a, &b) && seen++ == want) {
                    *out = cand_make(d, t, f, p, li, a, b, b == strlen(l->fold));
                    return true;
                }
                continue;
            }
            if (f->n_skip && line_skipped(f, l))
                continue; /* a line the field's value never comes from */
            for (size_t k = 0; k < f->n_anchors; k++) {
                const char *at;
                if (!sohoa_phrase_find(l->fold, f->anchors[k], &at))
                    continue;
                size_t i = (size_t)(at - l->fold) + strlen(f->anchors[k]);
                if (after_anchor(d, t, f, p, li, i, out) && seen++ == want)
                    return true;
                break; /* one candidate per line */
            }
        }
    }
    return false;
}

/* Raw text, box and mean confidence of a candidate. */
static int cand_text(const struct doc *d, const struct cand *c, char **raw, int box[4],
                     double *conf, struct sohoa_err *err)
{
    const struct sohoa_xlines *x = &d->lines[c->p];
    size_t total = 1;
    double sum = 0;
    int n = 0;
    for (size_t i = 0; i < c->n; i++)
        total += strlen(x->lines[c->line[i]].canon) + 1;
    if (!(*raw = malloc(total)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    size_t at = 0;
    memset(box, 0, 4 * sizeof *box);
    for (size_t i = 0; i < c->n; i++) {
        const struct sohoa_xline *l = &x->lines[c->line[i]];
        size_t a = i == 0 ? c->a : 0, b = i == c->n - 1 ? c->b : strlen(l->canon);
        int lb[4];
        double lc;
        if (i)
            (*raw)[at++] = '\n';
        memcpy(*raw + at, l->canon + a, b - a);
        at += b - a;
        sohoa_xline_span(l, a, b, lb, &lc);
        sum += lc;
        n++;
        if (lb[2] > lb[0]) {
            if (box[2] <= box[0]) {
                memcpy(box, lb, sizeof lb);
            } else {
                box[0] = lb[0] < box[0] ? lb[0] : box[0];
                box[1] = lb[1] < box[1] ? lb[1] : box[1];
                box[2] = lb[2] > box[2] ? lb[2] : box[2];
                box[3] = lb[3] > box[3] ? lb[3] : box[3];
            }
        }
    }
    (*raw)[at] = '\0';
    *conf = n ? sum / n / 100.0 : 0;
    return 0;
}

/* The first candidate of `f` that normalises, as a field (value NULL when none does). */
static int field_from_ocr(const struct doc *d, const struct sohoa_doctype *t,
                          const struct sohoa_field_model *f, struct sohoa_field *out,
                          struct sohoa_err *err)
{
    struct cand c;
    int rc = 0;
    for (size_t want = 0; want < 32 && field_find(d, t, f, want, &c); want++) {
        char *raw = NULL, *value = NULL;
        int box[4], repairs = 0;
        double conf = 0;
        if ((rc = cand_text(d, &c, &raw, box, &conf, err)) ||
            (rc = sohoa_norm_apply(f->norm, raw, &value, &repairs, err))) {
            free(raw);
            return rc;
        }
        if (!value) {
            free(raw);
            continue;
        }
        (void)snprintf(out->name, sizeof out->name, "%s", f->name);
        out->raw = raw;
        out->value = value;
        out->page = d->pages[c.p].page;
        memcpy(out->box, box, sizeof box);
        out->confidence = conf * (repairs ? 0.9 : 1.0);
        out->repairs = repairs;
        out->source = SOHOA_SRC_OCR;
        return 0;
    }
    return rc;
}

/* ---- CCCD QR --------------------------------------------------------------------------------- */

struct qr_found {
    struct sohoa_cccd_qr q;
    int page;
    int box[4];
    const char *payload;
    bool ok;
};

static void qr_find(const struct doc *d, struct qr_found *qf)
{
    memset(qf, 0, sizeof *qf);
    for (size_t p = 0; p < d->n && !qf->ok; p++)
        for (size_t i = 0; i < d->pages[p].barcodes.n && !qf->ok; i++) {
            const struct sohoa_barcode *b = &d->pages[p].barcodes.items[i];
            if (sohoa_cccd_qr_parse(b->data, &qf->q)) {
                qf->ok = true;
                qf->page = d->pages[p].page;
                qf->payload = b->data;
                memcpy(qf->box, b->box, sizeof qf->box);
            }
        }
}

/* OCR and QR disagree: a warning naming both values. */
static int qr_mismatch(struct sohoa_extraction *x, const char *name, const char *ocr,
                       const char *qr, struct sohoa_err *err)
{
    struct sohoa_check c = {.severity = SOHOA_CHECK_WARNING};
    (void)snprintf(c.code, sizeof c.code, "qr.mismatch");
    (void)snprintf(c.msg_vi, sizeof c.msg_vi,
                   "Trường %s: chữ đọc được “%.80s” khác mã QR “%.80s”; dùng giá trị trong mã QR",
                   name, ocr, qr);
    (void)snprintf(
        c.msg_en, sizeof c.msg_en,
        "Field %s: the printed text “%.80s” differs from the QR code “%.80s”; the QR value is "
        "used",
        name, ocr, qr);
    return sohoa_extraction_add_check(x, name, &c, err);
}

/* Fill `f` from the QR payload; cross-check the OCR value `ocr` (may have value NULL). */
static int field_from_qr(struct sohoa_extraction *x, const struct qr_found *qf,
                         const struct sohoa_field_model *m, struct sohoa_field *f,
                         struct sohoa_err *err)
{
    const char *v = sohoa_cccd_qr_part(&qf->q, m->qr);
    if (!v)
        return 0;
    if (f->value && strcmp(f->value, v) != 0) {
        int rc = qr_mismatch(x, m->name, f->value, v, err);
        if (rc)
            return rc;
    }
    field_release(f);
    (void)snprintf(f->name, sizeof f->name, "%s", m->name);
    if (!(f->value = strdup(v)) || !(f->raw = strdup(v)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    f->page = qf->page;
    memcpy(f->box, qf->box, sizeof f->box);
    f->confidence = 1.0;
    f->source = SOHOA_SRC_QR;
    return 0;
}

/* ---- validation ------------------------------------------------------------------------------ */

static int field_validate(struct sohoa_extraction *x, const struct sohoa_field_model *m,
                          struct sohoa_field *f, const struct sohoa_extract_opts *o,
                          struct sohoa_err *err)
{
    struct sohoa_validation v;
    struct sohoa_cccd_hint hint = {0};
    int rc = 0;
    const char *in = f->source == SOHOA_SRC_OCR ? f->raw : f->value;
    switch (m->validator) {
    case SOHOA_VALIDATOR_NONE:
        return 0;
    case SOHOA_VALIDATOR_CCCD:
    case SOHOA_VALIDATOR_CMND: {
        const struct sohoa_field *dob = sohoa_extraction_field(x, "date_of_birth"),
                                 *sex = sohoa_extraction_field(x, "sex");
        if (dob && dob->value)
            hint.birth_year = atoi(dob->value);
        if (sex && sex->value)
            hint.sex = sohoa_sex_parse(sex->value);
        rc = sohoa_cccd_validate(in, &hint, o->today, &v, err);
        break;
    }
    case SOHOA_VALIDATOR_MST:
        rc = sohoa_mst_validate(in, &v, err);
        break;
    case SOHOA_VALIDATOR_DATE:
        rc = sohoa_date_parse(in, o->today, NULL, &v, err);
        break;
    case SOHOA_VALIDATOR_RECEIPT:
        rc = sohoa_receipt_validate(in, o->today, &v, err);
        break;
    case SOHOA_VALIDATOR_DOCNUM:
        rc = sohoa_docnum_parse(in, NULL, &v, err);
        break;
    }
    if (rc)
        return rc;
    if (v.repairs > f->repairs)
        f->repairs = v.repairs;
    if (v.severity == SOHOA_CHECK_ERROR)
        f->confidence *= 0.5;
    for (size_t i = 0; i < v.n_checks && rc == 0; i++)
        rc = sohoa_extraction_add_check(x, m->name, &v.checks[i], err);
    return rc;
}

static int missing(struct sohoa_extraction *x, const struct sohoa_doctype *t,
                   const struct sohoa_field_model *m, struct sohoa_err *err)
{
    struct sohoa_check c = {.severity = SOHOA_CHECK_WARNING};
    (void)snprintf(c.code, sizeof c.code, "field.missing");
    (void)snprintf(c.msg_vi, sizeof c.msg_vi, "Không tìm thấy trường %s trên %s", m->name,
                   t->name_vi);
    (void)snprintf(c.msg_en, sizeof c.msg_en, "Field %s was not found on the %s", m->name,
                   t->name_en);
    return sohoa_extraction_add_check(x, m->name, &c, err);
}

/* ---- the document step ----------------------------------------------------------------------- */

static void hints_of(const struct sohoa_xpage *pg, struct sohoa_layout_hints *h)
{
    struct sohoa_cccd_qr q;
    for (size_t i = 0; i < pg->barcodes.n; i++) {
        const struct sohoa_barcode *b = &pg->barcodes.items[i];
        bool qr = strstr(b->symbology, "QR") != NULL;
        h->qr |= qr;
        h->barcode |= !qr;
        h->cccd_qr |= qr && sohoa_cccd_qr_parse(b->data, &q);
    }
}

static int classify_doc(const struct sohoa_models *m, const struct doc *d,
                        struct sohoa_extraction *x, struct sohoa_err *err)
{
    struct sohoa_layout_hints all = {0};
    size_t total = 1;
    int rc = 0;
    for (size_t p = 0; p < d->n; p++) {
        struct sohoa_layout_hints h = {0};
        hints_of(&d->pages[p], &h);
        all.qr |= h.qr, all.cccd_qr |= h.cccd_qr, all.barcode |= h.barcode;
        x->pages[p].page = d->pages[p].page;
        if ((rc = sohoa_classify(m, d->lines[p].fold_all, &h, &x->pages[p].cls, NULL, err)))
            return rc;
        total += strlen(d->lines[p].fold_all);
    }
    x->n_pages = d->n;
    char *text = malloc(total);
    if (!text)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    size_t used = 0;
    for (size_t p = 0; p < d->n; p++) { /* total counted every byte and the NUL */
        size_t n = strlen(d->lines[p].fold_all);
        memcpy(text + used, d->lines[p].fold_all, n);
        used += n;
    }
    text[used] = '\0';
    rc = sohoa_classify(m, text, &all, &x->cls, NULL, err);
    free(text);
    return rc;
}

static int copy_page_outputs(const struct doc *d, struct sohoa_extraction *x, struct sohoa_err *err)
{
    size_t nb = 0;
    for (size_t p = 0; p < d->n; p++)
        nb += d->pages[p].barcodes.n;
    x->quality = calloc(d->n + 1, sizeof *x->quality);
    x->barcodes = calloc(nb + 1, sizeof *x->barcodes);
    x->barcode_pages = calloc(nb + 1, sizeof *x->barcode_pages);
    if (!x->quality || !x->barcodes || !x->barcode_pages)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t p = 0; p < d->n; p++) {
        if (d->pages[p].quality.page)
            x->quality[x->n_quality++] = d->pages[p].quality;
        for (size_t i = 0; i < d->pages[p].barcodes.n; i++) {
            x->barcodes[x->n_barcodes] = d->pages[p].barcodes.items[i];
            x->barcode_pages[x->n_barcodes] = d->pages[p].page;
            if (!(x->barcodes[x->n_barcodes].data = strdup(d->pages[p].barcodes.items[i].data)))
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            x->n_barcodes++;
        }
    }
    return 0;
}

static int extract_fields(const struct sohoa_doctype *t, const struct doc *d,
                          const struct sohoa_extract_opts *o, struct sohoa_extraction *x,
                          struct sohoa_err *err)
{
    struct qr_found qf;
    int rc = 0;
    qr_find(d, &qf);
    if (!(x->fields = calloc(t->n_fields + 1, sizeof *x->fields)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; i < t->n_fields; i++) {
        const struct sohoa_field_model *m = &t->fields[i];
        struct sohoa_field *f = &x->fields[x->n_fields];
        if ((rc = field_from_ocr(d, t, m, f, err)))
            return rc;
        if (m->qr && qf.ok && (rc = field_from_qr(x, &qf, m, f, err)))
            return rc;
        if (f->value)
            x->n_fields++;
        else
            field_release(f);
    }
    /* validate once every field is in: the CCCD check reads date of birth and sex */
    for (size_t i = 0; i < t->n_fields && rc == 0; i++) {
        const struct sohoa_field_model *m = &t->fields[i];
        struct sohoa_field *f = (struct sohoa_field *)sohoa_extraction_field(x, m->name);
        if (f)
            rc = field_validate(x, m, f, o, err);
        else if (m->required)
            rc = missing(x, t, m, err);
    }
    return rc;
}

int sohoa_extract_document(const struct sohoa_models *m, const struct sohoa_xpage *pages, size_t n,
                           const struct sohoa_extract_opts *o, struct sohoa_extraction **out,
                           struct sohoa_err *err)
{
    static const struct sohoa_extract_opts defaults = {0};
    struct sohoa_extraction *x = NULL;
    struct doc d = {pages, NULL, n};
    int rc = 0;
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_extract_document: NULL result");
    *out = NULL;
    if (!m || (n && !pages))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_extract_document: NULL argument");
    if (!o)
        o = &defaults;
    if (!(x = calloc(1, sizeof *x)) || !(x->pages = calloc(n + 1, sizeof *x->pages)) ||
        !(d.lines = calloc(n + 1, sizeof *d.lines))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    for (size_t p = 0; p < n; p++)
        if ((rc = sohoa_xlines_build(pages[p].words, pages[p].n_words, &d.lines[p], err)))
            goto out;
    if ((rc = classify_doc(m, &d, x, err)) || (rc = copy_page_outputs(&d, x, err)))
        goto out;
    if (o->force_type) {
        if (!sohoa_models_type(m, o->force_type)) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "no model for document type %s",
                               o->force_type);
            goto out;
        }
        (void)snprintf(x->cls.type, sizeof x->cls.type, "%s", o->force_type);
    }
    const struct sohoa_doctype *t = sohoa_models_type(m, x->cls.type);
    if (t && (rc = extract_fields(t, &d, o, x, err)))
        goto out;
    *out = x;
    x = NULL;
out:
    for (size_t p = 0; d.lines && p < n; p++)
        sohoa_xlines_release(&d.lines[p]);
    free(d.lines);
    sohoa_extraction_free(&x);
    return rc;
}
