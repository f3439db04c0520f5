/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_delay_subscription: the source is subscribed exactly the
 * delay later (its subscription log shows when), demand asked before
 * then reaches it, a cancel before then never subscribes it, errors pass
 * through, bad arguments and allocation failures.
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
test_delay_subscription_subscribes_the_source_after_the_delay(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b|", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_delay_subscription(rx_test_source_observable(src), 3, vs));
    tp_advance_to(vs, 2);
    assert_int_equal(rx_test_source_subscriptions(src), 0);
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "4:a 6:b 7:|");
    assert_rx_subs(src, "---^---!");
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_delay_subscription_hands_early_demand_to_the_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 3};

    (void)state;
    tp_subscribe(&p, vs, rx_delay_subscription(rx_t_hot_observable(h), 2, vs));
    assert_int_equal(rx_request(p.sub, 2), 0);
    tp_advance_to(vs, 2);
    assert_int_equal(rx_t_hot_requested(h), 5);
    rx_t_hot_next_int(h, 7);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "2:7 2:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_delay_subscription_cancelled_early_never_subscribes(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "a|", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_delay_subscription(rx_test_source_observable(src), 5, vs));
    tp_advance_to(vs, 4);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 10);
    assert_int_equal(rx_test_source_subscriptions(src), 0);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_delay_subscription_of_zero_subscribes_at_the_next_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_advance_to(vs, 3);
    tp_subscribe(&p, vs, rx_delay_subscription(rx_range(1, 2), 0, vs));
    assert_tp_log(&p, "");
    assert_true(rx_virtual_advance_by(vs, 0) >= 0);
    assert_tp_log(&p, "3:1 3:2 3:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_delay_subscription_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_delay_subscription(rx_range(1, 2), -3, vs), RX_EINVAL,
                    "rx_delay_subscription: delay_ms must be >= 0");
    assert_rx_fails(
        rx_delay_subscription(rx_range(1, 2), 1, rx_scheduler_trampoline()),
        RX_EINVAL, "rx_delay_subscription: sched");
    assert_rx_fails(
        rx_delay_subscription(rx_range(1, 2), 1, rx_scheduler_immediate()),
        RX_EINVAL, "rx_delay_subscription: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_delay_subscription(rx_scheduler *vs)
{
    return rx_delay_subscription(rx_range(1, 2), 2, vs);
}

static void
test_delay_subscription_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_delay_subscription, 5, "2:1 2:2 2:|");
}

/* ---- marble cases (tests/marbles/delay_subscription.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "delay_subscription") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_delay_subscription(srcs[0], ms, vs), false);
}

static void
test_delay_subscription_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("delay_subscription.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_delay_subscription_subscribes_the_source_after_the_delay),
        rx_unit_test(test_delay_subscription_hands_early_demand_to_the_source),
        rx_unit_test(test_delay_subscription_cancelled_early_never_subscribes),
        rx_unit_test(
            test_delay_subscription_of_zero_subscribes_at_the_next_advance),
        rx_unit_test(test_delay_subscription_rejects_bad_arguments),
        rx_unit_test(test_delay_subscription_survives_allocation_failures),
        rx_unit_test(test_delay_subscription_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
