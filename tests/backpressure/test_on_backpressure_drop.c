/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_on_backpressure_drop: items pass while demand lasts, the
 * rest are dropped (and released), terminals pass straight through,
 * cancel, bad arguments and allocation failures. A hot pusher that
 * ignores demand (tests/support/rx_hot.h) plays the fast source.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_hot.h"
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

static void
test_drop_passes_everything_with_unbounded_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_on_backpressure_drop(rx_range(1, 5)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_drop_without_demand_drops_a_synchronous_source_and_completes(void **state)
{
    rx_test_observer *t = run_with(rx_on_backpressure_drop(rx_range(1, 5)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_drop_delivers_only_what_was_requested(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_drop(rx_t_hot_observable(h)), 1);

    (void)state;
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    for (int64_t i = 1; i <= 3; i++) {
        rx_t_hot_next_int(h, i);
    }
    assert_rx_ints(t, 1);
    rx_test_request(t, 2);
    for (int64_t i = 4; i <= 7; i++) {
        rx_t_hot_next_int(h, i);
    }
    assert_rx_ints(t, 1, 4, 5);
    rx_t_hot_complete(h);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_drop_passes_errors_at_once(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_drop(rx_t_hot_observable(h)), 0);

    (void)state;
    rx_t_hot_next_int(h, 1);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_drop_releases_dropped_heap_items(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_drop(rx_t_hot_observable(h)), 1);

    (void)state;
    for (int i = 0; i < 5; i++) {
        rx_t_hot_next(h, rx_str("payload"));
    }
    assert_int_equal(rx_test_count(t), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
    /* the teardown checks that the four dropped strings were released */
}

static void
test_drop_cancel_cancels_upstream(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_drop(rx_t_hot_observable(h)), 5);

    (void)state;
    rx_t_hot_next_int(h, 1);
    rx_test_cancel(t);
    assert_false(rx_t_hot_live(h));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_cancel(t);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_drop_cancel_inside_on_next_stops_delivery(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_on_backpressure_drop(rx_range(1, 5));

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_drop_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_take(rx_range(1, 2), -1));
    assert_null(rx_on_backpressure_drop(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_take"));
}

static void
drop_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_on_backpressure_drop(rx_from_values(
        3, ((rx_value[]){rx_str("a"), rx_str("b"), rx_str("c")})));
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(2);
    assert_non_null(t);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_drop_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(drop_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_drop_passes_everything_with_unbounded_demand),
        rx_unit_test(
            test_drop_without_demand_drops_a_synchronous_source_and_completes),
        rx_unit_test(test_drop_delivers_only_what_was_requested),
        rx_unit_test(test_drop_passes_errors_at_once),
        rx_unit_test(test_drop_releases_dropped_heap_items),
        rx_unit_test(test_drop_cancel_cancels_upstream),
        rx_unit_test(test_drop_cancel_inside_on_next_stops_delivery),
        rx_unit_test(test_drop_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_drop_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
