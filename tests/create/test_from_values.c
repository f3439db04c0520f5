/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_just, rx_from_values, rx_of_ints and rx_from_ints: values
 * and order, heap values and their references, empty inputs, demand,
 * cancel, invalid values, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

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

/* ---- just ------------------------------------------------------------ */

static void
test_just_emits_its_value_then_completes(void **state)
{
    rx_test_observer *t = run_with(rx_just(rx_int(42)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 42);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_just_emits_a_heap_value_to_every_subscriber(void **state)
{
    rx_observable *obs = rx_just(rx_str("hello"));
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    rx_observable_release(obs);
    assert_string_equal(rx_str_cstr(rx_test_value(a, 0)), "hello");
    assert_string_equal(rx_str_cstr(rx_test_value(b, 0)), "hello");
    assert_rx_completed(a);
    assert_rx_completed(b);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
}

static void
test_just_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_just(rx_int(1)), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_just_cancelled_in_on_next_sends_no_terminal(void **state)
{
    rx_observable *obs = rx_just(rx_int(1));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_just_of_invalid_value_fails_with_enomem(void **state)
{
    (void)state;
    assert_rx_fails(rx_just(rx_invalid()), RX_ENOMEM, "rx_just");
}

/* ---- from_values ----------------------------------------------------- */

static void
test_from_values_emits_each_value_in_order(void **state)
{
    rx_value vals[3];
    rx_test_observer *t;

    (void)state;
    vals[0] = rx_int(1);
    vals[1] = rx_str("two");
    vals[2] = rx_double(3.5);
    t = run_with(rx_from_values(3, vals), RX_UNBOUNDED);
    assert_int_equal(rx_test_count(t), 3);
    assert_int_equal(rx_as_int(rx_test_value(t, 0)), 1);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "two");
    assert_true(rx_as_double(rx_test_value(t, 2)) == 3.5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_values_of_zero_values_completes_empty(void **state)
{
    rx_test_observer *t = run_with(rx_from_values(0, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_values_honours_demand_one_item_at_a_time(void **state)
{
    rx_value vals[3] = {rx_int(1), rx_int(2), rx_int(3)};
    rx_test_observer *t = run_with(rx_from_values(3, vals), 0);

    (void)state;
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_values_stops_after_cancel_and_releases_values(void **state)
{
    rx_value vals[3];
    rx_observable *obs;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    vals[0] = rx_str("a");
    vals[1] = rx_str("b");
    vals[2] = rx_str("c");
    obs = rx_from_values(3, vals);
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 2);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "b");
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks the three strings were freed. */
}

static void
test_from_values_stops_when_downstream_map_fails(void **state)
{
    int64_t at = 2;
    rx_value vals[3] = {rx_int(1), rx_int(2), rx_int(3)};
    rx_test_observer *t = run_with(
        rx_map(rx_from_values(3, vals), rx_t_fail_at, &at), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_from_values_with_an_invalid_value_releases_all_and_fails(void **state)
{
    rx_value vals[3];

    (void)state;
    vals[0] = rx_str("a");
    vals[1] = rx_invalid();
    vals[2] = rx_str("c");
    assert_rx_fails(rx_from_values(3, vals), RX_ENOMEM, "rx_from_values");
    /* rx_cm_teardown checks both strings were released. */
}

static void
test_from_values_rejects_null_values(void **state)
{
    (void)state;
    assert_rx_fails(rx_from_values(2, NULL), RX_EINVAL, "rx_from_values");
    assert_non_null(strstr(rx_last_error_message(), "values"));
}

/* ---- of_ints and from_ints ------------------------------------------- */

static void
test_of_ints_emits_the_listed_integers(void **state)
{
    rx_test_observer *t = run_with(rx_of_ints(3, 1, 4, 1, 5), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 3, 1, 4, 1, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_ints_copies_the_array(void **state)
{
    int64_t ints[3] = {10, 20, 30};
    rx_observable *obs = rx_from_ints(3, ints);
    rx_test_observer *t;

    (void)state;
    ints[0] = -1; /* the observable kept its own copy */
    t = run_with(obs, RX_UNBOUNDED);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_ints_of_zero_ints_completes_empty(void **state)
{
    rx_test_observer *t = run_with(rx_from_ints(0, NULL), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_from_ints_rejects_null_ints(void **state)
{
    (void)state;
    assert_rx_fails(rx_from_ints(1, NULL), RX_EINVAL, "rx_from_ints");
    assert_non_null(strstr(rx_last_error_message(), "ints"));
}

/* ---- allocation failures --------------------------------------------- */

static void
values_oom_scenario(bool failed, void *ctx)
{
    rx_value vals[2];
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    vals[0] = rx_str("x");
    vals[1] = rx_int(2);
    obs = rx_concat(rx_just(rx_str("j")), rx_from_values(2, vals));
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
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 3);
        assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "j");
        assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "x");
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_just_and_from_values_survive_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(values_oom_scenario, NULL) > 1);
}

static void
ints_oom_scenario(bool failed, void *ctx)
{
    rx_observable *obs = rx_of_ints(1, 2, 3);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        assert_non_null(strstr(rx_last_error_message(), "rx_of_ints"));
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 1, 2, 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_of_ints_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(ints_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_just_emits_its_value_then_completes),
        rx_unit_test(test_just_emits_a_heap_value_to_every_subscriber),
        rx_unit_test(test_just_waits_for_demand),
        rx_unit_test(test_just_cancelled_in_on_next_sends_no_terminal),
        rx_unit_test(test_just_of_invalid_value_fails_with_enomem),
        rx_unit_test(test_from_values_emits_each_value_in_order),
        rx_unit_test(test_from_values_of_zero_values_completes_empty),
        rx_unit_test(test_from_values_honours_demand_one_item_at_a_time),
        rx_unit_test(test_from_values_stops_after_cancel_and_releases_values),
        rx_unit_test(test_from_values_stops_when_downstream_map_fails),
        rx_unit_test(
            test_from_values_with_an_invalid_value_releases_all_and_fails),
        rx_unit_test(test_from_values_rejects_null_values),
        rx_unit_test(test_of_ints_emits_the_listed_integers),
        rx_unit_test(test_from_ints_copies_the_array),
        rx_unit_test(test_from_ints_of_zero_ints_completes_empty),
        rx_unit_test(test_from_ints_rejects_null_ints),
        rx_unit_test(test_just_and_from_values_survive_allocation_failures),
        rx_unit_test(test_of_ints_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
