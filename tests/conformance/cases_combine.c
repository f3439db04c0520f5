/* SPDX-License-Identifier: MIT */
/* Conformance rows for merge, merge_array, flat_map and concat_map. */
#include "conformance.h"

static rx_observable *
merge_two(void)
{
    return rx_merge(rx_of_ints(1, 2, 3), rx_range(10, 4));
}

static rx_observable *
merge_array_limited(void)
{
    rx_observable *srcs[3];

    srcs[0] = rx_of_ints(1, 2);
    srcs[1] = rx_empty();
    srcs[2] = rx_range(5, 3);
    return rx_merge_array(3, srcs, 1);
}

/* Without delay_error an error cuts ahead of items still queued for
 * demand (as in RxJava), so the item count would depend on the demand
 * pattern; with delay_error it does not. */
static rx_observable *
to_error_after_items(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    if (rx_as_int(v) == 2) {
        return rx_concat(rx_of_ints(20, 21),
                         rx_throw(rx_error_new(RX_ETIMEDOUT, "conformance")));
    }
    return rx_of_ints(rx_as_int(v));
}

static rx_observable *
merge_with_error(void)
{
    rx_flat_map_config cfg = {.fn = to_error_after_items, .delay_error = true};

    return rx_flat_map_opts(rx_range(1, 3), &cfg);
}

static rx_observable *
merge_with_never(void)
{
    return rx_merge(rx_of_ints(1, 2, 3), rx_never());
}

static rx_observable *
triple(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 3);
}

static rx_observable *
flat_map_ranges(void)
{
    return rx_flat_map(rx_range(1, 4), triple, NULL);
}

static rx_observable *
flat_map_limited(void)
{
    rx_flat_map_config cfg = {.fn = triple, .max_concurrent = 2, .prefetch = 2};

    return rx_flat_map_opts(rx_range(1, 5), &cfg);
}

static rx_observable *
concat_map_ranges(void)
{
    return rx_concat_map(rx_range(1, 3), triple, NULL);
}

static rx_observable *
flat_map_of_empty(void)
{
    return rx_flat_map(rx_empty(), triple, NULL);
}

const rx_conf_case rx_conf_cases_combine[] = {
    {"merge(of_ints, range)", merge_two, 7, RX_CONF_COMPLETE, 0},
    {"merge_array(max 1)", merge_array_limited, 5, RX_CONF_COMPLETE, 0},
    {"flat_map(delay_error, one inner fails)", merge_with_error, 4,
     RX_CONF_ERROR, RX_ETIMEDOUT},
    {"merge(of_ints, never)", merge_with_never, 3, RX_CONF_NONE, 0},
    {"flat_map(range -> range)", flat_map_ranges, 12, RX_CONF_COMPLETE, 0},
    {"flat_map(max 2, prefetch 2)", flat_map_limited, 15, RX_CONF_COMPLETE, 0},
    {"concat_map(range -> range)", concat_map_ranges, 9, RX_CONF_COMPLETE, 0},
    {"flat_map(empty)", flat_map_of_empty, 0, RX_CONF_COMPLETE, 0},
};

const size_t rx_conf_cases_combine_n =
    sizeof rx_conf_cases_combine / sizeof rx_conf_cases_combine[0];
