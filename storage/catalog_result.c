/* catalog_result.c — the memory of catalog results: the arena that owns every string and array of
 * a struct sohoa_hits or struct sohoa_dossier_info (freed all at once), their release functions,
 * and the snippet helper backends share.
 */
#include "storage/catalog.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena --------------------------------------------------------------------------------- */

#define ARENA_CHUNK 8192

struct sohoa_arena_chunk {
    struct sohoa_arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

void *sohoa_arena_alloc(struct sohoa_arena *a, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (size > SIZE_MAX / 2)
        return NULL;
    size = size ? (size + align - 1) / align * align : align;
    struct sohoa_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t cap = size > ARENA_CHUNK ? size : ARENA_CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

int sohoa_arena_strndup(struct sohoa_arena *a, const char *s, size_t n, const char **out)
{
    *out = NULL;
    if (!s)
        return 0;
    char *p = sohoa_arena_alloc(a, n + 1);
    if (!p)
        return SOHOA_ENOMEM;
    memcpy(p, s, n);
    p[n] = '\0';
    *out = p;
    return 0;
}

void sohoa_arena_release(struct sohoa_arena *a)
{
    if (!a)
        return;
    while (a->head) {
        struct sohoa_arena_chunk *next = a->head->next;
        free(a->head);
        a->head = next;
    }
}

int sohoa_hit_snippet(struct sohoa_arena *a, const char *marked, const struct sohoa_search_opts *o,
                      const char **out, struct sohoa_err *err)
{
    char *window = NULL;
    *out = "";
    if (!marked)
        return 0;
    int rc =
        sohoa_snippet_window(marked, o->context_words, o->mark_open, o->mark_close, &window, err);
    if (rc == 0 && sohoa_arena_strndup(a, window, strlen(window), out))
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    free(window);
    return rc;
}

int sohoa_hits_reserve(struct sohoa_hits *out, size_t n, struct sohoa_err *err)
{
    if (n == 0)
        return 0;
    out->v = sohoa_arena_alloc(&out->arena, n * sizeof *out->v);
    return out->v ? 0 : sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
}

void sohoa_hits_release(struct sohoa_hits *hits)
{
    if (!hits)
        return;
    sohoa_arena_release(&hits->arena);
    memset(hits, 0, sizeof *hits);
}

void sohoa_dossier_info_free(struct sohoa_dossier_info **info)
{
    if (!info || !*info)
        return;
    sohoa_arena_release(&(*info)->arena);
    free(*info);
    *info = NULL;
}

/* ---- id lists and hit dossiers ------------------------------------------------------------- */

int sohoa_ids_push(struct sohoa_ids *ids, const char *s, struct sohoa_err *err)
{
    if (ids->n % 16 == 0) { /* grow by 16: the old array stays in the arena until release */
        const char **v = sohoa_arena_alloc(&ids->arena, (ids->n + 16) * sizeof *v);
        if (!v)
            return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        if (ids->n)
            memcpy(v, ids->v, ids->n * sizeof *v);
        ids->v = v;
    }
    if (sohoa_arena_strndup(&ids->arena, s, strlen(s), &ids->v[ids->n]))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    ids->n++;
    return 0;
}

void sohoa_ids_release(struct sohoa_ids *ids)
{
    if (!ids)
        return;
    sohoa_arena_release(&ids->arena);
    memset(ids, 0, sizeof *ids);
}

int sohoa_hit_dossiers_reserve(struct sohoa_hits *out, struct sohoa_hit *h, size_t n,
                               struct sohoa_err *err)
{
    h->dossiers = NULL;
    h->n_dossiers = 0;
    if (n == 0)
        return 0;
    if (n > SIZE_MAX / sizeof(struct sohoa_hit_dossier) ||
        !(h->dossiers = sohoa_arena_alloc(&out->arena, n * sizeof(struct sohoa_hit_dossier))))
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading hits");
    return 0;
}
