/* page_job.c — one page through the stages: fetch the original → the page chain (decode →
 * barcodes → clean → OCR → quality: pipeline/image/pagechain.h, the same chain `sohoa extract`
 * runs) → archive image → render → store → index. Barcodes and the quality input are stored with
 * the page (extract.json) for the document job's extraction (pipeline/fields/extract_page.h).
 *
 * A page whose content is bad (corrupt, over a limit, past its OCR deadline) is recorded as failed
 * with its reason (page.json and the catalog) and the document goes on. A failure of the
 * infrastructure instead — the original cannot be fetched, a store or catalog write fails
 * retryably — fails the job, which the queue retries and at last dead-letters (see runtime.h).
 * The page's results are written under deterministic keys, so a redelivered job overwrites rather
 * than duplicates. The thread whose catalog update completes the document publishes the document
 * job before its own delivery is acknowledged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pipeline/base/deadline.h"
#include "pipeline/base/log.h"
#include "pipeline/fields/extract_page.h"
#include "pipeline/image/imageio.h"
#include "pipeline/image/pagechain.h"
#include "pipeline/pdf/render.h"
#include "workers/runtime/layout.h"
#include "workers/runtime/record.h"
#include "workers/runtime/runtime.h"

/* Everything one page produces; released in one place. */
struct page_work {
    struct sohoa_page_read pr; /* the page chain's result */
    uint8_t *image_bytes;
    size_t image_len;
    uint8_t *thumb;
    size_t thumb_len;
    char *hocr;
    char *tsv;
    char *xjson; /* extract.json */
};

static void page_work_release(struct page_work *w)
{
    sohoa_page_read_release(&w->pr);
    free(w->image_bytes);
    free(w->thumb);
    free(w->hocr);
    free(w->tsv);
    free(w->xjson);
    memset(w, 0, sizeof *w);
}

/* The job carries the format by name (it is what a broker message holds). */
static enum sohoa_format format_of(const char *name)
{
    for (int f = SOHOA_FORMAT_PDF; f <= SOHOA_FORMAT_JXL; f++)
        if (strcmp(sohoa_format_name((enum sohoa_format)f), name) == 0)
            return (enum sohoa_format)f;
    return SOHOA_FORMAT_UNKNOWN; /* decode sniffs again */
}

/* Fetches the original and runs the page chain on it. */
static int chain_stage(struct sohoa_runtime *rt, struct sohoa_ocr *ocr, const struct sohoa_job *job,
                       struct page_work *w, bool *fetch_failed, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    char *path = NULL;
    bool is_temp = false;
    sohoa_key_original(key, job->doc_id);
    int rc = sohoa_obj_get_file(rt->store, key, &path, &is_temp, err);
    if (rc < 0) {
        *fetch_failed = true;
        sohoa_err_prefix(err, "original %s", job->doc_id);
        return rc;
    }
    rc = sohoa_page_read(path, format_of(job->format), job->page, ocr, &rt->cfg->limits, &rt->clean,
                         &w->pr, err);
    if (is_temp)
        unlink(path);
    free(path);
    if (rc == 0 && w->pr.barcode_error[0])
        sohoa_log(SOHOA_LOG_WARN, "page", "%s page %d: barcodes not read: %s", job->doc_id,
                  job->page + 1, w->pr.barcode_error);
    return rc;
}

/* The archived image: grey when the scan holds no colour; a PDF page (rendered by us at ocr-dpi)
 * reduced to archive-dpi, its word boxes with it. Bi-level pages stay as they are (G4). */
static int archive_stage(struct sohoa_runtime *rt, const struct sohoa_job *job, struct page_work *w,
                         struct sohoa_err *err)
{
    struct sohoa_image *a = &w->pr.clean.archive;
    int rc;
    if (a->bilevel)
        return 0;
    if (a->bands == 3 && sohoa_image_is_colourless(a, 24, 0.001) &&
        (rc = sohoa_image_to_grey(a, err)) < 0)
        return rc;
    double target = rt->cfg->archive_dpi;
    if (strcmp(job->format, "pdf") == 0 && a->xres > target * 1.1) {
        double scale = target / a->xres;
        struct sohoa_image small;
        if ((rc = sohoa_clean_reduce(a, scale, &small, err)) < 0)
            return rc;
        sohoa_image_move(a, &small);
        sohoa_ocr_page_scale(&w->pr.ocr, scale);
    }
    return 0;
}

static int render_stage(struct sohoa_runtime *rt, struct sohoa_page_result *res,
                        struct page_work *w, struct sohoa_err *err)
{
    const struct sohoa_image *a = &w->pr.clean.archive;
    int rc;
    if (a->bilevel) {
        rc = sohoa_encode_g4(a, &w->image_bytes, &w->image_len, err);
        res->image = "g4";
    } else {
        rc = sohoa_imageio_encode_jpeg(a, rt->cfg->jpeg_quality, &w->image_bytes, &w->image_len,
                                       err);
        res->image = a->bands == 1 ? "jpeg-grey" : "jpeg";
    }
    if (rc < 0)
        return rc;
    if ((rc = sohoa_imageio_thumbnail_jpeg(a, 256, 70, &w->thumb, &w->thumb_len, err)) < 0)
        return rc;
    if ((rc = sohoa_render_hocr(&w->pr.ocr, a->width, a->height, res->dpi, &w->hocr, err)) < 0)
        return rc;
    if ((rc = sohoa_xpage_input_to_json(res->page + 1, &w->pr.barcodes, &w->pr.quality, &w->xjson,
                                        err)) < 0)
        return rc;
    return sohoa_words_tsv_write(w->pr.ocr.words, w->pr.ocr.n_words, &w->tsv, err);
}

static int store_stage(struct sohoa_runtime *rt, const struct sohoa_job *job,
                       struct sohoa_page_result *res, struct page_work *w, struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    int rc;
    sohoa_key_page(key, job->doc_id, job->page,
                   strcmp(res->image, "g4") ? "image.jpg" : "image.g4");
    if ((rc = sohoa_obj_put_mem(rt->store, key, w->image_bytes, w->image_len, err)) < 0)
        return rc;
    sohoa_key_page(key, job->doc_id, job->page, "thumb.jpg");
    if ((rc = sohoa_obj_put_mem(rt->store, key, w->thumb, w->thumb_len, err)) < 0)
        return rc;
    sohoa_key_page(key, job->doc_id, job->page, "hocr.html");
    if ((rc = sohoa_obj_put_str(rt->store, key, w->hocr, err)) < 0)
        return rc;
    sohoa_key_page(key, job->doc_id, job->page, "words.tsv");
    if ((rc = sohoa_obj_put_str(rt->store, key, w->tsv, err)) < 0)
        return rc;
    sohoa_key_page(key, job->doc_id, job->page, "extract.json");
    if ((rc = sohoa_obj_put_str(rt->store, key, w->xjson, err)) < 0)
        return rc;
    sohoa_key_page(key, job->doc_id, job->page, "text.txt");
    return sohoa_obj_put_str(rt->store, key, w->pr.ocr.text ? w->pr.ocr.text : "", err);
}

/* Runs the stages; fills `res` (timings, geometry, status) as it goes. */
static int process(struct sohoa_runtime *rt, struct sohoa_ocr *ocr, const struct sohoa_job *job,
                   struct sohoa_page_result *res, struct page_work *w, bool *fetch_failed,
                   struct sohoa_err *err)
{
    int rc;
    if ((rc = chain_stage(rt, ocr, job, w, fetch_failed, err)) < 0)
        return rc;
    const struct sohoa_clean_result *c = &w->pr.clean;
    res->ms.decode = w->pr.decode_ms;
    res->ms.clean = w->pr.clean_ms;
    res->ms.ocr = w->pr.ocr_ms;
    res->rotation = c->rotation;
    res->skew = c->skew_applied ? c->skew_deg : 0.0;
    res->mean_conf = w->pr.ocr.mean_conf;
    res->n_words = (int)w->pr.ocr.n_words;

    double t = sohoa_now_ms();
    if ((rc = archive_stage(rt, job, w, err)) < 0 || (rc = render_stage(rt, res, w, err)) < 0)
        return rc;
    res->width = c->archive.width;
    res->height = c->archive.height;
    res->dpi = c->archive.xres > 0 ? c->archive.xres : c->dpi;
    res->ms.render = sohoa_now_ms() - t;

    t = sohoa_now_ms();
    if ((rc = store_stage(rt, job, res, w, err)) < 0)
        return rc;
    res->ms.store = sohoa_now_ms() - t;
    res->status = c->blank ? "blank" : "ok";
    return 0;
}

/* Whether a failure fails the job (retry / dead-letter) rather than being recorded as the page's
 * outcome: an infrastructure failure (`infra`, or anything retryable) does — except on a queue
 * that dies with the process once no attempt is left (there is no dead-letter queue to replay
 * from, so the page is recorded as failed, as the embedded mode always did). */
static bool fails_job(struct sohoa_runtime *rt, const struct sohoa_job *job, bool infra,
                      const struct sohoa_err *err, enum sohoa_job_outcome *out)
{
    if (!infra && !err->retryable)
        return false;
    if (!sohoa_queue_durable(rt->queue) &&
        (!err->retryable || sohoa_queue_last_attempt(rt->queue, job)))
        return false;
    *out = err->retryable ? SOHOA_OUTCOME_RETRY : SOHOA_OUTCOME_DEAD;
    return true;
}

static int put_page_json(struct sohoa_runtime *rt, const char *key,
                         const struct sohoa_page_result *res, struct sohoa_err *err)
{
    char *json = NULL;
    int rc = sohoa_page_result_to_json(res, &json, err);
    if (rc == 0)
        rc = sohoa_obj_put_str(rt->store, key, json, err);
    free(json);
    return rc;
}

/* Records the page: page.json first (the document job reads it), then the catalog, whose answer
 * says whether this was the document's last page; then page.json again with the index time (a
 * document job reading either version is fine). */
static int record_page(struct sohoa_runtime *rt, const struct sohoa_job *job,
                       struct sohoa_page_result *res, const char *text, bool *you_finish,
                       struct sohoa_err *err)
{
    char key[SOHOA_KEY_MAX];
    enum sohoa_page_status st = SOHOA_PAGE_FAILED;
    sohoa_page_status_parse(res->status, &st);
    struct sohoa_page row = {
        .status = st,
        .error = res->error,
        .text = text,
        .mean_conf = res->mean_conf,
        .rotation = res->rotation,
        .skew = res->skew,
        .width = res->width,
        .height = res->height,
        .dpi = (int)(res->dpi + 0.5),
        .text_source = res->error_code ? NULL : "ocr",
        .elapsed_ms = res->ms.decode + res->ms.clean + res->ms.ocr + res->ms.render + res->ms.store,
    };
    int remaining = 0, rc;
    *you_finish = false;
    sohoa_key_page(key, job->doc_id, job->page, "page.json");
    if ((rc = put_page_json(rt, key, res, err)) < 0)
        return rc;
    double t = sohoa_now_ms();
    rc = sohoa_catalog_page_done(rt->catalog, job->doc_id, job->page, &row, &remaining, you_finish,
                                 err);
    if (rc < 0)
        return rc;
    res->ms.index = sohoa_now_ms() - t;
    struct sohoa_err ignored;
    put_page_json(rt, key, res, &ignored);
    return 0;
}

/* After the page is recorded: the document job, if this page completed the document, or if this
 * is a delivery again of a page whose document is already assembling (its first delivery may
 * have died between recording the page and publishing the document job). */
static int fan_in(struct sohoa_runtime *rt, const struct sohoa_delivery *d, bool you_finish,
                  struct sohoa_err *err)
{
    if (!you_finish && (d->redelivered || d->job.attempt > 1)) {
        struct sohoa_doc_progress pr;
        int rc = sohoa_catalog_progress(rt->catalog, d->job.doc_id, &pr, err);
        if (rc < 0)
            return rc;
        you_finish = pr.status == SOHOA_DOC_ASSEMBLING;
    }
    return you_finish ? sohoa_runtime_publish_doc(rt, &d->job, err) : 0;
}

enum sohoa_job_outcome sohoa_page_job_run(struct sohoa_runtime *rt, struct sohoa_ocr *ocr,
                                          const struct sohoa_delivery *d, struct sohoa_err *why)
{
    const struct sohoa_job *job = &d->job;
    enum sohoa_job_outcome outcome = SOHOA_OUTCOME_DONE;
    struct page_work w;
    memset(&w, 0, sizeof w);
    struct sohoa_page_result res;
    memset(&res, 0, sizeof res);
    res.page = job->page;
    res.status = "failed";
    struct sohoa_err err;
    sohoa_err_clear(&err);
    bool fetch_failed = false;

    int rc = process(rt, ocr, job, &res, &w, &fetch_failed, &err);
    if (rc < 0) {
        sohoa_err_prefix(&err, "page %d", job->page + 1);
        /* An original that cannot be fetched — unreachable, or missing (restored late, replicated
         * late) — is retried, then dead-lettered with the reason for a replay once it is back. */
        if (fetch_failed && rc != SOHOA_ENOMEM)
            err.retryable = true;
        if (fails_job(rt, job, fetch_failed, &err, &outcome))
            goto out;
        res.error_code = rc;
        res.error = err.msg;
        res.image = NULL;
    }

    bool you_finish = false;
    struct sohoa_err ierr; /* `err` stays alive: res.error points into it */
    sohoa_err_clear(&ierr);
    if (record_page(rt, job, &res, w.pr.ocr.text, &you_finish, &ierr) < 0) {
        sohoa_err_prefix(&ierr, "page %d: cannot record the result", job->page + 1);
        if (fails_job(rt, job, true, &ierr, &outcome)) {
            err = ierr;
            goto out;
        }
        sohoa_log(SOHOA_LOG_ERROR, "page", "%s %s", job->doc_id, ierr.msg);
    }
    sohoa_runtime_page_finished(rt, res.status);
    sohoa_err_clear(&ierr);
    if ((rc = fan_in(rt, d, you_finish, &ierr)) < 0) {
        /* retried, this job finds the document assembling and publishes its job again (out of
         * memory is dead-lettered instead, to be replayed; the sweeper also republishes it) */
        sohoa_err_prefix(&ierr, "page %d: cannot publish the document job", job->page + 1);
        ierr.retryable = rc != SOHOA_ENOMEM;
        err = ierr;
        outcome = ierr.retryable ? SOHOA_OUTCOME_RETRY : SOHOA_OUTCOME_DEAD;
    }
out:
    if (outcome != SOHOA_OUTCOME_DONE && why)
        *why = err;
    page_work_release(&w);
    return outcome;
}
