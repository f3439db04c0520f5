/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_throttle_last (RxJava's sample): every period the latest
 * item since the previous tick goes out; ticks without an item emit
 * nothing; the item waiting at completion is dropped (emitLast false);
 * errors pass at once; an item to emit without demand fails with
 * RX_EBACKPRESSURE; cancel releases the periodic task; bad arguments and
 * allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_hot.h"
#include "rx_test.h"
#include "time_probe.h"

static void
push_at(rx_scheduler *vs, rx_t_hot *h, uint64_t t, const char *s)
{
    tp_advance_to(vs, t);
    rx_t_hot_next(h, rx_str(s));
}

static void
test_throttle_last_emits_the_latest_item_at_each_tick(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_last(rx_t_hot_observable(h), 4, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    /* tick 4: b; tick 8: nothing */
    push_at(vs, h, 8, "c"); /* after the tick at 8 ran: waits for 12 */
    push_at(vs, h, 13, "d");
    tp_advance_to(vs, 14);
    rx_t_hot_complete(h); /* d waits: dropped */
    assert_tp_log(&p, "4:b 12:c 14:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_last_passes_errors_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_last(rx_t_hot_observable(h), 4, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 2);
    rx_t_hot_error(h, RX_T_EUSER);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_last_ticks_without_items_need_no_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_last(rx_t_hot_observable(h), 2, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "");
    push_at(vs, h, 11, "a");
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "12:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_throttle_last"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_last_cancel_releases_the_periodic_task(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_last(rx_t_hot_observable(h), 3, vs));
    push_at(vs, h, 1, "waiting");
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_last_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_throttle_last(rx_range(1, 2), 0, vs), RX_EINVAL,
                    "rx_throttle_last: period_ms must be greater than 0");
    assert_rx_fails(rx_throttle_last(rx_range(1, 2), -2, vs), RX_EINVAL,
                    "rx_throttle_last: period_ms");
    assert_rx_fails(
        rx_throttle_last(rx_range(1, 2), 1, rx_scheduler_trampoline()),
        RX_EINVAL, "rx_throttle_last: sched");
    assert_rx_fails(
        rx_throttle_last(rx_range(1, 2), 1, rx_scheduler_immediate()),
        RX_EINVAL, "rx_throttle_last: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_throttle_last(rx_scheduler *vs)
{
    return rx_throttle_last(rx_take(rx_interval(2, vs), 4), 5, vs);
}

static void
test_throttle_last_survives_allocation_failures(void **state)
{
    (void)state;
    /* items 0..3 at 2, 4, 6, 8; ticks at 5 and 10; 3 waits at the
     * completion (8) and is dropped */
    tp_oom_sweep(build_throttle_last, 12, "5:1 8:|");
}

/* ---- marble cases (tests/marbles/throttle_last.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "throttle_last") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_throttle_last(srcs[0], ms, vs), false);
}

static void
test_throttle_last_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("throttle_last.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_throttle_last_emits_the_latest_item_at_each_tick),
        rx_unit_test(test_throttle_last_passes_errors_at_once),
        rx_unit_test(test_throttle_last_ticks_without_items_need_no_demand),
        rx_unit_test(test_throttle_last_cancel_releases_the_periodic_task),
        rx_unit_test(test_throttle_last_rejects_bad_arguments),
        rx_unit_test(test_throttle_last_survives_allocation_failures),
        rx_unit_test(test_throttle_last_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
