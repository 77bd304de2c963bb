/* search_query.c — user query → AND-ed terms and phrases; matched text → marked snippet.
 *
 * Holds: the query scanner (white space ends a term, quotes make phrases, punctuation ends a word
 * inside a term), the marker transfer from folded to canonical text, and the snippet window.
 * Backend-neutral: no SQL, no third-party library (text normalisation comes from vntext.h).
 */
#include "storage/search_query.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/vntext.h"

#define ELLIPSIS "\xE2\x80\xA6" /* … */

/* ---- UTF-8 walking -------------------------------------------------------------------------- */

/* Length of the UTF-8 sequence at `s` (>= 1, never past a NUL or a missing continuation byte). */
static size_t u8_seq_len(const char *s)
{
    unsigned char b = (unsigned char)s[0];
    size_t want = b < 0x80             ? 1
                  : (b & 0xE0) == 0xC0 ? 2
                  : (b & 0xF0) == 0xE0 ? 3
                  : (b & 0xF8) == 0xF0 ? 4
                                       : 1;
    size_t n = 1;
    while (n < want && ((unsigned char)s[n] & 0xC0) == 0x80)
        n++;
    return n;
}

/* Code point of the sequence at `s` of length `n` (from u8_seq_len); malformed ones give U+FFFD. */
static uint32_t u8_decode(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    switch (n) {
    case 1:
        return u[0] < 0x80 ? u[0] : 0xFFFD;
    case 2:
        return ((uint32_t)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    case 3:
        return ((uint32_t)(u[0] & 0x0F) << 12) | ((uint32_t)(u[1] & 0x3F) << 6) | (u[2] & 0x3F);
    default:
        return ((uint32_t)(u[0] & 0x07) << 18) | ((uint32_t)(u[1] & 0x3F) << 12) |
               ((uint32_t)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    }
}

/* ---- query scanner -------------------------------------------------------------------------- */

enum cp_class { CP_WORD, CP_SPACE, CP_PUNCT, CP_QUOTE };

static enum cp_class classify(uint32_t cp)
{
    if (cp == '"' || cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x201F)
        return CP_QUOTE;
    if (cp < 0x80) {
        if (cp == ' ' || (cp >= '\t' && cp <= '\r'))
            return CP_SPACE;
        if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
            return CP_WORD;
        return CP_PUNCT; /* includes every other control byte and all ASCII query syntax */
    }
    if (cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x2028 ||
        cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0xFEFF)
        return CP_SPACE;
    if (cp == 0xA1 || cp == 0xA7 || cp == 0xAB || cp == 0xB6 || cp == 0xB7 || cp == 0xBB ||
        cp == 0xBF || (cp >= 0x2010 && cp <= 0x205E) || (cp >= 0x3001 && cp <= 0x3003) ||
        cp == 0xFFFD)
        return CP_PUNCT;
    /* Anything else counts as a word character here; a symbol the index tokenizer drops is
     * dropped again by the backend, which quotes the word. */
    return CP_WORD;
}

struct scan {
    struct sohoa_query *q;
    char *cur;        /* canonical words of the term being read, joined by ' ' */
    size_t cur_len;   /* bytes in cur */
    size_t cur_words; /* words in cur */
    size_t all_words; /* words over all terms so far */
    bool in_word;
};

/* End the term being read: fold it and append it to the query. */
static int scan_flush(struct scan *sc, bool quoted, struct sohoa_err *err)
{
    sc->in_word = false;
    if (sc->cur_words == 0)
        return 0;
    struct sohoa_query *q = sc->q;
    if (q->n_terms == SOHOA_QUERY_MAX_TERMS)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "query has more than %d terms",
                             SOHOA_QUERY_MAX_TERMS);
    struct sohoa_query_term *t = &q->terms[q->n_terms];
    t->canon = malloc(sc->cur_len + 1);
    if (!t->canon)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory parsing query");
    memcpy(t->canon, sc->cur, sc->cur_len);
    t->canon[sc->cur_len] = '\0';
    q->n_terms++; /* owned by q from here on, freed by sohoa_query_release on error */
    t->n_words = sc->cur_words;
    t->phrase = quoted || sc->cur_words > 1;
    sc->cur_len = 0;
    sc->cur_words = 0;
    return vn_fold(t->canon, &t->fold, err);
}

/* Append the code point at `s` (n bytes) to the current word, starting a word if needed. */
static int scan_word_char(struct scan *sc, const char *s, size_t n, struct sohoa_err *err)
{
    if (!sc->in_word) {
        if (sc->all_words == SOHOA_QUERY_MAX_WORDS)
            return sohoa_err_set(err, SOHOA_ELIMIT, false, "query has more than %d words",
                                 SOHOA_QUERY_MAX_WORDS);
        if (sc->cur_words > 0)
            sc->cur[sc->cur_len++] = ' ';
        sc->cur_words++;
        sc->all_words++;
        sc->in_word = true;
    }
    memcpy(sc->cur + sc->cur_len, s, n);
    sc->cur_len += n;
    return 0;
}

int sohoa_query_parse(const char *raw, struct sohoa_query *q, struct sohoa_err *err)
{
    char *norm = NULL;
    struct scan sc = {.q = q};
    int rc = 0;

    if (q)
        memset(q, 0, sizeof *q);
    if (!raw || !q)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "search query: missing argument");
    size_t len = strnlen(raw, SOHOA_QUERY_MAX_BYTES + 1);
    if (len > SOHOA_QUERY_MAX_BYTES)
        return sohoa_err_set(err, SOHOA_ELIMIT, false, "search query is longer than %d bytes",
                             SOHOA_QUERY_MAX_BYTES);

    rc = vn_normalize(raw, len, &norm, err);
    if (rc)
        goto out;
    size_t nlen = strlen(norm);
    q->terms = calloc(SOHOA_QUERY_MAX_TERMS, sizeof *q->terms);
    /* a term never holds more bytes than the query: only single spaces replace separators */
    sc.cur = malloc(nlen + 1);
    if (!q->terms || !sc.cur) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory parsing query");
        goto out;
    }

    bool in_quote = false, any_visible = false;
    for (size_t i = 0; i < nlen;) {
        size_t n = u8_seq_len(norm + i);
        enum cp_class c = classify(u8_decode(norm + i, n));
        if (c != CP_SPACE)
            any_visible = true;
        switch (c) {
        case CP_WORD:
            rc = scan_word_char(&sc, norm + i, n, err);
            break;
        case CP_PUNCT:
            sc.in_word = false;
            break;
        case CP_SPACE:
            sc.in_word = false;
            if (!in_quote)
                rc = scan_flush(&sc, false, err);
            break;
        case CP_QUOTE:
            rc = scan_flush(&sc, in_quote, err);
            in_quote = !in_quote;
            break;
        }
        if (rc)
            goto out;
        i += n;
    }
    rc = scan_flush(&sc, in_quote, err);
    if (rc)
        goto out;
    if (!any_visible)
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "empty search query");
    else if (q->n_terms == 0)
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "search query has no words to look for");

out:
    free(sc.cur);
    free(norm);
    if (rc)
        sohoa_query_release(q);
    return rc;
}

void sohoa_query_release(struct sohoa_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; q->terms && i < q->n_terms; i++) {
        free(q->terms[i].canon);
        free(q->terms[i].fold);
    }
    free(q->terms);
    memset(q, 0, sizeof *q);
}

/* ---- snippets ------------------------------------------------------------------------------- */

void sohoa_text_strip_controls(char *s)
{
    for (; s && *s; s++) {
        unsigned char b = (unsigned char)*s;
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
            *s = ' ';
    }
}

static bool is_mark(char c)
{
    return c == SOHOA_MARK_OPEN || c == SOHOA_MARK_CLOSE;
}

int sohoa_snippet_transfer(const char *canon, const char *marked_fold, char **out,
                           struct sohoa_err *err)
{
    if (out)
        *out = NULL;
    if (!canon || !marked_fold || !out)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "snippet: missing argument");

    size_t marks = 0;
    for (const char *p = marked_fold; *p; p++)
        marks += is_mark(*p);
    char *buf = malloc(strlen(canon) + marks + 1);
    if (!buf)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");

    size_t o = 0;
    const char *f = marked_fold, *c = canon;
    while (*f) {
        if (is_mark(*f)) {
            buf[o++] = *f++;
            continue;
        }
        if (!*c)
            break;
        size_t nc = u8_seq_len(c);
        memcpy(buf + o, c, nc);
        o += nc;
        c += nc;
        f += u8_seq_len(f);
    }
    if (*f || *c) {
        free(buf);
        return sohoa_err_set(err, SOHOA_EFORMAT, false,
                             "snippet: folded text does not match its canonical text");
    }
    buf[o] = '\0';
    *out = buf;
    return 0;
}

static bool is_space_byte(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Output sink: counts bytes when `p` is NULL, writes otherwise. */
struct sink {
    char *p;
    size_t n;
};

static void sink_put(struct sink *k, const char *s, size_t n)
{
    if (k->p)
        memcpy(k->p + k->n, s, n);
    k->n += n;
}

/* Emit words [start, end) of `text` (n_words in all) into `k`, markers replaced. */
static void window_emit(struct sink *k, const char *text, size_t start, size_t end, size_t n_words,
                        const char *open, const char *close)
{
    size_t lo = strlen(open), lc = strlen(close), w = 0;
    bool in_span = false;
    if (start > 0)
        sink_put(k, ELLIPSIS " ", strlen(ELLIPSIS " "));
    const char *p = text;
    while (*p && w < end) {
        while (is_space_byte(*p))
            p++;
        if (!*p)
            break;
        if (w > start)
            sink_put(k, " ", 1);
        for (; *p && !is_space_byte(*p); p++) {
            if (w < start)
                continue;
            if (*p == SOHOA_MARK_OPEN) {
                sink_put(k, open, lo);
                in_span = true;
            } else if (*p == SOHOA_MARK_CLOSE) {
                sink_put(k, close, lc);
                in_span = false;
            } else {
                sink_put(k, p, 1);
            }
        }
        w++;
    }
    if (in_span)
        sink_put(k, close, lc);
    if (end < n_words)
        sink_put(k, " " ELLIPSIS, strlen(" " ELLIPSIS));
}

int sohoa_snippet_window(const char *marked, int context_words, const char *open, const char *close,
                         char **out, struct sohoa_err *err)
{
    if (out)
        *out = NULL;
    if (!marked || !out || context_words < 1)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "snippet: bad argument");
    open = open ? open : "\xC2\xAB";    /* « */
    close = close ? close : "\xC2\xBB"; /* » */

    /* Words, the word holding the first opening marker and the one closing that span. */
    size_t n = 0, first = SIZE_MAX, last = SIZE_MAX;
    bool in_word = false;
    for (const char *p = marked; *p; p++) {
        if (is_space_byte(*p)) {
            in_word = false;
            continue;
        }
        if (!in_word) {
            n++;
            in_word = true;
        }
        if (*p == SOHOA_MARK_OPEN && first == SIZE_MAX)
            first = n - 1;
        if (*p == SOHOA_MARK_CLOSE && first != SIZE_MAX && last == SIZE_MAX)
            last = n - 1;
    }
    if (first == SIZE_MAX)
        first = last = 0;
    if (last == SIZE_MAX)
        last = first;

    size_t ctx = (size_t)context_words, before = ctx / 2;
    size_t total = ctx + (last - first + 1);
    size_t start = first > before ? first - before : 0;
    size_t end = start + total < n ? start + total : n;
    if (end - start < total) /* near the end: take the missing context from before */
        start = end > total ? end - total : 0;
    if (start > first)
        start = first;

    struct sink k = {0};
    window_emit(&k, marked, start, end, n, open, close);
    k.p = malloc(k.n + 1);
    if (!k.p)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory building snippet");
    k.n = 0;
    window_emit(&k, marked, start, end, n, open, close);
    k.p[k.n] = '\0';
    *out = k.p;
    return 0;
}

/* ---- words and marks, for backends without a tokenizer of their own -------------------------- */

struct span {
    size_t start, end; /* bytes [start, end) of one word */
};

/* The words of `text` into *spans (malloc'd, *n of them). */
static int text_spans(const char *text, struct span **spans, size_t *n, struct sohoa_err *err)
{
    size_t cap = 0, len = strlen(text);
    bool in_word = false;
    *spans = NULL;
    *n = 0;
    for (size_t i = 0; i < len;) {
        size_t k = u8_seq_len(text + i);
        bool word = classify(u8_decode(text + i, k)) == CP_WORD;
        if (word && !in_word) {
            if (*n == cap) {
                struct span *v = NULL;
                if (cap <= SIZE_MAX / 2 / sizeof *v) {
                    cap = cap ? cap * 2 : 64;
                    v = realloc(*spans, cap * sizeof *v);
                }
                if (!v) {
                    free(*spans);
                    *spans = NULL;
                    return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory cutting words");
                }
                *spans = v;
            }
            (*spans)[(*n)++].start = i;
        }
        if (word)
            (*spans)[*n - 1].end = i + k;
        in_word = word;
        i += k;
    }
    return 0;
}

int sohoa_text_words(const char *text, char **out, struct sohoa_err *err)
{
    struct span *w = NULL;
    size_t n = 0;
    *out = NULL;
    if (!text)
        text = "";
    int rc = text_spans(text, &w, &n, err);
    if (rc)
        return rc;
    char *buf = malloc(strlen(text) + 1), *p = buf;
    if (!buf) {
        free(w);
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory cutting words");
    }
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ' ';
        memcpy(p, text + w[i].start, w[i].end - w[i].start);
        p += w[i].end - w[i].start;
    }
    *p = '\0';
    free(w);
    *out = buf;
    return 0;
}

/* Whether the words of `text` from index `at` on are the words of `term`; *last gets the index
 * of the last one. */
static bool term_at(const char *text, const struct span *w, size_t n, size_t at, const char *term,
                    size_t *last)
{
    const char *t = term;
    for (size_t i = at; i < n; i++) {
        size_t len = w[i].end - w[i].start;
        if (strncmp(t, text + w[i].start, len) != 0 || (t[len] != ' ' && t[len] != '\0'))
            return false;
        t += len;
        if (*t == '\0') {
            *last = i;
            return true;
        }
        t++; /* the space between two words of the term */
    }
    return false;
}

int sohoa_text_mark(const char *text, const char *const *terms, size_t n_terms, char **out,
                    struct sohoa_err *err)
{
    struct span *w = NULL;
    size_t n = 0, len = strlen(text), *ends = NULL;
    *out = NULL;
    int rc = text_spans(text, &w, &n, err);
    if (rc)
        return rc;
    /* ends[i]: one past the last word of the longest match starting at word i, 0 for none */
    ends = calloc(n ? n : 1, sizeof *ends);
    char *buf = malloc(len + 2 * n + 1);
    if (!ends || !buf) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory marking a snippet");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < n_terms; t++) {
            size_t last = 0;
            if (terms[t] && *terms[t] && term_at(text, w, n, i, terms[t], &last) &&
                last + 1 > ends[i])
                ends[i] = last + 1;
        }
    }
    size_t o = 0, from = 0, open_until = 0; /* a span is open while word index < open_until */
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        if (!open && ends[i]) {
            memcpy(buf + o, text + from, w[i].start - from);
            o += w[i].start - from;
            from = w[i].start;
            buf[o++] = SOHOA_MARK_OPEN;
            open = true;
        }
        if (open && ends[i] > open_until)
            open_until = ends[i];
        if (open && i + 1 >= open_until) {
            memcpy(buf + o, text + from, w[i].end - from);
            o += w[i].end - from;
            from = w[i].end;
            buf[o++] = SOHOA_MARK_CLOSE;
            open = false;
            open_until = 0;
        }
    }
    memcpy(buf + o, text + from, len - from);
    o += len - from;
    buf[o] = '\0';
    *out = buf;
    buf = NULL;
out:
    free(buf);
    free(ends);
    free(w);
    return rc;
}
