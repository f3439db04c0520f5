/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_buffer_time: a buffer every span with the items of that
 * span, empty buffers included; the current buffer emitted at completion
 * (even empty), dropped at an error; a buffer due without demand fails
 * with RX_EBACKPRESSURE; cancel releases the periodic task and the held
 * items; bad arguments and allocation failures.
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
test_buffer_time_emits_a_buffer_every_span_empty_ones_too(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_time(rx_t_hot_observable(h), 3, vs));
    assert_int_equal(rx_t_hot_requested(h), RX_UNBOUNDED);
    push_at(vs, h, 1, "a");
    push_at(vs, h, 2, "b");
    push_at(vs, h, 7, "c");
    tp_advance_to(vs, 10);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "3:[a,b] 6:[] 9:[c] 10:[] 10:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_time_emits_the_current_buffer_at_completion(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_time(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 2);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "2:[a] 2:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_time_drops_the_current_buffer_at_an_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_time(rx_t_hot_observable(h), 5, vs));
    push_at(vs, h, 1, "dropped");
    tp_advance_to(vs, 2);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "2:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_time_without_demand_fails_with_backpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_time(rx_t_hot_observable(h), 3, vs));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "3:[a] 6:#RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_buffer_time"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_time_cancel_releases_the_task_and_the_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_time(rx_t_hot_observable(h), 3, vs));
    push_at(vs, h, 1, "held");
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
test_buffer_time_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_buffer_time(rx_range(1, 2), 0, vs), RX_EINVAL,
                    "rx_buffer_time: span_ms must be greater than 0");
    assert_rx_fails(rx_buffer_time(rx_range(1, 2), -1, vs), RX_EINVAL,
                    "rx_buffer_time: span_ms");
    assert_rx_fails(
        rx_buffer_time(rx_range(1, 2), 1, rx_scheduler_trampoline()), RX_EINVAL,
        "rx_buffer_time: sched");
    assert_rx_fails(rx_buffer_time(rx_range(1, 2), 1, rx_scheduler_immediate()),
                    RX_EINVAL, "rx_buffer_time: sched");
    rx_scheduler_release(vs);
}

static rx_observable *
build_buffer_time(rx_scheduler *vs)
{
    return rx_buffer_time(rx_take(rx_interval(2, vs), 3), 3, vs);
}

static void
test_buffer_time_survives_allocation_failures(void **state)
{
    (void)state;
    /* items at 2, 4, 6; ticks at 3 and 6 (the tick, scheduled first, runs
     * before the item of the same instant); completion at 6 */
    tp_oom_sweep(build_buffer_time, 10, "3:[0] 6:[1] 6:[2] 6:|");
}

/* ---- marble cases (tests/marbles/buffer_time.txt)
 * ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t ms;

    (void)ctx;
    if (!rx_marble_case_is(c, "buffer_time") ||
        !rx_marble_case_arg_int(c, 1, &ms)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(
        c, rx_map(rx_buffer_time(srcs[0], ms, vs), tp_join, NULL), false);
}

static void
test_buffer_time_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("buffer_time.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_buffer_time_emits_a_buffer_every_span_empty_ones_too),
        rx_unit_test(test_buffer_time_emits_the_current_buffer_at_completion),
        rx_unit_test(test_buffer_time_drops_the_current_buffer_at_an_error),
        rx_unit_test(test_buffer_time_without_demand_fails_with_backpressure),
        rx_unit_test(test_buffer_time_cancel_releases_the_task_and_the_items),
        rx_unit_test(test_buffer_time_rejects_bad_arguments),
        rx_unit_test(test_buffer_time_survives_allocation_failures),
        rx_unit_test(test_buffer_time_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
