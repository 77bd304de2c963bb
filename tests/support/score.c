/* score.c — CER/WER of OCR text against ground truth, pooled over pages (see score.h).
 *
 * Both texts become arrays of code points in the comparison form. The character distance runs on
 * them directly; for the word distance each word is first replaced by a number (equal words, equal
 * numbers, found by sorting), so both distances are one Levenshtein over uint32_t symbols.
 * That Levenshtein keeps a single row as long as the shorter sequence. A cell holds
 * distance·2^32 − diacritic substitutions, so taking the least cell picks the least distance and,
 * among equal distances, the most diacritic substitutions, with no second table.
 */
#include "tests/support/score.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"

#define UNIT ((uint64_t)1 << 32)

/* White space of Unicode (Zs, line and paragraph separators, ASCII controls that space). */
static bool is_space(uint32_t cp)
{
    switch (cp) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x0085:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
        return true;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* `in` in comparison form as code points (*cps NULL when empty). */
static int text_form(const char *in, size_t len, uint32_t **cps, size_t *n, struct sohoa_err *err)
{
    char *canon = NULL;
    uint32_t *v = NULL;
    size_t count = 0, o = 0;
    bool gap = false;
    int rc = 0;
    *cps = NULL;
    *n = 0;
    if ((rc = vn_normalize(in, len, &canon, err)) < 0 ||
        (rc = vn_codepoints(canon, strlen(canon), &v, &count, err)) < 0)
        goto out;
    for (size_t i = 0; i < count; i++) {
        if (is_space(v[i])) {
            gap = o > 0;
            continue;
        }
        if (gap)
            v[o++] = ' '; /* o < i here: at least one space was skipped */
        gap = false;
        v[o++] = v[i];
    }
    *cps = v;
    *n = o;
    v = NULL;
out:
    free(canon);
    free(v);
    return rc;
}

/* Least-cost alignment of a (n symbols) with b (m symbols): *dist edits, of which *near are
 * substitutions whose keys (ak, bk; both NULL for none) are equal. */
static int levenshtein(const uint32_t *a, const uint32_t *ak, size_t n, const uint32_t *b,
                       const uint32_t *bk, size_t m, uint64_t *dist, uint64_t *near,
                       struct sohoa_err *err)
{
    *dist = 0;
    *near = 0;
    if (m > n) { /* the row runs over the shorter one; the distance is symmetric */
        const uint32_t *t = a, *tk = ak;
        size_t tn = n;
        a = b, ak = bk, n = m;
        b = t, bk = tk, m = tn;
    }
    if (m && n > SOHOA_SCORE_MAX_CELLS / m)
        return sohoa_err_set(err, SOHOA_ELIMIT, false,
                             "texts of %zu and %zu symbols pass the scoring limit of %llu cells", n,
                             m, (unsigned long long)SOHOA_SCORE_MAX_CELLS);
    uint64_t *row = malloc((m + 1) * sizeof *row);
    if (!row)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "score: out of memory");
    for (size_t j = 0; j <= m; j++)
        row[j] = j * UNIT;
    for (size_t i = 1; i <= n; i++) {
        uint64_t diag = row[0];
        uint32_t ai = a[i - 1], aki = ak ? ak[i - 1] : 0;
        row[0] = i * UNIT;
        for (size_t j = 1; j <= m; j++) {
            uint64_t up = row[j];
            uint64_t best = diag;
            if (ai != b[j - 1])
                best += ak && aki == bk[j - 1] ? UNIT - 1 : UNIT;
            if (row[j - 1] + UNIT < best)
                best = row[j - 1] + UNIT;
            if (up + UNIT < best)
                best = up + UNIT;
            diag = up;
            row[j] = best;
        }
    }
    uint64_t v = row[m];
    free(row);
    *dist = (v + UNIT - 1) >> 32;
    *near = *dist * UNIT - v;
    return 0;
}

struct word {
    const uint32_t *p;
    size_t len;
    uint32_t *id; /* where the word's number goes */
};

static int word_cmp(const void *x, const void *y)
{
    const struct word *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return memcmp(a->p, b->p, a->len * sizeof *a->p);
}

static size_t word_count(const uint32_t *cps, size_t n)
{
    size_t w = n ? 1 : 0;
    for (size_t i = 0; i < n; i++)
        w += cps[i] == ' ';
    return w;
}

/* Appends the words of cps (comparison form) to `words`, their numbers to go to ids[0..]. */
static size_t word_split(const uint32_t *cps, size_t n, uint32_t *ids, struct word *words)
{
    size_t w = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && cps[i] != ' ')
            continue;
        if (i > start) {
            words[w].p = cps + start;
            words[w].len = i - start;
            words[w].id = &ids[w];
            w++;
        }
        start = i + 1;
    }
    return w;
}

/* Word distance of two texts in comparison form. */
static int word_distance(const uint32_t *r, size_t nr, const uint32_t *h, size_t nh,
                         struct sohoa_score *page, struct sohoa_err *err)
{
    size_t wr = word_count(r, nr), wh = word_count(h, nh);
    uint32_t *ids = malloc((wr + wh + 1) * sizeof *ids);
    struct word *words = malloc((wr + wh + 1) * sizeof *words);
    uint64_t near = 0;
    int rc = 0;
    if (!ids || !words) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "score: out of memory");
        goto out;
    }
    /* the comparison form has single spaces and none at either end: as many words as counted */
    wr = word_split(r, nr, ids, words);
    wh = word_split(h, nh, ids + wr, words + wr);
    qsort(words, wr + wh, sizeof *words, word_cmp);
    uint32_t next = 0;
    for (size_t i = 0; i < wr + wh; i++) {
        if (i > 0 && word_cmp(&words[i - 1], &words[i]) != 0)
            next++;
        *words[i].id = next;
    }
    page->ref_words = wr;
    page->hyp_words = wh;
    rc = levenshtein(ids, NULL, wr, ids + wr, NULL, wh, &page->word_edits, &near, err);
out:
    free(ids);
    free(words);
    return rc;
}

void sohoa_score_init(struct sohoa_score *s)
{
    memset(s, 0, sizeof *s);
}

int sohoa_score_page(const char *ref, size_t ref_len, const char *hyp, size_t hyp_len,
                     struct sohoa_score *page, struct sohoa_err *err)
{
    uint32_t *r = NULL, *h = NULL, *keys = NULL;
    size_t nr = 0, nh = 0;
    int rc = 0;
    if (page)
        sohoa_score_init(page);
    if (!page || (!ref && ref_len) || (!hyp && hyp_len))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "score: missing text or result");
    if ((rc = text_form(ref, ref_len, &r, &nr, err)) < 0) {
        sohoa_err_prefix(err, "reference: ");
        goto out;
    }
    if ((rc = text_form(hyp, hyp_len, &h, &nh, err)) < 0) {
        sohoa_err_prefix(err, "hypothesis: ");
        goto out;
    }
    keys = malloc((nr + nh + 1) * sizeof *keys);
    if (!keys) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "score: out of memory");
        goto out;
    }
    for (size_t i = 0; i < nr; i++)
        keys[i] = vn_strip_cp(r[i]);
    for (size_t i = 0; i < nh; i++)
        keys[nr + i] = vn_strip_cp(h[i]);
    if ((rc = levenshtein(r, keys, nr, h, keys + nr, nh, &page->char_edits, &page->diacritic_subs,
                          err)) < 0 ||
        (rc = word_distance(r, nr, h, nh, page, err)) < 0) {
        sohoa_score_init(page);
        goto out;
    }
    page->pages = 1;
    page->ref_chars = nr;
    page->hyp_chars = nh;
out:
    free(r);
    free(h);
    free(keys);
    return rc;
}

void sohoa_score_add(struct sohoa_score *pool, const struct sohoa_score *page)
{
    pool->pages += page->pages;
    pool->ref_chars += page->ref_chars;
    pool->hyp_chars += page->hyp_chars;
    pool->char_edits += page->char_edits;
    pool->diacritic_subs += page->diacritic_subs;
    pool->ref_words += page->ref_words;
    pool->hyp_words += page->hyp_words;
    pool->word_edits += page->word_edits;
}

static double rate(uint64_t edits, uint64_t length)
{
    if (length == 0)
        return edits ? 1.0 : 0.0;
    return (double)edits / (double)length;
}

double sohoa_score_cer(const struct sohoa_score *s)
{
    return rate(s->char_edits, s->ref_chars);
}

double sohoa_score_wer(const struct sohoa_score *s)
{
    return rate(s->word_edits, s->ref_words);
}

double sohoa_score_diacritic_share(const struct sohoa_score *s)
{
    return s->char_edits ? (double)s->diacritic_subs / (double)s->char_edits : 0.0;
}

int sohoa_score_text_form(const char *in, size_t len, char **out, struct sohoa_err *err)
{
    uint32_t *cps = NULL;
    size_t n = 0;
    int rc = 0;
    if (out)
        *out = NULL;
    if (!out || (!in && len))
        return sohoa_err_set(err, SOHOA_EINVAL, false, "score: missing text or result");
    if ((rc = text_form(in, len, &cps, &n, err)) == 0)
        rc = vn_from_codepoints(cps, n, out, err);
    free(cps);
    return rc;
}
