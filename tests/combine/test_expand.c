/* SPDX-License-Identifier: MIT */
/*
 * expand: breadth-first expansion (level by level, one inner at a time),
 * demand handed to whichever source runs, 100,000 levels in constant
 * stack, errors from any level or from fn, cancel, bad arguments,
 * allocation failures, marble cases (tests/marbles/expand.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

/* x > 1: two items x - 1; else nothing. */
static rx_observable *
halve(rx_value v, void *ctx, rx_error **err)
{
    int64_t x = rx_as_int(v);

    (void)ctx;
    (void)err;
    return x > 1 ? rx_of_ints(x - 1, x - 1) : rx_empty();
}

/* Counts down to 0, one level per item. */
static rx_observable *
count_down(rx_value v, void *ctx, rx_error **err)
{
    int64_t x = rx_as_int(v);

    (void)ctx;
    (void)err;
    return x > 0 ? rx_of_ints(x - 1) : rx_empty();
}

static void
test_expand_goes_breadth_first(void **state)
{
    rx_observable *o = rx_expand(rx_of_ints(3), halve, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* Depth first would give 3 2 1 1 2 1 1. */
    assert_rx_ints(t, 3, 2, 2, 1, 1, 1, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_expand_source_items_come_before_any_expansion(void **state)
{
    rx_observable *o = rx_expand(rx_of_ints(2, 2), halve, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2, 2, 1, 1, 1, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

struct deep {
    int64_t n;
    int64_t sum;
    int64_t last;
};

static void
deep_next(rx_value v, void *ctx)
{
    struct deep *d = ctx;

    d->n++;
    d->sum += rx_as_int(v);
    d->last = rx_as_int(v);
}

static void
test_expand_is_stack_safe_for_deep_expansions(void **state)
{
    struct deep d = {0};
    rx_observable *o = rx_expand(rx_of_ints(100000), count_down, NULL);
    rx_subscription *sub = NULL;

    (void)state;
    assert_int_equal(
        rx_subscribe(o, &(rx_observer){.on_next = deep_next, .ctx = &d}, &sub),
        0);
    rx_observable_release(o);
    assert_int_equal(d.n, 100001);
    assert_int_equal(d.last, 0);
    assert_int_equal(d.sum, (int64_t)100000 * 100001 / 2);
    rx_dispose(sub);
}

static void
test_expand_deep_expansion_one_item_at_a_time(void **state)
{
    rx_observable *o = rx_expand(rx_of_ints(100000), count_down, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 100001);
    assert_true(rx_value_equal(rx_test_value(t, 100000), rx_int(0)));
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_expand_honours_demand_across_levels(void **state)
{
    rx_observable *o = rx_expand(rx_of_ints(3), halve, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 3, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 3), 0);
    assert_rx_ints(t, 3, 2, 2, 1, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 2), 0);
    assert_rx_ints(t, 3, 2, 2, 1, 1, 1, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_expand_one_at_a_time(void **state)
{
    rx_observable *o = rx_expand(rx_of_ints(3), halve, NULL);
    rx_test_observer *t = rx_test_observer_new(1);

    (void)state;
    rx_test_set_request_each(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 3, 2, 2, 1, 1, 1, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_expand_inner_error_fails_the_stream(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_expand(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 1);
    hp_emit(&outer, 2);
    assert_int_equal(hp_inners[1].subscribed, 0); /* level 1 still runs */
    hp_complete(&outer);
    assert_int_equal(hp_inners[1].subscribed, 1);
    assert_int_equal(hp_inners[2].subscribed, 0); /* one at a time */
    hp_fail(&hp_inners[1], RX_T_EUSER);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(hp_inners[2].subscribed, 0);
    rx_test_observer_free(t);
}

static void
test_expand_fn_failure_fails_the_stream(void **state)
{
    int64_t at = 2;
    rx_observable *o = rx_expand(rx_of_ints(1, 2, 3), hp_fn_fails, &at);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_expand_cancel_releases_everything(void **state)
{
    struct hp_manual outer = {0};
    rx_observable *o;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    memset(hp_inners, 0, sizeof hp_inners);
    o = rx_expand(hp_manual(&outer), hp_pick, NULL);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    hp_emit(&outer, 1);
    hp_emit(&outer, 2);
    hp_complete(&outer);
    rx_test_cancel(t);
    assert_int_equal(hp_inners[1].cancels, 1);
    assert_int_equal(hp_inners[2].subscribed, 0);
    rx_test_observer_free(t);
}

static void
test_expand_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_expand(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "rx_expand: fn must not be NULL");
    assert_null(rx_expand(NULL, halve, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_expand(rx_of_ints(3), halve, NULL);
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
        assert_rx_ints(t, 3, 2, 2, 1, 1, 1, 1);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_expand_survives_allocation_failures(void **state)
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
    if (!rx_marble_case_is(c, "expand")) {
        rx_observable_release(outer);
        hp_named_drop(t);
        return NULL;
    }
    return hp_named_attach(rx_expand(outer, hp_named_or_empty, t), t);
}

static void
test_expand_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("expand.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_expand_goes_breadth_first),
        rx_unit_test(test_expand_source_items_come_before_any_expansion),
        rx_unit_test(test_expand_is_stack_safe_for_deep_expansions),
        rx_unit_test(test_expand_deep_expansion_one_item_at_a_time),
        rx_unit_test(test_expand_honours_demand_across_levels),
        rx_unit_test(test_expand_one_at_a_time),
        rx_unit_test(test_expand_inner_error_fails_the_stream),
        rx_unit_test(test_expand_fn_failure_fails_the_stream),
        rx_unit_test(test_expand_cancel_releases_everything),
        rx_unit_test(test_expand_rejects_bad_arguments),
        rx_unit_test(test_expand_survives_allocation_failures),
        rx_unit_test(test_expand_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
