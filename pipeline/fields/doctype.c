/* doctype.c — reads the document-type models and the procedure catalogue (jansson; the only
 * file that parses models/doctypes and models/procedures.json).
 *
 * Holds: the name tables of normalisers, validators and field positions; phrase folding; one
 * loader per kind of object (cue, field, type, procedure); the directory walk; look-ups.
 * Shapes are checked as they are read, naming file and key in the message, so a broken model is
 * a clear SOHOA_EFORMAT at start-up rather than a wrong field later.
 */
#include "pipeline/fields/doctype.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"

static const char *const NORM_NAMES[] = {
    [SOHOA_NORM_TEXT] = "text",
    [SOHOA_NORM_UPPER] = "upper",
    [SOHOA_NORM_NAME_UPPER] = "name_upper",
    [SOHOA_NORM_DATE] = "date",
    [SOHOA_NORM_DIGITS] = "digits",
    [SOHOA_NORM_SEX] = "sex",
    [SOHOA_NORM_AREA] = "area",
    [SOHOA_NORM_SERIAL] = "serial",
    [SOHOA_NORM_DOCNUM] = "docnum",
    [SOHOA_NORM_RECEIPT] = "receipt",
    [SOHOA_NORM_MRZ] = "mrz",
};

static const char *const VALIDATOR_NAMES[] = {
    [SOHOA_VALIDATOR_NONE] = "none",     [SOHOA_VALIDATOR_CCCD] = "cccd",
    [SOHOA_VALIDATOR_CMND] = "cmnd",     [SOHOA_VALIDATOR_MST] = "mst",
    [SOHOA_VALIDATOR_DATE] = "date",     [SOHOA_VALIDATOR_RECEIPT] = "receipt",
    [SOHOA_VALIDATOR_DOCNUM] = "docnum",
};

static const char *const WHERE_NAMES[] = {
    [SOHOA_WHERE_ANCHOR] = "anchor",
    [SOHOA_WHERE_FIRST_LINE] = "first_line",
    [SOHOA_WHERE_LAST_LINE] = "last_line",
};

/* Index of `name` in `names` (n entries); -1 when absent. */
static int name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(names[i], name))
            return (int)i;
    return -1;
}

const char *sohoa_models_default_dir(void)
{
    const char *env = getenv(SOHOA_MODELS_ENV);
    if (env && *env)
        return env;
#ifdef SOHOA_SOURCE_DIR
    return SOHOA_SOURCE_DIR "/models";
#else
    return "/usr/share/sohoa/models";
#endif
}

/* Where the loader is, for messages. */
struct ctx {
    const char *file;
    struct sohoa_err *err;
};

static int bad(struct ctx *c, const char *key, const char *why)
{
    return sohoa_err_set(c->err, SOHOA_EFORMAT, false, "model %s: %s: %s", c->file, key, why);
}

static int fold_dup(struct ctx *c, const char *s, char **out)
{
    char *canon = NULL;
    int rc = vn_normalize(s, strlen(s), &canon, c->err);
    if (rc == 0)
        rc = vn_fold(canon, out, c->err);
    free(canon);
    return rc;
}

static int str_dup(struct ctx *c, json_t *v, const char *key, bool need, char **out)
{
    *out = NULL;
    if (!v && !need)
        return 0;
    if (!json_is_string(v))
        return bad(c, key, "must be a string");
    *out = strdup(json_string_value(v));
    return *out ? 0 : sohoa_err_set(c->err, SOHOA_ENOMEM, false, "out of memory");
}

/* An array of strings, each folded. */
static int phrases_load(struct ctx *c, json_t *arr, const char *key, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return 0;
    if (!json_is_array(arr))
        return bad(c, key, "must be an array of strings");
    *out = calloc(json_array_size(arr) + 1, sizeof **out);
    if (!*out)
        return sohoa_err_set(c->err, SOHOA_ENOMEM, false, "out of memory");
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v) || !json_string_length(v))
            return bad(c, key, "must hold non-empty strings");
        int rc = fold_dup(c, json_string_value(v), &(*out)[i]);
        if (rc)
            return rc;
        (*n)++;
    }
    return 0;
}

static void phrases_free(char **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
    free(p);
}

static int enum_load(struct ctx *c, json_t *v, const char *key, const char *const *names, size_t n,
                     int def, int *out)
{
    *out = def;
    if (!v)
        return 0;
    int k = json_is_string(v) ? name_index(names, n, json_string_value(v)) : -1;
    if (k < 0)
        return bad(c, key, "unknown name");
    *out = k;
    return 0;
}

static int cue_load(struct ctx *c, json_t *o, struct sohoa_cue *cue)
{
    json_t *w = json_object_get(o, "weight");
    if (!json_is_object(o) || !json_is_number(w))
        return bad(c, "cues[]", "each cue is an object with a number \"weight\"");
    cue->weight = json_number_value(w);
    json_t *ph = json_object_get(o, "phrase"), *lay = json_object_get(o, "layout");
    if (json_is_string(ph) == json_is_string(lay))
        return bad(c, "cues[]", "a cue has exactly one of \"phrase\" and \"layout\"");
    if (json_is_string(ph))
        return fold_dup(c, json_string_value(ph), &cue->phrase);
    return str_dup(c, lay, "cues[].layout", true, &cue->layout);
}

static int field_load(struct ctx *c, json_t *o, struct sohoa_field_model *f)
{
    int rc, k;
    if (!json_is_object(o))
        return bad(c, "fields[]", "each field is an object");
    f->lines = 1;
    if ((rc = str_dup(c, json_object_get(o, "name"), "fields[].name", true, &f->name)) ||
        (rc = phrases_load(c, json_object_get(o, "anchors"), "fields[].anchors", &f->anchors,
                           &f->n_anchors)) ||
        (rc = phrases_load(c, json_object_get(o, "skip"), "fields[].skip", &f->skip, &f->n_skip)) ||
        (rc = str_dup(c, json_object_get(o, "qr"), "fields[].qr", false, &f->qr)))
        return rc;
    if ((rc = enum_load(c, json_object_get(o, "normalizer"), "fields[].normalizer", NORM_NAMES,
                        sizeof NORM_NAMES / sizeof *NORM_NAMES, SOHOA_NORM_TEXT, &k)))
        return rc;
    f->norm = (enum sohoa_norm)k;
    if ((rc =
             enum_load(c, json_object_get(o, "validator"), "fields[].validator", VALIDATOR_NAMES,
                       sizeof VALIDATOR_NAMES / sizeof *VALIDATOR_NAMES, SOHOA_VALIDATOR_NONE, &k)))
        return rc;
    f->validator = (enum sohoa_validator)k;
    if ((rc = enum_load(c, json_object_get(o, "where"), "fields[].where", WHERE_NAMES,
                        sizeof WHERE_NAMES / sizeof *WHERE_NAMES, SOHOA_WHERE_ANCHOR, &k)))
        return rc;
    f->where = (enum sohoa_field_where)k;
    json_t *lines = json_object_get(o, "lines");
    if (lines) {
        if (!json_is_integer(lines) || json_integer_value(lines) < 1 ||
            json_integer_value(lines) > 5)
            return bad(c, "fields[].lines", "must be an integer 1..5");
        f->lines = (int)json_integer_value(lines);
    }
    json_t *wrap = json_object_get(o, "wrap");
    if (wrap) {
        if (!json_is_integer(wrap) || json_integer_value(wrap) < 0 || json_integer_value(wrap) > 4)
            return bad(c, "fields[].wrap", "must be an integer 0..4");
        f->wrap = (int)json_integer_value(wrap);
    }
    f->required = json_is_true(json_object_get(o, "required"));
    json_t *pat = json_object_get(o, "pattern");
    if (pat) {
        if (!json_is_string(pat))
            return bad(c, "fields[].pattern", "must be a string");
        int e = regcomp(&f->pattern, json_string_value(pat), REG_EXTENDED);
        if (e) {
            char why[160];
            regerror(e, &f->pattern, why, sizeof why);
            return bad(c, f->name, why);
        }
        f->has_pattern = true;
    }
    if (f->where == SOHOA_WHERE_ANCHOR && !f->n_anchors && !f->has_pattern && !f->qr)
        return bad(c, f->name, "a field needs anchors, a pattern, a QR part or a position");
    return 0;
}

static void field_release(struct sohoa_field_model *f)
{
    free(f->name);
    phrases_free(f->anchors, f->n_anchors);
    phrases_free(f->skip, f->n_skip);
    if (f->has_pattern)
        regfree(&f->pattern);
    free(f->qr);
}

static void type_release(struct sohoa_doctype *t)
{
    free(t->name_vi);
    free(t->name_en);
    for (size_t i = 0; i < t->n_cues; i++) {
        free(t->cues[i].phrase);
        free(t->cues[i].layout);
    }
    free(t->cues);
    for (size_t i = 0; i < t->n_fields; i++)
        field_release(&t->fields[i]);
    free(t->fields);
    phrases_free(t->stops, t->n_stops);
}

static int type_load(struct ctx *c, json_t *o, struct sohoa_doctype *t)
{
    int rc;
    json_t *id = json_object_get(o, "id"), *cues = json_object_get(o, "cues"),
           *fields = json_object_get(o, "fields");
    if (!json_is_object(o))
        return bad(c, "(root)", "a model is an object");
    if (!json_is_string(id) || json_string_length(id) >= sizeof t->id)
        return bad(c, "id", "must be a short string");
    (void)snprintf(t->id, sizeof t->id, "%s", json_string_value(id));
    if ((rc = str_dup(c, json_object_get(o, "name_vi"), "name_vi", true, &t->name_vi)) ||
        (rc = str_dup(c, json_object_get(o, "name_en"), "name_en", true, &t->name_en)))
        return rc;
    if ((rc = phrases_load(c, json_object_get(o, "stops"), "stops", &t->stops, &t->n_stops)))
        return rc;
    if (!json_is_array(cues) || !json_is_array(fields))
        return bad(c, "cues/fields", "both are arrays");
    t->cues = calloc(json_array_size(cues) + 1, sizeof *t->cues);
    t->fields = calloc(json_array_size(fields) + 1, sizeof *t->fields);
    if (!t->cues || !t->fields)
        return sohoa_err_set(c->err, SOHOA_ENOMEM, false, "out of memory");
    size_t i;
    json_t *v;
    json_array_foreach(cues, i, v)
    {
        if ((rc = cue_load(c, v, &t->cues[t->n_cues++])))
            return rc;
    }
    json_array_foreach(fields, i, v)
    {
        if ((rc = field_load(c, v, &t->fields[t->n_fields++])))
            return rc;
    }
    json_t *sat = json_object_get(o, "saturation"), *thr = json_object_get(o, "threshold");
    t->saturation = json_is_number(sat) ? json_number_value(sat) : 4.0;
    t->threshold = json_is_number(thr) ? json_number_value(thr) : 0.4;
    if (t->saturation <= 0 || t->threshold < 0 || t->threshold > 1)
        return bad(c, "saturation/threshold", "saturation > 0, threshold in 0..1");
    return 0;
}

static int procedure_load(struct ctx *c, json_t *o, struct sohoa_procedure *p)
{
    int rc;
    if (!json_is_object(o))
        return bad(c, "procedures[]", "each procedure is an object");
    if ((rc = str_dup(c, json_object_get(o, "code"), "code", true, &p->code)) ||
        (rc = str_dup(c, json_object_get(o, "name_vi"), "name_vi", true, &p->name_vi)) ||
        (rc = str_dup(c, json_object_get(o, "name_en"), "name_en", true, &p->name_en)))
        return rc;
    json_t *req = json_object_get(o, "required");
    if (!json_is_array(req))
        return bad(c, p->code, "\"required\" must be an array of type ids");
    p->required = calloc(json_array_size(req) + 1, sizeof *p->required);
    if (!p->required)
        return sohoa_err_set(c->err, SOHOA_ENOMEM, false, "out of memory");
    size_t i;
    json_t *v;
    json_array_foreach(req, i, v)
    {
        if ((rc = str_dup(c, v, "required[]", true, &p->required[p->n_required])))
            return rc;
        p->n_required++;
    }
    p->verified = json_is_true(json_object_get(o, "verified"));
    return 0;
}

static int json_read(struct ctx *c, const char *path, json_t **out)
{
    json_error_t je;
    *out = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!*out)
        return sohoa_err_set(c->err, SOHOA_EFORMAT, false, "model %s: line %d: %s", path, je.line,
                             je.text);
    return 0;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of `dir`, sorted (so load order, and ties in classification, are stable). */
static int list_json(const char *dir, char ***names, size_t *n, struct sohoa_err *err)
{
    DIR *d = opendir(dir);
    size_t cap = 0;
    *names = NULL;
    *n = 0;
    if (!d)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "models: cannot open %s", dir);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 || e->d_name[0] == '.')
            continue;
        if (*n == cap) {
            char **grown = cap <= SIZE_MAX / 2 / sizeof *grown
                               ? realloc(*names, (cap = cap ? cap * 2 : 16) * sizeof *grown)
                               : NULL;
            if (!grown) {
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
                break;
            }
            *names = grown;
        }
        if (!((*names)[*n] = strdup(e->d_name))) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*names, *n, sizeof **names, name_cmp);
    return rc;
}

static int types_load(struct sohoa_models *m, const char *dir, struct sohoa_err *err)
{
    char path[4096], **names = NULL;
    size_t n = 0;
    int rc = list_json(dir, &names, &n, err);
    if (rc == 0 && n == 0)
        rc = sohoa_err_set(err, SOHOA_ENOTFOUND, false, "models: no *.json model in %s", dir);
    else if (rc == 0 && !(m->types = calloc(n, sizeof *m->types)))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *root = NULL;
        if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) >= sizeof path) {
            rc = sohoa_err_set(err, SOHOA_EINVAL, false, "models: path too long in %s", dir);
            break;
        }
        struct ctx c = {path, err};
        rc = json_read(&c, path, &root);
        if (rc == 0) {
            rc = type_load(&c, root, &m->types[m->n_types++]);
            json_decref(root);
        }
        for (size_t j = 0; rc == 0 && j + 1 < m->n_types; j++)
            if (!strcmp(m->types[j].id, m->types[m->n_types - 1].id))
                rc = bad(&c, "id", "two models have this id");
    }
    phrases_free(names, n);
    return rc;
}

static int procedures_load(struct sohoa_models *m, const char *path, struct sohoa_err *err)
{
    json_t *root = NULL;
    struct ctx c = {path, err};
    int rc = json_read(&c, path, &root);
    if (rc)
        return rc;
    json_t *arr = json_object_get(root, "procedures");
    if (!json_is_array(arr)) {
        rc = bad(&c, "procedures", "must be an array");
        goto out;
    }
    if (!(m->procedures = calloc(json_array_size(arr) + 1, sizeof *m->procedures))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if ((rc = procedure_load(&c, v, &m->procedures[m->n_procedures++])))
            goto out;
        struct sohoa_procedure *p = &m->procedures[m->n_procedures - 1];
        for (size_t k = 0; k < p->n_required; k++)
            if (!sohoa_models_type(m, p->required[k])) {
                rc = bad(&c, p->code, "requires a document type that has no model");
                goto out;
            }
    }
out:
    json_decref(root);
    return rc;
}

int sohoa_models_load(const char *dir, struct sohoa_models **out, struct sohoa_err *err)
{
    char path[4096];
    struct sohoa_models *m = NULL;
    int rc = 0;
    if (!out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_models_load: NULL result");
    *out = NULL;
    if (!dir)
        dir = sohoa_models_default_dir();
    if (!(m = calloc(1, sizeof *m))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    if ((size_t)snprintf(path, sizeof path, "%s/doctypes", dir) >= sizeof path) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "models: path too long: %s", dir);
        goto out;
    }
    if ((rc = types_load(m, path, err)))
        goto out;
    if ((size_t)snprintf(path, sizeof path, "%s/procedures.json", dir) >= sizeof path) {
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "models: path too long: %s", dir);
        goto out;
    }
    if ((rc = procedures_load(m, path, err)))
        goto out;
    *out = m;
    m = NULL;
out:
    sohoa_models_free(&m);
    return rc;
}

void sohoa_models_free(struct sohoa_models **mp)
{
    if (!mp || !*mp)
        return;
    struct sohoa_models *m = *mp;
    for (size_t i = 0; i < m->n_types; i++)
        type_release(&m->types[i]);
    free(m->types);
    for (size_t i = 0; i < m->n_procedures; i++) {
        struct sohoa_procedure *p = &m->procedures[i];
        free(p->code);
        free(p->name_vi);
        free(p->name_en);
        phrases_free(p->required, p->n_required);
    }
    free(m->procedures);
    free(m);
    *mp = NULL;
}

const struct sohoa_doctype *sohoa_models_type(const struct sohoa_models *m, const char *id)
{
    for (size_t i = 0; m && id && i < m->n_types; i++)
        if (!strcmp(m->types[i].id, id))
            return &m->types[i];
    return NULL;
}

const struct sohoa_procedure *sohoa_models_procedure(const struct sohoa_models *m, const char *code)
{
    for (size_t i = 0; m && code && i < m->n_procedures; i++) {
        size_t len = strlen(m->procedures[i].code);
        if (!strncmp(m->procedures[i].code, code, len) && (code[len] == '\0' || code[len] == '.'))
            return &m->procedures[i];
    }
    return NULL;
}
