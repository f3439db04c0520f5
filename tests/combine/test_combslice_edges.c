/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the combining operators: rx_zip when a fast input's queue
 * cannot grow and when rx_take ends it at a top-up row; rx_flat_map_opts
 * with a negative prefetch, and rx_take cancelling it mid-drain;
 * rx_group_by's stall clock on another thread's scheduler and below the
 * subscriber, a late subscriber to an abandoned group, failing key and
 * value functions; rx_combine_latest draining a completed source's
 * combinations; items dropped below rx_buffer_boundary and
 * rx_concat_map_eager; rx_expand with many waiting inners.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"
#include "comb_probe.h"

/* Pushes 20 items into the first input of a zip before the second gives
 * one: the first queue grows twice. Under every allocation failure either
 * the setup fails with RX_ENOMEM or the subscriber sees one on_error
 * (RX_ENOMEM); without failure it sees exactly the row {1, 100}. ctx
 * counts the runs in which the queue's growth was what failed. */
static void
zip_queue_under_oom(bool failed, void *ctx)
{
    rx_subject *a = rx_subject_publish();
    rx_subject *b = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = NULL;
    int rc = RX_ENOMEM;

    (void)failed;
    if (a != NULL && b != NULL && t != NULL) {
        o = rx_zip(rx_subject_observable(a), rx_subject_observable(b), NULL,
                   NULL);
    }
    if (o != NULL) {
        rc = rx_test_subscribe(o, t);
    }
    if (rc == 0) {
        for (int64_t i = 1; i <= 20; i++) {
            (void)rx_subject_next(a, rx_int(i));
        }
        (void)rx_subject_next(b, rx_int(100));
    }
    if (!rx_fault_triggered()) {
        assert_int_equal(rc, 0);
        assert_int_equal(rx_test_count(t), 1);
        cp_assert_int_array(t, 0, (const int64_t[]){1, 100}, 2);
        assert_rx_no_terminal(t);
    } else if (rc == 0 && rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
        if (strstr(rx_error_message(rx_test_error(t)), "queueing an item")) {
            (*(int *)ctx)++;
        }
    } else if (rc != 0) {
        assert_int_equal(rc == RX_ENOMEM || rx_last_error() == RX_ENOMEM, 1);
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(a);
    rx_subject_release(b);
}

static void
test_zip_queue_growth_survives_allocation_failures(void **state)
{
    int queue_failures = 0;

    (void)state;
    assert_true(rx_oom_sweep(zip_queue_under_oom, &queue_failures) > 3);
    /* The growth of the queue itself failed in some runs. */
    assert_true(queue_failures > 0);
}

static rx_observable *
to_range(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v), 2);
}

static void
test_flat_map_opts_negative_prefetch_is_rejected(void **state)
{
    rx_flat_map_config cfg = {.fn = to_range, .prefetch = -1};

    (void)state;
    assert_rx_fails(rx_flat_map_opts(rx_range(1, 2), &cfg), RX_EINVAL,
                    "prefetch must be >= 0");
}

static rx_value
parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) % 2);
}

static rx_observable *
itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(v);
}

/* The stall clock of rx_group_by_opts needs a scheduler of the subscribing
 * thread: one whose work runs on other threads fails the stream with
 * RX_EINVAL, the first time the clock is armed (a group waits to be
 * taken), and the source is cancelled. */
static void
test_group_by_stall_clock_on_a_pool_fails_einval(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_flat_map_config one = {.fn = itself, .max_concurrent = 1};
    rx_observable *o;

    (void)state;
    assert_non_null(pool);
    o = rx_flat_map_opts(rx_group_by_opts(rx_subject_observable(s),
                                          &(rx_group_by_config){.key = parity,
                                                                .stall_ms = 100,
                                                                .sched = pool}),
                         &one);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    (void)rx_subject_next(s, rx_int(2)); /* group 0 waits: the clock arms */
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "another thread"));
    (void)rx_subject_next(s, rx_int(3)); /* nothing after the terminal */
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_EINVAL);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(s);
    rx_scheduler_release(pool);
}

/* A stall reported when the subscriber itself is below rx_group_by: the
 * message names the subscriber, and a site whose file has no directory
 * (or no file) is named as given (or "?"). */
static void
test_group_by_stall_below_the_subscriber_names_it(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(0);
    const rx_site site = {"plain.c", 7, "rx_group_by_opts"};
    rx_observable *o;
    const char *msg;

    (void)state;
    o = rx_group_by_opts_at(
        &site, rx_subject_observable(s),
        &(rx_group_by_config){.key = parity, .stall_ms = 100, .sched = vs});
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    rx_virtual_advance_by(vs, 99);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_virtual_advance_by(vs, 1);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EBACKPRESSURE);
    msg = rx_error_message(rx_test_error(t));
    assert_non_null(strstr(msg, "rx_group_by_opts (plain.c:7): 1 groups are "
                                "live but the subscriber (?:0) below it took "
                                "only 0 and made no progress for 100 ms"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

/* rx_take below rx_zip ends the stream on exactly the row at which zip
 * tops its sources up (every 96 rows): the rows stop there, the stream
 * completes once, and later items of either source go nowhere. */
static void
test_zip_ended_by_take_at_the_top_up_row(void **state)
{
    enum { ROWS = 96 }; /* RX__FANIN_LIMIT: 128 - 128 / 4 */
    rx_subject *a = rx_subject_publish();
    rx_subject *b = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)state;
    o = rx_take(
        rx_zip(rx_subject_observable(a), rx_subject_observable(b), NULL, NULL),
        ROWS);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    for (int64_t i = 1; i <= ROWS + 2; i++) {
        (void)rx_subject_next(a, rx_int(i));
        (void)rx_subject_next(b, rx_int(1000 + i));
    }
    assert_int_equal(rx_test_count(t), ROWS);
    cp_assert_int_array(t, 0, (const int64_t[]){1, 1001}, 2);
    cp_assert_int_array(t, ROWS - 1, (const int64_t[]){ROWS, 1000 + ROWS}, 2);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(a);
    rx_subject_release(b);
}

/* rx_combine_latest keeps the combinations of a source that completed
 * while they waited for demand: once requested, all 96 go out in order
 * (the 96th is where the finished source would be topped up), and the
 * stream completes when the other source does. */
static void
test_combine_latest_drains_a_completed_source_combinations(void **state)
{
    enum { ROWS = 96 }; /* RX__FANIN_LIMIT */
    rx_subject *a = rx_subject_publish();
    rx_subject *b = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o;

    (void)state;
    o = rx_combine_latest(rx_subject_observable(a), rx_subject_observable(b),
                          NULL, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_subject_next(b, rx_int(0)), 0);
    for (int64_t i = 1; i <= ROWS; i++) {
        assert_int_equal(rx_subject_next(a, rx_int(i)), 0);
    }
    assert_int_equal(rx_subject_complete(a), 0);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, RX_UNBOUNDED), 0);
    assert_int_equal(rx_test_count(t), ROWS);
    for (size_t i = 0; i < ROWS; i++) {
        cp_assert_int_array(t, i, (const int64_t[]){(int64_t)i + 1, 0}, 2);
    }
    assert_rx_no_terminal(t);
    assert_int_equal(rx_subject_next(b, rx_int(5)), 0);
    assert_int_equal(rx_test_count(t), ROWS + 1);
    cp_assert_int_array(t, ROWS, (const int64_t[]){ROWS, 5}, 2);
    assert_int_equal(rx_subject_complete(b), 0);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(a);
    rx_subject_release(b);
}

static bool
non_empty(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_array_len(v) > 0;
}

/* The final array of rx_buffer_boundary waits for demand; when a filter
 * below drops it, the stream still completes once, with nothing after. */
static void
test_buffer_boundary_final_array_dropped_below(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o;

    (void)state;
    o = rx_filter(rx_buffer_boundary(rx_subject_observable(s), rx_never()),
                  non_empty, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_subject_complete(s), 0); /* final array: empty */
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_subject_release(s);
}

static rx_observable *
five_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 5);
}

/* rx_take below rx_flat_map cancels it in the middle of draining an
 * inner's queued items: exactly the first 3 go out, then the completion. */
static void
test_flat_map_take_cancels_while_draining_a_queue(void **state)
{
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o;

    (void)state;
    o = rx_take(rx_flat_map(rx_range(1, 2), five_from, NULL), 3);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_no_items(t);
    assert_int_equal(rx_test_request(t, 10), 0);
    assert_rx_ints(t, 10, 11, 12);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
}

static bool
above_two(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) > 2;
}

/* A group nobody subscribed to during its emission is abandoned but keeps
 * its item for a late subscriber; an item a filter below drops uses no
 * demand, and the late subscriber still sees the completion. */
static void
test_group_by_late_group_filtered_below(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u[2];
    rx_observable *o;

    (void)state;
    o = rx_group_by(rx_subject_observable(s), parity, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(3)), 0);
    assert_int_equal(rx_test_count(t), 2); /* abandoned: a new group each */
    for (size_t i = 0; i < 2; i++) {
        rx_observable *g = rx_filter(rx_value_observable(rx_test_value(t, i)),
                                     above_two, NULL);

        u[i] = rx_test_observer_new(1);
        assert_int_equal(rx_test_subscribe(g, u[i]), 0);
        rx_observable_release(g);
    }
    assert_rx_no_items(u[0]); /* 1 dropped below */
    assert_rx_completed(u[0]);
    assert_rx_ints(u[1], 3);
    assert_rx_completed(u[1]);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(u[0]);
    rx_test_observer_free(u[1]);
    rx_test_observer_free(t);
    rx_subject_release(s);
}

static rx_value
key_fails_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 3) {
        *err = rx_error_new(RX_EUSER - 4, "no key for 3");
        return rx_nil();
    }
    return rx_int(rx_as_int(v) % 2);
}

static rx_value
key_invalid_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) == 3 ? rx_invalid() : rx_int(rx_as_int(v) % 2);
}

static rx_value
value_fails_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 3) {
        *err = rx_error_new(RX_EUSER - 5, "no value for 3");
        return rx_nil();
    }
    return rx_int(rx_as_int(v) * 10);
}

static rx_value
value_invalid_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) == 3 ? rx_invalid() : rx_int(rx_as_int(v) * 10);
}

/* Runs group_by over 1..5 with the given key and value functions, each
 * group read by flat_map; returns the observer. */
static rx_test_observer *
group_run(rx_map_fn key, rx_map_fn value)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_flat_map_config all = {.fn = itself};
    rx_observable *o = rx_flat_map_opts(
        rx_group_by_opts(rx_range(1, 5),
                         &(rx_group_by_config){.key = key, .value = value}),
        &all);

    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    return t;
}

/* A key or value function that fails at item 3 fails the stream with its
 * error after the items before it; one that returns rx_invalid() fails
 * it with RX_ENOMEM. */
static void
test_group_by_key_and_value_functions_failing(void **state)
{
    rx_test_observer *t;

    (void)state;
    t = group_run(key_fails_at_3, NULL);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_EUSER - 4);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)), "no key"));
    rx_test_observer_free(t);

    t = group_run(key_invalid_at_3, NULL);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);

    t = group_run(parity, value_fails_at_3);
    assert_rx_ints(t, 10, 20);
    assert_rx_error(t, RX_EUSER - 5);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)), "no value"));
    rx_test_observer_free(t);

    t = group_run(parity, value_invalid_at_3);
    assert_rx_ints(t, 10, 20);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);
}

static bool
even(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 2 == 0;
}

/* Items of rx_concat_map_eager that a filter below drops use none of the
 * demand: with demand for 2, the two even items still go out. */
static void
test_concat_map_eager_items_dropped_below_use_no_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(2);
    rx_observable *o;

    (void)state;
    o = rx_filter(rx_concat_map_eager(rx_range(1, 2), five_from, NULL), even,
                  NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_ints(t, 10, 12);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 10), 0);
    assert_rx_ints(t, 10, 12, 14, 20, 22, 24);
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
}

static rx_observable *
plus_100_once(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) < 100 ? rx_just(rx_int(rx_as_int(v) + 100))
                              : rx_empty();
}

/* rx_expand, breadth first, with 20 inners waiting behind the source at
 * once (the queue of waiting inners grows past its first 8 and 16): the
 * source's items come first, then each expansion in order. */
static void
test_expand_many_waiting_inners_keep_their_order(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_expand(rx_range(1, 20), plus_100_once, NULL);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_count(t), 40);
    for (size_t i = 0; i < 20; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i + 1);
        assert_int_equal(rx_as_int(rx_test_value(t, 20 + i)), (int64_t)i + 101);
    }
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_zip_queue_growth_survives_allocation_failures),
        rx_unit_test(test_flat_map_opts_negative_prefetch_is_rejected),
        rx_unit_test(test_group_by_stall_clock_on_a_pool_fails_einval),
        rx_unit_test(test_group_by_stall_below_the_subscriber_names_it),
        rx_unit_test(test_zip_ended_by_take_at_the_top_up_row),
        rx_unit_test(
            test_combine_latest_drains_a_completed_source_combinations),
        rx_unit_test(test_buffer_boundary_final_array_dropped_below),
        rx_unit_test(test_flat_map_take_cancels_while_draining_a_queue),
        rx_unit_test(test_group_by_late_group_filtered_below),
        rx_unit_test(test_group_by_key_and_value_functions_failing),
        rx_unit_test(test_concat_map_eager_items_dropped_below_use_no_demand),
        rx_unit_test(test_expand_many_waiting_inners_keep_their_order),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
