/* extract_json.h — a struct sohoa_extraction as JSON (the format of `sohoa extract --json`,
 * written out in models/doctypes/README.md; the same object goes into record.json under
 * "extraction" and into the HTTP API's answers).
 *
 * Ownership: `*out` is a malloc'd NUL-terminated UTF-8 string the caller frees.
 * Threads: reentrant.
 */
#ifndef SOHOA_EXTRACT_JSON_H
#define SOHOA_EXTRACT_JSON_H

#include "pipeline/base/err.h"
#include "pipeline/fields/extract.h"

/* `file` (may be NULL: no "file" key) names the input. `pretty`: indented, else one line. */
int sohoa_extraction_to_json(const struct sohoa_extraction *x, const char *file, bool pretty,
                             char **out, struct sohoa_err *err);

#endif
