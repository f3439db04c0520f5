/* SPDX-License-Identifier: MIT */
/*
 * rx_scheduler_set_spin: a loop scheduler or a pool may poll for work
 * from other threads before its loop blocks. The spin changes when work
 * runs, never what runs: items crossing a hop both ways arrive exactly
 * once and in order with the spin on, the loop still ends when the work
 * does (the spin keeps nothing alive), a timer still fires, and the
 * scheduler closes cleanly. Bad arguments are refused one by one.
 * Whether a spin saved a wake-up depends on the machine's load and is
 * measured by bench/w7.c, not asserted here.
 */
#include "hop_test.h"
#include "uvrx/thread.h"

static void
test_scheduler_spin_rejects_bad_arguments(void **state)
{
    rx_scheduler *v = rx_scheduler_virtual();
    uv_loop_t loop;
    rx_scheduler *s;

    (void)state;
    assert_int_equal(rx_scheduler_set_spin(NULL, 10), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "s must not be NULL"));

    assert_int_equal(rx_scheduler_set_spin(v, 10), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "loop scheduler"));
    assert_int_equal(rx_scheduler_set_spin(rx_scheduler_immediate(), 1),
                     RX_EINVAL);
    assert_int_equal(rx_scheduler_set_spin(rx_scheduler_trampoline(), 1),
                     RX_EINVAL);

    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    assert_int_equal(rx_scheduler_set_spin(s, RX_SCHEDULER_SPIN_MAX_US + 1),
                     RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "spin_us"));
    assert_int_equal(rx_scheduler_set_spin(s, RX_SCHEDULER_SPIN_MAX_US), 0);
    assert_int_equal(rx_scheduler_set_spin(s, 0), 0);
    rx_scheduler_release(v);
    hop_close_loop(&loop, s);
}

/* Runs range(0, n) on a pool worker and counts it on the loop of s,
 * through observe_on with a small prefetch (so the two threads trade many
 * small batches), with both sides spinning. */
static void
hop_with_spin(uv_loop_t *loop, rx_scheduler *s, unsigned spin_us,
              int64_t prefetch, size_t n)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *o;
    rec r;

    assert_int_equal(rx_scheduler_set_spin(s, spin_us), 0);
    assert_int_equal(rx_scheduler_set_spin(pool, spin_us), 0);
    o = rx_observe_on(rx_subscribe_on(rx_range(0, (int64_t)n), pool), s,
                      prefetch);
    assert_non_null(o);
    rec_init(&r, RX_UNBOUNDED, 0);
    r.check_seq = true;
    assert_int_equal(rec_subscribe(o, &r, NULL), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT); /* returns: the spin holds nothing */
    assert_int_equal(atomic_load(&r.finished), 1);
    assert_int_equal(rec_count(&r), n);
    assert_false(r.seq_broken);
    assert_int_equal(r.completes, 1);
    assert_int_equal(r.errors, 0);
    assert_int_equal(r.after_terminal, 0);
    assert_ptr_equal(r.thread, hop_thread());
    assert_false(r.thread_changed);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    rec_free(&r);
}

static void
test_scheduler_spin_hop_delivers_everything_in_order(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    hop_with_spin(&loop, s, 100, 4, 5000);
    /* Turned off again, the same hop still works. */
    hop_with_spin(&loop, s, 0, 4, 1000);
    hop_close_loop(&loop, s);
}

static void
test_scheduler_spin_hop_with_the_longest_spin(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    hop_with_spin(&loop, s, RX_SCHEDULER_SPIN_MAX_US, 128, 2000);
    hop_close_loop(&loop, s);
}

/* ---- a timer on a spinning loop ---------------------------------------- */

struct tick {
    int64_t items;
    int completes;
};

static void
tick_next(rx_value v, void *ctx)
{
    (void)v;
    ((struct tick *)ctx)->items++;
}

static void
tick_complete(void *ctx)
{
    ((struct tick *)ctx)->completes++;
}

/* A pool worker posts to the loop (subscribe_on + observe_on), so the
 * loop spins after each batch; a 1 ms timer merged in still fires and the
 * whole stream completes. */
static void
test_scheduler_spin_timer_still_fires(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;
    rx_scheduler *pool = rx_scheduler_pool(1);
    struct tick t = {0};
    rx_observer obs = {
        .on_next = tick_next, .on_complete = tick_complete, .ctx = &t};
    rx_observable *o;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    assert_int_equal(rx_scheduler_set_spin(s, RX_SCHEDULER_SPIN_MAX_US), 0);
    assert_int_equal(rx_scheduler_set_spin(pool, 100), 0);
    o = rx_merge(rx_observe_on(rx_subscribe_on(rx_range(0, 500), pool), s, 8),
                 rx_timer(1, s));
    assert_non_null(o);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(t.items, 501);
    assert_int_equal(t.completes, 1);
    hop_pool_barrier(pool, 1);
    rx_scheduler_release(pool);
    hop_close_loop(&loop, s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_scheduler_spin_rejects_bad_arguments),
        rx_unit_test(test_scheduler_spin_hop_delivers_everything_in_order),
        rx_unit_test(test_scheduler_spin_hop_with_the_longest_spin),
        rx_unit_test(test_scheduler_spin_timer_still_fires),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
