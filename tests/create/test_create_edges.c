/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_create (slice 4 coverage): rx_emitter_error with a
 * NULL error is refused and leaves the stream usable; a cancel inside
 * on_next while buffered items are delivered stops the delivery and runs
 * the cancel callback once; NULL emitter and NULL error together.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"

static void
error_null_then_complete(rx_emitter *em, void *ctx)
{
    (void)ctx;
    assert_int_equal(rx_emitter_error(em, NULL), RX_EINVAL);
    assert_false(rx_emitter_is_cancelled(em));
    assert_int_equal(rx_emitter_next(em, rx_int(1)), 0);
    assert_int_equal(rx_emitter_complete(em), 0);
}

static void
test_emitter_error_with_null_is_refused_and_harmless(void **state)
{
    rx_observable *o = rx_create(error_null_then_complete, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_ints(t, 1);
    assert_rx_completed(t);
    assert_int_equal(rx_emitter_error(NULL, NULL), RX_EINVAL);
    rx_test_observer_free(t);
    rx_observable_release(o);
}

static void
count_cancel(void *ctx)
{
    ++*(int *)ctx;
}

/* Emits 1..5 ahead of any demand; counts cancels into *ctx. */
static void
five_ahead(rx_emitter *em, void *ctx)
{
    assert_int_equal(rx_emitter_set_cancel(em, count_cancel, ctx), 0);
    for (int i = 1; i <= 5; i++) {
        assert_int_equal(rx_emitter_next(em, rx_int(i)), 0);
    }
}

static void
test_cancel_inside_on_next_stops_buffered_delivery(void **state)
{
    int cancels = 0;
    rx_observable *o = rx_create(five_ahead, &cancels);
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_rx_no_items(t);
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(cancels, 1);
    rx_test_observer_free(t);
    rx_observable_release(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_emitter_error_with_null_is_refused_and_harmless),
        rx_unit_test(test_cancel_inside_on_next_stops_buffered_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
