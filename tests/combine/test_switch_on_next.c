/* SPDX-License-Identifier: MIT */
/*
 * switch_on_next: a stream of observable values, each cancelling the
 * inner before it; an item that holds no observable fails the stream;
 * bad arguments; allocation failures; marble cases (tests/marbles/
 * switch_on_next.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

/* An integer item becomes the observable value of a small range. */
static rx_value
to_range_value(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_observable_value(rx_range(rx_as_int(v) * 10, 2));
}

static void
test_switch_on_next_emits_each_inner_in_turn(void **state)
{
    rx_observable *o =
        rx_switch_on_next(rx_map(rx_range(1, 3), to_range_value, NULL));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 20, 21, 30, 31);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_switch_on_next_switches_to_the_latest_inner(void **state)
{
    struct hp_manual a = {0};
    struct hp_manual b = {0};
    rx_value vals[2];
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    vals[0] = rx_observable_value(hp_manual(&a));
    vals[1] = rx_observable_value(hp_manual(&b));
    o = rx_switch_on_next(
        rx_concat(rx_from_values(1, &vals[0]),
                  rx_concat(rx_from_values(1, &vals[1]), rx_never())));
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* Both came at once: a was cancelled when b arrived. */
    assert_int_equal(a.subscribed, 1);
    assert_int_equal(a.cancels, 1);
    hp_emit(&b, 2);
    assert_rx_ints(t, 2);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    assert_int_equal(b.cancels, 1);
}

static void
test_switch_on_next_fails_on_an_item_that_is_not_an_observable(void **state)
{
    rx_observable *o = rx_switch_on_next(rx_of_ints(1, 2));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_switch_on_next"));
    rx_test_observer_free(t);
}

static void
test_switch_on_next_null_in_null_out(void **state)
{
    (void)state;
    assert_rx_fails(rx_switch_map(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "fn must not be NULL");
    assert_null(rx_switch_on_next(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o =
        rx_switch_on_next(rx_map(rx_range(1, 2), to_range_value, NULL));
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (failed && rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 10, 11, 20, 21);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_switch_on_next_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

static rx_observable *
build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
      void *ctx)
{
    struct hp_named *t;
    rx_observable *outer = hp_named_split(c, srcs, &t);

    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "switch_on_next")) {
        rx_observable_release(outer);
        hp_named_drop(t);
        return NULL;
    }
    return hp_named_attach(rx_switch_on_next(rx_map(outer, hp_named_value, t)),
                           t);
}

static void
test_switch_on_next_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("switch_on_next.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_switch_on_next_emits_each_inner_in_turn),
        rx_unit_test(test_switch_on_next_switches_to_the_latest_inner),
        rx_unit_test(
            test_switch_on_next_fails_on_an_item_that_is_not_an_observable),
        rx_unit_test(test_switch_on_next_null_in_null_out),
        rx_unit_test(test_switch_on_next_survives_allocation_failures),
        rx_unit_test(test_switch_on_next_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
