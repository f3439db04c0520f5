/* SPDX-License-Identifier: MIT */
/*
 * W1: range(0, N) -> map(x * 2) -> filter(x % 3 == 0) -> sum, measured
 * four ways in one binary, interleaved round by round:
 *
 *   hand        a plain C loop doing the arithmetic inline;
 *   fused_floor a loop making only the user's calls per element (map,
 *               filter, and the sink for the items that pass) through
 *               function pointers with uvrx's own signatures, error checks
 *               included -- the least any library calling user callbacks
 *               can do;
 *   scalar      the uvrx pipeline with rx_map / rx_filter;
 *   batch       the uvrx pipeline with rx_map_batch / rx_filter_batch and
 *               an on_next_batch subscriber;
 *   batch_floor the same three kernels over hand-filled chunks of 256
 *               values, no library: the least a batch pipeline can cost.
 *
 * Prints one RESULT line per comparison; each figure is the median of the
 * rounds. Usage: bench_w1 [rounds] [n].
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "w1_user.h"

static int64_t n_items = 10000000;

static double
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int64_t
run_hand(void)
{
    volatile int64_t n = n_items; /* keep the loop from being folded */
    int64_t sum = 0;

    for (int64_t i = 0; i < n; i++) {
        int64_t x = i * 2;
        if (x % 3 == 0) {
            sum += x;
        }
    }
    return sum;
}

/* The user's functions as a library receives them: pointers known only at
 * run time (read through a volatile so the compiler cannot turn the calls
 * back into direct ones). */
static rx_map_fn volatile floor_map = w1_double;
static rx_pred_fn volatile floor_pred = w1_div3;
static void (*volatile floor_sink)(rx_value, void *) = w1_sink;

static int64_t
run_floor(void)
{
    rx_map_fn map = floor_map;
    rx_pred_fn pred = floor_pred;
    void (*sink)(rx_value, void *) = floor_sink;
    int64_t sum = 0;

    for (int64_t i = 0; i < n_items; i++) {
        rx_error *err = NULL;
        rx_value v = map(rx_int(i), NULL, &err);
        bool keep;
        if (err != NULL || v.type == RX_TYPE_INVALID) {
            return -1;
        }
        keep = pred(v, NULL, &err);
        if (err != NULL) {
            return -1;
        }
        if (keep) {
            sink(v, &sum);
        }
    }
    return sum;
}

/* The batch floor: the same kernels over chunks of 256 values filled by
 * hand, with no library at all. */
static int64_t
run_batch_floor(void)
{
    static rx_value buf[256];
    int64_t sum = 0;

    for (int64_t i = 0; i < n_items; i += 256) {
        rx_error *err = NULL;
        size_t n = n_items - i < 256 ? (size_t)(n_items - i) : 256;
        for (size_t k = 0; k < n; k++) {
            buf[k] = rx_int(i + (int64_t)k);
        }
        w1_double_batch(buf, n, NULL, &err);
        n = w1_div3_batch(buf, n, NULL, &err);
        if (err != NULL) {
            return -1;
        }
        w1_sink_batch(buf, n, &sum);
    }
    return sum;
}

static int64_t
run_pipeline(bool batch)
{
    int64_t sum = 0;
    rx_observable *o;
    rx_observer obs = {.ctx = &sum};

    if (batch) {
        o = rx_filter_batch(
            rx_map_batch(rx_range(0, n_items), w1_double_batch, NULL),
            w1_div3_batch, NULL);
        obs.on_next_batch = w1_sink_batch;
    } else {
        o = rx_filter(rx_map(rx_range(0, n_items), w1_double, NULL), w1_div3,
                      NULL);
        obs.on_next = w1_sink;
    }
    if (o == NULL || rx_subscribe(o, &obs, NULL) != 0) {
        fprintf(stderr, "bench_w1: %s\n", rx_last_error_message());
        exit(1);
    }
    rx_observable_release(o);
    return sum;
}

static int64_t
run_scalar(void)
{
    return run_pipeline(false);
}

static int64_t
run_batch(void)
{
    return run_pipeline(true);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

enum { VARIANTS = 5, MAX_ROUNDS = 101 };

int
main(int argc, char **argv)
{
    static const char *const names[VARIANTS] = {"hand", "fused_floor", "scalar",
                                                "batch", "batch_floor"};
    int64_t (*const fns[VARIANTS])(void) = {run_hand, run_floor, run_scalar,
                                            run_batch, run_batch_floor};
    double ns[VARIANTS][MAX_ROUNDS];
    double med[VARIANTS];
    int rounds = argc > 1 ? atoi(argv[1]) : 9;
    int64_t expect;

    if (argc > 2) {
        n_items = atoll(argv[2]);
    }
    if (rounds < 5) {
        rounds = 5;
    }
    if (rounds > MAX_ROUNDS) {
        rounds = MAX_ROUNDS;
    }
    expect = run_hand();
    for (int r = 0; r < rounds; r++) {
        for (int v = 0; v < VARIANTS; v++) {
            double t0 = now_ns();
            int64_t got = fns[v]();
            ns[v][r] = (now_ns() - t0) / (double)n_items;
            if (got != expect) {
                fprintf(stderr, "bench_w1: %s computed %lld, expected %lld\n",
                        names[v], (long long)got, (long long)expect);
                return 1;
            }
        }
    }
    for (int v = 0; v < VARIANTS; v++) {
        qsort(ns[v], (size_t)rounds, sizeof ns[v][0], cmp_double);
        med[v] = ns[v][rounds / 2];
    }
    printf("RESULT workload=W1 variant=fused_floor ns_per_elem=%.3f "
           "baseline=hand baseline_ns=%.3f ratio=%.2f\n",
           med[1], med[0], med[1] / med[0]);
    printf("RESULT workload=W1 variant=scalar ns_per_elem=%.3f "
           "baseline=fused_floor baseline_ns=%.3f ratio=%.2f\n",
           med[2], med[1], med[2] / med[1]);
    printf("RESULT workload=W1 variant=batch_floor ns_per_elem=%.3f "
           "baseline=hand baseline_ns=%.3f ratio=%.2f\n",
           med[4], med[0], med[4] / med[0]);
    printf("RESULT workload=W1 variant=batch ns_per_elem=%.3f "
           "baseline=hand baseline_ns=%.3f ratio=%.2f\n",
           med[3], med[0], med[3] / med[0]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
