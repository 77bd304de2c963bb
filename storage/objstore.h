/* objstore.h — the object-store contract: named blobs under string keys.
 *
 * A backend is a versioned table of function pointers chosen from a URL scheme:
 *   file:///abs/dir  or a bare path  → a directory tree (objstore_dir.c), the embedded default;
 *   s3://bucket/prefix               → S3/MinIO (objstore_s3.c; endpoint and credentials come
 *                                      from SOHOA_S3_* environment variables, never the URL).
 * Keys are relative, '/'-separated, made of [A-Za-z0-9._-] segments; never derived from user file
 * names (see workers/runtime/layout.h for the key layout). Writes are atomic: a reader sees the
 * whole object or none. Putting an existing key replaces it (upsert), which makes redelivered jobs
 * safe.
 *
 * Ownership: buffers and paths returned through out-params are malloc'd and owned by the caller.
 * Threads: a struct sohoa_objstore may be used from many threads at once; backends make that safe.
 */
#ifndef SOHOA_OBJSTORE_H
#define SOHOA_OBJSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

struct sohoa_objstore_ops {
    int version; /* 1 */
    const char *scheme;
    /* Copy a local file into the store, streaming (never the whole file in memory). */
    int (*put_file)(void *be, const char *key, const char *src_path, struct sohoa_err *err);
    int (*put_mem)(void *be, const char *key, const void *data, size_t len, struct sohoa_err *err);
    /* Read a whole object; fails with SOHOA_ELIMIT if it is larger than max_len. */
    int (*get_mem)(void *be, const char *key, size_t max_len, uint8_t **data, size_t *len,
                   struct sohoa_err *err);
    /* A local file holding the object: the object itself when the backend is a directory
     * (*is_temp = false), else a downloaded temporary file the caller unlinks (*is_temp = true). */
    int (*get_file)(void *be, const char *key, char **path, bool *is_temp, struct sohoa_err *err);
    /* *size is set when the object exists; a missing object is not an error here. */
    int (*stat)(void *be, const char *key, bool *exists, uint64_t *size, struct sohoa_err *err);
    void (*close)(void *be);
};

struct sohoa_objstore {
    const struct sohoa_objstore_ops *ops;
    void *be;
    char *url;
};

/* Open the backend named by `url`. */
int sohoa_objstore_open(const char *url, struct sohoa_objstore **out, struct sohoa_err *err);
void sohoa_objstore_free(struct sohoa_objstore **store);

/* A key segment's longest length: leaves room in a file name (255 bytes) for the directory
 * backend's temporary suffix. */
#define SOHOA_KEY_SEGMENT_MAX 200

/* True when `key` is a well-formed key: at most 1024 bytes of non-empty segments of
 * [A-Za-z0-9._-], each at most SOHOA_KEY_SEGMENT_MAX bytes, no "." or "..". */
bool sohoa_objstore_key_ok(const char *key);

/* Convenience wrappers that validate the key, then call the backend. */
int sohoa_obj_put_file(struct sohoa_objstore *s, const char *key, const char *src,
                       struct sohoa_err *err);
int sohoa_obj_put_mem(struct sohoa_objstore *s, const char *key, const void *data, size_t len,
                      struct sohoa_err *err);
int sohoa_obj_put_str(struct sohoa_objstore *s, const char *key, const char *text,
                      struct sohoa_err *err);
int sohoa_obj_get_mem(struct sohoa_objstore *s, const char *key, size_t max_len, uint8_t **data,
                      size_t *len, struct sohoa_err *err);
int sohoa_obj_get_file(struct sohoa_objstore *s, const char *key, char **path, bool *is_temp,
                       struct sohoa_err *err);
int sohoa_obj_stat(struct sohoa_objstore *s, const char *key, bool *exists, uint64_t *size,
                   struct sohoa_err *err);

/* Backend constructors (used by sohoa_objstore_open). */
int sohoa_objstore_dir_open(const char *root, void **be, const struct sohoa_objstore_ops **ops,
                            struct sohoa_err *err);
/* `location` is the URL after "s3://": "bucket[/prefix]". Checks the bucket and the credentials
 * with one request, so a missing bucket or refused credentials fail here. */
int sohoa_objstore_s3_open(const char *location, void **be, const struct sohoa_objstore_ops **ops,
                           struct sohoa_err *err);

#endif
