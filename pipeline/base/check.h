/* check.h — one finding of a check: a stable code, a severity and a message in Vietnamese and in
 * English. What validation (pipeline/fields/validate.h), scan quality (pipeline/image/quality.h)
 * and completeness report, and what records and the API show.
 *
 * Ownership: plain values, no heap memory inside. Threads: reentrant.
 */
#ifndef SOHOA_CHECK_H
#define SOHOA_CHECK_H

#define SOHOA_CHECK_CODE_MAX 32
#define SOHOA_CHECK_MSG_MAX  256

enum sohoa_check_severity {
    SOHOA_CHECK_PASS = 0,
    SOHOA_CHECK_WARNING = 1, /* usable, but a person should look (repair, soft-rule mismatch) */
    SOHOA_CHECK_ERROR = 2,   /* not a valid value: do not fill a form or index it as one */
};

/* One finding. Messages are NUL-terminated UTF-8 in sohoa's canonical form, never empty,
 * truncated on a character boundary. */
struct sohoa_check {
    enum sohoa_check_severity severity;
    char code[SOHOA_CHECK_CODE_MAX];  /* "<field>.<finding>", stable, for records and UIs */
    char msg_vi[SOHOA_CHECK_MSG_MAX]; /* Vietnamese */
    char msg_en[SOHOA_CHECK_MSG_MAX]; /* English */
};

/* "pass", "warning", "error"; "?" for anything else. */
const char *sohoa_check_severity_name(enum sohoa_check_severity s);

#endif
