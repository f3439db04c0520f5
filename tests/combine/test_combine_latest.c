/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_combine_latest and rx_combine_latest_array: nothing until
 * every source has emitted, then one combination per item; completion
 * when all have completed or at once when one completes empty;
 * combinations waiting for demand and the sources topped up only as they
 * go out; the first error winning and a second one going to the
 * undeliverable handler; cancellation; bad arguments; allocation
 * failures and the marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_combine_latest_waits_for_every_source_then_combines_each_item(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_combine_latest(rx_t_hot_observable(a),
                                         rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(a, 2);
    assert_rx_no_items(t); /* b has not emitted yet */
    rx_t_hot_next_int(b, 10);
    rx_t_hot_next_int(a, 3);
    rx_t_hot_next_int(b, 20);
    assert_rx_ints(t, 12, 13, 23);
    rx_t_hot_complete(a);
    assert_rx_no_terminal(t);
    rx_t_hot_next_int(b, 30); /* a's latest stays */
    rx_t_hot_complete(b);
    assert_rx_ints(t, 12, 13, 23, 33);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_without_combiner_emits_arrays(void **state)
{
    rx_observable *o =
        rx_combine_latest(rx_of_ints(1, 2), rx_of_ints(10, 20), NULL, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* The first source is synchronous: it is done before b starts. */
    assert_int_equal(rx_test_count(t), 2);
    cp_assert_int_array(t, 0, (const int64_t[]){2, 10}, 2);
    cp_assert_int_array(t, 1, (const int64_t[]){2, 20}, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_combine_latest_completes_at_once_when_a_source_completes_empty(
    void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_combine_latest(rx_t_hot_observable(a),
                                         rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_complete(b);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(a), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_queues_combinations_until_demand(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_combine_latest(rx_t_hot_observable(a),
                                         rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(b, 10);
    rx_t_hot_next_int(a, 2);
    rx_t_hot_next_int(b, 20);
    rx_t_hot_complete(a);
    rx_t_hot_complete(b);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 11, 12);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 11, 12, 22);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_tops_up_a_source_as_its_items_are_used(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_combine_latest(rx_t_hot_observable(a),
                                         rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(a), 128);
    /* Before every source emitted, each item is used at once. */
    for (int i = 0; i < 96; i++) {
        rx_t_hot_next_int(a, i);
    }
    assert_int_equal(rx_t_hot_requested(a), 128 + 96);
    /* From now on combinations wait for demand, and a source is topped
     * up only as its own combinations go out. */
    rx_t_hot_next_int(b, 0);
    for (int i = 0; i < 96; i++) {
        rx_t_hot_next_int(a, i);
    }
    assert_int_equal(rx_t_hot_requested(a), 128 + 96);
    rx_test_request(t, 96); /* b's combination and 95 of a's */
    assert_int_equal(rx_t_hot_requested(a), 128 + 96);
    rx_test_request(t, 1);
    assert_int_equal(rx_test_count(t), 97);
    assert_int_equal(rx_t_hot_requested(a), 128 + 96 + 96);
    assert_int_equal(rx_t_hot_requested(b), 128);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_array_combines_three_sources(void **state)
{
    rx_t_hot *h[3];
    rx_observable *srcs[3];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    for (int i = 0; i < 3; i++) {
        h[i] = rx_t_hot_new();
        srcs[i] = rx_t_hot_observable(h[i]);
    }
    o = rx_combine_latest_array(3, srcs, cp_add, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(h[0], 1);
    rx_t_hot_next_int(h[1], 10);
    rx_t_hot_next_int(h[0], 2);
    rx_t_hot_next_int(h[2], 100);
    rx_t_hot_next_int(h[1], 20);
    for (int i = 0; i < 3; i++) {
        rx_t_hot_complete(h[i]);
    }
    assert_rx_ints(t, 112, 122);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    for (int i = 0; i < 3; i++) {
        rx_t_hot_free(h[i]);
    }
}

static void
test_combine_latest_array_of_nothing_completes_at_once(void **state)
{
    rx_observable *o = rx_combine_latest_array(0, NULL, NULL, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_combine_latest_first_error_wins_and_the_second_is_undeliverable(
    void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    struct cp_twice tw = {.first = b, .second = a};
    rx_subscription *sub;
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    sub = cp_twice_subscribe(rx_combine_latest(rx_t_hot_observable(a),
                                               rx_t_hot_observable(b), cp_add,
                                               NULL),
                             &tw);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(b, 10); /* its on_next fails b, then a */
    assert_int_equal(tw.items, 1);
    assert_int_equal(tw.errors, 1);
    assert_int_equal(tw.code, RX_ETIMEDOUT);
    assert_int_equal(tw.nested, 0);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_EUSER);
    rx_dispose(sub);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_error_cuts_ahead_and_cancels_the_others(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o = rx_combine_latest(rx_t_hot_observable(a),
                                         rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(b, 10);
    rx_t_hot_error(a, RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(b), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_combine_latest_combiner_failure_fails_the_stream(void **state)
{
    int64_t at = 22;
    rx_observable *o = rx_combine_latest(rx_of_ints(2), rx_of_ints(10, 20, 30),
                                         cp_add_fail_at, &at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 12);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_combine_latest_cancel_releases_every_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o =
        rx_combine_latest(rx_interval(2, vs), rx_interval(3, vs), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 6);
    /* a: 0@2 1@4 2@6; b: 0@3 1@6 (a fires first at 6) */
    assert_rx_ints(t, 0, 1, 2, 3);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_virtual_advance_by(vs, 10);
    assert_rx_ints(t, 0, 1, 2, 3);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_combine_latest_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_combine_latest_array(3, NULL, NULL, NULL), RX_EINVAL,
                    "rx_combine_latest_array");
    rx_range(0, -1);
    assert_null(rx_combine_latest(NULL, rx_of_ints(1), cp_add, NULL));
    assert_null(rx_combine_latest(rx_of_ints(1), NULL, cp_add, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
combine_latest_under_oom(bool failed, void *ctx)
{
    rx_observable *o =
        rx_combine_latest(rx_of_ints(1, 2), rx_of_ints(10, 20), NULL, NULL);
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    /* Without demand at first, the combinations queue as snapshots. */
    t = rx_test_observer_new(0);
    if (t == NULL) {
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        rx_test_observer_free(t);
        return;
    }
    rx_test_request(t, 5);
    if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 2);
        cp_assert_int_array(t, 1, (const int64_t[]){2, 20}, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_combine_latest_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(combine_latest_under_oom, NULL) > 5);
}

static void
test_combine_latest_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("combine_latest.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_combine_latest_waits_for_every_source_then_combines_each_item),
        rx_unit_test(test_combine_latest_without_combiner_emits_arrays),
        rx_unit_test(
            test_combine_latest_completes_at_once_when_a_source_completes_empty),
        rx_unit_test(test_combine_latest_queues_combinations_until_demand),
        rx_unit_test(
            test_combine_latest_tops_up_a_source_as_its_items_are_used),
        rx_unit_test(test_combine_latest_array_combines_three_sources),
        rx_unit_test(test_combine_latest_array_of_nothing_completes_at_once),
        rx_unit_test(
            test_combine_latest_first_error_wins_and_the_second_is_undeliverable),
        rx_unit_test(
            test_combine_latest_error_cuts_ahead_and_cancels_the_others),
        rx_unit_test(test_combine_latest_combiner_failure_fails_the_stream),
        rx_unit_test(test_combine_latest_cancel_releases_every_source),
        rx_unit_test(test_combine_latest_rejects_bad_arguments),
        rx_unit_test(test_combine_latest_survives_every_allocation_failure),
        rx_unit_test(test_combine_latest_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
