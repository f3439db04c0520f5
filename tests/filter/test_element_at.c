/* SPDX-License-Identifier: MIT */
/*
 * rx_element_at: the item at an index then completion, what it asks of
 * its upstream (index + 1), the upstream cancelled after the item, an
 * upstream too short (RX_ENOELEMENT naming the operator), held heap
 * values, demand, errors, cancel, bad arguments and allocation failures.
 */
#include "filter_probe.h"

static void
test_element_at_emits_the_item_at_index_and_completes(void **state)
{
    rx_test_observer *t =
        filter_run(rx_element_at(rx_range(10, 5), 2), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 12);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_element_at_asks_for_index_plus_one_and_cancels_after(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_element_at(probe_range(0, -1, &log), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 3);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 4);
    assert_int_equal(log.emitted, 4);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_element_at_fails_when_the_source_is_too_short(void **state)
{
    rx_test_observer *t =
        filter_run(rx_element_at(rx_range(1, 3), 3), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOELEMENT);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_element_at"));
    rx_test_observer_free(t);
}

static void
test_element_at_fails_on_empty_source(void **state)
{
    rx_test_observer *t = filter_run(rx_element_at(rx_empty(), 0), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOELEMENT);
    rx_test_observer_free(t);
}

static void
test_element_at_huge_index_fails_at_completion(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = filter_run(
        rx_element_at(probe_range(1, 3, &log), INT64_MAX), RX_UNBOUNDED);

    (void)state;
    assert_int_equal(log.requested, RX_UNBOUNDED);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOELEMENT);
    rx_test_observer_free(t);
}

static void
test_element_at_keeps_a_heap_value(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b"), rx_str("c")};
    rx_test_observer *t =
        filter_run(rx_element_at(rx_from_values(3, in), 1), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"b"}, 1);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_element_at_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t =
        filter_run(rx_element_at(probe_range(1, 2, &log), 5), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_element_at_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 2;
    rx_test_observer *t =
        filter_run(rx_element_at(rx_map(rx_range(1, 5), rx_t_fail_at, &at), 3),
                   RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_element_at_holds_the_item_until_requested(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_element_at(probe_range(1, 10, &log), 1), 0);

    (void)state;
    assert_int_equal(log.cancels, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_element_at_stops_when_cancelled_before_the_item(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_element_at(probe_range(1, 10, &log), 1), 0);

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_element_at_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_element_at(rx_range(1, 3), -1), RX_EINVAL,
                    "rx_element_at");
    filter_set_other_last_error();
    assert_null(rx_element_at(NULL, 1));
    assert_last_error_untouched();
}

static void
element_at_oom_scenario(bool failed, void *ctx)
{
    rx_value in[] = {rx_str("a"), rx_str("b")};
    rx_observable *o;
    rx_test_observer *t;

    (void)ctx;
    filter_expect_or_oom(rx_element_at(rx_range(1, 5), 2), (const int64_t[]){3},
                         1, failed);
    o = rx_element_at(rx_from_values(2, in), 1);
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
test_element_at_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(element_at_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_element_at_emits_the_item_at_index_and_completes),
        rx_unit_test(test_element_at_asks_for_index_plus_one_and_cancels_after),
        rx_unit_test(test_element_at_fails_when_the_source_is_too_short),
        rx_unit_test(test_element_at_fails_on_empty_source),
        rx_unit_test(test_element_at_huge_index_fails_at_completion),
        rx_unit_test(test_element_at_keeps_a_heap_value),
        rx_unit_test(test_element_at_passes_an_upstream_error_on),
        rx_unit_test(test_element_at_fails_when_a_map_above_fails),
        rx_unit_test(test_element_at_holds_the_item_until_requested),
        rx_unit_test(test_element_at_stops_when_cancelled_before_the_item),
        rx_unit_test(test_element_at_rejects_bad_arguments),
        rx_unit_test(test_element_at_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
