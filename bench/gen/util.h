/* util.h — small helpers shared by the document generator's files (bench/gen, sohoa_gen):
 * a seeded random number generator, Pango-escaped text into a growable buffer (sohoa_buf,
 * pipeline/base/buf.h), UTF-8 upper-casing.
 *
 * Ownership: struct rng is a plain value owned by the caller. Threads: one generator is used from
 * one thread.
 */
#ifndef SOHOA_GEN_UTIL_H
#define SOHOA_GEN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/base/buf.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* splitmix64: tiny, fast, and the same sequence on every platform. */
struct rng {
    uint64_t s;
};

uint64_t rng_next(struct rng *r);
/* An independent stream per (seed, purpose, index): page 3 is the same whatever --pages says. */
struct rng rng_for(uint64_t seed, uint64_t purpose, uint64_t index);
double rng_unit(struct rng *r);                        /* [0, 1) */
double rng_range(struct rng *r, double lo, double hi); /* [lo, hi) */
int rng_int(struct rng *r, int lo, int hi);            /* inclusive */
const char *rng_pick(struct rng *r, const char *const *v, size_t n);

/* The generator's text buffers (markup, plain text, ground truth of a multi-page file) hold at
 * most this much: struct sohoa_buf b = GEN_BUF; a failure sticks (`failed`). */
#define GEN_BUF_MAX (64u << 20)
#define GEN_BUF     SOHOA_BUF_INIT(GEN_BUF_MAX)

/* Pango markup needs &, < and > escaped. */
void sb_put_escaped(struct sohoa_buf *b, const char *s);

/* Upper-case a UTF-8 string (all of it, or only its first letter) into out[outsz]. Output is NFC
 * when the input is: Vietnamese precomposed letters map to precomposed capitals. */
void utf8_case(const char *in, char *out, size_t outsz, bool first_only);

#endif
