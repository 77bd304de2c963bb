/* hash.h — SHA-256 of files and buffers (content ids and integrity records).
 * Threads: reentrant. */
#ifndef SOHOA_HASH_H
#define SOHOA_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/err.h"

#define SOHOA_SHA256_HEX 65 /* 64 hex digits + NUL */

/* Streams the file (never whole in memory); *size receives its length. Stops with SOHOA_ELIMIT
 * past max_bytes (0 = no limit). */
int sohoa_sha256_file(const char *path, uint64_t max_bytes, char hex[SOHOA_SHA256_HEX],
                      uint64_t *size, struct sohoa_err *err);
void sohoa_sha256_mem(const void *data, size_t len, char hex[SOHOA_SHA256_HEX]);

#endif
