/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the transforming and aggregating operators: map,
 * map_batch, scan, scan_seed, materialize, dematerialize, reduce,
 * reduce_seed, reduce_batch, count, to_array, all, any, contains and
 * default_if_empty. Each operator gets a completing row and, where the
 * operator can produce them, an empty, a failing and a never-ending one.
 *
 * The harness compares runs with different demand patterns item by item,
 * so rows whose items depend on when demand arrives are left out
 * (scan_seed over a source that fails at once emits its seed only if
 * demand came first), and so are rows emitting error-notifications
 * (materialize of a failing source): those compare their errors by
 * identity, and every run makes a new error. test_materialize.c covers
 * both.
 */
#include <stddef.h>

#include "conformance.h"
#include "rx_test.h"

static int64_t three = 3;

/* ---- user functions -------------------------------------------------- */

static void
times10_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        vals[i] = rx_int(rx_as_int(vals[i]) * 10);
    }
}

static void
failing_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)n;
    (void)ctx;
    *err = rx_error_new(RX_T_EUSER, "kernel failed");
}

static rx_value
sum_kernel(rx_value acc, const rx_value *vals, size_t n, void *ctx,
           rx_error **err)
{
    int64_t s = rx_as_int(acc);

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        s += rx_as_int(vals[i]);
    }
    return rx_int(s);
}

/* Turns an int into a string, failing with RX_T_EUSER at 3. */
static rx_value
str_fail_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 3) {
        *err = rx_error_new(RX_T_EUSER, "failed at 3");
        return rx_nil();
    }
    return rx_str(rx_as_int(v) == 1 ? "one" : "two");
}

/* 1..5, failing with RX_T_EUSER at 3 (two items, then the error). */
static rx_observable *
fails_at_3(void)
{
    return rx_map(rx_range(1, 5), rx_t_fail_at, &three);
}

/* ---- map, map_batch -------------------------------------------------- */

static rx_observable *
map_range(void)
{
    return rx_map(rx_range(1, 5), rx_t_times10, NULL);
}

static rx_observable *
map_fails(void)
{
    return rx_map(rx_range(1, 5), rx_t_fail_at, &three);
}

static rx_observable *
map_empty(void)
{
    return rx_map(rx_empty(), rx_t_times10, NULL);
}

static rx_observable *
map_never(void)
{
    return rx_map(rx_never(), rx_t_times10, NULL);
}

static rx_observable *
map_batch_range(void)
{
    return rx_map_batch(rx_range(1, 5), times10_kernel, NULL);
}

static rx_observable *
map_batch_fails(void)
{
    return rx_map_batch(rx_range(1, 5), failing_kernel, NULL);
}

/* ---- scan, scan_seed ------------------------------------------------- */

static rx_observable *
scan_range(void)
{
    return rx_scan(rx_range(1, 5), rx_t_sum, NULL);
}

static rx_observable *
scan_fails(void)
{
    return rx_scan(fails_at_3(), rx_t_sum, NULL);
}

static rx_observable *
scan_seed_range(void)
{
    return rx_scan_seed(rx_range(1, 5), rx_int(100), rx_t_sum, NULL);
}

static rx_observable *
scan_seed_empty(void)
{
    return rx_scan_seed(rx_empty(), rx_str("seed"), rx_t_sum, NULL);
}

static rx_observable *
scan_seed_fails(void)
{
    return rx_scan_seed(fails_at_3(), rx_int(0), rx_t_sum, NULL);
}

static rx_observable *
scan_seed_never(void)
{
    return rx_scan_seed(rx_never(), rx_int(0), rx_t_sum, NULL);
}

/* ---- materialize, dematerialize -------------------------------------- */

static rx_observable *
materialize_range(void)
{
    return rx_materialize(rx_range(1, 3));
}

static rx_observable *
materialize_empty(void)
{
    return rx_materialize(rx_empty());
}

static rx_observable *
materialize_never(void)
{
    return rx_materialize(rx_never());
}

static rx_observable *
dematerialize_range(void)
{
    return rx_dematerialize(rx_materialize(rx_range(1, 3)));
}

static rx_observable *
dematerialize_fails(void)
{
    return rx_dematerialize(rx_materialize(fails_at_3()));
}

static rx_observable *
dematerialize_ints(void)
{
    return rx_dematerialize(rx_range(1, 3));
}

/* ---- reduce family, count, to_array ---------------------------------- */

static rx_observable *
reduce_range(void)
{
    return rx_reduce(rx_range(1, 5), rx_t_sum, NULL);
}

static rx_observable *
reduce_empty(void)
{
    return rx_reduce(rx_empty(), rx_t_sum, NULL);
}

static rx_observable *
reduce_fails(void)
{
    return rx_reduce(fails_at_3(), rx_t_sum, NULL);
}

static rx_observable *
reduce_never(void)
{
    return rx_reduce(rx_never(), rx_t_sum, NULL);
}

static rx_observable *
reduce_seed_range(void)
{
    return rx_reduce_seed(rx_range(1, 5), rx_int(10), rx_t_sum, NULL);
}

static rx_observable *
reduce_seed_empty(void)
{
    return rx_reduce_seed(rx_empty(), rx_str("seed"), rx_t_sum, NULL);
}

static rx_observable *
reduce_batch_range(void)
{
    return rx_reduce_batch(rx_range(1, 1000), rx_int(0), sum_kernel, NULL);
}

static rx_observable *
reduce_batch_fails(void)
{
    return rx_reduce_batch(fails_at_3(), rx_int(0), sum_kernel, NULL);
}

static rx_observable *
count_range(void)
{
    return rx_count(rx_range(1, 5));
}

static rx_observable *
count_empty(void)
{
    return rx_count(rx_empty());
}

static rx_observable *
count_fails(void)
{
    return rx_count(fails_at_3());
}

static rx_observable *
to_array_range(void)
{
    return rx_to_array(rx_range(1, 5));
}

static rx_observable *
to_array_empty(void)
{
    return rx_to_array(rx_empty());
}

static rx_observable *
to_array_fails(void)
{
    return rx_to_array(rx_map(rx_range(1, 5), str_fail_at_3, NULL));
}

/* ---- all, any, contains, default_if_empty ---------------------------- */

static rx_observable *
all_range(void)
{
    return rx_all(rx_range(1, 5), rx_t_is_even, NULL);
}

static rx_observable *
all_empty(void)
{
    return rx_all(rx_empty(), rx_t_is_even, NULL);
}

static rx_observable *
all_fails(void)
{
    return rx_all(rx_of_ints(2, 4, 3), rx_t_pred_fail_at, &three);
}

static rx_observable *
any_range(void)
{
    return rx_any(rx_range(1, 5), rx_t_is_even, NULL);
}

static rx_observable *
any_never(void)
{
    return rx_any(rx_never(), rx_t_is_even, NULL);
}

static rx_observable *
contains_found(void)
{
    return rx_contains(rx_range(1, 5), rx_int(3));
}

static rx_observable *
contains_missing(void)
{
    return rx_contains(rx_range(1, 5), rx_str("3"));
}

static rx_observable *
default_if_empty_empty(void)
{
    return rx_default_if_empty(rx_empty(), rx_str("default"));
}

static rx_observable *
default_if_empty_range(void)
{
    return rx_default_if_empty(rx_range(1, 3), rx_int(0));
}

static rx_observable *
default_if_empty_fails(void)
{
    return rx_default_if_empty(fails_at_3(), rx_int(0));
}

static rx_observable *
default_if_empty_never(void)
{
    return rx_default_if_empty(rx_never(), rx_int(0));
}

#define COMPLETES(name, make, n)                                               \
    {                                                                          \
        name, make, n, RX_CONF_COMPLETE, 0                                     \
    }
#define FAILS(name, make, n, code)                                             \
    {                                                                          \
        name, make, n, RX_CONF_ERROR, code                                     \
    }
#define NEVER_ENDS(name, make, n)                                              \
    {                                                                          \
        name, make, n, RX_CONF_NONE, 0                                         \
    }

const rx_conf_case rx_conf_cases_agg[] = {
    COMPLETES("map(range)", map_range, 5),
    FAILS("map(fn fails at 3)", map_fails, 2, RX_T_EUSER),
    COMPLETES("map(empty)", map_empty, 0),
    NEVER_ENDS("map(never)", map_never, 0),
    COMPLETES("map_batch(range)", map_batch_range, 5),
    FAILS("map_batch(kernel fails)", map_batch_fails, 0, RX_T_EUSER),
    COMPLETES("scan(range)", scan_range, 5),
    FAILS("scan(fails at 3)", scan_fails, 2, RX_T_EUSER),
    COMPLETES("scan_seed(range)", scan_seed_range, 6),
    COMPLETES("scan_seed(empty)", scan_seed_empty, 1),
    FAILS("scan_seed(fails at 3)", scan_seed_fails, 3, RX_T_EUSER),
    NEVER_ENDS("scan_seed(never)", scan_seed_never, 1),
    COMPLETES("materialize(range)", materialize_range, 4),
    COMPLETES("materialize(empty)", materialize_empty, 1),
    NEVER_ENDS("materialize(never)", materialize_never, 0),
    COMPLETES("dematerialize(materialize(range))", dematerialize_range, 3),
    FAILS("dematerialize(materialize(fails at 3))", dematerialize_fails, 2,
          RX_T_EUSER),
    FAILS("dematerialize(ints)", dematerialize_ints, 0, RX_EINVAL),
    COMPLETES("reduce(range)", reduce_range, 1),
    COMPLETES("reduce(empty)", reduce_empty, 0),
    FAILS("reduce(fails at 3)", reduce_fails, 0, RX_T_EUSER),
    NEVER_ENDS("reduce(never)", reduce_never, 0),
    COMPLETES("reduce_seed(range)", reduce_seed_range, 1),
    COMPLETES("reduce_seed(empty)", reduce_seed_empty, 1),
    COMPLETES("reduce_batch(range)", reduce_batch_range, 1),
    FAILS("reduce_batch(fails at 3)", reduce_batch_fails, 0, RX_T_EUSER),
    COMPLETES("count(range)", count_range, 1),
    COMPLETES("count(empty)", count_empty, 1),
    FAILS("count(fails at 3)", count_fails, 0, RX_T_EUSER),
    COMPLETES("to_array(range)", to_array_range, 1),
    COMPLETES("to_array(empty)", to_array_empty, 1),
    FAILS("to_array(heap items, fails at 3)", to_array_fails, 0, RX_T_EUSER),
    COMPLETES("all(range, is_even)", all_range, 1),
    COMPLETES("all(empty)", all_empty, 1),
    FAILS("all(pred fails)", all_fails, 0, RX_T_EUSER),
    COMPLETES("any(range, is_even)", any_range, 1),
    NEVER_ENDS("any(never)", any_never, 0),
    COMPLETES("contains(range, 3)", contains_found, 1),
    COMPLETES("contains(range, \"3\")", contains_missing, 1),
    COMPLETES("default_if_empty(empty)", default_if_empty_empty, 1),
    COMPLETES("default_if_empty(range)", default_if_empty_range, 3),
    FAILS("default_if_empty(fails at 3)", default_if_empty_fails, 2,
          RX_T_EUSER),
    NEVER_ENDS("default_if_empty(never)", default_if_empty_never, 0),
};

const size_t rx_conf_cases_agg_n =
    sizeof rx_conf_cases_agg / sizeof rx_conf_cases_agg[0];
