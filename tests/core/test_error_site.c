/* SPDX-License-Identifier: MIT */
/*
 * Where a user function's error comes from: an error made with
 * rx_error_new() and stored through `err` gets the site of the operator
 * that ran the function -- its name and the file and line where the
 * program assembled it -- whether the operator runs fused (map, filter)
 * or as a stage of its own (reduce, flat_map). A shared error (rx_throw's)
 * is never changed, and an error that already has a site keeps it.
 */
#include <string.h>

#include "rx_test.h"

#define USER_CODE (-7001)

static rx_value
ok_map(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_retain(v);
}

static rx_value
failing_map(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 2) {
        *err = rx_error_new(USER_CODE, "map failed at %lld",
                            (long long)rx_as_int(v));
        return rx_invalid();
    }
    return rx_value_retain(v);
}

static bool
failing_pred(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 1) {
        *err = rx_error_new(USER_CODE, "predicate failed");
    }
    return true;
}

static rx_value
failing_sum(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 3) {
        *err = rx_error_new(USER_CODE, "sum failed");
        return rx_invalid();
    }
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static rx_observable *
failing_inner(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 1) {
        *err = rx_error_new(USER_CODE, "inner failed");
        return NULL;
    }
    return rx_just(rx_value_retain(v));
}

/* Subscribes `o` (taken) with unbounded demand and checks that it failed
 * with USER_CODE raised at operator `name`, assembled in this file at
 * `line`. */
static void
assert_user_error_at(rx_observable *o, const char *name, int line)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    const rx_error *err;
    const rx_site *site;

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    err = rx_test_error(t);
    assert_non_null(err);
    assert_int_equal(rx_error_code(err), USER_CODE);
    site = rx_error_site(err);
    assert_non_null(site);
    assert_string_equal(site->name, name);
    assert_int_equal(site->line, line);
    assert_non_null(strstr(site->file, "test_error_site.c"));
    rx_test_observer_free(t);
}

static void
test_error_site_of_a_fused_map(void **state)
{
    int line = __LINE__ + 1;
    rx_observable *o = rx_map(rx_range(0, 5), failing_map, NULL);

    (void)state;
    assert_user_error_at(o, "rx_map", line);
}

static void
test_error_site_names_the_failing_step_of_a_fused_run(void **state)
{
    rx_observable *a = rx_map(rx_range(0, 5), ok_map, NULL);
    int line = __LINE__ + 1;
    rx_observable *b = rx_filter(a, failing_pred, NULL);
    rx_observable *c = rx_map(b, ok_map, NULL);

    (void)state;
    assert_user_error_at(c, "rx_filter", line);
}

static void
test_error_site_of_a_stage_operator(void **state)
{
    int line = __LINE__ + 1;
    rx_observable *o = rx_reduce(rx_range(0, 5), failing_sum, NULL);

    (void)state;
    assert_user_error_at(o, "rx_reduce", line);
}

static void
test_error_site_of_flat_map_fn(void **state)
{
    int line = __LINE__ + 1;
    rx_observable *o = rx_flat_map(rx_range(0, 3), failing_inner, NULL);

    (void)state;
    assert_user_error_at(o, "rx_flat_map", line);
}

/* rx_throw's error is shared by every subscription: no stage may write
 * into it, so it keeps no site, and both subscribers see the same one. */
static void
test_error_site_shared_error_is_left_alone(void **state)
{
    rx_error *mine = rx_error_new(USER_CODE, "thrown");
    rx_observable *o = rx_map(rx_throw(rx_error_retain(mine)), ok_map, NULL);
    rx_test_observer *t1 = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *t2 = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t1), 0);
    assert_int_equal(rx_test_subscribe(o, t2), 0);
    assert_ptr_equal(rx_test_error(t1), mine);
    assert_ptr_equal(rx_test_error(t2), mine);
    assert_null(rx_error_site(mine));
    rx_observable_release(o);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    rx_error_release(mine);
}

/* An error that already names a site keeps it on its way down: the map's
 * error passes through a reduce (which emits it again) unchanged. */
static void
test_error_site_is_kept_downstream(void **state)
{
    int line = __LINE__ + 1;
    rx_observable *a = rx_map(rx_range(0, 5), failing_map, NULL);
    rx_observable *b = rx_reduce(a, failing_sum, NULL);

    (void)state;
    assert_user_error_at(b, "rx_map", line);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_error_site_of_a_fused_map),
        rx_unit_test(test_error_site_names_the_failing_step_of_a_fused_run),
        rx_unit_test(test_error_site_of_a_stage_operator),
        rx_unit_test(test_error_site_of_flat_map_fn),
        rx_unit_test(test_error_site_shared_error_is_left_alone),
        rx_unit_test(test_error_site_is_kept_downstream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
