/* catalog.h — the catalog of dossiers, documents and pages, and their full-text search.
 *
 * The one contract every catalog backend fulfils (DESIGN.md "Three swappable backends"). The
 * pipeline and the runtime see only the functions below, never SQL. sohoa_catalog_open() picks
 * the backend from a URL:
 *   "sqlite:PATH" or a bare PATH   embedded SQLite + FTS5 ("sqlite::memory:" for a private,
 *                                  in-memory catalog)
 *   "postgres://…", "postgresql://…" PostgreSQL (a libpq URI: user, password, host, port, database,
 *                                  ?options=-csearch_path%3DNAME for a schema of its own);
 *                                  catalog_pg.c says how it runs (pool, migrations, retries)
 *
 * Model: a dossier (hồ sơ, id chosen by the caller, e.g. its receipt number) holds documents; a
 * document (one original file; id = lower-case SHA-256 hex of its bytes) holds pages numbered
 * from 0. Content is stored and processed once, whatever number of dossiers hold it: membership
 * is its own relation (dossier, position, document, the file name as given, when added). The same
 * content given twice to one dossier is listed twice, at both positions and under both names (the
 * later entry's same_as names the first): the dossier lists what the desk or the citizen gave, in
 * order, while the content is counted and processed once. Every write is an upsert, so a
 * redelivered job never duplicates anything.
 *
 * Admission: sohoa_catalog_admit_document() records a document in a dossier and decides, in one
 * transaction, whether the caller must process it (new content, or a failed or stale one) or only
 * follow it (being processed, or finished, elsewhere) — so content arriving at once from two
 * dossiers, two API calls or two hosts is queued once.
 *
 * Fan-in: sohoa_catalog_page_done() records a page and answers, atomically, how many pages of its
 * document are still missing. When none are, the document moves from "processing" to
 * "assembling" and exactly one call — the one that made that move — gets *you_finish = true: that
 * caller publishes the document job. The assembler takes a lease on the document first
 * (sohoa_catalog_claim_assembly: one holder at a time, so a document job delivered twice
 * assembles once) and ends with sohoa_catalog_finish_document(). A finisher that crashed leaves
 * an "assembling" document whose lease runs out: sohoa_catalog_stalled() lists it for the
 * sweepers of the long-running processes, which publish its document job again. A page delivered
 * again is overwritten, never counted twice; a failed retry never overwrites a page that had
 * succeeded.
 *
 * Search: page text is normalised (vn_normalize) and indexed twice, as is and folded (vn_fold), so
 * "duong" finds "đường" and "hòa" finds "hoà", "hoa" and "hóa". Pages that match every term with
 * its exact tones rank first (SOHOA_MATCH_EXACT), then accent-insensitive matches
 * (SOHOA_MATCH_FOLDED); relevance (BM25) orders each class. Query syntax: search_query.h.
 *
 * Fields: the document worker stores each document's type and extracted fields
 * (sohoa_catalog_put_fields, pipeline/fields/extract.h's values). Each value is also kept as a
 * folded key (vn_fold, white space collapsed), so a search filtered on a field ("id_number" =
 * "001099012345", "full_name" = "nguyen van an") finds the documents holding that value whatever
 * its case and diacritics. With such a filter the words may be left out: the hits are then the
 * first page of each matching document (SOHOA_MATCH_FILTER), newest dossier first.
 *
 * Ownership: inputs are borrowed for the duration of a call. Results (struct sohoa_hits,
 * struct sohoa_dossier_info, page text) belong to the caller and are freed with the matching
 * function; all their strings live as long as the result.
 * Threads: one catalog is shared by every thread of a process; all functions except open and free
 * may be called concurrently (the backend serialises internally: the SQLite backend keeps one
 * writer and one reader connection, each behind a mutex; the PostgreSQL backend lends each call
 * a connection from a pool of up to SOHOA_CATALOG_PG_POOL). Several processes may open the same
 * SQLite file: WAL mode, writers wait up to SOHOA_CATALOG_BUSY_MS for each other and then fail
 * with a retryable error; any number of processes on any hosts may share a PostgreSQL catalog.
 * A lost server connection is a retryable error (the next call reconnects). A result object is
 * used by one thread at a time.
 */
#ifndef SOHOA_CATALOG_H
#define SOHOA_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"
#include "storage/search_query.h"

#define SOHOA_CATALOG_ID_MAX          200  /* bytes in a dossier id */
#define SOHOA_CATALOG_BUSY_MS         5000 /* how long a writer waits for a lock held elsewhere */
#define SOHOA_CATALOG_PAGE_TEXT_MAX   (4 << 20) /* bytes of text on one page */
#define SOHOA_SEARCH_DEFAULT_LIMIT    20
#define SOHOA_SEARCH_MAX_LIMIT        500
#define SOHOA_SEARCH_MAX_OFFSET       10000 /* deeper paging: narrow the query or the filters */
#define SOHOA_SEARCH_DEADLINE_MS      10000 /* a longer search fails with SOHOA_ETIMEOUT */
#define SOHOA_SNIPPET_WORDS           20    /* default words of context around the first match */
#define SOHOA_SNIPPET_MAX_WORDS       200
#define SOHOA_CATALOG_PG_POOL         16   /* PostgreSQL connections of one process, at most */
#define SOHOA_CATALOG_FIELDS_MAX      256  /* fields of one document */
#define SOHOA_CATALOG_FIELD_NAME_MAX  47   /* bytes of a field name or document type: [a-z0-9_]+ */
#define SOHOA_CATALOG_FIELD_VALUE_MAX 1024 /* bytes of a field's value, and of its raw text */

struct sohoa_catalog; /* opaque */

enum sohoa_source { SOHOA_SOURCE_DESK, SOHOA_SOURCE_PORTAL, SOHOA_SOURCE_ARCHIVE };

enum sohoa_doc_status {
    SOHOA_DOC_PROCESSING, /* pages being worked on */
    SOHOA_DOC_ASSEMBLING, /* every page done; one worker assembles (set by page_done only) */
    SOHOA_DOC_DONE,       /* assembled, every page ok or blank */
    SOHOA_DOC_PARTIAL,    /* assembled, some pages failed */
    SOHOA_DOC_FAILED,     /* nothing usable (refused file, every page failed, ...) */
};

enum sohoa_page_status { SOHOA_PAGE_OK, SOHOA_PAGE_BLANK, SOHOA_PAGE_FAILED };

enum sohoa_match {
    SOHOA_MATCH_EXACT,  /* every term matched with its exact tones */
    SOHOA_MATCH_FOLDED, /* matched only without diacritics */
    SOHOA_MATCH_FILTER, /* no words searched: the document matched the field / type filters */
};

/* Stable lower-case names ("desk", "processing", "ok", "exact"), as stored and shown, and back. */
const char *sohoa_source_name(enum sohoa_source s);
const char *sohoa_doc_status_name(enum sohoa_doc_status s);
const char *sohoa_page_status_name(enum sohoa_page_status s);
const char *sohoa_match_name(enum sohoa_match m);
int sohoa_source_parse(const char *name, enum sohoa_source *out);
int sohoa_doc_status_parse(const char *name, enum sohoa_doc_status *out);
int sohoa_page_status_parse(const char *name, enum sohoa_page_status *out);

/* A dossier's metadata. Every string may be NULL (unknown). */
struct sohoa_dossier {
    const char *receipt_no;     /* số biên nhận, e.g. "000.00.00.H30-250101-0001" */
    const char *procedure_code; /* e.g. "1.011442.000.00.00.H38" */
    const char *department;     /* receiving department; search filters on it exactly */
    const char *district;
    const char *commune;
    const char *received_date; /* "YYYY-MM-DD" */
    enum sohoa_source source;
    const char *title;
    const char *path;      /* where the originals came from (folder, upload name) */
    const char *meta_json; /* any further fields: a JSON text, checked for validity */
};

/* A document (one original file) and its place in a dossier (the membership written with it). */
struct sohoa_document {
    const char *dossier_id; /* must exist */
    const char *name;       /* the file name as given in this dossier (vn_sanitize_label first) */
    int ordinal;            /* position in the dossier, from 1; one document per position */
    const char *format;     /* MIME type, e.g. "application/pdf", "image/tiff" */
    int n_pages;            /* pages expected: page_done counts towards it */
    int64_t size_bytes;
    enum sohoa_doc_status status; /* anything but ASSEMBLING */
    const char *error;            /* why it failed, or NULL */
};

/* One processed page. */
struct sohoa_page {
    enum sohoa_page_status status;
    const char *error;       /* why it failed, or NULL */
    const char *text;        /* recognised text, any UTF-8; NULL or "" when none */
    double mean_conf;        /* mean word confidence 0..100; negative when unknown */
    int rotation;            /* degrees turned before OCR: 0, 90, 180, 270 */
    double skew;             /* degrees of skew corrected */
    int width, height;       /* pixels of the page image OCR saw; 0 when unknown */
    int dpi;                 /* 0 when unknown */
    const char *text_source; /* "ocr", "text-layer", ... or NULL */
    double elapsed_ms;       /* time spent on the page */
};

/* ---- opening ------------------------------------------------------------------------------- */

/* Open (creating or migrating its schema) the catalog named by `url`; see the top of this file.
 * Errors: SOHOA_EINVAL for an unknown scheme, SOHOA_EIO when the file cannot be opened,
 * SOHOA_EFORMAT when it is not a catalog or was written by a newer sohoa. */
int sohoa_catalog_open(const char *url, struct sohoa_catalog **out, struct sohoa_err *err);

/* Close and free the catalog; sets *cat to NULL. No other thread may be using it. */
void sohoa_catalog_free(struct sohoa_catalog **cat);

/* ---- writing ------------------------------------------------------------------------------- */

/* Insert or replace the dossier `id` (non-empty, at most SOHOA_CATALOG_ID_MAX bytes, no control
 * characters). Documents already attached stay attached. */
int sohoa_catalog_upsert_dossier(struct sohoa_catalog *cat, const char *id,
                                 const struct sohoa_dossier *d, struct sohoa_err *err);

/* Insert or replace the document `doc_id` (64 lower-case hex digits), unconditionally, and put
 * it at position d->ordinal of dossier d->dossier_id under d->name (replacing what stood there;
 * its other dossiers keep it). Pages already recorded are kept; setting status back to PROCESSING
 * (a replay) lets page_done elect a new finisher. SOHOA_ENOTFOUND when the dossier does not
 * exist. Intake uses admit_document instead. */
int sohoa_catalog_upsert_document(struct sohoa_catalog *cat, const char *doc_id,
                                  const struct sohoa_document *d, struct sohoa_err *err);

/* What admit_document decided. */
enum sohoa_admit {
    SOHOA_ADMIT_NEW,      /* the caller must process it: content not seen before, one that
                             failed (d->status PROCESSING retries it), or one left "processing"
                             with no page recorded for longer than `stale_ms` (its jobs were lost:
                             page jobs are idempotent, so queueing them again is safe) */
    SOHOA_ADMIT_RUNNING,  /* being processed already (here or on another host): follow it */
    SOHOA_ADMIT_FINISHED, /* finished already (done or partial): reused as it is */
};
const char *sohoa_admit_name(enum sohoa_admit a); /* "new", "running", "finished" */

/* In one transaction: put `doc_id` at position d->ordinal of dossier d->dossier_id under d->name
 * (as upsert_document does), and write the document row itself only when the answer is
 * SOHOA_ADMIT_NEW (with d's format, pages, size, status and error). d->status is PROCESSING (to
 * be queued) or FAILED (refused at intake: always written, answer NEW). *status is the
 * document's status afterwards. Of two callers admitting the same new content at once, exactly
 * one gets NEW. SOHOA_ENOTFOUND when the dossier does not exist. */
int sohoa_catalog_admit_document(struct sohoa_catalog *cat, const char *doc_id,
                                 const struct sohoa_document *d, int64_t stale_ms,
                                 enum sohoa_admit *admit, enum sohoa_doc_status *status,
                                 struct sohoa_err *err);

/* Take document `doc_id` out of dossier `dossier_id` (every position it holds there). Its other
 * dossiers, its pages, fields and outputs stay. SOHOA_ENOTFOUND when the dossier does not hold
 * it. */
int sohoa_catalog_remove_document(struct sohoa_catalog *cat, const char *dossier_id,
                                  const char *doc_id, struct sohoa_err *err);

struct sohoa_arena_chunk;
/* Memory owned by a result: every string and array it points to. */
struct sohoa_arena {
    struct sohoa_arena_chunk *head;
};

/* A list of ids; release with sohoa_ids_release. */
struct sohoa_ids {
    const char **v;
    size_t n;
    struct sohoa_arena arena; /* private */
};
void sohoa_ids_release(struct sohoa_ids *ids);

/* The dossiers holding document `doc_id`, each once, by id (none: n == 0; an unknown document
 * is not an error). `out` is overwritten. */
int sohoa_catalog_doc_dossiers(struct sohoa_catalog *cat, const char *doc_id, struct sohoa_ids *out,
                               struct sohoa_err *err);

/* The assembler's lease: *yours is true when the document is "assembling" and nobody holds a
 * live lease on it; the caller then holds it for `lease_ms` (1 .. 86 400 000) and assembles.
 * release_assembly gives it back (an assembly that failed and will be retried); finish_document
 * ends it. */
int sohoa_catalog_claim_assembly(struct sohoa_catalog *cat, const char *doc_id, int lease_ms,
                                 bool *yours, struct sohoa_err *err);
int sohoa_catalog_release_assembly(struct sohoa_catalog *cat, const char *doc_id,
                                   struct sohoa_err *err);

/* A document that has made no progress. */
struct sohoa_stalled_doc {
    char id[65];
    enum sohoa_doc_status status; /* PROCESSING or ASSEMBLING */
    int n_pages, pages_done;
    int64_t idle_ms; /* since its last page was recorded, or it was admitted / claimed */
};

/* Up to `max` documents (oldest first) that are "assembling" with no live lease and idle for
 * `idle_ms` or more, or "processing" with no page recorded for `idle_ms` or more. *out is
 * malloc'd (free it; NULL when *n == 0). */
int sohoa_catalog_stalled(struct sohoa_catalog *cat, int64_t idle_ms, size_t max,
                          struct sohoa_stalled_doc **out, size_t *n, struct sohoa_err *err);

/* Record page `page_index` (0 <= index < n_pages) of `doc_id` and index its text. Idempotent.
 * *remaining: pages of the document still without a record (0 = all done).
 * *you_finish: true for exactly the one call that moved the document from PROCESSING to
 * ASSEMBLING; that caller must assemble it and call finish_document.
 * SOHOA_ENOTFOUND for an unknown document, SOHOA_EINVAL for an index out of range, SOHOA_ELIMIT
 * for text past SOHOA_CATALOG_PAGE_TEXT_MAX (record the page as failed instead). */
int sohoa_catalog_page_done(struct sohoa_catalog *cat, const char *doc_id, int page_index,
                            const struct sohoa_page *page, int *remaining, bool *you_finish,
                            struct sohoa_err *err);

/* Record the outcome of a document: `status` DONE, PARTIAL or FAILED, an error message (or NULL)
 * and the object-store keys of its record and searchable PDF (NULL keeps what was stored). */
int sohoa_catalog_finish_document(struct sohoa_catalog *cat, const char *doc_id,
                                  enum sohoa_doc_status status, const char *error,
                                  const char *record_key, const char *pdf_key,
                                  struct sohoa_err *err);

/* One extracted field of a document: what sohoa_catalog_put_fields takes and what
 * sohoa_catalog_get_dossier gives back (then the strings belong to the dossier info). */
struct sohoa_field_row {
    const char *name; /* [a-z0-9_]+, models/doctypes/README.md, e.g. "id_number" */
    const char
        *value;      /* normalised value (extract.h), not empty; stored canonical (vn_normalize) */
    const char *raw; /* as read, or NULL */
    double confidence;  /* 0..1; negative when unknown */
    int page;           /* 1-based page it came from (as in extract.h); 0 when unknown */
    const char *source; /* "ocr", "qr", "barcode" (sohoa_field_source_name), or NULL */
};

/* Replace, in one transaction, the type and the fields of document `doc_id`: afterwards it has
 * exactly these `n` rows (n == 0 clears them), so a redelivered job writes the same set.
 * `doc_type` is a type id ([a-z0-9_]+, e.g. "cccd_front", "unknown") or NULL for none.
 * Checked here: at most SOHOA_CATALOG_FIELDS_MAX rows; names [a-z0-9_]+ of at most
 * SOHOA_CATALOG_FIELD_NAME_MAX bytes, each name once; values non-empty (invalid UTF-8 becomes
 * U+FFFD), at most SOHOA_CATALOG_FIELD_VALUE_MAX bytes (raw too); confidence <= 1, page >= 0
 * (SOHOA_EINVAL or SOHOA_ELIMIT). SOHOA_ENOTFOUND for an unknown document. */
int sohoa_catalog_put_fields(struct sohoa_catalog *cat, const char *doc_id, const char *doc_type,
                             const struct sohoa_field_row *rows, size_t n, struct sohoa_err *err);

/* ---- searching ----------------------------------------------------------------------------- */

struct sohoa_search_opts {
    const char *department; /* exact department, NULL = any */
    const char *date_from;  /* received on or after "YYYY-MM-DD", NULL = no bound */
    const char *date_to;    /* received on or before "YYYY-MM-DD", NULL = no bound */
    const char *dossier_id; /* only this dossier, NULL = any */
    int limit;              /* hits to return; 0 = SOHOA_SEARCH_DEFAULT_LIMIT */
    int offset;             /* hits to skip, for paging */
    const char *mark_open;  /* put before each matched span in snippets; NULL = "«" */
    const char *mark_close; /* put after it; NULL = "»" */
    int context_words;      /* words of snippet context; 0 = SOHOA_SNIPPET_WORDS */
    /* Field filters (any of them lets the query be NULL or blank: see sohoa_catalog_search) */
    const char *field;       /* only documents with a field of this name, NULL = any */
    const char *field_value; /* ... whose value equals this one folded (case, diacritics and
                                white space ignored); needs `field`. NULL = any value */
    const char *doc_type;    /* only documents of this type, NULL = any */
};

/* One dossier holding a hit's document, and the name the document has there. */
struct sohoa_hit_dossier {
    const char *id;
    const char *doc_name;
};

struct sohoa_hit {
    const char *dossier_id; /* the first of `dossiers` */
    const char *doc_id;
    const char *doc_name; /* its name in that dossier */
    int page_index;
    enum sohoa_match match;
    double score;         /* relevance (negated BM25): higher is better; compare within a search */
    const char *snippet;  /* canonical (accented) text around the first match, matches marked */
    const char *doc_type; /* the document's type (put_fields), or NULL */
    /* Every dossier holding the document that the search's dossier filters (department, dates,
     * dossier) keep, by id, each once; n_dossiers >= 1. */
    const struct sohoa_hit_dossier *dossiers;
    size_t n_dossiers;
};

struct sohoa_hits {
    struct sohoa_hit *v; /* best first */
    size_t n;
    struct sohoa_arena arena; /* private */
};

/* Search page text; `opts` may be NULL. `out` is overwritten; on success release it with
 * sohoa_hits_release (also safe after a failure). With a `field` or `doc_type` filter the query
 * may be NULL or blank: the hits are then page 0 of each matching document (match
 * SOHOA_MATCH_FILTER, score 0, snippet the first words of that page or "" when it has none),
 * newest dossier (received date, then document creation) first. With words and filters, both
 * apply. SOHOA_EINVAL for an empty query without such a filter, a field value without a field,
 * a malformed field name or type, or bad options; SOHOA_ELIMIT for a query or page past the
 * limits. No hits is success with n == 0. */
int sohoa_catalog_search(struct sohoa_catalog *cat, const char *query,
                         const struct sohoa_search_opts *opts, struct sohoa_hits *out,
                         struct sohoa_err *err);

void sohoa_hits_release(struct sohoa_hits *hits);

/* ---- showing ------------------------------------------------------------------------------- */

struct sohoa_page_info {
    int index;
    struct sohoa_page page; /* page.text is NULL here: see sohoa_catalog_page_text */
    const char *updated_at; /* "YYYY-MM-DDTHH:MM:SSZ" */
};

struct sohoa_document_info {
    const char *id;
    struct sohoa_document doc; /* name and ordinal: this dossier's */
    int same_as;               /* the earlier position of the same content in this dossier, or 0 */
    const char *added_at;      /* when it was put at this position */
    const char *record_key;    /* NULL until finished */
    const char *pdf_key;
    int pages_done;   /* pages with a record (any status) */
    int pages_failed; /* of which failed */
    const char *created_at, *updated_at, *finished_at;
    struct sohoa_page_info *pages; /* by index; only with SOHOA_CATALOG_WITH_PAGES */
    size_t n_pages_listed;
    const char *doc_type;                 /* from put_fields; NULL before */
    const struct sohoa_field_row *fields; /* in the order put_fields gave them; always listed */
    size_t n_fields;
};

struct sohoa_dossier_info {
    const char *id;
    struct sohoa_dossier dossier;
    const char *created_at, *updated_at;
    struct sohoa_document_info *docs; /* by position (ordinal); the same content may stand twice */
    size_t n_docs;
    struct sohoa_arena arena; /* private */
};

#define SOHOA_CATALOG_WITH_PAGES 0x1u /* get_dossier: list every page of every document */

/* A dossier with its documents (and their pages with SOHOA_CATALOG_WITH_PAGES): the CLI's
 * "show" and "list documents". SOHOA_ENOTFOUND for an unknown id. Free with
 * sohoa_dossier_info_free. */
int sohoa_catalog_get_dossier(struct sohoa_catalog *cat, const char *id, unsigned flags,
                              struct sohoa_dossier_info **out, struct sohoa_err *err);

void sohoa_dossier_info_free(struct sohoa_dossier_info **info);

struct sohoa_doc_progress {
    enum sohoa_doc_status status;
    int n_pages;      /* expected */
    int pages_done;   /* recorded, any status */
    int pages_failed; /* recorded as failed */
    int pages_blank;  /* recorded as blank */
};

/* Progress of one document. SOHOA_ENOTFOUND for an unknown document. */
int sohoa_catalog_progress(struct sohoa_catalog *cat, const char *doc_id,
                           struct sohoa_doc_progress *out, struct sohoa_err *err);

/* The canonical text of a recorded page ("" when it has none), e.g. for assembling a document.
 * *text is malloc'd; the caller frees it. SOHOA_ENOTFOUND when the page has no record. */
int sohoa_catalog_page_text(struct sohoa_catalog *cat, const char *doc_id, int page_index,
                            char **text, struct sohoa_err *err);

/* ---- for backend implementers -------------------------------------------------------------- */

/* Arena of a result: zeroed, max-aligned memory and string copies freed all at once. */
void *sohoa_arena_alloc(struct sohoa_arena *a, size_t size);
/* Copy `n` bytes of `s` plus a NUL (s == NULL gives *out = NULL). 0 or SOHOA_ENOMEM. */
int sohoa_arena_strndup(struct sohoa_arena *a, const char *s, size_t n, const char **out);
void sohoa_arena_release(struct sohoa_arena *a);

/* A hit's snippet: `marked` (page text with SOHOA_MARK_* bytes, or without any: its first words;
 * NULL: none) cut to o->context_words with o's markers (sohoa_snippet_window), in the arena.
 * *out is "" for NULL. 0, or SOHOA_ENOMEM. */
int sohoa_hit_snippet(struct sohoa_arena *a, const char *marked, const struct sohoa_search_opts *o,
                      const char **out, struct sohoa_err *err);
/* Room for `n` hits in out->v, in out's arena (nothing when n == 0). 0, or SOHOA_ENOMEM. */
int sohoa_hits_reserve(struct sohoa_hits *out, size_t n, struct sohoa_err *err);

#define SOHOA_CATALOG_OPS_VERSION 3

/* A field as a backend stores it: the row with its value canonical, and the folded key that
 * filters compare (sohoa_catalog_field_key). */
struct sohoa_field_put {
    struct sohoa_field_row row;
    const char *key;
};

/* What a backend implements. catalog.c has validated every argument, filled in defaults
 * and zeroed every out-parameter before calling; `state` is what the backend's open returned.
 * Page text reaches page_done canonical (vn_normalize, controls stripped) with its folded twin.
 * A search's query has no terms (n_terms == 0) only when opts has field or doc_type; its
 * opts->field_value is then already the folded key. Later versions append members; callers
 * check `version` before using them (version 2: put_fields, the field options of search, fields
 * and doc_type in get_dossier and hits; version 3: membership — admit_document,
 * remove_document, doc_dossiers, hit dossiers — and the assembly lease and stalled documents).
 * get_dossier fills every member but same_as (catalog.c does). Ids lists use `ids->arena`
 * through sohoa_ids_push. */
struct sohoa_catalog_ops {
    int version; /* SOHOA_CATALOG_OPS_VERSION the backend was written against */
    const char *name;
    void (*close)(void *state);
    int (*upsert_dossier)(void *state, const char *id, const struct sohoa_dossier *d,
                          struct sohoa_err *err);
    int (*upsert_document)(void *state, const char *doc_id, const struct sohoa_document *d,
                           struct sohoa_err *err);
    int (*page_done)(void *state, const char *doc_id, int page_index, const struct sohoa_page *page,
                     const char *fold, int *remaining, bool *you_finish, struct sohoa_err *err);
    int (*finish_document)(void *state, const char *doc_id, enum sohoa_doc_status status,
                           const char *error, const char *record_key, const char *pdf_key,
                           struct sohoa_err *err);
    int (*search)(void *state, const struct sohoa_query *q, const struct sohoa_search_opts *opts,
                  struct sohoa_hits *out, struct sohoa_err *err);
    int (*get_dossier)(void *state, const char *id, unsigned flags, struct sohoa_dossier_info *out,
                       struct sohoa_err *err);
    int (*progress)(void *state, const char *doc_id, struct sohoa_doc_progress *out,
                    struct sohoa_err *err);
    int (*page_text)(void *state, const char *doc_id, int page_index, char **text,
                     struct sohoa_err *err);
    /* version 2 */
    int (*put_fields)(void *state, const char *doc_id, const char *doc_type,
                      const struct sohoa_field_put *rows, size_t n, struct sohoa_err *err);
    /* version 3 */
    int (*admit_document)(void *state, const char *doc_id, const struct sohoa_document *d,
                          int64_t stale_ms, enum sohoa_admit *admit, enum sohoa_doc_status *status,
                          struct sohoa_err *err);
    int (*remove_document)(void *state, const char *dossier_id, const char *doc_id,
                           struct sohoa_err *err);
    int (*doc_dossiers)(void *state, const char *doc_id, struct sohoa_ids *out,
                        struct sohoa_err *err);
    int (*claim_assembly)(void *state, const char *doc_id, int lease_ms, bool *yours,
                          struct sohoa_err *err);
    int (*release_assembly)(void *state, const char *doc_id, struct sohoa_err *err);
    int (*stalled)(void *state, int64_t idle_ms, size_t max, struct sohoa_stalled_doc *out,
                   size_t *n, struct sohoa_err *err);
};

/* Append a copy of `s` to `ids` (for backends). 0 or SOHOA_ENOMEM. */
int sohoa_ids_push(struct sohoa_ids *ids, const char *s, struct sohoa_err *err);
/* Room for `n` dossiers on hit `h`, in `out`'s arena (for backends). 0 or SOHOA_ENOMEM. */
int sohoa_hit_dossiers_reserve(struct sohoa_hits *out, struct sohoa_hit *h, size_t n,
                               struct sohoa_err *err);

/* The folded key of a field value: vn_normalize, controls stripped, vn_fold, white space runs
 * as one space, trimmed. *out is malloc'd (the caller frees it); "" when nothing is left. */
int sohoa_catalog_field_key(const char *value, char **out, struct sohoa_err *err);

/* The SQLite backend (catalog_sqlite.c): `path` is a file name or ":memory:". */
int sohoa_catalog_sqlite_open(const char *path, const struct sohoa_catalog_ops **ops, void **state,
                              struct sohoa_err *err);

/* The PostgreSQL backend (catalog_pg.c): `url` is the whole postgres:// URL. */
int sohoa_catalog_pg_open(const char *url, const struct sohoa_catalog_ops **ops, void **state,
                          struct sohoa_err *err);

#endif
