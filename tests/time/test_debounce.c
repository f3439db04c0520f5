/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_debounce: an item goes out only after the timeout passed
 * in silence, each item restarting the wait; the item waiting at
 * completion goes out first (RxJava); an error drops it; an item due
 * without demand fails with RX_EBACKPRESSURE; cancel releases the task
 * and the waiting value; zero timeout; bad arguments and allocation
 * failures.
 *
 * Code under test: operators/time/throttle.c (debounce, throttle_first,
 * throttle_last and audit live there).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_hot.h"
#include "rx_test.h"
#include "time_probe.h"

/* Pushes a one-letter string at virtual time t. */
static void
push_at(rx_scheduler *vs, rx_t_hot *h, uint64_t t, const char *s)
{
    tp_advance_to(vs, t);
    rx_t_hot_next(h, rx_str(s));
}

static void
test_debounce_emits_an_item_after_a_silence_of_the_timeout(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 3, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b"); /* restarts the wait: a is dropped */
    push_at(vs, h, 7, "c");
    tp_advance_to(vs, 12);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "5:b 10:c 12:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_emits_the_waiting_item_at_completion(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    tp_advance_to(vs, 3);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "3:b 3:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_drops_the_waiting_item_on_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 2);
    rx_t_hot_error(h, RX_T_EUSER);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "2:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_completes_an_empty_source_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_empty(), 5, vs));
    assert_tp_log(&p, "0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_debounce_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 2, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_debounce"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_at_completion_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "a");
    rx_t_hot_complete(h);
    assert_tp_log(&p, "1:#RX_EBACKPRESSURE");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_cancel_releases_the_task_and_the_waiting_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "waiting");
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_of_zero_emits_each_item_at_the_next_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_debounce(rx_t_hot_observable(h), 0, vs));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    tp_advance_to(vs, 3);
    assert_tp_log(&p, "1:a 2:b");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_debounce_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_debounce(rx_range(1, 2), -1, vs), RX_EINVAL,
                    "rx_debounce: timeout_ms must be >= 0");
    assert_rx_fails(rx_debounce(rx_range(1, 2), 1, rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_debounce: sched");
    assert_rx_fails(rx_debounce(rx_range(1, 2), 1, rx_scheduler_immediate()),
                    RX_EINVAL, "rx_debounce: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_debounce(rx_scheduler *vs)
{
    return rx_debounce(rx_take(rx_interval(2, vs), 3), 1, vs);
}

static void
test_debounce_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_debounce, 10, "3:0 5:1 6:2 6:|");
}

/* ---- marble cases (tests/marbles/debounce.txt) ----------------------------
 */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "debounce") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_debounce(srcs[0], ms, vs), false);
}

static void
test_debounce_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("debounce.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_debounce_emits_an_item_after_a_silence_of_the_timeout),
        rx_unit_test(test_debounce_emits_the_waiting_item_at_completion),
        rx_unit_test(test_debounce_drops_the_waiting_item_on_error),
        rx_unit_test(test_debounce_completes_an_empty_source_at_once),
        rx_unit_test(test_debounce_without_demand_fails_with_backpressure),
        rx_unit_test(
            test_debounce_at_completion_without_demand_fails_with_backpressure),
        rx_unit_test(
            test_debounce_cancel_releases_the_task_and_the_waiting_item),
        rx_unit_test(test_debounce_of_zero_emits_each_item_at_the_next_advance),
        rx_unit_test(test_debounce_rejects_bad_arguments),
        rx_unit_test(test_debounce_survives_allocation_failures),
        rx_unit_test(test_debounce_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
