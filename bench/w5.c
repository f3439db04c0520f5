/* SPDX-License-Identifier: MIT */
/*
 * W5: zip(range(0, 2,000,000), range(0, 2,000,000)) with a combiner that
 * adds the pair -> sum.
 *
 *   hand     one loop adding i + i to the sum;
 *   floor    a loop making only the user's calls per pair -- the combiner
 *            and the observer's on_next, through run-time function
 *            pointers with uvrx's signatures, error check included: the
 *            least any library calling user callbacks can do;
 *   zip      rx_zip() of two rx_range()s with that combiner, summed by
 *            an observer's on_next.
 *
 * Prints one RESULT line per comparison, the figures being medians over
 * the interleaved rounds, in ns per pair. Usage: bench_w5 [rounds] [n].
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvrx.h>

#include "bench.h"

static int64_t n_items = 2000000;

static int64_t
run_hand(void)
{
    volatile int64_t n = n_items; /* keep the loop from being folded */
    int64_t sum = 0;

    for (int64_t i = 0; i < n; i++) {
        int64_t a = bench_opaque(i);
        sum += a + i;
    }
    return sum;
}

static rx_value
plus(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)n;
    (void)ctx;
    (void)err;
    return rx_int(items[0].as.i + items[1].as.i);
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
    fprintf(stderr, "bench_w5: %s\n", rx_error_message(err));
    exit(1);
}

/* The user's functions as a library receives them: pointers known only at
 * run time. */
static rx_zip_fn volatile floor_combine = plus;
static void (*volatile floor_sink)(rx_value, void *) = add;

static int64_t
run_floor(void)
{
    rx_zip_fn combine = floor_combine;
    void (*sink)(rx_value, void *) = floor_sink;
    int64_t sum = 0;

    for (int64_t i = 0; i < n_items; i++) {
        rx_value row[2] = {rx_int(i), rx_int(i)};
        rx_error *err = NULL;
        rx_value v = combine(row, 2, NULL, &err);
        if (err != NULL || v.type == RX_TYPE_INVALID) {
            return -1;
        }
        sink(v, &sum);
    }
    return sum;
}

static int64_t
run_zip(void)
{
    int64_t sum = 0;
    rx_observer obs = {.on_next = add, .on_error = fail, .ctx = &sum};
    rx_observable *o =
        rx_zip(rx_range(0, n_items), rx_range(0, n_items), plus, NULL);

    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w5: %s\n", rx_last_error_message());
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
        {.name = "floor", .run = run_floor},
        {.name = "zip", .run = run_zip},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_items = atoll(argv[2]);
    }
    if (bench_run("bench_w5", v, 3, rounds, (double)n_items) != 0) {
        return 1;
    }
    bench_result("W5", &v[1], &v[0]);
    bench_result("W5", &v[2], &v[0]);
    bench_result("W5", &v[2], &v[1]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
