/* err.h — the one error type every sohoa function reports through.
 *
 * Convention: functions return int, 0 on success and a negative SOHOA_E* code on failure, and take
 * an optional last `struct sohoa_err *` that receives a human-readable message and a retryable
 * flag. Retryable errors (a server briefly unreachable, a disk momentarily full) are worth trying
 * again with backoff; permanent ones (a corrupt file, a limit passed) are recorded and
 * dead-lettered.
 *
 * Ownership: the struct is a plain value owned by the caller; no heap memory inside.
 * Threads: a struct sohoa_err must not be shared between threads without a lock.
 */
#ifndef SOHOA_ERR_H
#define SOHOA_ERR_H

#include <stdbool.h>

enum sohoa_status {
    SOHOA_OK = 0,
    SOHOA_EINVAL = -1,     /* bad argument or usage */
    SOHOA_ENOMEM = -2,     /* allocation failed */
    SOHOA_EIO = -3,        /* read/write failure of a file or stream */
    SOHOA_EFORMAT = -4,    /* input is not a supported or valid document */
    SOHOA_ELIMIT = -5,     /* a configured limit was passed (pixels, pages, bytes) */
    SOHOA_ETIMEOUT = -6,   /* a stage's deadline passed */
    SOHOA_ENOTFOUND = -7,  /* object, record or file does not exist */
    SOHOA_EENCRYPTED = -8, /* password-protected document */
    SOHOA_EBACKEND = -9,   /* a library or backend failed for its own reasons */
    SOHOA_EEMPTY = -10,    /* a document with no pages */
    SOHOA_ECLOSED = -11,   /* queue or pool shut down */
};

#define SOHOA_ERR_MSG_MAX 512

/* The retryable flag decides retry vs dead-letter (the runtime's jobs, the S3 and RabbitMQ retry
 * loops, the webhook outbox), so it has one meaning everywhere: true only when the same call, with
 * the same arguments, may succeed later because something outside this process recovers — a
 * server comes back, a lock is released, a connection is re-established, a full disk is emptied.
 * Never retryable, whatever the code:
 *   - out of memory (SOHOA_ENOMEM, and a library's or the kernel's "out of memory" reported under
 *     another code): the same work needs the same memory again, and a retry only delays the
 *     failure;
 *   - bad input (a corrupt or encrypted file, a limit passed, a value a backend refuses);
 *   - configuration errors (a malformed URL, an unknown scheme, missing or refused credentials, a
 *     setting out of range): they hold until someone changes the configuration;
 *   - usage errors (a NULL or bad argument, a call out of order).
 * When unsure, false: a wrong true spends every attempt and its backoff before the dead letter; a
 * wrong false only dead-letters early, and a dead letter can be replayed. */
struct sohoa_err {
    int code;                    /* one of enum sohoa_status */
    bool retryable;              /* the same call may succeed later: see above */
    char msg[SOHOA_ERR_MSG_MAX]; /* NUL-terminated, English, names the limit or file */
};

/* Clear an error struct (NULL allowed). */
void sohoa_err_clear(struct sohoa_err *err);

/* Record an error; returns `code` so callers can write `return sohoa_err_set(err, ...)`.
 * `err` may be NULL. The message is printf-formatted and truncated to fit. */
int sohoa_err_set(struct sohoa_err *err, int code, bool retryable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#ifdef __clang_analyzer__
/* For clang-tidy's analyzer only (deploy/tidy.sh), which does not look into err.c: the value of
 * `rc = sohoa_err_set(err, SOHOA_ENOMEM, ...)` is the code, never 0, so the path that continues as
 * if it had succeeded does not exist. The definition in err.c is written `(sohoa_err_set)`. */
#define sohoa_err_set(err, code, retryable, ...)                                                   \
    (sohoa_err_set((err), (code), (retryable), __VA_ARGS__), (code))
#endif

/* Prefix an existing message with context ("page 3: ..."); keeps code and retryable. */
void sohoa_err_prefix(struct sohoa_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Short stable name of a status code ("format", "limit", ...), for records and logs. */
const char *sohoa_status_name(int code);

#endif
