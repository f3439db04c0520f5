/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_interval: a counter at exact multiples of the period,
 * without drift across long jumps of virtual time; RX_EBACKPRESSURE once
 * demand runs out; demand replenished item by item; cancel releasing the
 * periodic task; bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "time_probe.h"

static void
test_interval_emits_a_counter_every_period_and_never_completes(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_interval(3, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:0 6:1 9:2");
    assert_int_equal(rx_virtual_pending(vs), 1);
    tp_done(&p);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_interval_counts_from_its_subscription_time(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 2);
    tp_subscribe(&p, vs, rx_interval(3, vs));
    tp_advance_to(vs, 11);
    assert_tp_log(&p, "5:0 8:1 11:2");
    tp_done(&p);
    rx_scheduler_release(vs);
}

/* Counts items and remembers the time of the last. */
struct tally {
    rx_scheduler *vs;
    int64_t n;
    int64_t last_value;
    uint64_t last_time;
};

static void
tally_next(rx_value v, void *ctx)
{
    struct tally *y = ctx;

    y->n++;
    y->last_value = rx_as_int(v);
    y->last_time = rx_scheduler_now(y->vs);
}

static void
test_interval_does_not_drift_over_a_long_jump(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = rx_interval(7, vs);
    struct tally y = {.vs = vs};
    rx_subscription *sub;

    (void)state;
    assert_int_equal(
        rx_subscribe(obs, &(rx_observer){.on_next = tally_next, .ctx = &y},
                     &sub),
        0);
    rx_observable_release(obs);
    /* One advance across 10,000 periods: tick k runs at exactly 7k. */
    assert_int_equal(rx_virtual_advance_to(vs, 70000), 10000);
    assert_int_equal(y.n, 10000);
    assert_int_equal(y.last_value, 9999);
    assert_int_equal(y.last_time, 70000);
    rx_dispose(sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_interval_fails_with_backpressure_when_demand_runs_out(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 2};

    (void)state;
    tp_subscribe(&p, vs, rx_interval(3, vs));
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "3:0 6:1 9:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_interval"));
    assert_non_null(strstr(p.msg, "test_interval.c"));
    assert_non_null(strstr(p.msg, "rx_on_backpressure_drop"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_interval_without_any_demand_fails_at_the_first_tick(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_interval(4, vs));
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "4:#RX_EBACKPRESSURE");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_interval_runs_on_with_demand_given_one_by_one(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1, .request_each = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_interval(2, vs));
    tp_advance_to(vs, 8);
    assert_tp_log(&p, "2:0 4:1 6:2 8:3");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_interval_cancel_inside_on_next_releases_the_task(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED, .cancel_after = 2};

    (void)state;
    tp_subscribe(&p, vs, rx_interval(5, vs));
    tp_advance_to(vs, 30);
    assert_tp_log(&p, "5:0 10:1");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_interval_under_take_completes_and_releases_the_task(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_take(rx_interval(1, vs), 3));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "1:0 2:1 3:2 3:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_interval_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_interval(0, vs), RX_EINVAL,
                    "rx_interval: period_ms must be greater than 0");
    assert_rx_fails(rx_interval(-5, vs), RX_EINVAL, "rx_interval: period_ms");
    assert_rx_fails(rx_interval(1, rx_scheduler_trampoline()), RX_EINVAL,
                    "rx_interval: sched");
    assert_rx_fails(rx_interval(1, rx_scheduler_immediate()), RX_EINVAL,
                    "rx_interval: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_interval(rx_scheduler *vs)
{
    return rx_take(rx_interval(2, vs), 3);
}

static void
test_interval_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_interval, 10, "2:0 4:1 6:2 6:|");
}

/* ---- marble cases (tests/marbles/interval.txt) ----------------------------
 */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;
    int64_t n;
    rx_observable *obs;

    (void)ctx;
    rx_observable_release(srcs[0]); /* a placeholder */
    if (!rx_marble_case_is(c, "interval") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        return NULL;
    }
    obs = rx_interval(ms, vs);
    if (tp_marble_after(c, "take", &n)) {
        obs = rx_take(obs, n);
    }
    return tp_marble_finish(c, obs, false);
}

static void
test_interval_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("interval.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_interval_emits_a_counter_every_period_and_never_completes),
        rx_unit_test(test_interval_counts_from_its_subscription_time),
        rx_unit_test(test_interval_does_not_drift_over_a_long_jump),
        rx_unit_test(
            test_interval_fails_with_backpressure_when_demand_runs_out),
        rx_unit_test(test_interval_without_any_demand_fails_at_the_first_tick),
        rx_unit_test(test_interval_runs_on_with_demand_given_one_by_one),
        rx_unit_test(test_interval_cancel_inside_on_next_releases_the_task),
        rx_unit_test(test_interval_under_take_completes_and_releases_the_task),
        rx_unit_test(test_interval_rejects_bad_arguments),
        rx_unit_test(test_interval_survives_allocation_failures),
        rx_unit_test(test_interval_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
