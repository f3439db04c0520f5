/* SPDX-License-Identifier: MIT */
/*
 * rx_skip: drops the first count items, count 0 and counts beyond the
 * length, skipped items cost no request, demand, cancel, errors, bad
 * arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_skip_drops_the_first_count_items(void **state)
{
    rx_test_observer *t = filter_run(rx_skip(rx_range(1, 4), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_zero_emits_everything(void **state)
{
    rx_test_observer *t = filter_run(rx_skip(rx_range(1, 3), 0), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_beyond_the_length_completes_empty(void **state)
{
    rx_test_observer *t =
        filter_run(rx_skip(rx_range(1, 3), INT64_MAX), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_on_empty_source_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_skip(rx_empty(), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t =
        filter_run(rx_skip(probe_range(1, 3, &log), 1), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 2, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_skip_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 4;
    rx_test_observer *t = filter_run(
        rx_skip(rx_map(rx_range(1, 10), rx_t_fail_at, &at), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_skip_skipped_items_cost_no_request(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = filter_run(rx_skip(probe_range(1, 10, &log), 3), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 4);
    rx_test_request(t, 2);
    assert_rx_ints(t, 4, 5, 6);
    assert_rx_no_terminal(t);
    assert_int_equal(log.requested, 3);
    assert_int_equal(log.emitted, 6);
    rx_test_observer_free(t);
}

static void
test_skip_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_skip(probe_range(1, -1, &log), 5);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 6, 7);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_skip_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_skip(rx_range(1, 3), -1), RX_EINVAL, "rx_skip");
    filter_set_other_last_error();
    assert_null(rx_skip(NULL, 1));
    assert_last_error_untouched();
}

static void
skip_oom_scenario(bool failed, void *ctx)
{
    struct probe_log log = {0};

    (void)ctx;
    filter_expect_or_oom(rx_skip(rx_range(1, 4), 2), (const int64_t[]){3, 4}, 2,
                         failed);
    filter_expect_or_oom(rx_skip(probe_range(1, 3, &log), 1),
                         (const int64_t[]){2, 3}, 2, failed);
}

static void
test_skip_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(skip_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_skip_drops_the_first_count_items),
        rx_unit_test(test_skip_zero_emits_everything),
        rx_unit_test(test_skip_beyond_the_length_completes_empty),
        rx_unit_test(test_skip_on_empty_source_completes),
        rx_unit_test(test_skip_passes_an_upstream_error_on),
        rx_unit_test(test_skip_fails_when_a_map_above_fails),
        rx_unit_test(test_skip_skipped_items_cost_no_request),
        rx_unit_test(test_skip_stops_when_cancelled_mid_stream),
        rx_unit_test(test_skip_rejects_bad_arguments),
        rx_unit_test(test_skip_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
