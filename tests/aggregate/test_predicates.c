/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_all, rx_any and rx_contains: the answer and when it comes,
 * stopping the upstream at the deciding item, empty sources, errors from
 * the upstream and the predicate, demand for the answer, cancel, value
 * equality for contains, bad arguments and allocation failures.
 *
 * Code under test: operators/aggregate/predicates.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "rx_test.h"

static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

static bool
always(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return true;
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

/* One item, the bool `want`, then completion. */
static void
assert_answer(const rx_test_observer *t, bool want)
{
    assert_int_equal(rx_test_count(t), 1);
    assert_true(rx_is_bool(rx_test_value(t, 0)));
    assert_int_equal(rx_as_bool(rx_test_value(t, 0)), want);
    assert_rx_completed(t);
}

/* ---- all ------------------------------------------------------------- */

static void
test_all_is_true_when_every_item_passes(void **state)
{
    rx_test_observer *t = run(rx_all(rx_of_ints(2, 4, 6), rx_t_is_even, NULL));

    (void)state;
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_all_is_false_at_first_failing_item_and_cancels_upstream(void **state)
{
    int calls = 0;
    rx_test_observer *t =
        run(rx_all(rx_map(rx_of_ints(2, 4, 5, 6, 8), count_calls, &calls),
                   rx_t_is_even, NULL));

    (void)state;
    assert_answer(t, false);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_all_of_empty_source_is_true(void **state)
{
    rx_test_observer *t = run(rx_all(rx_empty(), rx_t_is_even, NULL));

    (void)state;
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_all_pred_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 4;
    int calls = 0;
    rx_test_observer *t =
        run(rx_all(rx_map(rx_of_ints(2, 4, 6), count_calls, &calls),
                   rx_t_pred_fail_at, &at));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_all_passes_upstream_error_on(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run(rx_all(rx_map(rx_range(1, 5), rx_t_fail_at, &at), always, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_all_answer_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_all(rx_range(1, 5), always, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_all_cancel_drops_a_waiting_answer(void **state)
{
    rx_test_observer *t = run_with(rx_all(rx_range(1, 5), always, NULL), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_all_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_all(rx_range(0, 1000000), always, NULL));

    (void)state;
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_all_rejects_null_pred(void **state)
{
    (void)state;
    assert_rx_fails(rx_all(rx_range(1, 3), NULL, NULL), RX_EINVAL, "rx_all");
    assert_non_null(strstr(rx_last_error_message(), "pred"));
}

static void
test_all_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_all(NULL, always, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ---- any ------------------------------------------------------------- */

static void
test_any_is_true_at_first_passing_item_and_cancels_upstream(void **state)
{
    int calls = 0;
    rx_test_observer *t =
        run(rx_any(rx_map(rx_of_ints(1, 3, 4, 5), count_calls, &calls),
                   rx_t_is_even, NULL));

    (void)state;
    assert_answer(t, true);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_any_is_false_when_no_item_passes(void **state)
{
    rx_test_observer *t = run(rx_any(rx_of_ints(1, 3, 5), rx_t_is_even, NULL));

    (void)state;
    assert_answer(t, false);
    rx_test_observer_free(t);
}

static void
test_any_of_empty_source_is_false(void **state)
{
    rx_test_observer *t = run(rx_any(rx_empty(), always, NULL));

    (void)state;
    assert_answer(t, false);
    rx_test_observer_free(t);
}

static void
test_any_pred_error_fails_stream(void **state)
{
    int64_t at = 3;
    rx_test_observer *t =
        run(rx_any(rx_of_ints(1, 3, 5), rx_t_pred_fail_at, &at));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_any_answer_waits_for_demand(void **state)
{
    rx_test_observer *t = run_with(rx_any(rx_range(1, 5), always, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_any_rejects_null_pred(void **state)
{
    (void)state;
    assert_rx_fails(rx_any(rx_range(1, 3), NULL, NULL), RX_EINVAL, "rx_any");
    assert_non_null(strstr(rx_last_error_message(), "pred"));
}

static void
test_any_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_any(NULL, always, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ---- contains -------------------------------------------------------- */

static void
test_contains_is_true_at_first_equal_item_and_cancels_upstream(void **state)
{
    int calls = 0;
    rx_test_observer *t = run(
        rx_contains(rx_map(rx_range(1, 10), count_calls, &calls), rx_int(4)));

    (void)state;
    assert_answer(t, true);
    assert_int_equal(calls, 4);
    rx_test_observer_free(t);
}

static void
test_contains_is_false_when_no_item_is_equal(void **state)
{
    rx_test_observer *t = run(rx_contains(rx_range(1, 10), rx_int(11)));

    (void)state;
    assert_answer(t, false);
    rx_test_observer_free(t);
}

static void
test_contains_of_empty_source_is_false(void **state)
{
    rx_test_observer *t = run(rx_contains(rx_empty(), rx_int(1)));

    (void)state;
    assert_answer(t, false);
    rx_test_observer_free(t);
}

static void
test_contains_compares_strings_by_content(void **state)
{
    rx_value vals[2] = {rx_str("a"), rx_str("b")};
    rx_test_observer *t =
        run(rx_contains(rx_from_values(2, vals), rx_str("b")));

    (void)state;
    assert_answer(t, true);
    rx_test_observer_free(t);
}

static void
test_contains_uses_value_equality_for_numbers(void **state)
{
    rx_value nan[1] = {rx_double(NAN)};
    rx_value one[1] = {rx_double(1.0)};
    rx_test_observer *t1 =
        run(rx_contains(rx_from_values(1, nan), rx_double(NAN)));
    rx_test_observer *t2 = run(rx_contains(rx_from_values(1, one), rx_int(1)));

    (void)state;
    assert_answer(t1, true);  /* NaN equals NaN, as Double.equals */
    assert_answer(t2, false); /* an int never equals a double */
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
}

static void
test_contains_passes_upstream_error_on(void **state)
{
    rx_test_observer *t = run(
        rx_contains(rx_throw(rx_error_new(RX_T_EUSER, "boom")), rx_str("x")));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_contains_rejects_invalid_value(void **state)
{
    (void)state;
    assert_rx_fails(rx_contains(rx_range(1, 3), rx_invalid()), RX_ENOMEM,
                    "rx_contains");
}

static void
test_contains_of_null_src_releases_value_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_contains(NULL, rx_str("x")));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ctx picks the operator: 0 all, 1 any, 2 contains. */
static void
predicates_oom_scenario(bool failed, void *ctx)
{
    int which = *(const int *)ctx;
    rx_value vals[3] = {rx_str("a"), rx_str("b"), rx_str("c")};
    rx_observable *src = rx_from_values(3, vals);
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    if (which == 0) {
        obs = rx_all(src, always, NULL);
    } else if (which == 1) {
        obs = rx_any(src, always, NULL);
    } else {
        obs = rx_contains(src, rx_str("c"));
    }
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
        assert_answer(t, true);
    }
    rx_test_observer_free(t);
}

static void
test_predicates_survive_allocation_failures(void **state)
{
    (void)state;
    for (int which = 0; which < 3; which++) {
        assert_true(rx_oom_sweep(predicates_oom_scenario, &which) > 1);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_all_is_true_when_every_item_passes),
        rx_unit_test(
            test_all_is_false_at_first_failing_item_and_cancels_upstream),
        rx_unit_test(test_all_of_empty_source_is_true),
        rx_unit_test(test_all_pred_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_all_passes_upstream_error_on),
        rx_unit_test(test_all_answer_waits_for_demand),
        rx_unit_test(test_all_cancel_drops_a_waiting_answer),
        rx_unit_test(test_all_handles_many_items),
        rx_unit_test(test_all_rejects_null_pred),
        rx_unit_test(test_all_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(
            test_any_is_true_at_first_passing_item_and_cancels_upstream),
        rx_unit_test(test_any_is_false_when_no_item_passes),
        rx_unit_test(test_any_of_empty_source_is_false),
        rx_unit_test(test_any_pred_error_fails_stream),
        rx_unit_test(test_any_answer_waits_for_demand),
        rx_unit_test(test_any_rejects_null_pred),
        rx_unit_test(test_any_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(
            test_contains_is_true_at_first_equal_item_and_cancels_upstream),
        rx_unit_test(test_contains_is_false_when_no_item_is_equal),
        rx_unit_test(test_contains_of_empty_source_is_false),
        rx_unit_test(test_contains_compares_strings_by_content),
        rx_unit_test(test_contains_uses_value_equality_for_numbers),
        rx_unit_test(test_contains_passes_upstream_error_on),
        rx_unit_test(test_contains_rejects_invalid_value),
        rx_unit_test(
            test_contains_of_null_src_releases_value_and_keeps_last_error),
        rx_unit_test(test_predicates_survive_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
