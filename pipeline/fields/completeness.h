/* completeness.h — does a dossier hold every component its procedure requires?
 *
 * The procedure catalogue is models/procedures.json (doctype.h). The answer is one check:
 * "dossier.complete" (pass), "dossier.missing" (warning, "missing: …" in Vietnamese and English,
 * naming the document types in both languages), or "dossier.procedure_unknown" (warning).
 *
 * Ownership: plain values. Threads: reentrant; the models are only read.
 */
#ifndef SOHOA_COMPLETENESS_H
#define SOHOA_COMPLETENESS_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/fields/doctype.h"
#include "pipeline/base/err.h"
#include "pipeline/fields/validate.h"

#define SOHOA_COMPLETENESS_MISSING_MAX 16

struct sohoa_completeness {
    bool known; /* the procedure is in the catalogue */
    size_t n_missing;
    const char *missing[SOHOA_COMPLETENESS_MISSING_MAX]; /* type ids, pointing into the models */
    struct sohoa_check check;
};

/* Compare the document types found in a dossier (`types`, n of them, any order, repeats fine)
 * with what procedure `code` ("1.001193" or a full code with its unit part) requires. */
int sohoa_completeness_check(const struct sohoa_models *m, const char *code,
                             const char *const *types, size_t n, struct sohoa_completeness *out,
                             struct sohoa_err *err);

#endif
