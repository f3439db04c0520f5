/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_materialize and rx_dematerialize: signals become
 * notification items and back, the terminal notification waits for
 * demand, terminal notifications cancel the upstream, non-notifications
 * fail the stream, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* Counts its calls in *(int *)ctx and passes the item through. */
static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

/* Subscribes a test observer with this initial request to obs (taken). */
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

static rx_test_observer *
run(rx_observable *obs)
{
    return run_with(obs, RX_UNBOUNDED);
}

/* Item i is a next-notification holding the int `want`. */
static void
assert_next_int(const rx_test_observer *t, size_t i, int64_t want)
{
    rx_value v = rx_test_value(t, i);

    assert_int_equal(rx_notification_kind(v), RX_NOTIFY_NEXT);
    assert_true(rx_is_int(rx_notification_value(v)));
    assert_int_equal(rx_as_int(rx_notification_value(v)), want);
}

static void
assert_kind(const rx_test_observer *t, size_t i, int kind)
{
    assert_int_equal(rx_notification_kind(rx_test_value(t, i)), kind);
}

/* from_values of: next(1), <terminal>, next(2). */
static rx_observable *
notes_with_terminal(rx_value terminal)
{
    rx_value vals[3];

    vals[0] = rx_notify_next(rx_int(1));
    vals[1] = terminal;
    vals[2] = rx_notify_next(rx_int(2));
    return rx_from_values(3, vals);
}

/* ---- materialize ----------------------------------------------------- */

static void
test_materialize_wraps_items_and_completion(void **state)
{
    rx_test_observer *t = run(rx_materialize(rx_of_ints(1, 2)));

    (void)state;
    assert_int_equal(rx_test_count(t), 3);
    assert_next_int(t, 0, 1);
    assert_next_int(t, 1, 2);
    assert_kind(t, 2, RX_NOTIFY_COMPLETE);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_turns_error_into_item_then_completes(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run(rx_materialize(rx_map(rx_range(1, 5), rx_t_fail_at, &at)));
    const rx_error *err;

    (void)state;
    assert_int_equal(rx_test_count(t), 3);
    assert_next_int(t, 0, 1);
    assert_next_int(t, 1, 2);
    assert_kind(t, 2, RX_NOTIFY_ERROR);
    err = rx_notification_error(rx_test_value(t, 2));
    assert_non_null(err);
    assert_int_equal(rx_error_code(err), RX_T_EUSER);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_of_empty_source_emits_complete_notification(void **state)
{
    rx_test_observer *t = run(rx_materialize(rx_empty()));

    (void)state;
    assert_int_equal(rx_test_count(t), 1);
    assert_kind(t, 0, RX_NOTIFY_COMPLETE);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_terminal_notification_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_materialize(rx_of_ints(1)), 0);

    (void)state;
    assert_int_equal(rx_test_count(t), 0);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 1);
    assert_next_int(t, 0, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 2);
    assert_kind(t, 1, RX_NOTIFY_COMPLETE);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_error_notification_waits_for_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_materialize(rx_throw(rx_error_new(RX_T_EUSER, "boom"))), 0);

    (void)state;
    assert_int_equal(rx_test_count(t), 0);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 1);
    assert_kind(t, 0, RX_NOTIFY_ERROR);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_serves_requests_made_inside_on_next(void **state)
{
    rx_observable *obs = rx_materialize(rx_range(1, 3));
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 4);
    assert_next_int(t, 2, 3);
    assert_kind(t, 3, RX_NOTIFY_COMPLETE);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs =
        rx_materialize(rx_map(rx_range(1, 10), count_calls, &calls));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 2);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_materialize_cancel_drops_a_waiting_terminal(void **state)
{
    rx_test_observer *t = run_with(rx_materialize(rx_empty()), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 0);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_materialize_wraps_heap_values(void **state)
{
    rx_value s = rx_str("x");
    rx_test_observer *t = run(rx_materialize(rx_just(rx_value_retain(s))));

    (void)state;
    assert_int_equal(rx_test_count(t), 2);
    assert_true(rx_value_equal(rx_notification_value(rx_test_value(t, 0)), s));
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_value_release(s);
}

static void
test_materialize_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_materialize(rx_range(0, 100000)));

    (void)state;
    assert_int_equal(rx_test_count(t), 100001);
    assert_next_int(t, 99999, 99999);
    assert_kind(t, 100000, RX_NOTIFY_COMPLETE);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_materialize_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_materialize(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ctx NULL: materialize(range(1, 3)); otherwise the round trip through
 * dematerialize. */
static void
materialize_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_materialize(rx_range(1, 3));
    rx_test_observer *t;
    int rc;

    (void)failed;
    if (ctx != NULL) {
        obs = rx_dematerialize(obs);
    }
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
        assert_int_equal(rx_test_count(t), 4);
        assert_kind(t, 3, RX_NOTIFY_COMPLETE);
        assert_rx_completed(t);
    } else {
        assert_rx_ints(t, 1, 2, 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_materialize_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(materialize_oom_scenario, NULL) > 1);
}

/* ---- dematerialize --------------------------------------------------- */

static void
test_dematerialize_unwraps_items_and_completes(void **state)
{
    rx_test_observer *t = run(rx_dematerialize(rx_materialize(rx_range(1, 3))));

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_dematerialize_turns_error_notification_into_error(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = run(rx_dematerialize(
        rx_materialize(rx_map(rx_range(1, 5), rx_t_fail_at, &at))));

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_dematerialize_complete_notification_cancels_upstream(void **state)
{
    int calls = 0;
    rx_test_observer *t = run(rx_dematerialize(rx_map(
        notes_with_terminal(rx_notify_complete()), count_calls, &calls)));

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_dematerialize_error_notification_cancels_upstream(void **state)
{
    int calls = 0;
    rx_test_observer *t = run(rx_dematerialize(rx_map(
        notes_with_terminal(rx_notify_error(rx_error_new(RX_T_EUSER, "noted"))),
        count_calls, &calls)));

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    assert_string_equal(rx_error_message(rx_test_error(t)), "noted");
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_dematerialize_fails_on_an_item_that_is_not_a_notification(void **state)
{
    rx_test_observer *t = run(rx_dematerialize(rx_of_ints(1, 2)));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_dematerialize"));
    rx_test_observer_free(t);
}

static void
test_dematerialize_passes_upstream_error_on(void **state)
{
    rx_test_observer *t =
        run(rx_dematerialize(rx_throw(rx_error_new(RX_T_EUSER, "boom"))));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

/* Demand passes through one for one, as in RxJava: the complete
 * notification of a materialized stream needs a unit of demand too. */
static void
test_dematerialize_honours_demand_one_item_at_a_time(void **state)
{
    rx_test_observer *t =
        run_with(rx_dematerialize(rx_materialize(rx_range(1, 3))), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_dematerialize_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs = rx_dematerialize(
        rx_materialize(rx_map(rx_range(1, 10), count_calls, &calls)));
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
test_dematerialize_round_trips_heap_values(void **state)
{
    rx_value vals[2] = {rx_str("a"), rx_str("b")};
    rx_test_observer *t =
        run(rx_dematerialize(rx_materialize(rx_from_values(2, vals))));

    (void)state;
    assert_int_equal(rx_test_count(t), 2);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "a");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "b");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_dematerialize_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_dematerialize(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_dematerialize_survives_allocation_failures(void **state)
{
    int round_trip = 1;

    (void)state;
    assert_true(rx_oom_sweep(materialize_oom_scenario, &round_trip) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_materialize_wraps_items_and_completion),
        rx_unit_test(test_materialize_turns_error_into_item_then_completes),
        rx_unit_test(
            test_materialize_of_empty_source_emits_complete_notification),
        rx_unit_test(test_materialize_terminal_notification_waits_for_demand),
        rx_unit_test(test_materialize_error_notification_waits_for_demand),
        rx_unit_test(test_materialize_serves_requests_made_inside_on_next),
        rx_unit_test(test_materialize_stops_after_cancel_mid_stream),
        rx_unit_test(test_materialize_cancel_drops_a_waiting_terminal),
        rx_unit_test(test_materialize_wraps_heap_values),
        rx_unit_test(test_materialize_handles_many_items),
        rx_unit_test(
            test_materialize_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_materialize_survives_allocation_failures),
        rx_unit_test(test_dematerialize_unwraps_items_and_completes),
        rx_unit_test(test_dematerialize_turns_error_notification_into_error),
        rx_unit_test(test_dematerialize_complete_notification_cancels_upstream),
        rx_unit_test(test_dematerialize_error_notification_cancels_upstream),
        rx_unit_test(
            test_dematerialize_fails_on_an_item_that_is_not_a_notification),
        rx_unit_test(test_dematerialize_passes_upstream_error_on),
        rx_unit_test(test_dematerialize_honours_demand_one_item_at_a_time),
        rx_unit_test(test_dematerialize_stops_after_cancel_mid_stream),
        rx_unit_test(test_dematerialize_round_trips_heap_values),
        rx_unit_test(
            test_dematerialize_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_dematerialize_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
