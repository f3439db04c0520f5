/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows for the time operators that can run without time
 * passing: buffer_n and window_n (counts, not time), timestamp and
 * time_interval on a virtual scheduler that never moves (every item is
 * stamped 0), and timeout_opts over sources that end before any
 * deadline could pass (its pending deadline must be released by every
 * ending the harness tries).
 *
 * The harness runs rows without advancing any scheduler, so operators
 * that emit on their own timers (timer, interval, delay, debounce,
 * throttle_*, audit, buffer_time, window_time) are covered by
 * tests/time/ and their marble cases instead. Windows are mapped to a
 * string: the harness compares items across runs, and each run makes new
 * window objects.
 */
#include <stddef.h>

#include "conformance.h"
#include "rx_test.h"

static int64_t three = 3;

/* 1..5, failing with RX_T_EUSER at 3 (two items, then the error). */
static rx_observable *
fails_at_3(void)
{
    return rx_map(rx_range(1, 5), rx_t_fail_at, &three);
}

/* ---- buffer_n ------------------------------------------------------- */

static rx_observable *
buffer_consecutive(void)
{
    return rx_buffer_n(rx_range(1, 5), 2, 2);
}

static rx_observable *
buffer_overlapping(void)
{
    return rx_buffer_n(rx_range(1, 4), 3, 1);
}

static rx_observable *
buffer_gapped(void)
{
    return rx_buffer_n(rx_range(1, 7), 2, 3);
}

static rx_observable *
buffer_heap_items(void)
{
    return rx_buffer_n(rx_from_values(3, ((rx_value[]){rx_str("a"), rx_str("b"),
                                                       rx_str("c")})),
                       2, 1);
}

static rx_observable *
buffer_empty(void)
{
    return rx_buffer_n(rx_empty(), 2, 2);
}

static rx_observable *
buffer_fails(void)
{
    return rx_buffer_n(fails_at_3(), 1, 1);
}

static rx_observable *
buffer_never(void)
{
    return rx_buffer_n(rx_never(), 2, 2);
}

/* ---- window_n ------------------------------------------------------- */

static rx_value
window_to_w(rx_value v, void *ctx, rx_error **err)
{
    rx_observable *w = rx_window_observable(v);

    (void)ctx;
    if (w == NULL) {
        *err = rx_error_new(RX_EINVAL, "not a window");
        return rx_nil();
    }
    rx_observable_release(w);
    return rx_str("W");
}

static rx_observable *
window_consecutive(void)
{
    return rx_map(rx_window_n(rx_range(1, 5), 2, 2), window_to_w, NULL);
}

static rx_observable *
window_overlapping(void)
{
    return rx_map(rx_window_n(rx_range(1, 4), 3, 1), window_to_w, NULL);
}

static rx_observable *
window_fails(void)
{
    return rx_map(rx_window_n(fails_at_3(), 1, 1), window_to_w, NULL);
}

static rx_observable *
window_empty(void)
{
    return rx_map(rx_window_n(rx_empty(), 2, 2), window_to_w, NULL);
}

/* ---- timestamp, time_interval (a virtual clock that stays at 0) ---- */

static rx_observable *
with_virtual(rx_observable *(*make)(rx_observable *src, rx_scheduler *vs),
             rx_observable *src)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = make(src, vs);

    rx_scheduler_release(vs); /* the observable keeps it */
    return obs;
}

static rx_observable *
stamp(rx_observable *src, rx_scheduler *vs)
{
    return rx_timestamp(src, vs);
}

static rx_observable *
interval_of(rx_observable *src, rx_scheduler *vs)
{
    return rx_time_interval(src, vs);
}

static rx_observable *
timestamp_range(void)
{
    return with_virtual(stamp, rx_range(1, 4));
}

static rx_observable *
timestamp_fails(void)
{
    return with_virtual(stamp, fails_at_3());
}

static rx_observable *
time_interval_range(void)
{
    return with_virtual(interval_of, rx_range(1, 4));
}

static rx_observable *
time_interval_never(void)
{
    return with_virtual(interval_of, rx_never());
}

/* ---- timeout_opts (no deadline passes) ------------------------------- */

static rx_observable *
deadline(rx_observable *src, rx_scheduler *vs)
{
    return rx_timeout_opts(src, &(rx_timeout_config){.first_ms = 5,
                                                     .each_ms = 5,
                                                     .fallback = rx_range(9, 2),
                                                     .sched = vs});
}

static rx_observable *
timeout_range(void)
{
    return with_virtual(deadline, rx_range(1, 4));
}

static rx_observable *
timeout_empty(void)
{
    return with_virtual(deadline, rx_empty());
}

static rx_observable *
timeout_fails(void)
{
    return with_virtual(deadline, fails_at_3());
}

static rx_observable *
timeout_never(void)
{
    return with_virtual(deadline, rx_never());
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

const rx_conf_case rx_conf_cases_time[] = {
    COMPLETES("buffer_n(range, 2, 2)", buffer_consecutive, 3),
    COMPLETES("buffer_n(range, 3, 1)", buffer_overlapping, 4),
    COMPLETES("buffer_n(range, 2, 3)", buffer_gapped, 3),
    COMPLETES("buffer_n(heap items, 2, 1)", buffer_heap_items, 3),
    COMPLETES("buffer_n(empty)", buffer_empty, 0),
    FAILS("buffer_n(fails at 3, 1, 1)", buffer_fails, 2, RX_T_EUSER),
    NEVER_ENDS("buffer_n(never)", buffer_never, 0),
    COMPLETES("window_n(range, 2, 2)", window_consecutive, 3),
    COMPLETES("window_n(range, 3, 1)", window_overlapping, 4),
    FAILS("window_n(fails at 3, 1, 1)", window_fails, 2, RX_T_EUSER),
    COMPLETES("window_n(empty)", window_empty, 0),
    COMPLETES("timestamp(range)", timestamp_range, 4),
    FAILS("timestamp(fails at 3)", timestamp_fails, 2, RX_T_EUSER),
    COMPLETES("time_interval(range)", time_interval_range, 4),
    NEVER_ENDS("time_interval(never)", time_interval_never, 0),
    COMPLETES("timeout_opts(range)", timeout_range, 4),
    COMPLETES("timeout_opts(empty)", timeout_empty, 0),
    FAILS("timeout_opts(fails at 3)", timeout_fails, 2, RX_T_EUSER),
    NEVER_ENDS("timeout_opts(never)", timeout_never, 0),
};

const size_t rx_conf_cases_time_n =
    sizeof rx_conf_cases_time / sizeof rx_conf_cases_time[0];
