/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_using: the resource is acquired at subscribe and released
 * exactly once, before the completion, before the error, at cancel, and
 * when making the observable fails; a failing acquire releases nothing;
 * requests made before the start reach the inner source; bad arguments
 * and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "../time/time_probe.h"

struct res {
    int acquired;
    int dropped;
    int dropped_before_terminal; /* the observer saw no terminal yet */
    bool fail_acquire;
    bool fail_make;
    int64_t error_at; /* the made source fails after this many; 0: no */
    rx_test_observer *t;
};

static rx_value
acquire(void *ctx, rx_error **err)
{
    struct res *r = ctx;

    if (r->fail_acquire) {
        *err = rx_error_new(RX_EBUSY, "no resource");
        return rx_nil();
    }
    r->acquired++;
    return rx_str("resource");
}

static rx_observable *
make(rx_value resource, void *ctx, rx_error **err)
{
    struct res *r = ctx;

    assert_string_equal(rx_str_cstr(resource), "resource");
    if (r->fail_make) {
        *err = rx_error_new(RX_EUSER - 5, "cannot make");
        return NULL;
    }
    if (r->error_at > 0) {
        return rx_concat(rx_range(1, r->error_at),
                         rx_throw(rx_error_new(RX_ETIMEDOUT, "late")));
    }
    return rx_range(1, 3);
}

static void
drop(rx_value resource, void *ctx)
{
    struct res *r = ctx;

    assert_string_equal(rx_str_cstr(resource), "resource");
    r->dropped++;
    if (r->t != NULL && !rx_test_completed(r->t) &&
        rx_test_error(r->t) == NULL) {
        r->dropped_before_terminal++;
    }
}

static void
run(struct res *r, int64_t initial)
{
    rx_observable *obs = rx_using(acquire, make, drop, r);

    assert_non_null(obs);
    r->t = rx_test_observer_new(initial);
    assert_int_equal(rx_test_subscribe(obs, r->t), 0);
    rx_observable_release(obs);
}

static void
test_using_releases_once_before_the_completion(void **state)
{
    struct res r = {0};

    (void)state;
    run(&r, RX_UNBOUNDED);
    assert_rx_ints(r.t, 1, 2, 3);
    assert_rx_completed(r.t);
    assert_int_equal(r.acquired, 1);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(r.dropped_before_terminal, 1);
    rx_test_observer_free(r.t);
    assert_int_equal(r.dropped, 1);
}

static void
test_using_releases_once_before_the_error(void **state)
{
    struct res r = {.error_at = 2};

    (void)state;
    run(&r, RX_UNBOUNDED);
    assert_rx_ints(r.t, 1, 2);
    assert_rx_error(r.t, RX_ETIMEDOUT);
    assert_int_equal(r.dropped, 1);
    assert_int_equal(r.dropped_before_terminal, 1);
    rx_test_observer_free(r.t);
}

static void
test_using_releases_once_at_cancel(void **state)
{
    struct res r = {0};

    (void)state;
    run(&r, 1); /* asked before the start: reaches the made source */
    assert_rx_ints(r.t, 1);
    assert_int_equal(r.dropped, 0);
    rx_test_cancel(r.t);
    assert_int_equal(r.dropped, 1);
    rx_test_cancel(r.t);
    rx_test_dispose(r.t);
    assert_int_equal(r.dropped, 1);
    rx_test_observer_free(r.t);
}

static void
test_using_each_subscription_has_its_resource(void **state)
{
    struct res r = {0};
    rx_observable *obs = rx_using(acquire, make, drop, &r);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    assert_int_equal(rx_test_subscribe(obs, u), 0);
    assert_int_equal(r.acquired, 2);
    assert_int_equal(r.dropped, 2);
    rx_observable_release(obs);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static void
test_using_failures(void **state)
{
    struct res a = {.fail_acquire = true};
    struct res m = {.fail_make = true};

    (void)state;
    run(&a, RX_UNBOUNDED);
    assert_rx_error(a.t, RX_EBUSY);
    assert_int_equal(a.dropped, 0);
    rx_test_observer_free(a.t);
    run(&m, RX_UNBOUNDED);
    assert_rx_error(m.t, RX_EUSER - 5);
    assert_int_equal(m.acquired, 1);
    assert_int_equal(m.dropped, 1);
    rx_test_observer_free(m.t);
}

static void
test_using_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_using(NULL, make, drop, NULL), RX_EINVAL,
                    "rx_using: acquire");
    assert_rx_fails(rx_using(acquire, NULL, drop, NULL), RX_EINVAL, "rx_using");
}

static struct res oom_res;

static rx_observable *
build_using(rx_scheduler *vs)
{
    (void)vs;
    oom_res = (struct res){0};
    return rx_using(acquire, make, drop, &oom_res);
}

static void
test_using_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_using, 1, "0:1 0:2 0:3 0:|");
    assert_int_equal(oom_res.acquired, oom_res.dropped);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_using_releases_once_before_the_completion),
        rx_unit_test(test_using_releases_once_before_the_error),
        rx_unit_test(test_using_releases_once_at_cancel),
        rx_unit_test(test_using_each_subscription_has_its_resource),
        rx_unit_test(test_using_failures),
        rx_unit_test(test_using_rejects_bad_arguments),
        rx_unit_test(test_using_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
