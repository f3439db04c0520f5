/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_audit (RxJS's auditTime): an item arriving while no window
 * runs opens one of exactly window_ms, at whose end the latest item goes
 * out; a completion during a window waits for its end and emits the
 * item first; errors pass at once; an item to emit without demand fails
 * with RX_EBACKPRESSURE; cancel releases the task; zero window; bad
 * arguments and allocation failures.
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
test_audit_emits_the_latest_item_at_the_end_of_each_window(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_t_hot_observable(h), 3, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a"); /* opens [1, 4] */
    push_at(vs, h, 2, "b");
    push_at(vs, h, 6, "c"); /* opens [6, 9] */
    push_at(vs, h, 7, "d");
    push_at(vs, h, 9, "e"); /* after the window ended at 9: opens [9, 12] */
    tp_advance_to(vs, 10);
    rx_t_hot_complete(h); /* waits for the window's end */
    assert_tp_log(&p, "4:b 9:d");
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "4:b 9:d 12:e 12:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_audit_completes_at_once_when_no_window_runs(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_t_hot_observable(h), 3, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 6);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "4:a 6:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_audit_passes_errors_at_once_dropping_the_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_t_hot_observable(h), 3, vs));
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
test_audit_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_t_hot_observable(h), 3, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "4:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_audit"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_audit_cancel_releases_the_task_and_the_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_t_hot_observable(h), 3, vs));
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
test_audit_of_zero_emits_the_latest_at_the_next_advance(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_audit(rx_range(1, 3), 0, vs));
    assert_tp_log(&p, "");
    assert_true(rx_virtual_advance_by(vs, 0) >= 0);
    assert_tp_log(&p, "0:3 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_audit_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_audit(rx_range(1, 2), -1, vs), RX_EINVAL,
                    "rx_audit: window_ms must be >= 0");
    assert_rx_fails(rx_audit(rx_range(1, 2), 1, rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_audit: sched");
    assert_rx_fails(rx_audit(rx_range(1, 2), 1, rx_scheduler_immediate()),
                    RX_EINVAL, "rx_audit: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_audit(rx_scheduler *vs)
{
    return rx_audit(rx_take(rx_interval(2, vs), 3), 3, vs);
}

static void
test_audit_survives_allocation_failures(void **state)
{
    (void)state;
    /* items at 2, 4, 6; windows [2, 5] and [6, 9]; the completion at 6
     * waits for 9 */
    tp_oom_sweep(build_audit, 12, "5:1 9:2 9:|");
}

/* ---- marble cases (tests/marbles/audit.txt) ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "audit") || !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_audit(srcs[0], ms, vs), false);
}

static void
test_audit_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("audit.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_audit_emits_the_latest_item_at_the_end_of_each_window),
        rx_unit_test(test_audit_completes_at_once_when_no_window_runs),
        rx_unit_test(test_audit_passes_errors_at_once_dropping_the_item),
        rx_unit_test(test_audit_without_demand_fails_with_backpressure),
        rx_unit_test(test_audit_cancel_releases_the_task_and_the_item),
        rx_unit_test(test_audit_of_zero_emits_the_latest_at_the_next_advance),
        rx_unit_test(test_audit_rejects_bad_arguments),
        rx_unit_test(test_audit_survives_allocation_failures),
        rx_unit_test(test_audit_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
