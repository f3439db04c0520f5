/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_window_time: a window at the start and one at every span,
 * completing the previous one; the current window completed at
 * completion, failed at an error, ended with RX_ECANCELED by an outer
 * cancel; a window due without demand fails with RX_EBACKPRESSURE (at the
 * start too); cancel releases the periodic task; bad arguments and
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
test_window_time_opens_a_window_at_the_start_and_every_span(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_time(rx_t_hot_observable(h), 4, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    push_at(vs, h, 7, "c");
    tp_advance_to(vs, 10);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "0:W 1:w0:a 2:w0:b 4:w0:| "
                      "4:W 7:w1:c 8:w1:| "
                      "8:W 10:w2:| 10:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_time_error_reaches_the_window_and_the_outer_stream(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_time(rx_t_hot_observable(h), 4, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 2);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "0:W 1:w0:a 2:w0:#RX_EUSER 2:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_time_without_demand_at_the_start_fails_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 0};

    (void)state;
    tp_subscribe(&p, vs, rx_window_time(rx_t_hot_observable(h), 4, vs));
    assert_tp_log(&p, "0:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_window_time"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_time_without_demand_at_a_span_fails(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_time(rx_t_hot_observable(h), 4, vs));
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "0:W 4:w0:| 4:#RX_EBACKPRESSURE");
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_time_outer_cancel_ends_the_window(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_time(rx_t_hot_observable(h), 4, vs));
    push_at(vs, h, 1, "a");
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_tp_log(&p, "0:W 1:w0:a 1:w0:#RX_ECANCELED");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static rx_observable *
same_window(rx_value w, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(w); /* a new reference */
}

/* flat_map subscribed to the windows: a cancel of the whole stream
 * reaches the window's subscriber before the window ends, so the
 * RX_ECANCELED that ends it has nobody to reach and is not reported as
 * undeliverable (it is no failure, just the cancel seen from the window). */
static void
test_window_time_flattened_cancel_reports_nothing(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t;
    rx_observable *o;
    int code = 0;

    (void)state;
    rx_capture_undeliverable();
    o = rx_flat_map(rx_window_time(rx_t_hot_observable(h), 4, vs), same_window,
                    NULL);
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next(h, rx_int(1));
    rx_t_hot_next(h, rx_int(2));
    assert_int_equal(rx_test_count(t), 2);
    rx_test_cancel(t);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_undeliverable_count(&code), 0);
    assert_int_equal(rx_test_get_counts(t).terminals, 0);
    rx_test_observer_free(t);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_time_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_window_time(rx_range(1, 2), 0, vs), RX_EINVAL,
                    "rx_window_time: span_ms must be greater than 0");
    assert_rx_fails(rx_window_time(rx_range(1, 2), -4, vs), RX_EINVAL,
                    "rx_window_time: span_ms");
    assert_rx_fails(
        rx_window_time(rx_range(1, 2), 1, rx_scheduler_trampoline()), RX_EINVAL,
        "rx_window_time: sched");
    assert_rx_fails(rx_window_time(rx_range(1, 2), 1, rx_scheduler_immediate()),
                    RX_EINVAL, "rx_window_time: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_window_time(rx_scheduler *vs)
{
    return rx_window_time(rx_take(rx_interval(2, vs), 3), 3, vs);
}

static void
test_window_time_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_window_time, 10, "0:W 3:W 6:W 6:|");
}

/* ---- marble cases (tests/marbles/window_time.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "window_time") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_window_time(srcs[0], ms, vs), true);
}

static void
test_window_time_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("window_time.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_window_time_opens_a_window_at_the_start_and_every_span),
        rx_unit_test(
            test_window_time_error_reaches_the_window_and_the_outer_stream),
        rx_unit_test(
            test_window_time_without_demand_at_the_start_fails_at_once),
        rx_unit_test(test_window_time_without_demand_at_a_span_fails),
        rx_unit_test(test_window_time_outer_cancel_ends_the_window),
        rx_unit_test(test_window_time_flattened_cancel_reports_nothing),
        rx_unit_test(test_window_time_rejects_bad_arguments),
        rx_unit_test(test_window_time_survives_allocation_failures),
        rx_unit_test(test_window_time_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
