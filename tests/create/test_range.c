/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_range: values and order, empty and extreme intervals,
 * demand, cancel, re-subscription, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* Subscribes a test observer with the given initial demand to obs
 * (taken). */
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

static void
test_range_emits_count_integers_from_start_then_completes(void **state)
{
    rx_test_observer *t = run_with(rx_range(1, 4), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_of_count_zero_completes_without_items(void **state)
{
    rx_test_observer *t = run_with(rx_range(5, 0), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_crosses_zero_from_negative_start(void **state)
{
    rx_test_observer *t = run_with(rx_range(-2, 4), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, -2, -1, 0, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_reaches_just_below_int64_max(void **state)
{
    rx_test_observer *t = run_with(rx_range(INT64_MAX - 2, 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, INT64_MAX - 2, INT64_MAX - 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_starts_at_int64_min(void **state)
{
    rx_test_observer *t = run_with(rx_range(INT64_MIN, 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, INT64_MIN, INT64_MIN + 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_honours_demand_one_item_at_a_time(void **state)
{
    rx_test_observer *t = run_with(rx_range(1, 3), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_requesting_inside_on_next_does_not_recurse(void **state)
{
    rx_observable *obs = rx_range(0, 200000);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 200000);
    assert_int_equal(rx_as_int(rx_test_value(t, 199999)), 199999);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_range_stops_after_cancel_mid_stream(void **state)
{
    rx_observable *obs = rx_range(0, INT64_MAX);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_range_stops_when_downstream_map_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run_with(rx_map(rx_range(1, 10), rx_t_fail_at, &at), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_range_restarts_for_each_subscription(void **state)
{
    rx_observable *obs = rx_range(7, 2);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    rx_observable_release(obs);
    assert_rx_ints(a, 7, 8);
    assert_rx_completed(a);
    assert_rx_ints(b, 7, 8);
    assert_rx_completed(b);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
}

static void
test_range_rejects_negative_count(void **state)
{
    (void)state;
    assert_rx_fails(rx_range(0, -1), RX_EINVAL, "rx_range");
    assert_non_null(strstr(rx_last_error_message(), "count"));
}

static void
test_range_rejects_interval_past_int64_max(void **state)
{
    (void)state;
    assert_rx_fails(rx_range(INT64_MAX, 1), RX_EINVAL, "rx_range");
    assert_rx_fails(rx_range(INT64_MAX - 1, 2), RX_EINVAL, "rx_range");
    assert_rx_fails(rx_range(1, INT64_MAX), RX_EINVAL, "rx_range");
    assert_non_null(strstr(rx_last_error_message(), "overflow"));
}

static void
range_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_range(1, 3);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(t);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rc, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 1, 2, 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_range_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(range_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_range_emits_count_integers_from_start_then_completes),
        rx_unit_test(test_range_of_count_zero_completes_without_items),
        rx_unit_test(test_range_crosses_zero_from_negative_start),
        rx_unit_test(test_range_reaches_just_below_int64_max),
        rx_unit_test(test_range_starts_at_int64_min),
        rx_unit_test(test_range_honours_demand_one_item_at_a_time),
        rx_unit_test(test_range_requesting_inside_on_next_does_not_recurse),
        rx_unit_test(test_range_stops_after_cancel_mid_stream),
        rx_unit_test(test_range_stops_when_downstream_map_fails),
        rx_unit_test(test_range_restarts_for_each_subscription),
        rx_unit_test(test_range_rejects_negative_count),
        rx_unit_test(test_range_rejects_interval_past_int64_max),
        rx_unit_test(test_range_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
