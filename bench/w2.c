/* SPDX-License-Identifier: MIT */
/*
 * W2: range(0, 1,000,000) -> flat_map(v -> range(v, 10)) -> sum: ten
 * million items, each source item replaced by a fresh ten-item inner
 * observable.
 *
 *   hand      two nested loops adding each item (v + k) to the sum;
 *   callback  the same loops calling the observer's on_next below through
 *             a function pointer per item, as any library must: what the
 *             sink alone costs (its sum lives in memory, so each call
 *             waits for the previous one's store);
 *   flat_map  the uvrx pipeline, the inner function building a new
 *             rx_range(v, 10) per item, summed by an observer's on_next.
 *
 * Prints the RESULT line of the workload (flat_map against hand) and one
 * of flat_map against the callback floor, the figures being medians over
 * the interleaved rounds, in ns per emitted item.
 * Usage: bench_w2 [rounds] [n].
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

static void add(rx_value v, void *ctx);

/* The observer's callback through a pointer the compiler cannot see. */
static void (*volatile sink_fn)(rx_value, void *) = add;

static int64_t
run_callback(void)
{
    volatile int64_t n = n_outer;
    void (*on_next)(rx_value, void *) = sink_fn;
    int64_t sum = 0;

    for (int64_t v = 0; v < n; v++) {
        for (int64_t k = 0; k < INNER; k++) {
            on_next(rx_int(v + k), &sum);
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
        {.name = "callback", .run = run_callback},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_outer = atoll(argv[2]);
    }
    if (bench_run("bench_w2", v, 3, rounds, (double)(n_outer * INNER)) != 0) {
        return 1;
    }
    bench_result("W2", &v[1], &v[0]);
    bench_result("W2", &v[1], &v[2]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
