/* SPDX-License-Identifier: MIT */
/* Values: constructors, accessors, refcounts, equality and hashing. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

static void
test_value_is_sixteen_bytes_and_zero_is_nil(void **state)
{
    rx_value zero;

    (void)state;
    memset(&zero, 0, sizeof zero);
    assert_int_equal(sizeof(rx_value), 16);
    assert_true(rx_is_nil(zero));
    assert_true(rx_is_nil(rx_nil()));
}

static void
test_scalars_round_trip_through_checked_getters(void **state)
{
    int64_t i = 0;
    double d = 0;
    bool b = false;
    void *p = NULL;
    int x;

    (void)state;
    assert_int_equal(rx_get_int(rx_int(-7), &i), 0);
    assert_int_equal(i, -7);
    assert_int_equal(rx_get_double(rx_double(2.5), &d), 0);
    assert_true(d == 2.5);
    assert_int_equal(rx_get_bool(rx_bool(true), &b), 0);
    assert_true(b);
    assert_int_equal(rx_get_ptr(rx_ptr(&x), &p), 0);
    assert_ptr_equal(p, &x);
    assert_int_equal(rx_as_int(rx_int(INT64_MIN)), INT64_MIN);
}

static void
test_checked_getters_reject_wrong_kind_and_null_out(void **state)
{
    int64_t i = 42;
    double d = 1;

    (void)state;
    assert_int_equal(rx_get_int(rx_double(1.0), &i), RX_EINVAL);
    assert_int_equal(i, 42); /* untouched */
    assert_int_equal(rx_get_double(rx_int(1), &d), RX_EINVAL);
    assert_int_equal(rx_get_int(rx_int(1), NULL), RX_EINVAL);
    assert_int_equal(rx_get_bool(rx_nil(), NULL), RX_EINVAL);
    assert_int_equal(rx_get_ptr(rx_int(0), NULL), RX_EINVAL);
}

static void
test_strings_copy_their_text_and_count_as_live_objects(void **state)
{
    char buf[] = "hello";
    rx_value s = rx_str(buf);

    (void)state;
    buf[0] = 'j'; /* the value owns a copy */
    assert_true(rx_is_str(s));
    assert_string_equal(rx_str_cstr(s), "hello");
    assert_int_equal(rx_str_len(s), 5);
    assert_int_equal(rx_live_objects(), 1);
    rx_value_retain(s);
    rx_value_release(s);
    assert_int_equal(rx_live_objects(), 1);
    rx_value_release(s);
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_str_n_and_bytes_keep_embedded_nuls(void **state)
{
    rx_value s = rx_str_n("a\0b", 3);
    rx_value b = rx_bytes("x\0y", 3);

    (void)state;
    assert_int_equal(rx_str_len(s), 3);
    assert_int_equal(rx_bytes_len(b), 3);
    assert_memory_equal(rx_bytes_data(b), "x\0y", 3);
    assert_null(rx_bytes_data(s));
    assert_null(rx_str_cstr(b));
    rx_value_release(s);
    rx_value_release(b);
}

static void
test_null_text_gives_invalid(void **state)
{
    (void)state;
    assert_true(rx_is_invalid(rx_str(NULL)));
    assert_true(rx_is_invalid(rx_str_n(NULL, 2)));
    assert_true(rx_is_invalid(rx_bytes(NULL, 1)));
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_array_takes_its_items(void **state)
{
    rx_value items[2];
    rx_value a;

    (void)state;
    items[0] = rx_str("x");
    items[1] = rx_int(3);
    a = rx_array(2, items);
    assert_true(rx_is_array(a));
    assert_int_equal(rx_array_len(a), 2);
    assert_string_equal(rx_str_cstr(rx_array_at(a, 0)), "x");
    assert_int_equal(rx_as_int(rx_array_at(a, 1)), 3);
    assert_true(rx_is_invalid(rx_array_at(a, 2)));
    assert_true(rx_is_invalid(rx_array_at(rx_int(1), 0)));
    rx_value_release(a); /* releases the string too */
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_array_with_invalid_item_releases_the_others(void **state)
{
    rx_value items[2];

    (void)state;
    items[0] = rx_str("kept until failure");
    items[1] = rx_invalid();
    assert_true(rx_is_invalid(rx_array(2, items)));
    assert_int_equal(rx_live_objects(), 0);
}

static int drops;

static void
count_drop(void *data)
{
    drops++;
    free(data);
}

static void
test_box_drops_its_data_once_at_last_release(void **state)
{
    rx_value b;

    (void)state;
    drops = 0;
    b = rx_box(malloc(8), count_drop);
    assert_non_null(rx_box_data(b));
    rx_value_retain(b);
    rx_value_release(b);
    assert_int_equal(drops, 0);
    rx_value_release(b);
    assert_int_equal(drops, 1);
}

static void
test_box_drops_data_even_when_allocation_fails(void **state)
{
    (void)state;
    drops = 0;
    rx_fault_arm(1, false);
    assert_true(rx_is_invalid(rx_box(malloc(8), count_drop)));
    rx_fault_disarm();
    assert_int_equal(drops, 1);
}

static void
test_constructors_return_invalid_when_memory_runs_out(void **state)
{
    rx_value items[1];

    (void)state;
    rx_fault_arm(1, true);
    assert_true(rx_is_invalid(rx_str("x")));
    assert_true(rx_is_invalid(rx_bytes("x", 1)));
    items[0] = rx_int(1);
    assert_true(rx_is_invalid(rx_array(1, items)));
    assert_true(rx_is_invalid(rx_notify_complete()));
    rx_fault_disarm();
    assert_int_equal(rx_live_objects(), 0);
}

static void
test_doubles_compare_like_java_double_equals(void **state)
{
    (void)state;
    assert_true(rx_value_equal(rx_double(NAN), rx_double(-NAN)));
    assert_false(rx_value_equal(rx_double(0.0), rx_double(-0.0)));
    assert_true(rx_value_equal(rx_double(1.5), rx_double(1.5)));
    assert_int_equal(rx_value_hash(rx_double(NAN)),
                     rx_value_hash(rx_double(-NAN)));
    assert_false(rx_value_equal(rx_int(1), rx_double(1.0)));
}

static void
test_heap_values_compare_by_content(void **state)
{
    rx_value a = rx_str("abc");
    rx_value b = rx_str("abc");
    rx_value c = rx_str("abd");
    rx_value x[2];
    rx_value y[2];
    rx_value ax;
    rx_value ay;

    (void)state;
    assert_true(rx_value_equal(a, b));
    assert_int_equal(rx_value_hash(a), rx_value_hash(b));
    assert_false(rx_value_equal(a, c));
    x[0] = rx_value_retain(a);
    x[1] = rx_int(1);
    y[0] = rx_value_retain(b);
    y[1] = rx_int(1);
    ax = rx_array(2, x);
    ay = rx_array(2, y);
    assert_true(rx_value_equal(ax, ay));
    assert_int_equal(rx_value_hash(ax), rx_value_hash(ay));
    rx_value_release(ax);
    rx_value_release(ay);
    rx_value_release(a);
    rx_value_release(b);
    rx_value_release(c);
}

static void
test_strings_and_bytes_with_same_content_differ(void **state)
{
    rx_value s = rx_str("abc");
    rx_value b = rx_bytes("abc", 3);

    (void)state;
    assert_false(rx_value_equal(s, b));
    rx_value_release(s);
    rx_value_release(b);
}

static void
test_notifications_carry_their_signal(void **state)
{
    rx_value n = rx_notify_next(rx_str("v"));
    rx_value e = rx_notify_error(rx_error_new(RX_ETIMEDOUT, "late"));
    rx_value c = rx_notify_complete();

    (void)state;
    assert_int_equal(rx_notification_kind(n), RX_NOTIFY_NEXT);
    assert_string_equal(rx_str_cstr(rx_notification_value(n)), "v");
    assert_int_equal(rx_notification_kind(e), RX_NOTIFY_ERROR);
    assert_int_equal(rx_error_code(rx_notification_error(e)), RX_ETIMEDOUT);
    assert_int_equal(rx_notification_kind(c), RX_NOTIFY_COMPLETE);
    assert_int_equal(rx_notification_kind(rx_int(1)), -1);
    assert_true(rx_is_invalid(rx_notify_error(NULL)));
    assert_true(rx_is_invalid(rx_notify_next(rx_invalid())));
    rx_value_release(n);
    rx_value_release(e);
    rx_value_release(c);
}

static void
test_observable_values_hold_a_reference_to_their_observable(void **state)
{
    rx_value v = rx_observable_value(rx_range(1, 3));
    rx_observable *o = rx_value_observable(v);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_true(rx_is_box(v));
    assert_non_null(o);
    rx_value_release(v); /* o is our own reference */
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3);
    assert_null(rx_value_observable(rx_int(1)));
    v = rx_box(NULL, NULL);
    assert_null(rx_value_observable(v)); /* a box, but not of this kind */
    rx_value_release(v);
    assert_true(rx_is_invalid(rx_observable_value(NULL)));
    rx_test_observer_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_value_is_sixteen_bytes_and_zero_is_nil),
        rx_unit_test(test_scalars_round_trip_through_checked_getters),
        rx_unit_test(test_checked_getters_reject_wrong_kind_and_null_out),
        rx_unit_test(test_strings_copy_their_text_and_count_as_live_objects),
        rx_unit_test(test_str_n_and_bytes_keep_embedded_nuls),
        rx_unit_test(test_null_text_gives_invalid),
        rx_unit_test(test_array_takes_its_items),
        rx_unit_test(test_array_with_invalid_item_releases_the_others),
        rx_unit_test(test_box_drops_its_data_once_at_last_release),
        rx_unit_test(test_box_drops_data_even_when_allocation_fails),
        rx_unit_test(test_constructors_return_invalid_when_memory_runs_out),
        rx_unit_test(test_doubles_compare_like_java_double_equals),
        rx_unit_test(test_heap_values_compare_by_content),
        rx_unit_test(test_strings_and_bytes_with_same_content_differ),
        rx_unit_test(test_notifications_carry_their_signal),
        rx_unit_test(
            test_observable_values_hold_a_reference_to_their_observable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
