/* SPDX-License-Identifier: MIT */
/*
 * Races: subscribe against connect and ref_count termination. Sharing
 * lives on its owner thread (a loop here); the race comes in from an
 * inlet whose producer pushes and completes from another thread while a
 * second thread acts on the owner thread (subscribes late, connects) or
 * disposes subscribers from where it is (rx_dispose() is legal from any
 * thread), so the count of subscribers can drop to zero while the source
 * ends. In every run each subscriber sees a contiguous run of the items
 * in order, completes only with the last of them, and nothing is left
 * alive.
 */
#include "rx_race.h"

#define PUSHED 16

enum kind { LATE_SUBSCRIBER, DISPOSE_ALL, CONNECT };

struct share {
    enum kind kind;
    rx_race_loop l;
    rx_inlet *in;
    rx_observable *shared; /* share(), or publish() for CONNECT */
    rx_subscription *conn; /* CONNECT: the connection */
    rx_test_observer *t[2];
    int64_t accepted;
    int complete_rc;
    int connect_rc;
};

static void
share_subscribe(void *ctx)
{
    struct share *s = ctx;
    rx_observable *src = rx_inlet_observable(s->in);

    s->shared = s->kind == CONNECT ? rx_publish(src) : rx_share(src);
    if (s->shared == NULL) {
        return;
    }
    rx_test_subscribe(s->shared, s->t[0]);
    if (s->kind == DISPOSE_ALL) {
        rx_test_subscribe(s->shared, s->t[1]);
    }
}

static void
share_setup(void *ctx)
{
    struct share *s = ctx;

    rx_race_loop_start(&s->l);
    s->in = rx_inlet_new(s->l.sched, 8);
    assert_non_null(s->in);
    for (int i = 0; i < 2; i++) {
        s->t[i] = rx_test_observer_new(RX_UNBOUNDED);
        assert_non_null(s->t[i]);
    }
    s->conn = NULL;
    s->connect_rc = -1;
    rx_race_loop_call(&s->l, share_subscribe, s);
    assert_non_null(s->shared);
}

static void
subscribe_late(void *ctx)
{
    struct share *s = ctx;

    rx_test_subscribe(s->shared, s->t[1]);
}

static void
connect_now(void *ctx)
{
    struct share *s = ctx;

    s->connect_rc = rx_connect(s->shared, &s->conn);
}

static void
share_act(int who, void *ctx)
{
    struct share *s = ctx;

    if (who == 0) {
        s->accepted = rx_race_push(s->in, 0, PUSHED);
        s->complete_rc = rx_inlet_complete(s->in);
    } else if (s->kind == LATE_SUBSCRIBER) {
        rx_race_loop_call(&s->l, subscribe_late, s);
    } else if (s->kind == CONNECT) {
        rx_race_loop_call(&s->l, connect_now, s);
    } else {
        rx_test_dispose(s->t[0]);
        rx_test_dispose(s->t[1]);
    }
}

static void
share_let_go(void *ctx)
{
    struct share *s = ctx;

    rx_dispose(s->conn);
    rx_observable_release(s->shared);
}

/* The items of `t` are a contiguous run that ends with the last item
 * when it completed: a late subscriber joins part way. */
static void
assert_suffix(const rx_test_observer *t)
{
    size_t n = rx_test_count(t);

    assert_rx_race_run(t, PUSHED - (int64_t)n, n);
    assert_rx_completed(t);
}

static void
share_finish(void *ctx)
{
    struct share *s = ctx;

    if (s->kind != DISPOSE_ALL) {
        /* Both ends were offered: every subscriber completes. */
        rx_race_loop_end(&s->l, s->t[0]);
        if (s->kind == LATE_SUBSCRIBER) {
            rx_race_loop_end(&s->l, s->t[1]);
        }
    }
    rx_race_loop_call(&s->l, share_let_go, s);
    rx_inlet_release(s->in);
    rx_race_loop_stop(&s->l);
    switch (s->kind) {
    case LATE_SUBSCRIBER:
        assert_int_equal(s->accepted, PUSHED);
        assert_rx_race_run(s->t[0], 0, PUSHED);
        assert_int_equal(rx_test_count(s->t[0]), PUSHED);
        assert_rx_completed(s->t[0]);
        assert_suffix(s->t[1]);
        break;
    case CONNECT:
        /* The inlet holds what comes before the connection. */
        assert_int_equal(s->connect_rc, 0);
        assert_int_equal(s->accepted, PUSHED);
        assert_rx_race_run(s->t[0], 0, PUSHED);
        assert_int_equal(rx_test_count(s->t[0]), PUSHED);
        assert_rx_completed(s->t[0]);
        break;
    case DISPOSE_ALL:
        for (int i = 0; i < 2; i++) {
            assert_rx_race_run(s->t[i], 0, (size_t)s->accepted);
            if (rx_test_completed(s->t[i])) {
                assert_int_equal(rx_test_count(s->t[i]), PUSHED);
            } else {
                assert_null(rx_test_error(s->t[i]));
            }
        }
        if (s->accepted < PUSHED) {
            assert_int_equal(s->complete_rc, RX_ECANCELED);
        }
        break;
    }
    for (int i = 0; i < 2; i++) {
        rx_test_observer_free(s->t[i]);
    }
}

static void
run_kind(enum kind kind, const char *name)
{
    struct share s = {.kind = kind};
    rx_race_case c = {.name = name,
                      .actors = 2,
                      .setup = share_setup,
                      .act = share_act,
                      .finish = share_finish,
                      .ctx = &s};

    rx_race_run(&c);
}

static void
test_race_share_late_subscriber_against_the_source_ending(void **state)
{
    (void)state;
    run_kind(LATE_SUBSCRIBER, "share_subscribe_vs_terminate");
}

static void
test_race_ref_count_dropping_to_zero_against_the_source(void **state)
{
    (void)state;
    run_kind(DISPOSE_ALL, "ref_count_dispose_vs_emit");
}

static void
test_race_publish_connect_against_the_source(void **state)
{
    (void)state;
    run_kind(CONNECT, "publish_connect_vs_emit");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_share_late_subscriber_against_the_source_ending),
        rx_unit_test(test_race_ref_count_dropping_to_zero_against_the_source),
        rx_unit_test(test_race_publish_connect_against_the_source),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
