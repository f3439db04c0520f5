/* SPDX-License-Identifier: MIT */
/*
 * exhaust_map: items that come while an inner runs are dropped (through
 * the discard path), an inner runs until it completed and its items went
 * down, completion waits for the running inner, errors, demand, cancel,
 * bad arguments, allocation failures, marble cases (tests/marbles/
 * exhaust_map.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

static void
test_exhaust_map_ignores_items_while_an_inner_runs(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_exhaust_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&outer, 1); /* inner 0 runs: dropped */
    assert_int_equal(hp_inners[1].subscribed, 0);
    hp_emit(&hp_inners[0], 5);
    hp_complete(&hp_inners[0]);
    hp_emit(&outer, 2); /* now it starts */
    assert_int_equal(hp_inners[2].subscribed, 1);
    hp_emit(&hp_inners[2], 6);
    hp_complete(&outer);
    assert_rx_no_terminal(t);
    hp_complete(&hp_inners[2]);
    assert_rx_ints(t, 5, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_exhaust_map_inner_runs_until_its_items_went_down(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_exhaust_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&hp_inners[0], 5);
    hp_emit(&hp_inners[0], 6); /* waits for demand */
    hp_complete(&hp_inners[0]);
    hp_emit(&outer, 1); /* 6 has not gone down: still running */
    assert_int_equal(hp_inners[1].subscribed, 0);
    assert_int_equal(rx_test_request(t, 1), 0);
    hp_emit(&outer, 2);
    assert_int_equal(hp_inners[2].subscribed, 1);
    assert_rx_ints(t, 5, 6);
    rx_test_observer_free(t);
}

static void
test_exhaust_map_runs_synchronous_inners(void **state)
{
    rx_observable *o = rx_exhaust_map(rx_range(1, 3), hp_triple, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* Each inner completes before the next item comes. */
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_exhaust_map_inner_error_fails_the_stream(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_exhaust_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_fail(&hp_inners[0], RX_T_EUSER);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(outer.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_exhaust_map_cancel_releases_everything(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_exhaust_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    rx_test_cancel(t);
    assert_int_equal(outer.cancels, 1);
    assert_int_equal(hp_inners[0].cancels, 1);
    rx_test_observer_free(t);
}

static void
test_exhaust_map_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_exhaust_map(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "rx_exhaust_map: fn must not be NULL");
    assert_null(rx_exhaust_map(NULL, hp_triple, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_exhaust_map(rx_range(1, 2), hp_triple, NULL);
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
        assert_rx_ints(t, 10, 11, 12, 20, 21, 22);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_exhaust_map_survives_allocation_failures(void **state)
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
    if (!rx_marble_case_is(c, "exhaust_map")) {
        rx_observable_release(outer);
        hp_named_drop(t);
        return NULL;
    }
    return hp_named_attach(rx_exhaust_map(outer, hp_named_inner, t), t);
}

static void
test_exhaust_map_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("exhaust_map.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_exhaust_map_ignores_items_while_an_inner_runs),
        rx_unit_test(test_exhaust_map_inner_runs_until_its_items_went_down),
        rx_unit_test(test_exhaust_map_runs_synchronous_inners),
        rx_unit_test(test_exhaust_map_inner_error_fails_the_stream),
        rx_unit_test(test_exhaust_map_cancel_releases_everything),
        rx_unit_test(test_exhaust_map_rejects_bad_arguments),
        rx_unit_test(test_exhaust_map_survives_allocation_failures),
        rx_unit_test(test_exhaust_map_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
