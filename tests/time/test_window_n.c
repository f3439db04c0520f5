/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_window_n and rx_window_observable: consecutive,
 * overlapping and gapped windows, each emitted just before its first
 * item and completed after its last; windows buffering until their one
 * subscriber comes (a second one gets RX_EINVAL) and freed, items and
 * all, when nobody subscribes; errors reaching every open window; an
 * outer cancel ending open windows with RX_ECANCELED; a window's own
 * cancel; demand for windows turned into demand for items; values that
 * are not windows; bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_hot.h"
#include "rx_test.h"
#include "time_probe.h"

/* Runs `obs` with unbounded demand, subscribing every window. */
static void
check_windows(rx_observable *obs, const char *expected)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    tp_subscribe(&p, vs, obs);
    assert_tp_log(&p, expected);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_window_n_cuts_consecutive_windows(void **state)
{
    (void)state;
    check_windows(rx_window_n(rx_range(1, 5), 2, 2), "0:W 0:w0:1 0:w0:2 0:w0:| "
                                                     "0:W 0:w1:3 0:w1:4 0:w1:| "
                                                     "0:W 0:w2:5 0:w2:| 0:|");
}

static void
test_window_n_makes_overlapping_windows(void **state)
{
    (void)state;
    check_windows(rx_window_n(rx_range(1, 3), 2, 1), "0:W 0:w0:1 "
                                                     "0:W 0:w0:2 0:w1:2 0:w0:| "
                                                     "0:W 0:w1:3 0:w2:3 0:w1:| "
                                                     "0:w2:| 0:|");
}

/* Six windows open at once: the ring of open windows grows past its
 * first four slots; every item reaches every open window, oldest
 * first, and each window closes after its sixth item. */
static void
test_window_n_keeps_many_open_windows_in_order(void **state)
{
    (void)state;
    check_windows(rx_window_n(rx_range(1, 8), 6, 1),
                  "0:W 0:w0:1 0:W 0:w0:2 0:w1:2 0:W 0:w0:3 0:w1:3 0:w2:3 "
                  "0:W 0:w0:4 0:w1:4 0:w2:4 0:w3:4 "
                  "0:W 0:w0:5 0:w1:5 0:w2:5 0:w3:5 0:w4:5 "
                  "0:W 0:w0:6 0:w1:6 0:w2:6 0:w3:6 0:w4:6 0:w5:6 0:w0:| "
                  "0:W 0:w1:7 0:w2:7 0:w3:7 0:w4:7 0:w5:7 0:w6:7 0:w1:| "
                  "0:W 0:w2:8 0:w3:8 0:w4:8 0:w5:8 0:w6:8 0:w7:8 0:w2:| "
                  "0:w3:| 0:w4:| 0:w5:| 0:w6:| 0:w7:| 0:|");
}

static void
test_window_n_leaves_out_items_between_gapped_windows(void **state)
{
    (void)state;
    check_windows(rx_window_n(rx_range(1, 4), 1, 2),
                  "0:W 0:w0:1 0:w0:| 0:W 0:w1:3 0:w1:| 0:|");
}

static void
test_window_n_of_an_empty_source_emits_no_window(void **state)
{
    (void)state;
    check_windows(rx_window_n(rx_empty(), 2, 2), "0:|");
}

static void
test_window_buffers_until_its_subscriber_comes(void **state)
{
    rx_observable *obs = rx_window_n(rx_range(1, 4), 2, 2);
    rx_test_observer *outer = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *w0 = rx_test_observer_new(1);
    rx_test_observer *again = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *win;

    (void)state;
    assert_int_equal(rx_test_subscribe(obs, outer), 0);
    rx_observable_release(obs);
    assert_int_equal(rx_test_count(outer), 2);
    assert_rx_completed(outer);
    rx_test_dispose(outer);
    win = rx_window_observable(rx_test_value(outer, 0));
    assert_non_null(win);
    /* Subscribed after the outer stream ended: the items wait, and go
     * out as they are requested. */
    assert_int_equal(rx_test_subscribe(win, w0), 0);
    assert_rx_ints(w0, 1);
    assert_rx_no_terminal(w0);
    assert_int_equal(rx_test_request(w0, 5), 0);
    assert_rx_ints(w0, 1, 2);
    assert_rx_completed(w0);
    /* Unicast: a second subscriber is refused. */
    assert_int_equal(rx_test_subscribe(win, again), 0);
    assert_rx_error(again, RX_EINVAL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(again)), "subscribed only once"));
    rx_observable_release(win);
    rx_test_observer_free(again);
    rx_test_observer_free(w0);
    /* The second window was never subscribed: freeing the recorder
     * drops its last reference, and its items with it. */
    rx_test_observer_free(outer);
}

static void
test_window_n_windows_nobody_subscribes_are_freed(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_t_hot_observable(h), 2, 1));
    rx_t_hot_next(h, rx_str("kept by the window"));
    rx_t_hot_next(h, rx_str("by two windows"));
    rx_t_hot_next(h, rx_str("still open"));
    assert_tp_log(&p, "0:W 0:W 0:W");
    /* The teardown checks every window and item is gone. */
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_n_error_reaches_open_windows_and_the_outer_stream(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_t_hot_observable(h), 3, 3));
    rx_t_hot_next(h, rx_str("a"));
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "0:W 0:w0:a 0:w0:#RX_EUSER 0:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_n_outer_cancel_ends_open_windows(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_t_hot_observable(h), 3, 3));
    rx_t_hot_next(h, rx_str("a"));
    rx_cancel(p.sub);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_tp_log(&p, "0:W 0:w0:a 0:w0:#RX_ECANCELED");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_n_window_cancel_drops_only_that_window(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_t_hot_observable(h), 2, 2));
    rx_t_hot_next(h, rx_str("a"));
    rx_cancel(p.windows[0].sub);
    rx_t_hot_next(h, rx_str("b")); /* goes nowhere */
    rx_t_hot_next(h, rx_str("c"));
    rx_t_hot_complete(h);
    assert_tp_log(&p, "0:W 0:w0:a 0:W 0:w1:c 0:w1:| 0:|");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_n_asks_the_source_for_the_items_the_windows_need(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_t_hot_observable(h), 3, 3));
    assert_int_equal(rx_t_hot_requested(h), 3);
    assert_int_equal(rx_request(p.sub, 2), 0);
    assert_int_equal(rx_t_hot_requested(h), 9);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_window_n_with_demand_of_one_window_at_a_time(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1, .request_each = 1, .open_windows = true};

    (void)state;
    tp_subscribe(&p, vs, rx_window_n(rx_range(1, 4), 2, 1));
    assert_tp_log(&p, "0:W 0:w0:1 "
                      "0:W 0:w0:2 0:w1:2 0:w0:| "
                      "0:W 0:w1:3 0:w2:3 0:w1:| "
                      "0:W 0:w2:4 0:w3:4 0:w2:| "
                      "0:w3:| 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
drop_int(void *data)
{
    (void)data;
}

static void
test_window_observable_refuses_values_that_are_not_windows(void **state)
{
    rx_value box = rx_box(NULL, drop_int);

    (void)state;
    assert_null(rx_window_observable(rx_int(1)));
    assert_null(rx_window_observable(rx_nil()));
    assert_null(rx_window_observable(box));
    rx_value_release(box);
}

static void
test_window_n_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_window_n(rx_range(1, 2), 0, 1), RX_EINVAL,
                    "rx_window_n: count must be greater than 0");
    assert_rx_fails(rx_window_n(rx_range(1, 2), 1, 0), RX_EINVAL,
                    "rx_window_n: skip must be greater than 0");
    assert_rx_fails(rx_window_n(rx_range(1, 2), -2, -2), RX_EINVAL,
                    "rx_window_n: count");
}

static rx_observable *
build_window_n(rx_scheduler *vs)
{
    (void)vs;
    return rx_window_n(rx_range(1, 3), 2, 2);
}

static void
test_window_n_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_window_n, 1, "0:W 0:W 0:|");
}

/* ---- marble cases (tests/marbles/window_n.txt) ----------------------------
 */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t count;
    int64_t skip;

    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "window_n") ||
        !rx_marble_case_arg_int(c, 1, &count) ||
        !rx_marble_case_arg_int(c, 2, &skip)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return tp_marble_finish(c, rx_window_n(srcs[0], count, skip), true);
}

static void
test_window_n_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("window_n.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_window_n_cuts_consecutive_windows),
        rx_unit_test(test_window_n_makes_overlapping_windows),
        rx_unit_test(test_window_n_keeps_many_open_windows_in_order),
        rx_unit_test(test_window_n_leaves_out_items_between_gapped_windows),
        rx_unit_test(test_window_n_of_an_empty_source_emits_no_window),
        rx_unit_test(test_window_buffers_until_its_subscriber_comes),
        rx_unit_test(test_window_n_windows_nobody_subscribes_are_freed),
        rx_unit_test(
            test_window_n_error_reaches_open_windows_and_the_outer_stream),
        rx_unit_test(test_window_n_outer_cancel_ends_open_windows),
        rx_unit_test(test_window_n_window_cancel_drops_only_that_window),
        rx_unit_test(
            test_window_n_asks_the_source_for_the_items_the_windows_need),
        rx_unit_test(test_window_n_with_demand_of_one_window_at_a_time),
        rx_unit_test(
            test_window_observable_refuses_values_that_are_not_windows),
        rx_unit_test(test_window_n_rejects_bad_arguments),
        rx_unit_test(test_window_n_survives_allocation_failures),
        rx_unit_test(test_window_n_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
