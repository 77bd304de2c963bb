/* fs.h — file-system helpers every layer shares: `mkdir -p`.
 *
 * Ownership: nothing is kept; `path` is read during the call only.
 * Threads: reentrant; two threads (or processes) creating the same directories at once both
 * succeed (a directory made meanwhile by another is not an error).
 */
#ifndef SOHOA_FS_H
#define SOHOA_FS_H

#include <sys/types.h>

#include "pipeline/base/err.h"

/* Create the directory `path` and every missing parent, each with `mode` (before the umask), like
 * `mkdir -p`. 0 when it exists afterwards (also when it already did). On failure errno says why
 * and the error is SOHOA_EINVAL (empty path, or longer than PATH_MAX) or SOHOA_EIO ("cannot create
 * DIR: reason", DIR the first one that could not be made, or one that exists but is not a
 * directory), retryable only when the disk or quota is full (ENOSPC, EDQUOT). */
int sohoa_mkdir_p(const char *path, mode_t mode, struct sohoa_err *err);

#endif
