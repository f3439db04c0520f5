/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the higher-order operators: switch_on_next,
 * switch_map, exhaust_map, concat_map_eager, group_by, window_boundary,
 * buffer_boundary and expand. Synchronous sources only. Groups and
 * windows are flattened with flat_map (which subscribes each one as it
 * comes), so the item count does not depend on the demand pattern. The
 * switching rows have one outer item: with several, how many items a
 * switch drops (those its previous inner had queued) depends on the
 * demand, which is the point of switching.
 */
#include "conformance.h"

static rx_observable *
triple(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_range(rx_as_int(v) * 10, 3);
}

static rx_observable *
itself(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_value_observable(v);
}

static rx_value
to_inner(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_observable_value(rx_range(rx_as_int(v), 2));
}

static rx_value
parity(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) % 2);
}

static rx_observable *
halve(rx_value v, void *ctx, rx_error **err)
{
    int64_t x = rx_as_int(v);

    (void)ctx;
    (void)err;
    return x > 1 ? rx_of_ints(x - 1, x - 1) : rx_empty();
}

static rx_observable *
switch_on_next_ranges(void)
{
    return rx_switch_on_next(rx_map(rx_of_ints(5), to_inner, NULL));
}

static rx_observable *
switch_map_ranges(void)
{
    return rx_switch_map(rx_of_ints(2), triple, NULL);
}

static rx_observable *
exhaust_map_ranges(void)
{
    return rx_exhaust_map(rx_of_ints(3), triple, NULL);
}

static rx_observable *
concat_map_eager_ranges(void)
{
    return rx_concat_map_eager(rx_range(1, 4), triple, NULL);
}

static rx_observable *
group_by_merged(void)
{
    return rx_flat_map(rx_group_by(rx_range(1, 10), parity, NULL), itself,
                       NULL);
}

static rx_observable *
collect(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_to_array(rx_value_observable(v));
}

/* An error cuts ahead of the items flat_map queued for demand (as in
 * RxJava), so the error rows live in the unit tests; here each group is
 * collected into one array. */
static rx_observable *
group_by_collected(void)
{
    return rx_flat_map(rx_group_by(rx_range(1, 10), parity, NULL), collect,
                       NULL);
}

static rx_observable *
window_boundary_merged(void)
{
    return rx_flat_map(rx_window_boundary(rx_range(1, 5), rx_never()), itself,
                       NULL);
}

static rx_observable *
buffer_boundary_final(void)
{
    return rx_buffer_boundary(rx_range(1, 5), rx_never());
}

static rx_observable *
expand_breadth_first(void)
{
    return rx_expand(rx_of_ints(3), halve, NULL);
}

static rx_observable *
expand_of_never(void)
{
    return rx_expand(rx_concat(rx_of_ints(1), rx_never()), halve, NULL);
}

const rx_conf_case rx_conf_cases_higher[] = {
    {"switch_on_next(one range)", switch_on_next_ranges, 2, RX_CONF_COMPLETE,
     0},
    {"switch_map(one -> range)", switch_map_ranges, 3, RX_CONF_COMPLETE, 0},
    {"exhaust_map(one -> range)", exhaust_map_ranges, 3, RX_CONF_COMPLETE, 0},
    {"concat_map_eager(range -> range)", concat_map_eager_ranges, 12,
     RX_CONF_COMPLETE, 0},
    {"group_by(parity) merged", group_by_merged, 10, RX_CONF_COMPLETE, 0},
    {"group_by(parity) collected", group_by_collected, 2, RX_CONF_COMPLETE, 0},
    {"window_boundary(never) merged", window_boundary_merged, 5,
     RX_CONF_COMPLETE, 0},
    {"buffer_boundary(never)", buffer_boundary_final, 1, RX_CONF_COMPLETE, 0},
    {"expand(breadth first)", expand_breadth_first, 7, RX_CONF_COMPLETE, 0},
    {"expand(source never ends)", expand_of_never, 1, RX_CONF_NONE, 0},
};

const size_t rx_conf_cases_higher_n =
    sizeof rx_conf_cases_higher / sizeof rx_conf_cases_higher[0];
