/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_concat, rx_concat_array and rx_repeat: order across
 * sources, empty lists and counts, demand across source boundaries,
 * stack safety with 100,000 synchronous sources and a million repeats,
 * errors and cancel in the middle, sources completing from outside the
 * subscribe loop, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

/* A source that counts its subscriptions in *(int *)ctx. */
static rx_observable *
counted_just(void *ctx, rx_error **err)
{
    int *subs = ctx;

    (void)err;
    (*subs)++;
    return rx_just(rx_int(100 + *subs));
}

/* A raw observer that only counts, for runs too long to record. */
struct tally {
    int64_t items;
    int64_t last;
    int completes;
    int errors;
    rx_subscription *sub;
    bool request_each;
};

static void
tally_subscribe(rx_subscription *sub, void *ctx)
{
    struct tally *y = ctx;

    y->sub = sub;
    rx_request(sub, y->request_each ? 1 : RX_UNBOUNDED);
}

static void
tally_next(rx_value v, void *ctx)
{
    struct tally *y = ctx;

    y->items++;
    y->last = rx_as_int(v);
    if (y->request_each) {
        rx_request(y->sub, 1);
    }
}

static void
tally_error(const rx_error *err, void *ctx)
{
    (void)err;
    ((struct tally *)ctx)->errors++;
}

static void
tally_complete(void *ctx)
{
    ((struct tally *)ctx)->completes++;
}

static void
run_tally(rx_observable *obs, struct tally *y)
{
    rx_observer ob = {
        .on_subscribe = tally_subscribe,
        .on_next = tally_next,
        .on_error = tally_error,
        .on_complete = tally_complete,
        .ctx = y,
    };

    assert_non_null(obs);
    assert_int_equal(rx_subscribe(obs, &ob, NULL), 0);
    rx_observable_release(obs);
}

/* ---- concat ---------------------------------------------------------- */

static void
test_concat_emits_first_then_second(void **state)
{
    rx_test_observer *t =
        run_with(rx_concat(rx_range(1, 2), rx_of_ints(3)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_array_runs_sources_in_order_skipping_empty_ones(void **state)
{
    rx_observable *srcs[4];
    rx_test_observer *t;

    (void)state;
    srcs[0] = rx_empty();
    srcs[1] = rx_range(1, 2);
    srcs[2] = rx_empty();
    srcs[3] = rx_map(rx_range(3, 2), rx_t_times10, NULL);
    t = run_with(rx_concat_array(4, srcs), RX_UNBOUNDED);
    assert_rx_ints(t, 1, 2, 30, 40);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_array_of_no_sources_completes_empty(void **state)
{
    rx_test_observer *t = run_with(rx_concat_array(0, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_honours_demand_across_source_boundaries(void **state)
{
    rx_test_observer *t =
        run_with(rx_concat(rx_range(1, 2), rx_range(3, 2)), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_of_100000_justs_completes_without_deep_recursion(void **state)
{
    const size_t n = 100000;
    rx_observable **srcs = malloc(n * sizeof *srcs);
    struct tally y = {0};
    size_t i;

    (void)state;
    assert_non_null(srcs);
    for (i = 0; i < n; i++) {
        srcs[i] = rx_just(rx_int((int64_t)i));
    }
    run_tally(rx_concat_array(n, srcs), &y);
    free(srcs);
    assert_int_equal(y.items, (int64_t)n);
    assert_int_equal(y.last, (int64_t)n - 1);
    assert_int_equal(y.completes, 1);
    assert_int_equal(y.errors, 0);
}

static void
test_concat_of_100000_justs_with_request_one_per_item(void **state)
{
    const size_t n = 100000;
    rx_observable **srcs = malloc(n * sizeof *srcs);
    struct tally y = {.request_each = true};
    size_t i;

    (void)state;
    assert_non_null(srcs);
    for (i = 0; i < n; i++) {
        srcs[i] = rx_just(rx_int((int64_t)i));
    }
    run_tally(rx_concat_array(n, srcs), &y);
    free(srcs);
    assert_int_equal(y.items, (int64_t)n);
    assert_int_equal(y.last, (int64_t)n - 1);
    assert_int_equal(y.completes, 1);
}

static void
test_concat_stops_at_an_error_in_the_middle(void **state)
{
    int subs = 0;
    rx_observable *srcs[3];
    rx_test_observer *t;

    (void)state;
    srcs[0] = rx_range(1, 2);
    srcs[1] = rx_throw(rx_error_new(RX_T_EUSER, "middle"));
    srcs[2] = rx_defer(counted_just, &subs);
    t = run_with(rx_concat_array(3, srcs), RX_UNBOUNDED);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(subs, 0);
    rx_test_observer_free(t);
}

static void
test_concat_stops_when_an_inner_map_fails(void **state)
{
    int64_t at = 4;
    rx_test_observer *t = run_with(
        rx_concat(rx_range(1, 2), rx_map(rx_range(3, 5), rx_t_fail_at, &at)),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_concat_stops_on_cancel_in_the_middle(void **state)
{
    int subs = 0;
    rx_observable *srcs[3];
    rx_observable *obs;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    srcs[0] = rx_range(1, 2);
    srcs[1] = rx_range(3, 2);
    srcs[2] = rx_defer(counted_just, &subs);
    obs = rx_concat_array(3, srcs);
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(subs, 0);
    rx_test_observer_free(t);
}

/* Keeps the emitter so the test can finish the source later. */
static void
keep_emitter(rx_emitter *em, void *ctx)
{
    *(rx_emitter **)ctx = em;
}

static void
test_concat_moves_on_when_a_source_completes_from_outside(void **state)
{
    rx_emitter *em = NULL;
    rx_test_observer *t = run_with(
        rx_concat(rx_create(keep_emitter, &em), rx_range(5, 2)), RX_UNBOUNDED);

    (void)state;
    assert_non_null(em);
    assert_rx_no_items(t);
    assert_int_equal(rx_emitter_next(em, rx_int(1)), 0);
    assert_rx_ints(t, 1);
    /* Completing from outside any callback: the finished source is on
     * the stack while the next one runs. */
    assert_int_equal(rx_emitter_complete(em), 0);
    assert_rx_ints(t, 1, 5, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* ---- repeat ---------------------------------------------------------- */

static void
test_repeat_runs_the_source_count_times(void **state)
{
    rx_test_observer *t = run_with(rx_repeat(rx_range(1, 3), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 1, 2, 3, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_repeat_subscribes_afresh_each_time(void **state)
{
    int subs = 0;
    rx_test_observer *t =
        run_with(rx_repeat(rx_defer(counted_just, &subs), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 101, 102, 103);
    assert_rx_completed(t);
    assert_int_equal(subs, 3);
    rx_test_observer_free(t);
}

static void
test_repeat_zero_times_completes_without_subscribing(void **state)
{
    int subs = 0;
    rx_test_observer *t =
        run_with(rx_repeat(rx_defer(counted_just, &subs), 0), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(subs, 0);
    rx_test_observer_free(t);
}

static void
test_repeat_of_a_range_with_request_one_per_item(void **state)
{
    struct tally y = {.request_each = true};

    (void)state;
    run_tally(rx_repeat(rx_range(0, 4), 50000), &y);
    assert_int_equal(y.items, 200000);
    assert_int_equal(y.last, 3);
    assert_int_equal(y.completes, 1);
}

static void
test_repeat_of_just_a_million_times_runs_in_a_loop(void **state)
{
    struct tally y = {0};

    (void)state;
    rx_skip_if_stress();
    run_tally(rx_repeat(rx_just(rx_int(7)), 1000000), &y);
    assert_int_equal(y.items, 1000000);
    assert_int_equal(y.last, 7);
    assert_int_equal(y.completes, 1);
}

static void
test_repeat_forever_stops_on_cancel(void **state)
{
    rx_observable *obs = rx_repeat(rx_range(1, 2), RX_UNBOUNDED);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 5);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2, 1, 2, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_repeat_stops_at_the_first_error(void **state)
{
    rx_test_observer *t =
        run_with(rx_repeat(rx_concat(rx_of_ints(1),
                                     rx_throw(rx_error_new(RX_T_EUSER, "e"))),
                           5),
                 RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

/* ---- bad arguments --------------------------------------------------- */

static void
test_concat_array_rejects_null_srcs(void **state)
{
    (void)state;
    assert_rx_fails(rx_concat_array(2, NULL), RX_EINVAL, "rx_concat_array");
    assert_non_null(strstr(rx_last_error_message(), "srcs"));
}

static void
test_concat_with_a_null_source_releases_the_others(void **state)
{
    rx_observable *srcs[3];

    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_concat(rx_range(1, 2), NULL));
    assert_null(rx_concat(NULL, rx_just(rx_str("x"))));
    srcs[0] = rx_just(rx_str("a"));
    srcs[1] = NULL;
    srcs[2] = rx_just(rx_str("c"));
    assert_null(rx_concat_array(3, srcs));
    /* The last error is still the first failure's. */
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_repeat_rejects_negative_count(void **state)
{
    (void)state;
    assert_rx_fails(rx_repeat(rx_just(rx_str("x")), -1), RX_EINVAL,
                    "rx_repeat");
    assert_non_null(strstr(rx_last_error_message(), "count"));
    assert_null(rx_range(0, -1));
    assert_null(rx_repeat(NULL, 2));
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ---- allocation failures --------------------------------------------- */

static void
concat_oom_scenario(bool failed, void *ctx)
{
    bool repeat = *(const bool *)ctx;
    rx_observable *obs =
        repeat ? rx_repeat(rx_map(rx_range(1, 2), rx_t_times10, NULL), 2)
               : rx_concat(rx_just(rx_str("s")),
                           rx_map(rx_range(1, 2), rx_t_times10, NULL));
    rx_test_observer *t;
    int rc;

    (void)failed;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        /* Assembling a later source failed while running. */
        assert_rx_error(t, RX_ENOMEM);
    } else if (repeat) {
        assert_rx_ints(t, 10, 20, 10, 20);
        assert_rx_completed(t);
    } else {
        assert_int_equal(rx_test_count(t), 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_concat_and_repeat_survive_allocation_failures(void **state)
{
    bool repeat = false;

    (void)state;
    assert_true(rx_oom_sweep(concat_oom_scenario, &repeat) > 1);
    repeat = true;
    assert_true(rx_oom_sweep(concat_oom_scenario, &repeat) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_concat_emits_first_then_second),
        rx_unit_test(
            test_concat_array_runs_sources_in_order_skipping_empty_ones),
        rx_unit_test(test_concat_array_of_no_sources_completes_empty),
        rx_unit_test(test_concat_honours_demand_across_source_boundaries),
        rx_unit_test(
            test_concat_of_100000_justs_completes_without_deep_recursion),
        rx_unit_test(test_concat_of_100000_justs_with_request_one_per_item),
        rx_unit_test(test_concat_stops_at_an_error_in_the_middle),
        rx_unit_test(test_concat_stops_when_an_inner_map_fails),
        rx_unit_test(test_concat_stops_on_cancel_in_the_middle),
        rx_unit_test(test_concat_moves_on_when_a_source_completes_from_outside),
        rx_unit_test(test_repeat_runs_the_source_count_times),
        rx_unit_test(test_repeat_subscribes_afresh_each_time),
        rx_unit_test(test_repeat_zero_times_completes_without_subscribing),
        rx_unit_test(test_repeat_of_a_range_with_request_one_per_item),
        rx_unit_test(test_repeat_of_just_a_million_times_runs_in_a_loop),
        rx_unit_test(test_repeat_forever_stops_on_cancel),
        rx_unit_test(test_repeat_stops_at_the_first_error),
        rx_unit_test(test_concat_array_rejects_null_srcs),
        rx_unit_test(test_concat_with_a_null_source_releases_the_others),
        rx_unit_test(test_repeat_rejects_negative_count),
        rx_unit_test(test_concat_and_repeat_survive_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
