/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the error operators: rx_on_error_return_fn whose function
 * returns rx_invalid(), NULL sources passed through untouched, a negative
 * retry jitter, retry backoff on a scheduler of other threads,
 * rx_retry_error() given a user's box, and every
 * failing allocation in rx_on_error_return_fn.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_observable *
fail_after(int64_t n, int code)
{
    return rx_concat(rx_range(1, n), rx_throw(rx_error_new(code, "boom")));
}

static rx_value
give_invalid(const rx_error *err, void *ctx, rx_error **out_err)
{
    int *calls = ctx;

    (void)err;
    (void)out_err;
    (*calls)++;
    return rx_invalid();
}

static rx_value
give_code(const rx_error *err, void *ctx, rx_error **out_err)
{
    (void)ctx;
    (void)out_err;
    return rx_int(rx_error_code(err));
}

static void
test_on_error_return_fn_invalid_value_fails_enomem(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;
    int calls = 0;

    (void)state;
    o = rx_on_error_return_fn(fail_after(2, RX_ETIMEDOUT), give_invalid,
                              &calls);
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(calls, 1);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_ENOMEM);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "fn returned rx_invalid()"));
    rx_test_observer_free(t);
}

static void
test_on_error_return_fn_null_source_keeps_the_first_error(void **state)
{
    int calls = 0;

    (void)state;
    /* An earlier failure: its code and message must survive. */
    assert_rx_fails(rx_take(rx_range(1, 2), -1), RX_EINVAL, "rx_take");
    assert_null(rx_on_error_return_fn(NULL, give_invalid, &calls));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_take"));
    assert_int_equal(calls, 0);
}

static void
test_retry_negative_jitter_is_rejected(void **state)
{
    (void)state;
    assert_rx_fails(
        rx_retry_opts(rx_range(1, 2), &(rx_retry_config){.jitter = -0.25}),
        RX_EINVAL, "jitter");
}

/* Backoff waits need a scheduler of the subscribing thread: a pool's
 * workers are other threads, so the subscription fails with RX_EINVAL
 * before the source is subscribed. */
static void
test_retry_backoff_on_a_pool_fails_einval(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)state;
    assert_non_null(pool);
    o = rx_retry_opts(
        fail_after(2, RX_ETIMEDOUT),
        &(rx_retry_config){.count = 3, .base_ms = 10, .sched = pool});
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "another thread"));
    rx_test_observer_free(t);
    rx_scheduler_release(pool);
}

static void
user_drop_error(void *data)
{
    rx_error_release(data);
}

/* rx_retry_error() recognises only the items of rx_retry_when()'s error
 * stream: a user's own box holding an rx_error is not one. */
static void
test_retry_error_ignores_a_user_box_of_an_error(void **state)
{
    rx_value v = rx_box(rx_error_new(RX_EBUSY, "mine"), user_drop_error);

    (void)state;
    assert_true(rx_is_box(v));
    assert_null(rx_retry_error(v));
    rx_value_release(v);
}

/* rx_on_error_return_fn under every single allocation failure: either the
 * constructor fails with RX_ENOMEM, or the run maps the error. */
static void
oom_scenario(bool failed, void *ctx)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)ctx;
    (void)failed;
    if (t == NULL) {
        return;
    }
    o = rx_on_error_return_fn(fail_after(1, RX_EBUSY), give_code, NULL);
    if (o == NULL) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else if (rx_test_subscribe(o, t) == 0 && !rx_fault_triggered()) {
        assert_rx_ints(t, 1, RX_EBUSY);
        assert_rx_completed(t);
    } else if (rx_test_error(t) != NULL) {
        assert_int_equal(rx_error_code(rx_test_error(t)), RX_ENOMEM);
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
}

static void
test_on_error_return_fn_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_on_error_return_fn_invalid_value_fails_enomem),
        rx_unit_test(test_on_error_return_fn_null_source_keeps_the_first_error),
        rx_unit_test(test_retry_negative_jitter_is_rejected),
        rx_unit_test(test_retry_backoff_on_a_pool_fails_einval),
        rx_unit_test(test_retry_error_ignores_a_user_box_of_an_error),
        rx_unit_test(test_on_error_return_fn_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
