/* sohoa_searchbench.c — search latency over a large synthetic index, through storage/catalog.h.
 *
 *   sohoa_searchbench --index PATH --text FILE [--text FILE ...] [--pages N] [--docs-pages K]
 *                     [--queries Q] [--seed S] [--build-only]
 *
 * Pages are made of consecutive sentences of the given UTF-8 text files (one sentence pool, a
 * seeded random start per page, 200–400 words), so their words, tones and phrases are real
 * Vietnamese. When PATH does not hold an index built with the same pages, seed and sentences it is
 * built (N pages in documents of K pages, 1000 pages a dossier) with the catalog's ordinary write
 * calls; an index from other settings is refused (remove the file). Then Q queries of each kind,
 * drawn from the pages' own words, are run one after another, interleaved:
 *   exact   two words of one page as written (with their tones)
 *   folded  two words with diacritics of one page, written without them ("quyet dinh")
 *   phrase  three adjacent words of one page in quotes
 * Output (stdout, tab-separated): "kind ms hits query" per query, after "# key value" lines:
 * pages, text_bytes (of all page texts), index_bytes (the file and its WAL), build_s.
 * Exit status 0, 1 on failure, 64 on a bad command line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pipeline/base/hash.h"
#include "pipeline/base/vntext.h"
#include "storage/catalog.h"
#include "pipeline/base/deadline.h"

#define META_DOSSIER    "searchbench-meta"
#define PAGES_A_DOSSIER 1000
#define MAX_TEXTS       32
#define WARMUP_QUERIES  10

static const char *const departments[] = {
    "Sở Tư pháp",
    "Sở Xây dựng",
    "Sở Tài nguyên và Môi trường",
    "Sở Kế hoạch và Đầu tư",
    "Sở Lao động - Thương binh và Xã hội",
    "Sở Giao thông vận tải",
};

struct pool {
    char *buf;   /* every sentence, NUL-terminated, one after another */
    char **sent; /* pointers into buf */
    size_t n;
};

struct opts {
    const char *index;
    const char *texts[MAX_TEXTS];
    int n_texts;
    long pages;
    int doc_pages;
    int queries;
    unsigned long seed;
    bool build_only;
};

static uint64_t mix(uint64_t x) /* splitmix64 finaliser: a seeded, portable random stream */
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t next(uint64_t *state)
{
    *state += 1;
    return mix(*state);
}

static int read_all(const char *path, char **out, size_t *len, struct sohoa_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    int rc = 0;
    *out = NULL;
    *len = 0;
    if (!f)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot open %s", path);
    do {
        if (n + 65536 + 1 > cap) {
            char *nb = realloc(buf, cap = (cap ? cap * 2 : 1 << 20));
            if (!nb) {
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory reading %s", path);
                goto out;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, 65536, f);
        n += got;
    } while (got > 0);
    if (ferror(f)) {
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s", path);
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    (void)fclose(f);
    return rc;
}

/* Splits every text into sentences: ends at '.', '!', '?' followed by white space, or a line end.
 * Sentences shorter than 3 words are dropped. */
static int pool_load(struct pool *p, const char *const *paths, int n_paths, struct sohoa_err *err)
{
    size_t total = 0, cap = 0;
    int rc = 0;
    memset(p, 0, sizeof *p);
    for (int i = 0; i < n_paths; i++) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = read_all(paths[i], &text, &len, err)) < 0)
            goto out;
        char *nb = realloc(p->buf, total + 2 * len + 2); /* each end may add a NUL */
        if (!nb) {
            free(text);
            rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            goto out;
        }
        p->buf = nb;
        for (size_t k = 0; k < len; k++) { /* sentence ends become NUL, tabs and CRs spaces */
            char c = text[k];
            bool end = c == '\n' || ((c == '.' || c == '!' || c == '?') && k + 1 < len &&
                                     (text[k + 1] == ' ' || text[k + 1] == '\n'));
            if (c == '\t' || c == '\r')
                c = ' ';
            p->buf[total++] = (char)(end && c == '\n' ? '\0' : c);
            if (end && c != '\n')
                p->buf[total++] = '\0';
        }
        p->buf[total++] = '\0';
        free(text);
    }
    for (size_t k = 0; k < total;) {
        char *s = p->buf + k;
        size_t l = strlen(s), words = 0;
        k += l + 1;
        while (*s == ' ')
            s++;
        for (const char *c = s; *c; c++)
            words += (c == s || c[-1] == ' ') && *c != ' ';
        if (words < 3)
            continue;
        if (p->n == cap) {
            char **ns = realloc(p->sent, (cap = cap ? cap * 2 : 4096) * sizeof *ns);
            if (!ns) {
                rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
                goto out;
            }
            p->sent = ns;
        }
        p->sent[p->n++] = s;
    }
    if (p->n == 0)
        rc = sohoa_err_set(err, SOHOA_EINVAL, false, "no sentences in the given texts");
out:
    return rc;
}

static void pool_release(struct pool *p)
{
    free(p->buf);
    free(p->sent);
    memset(p, 0, sizeof *p);
}

/* The text of page `i`: consecutive sentences from a seeded start, 200–400 words, a line break
 * after every second sentence. *out is malloc'd. */
static int page_text(const struct pool *p, unsigned long seed, long i, char **out,
                     struct sohoa_err *err)
{
    uint64_t st = mix(seed * 0x100000001b3ull + (uint64_t)i);
    size_t at = next(&st) % p->n, words = 0, target = 200 + next(&st) % 201, len = 0, cap = 4096;
    char *buf = malloc(cap);
    *out = NULL;
    if (!buf)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (int k = 0; words < target; k++, at = (at + 1) % p->n) {
        const char *s = p->sent[at];
        size_t l = strlen(s);
        if (len + l + 2 > cap) {
            char *nb = realloc(buf, cap = (len + l + 2) * 2);
            if (!nb) {
                free(buf);
                return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
            }
            buf = nb;
        }
        if (len)
            buf[len++] = k % 2 ? ' ' : '\n';
        memcpy(buf + len, s, l);
        len += l;
        for (const char *c = s; *c; c++)
            words += (c == s || c[-1] == ' ') && *c != ' ';
    }
    buf[len] = '\0';
    *out = buf;
    return 0;
}

static int check_meta(struct sohoa_catalog *cat, const char *want, bool *built,
                      struct sohoa_err *err)
{
    struct sohoa_dossier_info *info = NULL;
    struct sohoa_err e;
    *built = false;
    sohoa_err_clear(&e);
    int rc = sohoa_catalog_get_dossier(cat, META_DOSSIER, 0, &info, &e);
    if (rc == SOHOA_ENOTFOUND)
        return 0; /* empty, or an unfinished build: (re)building upserts over it */
    if (rc < 0) {
        *err = e;
        return rc;
    }
    const char *have = info->dossier.title ? info->dossier.title : "";
    if (strcmp(have, want) == 0)
        *built = true;
    else
        rc = sohoa_err_set(err, SOHOA_EINVAL, false,
                           "the index was built with other settings (%s, want %s): remove it", have,
                           want);
    sohoa_dossier_info_free(&info);
    return rc;
}

static int build(struct sohoa_catalog *cat, const struct pool *p, const struct opts *o,
                 const char *meta, struct sohoa_err *err)
{
    int rc = 0;
    char *text = NULL;
    char dossier[64], date[16], name[32], label[64], doc_id[SOHOA_SHA256_HEX];
    for (long first = 0; first < o->pages; first += o->doc_pages) {
        long doc = first / o->doc_pages, d = first / PAGES_A_DOSSIER;
        int n = (int)(o->pages - first < o->doc_pages ? o->pages - first : o->doc_pages);
        (void)snprintf(dossier, sizeof dossier, "searchbench-%04ld", d);
        if (first % PAGES_A_DOSSIER == 0) {
            (void)snprintf(date, sizeof date, "2025-%02ld-%02ld", 1 + d % 12, 1 + d % 28);
            struct sohoa_dossier ds = {
                .receipt_no = dossier,
                .department = departments[d % (sizeof departments / sizeof *departments)],
                .received_date = date,
                .source = SOHOA_SOURCE_DESK,
                .title = "synthetic dossier for sohoa_searchbench",
            };
            if ((rc = sohoa_catalog_upsert_dossier(cat, dossier, &ds, err)) < 0)
                goto out;
        }
        (void)snprintf(label, sizeof label, "searchbench-doc-%lu-%ld", o->seed, doc);
        sohoa_sha256_mem(label, strlen(label), doc_id);
        (void)snprintf(name, sizeof name, "doc-%06ld.pdf", doc);
        struct sohoa_document dc = {
            .dossier_id = dossier,
            .name = name,
            .ordinal = (int)(first % PAGES_A_DOSSIER / o->doc_pages) + 1,
            .format = "application/pdf",
            .n_pages = n,
            .status = SOHOA_DOC_PROCESSING,
        };
        if ((rc = sohoa_catalog_upsert_document(cat, doc_id, &dc, err)) < 0)
            goto out;
        for (int k = 0; k < n; k++) {
            int remaining = 0;
            bool finish = false;
            if ((rc = page_text(p, o->seed, first + k, &text, err)) < 0)
                goto out;
            struct sohoa_page pg = {
                .status = SOHOA_PAGE_OK,
                .text = text,
                .mean_conf = 90,
                .width = 2480,
                .height = 3508,
                .dpi = 300,
                .text_source = "ocr",
            };
            rc = sohoa_catalog_page_done(cat, doc_id, k, &pg, &remaining, &finish, err);
            free(text);
            text = NULL;
            if (rc < 0)
                goto out;
            if (finish && (rc = sohoa_catalog_finish_document(cat, doc_id, SOHOA_DOC_DONE, NULL,
                                                              NULL, NULL, err)) < 0)
                goto out;
        }
        if ((first + n) % 5000 == 0 || first + n == o->pages)
            fprintf(stderr, "\rsohoa_searchbench: indexed %ld / %ld pages", first + n, o->pages);
    }
    fputc('\n', stderr);
    struct sohoa_dossier m = {.source = SOHOA_SOURCE_ARCHIVE, .title = meta};
    rc = sohoa_catalog_upsert_dossier(cat, META_DOSSIER, &m, err);
out:
    free(text);
    return rc;
}

/* Words of `text` made of letters only (no digits or punctuation inside), stripped of the
 * punctuation around them; `pos` gets each word's index among all words, so adjacency is known. */
static size_t words_of(char *text, char **w, long *pos, size_t max)
{
    size_t n = 0;
    long k = 0;
    for (char *t = strtok(text, " \n"); t && n < max; t = strtok(NULL, " \n"), k++) {
        size_t l = strlen(t);
        while (l && strchr(".,;:!?()\"'[]«»“”…-", t[l - 1]))
            t[--l] = '\0';
        while (*t && strchr(".,;:!?()\"'[]«»“”…-", *t))
            t++;
        bool ok = *t != '\0';
        for (const unsigned char *c = (const unsigned char *)t; *c && ok; c++)
            ok = *c >= 0x80 || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z');
        if (ok) {
            w[n] = t;
            pos[n++] = k;
        }
    }
    return n;
}

/* One query of `kind` (0 exact, 1 folded, 2 phrase) from a random page; "" when the page offers
 * none (the caller draws again). */
static int make_query(const struct pool *p, const struct opts *o, uint64_t *st, int kind, char *q,
                      size_t qsz, struct sohoa_err *err)
{
    char *text = NULL, *f1 = NULL, *f2 = NULL;
    char *w[1024];
    long pos[1024];
    int rc = page_text(p, o->seed, (long)(next(st) % (uint64_t)o->pages), &text, err);
    q[0] = '\0';
    if (rc < 0)
        return rc;
    size_t n = words_of(text, w, pos, 1024);
    if (n < 3)
        goto out;
    size_t a = next(st) % n, b = next(st) % n;
    if (kind == 0) {
        (void)snprintf(q, qsz, "%s %s", w[a], w[b]);
    } else if (kind == 1) {
        for (int tries = 0; tries < 50 && !(vn_has_diacritics(w[a]) && vn_has_diacritics(w[b]));
             tries++)
            a = next(st) % n, b = next(st) % n;
        if (!vn_has_diacritics(w[a]) || !vn_has_diacritics(w[b]))
            goto out;
        if ((rc = vn_fold(w[a], &f1, err)) < 0 || (rc = vn_fold(w[b], &f2, err)) < 0)
            goto out;
        (void)snprintf(q, qsz, "%s %s", f1, f2);
    } else {
        a = next(st) % (n - 2);
        if (pos[a + 2] - pos[a] != 2)
            goto out;
        (void)snprintf(q, qsz, "\"%s %s %s\"", w[a], w[a + 1], w[a + 2]);
    }
out:
    free(f1);
    free(f2);
    free(text);
    return rc;
}

static int run_queries(struct sohoa_catalog *cat, const struct pool *p, const struct opts *o,
                       struct sohoa_err *err)
{
    static const char *const kinds[] = {"exact", "folded", "phrase"};
    uint64_t st = mix(o->seed + 777);
    char q[512];
    int rc = 0;
    for (int i = -WARMUP_QUERIES; i < o->queries; i++) {
        for (int kind = 0; kind < 3; kind++) {
            do {
                if ((rc = make_query(p, o, &st, kind, q, sizeof q, err)) < 0)
                    return rc;
            } while (!q[0]);
            struct sohoa_hits hits;
            double t0 = sohoa_now_ms();
            rc = sohoa_catalog_search(cat, q, NULL, &hits, err);
            double ms = sohoa_now_ms() - t0;
            if (rc < 0) {
                sohoa_hits_release(&hits);
                sohoa_err_prefix(err, "query %s", q);
                return rc;
            }
            if (i >= 0)
                printf("%s\t%.3f\t%zu\t%s\n", kinds[kind], ms, hits.n, q);
            sohoa_hits_release(&hits);
        }
    }
    return 0;
}

static long long file_bytes(const char *path, const char *suffix)
{
    char p[4096];
    struct stat st;
    if ((size_t)snprintf(p, sizeof p, "%s%s", path, suffix) >= sizeof p)
        return 0;
    return stat(p, &st) == 0 ? (long long)st.st_size : 0;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.pages = 100000, .doc_pages = 10, .queries = 200, .seed = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--build-only")) {
            o->build_only = true;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--index"))
            o->index = v;
        else if (!strcmp(a, "--text") && o->n_texts < MAX_TEXTS)
            o->texts[o->n_texts++] = v;
        else if (!strcmp(a, "--pages"))
            o->pages = atol(v);
        else if (!strcmp(a, "--docs-pages"))
            o->doc_pages = atoi(v);
        else if (!strcmp(a, "--queries"))
            o->queries = atoi(v);
        else if (!strcmp(a, "--seed"))
            o->seed = strtoul(v, NULL, 10);
        else
            return -1;
    }
    return o->index && o->n_texts > 0 && o->pages > 0 && o->doc_pages > 0 && o->queries >= 0 ? 0
                                                                                             : -1;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct pool p;
    struct sohoa_catalog *cat = NULL;
    struct sohoa_err err;
    char url[4200], meta[128];
    bool built = false;
    int rc;
    sohoa_err_clear(&err);
    memset(&p, 0, sizeof p);
    if (parse_args(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: sohoa_searchbench --index PATH --text FILE [--text FILE ...]\n"
                        "  [--pages N] [--docs-pages K] [--queries Q] [--seed S] [--build-only]\n");
        return 64;
    }
    if ((rc = pool_load(&p, o.texts, o.n_texts, &err)) < 0)
        goto out;
    /* meta: four numbers, at most 20 digits each, fit in 128 bytes */
    (void)snprintf(meta, sizeof meta, "pages=%ld doc-pages=%d seed=%lu sentences=%zu", o.pages,
                   o.doc_pages, o.seed, p.n);
    if ((size_t)snprintf(url, sizeof url, "sqlite:%s", o.index) >= sizeof url) {
        rc = sohoa_err_set(&err, SOHOA_EINVAL, false, "index path too long: %s", o.index);
        goto out;
    }
    if ((rc = sohoa_catalog_open(url, &cat, &err)) < 0 ||
        (rc = check_meta(cat, meta, &built, &err)) < 0)
        goto out;
    double build_s = 0;
    if (!built) {
        double t0 = sohoa_now_ms();
        if ((rc = build(cat, &p, &o, meta, &err)) < 0)
            goto out;
        build_s = (sohoa_now_ms() - t0) / 1e3;
    }
    sohoa_catalog_free(&cat); /* closing checkpoints the WAL: the size measured is the index's */
    long long text_bytes = 0;
    for (long i = 0; i < o.pages; i++) {
        char *t = NULL;
        if ((rc = page_text(&p, o.seed, i, &t, &err)) < 0)
            goto out;
        text_bytes += (long long)strlen(t);
        free(t);
    }
    printf("# pages\t%ld\n# sentences\t%zu\n# text_bytes\t%lld\n# index_bytes\t%lld\n"
           "# build_s\t%.1f\n",
           o.pages, p.n, text_bytes, file_bytes(o.index, "") + file_bytes(o.index, "-wal"),
           build_s);
    (void)fflush(stdout);
    if ((rc = sohoa_catalog_open(url, &cat, &err)) < 0)
        goto out;
    if (!o.build_only)
        rc = run_queries(cat, &p, &o, &err);
out:
    if (rc < 0)
        fprintf(stderr, "sohoa_searchbench: %s\n", err.msg);
    sohoa_catalog_free(&cat);
    pool_release(&p);
    return rc < 0 ? 1 : 0;
}
