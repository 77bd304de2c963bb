/* doctype.h — the document-type models and the procedure catalogue, loaded from models/.
 *
 * models/doctypes/<id>.json (one per document type: classification cues, fields with anchors,
 * patterns, normalisers and validators; schema models/doctype.schema.json) and
 * models/procedures.json (procedure code → required component types) are read once into a
 * struct sohoa_models. Phrases are stored folded (vn_fold: lower case, no diacritics, đ→d) and
 * patterns compiled (POSIX ERE, matched on folded text) at load time, so the stages that use the
 * models only read them.
 *
 * Ownership: a struct sohoa_models owns everything it points to; free it with
 * sohoa_models_free(). Threads: loading is done by one thread; after sohoa_models_load returns,
 * the models are read-only and may be shared by any number of threads (regexec on a compiled
 * pattern is thread-safe).
 */
#ifndef SOHOA_DOCTYPE_H
#define SOHOA_DOCTYPE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "pipeline/base/err.h"

#define SOHOA_DOCTYPE_ID_MAX 48
#define SOHOA_MODELS_ENV     "SOHOA_MODELS" /* overrides the default models directory */

/* How a value is brought to its normalised form (models/doctypes/README.md). */
enum sohoa_norm {
    SOHOA_NORM_TEXT = 0,   /* canonical text, single spaces, trimmed */
    SOHOA_NORM_UPPER,      /* text, upper case */
    SOHOA_NORM_NAME_UPPER, /* a person's or company's name: upper case, no trailing punctuation */
    SOHOA_NORM_DATE,       /* ISO 8601 through sohoa_date_parse */
    SOHOA_NORM_DIGITS,     /* digits only, O→0 l/I→1 repaired */
    SOHOA_NORM_SEX,        /* "Nam" | "Nữ" */
    SOHOA_NORM_AREA,       /* decimal with '.', "120,5 m²" → "120.5" */
    SOHOA_NORM_SERIAL,     /* "CS 123456": two upper-case letters, a space, digits */
    SOHOA_NORM_DOCNUM,     /* "15/QĐ-UBND" through sohoa_docnum_parse */
    SOHOA_NORM_RECEIPT,    /* receipt number through sohoa_receipt_validate */
    SOHOA_NORM_MRZ,        /* the MRZ lines, spaces dropped, '\n'-joined */
};

/* Which check of validate.h applies to a field. */
enum sohoa_validator {
    SOHOA_VALIDATOR_NONE = 0,
    SOHOA_VALIDATOR_CCCD, /* 12-digit citizen ID (hint: date_of_birth, sex of the same document) */
    SOHOA_VALIDATOR_CMND, /* 9-digit old ID */
    SOHOA_VALIDATOR_MST,
    SOHOA_VALIDATOR_DATE, /* a real date, not in the future */
    SOHOA_VALIDATOR_RECEIPT,
    SOHOA_VALIDATOR_DOCNUM,
};

/* Where a field is looked for when it has no anchor. */
enum sohoa_field_where {
    SOHOA_WHERE_ANCHOR =
        0, /* after an anchor (or, without anchors, any line the pattern matches) */
    SOHOA_WHERE_FIRST_LINE, /* the first line of the page not matched by `skip` */
    SOHOA_WHERE_LAST_LINE,  /* the last line of the page not matched by `skip` */
};

/* A weighted classification cue: a phrase found in the folded text, or a layout hint. */
struct sohoa_cue {
    char *phrase;  /* folded; NULL for a layout hint */
    char *layout;  /* "qr", "cccd_qr", "barcode"; NULL for a phrase */
    double weight; /* negative for a cue that speaks against the type */
};

struct sohoa_field_model {
    char *name;
    char **anchors; /* folded label phrases; the value follows on the same line or the next */
    size_t n_anchors;
    char **skip; /* folded phrases of lines that are never the value, nor its anchor's line */
    size_t n_skip;
    regex_t pattern; /* on the folded text after the anchor; group 1 is the value when present */
    bool has_pattern;
    enum sohoa_norm norm;
    enum sohoa_validator validator;
    enum sohoa_field_where where;
    int lines;     /* lines the value takes from where it starts (MRZ: 3); default 1 */
    int wrap;      /* lines below that may continue a value running to its line's end (0) */
    bool required; /* reported as missing when not found */
    char *qr;      /* part of the CCCD QR payload that fills it ("id", "name"...), or NULL */
};

struct sohoa_doctype {
    char id[SOHOA_DOCTYPE_ID_MAX];
    char *name_vi, *name_en;
    struct sohoa_cue *cues;
    size_t n_cues;
    double saturation; /* cue weight that makes a score of 1.0 */
    double threshold;  /* score below which this type is not chosen */
    struct sohoa_field_model *fields;
    size_t n_fields;
    char **stops; /* folded phrases that end any value on a line ("gioi tinh" after a name) */
    size_t n_stops;
};

struct sohoa_procedure {
    char *code; /* "1.001193" */
    char *name_vi, *name_en;
    char **required; /* document type ids every dossier of this procedure must hold */
    size_t n_required;
    bool verified; /* the code was checked against the national catalogue (see the README) */
};

struct sohoa_models {
    struct sohoa_doctype *types;
    size_t n_types;
    struct sohoa_procedure *procedures;
    size_t n_procedures;
};

/* The directory models are read from when none is given: $SOHOA_MODELS, else the source tree's
 * models/ (SOHOA_SOURCE_DIR), else /usr/share/sohoa/models. Static or environment string. */
const char *sohoa_models_default_dir(void);

/* Load every models/doctypes/<id>.json and models/procedures.json under `dir` (NULL = the default
 * dir). Errors: SOHOA_ENOTFOUND (no such directory or no model in it), SOHOA_EFORMAT (a file is not
 * JSON or not a model: the message names the file and key; a pattern that does not compile),
 * SOHOA_ENOMEM. `*out` is NULL on entry and on failure. */
int sohoa_models_load(const char *dir, struct sohoa_models **out, struct sohoa_err *err);
void sohoa_models_free(struct sohoa_models **m);

/* The type with this id, NULL when none. */
const struct sohoa_doctype *sohoa_models_type(const struct sohoa_models *m, const char *id);

/* The procedure with this code ("1.001193", or a full code "1.001193.000.00.00.H30" whose
 * national part is looked up), NULL when none. */
const struct sohoa_procedure *sohoa_models_procedure(const struct sohoa_models *m,
                                                     const char *code);

#endif
