/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_merge_delay_error and rx_concat_map_delay_error: every
 * source runs to its end before the first error goes downstream; when
 * two inputs fail, downstream gets one on_error and the other error goes
 * to the undeliverable handler.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "rx_test.h"

static rx_observable *
fail_after(int64_t start, int64_t n, int code)
{
    return rx_concat(rx_range(start, n), rx_throw(rx_error_new(code, "boom")));
}

static void
test_merge_delay_error_waits_for_both_sources(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs =
        rx_merge_delay_error(fail_after(1, 2, RX_EBUSY), rx_range(10, 2));

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_rx_ints(t, 1, 2, 10, 11);
    assert_rx_error(t, RX_EBUSY);
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static void
test_merge_delay_error_second_error_is_undeliverable(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs = rx_merge_delay_error(fail_after(1, 1, RX_EBUSY),
                                              fail_after(5, 1, RX_ETIMEDOUT));
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_rx_ints(t, 1, 5);
    assert_rx_error(t, RX_EBUSY);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_ETIMEDOUT);
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static rx_observable *
odd_fails(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    if (rx_as_int(v) % 2 == 1) {
        return fail_after(rx_as_int(v) * 10, 1, RX_EBUSY);
    }
    return rx_range(rx_as_int(v) * 10, 2);
}

static void
test_concat_map_delay_error_runs_every_inner_in_order(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs =
        rx_concat_map_delay_error(rx_range(1, 4), odd_fails, NULL);
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_rx_ints(t, 10, 20, 21, 30, 40, 41);
    assert_rx_error(t, RX_EBUSY);
    assert_int_equal(rx_undeliverable_count(&code), 1); /* 3's error */
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static void
test_delay_error_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_concat_map_delay_error(rx_range(1, 2), NULL, NULL),
                    RX_EINVAL, "rx_concat_map_delay_error");
    assert_null(rx_merge_delay_error(NULL, rx_range(1, 2)));
    assert_null(rx_merge_delay_error(rx_range(1, 2), NULL));
}

/* Every allocation failure is a clean RX_ENOMEM. */
static void
merge_scenario(bool failed, void *ctx)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs;

    (void)ctx;
    (void)failed;
    if (t == NULL) {
        return;
    }
    obs = rx_merge_delay_error(fail_after(1, 1, RX_EBUSY), rx_range(10, 1));
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else if (rx_test_subscribe(obs, t) == 0 && rx_fault_triggered()) {
        assert_true(rx_test_error(t) != NULL);
    } else if (!rx_fault_triggered()) {
        assert_rx_ints(t, 1, 10);
        assert_rx_error(t, RX_EBUSY);
    }
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static void
test_delay_error_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(merge_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_merge_delay_error_waits_for_both_sources),
        rx_unit_test(test_merge_delay_error_second_error_is_undeliverable),
        rx_unit_test(test_concat_map_delay_error_runs_every_inner_in_order),
        rx_unit_test(test_delay_error_rejects_bad_arguments),
        rx_unit_test(test_delay_error_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
