/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for zip, combine_latest, with_latest_from, race,
 * take_until, skip_until and start_with, over synchronous sources.
 *
 * zip's and combine_latest's errors cut ahead of rows waiting for
 * demand, so an error row would deliver a number of items that depends
 * on the demand pattern; their error rows fail in the combiner instead,
 * which runs when a row goes out.
 */
#include <stddef.h>

#include "conformance.h"
#include "rx_test.h"

static int64_t fail_sum = 6;

/* The sum of integer items; fails with RX_T_EUSER at fail_sum when ctx
 * is not NULL. */
static rx_value
sum(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    int64_t s = 0;

    for (size_t i = 0; i < n; i++) {
        s += rx_as_int(items[i]);
    }
    if (ctx != NULL && s == *(const int64_t *)ctx) {
        *err = rx_error_new(RX_T_EUSER, "conformance");
    }
    return rx_int(s);
}

/* ---- zip -------------------------------------------------------------- */

static rx_observable *
zip_two(void)
{
    return rx_zip(rx_range(1, 5), rx_of_ints(10, 20, 30), sum, NULL);
}

static rx_observable *
zip_arrays(void)
{
    return rx_zip(rx_range(0, 4), rx_range(100, 6), NULL, NULL);
}

static rx_observable *
zip_three(void)
{
    rx_observable *srcs[3];

    srcs[0] = rx_range(0, 300);
    srcs[1] = rx_range(0, 250);
    srcs[2] = rx_range(0, 400);
    return rx_zip_array(3, srcs, sum, NULL);
}

static rx_observable *
zip_combiner_fails(void)
{
    return rx_zip(rx_range(1, 5), rx_range(1, 5), sum, &fail_sum);
}

static rx_observable *
zip_with_never(void)
{
    return rx_zip(rx_never(), rx_range(1, 3), sum, NULL);
}

static rx_observable *
zip_of_nothing(void)
{
    return rx_zip_array(0, NULL, NULL, NULL);
}

/* ---- combine_latest ---------------------------------------------------- */

static rx_observable *
combine_latest_two(void)
{
    return rx_combine_latest(rx_of_ints(1, 2, 3), rx_of_ints(10, 20), sum,
                             NULL);
}

static rx_observable *
combine_latest_three(void)
{
    rx_observable *srcs[3];

    srcs[0] = rx_of_ints(1);
    srcs[1] = rx_range(10, 200);
    srcs[2] = rx_range(1000, 150);
    return rx_combine_latest_array(3, srcs, NULL, NULL);
}

static rx_observable *
combine_latest_with_empty(void)
{
    return rx_combine_latest(rx_range(1, 3), rx_empty(), sum, NULL);
}

static rx_observable *
combine_latest_combiner_fails(void)
{
    return rx_combine_latest(rx_of_ints(1), rx_range(1, 9), sum, &fail_sum);
}

/* ---- with_latest_from ---------------------------------------------------- */

static rx_observable *
with_latest_from_just(void)
{
    return rx_with_latest_from(rx_range(1, 5), rx_just(rx_int(100)), sum, NULL);
}

static rx_observable *
with_latest_from_empty(void)
{
    return rx_with_latest_from(rx_range(1, 5), rx_empty(), sum, NULL);
}

static rx_observable *
with_latest_from_error(void)
{
    return rx_with_latest_from(
        rx_range(1, 5), rx_throw(rx_error_new(RX_ETIMEDOUT, "conformance")),
        sum, NULL);
}

/* ---- race -------------------------------------------------------------- */

static rx_observable *
race_two(void)
{
    return rx_race(rx_range(1, 3), rx_range(10, 5));
}

static rx_observable *
race_never_first(void)
{
    rx_observable *srcs[3];

    srcs[0] = rx_never();
    srcs[1] = rx_range(1, 4);
    srcs[2] = rx_range(10, 2);
    return rx_race_array(3, srcs);
}

static rx_observable *
race_of_nevers(void)
{
    return rx_race(rx_never(), rx_never());
}

/* ---- take_until / skip_until -------------------------------------------- */

static rx_observable *
take_until_never(void)
{
    return rx_take_until(rx_range(1, 6), rx_never());
}

static rx_observable *
take_until_at_once(void)
{
    return rx_take_until(rx_range(1, 6), rx_just(rx_int(0)));
}

static rx_observable *
take_until_source_fails(void)
{
    return rx_take_until(
        rx_concat(rx_range(1, 3),
                  rx_throw(rx_error_new(RX_ETIMEDOUT, "conformance"))),
        rx_never());
}

static rx_observable *
skip_until_open(void)
{
    return rx_skip_until(rx_range(1, 6), rx_just(rx_int(0)));
}

static rx_observable *
skip_until_shut(void)
{
    return rx_skip_until(rx_range(1, 6), rx_never());
}

static rx_observable *
skip_until_empty(void)
{
    return rx_skip_until(rx_range(1, 6), rx_empty());
}

/* ---- start_with ---------------------------------------------------------- */

static rx_observable *
start_with_range(void)
{
    return rx_start_with(rx_range(1, 3), rx_of_ints(10, 20));
}

const rx_conf_case rx_conf_cases_comb[] = {
    {"zip(range, of_ints)", zip_two, 3, RX_CONF_COMPLETE, 0},
    {"zip(no combiner)", zip_arrays, 4, RX_CONF_COMPLETE, 0},
    {"zip_array(3 ranges)", zip_three, 250, RX_CONF_COMPLETE, 0},
    {"zip(combiner fails)", zip_combiner_fails, 2, RX_CONF_ERROR, RX_T_EUSER},
    {"zip(never, range)", zip_with_never, 0, RX_CONF_NONE, 0},
    {"zip_array(0)", zip_of_nothing, 0, RX_CONF_COMPLETE, 0},
    {"combine_latest(of_ints, of_ints)", combine_latest_two, 2,
     RX_CONF_COMPLETE, 0},
    {"combine_latest_array(3)", combine_latest_three, 150, RX_CONF_COMPLETE, 0},
    {"combine_latest(range, empty)", combine_latest_with_empty, 0,
     RX_CONF_COMPLETE, 0},
    {"combine_latest(combiner fails)", combine_latest_combiner_fails, 4,
     RX_CONF_ERROR, RX_T_EUSER},
    {"with_latest_from(range, just)", with_latest_from_just, 5,
     RX_CONF_COMPLETE, 0},
    {"with_latest_from(range, empty)", with_latest_from_empty, 0,
     RX_CONF_COMPLETE, 0},
    {"with_latest_from(range, throw)", with_latest_from_error, 0, RX_CONF_ERROR,
     RX_ETIMEDOUT},
    {"race(range, range)", race_two, 3, RX_CONF_COMPLETE, 0},
    {"race_array(never, range, range)", race_never_first, 4, RX_CONF_COMPLETE,
     0},
    {"race(never, never)", race_of_nevers, 0, RX_CONF_NONE, 0},
    {"take_until(range, never)", take_until_never, 6, RX_CONF_COMPLETE, 0},
    {"take_until(range, just)", take_until_at_once, 0, RX_CONF_COMPLETE, 0},
    {"take_until(source fails)", take_until_source_fails, 3, RX_CONF_ERROR,
     RX_ETIMEDOUT},
    {"skip_until(range, just)", skip_until_open, 6, RX_CONF_COMPLETE, 0},
    {"skip_until(range, never)", skip_until_shut, 0, RX_CONF_COMPLETE, 0},
    {"skip_until(range, empty)", skip_until_empty, 6, RX_CONF_COMPLETE, 0},
    {"start_with(range, of_ints)", start_with_range, 5, RX_CONF_COMPLETE, 0},
};

const size_t rx_conf_cases_comb_n =
    sizeof rx_conf_cases_comb / sizeof rx_conf_cases_comb[0];
