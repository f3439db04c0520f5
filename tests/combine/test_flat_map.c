/* SPDX-License-Identifier: MIT */
/*
 * merge, merge_array, flat_map and concat_map: interleaving, completion
 * only after every source, the first error winning, demand shared across
 * inners, concurrency limits, cancellation of every inner.
 *
 * Manual sources (rx_create whose emitter the test keeps) let a test
 * decide exactly when each inner emits.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

/* ---- manual sources --------------------------------------------------- */

struct manual {
    rx_emitter *em;
    int subscribed;
    int cancels;
};

static void
manual_cancel(void *ctx)
{
    ((struct manual *)ctx)->cancels++;
}

static void
manual_create(rx_emitter *em, void *ctx)
{
    struct manual *m = ctx;

    m->em = em;
    m->subscribed++;
    rx_emitter_set_cancel(em, manual_cancel, m);
}

static rx_observable *
manual(struct manual *m)
{
    return rx_create(manual_create, m);
}

static void
emit(struct manual *m, int64_t v)
{
    assert_int_equal(rx_emitter_next(m->em, rx_int(v)), 0);
}

/* Inner i of a flat_map test is the manual source chosen by item i. */
static struct manual inners[4];

static rx_observable *
pick_inner(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return manual(&inners[rx_as_int(v)]);
}

/* ---- merge -------------------------------------------------------------- */

static void
test_merge_of_synchronous_sources_emits_all_in_subscription_order(void **state)
{
    rx_observable *o = rx_merge(rx_of_ints(1, 2, 3), rx_of_ints(4, 5));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_merge_interleaves_and_completes_after_both(void **state)
{
    struct manual a = {0};
    struct manual b = {0};
    rx_observable *o = rx_merge(manual(&a), manual(&b));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    emit(&a, 1);
    emit(&b, 2);
    emit(&a, 3);
    rx_emitter_complete(a.em);
    assert_rx_no_terminal(t);
    emit(&b, 4);
    rx_emitter_complete(b.em);
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_merge_first_error_cancels_the_other(void **state)
{
    struct manual a = {0};
    struct manual b = {0};
    rx_observable *o = rx_merge(manual(&a), manual(&b));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    emit(&a, 1);
    rx_emitter_error(a.em, rx_error_new(RX_ETIMEDOUT, "a failed"));
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_ETIMEDOUT);
    assert_int_equal(b.cancels, 1); /* b's emitter is now invalid */
    rx_test_observer_free(t);
}

static void
test_two_failures_give_one_on_error_and_one_undeliverable(void **state)
{
    rx_flat_map_config cfg = {.fn = pick_inner, .delay_error = true};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int code = 0;

    (void)state;
    /* delay_error keeps inner 1 running after inner 0 fails, so it can
     * fail too. */
    memset(inners, 0, sizeof inners);
    o = rx_flat_map_opts(rx_range(0, 2), &cfg);
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_emitter_error(inners[0].em, rx_error_new(RX_ETIMEDOUT, "first"));
    rx_emitter_error(inners[1].em, rx_error_new(RX_T_EUSER, "second"));
    assert_rx_error(t, RX_ETIMEDOUT);
    assert_int_equal(rx_undeliverable_count(&code), 1);
    assert_int_equal(code, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_merge_array_limits_concurrency_and_keeps_order_of_waiting(void **state)
{
    struct manual m[3];
    rx_observable *srcs[3];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(m, 0, sizeof m);
    for (int i = 0; i < 3; i++) {
        srcs[i] = manual(&m[i]);
    }
    o = rx_merge_array(3, srcs, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(m[0].subscribed, 1);
    assert_int_equal(m[1].subscribed, 1);
    assert_int_equal(m[2].subscribed, 0);
    emit(&m[1], 10);
    rx_emitter_complete(m[1].em);
    assert_int_equal(m[2].subscribed, 1); /* a slot freed up */
    emit(&m[2], 20);
    emit(&m[0], 30);
    rx_emitter_complete(m[0].em);
    rx_emitter_complete(m[2].em);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_merge_array_of_nothing_completes(void **state)
{
    rx_observable *o = rx_merge_array(0, NULL, RX_UNBOUNDED);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_merge_rejects_bad_arguments(void **state)
{
    rx_observable *srcs[2];

    (void)state;
    assert_rx_fails(rx_merge_array(2, NULL, 1), RX_EINVAL, "rx_merge_array");
    srcs[0] = rx_of_ints(1);
    srcs[1] = rx_of_ints(2);
    assert_rx_fails(rx_merge_array(2, srcs, 0), RX_EINVAL, "max_concurrent");
    /* A NULL source: the other is released, the last error untouched. */
    assert_null(rx_merge(rx_of_ints(1), NULL));
    assert_null(rx_merge(NULL, rx_of_ints(1)));
}

/* ---- flat_map ----------------------------------------------------------- */

static rx_observable *
pair_of(rx_value v, void *ctx, rx_error **err)
{
    int64_t x = rx_as_int(v) * 10;

    (void)ctx;
    (void)err;
    return rx_of_ints(x, x + 1);
}

static void
test_flat_map_merges_synchronous_inners_in_order(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 3), pair_of, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 20, 21, 30, 31);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_flat_map_honours_demand_across_inners(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 3), pair_of, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_test_request(t, 3);
    assert_rx_ints(t, 10, 11, 20);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_ints(t, 10, 11, 20, 21, 30, 31);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_flat_map_completes_only_after_outer_and_every_inner(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 2), pick_inner, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(inners, 0, sizeof inners);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* The outer range already completed; both inners still run. */
    emit(&inners[1], 100);
    emit(&inners[0], 200);
    rx_emitter_complete(inners[0].em);
    assert_rx_no_terminal(t);
    rx_emitter_complete(inners[1].em);
    assert_rx_ints(t, 100, 200);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_map_runs_one_inner_at_a_time_in_item_order(void **state)
{
    rx_observable *o = rx_concat_map(rx_range(0, 3), pick_inner, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(inners, 0, sizeof inners);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(inners[0].subscribed, 1);
    assert_int_equal(inners[1].subscribed, 0);
    emit(&inners[0], 1);
    rx_emitter_complete(inners[0].em);
    assert_int_equal(inners[1].subscribed, 1);
    assert_int_equal(inners[2].subscribed, 0);
    emit(&inners[1], 2);
    rx_emitter_complete(inners[1].em);
    emit(&inners[2], 3);
    rx_emitter_complete(inners[2].em);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_cancel_cancels_every_running_inner(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 3), pick_inner, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(inners, 0, sizeof inners);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    emit(&inners[2], 7);
    rx_test_cancel(t);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(inners[i].cancels, 1);
    }
    assert_rx_ints(t, 7);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_delay_error_waits_for_the_other_sources(void **state)
{
    rx_flat_map_config cfg = {.fn = pick_inner, .delay_error = true};
    rx_observable *o = rx_flat_map_opts(rx_range(0, 2), &cfg);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(inners, 0, sizeof inners);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_emitter_error(inners[0].em, rx_error_new(RX_ETIMEDOUT, "late"));
    assert_rx_no_terminal(t);
    emit(&inners[1], 5);
    rx_emitter_complete(inners[1].em);
    assert_rx_ints(t, 5);
    assert_rx_error(t, RX_ETIMEDOUT);
    rx_test_observer_free(t);
}

static rx_observable *
failing_fn(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 2) {
        *err = rx_error_new(RX_T_EUSER, "no inner for 2");
        return NULL;
    }
    return rx_just(rx_value_retain(v));
}

static rx_observable *
null_fn(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    /* A constructor that fails inside fn: its error is the stream's. */
    return rx_range(rx_as_int(v), -1);
}

static void
test_flat_map_fn_failure_fails_the_stream(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 5), failing_fn, NULL);
    rx_observable *n = rx_flat_map(rx_range(1, 5), null_fn, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(n, u), 0);
    rx_observable_release(o);
    rx_observable_release(n);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    assert_rx_no_items(u);
    assert_rx_error(u, RX_EINVAL);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static rx_observable *
just_it(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_just(rx_value_retain(v));
}

static void
test_flat_map_over_100000_synchronous_inners(void **state)
{
    rx_flat_map_config cfg = {.fn = just_it, .max_concurrent = 4};
    rx_observable *o = rx_count(rx_flat_map_opts(rx_range(0, 100000), &cfg));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 100000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static bool
reject_all(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return false;
}

static void
test_items_dropped_below_do_not_use_demand(void **state)
{
    rx_observable *o =
        rx_filter(rx_merge(rx_range(0, 3), rx_range(10, 3)), reject_all, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* Every item was dropped by the filter, none used the one request:
     * the merge must keep going and complete. */
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_flat_map_rejects_bad_arguments(void **state)
{
    rx_flat_map_config neg = {.fn = just_it, .max_concurrent = -1};

    (void)state;
    assert_rx_fails(rx_flat_map(rx_range(0, 1), NULL, NULL), RX_EINVAL,
                    "rx_flat_map");
    assert_rx_fails(rx_flat_map_opts(rx_range(0, 1), NULL), RX_EINVAL, "cfg");
    assert_rx_fails(rx_flat_map_opts(rx_range(0, 1), &neg), RX_EINVAL,
                    "max_concurrent");
    rx_range(0, -1);
    assert_null(rx_flat_map(NULL, just_it, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
flat_map_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_flat_map(rx_range(1, 3), pair_of, NULL);
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_true(failed);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 10, 11, 20, 21, 30, 31);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_flat_map_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(flat_map_under_oom, NULL) > 5);
}

/* Items queued in two inners, then demand: the observer cancels inside
 * the first on_next, while merge is draining that inner's queue. */
static void
test_cancel_inside_on_next_while_draining_a_queue(void **state)
{
    struct manual m[2];
    rx_observable *srcs[2];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    memset(m, 0, sizeof m);
    srcs[0] = manual(&m[0]);
    srcs[1] = manual(&m[1]);
    o = rx_merge_array(2, srcs, RX_UNBOUNDED);
    rx_test_set_cancel_after(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    emit(&m[0], 1);
    emit(&m[0], 2);
    emit(&m[1], 3);
    rx_test_request(t, 5);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(m[0].cancels, 1);
    assert_int_equal(m[1].cancels, 1);
    rx_test_observer_free(t);
}

/* An item that must wait (no demand) and cannot be queued: the failure
 * drops the inner whose emitter is still delivering. */
static void
queue_push_under_oom(bool failed, void *ctx)
{
    struct manual m;
    rx_observable *srcs[2];
    rx_observable *o;
    rx_test_observer *t;
    int rc;

    (void)ctx;
    memset(&m, 0, sizeof m);
    srcs[0] = manual(&m);
    srcs[1] = rx_never();
    o = rx_merge_array(2, srcs, RX_UNBOUNDED);
    if (o == NULL) {
        assert_true(failed);
        return;
    }
    t = rx_test_observer_new(0);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        rx_test_observer_free(t);
        return;
    }
    for (int64_t i = 0; i < 3 && m.em != NULL && rx_test_error(t) == NULL;
         i++) {
        (void)rx_emitter_next(m.em, rx_int(i));
    }
    if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
        assert_rx_no_items(t);
    } else {
        rx_test_request(t, 3);
        if (rx_test_error(t) != NULL) {
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_rx_ints(t, 0, 1, 2);
        }
    }
    rx_test_observer_free(t);
}

static void
test_queueing_an_item_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(queue_push_under_oom, NULL) > 3);
}

/* ---- iterable inners: drained without a subscription ------------------ */

static rx_observable *
five_from(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 5);
}

static void
test_iterable_inner_resumes_where_demand_stopped(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 2), five_from, NULL);
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2);
    rx_test_request(t, 4);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_iterable_inner_waits_its_turn_behind_queued_items(void **state)
{
    struct manual m;
    rx_observable *srcs[2];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    memset(&m, 0, sizeof m);
    srcs[0] = manual(&m);
    srcs[1] = rx_of_ints(100, 101, 102);
    o = rx_merge_array(2, srcs, RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    emit(&m, 1); /* queued behind the values, which came first */
    emit(&m, 2);
    rx_test_request(t, 4);
    assert_rx_ints(t, 100, 101, 102, 1);
    rx_test_request(t, 10);
    assert_rx_ints(t, 100, 101, 102, 1, 2);
    assert_rx_no_terminal(t); /* the manual source is still running */
    rx_emitter_complete(m.em);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_iterable_inners_respect_max_concurrent(void **state)
{
    rx_observable *o = rx_flat_map_opts(
        rx_range(0, 3),
        &(rx_flat_map_config){.fn = five_from, .max_concurrent = 1});
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_cancel_inside_an_iterable_inner_stops_it(void **state)
{
    rx_observable *o =
        rx_take(rx_flat_map(rx_range(0, 1000), five_from, NULL), 7);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static rx_observable *
range_of_150(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(1000 * v.as.i, 150);
}

/* An observer with on_next_batch under unbounded demand gets each range
 * inner as batches straight from the values (one per inner here), the
 * items in order, then the completion. */
static void
test_range_inners_reach_a_batch_observer_in_batches(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 3), five_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
    assert_rx_completed(t);
    assert_int_equal(rx_test_get_counts(t).batches, 3);
    assert_int_equal(rx_test_get_counts(t).after_terminal, 0);
    rx_test_observer_free(t);
}

struct batch_only {
    int64_t sum;
    int calls;
    int completes;
};

static void
batch_only_next(rx_value *vals, size_t n, void *ctx)
{
    struct batch_only *b = ctx;

    b->calls++;
    for (size_t i = 0; i < n; i++) {
        b->sum += vals[i].as.i;
    }
}

static void
batch_only_complete(void *ctx)
{
    ((struct batch_only *)ctx)->completes++;
}

/* An observer with on_next_batch and no on_next (no on_subscribe, so
 * unbounded demand): one call per range inner. */
static void
test_a_batch_only_observer_gets_one_call_per_range_inner(void **state)
{
    struct batch_only b = {0};
    rx_observer obs = {.on_next_batch = batch_only_next,
                       .on_complete = batch_only_complete,
                       .ctx = &b};
    rx_observable *o = rx_flat_map(rx_range(0, 4), five_from, NULL);

    (void)state;
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    /* 10v + 0..4 for v = 0..3: 5 * 10 * (0 + 1 + 2 + 3) + 4 * 10. */
    assert_int_equal(b.sum, 340);
    assert_int_equal(b.calls, 4);
    assert_int_equal(b.completes, 1);
}

/* A range longer than a batch goes out in batches of at most 64. */
static void
test_a_long_range_inner_is_split_into_batches_of_64(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(1, 2), range_of_150, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 300);
    for (size_t i = 0; i < 300; i++) {
        int64_t want = i < 150 ? 1000 + (int64_t)i : 2000 + (int64_t)i - 150;
        assert_int_equal(rx_test_value(t, i).as.i, want);
    }
    assert_rx_completed(t);
    /* 150 = 64 + 64 + 22, twice. */
    assert_int_equal(rx_test_get_counts(t).batches, 6);
    rx_test_observer_free(t);
}

/* A dispose inside a batch ends the inner and the outer there: no item
 * after that batch, no terminal signal. */
static void
test_dispose_inside_a_batch_stops_every_source(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 1000), five_from, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    rx_test_set_dispose_in(t, RX_TEST_ON_NEXT);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2, 3, 4);
    assert_int_equal(rx_test_get_counts(t).batches, 1);
    assert_false(rx_test_completed(t));
    assert_null(rx_test_error(t));
    rx_test_observer_free(t);
}

/* With bounded demand a batch observer still gets no item beyond it:
 * the range inner waits for demand instead of going out whole. */
static void
test_a_batch_observer_with_bounded_demand_gets_only_what_it_asked(void **state)
{
    rx_observable *o = rx_flat_map(rx_range(0, 3), five_from, NULL);
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 1, 2);
    assert_false(rx_test_completed(t));
    assert_int_equal(rx_test_get_counts(t).beyond_demand, 0);
    rx_test_request(t, RX_UNBOUNDED);
    assert_rx_ints(t, 0, 1, 2, 3, 4, 10, 11, 12, 13, 14, 20, 21, 22, 23, 24);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* Allocations made by subscribing to and running
 * flat_map(range(0, n), v -> range(10v, 5)) to its end. */
static long
flat_map_allocations(int64_t n)
{
    rx_observable *o;
    rx_test_observer *t;
    long before;
    long after;

    o = rx_flat_map(rx_range(0, n), five_from, NULL);
    t = rx_test_observer_new(RX_UNBOUNDED);
    before = rx_count_mallocs();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    after = rx_count_mallocs();
    assert_rx_completed(t);
    assert_int_equal(rx_test_count(t), (size_t)n * 5);
    rx_test_observer_free(t);
    rx_observable_release(o);
    return after - before;
}

static void
test_iterable_inners_cost_only_their_own_observable(void **state)
{
    long small;
    long big;

    (void)state;
    assert_int_equal(rx_count_allocs_install(), 0);
    small = flat_map_allocations(100);
    big = flat_map_allocations(1000);
    assert_int_equal(rx_set_allocator(NULL), 0);
    /* The 900 more inner ranges that five_from makes, and nothing for
     * the merge: no receiver, no stage, no subscription per inner. */
    assert_int_equal(big - small, 900);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_merge_of_synchronous_sources_emits_all_in_subscription_order),
        rx_unit_test(test_merge_interleaves_and_completes_after_both),
        rx_unit_test(test_merge_first_error_cancels_the_other),
        rx_unit_test(test_two_failures_give_one_on_error_and_one_undeliverable),
        rx_unit_test(
            test_merge_array_limits_concurrency_and_keeps_order_of_waiting),
        rx_unit_test(test_merge_array_of_nothing_completes),
        rx_unit_test(test_merge_rejects_bad_arguments),
        rx_unit_test(test_flat_map_merges_synchronous_inners_in_order),
        rx_unit_test(test_flat_map_honours_demand_across_inners),
        rx_unit_test(test_flat_map_completes_only_after_outer_and_every_inner),
        rx_unit_test(test_concat_map_runs_one_inner_at_a_time_in_item_order),
        rx_unit_test(test_cancel_cancels_every_running_inner),
        rx_unit_test(test_delay_error_waits_for_the_other_sources),
        rx_unit_test(test_flat_map_fn_failure_fails_the_stream),
        rx_unit_test(test_flat_map_over_100000_synchronous_inners),
        rx_unit_test(test_items_dropped_below_do_not_use_demand),
        rx_unit_test(test_flat_map_rejects_bad_arguments),
        rx_unit_test(test_flat_map_survives_every_allocation_failure),
        rx_unit_test(test_cancel_inside_on_next_while_draining_a_queue),
        rx_unit_test(test_queueing_an_item_survives_every_allocation_failure),
        rx_unit_test(test_iterable_inner_resumes_where_demand_stopped),
        rx_unit_test(test_iterable_inner_waits_its_turn_behind_queued_items),
        rx_unit_test(test_iterable_inners_respect_max_concurrent),
        rx_unit_test(test_cancel_inside_an_iterable_inner_stops_it),
        rx_unit_test(test_iterable_inners_cost_only_their_own_observable),
        rx_unit_test(test_range_inners_reach_a_batch_observer_in_batches),
        rx_unit_test(test_a_batch_only_observer_gets_one_call_per_range_inner),
        rx_unit_test(test_a_long_range_inner_is_split_into_batches_of_64),
        rx_unit_test(test_dispose_inside_a_batch_stops_every_source),
        rx_unit_test(
            test_a_batch_observer_with_bounded_demand_gets_only_what_it_asked),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
