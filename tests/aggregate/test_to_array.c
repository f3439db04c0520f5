/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_to_array: one array of every item at completion, the empty
 * array, heap items and their references, errors, demand for the result,
 * cancel, bad arguments and allocation failures (growing the array and
 * building the result).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

/* Fails with RX_T_EUSER at the first int; passes anything else. */
static rx_value
fail_on_int(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_is_int(v)) {
        *err = rx_error_new(RX_T_EUSER, "an int");
        return rx_nil();
    }
    return rx_value_retain(v);
}

/* Emits two strings and never terminates. */
static void
two_then_hang(rx_emitter *em, void *ctx)
{
    (void)ctx;
    rx_emitter_next(em, rx_str("a"));
    rx_emitter_next(em, rx_str("b"));
}

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static rx_test_observer *
run(rx_observable *obs)
{
    return run_with(obs, RX_UNBOUNDED);
}

/* The one item is an array of the ints first, first + 1, ... (n of them). */
static void
assert_int_array(const rx_test_observer *t, int64_t first, size_t n)
{
    rx_value arr;

    assert_int_equal(rx_test_count(t), 1);
    arr = rx_test_value(t, 0);
    assert_true(rx_is_array(arr));
    assert_int_equal(rx_array_len(arr), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rx_as_int(rx_array_at(arr, i)), first + (int64_t)i);
    }
}

static void
test_to_array_emits_all_items_in_order_at_completion(void **state)
{
    rx_test_observer *t = run(rx_to_array(rx_range(1, 3)));

    (void)state;
    assert_int_array(t, 1, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_to_array_of_empty_source_emits_an_empty_array(void **state)
{
    rx_test_observer *t = run(rx_to_array(rx_empty()));

    (void)state;
    assert_int_array(t, 0, 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_to_array_keeps_heap_items(void **state)
{
    rx_value s = rx_str("a");
    rx_value vals[2];
    rx_test_observer *t;
    rx_value arr;

    (void)state;
    vals[0] = rx_value_retain(s);
    vals[1] = rx_str("b");
    t = run(rx_to_array(rx_from_values(2, vals)));
    arr = rx_test_value(t, 0);
    assert_int_equal(rx_array_len(arr), 2);
    assert_true(rx_value_equal(rx_array_at(arr, 0), s));
    assert_string_equal(rx_str_cstr(rx_array_at(arr, 1)), "b");
    assert_rx_completed(t);
    rx_test_observer_free(t);
    assert_string_equal(rx_str_cstr(s), "a");
    rx_value_release(s);
}

static void
test_to_array_upstream_error_releases_collected_items(void **state)
{
    rx_value vals[3] = {rx_str("a"), rx_str("b"), rx_int(3)};
    rx_test_observer *t =
        run(rx_to_array(rx_map(rx_from_values(3, vals), fail_on_int, NULL)));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_to_array_result_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_to_array(rx_range(1, 4)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_int_array(t, 1, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_to_array_cancel_drops_a_waiting_result(void **state)
{
    rx_value vals[2] = {rx_str("a"), rx_str("b")};
    rx_test_observer *t = run_with(rx_to_array(rx_from_values(2, vals)), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_to_array_cancel_mid_stream_releases_collected_items(void **state)
{
    rx_test_observer *t =
        run_with(rx_to_array(rx_create(two_then_hang, NULL)), 1);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_cancel(t);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks the two strings held were released. */
}

static void
test_to_array_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_to_array(rx_range(0, 100000)));

    (void)state;
    assert_int_array(t, 0, 100000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_to_array_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_to_array(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* Twenty heap items: the array grows past its first capacity, so the
 * sweep fails a regrowth with strings held, and the final rx_array(). */
static void
to_array_oom_scenario(bool failed, void *ctx)
{
    int *calls = ctx;
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    *calls = 0;
    obs = rx_to_array(
        rx_map(rx_materialize(rx_range(1, 19)), count_calls, calls));
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
        assert_int_equal(rx_test_count(t), 1);
        assert_int_equal(rx_array_len(rx_test_value(t, 0)), 20);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_to_array_survives_allocation_failures(void **state)
{
    int calls = 0;

    (void)state;
    assert_true(rx_oom_sweep(to_array_oom_scenario, &calls) > 20);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_to_array_emits_all_items_in_order_at_completion),
        rx_unit_test(test_to_array_of_empty_source_emits_an_empty_array),
        rx_unit_test(test_to_array_keeps_heap_items),
        rx_unit_test(test_to_array_upstream_error_releases_collected_items),
        rx_unit_test(test_to_array_result_waits_for_demand),
        rx_unit_test(test_to_array_cancel_drops_a_waiting_result),
        rx_unit_test(test_to_array_cancel_mid_stream_releases_collected_items),
        rx_unit_test(test_to_array_handles_many_items),
        rx_unit_test(
            test_to_array_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_to_array_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
