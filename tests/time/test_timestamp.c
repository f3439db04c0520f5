/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_timestamp: each item paired with the scheduler's clock,
 * demand passed through, errors passed on, bad arguments and allocation
 * failures.
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
test_timestamp_pairs_each_item_with_the_clock(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 2);
    tp_subscribe(&p, vs, rx_timestamp(rx_t_hot_observable(h), vs));
    tp_advance_to(vs, 3);
    rx_t_hot_next(h, rx_str("a"));
    tp_advance_to(vs, 7);
    rx_t_hot_next(h, rx_str("b"));
    rx_t_hot_next(h, rx_str("c"));
    tp_advance_to(vs, 9);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "3:[3,a] 7:[7,b] 7:[7,c] 9:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timestamp_passes_demand_and_errors_through(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 2};

    (void)state;
    tp_subscribe(&p, vs, rx_timestamp(rx_t_hot_observable(h), vs));
    assert_int_equal(rx_t_hot_requested(h), 2);
    assert_int_equal(rx_request(p.sub, 3), 0);
    assert_int_equal(rx_t_hot_requested(h), 5);
    rx_t_hot_next_int(h, 1);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "0:[0,1] 0:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timestamp_honours_demand_of_a_synchronous_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_timestamp(rx_range(5, 3), vs));
    assert_tp_log(&p, "0:[0,5]");
    tp_advance_to(vs, 4);
    assert_int_equal(rx_request(p.sub, 2), 0);
    assert_tp_log(&p, "0:[0,5] 4:[4,6] 4:[4,7] 4:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timestamp_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_timestamp(rx_range(1, 2), rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_timestamp: sched");
    assert_rx_fails(rx_timestamp(rx_range(1, 2), rx_scheduler_immediate()),
                    RX_EINVAL, "rx_timestamp: sched");
}

static rx_observable *
build_timestamp(rx_scheduler *vs)
{
    return rx_timestamp(rx_take(rx_interval(2, vs), 2), vs);
}

static void
test_timestamp_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_timestamp, 10, "2:[2,0] 4:[4,1] 4:|");
}

/* ---- marble cases (tests/marbles/timestamp.txt) ----------------------------
 */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    (void)ctx;
    if (!rx_marble_case_is(c, "timestamp")) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return rx_map(rx_timestamp(srcs[0], vs), tp_stamp, NULL);
}

static void
test_timestamp_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("timestamp.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_timestamp_pairs_each_item_with_the_clock),
        rx_unit_test(test_timestamp_passes_demand_and_errors_through),
        rx_unit_test(test_timestamp_honours_demand_of_a_synchronous_source),
        rx_unit_test(test_timestamp_rejects_bad_arguments),
        rx_unit_test(test_timestamp_survives_allocation_failures),
        rx_unit_test(test_timestamp_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
