/* intake.h — turning paths given by a user into stored originals and queued page jobs.
 *
 * A folder is a dossier (its optional dossier.json carries the metadata; its sub-folders are
 * dossiers of their own); a file given alone is a dossier of one document. For every file, in
 * this order: hash it, store the original byte for byte (before anything else touches it), probe
 * it, record it in the catalog, queue one job per page. A file that cannot be read, is not a
 * supported document, or passes a limit fails alone: its reason goes into the catalog and its
 * record, the rest of the dossier goes on.
 *
 * Threads: runs on the calling thread; it blocks while the queue is full (back-pressure).
 */
#ifndef SOHOA_INTAKE_H
#define SOHOA_INTAKE_H

#include "pipeline/base/err.h"
#include "workers/runtime/job.h"
#include "workers/runtime/runtime.h"

struct sohoa_intake_stats {
    long dossiers;
    long files;
    long files_refused;  /* failed at intake: unreadable, not a document, over a limit */
    long files_reused;   /* content finished before (any dossier): the dossier holds it, nothing
                            is redone */
    long files_followed; /* content being processed already (another dossier, run or host) */
    long files_same;     /* the same content as an earlier file of the same dossier: listed at
                            both positions, processed once */
    long pages_queued;
};

/* Callback for a refused file or a dossier-level problem (for the CLI's log). */
typedef void (*sohoa_intake_note_fn)(void *arg, const char *dossier, const char *name,
                                     const struct sohoa_err *why);

int sohoa_intake_paths(struct sohoa_runtime *rt, char *const *paths, int n, enum sohoa_lane lane,
                       sohoa_intake_note_fn note, void *note_arg, struct sohoa_intake_stats *stats,
                       struct sohoa_err *err);

/* A safe id from any label: ASCII letters, digits, '.', '_', '-' (Vietnamese folded: "Hồ sơ
 * Đà Nẵng" → "ho-so-da-nang"), at most 64 bytes. Writes "" when nothing usable remains. */
void sohoa_slug(const char *label, char *out, size_t outsz);

#endif
