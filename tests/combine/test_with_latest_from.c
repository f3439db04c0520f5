/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_with_latest_from: each item of the source combined with
 * the latest item of the other; items before the other's first item
 * dropped without using demand; the other subscribed first and asked for
 * everything, its completion changing nothing; errors of either side;
 * a terminal raised by the other during an on_next waiting for it to
 * return; cancellation; bad arguments, allocation failures and the
 * marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_with_latest_from_combines_each_item_with_the_latest_other(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *h = rx_t_hot_new();
    rx_observable *o = rx_with_latest_from(
        rx_t_hot_observable(s), rx_t_hot_observable(h), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    rx_t_hot_next_int(s, 1); /* dropped: no latest yet */
    rx_t_hot_next_int(h, 10);
    rx_t_hot_next_int(h, 20);
    rx_t_hot_next_int(s, 2);
    rx_t_hot_next_int(s, 3);
    rx_t_hot_complete(h); /* changes nothing */
    rx_t_hot_next_int(s, 4);
    assert_rx_no_terminal(t);
    rx_t_hot_complete(s);
    assert_rx_ints(t, 22, 23, 24);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(h);
}

static void
test_with_latest_from_drops_use_no_demand(void **state)
{
    rx_observable *o =
        rx_with_latest_from(rx_range(1, 5), rx_never(), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    /* Every item is dropped; with a demand of one the range still runs
     * to its end. */
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_with_latest_from_without_combiner_emits_pairs(void **state)
{
    rx_observable *o =
        rx_with_latest_from(rx_of_ints(1, 2), rx_just(rx_int(9)), NULL, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 2);
    cp_assert_int_array(t, 0, (const int64_t[]){1, 9}, 2);
    cp_assert_int_array(t, 1, (const int64_t[]){2, 9}, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_with_latest_from_passes_demand_to_the_source(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_observable *o = rx_with_latest_from(rx_t_hot_observable(s),
                                           rx_just(rx_int(0)), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(s), 3);
    rx_test_request(t, 4);
    assert_int_equal(rx_t_hot_requested(s), 7);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
}

static void
test_with_latest_from_other_error_fails_and_cancels_the_source(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *h = rx_t_hot_new();
    rx_observable *o = rx_with_latest_from(
        rx_t_hot_observable(s), rx_t_hot_observable(h), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(h, 10);
    rx_t_hot_next_int(s, 1);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_rx_ints(t, 11);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(s), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(h);
}

static void
test_with_latest_from_source_error_fails_and_cancels_the_other(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *h = rx_t_hot_new();
    rx_observable *o = rx_with_latest_from(
        rx_t_hot_observable(s), rx_t_hot_observable(h), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_error(s, RX_ETIMEDOUT);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ETIMEDOUT);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
    rx_t_hot_free(h);
}

static void
test_an_error_raised_inside_on_next_waits_for_it_to_return(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_t_hot *h = rx_t_hot_new();
    struct cp_twice tw = {.first = h, .second = s};
    rx_subscription *sub;

    (void)state;
    rx_capture_undeliverable();
    sub = cp_twice_subscribe(rx_with_latest_from(rx_t_hot_observable(s),
                                                 rx_t_hot_observable(h), cp_add,
                                                 NULL),
                             &tw);
    rx_t_hot_next_int(h, 10);
    rx_t_hot_next_int(s, 1); /* on_next fails h; s is then cancelled */
    assert_int_equal(tw.items, 1);
    assert_int_equal(tw.errors, 1);
    assert_int_equal(tw.code, RX_ETIMEDOUT);
    assert_int_equal(tw.completes, 0);
    assert_int_equal(tw.nested, 0);
    assert_int_equal(rx_t_hot_cancels(s), 1);
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    rx_dispose(sub);
    rx_t_hot_free(s);
    rx_t_hot_free(h);
}

static void
test_with_latest_from_combiner_failure_fails_the_stream(void **state)
{
    int64_t at = 13;
    rx_observable *o = rx_with_latest_from(rx_range(1, 5), rx_just(rx_int(10)),
                                           cp_add_fail_at, &at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 11, 12);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_with_latest_from_cancel_releases_both_sources(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_with_latest_from(rx_interval(2, vs),
                                           rx_interval(3, vs), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 6);
    /* src: 0@2 1@4 2@6; other: 0@3 1@6 */
    assert_int_equal(rx_test_count(t), 2);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_with_latest_from_rejects_bad_arguments(void **state)
{
    (void)state;
    rx_range(0, -1);
    assert_null(rx_with_latest_from(NULL, rx_of_ints(1), cp_add, NULL));
    assert_null(rx_with_latest_from(rx_of_ints(1), NULL, cp_add, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
with_latest_from_under_oom(bool failed, void *ctx)
{
    rx_observable *o =
        rx_with_latest_from(rx_of_ints(1, 2), rx_just(rx_int(9)), NULL, NULL);
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
    } else if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_with_latest_from_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(with_latest_from_under_oom, NULL) > 5);
}

static void
test_with_latest_from_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("with_latest_from.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_with_latest_from_combines_each_item_with_the_latest_other),
        rx_unit_test(test_with_latest_from_drops_use_no_demand),
        rx_unit_test(test_with_latest_from_without_combiner_emits_pairs),
        rx_unit_test(test_with_latest_from_passes_demand_to_the_source),
        rx_unit_test(
            test_with_latest_from_other_error_fails_and_cancels_the_source),
        rx_unit_test(
            test_with_latest_from_source_error_fails_and_cancels_the_other),
        rx_unit_test(
            test_an_error_raised_inside_on_next_waits_for_it_to_return),
        rx_unit_test(test_with_latest_from_combiner_failure_fails_the_stream),
        rx_unit_test(test_with_latest_from_cancel_releases_both_sources),
        rx_unit_test(test_with_latest_from_rejects_bad_arguments),
        rx_unit_test(test_with_latest_from_survives_every_allocation_failure),
        rx_unit_test(test_with_latest_from_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
