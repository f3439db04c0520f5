/* SPDX-License-Identifier: MIT */
/*
 * switch_map: each item cancels the running inner and starts a new one;
 * the queued items of a cancelled inner are dropped; completion waits
 * for the last inner; the first error, outer or inner or fn, cancels
 * everything; demand is honoured; cancel releases everything; bad
 * arguments; allocation failures; marble cases (tests/marbles/
 * switch_map.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

static void
test_switch_map_runs_synchronous_inners_one_after_the_other(void **state)
{
    rx_observable *o = rx_switch_map(rx_range(1, 3), hp_triple, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_switch_map_cancels_the_previous_inner(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_switch_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&hp_inners[0], 1);
    hp_emit(&hp_inners[0], 2);
    hp_emit(&outer, 1);
    assert_int_equal(hp_inners[0].cancels, 1);
    assert_int_equal(hp_inners[1].subscribed, 1);
    hp_emit(&hp_inners[1], 3);
    hp_complete(&outer);
    assert_rx_no_terminal(t); /* the last inner still runs */
    hp_emit(&hp_inners[1], 4);
    hp_complete(&hp_inners[1]);
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_switch_map_drops_the_queued_items_of_a_cancelled_inner(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_switch_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&hp_inners[0], 1);
    hp_emit(&hp_inners[0], 2); /* waits for demand */
    hp_emit(&hp_inners[0], 3);
    hp_emit(&outer, 1);
    assert_int_equal(rx_test_request(t, 5), 0);
    hp_emit(&hp_inners[1], 7);
    assert_rx_ints(t, 1, 7);
    rx_test_observer_free(t);
    assert_int_equal(outer.cancels, 1);
    assert_int_equal(hp_inners[1].cancels, 1);
}

static void
test_switch_map_honours_demand(void **state)
{
    rx_observable *o = rx_switch_map(rx_of_ints(1), hp_triple, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_rx_ints(t, 10, 11, 12);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_switch_map_inner_error_cancels_the_outer(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_switch_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&hp_inners[0], 5);
    hp_fail(&hp_inners[0], RX_T_EUSER);
    assert_rx_ints(t, 5);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(outer.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_switch_map_outer_error_cancels_the_inner(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_switch_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_fail(&outer, RX_ETIMEDOUT);
    assert_rx_error(t, RX_ETIMEDOUT);
    assert_int_equal(hp_inners[0].cancels, 1);
    rx_test_observer_free(t);
}

static void
test_switch_map_fn_failures_fail_the_stream(void **state)
{
    int64_t at = 2;
    rx_observable *o = rx_switch_map(rx_range(1, 3), hp_fn_fails, &at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    /* NULL without an error: the last error of the call that failed. */
    o = rx_switch_map(rx_range(1, 3), hp_fn_null, NULL);
    assert_int_equal(rx_test_subscribe(o, u), 0);
    rx_observable_release(o);
    assert_rx_error(u, RX_EINVAL);
    assert_non_null(strstr(rx_error_message(rx_test_error(u)), "fn returned"));
    rx_test_observer_free(t);
    rx_test_observer_free(u);
}

static void
test_switch_map_cancel_releases_everything(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_switch_map(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    rx_test_cancel(t);
    rx_test_cancel(t); /* twice is fine */
    assert_int_equal(outer.cancels, 1);
    assert_int_equal(hp_inners[0].cancels, 1);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_switch_map_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_switch_map(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "rx_switch_map: fn must not be NULL");
    /* NULL in, NULL out: the last error stays the one set above. */
    assert_null(rx_switch_map(NULL, hp_triple, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_switch_map(rx_range(1, 2), hp_triple, NULL);
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
test_switch_map_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

/* ---- marble cases ------------------------------------------------------ */

static rx_observable *
build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
      void *ctx)
{
    struct hp_named *t;
    rx_observable *outer = hp_named_split(c, srcs, &t);

    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "switch_map")) {
        rx_observable_release(outer);
        hp_named_drop(t);
        return NULL;
    }
    return hp_named_attach(rx_switch_map(outer, hp_named_inner, t), t);
}

static void
test_switch_map_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("switch_map.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_switch_map_runs_synchronous_inners_one_after_the_other),
        rx_unit_test(test_switch_map_cancels_the_previous_inner),
        rx_unit_test(
            test_switch_map_drops_the_queued_items_of_a_cancelled_inner),
        rx_unit_test(test_switch_map_honours_demand),
        rx_unit_test(test_switch_map_inner_error_cancels_the_outer),
        rx_unit_test(test_switch_map_outer_error_cancels_the_inner),
        rx_unit_test(test_switch_map_fn_failures_fail_the_stream),
        rx_unit_test(test_switch_map_cancel_releases_everything),
        rx_unit_test(test_switch_map_rejects_bad_arguments),
        rx_unit_test(test_switch_map_survives_allocation_failures),
        rx_unit_test(test_switch_map_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
