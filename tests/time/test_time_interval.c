/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_time_interval: each item paired with the time since the
 * previous item, the first with the time since subscription; demand and
 * errors passed through; bad arguments and allocation failures.
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
test_time_interval_pairs_each_item_with_the_time_since_the_last(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 2);
    tp_subscribe(&p, vs, rx_time_interval(rx_t_hot_observable(h), vs));
    tp_advance_to(vs, 3);
    rx_t_hot_next(h, rx_str("a")); /* 1 ms after subscription */
    tp_advance_to(vs, 7);
    rx_t_hot_next(h, rx_str("b"));
    rx_t_hot_next(h, rx_str("c"));
    tp_advance_to(vs, 9);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "3:[1,a] 7:[4,b] 7:[0,c] 9:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_time_interval_passes_demand_and_errors_through(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_time_interval(rx_t_hot_observable(h), vs));
    assert_int_equal(rx_t_hot_requested(h), 1);
    tp_advance_to(vs, 5);
    rx_t_hot_next_int(h, 9);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "5:[5,9] 5:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_time_interval_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_time_interval(rx_range(1, 2), rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_time_interval: sched");
    assert_rx_fails(rx_time_interval(rx_range(1, 2), rx_scheduler_immediate()),
                    RX_EINVAL, "rx_time_interval: sched");
}

static rx_observable *
build_time_interval(rx_scheduler *vs)
{
    return rx_time_interval(rx_take(rx_interval(3, vs), 2), vs);
}

static void
test_time_interval_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_time_interval, 10, "3:[3,0] 6:[3,1] 6:|");
}

/* ---- marble cases (tests/marbles/time_interval.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    (void)ctx;
    if (!rx_marble_case_is(c, "time_interval")) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return rx_map(rx_time_interval(srcs[0], vs), tp_stamp, NULL);
}

static void
test_time_interval_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("time_interval.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_time_interval_pairs_each_item_with_the_time_since_the_last),
        rx_unit_test(test_time_interval_passes_demand_and_errors_through),
        rx_unit_test(test_time_interval_rejects_bad_arguments),
        rx_unit_test(test_time_interval_survives_allocation_failures),
        rx_unit_test(test_time_interval_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
