/* buf.h — the one growable byte buffer (like curl's dynbuf): text built piece by piece (SQL,
 * JSON, messages, decoded UTF-8, request bodies) under a hard size cap given at init.
 *
 * Every add either appends all its bytes or none. Growth is overflow-checked: the allocation
 * never passes the cap (+ 1 for the NUL), and a size that would wrap around SIZE_MAX is refused
 * like one past the cap. The contents are NUL-terminated whenever `data` is not NULL, so a text
 * buffer reads as a C string; bytes with NULs inside are fine too (`len` counts them).
 *
 * Failure is sticky: the first failure (SOHOA_ENOMEM, SOHOA_ELIMIT, SOHOA_EINVAL) is kept in
 * `failed` and every later add returns it without changing anything, so a chain of adds can be
 * checked once, at the end (sohoa_buf_take, or `failed`). What was added before the failure stays
 * readable. SOHOA_ENOMEM is never retryable (err.h); SOHOA_ELIMIT names a passed cap.
 *
 *     struct sohoa_buf b;
 *     sohoa_buf_init(&b, 64 * 1024);
 *     sohoa_buf_adds(&b, "SELECT ");
 *     sohoa_buf_addf(&b, "%d", n);
 *     if ((rc = sohoa_buf_take(&b, &sql, NULL)) < 0)   // sql == NULL, b released
 *         return sohoa_err_set(err, rc, false, "...");
 *
 * Ownership: the struct is a plain value owned by the caller; `data` is heap memory the buffer
 * owns until sohoa_buf_take hands it over (then the caller frees it) or sohoa_buf_release frees
 * it. Read `data` and `len` directly; write them only through these functions.
 * Threads: a buffer must not be shared between threads without a lock; distinct buffers are
 * independent.
 */
#ifndef SOHOA_BUF_H
#define SOHOA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct sohoa_buf {
    char *data; /* NULL until something was added; else NUL-terminated at data[len] */
    size_t len; /* bytes held, not counting the NUL */
    size_t cap; /* bytes allocated (len + 1 ≤ cap once allocated) */
    size_t max; /* the hard cap on len, given at init */
    int failed; /* 0, or the first failure (a negative SOHOA_E* code), sticky */
};

/* A static initialiser for a buffer that holds at most `max` bytes: struct sohoa_buf b =
 * SOHOA_BUF_INIT(4096). Same as sohoa_buf_init. */
#define SOHOA_BUF_INIT(max)                                                                        \
    {                                                                                              \
        NULL, 0, 0, (max), 0                                                                       \
    }

/* An empty buffer holding at most `max` bytes (max ≥ SIZE_MAX is taken as SIZE_MAX - 1, so the
 * NUL always fits). No allocation. */
void sohoa_buf_init(struct sohoa_buf *b, size_t max);

/* Append `n` bytes (`data` may be NULL when n is 0). 0; SOHOA_ELIMIT when len + n would pass the
 * cap (or wrap around); SOHOA_ENOMEM; the sticky failure of an earlier add. */
int sohoa_buf_add(struct sohoa_buf *b, const void *data, size_t n);
/* Append the string `s` (without its NUL). As sohoa_buf_add. */
int sohoa_buf_adds(struct sohoa_buf *b, const char *s);
/* Append one byte. As sohoa_buf_add. */
int sohoa_buf_addc(struct sohoa_buf *b, char c);
/* Append printf-formatted text, any length up to the cap. As sohoa_buf_add, and SOHOA_EINVAL when
 * the format fails (vsnprintf < 0). */
int sohoa_buf_addf(struct sohoa_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sohoa_buf_vaddf(struct sohoa_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Make room for `n` more bytes (and the NUL) in one allocation of just that size, so adds up to
 * it do not reallocate: for a length known in advance. As sohoa_buf_add (nothing is added). */
int sohoa_buf_reserve(struct sohoa_buf *b, size_t n);

/* Cut the contents to the first `len` bytes (e.g. back to a mark taken earlier), keeping the
 * memory. 0; SOHOA_EINVAL when `len` is more than is held; the sticky failure. */
int sohoa_buf_setlen(struct sohoa_buf *b, size_t len);

/* Empty the buffer and clear its failure, keeping the memory and the cap: ready for reuse. */
void sohoa_buf_reset(struct sohoa_buf *b);

/* Free the memory; the buffer is empty again (cap kept, failure cleared) and may be reused. */
void sohoa_buf_release(struct sohoa_buf *b);

/* Hand the contents over: *out receives the NUL-terminated bytes (an allocated "" when nothing
 * was added), to be freed by the caller, and *len (may be NULL) their length; the buffer is left
 * empty, as after sohoa_buf_release. After a failure (sticky, or SOHOA_ENOMEM allocating the
 * empty string) *out is NULL, *len 0, the buffer is released and the failure returned. */
int sohoa_buf_take(struct sohoa_buf *b, char **out, size_t *len);

#endif
