/* SPDX-License-Identifier: MIT */
/*
 * rx_take_while: items while the predicate holds, completion without the
 * first failing item, cancel of the upstream, predicate errors, demand,
 * bad arguments and allocation failures.
 */
#include "filter_probe.h"

/* True while v < *(int64_t *)ctx. */
static bool
below(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_as_int(v) < *(const int64_t *)ctx;
}

/* Fails with RX_T_EUSER at v == *(int64_t *)ctx; true before. */
static bool
fail_at(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "pred failed");
    }
    return true;
}

static void
test_take_while_stops_at_the_first_failing_item(void **state)
{
    int64_t limit = 4;
    rx_test_observer *t = filter_run(
        rx_take_while(rx_of_ints(1, 2, 5, 3), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_while_cancels_the_upstream_when_it_stops(void **state)
{
    struct probe_log log = {0};
    int64_t limit = 4;
    rx_test_observer *t = filter_run(
        rx_take_while(probe_range(1, -1, &log), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(log.cancels, 1);
    assert_int_equal(log.emitted, 4);
    rx_test_observer_free(t);
}

static void
test_take_while_emits_everything_when_pred_always_holds(void **state)
{
    int64_t limit = 100;
    rx_test_observer *t =
        filter_run(rx_take_while(rx_range(1, 3), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_while_on_empty_source_completes(void **state)
{
    int64_t limit = 4;
    rx_test_observer *t =
        filter_run(rx_take_while(rx_empty(), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_while_passes_an_upstream_error_on(void **state)
{
    int64_t limit = 4;
    rx_test_observer *t =
        filter_run(rx_take_while(rx_throw(rx_error_new(RX_T_EUSER, "boom")),
                                 below, &limit),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_take_while_pred_error_cancels_upstream_and_fails(void **state)
{
    struct probe_log log = {0};
    int64_t at = 3;
    rx_test_observer *t = filter_run(
        rx_take_while(probe_range(1, 100, &log), fail_at, &at), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_take_while_honours_demand_step_by_step(void **state)
{
    int64_t limit = 3;
    rx_test_observer *t =
        filter_run(rx_take_while(rx_range(1, 10), below, &limit), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_while_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    int64_t limit = 50;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_take_while(probe_range(1, 100, &log), below, &limit);

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
test_take_while_rejects_bad_arguments(void **state)
{
    int64_t limit = 1;

    (void)state;
    assert_rx_fails(rx_take_while(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_take_while");
    filter_set_other_last_error();
    assert_null(rx_take_while(NULL, below, &limit));
    assert_last_error_untouched();
}

static void
take_while_oom_scenario(bool failed, void *ctx)
{
    int64_t limit = 3;

    (void)ctx;
    filter_expect_or_oom(rx_take_while(rx_range(1, 10), below, &limit),
                         (const int64_t[]){1, 2}, 2, failed);
}

static void
test_take_while_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(take_while_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_take_while_stops_at_the_first_failing_item),
        rx_unit_test(test_take_while_cancels_the_upstream_when_it_stops),
        rx_unit_test(test_take_while_emits_everything_when_pred_always_holds),
        rx_unit_test(test_take_while_on_empty_source_completes),
        rx_unit_test(test_take_while_passes_an_upstream_error_on),
        rx_unit_test(test_take_while_pred_error_cancels_upstream_and_fails),
        rx_unit_test(test_take_while_honours_demand_step_by_step),
        rx_unit_test(test_take_while_stops_when_cancelled_mid_stream),
        rx_unit_test(test_take_while_rejects_bad_arguments),
        rx_unit_test(test_take_while_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
