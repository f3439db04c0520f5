/* SPDX-License-Identifier: MIT */
/*
 * Subscribing and the subscription lifetime: bad arguments, allocation
 * failure, on_finally, request(n <= 0), cancel and dispose from callbacks
 * and from another thread, and what a finished subscription keeps.
 */
#include <stdatomic.h>
#include <string.h>

#include <uv.h>

#include "rx-internal.h"
#include "rx_test.h"

static int calls;

static void
count_call(void *ctx)
{
    (void)ctx;
    calls++;
}

static void
test_subscribe_rejects_null_and_reserved_fields(void **state)
{
    rx_observable *o = rx_range(0, 3);
    rx_observer obs = {.on_complete = count_call};
    rx_observer dirty = {.on_complete = count_call};
    rx_subscription *sub = (rx_subscription *)&obs; /* must become NULL */

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(NULL, &obs, &sub), RX_EINVAL);
    assert_null(sub);
    assert_non_null(strstr(rx_last_error_message(), "obs"));
    assert_int_equal(rx_subscribe(o, NULL, &sub), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "observer"));
    dirty.reserved[1] = &dirty;
    assert_int_equal(rx_subscribe(o, &dirty, &sub), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "reserved"));
    assert_int_equal(calls, 0);
    rx_observable_release(o);
}

static void
test_null_handles_are_safe(void **state)
{
    (void)state;
    assert_int_equal(rx_request(NULL, 1), RX_EINVAL);
    rx_cancel(NULL);
    rx_dispose(NULL);
}

struct oom_ctx {
    int completions;
};

static void
oom_complete(void *ctx)
{
    ((struct oom_ctx *)ctx)->completions++;
}

static void
subscribe_under_oom(bool failed, void *ctx)
{
    struct oom_ctx *c = ctx;
    rx_observable *o;
    rx_observer obs = {.on_complete = oom_complete, .ctx = c};
    rx_subscription *sub = NULL;
    int rc;

    c->completions = 0;
    o = rx_filter(rx_map(rx_range(1, 5), rx_t_times10, NULL), rx_t_is_even,
                  NULL);
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    rc = rx_subscribe(o, &obs, &sub);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        assert_null(sub);
        assert_int_equal(c->completions, 0); /* no callback on failure */
        return;
    }
    assert_int_equal(c->completions, 1);
    rx_dispose(sub);
}

static void
test_subscribe_survives_every_allocation_failure(void **state)
{
    struct oom_ctx c = {0};

    (void)state;
    assert_true(rx_oom_sweep(subscribe_under_oom, &c) > 2);
    assert_int_equal(c.completions, 1);
}

static void
test_on_finally_runs_once_after_completion_while_handle_is_held(void **state)
{
    rx_observable *o = rx_range(0, 3);
    rx_observer obs = {.on_finally = count_call};
    rx_subscription *sub;

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_int_equal(calls, 1);
    /* The finished pipeline keeps only its own struct for the handle. */
    assert_int_equal(rx_live_objects(), 1);
    rx_cancel(sub);
    assert_int_equal(rx_request(sub, 1), 0);
    rx_dispose(sub);
    assert_int_equal(calls, 1);
}

static void
test_on_finally_runs_once_after_cancel(void **state)
{
    rx_observable *o = rx_never();
    rx_observer obs = {.on_finally = count_call};
    rx_subscription *sub;

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_int_equal(calls, 0);
    rx_cancel(sub);
    assert_int_equal(calls, 1);
    rx_cancel(sub);
    rx_dispose(sub);
    assert_int_equal(calls, 1);
}

static void
test_dispose_of_a_running_subscription_cancels_and_frees(void **state)
{
    rx_observable *o = rx_never();
    rx_observer obs = {.on_finally = count_call};
    rx_subscription *sub;

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_true(rx_live_objects() > 0);
    rx_dispose(sub);
    assert_int_equal(calls, 1);
    assert_int_equal(rx_live_objects(), 0);
}

struct zero_req {
    rx_subscription *sub;
    int items;
    int errors;
    int code;
    bool inside;       /* on_next is running */
    bool nested_error; /* on_error arrived while on_next ran */
};

static void
zr_subscribe(rx_subscription *sub, void *ctx)
{
    struct zero_req *z = ctx;

    z->sub = sub;
    rx_request(sub, 10);
}

static void
zr_next(rx_value v, void *ctx)
{
    struct zero_req *z = ctx;

    (void)v;
    z->inside = true;
    z->items++;
    if (z->items == 2) {
        assert_int_equal(rx_request(z->sub, 0), 0);
        assert_int_equal(z->errors, 0); /* not before on_next returns */
    }
    z->inside = false;
}

static void
zr_error(const rx_error *err, void *ctx)
{
    struct zero_req *z = ctx;

    z->errors++;
    z->code = rx_error_code(err);
    z->nested_error = z->inside;
}

static void
test_request_zero_inside_on_next_errors_after_it_returns(void **state)
{
    struct zero_req z = {0};
    rx_observer obs = {.on_subscribe = zr_subscribe,
                       .on_next = zr_next,
                       .on_error = zr_error,
                       .ctx = &z};
    rx_observable *o = rx_range(0, 100);

    (void)state;
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    assert_int_equal(z.items, 2);
    assert_int_equal(z.errors, 1);
    assert_int_equal(z.code, RX_EINVAL);
    assert_false(z.nested_error);
}

static void
test_request_inside_on_subscribe_only_records_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(3);
    rx_observable *o = rx_range(7, 100);

    (void)state;
    /* The testkit requests 3 inside on_subscribe; the overlap counter
     * proves no item arrived while on_subscribe was still running. */
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 7, 8, 9);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_demand_saturates_at_unbounded(void **state)
{
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o = rx_range(0, 5);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_test_request(t, INT64_MAX);
    rx_test_request(t, INT64_MAX);
    assert_rx_ints(t, 0, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* ---- cancel from another thread --------------------------------------- */

struct xthread {
    rx_subscription *sub;
    atomic_long items;
    uv_thread_t tid;
    int completes;
};

static void
xt_subscribe(rx_subscription *sub, void *ctx)
{
    struct xthread *x = ctx;

    x->sub = sub;
    rx_request(sub, RX_UNBOUNDED);
}

static void
xt_next(rx_value v, void *ctx)
{
    struct xthread *x = ctx;

    (void)v;
    atomic_fetch_add(&x->items, 1);
}

static void
xt_complete(void *ctx)
{
    ((struct xthread *)ctx)->completes++;
}

static void
canceller(void *arg)
{
    struct xthread *x = arg;

    while (atomic_load(&x->items) < 5000) {
    }
    rx_cancel(x->sub);
}

static void
start_canceller(rx_subscription *sub, void *ctx)
{
    struct xthread *x = ctx;

    xt_subscribe(sub, ctx);
    assert_int_equal(uv_thread_create(&x->tid, canceller, x), 0);
}

static void
test_cancel_from_another_thread_stops_a_running_drain_loop(void **state)
{
    struct xthread x = {0};
    rx_observer obs = {.on_subscribe = start_canceller,
                       .on_next = xt_next,
                       .on_complete = xt_complete,
                       .on_finally = count_call,
                       .ctx = &x};
    rx_observable *o = rx_range(0, INT64_MAX / 2);
    rx_subscription *sub;

    (void)state;
    calls = 0;
    assert_int_equal(rx_subscribe(o, &obs, &sub), 0);
    rx_observable_release(o);
    assert_int_equal(uv_thread_join(&x.tid), 0);
    assert_true(atomic_load(&x.items) >= 5000);
    assert_int_equal(x.completes, 0);
    assert_int_equal(calls, 1);
    rx_dispose(sub);
}

/* ---- debug report of a missing retain --------------------------------- */

#ifndef NDEBUG
static rx_value
forget_retain(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return v; /* wrong: must be rx_value_retain(v) */
}
#endif

/* Returning the input without a reference is the user's bug: debug builds
 * report it and repair the count; with NDEBUG (the coverage and release
 * builds) the item would be freed while the source still holds it, so
 * there is nothing defined to test. */
static void
test_map_returning_input_without_retain_is_reported_in_debug(void **state)
{
#ifdef NDEBUG
    (void)state;
    skip();
#else
    rx_value strs[2];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int code = 0;

    (void)state;
    strs[0] = rx_str("a");
    strs[1] = rx_str("b");
    o = rx_map(rx_from_values(2, strs), forget_retain, NULL);
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 2);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "b");
    assert_rx_completed(t);
    assert_int_equal(rx_undeliverable_count(&code), 2);
    assert_int_equal(code, RX_EPROTOCOL);
    rx_test_observer_free(t);
#endif
}

static void
test_releasing_a_million_operator_chain_uses_little_stack(void **state)
{
    rx_observable *o = rx_range(0, 1);

    (void)state;
    for (int i = 0; i < 1000000 && o != NULL; i++) {
        o = rx_map(o, rx_t_plus1, NULL);
    }
    assert_non_null(o);
    rx_observable_release(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_subscribe_rejects_null_and_reserved_fields),
        rx_unit_test(test_null_handles_are_safe),
        rx_unit_test(test_subscribe_survives_every_allocation_failure),
        rx_unit_test(
            test_on_finally_runs_once_after_completion_while_handle_is_held),
        rx_unit_test(test_on_finally_runs_once_after_cancel),
        rx_unit_test(test_dispose_of_a_running_subscription_cancels_and_frees),
        rx_unit_test(test_request_zero_inside_on_next_errors_after_it_returns),
        rx_unit_test(test_request_inside_on_subscribe_only_records_demand),
        rx_unit_test(test_demand_saturates_at_unbounded),
        rx_unit_test(
            test_cancel_from_another_thread_stops_a_running_drain_loop),
        rx_unit_test(
            test_map_returning_input_without_retain_is_reported_in_debug),
        rx_unit_test(test_releasing_a_million_operator_chain_uses_little_stack),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
