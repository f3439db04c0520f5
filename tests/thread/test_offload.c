/* SPDX-License-Identifier: MIT */
/*
 * offload: a user function on libuv's thread pool, results back on the
 * loop in input order. Order whatever the pool's finishing order, at most
 * max_concurrent items in flight (measured in the function and at the
 * upstream), a slow subscriber holding the upstream back, a failing
 * function in its turn, upstream errors after the results before them,
 * cancel with work still running, heap results made on pool threads,
 * subscribing off the loop's thread, bad arguments and an
 * allocation-failure sweep. Every test runs its loop until the pool's
 * work is done and closes it.
 */
#include <sched.h>
#include <stdio.h>

#include "hop_test.h"
#include "uvrx/thread.h"

/* Measures how many calls of the function run at once. */
static atomic_int running;
static atomic_int max_running;
static _Atomic(const void *) fn_thread;

static void
note_running(void)
{
    int now = atomic_fetch_add(&running, 1) + 1;
    int seen = atomic_load(&max_running);

    while (now > seen &&
           !atomic_compare_exchange_weak(&max_running, &seen, now)) {
    }
}

/* x * 10, taking longer for small x so the pool finishes out of order. */
static rx_value
slow_times10(rx_value v, void *ctx, rx_error **err)
{
    int64_t x = rx_as_int(v);

    (void)ctx;
    (void)err;
    note_running();
    atomic_store(&fn_thread, hop_thread()); /* any pool thread */
    for (int64_t i = 0; i < 8 - x % 8; i++) {
        sched_yield(); /* a little uneven work, never a wall-clock wait */
    }
    atomic_fetch_sub(&running, 1);
    return rx_int(x * 10);
}

static void
reset_probe(void)
{
    atomic_store(&running, 0);
    atomic_store(&max_running, 0);
    atomic_store(&fn_thread, NULL);
}

/* Counts what the upstream emitted and what was asked of it. */
struct up {
    int64_t emitted;
    int64_t requested;
    bool cancelled;
};

static void
up_next(rx_value v, void *ctx)
{
    (void)v;
    ((struct up *)ctx)->emitted++;
}

static void
up_request(int64_t n, void *ctx)
{
    struct up *u = ctx;

    u->requested = rx__demand_add(u->requested, n);
}

static void
up_cancel(void *ctx)
{
    ((struct up *)ctx)->cancelled = true;
}

static rx_observable *
counted(rx_observable *src, struct up *u)
{
    rx_tap_config cfg = {.on_next = up_next,
                         .on_request = up_request,
                         .on_cancel = up_cancel,
                         .ctx = u};

    memset(u, 0, sizeof *u);
    return rx_tap_opts(src, &cfg);
}

static void
close_loop(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_DEFAULT); /* orphaned work frees itself */
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void
test_offload_emits_results_in_input_order(void **state)
{
    uv_loop_t loop;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(rx_range(0, 50), slow_times10, NULL, 4, &loop);
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 50);
    for (size_t i = 0; i < 50; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i * 10);
    }
    assert_rx_completed(t);
    assert_ptr_not_equal(atomic_load(&fn_thread), hop_thread()); /* pool */
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_keeps_at_most_max_concurrent_items_in_flight(void **state)
{
    uv_loop_t loop;
    struct up u;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(counted(rx_range(0, 40), &u), slow_times10, NULL, 3, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(u.requested, 3); /* only what it can run */
    assert_int_equal(u.emitted, 3);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 40);
    assert_rx_completed(t);
    assert_true(atomic_load(&max_running) <= 3);
    assert_true(atomic_load(&max_running) >= 1);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_a_slow_subscriber_holds_the_upstream_back(void **state)
{
    uv_loop_t loop;
    struct up u;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(counted(rx_range(0, 100), &u), slow_times10, NULL, 4, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT); /* idle once the window is full */
    assert_rx_ints(t, 0, 10);
    assert_rx_no_terminal(t);
    /* Two emitted and replaced, four waiting: six taken, no more. */
    assert_int_equal(u.emitted, 6);
    rx_test_request(t, 3);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 0, 10, 20, 30, 40);
    assert_int_equal(u.emitted, 9);
    rx_test_cancel(t); /* drops the finished results still waiting */
    assert_true(u.cancelled);
    rx_test_observer_free(t);
    close_loop(&loop);
}

/* Fails at 7 (ctx), else x * 10. */
static rx_value
fail_at(rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "no %lld", (long long)rx_as_int(v));
        return rx_nil();
    }
    return rx_int(rx_as_int(v) * 10);
}

static void
test_offload_a_failing_fn_fails_the_stream_in_its_turn(void **state)
{
    uv_loop_t loop;
    struct up u;
    int64_t at = 7;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(counted(rx_range(0, 100), &u), fail_at, &at, 4, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 0, 10, 20, 30, 40, 50, 60);
    assert_rx_error(t, RX_T_EUSER);
    assert_true(u.cancelled);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_upstream_error_waits_for_the_results_before_it(void **state)
{
    uv_loop_t loop;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(
        rx_concat(rx_range(0, 3), rx_throw(rx_error_new(RX_T_EUSER, "up"))),
        slow_times10, NULL, 0, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_ints(t, 0, 10, 20);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_cancel_lets_running_work_finish_and_free_itself(void **state)
{
    uv_loop_t loop;
    struct up u;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(counted(rx_range(0, 1000), &u), slow_times10, NULL, 8,
                   &loop);
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT); /* until the orphaned work is done */
    assert_rx_ints(t, 0, 10, 20);
    assert_rx_no_terminal(t);
    assert_true(u.cancelled);
    assert_true(u.emitted <= 3 + 8);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_dispose_before_the_loop_runs_discards_everything(void **state)
{
    uv_loop_t loop;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    reset_probe();
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(rx_range(0, 10), slow_times10, NULL, 4, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_test_dispose(t); /* four jobs queued or running */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static rx_value
to_str(rx_value v, void *ctx, rx_error **err)
{
    char buf[32];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "n%lld", (long long)rx_as_int(v));
    return rx_str(buf); /* made on a pool thread */
}

static void
test_offload_returns_heap_values_made_on_the_pool(void **state)
{
    uv_loop_t loop;
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(rx_range(0, 20), to_str, NULL, 0, &loop);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 20);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "n0");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 19)), "n19");
    assert_rx_completed(t);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_subscribed_off_the_loops_thread_fails(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rec r;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop); /* the loop belongs to this thread */
    o = rx_subscribe_on(
        rx_offload(rx_range(0, 3), rx_t_times10, NULL, 0, &loop), pool);
    rec_init(&r, RX_UNBOUNDED, 0);
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    rec_wait(&r);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.err_code, RX_EINVAL);
    assert_int_equal(rec_count(&r), 0);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
    rec_free(&r);
}

static void
test_offload_null_loop_uses_the_default_loop(void **state)
{
    rx_observable *o = rx_offload(rx_range(1, 3), rx_t_times10, NULL, 0, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    uv_run(uv_default_loop(), UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

static void
test_offload_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_offload(rx_range(0, 3), NULL, NULL, 0, NULL), RX_EINVAL,
                    "rx_offload");
    assert_rx_fails(rx_offload(rx_range(0, 3), rx_t_times10, NULL, -1, NULL),
                    RX_EINVAL, "max_concurrent");
    assert_rx_fails(rx_offload(rx_range(0, 3), rx_t_times10, NULL, 65537, NULL),
                    RX_EINVAL, "max_concurrent");
    rx__set_last_error(RX_ENOMEM, "earlier");
    assert_null(rx_offload(NULL, rx_t_times10, NULL, 0, NULL));
    assert_int_equal(rx_last_error(), RX_ENOMEM);
}

static void
oom_scenario(bool failed, void *ctx)
{
    uv_loop_t *loop = ctx;
    rx_observable *o;
    rx_test_observer *t;
    int rc;

    o = rx_offload(rx_range(0, 12), rx_t_times10, NULL, 3, loop);
    if (o == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc == 0) {
        uv_run(loop, UV_RUN_DEFAULT);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_rx_error(t, RX_ENOMEM);
        } else {
            assert_int_equal(rx_test_count(t), 12);
            assert_rx_completed(t);
        }
    } else {
        assert_true(failed);
    }
    rx_test_observer_free(t);
    /* The loop's scheduler was made inside the run: let it go. */
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
}

static void
test_offload_survives_allocation_failures(void **state)
{
    uv_loop_t loop;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_true(rx_oom_sweep(oom_scenario, &loop) > 1);
    close_loop(&loop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_offload_emits_results_in_input_order),
        rx_unit_test(test_offload_keeps_at_most_max_concurrent_items_in_flight),
        rx_unit_test(test_offload_a_slow_subscriber_holds_the_upstream_back),
        rx_unit_test(test_offload_a_failing_fn_fails_the_stream_in_its_turn),
        rx_unit_test(
            test_offload_upstream_error_waits_for_the_results_before_it),
        rx_unit_test(
            test_offload_cancel_lets_running_work_finish_and_free_itself),
        rx_unit_test(
            test_offload_dispose_before_the_loop_runs_discards_everything),
        rx_unit_test(test_offload_returns_heap_values_made_on_the_pool),
        rx_unit_test(test_offload_subscribed_off_the_loops_thread_fails),
        rx_unit_test(test_offload_null_loop_uses_the_default_loop),
        rx_unit_test(test_offload_rejects_bad_arguments),
        rx_unit_test(test_offload_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
