/* SPDX-License-Identifier: MIT */
/*
 * flat_map over a plain iterable upstream (rx_range, rx_from_values,
 * rx_just) with no max_concurrent: merge loops over the upstream's values
 * itself instead of running a stage for it. The same values in the same
 * order, the function called once per value and never after the stream
 * ended, errors and cancels (from inside on_next, from another thread)
 * stopping the loop, and bounded demand still honoured.
 */
#include <stdatomic.h>
#include <string.h>

#include "rx_test.h"

static int calls; /* how many times the test functions ran */

/* v -> range(10v, 3) */
static rx_observable *
three_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    calls++;
    return rx_range(rx_as_int(v) * 10, 3);
}

/* v -> just(v), whatever v holds */
static rx_observable *
just_same(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    calls++;
    return rx_just(rx_value_retain(v));
}

/* Fails at the value *ctx, else v -> range(10v, 3). */
static rx_observable *
three_or_fail(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(int64_t *)ctx) {
        calls++;
        *err = rx_error_new(RX_T_EUSER, "three_or_fail");
        return NULL;
    }
    return three_from(v, NULL, err);
}

static void
test_outer_range_gives_every_inner_in_order(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 3), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    assert_rx_completed(t);
    assert_int_equal(calls, 3);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

static void
test_empty_outer_range_completes_without_calling_fn(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(5, 0), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(calls, 0);
    rx_test_observer_free(t);
}

static void
test_outer_values_reach_fn_as_they_are(void **state)
{
    rx_value vals[3];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    vals[0] = rx_str("alpha");
    vals[1] = rx_str("beta");
    vals[2] = rx_str("gamma");
    o = rx_flat_map(rx_from_values(3, vals), just_same, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 3);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "alpha");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "beta");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 2)), "gamma");
    assert_rx_completed(t);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_outer_just_gives_one_inner(void **state)
{
    rx_observable *o = rx_flat_map(rx_just(rx_int(4)), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 40, 41, 42);
    assert_rx_completed(t);
    assert_int_equal(calls, 1);
    rx_test_observer_free(t);
}

static void
test_fn_error_stops_the_outer_loop(void **state)
{
    int64_t bad = 3;
    rx_observable *o = rx_flat_map(rx_range(1, 1000), three_or_fail, &bad);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 3); /* nothing called after the failure */
    assert_int_equal(rx_test_get_counts(t).terminals, 1);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

static void
test_fn_error_with_delay_error_still_fails_at_once(void **state)
{
    int64_t bad = 2;
    rx_flat_map_config cfg = {
        .fn = three_or_fail, .ctx = &bad, .delay_error = true};
    rx_observable *o = rx_flat_map_opts(rx_range(1, 1000), &cfg);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_take_inside_an_inner_stops_the_outer_loop(void **state)
{
    rx_observable *o =
        rx_take(rx_flat_map(rx_range(0, 100000), three_from, NULL), 5);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 10, 11);
    assert_rx_completed(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_cancel_inside_on_next_stops_the_outer_loop(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 100000), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    rx_test_set_cancel_after(t, 4);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 10);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_dispose_inside_on_next_stops_the_outer_loop(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 100000), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    calls = 0;
    rx_test_set_dispose_in(t, RX_TEST_ON_NEXT);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 1);
    rx_test_observer_free(t);
}

static void
test_bounded_demand_over_an_outer_range(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 3), three_from, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    calls = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30);
    assert_rx_no_terminal(t);
    rx_test_request(t, 100);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    assert_rx_completed(t);
    assert_int_equal(calls, 3);
    assert_int_equal(rx_test_get_counts(t).beyond_demand, 0);
    rx_test_observer_free(t);
}

/* ---- the loop over short range inners --------------------------------
 *
 * With the observer right below and unbounded demand, an outer range
 * whose inners are short rx_ranges takes a loop of its own
 * (operators/combine/merge.c, outer_ranges()); any other inner, a range
 * longer than 1,024 values, a failing function or a signal from inside
 * the function or the observer sends it back to the general path. */

enum { LONG_INNER = 1100 }; /* longer than the loop takes */

/* v -> by v % 4: range(10v, 3), just(-v), range(10v, LONG_INNER), the
 * empty range */
static rx_observable *
mixed_kinds(rx_value v, void *ctx, rx_error **err)
{
    int64_t i = rx_as_int(v);

    (void)ctx;
    (void)err;
    calls++;
    switch (i % 4) {
    case 0:
        return rx_range(10 * i, 3);
    case 1:
        return rx_just(rx_int(-i));
    case 2:
        return rx_range(10 * i, LONG_INNER);
    default:
        return rx_range(10 * i, 0);
    }
}

/* mixed_kinds()'s items for v = 0 .. 7, in order; returns how many. */
static size_t
mixed_expected(int64_t *want)
{
    size_t n = 0;

    for (int64_t v = 0; v < 8; v++) {
        switch (v % 4) {
        case 0:
            for (int64_t k = 0; k < 3; k++) {
                want[n++] = 10 * v + k;
            }
            break;
        case 1:
            want[n++] = -v;
            break;
        case 2:
            for (int64_t k = 0; k < LONG_INNER; k++) {
                want[n++] = 10 * v + k;
            }
            break;
        default:
            break;
        }
    }
    return n;
}

static void
check_mixed_kinds(bool batch)
{
    static int64_t want[2 * (3 + 1 + LONG_INNER)];
    size_t n = mixed_expected(want);
    rx_observable *o = rx_flat_map(rx_range(0, 8), mixed_kinds, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    calls = 0;
    rx_test_set_batch(t, batch);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), want[i]);
    }
    assert_rx_completed(t);
    assert_int_equal(calls, 8);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

/* Short ranges, a just, a long range and an empty range, twice over: the
 * loop leaves for each other kind and comes back, nothing reordered. */
static void
test_inner_kinds_mixed_keep_their_order(void **state)
{
    (void)state;
    check_mixed_kinds(false);
}

static void
test_inner_kinds_mixed_keep_their_order_in_batches(void **state)
{
    (void)state;
    check_mixed_kinds(true);
}

/* v -> range(100v, *ctx) */
static rx_observable *
n_from(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    calls++;
    return rx_range(100 * rx_as_int(v), *(const int64_t *)ctx);
}

/* The loop emits an inner's first (n mod 4) items one by one, then four
 * per turn: every inner length from 0 to 9, complete and with a cancel
 * inside on_next after each possible item, gives exactly the items
 * before the cancel and calls fn only for the inners it reached. */
static void
test_every_inner_length_and_cancel_point(void **state)
{
    (void)state;
    for (int64_t n = 0; n <= 9; n++) {
        for (int64_t k = 0; k <= 3 * n; k++) { /* k = 0: no cancel */
            rx_observable *o = rx_flat_map(rx_range(0, 3), n_from, &n);
            rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
            int64_t want = k == 0 ? 3 * n : k;

            calls = 0;
            rx_test_set_cancel_after(t, (size_t)k);
            assert_int_equal(rx_test_subscribe(o, t), 0);
            rx_observable_release(o);
            assert_int_equal(rx_test_count(t), want);
            for (int64_t i = 0; i < want; i++) {
                assert_int_equal(rx_as_int(rx_test_value(t, (size_t)i)),
                                 100 * (i / n) + i % n);
            }
            if (k == 0) {
                assert_rx_completed(t);
                assert_int_equal(calls, 3);
            } else {
                assert_rx_no_terminal(t);
                assert_int_equal(calls, (k + n - 1) / n);
            }
            rx_test_observer_free(t);
        }
    }
}

/* v -> range(10v, 3), but rx_range(0, -1) (NULL, RX_EINVAL) at *ctx */
static rx_observable *
three_or_null(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(int64_t *)ctx) {
        calls++;
        return rx_range(0, -1);
    }
    return three_from(v, NULL, err);
}

static void
check_null_from_fn(bool batch)
{
    int64_t bad = 2;
    rx_observable *o = rx_flat_map(rx_range(0, 1000), three_or_null, &bad);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    calls = 0;
    rx_test_set_batch(t, batch);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 10, 11, 12);
    assert_rx_error(t, RX_EINVAL);
    assert_int_equal(calls, 3);
    assert_int_equal(rx_test_get_counts(t).terminals, 1);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

/* fn returning NULL after a few range inners fails the stream with the
 * error the failed constructor left, and fn is not called again. */
static void
test_null_from_fn_between_range_inners_fails_the_stream(void **state)
{
    (void)state;
    check_null_from_fn(false);
    check_null_from_fn(true);
}

/* Disposes the test observer's handle (*ctx) at v == 2, then returns a
 * range as usual. */
static rx_observable *
dispose_at_two(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == 2) {
        rx_test_dispose(ctx);
    }
    return three_from(v, NULL, err);
}

static void
check_dispose_inside_fn(bool batch)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_flat_map(rx_range(0, 1000), dispose_at_two, t);

    calls = 0;
    rx_test_set_batch(t, batch);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* The range fn returned after disposing is freed, never emitted. */
    assert_rx_ints(t, 0, 1, 2, 10, 11, 12);
    assert_rx_no_terminal(t);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

/* A dispose from inside the function: nothing more arrives, not even
 * the range it then returns. */
static void
test_dispose_inside_fn_stops_before_the_range_it_returns(void **state)
{
    (void)state;
    check_dispose_inside_fn(false);
    check_dispose_inside_fn(true);
}

/* An observer that records ints and, at the item 11, pushes 99 into a
 * subject that is one of the running inners. */
struct feeder {
    rx_subject *subj;
    int64_t got[32];
    size_t n;
    size_t seen_at[4]; /* n when fn got the value v */
    int completes;
};

static void
feeder_next(rx_value v, void *ctx)
{
    struct feeder *f = ctx;

    if (f->n < 32) {
        f->got[f->n++] = rx_as_int(v);
    }
    if (rx_as_int(v) == 11) {
        assert_int_equal(rx_subject_next(f->subj, rx_int(99)), 0);
    }
}

static void
feeder_complete(void *ctx)
{
    ((struct feeder *)ctx)->completes++;
}

/* v -> the subject (*ctx) for v == 0, else range(10v, 3) */
static rx_observable *
subject_then_ranges(rx_value v, void *ctx, rx_error **err)
{
    struct feeder *f = ctx;

    f->seen_at[rx_as_int(v)] = f->n;
    if (rx_as_int(v) == 0) {
        calls++;
        return rx_subject_observable(f->subj);
    }
    return three_from(v, NULL, err);
}

/* The observer feeds a subject inner in the middle of a range inner: the
 * subject's item waits for that range to end and goes out before the
 * function is called for the next one; the stream completes once the
 * subject does. */
static void
test_item_fed_to_an_inner_from_on_next_follows_the_current_range(void **state)
{
    struct feeder f = {.subj = rx_subject_publish()};
    rx_observer obs = {
        .on_next = feeder_next, .on_complete = feeder_complete, .ctx = &f};
    rx_observable *o = rx_flat_map(rx_range(0, 4), subject_then_ranges, &f);
    rx_subscription *sub = NULL;
    const int64_t want[] = {10, 11, 12, 99, 20, 21, 22, 30, 31, 32};

    (void)state;
    calls = 0;
    assert_non_null(f.subj);
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_int_equal(f.n, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(f.got[i], want[i]);
    }
    assert_int_equal(calls, 4);
    assert_int_equal(f.seen_at[1], 0);
    assert_int_equal(f.seen_at[2], 4); /* 10, 11, 12 and 99 */
    assert_int_equal(f.seen_at[3], 7);
    assert_int_equal(f.completes, 0); /* the subject is still running */
    assert_int_equal(rx_subject_complete(f.subj), 0);
    assert_int_equal(f.completes, 1);
    assert_int_equal(f.n, 10);
    rx_dispose(sub);
    rx_subject_release(f.subj);
}

/* ---- a cancel from another thread ------------------------------------- */

struct far_cancel {
    rx_subscription *sub;
    atomic_long items;
    atomic_int terminals;
};

/* At the 5th item, cancels from another thread and waits for that call
 * to return: the loop must see the request at its next poll. */
static void
far_on_next(rx_value v, void *ctx)
{
    struct far_cancel *f = ctx;

    (void)v;
    if (atomic_fetch_add(&f->items, 1) == 4) {
        rx_cancel_from_other_thread(f->sub);
    }
}

/* far_on_next() for a batch observer: each value counts as an item. */
static void
far_on_next_batch(rx_value *vals, size_t n, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        far_on_next(vals[i], ctx);
    }
}

static void
far_on_terminal(void *ctx)
{
    atomic_fetch_add(&((struct far_cancel *)ctx)->terminals, 1);
}

static void
far_on_error(const rx_error *err, void *ctx)
{
    (void)err;
    far_on_terminal(ctx);
}

static void
test_cancel_from_another_thread_stops_the_outer_loop(void **state)
{
    struct far_cancel f = {0};
    rx_observer obs = {.on_next = far_on_next,
                       .on_error = far_on_error,
                       .on_complete = far_on_terminal,
                       .ctx = &f};
    rx_observable *o = rx_flat_map(rx_range(0, 1000000), three_from, NULL);

    (void)state;
    calls = 0;
    /* f.sub is written before any callback runs. */
    assert_int_equal(rx_subscribe(o, &obs, &f.sub), 0);
    rx_observable_release(o);
    /* Polled every 1,024 upstream values: far fewer than the million. */
    assert_true(calls >= 2 && calls <= 2 + 1024);
    assert_true(atomic_load(&f.items) < 3 * (2 + 1024));
    assert_int_equal(atomic_load(&f.terminals), 0);
    rx_dispose(f.sub);
}

/* v -> range(10v, 10) */
static rx_observable *
ten_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    calls++;
    return rx_range(rx_as_int(v) * 10, 10);
}

/* The same with ten-item inners, the observer with on_next or
 * on_next_batch: the loop counts items as well as upstream values, so
 * the cancel is seen within 1,024 items of the poll before it. */
static void
check_far_cancel_counts_items(bool batch)
{
    struct far_cancel f = {0};
    rx_observer obs = {
        .on_error = far_on_error, .on_complete = far_on_terminal, .ctx = &f};
    rx_observable *o = rx_flat_map(rx_range(0, 1000000), ten_from, NULL);

    if (batch) {
        obs.on_next_batch = far_on_next_batch;
    } else {
        obs.on_next = far_on_next;
    }
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &f.sub), 0);
    rx_observable_release(o);
    /* At most 1,024 items (plus the inner running at the cancel) after
     * the fifth item; counting upstream values alone would allow ten
     * times as many. */
    assert_true(atomic_load(&f.items) <= 5 + 1024 + 10);
    assert_true(calls <= 1 + (5 + 1024 + 10) / 10 + 1);
    assert_int_equal(atomic_load(&f.terminals), 0);
    rx_dispose(f.sub);
}

static void
test_cancel_from_another_thread_seen_within_1024_items(void **state)
{
    (void)state;
    check_far_cancel_counts_items(false);
    check_far_cancel_counts_items(true);
}

/* v -> from_values(10v .. 10v + 4): an iterable inner that is not a
 * range, emitted by the general path */
static rx_observable *
five_values(rx_value v, void *ctx, rx_error **err)
{
    rx_value vals[5];

    (void)ctx;
    (void)err;
    calls++;
    for (int k = 0; k < 5; k++) {
        vals[k] = rx_int(rx_as_int(v) * 10 + k);
    }
    return rx_from_values(5, vals);
}

/* The general path shares the countdown too: five-value inners that
 * are not ranges, a far cancel seen within 1,024 items of the poll
 * before it (counting upstream values alone would allow five times as
 * many). */
static void
test_cancel_from_another_thread_seen_within_1024_items_of_other_inners(
    void **state)
{
    struct far_cancel f = {0};
    rx_observer obs = {.on_next = far_on_next,
                       .on_error = far_on_error,
                       .on_complete = far_on_terminal,
                       .ctx = &f};
    rx_observable *o = rx_flat_map(rx_range(0, 1000000), five_values, NULL);

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &f.sub), 0);
    rx_observable_release(o);
    assert_true(atomic_load(&f.items) <= 5 + 1024 + 5);
    assert_int_equal(atomic_load(&f.terminals), 0);
    rx_dispose(f.sub);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_outer_range_gives_every_inner_in_order),
        rx_unit_test(test_empty_outer_range_completes_without_calling_fn),
        rx_unit_test(test_outer_values_reach_fn_as_they_are),
        rx_unit_test(test_outer_just_gives_one_inner),
        rx_unit_test(test_fn_error_stops_the_outer_loop),
        rx_unit_test(test_fn_error_with_delay_error_still_fails_at_once),
        rx_unit_test(test_take_inside_an_inner_stops_the_outer_loop),
        rx_unit_test(test_cancel_inside_on_next_stops_the_outer_loop),
        rx_unit_test(test_dispose_inside_on_next_stops_the_outer_loop),
        rx_unit_test(test_bounded_demand_over_an_outer_range),
        rx_unit_test(test_cancel_from_another_thread_stops_the_outer_loop),
        rx_unit_test(test_cancel_from_another_thread_seen_within_1024_items),
        rx_unit_test(
            test_cancel_from_another_thread_seen_within_1024_items_of_other_inners),
        rx_unit_test(test_inner_kinds_mixed_keep_their_order),
        rx_unit_test(test_inner_kinds_mixed_keep_their_order_in_batches),
        rx_unit_test(test_every_inner_length_and_cancel_point),
        rx_unit_test(test_null_from_fn_between_range_inners_fails_the_stream),
        rx_unit_test(test_dispose_inside_fn_stops_before_the_range_it_returns),
        rx_unit_test(
            test_item_fed_to_an_inner_from_on_next_follows_the_current_range),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
