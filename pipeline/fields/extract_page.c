/* extract_page.c — the page step of extraction: the quality input of one cleaned page and the
 * JSON codec (jansson) of what the page step keeps for the document step (see extract_page.h).
 */
#include "pipeline/fields/extract_page.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(struct sohoa_err *err)
{
    return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building page extraction JSON");
}

static json_t *real_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int sohoa_xpage_input_to_json(int page, const struct sohoa_barcodes *bc,
                              const struct sohoa_quality_input *q, char **out,
                              struct sohoa_err *err)
{
    *out = NULL;
    json_t *root = json_object(), *codes = json_array();
    if (!root || !codes) {
        json_decref(root);
        json_decref(codes);
        return nomem(err);
    }
    json_object_set_new(root, "v", json_integer(SOHOA_XPAGE_JSON_VERSION));
    json_object_set_new(root, "page", json_integer(page));
    if (q) {
        json_t *o = json_object();
        json_object_set_new(o, "dpi", real_or_null(q->dpi));
        json_object_set_new(o, "dpi_assumed", json_boolean(q->dpi_assumed));
        json_object_set_new(o, "blur", real_or_null(q->blur));
        json_object_set_new(o, "skew_left",
                            q->skew_left > SOHOA_QUALITY_NOT_MEASURED ? real_or_null(q->skew_left)
                                                                      : json_null());
        json_object_set_new(o, "blank", json_boolean(q->blank));
        json_object_set_new(o, "mean_conf", real_or_null(q->mean_conf));
        json_object_set_new(o, "n_words", json_integer(q->n_words));
        json_object_set_new(root, "quality", o);
    } else {
        json_object_set_new(root, "quality", json_null());
    }
    for (size_t i = 0; bc && i < bc->n; i++) {
        const struct sohoa_barcode *b = &bc->items[i];
        json_t *data = json_string(b->data ? b->data : "");
        if (!data)
            continue; /* not UTF-8 */
        json_t *box = json_array();
        for (int k = 0; k < 4; k++)
            json_array_append_new(box, json_integer(b->box[k]));
        json_t *o = json_object();
        json_object_set_new(o, "symbology", json_string(b->symbology));
        json_object_set_new(o, "data", data);
        json_object_set_new(o, "box", box);
        json_array_append_new(codes, o);
    }
    json_object_set_new(root, "barcodes", codes);
    *out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(root);
    return *out ? 0 : nomem(err);
}

/* A number member, or `dflt` when it is absent or null. */
static double num_or(json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : dflt;
}

static int parse_codes(json_t *codes, struct sohoa_barcodes *bc, struct sohoa_err *err)
{
    size_t n = json_array_size(codes);
    if (n == 0)
        return 0;
    if (!(bc->items = calloc(n, sizeof *bc->items)))
        return nomem(err);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(codes, i);
        const char *sym = json_string_value(json_object_get(o, "symbology"));
        const char *data = json_string_value(json_object_get(o, "data"));
        json_t *box = json_object_get(o, "box");
        if (!sym || !data || json_array_size(box) != 4)
            return sohoa_err_set(err, SOHOA_EFORMAT, false,
                                 "page extraction JSON: barcode %zu lacks symbology, data or box",
                                 i);
        struct sohoa_barcode *b = &bc->items[bc->n];
        if (!(b->data = strdup(data)))
            return nomem(err);
        bc->n++;
        (void)snprintf(b->symbology, sizeof b->symbology, "%s", sym);
        for (int k = 0; k < 4; k++)
            b->box[k] = (int)json_integer_value(json_array_get(box, (size_t)k));
    }
    return 0;
}

int sohoa_xpage_input_parse(const char *json, size_t len, struct sohoa_barcodes *bc,
                            struct sohoa_quality_input *q, struct sohoa_err *err)
{
    memset(bc, 0, sizeof *bc);
    sohoa_quality_input_init(q);
    json_error_t je;
    int rc = 0;
    json_t *root = json_loadb(json, len, 0, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "page extraction JSON is not a JSON object (line %d: %s)", je.line,
                             root ? "not an object" : je.text);
    }
    json_int_t v = json_integer_value(json_object_get(root, "v"));
    if (v < 1 || v > SOHOA_XPAGE_JSON_VERSION) {
        rc = sohoa_err_set(err, SOHOA_EFORMAT, false,
                           "page extraction JSON: version %lld not understood", (long long)v);
        goto out;
    }
    json_t *qo = json_object_get(root, "quality");
    if (json_is_object(qo)) {
        q->dpi = num_or(qo, "dpi", -1);
        q->dpi_assumed = json_is_true(json_object_get(qo, "dpi_assumed"));
        q->blur = num_or(qo, "blur", -1);
        q->skew_left = num_or(qo, "skew_left", SOHOA_QUALITY_NOT_MEASURED);
        q->blank = json_is_true(json_object_get(qo, "blank"));
        q->mean_conf = num_or(qo, "mean_conf", -1);
        json_t *nw = json_object_get(qo, "n_words");
        q->n_words = json_is_integer(nw) ? (int)json_integer_value(nw) : -1;
    }
    rc = parse_codes(json_object_get(root, "barcodes"), bc, err);
out:
    json_decref(root);
    if (rc < 0)
        sohoa_barcodes_release(bc);
    return rc;
}
