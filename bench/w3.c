/* SPDX-License-Identifier: MIT */
/*
 * W3: merge_array of 1,000 x range(0, 10,000) -> sum: ten million items
 * from a thousand synchronous sources merged into one stream.
 *
 *   hand         two nested loops adding each item to the sum;
 *   merge_array  the 1,000 rx_range observables built and merged by
 *                rx_merge_array (no concurrency limit), summed by an
 *                observer's on_next; building the sources is timed too.
 *
 * Prints one RESULT line, the figures being medians over the interleaved
 * rounds, in ns per emitted item. Usage: bench_w3 [rounds] [sources]
 * [items per source].
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvrx.h>

#include "bench.h"

static int64_t n_sources = 1000;
static int64_t n_each = 10000;

static int64_t
run_hand(void)
{
    volatile int64_t n = n_sources; /* keep the loops from being folded */
    volatile int64_t m = n_each;
    int64_t sum = 0;

    for (int64_t i = 0; i < n; i++) {
        for (int64_t k = 0; k < m; k++) {
            sum += bench_opaque(k);
        }
    }
    return sum;
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
    fprintf(stderr, "bench_w3: %s\n", rx_error_message(err));
    exit(1);
}

static int64_t
run_merge(void)
{
    int64_t sum = 0;
    rx_observer obs = {.on_next = add, .on_error = fail, .ctx = &sum};
    rx_observable **srcs = malloc((size_t)n_sources * sizeof *srcs);
    rx_observable *o;

    if (srcs == NULL) {
        exit(1);
    }
    for (int64_t i = 0; i < n_sources; i++) {
        srcs[i] = rx_range(0, n_each);
    }
    o = rx_merge_array((size_t)n_sources, srcs, RX_UNBOUNDED);
    free(srcs);
    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w3: %s\n", rx_last_error_message());
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
        {.name = "merge_array", .run = run_merge},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_sources = atoll(argv[2]);
    }
    if (argc > 3) {
        n_each = atoll(argv[3]);
    }
    if (bench_run("bench_w3", v, 2, rounds, (double)(n_sources * n_each)) !=
        0) {
        return 1;
    }
    bench_result("W3", &v[1], &v[0]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
