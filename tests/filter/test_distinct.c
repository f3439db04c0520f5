/* SPDX-License-Identifier: MIT */
/*
 * rx_distinct: drops items equal to any earlier one (rx_value_equal():
 * strings by content, NaN equals NaN, -0.0 differs from 0.0, an int never
 * equals a double), many items and hash collisions, duplicates cost no
 * request, errors, cancel, bad arguments, and allocation failures inside
 * the hash set (RX_ENOMEM downstream, upstream cancelled, nothing leaked).
 */
#include <math.h>

#include "filter_probe.h"
#include "rx-uthash.h"

/* How many distinct integers the allocation-failure sweep sends through
 * distinct: enough that uthash grows its buckets on the way (checked by
 * test_rx_uthash_keys_tables_by_value). */
#define SWEEP_ITEMS 400

/* v % 3. */
static rx_value
mod3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) % 3);
}

/* (v % 500) * 32: 500 distinct values, which an unmixed hash would put
 * in one bucket. */
static rx_value
mod500x32(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int((rx_as_int(v) % 500) * 32);
}

/* The wrapper keys a table by rx_value: equal values find each other
 * whatever their bytes, and the table grows its buckets. */
struct seen {
    rx_value key;
    UT_hash_handle hh;
};

static bool
set_add(struct seen **set, rx_value v)
{
    struct seen *e = rx__malloc(sizeof *e);

    assert_non_null(e);
    e->key = v;
    HASH_ADD_KEYPTR(hh, *set, &e->key, sizeof e->key, e);
    return RX__HASH_ADDED(e);
}

static bool
set_has(struct seen *set, rx_value v)
{
    struct seen *found;

    HASH_FIND(hh, set, &v, sizeof v, found);
    return found != NULL;
}

static void
test_rx_uthash_keys_tables_by_value(void **state)
{
    struct seen *set = NULL;
    struct seen *e;
    struct seen *tmp;
    rx_value a = rx_str("key");
    rx_value b = rx_str("key");

    (void)state;
    for (int64_t i = 0; i < SWEEP_ITEMS; i++) {
        assert_true(set_add(&set, rx_int(i)));
    }
    assert_true(set->hh.tbl->num_buckets > 32);
    assert_true(set_has(set, rx_int(SWEEP_ITEMS - 1)));
    assert_false(set_has(set, rx_int(SWEEP_ITEMS)));
    assert_false(set_has(set, rx_double(1.0))); /* an int is no double */
    assert_true(set_add(&set, rx_value_retain(a)));
    assert_true(set_has(set, b)); /* another object, same content */
    assert_true(set_add(&set, rx_double(NAN)));
    assert_true(set_has(set, rx_double(-NAN)));
    assert_true(set_add(&set, rx_double(0.0)));
    assert_false(set_has(set, rx_double(-0.0)));
    HASH_ITER(hh, set, e, tmp)
    {
        HASH_DEL(set, e);
        rx_value_release(e->key);
        rx__free(e);
    }
    assert_null(set);
    rx_value_release(a);
    rx_value_release(b);
}

static void
test_distinct_drops_items_seen_before(void **state)
{
    rx_test_observer *t =
        filter_run(rx_distinct(rx_of_ints(1, 2, 1, 3, 2, 1, 4)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_compares_strings_by_content(void **state)
{
    rx_value in[] = {rx_str("a"), rx_str("b"), rx_str("a"),
                     rx_str("c"), rx_str("b"), rx_str("")};
    rx_test_observer *t =
        filter_run(rx_distinct(rx_from_values(6, in)), RX_UNBOUNDED);

    (void)state;
    filter_assert_strs(t, (const char *const[]){"a", "b", "c", ""}, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_follows_double_equality(void **state)
{
    rx_value in[] = {rx_double(NAN),  rx_double(0.0), rx_double(-NAN),
                     rx_double(-0.0), rx_double(0.0), rx_double(-0.0),
                     rx_int(0),       rx_double(NAN)};
    rx_value want[] = {rx_double(NAN), rx_double(0.0), rx_double(-0.0),
                       rx_int(0)};
    rx_test_observer *t =
        filter_run(rx_distinct(rx_from_values(8, in)), RX_UNBOUNDED);

    (void)state;
    assert_rx_values(t, want, 4);
    assert_true(isnan(rx_as_double(rx_test_value(t, 0))));
    assert_false(signbit(rx_as_double(rx_test_value(t, 1))));
    assert_true(signbit(rx_as_double(rx_test_value(t, 2))));
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_keeps_every_value_through_bucket_growth(void **state)
{
    rx_test_observer *t = filter_run(
        rx_distinct(rx_map(rx_range(0, 2000), mod500x32, NULL)), RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_count(t), 500);
    for (size_t i = 0; i < 500; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i * 32);
    }
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_on_empty_source_completes(void **state)
{
    rx_test_observer *t = filter_run(rx_distinct(rx_empty()), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_distinct_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    rx_test_observer *t = filter_run(
        rx_distinct(rx_map(probe_range(1, 5, &log), mod3, NULL)), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 0);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_distinct_fails_when_a_map_above_fails(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = filter_run(
        rx_distinct(rx_map(rx_of_ints(1, 1, 2, 3, 4), rx_t_fail_at, &at)),
        RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

/* A duplicate returns "not consumed", so the upstream emits the next item
 * without a new request: 3 requests see 3 items out of 9. */
static void
test_distinct_duplicates_cost_no_request(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t =
        filter_run(rx_distinct(rx_map(probe_range(1, 9, &log), mod3, NULL)), 0);

    (void)state;
    rx_test_request(t, 1);
    assert_rx_ints(t, 1);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 0);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 1, 2, 0);
    assert_rx_completed(t);
    assert_int_equal(log.requested, 4);
    assert_int_equal(log.emitted, 9);
    rx_test_observer_free(t);
}

static void
test_distinct_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_distinct(probe_range(1, -1, &log));

    (void)state;
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_distinct_rejects_a_null_source(void **state)
{
    (void)state;
    filter_set_other_last_error();
    assert_null(rx_distinct(NULL));
    assert_last_error_untouched();
}

/* SWEEP_ITEMS distinct values: the sweep fails each entry allocation,
 * uthash's table and bucket allocations, and its bucket growth. A failure
 * after the items began must be one RX_ENOMEM after a prefix of the
 * items, with the upstream cancelled. */
static void
distinct_oom_scenario(bool failed, void *ctx)
{
    struct probe_log log = {0};
    rx_observable *o = rx_distinct(probe_range(0, SWEEP_ITEMS, &log));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    size_t n;

    (void)ctx;
    if (o == NULL || t == NULL || rx_test_subscribe(o, t) != 0) {
        assert_true(failed);
        rx_observable_release(o);
        rx_test_observer_free(t);
        return;
    }
    rx_observable_release(o);
    n = rx_test_count(t);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i);
    }
    if (rx_test_error(t) != NULL) {
        assert_true(failed);
        assert_rx_error(t, RX_ENOMEM);
        assert_int_equal(log.cancels, 1);
    } else {
        assert_int_equal(n, SWEEP_ITEMS);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_distinct_survives_allocation_failures_in_the_set(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(distinct_oom_scenario, NULL) > SWEEP_ITEMS);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_rx_uthash_keys_tables_by_value),
        rx_unit_test(test_distinct_drops_items_seen_before),
        rx_unit_test(test_distinct_compares_strings_by_content),
        rx_unit_test(test_distinct_follows_double_equality),
        rx_unit_test(test_distinct_keeps_every_value_through_bucket_growth),
        rx_unit_test(test_distinct_on_empty_source_completes),
        rx_unit_test(test_distinct_passes_an_upstream_error_on),
        rx_unit_test(test_distinct_fails_when_a_map_above_fails),
        rx_unit_test(test_distinct_duplicates_cost_no_request),
        rx_unit_test(test_distinct_stops_when_cancelled_mid_stream),
        rx_unit_test(test_distinct_rejects_a_null_source),
        rx_unit_test(test_distinct_survives_allocation_failures_in_the_set),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
