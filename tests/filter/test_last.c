/* SPDX-License-Identifier: MIT */
/*
 * rx_last: the last item at completion, an empty upstream (RX_ENOELEMENT
 * with a message naming rx_last), a held heap value, demand, errors drop
 * the held item, cancel, bad arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_last_emits_the_last_item_at_completion(void **state)
{
    rx_test_observer *t = filter_run(rx_last(rx_range(1, 4)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_last_on_empty_source_fails_with_enoelement(void **state)
{
    rx_test_observer *t = filter_run(rx_last(rx_empty()), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOELEMENT);
    assert_string_equal(rx_error_message(rx_test_error(t)),
                        "rx_last: the source completed without any item");
    rx_test_observer_free(t);
}

static void
test_last_keeps_a_heap_value(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b"), rx_str("c")};
    rx_test_observer *t =
        filter_run(rx_last(rx_from_values(3, in)), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"c"}, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_last_drops_the_held_item_on_upstream_error(void **state)
{
    rx_value in[] = {rx_str("a")};
    rx_observable *src = rx_concat(rx_from_values(1, in),
                                   rx_throw(rx_error_new(RX_T_EUSER, "boom")));
    rx_test_observer *t = filter_run(rx_last(src), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_last_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = filter_run(
        rx_last(rx_map(rx_range(1, 5), rx_t_fail_at, &at)), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_last_asks_for_everything_and_holds_the_item_until_requested(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = filter_run(rx_last(probe_range(1, 6, &log)), 0);

    (void)state;
    assert_int_equal(log.requested, RX_UNBOUNDED);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 6);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_last_stops_when_cancelled_before_the_item(void **state)
{
    rx_value in[] = {rx_str("a")};
    rx_test_observer *t = filter_run(rx_last(rx_from_values(1, in)), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_last_rejects_a_null_source(void **state)
{
    (void)state;
    filter_set_other_last_error();
    assert_null(rx_last(NULL));
    assert_last_error_untouched();
}

static void
last_oom_scenario(bool failed, void *ctx)
{
    rx_value in[] = {rx_str("a"), rx_str("b")};
    rx_observable *o;
    rx_test_observer *t;

    (void)ctx;
    filter_expect_or_oom(rx_last(rx_range(1, 5)), (const int64_t[]){5}, 1,
                         failed);
    o = rx_last(rx_from_values(2, in));
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (o == NULL || t == NULL || rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
    } else if (rx_test_error(t) != NULL) {
        assert_true(failed);
        assert_rx_error(t, RX_ENOMEM);
    } else {
        filter_assert_strs(t, (const char *const[]){"b"}, 1);
        assert_rx_completed(t);
    }
    rx_observable_release(o);
    rx_test_observer_free(t);
}

static void
test_last_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(last_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_last_emits_the_last_item_at_completion),
        rx_unit_test(test_last_on_empty_source_fails_with_enoelement),
        rx_unit_test(test_last_keeps_a_heap_value),
        rx_unit_test(test_last_drops_the_held_item_on_upstream_error),
        rx_unit_test(test_last_fails_when_a_map_above_fails),
        rx_unit_test(
            test_last_asks_for_everything_and_holds_the_item_until_requested),
        rx_unit_test(test_last_stops_when_cancelled_before_the_item),
        rx_unit_test(test_last_rejects_a_null_source),
        rx_unit_test(test_last_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
