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
 *   minimal   the least a library calling an observer per item can do:
 *             the callback loops plus, per source item, a call to an
 *             inner function through a pointer that takes a ten-value
 *             range descriptor from a free list, and its return there
 *             (no demand, no cancel, no reference count);
 *   flat_map  the uvrx pipeline, the inner function building a new
 *             rx_range(v, 10) per item, summed by an observer's on_next;
 *   batch     the same pipeline summed by an observer's on_next_batch
 *             (DESIGN.md section 6), which keeps the sum in a register
 *             within a batch.
 *
 * Prints the RESULT lines of the workload (flat_map and batch against
 * hand) and those of flat_map against the two floors, the figures being
 * medians over the interleaved rounds, in ns per emitted item.
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

/* minimal's inner source: a range descriptor recycled through a free
 * list, the cheapest allocator there is. */
struct mini_range {
    int64_t start;
    int64_t end;
    struct mini_range *next_free;
};

static struct mini_range *mini_free_list;

static struct mini_range *
mini_to_inner(rx_value v, void *ctx)
{
    struct mini_range *r = mini_free_list;

    (void)ctx;
    if (r != NULL) {
        mini_free_list = r->next_free;
    } else if ((r = malloc(sizeof *r)) == NULL) {
        return NULL;
    }
    r->start = v.as.i;
    r->end = v.as.i + INNER;
    return r;
}

static struct mini_range *(*volatile mini_fn)(rx_value, void *) = mini_to_inner;

static int64_t
run_minimal(void)
{
    volatile int64_t n = n_outer;
    void (*on_next)(rx_value, void *) = sink_fn;
    struct mini_range *(*fn)(rx_value, void *) = mini_fn;
    int64_t sum = 0;

    for (int64_t v = 0; v < n; v++) {
        struct mini_range *r = fn(rx_int(v), NULL);
        if (r == NULL) {
            fprintf(stderr, "bench_w2: out of memory\n");
            exit(1);
        }
        for (int64_t k = r->start; k < r->end; k++) {
            on_next(rx_int(k), &sum);
        }
        r->next_free = mini_free_list;
        mini_free_list = r;
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

/* The sum as an on_next_batch observer: a register within the batch. */
static void
add_batch(rx_value *vals, size_t n, void *ctx)
{
    int64_t s = 0;

    for (size_t i = 0; i < n; i++) {
        s += vals[i].as.i;
    }
    *(int64_t *)ctx += s;
}

static void
fail(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "bench_w2: %s\n", rx_error_message(err));
    exit(1);
}

static int64_t
run_pipeline(bool batch)
{
    int64_t sum = 0;
    rx_observer obs = {.on_error = fail, .ctx = &sum};
    rx_observable *o = rx_flat_map(rx_range(0, n_outer), to_inner, NULL);

    if (batch) {
        obs.on_next_batch = add_batch;
    } else {
        obs.on_next = add;
    }
    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w2: %s\n", rx_last_error_message());
        exit(1);
    }
    rx_observable_release(o);
    return sum;
}

static int64_t
run_flat_map(void)
{
    return run_pipeline(false);
}

static int64_t
run_batch(void)
{
    return run_pipeline(true);
}

static void
free_minimal(void)
{
    while (mini_free_list != NULL) {
        struct mini_range *r = mini_free_list;
        mini_free_list = r->next_free;
        free(r);
    }
}

int
main(int argc, char **argv)
{
    struct bench_variant v[] = {
        {.name = "hand", .run = run_hand},
        {.name = "flat_map", .run = run_flat_map},
        {.name = "callback", .run = run_callback},
        {.name = "minimal", .run = run_minimal},
        {.name = "batch", .run = run_batch},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_outer = atoll(argv[2]);
    }
    if (bench_run("bench_w2", v, 5, rounds, (double)(n_outer * INNER)) != 0) {
        return 1;
    }
    bench_result("W2", &v[1], &v[0]);
    bench_result("W2", &v[4], &v[0]);
    bench_result("W2", &v[1], &v[2]);
    bench_result("W2", &v[1], &v[3]);
    free_minimal();
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
