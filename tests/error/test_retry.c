/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_retry and rx_retry_opts: resubscribing a cold source (its
 * subscription log shows each attempt), exponential backoff on virtual
 * time with the cap, deterministic jitter, the predicate, reset on
 * success, the demand carried over, stack safety for many immediate
 * retries, cancelling during a wait, bad configurations, allocation
 * failures, and the marble cases of tests/marbles/retry.txt.
 *
 * Code under test: operators/error/retry.c and the attempt loop it
 * shares with retry_when, operators/error/resub.c (the stack-safety and
 * demand cases go through it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>

#include "rx-internal.h"
#include "rx_test.h"
#include "../time/time_probe.h"

/* rx_test_subscribe, taking the observable. */
static int
sub_take(rx_observable *obs, rx_test_observer *t)
{
    int rc;

    assert_non_null(obs);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    return rc;
}

static rx_observable *
fail_after(int64_t n, int code)
{
    return rx_concat(rx_range(1, n), rx_throw(rx_error_new(code, "boom")));
}

static void
test_retry_resubscribes_the_cold_source(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_retry(rx_test_source_observable(src), 2));
    tp_advance_to(vs, 20);
    assert_tp_log(&p, "1:a 4:a 7:a 9:#RX_EUSER");
    assert_rx_subs(src, "^--!\n---^--!\n------^--!");
    assert_int_equal(rx_test_source_subscriptions(src), 3);
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_backoff_runs_on_virtual_time_with_the_cap(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_retry_opts(rx_test_source_observable(src),
                               &(rx_retry_config){.count = 5,
                                                  .base_ms = 10,
                                                  .factor = 2,
                                                  .max_delay_ms = 50,
                                                  .sched = vs}));
    /* Waits 10, 20, 40, 50 (80 capped), 50 (160 capped). */
    tp_advance_to(vs, 9);
    assert_int_equal(rx_test_source_subscriptions(src), 1);
    tp_advance_to(vs, 10);
    assert_int_equal(rx_test_source_subscriptions(src), 2);
    tp_advance_to(vs, 29);
    assert_int_equal(rx_test_source_subscriptions(src), 2);
    tp_advance_to(vs, 30);
    assert_int_equal(rx_test_source_subscriptions(src), 3);
    tp_advance_to(vs, 70);
    assert_int_equal(rx_test_source_subscriptions(src), 4);
    tp_advance_to(vs, 119);
    assert_int_equal(rx_test_source_subscriptions(src), 4);
    tp_advance_to(vs, 120);
    assert_int_equal(rx_test_source_subscriptions(src), 5);
    assert_tp_log(&p, "");
    tp_advance_to(vs, 200);
    assert_int_equal(rx_test_source_subscriptions(src), 6);
    assert_tp_log(&p, "170:#RX_EUSER");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* The times at which a jittered retry resubscribes, as a log. */
static void
jitter_times(uint64_t seed, char *out, size_t cap)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};
    size_t len = 0;
    size_t seen = 1;

    tp_subscribe(&p, vs,
                 rx_retry_opts(rx_test_source_observable(src),
                               &(rx_retry_config){.count = 4,
                                                  .base_ms = 100,
                                                  .jitter = 0.5,
                                                  .seed = seed,
                                                  .sched = vs}));
    out[0] = '\0';
    for (uint64_t t = 1; t <= 2000; t++) {
        tp_advance_to(vs, t);
        if (rx_test_source_subscriptions(src) > seen) {
            seen = rx_test_source_subscriptions(src);
            len += (size_t)snprintf(out + len, cap - len, "%llu ",
                                    (unsigned long long)t);
        }
    }
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_jitter_is_deterministic_for_a_seed(void **state)
{
    char a[128];
    char b[128];
    char c[128];
    unsigned long long t[4];
    unsigned long long prev = 0;
    unsigned long long base = 100;

    (void)state;
    jitter_times(42, a, sizeof a);
    jitter_times(42, b, sizeof b);
    jitter_times(7, c, sizeof c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    {
        char *end = a;
        for (int i = 0; i < 4; i++) {
            t[i] = strtoull(end, &end, 10);
        }
        assert_true(t[3] > 0);
    }
    /* Each wait is the nominal one less up to half of it. */
    for (int i = 0; i < 4; i++) {
        unsigned long long wait = t[i] - prev;
        assert_true(wait <= base && wait >= base / 2);
        prev = t[i];
        base *= 2;
    }
}

static bool
only_timeouts(const rx_error *err, int64_t attempt, void *ctx)
{
    int64_t *last = ctx;

    *last = attempt;
    return rx_error_code(err) == RX_ETIMEDOUT;
}

static void
test_retry_predicate_refusing_passes_the_error(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int64_t attempt = 0;

    (void)state;
    assert_int_equal(
        sub_take(rx_retry_opts(fail_after(2, RX_EINVAL),
                               &(rx_retry_config){.count = RX_UNBOUNDED,
                                                  .pred = only_timeouts,
                                                  .ctx = &attempt}),
                 t),
        0);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_EINVAL);
    assert_int_equal(attempt, 1);
    rx_test_observer_free(t);
}

static void
test_retry_predicate_sees_growing_attempts(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int64_t attempt = 0;

    (void)state;
    assert_int_equal(
        sub_take(rx_retry_opts(fail_after(1, RX_ETIMEDOUT),
                               &(rx_retry_config){.count = 3,
                                                  .pred = only_timeouts,
                                                  .ctx = &attempt}),
                 t),
        0);
    assert_rx_ints(t, 1, 1, 1, 1);
    assert_rx_error(t, RX_ETIMEDOUT);
    assert_int_equal(attempt, 3); /* the 4th failure exceeds the count */
    rx_test_observer_free(t);
}

static void
test_retry_reset_on_success_restarts_the_count_and_the_wait(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    /* count 1 would stop after one retry; reset_on_success lets every
     * attempt that emitted an item be retry 1 again, with the base wait. */
    tp_subscribe(&p, vs,
                 rx_retry_opts(rx_test_source_observable(src),
                               &(rx_retry_config){.count = 1,
                                                  .base_ms = 2,
                                                  .reset_on_success = true,
                                                  .sched = vs}));
    tp_advance_to(vs, 16);
    assert_tp_log(&p, "1:a 6:a 11:a 16:a");
    assert_int_equal(rx_test_source_subscriptions(src), 4);
    tp_done(&p);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_carries_the_outstanding_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    assert_int_equal(sub_take(rx_retry(fail_after(2, RX_EINVAL), 5), t), 0);
    assert_rx_ints(t, 1, 2, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 2), 0);
    assert_rx_ints(t, 1, 2, 1, 2, 1);
    rx_test_dispose(t);
    rx_test_observer_free(t);
}

static void
test_retry_many_immediate_retries_use_no_stack(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(
        sub_take(rx_retry(rx_throw(rx_error_new(RX_EINVAL, "again")), 200000),
                 t),
        0);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    rx_test_observer_free(t);
}

static void
test_retry_cancel_during_a_wait_unschedules_it(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs,
                 rx_retry_opts(rx_test_source_observable(src),
                               &(rx_retry_config){
                                   .count = 3, .base_ms = 10, .sched = vs}));
    tp_advance_to(vs, 5);
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 50);
    assert_tp_log(&p, "1:a");
    assert_int_equal(rx_test_source_subscriptions(src), 1);
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_cancel_while_running_cancels_the_attempt(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_retry(rx_test_source_observable(src), 3));
    tp_advance_to(vs, 5);
    rx_cancel(p.sub);
    assert_rx_subs(src, "^--!\n---^-!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_rejects_bad_configurations(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_rx_fails(rx_retry(rx_range(1, 2), -1), RX_EINVAL, "rx_retry");
    assert_rx_fails(rx_retry_opts(rx_range(1, 2), NULL), RX_EINVAL,
                    "rx_retry_opts: cfg");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.count = -2}),
        RX_EINVAL, "count");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.base_ms = -1}),
        RX_EINVAL, "base_ms");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.max_delay_ms = -1}),
        RX_EINVAL, "max_delay_ms");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.factor = 0.5}),
        RX_EINVAL, "factor");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.jitter = 1.5}),
        RX_EINVAL, "jitter");
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2),
                      &(rx_retry_config){.base_ms = 5,
                                         .sched = rx_scheduler_trampoline()}),
        RX_EINVAL, "sched");
    /* NULL in, NULL out, last error untouched. */
    rx__set_last_error(RX_ETIMEDOUT, "earlier");
    assert_null(rx_retry(NULL, 1));
    assert_int_equal(rx_last_error(), RX_ETIMEDOUT);
    rx_scheduler_release(vs);
}

/* Retrying RX_ENOMEM would hide the failures the sweep injects. */
static bool
not_enomem(const rx_error *err, int64_t attempt, void *ctx)
{
    (void)attempt;
    (void)ctx;
    return rx_error_code(err) != RX_ENOMEM;
}

static rx_observable *
build_backoff(rx_scheduler *vs)
{
    return rx_retry_opts(
        rx_concat(rx_timer(1, vs), rx_throw(rx_error_new(RX_EINVAL, "x"))),
        &(rx_retry_config){
            .count = 2, .base_ms = 3, .pred = not_enomem, .sched = vs});
}

static void
test_retry_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_backoff, 30, "1:0 5:0 12:0 12:#RX_EINVAL");
}

/* ---- marble cases (tests/marbles/retry.txt) ----------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t a[4];

    (void)ctx;
    if (rx_marble_case_is(c, "retry") && rx_marble_case_arg_int(c, 1, &a[0])) {
        return rx_retry(srcs[0], a[0]);
    }
    if (rx_marble_case_is(c, "retry_backoff") &&
        rx_marble_case_arg_int(c, 1, &a[0]) &&
        rx_marble_case_arg_int(c, 2, &a[1]) &&
        rx_marble_case_arg_int(c, 3, &a[2]) &&
        rx_marble_case_arg_int(c, 4, &a[3])) {
        return rx_retry_opts(srcs[0], &(rx_retry_config){.count = a[0],
                                                         .base_ms = a[1],
                                                         .factor = (double)a[2],
                                                         .max_delay_ms = a[3],
                                                         .sched = vs});
    }
    rx_observable_release(srcs[0]);
    return NULL;
}

static void
test_retry_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("retry.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_retry_resubscribes_the_cold_source),
        rx_unit_test(test_retry_backoff_runs_on_virtual_time_with_the_cap),
        rx_unit_test(test_retry_jitter_is_deterministic_for_a_seed),
        rx_unit_test(test_retry_predicate_refusing_passes_the_error),
        rx_unit_test(test_retry_predicate_sees_growing_attempts),
        rx_unit_test(
            test_retry_reset_on_success_restarts_the_count_and_the_wait),
        rx_unit_test(test_retry_carries_the_outstanding_demand),
        rx_unit_test(test_retry_many_immediate_retries_use_no_stack),
        rx_unit_test(test_retry_cancel_during_a_wait_unschedules_it),
        rx_unit_test(test_retry_cancel_while_running_cancels_the_attempt),
        rx_unit_test(test_retry_rejects_bad_configurations),
        rx_unit_test(test_retry_survives_allocation_failures),
        rx_unit_test(test_retry_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
