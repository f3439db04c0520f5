/* SPDX-License-Identifier: MIT */
/*
 * Tests for publish, connect, ref_count, share, replay and auto_connect:
 * subscribers waiting for the connection, the connection handle
 * disconnecting, ref_count disconnecting at zero and reconnecting (the
 * cold source's subscription log shows both runs), share between two
 * subscribers, a synchronous source, shared replay, auto_connect(2),
 * bad arguments, allocation failures and tests/marbles/ref_count.txt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "../time/time_probe.h"

static void
join(struct tp *p, rx_observable *obs, rx_scheduler *vs)
{
    tp_subscribe(p, vs, rx_observable_retain(obs));
}

static void
test_publish_waits_for_connect(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-|", NULL, 0);
    rx_observable *pub = rx_publish(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    rx_subscription *conn;
    rx_subscription *again;

    (void)state;
    join(&a, pub, vs);
    tp_advance_to(vs, 3);
    assert_int_equal(rx_test_source_subscriptions(src), 0);
    assert_int_equal(rx_connect(pub, &conn), 0);
    assert_int_equal(rx_connect(pub, &again), RX_EBUSY);
    assert_null(again);
    tp_advance_to(vs, 4);
    join(&b, pub, vs);
    tp_advance_to(vs, 10);
    assert_tp_log(&a, "4:a 6:b 8:|");
    assert_tp_log(&b, "6:b 8:|");
    assert_rx_subs(src, "---^----!");
    rx_dispose(conn);
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(pub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_connect_handle_disconnects_and_a_new_connect_restarts(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-|", NULL, 0);
    rx_observable *pub = rx_publish(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    rx_subscription *conn;

    (void)state;
    join(&a, pub, vs);
    assert_int_equal(rx_connect(pub, &conn), 0);
    tp_advance_to(vs, 2);
    rx_dispose(conn);  /* disconnect: a hears nothing more (as in RxJava) */
    join(&b, pub, vs); /* waits for the next connection */
    tp_advance_to(vs, 5);
    assert_int_equal(rx_connect(pub, &conn), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&a, "1:a");
    assert_tp_log(&b, "6:a 8:b 10:|");
    assert_rx_subs(src, "^-!\n-----^----!");
    rx_dispose(conn);
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(pub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_ref_count_disconnects_at_zero_and_reconnects(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-d-e-|", NULL, 0);
    rx_observable *shared = rx_share(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    struct tp c = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, shared, vs);
    tp_advance_to(vs, 2);
    join(&b, shared, vs);
    tp_advance_to(vs, 4);
    rx_cancel(a.sub);
    assert_int_equal(rx_test_source_subscriptions(src), 1);
    tp_advance_to(vs, 6);
    rx_cancel(b.sub); /* the count is zero: disconnect */
    tp_advance_to(vs, 9);
    join(&c, shared, vs); /* reconnects: the cold source starts over */
    tp_advance_to(vs, 30);
    assert_tp_log(&a, "1:a 3:b");
    assert_tp_log(&b, "3:b 5:c");
    assert_tp_log(&c, "10:a 12:b 14:c 16:d 18:e 20:|");
    assert_rx_subs(src, "^-----!\n---------^----------!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&a);
    tp_done(&b);
    tp_done(&c);
    rx_observable_release(shared);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* delay_subscription subscribes a publish when its delay ends: b,
 * delayed past a disconnect, joins the next connection rather than the
 * one that was current when b was made. */
static void
test_delayed_subscriber_of_publish_joins_the_next_connection(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-|", NULL, 0);
    rx_observable *pub = rx_publish(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    rx_subscription *conn;

    (void)state;
    join(&a, pub, vs);
    tp_subscribe(&b, vs,
                 rx_delay_subscription(rx_observable_retain(pub), 3, vs));
    assert_int_equal(rx_connect(pub, &conn), 0);
    tp_advance_to(vs, 2);
    rx_dispose(conn); /* disconnect before b starts at 3 */
    tp_advance_to(vs, 5);
    assert_int_equal(rx_connect(pub, &conn), 0);
    tp_advance_to(vs, 20);
    assert_tp_log(&a, "1:a");
    assert_tp_log(&b, "6:a 8:b 10:|");
    rx_dispose(conn);
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(pub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* A subscription delayed by delay_subscription is made when the delay
 * ends, so it joins the connection current then: after the count went to
 * zero it reconnects (the cold source runs again, with the demand asked
 * before the start), after the source ended it starts a new run, and
 * while the first subscriber is there it joins that run. */
static void
test_delayed_subscriber_joins_the_connection_current_at_its_start(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
    rx_observable *shared = rx_share(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    /* a leaves at 3 (its take): disconnected; b starts at 6 */
    tp_subscribe(&a, vs, rx_take(rx_observable_retain(shared), 2));
    tp_subscribe(&b, vs,
                 rx_delay_subscription(rx_observable_retain(shared), 6, vs));
    tp_advance_to(vs, 20);
    assert_tp_log(&a, "1:a 3:b 3:|");
    assert_tp_log(&b, "7:a 9:b 11:c 13:|");
    assert_rx_subs(src, "^--!\n------^------!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(shared);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_delayed_subscriber_after_the_source_ended_starts_a_new_run(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
    rx_observable *shared = rx_share(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = 2}; /* asked before its start */
    struct tp c = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&a, vs, rx_observable_retain(shared));
    /* b starts at 9, after the end at 7: a new run */
    tp_subscribe(&b, vs,
                 rx_delay_subscription(rx_observable_retain(shared), 9, vs));
    /* c starts at 2, while a's run goes on: it joins it */
    tp_subscribe(&c, vs,
                 rx_delay_subscription(rx_observable_retain(shared), 2, vs));
    tp_advance_to(vs, 30);
    assert_tp_log(&a, "1:a 3:b 5:c 7:|");
    assert_tp_log(&c, "3:b 5:c 7:|");
    /* b's two items from the new run; with no more demand it cannot take
     * the third, which a publish subject reports */
    assert_tp_log(&b, "10:a 12:b 14:#RX_EBACKPRESSURE");
    assert_int_equal(rx_test_source_subscriptions(src), 2);
    tp_done(&a);
    tp_done(&b);
    tp_done(&c);
    rx_observable_release(shared);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_share_runs_a_synchronous_source_once_per_connection(void **state)
{
    rx_observable *shared = rx_share(rx_range(1, 3));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *u = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    /* The first subscriber connects after joining, so it sees every item;
     * the source ends, so the second starts a new connection. */
    assert_int_equal(rx_test_subscribe(shared, t), 0);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(rx_test_subscribe(shared, u), 0);
    assert_rx_ints(u, 1, 2, 3);
    assert_rx_completed(u);
    rx_test_observer_free(t);
    rx_test_observer_free(u);
    rx_observable_release(shared);
}

static void
test_share_error_reaches_every_subscriber(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-#", NULL, 0);
    rx_observable *shared = rx_share(rx_test_source_observable(src));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, shared, vs);
    join(&b, shared, vs);
    tp_advance_to(vs, 10);
    assert_tp_log(&a, "1:a 3:#RX_EUSER");
    assert_tp_log(&b, "1:a 3:#RX_EUSER");
    assert_rx_subs(src, "^--!");
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(shared);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_replay_shares_and_replays_to_late_subscribers(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
    rx_observable *rep = rx_auto_connect(
        rx_replay(rx_test_source_observable(src), 2, 0, NULL), 1);
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    struct tp c = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, rep, vs);
    tp_advance_to(vs, 4);
    join(&b, rep, vs);
    tp_advance_to(vs, 10);
    join(&c, rep, vs);
    assert_tp_log(&a, "1:a 3:b 5:c 7:|");
    assert_tp_log(&b, "4:a 4:b 5:c 7:|");
    assert_tp_log(&c, "10:b 10:c 10:|");
    assert_rx_subs(src, "^------!");
    tp_done(&a);
    tp_done(&b);
    tp_done(&c);
    rx_observable_release(rep);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_auto_connect_waits_for_the_second_subscriber(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-|", NULL, 0);
    rx_observable *ac =
        rx_auto_connect(rx_publish(rx_test_source_observable(src)), 2);
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, ac, vs);
    tp_advance_to(vs, 7);
    assert_int_equal(rx_test_source_subscriptions(src), 0);
    join(&b, ac, vs);
    tp_advance_to(vs, 20);
    assert_tp_log(&a, "8:a 10:b 12:|");
    assert_tp_log(&b, "8:a 10:b 12:|");
    assert_rx_subs(src, "-------^----!");
    tp_done(&a);
    tp_done(&b);
    rx_observable_release(ac);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_auto_connect_disposes_its_connection_with_the_observable(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *ac = rx_auto_connect(rx_publish(rx_interval(1, vs)), 1);
    struct tp a = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, ac, vs);
    tp_advance_to(vs, 3);
    rx_cancel(a.sub); /* the connection stays */
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_observable_release(ac);
    tp_done(&a);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_tp_log(&a, "1:0 2:1 3:2");
    rx_scheduler_release(vs);
}

static void
test_share_rejects_bad_arguments(void **state)
{
    rx_subscription *conn = (rx_subscription *)&conn;

    (void)state;
    assert_rx_fails(rx_ref_count(rx_range(1, 2)), RX_EINVAL, "rx_ref_count");
    assert_rx_fails(rx_auto_connect(rx_range(1, 2), 1), RX_EINVAL,
                    "rx_auto_connect");
    assert_rx_fails(rx_auto_connect(rx_publish(rx_range(1, 2)), -1), RX_EINVAL,
                    "n must be >= 0");
    assert_rx_fails(rx_replay(rx_range(1, 2), 1, -1, NULL), RX_EINVAL,
                    "rx_replay");
    assert_rx_fails(rx_replay(rx_range(1, 2), 1, 5, rx_scheduler_trampoline()),
                    RX_EINVAL, "rx_replay");
    assert_int_equal(rx_connect(NULL, &conn), RX_EINVAL);
    assert_null(conn);
    assert_null(rx_share(NULL));
    assert_null(rx_publish(NULL));
    assert_null(rx_ref_count(NULL));
}

static rx_observable *
build_share(rx_scheduler *vs)
{
    return rx_take(rx_share(rx_interval(2, vs)), 2);
}

static void
test_share_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_share, 10, "2:0 4:1 4:|");
}

/* ---- marble cases (tests/marbles/ref_count.txt) ------------------------- */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t n;

    (void)vs;
    (void)ctx;
    if (rx_marble_case_is(c, "share")) {
        if (tp_marble_after(c, "take", &n)) {
            return rx_take(rx_share(srcs[0]), n);
        }
        return rx_share(srcs[0]);
    }
    rx_observable_release(srcs[0]);
    return NULL;
}

static void
test_ref_count_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("ref_count.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_publish_waits_for_connect),
        rx_unit_test(
            test_connect_handle_disconnects_and_a_new_connect_restarts),
        rx_unit_test(test_ref_count_disconnects_at_zero_and_reconnects),
        rx_unit_test(
            test_delayed_subscriber_of_publish_joins_the_next_connection),
        rx_unit_test(
            test_delayed_subscriber_joins_the_connection_current_at_its_start),
        rx_unit_test(
            test_delayed_subscriber_after_the_source_ended_starts_a_new_run),
        rx_unit_test(test_share_runs_a_synchronous_source_once_per_connection),
        rx_unit_test(test_share_error_reaches_every_subscriber),
        rx_unit_test(test_replay_shares_and_replays_to_late_subscribers),
        rx_unit_test(test_auto_connect_waits_for_the_second_subscriber),
        rx_unit_test(
            test_auto_connect_disposes_its_connection_with_the_observable),
        rx_unit_test(test_share_rejects_bad_arguments),
        rx_unit_test(test_share_survives_allocation_failures),
        rx_unit_test(test_ref_count_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
