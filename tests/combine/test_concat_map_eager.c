/* SPDX-License-Identifier: MIT */
/*
 * concat_map_eager: every inner is subscribed at once, their items come
 * out in the order of the items that made them, later inners queue;
 * the first error cancels everything; demand; cancel; bad arguments;
 * allocation failures; marble cases (tests/marbles/
 * concat_map_eager.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

static void
test_concat_map_eager_subscribes_all_and_emits_in_order(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_concat_map_eager(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&outer, 1);
    hp_emit(&outer, 2);
    assert_int_equal(hp_inners[1].subscribed, 1); /* eagerly */
    assert_int_equal(hp_inners[2].subscribed, 1);
    hp_emit(&hp_inners[2], 20);
    hp_emit(&hp_inners[1], 10);
    hp_emit(&hp_inners[0], 1);
    hp_complete(&outer);
    hp_complete(&hp_inners[1]);
    assert_rx_ints(t, 1);
    hp_complete(&hp_inners[0]); /* inner 1 is done: straight to 2 */
    assert_rx_ints(t, 1, 10, 20);
    assert_rx_no_terminal(t);
    hp_emit(&hp_inners[2], 21);
    hp_complete(&hp_inners[2]);
    assert_rx_ints(t, 1, 10, 20, 21);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_of_synchronous_inners(void **state)
{
    rx_observable *o = rx_concat_map_eager(rx_range(1, 3), hp_triple, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12, 20, 21, 22, 30, 31, 32);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_honours_demand(void **state)
{
    rx_observable *o = rx_concat_map_eager(rx_range(1, 2), hp_triple, NULL);
    rx_test_observer *t = rx_test_observer_new(4);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 11, 12, 20);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_rx_ints(t, 10, 11, 12, 20, 21);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_inner_error_cancels_the_others(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_concat_map_eager(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&outer, 1);
    hp_emit(&hp_inners[1], 10); /* queued behind inner 0 */
    hp_fail(&hp_inners[1], RX_T_EUSER);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(hp_inners[0].cancels, 1);
    assert_int_equal(outer.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_reports_one_error_and_nothing_undeliverable(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    int code = 0;

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    rx_capture_undeliverable();
    o = rx_concat_map_eager(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_fail(&hp_inners[0], RX_T_EUSER);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_undeliverable_count(&code), 0);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_cancel_releases_everything(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_concat_map_eager(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 0);
    hp_emit(&outer, 1);
    hp_emit(&hp_inners[1], 7);
    rx_test_cancel(t);
    assert_int_equal(outer.cancels, 1);
    assert_int_equal(hp_inners[0].cancels, 1);
    assert_int_equal(hp_inners[1].cancels, 1);
    rx_test_observer_free(t);
}

static void
test_concat_map_eager_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_concat_map_eager(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "rx_concat_map_eager: fn must not be NULL");
    assert_null(rx_concat_map_eager(NULL, hp_triple, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
test_concat_map_eager_fn_failure_fails_the_stream(void **state)
{
    int64_t at = 3;
    rx_observable *o = rx_concat_map_eager(rx_range(1, 5), hp_fn_fails, &at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_concat_map_eager(rx_range(1, 2), hp_triple, NULL);
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
test_concat_map_eager_survives_allocation_failures(void **state)
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
    if (!rx_marble_case_is(c, "concat_map_eager")) {
        rx_observable_release(outer);
        hp_named_drop(t);
        return NULL;
    }
    return hp_named_attach(rx_concat_map_eager(outer, hp_named_inner, t), t);
}

static void
test_concat_map_eager_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("concat_map_eager.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_concat_map_eager_subscribes_all_and_emits_in_order),
        rx_unit_test(test_concat_map_eager_of_synchronous_inners),
        rx_unit_test(test_concat_map_eager_honours_demand),
        rx_unit_test(test_concat_map_eager_inner_error_cancels_the_others),
        rx_unit_test(
            test_concat_map_eager_reports_one_error_and_nothing_undeliverable),
        rx_unit_test(test_concat_map_eager_cancel_releases_everything),
        rx_unit_test(test_concat_map_eager_rejects_bad_arguments),
        rx_unit_test(test_concat_map_eager_fn_failure_fails_the_stream),
        rx_unit_test(test_concat_map_eager_survives_allocation_failures),
        rx_unit_test(test_concat_map_eager_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
