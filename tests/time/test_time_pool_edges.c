/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the time operators (slice 4 coverage): every timed
 * operator given a scheduler whose work runs on another thread (a pool)
 * fails at subscription with RX_EINVAL naming itself, cancels its
 * upstream and delivers nothing else.
 *
 * Code under test: operators/time/time_common.c (argument and scheduler
 * checks of every time operator).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* Subscribes `o` and checks the one RX_EINVAL error naming `fn`. */
static void
check_fails_on_pool(rx_observable *o, const char *fn)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    const char *msg;

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    msg = rx_error_message(rx_test_error(t));
    assert_non_null(strstr(msg, "another thread"));
    assert_non_null(strstr(msg, fn));
    rx_test_observer_free(t);
    rx_observable_release(o);
}

static void
test_time_ops_on_a_pool_scheduler_fail_at_start(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);

    (void)state;
    check_fails_on_pool(rx_delay(rx_never(), 5, pool), "rx_delay");
    check_fails_on_pool(rx_delay_subscription(rx_never(), 5, pool),
                        "rx_delay_subscription");
    check_fails_on_pool(
        rx_timeout_opts(rx_never(),
                        &(rx_timeout_config){.first_ms = 5, .sched = pool}),
        "rx_timeout");
    check_fails_on_pool(rx_buffer_time(rx_never(), 5, pool), "rx_buffer_time");
    check_fails_on_pool(rx_window_time(rx_never(), 5, pool), "rx_window_time");
    check_fails_on_pool(rx_debounce(rx_never(), 5, pool), "rx_debounce");
    check_fails_on_pool(rx_throttle_first(rx_never(), 5, pool),
                        "rx_throttle_first");
    check_fails_on_pool(rx_timestamp(rx_never(), pool), "rx_timestamp");
    check_fails_on_pool(rx_time_interval(rx_never(), pool), "rx_time_interval");
    rx_scheduler_release(pool);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_time_ops_on_a_pool_scheduler_fail_at_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
