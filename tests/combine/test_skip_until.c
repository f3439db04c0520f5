/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_skip_until: items of the source are dropped, using no
 * demand, until the notifier emits (the notifier is then cancelled) or
 * completes (RxJava 3; RxJS keeps the gate shut); the notifier is
 * subscribed first and asked for everything; errors of either side;
 * cancellation, bad arguments, allocation failures and marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_skip_until_mirrors_the_source_once_the_notifier_emits(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o =
        rx_skip_until(rx_t_hot_observable(s), rx_t_hot_observable(n));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(n), RX_UNBOUNDED);
    rx_t_hot_next_int(s, 1);
    rx_t_hot_next_int(n, 0);
    assert_int_equal(rx_t_hot_cancels(n), 1);
    rx_t_hot_next_int(s, 2);
    rx_t_hot_next_int(s, 3);
    rx_t_hot_complete(s);
    assert_rx_ints(t, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(n);
}

static void
test_skip_until_notifier_completion_opens_the_gate(void **state)
{
    rx_observable *o = rx_skip_until(rx_range(1, 3), rx_empty());
    rx_observable *p = rx_skip_until(rx_range(1, 3), rx_never());
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(p, u), 0);
    rx_observable_release(o);
    rx_observable_release(p);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_rx_no_items(u);
    assert_rx_completed(u);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static void
test_skip_until_dropped_items_use_no_demand(void **state)
{
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o = rx_skip_until(rx_range(1, 10), rx_t_hot_observable(n));
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* The range ran to its end with a demand of one: every item was
     * dropped in its own place. */
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(n);
}

static void
test_skip_until_errors_of_either_side_fail_the_stream(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o =
        rx_skip_until(rx_t_hot_observable(s), rx_t_hot_observable(n));
    rx_observable *p = rx_skip_until(
        rx_throw(rx_error_new(RX_ETIMEDOUT, "src failed")), rx_never());
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(p, u), 0);
    rx_observable_release(o);
    rx_observable_release(p);
    rx_t_hot_error(n, RX_T_EUSER);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(s), 1);
    assert_rx_error(u, RX_ETIMEDOUT);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
    rx_t_hot_free(s);
    rx_t_hot_free(n);
}

static void
test_skip_until_cancel_releases_both(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_skip_until(rx_interval(1, vs), rx_timer(2, vs));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 4);
    /* interval: 0@1 1@2 2@3 3@4; the timer, subscribed first, fires at
     * 2 ahead of the interval's item there: 1, 2 and 3 pass. */
    assert_int_equal(rx_test_count(t), 3);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_skip_until_rejects_bad_arguments(void **state)
{
    (void)state;
    rx_range(0, -1);
    assert_null(rx_skip_until(NULL, rx_never()));
    assert_null(rx_skip_until(rx_of_ints(1), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
skip_until_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_skip_until(rx_of_ints(1, 2), rx_empty());
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_true(failed);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 1, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_skip_until_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(skip_until_under_oom, NULL) > 3);
}

static void
test_skip_until_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("skip_until.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_skip_until_mirrors_the_source_once_the_notifier_emits),
        rx_unit_test(test_skip_until_notifier_completion_opens_the_gate),
        rx_unit_test(test_skip_until_dropped_items_use_no_demand),
        rx_unit_test(test_skip_until_errors_of_either_side_fail_the_stream),
        rx_unit_test(test_skip_until_cancel_releases_both),
        rx_unit_test(test_skip_until_rejects_bad_arguments),
        rx_unit_test(test_skip_until_survives_every_allocation_failure),
        rx_unit_test(test_skip_until_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
