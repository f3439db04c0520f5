/* SPDX-License-Identifier: MIT */
/*
 * The generator and the latency distributions of the simulated I/O.
 *
 * xoshiro256** (Blackman and Vigna) is small, fast and has a 2^256 - 1
 * period; its state is seeded by running splitmix64 from the user's seed,
 * which turns any 64-bit seed (0 included) into a valid non-zero state.
 * Every draw consumes a fixed number of outputs, so a simulation that
 * makes the same calls in the same order sees the same numbers. No
 * draw caches anything between calls: Box-Muller's second normal is
 * thrown away, so a copy of a generator and the original stay in step.
 */
#include <math.h>

#include "rx-internal.h"

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void
rx_sim_rng_seed(rx_sim_rng *rng, uint64_t seed)
{
    uint64_t x = seed;

    if (rng == NULL) {
        return;
    }
    for (int i = 0; i < 4; i++) {
        rng->s[i] = splitmix64(&x);
    }
}

uint64_t
rx_sim_rng_next(rx_sim_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double
rx_sim_rng_uniform(rx_sim_rng *rng)
{
    /* The top 53 bits, scaled by 2^-53: every double in [0, 1) that is a
     * multiple of 2^-53, equally likely. */
    return (double)(rx_sim_rng_next(rng) >> 11) * 0x1.0p-53;
}

double
rx_sim_rng_normal(rx_sim_rng *rng)
{
    /* 1 - u lies in (0, 1], so the logarithm is finite. */
    double u1 = 1.0 - rx_sim_rng_uniform(rng);
    double u2 = rx_sim_rng_uniform(rng);

    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* Whether x is a finite number >= 0. */
static bool
nonneg(double x)
{
    return isfinite(x) && x >= 0.0;
}

int
rx_sim_dist_check(const rx_sim_dist *d)
{
    if (d == NULL) {
        return rx__fail(RX_EINVAL, "rx_sim_dist: dist must not be NULL");
    }
    switch (d->kind) {
    case RX_SIM_FIXED:
        if (!nonneg(d->ms)) {
            return rx__fail(RX_EINVAL, "rx_sim_dist: ms must be finite "
                                       "and >= 0");
        }
        return 0;
    case RX_SIM_UNIFORM:
        if (!nonneg(d->min_ms) || !nonneg(d->max_ms) || d->max_ms < d->min_ms) {
            return rx__fail(RX_EINVAL, "rx_sim_dist: min_ms and max_ms must "
                                       "be finite with 0 <= min_ms <= "
                                       "max_ms");
        }
        return 0;
    case RX_SIM_NORMAL:
        if (!nonneg(d->mean_ms) || !nonneg(d->stddev_ms)) {
            return rx__fail(RX_EINVAL, "rx_sim_dist: mean_ms and stddev_ms "
                                       "must be finite and >= 0");
        }
        return 0;
    case RX_SIM_LOGNORMAL:
        if (!nonneg(d->median_ms) || d->median_ms == 0.0 || !nonneg(d->sigma)) {
            return rx__fail(RX_EINVAL, "rx_sim_dist: median_ms must be "
                                       "finite and > 0, sigma finite and "
                                       ">= 0");
        }
        return 0;
    case RX_SIM_PARETO:
        if (!nonneg(d->scale_ms) || d->scale_ms == 0.0 || !nonneg(d->shape) ||
            d->shape == 0.0) {
            return rx__fail(RX_EINVAL, "rx_sim_dist: scale_ms and shape "
                                       "must be finite and > 0");
        }
        return 0;
    }
    return rx__fail(RX_EINVAL, "rx_sim_dist: kind must be an "
                               "rx_sim_dist_kind value");
}

double
rx_sim_dist_draw(const rx_sim_dist *d, rx_sim_rng *rng)
{
    double x;

    if (d == NULL || rng == NULL) {
        return NAN;
    }
    switch (d->kind) {
    case RX_SIM_FIXED:
        /* One draw even here, so that changing the distribution keeps
         * the rest of a simulation's stream where it was. */
        (void)rx_sim_rng_uniform(rng);
        return d->ms;
    case RX_SIM_UNIFORM:
        return d->min_ms + (d->max_ms - d->min_ms) * rx_sim_rng_uniform(rng);
    case RX_SIM_NORMAL:
        x = d->mean_ms + d->stddev_ms * rx_sim_rng_normal(rng);
        return x > 0.0 ? x : 0.0;
    case RX_SIM_LOGNORMAL:
        return d->median_ms * exp(d->sigma * rx_sim_rng_normal(rng));
    case RX_SIM_PARETO:
        /* Inverse transform: 1 - u lies in (0, 1], so the power is
         * finite and the draw is >= scale_ms. */
        return d->scale_ms / pow(1.0 - rx_sim_rng_uniform(rng), 1.0 / d->shape);
    }
    return NAN;
}
