/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_timeout_opts: the first-item deadline, the per-item
 * deadline (which also covers the completion), RX_ETIMEDOUT naming the
 * operator and the deadline, switching to a fallback with the demand
 * still outstanding, cancelling the source and the fallback, errors
 * passing through, bad configurations, allocation failures with and
 * without a switch.
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
test_timeout_fails_when_the_first_item_is_late(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(rx_t_hot_observable(h),
                        &(rx_timeout_config){.first_ms = 4, .sched = vs}));
    tp_advance_to(vs, 3);
    assert_tp_log(&p, "");
    tp_advance_to(vs, 10);
    assert_tp_log(&p, "4:#RX_ETIMEDOUT");
    assert_non_null(strstr(p.msg, "rx_timeout_opts"));
    assert_non_null(strstr(p.msg, "first item within 4 ms"));
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_first_deadline_alone_stops_after_the_first_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(rx_t_hot_observable(h),
                        &(rx_timeout_config){.first_ms = 4, .sched = vs}));
    push_at(vs, h, 3, "a");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 20);
    rx_t_hot_complete(h);
    assert_tp_log(&p, "3:a 20:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_fails_when_a_later_item_is_late(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(rx_t_hot_observable(h),
                        &(rx_timeout_config){.each_ms = 3, .sched = vs}));
    push_at(vs, h, 10, "a"); /* no first deadline */
    push_at(vs, h, 13, "b"); /* exactly at the deadline: the deadline
                              * task ran first */
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "10:a 13:#RX_ETIMEDOUT");
    assert_non_null(strstr(p.msg, "no item within 3 ms of the previous"));
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_moves_the_deadline_with_each_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(
            rx_t_hot_observable(h),
            &(rx_timeout_config){.first_ms = 2, .each_ms = 3, .sched = vs}));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 3, "b");
    push_at(vs, h, 5, "c");
    tp_advance_to(vs, 7);
    rx_t_hot_complete(h);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "1:a 3:b 5:c 7:|");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_switches_to_the_fallback(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    rx_test_source *fb = rx_test_cold(vs, "-x-y|", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_timeout_opts(rx_t_hot_observable(h),
                                 &(rx_timeout_config){
                                     .first_ms = 5,
                                     .each_ms = 3,
                                     .fallback = rx_test_source_observable(fb),
                                     .sched = vs}));
    push_at(vs, h, 1, "a");
    push_at(vs, h, 3, "b");
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "1:a 3:b 7:x 9:y 10:|");
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_rx_subs(fb, "------^---!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_test_source_free(fb);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_fallback_gets_the_outstanding_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 3};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(rx_t_hot_observable(h),
                        &(rx_timeout_config){.each_ms = 3,
                                             .fallback = rx_range(10, 5),
                                             .sched = vs}));
    push_at(vs, h, 1, "a");
    tp_advance_to(vs, 6);
    assert_tp_log(&p, "1:a 4:10 4:11");
    assert_int_equal(rx_request(p.sub, 10), 0);
    assert_tp_log(&p, "1:a 4:10 4:11 6:12 6:13 6:14 6:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_cancel_after_the_switch_cancels_the_fallback(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *fb = rx_test_cold(vs, "x---y|", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_timeout_opts(rx_never(),
                                 &(rx_timeout_config){
                                     .first_ms = 2,
                                     .fallback = rx_test_source_observable(fb),
                                     .sched = vs}));
    tp_advance_to(vs, 4);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "2:x");
    assert_rx_subs(fb, "--^-!");
    tp_done(&p);
    rx_test_source_free(fb);
    rx_scheduler_release(vs);
}

static void
test_timeout_passes_source_errors_and_stops_the_deadline(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_timeout_opts(rx_t_hot_observable(h),
                        &(rx_timeout_config){.first_ms = 5,
                                             .fallback = rx_range(1, 2),
                                             .sched = vs}));
    tp_advance_to(vs, 2);
    rx_t_hot_error(h, RX_T_EUSER);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "2:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_timeout_cancel_releases_the_deadline(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_timeout_opts(rx_never(), &(rx_timeout_config){
                                                 .first_ms = 5, .sched = vs}));
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_timeout_rejects_bad_configurations(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_timeout_opts(rx_range(1, 2), NULL), RX_EINVAL,
                    "rx_timeout_opts: cfg must not be NULL");
    assert_rx_fails(
        rx_timeout_opts(
            rx_range(1, 2),
            &(rx_timeout_config){.fallback = rx_range(1, 2), .sched = vs}),
        RX_EINVAL, "rx_timeout_opts: cfg must set first_ms");
    assert_rx_fails(
        rx_timeout_opts(rx_range(1, 2),
                        &(rx_timeout_config){.first_ms = -1, .sched = vs}),
        RX_EINVAL, "rx_timeout_opts: cfg->first_ms");
    assert_rx_fails(
        rx_timeout_opts(rx_range(1, 2),
                        &(rx_timeout_config){.first_ms = 1,
                                             .each_ms = -1,
                                             .fallback = rx_range(1, 2),
                                             .sched = vs}),
        RX_EINVAL, "rx_timeout_opts: cfg->each_ms");
    assert_rx_fails(
        rx_timeout_opts(rx_range(1, 2),
                        &(rx_timeout_config){
                            .first_ms = 1, .sched = rx_scheduler_trampoline()}),
        RX_EINVAL, "rx_timeout_opts: sched");
    /* NULL source: the fallback is released too (the teardown checks). */
    assert_null(rx_timeout_opts(
        NULL, &(rx_timeout_config){.first_ms = 1, .fallback = rx_range(1, 2)}));
    rx_scheduler_release(vs);
}

static rx_observable *
build_timeout_no_switch(rx_scheduler *vs)
{
    return rx_timeout_opts(rx_take(rx_interval(2, vs), 3),
                           &(rx_timeout_config){.first_ms = 3,
                                                .each_ms = 3,
                                                .fallback = rx_range(100, 2),
                                                .sched = vs});
}

static rx_observable *
build_timeout_switch(rx_scheduler *vs)
{
    /* A NULL fallback means "fail instead", so a fallback that could not
     * be built must be caught before it is passed. */
    rx_observable *fb = rx_map(rx_range(7, 2), rx_t_times10, NULL);

    if (fb == NULL) {
        return NULL;
    }
    return rx_timeout_opts(
        rx_never(),
        &(rx_timeout_config){.first_ms = 2, .fallback = fb, .sched = vs});
}

static void
test_timeout_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_timeout_no_switch, 10, "2:0 4:1 6:2 6:|");
    tp_oom_sweep(build_timeout_switch, 10, "2:70 2:80 2:|");
}

/* ---- marble cases (tests/marbles/timeout.txt) ---------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t first;
    int64_t each;
    bool fb = tp_marble_has(c, "fallback");

    (void)ctx;
    if (!rx_marble_case_is(c, "timeout") ||
        !rx_marble_case_arg_int(c, 1, &first) ||
        !rx_marble_case_arg_int(c, 2, &each) || c->nsources != (fb ? 2 : 1)) {
        for (size_t i = 0; i < c->nsources; i++) {
            rx_observable_release(srcs[i]);
        }
        return NULL;
    }
    return rx_timeout_opts(srcs[0],
                           &(rx_timeout_config){.first_ms = first,
                                                .each_ms = each,
                                                .fallback = fb ? srcs[1] : NULL,
                                                .sched = vs});
}

static void
test_timeout_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("timeout.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_timeout_fails_when_the_first_item_is_late),
        rx_unit_test(
            test_timeout_first_deadline_alone_stops_after_the_first_item),
        rx_unit_test(test_timeout_fails_when_a_later_item_is_late),
        rx_unit_test(test_timeout_moves_the_deadline_with_each_item),
        rx_unit_test(test_timeout_switches_to_the_fallback),
        rx_unit_test(test_timeout_fallback_gets_the_outstanding_demand),
        rx_unit_test(test_timeout_cancel_after_the_switch_cancels_the_fallback),
        rx_unit_test(test_timeout_passes_source_errors_and_stops_the_deadline),
        rx_unit_test(test_timeout_cancel_releases_the_deadline),
        rx_unit_test(test_timeout_rejects_bad_configurations),
        rx_unit_test(test_timeout_survives_allocation_failures),
        rx_unit_test(test_timeout_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
