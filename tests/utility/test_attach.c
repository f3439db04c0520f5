/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_attach: the result behaves as its source, and drop(ctx)
 * runs exactly once, only after the observable and every subscription
 * made through it are gone; NULL arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* A user context whose drop is counted. */
struct owned {
    int drops;
    int64_t add; /* what add_ctx adds */
};

static void
drop_owned(void *data)
{
    ((struct owned *)data)->drops++;
}

static rx_value
add_ctx(rx_value v, void *ctx, rx_error **err)
{
    const struct owned *o = ctx;

    (void)err;
    assert_int_equal(o->drops, 0); /* still alive while in use */
    return rx_int(rx_as_int(v) + o->add);
}

/* map(range(1, 3), add_ctx, o) with o attached. */
static rx_observable *
attached_map(struct owned *o)
{
    return rx_attach(rx_map(rx_range(1, 3), add_ctx, o), o, drop_owned);
}

static void
test_attach_behaves_as_its_source(void **state)
{
    struct owned o = {.add = 100};
    rx_observable *obs = attached_map(&o);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 101, 102, 103);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    assert_int_equal(o.drops, 1);
}

static void
test_attach_drops_ctx_when_released_unsubscribed(void **state)
{
    struct owned o = {0};
    rx_observable *obs = attached_map(&o);

    (void)state;
    assert_non_null(obs);
    rx_observable_retain(obs);
    rx_observable_release(obs);
    assert_int_equal(o.drops, 0);
    rx_observable_release(obs);
    assert_int_equal(o.drops, 1);
}

static void
test_attach_drops_ctx_only_after_last_subscription_is_disposed(void **state)
{
    struct owned o = {.add = 1};
    rx_observable *obs = attached_map(&o);
    rx_test_observer *a = rx_test_observer_new(1);
    rx_test_observer *b = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, a), 0);
    assert_int_equal(rx_test_subscribe(obs, b), 0);
    rx_observable_release(obs);
    assert_int_equal(o.drops, 0);
    rx_test_dispose(a);
    assert_int_equal(o.drops, 0);
    rx_test_request(b, 10); /* the map still runs with its ctx */
    assert_rx_ints(b, 2, 3, 4);
    assert_rx_completed(b);
    rx_test_dispose(b);
    assert_int_equal(o.drops, 1);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
    assert_int_equal(o.drops, 1);
}

static void
test_attach_works_inside_a_fused_run(void **state)
{
    struct owned o = {.add = 5};
    rx_observable *obs =
        rx_map(rx_attach(rx_range(1, 2), &o, drop_owned), rx_t_times10, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 10, 20);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    assert_int_equal(o.drops, 1);
}

static void
test_attach_of_null_src_drops_ctx_at_once(void **state)
{
    struct owned o = {0};

    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_attach(NULL, &o, drop_owned));
    assert_int_equal(o.drops, 1);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_attach_rejects_null_drop(void **state)
{
    (void)state;
    assert_rx_fails(rx_attach(rx_range(1, 2), NULL, NULL), RX_EINVAL,
                    "rx_attach");
    assert_non_null(strstr(rx_last_error_message(), "drop"));
}

static void
attach_oom_scenario(bool failed, void *ctx)
{
    struct owned o = {.add = 1};
    rx_observable *obs = attached_map(&o);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        assert_int_equal(o.drops, 1);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 2, 3, 4);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
    assert_int_equal(o.drops, 1);
}

static void
test_attach_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(attach_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_attach_behaves_as_its_source),
        rx_unit_test(test_attach_drops_ctx_when_released_unsubscribed),
        rx_unit_test(
            test_attach_drops_ctx_only_after_last_subscription_is_disposed),
        rx_unit_test(test_attach_works_inside_a_fused_run),
        rx_unit_test(test_attach_of_null_src_drops_ctx_at_once),
        rx_unit_test(test_attach_rejects_null_drop),
        rx_unit_test(test_attach_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
