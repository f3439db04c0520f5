/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_scan and rx_scan_seed: running results in order, the seed
 * and its demand, errors from the upstream and from the accumulator, heap
 * accumulators, cancel, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rx_test.h"

/* ---- user functions -------------------------------------------------- */

/* Counts its calls in *(int *)ctx and passes the item through. */
static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

/* Sums, failing with RX_T_EUSER when the item equals *(int64_t *)ctx. */
static rx_value
sum_fail_at(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "accumulator failed");
        return rx_nil();
    }
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static rx_value
accum_invalid(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)acc;
    (void)v;
    (void)ctx;
    (void)err;
    return rx_invalid();
}

/* Concatenates two strings into a new one. */
static rx_value
concat(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    char buf[64];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "%s%s", rx_str_cstr(acc), rx_str_cstr(v));
    return rx_str(buf);
}

/* Appends an int to a string. */
static rx_value
append_int(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    char buf[64];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "%s%lld", rx_str_cstr(acc),
             (long long)rx_as_int(v));
    return rx_str(buf);
}

static void
times10_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 10);
    }
}

/* The strings "a", "b", "c" as an observable. */
static rx_observable *
abc(void)
{
    rx_value vals[3] = {rx_str("a"), rx_str("b"), rx_str("c")};

    return rx_from_values(3, vals);
}

/* Subscribes a test observer with this initial request to obs
 * (borrowed). */
static rx_test_observer *
sub(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    return t;
}

/* Subscribes an unbounded test observer to obs (taken). */
static rx_test_observer *
run(rx_observable *obs)
{
    rx_test_observer *t = sub(obs, RX_UNBOUNDED);

    rx_observable_release(obs);
    return t;
}

static void
assert_str_at(const rx_test_observer *t, size_t i, const char *s)
{
    assert_string_equal(rx_str_cstr(rx_test_value(t, i)), s);
}

/* ---- scan ------------------------------------------------------------ */

static void
test_scan_emits_running_totals(void **state)
{
    rx_test_observer *t = run(rx_scan(rx_range(1, 4), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 1, 3, 6, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_passes_first_item_unchanged(void **state)
{
    int64_t never = 7;
    rx_test_observer *t = run(rx_scan(rx_of_ints(7), sum_fail_at, &never));

    (void)state;
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_of_empty_source_completes_empty(void **state)
{
    rx_test_observer *t = run(rx_scan(rx_empty(), rx_t_sum, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_passes_upstream_error_on(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run(rx_scan(rx_map(rx_range(1, 5), rx_t_fail_at, &at), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 1, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_scan_fn_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 3;
    int calls = 0;
    rx_test_observer *t = run(rx_scan(
        rx_map(rx_range(1, 10), count_calls, &calls), sum_fail_at, &at));

    (void)state;
    assert_rx_ints(t, 1, 3);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_scan_fn_returning_invalid_fails_with_enomem(void **state)
{
    rx_test_observer *t = run(rx_scan(rx_range(1, 3), accum_invalid, NULL));

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);
}

static void
test_scan_accumulates_heap_values(void **state)
{
    rx_test_observer *t = run(rx_scan(abc(), concat, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 3);
    assert_str_at(t, 0, "a");
    assert_str_at(t, 1, "ab");
    assert_str_at(t, 2, "abc");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_honours_demand_one_item_at_a_time(void **state)
{
    rx_observable *obs = rx_scan(rx_range(1, 4), rx_t_sum, NULL);
    rx_test_observer *t = sub(obs, 0);

    (void)state;
    rx_observable_release(obs);
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 3, 6);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 1, 3, 6, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs =
        rx_scan(rx_map(rx_range(1, 10), count_calls, &calls), rx_t_sum, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_scan_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_scan(rx_range(1, 100000), rx_t_sum, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 100000);
    assert_int_equal(rx_as_int(rx_test_value(t, 99999)), 5000050000LL);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_starts_afresh_for_each_subscription(void **state)
{
    rx_observable *obs = rx_scan(rx_range(1, 3), rx_t_sum, NULL);
    rx_test_observer *t1 = sub(obs, RX_UNBOUNDED);
    rx_test_observer *t2 = sub(obs, RX_UNBOUNDED);

    (void)state;
    rx_observable_release(obs);
    assert_rx_ints(t1, 1, 3, 6);
    assert_rx_completed(t1);
    assert_rx_ints(t2, 1, 3, 6);
    assert_rx_completed(t2);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
}

static void
test_scan_runs_after_a_batch_kernel(void **state)
{
    rx_test_observer *t = run(rx_scan(
        rx_map_batch(rx_range(1, 4), times10_kernel, NULL), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 10, 30, 60, 100);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_rejects_null_fn(void **state)
{
    (void)state;
    assert_rx_fails(rx_scan(rx_range(1, 3), NULL, NULL), RX_EINVAL, "rx_scan");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
}

static void
test_scan_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_scan(NULL, rx_t_sum, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* Builds, subscribes and checks one pipeline under a failing allocator;
 * ctx selects scan (NULL) or scan_seed (non-NULL). */
static void
scan_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = ctx == NULL ? rx_scan(rx_range(1, 3), rx_t_sum, NULL)
                                     : rx_scan_seed(rx_range(1, 3), rx_str("s"),
                                                    append_int, NULL);
    rx_test_observer *t;
    int rc;

    (void)failed;
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
    } else if (ctx == NULL) {
        assert_rx_ints(t, 1, 3, 6);
        assert_rx_completed(t);
    } else {
        assert_int_equal(rx_test_count(t), 4);
        assert_str_at(t, 3, "s123");
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_scan_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(scan_oom_scenario, NULL) > 1);
}

/* ---- scan_seed ------------------------------------------------------- */

static void
test_scan_seed_emits_seed_then_running_totals(void **state)
{
    rx_test_observer *t =
        run(rx_scan_seed(rx_range(1, 3), rx_int(0), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 0, 1, 3, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_of_empty_source_emits_only_the_seed(void **state)
{
    rx_test_observer *t =
        run(rx_scan_seed(rx_empty(), rx_int(42), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 42);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_waits_for_demand_before_emitting_seed(void **state)
{
    rx_observable *obs = rx_scan_seed(rx_empty(), rx_int(42), rx_t_sum, NULL);
    rx_test_observer *t = sub(obs, 0);

    (void)state;
    rx_observable_release(obs);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 42);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_honours_demand_one_item_at_a_time(void **state)
{
    rx_observable *obs =
        rx_scan_seed(rx_range(1, 3), rx_int(0), rx_t_sum, NULL);
    rx_test_observer *t = sub(obs, 0);

    (void)state;
    rx_observable_release(obs);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1, 3);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1, 3, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_serves_requests_made_inside_on_next(void **state)
{
    rx_observable *obs =
        rx_scan_seed(rx_range(1, 4), rx_int(0), rx_t_sum, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0, 1, 3, 6, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_emits_seed_before_an_upstream_error(void **state)
{
    rx_test_observer *t = run(rx_scan_seed(
        rx_throw(rx_error_new(RX_T_EUSER, "boom")), rx_int(0), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_scan_seed_upstream_error_cuts_ahead_of_a_waiting_seed(void **state)
{
    rx_observable *obs = rx_scan_seed(
        rx_throw(rx_error_new(RX_T_EUSER, "boom")), rx_int(0), rx_t_sum, NULL);
    rx_test_observer *t = sub(obs, 0);

    (void)state;
    rx_observable_release(obs);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_fn_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 3;
    int calls = 0;
    rx_test_observer *t =
        run(rx_scan_seed(rx_map(rx_range(1, 10), count_calls, &calls),
                         rx_int(0), sum_fail_at, &at));

    (void)state;
    assert_rx_ints(t, 0, 1, 3);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_scan_seed_fn_returning_invalid_fails_with_enomem(void **state)
{
    rx_test_observer *t =
        run(rx_scan_seed(rx_range(1, 3), rx_int(0), accum_invalid, NULL));

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);
}

static void
test_scan_seed_accumulates_into_a_heap_seed(void **state)
{
    rx_observable *obs = rx_scan_seed(abc(), rx_str(">"), concat, NULL);
    rx_test_observer *t1 = sub(obs, RX_UNBOUNDED);
    rx_test_observer *t2 = sub(obs, RX_UNBOUNDED);

    (void)state;
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t1), 4);
    assert_str_at(t1, 0, ">");
    assert_str_at(t1, 3, ">abc");
    assert_rx_completed(t1);
    assert_int_equal(rx_test_count(t2), 4);
    assert_str_at(t2, 0, ">");
    assert_str_at(t2, 3, ">abc");
    assert_rx_completed(t2);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
}

static void
test_scan_seed_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs =
        rx_scan_seed(rx_map(rx_range(1, 10), count_calls, &calls), rx_int(0),
                     rx_t_sum, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 1);
    rx_test_observer_free(t);
}

static void
test_scan_seed_cancel_at_the_seed_never_runs_upstream(void **state)
{
    int calls = 0;
    rx_observable *obs =
        rx_scan_seed(rx_map(rx_range(1, 10), count_calls, &calls), rx_int(0),
                     rx_t_sum, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 0);
    rx_test_observer_free(t);
}

static void
test_scan_seed_handles_many_items(void **state)
{
    rx_test_observer *t =
        run(rx_scan_seed(rx_range(1, 100000), rx_int(0), rx_t_sum, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 100001);
    assert_int_equal(rx_as_int(rx_test_value(t, 100000)), 5000050000LL);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_scan_seed_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_scan_seed(rx_range(1, 3), rx_str("s"), NULL, NULL),
                    RX_EINVAL, "rx_scan_seed");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
    assert_rx_fails(rx_scan_seed(rx_range(1, 3), rx_invalid(), rx_t_sum, NULL),
                    RX_ENOMEM, "rx_scan_seed");
}

static void
test_scan_seed_of_null_src_releases_seed_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_scan_seed(NULL, rx_str("s"), rx_t_sum, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_scan_seed_survives_allocation_failures(void **state)
{
    int seeded = 1;

    (void)state;
    assert_true(rx_oom_sweep(scan_oom_scenario, &seeded) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_scan_emits_running_totals),
        rx_unit_test(test_scan_passes_first_item_unchanged),
        rx_unit_test(test_scan_of_empty_source_completes_empty),
        rx_unit_test(test_scan_passes_upstream_error_on),
        rx_unit_test(test_scan_fn_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_scan_fn_returning_invalid_fails_with_enomem),
        rx_unit_test(test_scan_accumulates_heap_values),
        rx_unit_test(test_scan_honours_demand_one_item_at_a_time),
        rx_unit_test(test_scan_stops_after_cancel_mid_stream),
        rx_unit_test(test_scan_handles_many_items),
        rx_unit_test(test_scan_starts_afresh_for_each_subscription),
        rx_unit_test(test_scan_runs_after_a_batch_kernel),
        rx_unit_test(test_scan_rejects_null_fn),
        rx_unit_test(test_scan_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_scan_survives_allocation_failures),
        rx_unit_test(test_scan_seed_emits_seed_then_running_totals),
        rx_unit_test(test_scan_seed_of_empty_source_emits_only_the_seed),
        rx_unit_test(test_scan_seed_waits_for_demand_before_emitting_seed),
        rx_unit_test(test_scan_seed_honours_demand_one_item_at_a_time),
        rx_unit_test(test_scan_seed_serves_requests_made_inside_on_next),
        rx_unit_test(test_scan_seed_emits_seed_before_an_upstream_error),
        rx_unit_test(
            test_scan_seed_upstream_error_cuts_ahead_of_a_waiting_seed),
        rx_unit_test(test_scan_seed_fn_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_scan_seed_fn_returning_invalid_fails_with_enomem),
        rx_unit_test(test_scan_seed_accumulates_into_a_heap_seed),
        rx_unit_test(test_scan_seed_stops_after_cancel_mid_stream),
        rx_unit_test(test_scan_seed_cancel_at_the_seed_never_runs_upstream),
        rx_unit_test(test_scan_seed_handles_many_items),
        rx_unit_test(test_scan_seed_rejects_bad_arguments),
        rx_unit_test(
            test_scan_seed_of_null_src_releases_seed_and_keeps_last_error),
        rx_unit_test(test_scan_seed_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
