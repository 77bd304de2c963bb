/* log.h — the one log sink of the runtime and the API: one line per message on stderr,
 *
 *     sohoa[component]: LEVEL: message
 *
 * e.g. "sohoa[worker]: WARN: catalog unreachable (reconnecting)". LEVEL is ERROR, WARN or INFO;
 * `component` names the part that speaks ("worker", "serve", "webhook", ...). Lines below the
 * minimum level are dropped: the minimum is read once, on the first message, from the
 * environment variable SOHOA_LOG_LEVEL ("error", "warn" or "info", any case; unset or anything
 * else: info, so everything is written). Newlines at the start of the message are written before
 * the prefix (to end a progress line the caller drew on the terminal); the line ends with one
 * newline, added here. The CLI's own output to its user (usage, results) does not go through here.
 *
 * Ownership: nothing is kept; the strings are read during the call only.
 * Threads: safe from any thread; a line is written whole under a mutex, never interleaved with
 * another sohoa_log line.
 */
#ifndef SOHOA_LOG_H
#define SOHOA_LOG_H

#include <stdarg.h>

enum sohoa_log_level {
    SOHOA_LOG_ERROR = 0, /* something failed and was given up: a document, a delivery */
    SOHOA_LOG_WARN = 1,  /* something failed and is retried, or is degraded but goes on */
    SOHOA_LOG_INFO = 2,  /* what an operator wants to know: a start, a stop, a summary */
};

/* Write one line at `level` (see above); `component` may be NULL ("sohoa: LEVEL: ..."). */
void sohoa_log(enum sohoa_log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sohoa_vlog(enum sohoa_log_level level, const char *component, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Set the minimum level from now on (overrides SOHOA_LOG_LEVEL; tests, programs with a flag). */
void sohoa_log_set_level(enum sohoa_log_level min);

/* "error", "warn" ("warning") or "info", any case, into *out: 0, or SOHOA_EINVAL (*out kept). */
int sohoa_log_level_parse(const char *s, enum sohoa_log_level *out);

#endif
