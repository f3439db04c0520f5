/* SPDX-License-Identifier: MIT */
/*
 * Protocol rule 6: re-entrancy is bounded. A request(1) made inside every
 * on_next over a million items, and a concat of 100,000 synchronous
 * sources, must run in drain loops: no signal nests inside another, and
 * the stack stays flat -- checked on the default stack and on a thread
 * with a 256 KiB stack, where recursion would crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "rx_test.h"

struct depth_probe {
    rx_subscription *sub;
    int64_t items;
    int64_t last;
    bool ordered;
    int nesting;         /* signals currently running */
    int max_nesting;     /* deepest nesting seen */
    const char *base;    /* stack address at the first on_next */
    ptrdiff_t max_stack; /* furthest any on_next was from base */
    bool completed;
};

static void
probe_subscribe(rx_subscription *sub, void *ctx)
{
    struct depth_probe *p = ctx;

    p->sub = sub;
    rx_request(sub, 1);
}

static void
probe_next(rx_value v, void *ctx)
{
    struct depth_probe *p = ctx;
    char here;
    ptrdiff_t d;

    p->nesting++;
    if (p->nesting > p->max_nesting) {
        p->max_nesting = p->nesting;
    }
    if (p->base == NULL) {
        p->base = &here;
    }
    d = p->base - &here;
    if (d < 0) {
        d = -d;
    }
    if (d > p->max_stack) {
        p->max_stack = d;
    }
    if (p->items > 0 && rx_as_int(v) != p->last + 1) {
        p->ordered = false;
    }
    p->last = rx_as_int(v);
    p->items++;
    rx_request(p->sub, 1);
    p->nesting--;
}

static void
probe_complete(void *ctx)
{
    struct depth_probe *p = ctx;

    p->completed = true;
}

static rx_observable *
million_range(void)
{
    return rx_range(0, 1000000);
}

static rx_observable *
concat_of_justs(void)
{
    enum { N = 100000 };
    rx_observable **srcs = malloc(N * sizeof *srcs);
    rx_observable *c;

    if (srcs == NULL) {
        return NULL;
    }
    for (int i = 0; i < N; i++) {
        srcs[i] = rx_just(rx_int(i));
    }
    c = rx_concat_array(N, srcs);
    free(srcs);
    return c;
}

struct job {
    rx_observable *(*make)(void);
    int64_t expect;
    struct depth_probe probe;
    int rc;
};

static void
run_job(void *arg)
{
    struct job *j = arg;
    rx_observer o = {.on_subscribe = probe_subscribe,
                     .on_next = probe_next,
                     .on_complete = probe_complete,
                     .ctx = &j->probe};
    rx_observable *obs = j->make();
    rx_subscription *sub = NULL;

    memset(&j->probe, 0, sizeof j->probe);
    j->probe.ordered = true;
    j->rc = obs == NULL ? -1 : rx_subscribe(obs, &o, &sub);
    rx_observable_release(obs);
    rx_dispose(sub);
}

static void
check_job(const struct job *j)
{
    assert_int_equal(j->rc, 0);
    assert_int_equal(j->probe.items, j->expect);
    assert_true(j->probe.ordered);
    assert_true(j->probe.completed);
    assert_int_equal(j->probe.max_nesting, 1);
    /* Every on_next ran at the same depth, give or take a frame or two. */
    assert_true(j->probe.max_stack < 4096);
}

static void
run_on_small_stack(struct job *j)
{
    uv_thread_t tid;
    uv_thread_options_t opts = {.flags = UV_THREAD_HAS_STACK_SIZE,
                                .stack_size = 256 * 1024};

    assert_int_equal(uv_thread_create_ex(&tid, &opts, run_job, j), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
}

static void
test_request_one_per_item_over_a_million_items_stays_flat(void **state)
{
    struct job j = {.make = million_range, .expect = 1000000};

    (void)state;
    rx_skip_if_stress();
    run_job(&j);
    check_job(&j);
}

static void
test_request_one_per_item_on_a_256k_stack(void **state)
{
    struct job j = {.make = million_range, .expect = 1000000};

    (void)state;
    rx_skip_if_stress();
    run_on_small_stack(&j);
    check_job(&j);
}

static void
test_concat_of_100000_justs_stays_flat(void **state)
{
    struct job j = {.make = concat_of_justs, .expect = 100000};

    (void)state;
    run_job(&j);
    check_job(&j);
}

static void
test_concat_of_100000_justs_on_a_256k_stack(void **state)
{
    struct job j = {.make = concat_of_justs, .expect = 100000};

    (void)state;
    run_on_small_stack(&j);
    check_job(&j);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_request_one_per_item_over_a_million_items_stays_flat),
        rx_unit_test(test_request_one_per_item_on_a_256k_stack),
        rx_unit_test(test_concat_of_100000_justs_stays_flat),
        rx_unit_test(test_concat_of_100000_justs_on_a_256k_stack),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
