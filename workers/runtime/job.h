/* job.h — the unit of work that travels through a queue.
 *
 * A job is a small fixed-size value (it is what a broker message carries, encoded as versioned
 * JSON by sohoa_job_to_json in workers/runtime/record.c): which document, which page, and how many
 * times it was tried. Everything else a worker needs is in the object store under the document's
 * keys (workers/runtime/layout.h), so any worker on any host can run any job.
 */
#ifndef SOHOA_JOB_H
#define SOHOA_JOB_H

#include <stddef.h>

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

/* What a job handler tells the queue when it returns. */
enum sohoa_job_outcome {
    SOHOA_OUTCOME_DONE = 0,  /* results stored (or nothing to do): acknowledge */
    SOHOA_OUTCOME_RETRY = 1, /* a retryable failure: try again later with attempt + 1 */
    SOHOA_OUTCOME_DEAD = 2,  /* a permanent failure of the job itself: dead-letter it */
};

/* "page:<doc>:<n>" (n 1-based) or "doc:<doc>": how the CLI and the dead-letter queue name a job. */
#define SOHOA_JOB_ID_MAX 96
void sohoa_job_id(const struct sohoa_job *job, char *out, size_t outsz);

/* "interactive" / "bulk" and back (0, or SOHOA_EINVAL for another name). */
const char *sohoa_lane_name(enum sohoa_lane lane);
int sohoa_lane_parse(const char *name, enum sohoa_lane *out);

#endif
