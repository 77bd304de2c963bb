/* job.h — the unit of work that travels through a queue.
 *
 * A job is a small fixed-size value (it is what a broker message will carry): which document, which
 * page, and how many times it was tried. Everything else a worker needs is in the object store
 * under the document's keys (workers/layout.h), so any worker on any host can run any job.
 */
#ifndef SOHOA_JOB_H
#define SOHOA_JOB_H

enum sohoa_job_kind {
    SOHOA_JOB_PAGE = 1, /* decode, clean, OCR and render one page */
    SOHOA_JOB_DOC = 2,  /* assemble a document once its last page is done */
};

enum sohoa_lane {
    SOHOA_LANE_INTERACTIVE = 0, /* portal uploads: always drained first */
    SOHOA_LANE_BULK = 1,        /* desk scans and archive backfill */
    SOHOA_LANE_COUNT = 2,
};

struct sohoa_job {
    enum sohoa_job_kind kind;
    enum sohoa_lane lane;
    char doc_id[65]; /* sha256 hex of the original */
    int page;        /* 0-based page index (page jobs) */
    int n_pages;     /* pages in the document */
    char format[16]; /* decoder to use: pdf, tiff, jpeg, png, webp … (from intake's probe) */
    int attempt;     /* 1 on first delivery */
};

#endif
