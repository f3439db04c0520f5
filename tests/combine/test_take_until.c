/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_take_until: the source is mirrored until the notifier
 * emits or completes (RxJava 3; RxJS ignores the completion), both are
 * then cancelled; the notifier is subscribed first and asked for
 * everything; a notifier that fires while being subscribed keeps the
 * source unsubscribed; errors of either side; a completion raised
 * inside on_next waits for it to return; demand passes through;
 * cancellation, bad arguments, allocation failures and marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_take_until_stops_at_the_notifiers_first_item(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o =
        rx_take_until(rx_t_hot_observable(s), rx_t_hot_observable(n));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(n), RX_UNBOUNDED);
    rx_t_hot_next_int(s, 1);
    rx_t_hot_next_int(s, 2);
    rx_t_hot_next_int(n, 0);
    rx_t_hot_next_int(s, 3);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(s), 1);
    assert_int_equal(rx_t_hot_cancels(n), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(n);
}

static void
test_take_until_notifier_completion_completes_too(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o =
        rx_take_until(rx_t_hot_observable(s), rx_t_hot_observable(n));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(s, 1);
    rx_t_hot_complete(n);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(s), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(n);
}

static void
test_take_until_with_a_silent_notifier_mirrors_the_source(void **state)
{
    rx_observable *o = rx_take_until(rx_range(1, 4), rx_never());
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_until_notifier_firing_at_subscribe_skips_the_source(void **state)
{
    int starts = 0;
    rx_observable *o = rx_take_until(cp_counted(&starts), rx_just(rx_int(0)));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(starts, 0);
    rx_test_observer_free(t);
}

static void
test_take_until_passes_demand_through(void **state)
{
    rx_observable *o = rx_take_until(rx_range(1, 5), rx_never());
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 3);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_until_errors_of_either_side_fail_the_stream(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *n = rx_t_hot_new();
    rx_observable *o =
        rx_take_until(rx_t_hot_observable(s), rx_t_hot_observable(n));
    rx_observable *p = rx_take_until(
        rx_concat(rx_of_ints(1), rx_throw(rx_error_new(RX_ETIMEDOUT, "late"))),
        rx_never());
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
    assert_rx_ints(u, 1);
    assert_rx_error(u, RX_ETIMEDOUT);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
    rx_t_hot_free(s);
    rx_t_hot_free(n);
}

/* Fires the notifier from inside the subscriber's on_next. */
struct fire {
    rx_t_hot *n;
    int items;
    bool in_next;
    int nested;
    int completes;
};

static void
fire_next(rx_value v, void *ctx)
{
    struct fire *f = ctx;

    (void)v;
    f->in_next = true;
    f->items++;
    rx_t_hot_next_int(f->n, 0);
    f->in_next = false;
}

static void
fire_complete(void *ctx)
{
    struct fire *f = ctx;

    f->nested += f->in_next;
    f->completes++;
}

static void
test_take_until_completion_raised_in_on_next_waits_for_it(void **state)
{
    rx_t_hot *n = rx_t_hot_new();
    struct fire f = {.n = n};
    rx_subscription *sub = NULL;
    rx_observable *o = rx_take_until(rx_range(1, 5), rx_t_hot_observable(n));
    rx_observer obs = {
        .on_next = fire_next, .on_complete = fire_complete, .ctx = &f};

    (void)state;
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_int_equal(f.items, 1);
    assert_int_equal(f.completes, 1);
    assert_int_equal(f.nested, 0);
    rx_dispose(sub);
    rx_t_hot_free(n);
}

static void
test_take_until_cancel_releases_both(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_take_until(rx_interval(1, vs), rx_timer(10, vs));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 3);
    assert_rx_ints(t, 0, 1, 2);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static rx_observable *
three_until_never(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_take_until(rx_range(rx_as_int(v), 3), rx_never());
}

static void
test_take_until_as_an_inner_of_flat_map_runs_many_times(void **state)
{
    rx_observable *o =
        rx_count(rx_flat_map(rx_range(0, 5000), three_until_never, NULL));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 15000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_take_until_rejects_bad_arguments(void **state)
{
    (void)state;
    rx_range(0, -1);
    assert_null(rx_take_until(NULL, rx_never()));
    assert_null(rx_take_until(rx_of_ints(1), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
take_until_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_take_until(rx_of_ints(1, 2), rx_never());
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
test_take_until_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(take_until_under_oom, NULL) > 3);
}

static void
test_take_until_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("take_until.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_take_until_stops_at_the_notifiers_first_item),
        rx_unit_test(test_take_until_notifier_completion_completes_too),
        rx_unit_test(test_take_until_with_a_silent_notifier_mirrors_the_source),
        rx_unit_test(
            test_take_until_notifier_firing_at_subscribe_skips_the_source),
        rx_unit_test(test_take_until_passes_demand_through),
        rx_unit_test(test_take_until_errors_of_either_side_fail_the_stream),
        rx_unit_test(test_take_until_completion_raised_in_on_next_waits_for_it),
        rx_unit_test(test_take_until_cancel_releases_both),
        rx_unit_test(test_take_until_as_an_inner_of_flat_map_runs_many_times),
        rx_unit_test(test_take_until_rejects_bad_arguments),
        rx_unit_test(test_take_until_survives_every_allocation_failure),
        rx_unit_test(test_take_until_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
