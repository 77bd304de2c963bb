/* completeness.c — required dossier components vs the types found (see completeness.h). */
#include "pipeline/fields/completeness.h"

#include <stdio.h>
#include <string.h>

static void append(char *buf, size_t cap, const char *s)
{
    size_t len = strlen(buf);
    if (len < cap)
        (void)snprintf(buf + len, cap - len, "%s", s);
}

int sohoa_completeness_check(const struct sohoa_models *m, const char *code,
                             const char *const *types, size_t n, struct sohoa_completeness *out,
                             struct sohoa_err *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!m || !code || !out || (n && !types))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_completeness_check: NULL argument");
    struct sohoa_check *c = &out->check;
    const struct sohoa_procedure *p = sohoa_models_procedure(m, code);
    if (!p) {
        c->severity = SOHOA_CHECK_WARNING;
        (void)snprintf(c->code, sizeof c->code, "dossier.procedure_unknown");
        (void)snprintf(
            c->msg_vi, sizeof c->msg_vi,
            "Thủ tục %.60s không có trong danh mục: không kiểm tra được thành phần hồ sơ", code);
        (void)snprintf(
            c->msg_en, sizeof c->msg_en,
            "Procedure %.60s is not in the catalogue: the dossier's components are not checked",
            code);
        return 0;
    }
    out->known = true;
    for (size_t r = 0; r < p->n_required && out->n_missing < SOHOA_COMPLETENESS_MISSING_MAX; r++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = types[i] && !strcmp(types[i], p->required[r]);
        if (!found)
            out->missing[out->n_missing++] = p->required[r];
    }
    if (!out->n_missing) {
        c->severity = SOHOA_CHECK_PASS;
        (void)snprintf(c->code, sizeof c->code, "dossier.complete");
        (void)snprintf(c->msg_vi, sizeof c->msg_vi, "Hồ sơ đủ thành phần của thủ tục %s", p->code);
        (void)snprintf(c->msg_en, sizeof c->msg_en,
                       "The dossier holds every component of procedure %s", p->code);
        return 0;
    }
    c->severity = SOHOA_CHECK_WARNING;
    (void)snprintf(c->code, sizeof c->code, "dossier.missing");
    (void)snprintf(c->msg_vi, sizeof c->msg_vi, "Thiếu: ");
    (void)snprintf(c->msg_en, sizeof c->msg_en, "missing: ");
    for (size_t i = 0; i < out->n_missing; i++) {
        const struct sohoa_doctype *t = sohoa_models_type(m, out->missing[i]);
        append(c->msg_vi, sizeof c->msg_vi, i ? "; " : "");
        append(c->msg_vi, sizeof c->msg_vi, t ? t->name_vi : out->missing[i]);
        append(c->msg_en, sizeof c->msg_en, i ? "; " : "");
        append(c->msg_en, sizeof c->msg_en, t ? t->name_en : out->missing[i]);
    }
    return 0;
}
