/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the inlet (slice 4 coverage), on a virtual scheduler: a
 * subscriber that comes after the inlet failed gets the same error; one
 * that comes after the first subscriber cancelled gets RX_ECANCELED;
 * items a downstream filter drops use no demand; a capacity too large to
 * allocate is refused with RX_EINVAL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static void
sub(rx_observable *o, rx_test_observer *t, rx_scheduler *vs)
{
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_run(vs);
}

static void
test_inlet_later_subscriber_gets_the_same_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 4);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    sub(o, a, vs);
    assert_int_equal(rx_inlet_error(in, rx_error_new(RX_EBUSY, "inlet")), 0);
    rx_virtual_run(vs);
    assert_rx_error(a, RX_EBUSY);
    sub(o, b, vs);
    assert_rx_no_items(b);
    assert_rx_error(b, RX_EBUSY);
    assert_string_equal(rx_error_message(rx_test_error(b)), "inlet");
    rx_observable_release(o);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static void
test_inlet_subscriber_after_a_cancel_gets_ecanceled(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 4);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    sub(o, a, vs);
    rx_test_cancel(a);
    rx_virtual_run(vs);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), RX_ECANCELED);
    sub(o, b, vs);
    assert_rx_no_items(b);
    assert_rx_error(b, RX_ECANCELED);
    assert_rx_no_terminal(a);
    rx_observable_release(o);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static bool
is_odd(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return (rx_as_int(v) & 1) != 0;
}

static void
test_inlet_items_a_filter_drops_use_no_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_filter(rx_inlet_observable(in), is_odd, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    for (int i = 1; i <= 6; i++) {
        assert_int_equal(rx_inlet_try_emit(in, rx_int(i)), 0);
    }
    assert_int_equal(rx_inlet_complete(in), 0);
    sub(o, t, vs);
    assert_rx_ints(t, 1, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 2), 0);
    rx_virtual_run(vs);
    assert_rx_ints(t, 1, 3, 5);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static void
test_inlet_refuses_a_capacity_too_large_to_allocate(void **state)
{
    (void)state;
    assert_null(rx_inlet_new(NULL, SIZE_MAX));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "capacity"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_inlet_later_subscriber_gets_the_same_error),
        rx_unit_test(test_inlet_subscriber_after_a_cancel_gets_ecanceled),
        rx_unit_test(test_inlet_items_a_filter_drops_use_no_demand),
        rx_unit_test(test_inlet_refuses_a_capacity_too_large_to_allocate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
