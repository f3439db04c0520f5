/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_start_with(src, first): the items of `first`, then those
 * of src, subscribed only after `first` completed; an error of `first`
 * ends the stream; demand across both; a long chain stays on a bounded
 * stack; NULL arguments; allocation failures and the marble cases.
 */
#include "rx_test.h"

#include "comb_probe.h"

static void
test_start_with_emits_first_then_the_source(void **state)
{
    rx_observable *o = rx_start_with(rx_range(1, 3), rx_of_ints(10, 20));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 10, 20, 1, 2, 3);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_subscribes_the_source_after_first_completes(void **state)
{
    rx_t_hot *f = rx_t_hot_new();
    rx_t_hot *s = rx_t_hot_new();
    rx_observable *o =
        rx_start_with(rx_t_hot_observable(s), rx_t_hot_observable(f));
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* concat assembles src only once first has completed, so the
     * pusher's count (made at assembly) shows when. */
    assert_int_equal(rx_t_hot_subscribes(s), 0);
    rx_t_hot_next_int(f, 1);
    rx_t_hot_complete(f);
    assert_int_equal(rx_t_hot_subscribes(s), 1);
    assert_int_equal(rx_t_hot_requested(s), 2); /* what is left */
    rx_t_hot_next_int(s, 2);
    rx_t_hot_complete(s);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(f);
    rx_t_hot_free(s);
}

static void
test_start_with_error_of_first_ends_the_stream(void **state)
{
    rx_t_hot *s = rx_t_hot_new();
    rx_observable *o = rx_start_with(
        rx_t_hot_observable(s),
        rx_concat(rx_of_ints(1), rx_throw(rx_error_new(RX_T_EUSER, "x"))));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_subscribes(s), 0);
    rx_test_observer_free(t);
    rx_t_hot_free(s);
}

static void
test_start_with_chains_are_stack_safe(void **state)
{
    rx_observable *o = rx_empty();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    for (int i = 0; i < 2000; i++) {
        o = rx_start_with(o, rx_just(rx_int(i)));
    }
    o = rx_count(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 2000);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_start_with_takes_both_arguments_even_when_one_is_null(void **state)
{
    (void)state;
    rx_range(0, -1);
    assert_null(rx_start_with(NULL, rx_of_ints(1)));
    assert_null(rx_start_with(rx_of_ints(1), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
start_with_under_oom(bool failed, void *ctx)
{
    rx_observable *o = rx_start_with(rx_of_ints(2), rx_of_ints(1));
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_true(failed);
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
    } else if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_rx_ints(t, 1, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_start_with_survives_every_allocation_failure(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(start_with_under_oom, NULL) > 3);
}

static void
test_start_with_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("start_with.txt", cp_build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_start_with_emits_first_then_the_source),
        rx_unit_test(
            test_start_with_subscribes_the_source_after_first_completes),
        rx_unit_test(test_start_with_error_of_first_ends_the_stream),
        rx_unit_test(test_start_with_chains_are_stack_safe),
        rx_unit_test(
            test_start_with_takes_both_arguments_even_when_one_is_null),
        rx_unit_test(test_start_with_survives_every_allocation_failure),
        rx_unit_test(test_start_with_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
