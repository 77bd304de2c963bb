/* summary.h — a dossier's summary (dossiers/<id>/summary.json, format in record.h): its
 * documents with their types and, when the dossier names a procedure, its completeness
 * (pipeline/fields/completeness.h). Written by the document job that finishes a dossier's last
 * document, and by the service when it is asked for a finished dossier's summary that is not there
 * (a dossier whose last document was refused at intake has no document job to write it).
 *
 * Ownership: inputs are borrowed. Threads: any thread of the runtime; two writers at once write
 * the same content (each looks after the documents' finish, so the later sees them all).
 */
#ifndef SOHOA_SUMMARY_H
#define SOHOA_SUMMARY_H

#include <stdbool.h>

#include "pipeline/base/err.h"
#include "workers/runtime/runtime.h"

/* Writes dossier `id`'s summary if every one of its documents has finished (`*written` true,
 * may be NULL); does nothing otherwise. Completeness needs rt->models (none without them).
 * Errors: the catalog's and the store's. */
int sohoa_dossier_summarise(struct sohoa_runtime *rt, const char *id, bool *written,
                            struct sohoa_err *err);

#endif
