/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_empty, rx_never and rx_throw: their one terminal signal
 * (or none), which needs no demand, cancel before start, re-subscription,
 * bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

/* ---- empty ----------------------------------------------------------- */

static void
test_empty_completes_without_items_or_demand(void **state)
{
    rx_test_observer *t = run_with(rx_empty(), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    assert_int_equal(rx_test_get_counts(t).finallies, 1);
    rx_test_observer_free(t);
}

static void
test_empty_disposed_in_on_subscribe_sends_nothing(void **state)
{
    rx_observable *obs = rx_empty();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_empty_ignores_requests_after_completion(void **state)
{
    rx_observable *obs = rx_empty();
    rx_test_observer *t = rx_test_observer_new(0);
    rx_subscription *sub = NULL;

    (void)state;
    assert_int_equal(rx_subscribe(obs, &(rx_observer){0}, &sub), 0);
    assert_int_equal(rx_request(sub, 5), 0);
    rx_cancel(sub);
    rx_dispose(sub);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    rx_test_request(t, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* ---- never ----------------------------------------------------------- */

static void
test_never_signals_nothing_until_cancelled(void **state)
{
    rx_test_observer *t = run_with(rx_never(), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 10);
    assert_rx_no_terminal(t);
    rx_test_cancel(t);
    rx_test_cancel(t);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_get_counts(t).finallies, 1);
    rx_test_observer_free(t);
}

static void
test_never_is_freed_by_dispose(void **state)
{
    rx_test_observer *t = run_with(rx_never(), 0);

    (void)state;
    rx_test_dispose(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    /* rx_cm_teardown checks the pipeline was freed. */
}

/* ---- throw ----------------------------------------------------------- */

static void
test_throw_fails_with_its_error_without_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_throw(rx_error_new(RX_T_EUSER, "boom")), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_string_equal(rx_error_message(rx_test_error(t)), "boom");
    rx_test_observer_free(t);
}

static void
test_throw_gives_every_subscriber_the_same_error(void **state)
{
    rx_observable *obs = rx_throw(rx_error_new(RX_T_EUSER, "shared"));
    rx_test_observer *a = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *b = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    rx_observable_release(obs);
    assert_rx_error(a, RX_T_EUSER);
    assert_rx_error(b, RX_T_EUSER);
    assert_ptr_equal(rx_test_error(a), rx_test_error(b));
    rx_test_observer_free(a);
    rx_test_observer_free(b);
}

static void
test_throw_disposed_in_on_subscribe_sends_nothing(void **state)
{
    rx_observable *obs = rx_throw(rx_error_new(RX_T_EUSER, "boom"));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_capture_undeliverable();
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_no_terminal(t);
    /* Not an undeliverable error: the source was never started. */
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    rx_test_observer_free(t);
}

static void
test_throw_rejects_null_error(void **state)
{
    (void)state;
    assert_rx_fails(rx_throw(NULL), RX_EINVAL, "rx_throw");
    assert_non_null(strstr(rx_last_error_message(), "err"));
}

/* ---- allocation failures --------------------------------------------- */

/* ctx: 0 empty, 1 never, 2 throw. */
static void
sources_oom_scenario(bool failed, void *ctx)
{
    int which = *(const int *)ctx;
    rx_observable *obs = which == 0   ? rx_empty()
                         : which == 1 ? rx_never()
                                      : rx_throw(rx_error_new(RX_T_EUSER, "e"));
    rx_test_observer *t;
    int rc;

    (void)failed;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (which == 0) {
        assert_rx_completed(t);
    } else if (which == 1) {
        assert_rx_no_terminal(t);
    } else {
        /* rx_error_new returns the immortal out-of-memory error when it
         * cannot allocate. */
        assert_true(rx_error_code(rx_test_error(t)) == RX_T_EUSER ||
                    rx_error_code(rx_test_error(t)) == RX_ENOMEM);
    }
    rx_test_observer_free(t);
}

static void
test_empty_never_throw_survive_allocation_failures(void **state)
{
    int which;

    (void)state;
    for (which = 0; which < 3; which++) {
        assert_true(rx_oom_sweep(sources_oom_scenario, &which) > 1);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_empty_completes_without_items_or_demand),
        rx_unit_test(test_empty_disposed_in_on_subscribe_sends_nothing),
        rx_unit_test(test_empty_ignores_requests_after_completion),
        rx_unit_test(test_never_signals_nothing_until_cancelled),
        rx_unit_test(test_never_is_freed_by_dispose),
        rx_unit_test(test_throw_fails_with_its_error_without_demand),
        rx_unit_test(test_throw_gives_every_subscriber_the_same_error),
        rx_unit_test(test_throw_disposed_in_on_subscribe_sends_nothing),
        rx_unit_test(test_throw_rejects_null_error),
        rx_unit_test(test_empty_never_throw_survive_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
