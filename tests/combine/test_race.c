/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_race and rx_race_array: the first source to signal (an
 * item, an error or a completion) wins and the others are cancelled; a
 * synchronous winner keeps later sources from being subscribed at all;
 * demand goes to every source before a winner and to the winner after;
 * a loser's late error goes to the undeliverable handler; cancellation,
 * bad arguments, allocation failures and the marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_race_mirrors_the_first_source_to_emit(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_race(rx_t_hot_observable(a), rx_t_hot_observable(b));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_subscribes(a), 1);
    assert_int_equal(rx_t_hot_subscribes(b), 1);
    rx_t_hot_next_int(b, 1);
    assert_int_equal(rx_t_hot_cancels(a), 1);
    rx_t_hot_next_int(a, 100); /* a lost: nothing */
    rx_t_hot_next_int(b, 2);
    rx_t_hot_complete(b);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_race_an_error_or_a_completion_wins_too(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_race(rx_t_hot_observable(a), rx_t_hot_observable(b));
    rx_observable *p = rx_race(rx_never(), rx_empty());
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(p, u), 0);
    rx_observable_release(o);
    rx_observable_release(p);
    rx_t_hot_error(a, RX_T_EUSER);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(b), 1);
    assert_rx_no_items(u);
    assert_rx_completed(u);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_race_synchronous_winner_keeps_later_sources_unsubscribed(void **state)
{
    int starts = 0;
    rx_observable *o = rx_race(rx_of_ints(1, 2), cp_counted(&starts));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(starts, 0);
    rx_test_observer_free(t);
}

static void
test_race_sends_demand_to_all_then_to_the_winner(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_race(rx_t_hot_observable(a), rx_t_hot_observable(b));
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(a), 2);
    assert_int_equal(rx_t_hot_requested(b), 2);
    rx_test_request(t, 3);
    assert_int_equal(rx_t_hot_requested(a), 5);
    assert_int_equal(rx_t_hot_requested(b), 5);
    rx_t_hot_next_int(b, 7);
    rx_test_request(t, 4);
    assert_int_equal(rx_t_hot_requested(b), 9);
    assert_int_equal(rx_t_hot_requested(a), 5);
    assert_rx_ints(t, 7);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_race_with_a_synchronous_source_honours_demand(void **state)
{
    rx_observable *o = rx_race(rx_never(), rx_range(1, 5));
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2);
    rx_test_request(t, 10);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_race_array_picks_among_many_and_of_nothing_completes(void **state)
{
    rx_t_hot *h[3];
    rx_observable *srcs[3];
    rx_observable *o;
    rx_observable *none = rx_race_array(0, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(0);

    (void)state;
    for (int i = 0; i < 3; i++) {
        h[i] = rx_t_hot_new();
        srcs[i] = rx_t_hot_observable(h[i]);
    }
    o = rx_race_array(3, srcs);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(none, u), 0);
    rx_observable_release(o);
    rx_observable_release(none);
    rx_t_hot_next_int(h[2], 3);
    rx_t_hot_complete(h[2]);
    assert_int_equal(rx_t_hot_cancels(h[0]), 1);
    assert_int_equal(rx_t_hot_cancels(h[1]), 1);
    assert_rx_ints(t, 3);
    assert_rx_completed(t);
    assert_rx_completed(u);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
    for (int i = 0; i < 3; i++) {
        rx_t_hot_free(h[i]);
    }
}

/* A source whose cancel callback fails it: its error arrives after it
 * lost, and must go to the undeliverable handler. */
static void
fail_on_cancel(void *ctx)
{
    rx_emitter_error(ctx, rx_error_new(RX_T_EUSER, "late loser"));
}

static void
loser_create(rx_emitter *em, void *ctx)
{
    (void)ctx;
    rx_emitter_set_cancel(em, fail_on_cancel, em);
}

static void
test_race_loser_error_goes_to_the_undeliverable_handler(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_observable *o =
        rx_race(rx_create(loser_create, NULL), rx_t_hot_observable(a));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_complete(a);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_EUSER);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
}

static void
test_race_cancel_releases_every_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_race(rx_timer(5, vs), rx_timer(7, vs));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_virtual_pending(vs), 2);
    rx_virtual_advance_by(vs, 2);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static rx_observable *
race_for(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_race(rx_never(), rx_just(rx_value_retain(v)));
}

static void
test_race_as_an_inner_of_concat_map_runs_many_times(void **state)
{
    rx_observable *o =
        rx_count(rx_concat_map(rx_range(0, 5000), race_for, NULL));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 5000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_race_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_race_array(2, NULL), RX_EINVAL, "rx_race_array");
    rx_range(0, -1);
    assert_null(rx_race(NULL, rx_of_ints(1)));
    assert_null(rx_race(rx_of_ints(1), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
race_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_race(rx_never(), rx_of_ints(1, 2));
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
test_race_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(race_under_oom, NULL) > 3);
}

static void
test_race_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("race.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_mirrors_the_first_source_to_emit),
        rx_unit_test(test_race_an_error_or_a_completion_wins_too),
        rx_unit_test(
            test_race_synchronous_winner_keeps_later_sources_unsubscribed),
        rx_unit_test(test_race_sends_demand_to_all_then_to_the_winner),
        rx_unit_test(test_race_with_a_synchronous_source_honours_demand),
        rx_unit_test(test_race_array_picks_among_many_and_of_nothing_completes),
        rx_unit_test(test_race_loser_error_goes_to_the_undeliverable_handler),
        rx_unit_test(test_race_cancel_releases_every_source),
        rx_unit_test(test_race_as_an_inner_of_concat_map_runs_many_times),
        rx_unit_test(test_race_rejects_bad_arguments),
        rx_unit_test(test_race_survives_every_allocation_failure),
        rx_unit_test(test_race_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
