/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_on_backpressure_latest: pass-through with demand, only the
 * latest undelivered item kept, completion after it, errors ahead of it,
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
test_latest_passes_everything_with_unbounded_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_on_backpressure_latest(rx_range(1, 5)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_latest_keeps_the_last_item_of_a_synchronous_source(void **state)
{
    rx_test_observer *t =
        run_with(rx_on_backpressure_latest(rx_range(1, 5)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_latest_delivers_the_newest_item_when_demand_arrives(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_latest(rx_t_hot_observable(h)), 1);

    (void)state;
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    rx_t_hot_next_int(h, 1); /* demand: straight through */
    rx_t_hot_next_int(h, 2);
    rx_t_hot_next_int(h, 3);
    assert_rx_ints(t, 1);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 3);
    rx_t_hot_next_int(h, 4);
    rx_test_request(t, 3);
    assert_rx_ints(t, 1, 3, 4);
    rx_t_hot_next_int(h, 5); /* two units of demand left */
    rx_t_hot_next_int(h, 6);
    rx_t_hot_next_int(h, 7);
    rx_t_hot_complete(h);
    assert_rx_ints(t, 1, 3, 4, 5, 6);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 3, 4, 5, 6, 7);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_latest_error_cuts_ahead_of_the_held_item(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_latest(rx_t_hot_observable(h)), 0);

    (void)state;
    rx_t_hot_next(h, rx_str("held"));
    rx_t_hot_error(h, RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_latest_releases_replaced_heap_items(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_latest(rx_t_hot_observable(h)), 0);

    (void)state;
    rx_t_hot_next(h, rx_str("a"));
    rx_t_hot_next(h, rx_str("b"));
    rx_t_hot_next(h, rx_str("c"));
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 1);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "c");
    rx_t_hot_next(h, rx_str("d")); /* held at cancel: released too */
    rx_test_cancel(t);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_latest_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_take(rx_range(1, 2), -1));
    assert_null(rx_on_backpressure_latest(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_take"));
}

static void
latest_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_on_backpressure_latest(rx_from_values(
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
    t = rx_test_observer_new(1);
    assert_non_null(t);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rc, RX_ENOMEM);
        rx_test_observer_free(t);
        return;
    }
    rx_test_request(t, 1);
    if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 2);
        assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "c");
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_latest_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(latest_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_latest_passes_everything_with_unbounded_demand),
        rx_unit_test(test_latest_keeps_the_last_item_of_a_synchronous_source),
        rx_unit_test(test_latest_delivers_the_newest_item_when_demand_arrives),
        rx_unit_test(test_latest_error_cuts_ahead_of_the_held_item),
        rx_unit_test(test_latest_releases_replaced_heap_items),
        rx_unit_test(test_latest_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_latest_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
