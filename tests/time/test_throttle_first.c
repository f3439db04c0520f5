/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_throttle_first: the first item goes out and opens a
 * window of exactly window_ms in which items are dropped; the first item
 * at the window's end opens the next one; completion and errors pass at
 * once; an item to emit without demand fails with RX_EBACKPRESSURE; no
 * task is ever left behind; bad arguments and allocation failures.
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
test_throttle_first_emits_the_first_item_of_each_window(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_t_hot_observable(h), 4, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a"); /* opens [1, 5) */
    push_at(vs, h, 2, "b"); /* dropped */
    push_at(vs, h, 4, "x"); /* dropped: the window's last millisecond */
    push_at(vs, h, 5, "c"); /* the window's end: opens [5, 9) */
    push_at(vs, h, 8, "d"); /* dropped */
    push_at(vs, h, 9, "e");
    tp_advance_to(vs, 10);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "1:a 5:c 9:e 10:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_passes_completion_and_errors_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_t_hot_observable(h), 10, vs));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    tp_advance_to(vs, 3);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "1:a 3:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_of_zero_lets_every_item_through(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_range(1, 3), 0, vs));
    assert_tp_log(&p, "0:1 0:2 0:3 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_of_a_burst_keeps_only_the_first(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_range(1, 3), 1, vs));
    assert_tp_log(&p, "0:1 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_t_hot_observable(h), 2, vs));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b"); /* dropped: needs no demand */
    push_at(vs, h, 3, "c");
    assert_tp_log(&p, "1:a 3:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_throttle_first"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_cancel_stops_everything(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_throttle_first(rx_t_hot_observable(h), 2, vs));
    push_at(vs, h, 1, "a");
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    push_at(vs, h, 5, "b");
    assert_tp_log(&p, "1:a");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_throttle_first_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_throttle_first(rx_range(1, 2), -1, vs), RX_EINVAL,
                    "rx_throttle_first: window_ms must be >= 0");
    assert_rx_fails(
        rx_throttle_first(rx_range(1, 2), 1, rx_scheduler_trampoline()),
        RX_EINVAL, "rx_throttle_first: sched");
    assert_rx_fails(
        rx_throttle_first(rx_range(1, 2), 1, rx_scheduler_immediate()),
        RX_EINVAL, "rx_throttle_first: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_throttle_first(rx_scheduler *vs)
{
    return rx_throttle_first(rx_take(rx_interval(1, vs), 5), 2, vs);
}

static void
test_throttle_first_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_throttle_first, 10, "1:0 3:2 5:4 5:|");
}

/* ---- marble cases (tests/marbles/throttle_first.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "throttle_first") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_throttle_first(srcs[0], ms, vs), false);
}

static void
test_throttle_first_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("throttle_first.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_throttle_first_emits_the_first_item_of_each_window),
        rx_unit_test(test_throttle_first_passes_completion_and_errors_at_once),
        rx_unit_test(test_throttle_first_of_zero_lets_every_item_through),
        rx_unit_test(test_throttle_first_of_a_burst_keeps_only_the_first),
        rx_unit_test(
            test_throttle_first_without_demand_fails_with_backpressure),
        rx_unit_test(test_throttle_first_cancel_stops_everything),
        rx_unit_test(test_throttle_first_rejects_bad_arguments),
        rx_unit_test(test_throttle_first_survives_allocation_failures),
        rx_unit_test(test_throttle_first_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
