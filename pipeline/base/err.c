/* err.c — filling and naming struct sohoa_err. */
#include "pipeline/base/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sohoa_err_clear(struct sohoa_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->retryable = false;
    err->msg[0] = '\0';
}

/* The name in parentheses: err.h makes it a macro for the analyzer. */
int(sohoa_err_set)(struct sohoa_err *err, int code, bool retryable, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    err->retryable = retryable;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void sohoa_err_prefix(struct sohoa_err *err, const char *fmt, ...)
{
    if (!err)
        return;
    char old[SOHOA_ERR_MSG_MAX];
    memcpy(old, err->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof err->msg - 2)
        return;
    size_t used = (size_t)n;
    err->msg[used++] = ':';
    err->msg[used++] = ' ';
    size_t room = sizeof err->msg - used - 1;
    size_t oldlen = strnlen(old, room);
    memcpy(err->msg + used, old, oldlen);
    err->msg[used + oldlen] = '\0';
}

const char *sohoa_status_name(int code)
{
    switch (code) {
    case SOHOA_OK:
        return "ok";
    case SOHOA_EINVAL:
        return "invalid";
    case SOHOA_ENOMEM:
        return "nomem";
    case SOHOA_EIO:
        return "io";
    case SOHOA_EFORMAT:
        return "format";
    case SOHOA_ELIMIT:
        return "limit";
    case SOHOA_ETIMEOUT:
        return "timeout";
    case SOHOA_ENOTFOUND:
        return "notfound";
    case SOHOA_EENCRYPTED:
        return "encrypted";
    case SOHOA_EBACKEND:
        return "backend";
    case SOHOA_EEMPTY:
        return "empty";
    case SOHOA_ECLOSED:
        return "closed";
    default:
        return "error";
    }
}
