/* SPDX-License-Identifier: MIT */
/*
 * flat_map and merge with inners that are rx_range: with the observer
 * right below and unbounded demand, merge reads the range's bounds itself
 * and frees it on the spot (operators/combine/merge.c, start_range()).
 * Checked here: exact values and order, ranges shared with the caller
 * (more than one reference) left alive, empty ranges, ranges longer than
 * the 1,024-item poll chunk, a cancel deep inside a long range, demand
 * that turns unbounded mid-stream, a custom allocator seeing every free
 * of the ranges (the sized free), and rx_range's own errors and site.
 * The same for an observer with on_next_batch, which gets each inner
 * range as batches of up to 64 values (start_range_batch()), and a
 * cancel from another thread seen at the 1,024-item poll of both loops.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

static int calls; /* how many times the test functions ran */

/* v -> the range *ctx (a new reference to the same observable) */
static rx_observable *
same_range(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)err;
    calls++;
    return rx_observable_retain(ctx);
}

static void
test_shared_range_inner_stays_alive(void **state)
{
    rx_observable *shared = rx_range(7, 3);
    rx_observable *o = rx_flat_map(rx_range(0, 4), same_range, shared);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 7, 8, 9, 7, 8, 9, 7, 8, 9, 7, 8, 9);
    assert_rx_completed(t);
    assert_int_equal(calls, 4);
    rx_test_observer_free(t);
    /* Still the caller's, and still a working range. */
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(shared, t), 0);
    assert_rx_ints(t, 7, 8, 9);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_observable_release(shared);
}

/* v -> range(v, 2) for even v, an empty range for odd v */
static rx_observable *
even_pairs(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    calls++;
    return rx_range(rx_as_int(v), rx_as_int(v) % 2 == 0 ? 2 : 0);
}

static void
test_empty_range_inners_add_nothing(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 5), even_pairs, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    assert_int_equal(calls, 5);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

enum { LONG = 2500 }; /* more than two poll chunks of 1,024 */

/* v -> range(10000v, LONG) */
static rx_observable *
long_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    calls++;
    return rx_range(rx_as_int(v) * 10000, LONG);
}

/* The items of long_from(0) and long_from(1), in order. */
static void
assert_two_long_inners(const rx_test_observer *t)
{
    assert_int_equal(rx_test_count(t), 2 * LONG);
    for (size_t i = 0; i < 2 * LONG; i++) {
        int64_t want = (int64_t)(i / LONG) * 10000 + (int64_t)(i % LONG);
        assert_int_equal(rx_as_int(rx_test_value(t, i)), want);
    }
}

static void
test_long_range_inners_emit_every_item_in_order(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 2), long_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_two_long_inners(t);
    assert_rx_completed(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_cancel_deep_inside_a_long_range_inner(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 1000), long_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_counts c;

    (void)state;
    calls = 0;
    rx_test_set_cancel_after(t, 1500); /* past the first poll chunk */
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 1500);
    assert_int_equal(rx_as_int(rx_test_value(t, 0)), 0);
    assert_int_equal(rx_as_int(rx_test_value(t, 1499)), 1499);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 1);
    c = rx_test_get_counts(t);
    assert_int_equal(c.after_terminal, 0);
    rx_test_observer_free(t);
}

/* v -> range(10v, 5) */
static rx_observable *
five_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 5);
}

static void
test_demand_turning_unbounded_mid_stream(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 3), five_from, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, RX_UNBOUNDED), 0);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_merge_array_of_ranges_in_order(void **state)
{
    rx_observable *srcs[3] = {rx_range(0, 2), rx_range(10, 0), rx_range(20, 3)};
    rx_observable *o = rx_merge_array(3, srcs, RX_UNBOUNDED);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_ints(t, 0, 1, 20, 21, 22);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    /* Subscribed again: the sources were retained, not consumed. */
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_ints(t, 0, 1, 20, 21, 22);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_observable_release(o);
}

/* ---- an observer with on_next_batch ----------------------------------- */

static void
test_batch_observer_gets_pairs_and_skips_empty_inners(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 5), even_pairs, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    assert_int_equal(calls, 5);
    /* One batch per non-empty inner, none for an empty one. */
    assert_int_equal(rx_test_get_counts(t).batches, 3);
    rx_test_observer_free(t);
}

static void
test_batch_observer_gets_long_inners_in_batches_of_64(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 2), long_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_two_long_inners(t);
    assert_rx_completed(t);
    /* 2,500 = 39 * 64 + 4: forty batches per inner. */
    assert_int_equal(rx_test_get_counts(t).batches, 80);
    rx_test_observer_free(t);
}

static void
test_cancel_after_a_batch_deep_inside_a_long_range_inner(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 1000), long_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    rx_test_set_batch(t, true);
    rx_test_set_cancel_after(t, 24 * 64); /* past the first poll */
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 24 * 64);
    assert_int_equal(rx_as_int(rx_test_value(t, 24 * 64 - 1)), 24 * 64 - 1);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 1);
    assert_int_equal(rx_test_get_counts(t).batches, 24);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

static void
test_merge_array_of_ranges_to_a_batch_observer(void **state)
{
    rx_observable *srcs[3] = {rx_range(0, 2), rx_range(10, 0), rx_range(20, 3)};
    rx_observable *o = rx_merge_array(3, srcs, RX_UNBOUNDED);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 20, 21, 22);
    assert_rx_completed(t);
    assert_int_equal(rx_test_get_counts(t).batches, 2);
    rx_test_observer_free(t);
}

/* ---- a cancel from another thread ------------------------------------- */

struct far {
    rx_subscription *sub;
    atomic_long items;
    atomic_int batches;
    atomic_int terminals;
};

static void
far_on_next(rx_value v, void *ctx)
{
    struct far *f = ctx;

    (void)v;
    if (atomic_fetch_add(&f->items, 1) == 4) {
        rx_cancel_from_other_thread(f->sub);
    }
}

static void
far_on_next_batch(rx_value *vals, size_t n, void *ctx)
{
    struct far *f = ctx;

    (void)vals;
    atomic_fetch_add(&f->items, (long)n);
    if (atomic_fetch_add(&f->batches, 1) == 0) {
        rx_cancel_from_other_thread(f->sub);
    }
}

static void
far_on_complete(void *ctx)
{
    atomic_fetch_add(&((struct far *)ctx)->terminals, 1);
}

static void
far_on_error(const rx_error *err, void *ctx)
{
    (void)err;
    far_on_complete(ctx);
}

/* The owner thread sees the request at the loop's next poll, after the
 * first 1,024 items of the long inner, and stops there for good. */
static void
test_cancel_from_another_thread_inside_a_long_range_inner(void **state)
{
    for (int batch = 0; batch < 2; batch++) {
        struct far f = {0};
        rx_observer obs = {.on_error = far_on_error,
                           .on_complete = far_on_complete,
                           .ctx = &f};
        rx_observable *o = rx_flat_map(rx_range(0, 3), long_from, NULL);

        (void)state;
        if (batch) {
            obs.on_next_batch = far_on_next_batch;
        } else {
            obs.on_next = far_on_next;
        }
        calls = 0;
        /* f.sub is written before any callback runs. */
        assert_int_equal(rx_subscribe(o, &obs, &f.sub), 0);
        rx_observable_release(o);
        assert_int_equal(atomic_load(&f.items), 1024);
        assert_int_equal(calls, 1);
        assert_int_equal(atomic_load(&f.terminals), 0);
        if (batch) {
            assert_int_equal(atomic_load(&f.batches), 16);
        }
        rx_dispose(f.sub);
    }
}

static void
test_custom_allocator_sees_every_range_freed(void **state)
{
    rx_observable *o;
    rx_test_observer *t;

    (void)state;
    /* Fill this thread's block cache first: the custom allocator must
     * still see each block it made come back. */
    for (int i = 0; i < 64; i++) {
        rx_observable_release(rx_range(i, 1));
    }
    assert_int_equal(rx_count_allocs_install(), 0);
    o = rx_flat_map(rx_range(0, 300), five_from, NULL);
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 1500);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    assert_int_equal(rx_live_objects(), 0);
    assert_true(rx_count_mallocs() >= 301);
    assert_int_equal(rx_count_frees(), rx_count_mallocs());
    assert_int_equal(rx_set_allocator(NULL), 0);
}

static void
test_range_keeps_its_site_and_its_errors(void **state)
{
    rx_observable *r = rx_range(1, 2);

    (void)state;
    assert_non_null(r);
    assert_string_equal(rx_observable_site(r)->name, "rx_range");
    assert_true(rx_observable_site(r)->line > 0);
    rx_observable_release(r);
    r = rx_range_at(NULL, 5, 1);
    assert_non_null(r);
    assert_string_equal(rx_observable_site(r)->name, "?");
    rx_observable_release(r);
    assert_null(rx_range(0, -1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_range(INT64_MAX, 2));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_shared_range_inner_stays_alive),
        rx_unit_test(test_empty_range_inners_add_nothing),
        rx_unit_test(test_long_range_inners_emit_every_item_in_order),
        rx_unit_test(test_cancel_deep_inside_a_long_range_inner),
        rx_unit_test(test_demand_turning_unbounded_mid_stream),
        rx_unit_test(test_merge_array_of_ranges_in_order),
        rx_unit_test(test_batch_observer_gets_pairs_and_skips_empty_inners),
        rx_unit_test(test_batch_observer_gets_long_inners_in_batches_of_64),
        rx_unit_test(test_cancel_after_a_batch_deep_inside_a_long_range_inner),
        rx_unit_test(test_merge_array_of_ranges_to_a_batch_observer),
        rx_unit_test(test_cancel_from_another_thread_inside_a_long_range_inner),
        rx_unit_test(test_custom_allocator_sees_every_range_freed),
        rx_unit_test(test_range_keeps_its_site_and_its_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
