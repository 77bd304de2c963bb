/* util.h — small helpers shared by the document generator's files (bench/gen, sohoa_gen):
 * a seeded random number generator, growable strings, UTF-8 upper-casing.
 *
 * Ownership: struct rng and struct sbuf are plain values owned by the caller; an sbuf's string is
 * malloc'd and freed by sb_release. Threads: one generator is used from one thread.
 */
#ifndef SOHOA_GEN_UTIL_H
#define SOHOA_GEN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* A growable NUL-terminated string; `oom` sticks once an allocation failed. Zero-initialise. */
struct sbuf {
    char *s;
    size_t len, cap;
    bool oom;
};

void sb_putn(struct sbuf *b, const char *p, size_t n);
void sb_puts(struct sbuf *b, const char *p);
void sb_release(struct sbuf *b);
/* Pango markup needs &, < and > escaped. */
void sb_put_escaped(struct sbuf *b, const char *s);

/* Upper-case a UTF-8 string (all of it, or only its first letter) into out[outsz]. Output is NFC
 * when the input is: Vietnamese precomposed letters map to precomposed capitals. */
void utf8_case(const char *in, char *out, size_t outsz, bool first_only);

#endif
