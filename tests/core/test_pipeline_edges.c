/* SPDX-License-Identifier: MIT */
/* The subscriber end of a pipeline, edge cases: observers that leave
 * callbacks out, signals that arrive after the end (from a rogue source),
 * and a bad request made inside a callback. */
#include <string.h>

#include "rx_rogue.h"
#include "rx_test.h"

struct rec {
    rx_subscription *sub;
    int64_t first_request;
    int64_t items[8];
    int n;
    int batches;
    int errors;
    int error_code;
    int completes;
    int finally;
    bool cancel_in_next;   /* rx_cancel on the first item */
    bool bad_request;      /* rx_request(sub, 0) on the first item */
    bool cancel_after_bad; /* ... then rx_cancel in the same callback */
    bool dispose_in_next;  /* rx_dispose on the first item */
    bool cancel_in_sub;    /* rx_cancel in on_subscribe */
    bool bad_in_sub;       /* rx_request(sub, 0) in on_subscribe */
};

static void
rec_subscribe(rx_subscription *sub, void *ctx)
{
    struct rec *r = ctx;

    r->sub = sub;
    if (r->cancel_in_sub) {
        rx_cancel(sub);
    }
    if (r->bad_in_sub) {
        assert_int_equal(rx_request(sub, 0), 0);
    }
    if (r->first_request > 0) {
        assert_int_equal(rx_request(sub, r->first_request), 0);
    }
}

static void
rec_next(rx_value v, void *ctx)
{
    struct rec *r = ctx;

    if (r->n < 8 && rx_is_int(v)) {
        r->items[r->n] = rx_as_int(v);
    }
    r->n++;
    if (r->n == 1 && r->bad_request) {
        assert_int_equal(rx_request(r->sub, 0), 0);
        if (r->cancel_after_bad) {
            rx_cancel(r->sub);
        } else {
            /* Demand after a bad request changes nothing. */
            assert_int_equal(rx_request(r->sub, 3), 0);
        }
    }
    if (r->n == 1 && r->cancel_in_next) {
        rx_cancel(r->sub);
    }
    if (r->n == 1 && r->dispose_in_next) {
        rx_dispose(r->sub); /* a handle the caller never took: a cancel */
    }
}

static void
rec_batch(rx_value *vals, size_t n, void *ctx)
{
    struct rec *r = ctx;

    r->batches++;
    for (size_t i = 0; i < n; i++) {
        rec_next(vals[i], ctx);
    }
}

static void
rec_error(const rx_error *err, void *ctx)
{
    struct rec *r = ctx;

    r->errors++;
    r->error_code = rx_error_code(err);
}

static void
rec_complete(void *ctx)
{
    ((struct rec *)ctx)->completes++;
}

static void
rec_finally(void *ctx)
{
    ((struct rec *)ctx)->finally++;
}

static int
run(rx_observable *obs, const rx_observer *o)
{
    rx_subscription *sub = NULL;
    int rc = rx_subscribe(obs, o, &sub);

    rx_dispose(sub);
    rx_observable_release(obs);
    return rc;
}

static void
test_pipeline_edges_overflow_without_on_error_is_undeliverable(void **state)
{
    struct rec r = {.first_request = 1};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_t_rogue_stats st = {0};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    /* The rogue ignores demand and the cancel that the overflow sends. */
    assert_int_equal(
        run(rx_t_rogue("1 2 3 |",
                       RX_T_ROGUE_IGNORE_DEMAND | RX_T_ROGUE_IGNORE_CANCEL,
                       &st),
            &o),
        0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.items[0], 1);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_EBACKPRESSURE);
    /* Nothing after the end: not item 3, not the completion. */
    assert_int_equal(r.completes, 0);
    assert_int_equal(r.finally, 1);
    assert_int_equal(st.cancels, 1);
    assert_int_equal(st.items, 3);
}

static void
test_pipeline_edges_error_after_overflow_is_undeliverable(void **state)
{
    struct rec r = {.first_request = 1};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .ctx = &r};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(
        run(rx_t_rogue("1 2 #",
                       RX_T_ROGUE_IGNORE_DEMAND | RX_T_ROGUE_IGNORE_CANCEL,
                       NULL),
            &o),
        0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.error_code, RX_EBACKPRESSURE);
    /* The rogue's own error comes after the end: never a second one. */
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_ROGUE_ECODE(1));
    assert_int_equal(r.completes, 0);
}

static void
test_pipeline_edges_error_after_cancel_is_undeliverable(void **state)
{
    struct rec r = {.first_request = 1, .cancel_in_next = true};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(
        run(rx_t_rogue("1 2 #", RX_T_ROGUE_IGNORE_CANCEL, NULL), &o), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.completes, 0);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_ROGUE_ECODE(1));
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_bad_request_without_on_error(void **state)
{
    struct rec r = {.first_request = 1, .bad_request = true};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(run(rx_range(1, 5), &o), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.completes, 0);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_EINVAL);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_cancel_after_bad_request_sends_nothing(void **state)
{
    struct rec r = {
        .first_request = 1, .bad_request = true, .cancel_after_bad = true};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(run(rx_range(1, 5), &o), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.completes, 0);
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_batch_only_observer_gets_single_items(void **state)
{
    struct rec r = {.first_request = 10};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next_batch = rec_batch,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};

    (void)state;
    /* The rogue sends items one by one: each is a batch of one. */
    assert_int_equal(run(rx_t_rogue("4 5 |", 0, NULL), &o), 0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.batches, 2);
    assert_int_equal(r.items[0], 4);
    assert_int_equal(r.items[1], 5);
    assert_int_equal(r.completes, 1);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_heap_item_to_batch_only_observer_fails(void **state)
{
    struct rec r = {.first_request = 10};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next_batch = rec_batch,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_t_rogue_stats st = {0};

    (void)state;
    /* Batches carry scalars: a string has nowhere to go, and rather than
     * drop it the stream ends with RX_EINVAL and the source is
     * cancelled. */
    assert_int_equal(run(rx_t_rogue("4 abc 5 |", 0, &st), &o), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.items[0], 4);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.error_code, RX_EINVAL);
    assert_int_equal(r.completes, 0);
    assert_int_equal(r.finally, 1);
    assert_int_equal(st.cancels, 1);
    assert_int_equal(st.items, 2); /* the rogue stopped at the cancel */
}

static void
test_pipeline_edges_heap_item_to_batch_only_without_on_error(void **state)
{
    struct rec r = {.first_request = RX_UNBOUNDED};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next_batch = rec_batch,
                     .on_finally = rec_finally,
                     .ctx = &r};
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(run(rx_t_rogue("abc 1 |", 0, NULL), &o), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.finally, 1);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_EINVAL);
}

static void
test_pipeline_edges_observer_without_item_callbacks(void **state)
{
    struct rec r = {.first_request = RX_UNBOUNDED};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};

    (void)state;
    assert_int_equal(run(rx_t_rogue("1 abc |", 0, NULL), &o), 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.completes, 1);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_reserved_fields_must_be_zero(void **state)
{
    struct rec r = {0};
    rx_observer o = {.on_next = rec_next, .ctx = &r};
    rx_observable *obs = rx_range(1, 3);
    rx_subscription *sub = (rx_subscription *)(void *)&r; /* set to NULL */

    (void)state;
    o.reserved[1] = &r;
    assert_int_equal(rx_subscribe(obs, &o, &sub), RX_EINVAL);
    assert_null(sub);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "reserved"));
    o.reserved[1] = NULL;
    o.reserved[0] = &r;
    assert_int_equal(rx_subscribe(obs, &o, NULL), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_int_equal(r.n, 0);
    rx_observable_release(obs);
}

static void
test_pipeline_edges_cancel_in_on_subscribe_never_starts(void **state)
{
    struct rec r = {.cancel_in_sub = true, .first_request = 5};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_t_rogue_stats st = {0};

    (void)state;
    assert_int_equal(run(rx_t_rogue("1 2 |", 0, &st), &o), 0);
    assert_int_equal(st.subscribes, 1);
    assert_int_equal(st.items, 0);
    assert_int_equal(r.n + r.errors + r.completes, 0);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_bad_request_in_on_subscribe(void **state)
{
    struct rec r = {.bad_in_sub = true};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_t_rogue_stats st = {0};

    (void)state;
    assert_int_equal(run(rx_t_rogue("1 2 |", 0, &st), &o), 0);
    assert_int_equal(st.items, 0);
    assert_int_equal(r.n, 0);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.error_code, RX_EINVAL);
    assert_int_equal(r.completes, 0);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_request_after_completion_is_a_no_op(void **state)
{
    struct rec r = {.first_request = RX_UNBOUNDED};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_observable *obs = rx_range(1, 2);
    rx_subscription *sub = NULL;

    (void)state;
    assert_int_equal(rx_subscribe(obs, &o, &sub), 0);
    assert_int_equal(r.completes, 1);
    assert_int_equal(rx_request(sub, 5), 0);
    assert_int_equal(rx_request(sub, 0), 0); /* no error after the end */
    assert_int_equal(rx_request(NULL, 1), RX_EINVAL);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.completes, 1);
    rx_dispose(sub);
    rx_observable_release(obs);
    assert_int_equal(r.finally, 1);
}

static void
test_pipeline_edges_dispose_without_a_handle_cancels(void **state)
{
    struct rec r = {.first_request = RX_UNBOUNDED, .dispose_in_next = true};
    rx_observer o = {.on_subscribe = rec_subscribe,
                     .on_next = rec_next,
                     .on_error = rec_error,
                     .on_complete = rec_complete,
                     .on_finally = rec_finally,
                     .ctx = &r};
    rx_observable *obs = rx_t_rogue("7 8 9 |", 0, NULL);

    (void)state;
    assert_int_equal(rx_subscribe(obs, &o, NULL), 0);
    rx_observable_release(obs);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.items[0], 7);
    assert_int_equal(r.errors + r.completes, 0);
    assert_int_equal(r.finally, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_pipeline_edges_overflow_without_on_error_is_undeliverable),
        rx_unit_test(test_pipeline_edges_error_after_overflow_is_undeliverable),
        rx_unit_test(test_pipeline_edges_error_after_cancel_is_undeliverable),
        rx_unit_test(test_pipeline_edges_bad_request_without_on_error),
        rx_unit_test(
            test_pipeline_edges_cancel_after_bad_request_sends_nothing),
        rx_unit_test(test_pipeline_edges_batch_only_observer_gets_single_items),
        rx_unit_test(
            test_pipeline_edges_heap_item_to_batch_only_observer_fails),
        rx_unit_test(
            test_pipeline_edges_heap_item_to_batch_only_without_on_error),
        rx_unit_test(test_pipeline_edges_observer_without_item_callbacks),
        rx_unit_test(test_pipeline_edges_reserved_fields_must_be_zero),
        rx_unit_test(test_pipeline_edges_cancel_in_on_subscribe_never_starts),
        rx_unit_test(test_pipeline_edges_bad_request_in_on_subscribe),
        rx_unit_test(test_pipeline_edges_request_after_completion_is_a_no_op),
        rx_unit_test(test_pipeline_edges_dispose_without_a_handle_cancels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
