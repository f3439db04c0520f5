/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_timer inners of merge and flat_map, which merge runs in
 * its receiver without a timer stage (operators/combine/merge.c,
 * start_timer): items and completion at the exact virtual times, FIFO
 * order among equal delays, one scheduler task per timer, an item that
 * waits for demand, max_concurrent, cancel before and while firing,
 * failures with and without delay_error, intervals still taking the
 * stage path, the default scheduler on a real loop, and allocation
 * failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "time_probe.h"

static rx_observable *
timers3(rx_scheduler *vs, int64_t a, int64_t b, int64_t c, int64_t max)
{
    rx_observable *srcs[3] = {rx_timer(a, vs), rx_timer(b, vs),
                              rx_timer(c, vs)};

    return rx_merge_array(3, srcs, max);
}

static void
test_merge_timers_emit_at_their_delays_then_complete(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 4, 2, 7, RX_UNBOUNDED));
    /* One scheduler task per timer, nothing else. */
    assert_int_equal(rx_virtual_pending(vs), 3);
    tp_advance_to(vs, 1);
    assert_tp_log(&p, "");
    tp_advance_to(vs, 4);
    assert_tp_log(&p, "2:0 4:0");
    assert_int_equal(rx_virtual_pending(vs), 1);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "2:0 4:0 7:0 7:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static rx_value
add_tag(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    return rx_int(rx_as_int(v) + *(const int64_t *)ctx);
}

/* Equal delays fire in the order the timers started. */
static rx_observable *
tagged(rx_scheduler *vs, int64_t ms, const int64_t *tag)
{
    return rx_map(rx_timer(ms, vs), add_tag, (void *)tag);
}

static void
test_merge_timers_with_equal_delays_keep_their_order(void **state)
{
    static const int64_t tags[] = {1, 2, 3};
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};
    rx_observable *srcs[4];

    (void)state;
    srcs[0] = tagged(vs, 3, &tags[0]);
    srcs[1] = rx_timer(3, vs); /* no stage: merge runs it */
    srcs[2] = tagged(vs, 3, &tags[1]);
    srcs[3] = tagged(vs, 3, &tags[2]);
    tp_subscribe(&p, vs, rx_merge_array(4, srcs, RX_UNBOUNDED));
    tp_advance_to(vs, 3);
    assert_tp_log(&p, "3:1 3:0 3:2 3:3 3:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

/* A timer that fires without downstream demand keeps its item queued in
 * the receiver (no RX_EBACKPRESSURE: merge always asks it for prefetch
 * items); the completion waits for the queue. */
static void
test_merge_timer_item_waits_for_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 1, 2, 3, RX_UNBOUNDED));
    tp_advance_to(vs, 5);
    assert_tp_log(&p, "1:0");
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_request(p.sub, 1);
    assert_tp_log(&p, "1:0 5:0");
    tp_advance_to(vs, 6);
    rx_request(p.sub, 5);
    assert_tp_log(&p, "1:0 5:0 6:0 6:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_merge_timers_one_at_a_time(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 3, 2, 0, 1));
    assert_int_equal(rx_virtual_pending(vs), 1);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:0 5:0 5:0 5:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_merge_timers_cancel_before_they_fire(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 4, 2, 7, RX_UNBOUNDED));
    tp_advance_to(vs, 3);
    assert_int_equal(rx_virtual_pending(vs), 2);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:0");
    tp_done(&p);
    rx_scheduler_release(vs);
}

/* Cancel from inside on_next of the first of two timers due at once:
 * the second never runs, nothing follows. */
static void
test_merge_timers_cancel_inside_on_next(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 1};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 2, 2, 5, RX_UNBOUNDED));
    tp_advance_to(vs, 2);
    assert_tp_log(&p, "2:0");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:0");
    tp_done(&p);
    rx_scheduler_release(vs);
}

/* Disposing the subscription with timers pending unschedules them (the
 * receivers' teardown); the scheduler outlives nothing it should not. */
static void
test_merge_timers_dispose_while_pending(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, timers3(vs, 4, 2, 7, RX_UNBOUNDED));
    tp_advance_to(vs, 2);
    tp_done(&p); /* rx_dispose(): cancels, then frees */
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:0");
    rx_scheduler_release(vs);
}

/* An error from another inner cancels the pending timers. */
static void
test_merge_timers_cancelled_by_an_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};
    rx_observable *srcs[3];

    (void)state;
    srcs[0] = rx_timer(2, vs);
    srcs[1] =
        rx_concat(rx_timer(3, vs), rx_throw(rx_error_new(RX_EUSER, "boom")));
    srcs[2] = rx_timer(9, vs);
    tp_subscribe(&p, vs, rx_merge_array(3, srcs, RX_UNBOUNDED));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:0 3:0 3:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

struct two_scheds {
    rx_scheduler *vs;
    rx_scheduler *pool;
};

/* A timer of v ms on the virtual scheduler; 100: one on the pool. */
static rx_observable *
timer_of(rx_value v, void *ctx, rx_error **err)
{
    const struct two_scheds *s = ctx;

    (void)err;
    if (rx_as_int(v) == 100) {
        return rx_timer(1, s->pool);
    }
    return rx_timer(rx_as_int(v), s->vs);
}

/* flat_map starts a timer inner per item; with delay_error a timer that
 * cannot start (its scheduler runs on another thread) fails the stream
 * only once the other inners are done. */
static void
test_flat_map_timers_and_a_delayed_failure(void **state)
{
    static const int64_t ms[] = {3, 100, 1, 2};
    struct two_scheds s = {rx_scheduler_virtual(), rx_scheduler_pool(1)};
    struct tp p = {.initial = RX_UNBOUNDED};
    rx_flat_map_config cfg = {.fn = timer_of, .ctx = &s, .delay_error = true};

    (void)state;
    tp_subscribe(&p, s.vs, rx_flat_map_opts(rx_from_ints(4, ms), &cfg));
    assert_tp_log(&p, "");
    assert_int_equal(rx_virtual_pending(s.vs), 3);
    tp_advance_to(s.vs, 10);
    assert_tp_log(&p, "1:0 2:0 3:0 3:#RX_EINVAL");
    assert_non_null(strstr(p.msg, "another thread"));
    assert_non_null(strstr(p.msg, "rx_timer"));
    tp_done(&p);
    rx_scheduler_release(s.pool);
    rx_scheduler_release(s.vs);
}

/* Without delay_error the same failure ends the stream at once and
 * unschedules the timers already started. */
static void
test_merge_timer_failure_cancels_the_others(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_scheduler *pool = rx_scheduler_pool(1);
    struct tp p = {.initial = RX_UNBOUNDED};
    rx_observable *srcs[3];

    (void)state;
    srcs[0] = rx_timer(2, vs);
    srcs[1] = rx_timer(1, pool);
    srcs[2] = rx_timer(2, vs);
    tp_subscribe(&p, vs, rx_merge_array(3, srcs, RX_UNBOUNDED));
    assert_tp_log(&p, "0:#RX_EINVAL");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(pool);
    rx_scheduler_release(vs);
}

/* An interval inner keeps its stage (periodic); mixed with timers. */
static void
test_merge_interval_and_timer(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_merge(rx_take(rx_interval(2, vs), 3), rx_timer(3, vs)));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:0 3:0 4:1 6:2 6:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_merge_timers_on_the_default_loop(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *m = rx_merge(rx_timer(2, NULL), rx_timer(0, NULL));

    (void)state;
    assert_int_equal(rx_test_subscribe(m, t), 0);
    rx_observable_release(m);
    assert_rx_no_terminal(t);
    assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
    assert_rx_ints(t, 0, 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

/* rx_shutdown() with timers pending: the pipeline keeps the loop's
 * scheduler alive (nothing is freed under the pending tasks), the timers
 * fire, and a second shutdown after the dispose frees the rest. */
static void
test_merge_timers_pending_at_shutdown(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *m = rx_merge(rx_timer(5, NULL), rx_timer(1, NULL));

    (void)state;
    assert_int_equal(rx_test_subscribe(m, t), 0);
    rx_observable_release(m);
    rx_shutdown();
    assert_rx_no_terminal(t);
    assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
    assert_rx_ints(t, 0, 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

static rx_observable *
build_timers(rx_scheduler *vs)
{
    return timers3(vs, 3, 1, 3, RX_UNBOUNDED);
}

static void
test_merge_timers_survive_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_timers, 5, "1:0 3:0 3:0 3:|");
}

/* Allocation failures on the default scheduler, which the first timer
 * inner creates (merge fails cleanly when it cannot), then the timer
 * heap and the rest. */
static void
default_loop_scenario(bool failed, void *ctx)
{
    rx_observable *m = rx_merge(rx_timer(1, NULL), rx_timer(0, NULL));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int rc = -1;

    (void)ctx;
    if (m != NULL && t != NULL) {
        rc = rx_test_subscribe(m, t);
    }
    rx_observable_release(m);
    if (rc == 0) {
        assert_int_equal(uv_run(uv_default_loop(), UV_RUN_DEFAULT), 0);
        if (rx_test_error(t) != NULL) {
            assert_true(failed);
            assert_int_equal(rx_error_code(rx_test_error(t)), RX_ENOMEM);
        } else {
            assert_rx_ints(t, 0, 0);
            assert_rx_completed(t);
        }
    } else {
        assert_true(failed);
    }
    if (t != NULL) {
        rx_test_observer_free(t);
    }
    rx_shutdown();
}

static void
test_merge_timers_on_the_default_loop_survive_allocation_failures(void **state)
{
    (void)state;
    rx_shutdown(); /* the scenario creates the default scheduler */
    assert_true(rx_oom_sweep(default_loop_scenario, NULL) > 1);
    assert_int_equal(uv_loop_close(uv_default_loop()), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_merge_timers_emit_at_their_delays_then_complete),
        rx_unit_test(test_merge_timers_with_equal_delays_keep_their_order),
        rx_unit_test(test_merge_timer_item_waits_for_demand),
        rx_unit_test(test_merge_timers_one_at_a_time),
        rx_unit_test(test_merge_timers_cancel_before_they_fire),
        rx_unit_test(test_merge_timers_cancel_inside_on_next),
        rx_unit_test(test_merge_timers_dispose_while_pending),
        rx_unit_test(test_merge_timers_cancelled_by_an_error),
        rx_unit_test(test_flat_map_timers_and_a_delayed_failure),
        rx_unit_test(test_merge_timer_failure_cancels_the_others),
        rx_unit_test(test_merge_interval_and_timer),
        rx_unit_test(test_merge_timers_on_the_default_loop),
        rx_unit_test(test_merge_timers_pending_at_shutdown),
        rx_unit_test(test_merge_timers_survive_allocation_failures),
        rx_unit_test(
            test_merge_timers_on_the_default_loop_survive_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
