/* buf.c — the capped growable buffer (buf.h). */
#include "pipeline/base/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/base/err.h"

#define BUF_FIRST_ALLOC 64 /* bytes of the first allocation (less when the cap is smaller) */

void sohoa_buf_init(struct sohoa_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max < SIZE_MAX ? max : SIZE_MAX - 1;
    b->failed = 0;
}

static int fail(struct sohoa_buf *b, int code)
{
    if (b->data)
        b->data[b->len] = '\0';
    b->failed = code;
    return code;
}

/* *need = len + n + 1 when `n` more bytes fit under the cap: 0, or the (now sticky) failure. */
static int room_needed(struct sohoa_buf *b, size_t n, size_t *need)
{
    if (b->failed)
        return b->failed;
    if (b->max >= SIZE_MAX)
        b->max = SIZE_MAX - 1; /* a struct filled in by hand: keep max + 1 representable */
    if (b->len > b->max || n > b->max - b->len)
        return fail(b, SOHOA_ELIMIT);
    *need = b->len + n + 1; /* ≤ max + 1 ≤ SIZE_MAX */
    return 0;
}

/* Exactly `cap` bytes allocated (cap ≥ len + 1): 0, or the (now sticky) SOHOA_ENOMEM. */
static int resize(struct sohoa_buf *b, size_t cap)
{
    char *p = realloc(b->data, cap);
    if (!p)
        return fail(b, SOHOA_ENOMEM);
    if (!b->data)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

/* Room for `n` more bytes and the NUL, growing geometrically: 0, or the (now sticky) failure. */
static int grow(struct sohoa_buf *b, size_t n)
{
    size_t need;
    int rc = room_needed(b, n, &need);
    if (rc || need <= b->cap)
        return rc;
    size_t limit = b->max + 1, cap = b->cap ? b->cap : BUF_FIRST_ALLOC;
    while (cap < need)
        cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit)
        cap = limit;
    if (cap > need) {
        if (resize(b, cap) == 0)
            return 0;
        b->failed = 0; /* doubling asked for more than there is: ask for what is needed */
    }
    return resize(b, need);
}

int sohoa_buf_reserve(struct sohoa_buf *b, size_t n)
{
    size_t need;
    int rc = room_needed(b, n, &need);
    if (rc || need <= b->cap)
        return rc;
    return resize(b, need);
}

int sohoa_buf_add(struct sohoa_buf *b, const void *data, size_t n)
{
    int rc = grow(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int sohoa_buf_adds(struct sohoa_buf *b, const char *s)
{
    return sohoa_buf_add(b, s, strlen(s));
}

int sohoa_buf_addc(struct sohoa_buf *b, char c)
{
    return sohoa_buf_add(b, &c, 1);
}

int sohoa_buf_vaddf(struct sohoa_buf *b, const char *fmt, va_list ap)
{
    if (b->failed)
        return b->failed;
    /* first into the room there is; when that is too small, grow to the exact size and again */
    size_t room = b->data ? b->cap - b->len : 0;
    va_list again;
    va_copy(again, ap);
    int k = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    int rc = 0;
    if (k < 0) {
        rc = fail(b, SOHOA_EINVAL);
        goto out;
    }
    if ((size_t)k >= room) {
        if (b->data)
            b->data[b->len] = '\0'; /* what the truncated attempt wrote is not part of it */
        if ((rc = grow(b, (size_t)k)) < 0)
            goto out;
        if (vsnprintf(b->data + b->len, b->cap - b->len, fmt, again) != k) {
            rc = fail(b, SOHOA_EINVAL);
            goto out;
        }
    }
    b->len += (size_t)k;
out:
    va_end(again);
    return rc;
}

int sohoa_buf_addf(struct sohoa_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = sohoa_buf_vaddf(b, fmt, ap);
    va_end(ap);
    return rc;
}

int sohoa_buf_setlen(struct sohoa_buf *b, size_t len)
{
    if (b->failed)
        return b->failed;
    if (len > b->len)
        return fail(b, SOHOA_EINVAL);
    b->len = len;
    if (b->data)
        b->data[len] = '\0';
    return 0;
}

void sohoa_buf_reset(struct sohoa_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void sohoa_buf_release(struct sohoa_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = 0;
}

int sohoa_buf_take(struct sohoa_buf *b, char **out, size_t *len)
{
    int rc = b->failed;
    *out = NULL;
    if (len)
        *len = 0;
    if (!rc && !b->data && (b->data = calloc(1, 1)) == NULL)
        rc = SOHOA_ENOMEM;
    if (rc) {
        sohoa_buf_release(b);
        return rc;
    }
    *out = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    sohoa_buf_release(b);
    return 0;
}
