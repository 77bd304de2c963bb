/* letterhead.h — the parts of a Vietnamese administrative page laid out the Decree 30/2020 way,
 * shared by the generator's page mode and document mode (bench/gen): the official letterhead
 * (issuing body top left, national motto top right, number and place-and-date line under
 * them), the citizen letterhead (motto centred), the recipients block and the signer's block.
 *
 * Ground truth order (the corpus's real pages): issuer lines, motto lines, number, date; at the
 * end, recipients first, then the signer's block.
 * Ownership: the page is the caller's; strings are borrowed. Threads: one page, one thread.
 */
#ifndef SOHOA_GEN_LETTERHEAD_H
#define SOHOA_GEN_LETTERHEAD_H

#include "bench/gen/page.h"
#include "bench/gen/render.h"
#include "pipeline/base/err.h"

/* Official letterhead at the page top in g->size_pt: `upper` (regular) and `lower` (bold, ruled
 * under) in the left 40 %, the motto on the right, `no` ("Số: 15/QĐ-UBND") under the issuer and
 * `date` (italic) under the motto. `lower` may be "" (the issuer fits one line). Sets p->y
 * under it; `no` or `date` "" leaves that line out. */
int letterhead_official(struct gen *g, struct page *p, const char *upper, const char *lower,
                        const char *no, const char *date, struct sohoa_err *err);

/* Motto centred, ruled under. Sets p->y under it. */
int letterhead_citizen(struct gen *g, struct page *p, struct sohoa_err *err);

/* "Nơi nhận:" with "- Như Điều 3;" and "- Lưu: VT." at the left margin from row y. */
int recipients_block(struct gen *g, struct page *p, int y, struct sohoa_err *err);

/* Signer's block centred in [x, x + w) from row y: `n` lines (styles[i]: "Bold", "Italic" …),
 * a gap for the handwritten signature (recorded in p->sig_*), the name in bold. Sets p->y under
 * it. */
int signature_block(struct gen *g, struct page *p, int x, int w, int y, const char *const *lines,
                    const char *const *styles, int n, const char *name, struct sohoa_err *err);

/* Rows a signer's block of `n` lines needs (from its first line's top to under the name). */
int signature_rows(const struct gen *g, const struct font *f, int n);

#endif
