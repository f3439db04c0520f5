/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_finally: the function runs exactly once, after the
 * terminal signal went downstream or on cancel, never for a subscription
 * that failed to start; items and demand pass through unchanged; bad
 * arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* A log of what happened, in order: observer signals and finally. */
struct order {
    char log[64];
    int finals;
};

static void
note(struct order *o, const char *what)
{
    strncat(o->log, what, sizeof o->log - strlen(o->log) - 1);
}

static void
on_final(void *ctx)
{
    struct order *o = ctx;

    o->finals++;
    note(o, "F");
}

static void
obs_next(rx_value v, void *ctx)
{
    (void)v;
    note(ctx, "n");
}

static void
obs_error(const rx_error *err, void *ctx)
{
    (void)err;
    note(ctx, "e");
}

static void
obs_complete(void *ctx)
{
    note(ctx, "c");
}

/* Subscribes a logging observer (unbounded) to obs (taken). */
static void
run_logged(rx_observable *obs, struct order *o)
{
    rx_observer ob = {
        .on_next = obs_next,
        .on_error = obs_error,
        .on_complete = obs_complete,
        .ctx = o,
    };

    assert_non_null(obs);
    assert_int_equal(rx_subscribe(obs, &ob, NULL), 0);
    rx_observable_release(obs);
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

static void
test_finally_runs_once_after_completion_went_downstream(void **state)
{
    struct order o = {0};

    (void)state;
    run_logged(rx_finally(rx_range(1, 2), on_final, &o), &o);
    assert_string_equal(o.log, "nncF");
    assert_int_equal(o.finals, 1);
}

static void
test_finally_runs_once_after_error_went_downstream(void **state)
{
    struct order o = {0};

    (void)state;
    run_logged(
        rx_finally(rx_throw(rx_error_new(RX_T_EUSER, "boom")), on_final, &o),
        &o);
    assert_string_equal(o.log, "eF");
}

static void
test_finally_runs_once_after_a_failing_map_upstream(void **state)
{
    struct order o = {0};
    int64_t at = 2;

    (void)state;
    run_logged(
        rx_finally(rx_map(rx_range(1, 5), rx_t_fail_at, &at), on_final, &o),
        &o);
    assert_string_equal(o.log, "neF");
}

static void
test_finally_runs_once_on_cancel_mid_stream(void **state)
{
    struct order o = {0};
    rx_observable *obs = rx_finally(rx_range(1, 10), on_final, &o);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(o.finals, 1);
    rx_test_cancel(t);
    rx_test_observer_free(t);
    assert_int_equal(o.finals, 1);
}

static void
test_finally_runs_once_when_disposed_inside_on_complete(void **state)
{
    struct order o = {0};
    rx_observable *obs = rx_finally(rx_range(1, 2), on_final, &o);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_COMPLETE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(o.finals, 1);
    rx_test_observer_free(t);
    assert_int_equal(o.finals, 1);
}

static void
test_finally_passes_demand_through(void **state)
{
    struct order o = {0};
    rx_test_observer *t = run_with(rx_finally(rx_range(1, 3), on_final, &o), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_int_equal(o.finals, 0);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(o.finals, 1);
    rx_test_observer_free(t);
}

static void
test_finally_of_empty_source_runs_after_completion(void **state)
{
    struct order o = {0};

    (void)state;
    run_logged(rx_finally(rx_empty(), on_final, &o), &o);
    assert_string_equal(o.log, "cF");
}

static void
test_finally_rejects_null_fn(void **state)
{
    (void)state;
    assert_rx_fails(rx_finally(rx_range(1, 2), NULL, NULL), RX_EINVAL,
                    "rx_finally");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
}

static void
test_finally_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    struct order o = {0};

    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_finally(NULL, on_final, &o));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
    assert_int_equal(o.finals, 0);
}

static void
finally_oom_scenario(bool failed, void *ctx)
{
    struct order o = {0};
    rx_observable *obs =
        rx_finally(rx_map(rx_range(1, 3), rx_t_times10, NULL), on_final, &o);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        assert_int_equal(o.finals, 0); /* never started */
    } else {
        assert_rx_ints(t, 10, 20, 30);
        assert_rx_completed(t);
        assert_int_equal(o.finals, 1);
    }
    rx_test_observer_free(t);
}

static void
test_finally_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(finally_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_finally_runs_once_after_completion_went_downstream),
        rx_unit_test(test_finally_runs_once_after_error_went_downstream),
        rx_unit_test(test_finally_runs_once_after_a_failing_map_upstream),
        rx_unit_test(test_finally_runs_once_on_cancel_mid_stream),
        rx_unit_test(test_finally_runs_once_when_disposed_inside_on_complete),
        rx_unit_test(test_finally_passes_demand_through),
        rx_unit_test(test_finally_of_empty_source_runs_after_completion),
        rx_unit_test(test_finally_rejects_null_fn),
        rx_unit_test(
            test_finally_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_finally_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
