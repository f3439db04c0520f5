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
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
