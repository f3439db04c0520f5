/* SPDX-License-Identifier: MIT */
/*
 * observe_on: items cross from the thread the upstream emits on to the
 * scheduler's thread through the ring. Values exact and in order across
 * threads (a million of them from a pool worker to a loop), demand
 * honoured across the hop (the prefetch bounds what is in flight, the
 * upstream is replenished in batches), the terminal after the items,
 * errors, cancel from either side releasing the upstream and what the
 * ring held, nothing fused across the hop, bad arguments and an
 * allocation-failure sweep. Exact demand is checked on the virtual
 * scheduler, whose posts run when the test advances it.
 */
#include <stdio.h>

#include "hop_test.h"
#include "uvrx/thread.h"

/* Counts what crosses the upstream side, from whatever thread. */
struct upstream_probe {
    atomic_llong requested;
    atomic_llong emitted;
    atomic_int cancelled;
    long long max_ahead; /* emitted - delivered, at its largest */
    rec *watch;          /* the subscriber whose deliveries count */
    const void *thread;  /* where the upstream emitted */
};

static void
probe_request(int64_t n, void *ctx)
{
    struct upstream_probe *p = ctx;

    atomic_fetch_add(&p->requested, n);
}

static void
probe_next(rx_value v, void *ctx)
{
    struct upstream_probe *p = ctx;
    long long ahead;

    (void)v;
    p->thread = hop_thread();
    ahead = atomic_fetch_add(&p->emitted, 1) + 1;
    if (p->watch != NULL) {
        /* Written on the upstream's thread only. */
        ahead -= (long long)rec_count(p->watch);
        if (ahead > p->max_ahead) {
            p->max_ahead = ahead;
        }
    }
}

static void
probe_cancel(void *ctx)
{
    atomic_store(&((struct upstream_probe *)ctx)->cancelled, 1);
}

static rx_observable *
probed(rx_observable *src, struct upstream_probe *p)
{
    rx_tap_config cfg = {.on_request = probe_request,
                         .on_next = probe_next,
                         .on_cancel = probe_cancel,
                         .ctx = p};

    memset(p, 0, sizeof *p);
    return rx_tap_opts(src, &cfg);
}

/* ---- real threads ------------------------------------------------------ */

static void
test_observe_on_moves_values_from_a_worker_to_the_loop_in_order(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(2);
    struct upstream_probe p;
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(rx_subscribe_on(probed(rx_range(0, 1000), &p), pool), s,
                      0);
    assert_non_null(o);
    rec_init(&r, RX_UNBOUNDED, 1000);
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT); /* held until the terminal arrived */
    assert_int_equal(atomic_load(&r.finished), 1);
    assert_rec_range(&r, 0, 1000);
    assert_int_equal(r.completes, 1);
    assert_int_equal(r.after_terminal, 0);
    assert_ptr_equal(r.thread, hop_thread()); /* delivered on the loop */
    assert_false(r.thread_changed);
    hop_pool_barrier(pool, 2);
    assert_ptr_not_equal(p.thread, hop_thread()); /* emitted on a worker */
    /* Asked in batches: the prefetch, then 96 at a time. */
    assert_true(atomic_load(&p.requested) >= 1000);
    assert_true(atomic_load(&p.requested) <= 1000 + 128);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

static void
test_observe_on_moves_a_million_items_exactly_once_in_order(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(rx_subscribe_on(rx_range(0, 1000000), pool), s, 0);
    rec_init(&r, RX_UNBOUNDED, 0);
    r.check_seq = true;
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rec_count(&r), 1000000);
    assert_false(r.seq_broken);
    assert_int_equal(r.next, 1000000);
    assert_int_equal(r.completes, 1);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

static void
test_observe_on_keeps_in_flight_items_within_the_prefetch(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    struct upstream_probe p;
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(rx_subscribe_on(probed(rx_range(0, 20000), &p), pool), s,
                      16);
    rec_init(&r, 4, 0);
    r.batch = 4; /* a slow subscriber: 4 at a time */
    p.watch = &r;
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rec_count(&r), 20000);
    assert_false(r.over_demand);
    assert_int_equal(r.completes, 1);
    hop_pool_barrier(pool, 1);
    /* The upstream never ran more than the prefetch ahead of the
     * subscriber, and was asked for little more than it had. */
    assert_true(p.max_ahead <= 16);
    assert_true(atomic_load(&p.requested) <= 20000 + 16);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

static void
test_observe_on_stops_the_upstream_when_cancelled_in_on_next(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    struct upstream_probe p;
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(
        rx_subscribe_on(probed(rx_range(0, INT64_MAX / 2), &p), pool), s, 0);
    rec_init(&r, RX_UNBOUNDED, 16);
    r.cancel_after = 10;
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT); /* returns once the hop let go */
    assert_rec_range(&r, 0, 10);
    assert_int_equal(r.completes + r.errors, 0);
    hop_pool_barrier(pool, 1); /* the cancel reached the worker */
    assert_int_equal(atomic_load(&p.cancelled), 1);
    assert_true(atomic_load(&p.emitted) <= 10 + 128);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

static void
test_observe_on_can_be_cancelled_from_another_thread(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(2);
    struct upstream_probe p;
    rx_observable *o;
    rx_subscription *sub;
    uv_sem_t reached;
    rec r;

    (void)state;
    /* The upstream on one worker, the subscriber on another (or the same:
     * round-robin gives the next one). */
    o = rx_observe_on(
        rx_subscribe_on(probed(rx_range(0, INT64_MAX / 2), &p), pool), pool, 0);
    uv_sem_init(&reached, 0);
    rec_init(&r, RX_UNBOUNDED, 0);
    r.reached = &reached;
    r.reach = 5000;
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    uv_sem_wait(&reached);
    rx_dispose(sub); /* from the test thread */
    rec_wait(&r);
    assert_true(rec_count(&r) >= 5000);
    assert_int_equal(r.completes + r.errors, 0);
    assert_ptr_not_equal(r.thread, hop_thread());
    hop_pool_barrier(pool, 2);
    hop_pool_barrier(pool, 2); /* the upstream's cancel, then its finally */
    assert_int_equal(atomic_load(&p.cancelled), 1);
    rx_scheduler_release(pool);
    uv_sem_destroy(&reached);
    rec_free(&r);
}

static void
test_observe_on_upstream_error_follows_its_items(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(
        rx_subscribe_on(rx_concat(rx_range(0, 300),
                                  rx_throw(rx_error_new(RX_T_EUSER, "late"))),
                        pool),
        s, 0);
    rec_init(&r, RX_UNBOUNDED, 300);
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rec_range(&r, 0, 300);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.err_code, RX_T_EUSER);
    assert_int_equal(r.completes, 0);
    assert_int_equal(r.after_terminal, 0);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

/* Thread names seen by two maps, one on each side of the hop. */
static const void *up_thread;
static const void *down_thread;

static rx_value
note_up(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    up_thread = hop_thread();
    return v;
}

static rx_value
note_down(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    down_thread = hop_thread();
    return rx_int(rx_as_int(v) + 1);
}

static void
test_observe_on_fuses_nothing_across_the_hop(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    up_thread = down_thread = NULL;
    o = rx_map(
        rx_observe_on(
            rx_subscribe_on(rx_map(rx_range(0, 3), note_up, NULL), pool), s, 0),
        note_down, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    hop_pool_barrier(pool, 1);
    assert_ptr_not_equal(up_thread, hop_thread());
    assert_ptr_equal(down_thread, hop_thread());
    rx_test_observer_free(t);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
}

static rx_value
to_str(rx_value v, void *ctx, rx_error **err)
{
    char buf[32];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "s%lld", (long long)rx_as_int(v));
    return rx_str(buf);
}

static void
test_observe_on_hands_heap_values_across_threads(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_observe_on(
        rx_subscribe_on(rx_map(rx_range(0, 500), to_str, NULL), pool), s, 32);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 500);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "s0");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 499)), "s499");
    assert_rx_completed(t);
    rx_test_observer_free(t);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
}

static void
test_observe_on_a_synchronous_source_emits_on_the_subscribing_thread(
    void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    struct upstream_probe p;
    rx_observable *o;
    rec r;

    (void)state;
    /* range emits when asked: the prefetch at subscribe (here), the
     * replenishments from the consumer (the worker). */
    o = rx_observe_on(probed(rx_range(0, 300), &p), pool, 8);
    rec_init(&r, RX_UNBOUNDED, 300);
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    assert_int_equal(atomic_load(&p.emitted), 8);
    rx_observable_release(o);
    rec_wait(&r);
    assert_rec_range(&r, 0, 300);
    assert_int_equal(r.completes, 1);
    assert_ptr_not_equal(r.thread, hop_thread());
    hop_pool_barrier(pool, 1);
    assert_ptr_equal(p.thread, r.thread); /* the later items: the worker */
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_observe_on_null_uses_the_default_scheduler(void **state)
{
    rx_observable *o = rx_observe_on(rx_range(0, 3), NULL, 0);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t); /* delivered when the loop runs */
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

/* ---- exact demand on the virtual scheduler ---------------------------- */

static void
test_observe_on_asks_the_prefetch_then_replenishes_in_batches(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct upstream_probe p;
    rx_observable *o = rx_observe_on(probed(rx_range(0, 100), &p), vs, 16);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(atomic_load(&p.requested), 16);
    assert_int_equal(atomic_load(&p.emitted), 16);
    assert_rx_no_items(t);
    rx_test_request(t, 5);
    assert_rx_ints(t, 0, 1, 2, 3, 4);
    assert_int_equal(atomic_load(&p.requested), 16); /* limit is 12 */
    rx_test_request(t, 7);
    assert_int_equal(rx_test_count(t), 12);
    assert_int_equal(atomic_load(&p.requested), 16 + 12);
    assert_int_equal(atomic_load(&p.emitted), 16 + 12);
    rx_test_request(t, RX_UNBOUNDED);
    assert_int_equal(rx_test_count(t), 100);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

/* An observer that takes batches too, recording every item in order
 * (integers as themselves, strings as -1000 - their first digit) and
 * how they came. */
struct batch_rec {
    rx_subscription *sub;
    int64_t initial;
    int64_t requested;
    int64_t vals[400];
    size_t n;
    size_t batches;
    size_t singles;
    size_t max_batch;
    bool over_demand;
    bool cancel_in_batch; /* cancel inside the first batch */
    int completes;
    int after_terminal;
};

static void
batch_rec_item(struct batch_rec *b, rx_value v)
{
    if (b->completes > 0) {
        b->after_terminal++;
    }
    if ((int64_t)b->n >= b->requested) {
        b->over_demand = true;
    }
    if (b->n < sizeof b->vals / sizeof b->vals[0]) {
        b->vals[b->n] =
            rx_is_int(v) ? rx_as_int(v) : -1000 - (rx_str_cstr(v)[1] - '0');
    }
    b->n++;
}

static void
batch_rec_subscribe(rx_subscription *sub, void *ctx)
{
    struct batch_rec *b = ctx;

    b->sub = sub;
    b->requested = b->initial;
    rx_request(sub, b->initial);
}

static void
batch_rec_next(rx_value v, void *ctx)
{
    struct batch_rec *b = ctx;

    b->singles++;
    batch_rec_item(b, v);
}

static void
batch_rec_batch(rx_value *vals, size_t n, void *ctx)
{
    struct batch_rec *b = ctx;

    b->batches++;
    if (n > b->max_batch) {
        b->max_batch = n;
    }
    for (size_t i = 0; i < n; i++) {
        batch_rec_item(b, vals[i]);
    }
    if (b->cancel_in_batch) {
        rx_cancel(b->sub);
    }
}

static void
batch_rec_complete(void *ctx)
{
    ((struct batch_rec *)ctx)->completes++;
}

static void
batch_rec_subscribe_to(rx_observable *o, struct batch_rec *b)
{
    rx_observer obs = {.on_next = batch_rec_next,
                       .on_next_batch = batch_rec_batch,
                       .on_complete = batch_rec_complete,
                       .on_subscribe = batch_rec_subscribe,
                       .ctx = b};

    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
}

/* A subscriber that takes batches gets the scalar items in runs of at
 * most 64, in order, never more than it asked for. */
static void
test_observe_on_hands_scalar_runs_to_a_batch_observer_within_demand(
    void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_observe_on(rx_range(0, 300), vs, 128);
    struct batch_rec b;

    (void)state;
    memset(&b, 0, sizeof b);
    b.initial = 100;
    batch_rec_subscribe_to(o, &b);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(b.n, 100); /* exactly the demand */
    assert_int_equal(b.singles, 0);
    assert_true(b.batches >= 2);
    assert_true(b.max_batch <= 64);
    b.requested += 200;
    rx_request(b.sub, 200);
    rx_virtual_run(vs);
    assert_int_equal(b.n, 300);
    for (int64_t i = 0; i < 300; i++) {
        assert_int_equal(b.vals[i], i);
    }
    assert_false(b.over_demand);
    assert_int_equal(b.completes, 1);
    assert_int_equal(b.after_terminal, 0);
    rx_scheduler_release(vs);
}

/* A cancel inside on_next_batch stops the delivery there and cancels
 * the upstream; the items left in the ring are released. */
static void
test_observe_on_stops_when_cancelled_inside_a_batch(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct upstream_probe p;
    rx_observable *o = rx_observe_on(probed(rx_range(0, 300), &p), vs, 128);
    struct batch_rec b;

    (void)state;
    memset(&b, 0, sizeof b);
    b.initial = RX_UNBOUNDED;
    b.cancel_in_batch = true;
    batch_rec_subscribe_to(o, &b);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(b.batches, 1);
    assert_int_equal(b.n, 64);
    assert_int_equal(b.completes, 0);
    assert_int_equal(atomic_load(&p.cancelled), 1);
    assert_int_equal(atomic_load(&p.emitted), 128); /* the prefetch */
    rx_scheduler_release(vs);
}

/* Heap items go one by one through on_next, the scalar runs between
 * them as batches, all in the upstream's order. */
static void
test_observe_on_keeps_order_between_batches_and_heap_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_value in[] = {rx_int(1),    rx_str("s1"), rx_int(2), rx_int(3),
                     rx_str("s2"), rx_str("s3"), rx_int(4)};
    static const int64_t want[] = {1, -1001, 2, 3, -1002, -1003, 4};
    rx_observable *o = rx_observe_on(rx_from_values(7, in), vs, 0);
    struct batch_rec b;

    (void)state;
    memset(&b, 0, sizeof b);
    b.initial = RX_UNBOUNDED;
    batch_rec_subscribe_to(o, &b);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(b.n, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(b.vals[i], want[i]);
    }
    assert_int_equal(b.singles, 3); /* the strings */
    assert_int_equal(b.batches, 3); /* (1) (2 3) (4) */
    assert_int_equal(b.completes, 1);
    rx_scheduler_release(vs);
}

static void
test_observe_on_delivers_nothing_before_the_scheduler_runs(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_observe_on(rx_range(0, 3), vs, 0);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_virtual_run(vs);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_observe_on_completion_needs_no_demand_but_waits_for_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_observe_on(
        rx_concat(rx_range(0, 3), rx_throw(rx_error_new(RX_T_EUSER, "x"))), vs,
        0);
    rx_observable *e = rx_observe_on(rx_empty(), vs, 0);
    rx_test_observer *t = rx_test_observer_new(1);
    rx_test_observer *te = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_test_subscribe(e, te), 0);
    rx_observable_release(o);
    rx_observable_release(e);
    rx_virtual_run(vs);
    assert_rx_ints(t, 0);
    assert_rx_no_terminal(t); /* the error waits behind 1 and 2 */
    rx_test_request(t, 2);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_rx_no_items(te);
    assert_rx_completed(te); /* with no demand at all */
    rx_test_observer_free(t);
    rx_test_observer_free(te);
    rx_scheduler_release(vs);
}

static void
test_observe_on_cancel_releases_what_the_ring_holds(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct upstream_probe p;
    rx_observable *o = rx_observe_on(
        probed(rx_map(rx_range(0, 100), to_str, NULL), &p), vs, 8);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(rx_test_count(t), 2);
    rx_test_cancel(t); /* six strings still in the ring */
    assert_int_equal(atomic_load(&p.cancelled), 1);
    rx_test_request(t, 10); /* a no-op now */
    rx_virtual_run(vs);
    assert_int_equal(rx_test_count(t), 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs); /* the teardown counts every string */
}

/* A source that ignores demand: emits n items at start. */
struct firehose_stage {
    rx__stage base;
    bool stop;
};

static void
firehose_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
firehose_cancel(rx__stage *self)
{
    ((struct firehose_stage *)self)->stop = true;
}

static void
firehose_start(rx__stage *self)
{
    struct firehose_stage *st = (struct firehose_stage *)self;

    for (int i = 0; i < 100 && !st->stop; i++) {
        rx__emit_next(self, rx_int(i));
    }
    if (!st->stop) {
        rx__emit_complete(self);
    }
}

static const struct rx__stage_ops firehose_ops = {
    .request = firehose_request,
    .cancel = firehose_cancel,
    .start = firehose_start,
};

static int
firehose_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                  rx__stage **out)
{
    struct firehose_stage *st =
        rx__stage_new(pipe, &firehose_ops, sizeof *st, self, down);

    if (st == NULL) {
        return RX_ENOMEM;
    }
    *out = &st->base;
    return 0;
}

static const struct rx__obs_ops firehose_obs_ops = {.assemble =
                                                        firehose_assemble};

static void
test_observe_on_fails_an_upstream_that_ignores_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *src = rx__observable_new(
        RX_SITE("firehose"), &firehose_obs_ops, sizeof(rx_observable), NULL);
    rx_observable *o = rx_observe_on(src, vs, 8);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    size_t n;

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_error(t, RX_EBACKPRESSURE);
    /* The items that fitted came first, in order. */
    n = rx_test_count(t);
    assert_true(n >= 8 && n < 100);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i);
    }
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_observe_on_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_observe_on(rx_range(0, 3), rx_scheduler_trampoline(), 0),
                    RX_EINVAL, "rx_observe_on");
    assert_rx_fails(rx_observe_on(rx_range(0, 3), rx_scheduler_immediate(), 0),
                    RX_EINVAL, "rx_observe_on");
    assert_rx_fails(rx_observe_on(rx_range(0, 3), NULL, -1), RX_EINVAL,
                    "prefetch");
    assert_rx_fails(rx_observe_on(rx_range(0, 3), NULL, ((int64_t)1 << 24) + 1),
                    RX_EINVAL, "prefetch");
    rx__set_last_error(RX_ENOMEM, "earlier");
    assert_null(rx_observe_on(NULL, NULL, 0));
    assert_int_equal(rx_last_error(), RX_ENOMEM);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o;
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (vs == NULL) {
        assert_true(failed);
        return;
    }
    o = rx_map(rx_observe_on(rx_range(0, 40), vs, 8), rx_t_times10, NULL);
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc == 0) {
        rx_virtual_run(vs);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_int_equal(rx_test_count(t), 40);
            assert_rx_completed(t);
        }
    } else {
        assert_true(failed);
        assert_int_equal(rc, RX_ENOMEM);
    }
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_observe_on_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_observe_on_moves_values_from_a_worker_to_the_loop_in_order),
        rx_unit_test(
            test_observe_on_moves_a_million_items_exactly_once_in_order),
        rx_unit_test(test_observe_on_keeps_in_flight_items_within_the_prefetch),
        rx_unit_test(
            test_observe_on_stops_the_upstream_when_cancelled_in_on_next),
        rx_unit_test(test_observe_on_can_be_cancelled_from_another_thread),
        rx_unit_test(test_observe_on_upstream_error_follows_its_items),
        rx_unit_test(test_observe_on_fuses_nothing_across_the_hop),
        rx_unit_test(test_observe_on_hands_heap_values_across_threads),
        rx_unit_test(
            test_observe_on_a_synchronous_source_emits_on_the_subscribing_thread),
        rx_unit_test(test_observe_on_null_uses_the_default_scheduler),
        rx_unit_test(
            test_observe_on_asks_the_prefetch_then_replenishes_in_batches),
        rx_unit_test(
            test_observe_on_delivers_nothing_before_the_scheduler_runs),
        rx_unit_test(
            test_observe_on_hands_scalar_runs_to_a_batch_observer_within_demand),
        rx_unit_test(
            test_observe_on_keeps_order_between_batches_and_heap_items),
        rx_unit_test(test_observe_on_stops_when_cancelled_inside_a_batch),
        rx_unit_test(
            test_observe_on_completion_needs_no_demand_but_waits_for_items),
        rx_unit_test(test_observe_on_cancel_releases_what_the_ring_holds),
        rx_unit_test(test_observe_on_fails_an_upstream_that_ignores_demand),
        rx_unit_test(test_observe_on_rejects_bad_arguments),
        rx_unit_test(test_observe_on_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
