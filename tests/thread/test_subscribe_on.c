/* SPDX-License-Identifier: MIT */
/*
 * subscribe_on: the whole pipeline moves to a scheduler's thread. Values
 * exact and in order on one worker, demand recorded before the start and
 * honoured after it, cancel inside on_next and from another thread, a
 * cancel before the start never starts the source, errors, the loop
 * scheduler of the test's own loop and the default scheduler, bad
 * arguments and an allocation-failure sweep (on the virtual scheduler,
 * whose posts run on the thread that advances it).
 */
#include "hop_test.h"
#include "uvrx/thread.h"

static void
test_subscribe_on_delivers_values_in_order_on_one_worker(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(2);
    rx_observable *o = rx_subscribe_on(rx_range(0, 5000), pool);
    rx_subscription *sub;
    rec r;

    (void)state;
    assert_non_null(o);
    rec_init(&r, RX_UNBOUNDED, 5000);
    r.check_seq = true;
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    rec_wait(&r);
    assert_rec_range(&r, 0, 5000);
    assert_false(r.seq_broken);
    assert_int_equal(r.completes, 1);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.after_terminal, 0);
    /* on_subscribe on the test thread, everything else on one worker. */
    assert_ptr_equal(r.subscribe_thread, hop_thread());
    assert_ptr_not_equal(r.thread, hop_thread());
    assert_false(r.thread_changed);
    rx_dispose(sub); /* from another thread: only drops the handle */
    hop_pool_barrier(pool, 2);
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_subscribe_on_honours_demand_recorded_before_it_started(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o = rx_subscribe_on(rx_range(0, 100), pool);
    rec r;

    (void)state;
    rec_init(&r, 10, 100);
    r.batch = 10; /* then 10 more from on_next, on the worker */
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    rec_wait(&r);
    assert_rec_range(&r, 0, 100);
    assert_false(r.over_demand);
    assert_int_equal(r.completes, 1);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_subscribe_on_stops_at_once_when_cancelled_in_on_next(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o = rx_subscribe_on(rx_range(0, 1000000), pool);
    rx_subscription *sub;
    rec r;

    (void)state;
    rec_init(&r, RX_UNBOUNDED, 16);
    r.cancel_after = 5;
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    rec_wait(&r);
    assert_rec_range(&r, 0, 5);
    assert_int_equal(r.completes + r.errors, 0);
    rx_dispose(sub);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_subscribe_on_can_be_cancelled_from_another_thread(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o = rx_subscribe_on(rx_range(0, INT64_MAX / 2), pool);
    rx_subscription *sub;
    uv_sem_t reached;
    rec r;

    (void)state;
    uv_sem_init(&reached, 0);
    rec_init(&r, RX_UNBOUNDED, 0);
    r.reached = &reached;
    r.reach = 1000;
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    uv_sem_wait(&reached); /* items are flowing on the worker */
    rx_dispose(sub);       /* the worker's drain loop sees the flag */
    rec_wait(&r);
    assert_true(rec_count(&r) >= 1000);
    assert_int_equal(r.completes + r.errors, 0);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    uv_sem_destroy(&reached);
    rec_free(&r);
}

static void
test_subscribe_on_cancel_wakes_an_idle_worker(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o = rx_subscribe_on(rx_never(), pool);
    rx_subscription *sub;
    rec r;

    (void)state;
    rec_init(&r, RX_UNBOUNDED, 0);
    assert_int_equal(rec_subscribe(o, &r, &sub), 0);
    rx_observable_release(o);
    hop_pool_barrier(pool, 1); /* started, and idle */
    rx_cancel(sub);
    rec_wait(&r);
    assert_int_equal(rec_count(&r), 0);
    assert_int_equal(r.completes + r.errors, 0);
    rx_cancel(sub); /* idempotent, from any thread */
    rx_dispose(sub);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_subscribe_on_passes_errors_on_the_worker(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o = rx_subscribe_on(
        rx_concat(rx_range(0, 3), rx_throw(rx_error_new(RX_T_EUSER, "boom"))),
        pool);
    rec r;

    (void)state;
    assert_non_null(o);
    rec_init(&r, RX_UNBOUNDED, 8);
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    rec_wait(&r);
    assert_rec_range(&r, 0, 3);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.err_code, RX_T_EUSER);
    assert_int_equal(r.completes, 0);
    assert_ptr_not_equal(r.thread, hop_thread());
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    rec_free(&r);
}

/* A source that counts how often it was started. */
static int started;

static void
counting_fn(rx_emitter *em, void *ctx)
{
    (void)ctx;
    started++;
    rx_emitter_next(em, rx_int(1));
    rx_emitter_complete(em);
}

static void
test_subscribe_on_cancel_before_the_start_never_starts_the_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_subscribe_on(rx_create(counting_fn, NULL), vs);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    started = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_test_cancel(t);
    rx_virtual_run(vs);
    assert_int_equal(started, 0);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_get_counts(t).finallies, 1);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_subscribe_on_starts_the_source_only_when_the_scheduler_runs(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_subscribe_on(rx_create(counting_fn, NULL), vs);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    started = 0;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(started, 0);
    assert_rx_no_items(t);
    rx_virtual_run(vs);
    assert_int_equal(started, 1);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_subscribe_on_the_loop_of_this_thread_runs_when_the_loop_does(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    o = rx_subscribe_on(rx_range(1, 5), s);
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    uv_run(&loop, UV_RUN_DEFAULT); /* the start task keeps it running */
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    hop_close_loop(&loop, s);
}

static void
test_subscribe_on_null_uses_the_default_scheduler(void **state)
{
    rx_observable *o = rx_subscribe_on(rx_range(0, 3), NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_ints(t, 0, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

static void
test_subscribe_on_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_subscribe_on(rx_range(0, 3), rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_subscribe_on");
    assert_rx_fails(rx_subscribe_on(rx_range(0, 3), rx_scheduler_immediate()),
                    RX_EINVAL, "rx_subscribe_on");
    /* NULL in, NULL out, the first failure kept. */
    rx__set_last_error(RX_ENOMEM, "earlier");
    assert_null(rx_subscribe_on(NULL, NULL));
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
    o = rx_map(rx_subscribe_on(rx_range(0, 50), vs), rx_t_times10, NULL);
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(t);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc == 0) {
        rx_virtual_run(vs);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_int_equal(rx_test_count(t), 50);
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
test_subscribe_on_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_subscribe_on_delivers_values_in_order_on_one_worker),
        rx_unit_test(
            test_subscribe_on_honours_demand_recorded_before_it_started),
        rx_unit_test(test_subscribe_on_stops_at_once_when_cancelled_in_on_next),
        rx_unit_test(test_subscribe_on_can_be_cancelled_from_another_thread),
        rx_unit_test(test_subscribe_on_cancel_wakes_an_idle_worker),
        rx_unit_test(test_subscribe_on_passes_errors_on_the_worker),
        rx_unit_test(
            test_subscribe_on_cancel_before_the_start_never_starts_the_source),
        rx_unit_test(
            test_subscribe_on_starts_the_source_only_when_the_scheduler_runs),
        rx_unit_test(
            test_subscribe_on_the_loop_of_this_thread_runs_when_the_loop_does),
        rx_unit_test(test_subscribe_on_null_uses_the_default_scheduler),
        rx_unit_test(test_subscribe_on_rejects_bad_arguments),
        rx_unit_test(test_subscribe_on_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
