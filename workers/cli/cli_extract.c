/* cli_extract.c — `sohoa extract FILE [--json] [--models DIR] [--type ID] [--text-out TXT]`: one
 * file's document type, fields, validation and page quality, in-process (no store, no catalog).
 *
 * Each page goes through the page chain the page worker runs (pipeline/image/pagechain.h: decode →
 * barcodes → clean → OCR → quality, with the configured limits and deadlines) → sohoa_xpage; then
 * the document step, as the document worker runs it.
 * A .txt file is read as the text of its pages (pages split at form feeds) and skips the image
 * stages: that is how the extraction rules are tested on clean text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/fields/doctype.h"
#include "pipeline/fields/extract.h"
#include "pipeline/fields/extract_json.h"
#include "pipeline/fields/extract_lines.h"
#include "pipeline/fields/extract_page.h"
#include "pipeline/base/buf.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"
#include "pipeline/image/pagechain.h"
#include "pipeline/pdf/render.h"
#include "workers/runtime/config.h"
#include "workers/cli/cli.h"

#define EXTRACT_MAX_PAGES 50

static void usage(FILE *f)
{
    fprintf(f, "Usage: sohoa extract FILE [--json] [--models DIR] [--type ID] [--text-out TXT]\n"
               "\n"
               "Reads FILE (an image, PDF or TIFF; or a .txt file of page texts split by form\n"
               "feeds), reads its QR codes and barcodes, OCRs it and prints the document type,\n"
               "the fields with their provenance, the validation findings and the scan quality\n"
               "of each page. --json prints the object described in models/doctypes/README.md.\n"
               "--models DIR reads the models from DIR (default: $SOHOA_MODELS or the installed\n"
               "models); --type ID extracts as that type whatever the classifier says;\n"
               "--text-out TXT also writes the lines the fields were read from, in the .txt\n"
               "form this command reads (a test case, or to see what OCR read).\n"
               "It also takes the configuration keys of `sohoa ingest --help` (limits, deadlines,\n"
               "lang, tessdata), so that it reads pages exactly as the page worker does.\n"
               "Exit codes: 0 read, 2 the file could not be read, 64 usage, 70 internal.\n");
}

#define TEXT_FILE_MAX ((size_t)64 << 20) /* bytes of a .txt test input */

static int read_file(const char *path, char **out, struct sohoa_err *err)
{
    struct sohoa_buf b = SOHOA_BUF_INIT(TEXT_FILE_MAX);
    char chunk[65536];
    size_t k;
    int rc = 0;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sohoa_err_set(err, SOHOA_ENOTFOUND, false, "cannot open %s", path);
    while (rc == 0 && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = sohoa_buf_add(&b, chunk, k);
    if (rc == 0 && ferror(f))
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot read %s", path);
    else if (rc == SOHOA_ELIMIT)
        sohoa_err_set(err, rc, false, "%s: over %zu MiB, too large for text", path,
                      TEXT_FILE_MAX >> 20);
    else if (rc < 0)
        sohoa_err_set(err, rc, false, "out of memory reading %s", path);
    (void)fclose(f); /* read-only */
    if (rc == 0)
        rc = sohoa_buf_take(&b, out, NULL);
    sohoa_buf_release(&b);
    if (rc == SOHOA_ENOMEM)
        sohoa_err_set(err, rc, false, "out of memory reading %s", path);
    return rc;
}

static int text_pages(const char *path, struct sohoa_xpage *pages, size_t *n, struct sohoa_err *err)
{
    char *text = NULL;
    int rc = read_file(path, &text, err);
    if (rc)
        return rc;
    char *p = text;
    while (p && *n < EXTRACT_MAX_PAGES) {
        char *ff = strchr(p, '\f');
        if (ff)
            *ff = '\0';
        if ((rc = sohoa_xpage_init_text(&pages[*n], (int)*n + 1, p, err)))
            break;
        (*n)++;
        p = ff ? ff + 1 : NULL;
    }
    free(text);
    return rc;
}

/* Page `i`'s extraction input as the document worker reads it back: its words through words.tsv
 * and its codes and quality through extract.json, the forms the page worker stores (word
 * confidences keep two decimals there), so that this command and `sohoa ingest` agree exactly. */
static int stored_xpage(const struct sohoa_page_read *r, int i, struct sohoa_xpage *xp,
                        struct sohoa_err *err)
{
    char *tsv = NULL, *xjson = NULL;
    struct sohoa_word *words = NULL;
    size_t n_words = 0;
    struct sohoa_barcodes bc;
    struct sohoa_quality_input q;
    memset(&bc, 0, sizeof bc);
    int rc = sohoa_words_tsv_write(r->ocr.words, r->ocr.n_words, &tsv, err);
    if (rc == 0)
        rc = sohoa_words_tsv_parse(tsv, strlen(tsv), &words, &n_words, err);
    if (rc == 0)
        rc = sohoa_xpage_input_to_json(i + 1, &r->barcodes, &r->quality, &xjson, err);
    if (rc == 0)
        rc = sohoa_xpage_input_parse(xjson, strlen(xjson), &bc, &q, err);
    if (rc == 0)
        rc = sohoa_xpage_init(xp, i + 1, words, n_words, &bc, &q, err);
    sohoa_words_free(&words, n_words);
    sohoa_barcodes_release(&bc);
    free(tsv);
    free(xjson);
    return rc;
}

/* Each page of the file through the page chain, with the configuration's limits and OCR data. */
static int image_pages(const char *path, const struct sohoa_config *cfg, struct sohoa_xpage *pages,
                       size_t *n, struct sohoa_err *err)
{
    struct sohoa_probe pr;
    struct sohoa_ocr *ocr = NULL;
    struct sohoa_page_read r;
    memset(&r, 0, sizeof r);
    int rc;
    if ((rc = sohoa_imageio_init(err)) ||
        (rc = sohoa_imageio_probe(path, &cfg->limits, &pr, err)) ||
        (rc = sohoa_ocr_new(cfg->tessdata, cfg->lang, &ocr, err)))
        goto out;
    for (int i = 0; i < pr.n_pages && i < EXTRACT_MAX_PAGES; i++) {
        if ((rc = sohoa_page_read(path, pr.format, i, ocr, &cfg->limits, NULL, &r, err)) < 0)
            goto out;
        if (r.barcode_error[0])
            fprintf(stderr, "sohoa extract: page %d: barcodes not read: %s\n", i + 1,
                    r.barcode_error);
        if ((rc = stored_xpage(&r, i, &pages[*n], err)) < 0)
            goto out;
        (*n)++;
        sohoa_page_read_release(&r);
    }
out:
    sohoa_page_read_release(&r);
    sohoa_ocr_free(&ocr);
    return rc;
}

/* The pages' lines as text: one line a line, pages split by form feeds. */
static int write_lines(const char *path, const struct sohoa_xpage *pages, size_t n,
                       struct sohoa_err *err)
{
    FILE *f = fopen(path, "w");
    int rc = 0;
    if (!f)
        return sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s", path);
    for (size_t p = 0; p < n && rc == 0; p++) {
        struct sohoa_xlines x;
        if ((rc = sohoa_xlines_build(pages[p].words, pages[p].n_words, &x, err)))
            break;
        if (p)
            fputc('\f', f);
        for (size_t i = 0; i < x.n; i++)
            fprintf(f, "%s\n", x.lines[i].canon);
        sohoa_xlines_release(&x);
    }
    if (fclose(f) != 0 && rc == 0)
        rc = sohoa_err_set(err, SOHOA_EIO, false, "cannot write %s", path);
    return rc;
}

static void print_text(const struct sohoa_extraction *x, const char *file)
{
    printf("%s: %s (score %.2f)\n", file, x->cls.type, x->cls.score);
    for (size_t i = 0; i < x->n_pages; i++)
        printf("  page %d: %s (%.2f)\n", x->pages[i].page, x->pages[i].cls.type,
               x->pages[i].cls.score);
    for (size_t i = 0; i < x->n_fields; i++) {
        const struct sohoa_field *f = &x->fields[i];
        printf("  %-22s %s   [%s, page %d, conf %.2f%s]\n", f->name, f->value,
               sohoa_field_source_name(f->source), f->page, f->confidence,
               f->repairs ? ", repaired" : "");
    }
    for (size_t i = 0; i < x->n_checks; i++)
        printf("  %-7s %s %s: %s\n", sohoa_check_severity_name(x->checks[i].check.severity),
               x->checks[i].field, x->checks[i].check.code, x->checks[i].check.msg_en);
    for (size_t i = 0; i < x->n_quality; i++)
        for (size_t k = 0; k < x->quality[i].n_issues; k++)
            printf("  quality page %d: %s\n", x->quality[i].page, x->quality[i].issues[k].msg_en);
}

int sohoa_cli_extract(int argc, char **argv)
{
    const char *file = NULL, *models_dir = NULL, *type = NULL, *text_out = NULL;
    bool json = false;
    struct sohoa_err err;
    struct sohoa_models *m = NULL;
    struct sohoa_xpage pages[EXTRACT_MAX_PAGES];
    struct sohoa_extraction *x = NULL;
    size_t n = 0;
    char *out = NULL;
    int code = SOHOA_EXIT_OK, rest = 0;
    struct sohoa_config cfg;
    sohoa_config_init(&cfg);
    sohoa_err_clear(&err);
    /* the configuration's keys first (limits, lang, tessdata: as `sohoa ingest` takes them) */
    if ((code = sohoa_cli_config("extract", &cfg, argc, argv, &rest)) != SOHOA_EXIT_OK)
        goto out;
    argc = rest + 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strcmp(argv[i], "--models") && i + 1 < argc) {
            models_dir = argv[++i];
        } else if (!strcmp(argv[i], "--type") && i + 1 < argc) {
            type = argv[++i];
        } else if (!strcmp(argv[i], "--text-out") && i + 1 < argc) {
            text_out = argv[++i];
        } else if (sohoa_cli_is_help(argv[i])) {
            usage(stdout);
            goto out;
        } else if (argv[i][0] == '-' || file) {
            usage(stderr);
            code = SOHOA_EXIT_USAGE;
            goto out;
        } else {
            file = argv[i];
        }
    }
    if (!file) {
        usage(stderr);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    if (sohoa_models_load(models_dir, &m, &err) < 0) {
        fprintf(stderr, "sohoa extract: %s\n", err.msg);
        code = SOHOA_EXIT_USAGE;
        goto out;
    }
    size_t len = strlen(file);
    int rc = len > 4 && !strcmp(file + len - 4, ".txt") ? text_pages(file, pages, &n, &err)
                                                        : image_pages(file, &cfg, pages, &n, &err);
    if (rc < 0) {
        fprintf(stderr, "sohoa extract: %s: %s\n", file, err.msg);
        code = rc == SOHOA_EBACKEND || rc == SOHOA_ENOMEM ? SOHOA_EXIT_INTERNAL : SOHOA_EXIT_FAILED;
        goto out;
    }
    if (text_out && write_lines(text_out, pages, n, &err) < 0) {
        fprintf(stderr, "sohoa extract: %s\n", err.msg);
        code = SOHOA_EXIT_FAILED;
        goto out;
    }
    struct sohoa_extract_opts o = {.force_type = type};
    if (sohoa_extract_document(m, pages, n, &o, &x, &err) < 0 ||
        (json && sohoa_extraction_to_json(x, file, true, &out, &err) < 0)) {
        fprintf(stderr, "sohoa extract: %s: %s\n", file, err.msg);
        code = err.code == SOHOA_EINVAL ? SOHOA_EXIT_USAGE : SOHOA_EXIT_INTERNAL;
        goto out;
    }
    if (json)
        printf("%s\n", out);
    else
        print_text(x, file);
out:
    free(out);
    sohoa_extraction_free(&x);
    for (size_t i = 0; i < n; i++)
        sohoa_xpage_release(&pages[i]);
    sohoa_models_free(&m);
    sohoa_config_release(&cfg);
    return code;
}
