/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_map and rx_map_batch: values and order, errors from the
 * upstream and from the user function, heap values and their reference
 * counts, demand, cancel, bad arguments and allocation failures.
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

static rx_value
return_invalid(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return rx_invalid();
}

/* Turns an int into the string "n<int>". */
static rx_value
int_to_str(rx_value v, void *ctx, rx_error **err)
{
    char buf[32];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "n%lld", (long long)rx_as_int(v));
    return rx_str(buf);
}

/* Passes a string through with the reference a map must return. */
static rx_value
same_value(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(v);
}

/* Multiplies each int by 10; counts its calls in *(int *)ctx if given. */
static void
times10_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t i;

    (void)err;
    if (ctx != NULL) {
        (*(int *)ctx)++;
    }
    for (i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 10);
    }
}

/* Writes a heap value into the batch, which kernels must not do. It is a
 * new reference, so uvrx releases it when it fails the stream. */
static void
heap_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    if (n > 0) {
        vals[0] = rx_str("heap");
    }
}

static void
failing_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)n;
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "kernel failed");
}

/* Subscribes an unbounded test observer to obs (taken). */
static rx_test_observer *
run(rx_observable *obs)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

/* ---- map ------------------------------------------------------------- */

static void
test_map_applies_fn_to_each_item_in_order(void **state)
{
    rx_test_observer *t = run(rx_map(rx_range(1, 3), rx_t_times10, NULL));

    (void)state;
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_map_of_empty_source_completes_empty(void **state)
{
    rx_test_observer *t = run(rx_map(rx_empty(), rx_t_times10, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_map_passes_upstream_error_on(void **state)
{
    rx_test_observer *t = run(
        rx_map(rx_throw(rx_error_new(RX_T_EUSER, "boom")), rx_t_times10, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_map_fn_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 3;
    int calls = 0;
    rx_test_observer *t = run(rx_map(
        rx_map(rx_range(1, 10), count_calls, &calls), rx_t_fail_at, &at));

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_map_fn_returning_invalid_fails_with_enomem(void **state)
{
    rx_test_observer *t = run(rx_map(rx_range(1, 3), return_invalid, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);
}

static void
test_map_makes_heap_values_with_balanced_refcounts(void **state)
{
    rx_test_observer *t = run(rx_map(rx_range(1, 3), int_to_str, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 3);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "n1");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "n2");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 2)), "n3");
    assert_rx_completed(t);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks every string was freed. */
}

static void
test_map_passes_heap_values_through_without_leaking(void **state)
{
    rx_value s = rx_str("kept");
    rx_value vals[2];
    rx_test_observer *t;

    (void)state;
    vals[0] = rx_value_retain(s);
    vals[1] = rx_str("other");
    t = run(rx_map(rx_from_values(2, vals), same_value, NULL));
    assert_int_equal(rx_test_count(t), 2);
    assert_true(rx_value_equal(rx_test_value(t, 0), s));
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "other");
    assert_rx_completed(t);
    rx_test_observer_free(t);
    /* Only our reference is left: the string is still readable. */
    assert_string_equal(rx_str_cstr(s), "kept");
    rx_value_release(s);
}

static void
test_map_honours_demand_one_item_at_a_time(void **state)
{
    rx_observable *obs = rx_map(rx_range(1, 4), rx_t_times10, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 10, 20, 30, 40);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_map_stops_after_cancel_mid_stream(void **state)
{
    int calls = 0;
    rx_observable *obs = rx_map(rx_map(rx_range(1, 10), count_calls, &calls),
                                rx_t_times10, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 10, 20);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_map_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_map(rx_range(0, 100000), rx_t_plus1, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 100000);
    assert_int_equal(rx_as_int(rx_test_value(t, 0)), 1);
    assert_int_equal(rx_as_int(rx_test_value(t, 99999)), 100000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_map_rejects_null_fn(void **state)
{
    (void)state;
    assert_rx_fails(rx_map(rx_range(1, 3), NULL, NULL), RX_EINVAL, "rx_map");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
}

static void
test_map_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_map(NULL, rx_t_times10, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
map_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_map(rx_range(1, 3), rx_t_times10, NULL);
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
        assert_rx_ints(t, 10, 20, 30);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_map_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(map_oom_scenario, NULL) > 1);
}

/* ---- map_batch ------------------------------------------------------- */

static void
test_map_batch_rewrites_items_with_kernel(void **state)
{
    int calls = 0;
    rx_test_observer *t =
        run(rx_map_batch(rx_range(1, 5), times10_kernel, &calls));

    (void)state;
    assert_rx_ints(t, 10, 20, 30, 40, 50);
    assert_rx_completed(t);
    assert_true(calls >= 1 && calls <= 5);
    rx_test_observer_free(t);
}

static void
test_map_batch_delivers_batches_to_batch_subscriber(void **state)
{
    rx_observable *obs = rx_map_batch(rx_range(1, 4), times10_kernel, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 10, 20, 30, 40);
    assert_rx_completed(t);
    assert_true(rx_test_get_counts(t).batches >= 1);
    rx_test_observer_free(t);
}

static void
test_map_batch_honours_demand(void **state)
{
    rx_observable *obs = rx_map_batch(rx_range(1, 3), times10_kernel, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_map_batch_kernel_writing_heap_value_fails_with_einval(void **state)
{
    rx_test_observer *t;

    (void)state;
#ifdef NDEBUG
    skip(); /* the kernel-output check is a debug-build check */
#endif
    t = run(rx_map_batch(rx_range(1, 3), heap_kernel, NULL));
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks the string was released. */
}

static void
test_map_batch_kernel_writing_heap_value_one_by_one_fails_with_einval(
    void **state)
{
    rx_test_observer *t = run(rx_map_batch(
        rx_dematerialize(rx_materialize(rx_range(1, 3))), heap_kernel, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    rx_test_observer_free(t);
}

static void
test_map_batch_kernel_error_fails_stream(void **state)
{
    rx_test_observer *t =
        run(rx_map_batch(rx_range(1, 3), failing_kernel, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_map_batch_rejects_null_kernel(void **state)
{
    (void)state;
    assert_rx_fails(rx_map_batch(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_map_batch");
    assert_non_null(strstr(rx_last_error_message(), "kernel"));
}

static void
test_map_batch_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_map_batch(NULL, times10_kernel, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_map_applies_fn_to_each_item_in_order),
        rx_unit_test(test_map_of_empty_source_completes_empty),
        rx_unit_test(test_map_passes_upstream_error_on),
        rx_unit_test(test_map_fn_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_map_fn_returning_invalid_fails_with_enomem),
        rx_unit_test(test_map_makes_heap_values_with_balanced_refcounts),
        rx_unit_test(test_map_passes_heap_values_through_without_leaking),
        rx_unit_test(test_map_honours_demand_one_item_at_a_time),
        rx_unit_test(test_map_stops_after_cancel_mid_stream),
        rx_unit_test(test_map_handles_many_items),
        rx_unit_test(test_map_rejects_null_fn),
        rx_unit_test(test_map_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_map_survives_allocation_failures),
        rx_unit_test(test_map_batch_rewrites_items_with_kernel),
        rx_unit_test(test_map_batch_delivers_batches_to_batch_subscriber),
        rx_unit_test(test_map_batch_honours_demand),
        rx_unit_test(
            test_map_batch_kernel_writing_heap_value_fails_with_einval),
        rx_unit_test(
            test_map_batch_kernel_writing_heap_value_one_by_one_fails_with_einval),
        rx_unit_test(test_map_batch_kernel_error_fails_stream),
        rx_unit_test(test_map_batch_rejects_null_kernel),
        rx_unit_test(
            test_map_batch_of_null_src_returns_null_and_keeps_last_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
