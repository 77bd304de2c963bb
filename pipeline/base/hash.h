/* hash.h — SHA-256 of files and buffers (content ids and integrity records), and HMAC-SHA256
 * (webhook signatures).
 * Threads: reentrant. */
#ifndef SOHOA_HASH_H
#define SOHOA_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/err.h"

#define SOHOA_SHA256_HEX 65 /* 64 hex digits + NUL */

/* Streams the file (never whole in memory); *size receives its length. Stops with SOHOA_ELIMIT
 * past max_bytes (0 = no limit). */
int sohoa_sha256_file(const char *path, uint64_t max_bytes, char hex[SOHOA_SHA256_HEX],
                      uint64_t *size, struct sohoa_err *err);
void sohoa_sha256_mem(const void *data, size_t len, char hex[SOHOA_SHA256_HEX]);

/* HMAC-SHA256 (RFC 2104) of the concatenation of `n` buffers under `key`, as 64 lower-case hex
 * digits. E.g. a webhook signature over timestamp, ".", body without copying the body. */
void sohoa_hmac_sha256(const void *key, size_t key_len, const void *const *parts,
                       const size_t *lens, int n, char hex[SOHOA_SHA256_HEX]);

#endif
