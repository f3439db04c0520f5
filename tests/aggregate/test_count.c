/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_count: the count at completion, empty and failing
 * upstreams, demand for the result, cancel, bad arguments and allocation
 * failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

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

static rx_test_observer *
run(rx_observable *obs)
{
    return run_with(obs, RX_UNBOUNDED);
}

static void
test_count_emits_number_of_items_at_completion(void **state)
{
    rx_test_observer *t = run(rx_count(rx_range(10, 3)));

    (void)state;
    assert_rx_ints(t, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_count_of_empty_source_emits_zero(void **state)
{
    rx_test_observer *t = run(rx_count(rx_empty()));

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_count_counts_heap_items(void **state)
{
    rx_value vals[2] = {rx_str("a"), rx_str("b")};
    rx_test_observer *t = run(rx_count(rx_from_values(2, vals)));

    (void)state;
    assert_rx_ints(t, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_count_passes_upstream_error_on_without_a_count(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run(rx_count(rx_map(rx_range(1, 5), rx_t_fail_at, &at)));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_count_result_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_count(rx_range(1, 5)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_count_cancel_before_the_result_drops_it(void **state)
{
    rx_test_observer *t = run_with(rx_count(rx_range(1, 5)), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_count_never_ending_source_never_answers(void **state)
{
    rx_test_observer *t = run(rx_count(rx_never()));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_cancel(t);
    rx_test_observer_free(t);
}

static void
test_count_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_count(rx_range(0, 1000000)));

    (void)state;
    assert_rx_ints(t, 1000000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_count_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_count(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
count_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_count(rx_range(1, 3));
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
    } else if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_count_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(count_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_count_emits_number_of_items_at_completion),
        rx_unit_test(test_count_of_empty_source_emits_zero),
        rx_unit_test(test_count_counts_heap_items),
        rx_unit_test(test_count_passes_upstream_error_on_without_a_count),
        rx_unit_test(test_count_result_waits_for_demand),
        rx_unit_test(test_count_cancel_before_the_result_drops_it),
        rx_unit_test(test_count_never_ending_source_never_answers),
        rx_unit_test(test_count_handles_many_items),
        rx_unit_test(test_count_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_count_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
