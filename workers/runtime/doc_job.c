/* doc_job.c — a document's fan-in: once its last page is recorded, assemble the searchable PDF,
 * the full text and the JSON record with the document's extraction (type, fields, validation,
 * page quality: pipeline/fields/extract.h), put the fields in the catalog and mark the document
 * finished; when it was the last document of its dossier to finish, write the dossier's summary
 * (summary.h).
 *
 * Pages are read back one at a time from the object store (page.json, image, words.tsv), so
 * memory does not grow with the page count; only the first EXTRACT_PAGES_MAX pages' words and
 * codes are kept for the extraction. A failed page keeps its place in the record with its reason;
 * it has no image, so it is left out of the PDF. A failed extraction never fails the document:
 * the record says why, and the catalog gets type "unknown" with no fields.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/log.h"
#include "pipeline/fields/extract.h"
#include "pipeline/fields/extract_json.h"
#include "pipeline/fields/extract_page.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/ocr.h"
#include "pipeline/pdf/pdfwriter.h"
#include "pipeline/pdf/render.h"
#include "workers/runtime/layout.h"
#include "workers/runtime/record.h"
#include "workers/runtime/runtime.h"
#include "workers/runtime/summary.h"
#include "workers/runtime/version.h"
#include "pipeline/base/deadline.h"

#define PAGE_OBJ_MAX      ((size_t)256 << 20)
#define EXTRACT_PAGES_MAX 20 /* pages of a document that extraction reads (types are 1–4 pages) */

static int get_text(struct sohoa_runtime *rt, const char *key, char **out, size_t *len,
                    struct sohoa_err *err)
{
    uint8_t *data = NULL;
    int rc = sohoa_obj_get_mem(rt->store, key, PAGE_OBJ_MAX, &data, len, err);
    *out = (char *)data; /* get_mem NUL-terminates */
    return rc;
}

/* Reads page `i`'s words (words.tsv). */
static int get_words(struct sohoa_runtime *rt, const char *doc, int i, struct sohoa_word **words,
                     size_t *n_words, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    char *tsv = NULL;
    size_t tsv_len = 0;
    *words = NULL;
    *n_words = 0;
    sohoa_key_page(key, doc, i, "words.tsv");
    int rc = get_text(rt, key, &tsv, &tsv_len, err);
    if (rc == 0)
        rc = sohoa_words_tsv_parse(tsv, tsv_len, words, n_words, err);
    free(tsv);
    return rc;
}

/* Adds page `p` to the PDF from its stored image and its words. */
static int add_pdf_page(struct sohoa_runtime *rt, struct sohoa_pdf *pdf, const char *doc,
                        const struct sohoa_page_result *p, const struct sohoa_word *words,
                        size_t n_words, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    uint8_t *img = NULL;
    size_t img_len = 0;
    bool g4 = strcmp(p->image, "g4") == 0;
    sohoa_key_page(key, doc, p->page, g4 ? "image.g4" : "image.jpg");
    int rc = sohoa_obj_get_mem(rt->store, key, PAGE_OBJ_MAX, &img, &img_len, err);
    if (rc < 0)
        return rc;
    struct sohoa_pdf_page page = {
        .kind = g4                                   ? SOHOA_PDF_G4
                : strcmp(p->image, "jpeg-grey") == 0 ? SOHOA_PDF_JPEG_GREY
                                                     : SOHOA_PDF_JPEG_RGB,
        .data = img,
        .len = img_len,
        .width = p->width,
        .height = p->height,
        .xres = p->dpi,
        .yres = p->dpi,
        .words = words,
        .n_words = n_words,
    };
    rc = sohoa_pdf_add_page(pdf, &page, err);
    free(img);
    return rc;
}

/* Page `i` (0-based) for the extraction: its words and what the page job kept (extract.json; a
 * page stored before extraction existed has none: no codes, quality not measured). */
static int xpage_of(struct sohoa_runtime *rt, const char *doc, int i,
                    const struct sohoa_word *words, size_t n_words, struct sohoa_xpage *xp,
                    struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    char *json = NULL;
    size_t len = 0;
    struct sohoa_barcodes bc = {0};
    struct sohoa_quality_input q;
    bool have = false;
    sohoa_key_page(key, doc, i, "extract.json");
    int rc = get_text(rt, key, &json, &len, err);
    if (rc == 0) {
        rc = sohoa_xpage_input_parse(json, len, &bc, &q, err);
        have = rc == 0;
    } else if (rc == SOHOA_ENOTFOUND) {
        sohoa_err_clear(err);
        rc = 0;
    }
    if (rc == 0)
        rc = sohoa_xpage_init(xp, i + 1, words, n_words, &bc, have ? &q : NULL, err);
    if (rc < 0)
        sohoa_err_prefix(err, "page %d", i + 1);
    sohoa_barcodes_release(&bc);
    free(json);
    return rc;
}

/* Appends one page's text to the document text file (form feed between pages). */
static int append_text(struct sohoa_runtime *rt, FILE *f, const char *doc, int page,
                       char **text_out, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    size_t len = 0;
    sohoa_key_page(key, doc, page, "text.txt");
    int rc = get_text(rt, key, text_out, &len, err);
    if (rc == SOHOA_ENOTFOUND) {
        *text_out = strdup("");
        return *text_out ? 0 : SOHOA_ENOMEM;
    }
    if (rc < 0)
        return rc;
    if (page > 0)
        fputc('\f', f);
    fwrite(*text_out, 1, len, f);
    return 0;
}

/* The document's extraction as JSON into *xjson (and the result into *x), from the pages kept;
 * on failure *xjson stays NULL and `xerr` says why (never fails the document). */
static void extract_doc(struct sohoa_runtime *rt, const struct sohoa_xpage *xp, size_t n,
                        struct sohoa_extraction **x, char **xjson, struct sohoa_err *xerr)
{
    if (xerr->code < 0)
        return; /* a page could not be read back */
    if (!rt->models) {
        sohoa_err_set(xerr, SOHOA_ENOTFOUND, false, "the document models are not loaded");
        return;
    }
    if (sohoa_extract_document(rt->models, xp, n, NULL, x, xerr) < 0 ||
        sohoa_extraction_to_json(*x, NULL, false, xjson, xerr) < 0)
        sohoa_extraction_free(x);
}

/* The document's type and fields into the catalog ("unknown" and none without an extraction:
 * a replay clears what an earlier run put there). */
static int put_fields(struct sohoa_runtime *rt, const char *doc, const struct sohoa_extraction *x,
                      struct sohoa_err *err)
{
    size_t n = x ? x->n_fields : 0;
    struct sohoa_field_row *rows = n ? calloc(n, sizeof *rows) : NULL;
    if (n && !rows)
        return sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const struct sohoa_field *f = &x->fields[i];
        rows[i] = (struct sohoa_field_row){
            .name = f->name,
            .value = f->value,
            .raw = f->raw,
            .confidence = f->confidence,
            .page = f->page,
            .source = sohoa_field_source_name(f->source),
        };
    }
    int rc = sohoa_catalog_put_fields(rt->catalog, doc, x ? x->cls.type : "unknown", rows, n, err);
    free(rows);
    return rc;
}

static int assemble(struct sohoa_runtime *rt, const struct sohoa_job *job,
                    struct sohoa_manifest *man, struct sohoa_dossier_meta *dm, const char **status,
                    struct sohoa_err *err)
{
    int rc = 0;
    char key[SOHOA_KEY_MAX];
    char pdf_path[] = "/tmp/sohoa-pdf-XXXXXX";
    char txt_path[] = "/tmp/sohoa-txt-XXXXXX";
    int pdf_fd = -1, txt_fd = -1;
    FILE *pdf_f = NULL, *txt_f = NULL;
    struct sohoa_pdf *pdf = NULL;
    struct sohoa_page_result *pages = NULL;
    char **texts = NULL;
    struct sohoa_xpage *xp = NULL;
    struct sohoa_word *words = NULL;
    size_t n_words = 0;
    struct sohoa_extraction *x = NULL;
    char *xjson = NULL;
    struct sohoa_err xerr;
    sohoa_err_clear(&xerr);
    char *json = NULL;
    size_t len = 0;
    double t0 = sohoa_now_ms();
    int n = job->n_pages;
    int nx = n < EXTRACT_PAGES_MAX ? n : EXTRACT_PAGES_MAX;
    int ok = 0, failed = 0;
    uint64_t pdf_bytes = 0;

    sohoa_key_doc(key, job->doc_id, "manifest.json");
    if ((rc = get_text(rt, key, &json, &len, err)) < 0 ||
        (rc = sohoa_manifest_parse(json, len, man, dm, err)) < 0)
        goto out;
    free(json);
    json = NULL;

    pages = calloc((size_t)n, sizeof *pages);
    texts = calloc((size_t)n, sizeof *texts);
    xp = calloc((size_t)nx, sizeof *xp);
    if (!pages || !texts || !xp) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    if ((pdf_fd = mkstemp(pdf_path)) < 0 || (txt_fd = mkstemp(txt_path)) < 0 ||
        !(pdf_f = fdopen(pdf_fd, "wb")) || !(txt_f = fdopen(txt_fd, "wb"))) {
        rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot create a temporary file in /tmp");
        goto out;
    }
    struct sohoa_pdf_info info = {
        .title = man->name, .producer = SOHOA_PRODUCER, .creation_time = (int64_t)time(NULL)};
    if ((rc = sohoa_pdf_begin(pdf_f, &info, &pdf, err)) < 0)
        goto out;

    for (int i = 0; i < n; i++) {
        sohoa_key_page(key, job->doc_id, i, "page.json");
        if ((rc = get_text(rt, key, &json, &len, err)) < 0 ||
            (rc = sohoa_page_result_parse(json, len, &pages[i], err)) < 0)
            goto out;
        free(json);
        json = NULL;
        pages[i].page = i;
        bool page_failed = strcmp(pages[i].status, "failed") == 0;
        if (page_failed) {
            failed++;
            texts[i] = strdup("");
        } else {
            ok++;
            if ((rc = append_text(rt, txt_f, job->doc_id, i, &texts[i], err)) < 0)
                goto out;
            if (pages[i].image &&
                ((rc = get_words(rt, job->doc_id, i, &words, &n_words, err)) < 0 ||
                 (rc = add_pdf_page(rt, pdf, job->doc_id, &pages[i], words, n_words, err)) < 0))
                goto out;
        }
        if (i < nx && xerr.code == 0) {
            if (page_failed)
                sohoa_xpage_init(&xp[i], i + 1, NULL, 0, NULL, NULL, &xerr);
            else
                xpage_of(rt, job->doc_id, i, words, n_words, &xp[i], &xerr);
        }
        sohoa_words_free(&words, n_words);
        n_words = 0;
    }

    const char *pdf_key = NULL;
    char pdf_key_buf[SOHOA_KEY_MAX], txt_key[SOHOA_KEY_MAX];
    if (sohoa_pdf_page_count(pdf) > 0) {
        if ((rc = sohoa_pdf_finish(pdf, err)) < 0)
            goto out;
        if (fflush(pdf_f) != 0) {
            rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot write the PDF");
            goto out;
        }
        pdf_bytes = (uint64_t)ftell(pdf_f);
        sohoa_key_doc(pdf_key_buf, job->doc_id, "searchable.pdf");
        if ((rc = sohoa_obj_put_file(rt->store, pdf_key_buf, pdf_path, err)) < 0)
            goto out;
        pdf_key = pdf_key_buf;
    }
    if (fflush(txt_f) != 0) {
        rc = sohoa_err_set(err, SOHOA_EIO, true, "cannot write the text");
        goto out;
    }
    sohoa_key_doc(txt_key, job->doc_id, "text.txt");
    if ((rc = sohoa_obj_put_file(rt->store, txt_key, txt_path, err)) < 0)
        goto out;

    extract_doc(rt, xp, (size_t)nx, &x, &xjson, &xerr);
    if (!xjson)
        sohoa_log(SOHOA_LOG_WARN, "assemble", "document %s: no extraction: %s", job->doc_id,
                  xerr.msg);

    *status = failed == 0 ? "done" : ok > 0 ? "partial" : "failed";
    struct sohoa_record_info ri = {
        .status = *status,
        .pdf_key = pdf_key,
        .text_key = txt_key,
        .pdf_bytes = pdf_bytes,
        .assemble_ms = sohoa_now_ms() - t0,
        .extraction = xjson,
        .extraction_error = xjson ? NULL : &xerr,
    };
    sohoa_versions(ri.versions, sizeof ri.versions / sizeof ri.versions[0]);
    if ((rc = sohoa_record_to_json(man, dm, pages, (const char *const *)texts, (size_t)n, &ri,
                                   &json, err)) < 0)
        goto out;
    sohoa_key_doc(key, job->doc_id, "record.json");
    if ((rc = sohoa_obj_put_str(rt->store, key, json, err)) < 0)
        goto out;
    char record_key[SOHOA_KEY_MAX];
    memcpy(record_key, key, sizeof key);
    if ((rc = put_fields(rt, job->doc_id, x, err)) < 0) {
        if (err->retryable || rc == SOHOA_ENOMEM) /* out of memory is no refusal of a field */
            goto out;
        /* a field the catalog refuses (too long, ...) costs the document its fields only */
        sohoa_log(SOHOA_LOG_WARN, "assemble", "document %s: fields not indexed: %s", job->doc_id,
                  err->msg);
        sohoa_err_clear(err);
        struct sohoa_err ierr;
        put_fields(rt, job->doc_id, NULL, &ierr);
    }
    enum sohoa_doc_status dst = SOHOA_DOC_FAILED;
    sohoa_doc_status_parse(*status, &dst);
    rc = sohoa_catalog_finish_document(rt->catalog, job->doc_id, dst,
                                       failed ? "some pages failed" : NULL, record_key, pdf_key,
                                       err);
out:
    sohoa_pdf_free(&pdf);
    /* temporary files: flushed (checked) before they were uploaded, unlinked just below, so a
     * failed close cannot lose anything */
    if (pdf_f)
        (void)fclose(pdf_f);
    else if (pdf_fd >= 0)
        close(pdf_fd);
    if (txt_f)
        (void)fclose(txt_f);
    else if (txt_fd >= 0)
        close(txt_fd);
    unlink(pdf_path);
    unlink(txt_path);
    for (int i = 0; pages && i < n; i++)
        sohoa_page_result_release(&pages[i]);
    for (int i = 0; texts && i < n; i++)
        free(texts[i]);
    free(pages);
    free(texts);
    free(json);
    sohoa_words_free(&words, n_words);
    for (int i = 0; xp && i < nx; i++)
        sohoa_xpage_release(&xp[i]);
    free(xp);
    sohoa_extraction_free(&x);
    free(xjson);
    return rc;
}

/* Every dossier holding the document learns it finished: the summary of each whose last document
 * this was. Listed after the finish is recorded, so a dossier that took the content in meanwhile
 * is either listed here or saw it finished at its own intake (which summarises then). */
static void summarise_dossiers(struct sohoa_runtime *rt, const char *doc_id)
{
    struct sohoa_ids ids;
    struct sohoa_err serr;
    sohoa_err_clear(&serr);
    if (sohoa_catalog_doc_dossiers(rt->catalog, doc_id, &ids, &serr) < 0) {
        sohoa_log(SOHOA_LOG_WARN, "assemble", "document %.12s: its dossiers not summarised: %s",
                  doc_id, serr.msg);
        return;
    }
    for (size_t i = 0; i < ids.n; i++) {
        sohoa_err_clear(&serr);
        if (sohoa_dossier_summarise(rt, ids.v[i], NULL, &serr) < 0)
            sohoa_log(SOHOA_LOG_WARN, "assemble", "dossier %s: summary not written: %s", ids.v[i],
                      serr.msg);
    }
    sohoa_ids_release(&ids);
}

enum sohoa_job_outcome sohoa_doc_job_run(struct sohoa_runtime *rt, const struct sohoa_delivery *d,
                                         struct sohoa_err *why)
{
    const struct sohoa_job *job = &d->job;
    enum sohoa_job_outcome outcome = SOHOA_OUTCOME_DONE;
    struct sohoa_manifest man;
    struct sohoa_dossier_meta dm;
    memset(&man, 0, sizeof man);
    memset(&dm, 0, sizeof dm);
    struct sohoa_err err;
    sohoa_err_clear(&err);
    const char *status = "failed";

    /* Only a document whose pages are all recorded, that nobody finished yet, and whose lease
     * this job holds: a job delivered twice, or published again by a redelivered page job or a
     * sweeper, finds it finished or held and stops here. */
    bool yours = false;
    int rc = sohoa_catalog_claim_assembly(rt->catalog, job->doc_id,
                                          (int)sohoa_runtime_lease_ms(job->n_pages), &yours, &err);
    if (rc < 0) {
        outcome = err.retryable ? SOHOA_OUTCOME_RETRY : SOHOA_OUTCOME_DEAD;
        goto out;
    }
    if (!yours)
        goto out;

    rc = assemble(rt, job, &man, &dm, &status, &err);
    if (rc < 0) {
        if (err.retryable &&
            (sohoa_queue_durable(rt->queue) || !sohoa_queue_last_attempt(rt->queue, job))) {
            struct sohoa_err lerr; /* the retry claims it again; if this fails, the lease ends */
            sohoa_catalog_release_assembly(rt->catalog, job->doc_id, &lerr);
            outcome = SOHOA_OUTCOME_RETRY; /* on a broker, the last retry dead-letters it */
            goto out;
        }
        status = "failed";
        sohoa_log(SOHOA_LOG_ERROR, "assemble", "document %s: assembly failed: %s", job->doc_id,
                  err.msg);
        struct sohoa_err ierr;
        sohoa_catalog_finish_document(rt->catalog, job->doc_id, SOHOA_DOC_FAILED, err.msg, NULL,
                                      NULL, &ierr);
    }
    summarise_dossiers(rt, job->doc_id);
    sohoa_runtime_doc_finished(rt, status);
out:
    if (outcome != SOHOA_OUTCOME_DONE && why)
        *why = err;
    sohoa_manifest_release(&man);
    sohoa_dossier_meta_release(&dm);
    return outcome;
}
