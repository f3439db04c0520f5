/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_zip and rx_zip_array: rows in order, the combiner or an
 * array value, completion as soon as a completed source has nothing left
 * (RxJava's rule, with or without demand), prefetch and top-up of each
 * source, demand, the first error winning and a second one going to the
 * undeliverable handler, cancellation releasing everything, bad
 * arguments, allocation failures and the marble cases.
 *
 * Code under test: operators/combine/fanin.c (the input stages zip shares
 * with combine_latest, race and the rest) and operators/combine/zip.c.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_zip_combines_items_pairwise_in_order(void **state)
{
    rx_observable *o =
        rx_zip(rx_range(1, 4), rx_of_ints(10, 20, 30), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 11, 22, 33);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_without_combiner_emits_arrays(void **state)
{
    rx_observable *o = rx_zip(rx_of_ints(1, 2), rx_of_ints(10, 20), NULL, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 2);
    cp_assert_int_array(t, 0, (const int64_t[]){1, 10}, 2);
    cp_assert_int_array(t, 1, (const int64_t[]){2, 20}, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_completes_when_a_completed_source_has_nothing_left(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o =
        rx_zip(rx_t_hot_observable(a), rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(a, 2);
    rx_t_hot_complete(a);
    assert_rx_no_terminal(t); /* 1 and 2 still wait for partners */
    rx_t_hot_next_int(b, 10);
    assert_rx_ints(t, 11);
    assert_rx_no_terminal(t);
    rx_t_hot_next_int(b, 20);
    assert_rx_ints(t, 11, 22);
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(b), 1);
    assert_int_equal(rx_t_hot_cancels(a), 0); /* it completed itself */
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_zip_drops_unpaired_items_when_the_other_side_completes_early(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o =
        rx_zip(rx_t_hot_observable(a), rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(a, 2);
    rx_t_hot_next_int(a, 3);
    rx_t_hot_next_int(b, 10);
    rx_t_hot_complete(b);
    /* One row waits for demand; b has nothing left, so no second row can
     * ever form. RxJava completes only once the waiting row is out. */
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 11);
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(a), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_zip_completes_without_demand_when_a_source_ends_empty(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_observable *o =
        rx_zip(rx_t_hot_observable(a), rx_range(1, 5), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_complete(a);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
}

static void
test_zip_honours_demand(void **state)
{
    rx_observable *o = rx_zip(rx_range(1, 5), rx_range(10, 5), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 11, 13);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_ints(t, 11, 13, 15, 17, 19);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_prefetches_128_and_tops_up_by_96(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o =
        rx_zip(rx_t_hot_observable(a), rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(a), 128);
    assert_int_equal(rx_t_hot_requested(b), 128);
    for (int i = 0; i < 95; i++) {
        rx_t_hot_next_int(a, i);
        rx_t_hot_next_int(b, i);
    }
    assert_int_equal(rx_t_hot_requested(a), 128);
    rx_t_hot_next_int(a, 95);
    assert_int_equal(rx_t_hot_requested(a), 128); /* not used yet */
    rx_t_hot_next_int(b, 95);
    assert_int_equal(rx_test_count(t), 96);
    assert_int_equal(rx_t_hot_requested(a), 128 + 96);
    assert_int_equal(rx_t_hot_requested(b), 128 + 96);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_zip_array_combines_three_sources(void **state)
{
    rx_observable *srcs[3];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    srcs[0] = rx_of_ints(1, 2, 3);
    srcs[1] = rx_of_ints(10, 20);
    srcs[2] = rx_of_ints(100, 200, 300);
    o = rx_zip_array(3, srcs, NULL, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 2);
    cp_assert_int_array(t, 0, (const int64_t[]){1, 10, 100}, 3);
    cp_assert_int_array(t, 1, (const int64_t[]){2, 20, 200}, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_array_of_nothing_completes_at_once(void **state)
{
    rx_observable *o = rx_zip_array(0, NULL, cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_first_error_wins_and_the_second_is_undeliverable(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    struct cp_twice tw = {.first = a, .second = b};
    rx_subscription *sub;
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    sub = cp_twice_subscribe(
        rx_zip(rx_t_hot_observable(a), rx_t_hot_observable(b), cp_add, NULL),
        &tw);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(a, 2);
    rx_t_hot_next_int(b, 10); /* the row's on_next fails a, then b */
    assert_int_equal(tw.items, 1);
    assert_int_equal(tw.errors, 1);
    assert_int_equal(tw.code, RX_ETIMEDOUT);
    assert_int_equal(tw.nested, 0);
    assert_int_equal(tw.completes, 0);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_EUSER);
    rx_dispose(sub);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_zip_error_cuts_ahead_of_waiting_rows_and_cancels_the_others(void **state)
{
    rx_t_hot *a = rx_t_hot_new();
    rx_t_hot *b = rx_t_hot_new();
    rx_observable *o =
        rx_zip(rx_t_hot_observable(a), rx_t_hot_observable(b), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(a, 1);
    rx_t_hot_next_int(b, 10);
    rx_t_hot_error(b, RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(a), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(a);
    rx_t_hot_free(b);
}

static void
test_zip_combiner_failure_fails_the_stream(void **state)
{
    int64_t at = 17;
    rx_observable *o =
        rx_zip(rx_range(1, 5), rx_range(10, 5), cp_add_fail_at, &at);
    rx_observable *inv =
        rx_zip(rx_range(1, 5), rx_range(10, 5), cp_invalid, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(inv, u), 0);
    rx_observable_release(o);
    rx_observable_release(inv);
    assert_rx_ints(t, 11, 13, 15); /* 4 + 13 = 17 fails */
    assert_rx_error(t, RX_T_EUSER);
    assert_rx_no_items(u);
    assert_rx_error(u, RX_ENOMEM);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static void
test_zip_combiner_may_pass_an_item_on(void **state)
{
    rx_value strs[2];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    strs[0] = rx_str("x");
    strs[1] = rx_str("y");
    o = rx_zip(rx_of_ints(1, 2), rx_from_values(2, strs), cp_last, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    cp_assert_str(t, 0, "x");
    cp_assert_str(t, 1, "y");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_feeding_a_filter_does_not_stall(void **state)
{
    /* The sums 3, 5, 7, ... are all odd: the filter drops every row, and
     * with a demand of one the stream must still reach its end (a row
     * dropped below uses no demand). */
    rx_observable *o =
        rx_filter(rx_zip(rx_range(1, 6), rx_range(2, 6), cp_add, NULL),
                  rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_cancel_releases_every_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o =
        rx_zip(rx_interval(1, vs), rx_interval(2, vs), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 6);
    assert_rx_ints(t, 0, 2, 4); /* (0,0) (1,1) (2,2) at 2, 4, 6 */
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_virtual_advance_by(vs, 10);
    assert_rx_ints(t, 0, 2, 4);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_zip_of_long_synchronous_sources_is_stack_safe(void **state)
{
    rx_observable *o = rx_count(
        rx_zip(rx_range(0, 200000), rx_range(0, 300000), cp_add, NULL));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 200000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_pulls_iterable_sources_and_mixes_them_with_others(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_value strs[3];
    rx_observable *srcs[3];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    strs[0] = rx_str("a");
    strs[1] = rx_str("b");
    strs[2] = rx_str("c");
    srcs[0] = rx_range(1, 5);
    srcs[1] = rx_from_values(3, strs);
    srcs[2] = rx_t_hot_observable(h);
    o = rx_zip_array(3, srcs, cp_concat, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(h), 128);
    rx_t_hot_next_int(h, 7);
    rx_t_hot_next_int(h, 8);
    assert_int_equal(rx_test_count(t), 2);
    cp_assert_str(t, 0, "1a7");
    cp_assert_str(t, 1, "2b8");
    assert_rx_no_terminal(t);
    /* The third row uses the last string: the stream ends with it. */
    rx_t_hot_next_int(h, 9);
    cp_assert_str(t, 2, "3c9");
    assert_rx_completed(t);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_zip_with_an_empty_iterable_subscribes_nothing_else(void **state)
{
    int starts = 0;
    rx_observable *o =
        rx_zip(rx_from_values(0, NULL), cp_counted(&starts), cp_add, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(starts, 0);
    rx_test_observer_free(t);
}

static void
test_zip_rejects_bad_arguments(void **state)
{
    rx_observable *srcs[2];

    (void)state;
    assert_rx_fails(rx_zip_array(2, NULL, NULL, NULL), RX_EINVAL,
                    "rx_zip_array");
    /* A NULL source: the other is released, the last error untouched. */
    rx_range(0, -1);
    assert_null(rx_zip(rx_of_ints(1), NULL, NULL, NULL));
    assert_null(rx_zip(NULL, rx_of_ints(1), NULL, NULL));
    srcs[0] = rx_of_ints(1);
    srcs[1] = NULL;
    assert_null(rx_zip_array(2, srcs, cp_add, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
zip_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_zip(rx_range(1, 3), rx_of_ints(10, 20), NULL, NULL);
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
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
        cp_assert_int_array(t, 1, (const int64_t[]){2, 20}, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_zip_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(zip_under_oom, NULL) > 5);
}

static void
test_zip_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("zip.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_zip_combines_items_pairwise_in_order),
        rx_unit_test(test_zip_without_combiner_emits_arrays),
        rx_unit_test(
            test_zip_completes_when_a_completed_source_has_nothing_left),
        rx_unit_test(
            test_zip_drops_unpaired_items_when_the_other_side_completes_early),
        rx_unit_test(
            test_zip_completes_without_demand_when_a_source_ends_empty),
        rx_unit_test(test_zip_honours_demand),
        rx_unit_test(test_zip_prefetches_128_and_tops_up_by_96),
        rx_unit_test(test_zip_array_combines_three_sources),
        rx_unit_test(test_zip_array_of_nothing_completes_at_once),
        rx_unit_test(test_zip_first_error_wins_and_the_second_is_undeliverable),
        rx_unit_test(
            test_zip_error_cuts_ahead_of_waiting_rows_and_cancels_the_others),
        rx_unit_test(test_zip_combiner_failure_fails_the_stream),
        rx_unit_test(test_zip_combiner_may_pass_an_item_on),
        rx_unit_test(test_zip_feeding_a_filter_does_not_stall),
        rx_unit_test(test_zip_cancel_releases_every_source),
        rx_unit_test(test_zip_of_long_synchronous_sources_is_stack_safe),
        rx_unit_test(
            test_zip_pulls_iterable_sources_and_mixes_them_with_others),
        rx_unit_test(test_zip_with_an_empty_iterable_subscribes_nothing_else),
        rx_unit_test(test_zip_rejects_bad_arguments),
        rx_unit_test(test_zip_survives_every_allocation_failure),
        rx_unit_test(test_zip_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
