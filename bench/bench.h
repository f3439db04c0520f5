/* SPDX-License-Identifier: MIT */
/*
 * Shared timing harness of the W2-W5 benchmarks: each binary lists its
 * variants (a function doing the whole workload once and returning a
 * checksum), bench_run() times them round by round, interleaved, checks
 * every checksum and keeps the median time per item of each variant, and
 * bench_result() prints one RESULT line (DESIGN.md section 6).
 */
#ifndef UVRX_BENCH_H
#define UVRX_BENCH_H

#include <stdint.h>

/* One way of doing the workload: `run` does all of it once and returns a
 * checksum every variant must agree on. */
struct bench_variant {
    const char *name;
    int64_t (*run)(void);
    double ns; /* median ns per item, set by bench_run() */
};

/* Hides x from the optimiser, so that a hand loop adds each item instead
 * of being folded into a closed formula or vectorised: the baselines
 * then cost what a plain scalar loop over the items costs (about one
 * cycle per item), whatever the compiler. */
static inline int64_t
bench_opaque(int64_t x)
{
    __asm__ volatile("" : "+r"(x));
    return x;
}

/* The round count from argv[1] (default `dflt`), clamped to [5, 101]. */
int bench_rounds(int argc, char **argv, int dflt);

/* Runs one untimed warm-up round, then `rounds` timed rounds, each
 * running every variant once in order; sets each variant's median ns per
 * item (`items` items per run). Returns 0, or 1 after printing which
 * variant returned a checksum other than the first variant's. */
int bench_run(const char *prog, struct bench_variant *v, int nv, int rounds,
              double items);

/* Prints `RESULT workload=<w> variant=<v> ns_per_elem=.. baseline=<b>
 * baseline_ns=.. ratio=..`. */
void bench_result(const char *workload, const struct bench_variant *v,
                  const struct bench_variant *base);

#endif
