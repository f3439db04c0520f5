/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_start_with_values: the values come first, then the
 * source; no values; heap values; demand; errors of the source; invalid
 * and NULL arguments; allocation failures.
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

static void
test_start_with_values_emits_values_then_source(void **state)
{
    rx_value vals[2] = {rx_int(10), rx_int(20)};
    rx_test_observer *t =
        run_with(rx_start_with_values(rx_range(1, 2), 2, vals), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 10, 20, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_no_values_emits_just_the_source(void **state)
{
    rx_test_observer *t =
        run_with(rx_start_with_values(rx_range(1, 2), 0, NULL), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_values_before_an_empty_source(void **state)
{
    rx_value vals[1];
    rx_test_observer *t;

    (void)state;
    vals[0] = rx_str("first");
    t = run_with(rx_start_with_values(rx_empty(), 1, vals), RX_UNBOUNDED);
    assert_int_equal(rx_test_count(t), 1);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "first");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_values_honours_demand(void **state)
{
    rx_value vals[2] = {rx_int(10), rx_int(20)};
    rx_test_observer *t =
        run_with(rx_start_with_values(rx_range(1, 1), 2, vals), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10, 20);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10, 20, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_values_then_source_error(void **state)
{
    rx_value vals[1] = {rx_int(0)};
    rx_test_observer *t = run_with(
        rx_start_with_values(rx_throw(rx_error_new(RX_T_EUSER, "e")), 1, vals),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_start_with_values_stops_on_cancel(void **state)
{
    rx_value vals[2] = {rx_int(10), rx_int(20)};
    rx_observable *obs = rx_start_with_values(rx_range(1, 5), 2, vals);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 10, 20, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_start_with_values_keeps_the_callers_site(void **state)
{
    rx_value vals[1] = {rx_int(1)};
    rx_observable *obs = rx_start_with_values(rx_range(1, 1), 1, vals);

    (void)state;
    assert_non_null(obs);
    assert_string_equal(rx_observable_site(obs)->name, "rx_start_with_values");
    rx_observable_release(obs);
}

static void
test_start_with_values_rejects_null_values(void **state)
{
    (void)state;
    assert_rx_fails(rx_start_with_values(rx_range(1, 2), 1, NULL), RX_EINVAL,
                    "rx_start_with_values");
    assert_non_null(strstr(rx_last_error_message(), "values"));
}

static void
test_start_with_an_invalid_value_releases_everything(void **state)
{
    rx_value vals[2];

    (void)state;
    vals[0] = rx_str("a");
    vals[1] = rx_invalid();
    assert_rx_fails(rx_start_with_values(rx_just(rx_str("s")), 2, vals),
                    RX_ENOMEM, "rx_start_with_values");
}

static void
test_start_with_values_of_null_src_releases_values(void **state)
{
    rx_value vals[1];

    (void)state;
    vals[0] = rx_str("a");
    assert_null(rx_range(0, -1));
    assert_null(rx_start_with_values(NULL, 1, vals));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
swv_oom_scenario(bool failed, void *ctx)
{
    rx_value vals[2];
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    vals[0] = rx_str("v");
    vals[1] = rx_int(2);
    obs = rx_start_with_values(rx_range(1, 2), 2, vals);
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 4);
        assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "v");
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_start_with_values_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(swv_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_start_with_values_emits_values_then_source),
        rx_unit_test(test_start_with_no_values_emits_just_the_source),
        rx_unit_test(test_start_with_values_before_an_empty_source),
        rx_unit_test(test_start_with_values_honours_demand),
        rx_unit_test(test_start_with_values_then_source_error),
        rx_unit_test(test_start_with_values_stops_on_cancel),
        rx_unit_test(test_start_with_values_keeps_the_callers_site),
        rx_unit_test(test_start_with_values_rejects_null_values),
        rx_unit_test(test_start_with_an_invalid_value_releases_everything),
        rx_unit_test(test_start_with_values_of_null_src_releases_values),
        rx_unit_test(test_start_with_values_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
