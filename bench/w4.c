/* SPDX-License-Identifier: MIT */
/*
 * W4: a publish subject with 100 subscribers, 100,000 items pushed: ten
 * million deliveries, each subscriber adding the items to its own sum.
 *
 *   fn_ptrs  a plain loop calling, for each item, 100 function pointers
 *            (the subscribers' on_next, read from an array filled at run
 *            time) with each subscriber's context;
 *   publish  rx_subject_publish(), 100 observers subscribed to it (no
 *            on_subscribe, so unbounded demand), rx_subject_next() per
 *            item, then rx_subject_complete(); making the subject and
 *            subscribing are timed too.
 *
 * Prints one RESULT line, the figures being medians over the interleaved
 * rounds, in ns per delivery (item x subscriber). Usage: bench_w4 [rounds]
 * [items] [subscribers].
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvrx.h>

#include "bench.h"

enum { MAX_SUBS = 1000 };

static int64_t n_items = 100000;
static int n_subs = 100;

static void
add(rx_value v, void *ctx)
{
    *(int64_t *)ctx += v.as.i;
}

static void
fail(const rx_error *err, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "bench_w4: %s\n", rx_error_message(err));
    exit(1);
}

static int64_t sums[MAX_SUBS];

/* Filled by main, so the compiler cannot see which functions they are. */
static void (*fns[MAX_SUBS])(rx_value, void *);

static int64_t
total(void)
{
    int64_t t = 0;

    for (int j = 0; j < n_subs; j++) {
        t += sums[j];
        sums[j] = 0;
    }
    return t;
}

static int64_t
run_fn_ptrs(void)
{
    for (int64_t i = 0; i < n_items; i++) {
        rx_value v = rx_int(i);
        for (int j = 0; j < n_subs; j++) {
            fns[j](v, &sums[j]);
        }
    }
    return total();
}

static int64_t
run_publish(void)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o = rx_subject_observable(s);

    if (o == NULL) {
        fprintf(stderr, "bench_w4: %s\n", rx_last_error_message());
        exit(1);
    }
    for (int j = 0; j < n_subs; j++) {
        rx_observer obs = {.on_next = add, .on_error = fail, .ctx = &sums[j]};
        if (rx_subscribe(o, &obs, NULL) != 0) {
            fprintf(stderr, "bench_w4: %s\n", rx_last_error_message());
            exit(1);
        }
    }
    for (int64_t i = 0; i < n_items; i++) {
        if (rx_subject_next(s, rx_int(i)) != 0) {
            fprintf(stderr, "bench_w4: rx_subject_next failed\n");
            exit(1);
        }
    }
    rx_subject_complete(s);
    rx_observable_release(o);
    rx_subject_release(s);
    return total();
}

int
main(int argc, char **argv)
{
    struct bench_variant v[] = {
        {.name = "fn_ptrs", .run = run_fn_ptrs},
        {.name = "publish", .run = run_publish},
    };
    int rounds = bench_rounds(argc, argv, 9);

    if (argc > 2) {
        n_items = atoll(argv[2]);
    }
    if (argc > 3) {
        n_subs = atoi(argv[3]);
    }
    if (n_subs < 1 || n_subs > MAX_SUBS) {
        n_subs = 100;
    }
    for (int j = 0; j < n_subs; j++) {
        fns[j] = add;
    }
    if (bench_run("bench_w4", v, 2, rounds, (double)n_items * n_subs) != 0) {
        return 1;
    }
    bench_result("W4", &v[1], &v[0]);
    rx_shutdown();
    return rx_live_objects() == 0 ? 0 : 1;
}
