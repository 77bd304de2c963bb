/* extract_lines.c — words → lines of canonical and folded text with a byte map between them
 * (see extract_lines.h). Folding maps one code point to one code point, so the map is built by
 * walking both strings a code point at a time.
 */
#include "pipeline/fields/extract_lines.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline/pdf/render.h"
#include "pipeline/base/vntext.h"

static size_t utf8_len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

static bool same_line(const struct sohoa_word *a, const struct sohoa_word *b)
{
    return a->block == b->block && a->para == b->para && a->line == b->line;
}

static int line_build(const struct sohoa_word *w, size_t n, struct sohoa_xline *l,
                      struct sohoa_err *err)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(w[i].text ? w[i].text : "") + 1;
    l->words = w;
    l->n_words = n;
    l->canon = malloc(len + 1);
    l->wstart = calloc(n + 1, sizeof *l->wstart);
    l->wend = calloc(n + 1, sizeof *l->wend);
    if (!l->canon || !l->wstart || !l->wend)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = w[i].text ? w[i].text : "";
        if (i)
            l->canon[at++] = ' ';
        l->wstart[i] = at;
        memcpy(l->canon + at, t, strlen(t));
        at += strlen(t);
        l->wend[i] = at;
    }
    l->canon[at] = '\0';
    int rc = vn_fold(l->canon, &l->fold, err);
    if (rc)
        return rc;
    size_t flen = strlen(l->fold);
    if (!(l->f2c = calloc(flen + 1, sizeof *l->f2c)))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    size_t c = 0, f = 0;
    while (f < flen) {
        size_t fl = utf8_len((unsigned char)l->fold[f]);
        size_t cl = c < at ? utf8_len((unsigned char)l->canon[c]) : 0;
        for (size_t k = 0; k < fl && f + k < flen; k++)
            l->f2c[f + k] = c;
        f += fl;
        c = c + cl <= at ? c + cl : at;
    }
    l->f2c[flen] = at;
    return 0;
}

static void line_release(struct sohoa_xline *l)
{
    free(l->canon);
    free(l->fold);
    free(l->f2c);
    free(l->wstart);
    free(l->wend);
}

int sohoa_xlines_build(const struct sohoa_word *words, size_t n, struct sohoa_xlines *out,
                       struct sohoa_err *err)
{
    int rc = 0;
    if (!out || (n && !words))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_xlines_build: NULL argument");
    struct sohoa_xlines x = {0}; /* built here, handed out whole */
    if (!(x.lines = calloc(n + 1, sizeof *x.lines))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t total = 1;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_line(&words[i], &words[j]))
            j++;
        if ((rc = line_build(&words[i], j - i, &x.lines[x.n++], err)))
            goto out;
        total += strlen(x.lines[x.n - 1].fold) + 1;
        i = j;
    }
    if (!(x.fold_all = malloc(total))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    size_t at = 0;
    for (size_t i = 0; i < x.n; i++) {
        size_t len = strlen(x.lines[i].fold);
        memcpy(x.fold_all + at, x.lines[i].fold, len);
        at += len;
        x.fold_all[at++] = '\n';
    }
    x.fold_all[at] = '\0';
out:
    if (rc)
        sohoa_xlines_release(&x);
    *out = x;
    return rc;
}

void sohoa_xlines_release(struct sohoa_xlines *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++)
        line_release(&x->lines[i]);
    free(x->lines);
    free(x->fold_all);
    memset(x, 0, sizeof *x);
}

void sohoa_xline_span(const struct sohoa_xline *l, size_t a, size_t b, int box[4], double *conf)
{
    double sum = 0;
    size_t k = 0;
    bool any = false;
    memset(box, 0, 4 * sizeof *box);
    for (size_t i = 0; i < l->n_words; i++) {
        if (l->wend[i] <= a || l->wstart[i] >= b)
            continue;
        const struct sohoa_word *w = &l->words[i];
        sum += w->conf;
        k++;
        if (w->x1 <= w->x0 || w->y1 <= w->y0)
            continue;
        if (!any) {
            box[0] = w->x0, box[1] = w->y0, box[2] = w->x1, box[3] = w->y1;
            any = true;
        } else {
            box[0] = w->x0 < box[0] ? w->x0 : box[0];
            box[1] = w->y0 < box[1] ? w->y0 : box[1];
            box[2] = w->x1 > box[2] ? w->x1 : box[2];
            box[3] = w->y1 > box[3] ? w->y1 : box[3];
        }
    }
    *conf = k ? sum / (double)k : 100.0;
}

int sohoa_words_copy(const struct sohoa_word *src, size_t n, struct sohoa_word **out,
                     struct sohoa_err *err)
{
    *out = calloc(n + 1, sizeof **out);
    if (!*out)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; i < n; i++) {
        (*out)[i] = src[i];
        (*out)[i].text = strdup(src[i].text ? src[i].text : "");
        if (!(*out)[i].text) {
            sohoa_words_free(out, i);
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        }
    }
    return 0;
}

int sohoa_words_from_text(const char *text, struct sohoa_word **words, size_t *n,
                          struct sohoa_err *err)
{
    char *canon = NULL;
    size_t cap = 0;
    int rc = 0, line = 0;
    *words = NULL;
    *n = 0;
    if (!text)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "sohoa_words_from_text: NULL text");
    if ((rc = vn_normalize(text, strlen(text), &canon, err)))
        return rc;
    const char *p = canon;
    while (*p) {
        if (*p == '\n') {
            line++;
            p++;
            continue;
        }
        if (*p == ' ' || *p == '\t' || *p == '\r') {
            p++;
            continue;
        }
        size_t len = strcspn(p, " \t\r\n");
        if (*n == cap) {
            struct sohoa_word *g = cap <= SIZE_MAX / 2 / sizeof *g
                                       ? realloc(*words, (cap = cap ? cap * 2 : 64) * sizeof *g)
                                       : NULL;
            if (!g) {
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
                break;
            }
            *words = g;
        }
        struct sohoa_word *w = &(*words)[*n];
        memset(w, 0, sizeof *w);
        w->conf = 100;
        w->line = line;
        if (!(w->text = strndup(p, len))) {
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            break;
        }
        (*n)++;
        p += len;
    }
    free(canon);
    if (rc) {
        sohoa_words_free(words, *n);
        *n = 0;
    }
    return rc;
}
