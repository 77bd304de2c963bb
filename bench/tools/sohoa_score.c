/* sohoa_score — CER/WER of OCR output against ground truth, per pair of files and pooled.
 *
 *   sohoa_score [--json] REF HYP [REF HYP ...]
 *   sohoa_score [--json] --pairs LISTFILE [...]   LISTFILE lines: "ref<TAB>hyp"; blank lines and
 *                                                 lines starting with '#' are skipped; relative
 *                                                 paths are taken from the current directory
 *
 * Scoring is tests/support/score.h: both texts normalised (NFC, one tone placement, white space
 * collapsed), CER and WER by Levenshtein, pooled by summing distances and lengths.
 * Text output: one tab-separated line per pair (ref, hyp, key=value figures), then "pooled".
 * JSON output: {"pairs": [...], "pooled": {...}}; a pair that failed carries "error" instead.
 * Exit status: 0 when every pair was scored, 1 when some file could not be read or scored (the
 * other pairs are still reported), 2 on a usage error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/err.h"
#include "tests/support/score.h"
#include "pipeline/base/vntext.h"

#define MAX_FILE_BYTES ((long)64 << 20)

struct run {
    bool json;
    size_t pairs; /* pairs reported so far */
    size_t failures;
    struct sohoa_score pool;
};

static int read_file(const char *path, char **buf, size_t *len, struct sohoa_err *err)
{
    FILE *f = NULL;
    long size = 0;
    int rc = 0;
    *buf = NULL;
    *len = 0;
    if (!(f = fopen(path, "rb")))
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot open %s", path);
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s", path);
        goto out;
    }
    if (size > MAX_FILE_BYTES) {
        rc = sohoa_err_set(err, SOHOA_ELIMIT, false, "%s: %ld bytes pass the limit of %ld", path,
                           size, MAX_FILE_BYTES);
        goto out;
    }
    if (!(*buf = malloc((size_t)size + 1))) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading %s", path);
        goto out;
    }
    if (fread(*buf, 1, (size_t)size, f) != (size_t)size) {
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s", path);
        free(*buf);
        *buf = NULL;
        goto out;
    }
    (*buf)[size] = '\0';
    *len = (size_t)size;
out:
    fclose(f);
    return rc;
}

/* A JSON string literal of `s` (made valid UTF-8, controls escaped). */
static void json_string(const char *s)
{
    char *clean = NULL;
    if (vn_sanitize_label(s, strlen(s), &clean, NULL) != 0) {
        fputs("\"?\"", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)clean; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
    free(clean);
}

static void json_figures(const struct sohoa_score *s)
{
    printf("\"cer\": %.6f, \"wer\": %.6f, \"diacritic_share\": %.6f, \"ref_chars\": %llu, "
           "\"hyp_chars\": %llu, \"char_edits\": %llu, \"diacritic_subs\": %llu, "
           "\"ref_words\": %llu, \"hyp_words\": %llu, \"word_edits\": %llu",
           sohoa_score_cer(s), sohoa_score_wer(s), sohoa_score_diacritic_share(s),
           (unsigned long long)s->ref_chars, (unsigned long long)s->hyp_chars,
           (unsigned long long)s->char_edits, (unsigned long long)s->diacritic_subs,
           (unsigned long long)s->ref_words, (unsigned long long)s->hyp_words,
           (unsigned long long)s->word_edits);
}

static void text_figures(const struct sohoa_score *s)
{
    printf("cer=%.6f\twer=%.6f\tdiacritic_share=%.6f\tchar_edits=%llu\tref_chars=%llu\t"
           "word_edits=%llu\tref_words=%llu\tdiacritic_subs=%llu",
           sohoa_score_cer(s), sohoa_score_wer(s), sohoa_score_diacritic_share(s),
           (unsigned long long)s->char_edits, (unsigned long long)s->ref_chars,
           (unsigned long long)s->word_edits, (unsigned long long)s->ref_words,
           (unsigned long long)s->diacritic_subs);
}

static void print_label(const char *s)
{
    char *clean = NULL;
    fputs(vn_sanitize_label(s, strlen(s), &clean, NULL) == 0 ? clean : "?", stdout);
    free(clean);
}

/* Scores one pair, reports it and adds it to the pool. */
static void score_pair(struct run *r, const char *ref_path, const char *hyp_path)
{
    char *ref = NULL, *hyp = NULL;
    size_t ref_len = 0, hyp_len = 0;
    struct sohoa_score s;
    struct sohoa_err err = {0};
    int rc = read_file(ref_path, &ref, &ref_len, &err);
    if (rc == 0)
        rc = read_file(hyp_path, &hyp, &hyp_len, &err);
    if (rc == 0)
        rc = sohoa_score_page(ref, ref_len, hyp, hyp_len, &s, &err);
    if (rc != 0) {
        fprintf(stderr, "sohoa_score: %s (%s)\n", err.msg, sohoa_status_name(rc));
        r->failures++;
    } else {
        sohoa_score_add(&r->pool, &s);
    }
    if (r->json) {
        printf("%s\n    {\"ref\": ", r->pairs ? "," : "");
        json_string(ref_path);
        printf(", \"hyp\": ");
        json_string(hyp_path);
        if (rc != 0) {
            printf(", \"error\": ");
            json_string(err.msg);
        } else {
            printf(", ");
            json_figures(&s);
        }
        printf("}");
    } else if (rc == 0) {
        print_label(ref_path);
        putchar('\t');
        print_label(hyp_path);
        putchar('\t');
        text_figures(&s);
        putchar('\n');
    }
    r->pairs++;
    free(ref);
    free(hyp);
}

/* Scores every "ref<TAB>hyp" line of a list file; false when the list cannot be read. */
static bool score_list(struct run *r, const char *list_path)
{
    FILE *f = fopen(list_path, "r");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    if (!f) {
        fprintf(stderr, "sohoa_score: cannot open list %s\n", list_path);
        r->failures++;
        return false;
    }
    for (ssize_t n; (n = getline(&line, &cap, f)) >= 0;) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab) {
            fprintf(stderr, "sohoa_score: %s:%zu: no tab between ref and hyp\n", list_path, lineno);
            r->failures++;
            continue;
        }
        *tab = '\0';
        score_pair(r, line, tab + 1);
    }
    free(line);
    (void)fclose(f);
    return true;
}

static void usage(FILE *to)
{
    fputs("usage: sohoa_score [--json] REF HYP [REF HYP ...]\n"
          "       sohoa_score [--json] --pairs LISTFILE   (lines \"ref<TAB>hyp\")\n"
          "CER/WER of each HYP (OCR text) against its REF (ground truth), and pooled.\n",
          to);
}

int main(int argc, char **argv)
{
    struct run r = {0};
    size_t positional = 0, lists = 0;
    sohoa_score_init(&r.pool);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            r.json = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--pairs") == 0) {
            if (++i >= argc) {
                usage(stderr);
                return 2;
            }
            lists++;
        } else if (argv[i][0] == '-' && argv[i][1] == '-' && argv[i][2]) {
            fprintf(stderr, "sohoa_score: unknown option %s\n", argv[i]);
            usage(stderr);
            return 2;
        } else {
            positional++;
        }
    }
    if (positional % 2 != 0 || (positional == 0 && lists == 0)) {
        usage(stderr);
        return 2;
    }

    if (r.json)
        printf("{\"pairs\": [");
    const char *ref = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            continue;
        if (strcmp(argv[i], "--pairs") == 0) {
            score_list(&r, argv[++i]);
        } else if (!ref) {
            ref = argv[i];
        } else {
            score_pair(&r, ref, argv[i]);
            ref = NULL;
        }
    }
    if (r.json) {
        printf("\n  ],\n  \"pooled\": {\"pages\": %llu, ", (unsigned long long)r.pool.pages);
        json_figures(&r.pool);
        printf(", \"failures\": %zu}\n}\n", r.failures);
    } else {
        printf("pooled\tpages=%llu\t", (unsigned long long)r.pool.pages);
        text_figures(&r.pool);
        printf("\tfailures=%zu\n", r.failures);
    }
    return r.failures ? 1 : 0;
}
