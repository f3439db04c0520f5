/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_on_backpressure_buffer (slice 4 coverage): a cancel
 * inside on_next while buffered items are being drained (nothing more is
 * sent, the upstream is cancelled), an upstream error raised from inside
 * on_next during a drain (sent after the running item, ahead of what is
 * buffered), and buffered items a downstream filter drops (they use no
 * demand).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* Buffers everything the subject sends. */
static rx_observable *
buffered(rx_subject *s)
{
    return rx_on_backpressure_buffer(rx_subject_observable(s), RX_UNBOUNDED,
                                     RX_OVERFLOW_ERROR);
}

static void
push_ints(rx_subject *s, int from, int to)
{
    for (int i = from; i <= to; i++) {
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
    }
}

static void
test_cancel_inside_on_next_stops_the_drain(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o = buffered(s);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    push_ints(s, 1, 3); /* no demand: all buffered */
    assert_rx_no_items(t);
    rx_test_set_cancel_after(t, 1);
    assert_int_equal(rx_test_request(t, 3), 0);
    assert_rx_ints(t, 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_subject_release(s);
}

/* Records ints; fails the subject at the first item. */
struct failer {
    rx_subject *s;
    rx_subscription *sub;
    int64_t got[8];
    int n;
    int code;
    int terminals;
};

static void
failer_sub(rx_subscription *sub, void *ctx)
{
    ((struct failer *)ctx)->sub = sub;
}

static void
failer_next(rx_value v, void *ctx)
{
    struct failer *f = ctx;

    f->got[f->n++] = rx_as_int(v);
    if (f->n == 1) {
        assert_int_equal(
            rx_subject_error(f->s, rx_error_new(RX_EBUSY, "upstream")), 0);
    }
}

static void
failer_error(const rx_error *err, void *ctx)
{
    struct failer *f = ctx;

    f->terminals++;
    f->code = rx_error_code(err);
}

static void
failer_complete(void *ctx)
{
    ((struct failer *)ctx)->terminals++;
}

static void
test_error_from_on_next_during_a_drain_comes_next(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o = buffered(s);
    struct failer f = {.s = s};
    rx_subscription *sub = NULL;

    (void)state;
    assert_int_equal(rx_subscribe(o,
                                  &(rx_observer){.on_subscribe = failer_sub,
                                                 .on_next = failer_next,
                                                 .on_error = failer_error,
                                                 .on_complete = failer_complete,
                                                 .ctx = &f},
                                  &sub),
                     0);
    push_ints(s, 1, 3);
    assert_int_equal(f.n, 0);
    rx_request(sub, 3);
    assert_int_equal(f.n, 1);
    assert_int_equal(f.got[0], 1);
    assert_int_equal(f.terminals, 1);
    assert_int_equal(f.code, RX_EBUSY);
    rx_dispose(sub);
    rx_observable_release(o);
    rx_subject_release(s);
}

static bool
is_odd(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return (rx_as_int(v) & 1) != 0;
}

static void
test_buffered_items_a_filter_drops_use_no_demand(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o = rx_filter(buffered(s), is_odd, NULL);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    push_ints(s, 1, 6);
    assert_int_equal(rx_test_request(t, 2), 0);
    assert_rx_ints(t, 1, 3);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_rx_no_terminal(t); /* 4, 5 and 6 still wait */
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_rx_ints(t, 1, 3, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_subject_release(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_cancel_inside_on_next_stops_the_drain),
        rx_unit_test(test_error_from_on_next_during_a_drain_comes_next),
        rx_unit_test(test_buffered_items_a_filter_drops_use_no_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
