/* SPDX-License-Identifier: MIT */
/*
 * Inputs of combining operators that signal on other threads (DESIGN.md
 * section 4): merge, zip, flat_map and concat_map mark such an input
 * async at subscribe time and receive its signals on their own thread
 * through a ring. The stress test merges a million items from the two
 * workers of a pool: every item arrives exactly once, in its input's
 * order, on the loop thread, never inside another signal. Also: an input
 * on the calling thread is left alone, errors and cancels cross
 * correctly, and a thread with no loop scheduler gets a clear error.
 */
#include <stdint.h>

#include "hop_test.h"
#include "uvrx/combination.h"
#include "uvrx/combine.h"
#include "uvrx/thread.h"

/* ---- a checking observer: exactly-once, per-input order, no overlap ---- */

enum { MAX_INPUTS = 8 };

typedef struct sink {
    int64_t per_input;        /* items per input; input = value / this */
    uint8_t *seen;            /* how often each value arrived */
    int64_t total;            /* how many values exist */
    int64_t last[MAX_INPUTS]; /* the last value of each input */
    int64_t count;            /* items received */
    int64_t cancel_after;     /* cancel in on_next after this many */
    rx_subscription *sub;     /* for cancel_after */
    atomic_int inside;        /* callbacks running now */
    bool overlap;             /* two callbacks ran at once */
    bool out_of_order;        /* an input's items out of order */
    bool out_of_range;        /* a value that no input has */
    int duplicates;           /* values that arrived twice */
    int completes;            /* on_complete calls */
    int errors;               /* on_error calls */
    int err_code;             /* the error's code */
    char err_msg[256];        /* the error's message */
    int after_terminal;       /* signals after a terminal */
    bool off_thread;          /* a signal not on the test thread */
    const void *thread;       /* the test thread */
    bool finished;            /* on_finally ran */
} sink;

static void
sink_init(sink *s, int64_t per_input, int inputs)
{
    memset(s, 0, sizeof *s);
    s->per_input = per_input;
    s->total = per_input * inputs;
    s->seen = calloc((size_t)s->total, 1);
    assert_non_null(s->seen);
    for (int i = 0; i < MAX_INPUTS; i++) {
        s->last[i] = -1;
    }
    atomic_init(&s->inside, 0);
    s->thread = hop_thread();
}

static void
sink_enter(sink *s)
{
    if (atomic_fetch_add(&s->inside, 1) != 0) {
        s->overlap = true;
    }
    if (hop_thread() != s->thread) {
        s->off_thread = true;
    }
    if (s->completes + s->errors > 0) {
        s->after_terminal++;
    }
}

static void
sink_leave(sink *s)
{
    atomic_fetch_sub(&s->inside, 1);
}

static void
sink_on_subscribe(rx_subscription *sub, void *ctx)
{
    ((sink *)ctx)->sub = sub;
    rx_request(sub, RX_UNBOUNDED);
}

static void
sink_on_next(rx_value v, void *ctx)
{
    sink *s = ctx;
    int64_t x = rx_as_int(v);

    sink_enter(s);
    if (x < 0 || x >= s->total) {
        s->out_of_range = true;
    } else {
        int64_t in = x / s->per_input;
        if (s->seen[x]++ != 0) {
            s->duplicates++;
        }
        if (x <= s->last[in]) {
            s->out_of_order = true;
        }
        s->last[in] = x;
    }
    s->count++;
    if (s->cancel_after > 0 && s->count == s->cancel_after) {
        rx_cancel(s->sub);
    }
    sink_leave(s);
}

static void
sink_on_error(const rx_error *err, void *ctx)
{
    sink *s = ctx;

    sink_enter(s);
    s->errors++;
    s->err_code = rx_error_code(err);
    snprintf(s->err_msg, sizeof s->err_msg, "%s", rx_error_message(err));
    sink_leave(s);
}

static void
sink_on_complete(void *ctx)
{
    sink *s = ctx;

    sink_enter(s);
    s->completes++;
    sink_leave(s);
}

static void
sink_on_finally(void *ctx)
{
    ((sink *)ctx)->finished = true;
}

static int
sink_subscribe(rx_observable *obs, sink *s)
{
    rx_observer o = {
        .on_subscribe = sink_on_subscribe,
        .on_next = sink_on_next,
        .on_error = sink_on_error,
        .on_complete = sink_on_complete,
        .on_finally = sink_on_finally,
        .ctx = s,
    };

    return rx_subscribe(obs, &o, NULL);
}

/* Every value arrived exactly once, on the test thread, never nested. */
static void
assert_sink_complete(const sink *s)
{
    assert_true(s->finished);
    assert_int_equal(s->count, s->total);
    assert_int_equal(s->duplicates, 0);
    assert_false(s->out_of_range);
    assert_false(s->out_of_order);
    assert_false(s->overlap);
    assert_false(s->off_thread);
    assert_int_equal(s->completes, 1);
    assert_int_equal(s->errors, 0);
    assert_int_equal(s->after_terminal, 0);
    for (int64_t i = 0; i < s->total; i++) {
        if (s->seen[i] != 1) {
            fail_msg("value %lld arrived %d times", (long long)i,
                     (int)s->seen[i]);
        }
    }
}

/* Ends a test that used the default loop. */
static void
close_default_loop(rx_scheduler *pool)
{
    hop_pool_barrier(pool, 2);
    rx_scheduler_release(pool);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

/* ---- the stress test ---------------------------------------------------- */

static void
test_merge_takes_a_million_items_from_two_pool_workers_exactly_once(
    void **state)
{
    enum { INPUTS = 4, PER = 250000 };
    rx_scheduler *pool = rx_scheduler_pool(2);
    rx_observable *srcs[INPUTS];
    rx_observable *o;
    sink s;

    (void)state;
    for (int i = 0; i < INPUTS; i++) {
        srcs[i] = rx_subscribe_on(rx_range((int64_t)i * PER, PER), pool);
    }
    o = rx_merge_array(INPUTS, srcs, RX_UNBOUNDED);
    assert_non_null(o);
    sink_init(&s, PER, INPUTS);
    assert_int_equal(sink_subscribe(o, &s), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_sink_complete(&s);
    free(s.seen);
    close_default_loop(pool);
}

/* ---- the other combining operators ------------------------------------- */

static rx_value
add(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)n;
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(items[0]) + rx_as_int(items[1]));
}

static void
test_zip_pairs_inputs_from_pool_workers_in_order_on_the_loop(void **state)
{
    enum { N = 20000 };
    rx_scheduler *pool = rx_scheduler_pool(2);
    rx_observable *o = rx_zip(rx_subscribe_on(rx_range(0, N), pool),
                              rx_subscribe_on(rx_range(0, N), pool), add, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t); /* both inputs arrive through the loop */
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_completed(t);
    assert_int_equal(rx_test_count(t), N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), 2 * (int64_t)i);
    }
    rx_test_observer_free(t);
    close_default_loop(pool);
}

struct pooled {
    rx_scheduler *pool;
    int64_t per; /* items per inner */
};

static rx_observable *
inner_on_pool(rx_value v, void *ctx, rx_error **err)
{
    const struct pooled *p = ctx;

    (void)err;
    return rx_subscribe_on(rx_range(rx_as_int(v) * p->per, p->per), p->pool);
}

static void
test_flat_map_receives_inners_from_pool_workers_on_the_loop(void **state)
{
    enum { INNERS = 8, PER = 5000 };
    struct pooled p = {rx_scheduler_pool(2), PER};
    rx_observable *o = rx_flat_map(rx_range(0, INNERS), inner_on_pool, &p);
    sink s;

    (void)state;
    assert_non_null(o);
    sink_init(&s, PER, INNERS);
    assert_int_equal(sink_subscribe(o, &s), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_sink_complete(&s);
    free(s.seen);
    close_default_loop(p.pool);
}

static void
test_concat_map_keeps_inner_order_across_threads(void **state)
{
    enum { INNERS = 6, PER = 300 };
    struct pooled p = {rx_scheduler_pool(2), PER};
    rx_observable *o = rx_concat_map(rx_range(0, INNERS), inner_on_pool, &p);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_completed(t);
    assert_int_equal(rx_test_count(t), INNERS * PER);
    for (size_t i = 0; i < INNERS * PER; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i);
    }
    rx_test_observer_free(t);
    close_default_loop(p.pool);
}

/* ---- terminals and cancel across threads ------------------------------- */

static void
test_merge_error_from_a_worker_arrives_once_on_the_loop(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(2);
    rx_observable *o = rx_merge(
        rx_subscribe_on(rx_range(0, 100000000), pool),
        rx_subscribe_on(rx_throw(rx_error_new(RX_EUSER, "disk")), pool));
    sink s;

    (void)state;
    assert_non_null(o);
    sink_init(&s, 100000000, 1);
    assert_int_equal(sink_subscribe(o, &s), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT); /* the range is cancelled */
    assert_true(s.finished);
    assert_int_equal(s.errors, 1);
    assert_int_equal(s.err_code, RX_EUSER);
    assert_int_equal(s.completes, 0);
    assert_int_equal(s.after_terminal, 0);
    assert_false(s.overlap);
    assert_false(s.off_thread);
    assert_int_equal(s.duplicates, 0);
    assert_false(s.out_of_order);
    assert_true(s.count < 100000000);
    free(s.seen);
    close_default_loop(pool);
}

static void
test_merge_cancelled_on_the_loop_stops_workers_and_frees_all(void **state)
{
    enum { INPUTS = 2, PER = 50000000 };
    rx_scheduler *pool = rx_scheduler_pool(2);
    rx_observable *o = rx_merge(rx_subscribe_on(rx_range(0, PER), pool),
                                rx_subscribe_on(rx_range(PER, PER), pool));
    sink s;

    (void)state;
    assert_non_null(o);
    sink_init(&s, PER, INPUTS);
    s.cancel_after = 1000;
    assert_int_equal(sink_subscribe(o, &s), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT); /* ends: nothing holds it */
    assert_true(s.finished);
    assert_int_equal(s.count, 1000); /* nothing after the cancel */
    assert_int_equal(s.completes + s.errors, 0);
    assert_false(s.overlap);
    assert_false(s.off_thread);
    assert_int_equal(s.duplicates, 0);
    assert_false(s.out_of_order);
    free(s.seen);
    close_default_loop(pool); /* the leak check runs after this */
}

/* Both inners' observe_on start tasks run in one batch of the loop (the
 * later inner's first); its error makes merge drop the other inner,
 * whose start task is still queued: that stage must outlive its task. */
static void
test_merge_drops_an_inner_whose_start_task_is_still_queued(void **state)
{
    rx_scheduler *s = rx_scheduler_default();
    rx_observable *o =
        rx_merge(rx_observe_on(rx_never(), s, 0),
                 rx_observe_on(rx_throw(rx_error_new(RX_EUSER, "boom")), s, 0));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_terminal(t);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_error(t, RX_EUSER);
    assert_int_equal(rx_test_count(t), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(s);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

/* ---- which inputs are marked ------------------------------------------- */

/* A pipeline handle to ask rx__input_here() about. */
static rx_subscription *
some_pipeline(void)
{
    rx_observer o = {0};
    rx_subscription *sub = NULL;
    rx_observable *never = rx_never();

    assert_int_equal(rx_subscribe(never, &o, &sub), 0);
    rx_observable_release(never);
    return sub;
}

static void
test_inputs_on_the_calling_thread_are_not_marked(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subscription *sub = some_pipeline();
    rx_observable *plain = rx_take(rx_range(0, 3), 2);
    rx_observable *same = rx_subscribe_on(rx_range(0, 3), vs);

    (void)state;
    assert_non_null(plain);
    assert_non_null(same);
    /* Nothing hops: the operator's own thread, no ring. */
    assert_ptr_equal(rx__input_here(sub, plain, 0, &plain->site), plain);
    /* A hop to a scheduler of this thread (virtual: the test's). */
    assert_ptr_equal(rx__input_here(sub, same, 0, &same->site), same);
    rx_observable_release(plain);
    rx_observable_release(same);
    rx_dispose(sub);
    rx_scheduler_release(vs);
}

static void
test_an_input_on_a_pool_is_wrapped_in_a_hop_to_this_thread(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_subscription *sub = some_pipeline();
    rx_observable *remote = rx_subscribe_on(rx_range(0, 3), pool);
    rx_observable *here;

    (void)state;
    assert_non_null(remote);
    assert_true(remote->hopped);
    here = rx__input_here(sub, rx_observable_retain(remote), 0, &remote->site);
    assert_non_null(here);
    assert_ptr_not_equal(here, remote);
    assert_ptr_equal(here->src, remote);
    assert_true(here->hopped);
    assert_true(rx__sched_is_current(rx__sched_resolve(here->home)));
    rx_observable_release(here);
    rx_observable_release(remote);
    rx_dispose(sub);
    rx_scheduler_release(pool);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

/* ---- a thread without a loop scheduler --------------------------------- */

struct lone {
    rx_scheduler *pool;
    sink s;
    int rc;
};

static void
lone_thread(void *arg)
{
    struct lone *l = arg;
    rx_observable *o =
        rx_merge(rx_subscribe_on(rx_range(0, 10), l->pool), rx_range(10, 10));

    l->s.thread = hop_thread();
    l->rc = sink_subscribe(o, &l->s);
    rx_observable_release(o);
}

static void
test_a_thread_without_a_loop_scheduler_gets_a_clear_error(void **state)
{
    struct lone l;
    uv_thread_t tid;
    rx_scheduler *def = rx_scheduler_default(); /* this thread's */

    (void)state;
    l.pool = rx_scheduler_pool(1);
    sink_init(&l.s, 10, 2);
    assert_int_equal(uv_thread_create(&tid, lone_thread, &l), 0);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(l.rc, 0);
    assert_true(l.s.finished);
    assert_int_equal(l.s.errors, 1);
    assert_int_equal(l.s.err_code, RX_EINVAL);
    assert_non_null(strstr(l.s.err_msg, "rx_merge"));
    assert_non_null(strstr(l.s.err_msg, "another thread"));
    assert_int_equal(l.s.completes, 0);
    free(l.s.seen);
    rx_scheduler_release(def);
    close_default_loop(l.pool);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_merge_takes_a_million_items_from_two_pool_workers_exactly_once),
        rx_unit_test(
            test_zip_pairs_inputs_from_pool_workers_in_order_on_the_loop),
        rx_unit_test(
            test_flat_map_receives_inners_from_pool_workers_on_the_loop),
        rx_unit_test(test_concat_map_keeps_inner_order_across_threads),
        rx_unit_test(test_merge_error_from_a_worker_arrives_once_on_the_loop),
        rx_unit_test(
            test_merge_cancelled_on_the_loop_stops_workers_and_frees_all),
        rx_unit_test(
            test_merge_drops_an_inner_whose_start_task_is_still_queued),
        rx_unit_test(test_inputs_on_the_calling_thread_are_not_marked),
        rx_unit_test(
            test_an_input_on_a_pool_is_wrapped_in_a_hop_to_this_thread),
        rx_unit_test(test_a_thread_without_a_loop_scheduler_gets_a_clear_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
