/* search_query.h — the backend-neutral half of full-text search: a user's query string in, terms
 * and phrases out; a matched page's text in, a short snippet with the matched words marked out.
 *
 * No SQL here. A backend turns a struct sohoa_query into its own query language, quoting every
 * word itself, so nothing a user types is ever parsed as query syntax. Query grammar:
 *   - words separated by white space are AND-ed terms;
 *   - "double quotes" (or “curly quotes”) make a phrase: its words must be adjacent, in order;
 *     an unbalanced quote runs to the end of the query;
 *   - punctuation inside a word ("15/QĐ-BNV", "000.00.00.H30") splits it into words that form an
 *     implicit phrase; punctuation alone is ignored, so `*`, `NEAR(`, `a OR` or `'; DROP` are
 *     plain words or nothing, never operators;
 *   - every word goes through vn_normalize (canonical tone placement), and gets a folded twin
 *     (vn_fold: no diacritics, đ→d, lower case) for accent-insensitive matching.
 *
 * Snippets: a backend highlights matches by inserting the marker bytes SOHOA_MARK_OPEN and
 * SOHOA_MARK_CLOSE into the page text (or into its folded copy, then moves them over to the
 * canonical text with sohoa_snippet_transfer, which relies on vn_fold mapping each code point to
 * exactly one code point). sohoa_snippet_window cuts the words around the first match and swaps in
 * the caller's markers. Indexed text must never contain the marker bytes: sohoa_text_strip_controls
 * removes them (and every other C0 control but tab and newlines) before indexing.
 *
 * Ownership: sohoa_query owns its terms; release it with sohoa_query_release. Every char ** out
 * receives a malloc'd string the caller frees.
 * Threads: all functions are reentrant; a struct sohoa_query is used by one thread at a time.
 */
#ifndef SOHOA_SEARCH_QUERY_H
#define SOHOA_SEARCH_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"

#define SOHOA_QUERY_MAX_BYTES 1024 /* raw query length */
#define SOHOA_QUERY_MAX_TERMS 16   /* AND-ed terms (words or phrases) */
#define SOHOA_QUERY_MAX_WORDS 64   /* words over all terms */

#define SOHOA_MARK_OPEN  '\x01' /* start of a matched span, between backend and snippet helpers */
#define SOHOA_MARK_CLOSE '\x02' /* end of a matched span */

struct sohoa_query_term {
    char *canon;    /* canonical words, joined by single spaces (case kept) */
    char *fold;     /* the same words folded: same number of words and code points */
    size_t n_words; /* >= 1 */
    bool phrase;    /* words must be adjacent and in order (quotes or inner punctuation) */
};

struct sohoa_query {
    struct sohoa_query_term *terms; /* all must match */
    size_t n_terms;                 /* >= 1 after a successful parse */
};

/* Parse a raw user query (any bytes) into `q` (overwritten). Errors: SOHOA_EINVAL for an empty
 * query or one with no words, SOHOA_ELIMIT past SOHOA_QUERY_MAX_*, SOHOA_ENOMEM. */
int sohoa_query_parse(const char *raw, struct sohoa_query *q, struct sohoa_err *err);

/* Free the terms and zero `q`. Safe on a zeroed or already released query. */
void sohoa_query_release(struct sohoa_query *q);

/* Replace every C0 control byte except \t, \n and \r by a space, in place. Keeps UTF-8 valid and
 * the code point count unchanged. Applied to page text before it is folded and indexed. */
void sohoa_text_strip_controls(char *s);

/* Copy the markers of `marked_fold` (the folded text with SOHOA_MARK_* bytes inserted) into
 * `canon`, the text it was folded from, walking both a code point at a time. SOHOA_EFORMAT when
 * the two do not have the same number of code points (the fold invariant was broken). */
int sohoa_snippet_transfer(const char *canon, const char *marked_fold, char **out,
                           struct sohoa_err *err);

/* From `marked` (text with SOHOA_MARK_* bytes), keep about `context_words` words around the
 * first marked span (the whole span, plus context before and after), collapse white space to
 * single spaces, put "…" where text was cut, and replace the marker bytes by `open` / `close`
 * (NULL: « and »). A span cut by the end of the window is closed. Without any marker, the first
 * words are kept. */
int sohoa_snippet_window(const char *marked, int context_words, const char *open, const char *close,
                         char **out, struct sohoa_err *err);

/* Words of `text` as the query scanner cuts them (runs of word code points; white space,
 * punctuation and quotes end a word), joined by single spaces into *out ("" for none). For a
 * backend whose index has no word splitter of its own that agrees with the scanner (PostgreSQL's
 * parser makes one token of "15/QĐ-UBND"): it indexes these words, so page text and queries are
 * cut the same way. SOHOA_ENOMEM. */
int sohoa_text_words(const char *text, char **out, struct sohoa_err *err);

/* Put SOHOA_MARK_OPEN / SOHOA_MARK_CLOSE around every occurrence in `text` of each of `terms`
 * (n_terms strings of words joined by single spaces, as in struct sohoa_query_term). Words are
 * cut as by sohoa_text_words and compared byte for byte: give both sides in the same form (both
 * folded, or both lower-cased). A term of several words matches adjacent words only and is
 * marked as one span; overlapping matches merge. For backends without a highlighter of their own;
 * move the marks onto the canonical text with sohoa_snippet_transfer. *out is malloc'd. */
int sohoa_text_mark(const char *text, const char *const *terms, size_t n_terms, char **out,
                    struct sohoa_err *err);

#endif
