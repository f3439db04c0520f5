/* SPDX-License-Identifier: MIT */
/*
 * rx_distinct_until_changed: drops items equal to the one just before
 * (rx_value_equal(): strings by content, NaN equals NaN, -0.0 differs
 * from 0.0), keeps no reference after the end, dropped items cost no
 * request, errors, cancel, bad arguments and allocation failures.
 */
#include <math.h>

#include "filter_probe.h"

/* v / 2: turns 0, 1, 2, 3, ... into runs of equal pairs. */
static rx_value
half(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) / 2);
}

static void
test_distinct_until_changed_drops_repeated_items(void **state)
{
    rx_test_observer *t = filter_run(
        rx_distinct_until_changed(rx_of_ints(1, 1, 2, 2, 1, 3, 3, 3)),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 1, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_compares_strings_by_content(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("a"), rx_str("b"), rx_str("b"),
                     rx_str("a")};
    rx_test_observer *t = filter_run(
        rx_distinct_until_changed(rx_from_values(5, in)), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"a", "b", "a"}, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_follows_double_equality(void **state)
{
    rx_value in[] = {rx_double(NAN), rx_double(-NAN), rx_double(-0.0),
                     rx_double(0.0), rx_double(0.0),  rx_double(-0.0),
                     rx_int(0)};
    rx_value want[] = {rx_double(NAN), rx_double(-0.0), rx_double(0.0),
                       rx_double(-0.0), rx_int(0)};
    rx_test_observer *t = filter_run(
        rx_distinct_until_changed(rx_from_values(7, in)), RX_UNBOUNDED);

    (void)state;
    assert_rx_values(t, want, 5);
    assert_true(signbit(rx_as_double(rx_test_value(t, 1))));
    assert_false(signbit(rx_as_double(rx_test_value(t, 2))));
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_on_empty_source_completes(void **state)
{
    rx_test_observer *t =
        filter_run(rx_distinct_until_changed(rx_empty()), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t = filter_run(
        rx_distinct_until_changed(rx_map(probe_range(0, 4, &log), half, NULL)),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 0, 1);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        filter_run(rx_distinct_until_changed(
                       rx_map(rx_of_ints(1, 1, 2, 3, 4), rx_t_fail_at, &at)),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_dropped_items_cost_no_request(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = filter_run(
        rx_distinct_until_changed(rx_map(probe_range(0, 6, &log), half, NULL)),
        0);

    (void)state;
    rx_test_request(t, 1);
    assert_rx_ints(t, 0);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1);
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(log.emitted, 5);
    /* The last item repeats the one before: dropped, then completion. */
    rx_test_request(t, 1);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 4);
    assert_int_equal(log.emitted, 6);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o =
        rx_distinct_until_changed(rx_map(probe_range(0, -1, &log), half, NULL));

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_rejects_a_null_source(void **state)
{
    (void)state;
    filter_set_other_last_error();
    assert_null(rx_distinct_until_changed(NULL));
    assert_last_error_untouched();
}

static void
distinct_until_changed_oom_scenario(bool failed, void *ctx)
{
    rx_value in[] = {rx_str("x"), rx_str("x"), rx_str("y")};
    rx_observable *o;
    rx_test_observer *t;

    (void)ctx;
    filter_expect_or_oom(rx_distinct_until_changed(rx_of_ints(1, 1, 2, 2)),
                         (const int64_t[]){1, 2}, 2, failed);
    /* Heap values: a failed rx_str() is rx_invalid(), which
     * rx_from_values refuses with RX_ENOMEM. */
    o = rx_distinct_until_changed(rx_from_values(3, in));
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (o == NULL || t == NULL || rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
    } else if (rx_test_error(t) != NULL) {
        assert_true(failed);
        assert_rx_error(t, RX_ENOMEM);
    } else {
        filter_assert_strs(t, (const char *const[]){"x", "y"}, 2);
        assert_rx_completed(t);
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
}

static void
test_distinct_until_changed_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(distinct_until_changed_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_distinct_until_changed_drops_repeated_items),
        rx_unit_test(test_distinct_until_changed_compares_strings_by_content),
        rx_unit_test(test_distinct_until_changed_follows_double_equality),
        rx_unit_test(test_distinct_until_changed_on_empty_source_completes),
        rx_unit_test(test_distinct_until_changed_passes_an_upstream_error_on),
        rx_unit_test(test_distinct_until_changed_fails_when_a_map_above_fails),
        rx_unit_test(test_distinct_until_changed_dropped_items_cost_no_request),
        rx_unit_test(
            test_distinct_until_changed_stops_when_cancelled_mid_stream),
        rx_unit_test(test_distinct_until_changed_rejects_a_null_source),
        rx_unit_test(test_distinct_until_changed_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
