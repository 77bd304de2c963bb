/* doc.c — the generator's document mode: type ids, line helpers shared by the renderers, and
 * the driver that lays out, composes, damages and writes one document with its field ground
 * truth (jansson: the truth file's codec). See doc.h.
 */
#include "bench/gen/doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static const char *const NAMES[DOC_N] = {
    "cccd_front",
    "cccd_back",
    "cmnd",
    "birth_certificate",
    "business_registration",
    "land_use_certificate",
    "application_form",
    "official_document",
    "dossier_receipt",
};

const char *doctype_name(enum doctype t)
{
    return (unsigned)t < DOC_N ? NAMES[t] : NULL;
}

int doctype_parse(const char *s, enum doctype *out, struct sohoa_err *err)
{
    for (int i = 0; i < DOC_N; i++)
        if (s && !strcmp(s, NAMES[i])) {
            *out = (enum doctype)i;
            return 0;
        }
    return sohoa_err_set(err, SOHOA_EINVAL, false, "unknown document type: %s", s ? s : "(null)");
}

bool doctype_is_card(enum doctype t)
{
    return t == DOC_CCCD_FRONT || t == DOC_CCCD_BACK || t == DOC_CMND;
}

void docfields_set(struct docfields *t, const char *name, const char *value)
{
    size_t i = 0;
    while (i < t->n && strcmp(t->f[i].name, name) != 0)
        i++;
    if (i == DOCFIELDS_MAX)
        return;
    if (i == t->n)
        t->n++;
    t->f[i].name = name;
    (void)snprintf(t->f[i].value, sizeof t->f[i].value, "%s", value);
}

/* ---- line helpers --------------------------------------------------------------------------- */

int doc_text(struct gen *g, struct page *p, const char *style, double size, const char *markup,
             const char *plain, int x, int y, int *x_end, struct sohoa_err *err)
{
    const struct font *f = NULL;
    struct bitmap b = {0};
    int top = 0, x0 = 0, x1 = 0;
    bool wrapped = false;
    int rc = font_get(g, style, size, &f, err);
    if (rc == 0 && (rc = line_render(g, f, markup, 0, false, &b, &top, &wrapped, err)) == 0) {
        ink_blit(p, &b, x, y - top);
        bitmap_cols(&b, &x0, &x1);
        if (x_end)
            *x_end = x + x1;
        if (plain)
            gt_line(p, plain);
    }
    bitmap_release(&b);
    return rc;
}

int doc_text_width(struct gen *g, const char *style, double size, const char *plain, int *w,
                   struct sohoa_err *err)
{
    struct sohoa_buf m = GEN_BUF;
    sb_put_escaped(&m, plain);
    const struct font *f = NULL;
    struct bitmap b = {0};
    int rc = m.failed ? sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory")
                      : font_get(g, style, size, &f, err);
    if (rc == 0 && (rc = render_markup(g, f->desc, m.data, 0, false, &b, err)) == 0)
        *w = b.w;
    bitmap_release(&b);
    sohoa_buf_release(&m);
    return rc;
}

static void span(struct sohoa_buf *m, const char *style, const char *text)
{
    bool bold = strstr(style, "Bold") != NULL, italic = strstr(style, "Italic") != NULL;
    sohoa_buf_adds(m, bold ? "<b>" : "");
    sohoa_buf_adds(m, italic ? "<i>" : "");
    sb_put_escaped(m, text);
    sohoa_buf_adds(m, italic ? "</i>" : "");
    sohoa_buf_adds(m, bold ? "</b>" : "");
}

int doc_label_value(struct gen *g, struct page *p, double size, const char *label,
                    const char *vstyle, const char *value, int x, int w, int pitch, int *y,
                    struct sohoa_err *err)
{
    char **words = g_strsplit(value, " ", -1);
    int rc = 0;
    size_t n = g_strv_length(words), i = 0;
    bool first = true;
    while (rc == 0 && (i < n || first)) {
        /* as many words as fit (at least one) */
        size_t k = 0;
        struct sohoa_buf plain = GEN_BUF, m = GEN_BUF;
        while (rc == 0 && i + k < n) {
            struct sohoa_buf cand = GEN_BUF;
            if (first && label[0]) {
                sohoa_buf_adds(&cand, label);
                sohoa_buf_adds(&cand, " ");
            }
            for (size_t j = 0; j <= k; j++) {
                sohoa_buf_adds(&cand, words[i + j]);
                sohoa_buf_adds(&cand, j < k ? " " : "");
            }
            int wd = 0;
            if (cand.failed)
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            else
                rc = doc_text_width(g, vstyle, size, cand.data, &wd, err);
            sohoa_buf_release(&cand);
            if (wd > w && k > 0)
                break;
            k++;
        }
        if (first && label[0]) {
            span(&m, "", label);
            sohoa_buf_adds(&plain, label);
            if (k) {
                sohoa_buf_adds(&m, " ");
                sohoa_buf_adds(&plain, " ");
            }
        }
        struct sohoa_buf val = GEN_BUF;
        for (size_t j = 0; j < k; j++) {
            sohoa_buf_adds(&val, words[i + j]);
            if (j + 1 < k)
                sohoa_buf_adds(&val, " ");
        }
        if (val.data) {
            span(&m, vstyle, val.data);
            sohoa_buf_adds(&plain, val.data);
        }
        if (rc == 0 && (m.failed || plain.failed))
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        if (rc == 0 && m.data)
            rc = doc_text(g, p, "", size, m.data, plain.data, x, *y, NULL, err);
        *y += pitch;
        i += k;
        first = false;
        sohoa_buf_release(&val);
        sohoa_buf_release(&m);
        sohoa_buf_release(&plain);
    }
    g_strfreev(words);
    return rc;
}

/* ---- truth ---------------------------------------------------------------------------------- */

static int truth_write(const char *path, enum doctype t, const struct docfields *tr,
                       struct sohoa_err *err)
{
    json_t *o = json_object(), *f = json_object();
    json_object_set_new(o, "type", json_string(doctype_name(t)));
    for (size_t i = 0; i < tr->n; i++)
        json_object_set_new(f, tr->f[i].name, json_string(tr->f[i].value));
    json_object_set_new(o, "fields", f);
    int rc = json_dump_file(o, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER)
                 ? sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s", path)
                 : 0;
    json_decref(o);
    return rc;
}

/* ---- the driver ------------------------------------------------------------------------------ */

int docgen_write(const struct docgen_opts *o, enum doctype t, uint64_t seed, uint64_t index,
                 const char *name, struct sohoa_err *err)
{
    bool card = doctype_is_card(t);
    struct gen g = {
        .dpi = card ? o->card_dpi : o->dpi, .family = o->family, .size_pt = 13, .spacing = 1.15};
    struct docdata d;
    struct docfields truth = {0};
    struct page p;
    struct canvas cv = {0};
    VipsImage *im = NULL;
    char stamp[256] = "";
    int rc = docdata_make(seed, index, &d, err);
    if (rc)
        return rc;
    if (card)
        rc = page_init_mm(&p, &g, 85.6, 53.98, 3, 3, 3, 3, err);
    else
        rc = page_init(&p, &g, err);
    if (rc)
        return rc;
    if (card)
        rc = doc_render_card(&g, t, &d, &p, &truth, err);
    else
        rc = doc_render_a4(&g, t, &d, &p, &truth, stamp, sizeof stamp, err);
    struct damage dm = damage_for(&o->dp, seed ^ (uint64_t)t * 0x9e3779b97f4a7c15ULL, index);
    if (!stamp[0] || card)
        dm.stamp = false;
    else if (o->dp.preset > 0 && !o->dp.set_stamp)
        dm.stamp = true; /* a scanned certificate or decision carries its seal */
    struct sink s = {.format = o->format,
                     .mode = o->mode,
                     .jpeg_q = o->jpeg_q,
                     .dir = o->dir,
                     .name = name,
                     .dpi = g.dpi,
                     .gt = GEN_BUF};
    int quality = o->jpeg_q;
    if (o->format == FMT_JPEG && dm.jpeg_q > 0) {
        quality = dm.jpeg_q;
        dm.jpeg_q = 0;
    }
    struct rng r = rng_for(seed, 12 + (uint64_t)t, index);
    if (rc == 0)
        rc = page_compose(&g, &p, &dm, o->mode, stamp, &r, &cv, err);
    if (rc == 0 && card)
        doc_card_paint(&g, t, &p, &cv, &r);
    if (rc == 0)
        rc = page_damage(&g, &cv, &dm, o->mode, rng_next(&r), &im, err);
    if (rc == 0)
        rc = sink_page(&s, im, p.gt.data ? p.gt.data : "", quality, err);
    if (rc == 0)
        rc = sink_finish(&s, err);
    if (rc == 0) {
        char path[4096];
        if ((size_t)snprintf(path, sizeof path, "%s/%s.json", o->dir, name) >= sizeof path)
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "path too long: %s", o->dir);
        else
            rc = truth_write(path, t, &truth, err);
    }
    if (im)
        g_object_unref(im);
    free(cv.px);
    page_release(&p);
    return rc;
}
