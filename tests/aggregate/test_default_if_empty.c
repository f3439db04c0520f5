/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_default_if_empty: items and demand pass through, the
 * default comes only for an empty upstream and waits for demand, errors
 * pass through, cancel, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

static rx_test_observer *
sub(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    return t;
}

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = sub(obs, initial);

    rx_observable_release(obs);
    return t;
}

static rx_test_observer *
run(rx_observable *obs)
{
    return run_with(obs, RX_UNBOUNDED);
}

static void
test_default_if_empty_passes_items_of_a_non_empty_source(void **state)
{
    rx_test_observer *t = run(rx_default_if_empty(rx_range(1, 3), rx_int(9)));

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_emits_default_for_an_empty_source(void **state)
{
    rx_test_observer *t = run(rx_default_if_empty(rx_empty(), rx_int(9)));

    (void)state;
    assert_rx_ints(t, 9);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_default_waits_for_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_default_if_empty(rx_empty(), rx_int(9)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 9);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_uses_demand_given_before_completion(void **state)
{
    rx_test_observer *t =
        run_with(rx_default_if_empty(rx_empty(), rx_int(9)), 1);

    (void)state;
    assert_rx_ints(t, 9);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_passes_demand_through(void **state)
{
    rx_test_observer *t =
        run_with(rx_default_if_empty(rx_range(1, 3), rx_int(9)), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_serves_requests_made_inside_on_next(void **state)
{
    rx_observable *obs = rx_default_if_empty(rx_range(1, 5), rx_int(9));
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_passes_upstream_error_without_default(void **state)
{
    rx_test_observer *t = run(rx_default_if_empty(
        rx_throw(rx_error_new(RX_T_EUSER, "boom")), rx_int(9)));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_passes_error_after_items(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = run(rx_default_if_empty(
        rx_map(rx_range(1, 5), rx_t_fail_at, &at), rx_int(9)));

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs = rx_default_if_empty(
        rx_map(rx_range(1, 10), count_calls, &calls), rx_int(9));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_cancel_drops_a_waiting_default(void **state)
{
    rx_test_observer *t =
        run_with(rx_default_if_empty(rx_empty(), rx_str("d")), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_shares_a_heap_default_between_subscriptions(void **state)
{
    rx_observable *obs = rx_default_if_empty(rx_empty(), rx_str("d"));
    rx_test_observer *t1 = sub(obs, RX_UNBOUNDED);
    rx_test_observer *t2 = sub(obs, RX_UNBOUNDED);

    (void)state;
    rx_observable_release(obs);
    assert_string_equal(rx_str_cstr(rx_test_value(t1, 0)), "d");
    assert_rx_completed(t1);
    assert_string_equal(rx_str_cstr(rx_test_value(t2, 0)), "d");
    assert_rx_completed(t2);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
}

static void
test_default_if_empty_never_ending_source_emits_nothing(void **state)
{
    rx_test_observer *t = run(rx_default_if_empty(rx_never(), rx_int(9)));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_handles_many_items(void **state)
{
    rx_test_observer *t =
        run(rx_default_if_empty(rx_range(0, 100000), rx_int(-1)));

    (void)state;
    assert_int_equal(rx_test_count(t), 100000);
    assert_int_equal(rx_as_int(rx_test_value(t, 99999)), 99999);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_default_if_empty_rejects_invalid_value(void **state)
{
    (void)state;
    assert_rx_fails(rx_default_if_empty(rx_empty(), rx_invalid()), RX_ENOMEM,
                    "rx_default_if_empty");
}

static void
test_default_if_empty_of_null_src_releases_value_and_keeps_last_error(
    void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_default_if_empty(NULL, rx_str("d")));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ctx non-NULL: a non-empty upstream. */
static void
default_if_empty_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_default_if_empty(
        ctx == NULL ? rx_empty() : rx_range(1, 2), rx_str("d"));
    rx_test_observer *t;
    int rc;

    (void)failed;
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
    } else if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else if (ctx == NULL) {
        assert_int_equal(rx_test_count(t), 1);
        assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "d");
        assert_rx_completed(t);
    } else {
        assert_rx_ints(t, 1, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_default_if_empty_survives_allocation_failures(void **state)
{
    int non_empty = 1;

    (void)state;
    assert_true(rx_oom_sweep(default_if_empty_oom_scenario, NULL) > 1);
    assert_true(rx_oom_sweep(default_if_empty_oom_scenario, &non_empty) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_default_if_empty_passes_items_of_a_non_empty_source),
        rx_unit_test(test_default_if_empty_emits_default_for_an_empty_source),
        rx_unit_test(test_default_if_empty_default_waits_for_demand),
        rx_unit_test(test_default_if_empty_uses_demand_given_before_completion),
        rx_unit_test(test_default_if_empty_passes_demand_through),
        rx_unit_test(test_default_if_empty_serves_requests_made_inside_on_next),
        rx_unit_test(
            test_default_if_empty_passes_upstream_error_without_default),
        rx_unit_test(test_default_if_empty_passes_error_after_items),
        rx_unit_test(test_default_if_empty_stops_after_cancel_mid_stream),
        rx_unit_test(test_default_if_empty_cancel_drops_a_waiting_default),
        rx_unit_test(
            test_default_if_empty_shares_a_heap_default_between_subscriptions),
        rx_unit_test(test_default_if_empty_never_ending_source_emits_nothing),
        rx_unit_test(test_default_if_empty_handles_many_items),
        rx_unit_test(test_default_if_empty_rejects_invalid_value),
        rx_unit_test(
            test_default_if_empty_of_null_src_releases_value_and_keeps_last_error),
        rx_unit_test(test_default_if_empty_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
