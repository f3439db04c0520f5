/* SPDX-License-Identifier: MIT */
/*
 * rx_ignore_elements: no items, the terminal signal passed on, the
 * upstream asked for everything even without downstream demand, cancel,
 * bad arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_ignore_elements_drops_items_and_completes(void **state)
{
    rx_test_observer *t =
        filter_run(rx_ignore_elements(rx_range(1, 100)), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_completes_without_any_request(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_ignore_elements(probe_range(1, 5, &log)), 0);

    (void)state;
    assert_int_equal(log.requested, RX_UNBOUNDED);
    assert_int_equal(log.emitted, 5);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_on_empty_source_completes(void **state)
{
    rx_test_observer *t =
        filter_run(rx_ignore_elements(rx_empty()), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t =
        filter_run(rx_ignore_elements(probe_range(1, 3, &log)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = filter_run(
        rx_ignore_elements(rx_map(rx_range(1, 5), rx_t_fail_at, &at)),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_on_never_stays_silent_until_cancelled(void **state)
{
    rx_test_observer *t = filter_run(rx_ignore_elements(rx_never()), 1);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_cancel(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_ignore_elements_rejects_a_null_source(void **state)
{
    (void)state;
    filter_set_other_last_error();
    assert_null(rx_ignore_elements(NULL));
    assert_last_error_untouched();
}

static void
ignore_elements_oom_scenario(bool failed, void *ctx)
{
    (void)ctx;
    filter_expect_or_oom(rx_ignore_elements(rx_range(1, 5)), NULL, 0, failed);
}

static void
test_ignore_elements_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(ignore_elements_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_ignore_elements_drops_items_and_completes),
        rx_unit_test(test_ignore_elements_completes_without_any_request),
        rx_unit_test(test_ignore_elements_on_empty_source_completes),
        rx_unit_test(test_ignore_elements_passes_an_upstream_error_on),
        rx_unit_test(test_ignore_elements_fails_when_a_map_above_fails),
        rx_unit_test(
            test_ignore_elements_on_never_stays_silent_until_cancelled),
        rx_unit_test(test_ignore_elements_rejects_a_null_source),
        rx_unit_test(test_ignore_elements_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
