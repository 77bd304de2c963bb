/* extract_json.c — JSON encoding of an extraction result (jansson; see extract_json.h). Keys are
 * written in a fixed order (JSON_PRESERVE_ORDER) so outputs diff cleanly.
 */
#include "pipeline/fields/extract_json.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>

static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static json_t *box_json(const int box[4])
{
    json_t *a = json_array();
    for (int i = 0; a && i < 4; i++)
        json_array_append_new(a, json_integer(box[i]));
    return a;
}

static json_t *check_json(const char *field, const struct sohoa_check *c)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    if (field)
        json_object_set_new(o, "field", json_string(field));
    /* c is &x->checks[i].check with i < n_checks: never NULL */
    /* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
    json_object_set_new(o, "level", json_string(sohoa_check_severity_name(c->severity)));
    json_object_set_new(o, "code", json_string(c->code));
    json_object_set_new(o, "message_vi", json_string(c->msg_vi));
    json_object_set_new(o, "message_en", json_string(c->msg_en));
    return o;
}

static json_t *field_json(const struct sohoa_field *f)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    json_object_set_new(o, "value", json_string(f->value));
    json_object_set_new(o, "raw", json_string(f->raw ? f->raw : ""));
    json_object_set_new(o, "confidence", real_or_null(f->confidence));
    json_object_set_new(o, "page", json_integer(f->page));
    json_object_set_new(o, "box", box_json(f->box));
    json_object_set_new(o, "source", json_string(sohoa_field_source_name(f->source)));
    json_object_set_new(o, "repairs", json_integer(f->repairs));
    return o;
}

static json_t *quality_json(const struct sohoa_page_quality *q)
{
    json_t *o = json_object(), *issues = json_array();
    if (!o || !issues) {
        json_decref(o);
        json_decref(issues);
        return NULL;
    }
    json_object_set_new(o, "page", json_integer(q->page));
    json_object_set_new(o, "dpi", q->in.dpi >= 0 ? real_or_null(q->in.dpi) : json_null());
    json_object_set_new(o, "dpi_assumed", json_boolean(q->in.dpi_assumed));
    json_object_set_new(o, "blur", q->in.blur >= 0 ? real_or_null(q->in.blur) : json_null());
    json_object_set_new(o, "skew_deg",
                        q->in.skew_left > SOHOA_QUALITY_NOT_MEASURED ? real_or_null(q->in.skew_left)
                                                                     : json_null());
    json_object_set_new(o, "blank", json_boolean(q->in.blank));
    json_object_set_new(o, "mean_conf",
                        q->in.mean_conf >= 0 ? real_or_null(q->in.mean_conf) : json_null());
    json_object_set_new(o, "usable", json_boolean(q->usable));
    for (size_t i = 0; i < q->n_issues; i++)
        json_array_append_new(issues, check_json(NULL, &q->issues[i]));
    json_object_set_new(o, "issues", issues);
    return o;
}

static json_t *build(const struct sohoa_extraction *x, const char *file)
{
    json_t *root = json_object(), *pages = json_array(), *fields = json_object(),
           *checks = json_array(), *quality = json_array(), *codes = json_array();
    if (!root || !pages || !fields || !checks || !quality || !codes) {
        json_decref(root);
        json_decref(pages);
        json_decref(fields);
        json_decref(checks);
        json_decref(quality);
        json_decref(codes);
        return NULL;
    }
    if (file)
        json_object_set_new(root, "file", json_string(file));
    json_object_set_new(root, "type", json_string(x->cls.type));
    json_object_set_new(root, "score", real_or_null(x->cls.score));
    for (size_t i = 0; i < x->n_pages; i++) {
        json_t *p = json_object();
        json_object_set_new(p, "page", json_integer(x->pages[i].page));
        json_object_set_new(p, "type", json_string(x->pages[i].cls.type));
        json_object_set_new(p, "score", real_or_null(x->pages[i].cls.score));
        json_array_append_new(pages, p);
    }
    json_object_set_new(root, "pages", pages);
    for (size_t i = 0; i < x->n_fields; i++)
        json_object_set_new(fields, x->fields[i].name, field_json(&x->fields[i]));
    json_object_set_new(root, "fields", fields);
    for (size_t i = 0; i < x->n_checks; i++)
        json_array_append_new(checks, check_json(x->checks[i].field, &x->checks[i].check));
    json_object_set_new(root, "validation", checks);
    for (size_t i = 0; i < x->n_quality; i++)
        json_array_append_new(quality, quality_json(&x->quality[i]));
    json_object_set_new(root, "quality", quality);
    for (size_t i = 0; i < x->n_barcodes; i++) {
        json_t *b = json_object();
        json_object_set_new(b, "page", json_integer(x->barcode_pages[i]));
        json_object_set_new(b, "symbology", json_string(x->barcodes[i].symbology));
        json_object_set_new(b, "data", json_string(x->barcodes[i].data));
        json_object_set_new(b, "box", box_json(x->barcodes[i].box));
        json_array_append_new(codes, b);
    }
    json_object_set_new(root, "barcodes", codes);
    return root;
}

int sohoa_extraction_to_json(const struct sohoa_extraction *x, const char *file, bool pretty,
                             char **out, struct sohoa_err *err)
{
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_extraction_to_json: NULL result");
    *out = NULL;
    if (!x)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_extraction_to_json: NULL input");
    json_t *root = build(x, file);
    if (!root)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building JSON");
    *out = json_dumps(root, JSON_PRESERVE_ORDER | (pretty ? JSON_INDENT(2) : JSON_COMPACT));
    json_decref(root);
    return *out ? 0 : sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building JSON");
}
