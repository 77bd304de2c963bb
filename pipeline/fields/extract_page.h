/* extract_page.h — the page step of extract.h as the page worker (workers/runtime/page_job.c) and
 * `sohoa extract` (workers/cli/cli_extract.c) both run it, and what it keeps between the page step
 * and the document step when they run on different hosts:
 *
 *   - the page chain itself (decode → barcodes → clean → OCR → quality input) is
 *     pipeline/image/pagechain.h;
 *   - the page's extraction input as JSON (barcodes + quality input; the words travel in
 *     words.tsv, render.h): {"v":1,"page":N,"quality":{...},"barcodes":[{"symbology","data",
 *     "box":[x0,y0,x1,y1]}]}, stored by the page worker next to words.tsv
 * (workers/runtime/layout.h) and read back by the document worker to rebuild a struct sohoa_xpage.
 *
 * Ownership: inputs are only read; `*out` strings are malloc'd and the caller's; barcodes parsed
 * are the caller's (sohoa_barcodes_release). Threads: reentrant.
 */
#ifndef SOHOA_EXTRACT_PAGE_H
#define SOHOA_EXTRACT_PAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "pipeline/image/barcode.h"
#include "pipeline/image/clean.h"
#include "pipeline/base/err.h"
#include "pipeline/image/ocr.h"
#include "pipeline/image/quality.h"

#define SOHOA_XPAGE_JSON_VERSION 1

/* Page `page` (1-based)'s barcodes (`bc` may be NULL: none) and quality input (`q` may be NULL:
 * not measured) as one line of JSON. A payload that is not valid UTF-8 is left out.
 * Errors: SOHOA_ENOMEM. */
int sohoa_xpage_input_to_json(int page, const struct sohoa_barcodes *bc,
                              const struct sohoa_quality_input *q, char **out,
                              struct sohoa_err *err);

/* The reverse: `bc` and `q` are overwritten (q: every measure "not measured" when the JSON has
 * none). SOHOA_EFORMAT for malformed JSON or a newer version, SOHOA_ENOMEM. */
int sohoa_xpage_input_parse(const char *json, size_t len, struct sohoa_barcodes *bc,
                            struct sohoa_quality_input *q, struct sohoa_err *err);

#endif
