/* layout.h — where things live in the object store. Keys derive from content, never from user
 * file names, so they are safe, deterministic and idempotent (a redelivered job rewrites the same
 * keys):
 *
 *   originals/<doc>                         the uploaded file, byte for byte (doc = its SHA-256)
 *   docs/<doc>/manifest.json                what intake learned: name, dossier, format, pages
 *   docs/<doc>/pages/<NNNN>/page.json       one page's result: status, reason, skew, timings …
 *   docs/<doc>/pages/<NNNN>/text.txt        its text (NFC, one tone placement)
 *   docs/<doc>/pages/<NNNN>/hocr.html       words with boxes and confidences (hOCR 1.2)
 *   docs/<doc>/pages/<NNNN>/words.tsv       the same words, compact, for PDF assembly
 *   docs/<doc>/pages/<NNNN>/extract.json    barcodes and quality input
 *                                           (pipeline/fields/extract_page.h)
 *   docs/<doc>/pages/<NNNN>/image.jpg|.g4   the cleaned page image as it goes into the PDF
 *   docs/<doc>/pages/<NNNN>/thumb.jpg       a thumbnail
 *   docs/<doc>/searchable.pdf               image + invisible text layer
 *   docs/<doc>/text.txt                     all pages' text, pages separated by form feeds
 *   docs/<doc>/record.json                  the document record (models/record.schema.json)
 *   dossiers/<dossier>/dossier.json         the dossier's metadata and its documents
 *   dossiers/<dossier>/summary.json         its documents' types and its completeness, written
 *                                           when its last document finishes
 *                                           (workers/runtime/record.h)
 * NNNN is the 1-based page number, zero-padded to 4 digits.
 */
#ifndef SOHOA_LAYOUT_H
#define SOHOA_LAYOUT_H

#include <stdio.h>

/* Every key fits, so the functions below do not check what snprintf returns: `doc` is 64 hex
 * digits, a dossier id at most SOHOA_CATALOG_ID_MAX (200) bytes (the catalog and the API refuse
 * longer ones; intake makes at most 79), a name one of the short constants above; the longest key
 * is "dossiers/<200>/summary.json", 222 bytes. */
#define SOHOA_KEY_MAX 256

static inline void sohoa_key_original(char key[SOHOA_KEY_MAX], const char *doc)
{
    (void)snprintf(key, SOHOA_KEY_MAX, "originals/%s", doc); /* fits: see SOHOA_KEY_MAX */
}

static inline void sohoa_key_doc(char key[SOHOA_KEY_MAX], const char *doc, const char *name)
{
    (void)snprintf(key, SOHOA_KEY_MAX, "docs/%s/%s", doc, name); /* fits: see SOHOA_KEY_MAX */
}

/* page is 0-based */
static inline void sohoa_key_page(char key[SOHOA_KEY_MAX], const char *doc, int page,
                                  const char *name)
{
    /* fits: see SOHOA_KEY_MAX */
    (void)snprintf(key, SOHOA_KEY_MAX, "docs/%s/pages/%04d/%s", doc, page + 1, name);
}

static inline void sohoa_key_dossier(char key[SOHOA_KEY_MAX], const char *dossier)
{
    (void)snprintf(key, SOHOA_KEY_MAX, "dossiers/%s/dossier.json", dossier); /* fits: above */
}

static inline void sohoa_key_dossier_summary(char key[SOHOA_KEY_MAX], const char *dossier)
{
    (void)snprintf(key, SOHOA_KEY_MAX, "dossiers/%s/summary.json", dossier); /* fits: above */
}

#endif
