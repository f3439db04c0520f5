/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_reduce, rx_reduce_seed and rx_reduce_batch: the folded
 * result and when it is emitted, empty upstreams, errors from the
 * upstream and from the user function, batches, demand, cancel, bad
 * arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rx_test.h"

/* ---- user functions -------------------------------------------------- */

static rx_value
count_calls(rx_value v, void *ctx, rx_error **err)
{
    (void)err;
    (*(int *)ctx)++;
    return rx_value_retain(v);
}

/* Sums, failing with RX_T_EUSER when the item equals *(int64_t *)ctx. */
static rx_value
sum_fail_at(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    if (rx_as_int(v) == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "accumulator failed");
        return rx_nil();
    }
    return rx_int(rx_as_int(acc) + rx_as_int(v));
}

static rx_value
accum_invalid(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    (void)acc;
    (void)v;
    (void)ctx;
    (void)err;
    return rx_invalid();
}

static rx_value
concat(rx_value acc, rx_value v, void *ctx, rx_error **err)
{
    char buf[64];

    (void)ctx;
    (void)err;
    snprintf(buf, sizeof buf, "%s%s", rx_str_cstr(acc), rx_str_cstr(v));
    return rx_str(buf);
}

/* What the batch kernels record. */
struct kstats {
    int calls;
    size_t max_n;
    int64_t fail_at; /* fail when an item equals this; 0 for never */
    bool invalid;    /* return rx_invalid() */
};

static rx_value
sum_kernel(rx_value acc, const rx_value *vals, size_t n, void *ctx,
           rx_error **err)
{
    struct kstats *k = ctx;
    int64_t s = rx_as_int(acc);

    k->calls++;
    if (n > k->max_n) {
        k->max_n = n;
    }
    if (k->invalid) {
        return rx_invalid();
    }
    for (size_t i = 0; i < n; i++) {
        if (k->fail_at != 0 && rx_as_int(vals[i]) == k->fail_at) {
            *err = rx_error_new(RX_T_EUSER, "kernel failed");
            return rx_nil();
        }
        s += rx_as_int(vals[i]);
    }
    return rx_int(s);
}

static rx_observable *
abc(void)
{
    rx_value vals[3] = {rx_str("a"), rx_str("b"), rx_str("c")};

    return rx_from_values(3, vals);
}

static rx_test_observer *
sub(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    return t;
}

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = sub(obs, initial);

    rx_observable_release(obs);
    return t;
}

static rx_test_observer *
run(rx_observable *obs)
{
    return run_with(obs, RX_UNBOUNDED);
}

/* A stream of 1..n that is not fused with what follows, so its items
 * arrive one by one. */
static rx_observable *
unfused_range(int64_t n)
{
    return rx_dematerialize(rx_materialize(rx_range(1, n)));
}

/* ---- reduce ---------------------------------------------------------- */

static void
test_reduce_emits_folded_result_at_completion(void **state)
{
    rx_test_observer *t = run(rx_reduce(rx_range(1, 4), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_of_one_item_emits_it_without_calling_fn(void **state)
{
    int64_t never = 5;
    rx_test_observer *t = run(rx_reduce(rx_of_ints(5), sum_fail_at, &never));

    (void)state;
    assert_rx_ints(t, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_of_empty_source_completes_empty(void **state)
{
    rx_test_observer *t = run(rx_reduce(rx_empty(), rx_t_sum, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_passes_upstream_error_on(void **state)
{
    int64_t at = 3;
    rx_test_observer *t = run(
        rx_reduce(rx_map(rx_range(1, 5), rx_t_fail_at, &at), rx_t_sum, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_reduce_fn_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 3;
    int calls = 0;
    rx_test_observer *t = run(rx_reduce(
        rx_map(rx_range(1, 10), count_calls, &calls), sum_fail_at, &at));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 3);
    rx_test_observer_free(t);
}

static void
test_reduce_fn_returning_invalid_fails_with_enomem(void **state)
{
    rx_test_observer *t = run(rx_reduce(rx_range(1, 3), accum_invalid, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOMEM);
    rx_test_observer_free(t);
}

static void
test_reduce_result_waits_for_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_reduce(rx_range(1, 4), rx_t_sum, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_cancel_drops_a_waiting_result(void **state)
{
    rx_test_observer *t =
        run_with(rx_reduce(abc(), concat, NULL), 0); /* holds a string */

    (void)state;
    rx_test_cancel(t);
    rx_test_request(t, 1);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_reduce_folds_heap_values(void **state)
{
    rx_test_observer *t = run(rx_reduce(abc(), concat, NULL));

    (void)state;
    assert_int_equal(rx_test_count(t), 1);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "abc");
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_handles_many_items(void **state)
{
    rx_test_observer *t = run(rx_reduce(rx_range(1, 100000), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 5000050000LL);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_rejects_null_fn(void **state)
{
    (void)state;
    assert_rx_fails(rx_reduce(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_reduce");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
}

static void
test_reduce_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_reduce(NULL, rx_t_sum, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

/* ctx picks the form: 0 reduce, 1 reduce_seed, 2 reduce_batch. */
static void
reduce_oom_scenario(bool failed, void *ctx)
{
    int form = *(const int *)ctx;
    struct kstats k = {0};
    rx_observable *obs;
    rx_test_observer *t;
    int rc;

    (void)failed;
    if (form == 0) {
        obs = rx_reduce(abc(), concat, NULL);
    } else if (form == 1) {
        obs = rx_reduce_seed(abc(), rx_str(">"), concat, NULL);
    } else {
        obs = rx_reduce_batch(rx_range(1, 3), rx_int(0), sum_kernel, &k);
    }
    if (obs == NULL) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(t);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_true(rx_fault_triggered());
        assert_int_equal(rc, RX_ENOMEM);
    } else if (rx_test_error(t) != NULL) {
        assert_true(rx_fault_triggered());
        assert_rx_error(t, RX_ENOMEM);
    } else {
        assert_int_equal(rx_test_count(t), 1);
        if (form == 2) {
            assert_rx_ints(t, 6);
        } else {
            assert_string_equal(rx_str_cstr(rx_test_value(t, 0)),
                                form == 0 ? "abc" : ">abc");
        }
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_reduce_survives_allocation_failures(void **state)
{
    int form = 0;

    (void)state;
    assert_true(rx_oom_sweep(reduce_oom_scenario, &form) > 1);
}

/* ---- reduce_seed ----------------------------------------------------- */

static void
test_reduce_seed_folds_items_into_seed(void **state)
{
    rx_test_observer *t =
        run(rx_reduce_seed(rx_range(1, 3), rx_int(10), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 16);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_seed_of_empty_source_emits_the_seed(void **state)
{
    rx_test_observer *t =
        run(rx_reduce_seed(rx_empty(), rx_int(10), rx_t_sum, NULL));

    (void)state;
    assert_rx_ints(t, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_seed_shares_a_heap_seed_between_subscriptions(void **state)
{
    rx_observable *obs = rx_reduce_seed(abc(), rx_str(">"), concat, NULL);
    rx_test_observer *t1 = sub(obs, RX_UNBOUNDED);
    rx_test_observer *t2 = sub(obs, RX_UNBOUNDED);

    (void)state;
    rx_observable_release(obs);
    assert_string_equal(rx_str_cstr(rx_test_value(t1, 0)), ">abc");
    assert_rx_completed(t1);
    assert_string_equal(rx_str_cstr(rx_test_value(t2, 0)), ">abc");
    assert_rx_completed(t2);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
}

static void
test_reduce_seed_fn_error_cancels_upstream_and_fails_stream(void **state)
{
    int64_t at = 2;
    int calls = 0;
    rx_test_observer *t =
        run(rx_reduce_seed(rx_map(rx_range(1, 10), count_calls, &calls),
                           rx_int(0), sum_fail_at, &at));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_reduce_seed_passes_upstream_error_on(void **state)
{
    rx_test_observer *t =
        run(rx_reduce_seed(rx_throw(rx_error_new(RX_T_EUSER, "boom")),
                           rx_str("seed"), concat, NULL));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_reduce_seed_result_waits_for_demand(void **state)
{
    rx_test_observer *t =
        run_with(rx_reduce_seed(rx_empty(), rx_int(10), rx_t_sum, NULL), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 10);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_seed_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_reduce_seed(rx_range(1, 3), rx_str("s"), NULL, NULL),
                    RX_EINVAL, "rx_reduce_seed");
    assert_non_null(strstr(rx_last_error_message(), "fn"));
    assert_rx_fails(
        rx_reduce_seed(rx_range(1, 3), rx_invalid(), rx_t_sum, NULL), RX_ENOMEM,
        "rx_reduce_seed");
}

static void
test_reduce_seed_of_null_src_releases_seed_and_keeps_last_error(void **state)
{
    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_reduce_seed(NULL, rx_str("s"), rx_t_sum, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_reduce_seed_survives_allocation_failures(void **state)
{
    int form = 1;

    (void)state;
    assert_true(rx_oom_sweep(reduce_oom_scenario, &form) > 1);
}

/* ---- reduce_batch ---------------------------------------------------- */

static void
test_reduce_batch_folds_whole_batches_from_range(void **state)
{
    struct kstats k = {0};
    rx_test_observer *t =
        run(rx_reduce_batch(rx_range(1, 1000), rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_ints(t, 500500);
    assert_rx_completed(t);
    assert_true(k.max_n > 1);
    assert_true(k.calls < 1000);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_takes_unbatched_items_one_by_one(void **state)
{
    struct kstats k = {0};
    rx_test_observer *t =
        run(rx_reduce_batch(unfused_range(3), rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_ints(t, 6);
    assert_rx_completed(t);
    assert_int_equal(k.calls, 3);
    assert_int_equal(k.max_n, 1);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_of_empty_source_emits_the_seed(void **state)
{
    struct kstats k = {0};
    rx_test_observer *t =
        run(rx_reduce_batch(rx_empty(), rx_int(7), sum_kernel, &k));

    (void)state;
    assert_rx_ints(t, 7);
    assert_rx_completed(t);
    assert_int_equal(k.calls, 0);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_kernel_error_cancels_upstream_and_fails_stream(void **state)
{
    struct kstats k = {.fail_at = 2};
    int calls = 0;
    rx_test_observer *t =
        run(rx_reduce_batch(rx_map(unfused_range(10), count_calls, &calls),
                            rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(calls, 2);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_kernel_error_in_a_batch_fails_stream(void **state)
{
    struct kstats k = {.fail_at = 500};
    rx_test_observer *t =
        run(rx_reduce_batch(rx_range(1, 1000), rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_kernel_returning_invalid_fails_with_enomem(void **state)
{
    struct kstats k = {.invalid = true};
    rx_test_observer *t =
        run(rx_reduce_batch(rx_range(1, 10), rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOMEM);
    assert_int_equal(k.calls, 1);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_fails_on_a_heap_item(void **state)
{
    struct kstats k = {0};
    rx_test_observer *t =
        run(rx_reduce_batch(abc(), rx_int(0), sum_kernel, &k));

    (void)state;
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_reduce_batch"));
    assert_int_equal(k.calls, 0);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_result_waits_for_demand(void **state)
{
    struct kstats k = {0};
    rx_test_observer *t = run_with(
        rx_reduce_batch(rx_range(1, 10), rx_int(0), sum_kernel, &k), 0);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 55);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_reduce_batch_rejects_bad_arguments(void **state)
{
    struct kstats k = {0};

    (void)state;
    assert_rx_fails(rx_reduce_batch(rx_range(1, 3), rx_int(0), NULL, NULL),
                    RX_EINVAL, "rx_reduce_batch");
    assert_non_null(strstr(rx_last_error_message(), "kernel"));
    assert_rx_fails(
        rx_reduce_batch(rx_range(1, 3), rx_invalid(), sum_kernel, &k),
        RX_ENOMEM, "rx_reduce_batch");
}

static void
test_reduce_batch_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    struct kstats k = {0};

    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_reduce_batch(NULL, rx_str("s"), sum_kernel, &k));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
test_reduce_batch_survives_allocation_failures(void **state)
{
    int form = 2;

    (void)state;
    assert_true(rx_oom_sweep(reduce_oom_scenario, &form) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_reduce_emits_folded_result_at_completion),
        rx_unit_test(test_reduce_of_one_item_emits_it_without_calling_fn),
        rx_unit_test(test_reduce_of_empty_source_completes_empty),
        rx_unit_test(test_reduce_passes_upstream_error_on),
        rx_unit_test(test_reduce_fn_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_reduce_fn_returning_invalid_fails_with_enomem),
        rx_unit_test(test_reduce_result_waits_for_demand),
        rx_unit_test(test_reduce_cancel_drops_a_waiting_result),
        rx_unit_test(test_reduce_folds_heap_values),
        rx_unit_test(test_reduce_handles_many_items),
        rx_unit_test(test_reduce_rejects_null_fn),
        rx_unit_test(test_reduce_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_reduce_survives_allocation_failures),
        rx_unit_test(test_reduce_seed_folds_items_into_seed),
        rx_unit_test(test_reduce_seed_of_empty_source_emits_the_seed),
        rx_unit_test(test_reduce_seed_shares_a_heap_seed_between_subscriptions),
        rx_unit_test(
            test_reduce_seed_fn_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_reduce_seed_passes_upstream_error_on),
        rx_unit_test(test_reduce_seed_result_waits_for_demand),
        rx_unit_test(test_reduce_seed_rejects_bad_arguments),
        rx_unit_test(
            test_reduce_seed_of_null_src_releases_seed_and_keeps_last_error),
        rx_unit_test(test_reduce_seed_survives_allocation_failures),
        rx_unit_test(test_reduce_batch_folds_whole_batches_from_range),
        rx_unit_test(test_reduce_batch_takes_unbatched_items_one_by_one),
        rx_unit_test(test_reduce_batch_of_empty_source_emits_the_seed),
        rx_unit_test(
            test_reduce_batch_kernel_error_cancels_upstream_and_fails_stream),
        rx_unit_test(test_reduce_batch_kernel_error_in_a_batch_fails_stream),
        rx_unit_test(
            test_reduce_batch_kernel_returning_invalid_fails_with_enomem),
        rx_unit_test(test_reduce_batch_fails_on_a_heap_item),
        rx_unit_test(test_reduce_batch_result_waits_for_demand),
        rx_unit_test(test_reduce_batch_rejects_bad_arguments),
        rx_unit_test(
            test_reduce_batch_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_reduce_batch_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
