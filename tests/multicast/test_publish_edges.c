/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_publish / rx_connect (slice 4 coverage): a connect
 * with no subscriber yet runs the source to its end (a late subscriber
 * sees only the end), a second connect after the end runs the source
 * again, a NULL out handle is refused with RX_EINVAL, and rx_ref_count
 * joins a connection made by hand (its own connect finds it busy).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static void
count_next(rx_value v, void *ctx)
{
    (void)v;
    ++*(int *)ctx;
}

static void
test_connect_before_any_subscriber_then_again_after_the_end(void **state)
{
    int runs_items = 0;
    rx_tap_config cfg = {.on_next = count_next, .ctx = &runs_items};
    rx_observable *pub = rx_publish(rx_tap_opts(rx_of_ints(1, 2), &cfg));
    rx_test_observer *late = rx_test_observer_new(RX_UNBOUNDED);
    rx_subscription *conn = NULL;

    (void)state;
    assert_non_null(pub);
    assert_int_equal(rx_connect(pub, &conn), 0); /* nobody listens */
    rx_dispose(conn);
    assert_int_equal(runs_items, 2);
    /* The connection ended: a late subscriber sees only the end. */
    assert_int_equal(rx_test_subscribe(pub, late), 0);
    assert_rx_no_items(late);
    assert_rx_completed(late);
    /* Connecting an ended connectable runs the source afresh. */
    assert_int_equal(rx_connect(pub, &conn), 0);
    assert_int_equal(runs_items, 4);
    rx_dispose(conn);
    rx_test_observer_free(late);
    rx_observable_release(pub);
}

static void
test_connect_without_an_out_handle_is_refused(void **state)
{
    rx_observable *pub = rx_publish(rx_of_ints(1));

    (void)state;
    assert_int_equal(rx_connect(pub, NULL), RX_EINVAL);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_connect"));
    rx_observable_release(pub);
}

static void
test_ref_count_joins_a_connection_made_by_hand(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *pub = rx_publish(rx_subject_observable(s));
    rx_observable *counted;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_subscription *conn = NULL;

    (void)state;
    assert_int_equal(rx_connect(pub, &conn), 0);
    counted = rx_ref_count(rx_observable_retain(pub));
    assert_non_null(counted);
    /* Its own connect finds the connection busy and just joins it. */
    assert_int_equal(rx_test_subscribe(counted, t), 0);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_subject_next(s, rx_int(5)), 0);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_rx_ints(t, 5);
    assert_rx_completed(t);
    rx_dispose(conn);
    rx_test_observer_free(t);
    rx_observable_release(counted);
    rx_observable_release(pub);
    rx_subject_release(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_connect_before_any_subscriber_then_again_after_the_end),
        rx_unit_test(test_connect_without_an_out_handle_is_refused),
        rx_unit_test(test_ref_count_joins_a_connection_made_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
