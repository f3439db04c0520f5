/* SPDX-License-Identifier: MIT */
/*
 * Races: rx_cancel() from another thread against on_next. An inlet whose
 * producer pushes while another thread cancels; observe_on carrying a
 * pool-style upstream (subscribe_on a loop thread) to a second loop while
 * a thread subscribes and another cancels, twice, at once. In every run:
 * the items are 0, 1, 2, ... in order, a completion only after all of
 * them, no signal overlaps another or follows the end, and nothing is
 * left alive.
 */
#include <sched.h>

#include "rx_race.h"

#define PUSHED 64

/* ---- an inlet: cancel against the producer ----------------------------- */

struct inlet_cancel {
    rx_race_loop l;
    rx_inlet *in;
    rx_test_observer *t;
    rx_subscription *sub; /* the handle, for the cancelling thread */
    int64_t accepted;     /* by the producer */
    int complete_rc;
};

static void
inlet_cancel_subscribe(void *ctx)
{
    struct inlet_cancel *s = ctx;
    rx_observable *o = rx_inlet_observable(s->in);

    if (o != NULL && rx_test_subscribe(o, s->t) == 0) {
        s->sub = rx_test_subscription(s->t);
    }
    rx_observable_release(o);
}

static void
inlet_cancel_setup(void *ctx)
{
    struct inlet_cancel *s = ctx;

    rx_race_loop_start(&s->l);
    s->in = rx_inlet_new(s->l.sched, 16);
    assert_non_null(s->in);
    s->t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(s->t);
    s->sub = NULL;
    rx_race_loop_call(&s->l, inlet_cancel_subscribe, s);
    assert_non_null(s->sub);
}

static void
inlet_cancel_act(int who, void *ctx)
{
    struct inlet_cancel *s = ctx;

    if (who == 0) {
        s->accepted = rx_race_push(s->in, 0, PUSHED);
        s->complete_rc = rx_inlet_complete(s->in);
    } else {
        rx_cancel(s->sub);
    }
}

static void
inlet_cancel_finish(void *ctx)
{
    struct inlet_cancel *s = ctx;
    size_t n;

    rx_race_loop_dispose(&s->l, s->t);
    rx_inlet_release(s->in);
    rx_race_loop_stop(&s->l);
    n = rx_test_count(s->t);
    assert_rx_race_run(s->t, 0, (size_t)s->accepted);
    /* A refused push means the cancel got there first, and then no
     * completion can have been accepted either. */
    if (s->accepted < PUSHED) {
        assert_int_equal(s->complete_rc, RX_ECANCELED);
    }
    if (rx_test_completed(s->t)) {
        assert_int_equal(s->complete_rc, 0);
        assert_int_equal(n, PUSHED);
    } else {
        assert_null(rx_test_error(s->t));
    }
    rx_test_observer_free(s->t);
}

static void
test_race_inlet_cancel_against_the_producer(void **state)
{
    struct inlet_cancel s;
    rx_race_case c = {.name = "inlet_cancel_vs_emit",
                      .actors = 2,
                      .setup = inlet_cancel_setup,
                      .act = inlet_cancel_act,
                      .finish = inlet_cancel_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

/* ---- observe_on: subscribe on one thread, cancel on two others --------- */

struct hop_cancel {
    rx_race_loop up;   /* the upstream's thread (subscribe_on) */
    rx_race_loop down; /* the subscriber's thread (observe_on) */
    rx_observable *o;
    rx_test_observer *t;
    rx_subscription *sub; /* published by `ready` */
    atomic_int ready;     /* the subscribing actor has returned */
    int64_t count;        /* items the upstream has, varied per run */
    int subscribe_rc;
};

static void
hop_cancel_setup(void *ctx)
{
    struct hop_cancel *s = ctx;

    rx_race_loop_start(&s->up);
    rx_race_loop_start(&s->down);
    /* 0 to 299 items: some runs end before the cancel, most do not. */
    s->count = (int64_t)rx_race_rand(-1, 300);
    s->o = rx_observe_on(rx_subscribe_on(rx_range(0, s->count), s->up.sched),
                         s->down.sched, 16);
    assert_non_null(s->o);
    s->t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(s->t);
    s->sub = NULL;
    atomic_store(&s->ready, 0);
    s->subscribe_rc = -1;
}

static void
hop_cancel_act(int who, void *ctx)
{
    struct hop_cancel *s = ctx;

    if (who == 0) {
        /* Subscribing is legal from any thread: the hops move the work
         * to the loops. */
        s->subscribe_rc = rx_test_subscribe(s->o, s->t);
        s->sub = rx_test_subscription(s->t);
        atomic_store(&s->ready, 1);
        return;
    }
    while (atomic_load(&s->ready) == 0) {
        sched_yield(); /* the subscriber is at most one call away */
    }
    rx_cancel(s->sub); /* both cancellers: cancel is idempotent */
}

static void
hop_cancel_finish(void *ctx)
{
    struct hop_cancel *s = ctx;

    assert_int_equal(s->subscribe_rc, 0);
    rx_test_dispose(s->t); /* any thread */
    rx_observable_release(s->o);
    rx_race_loop_stop(&s->down);
    rx_race_loop_stop(&s->up);
    assert_rx_race_run(s->t, 0, (size_t)s->count);
    if (rx_test_completed(s->t)) {
        assert_int_equal(rx_test_count(s->t), (size_t)s->count);
    } else {
        assert_null(rx_test_error(s->t));
    }
    rx_test_observer_free(s->t);
}

static void
test_race_observe_on_cancel_from_two_threads_against_on_next(void **state)
{
    struct hop_cancel s;
    rx_race_case c = {.name = "observe_on_cancel_vs_on_next",
                      .actors = 3,
                      .setup = hop_cancel_setup,
                      .act = hop_cancel_act,
                      .finish = hop_cancel_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_inlet_cancel_against_the_producer),
        rx_unit_test(
            test_race_observe_on_cancel_from_two_threads_against_on_next),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
