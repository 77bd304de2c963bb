/* record.h — the JSON documents sohoa reads and writes (jansson is confined to record.c):
 *   dossier.json  given by the user in a dossier folder (metadata), and written per dossier;
 *   manifest.json what intake learned about a document;
 *   page.json     one page's result;
 *   record.json   the document record, described by models/record.schema.json, with the
 *                 document's extraction (pipeline/fields/extract_json.h) under document.extraction;
 *   summary.json  a dossier's documents, their types and its completeness;
 *   job messages  what a queue carries (workers/runtime/job.h; format in workers/runtime/QUEUE.md).
 *
 * Ownership: structs own their strings; *_release frees them. Strings returned through char **
 * are malloc'd and owned by the caller. Threads: reentrant.
 */
#ifndef SOHOA_RECORD_H
#define SOHOA_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "workers/runtime/job.h"

struct sohoa_dossier_meta {
    char *id;             /* dossier id (safe slug) */
    char *receipt_no;     /* số biên nhận */
    char *procedure_code; /* mã thủ tục */
    char *department;
    char *district;
    char *commune;
    char *received_date; /* YYYY-MM-DD */
    char *source;        /* desk | portal | archive */
    char *title;
};

struct sohoa_manifest {
    char doc_id[65];
    char *dossier_id;
    char *name;      /* display name: sanitised UTF-8 of the file name */
    int ordinal;     /* 1-based order in the dossier */
    char format[16]; /* pdf, tiff, jpeg, png, webp; empty when unknown */
    int n_pages;
    uint64_t size;
    int error_code; /* intake failure (0 = none) */
    char *error;    /* its message */
};

struct sohoa_stage_ms {
    double decode, clean, ocr, render, store, index;
};

struct sohoa_page_result {
    int page;           /* 0-based */
    const char *status; /* "ok", "blank", "failed" (static strings) */
    int error_code;
    char *error;
    int width, height;
    double dpi;
    int rotation; /* degrees clockwise applied: 0, 90, 180, 270 */
    double skew;  /* degrees of skew corrected */
    double mean_conf;
    int n_words;
    const char *image; /* "jpeg", "jpeg-grey", "g4" or NULL when there is no image */
    struct sohoa_stage_ms ms;
};

/* Parses a user's dossier.json; unknown keys are ignored, bad types/values are SOHOA_EFORMAT
 * with the key named. `meta->id` is left as it was. */
int sohoa_dossier_meta_parse(const char *json, size_t len, struct sohoa_dossier_meta *meta,
                             struct sohoa_err *err);
void sohoa_dossier_meta_release(struct sohoa_dossier_meta *meta);
/* Dossier metadata with its documents (names and ids) as stored under dossiers/<id>/. */
int sohoa_dossier_to_json(const struct sohoa_dossier_meta *meta, const struct sohoa_manifest *docs,
                          size_t n, char **out, struct sohoa_err *err);

int sohoa_manifest_to_json(const struct sohoa_manifest *m, const struct sohoa_dossier_meta *d,
                           char **out, struct sohoa_err *err);
int sohoa_manifest_parse(const char *json, size_t len, struct sohoa_manifest *m,
                         struct sohoa_dossier_meta *d, struct sohoa_err *err);
void sohoa_manifest_release(struct sohoa_manifest *m);

int sohoa_page_result_to_json(const struct sohoa_page_result *p, char **out, struct sohoa_err *err);
int sohoa_page_result_parse(const char *json, size_t len, struct sohoa_page_result *p,
                            struct sohoa_err *err);
void sohoa_page_result_release(struct sohoa_page_result *p);

struct sohoa_record_info {
    const char *status;  /* done | partial | failed */
    const char *pdf_key; /* NULL when no PDF was made */
    const char *text_key;
    uint64_t pdf_bytes;
    double assemble_ms;
    const char *versions[6]; /* "libvips 8.14.1", ... NULL-terminated */
    /* The document's extraction as sohoa_extraction_to_json wrote it (NULL: none), or, when it
     * failed, why (NULL: it did not fail). With neither, the record has no "extraction". */
    const char *extraction;
    const struct sohoa_err *extraction_error;
};

/* The document record: manifest + dossier + pages (+ their texts, parallel to `pages`). */
int sohoa_record_to_json(const struct sohoa_manifest *m, const struct sohoa_dossier_meta *d,
                         const struct sohoa_page_result *pages, const char *const *texts, size_t n,
                         const struct sohoa_record_info *info, char **out, struct sohoa_err *err);

/* A dossier's summary (dossiers/<id>/summary.json), written when its last document finished:
 * {"dossier_id", "procedure_code", "documents": [{"id","name","status","type"}],
 *  "completeness": {"procedure_code","known","complete","missing":[type ids],"level","code",
 *  "message_vi","message_en"} or null when the dossier names no procedure}. */
struct sohoa_summary_doc {
    const char *id, *name, *status, *type; /* type NULL: not extracted */
};
struct sohoa_dossier_summary {
    const char *dossier_id;
    const char *procedure_code; /* NULL: none given (then no completeness) */
    const struct sohoa_summary_doc *docs;
    size_t n_docs;
    bool known;                 /* the procedure is in the catalogue */
    const char *const *missing; /* type ids the procedure requires and the dossier lacks */
    size_t n_missing;
    int severity; /* enum sohoa_check_severity of the completeness check */
    const char *code, *msg_vi, *msg_en;
};
int sohoa_dossier_summary_to_json(const struct sohoa_dossier_summary *s, char **out,
                                  struct sohoa_err *err);

/* Job messages: compact versioned JSON. Parsing refuses a newer version, unknown kinds or lanes,
 * a document id that is not 64 lower-case hex digits, a page outside 0..pages-1 or attempt < 1
 * (SOHOA_EFORMAT naming the field); *job is zeroed on failure. */
#define SOHOA_JOB_FORMAT_VERSION 1
int sohoa_job_to_json(const struct sohoa_job *job, char **out, struct sohoa_err *err);
int sohoa_job_from_json(const char *json, size_t len, struct sohoa_job *job, struct sohoa_err *err);

#endif
