/* SPDX-License-Identifier: MIT */
/*
 * Fusion and batches: consecutive synchronous operators collapse into one
 * stage, a filtered item costs no request(1), batch kernels see whole
 * arrays, and batch mode delivers the same items and signals as item mode.
 */
#include <string.h>

#include "rx-internal.h"
#include "rx_test.h"

static size_t
count_stages(const rx_subscription *sub)
{
    size_t n = 0;

    for (const rx__stage *s = sub->stages; s != NULL; s = s->next) {
        n++;
    }
    return n;
}

static void
test_range_map_filter_take_fuse_into_one_stage(void **state)
{
    rx_observable *o =
        rx_take(rx_filter(rx_map(rx_range(1, 100), rx_t_times10, NULL),
                          rx_t_is_even, NULL),
                3);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(count_stages(rx_test_subscription(t)), 1);
    rx_test_request(t, 10);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_a_non_fusable_operator_splits_the_run(void **state)
{
    rx_observable *o =
        rx_map(rx_take_last(rx_map(rx_range(1, 5), rx_t_times10, NULL), 2),
               rx_t_plus1, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* map | take_last | range+map */
    assert_int_equal(count_stages(rx_test_subscription(t)), 3);
    rx_test_request(t, 5);
    assert_rx_ints(t, 41, 51);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

/* A create source that emits while there is demand, and counts the demand
 * it was given. */
struct counted {
    int64_t requested;
    int64_t next;
    rx_emitter *em;
};

static void
counted_on_request(int64_t n, void *ctx)
{
    struct counted *c = ctx;

    c->requested += n;
    while (rx_emitter_requested(c->em) > 0 && c->next < 1000) {
        rx_emitter_next(c->em, rx_int(c->next++));
    }
}

static void
counted_create(rx_emitter *em, void *ctx)
{
    struct counted *c = ctx;

    c->em = em;
    rx_emitter_set_request(em, counted_on_request, c);
    /* Demand requested before the source started. */
    counted_on_request(rx_emitter_requested(em), c);
}

static void
test_filtered_items_cost_no_request(void **state)
{
    struct counted c = {0};
    rx_observable *o =
        rx_filter(rx_create(counted_create, &c), rx_t_is_even, NULL);
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* Five items were produced for three deliveries; the two odd ones were
     * dropped without a request(1) each, so the source saw demand 3. */
    assert_rx_ints(t, 0, 2, 4);
    assert_int_equal(c.requested, 3);
    assert_int_equal(c.next, 5);
    rx_test_observer_free(t);
}

static void
double_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t *calls = ctx;

    (void)err;
    (*calls)++;
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 2);
    }
}

static size_t
keep_multiples_of_3(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t out = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (rx_as_int(vals[i]) % 3 == 0) {
            vals[out++] = vals[i];
        }
    }
    return out;
}

static void
test_batch_kernels_see_whole_arrays(void **state)
{
    size_t calls = 0;
    rx_observable *o =
        rx_filter_batch(rx_map_batch(rx_range(0, 1000), double_kernel, &calls),
                        keep_multiples_of_3, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_counts c;

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 334);
    for (size_t i = 0; i < rx_test_count(t); i++) {
        assert_int_equal(rx_as_int(rx_test_value(t, i)), (int64_t)i * 6);
    }
    assert_rx_completed(t);
    assert_int_equal(calls, 4); /* 1000 items in batches of 256 */
    c = rx_test_get_counts(t);
    assert_int_equal(c.batches, 4);
    rx_test_observer_free(t);
}

static void
test_batch_mode_honours_demand(void **state)
{
    size_t calls = 0;
    rx_observable *o = rx_map_batch(rx_range(0, 1000), double_kernel, &calls);
    rx_test_observer *t = rx_test_observer_new(5);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 2, 4, 6, 8);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_take_inside_batch_mode_stops_at_its_count(void **state)
{
    size_t calls = 0;
    rx_observable *o =
        rx_take(rx_map_batch(rx_range(0, 1000), double_kernel, &calls), 3);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 0, 2, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_error_in_the_middle_of_a_batch_delivers_earlier_items_first(void **state)
{
    size_t calls = 0;
    int64_t fail_on = 300;
    rx_observable *o =
        rx_map(rx_map_batch(rx_range(0, 1000), double_kernel, &calls),
               rx_t_fail_at, &fail_on);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    /* 0, 2, ..., 298 pass; 300 fails. */
    assert_int_equal(rx_test_count(t), 150);
    assert_int_equal(rx_as_int(rx_test_value(t, 149)), 298);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_batch_observer_fed_one_by_one_gets_batches_of_one(void **state)
{
    rx_observable *o = rx_map(rx_create(counted_create, &(struct counted){0}),
                              rx_t_plus1, NULL);
    rx_test_observer *t = rx_test_observer_new(3);

    (void)state;
    rx_test_set_batch(t, true);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 1, 2, 3);
    rx_test_observer_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_range_map_filter_take_fuse_into_one_stage),
        rx_unit_test(test_a_non_fusable_operator_splits_the_run),
        rx_unit_test(test_filtered_items_cost_no_request),
        rx_unit_test(test_batch_kernels_see_whole_arrays),
        rx_unit_test(test_batch_mode_honours_demand),
        rx_unit_test(test_take_inside_batch_mode_stops_at_its_count),
        rx_unit_test(
            test_error_in_the_middle_of_a_batch_delivers_earlier_items_first),
        rx_unit_test(test_batch_observer_fed_one_by_one_gets_batches_of_one),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
