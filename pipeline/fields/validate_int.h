/* validate_int.h — what the validator files share (internal to pipeline/validate*.c).
 *
 * validate.c holds the shared parts: result findings and messages, the prepared input, OCR digit
 * repair; validate_id.c (CCCD, MST), validate_date.c (dates), validate_doc.c (receipt numbers,
 * procedure codes, document numbers) hold one subject each. Not part of sohoa's API.
 * Threads: everything here is reentrant.
 */
#ifndef SOHOA_VALIDATE_INT_H
#define SOHOA_VALIDATE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/buf.h"
#include "pipeline/fields/validate.h"

/* What a field is called: the prefix of its codes and its name inside a sentence. */
struct field {
    const char *key;
    const char *vi;
    const char *en;
};

#define REPAIRS_LISTED 6

/* Message parts are built in a sohoa_buf (pipeline/base/buf.h) of this cap, far above any text
 * a finding can make (its pieces are bounded by SOHOA_VALIDATE_INPUT_MAX), then cut to their
 * fixed-size field by vd_sb_done: the cut is the only limit a message meets. */
#define VD_TEXT_MAX ((size_t)64 * 1024)

/* The input as canonical code points, white space trimmed; cp[i] is character base + i + 1 of
 * the canonical text. */
struct input {
    uint32_t *cp;
    size_t n;
    size_t base;
};

/* Repairs made while reading one value: how many, and the first few in detail. */
struct repairs {
    int n;
    struct {
        size_t pos;
        uint32_t from, to;
    } item[REPAIRS_LISTED];
};

/* The start every validator shares: `v` zeroed (SOHOA_EINVAL when `v` or `raw` is NULL), `today`
 * (NULL: the clock) checked into *now when `now` is given, then `raw` loaded into `in` (free
 * in->cp, also after a failure). 0; 1 when a finding in `v` already says the input is unusable
 * (too long, empty); or negative. */
int vd_begin(const char *raw, const struct field *f, const struct sohoa_ymd *today,
             struct sohoa_ymd *now, struct sohoa_validation *v, struct input *in,
             struct sohoa_err *err);
bool vd_cp_alnum(uint32_t c);
bool vd_cp_dash(uint32_t c);
bool vd_cp_digit(uint32_t c);
char vd_cp_fold(uint32_t c);
bool vd_cp_space(uint32_t c);
bool vd_digits_collect(const struct input *in, const struct field *f, struct sohoa_validation *v,
                       char *d, size_t cap, size_t *nd, struct repairs *rep);
struct sohoa_check *vd_finding(struct sohoa_validation *v, enum sohoa_check_severity sev,
                               const struct field *f, const char *what);
size_t vd_input_pos(const struct input *in, size_t i);
void vd_msg(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vd_quote_char(char *vi, char *en, size_t cap, uint32_t cp, size_t pos);
char vd_repair_digit(uint32_t c);
void vd_repairs_note(struct repairs *r, size_t pos, uint32_t from, uint32_t to);
void vd_repairs_report(struct sohoa_validation *v, const struct field *f, const struct repairs *r);
void vd_sb_cp(struct sohoa_buf *b, uint32_t cp);
void vd_sb_done(struct sohoa_buf *b, char *s, size_t cap);
void vd_value_set(struct sohoa_validation *v, const char *s);

#endif
