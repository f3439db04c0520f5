/* SPDX-License-Identifier: MIT */
/*
 * The inlet: values pushed from other threads arrive in order on the
 * inlet's scheduler; many producers keep their own order; a full queue
 * refuses with RX_EBACKPRESSURE, a cancelled or ended inlet with
 * RX_ECANCELED; one subscriber at a time (RX_EBUSY); producers may
 * release the inlet after the subscriber went (no use-after-free under
 * ASan and TSan); demand is honoured; bad arguments and an
 * allocation-failure sweep.
 */
#include <sched.h>

#include "hop_test.h"
#include "uvrx/thread.h"

struct producer {
    rx_inlet *in; /* the producer's own reference */
    int64_t first;
    int64_t count;
    long refused; /* RX_EBACKPRESSURE results, retried */
    int last_rc;
    bool complete; /* complete the inlet after the last value */
};

/* Pushes first .. first + count - 1, retrying while the queue is full
 * (waiting on the consumer, not on time). */
static void
producer_main(void *arg)
{
    struct producer *p = arg;

    for (int64_t i = p->first; i < p->first + p->count; i++) {
        int rc;
        while ((rc = rx_inlet_try_emit(p->in, rx_int(i))) == RX_EBACKPRESSURE) {
            p->refused++;
            sched_yield();
        }
        p->last_rc = rc;
        if (rc != 0) {
            break;
        }
    }
    if (p->complete) {
        p->last_rc = rx_inlet_complete(p->in);
    }
    rx_inlet_release(p->in);
}

static void
test_inlet_delivers_values_from_another_thread_in_order(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_inlet *in;
    rx_observable *o;
    struct producer p = {.first = 0, .count = 20000, .complete = true};
    uv_thread_t tid;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    in = rx_inlet_new(s, 64);
    assert_non_null(in);
    o = rx_inlet_observable(in);
    rec_init(&r, RX_UNBOUNDED, 0);
    r.check_seq = true;
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    p.in = rx_inlet_retain(in);
    assert_int_equal(uv_thread_create(&tid, producer_main, &p), 0);
    rx_inlet_release(in);
    uv_run(&loop, UV_RUN_DEFAULT); /* held while attached */
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(p.last_rc, 0);
    assert_int_equal(rec_count(&r), 20000);
    assert_false(r.seq_broken);
    assert_int_equal(r.completes, 1);
    assert_ptr_equal(r.thread, hop_thread());
    hop_close_loop(&loop, s);
    rec_free(&r);
}

/* Four producers, values tagged producer * 1e6 + i: each one's values
 * arrive in its order. */
struct multi {
    int64_t next[4];
    bool broken;
    size_t n;
    int completes;
    uv_sem_t fin;
};

static void
multi_complete(void *ctx)
{
    ((struct multi *)ctx)->completes++;
}

static void
multi_finally(void *ctx)
{
    uv_sem_post(&((struct multi *)ctx)->fin);
}

static void
multi_next(rx_value v, void *ctx)
{
    struct multi *m = ctx;
    int64_t x = rx_as_int(v);
    int k = (int)(x / 1000000);

    if (k < 0 || k > 3 || x % 1000000 != m->next[k]) {
        m->broken = true;
    } else {
        m->next[k]++;
    }
    m->n++;
}

static void
test_inlet_keeps_each_producers_order_with_many_producers(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_inlet *in = rx_inlet_new(pool, 16);
    rx_observable *o = rx_inlet_observable(in);
    struct producer p[4];
    uv_thread_t tid[4];
    struct multi m;
    rx_observer obs = {.on_next = multi_next,
                       .on_complete = multi_complete,
                       .on_finally = multi_finally,
                       .ctx = &m};

    (void)state;
    memset(&m, 0, sizeof m);
    uv_sem_init(&m.fin, 0);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    for (int k = 0; k < 4; k++) {
        p[k] = (struct producer){.in = rx_inlet_retain(in),
                                 .first = (int64_t)k * 1000000,
                                 .count = 5000};
        assert_int_equal(uv_thread_create(&tid[k], producer_main, &p[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        assert_int_equal(uv_thread_join(&tid[k]), 0);
        assert_int_equal(p[k].last_rc, 0);
    }
    assert_int_equal(rx_inlet_complete(in), 0);
    rx_inlet_release(in);
    uv_sem_wait(&m.fin);
    assert_int_equal(m.completes, 1);
    assert_false(m.broken);
    assert_int_equal(m.n, 20000);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(m.next[k], 5000);
    }
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    uv_sem_destroy(&m.fin);
}

static void
test_inlet_refuses_values_when_full(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 2);

    (void)state;
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), 0);
    assert_int_equal(rx_inlet_try_emit(in, rx_str("two")), 0);
    assert_int_equal(rx_inlet_try_emit(in, rx_str("three")), RX_EBACKPRESSURE);
    rx_inlet_release(in); /* drops "two"; "three" was released at once */
    rx_scheduler_release(vs);
}

static void
test_inlet_queues_values_until_subscribed_and_honours_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(rx_inlet_try_emit(in, rx_int(i)), 0);
    }
    assert_int_equal(rx_inlet_complete(in), 0);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    rx_virtual_run(vs);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    rx_test_request(t, 3);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t); /* completion needs no demand */
    rx_test_observer_free(t);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static void
test_inlet_error_arrives_after_the_queued_values(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(7)), 0);
    assert_int_equal(rx_inlet_error(in, rx_error_new(RX_T_EUSER, "bad")), 0);
    assert_int_equal(rx_inlet_error(in, rx_error_new(RX_T_EUSER, "again")),
                     RX_ECANCELED);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(8)), RX_ECANCELED);
    assert_int_equal(rx_inlet_complete(in), RX_ECANCELED);
    rx_virtual_run(vs);
    assert_rx_ints(t, 7);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static void
test_inlet_after_the_subscriber_cancelled_refuses_values(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *t = rx_test_observer_new(0);
    rx_test_observer *later = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_run(vs);
    assert_int_equal(rx_inlet_try_emit(in, rx_str("left behind")), 0);
    rx_test_cancel(t); /* drops the queued string */
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), RX_ECANCELED);
    assert_int_equal(rx_inlet_complete(in), RX_ECANCELED);
    /* A later subscriber learns how the inlet ended. */
    assert_int_equal(rx_test_subscribe(o, later), 0);
    rx_virtual_run(vs);
    assert_rx_error(later, RX_ECANCELED);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_test_observer_free(later);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

/* Found by the race harness (tests/race/test_race_cancel.c): a cancel
 * that reached the subscription before its start task attached it left
 * the inlet open, so producers filled the queue for nobody and then were
 * refused with RX_EBACKPRESSURE for ever. */
static void
test_inlet_cancelled_before_it_attached_refuses_values(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *later = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), 0);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_test_cancel(t); /* the start task has not run yet */
    rx_virtual_run(vs);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(2)), RX_ECANCELED);
    assert_int_equal(rx_inlet_complete(in), RX_ECANCELED);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    /* As after any first subscriber's cancel: a later one is told. */
    assert_int_equal(rx_test_subscribe(o, later), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_no_items(later);
    assert_rx_error(later, RX_ECANCELED);
    rx_test_observer_free(later);
    rx_test_observer_free(t);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

/* The race harness (tests/race/test_race_terminal.c) hit this with
 * inlets: merge freed a cancelled inner at once while the inner inlet's
 * start task still sat in the scheduler's queue, which then ran freed
 * memory (ASan, TSan). Stages dropped early now wait for their posted
 * tasks (the same fix covers observe_on inners, test_async_inputs). */
static void
test_inlet_inner_dropped_before_its_start_task_ran(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *failed = rx_inlet_new(vs, 4);
    rx_inlet *fresh = rx_inlet_new(vs, 4);
    /* In this order the failed inlet's start task runs first. */
    rx_observable *o =
        rx_merge(rx_inlet_observable(fresh), rx_inlet_observable(failed));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_inlet_error(failed, rx_error_new(RX_T_EUSER, "x")), 0);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* The first start task fails the merge, which cancels the second
     * inner before its own start task runs. */
    rx_virtual_run(vs);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_inlet_try_emit(fresh, rx_int(1)), RX_ECANCELED);
    rx_test_observer_free(t);
    rx_inlet_release(failed);
    rx_inlet_release(fresh);
    rx_scheduler_release(vs);
}

static void
test_inlet_takes_one_subscriber_at_a_time(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in = rx_inlet_new(vs, 8);
    rx_observable *o = rx_inlet_observable(in);
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *c = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, a), 0);
    assert_int_equal(rx_test_subscribe(o, b), 0);
    rx_virtual_run(vs);
    assert_rx_error(b, RX_EBUSY);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(3)), 0);
    assert_int_equal(rx_inlet_complete(in), 0);
    rx_virtual_run(vs);
    assert_rx_ints(a, 3);
    assert_rx_completed(a);
    /* After the end, a later subscriber gets the end. */
    assert_int_equal(rx_test_subscribe(o, c), 0);
    rx_virtual_run(vs);
    assert_rx_no_items(c);
    assert_rx_completed(c);
    rx_observable_release(o);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
    rx_test_observer_free(c);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

/* A producer that keeps pushing until refused, then releases its
 * reference: the subscriber may be long gone by then. */
struct late {
    rx_inlet *in;
    uv_sem_t go;
    int rc;
};

static void
late_main(void *arg)
{
    struct late *l = arg;

    uv_sem_wait(&l->go);
    l->rc = rx_inlet_try_emit(l->in, rx_str("too late"));
    rx_inlet_release(l->in);
}

static void
test_inlet_outlives_its_subscriber_for_late_producers(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_inlet *in = rx_inlet_new(pool, 8);
    rx_observable *o = rx_inlet_observable(in);
    struct late l;
    uv_thread_t tid;
    rx_subscription *sub;
    rec r;
    uv_sem_t reached;

    (void)state;
    uv_sem_init(&reached, 0);
    rec_init(&r, RX_UNBOUNDED, 4);
    r.reached = &reached;
    r.reach = 1;
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    l.in = in; /* the producer takes over the test's reference */
    uv_sem_init(&l.go, 0);
    assert_int_equal(uv_thread_create(&tid, late_main, &l), 0);
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), 0);
    uv_sem_wait(&reached); /* attached: the value arrived */
    rx_dispose(sub);       /* from the test thread: the worker cancels */
    rec_wait(&r);
    hop_pool_barrier(pool, 1); /* the pipeline is gone */
    uv_sem_post(&l.go);
    assert_int_equal(uv_thread_join(&tid), 0);
    assert_int_equal(l.rc, RX_ECANCELED); /* the inlet is freed now */
    assert_int_equal(r.completes + r.errors, 0);
    rx_scheduler_release(pool);
    uv_sem_destroy(&l.go);
    uv_sem_destroy(&reached);
    rec_free(&r);
}

static void
test_inlet_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_null(rx_inlet_new(NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_inlet_new(rx_scheduler_trampoline(), 4));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_inlet_new(rx_scheduler_immediate(), 4));
    assert_rx_fails(rx_inlet_observable(NULL), RX_EINVAL,
                    "rx_inlet_observable");
    assert_int_equal(rx_inlet_try_emit(NULL, rx_str("x")), RX_EINVAL);
    assert_int_equal(rx_inlet_complete(NULL), RX_EINVAL);
    assert_int_equal(rx_inlet_error(NULL, rx_error_new(RX_T_EUSER, "x")),
                     RX_EINVAL);
    rx_inlet_release(NULL);
    assert_null(rx_inlet_retain(NULL));
    {
        rx_inlet *in = rx_inlet_new(NULL, 1);
        assert_int_equal(rx_inlet_error(in, NULL), RX_EINVAL);
        assert_int_equal(rx_inlet_try_emit(in, rx_invalid()), RX_ENOMEM);
        rx_inlet_release(in);
    }
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_inlet *in;
    rx_observable *o;
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (vs == NULL) {
        assert_true(failed);
        return;
    }
    in = rx_inlet_new(vs, 4);
    if (in == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    o = rx_map(rx_inlet_observable(in), rx_t_times10, NULL);
    if (o == NULL) {
        assert_true(failed);
        rx_inlet_release(in);
        rx_scheduler_release(vs);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    rx_inlet_try_emit(in, rx_int(1));
    rx_inlet_try_emit(in, rx_int(2));
    rx_inlet_complete(in);
    if (rc == 0) {
        rx_virtual_run(vs);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_rx_ints(t, 10, 20);
            assert_rx_completed(t);
        }
    } else {
        assert_true(failed);
    }
    rx_test_observer_free(t);
    rx_inlet_release(in);
    rx_scheduler_release(vs);
}

static void
test_inlet_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

/* A value pushed, then the subscriber cancelled before the drain task
 * that push queued could run: the loop must keep running until that
 * task ran, or the task -- and the inlet and scheduler it holds -- would
 * be stranded in the stopped loop's queue (uv_loop_close: EBUSY). */
static void
test_inlet_loop_runs_the_drain_task_queued_before_a_cancel(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_inlet *in;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    in = rx_inlet_new(s, 8);
    o = rx_inlet_observable(in);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_NOWAIT); /* the start task attaches the stage */
    assert_int_equal(rx_inlet_try_emit(in, rx_int(1)), 0); /* queues a task */
    rx_test_cancel(t);
    rx_inlet_release(in);
    uv_run(&loop, UV_RUN_DEFAULT); /* runs the queued task, then ends */
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    hop_close_loop(&loop, s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_inlet_delivers_values_from_another_thread_in_order),
        rx_unit_test(test_inlet_keeps_each_producers_order_with_many_producers),
        rx_unit_test(test_inlet_refuses_values_when_full),
        rx_unit_test(
            test_inlet_queues_values_until_subscribed_and_honours_demand),
        rx_unit_test(test_inlet_error_arrives_after_the_queued_values),
        rx_unit_test(test_inlet_after_the_subscriber_cancelled_refuses_values),
        rx_unit_test(test_inlet_cancelled_before_it_attached_refuses_values),
        rx_unit_test(test_inlet_inner_dropped_before_its_start_task_ran),
        rx_unit_test(test_inlet_takes_one_subscriber_at_a_time),
        rx_unit_test(test_inlet_outlives_its_subscriber_for_late_producers),
        rx_unit_test(
            test_inlet_loop_runs_the_drain_task_queued_before_a_cancel),
        rx_unit_test(test_inlet_rejects_bad_arguments),
        rx_unit_test(test_inlet_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
