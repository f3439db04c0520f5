/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the filtering operators: filter, filter_batch,
 * take, take_while, take_last, skip, skip_while, skip_last, distinct,
 * distinct_until_changed, first, last, element_at and ignore_elements.
 * Each operator gets a completing row and, where its behaviour differs,
 * rows for the edges: count 0, counts beyond the length, an empty
 * upstream (first / last / element_at fail with RX_ENOELEMENT), a failing
 * upstream or user function, and a never-ending upstream.
 */
#include <stddef.h>

#include "conformance.h"
#include "rx_test.h"

static int64_t five = 5;

/* ---- user functions -------------------------------------------------- */

static bool
below4(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) < 4;
}

/* True, except that it fails with RX_T_EUSER at 3. */
static bool
fails_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_as_int(v) == 3) {
        *err = rx_error_new(RX_T_EUSER, "pred failed");
    }
    return true;
}

static size_t
keep_even_kernel(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    size_t k = 0;

    (void)ctx;
    (void)err;
    for (size_t i = 0; i < n; i++) {
        if (rx_as_int(vals[i]) % 2 == 0) {
            vals[k++] = vals[i];
        }
    }
    return k;
}

static rx_observable *
boom(void)
{
    return rx_throw(rx_error_new(RX_T_EUSER, "boom"));
}

/* 1..10 through a map that fails with RX_T_EUSER at 5. */
static rx_observable *
fails_at_5(void)
{
    return rx_map(rx_range(1, 10), rx_t_fail_at, &five);
}

static rx_observable *
strings(void)
{
    rx_value v[] = {rx_str("a"), rx_str("b"), rx_str("a"), rx_str("c"),
                    rx_str("b")};

    return rx_from_values(5, v);
}

/* ---- rows ------------------------------------------------------------ */

static rx_observable *
filter_range(void)
{
    return rx_filter(rx_range(1, 10), rx_t_is_even, NULL);
}

static rx_observable *
filter_empty(void)
{
    return rx_filter(rx_empty(), rx_t_is_even, NULL);
}

static rx_observable *
filter_pred_fails(void)
{
    return rx_filter(rx_range(1, 10), rx_t_pred_fail_at, &five);
}

static rx_observable *
filter_never(void)
{
    return rx_filter(rx_never(), rx_t_is_even, NULL);
}

static rx_observable *
filter_batch_range(void)
{
    return rx_filter_batch(rx_range(1, 10), keep_even_kernel, NULL);
}

static rx_observable *
take_range(void)
{
    return rx_take(rx_range(1, 10), 3);
}

static rx_observable *
take_zero(void)
{
    return rx_take(rx_range(1, 10), 0);
}

static rx_observable *
take_zero_never(void)
{
    return rx_take(rx_never(), 0);
}

static rx_observable *
take_beyond(void)
{
    return rx_take(rx_range(1, 3), 10);
}

static rx_observable *
take_never(void)
{
    return rx_take(rx_never(), 2);
}

static rx_observable *
take_error(void)
{
    return rx_take(fails_at_5(), 10);
}

static rx_observable *
take_while_range(void)
{
    return rx_take_while(rx_range(1, 10), below4, NULL);
}

static rx_observable *
take_while_pred_fails(void)
{
    return rx_take_while(rx_range(1, 10), fails_at_3, NULL);
}

static rx_observable *
take_last_range(void)
{
    return rx_take_last(rx_range(1, 10), 3);
}

static rx_observable *
take_last_zero(void)
{
    return rx_take_last(rx_range(1, 10), 0);
}

static rx_observable *
take_last_beyond(void)
{
    return rx_take_last(strings(), 10);
}

static rx_observable *
take_last_error(void)
{
    return rx_take_last(fails_at_5(), 2);
}

static rx_observable *
take_last_never(void)
{
    return rx_take_last(rx_never(), 2);
}

static rx_observable *
skip_range(void)
{
    return rx_skip(rx_range(1, 10), 3);
}

static rx_observable *
skip_beyond(void)
{
    return rx_skip(rx_range(1, 3), 5);
}

static rx_observable *
skip_never(void)
{
    return rx_skip(rx_never(), 1);
}

static rx_observable *
skip_while_range(void)
{
    return rx_skip_while(rx_range(1, 10), below4, NULL);
}

static rx_observable *
skip_while_pred_fails(void)
{
    return rx_skip_while(rx_range(1, 10), fails_at_3, NULL);
}

static rx_observable *
skip_last_range(void)
{
    return rx_skip_last(rx_range(1, 10), 3);
}

static rx_observable *
skip_last_zero(void)
{
    return rx_skip_last(strings(), 0);
}

static rx_observable *
skip_last_beyond(void)
{
    return rx_skip_last(rx_range(1, 3), 5);
}

static rx_observable *
skip_last_error(void)
{
    return rx_skip_last(fails_at_5(), 2);
}

static rx_observable *
distinct_ints(void)
{
    return rx_distinct(rx_of_ints(1, 2, 1, 3, 2, 4, 4));
}

static rx_observable *
distinct_strings(void)
{
    return rx_distinct(strings());
}

static rx_observable *
distinct_error(void)
{
    return rx_distinct(fails_at_5());
}

static rx_observable *
distinct_never(void)
{
    return rx_distinct(rx_never());
}

static rx_observable *
distinct_until_changed_ints(void)
{
    return rx_distinct_until_changed(rx_of_ints(1, 1, 2, 2, 1, 3, 3));
}

static rx_observable *
distinct_until_changed_error(void)
{
    return rx_distinct_until_changed(fails_at_5());
}

static rx_observable *
first_range(void)
{
    return rx_first(rx_range(1, 10));
}

static rx_observable *
first_empty(void)
{
    return rx_first(rx_empty());
}

static rx_observable *
first_error(void)
{
    return rx_first(boom());
}

static rx_observable *
first_never(void)
{
    return rx_first(rx_never());
}

static rx_observable *
last_range(void)
{
    return rx_last(strings());
}

static rx_observable *
last_empty(void)
{
    return rx_last(rx_empty());
}

static rx_observable *
last_error(void)
{
    return rx_last(fails_at_5());
}

static rx_observable *
element_at_range(void)
{
    return rx_element_at(rx_range(1, 10), 4);
}

static rx_observable *
element_at_beyond(void)
{
    return rx_element_at(rx_range(1, 3), 3);
}

static rx_observable *
ignore_elements_range(void)
{
    return rx_ignore_elements(rx_range(1, 10));
}

static rx_observable *
ignore_elements_error(void)
{
    return rx_ignore_elements(fails_at_5());
}

static rx_observable *
ignore_elements_never(void)
{
    return rx_ignore_elements(rx_never());
}

/* A fused run and stages mixed: 1..100, even, skip 2, distinct, take 3. */
static rx_observable *
chain(void)
{
    return rx_take(rx_distinct(rx_skip(
                       rx_filter(rx_range(1, 100), rx_t_is_even, NULL), 2)),
                   3);
}

#define COMPLETE(name, make, n)                                                \
    {                                                                          \
        name, make, n, RX_CONF_COMPLETE, 0                                     \
    }
#define FAILS(name, make, n, code)                                             \
    {                                                                          \
        name, make, n, RX_CONF_ERROR, code                                     \
    }
#define ENDLESS(name, make, n)                                                 \
    {                                                                          \
        name, make, n, RX_CONF_NONE, 0                                         \
    }

const rx_conf_case rx_conf_cases_filter[] = {
    COMPLETE("filter(range 1..10, even)", filter_range, 5),
    COMPLETE("filter(empty)", filter_empty, 0),
    FAILS("filter(pred fails at 5)", filter_pred_fails, 2, RX_T_EUSER),
    ENDLESS("filter(never)", filter_never, 0),
    COMPLETE("filter_batch(range 1..10, even)", filter_batch_range, 5),
    COMPLETE("take(range 1..10, 3)", take_range, 3),
    COMPLETE("take(range 1..10, 0)", take_zero, 0),
    COMPLETE("take(never, 0)", take_zero_never, 0),
    COMPLETE("take(range 1..3, 10)", take_beyond, 3),
    ENDLESS("take(never, 2)", take_never, 0),
    FAILS("take(map fails at 5, 10)", take_error, 4, RX_T_EUSER),
    COMPLETE("take_while(range 1..10, x < 4)", take_while_range, 3),
    FAILS("take_while(pred fails at 3)", take_while_pred_fails, 2, RX_T_EUSER),
    COMPLETE("take_last(range 1..10, 3)", take_last_range, 3),
    COMPLETE("take_last(range 1..10, 0)", take_last_zero, 0),
    COMPLETE("take_last(5 strings, 10)", take_last_beyond, 5),
    FAILS("take_last(map fails at 5, 2)", take_last_error, 0, RX_T_EUSER),
    ENDLESS("take_last(never, 2)", take_last_never, 0),
    COMPLETE("skip(range 1..10, 3)", skip_range, 7),
    COMPLETE("skip(range 1..3, 5)", skip_beyond, 0),
    ENDLESS("skip(never, 1)", skip_never, 0),
    COMPLETE("skip_while(range 1..10, x < 4)", skip_while_range, 7),
    FAILS("skip_while(pred fails at 3)", skip_while_pred_fails, 0, RX_T_EUSER),
    COMPLETE("skip_last(range 1..10, 3)", skip_last_range, 7),
    COMPLETE("skip_last(5 strings, 0)", skip_last_zero, 5),
    COMPLETE("skip_last(range 1..3, 5)", skip_last_beyond, 0),
    FAILS("skip_last(map fails at 5, 2)", skip_last_error, 2, RX_T_EUSER),
    COMPLETE("distinct(1 2 1 3 2 4 4)", distinct_ints, 4),
    COMPLETE("distinct(strings a b a c b)", distinct_strings, 3),
    FAILS("distinct(map fails at 5)", distinct_error, 4, RX_T_EUSER),
    ENDLESS("distinct(never)", distinct_never, 0),
    COMPLETE("distinct_until_changed(1 1 2 2 1 3 3)",
             distinct_until_changed_ints, 4),
    FAILS("distinct_until_changed(map fails at 5)",
          distinct_until_changed_error, 4, RX_T_EUSER),
    COMPLETE("first(range 1..10)", first_range, 1),
    FAILS("first(empty)", first_empty, 0, RX_ENOELEMENT),
    FAILS("first(throw)", first_error, 0, RX_T_EUSER),
    ENDLESS("first(never)", first_never, 0),
    COMPLETE("last(5 strings)", last_range, 1),
    FAILS("last(empty)", last_empty, 0, RX_ENOELEMENT),
    FAILS("last(map fails at 5)", last_error, 0, RX_T_EUSER),
    COMPLETE("element_at(range 1..10, 4)", element_at_range, 1),
    FAILS("element_at(range 1..3, 3)", element_at_beyond, 0, RX_ENOELEMENT),
    COMPLETE("ignore_elements(range 1..10)", ignore_elements_range, 0),
    FAILS("ignore_elements(map fails at 5)", ignore_elements_error, 0,
          RX_T_EUSER),
    ENDLESS("ignore_elements(never)", ignore_elements_never, 0),
    COMPLETE("take(distinct(skip(filter(range 1..100, even), 2)), 3)", chain,
             3),
};

const size_t rx_conf_cases_filter_n =
    sizeof rx_conf_cases_filter / sizeof rx_conf_cases_filter[0];
