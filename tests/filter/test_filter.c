/* SPDX-License-Identifier: MIT */
/*
 * rx_filter and rx_filter_batch: kept items and order, terminal signals,
 * demand (a rejected item costs no request), cancel, predicate and kernel
 * errors, batch observers, bad arguments and allocation failures.
 */
#include "filter_probe.h"

/* Keeps the even items of a batch, in order. */
static size_t
keep_even_batch(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t k = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (rx_as_int(vals[i]) % 2 == 0) {
            vals[k++] = vals[i];
        }
    }
    return k;
}

/* Fails every batch with RX_T_EUSER. */
static size_t
failing_batch(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "kernel failed");
    return n;
}

static void
test_filter_keeps_items_accepted_by_pred(void **state)
{
    rx_observable *o = rx_filter(rx_range(1, 6), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 4, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_filter_gives_a_batch_observer_the_same_items(void **state)
{
    rx_observable *o = rx_filter(rx_range(1, 6), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 4, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_filter_batch_keeps_items_the_kernel_keeps(void **state)
{
    for (int batch = 0; batch < 2; batch++) {
        rx_observable *o =
            rx_filter_batch(rx_range(1, 6), keep_even_batch, NULL);
        rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

        (void)state;
        rx_test_set_batch(t, batch == 1);
        assert_int_equal(rx_test_subscribe(o, t), 0);
        rx_observable_release(o);
        assert_rx_ints(t, 2, 4, 6);
        assert_rx_completed(t);
        rx_test_observer_free(t);
    }
}

static void
test_filter_batch_kernel_error_fails_the_stream(void **state)
{
    rx_observable *o = rx_filter_batch(rx_range(1, 6), failing_batch, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_filter_on_empty_source_completes(void **state)
{
    rx_observable *o = rx_filter(rx_empty(), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_filter_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_observable *o = rx_filter(probe_range(1, 4, &log), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 4);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_filter_pred_error_cancels_upstream_and_fails(void **state)
{
    struct probe_log log = {0};
    int64_t fail_at = 5;
    rx_observable *o =
        rx_filter(probe_range(1, 100, &log), rx_t_pred_fail_at, &fail_at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 4);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(log.cancels, 1);
    assert_int_equal(log.emitted, 5);
    rx_test_observer_free(t);
}

static void
test_filter_rejected_items_cost_no_request(void **state)
{
    struct probe_log log = {0};
    rx_observable *o = rx_filter(probe_range(1, 6, &log), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 2, 4);
    rx_test_request(t, 1);
    assert_rx_ints(t, 2, 4, 6);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 3);
    rx_test_observer_free(t);
}

static void
test_filter_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_observable *o = rx_filter(probe_range(1, -1, &log), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 4);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_filter_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_filter(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_filter");
    assert_rx_fails(rx_filter_batch(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_filter_batch");
    filter_set_other_last_error();
    assert_null(rx_filter(NULL, rx_t_is_even, NULL));
    assert_null(rx_filter_batch(NULL, keep_even_batch, NULL));
    assert_last_error_untouched();
}

static void
filter_oom_scenario(bool failed, void *ctx)
{
    (void)ctx;
    filter_expect_or_oom(rx_filter(rx_map(rx_range(1, 6), rx_t_times10, NULL),
                                   rx_t_is_even, NULL),
                         (const int64_t[]){10, 20, 30, 40, 50, 60}, 6, failed);
    filter_expect_or_oom(rx_filter_batch(rx_range(1, 6), keep_even_batch, NULL),
                         (const int64_t[]){2, 4, 6}, 3, failed);
}

static void
test_filter_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(filter_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_filter_keeps_items_accepted_by_pred),
        rx_unit_test(test_filter_gives_a_batch_observer_the_same_items),
        rx_unit_test(test_filter_batch_keeps_items_the_kernel_keeps),
        rx_unit_test(test_filter_batch_kernel_error_fails_the_stream),
        rx_unit_test(test_filter_on_empty_source_completes),
        rx_unit_test(test_filter_passes_an_upstream_error_on),
        rx_unit_test(test_filter_pred_error_cancels_upstream_and_fails),
        rx_unit_test(test_filter_rejected_items_cost_no_request),
        rx_unit_test(test_filter_stops_when_cancelled_mid_stream),
        rx_unit_test(test_filter_rejects_bad_arguments),
        rx_unit_test(test_filter_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
