/* SPDX-License-Identifier: MIT */
/*
 * W2: range(0, 1,000,000) -> flat_map(v -> range(v, 10)) -> sum: ten
 * million items, each source item replaced by a fresh ten-item inner
 * observable.
 *
 *   hand      two nested loops adding each item (v + k) to the sum;
 *   flat_map  the uvrx pipeline, the inner function building a new
 *             rx_range(v, 10) per item, summed by an observer's on_next.
 *
 * Prints one RESULT line, the figures being medians over the interleaved
 * rounds, in ns per emitted item. Usage: bench_w2 [rounds] [n].
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvrx.h>

#include "bench.h"

enum { INNER = 10 };

static int64_t n_outer = 1000000;

static int64_t
run_hand(void)
{
    volatile int64_t n = n_outer; /* keep the loop from being folded */
    int64_t sum = 0;

    for (int64_t v = 0; v < n; v++) {
        for (int64_t k = 0; k < INNER; k++) {
            sum += bench_opaque(v + k);
        }
    }
    return sum;
}

static rx_observable *
to_inner(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(v.as.i, INNER);
}

static void
add(rx_value v, void *ctx)
{
    *(int64_t *)ctx += v.as.i;
}

static void
fail(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "bench_w2: %s\n", rx_error_message(err));
    exit(1);
}

static int64_t
run_flat_map(void)
{
    int64_t sum = 0;
    rx_observer obs = {.on_next = add, .on_error = fail, .ctx = &sum};
    rx_observable *o = rx_flat_map(rx_range(0, n_outer), to_inner, NULL);

    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w2: %s\n", rx_last_error_message());
        exit(1);
    }
    rx_observable_release(o);
    return sum;
}

int
main(int argc, char **argv)
{
    struct bench_variant v[] = {
        {.name = "hand", .run = run_hand},
        {.name = "flat_map", .run = run_flat_map},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_outer = atoll(argv[2]);
    }
    if (bench_run("bench_w2", v, 2, rounds, (double)(n_outer * INNER)) != 0) {
        return 1;
    }
    bench_result("W2", &v[1], &v[0]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
