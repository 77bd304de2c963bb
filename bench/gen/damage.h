/* damage.h — scan damage for the generator (bench/gen). Applied in scanner order: ink (text,
 * signature stroke, seal) on paper, lighting, skew, blur, grain, JPEG, threshold. All of it is
 * reproducible from the seed and the page index.
 *
 * Ownership: plain values; page_compose mallocs cv->px (the caller frees it), page_damage hands
 * out a VipsImage the caller unrefs. Threads: one page, one thread.
 */
#ifndef SOHOA_GEN_DAMAGE_H
#define SOHOA_GEN_DAMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <vips/vips.h>

#include "bench/gen/ink.h"
#include "bench/gen/page.h"
#include "bench/gen/render.h"
#include "bench/gen/util.h"
#include "pipeline/base/err.h"

struct damage {
    double skew;  /* degrees, positive = clockwise */
    double noise; /* sigma of gaussian grain, grey levels */
    double blur;  /* sigma, px */
    int jpeg_q;   /* 0: no JPEG round trip */
    bool uneven;  /* lighting gradient, vignette, paper tint */
    bool stamp;
};

enum colour_mode { MODE_COLOUR, MODE_GREY, MODE_BILEVEL };

/* Damage for page `index`: the fixed values, or drawn from a preset (0 none, 1 mild, 2 heavy).
 * Fixed values given on the command line (set_*) win over the preset. */
struct damage_plan {
    struct damage fixed;
    bool set_skew, set_noise, set_blur, set_jpeg, set_uneven, set_stamp;
    int preset;
};

/* The damage of page `index` under plan `dp` (mild: skew ±1.2°, grain σ 2–6, blur σ 0.3–0.8,
 * JPEG Q 70–92, uneven light 70 %, seal 30 %; heavy: ±3.5°, 8–16, 0.9–1.6, Q 35–60, always,
 * 60 %). */
struct damage damage_for(const struct damage_plan *dp, uint64_t seed, uint64_t index);

/* Uneven lighting: gradient, off-centre vignette, blotches, paper tint. */
int light_apply(struct canvas *cv, struct rng *r, struct sohoa_err *err);

/* Text coverage of `p`, its signature stroke and (dm->stamp) a seal reading `stamp_text` onto
 * white paper; lighting last. Fills *cv (cv->px malloc'd). */
int page_compose(struct gen *g, const struct page *p, const struct damage *dm,
                 enum colour_mode mode, const char *stamp_text, struct rng *r, struct canvas *cv,
                 struct sohoa_err *err);

/* Skew, blur, grain (seeded by noise_seed), JPEG round trip, binarisation → an image in memory
 * with the resolution of g->dpi (caller unrefs). */
int page_damage(const struct gen *g, const struct canvas *cv, const struct damage *dm,
                enum colour_mode mode, uint64_t noise_seed, VipsImage **out, struct sohoa_err *err);

#endif
