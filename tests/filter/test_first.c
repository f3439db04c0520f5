/* SPDX-License-Identifier: MIT */
/*
 * rx_first: the first item then completion with the upstream cancelled,
 * an empty upstream (RX_ENOELEMENT with a message naming rx_first),
 * demand, errors, cancel, bad arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_first_emits_the_first_item_and_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_first(rx_range(7, 3)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_first_cancels_the_upstream_after_one_item(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_first(probe_range(1, -1, &log)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 1);
    assert_int_equal(log.emitted, 1);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_first_on_empty_source_fails_with_enoelement(void **state)
{
    rx_test_observer *t = filter_run(rx_first(rx_empty()), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOELEMENT);
    assert_string_equal(rx_error_message(rx_test_error(t)),
                        "rx_first: the source completed without any item");
    rx_test_observer_free(t);
}

static void
test_first_passes_an_upstream_error_on(void **state)
{
    rx_test_observer *t = filter_run(
        rx_first(rx_throw(rx_error_new(RX_T_EUSER, "boom"))), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_first_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 1;
    rx_test_observer *t = filter_run(
        rx_first(rx_map(rx_range(1, 5), rx_t_fail_at, &at)), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_first_holds_the_item_until_requested(void **state)
{
    rx_test_observer *t = filter_run(rx_first(rx_range(5, 10)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_first_stops_when_cancelled_before_the_item(void **state)
{
    rx_test_observer *t = filter_run(rx_first(rx_range(5, 10)), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_first_rejects_a_null_source(void **state)
{
    (void)state;
    filter_set_other_last_error();
    assert_null(rx_first(NULL));
    assert_last_error_untouched();
}

static void
first_oom_scenario(bool failed, void *ctx)
{
    (void)ctx;
    filter_expect_or_oom(rx_first(rx_range(3, 5)), (const int64_t[]){3}, 1,
                         failed);
}

static void
test_first_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(first_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_first_emits_the_first_item_and_completes),
        rx_unit_test(test_first_cancels_the_upstream_after_one_item),
        rx_unit_test(test_first_on_empty_source_fails_with_enoelement),
        rx_unit_test(test_first_passes_an_upstream_error_on),
        rx_unit_test(test_first_fails_when_a_map_above_fails),
        rx_unit_test(test_first_holds_the_item_until_requested),
        rx_unit_test(test_first_stops_when_cancelled_before_the_item),
        rx_unit_test(test_first_rejects_a_null_source),
        rx_unit_test(test_first_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
