/* SPDX-License-Identifier: MIT */
/*
 * zip's rows for the shapes its fast path specialises: value lists (not
 * ranges), three value lists, a combiner failing on a value-list row,
 * and a value list beside a source that is not pulled (the general
 * path). Exact sums per row, the terminal, nothing after it.
 */
#include "rx_test.h"

static rx_value
add_all(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int64_t sum = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        sum += rx_as_int(items[i]);
    }
    return rx_int(sum);
}

static rx_value
fail_on_third(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int *rows = ctx;

    if (++*rows == 3) {
        *err = rx_error_new(RX_EUSER, "third row");
        return rx_invalid();
    }
    return add_all(items, n, NULL, err);
}

static void
test_zip_pairs_two_value_lists(void **state)
{
    rx_observable *o =
        rx_zip(rx_of_ints(1, 2, 3), rx_of_ints(10, 20, 30, 40), add_all, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 11, 22, 33);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_array_of_three_value_lists(void **state)
{
    rx_observable *srcs[3] = {rx_of_ints(1, 2), rx_of_ints(10, 20),
                              rx_of_ints(100, 200, 300)};
    rx_observable *o = rx_zip_array(3, srcs, add_all, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 111, 222);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_zip_combiner_error_on_a_value_list_row(void **state)
{
    int rows = 0;
    rx_observable *o = rx_zip(rx_of_ints(1, 2, 3, 4), rx_of_ints(5, 6, 7, 8),
                              fail_on_third, &rows);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 6, 8);
    assert_rx_error(t, RX_EUSER);
    assert_int_equal(rows, 3); /* nothing combined after the error */
    rx_test_observer_free(t);
}

static void
test_zip_value_list_beside_a_pushed_source(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o =
        rx_zip(rx_of_ints(1, 2), rx_subject_observable(s), add_all, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_items(t);
    assert_int_equal(rx_subject_next(s, rx_int(10)), 0);
    assert_rx_ints(t, 11);
    assert_int_equal(rx_subject_next(s, rx_int(20)), 0);
    assert_rx_ints(t, 11, 22);
    assert_rx_completed(t); /* the list ran out */
    rx_test_observer_free(t);
    rx_subject_release(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_zip_pairs_two_value_lists),
        rx_unit_test(test_zip_array_of_three_value_lists),
        rx_unit_test(test_zip_combiner_error_on_a_value_list_row),
        rx_unit_test(test_zip_value_list_beside_a_pushed_source),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
