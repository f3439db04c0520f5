/* SPDX-License-Identifier: MIT */
/* Values, edge cases: bad arguments, accessors on the wrong type,
 * equality and hashing of every kind, allocation failure. */
#include <stdint.h>
#include <string.h>

#include "rx-internal.h"
#include "rx_test.h"

static void
test_value_edges_size_overflow_and_null_data(void **state)
{
    rx_value v;

    (void)state;
    /* A length that cannot fit with its header is refused, not wrapped. */
    assert_true(rx_is_invalid(rx_str_n("x", SIZE_MAX)));
    assert_true(rx_is_invalid(rx_bytes("x", SIZE_MAX)));
    /* NULL with a length is refused; NULL with zero length is empty. */
    assert_true(rx_is_invalid(rx_str_n(NULL, 3)));
    assert_true(rx_is_invalid(rx_bytes(NULL, 3)));
    v = rx_str_n(NULL, 0);
    assert_int_equal(v.type, RX_TYPE_STR);
    assert_int_equal(rx_str_len(v), 0);
    assert_string_equal(rx_str_cstr(v), "");
    rx_value_release(v);
    v = rx_bytes(NULL, 0);
    assert_int_equal(v.type, RX_TYPE_BYTES);
    assert_int_equal(rx_bytes_len(v), 0);
    assert_non_null(rx_bytes_data(v));
    rx_value_release(v);
    /* Arrays: NULL items only with n == 0. */
    assert_true(rx_is_invalid(rx_array(2, NULL)));
    v = rx_array(0, NULL);
    assert_int_equal(v.type, RX_TYPE_ARRAY);
    assert_int_equal(rx_array_len(v), 0);
    assert_true(rx_is_invalid(rx_array_at(v, 0)));
    rx_value_release(v);
}

static void
test_value_edges_array_with_invalid_item_releases_the_others(void **state)
{
    rx_value items[2];

    (void)state;
    items[0] = rx_str("taken");
    items[1] = rx_invalid();
    assert_true(rx_is_invalid(rx_array(2, items)));
    /* The teardown checks that "taken" was released. */
}

static void
test_value_edges_accessors_on_wrong_type(void **state)
{
    rx_value s = rx_str("s");
    bool b = false;
    int64_t i = 5;
    double d = 1.5;
    void *p = &i;

    (void)state;
    assert_int_equal(rx_get_bool(rx_int(1), &b), RX_EINVAL);
    assert_int_equal(rx_get_bool(rx_bool(true), NULL), RX_EINVAL);
    assert_false(b);
    assert_int_equal(rx_get_int(rx_bool(true), &i), RX_EINVAL);
    assert_int_equal(rx_get_int(rx_int(3), NULL), RX_EINVAL);
    assert_int_equal(i, 5);
    assert_int_equal(rx_get_double(rx_int(1), &d), RX_EINVAL);
    assert_int_equal(rx_get_double(rx_double(2.0), NULL), RX_EINVAL);
    assert_true(d == 1.5);
    assert_int_equal(rx_get_ptr(rx_int(1), &p), RX_EINVAL);
    assert_int_equal(rx_get_ptr(rx_ptr(&b), NULL), RX_EINVAL);
    assert_ptr_equal(p, &i);

    assert_null(rx_str_cstr(rx_int(1)));
    assert_int_equal(rx_str_len(rx_nil()), 0);
    assert_null(rx_bytes_data(s));
    assert_int_equal(rx_bytes_len(s), 0);
    assert_int_equal(rx_array_len(s), 0);
    assert_true(rx_is_invalid(rx_array_at(s, 0)));
    assert_null(rx_box_data(s));
    assert_int_equal(rx_notification_kind(s), -1);
    assert_true(rx_is_nil(rx_notification_value(s)));
    assert_null(rx_notification_error(s));
    /* The matching type passes the check silently. */
    rx_value_expect_type(s, RX_TYPE_STR, "test");
    rx_value_release(s);
}

static void
test_value_edges_equality_of_every_kind(void **state)
{
    int x = 0;
    int y = 0;
    rx_value a1 = rx_array(2, (rx_value[]){rx_int(1), rx_str("a")});
    rx_value a2 = rx_array(2, (rx_value[]){rx_int(1), rx_str("a")});
    rx_value a3 = rx_array(2, (rx_value[]){rx_int(1), rx_str("b")});
    rx_value a4 = rx_array(1, (rx_value[]){rx_int(1)});
    rx_value b1 = rx_box(&x, NULL);
    rx_value b2 = rx_box(&x, NULL);

    (void)state;
    assert_true(rx_value_equal(rx_nil(), rx_nil()));
    assert_true(rx_value_equal(rx_invalid(), rx_invalid()));
    assert_true(rx_value_equal(rx_bool(true), rx_bool(true)));
    assert_false(rx_value_equal(rx_bool(true), rx_bool(false)));
    assert_true(rx_value_equal(rx_ptr(&x), rx_ptr(&x)));
    assert_false(rx_value_equal(rx_ptr(&x), rx_ptr(&y)));
    assert_false(rx_value_equal(rx_int(1), rx_double(1.0)));

    assert_true(rx_value_equal(a1, a1));
    assert_true(rx_value_equal(a1, a2));
    assert_false(rx_value_equal(a1, a3));
    assert_false(rx_value_equal(a1, a4));
    assert_int_equal(rx_value_hash(a1), rx_value_hash(a2));

    /* Boxes compare by identity, whatever they hold. */
    assert_true(rx_value_equal(b1, b1));
    assert_false(rx_value_equal(b1, b2));
    assert_int_equal(rx_value_hash(b1), rx_value_hash(b1));

    rx_value_release(a1);
    rx_value_release(a2);
    rx_value_release(a3);
    rx_value_release(a4);
    rx_value_release(b1);
    rx_value_release(b2);
}

static void
test_value_edges_notification_equality_and_hash(void **state)
{
    rx_error *e = rx_error_new(RX_ETIMEDOUT, "late");
    rx_value n1 = rx_notify_next(rx_int(1));
    rx_value n2 = rx_notify_next(rx_int(1));
    rx_value n3 = rx_notify_next(rx_int(2));
    rx_value c = rx_notify_complete();
    rx_value e1 = rx_notify_error(rx_error_retain(e));
    rx_value e2 = rx_notify_error(rx_error_retain(e));
    rx_value e3 = rx_notify_error(rx_error_new(RX_ETIMEDOUT, "late"));

    (void)state;
    assert_true(rx_value_equal(n1, n2));
    assert_int_equal(rx_value_hash(n1), rx_value_hash(n2));
    assert_false(rx_value_equal(n1, n3)); /* values differ */
    assert_false(rx_value_equal(n1, c));  /* kinds differ */
    assert_true(rx_value_equal(e1, e2));  /* the same error */
    assert_int_equal(rx_value_hash(e1), rx_value_hash(e2));
    assert_false(rx_value_equal(e1, e3)); /* errors by identity */
    assert_ptr_equal(rx_notification_error(e1), e);
    rx_error_release(e);
    rx_value_release(n1);
    rx_value_release(n2);
    rx_value_release(n3);
    rx_value_release(c);
    rx_value_release(e1);
    rx_value_release(e2);
    rx_value_release(e3);
}

static void
test_value_edges_hash_of_scalars(void **state)
{
    int x;

    (void)state;
    assert_int_equal(rx_value_hash(rx_bool(true)),
                     rx_value_hash(rx_bool(true)));
    assert_int_not_equal(rx_value_hash(rx_bool(true)),
                         rx_value_hash(rx_bool(false)));
    assert_int_equal(rx_value_hash(rx_ptr(&x)), rx_value_hash(rx_ptr(&x)));
    assert_int_equal(rx_value_hash(rx_nil()), rx_value_hash(rx_nil()));
    /* The type is part of the hash: nil and false hash differently. */
    assert_int_not_equal(rx_value_hash(rx_nil()),
                         rx_value_hash(rx_bool(false)));
}

static void
drop_int(void *p)
{
    (*(int *)p)++;
}

static void
test_value_edges_refs_and_drop_of_inline_values(void **state)
{
    int dropped = 0;
    rx_value b = rx_box(&dropped, drop_int);

    (void)state;
    assert_int_equal(rx__value_refs(rx_int(1)), 0);
    assert_int_equal(rx__value_refs(b), 1);
    assert_null(rx__box_drop(rx_int(1)));
    assert_ptr_equal(rx__box_drop(b), drop_int);
    rx_value_release(b);
    assert_int_equal(dropped, 1);
}

static void
test_value_edges_box_without_drop_under_oom(void **state)
{
    int x = 0;
    rx_value v;

    (void)state;
    rx_fault_arm(1, false);
    v = rx_box(&x, NULL);
    assert_true(rx_fault_triggered());
    rx_fault_disarm();
    assert_true(rx_is_invalid(v));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_value_edges_size_overflow_and_null_data),
        rx_unit_test(
            test_value_edges_array_with_invalid_item_releases_the_others),
        rx_unit_test(test_value_edges_accessors_on_wrong_type),
        rx_unit_test(test_value_edges_equality_of_every_kind),
        rx_unit_test(test_value_edges_notification_equality_and_hash),
        rx_unit_test(test_value_edges_hash_of_scalars),
        rx_unit_test(test_value_edges_refs_and_drop_of_inline_values),
        rx_unit_test(test_value_edges_box_without_drop_under_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
