/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_timer: one item at the exact virtual time, then
 * completion; zero delay; RX_EBACKPRESSURE without demand; late demand;
 * cancel releasing the timer; the scheduler kept alive by the
 * observable; the default scheduler on a real loop; bad arguments and
 * allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "time_probe.h"

static void
test_timer_emits_zero_at_the_delay_then_completes(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_timer(5, vs));
    assert_int_equal(rx_virtual_pending(vs), 1);
    tp_advance_to(vs, 4);
    assert_tp_log(&p, "");
    tp_advance_to(vs, 5);
    assert_tp_log(&p, "5:0 5:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_with_zero_delay_fires_at_the_next_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 7);
    tp_subscribe(&p, vs, rx_timer(0, vs));
    assert_tp_log(&p, "");
    assert_true(rx_virtual_advance_by(vs, 0) >= 0);
    assert_tp_log(&p, "7:0 7:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_timer(3, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:#RX_EBACKPRESSURE");
    /* The message names the source and where it was assembled, and
     * suggests the strategies. */
    assert_non_null(strstr(p.msg, "rx_timer"));
    assert_non_null(strstr(p.msg, "test_timer.c"));
    assert_non_null(strstr(p.msg, "rx_on_backpressure_buffer"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_accepts_demand_requested_before_it_fires(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_timer(3, vs));
    tp_advance_to(vs, 2);
    assert_int_equal(rx_request(p.sub, 1), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:0 3:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_cancel_before_it_fires_releases_the_timer(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_timer(5, vs));
    tp_advance_to(vs, 2);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_cancel(p.sub); /* twice is a no-op */
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_cancel_inside_on_next_stops_the_completion(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_timer(1, vs));
    tp_advance_to(vs, 5);
    assert_tp_log(&p, "1:0");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timer_keeps_its_scheduler_alive(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *t = rx_timer(2, vs);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    assert_non_null(t);
    /* The observable holds its own reference: the scheduler lives on
     * until the observable and the subscription are gone (the teardown
     * checks nothing is left). */
    rx_scheduler_release(vs);
    tp_subscribe(&p, vs, rx_observable_retain(t));
    tp_advance_to(vs, 2);
    assert_tp_log(&p, "2:0 2:|");
    tp_done(&p);
    rx_observable_release(t);
}

static void
test_timer_subscribed_twice_runs_twice(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *t = rx_timer(2, vs);
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&a, vs, rx_observable_retain(t));
    tp_advance_to(vs, 1);
    tp_subscribe(&b, vs, rx_observable_retain(t));
    tp_advance_to(vs, 5);
    assert_tp_log(&a, "2:0 2:|");
    assert_tp_log(&b, "3:0 3:|");
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(t);
    rx_scheduler_release(vs);
}

static void
test_timer_on_the_default_scheduler_runs_on_the_default_loop(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *timer = rx_timer(0, NULL);

    (void)state;
    assert_int_equal(rx_test_subscribe(timer, t), 0);
    rx_observable_release(timer);
    assert_rx_no_terminal(t);
    assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
    assert_rx_ints(t, 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

static void
test_timer_on_a_scheduler_of_another_thread_fails_at_start(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_observable *t = rx_timer(1, pool);
    rx_test_observer *o = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(t);
    /* Subscribed here, its timer would fire on the pool's thread. */
    assert_int_equal(rx_test_subscribe(t, o), 0);
    assert_rx_error(o, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(o)), "another thread"));
    rx_test_observer_free(o);
    rx_observable_release(t);
    rx_scheduler_release(pool);
}

static void
test_timer_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_timer(-1, vs), RX_EINVAL, "rx_timer: delay_ms");
    assert_rx_fails(rx_timer(1, rx_scheduler_trampoline()), RX_EINVAL,
                    "rx_timer: sched");
    assert_rx_fails(rx_timer(0, rx_scheduler_immediate()), RX_EINVAL,
                    "rx_timer: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_timer(rx_scheduler *vs)
{
    return rx_timer(3, vs);
}

static void
test_timer_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_timer, 5, "3:0 3:|");
}

/* ---- marble cases (tests/marbles/timer.txt) ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    rx_observable_release(srcs[0]); /* a placeholder */
    if (!rx_marble_case_is(c, "timer") || !rx_marble_case_arg_int(c, 1, &ms)) {
        return NULL;
    }
    return tp_marble_finish(c, rx_timer(ms, vs), false);
}

static void
test_timer_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("timer.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_timer_emits_zero_at_the_delay_then_completes),
        rx_unit_test(test_timer_with_zero_delay_fires_at_the_next_advance),
        rx_unit_test(test_timer_without_demand_fails_with_backpressure),
        rx_unit_test(test_timer_accepts_demand_requested_before_it_fires),
        rx_unit_test(test_timer_cancel_before_it_fires_releases_the_timer),
        rx_unit_test(test_timer_cancel_inside_on_next_stops_the_completion),
        rx_unit_test(test_timer_keeps_its_scheduler_alive),
        rx_unit_test(test_timer_subscribed_twice_runs_twice),
        rx_unit_test(
            test_timer_on_the_default_scheduler_runs_on_the_default_loop),
        rx_unit_test(
            test_timer_on_a_scheduler_of_another_thread_fails_at_start),
        rx_unit_test(test_timer_rejects_bad_arguments),
        rx_unit_test(test_timer_survives_allocation_failures),
        rx_unit_test(test_timer_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
