/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the transforms (slice 4 coverage): rx_dematerialize over
 * a stream that ends by itself, without a terminal notification (the end
 * passes through), and rx_scan_seed whose seed a downstream filter drops
 * (the seed then uses none of the demand).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"

static rx_test_observer *
run(rx_observable *o, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    return t;
}

static void
test_dematerialize_passes_a_plain_completion_on(void **state)
{
    /* take(2) ends the notifications before the completion notification. */
    rx_test_observer *t =
        run(rx_dematerialize(rx_take(rx_materialize(rx_range(1, 5)), 2)),
            RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_dematerialize_passes_a_plain_error_on(void **state)
{
    rx_test_observer *t =
        run(rx_dematerialize(
                rx_concat(rx_take(rx_materialize(rx_range(1, 5)), 1),
                          rx_throw(rx_error_new(RX_EBUSY, "plain error")))),
            RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_EBUSY);
    rx_test_observer_free(t);
}

static rx_value
add(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static bool
positive(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) > 0;
}

static void
test_scan_seed_dropped_by_a_filter_uses_no_demand(void **state)
{
    rx_test_observer *t =
        run(rx_filter(rx_scan_seed(rx_range(1, 4), rx_int(0), add, NULL),
                      positive, NULL),
            2);

    (void)state;
    assert_rx_ints(t, 1, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_rx_ints(t, 1, 3, 6, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_dematerialize_passes_a_plain_completion_on),
        rx_unit_test(test_dematerialize_passes_a_plain_error_on),
        rx_unit_test(test_scan_seed_dropped_by_a_filter_uses_no_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
