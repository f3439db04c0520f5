/* SPDX-License-Identifier: MIT */
/*
 * Protocol rule 7 end to end on virtual time: rx_interval, a source that
 * cannot slow down, fails with RX_EBACKPRESSURE when a tick finds no
 * demand, and each backpressure strategy behind it turns that into its
 * own policy for a slow subscriber.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_test_observer *
subscribe(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static void
test_interval_without_demand_fails_naming_its_site(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t = subscribe(rx_interval(10, vs), 2);
    const char *msg;

    (void)state;
    rx_virtual_advance_by(vs, 100);
    assert_rx_ints(t, 0, 1);
    assert_rx_error(t, RX_EBACKPRESSURE);
    msg = rx_error_message(rx_test_error(t));
    assert_non_null(strstr(msg, "rx_interval"));
    assert_non_null(strstr(msg, "test_backpressure_interval.c"));
    assert_non_null(strstr(msg, "rx_on_backpressure_drop"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_drop_behind_interval_drops_ticks_without_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t =
        subscribe(rx_on_backpressure_drop(rx_interval(10, vs)), 2);

    (void)state;
    rx_virtual_advance_by(vs, 100); /* ticks 0..9: 2..9 dropped */
    assert_rx_ints(t, 0, 1);
    rx_test_request(t, 1);
    rx_virtual_advance_by(vs, 30); /* ticks 10..12: 11, 12 dropped */
    assert_rx_ints(t, 0, 1, 10);
    assert_rx_no_terminal(t);
    rx_test_dispose(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_slow_subscriber_behind_drop_sees_a_subset_in_order(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t =
        subscribe(rx_on_backpressure_drop(rx_interval(10, vs)), 1);

    (void)state;
    for (int i = 0; i < 20; i++) {
        rx_virtual_advance_by(vs, 35);
        rx_test_request(t, 1);
    }
    assert_rx_no_terminal(t);
    assert_true(rx_test_count(t) >= 18 && rx_test_count(t) <= 21);
    for (size_t i = 1; i < rx_test_count(t); i++) {
        assert_true(rx_as_int(rx_test_value(t, i)) >
                    rx_as_int(rx_test_value(t, i - 1)));
    }
    rx_test_dispose(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_buffer_behind_interval_keeps_the_newest_ticks(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t =
        subscribe(rx_on_backpressure_buffer(rx_interval(10, vs), 3,
                                            RX_OVERFLOW_DROP_OLDEST),
                  0);

    (void)state;
    rx_virtual_advance_by(vs, 100);
    rx_test_request(t, 10);
    assert_rx_ints(t, 7, 8, 9);
    rx_virtual_advance_by(vs, 20);
    assert_rx_ints(t, 7, 8, 9, 10, 11);
    rx_test_dispose(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_buffer_overflow_behind_interval_cancels_the_timer(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t = subscribe(
        rx_on_backpressure_buffer(rx_interval(10, vs), 2, RX_OVERFLOW_ERROR),
        0);

    (void)state;
    rx_virtual_advance_by(vs, 100);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EBACKPRESSURE);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "rx_on_backpressure_buffer"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_latest_behind_interval_delivers_the_last_tick(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_observer *t =
        subscribe(rx_on_backpressure_latest(rx_interval(10, vs)), 0);

    (void)state;
    rx_virtual_advance_by(vs, 55);
    rx_test_request(t, 1);
    assert_rx_ints(t, 4);
    rx_virtual_advance_by(vs, 30);
    rx_test_request(t, 2);
    assert_rx_ints(t, 4, 7);
    rx_virtual_advance_by(vs, 10);
    assert_rx_ints(t, 4, 7, 8);
    rx_test_dispose(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_interval_without_demand_fails_naming_its_site),
        rx_unit_test(test_drop_behind_interval_drops_ticks_without_error),
        rx_unit_test(test_slow_subscriber_behind_drop_sees_a_subset_in_order),
        rx_unit_test(test_buffer_behind_interval_keeps_the_newest_ticks),
        rx_unit_test(test_buffer_overflow_behind_interval_cancels_the_timer),
        rx_unit_test(test_latest_behind_interval_delivers_the_last_tick),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
