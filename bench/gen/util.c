/* util.c — small helpers of the document generator (bench/gen): a seeded random number
 * generator, Pango-escaped text, UTF-8 upper-casing. See util.h.
 */
#include "bench/gen/util.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An independent stream per (seed, purpose, index): page 3 is the same whatever --pages says. */
struct rng rng_for(uint64_t seed, uint64_t purpose, uint64_t index)
{
    struct rng r = {seed ^ (purpose * 0xd1b54a32d192ed03ULL) ^ (index * 0x8cb92ba72f3d8dd7ULL)};
    rng_next(&r);
    return r;
}

double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double rng_range(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

int rng_int(struct rng *r, int lo, int hi)
{
    return lo + (int)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

const char *rng_pick(struct rng *r, const char *const *v, size_t n)
{
    return v[rng_next(r) % n];
}

/* Pango markup needs &, < and > escaped. */
void sb_put_escaped(struct sohoa_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '&')
            (void)sohoa_buf_adds(b, "&amp;");
        else if (*s == '<')
            (void)sohoa_buf_adds(b, "&lt;");
        else if (*s == '>')
            (void)sohoa_buf_adds(b, "&gt;");
        else
            (void)sohoa_buf_addc(b, *s);
    }
}

/* Upper-case a UTF-8 string (all of it, or only its first letter). Output is NFC when the input
 * is: Vietnamese precomposed letters map to precomposed capitals. */
void utf8_case(const char *in, char *out, size_t outsz, bool first_only)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)in;
    size_t o = 0;
    bool done = false;
    while (*p) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0)
            break;
        if (!done)
            cp = utf8proc_toupper(cp);
        if (first_only)
            done = true;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
        if (o + (size_t)m + 1 > outsz)
            break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
        p += n;
    }
    out[o] = '\0';
}
