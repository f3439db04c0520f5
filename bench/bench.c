/* SPDX-License-Identifier: MIT */
/* The timing harness of the W2-W5 benchmarks; see bench.h. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { MAX_ROUNDS = 101, MAX_VARIANTS = 8 };

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

int
bench_rounds(int argc, char **argv, int dflt)
{
    int rounds = argc > 1 ? atoi(argv[1]) : dflt;

    if (rounds < 5) {
        rounds = 5;
    }
    return rounds > MAX_ROUNDS ? MAX_ROUNDS : rounds;
}

int
bench_run(const char *prog, struct bench_variant *v, int nv, int rounds,
          double items)
{
    static double ns[MAX_VARIANTS][MAX_ROUNDS];
    int64_t expect = v[0].run();

    if (nv > MAX_VARIANTS || rounds > MAX_ROUNDS) {
        fprintf(stderr, "%s: too many variants or rounds\n", prog);
        return 1;
    }
    for (int r = -1; r < rounds; r++) { /* round -1 warms up */
        for (int i = 0; i < nv; i++) {
            double t0 = now_ns();
            int64_t got = v[i].run();
            double t = now_ns() - t0;
            if (got != expect) {
                fprintf(stderr, "%s: %s computed %lld, expected %lld\n", prog,
                        v[i].name, (long long)got, (long long)expect);
                return 1;
            }
            if (r >= 0) {
                ns[i][r] = t / items;
            }
        }
    }
    for (int i = 0; i < nv; i++) {
        qsort(ns[i], (size_t)rounds, sizeof ns[i][0], cmp_double);
        v[i].ns = ns[i][rounds / 2];
    }
    return 0;
}

void
bench_result(const char *workload, const struct bench_variant *v,
             const struct bench_variant *base)
{
    printf("RESULT workload=%s variant=%s ns_per_elem=%.3f baseline=%s "
           "baseline_ns=%.3f ratio=%.2f\n",
           workload, v->name, v->ns, base->name, base->ns, v->ns / base->ns);
}
