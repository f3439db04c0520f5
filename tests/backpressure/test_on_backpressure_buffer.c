/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_on_backpressure_buffer: pass-through with demand,
 * buffering without it, the three overflow policies, terminal ordering
 * (errors cut ahead, completion waits), cancel, pushes from inside
 * on_next, bad arguments and allocation failures. A hot pusher that
 * ignores demand (tests/support/rx_hot.h) plays the fast source.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_hot.h"
#include "rx_test.h"

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

/* Pushes the integers lo..hi into the pusher. */
static void
push_range(rx_t_hot *h, int64_t lo, int64_t hi)
{
    for (int64_t i = lo; i <= hi; i++) {
        rx_t_hot_next_int(h, i);
    }
}

static void
test_buffer_passes_items_through_with_unbounded_demand(void **state)
{
    rx_test_observer *t = run_with(
        rx_on_backpressure_buffer(rx_range(1, 5), 2, RX_OVERFLOW_ERROR),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_buffer_asks_upstream_for_everything(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t = run_with(
        rx_on_backpressure_buffer(rx_t_hot_observable(h), 4, RX_OVERFLOW_ERROR),
        1);

    (void)state;
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_holds_items_until_requested(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 10,
                                           RX_OVERFLOW_ERROR),
                 0);

    (void)state;
    push_range(h, 1, 3);
    assert_rx_no_items(t);
    rx_test_request(t, 2);
    assert_rx_ints(t, 1, 2);
    rx_test_request(t, 5);
    assert_rx_ints(t, 1, 2, 3);
    rx_t_hot_next_int(h, 4); /* demand left: straight through */
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_true(rx_t_hot_complete(h));
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_completes_only_after_the_buffer_drains(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 10,
                                           RX_OVERFLOW_ERROR),
                 0);

    (void)state;
    push_range(h, 1, 2);
    rx_t_hot_complete(h);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_error_cuts_ahead_of_buffered_items(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 10,
                                           RX_OVERFLOW_ERROR),
                 0);

    (void)state;
    rx_t_hot_next(h, rx_str("one"));
    rx_t_hot_next(h, rx_str("two"));
    rx_t_hot_error(h, RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_request(t, 5);
    assert_rx_no_items(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_overflow_error_cancels_upstream_and_names_capacity(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t = run_with(
        rx_on_backpressure_buffer(rx_t_hot_observable(h), 2, RX_OVERFLOW_ERROR),
        0);
    const char *msg;

    (void)state;
    push_range(h, 1, 2);
    assert_rx_no_terminal(t);
    rx_t_hot_next_int(h, 3);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EBACKPRESSURE);
    msg = rx_error_message(rx_test_error(t));
    assert_non_null(strstr(msg, "rx_on_backpressure_buffer"));
    assert_non_null(strstr(msg, "2 items"));
    assert_false(rx_t_hot_live(h));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_drop_oldest_keeps_the_newest_items(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 2,
                                           RX_OVERFLOW_DROP_OLDEST),
                 0);

    (void)state;
    push_range(h, 1, 5);
    rx_test_request(t, 10);
    assert_rx_ints(t, 4, 5);
    rx_t_hot_complete(h);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_drop_newest_keeps_the_oldest_items(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 2,
                                           RX_OVERFLOW_DROP_NEWEST),
                 0);

    (void)state;
    push_range(h, 1, 5);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    rx_t_hot_next_int(h, 6); /* one slot free again */
    rx_t_hot_next_int(h, 7); /* full: dropped */
    rx_test_request(t, 10);
    assert_rx_ints(t, 1, 2, 6);
    rx_t_hot_complete(h);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

/* Dropped heap items go through the discard path: nothing leaks (the
 * teardown checks rx_live_objects()). */
static void
test_buffer_releases_dropped_heap_items(void **state)
{
    static const rx_overflow policies[] = {
        RX_OVERFLOW_DROP_OLDEST, RX_OVERFLOW_DROP_NEWEST, RX_OVERFLOW_ERROR};

    (void)state;
    for (size_t p = 0; p < sizeof policies / sizeof policies[0]; p++) {
        rx_t_hot *h = rx_t_hot_new();
        rx_test_observer *t = run_with(
            rx_on_backpressure_buffer(rx_t_hot_observable(h), 2, policies[p]),
            0);
        for (int i = 0; i < 6; i++) {
            rx_t_hot_next(h, rx_str("payload"));
        }
        rx_test_request(t, 1);
        rx_test_observer_free(t);
        rx_t_hot_free(h);
        assert_int_equal(rx_live_objects(), 0);
    }
}

static void
test_buffer_unbounded_capacity_keeps_everything_in_order(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), RX_UNBOUNDED,
                                           RX_OVERFLOW_ERROR),
                 0);

    (void)state;
    push_range(h, 0, 9999);
    rx_t_hot_complete(h);
    assert_int_equal(rx_test_count(t), 0);
    rx_test_request(t, 5000);
    assert_int_equal(rx_test_count(t), 5000);
    assert_rx_no_terminal(t);
    rx_test_request(t, RX_UNBOUNDED);
    assert_int_equal(rx_test_count(t), 10000);
    for (size_t i = 0; i < 10000; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i);
    }
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_delivers_one_at_a_time_when_requested_inside_on_next(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o = rx_on_backpressure_buffer(rx_t_hot_observable(h), 10,
                                                 RX_OVERFLOW_ERROR);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    push_range(h, 1, 4);
    rx_t_hot_complete(h);
    assert_rx_no_items(t);
    rx_test_request(t, 1); /* then one more from inside each on_next */
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_cancel_drops_buffer_and_cancels_upstream(void **state)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(rx_t_hot_observable(h), 10,
                                           RX_OVERFLOW_ERROR),
                 0);

    (void)state;
    rx_t_hot_next(h, rx_str("a"));
    rx_t_hot_next(h, rx_str("b"));
    rx_test_cancel(t);
    assert_false(rx_t_hot_live(h));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    rx_test_request(t, 5);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_cancel(t); /* twice changes nothing */
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

/* An observer whose on_next pushes into the hot source again, as a hot
 * subject fed from a subscriber would: the buffer must still never nest
 * signals. */
struct nesting {
    rx_t_hot *h;
    rx_subscription *sub;
    int depth;
    int max_depth;
    int64_t items[16];
    size_t n;
    int completes;
    int errors;
};

static void
nest_on_next(rx_value v, void *ctx)
{
    struct nesting *n = ctx;

    n->depth++;
    if (n->depth > n->max_depth) {
        n->max_depth = n->depth;
    }
    n->items[n->n++] = rx_as_int(v);
    if (rx_as_int(v) == 1) {
        /* Pushed while the buffer is delivering 1: it must queue. */
        rx_t_hot_next_int(n->h, 10);
        rx_t_hot_complete(n->h);
    }
    n->depth--;
}

static void
nest_on_complete(void *ctx)
{
    struct nesting *n = ctx;

    assert_int_equal(n->depth, 0);
    n->completes++;
}

static void
nest_on_error(const rx_error *err, void *ctx)
{
    struct nesting *n = ctx;

    (void)err;
    n->errors++;
}

static void
nest_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct nesting *n = ctx;

    n->sub = sub;
    rx_request(sub, 1);
}

static void
test_buffer_push_from_inside_on_next_does_not_nest(void **state)
{
    struct nesting n = {0};
    rx_observable *o;
    rx_subscription *sub = NULL;
    rx_observer obs = {.on_next = nest_on_next,
                       .on_error = nest_on_error,
                       .on_complete = nest_on_complete,
                       .on_subscribe = nest_on_subscribe,
                       .ctx = &n};

    (void)state;
    n.h = rx_t_hot_new();
    o = rx_on_backpressure_buffer(rx_t_hot_observable(n.h), 10,
                                  RX_OVERFLOW_ERROR);
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(n.h, 1);
    assert_int_equal(n.n, 1);
    assert_int_equal(n.completes, 0);
    rx_request(sub, 5);
    assert_int_equal(n.n, 2);
    assert_int_equal(n.items[1], 10);
    assert_int_equal(n.completes, 1);
    assert_int_equal(n.errors, 0);
    assert_int_equal(n.max_depth, 1);
    rx_dispose(sub);
    rx_t_hot_free(n.h);
}

static void
test_buffer_passes_upstream_error_with_empty_buffer(void **state)
{
    rx_test_observer *t =
        run_with(rx_on_backpressure_buffer(
                     rx_concat(rx_range(1, 2),
                               rx_throw(rx_error_new(RX_T_EUSER, "boom"))),
                     4, RX_OVERFLOW_ERROR),
                 RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_buffer_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(
        rx_on_backpressure_buffer(rx_range(1, 3), 0, RX_OVERFLOW_ERROR),
        RX_EINVAL, "rx_on_backpressure_buffer: capacity");
    assert_rx_fails(
        rx_on_backpressure_buffer(rx_range(1, 3), -1, RX_OVERFLOW_ERROR),
        RX_EINVAL, "rx_on_backpressure_buffer: capacity");
    assert_rx_fails(
        rx_on_backpressure_buffer(rx_range(1, 3), 4, (rx_overflow)7), RX_EINVAL,
        "rx_on_backpressure_buffer: overflow");
    assert_rx_fails(
        rx_on_backpressure_buffer(rx_range(1, 3), 4, (rx_overflow)-1),
        RX_EINVAL, "rx_on_backpressure_buffer: overflow");
}

static void
test_buffer_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_take(rx_range(1, 2), -1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_on_backpressure_buffer(NULL, 4, RX_OVERFLOW_ERROR));
    assert_null(rx_on_backpressure_buffer(NULL, 0, RX_OVERFLOW_ERROR));
    assert_null(rx_on_backpressure_latest(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_take"));
}

static void
buffer_oom_scenario(bool failed, void *ctx)
{
    rx_t_hot *h = rx_t_hot_new();
    rx_observable *obs = rx_on_backpressure_buffer(rx_t_hot_observable(h), 3,
                                                   RX_OVERFLOW_DROP_OLDEST);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_t_hot_free(h);
        return;
    }
    t = rx_test_observer_new(0);
    assert_non_null(t);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rc, RX_ENOMEM);
        rx_test_observer_free(t);
        rx_t_hot_free(h);
        return;
    }
    for (int i = 0; i < 5; i++) {
        rx_t_hot_next(h, rx_str("x")); /* rx_invalid() when it fails */
    }
    rx_t_hot_complete(h);
    rx_test_request(t, RX_UNBOUNDED);
    if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 3);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
    rx_t_hot_free(h);
}

static void
test_buffer_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(buffer_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_buffer_passes_items_through_with_unbounded_demand),
        rx_unit_test(test_buffer_asks_upstream_for_everything),
        rx_unit_test(test_buffer_holds_items_until_requested),
        rx_unit_test(test_buffer_completes_only_after_the_buffer_drains),
        rx_unit_test(test_buffer_error_cuts_ahead_of_buffered_items),
        rx_unit_test(
            test_buffer_overflow_error_cancels_upstream_and_names_capacity),
        rx_unit_test(test_buffer_drop_oldest_keeps_the_newest_items),
        rx_unit_test(test_buffer_drop_newest_keeps_the_oldest_items),
        rx_unit_test(test_buffer_releases_dropped_heap_items),
        rx_unit_test(test_buffer_unbounded_capacity_keeps_everything_in_order),
        rx_unit_test(
            test_buffer_delivers_one_at_a_time_when_requested_inside_on_next),
        rx_unit_test(test_buffer_cancel_drops_buffer_and_cancels_upstream),
        rx_unit_test(test_buffer_push_from_inside_on_next_does_not_nest),
        rx_unit_test(test_buffer_passes_upstream_error_with_empty_buffer),
        rx_unit_test(test_buffer_rejects_bad_arguments),
        rx_unit_test(test_buffer_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_buffer_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
