/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_retry_when: resubscribing after each notification, the
 * notifier's completion and error ending the stream, the errors stream
 * carrying the errors, the handler failing, many synchronous retries,
 * cancel, bad arguments, allocation failures, and
 * tests/marbles/retry_when.txt.
 *
 * Code under test: operators/error/retry_when.c and the attempt loop it
 * shares with retry, operators/error/resub.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "../time/time_probe.h"

struct when {
    rx_scheduler *vs;
    int64_t delay;
    int64_t take;
};

static rx_observable *
delayed_take(rx_observable *errors, void *ctx, rx_error **err)
{
    const struct when *w = ctx;

    (void)err;
    return rx_take(rx_delay(errors, w->delay, w->vs), w->take);
}

/* Fails with the error once a code other than RX_ETIMEDOUT comes. */
static rx_value
check_error(rx_value v, void *ctx, rx_error **err)
{
    const rx_error *e = rx_retry_error(v);

    (void)ctx;
    assert_non_null(e);
    if (rx_error_code(e) != RX_ETIMEDOUT) {
        *err = rx_error_retain(e);
        return rx_nil();
    }
    return rx_value_retain(v);
}

static rx_observable *
only_timeouts(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_take(rx_map(errors, check_error, NULL), 3);
}

static rx_observable *
fail_after(int64_t n, int code)
{
    return rx_concat(rx_range(1, n), rx_throw(rx_error_new(code, "boom")));
}

static void
test_retry_when_resubscribes_after_each_notification(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct when w = {.vs = vs, .delay = 2, .take = 2};
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_retry_when(rx_test_source_observable(src), delayed_take, &w));
    tp_advance_to(vs, 30);
    assert_tp_log(&p, "1:a 6:a 10:|");
    assert_rx_subs(src, "^--!\n-----^--!\n----------(^!)");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_when_notifier_error_fails_the_stream(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs =
        rx_retry_when(fail_after(1, RX_EBUSY), only_timeouts, NULL);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs2 =
        rx_retry_when(fail_after(1, RX_ETIMEDOUT), only_timeouts, NULL);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_EBUSY);
    /* Synchronous retries: the third notification completes the stream
     * before its resubscription runs (it waits for the loop, as RxJava's
     * trampoline does). */
    assert_int_equal(rx_test_subscribe(obs2, u), 0);
    assert_rx_ints(u, 1, 1, 1);
    assert_rx_completed(u);
    rx_observable_release(obs);
    rx_observable_release(obs2);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static rx_observable *
forever(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return errors;
}

static void
test_retry_when_many_synchronous_retries_use_no_stack(void **state)
{
    rx_test_observer *t = rx_test_observer_new(100000);
    rx_observable *obs = rx_retry_when(fail_after(1, RX_EBUSY), forever, NULL);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_int_equal(rx_test_count(t), 100000);
    assert_rx_no_terminal(t);
    rx_test_dispose(t);
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static rx_observable *
handler_fails(rx_observable *errors, void *ctx, rx_error **err)
{
    (void)ctx;
    rx_observable_release(errors);
    *err = rx_error_new(RX_EUSER - 9, "no notifier");
    return NULL;
}

static void
test_retry_when_handler_failure_fails_the_subscription(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs = rx_retry_when(rx_range(1, 3), handler_fails, NULL);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EUSER - 9);
    rx_observable_release(obs);
    rx_test_observer_free(t);
}

static void
test_retry_when_cancel_stops_the_source_and_the_notifier(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    struct when w = {.vs = vs, .delay = 5, .take = 10};
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_retry_when(rx_test_source_observable(src), delayed_take, &w));
    tp_advance_to(vs, 5); /* the notification waits in the delay */
    rx_cancel(p.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_advance_to(vs, 30);
    assert_tp_log(&p, "1:a");
    assert_rx_subs(src, "^--!");
    tp_done(&p);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_retry_when_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_retry_when(rx_range(1, 2), NULL, NULL), RX_EINVAL,
                    "rx_retry_when: handler");
    assert_null(rx_retry_when(NULL, forever, NULL));
    assert_null(rx_retry_error(rx_int(1)));
}

static rx_observable *
build_when(rx_scheduler *vs)
{
    (void)vs;
    return rx_retry_when(fail_after(1, RX_ETIMEDOUT), only_timeouts, NULL);
}

static void
test_retry_when_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_when, 1, "0:1 0:1 0:1 0:|");
}

/* ---- marble cases (tests/marbles/retry_when.txt) ------------------------ */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    static struct when w;

    (void)ctx;
    if (rx_marble_case_is(c, "retry_when") &&
        rx_marble_case_arg_int(c, 1, &w.delay) &&
        rx_marble_case_arg_int(c, 2, &w.take)) {
        w.vs = vs;
        return rx_retry_when(srcs[0], delayed_take, &w);
    }
    rx_observable_release(srcs[0]);
    return NULL;
}

static void
test_retry_when_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("retry_when.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_retry_when_resubscribes_after_each_notification),
        rx_unit_test(test_retry_when_notifier_error_fails_the_stream),
        rx_unit_test(test_retry_when_many_synchronous_retries_use_no_stack),
        rx_unit_test(test_retry_when_handler_failure_fails_the_subscription),
        rx_unit_test(test_retry_when_cancel_stops_the_source_and_the_notifier),
        rx_unit_test(test_retry_when_rejects_bad_arguments),
        rx_unit_test(test_retry_when_survives_allocation_failures),
        rx_unit_test(test_retry_when_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
