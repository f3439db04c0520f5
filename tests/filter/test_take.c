/* SPDX-License-Identifier: MIT */
/*
 * rx_take: the first count items then completion, count 0 and counts
 * beyond the length, what take asks of its upstream (never more than
 * count), demand, cancel, errors, bad arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_take_completes_after_count_items(void **state)
{
    rx_test_observer *t = filter_run(rx_take(rx_range(1, 10), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_cancels_upstream_after_the_last_item(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_take(probe_range(1, -1, &log), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(log.emitted, 3);
    assert_int_equal(log.cancels, 1);
    assert_true(log.requested <= 3);
    rx_test_observer_free(t);
}

static void
test_take_zero_on_never_completes_at_once(void **state)
{
    rx_test_observer *t = filter_run(rx_take(rx_never(), 0), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_zero_asks_the_upstream_for_nothing(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_take(probe_range(1, 5, &log), 0), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 0);
    assert_int_equal(log.emitted, 0);
    rx_test_observer_free(t);
}

static void
test_take_beyond_the_length_emits_everything(void **state)
{
    rx_test_observer *t =
        filter_run(rx_take(rx_range(1, 3), INT64_MAX), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_on_empty_source_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_take(rx_empty(), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_passes_an_upstream_error_on(void **state)
{
    rx_test_observer *t = filter_run(
        rx_take(rx_throw(rx_error_new(RX_T_EUSER, "boom")), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_take_fails_when_a_map_above_fails(void **state)
{
    int64_t fail_at = 2;
    rx_test_observer *t =
        filter_run(rx_take(rx_map(rx_range(1, 10), rx_t_fail_at, &fail_at), 5),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

/* take(2) on a long range, one request at a time: exactly 1, 2 and
 * completion, and the upstream was asked for at most 2 items. */
static void
test_take_asks_the_upstream_for_at_most_count(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_take(probe_range(1, 1000000, &log), 2), 0);
    rx_test_observer *r = filter_run(rx_take(rx_range(1, 1000000), 2), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    rx_test_request(r, 1);
    assert_rx_ints(t, 1);
    assert_rx_ints(r, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    rx_test_request(r, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_ints(r, 1, 2);
    assert_rx_completed(t);
    assert_rx_completed(r);
    assert_int_equal(log.requested, 2);
    assert_int_equal(log.emitted, 2);
    rx_test_observer_free(t);
    rx_test_observer_free(r);
}

/* Sums what a tap sees requested. */
static void
sum_requests(int64_t n, void *ctx)
{
    int64_t *sum = ctx;

    *sum = *sum > RX_UNBOUNDED - n ? RX_UNBOUNDED : *sum + n;
}

/* The same on the fused path: range, tap and take run as one fused stage,
 * and the tap sees the requests take passes up. */
static void
test_take_asks_a_fused_range_for_at_most_count(void **state)
{
    int64_t asked = 0;
    rx_tap_config cfg = {.on_request = sum_requests, .ctx = &asked};
    rx_test_observer *t =
        filter_run(rx_take(rx_tap_opts(rx_range(1, 1000000), &cfg), 2), 0);

    (void)state;
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(asked, 2);
    rx_test_observer_free(t);
}

static void
test_take_clamps_an_unbounded_request(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = filter_run(rx_take(probe_range(1, 100, &log), 4), 0);

    (void)state;
    rx_test_request(t, RX_UNBOUNDED);
    rx_test_request(t, RX_UNBOUNDED);
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 4);
    rx_test_observer_free(t);
}

static void
test_take_honours_demand_step_by_step(void **state)
{
    rx_test_observer *t = filter_run(rx_take(rx_range(10, 100), 3), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 10, 11);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 10, 11, 12);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_take(probe_range(1, 100, &log), 10);

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
test_take_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_take(rx_range(1, 3), -1), RX_EINVAL, "rx_take");
    filter_set_other_last_error();
    assert_null(rx_take(NULL, 1));
    assert_last_error_untouched();
}

static void
take_oom_scenario(bool failed, void *ctx)
{
    struct probe_log log = {0};

    (void)ctx;
    filter_expect_or_oom(rx_take(rx_range(1, 10), 3),
                         (const int64_t[]){1, 2, 3}, 3, failed);
    filter_expect_or_oom(rx_take(probe_range(1, 10, &log), 2),
                         (const int64_t[]){1, 2}, 2, failed);
}

static void
test_take_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(take_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_take_completes_after_count_items),
        rx_unit_test(test_take_cancels_upstream_after_the_last_item),
        rx_unit_test(test_take_zero_on_never_completes_at_once),
        rx_unit_test(test_take_zero_asks_the_upstream_for_nothing),
        rx_unit_test(test_take_beyond_the_length_emits_everything),
        rx_unit_test(test_take_on_empty_source_completes),
        rx_unit_test(test_take_passes_an_upstream_error_on),
        rx_unit_test(test_take_fails_when_a_map_above_fails),
        rx_unit_test(test_take_asks_the_upstream_for_at_most_count),
        rx_unit_test(test_take_asks_a_fused_range_for_at_most_count),
        rx_unit_test(test_take_clamps_an_unbounded_request),
        rx_unit_test(test_take_honours_demand_step_by_step),
        rx_unit_test(test_take_stops_when_cancelled_mid_stream),
        rx_unit_test(test_take_rejects_bad_arguments),
        rx_unit_test(test_take_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
