/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of a window's own subscriber (slice 4 coverage), on
 * rx_window_n over a publish subject: cancelling a window that still
 * holds items (they are dropped, the outer stream goes on), a cancel
 * inside the window's on_next while its buffered items drain, and window
 * items a downstream filter drops (they use no demand).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"

struct fixture {
    rx_subject *s;
    rx_observable *outer;
    rx_test_observer *to; /* the outer stream's subscriber */
};

static void
fx_open(struct fixture *f, int64_t count)
{
    f->s = rx_subject_publish();
    f->outer = rx_window_n(rx_subject_observable(f->s), count, count);
    f->to = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(f->outer);
    assert_int_equal(rx_test_subscribe(f->outer, f->to), 0);
}

static void
fx_push(struct fixture *f, int from, int to)
{
    for (int i = from; i <= to; i++) {
        assert_int_equal(rx_subject_next(f->s, rx_int(i)), 0);
    }
}

static bool
is_odd(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return (rx_as_int(v) & 1) != 0;
}

/* The k-th window emitted (odd items only with `odd_only`), subscribed
 * by a new observer asking for `initial`. */
static rx_test_observer *
fx_window(struct fixture *f, size_t k, int64_t initial, bool odd_only)
{
    rx_observable *w = rx_window_observable(rx_test_value(f->to, k));
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(w);
    if (odd_only) {
        w = rx_filter(w, is_odd, NULL);
    }
    assert_int_equal(rx_test_subscribe(w, t), 0);
    rx_observable_release(w);
    return t;
}

static void
fx_close(struct fixture *f)
{
    assert_int_equal(rx_subject_complete(f->s), 0);
    assert_rx_completed(f->to);
    rx_test_observer_free(f->to);
    rx_observable_release(f->outer);
    rx_subject_release(f->s);
}

static void
test_cancelling_a_window_that_holds_items_drops_them(void **state)
{
    struct fixture f;
    rx_test_observer *w0;
    rx_test_observer *w1;

    (void)state;
    fx_open(&f, 3);
    fx_push(&f, 1, 2);
    w0 = fx_window(&f, 0, 0, false); /* no demand: 1 and 2 wait */
    assert_rx_no_items(w0);
    rx_test_cancel(w0);
    fx_push(&f, 3, 4); /* 3 goes nowhere; 4 opens the next window */
    assert_int_equal(rx_test_count(f.to), 2);
    w1 = fx_window(&f, 1, RX_UNBOUNDED, false);
    assert_rx_ints(w1, 4);
    fx_close(&f);
    assert_rx_completed(w1);
    assert_rx_no_items(w0);
    assert_rx_no_terminal(w0);
    rx_test_observer_free(w0);
    rx_test_observer_free(w1);
}

static void
test_cancel_inside_a_windows_on_next_stops_its_drain(void **state)
{
    struct fixture f;
    rx_test_observer *w0;

    (void)state;
    fx_open(&f, 4);
    fx_push(&f, 1, 3);
    w0 = fx_window(&f, 0, 0, false);
    rx_test_set_cancel_after(w0, 1);
    assert_int_equal(rx_test_request(w0, 3), 0);
    assert_rx_ints(w0, 1);
    assert_rx_no_terminal(w0);
    fx_push(&f, 4, 4);
    fx_close(&f);
    assert_rx_ints(w0, 1);
    assert_rx_no_terminal(w0);
    rx_test_observer_free(w0);
}

static void
test_window_items_a_filter_drops_use_no_demand(void **state)
{
    struct fixture f;
    rx_test_observer *w0;

    (void)state;
    fx_open(&f, 5);
    fx_push(&f, 1, 4);
    w0 = fx_window(&f, 0, 2, true);
    assert_rx_ints(w0, 1, 3);
    fx_push(&f, 5, 5);         /* the window is full: it completes */
    assert_rx_no_terminal(w0); /* 5 waits for demand */
    assert_int_equal(rx_test_request(w0, 1), 0);
    assert_rx_ints(w0, 1, 3, 5);
    assert_rx_completed(w0);
    fx_close(&f);
    rx_test_observer_free(w0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_cancelling_a_window_that_holds_items_drops_them),
        rx_unit_test(test_cancel_inside_a_windows_on_next_stops_its_drain),
        rx_unit_test(test_window_items_a_filter_drops_use_no_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
