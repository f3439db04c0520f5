/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the backpressure strategies: on_backpressure_buffer,
 * on_backpressure_drop and on_backpressure_latest, over synchronous
 * sources.
 *
 * These operators decide what a subscriber sees by when its demand
 * arrives: that is their purpose. The harness compares a run without
 * demand, stepped one request at a time, with an unbounded run, so only
 * rows whose items do not depend on demand fit here: a buffer large
 * enough never to overflow over a completing source, and every operator
 * over sources with no items or a single one (latest keeps it). Drop
 * over a range, overflowing buffers, and an upstream error cutting ahead
 * of buffered items are covered by tests/backpressure/.
 */
#include <stddef.h>

#include "conformance.h"
#include "rx_test.h"

static rx_observable *
fails_at_once(void)
{
    return rx_throw(rx_error_new(RX_T_EUSER, "failed"));
}

static rx_observable *
buffer_range(void)
{
    return rx_on_backpressure_buffer(rx_range(1, 5), 5, RX_OVERFLOW_ERROR);
}

static rx_observable *
buffer_range_unbounded(void)
{
    return rx_on_backpressure_buffer(rx_range(1, 1000), RX_UNBOUNDED,
                                     RX_OVERFLOW_DROP_NEWEST);
}

static rx_observable *
buffer_heap_items(void)
{
    return rx_on_backpressure_buffer(
        rx_from_values(3,
                       ((rx_value[]){rx_str("a"), rx_str("b"), rx_str("c")})),
        3, RX_OVERFLOW_DROP_OLDEST);
}

static rx_observable *
buffer_empty(void)
{
    return rx_on_backpressure_buffer(rx_empty(), 1, RX_OVERFLOW_ERROR);
}

static rx_observable *
buffer_fails(void)
{
    return rx_on_backpressure_buffer(fails_at_once(), 1, RX_OVERFLOW_ERROR);
}

static rx_observable *
buffer_never(void)
{
    return rx_on_backpressure_buffer(rx_never(), 1, RX_OVERFLOW_ERROR);
}

static rx_observable *
drop_empty(void)
{
    return rx_on_backpressure_drop(rx_empty());
}

static rx_observable *
drop_fails(void)
{
    return rx_on_backpressure_drop(fails_at_once());
}

static rx_observable *
drop_never(void)
{
    return rx_on_backpressure_drop(rx_never());
}

static rx_observable *
latest_just(void)
{
    return rx_on_backpressure_latest(rx_just(rx_str("only")));
}

static rx_observable *
latest_empty(void)
{
    return rx_on_backpressure_latest(rx_empty());
}

static rx_observable *
latest_fails(void)
{
    return rx_on_backpressure_latest(fails_at_once());
}

static rx_observable *
latest_never(void)
{
    return rx_on_backpressure_latest(rx_never());
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

const rx_conf_case rx_conf_cases_bp[] = {
    COMPLETES("on_backpressure_buffer(range, 5)", buffer_range, 5),
    COMPLETES("on_backpressure_buffer(range, unbounded)",
              buffer_range_unbounded, 1000),
    COMPLETES("on_backpressure_buffer(heap items, 3)", buffer_heap_items, 3),
    COMPLETES("on_backpressure_buffer(empty)", buffer_empty, 0),
    FAILS("on_backpressure_buffer(throw)", buffer_fails, 0, RX_T_EUSER),
    NEVER_ENDS("on_backpressure_buffer(never)", buffer_never, 0),
    COMPLETES("on_backpressure_drop(empty)", drop_empty, 0),
    FAILS("on_backpressure_drop(throw)", drop_fails, 0, RX_T_EUSER),
    NEVER_ENDS("on_backpressure_drop(never)", drop_never, 0),
    COMPLETES("on_backpressure_latest(just)", latest_just, 1),
    COMPLETES("on_backpressure_latest(empty)", latest_empty, 0),
    FAILS("on_backpressure_latest(throw)", latest_fails, 0, RX_T_EUSER),
    NEVER_ENDS("on_backpressure_latest(never)", latest_never, 0),
};

const size_t rx_conf_cases_bp_n =
    sizeof rx_conf_cases_bp / sizeof rx_conf_cases_bp[0];
