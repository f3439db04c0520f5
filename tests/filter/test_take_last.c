/* SPDX-License-Identifier: MIT */
/*
 * rx_take_last: the last count items after completion (none before),
 * count 0 and counts beyond the length, held heap values, demand through
 * the outbox, errors drop what was held, cancel, bad arguments and
 * allocation failures.
 */
#include "filter_probe.h"

static void
test_take_last_emits_the_last_count_items_at_completion(void **state)
{
    rx_test_observer *t =
        filter_run(rx_take_last(rx_range(1, 4), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_asks_for_everything_and_holds_items_until_requested(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_take_last(probe_range(1, 5, &log), 2), 0);

    (void)state;
    assert_int_equal(log.requested, RX_UNBOUNDED);
    assert_int_equal(log.emitted, 5);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, RX_UNBOUNDED);
    assert_rx_ints(t, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_zero_completes_empty(void **state)
{
    rx_test_observer *t =
        filter_run(rx_take_last(rx_range(1, 4), 0), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_beyond_the_length_emits_everything(void **state)
{
    rx_test_observer *t =
        filter_run(rx_take_last(rx_range(1, 3), INT64_MAX), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_keeps_heap_values(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b"), rx_str("c"), rx_str("d")};
    rx_test_observer *t =
        filter_run(rx_take_last(rx_from_values(4, in), 3), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"b", "c", "d"}, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_on_empty_source_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_take_last(rx_empty(), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_drops_what_it_held_on_upstream_error(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b")};
    rx_observable *src = rx_concat(rx_from_values(2, in),
                                   rx_throw(rx_error_new(RX_T_EUSER, "boom")));
    rx_test_observer *t = filter_run(rx_take_last(src, 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_take_last_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        filter_run(rx_take_last(rx_map(rx_range(1, 5), rx_t_fail_at, &at), 2),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_take_last_honours_demand_step_by_step(void **state)
{
    rx_test_observer *t = filter_run(rx_take_last(rx_range(1, 10), 3), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 8);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 8, 9);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 8, 9, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_last_stops_when_cancelled_mid_stream(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_take_last(rx_range(1, 10), 5);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 6, 7);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_take_last_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_take_last(rx_range(1, 3), -1), RX_EINVAL,
                    "rx_take_last");
    filter_set_other_last_error();
    assert_null(rx_take_last(NULL, 1));
    assert_last_error_untouched();
}

static void
take_last_oom_scenario(bool failed, void *ctx)
{
    struct probe_log log = {0};

    (void)ctx;
    /* 20 items through a ring of 12: the ring grows, then wraps. */
    filter_expect_or_oom(
        rx_take_last(probe_range(1, 20, &log), 12),
        (const int64_t[]){9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 12,
        failed);
    if (failed && log.emitted > 0 && log.emitted < 20) {
        assert_int_equal(log.cancels, 1); /* the ring failed to grow */
    }
}

static void
test_take_last_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(take_last_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_take_last_emits_the_last_count_items_at_completion),
        rx_unit_test(
            test_take_last_asks_for_everything_and_holds_items_until_requested),
        rx_unit_test(test_take_last_zero_completes_empty),
        rx_unit_test(test_take_last_beyond_the_length_emits_everything),
        rx_unit_test(test_take_last_keeps_heap_values),
        rx_unit_test(test_take_last_on_empty_source_completes),
        rx_unit_test(test_take_last_drops_what_it_held_on_upstream_error),
        rx_unit_test(test_take_last_fails_when_a_map_above_fails),
        rx_unit_test(test_take_last_honours_demand_step_by_step),
        rx_unit_test(test_take_last_stops_when_cancelled_mid_stream),
        rx_unit_test(test_take_last_rejects_bad_arguments),
        rx_unit_test(test_take_last_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
