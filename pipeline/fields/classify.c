/* classify.c — document type from weighted cues (see classify.h). */
#include "pipeline/fields/classify.h"

#include <stdio.h>
#include <string.h>

static bool word_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

bool sohoa_phrase_find(const char *text, const char *phrase, const char **at)
{
    size_t len = strlen(phrase);
    if (at)
        *at = NULL;
    if (!len)
        return false;
    for (const char *p = strstr(text, phrase); p; p = strstr(p + 1, phrase)) {
        bool left =
            p == text || !word_char((unsigned char)p[-1]) || !word_char((unsigned char)phrase[0]);
        bool right =
            !word_char((unsigned char)p[len]) || !word_char((unsigned char)phrase[len - 1]);
        if (left && right) {
            if (at)
                *at = p;
            return true;
        }
    }
    return false;
}

static bool layout_holds(const char *layout, const struct sohoa_layout_hints *h)
{
    if (!h)
        return false;
    if (!strcmp(layout, "qr"))
        return h->qr;
    if (!strcmp(layout, "cccd_qr"))
        return h->cccd_qr;
    if (!strcmp(layout, "barcode"))
        return h->barcode;
    return false;
}

static double type_score(const struct sohoa_doctype *t, const char *folded,
                         const struct sohoa_layout_hints *h)
{
    double sum = 0;
    for (size_t i = 0; i < t->n_cues; i++) {
        const struct sohoa_cue *c = &t->cues[i];
        if (c->phrase ? sohoa_phrase_find(folded, c->phrase, NULL) : layout_holds(c->layout, h))
            sum += c->weight;
    }
    double s = sum / t->saturation;
    return s < 0 ? 0 : s > 1 ? 1 : s;
}

int sohoa_classify(const struct sohoa_models *m, const char *folded,
                   const struct sohoa_layout_hints *hints, struct sohoa_class *out, double *scores,
                   struct sohoa_err *err)
{
    if (out)
        memset(out, 0, sizeof *out);
    if (!m || !folded || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_classify: NULL argument");
    (void)snprintf(out->type, sizeof out->type, "%s", SOHOA_TYPE_UNKNOWN);
    const struct sohoa_doctype *best = NULL;
    double best_score = -1;
    for (size_t i = 0; i < m->n_types; i++) {
        double s = type_score(&m->types[i], folded, hints);
        if (scores)
            scores[i] = s;
        if (s > best_score) {
            best_score = s;
            best = &m->types[i];
        }
    }
    out->score = best_score > 0 ? best_score : 0;
    if (best && best_score > 0 && best_score >= best->threshold)
        (void)snprintf(out->type, sizeof out->type, "%s", best->id);
    return 0;
}
