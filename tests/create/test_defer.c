/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_defer: the factory runs once per subscription and never at
 * assembly, each subscriber gets fresh state, factory failures, demand
 * recorded before start, cancel, attached contexts, bad arguments and
 * allocation failures.
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

/* ---- factories ------------------------------------------------------- */

/* Counts its calls in *(int *)ctx and returns range(calls, 2): each
 * subscriber sees different values. */
static rx_observable *
counting_range(void *ctx, rx_error **err)
{
    int *calls = ctx;

    (void)err;
    (*calls)++;
    return rx_range(*calls, 2);
}

static rx_observable *
range_1_to_5(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(1, 5);
}

static rx_observable *
fails_with_err(void *ctx, rx_error **err)
{
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "factory failed");
    return NULL;
}

/* Returns NULL after a failed constructor call set the last error. */
static rx_observable *
fails_with_last_error(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_map(rx_range(0, -1), rx_t_times10, NULL);
}

/* Sets *err and also returns an observable, which must be released. */
static rx_observable *
fails_but_returns(void *ctx, rx_error **err)
{
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "both");
    return rx_just(rx_str("dropped"));
}

static rx_observable *
returns_throw(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_throw(rx_error_new(RX_T_EUSER, "inner"));
}

static void
drop_counter(void *data)
{
    (*(int *)data)++;
}

/* Returns map(range(1, 3)) with a ctx attached to it: the ctx counts
 * drops, so the test sees when it is released. */
static rx_observable *
attached(void *ctx, rx_error **err)
{
    (void)err;
    return rx_attach(rx_map(rx_range(1, 3), rx_t_times10, NULL), ctx,
                     drop_counter);
}

/* ---- tests ----------------------------------------------------------- */

static void
test_defer_calls_factory_once_per_subscription_not_at_assembly(void **state)
{
    int calls = 0;
    rx_observable *obs = rx_defer(counting_range, &calls);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(obs);
    assert_int_equal(calls, 0);
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(calls, 1);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    assert_int_equal(calls, 2);
    rx_observable_release(obs);
    /* Each subscription ran its own observable. */
    assert_rx_ints(a, 1, 2);
    assert_rx_completed(a);
    assert_rx_ints(b, 2, 3);
    assert_rx_completed(b);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
}

static void
test_defer_forwards_demand_recorded_before_start(void **state)
{
    rx_test_observer *t = run_with(rx_defer(range_1_to_5, NULL), 2);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_defer_stops_after_cancel_mid_stream(void **state)
{
    rx_observable *obs = rx_defer(range_1_to_5, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_defer_disposed_in_on_subscribe_never_calls_factory(void **state)
{
    int calls = 0;
    rx_observable *obs = rx_defer(counting_range, &calls);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(calls, 0);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_defer_factory_error_fails_the_subscription(void **state)
{
    rx_test_observer *t = run_with(rx_defer(fails_with_err, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_string_equal(rx_error_message(rx_test_error(t)), "factory failed");
    rx_test_observer_free(t);
}

static void
test_defer_factory_null_without_err_fails_with_last_error(void **state)
{
    rx_test_observer *t =
        run_with(rx_defer(fails_with_last_error, NULL), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)), "rx_range"));
    rx_test_observer_free(t);
}

static void
test_defer_factory_error_wins_over_its_result(void **state)
{
    rx_test_observer *t =
        run_with(rx_defer(fails_but_returns, NULL), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_defer_passes_inner_error_on(void **state)
{
    rx_test_observer *t =
        run_with(rx_map(rx_defer(returns_throw, NULL), rx_t_times10, NULL),
                 RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_defer_keeps_attached_ctx_until_subscription_is_freed(void **state)
{
    int drops = 0;
    rx_observable *obs = rx_defer(attached, &drops);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 10);
    assert_int_equal(drops, 0); /* the inner map still runs */
    rx_test_request(t, 5);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    assert_int_equal(drops, 1);
}

static void
test_defer_rejects_null_factory(void **state)
{
    (void)state;
    assert_rx_fails(rx_defer(NULL, NULL), RX_EINVAL, "rx_defer");
    assert_non_null(strstr(rx_last_error_message(), "factory"));
}

static rx_value
str_len(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int((int64_t)rx_str_len(v));
}

static rx_observable *
oom_factory_len(void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_map(rx_just(rx_str("abc")), str_len, NULL);
}

static void
defer_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_defer(oom_factory_len, NULL);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
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
        /* The factory's own failure, or assembling its result. */
        assert_rx_no_items(t);
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_defer_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(defer_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_defer_calls_factory_once_per_subscription_not_at_assembly),
        rx_unit_test(test_defer_forwards_demand_recorded_before_start),
        rx_unit_test(test_defer_stops_after_cancel_mid_stream),
        rx_unit_test(test_defer_disposed_in_on_subscribe_never_calls_factory),
        rx_unit_test(test_defer_factory_error_fails_the_subscription),
        rx_unit_test(test_defer_factory_null_without_err_fails_with_last_error),
        rx_unit_test(test_defer_factory_error_wins_over_its_result),
        rx_unit_test(test_defer_passes_inner_error_on),
        rx_unit_test(test_defer_keeps_attached_ctx_until_subscription_is_freed),
        rx_unit_test(test_defer_rejects_null_factory),
        rx_unit_test(test_defer_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
