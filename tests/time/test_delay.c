/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_delay: items and completion shifted by exactly the delay,
 * order kept within one instant, an error passing at once and dropping
 * what waits, demand passed straight through (and replaced when the
 * downstream drops an item), zero delay, cancel releasing the task and
 * the waiting values, bad arguments and allocation failures.
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
test_delay_shifts_items_and_completion_by_the_delay(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_t_hot_observable(h), 3, vs));
    tp_advance_to(vs, 1);
    rx_t_hot_next_int(h, 1);
    tp_advance_to(vs, 4);
    rx_t_hot_next_int(h, 2);
    tp_advance_to(vs, 5);
    rx_t_hot_next_int(h, 3);
    tp_advance_to(vs, 6);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "4:1");
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "4:1 7:2 8:3 9:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_delay_keeps_the_order_of_items_of_one_instant(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_t_hot_observable(h), 2, vs));
    tp_advance_to(vs, 1);
    rx_t_hot_next(h, rx_str("a"));
    rx_t_hot_next(h, rx_str("b"));
    rx_t_hot_complete(h);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:a 3:b 3:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_delay_passes_an_error_at_once_dropping_waiting_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_t_hot_observable(h), 5, vs));
    tp_advance_to(vs, 1);
    rx_t_hot_next(h, rx_str("x"));
    tp_advance_to(vs, 2);
    rx_t_hot_next(h, rx_str("y"));
    tp_advance_to(vs, 3);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "3:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "3:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_delay_completes_an_empty_source_after_the_delay(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_empty(), 4, vs));
    tp_advance_to(vs, 3);
    assert_tp_log(&p, "");
    tp_advance_to(vs, 4);
    assert_tp_log(&p, "4:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_of_zero_emits_at_the_next_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 2);
    tp_subscribe(&p, vs, rx_delay(rx_range(1, 2), 0, vs));
    assert_tp_log(&p, "");
    assert_true(rx_virtual_advance_by(vs, 0) >= 0);
    assert_tp_log(&p, "2:1 2:2 2:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_passes_demand_straight_to_the_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_range(1, 5), 2, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:1");
    assert_int_equal(rx_request(p.sub, 2), 0);
    tp_advance_to(vs, 11);
    assert_tp_log(&p, "2:1");
    tp_advance_to(vs, 12);
    assert_tp_log(&p, "2:1 12:2 12:3");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_asks_for_a_replacement_when_downstream_drops_an_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 2};

    (void)state;
    /* The filter after delay drops odd items without spending demand, so
     * delay asks the source for one more each time: 1 and 2 arrive at 0
     * (due 1); dropping 1 brings 3 (due 2), dropping 3 brings 4 (due
     * 3). */
    tp_subscribe(
        &p, vs,
        rx_filter(rx_delay(rx_range(1, 10), 1, vs), rx_t_is_even, NULL));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "1:2 3:4");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_cancel_releases_the_task_and_waiting_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_t_hot_observable(h), 5, vs));
    rx_t_hot_next(h, rx_str("kept until cancel"));
    rx_t_hot_next(h, rx_str("and this one"));
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_delay_cancel_inside_on_next_stops_the_rest(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_delay(rx_range(1, 3), 2, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "2:1");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_delay(rx_range(1, 2), -1, vs), RX_EINVAL,
                    "rx_delay: delay_ms must be >= 0");
    assert_rx_fails(rx_delay(rx_range(1, 2), 1, rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_delay: sched");
    assert_rx_fails(rx_delay(rx_range(1, 2), 1, rx_scheduler_immediate()),
                    RX_EINVAL, "rx_delay: sched");
    /* NULL in, NULL out: the last error is left alone. */
    assert_null(rx_interval(0, vs));
    assert_null(rx_delay(NULL, 1, vs));
    assert_non_null(strstr(rx_last_error_message(), "rx_interval"));
    rx_scheduler_release(vs);
}

static rx_observable *
build_delay(rx_scheduler *vs)
{
    return rx_delay(rx_map(rx_range(1, 3), rx_t_times10, NULL), 2, vs);
}

static void
test_delay_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_delay, 5, "2:10 2:20 2:30 2:|");
}

/* ---- marble cases (tests/marbles/delay.txt) ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "delay") || !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_delay(srcs[0], ms, vs), false);
}

static void
test_delay_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("delay.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_delay_shifts_items_and_completion_by_the_delay),
        rx_unit_test(test_delay_keeps_the_order_of_items_of_one_instant),
        rx_unit_test(test_delay_passes_an_error_at_once_dropping_waiting_items),
        rx_unit_test(test_delay_completes_an_empty_source_after_the_delay),
        rx_unit_test(test_delay_of_zero_emits_at_the_next_advance),
        rx_unit_test(test_delay_passes_demand_straight_to_the_source),
        rx_unit_test(
            test_delay_asks_for_a_replacement_when_downstream_drops_an_item),
        rx_unit_test(test_delay_cancel_releases_the_task_and_waiting_items),
        rx_unit_test(test_delay_cancel_inside_on_next_stops_the_rest),
        rx_unit_test(test_delay_rejects_bad_arguments),
        rx_unit_test(test_delay_survives_allocation_failures),
        rx_unit_test(test_delay_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
