/* SPDX-License-Identifier: MIT */
/*
 * rx_skip_last: each item goes on once count newer ones arrived, count 0
 * and counts beyond the length, demand (count extra at start, then one
 * for one), heap values, errors, cancel, bad arguments and allocation
 * failures.
 */
#include "filter_probe.h"

static void
test_skip_last_drops_the_last_count_items(void **state)
{
    rx_test_observer *t =
        filter_run(rx_skip_last(rx_range(1, 4), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_last_zero_emits_everything(void **state)
{
    rx_test_observer *t =
        filter_run(rx_skip_last(rx_range(1, 3), 0), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_last_beyond_the_length_completes_empty(void **state)
{
    rx_test_observer *t =
        filter_run(rx_skip_last(rx_range(1, 3), INT64_MAX), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_last_keeps_heap_values(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b"), rx_str("c"), rx_str("d")};
    rx_test_observer *t =
        filter_run(rx_skip_last(rx_from_values(4, in), 1), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"a", "b", "c"}, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_last_on_empty_source_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_skip_last(rx_empty(), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_last_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t =
        filter_run(rx_skip_last(probe_range(1, 4, &log), 1), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_skip_last_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 4;
    rx_test_observer *t =
        filter_run(rx_skip_last(rx_map(rx_range(1, 5), rx_t_fail_at, &at), 1),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

/* At start the upstream is asked for count items; then each request
 * passes up one for one. */
static void
test_skip_last_asks_count_extra_then_one_for_one(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_skip_last(probe_range(1, 100, &log), 3), 0);

    (void)state;
    assert_int_equal(log.requested, 3);
    assert_int_equal(log.emitted, 3);
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_int_equal(log.requested, 4);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2, 3);
    assert_int_equal(log.requested, 6);
    assert_int_equal(log.emitted, 6);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

/* An item dropped below skip_last (a fused filter) is replaced by the
 * upstream without a new request. */
static void
test_skip_last_passes_drops_below_it_up(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_filter(rx_skip_last(probe_range(1, 100, &log), 1),
                             rx_t_is_even, NULL),
                   0);

    (void)state;
    rx_test_request(t, 2);
    assert_rx_ints(t, 2, 4);
    assert_int_equal(log.requested, 3);
    rx_test_observer_free(t);
}

static void
test_skip_last_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_skip_last(probe_range(1, -1, &log), 2);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_skip_last_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_skip_last(rx_range(1, 3), -1), RX_EINVAL,
                    "rx_skip_last");
    filter_set_other_last_error();
    assert_null(rx_skip_last(NULL, 1));
    assert_last_error_untouched();
}

static void
skip_last_oom_scenario(bool failed, void *ctx)
{
    struct probe_log log = {0};

    (void)ctx;
    /* 24 items through a ring of 10: the ring grows, then wraps. */
    filter_expect_or_oom(
        rx_skip_last(probe_range(1, 24, &log), 10),
        (const int64_t[]){1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 14,
        failed);
}

static void
test_skip_last_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(skip_last_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_skip_last_drops_the_last_count_items),
        rx_unit_test(test_skip_last_zero_emits_everything),
        rx_unit_test(test_skip_last_beyond_the_length_completes_empty),
        rx_unit_test(test_skip_last_keeps_heap_values),
        rx_unit_test(test_skip_last_on_empty_source_completes),
        rx_unit_test(test_skip_last_passes_an_upstream_error_on),
        rx_unit_test(test_skip_last_fails_when_a_map_above_fails),
        rx_unit_test(test_skip_last_asks_count_extra_then_one_for_one),
        rx_unit_test(test_skip_last_passes_drops_below_it_up),
        rx_unit_test(test_skip_last_stops_when_cancelled_mid_stream),
        rx_unit_test(test_skip_last_rejects_bad_arguments),
        rx_unit_test(test_skip_last_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
