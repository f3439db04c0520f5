/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_create and the emitter: direct delivery and buffering
 * beyond demand, terminal signals behind the buffer, the cancel and
 * request callbacks, calls after the end, emitting from outside any
 * callback, stack safety, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* What a test's create function does and what it saw. */
struct prod {
    int emit;            /* items emitted in fn: 0, 1, ... emit - 1 */
    int end;             /* 0: nothing, 1: complete, 2: error */
    int64_t seen_demand; /* rx_emitter_requested() when fn started */
    int64_t left_demand; /* rx_emitter_requested() when fn returned */
    int rcs[8];          /* return codes of the emitter calls in fn */
    int cancels;         /* cancel callback calls */
    int requests;        /* request callback calls */
    int64_t requested;   /* sum of amounts the request callback saw */
    int64_t next;        /* next item of the request-driven producer */
    int64_t total;       /* how many it emits before completing */
    rx_emitter *em;      /* kept for calls from outside fn */
};

static void
on_cancel(void *ctx)
{
    ((struct prod *)ctx)->cancels++;
}

static void
produce(rx_emitter *em, void *ctx)
{
    struct prod *p = ctx;
    int i;

    p->em = em;
    p->seen_demand = rx_emitter_requested(em);
    rx_emitter_set_cancel(em, on_cancel, p);
    for (i = 0; i < p->emit; i++) {
        p->rcs[i % 8] = rx_emitter_next(em, rx_int(i));
    }
    if (p->end == 1) {
        p->rcs[7] = rx_emitter_complete(em);
    } else if (p->end == 2) {
        p->rcs[7] = rx_emitter_error(em, rx_error_new(RX_T_EUSER, "boom"));
    }
    p->left_demand = rx_emitter_requested(em);
}

static rx_test_observer *
run_prod(struct prod *p, int64_t initial)
{
    rx_observable *obs = rx_create(produce, p);
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static void
test_create_emits_items_then_completes(void **state)
{
    struct prod p = {.emit = 3, .end = 1};
    rx_test_observer *t = run_prod(&p, RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    assert_int_equal(p.rcs[0], 0);
    assert_int_equal(p.rcs[7], 0);
    assert_int_equal(p.seen_demand, RX_UNBOUNDED);
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
    assert_int_equal(p.cancels, 1);
}

static void
test_create_fn_sees_the_demand_requested_in_on_subscribe(void **state)
{
    struct prod p = {.emit = 1};
    rx_test_observer *t = run_prod(&p, 3);

    (void)state;
    assert_int_equal(p.seen_demand, 3);
    assert_int_equal(p.left_demand, 2);
    assert_rx_ints(t, 0);
    rx_test_observer_free(t);
}

static void
test_create_buffers_items_beyond_demand(void **state)
{
    struct prod p = {.emit = 5, .end = 1};
    rx_test_observer *t = run_prod(&p, 1);

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t);
    assert_int_equal(p.rcs[4], 0);
    assert_int_equal(p.left_demand, 0);
    assert_int_equal(p.cancels, 0);
    rx_test_request(t, 2);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_ints(t, 0, 1, 2, 3, 4);
    assert_rx_completed(t);
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_create_delivers_buffered_items_before_the_error(void **state)
{
    struct prod p = {.emit = 3, .end = 2};
    rx_test_observer *t = run_prod(&p, 1);

    (void)state;
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_create_stops_on_cancel_mid_stream_and_calls_cancel_once(void **state)
{
    struct prod p = {.emit = 5, .end = 1};
    rx_observable *obs = rx_create(produce, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(p.rcs[1], 0);
    assert_int_equal(p.rcs[2], RX_ECANCELED);
    assert_int_equal(p.rcs[4], RX_ECANCELED);
    assert_int_equal(p.rcs[7], RX_ECANCELED);
    assert_int_equal(p.left_demand, 0);
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
    assert_int_equal(p.cancels, 1);
}

static void
after_end(rx_emitter *em, void *ctx)
{
    struct prod *p = ctx;

    p->em = em;
    rx_emitter_set_cancel(em, on_cancel, p);
    p->rcs[0] = rx_emitter_next(em, rx_int(1));
    p->rcs[1] = rx_emitter_complete(em);
    p->rcs[2] = rx_emitter_next(em, rx_str("late"));
    p->rcs[3] = rx_emitter_error(em, rx_error_new(RX_T_EUSER, "late"));
    p->rcs[4] = rx_emitter_complete(em);
    p->rcs[5] = rx_emitter_is_cancelled(em);
}

static void
test_create_calls_after_complete_return_ecanceled(void **state)
{
    struct prod p = {0};
    rx_observable *obs = rx_create(after_end, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(p.rcs[0], 0);
    assert_int_equal(p.rcs[1], 0);
    assert_int_equal(p.rcs[2], RX_ECANCELED);
    assert_int_equal(p.rcs[3], RX_ECANCELED);
    assert_int_equal(p.rcs[4], RX_ECANCELED);
    assert_int_equal(p.rcs[5], 1);
    assert_int_equal(p.cancels, 1);
    /* The late error was not dropped silently. */
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_EUSER);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks the late string was released. */
}

static void
on_request(int64_t n, void *ctx)
{
    struct prod *p = ctx;
    int64_t i;

    p->requests++;
    p->requested += n;
    for (i = 0; i < n && p->next < p->total; i++) {
        rx_emitter_next(p->em, rx_int(p->next++));
    }
    if (p->next == p->total) {
        rx_emitter_complete(p->em);
    }
}

/* Emits what the demand allows, then waits for the request callback. */
static void
on_demand(rx_emitter *em, void *ctx)
{
    struct prod *p = ctx;

    p->em = em;
    rx_emitter_set_cancel(em, on_cancel, p);
    rx_emitter_set_request(em, on_request, p);
    while (rx_emitter_requested(em) > 0 && p->next < p->total) {
        rx_emitter_next(em, rx_int(p->next++));
    }
}

static void
test_create_request_callback_sees_each_request(void **state)
{
    struct prod p = {.total = 4};
    rx_observable *obs = rx_create(on_demand, &p);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_no_items(t);
    assert_int_equal(p.requests, 0);
    rx_test_request(t, 2);
    assert_int_equal(p.requests, 1);
    assert_int_equal(p.requested, 2);
    assert_rx_ints(t, 0, 1);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_int_equal(p.requests, 2);
    assert_rx_ints(t, 0, 1, 2);
    rx_test_request(t, 5);
    assert_rx_ints(t, 0, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_create_request_inside_on_next_does_not_recurse(void **state)
{
    struct prod p = {.total = 200000};
    rx_observable *obs = rx_create(on_demand, &p);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(t), 200000);
    assert_int_equal(rx_as_int(rx_test_value(t, 199999)), 199999);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
keep_emitter(rx_emitter *em, void *ctx)
{
    struct prod *p = ctx;

    p->em = em;
    rx_emitter_set_cancel(em, on_cancel, p);
}

static void
test_create_emitter_works_from_outside_any_callback(void **state)
{
    struct prod p = {0};
    rx_observable *obs = rx_create(keep_emitter, &p);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    /* Later, as from a libuv callback of the user's. */
    assert_int_equal(rx_emitter_next(p.em, rx_int(7)), 0);
    assert_int_equal(rx_emitter_next(p.em, rx_int(8)), 0);
    assert_int_equal(rx_emitter_next(p.em, rx_int(9)), 0);
    assert_int_equal(rx_emitter_requested(p.em), 0);
    assert_false(rx_emitter_is_cancelled(p.em));
    assert_int_equal(rx_emitter_complete(p.em), 0);
    /* The completion waits behind the buffered item. */
    assert_int_equal(p.cancels, 0);
    assert_rx_ints(t, 7, 8);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 7, 8, 9);
    assert_rx_completed(t);
    /* The cancel callback says the emitter is gone: p.em is not used
     * again. */
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_create_dispose_calls_cancel_callback_once(void **state)
{
    struct prod p = {0};
    rx_observable *obs = rx_create(keep_emitter, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_emitter_next(p.em, rx_int(1)), 0);
    rx_test_dispose(t);
    assert_int_equal(p.cancels, 1);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    assert_int_equal(p.cancels, 1);
}

static void
emit_invalid(rx_emitter *em, void *ctx)
{
    struct prod *p = ctx;

    p->rcs[0] = rx_emitter_next(em, rx_int(1));
    p->rcs[1] = rx_emitter_next(em, rx_invalid());
    p->rcs[2] = rx_emitter_next(em, rx_int(2));
}

static void
test_create_invalid_item_fails_with_enomem(void **state)
{
    struct prod p = {0};
    rx_observable *obs = rx_create(emit_invalid, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_ENOMEM);
    assert_int_equal(p.rcs[1], RX_ENOMEM);
    assert_int_equal(p.rcs[2], RX_ECANCELED);
    rx_test_observer_free(t);
}

static void
test_create_disposed_in_on_subscribe_never_runs_fn(void **state)
{
    struct prod p = {.emit = 1, .end = 1};
    rx_observable *obs = rx_create(produce, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_null(p.em);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_create_rejects_null_fn_and_null_emitter(void **state)
{
    (void)state;
    assert_rx_fails(rx_create(NULL, NULL), RX_EINVAL, "rx_create");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
    rx_capture_undeliverable();
    assert_int_equal(rx_emitter_next(NULL, rx_str("x")), RX_EINVAL);
    assert_int_equal(rx_emitter_error(NULL, rx_error_new(RX_T_EUSER, "e")),
                     RX_EINVAL);
    assert_int_equal(rx_undeliverable_count(NULL), 1);
    assert_int_equal(rx_emitter_complete(NULL), RX_EINVAL);
    assert_int_equal(rx_emitter_requested(NULL), 0);
    assert_true(rx_emitter_is_cancelled(NULL));
    assert_int_equal(rx_emitter_set_cancel(NULL, on_cancel, NULL), RX_EINVAL);
    assert_int_equal(rx_emitter_set_request(NULL, on_request, NULL), RX_EINVAL);
}

static void
create_oom_scenario(bool failed, void *ctx)
{
    struct prod p = {.emit = 4, .end = 1};
    rx_observable *obs = rx_create(produce, &p);
    rx_test_observer *t;
    size_t i;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(1);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        rx_test_observer_free(t);
        return;
    }
    rx_test_request(t, 10);
    for (i = 0; i < rx_test_count(t); i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i);
    }
    if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 4);
        assert_rx_completed(t);
    }
    assert_int_equal(p.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_create_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(create_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_create_emits_items_then_completes),
        rx_unit_test(test_create_fn_sees_the_demand_requested_in_on_subscribe),
        rx_unit_test(test_create_buffers_items_beyond_demand),
        rx_unit_test(test_create_delivers_buffered_items_before_the_error),
        rx_unit_test(
            test_create_stops_on_cancel_mid_stream_and_calls_cancel_once),
        rx_unit_test(test_create_calls_after_complete_return_ecanceled),
        rx_unit_test(test_create_request_callback_sees_each_request),
        rx_unit_test(test_create_request_inside_on_next_does_not_recurse),
        rx_unit_test(test_create_emitter_works_from_outside_any_callback),
        rx_unit_test(test_create_dispose_calls_cancel_callback_once),
        rx_unit_test(test_create_invalid_item_fails_with_enomem),
        rx_unit_test(test_create_disposed_in_on_subscribe_never_runs_fn),
        rx_unit_test(test_create_rejects_null_fn_and_null_emitter),
        rx_unit_test(test_create_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
