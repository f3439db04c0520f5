/* SPDX-License-Identifier: MIT */
/*
 * Races: request against request. Two threads take turns on the
 * subscriber's thread to request (rx_request() is called there, as
 * DESIGN.md section 4 requires) while demand crosses a hop the other way:
 * observe_on replenishing its upstream on another loop, and an inlet
 * whose producer pushes from a third thread. The demand adds up to
 * exactly the items there are, so every run must deliver all of them, in
 * order, never beyond demand, then complete.
 */
#include "rx_race.h"

#define ITEMS 32
#define CHUNK 4 /* each request; ITEMS / CHUNK / 2 per requesting actor */

struct req {
    rx_race_loop up;   /* observe_on: the upstream's loop */
    rx_race_loop down; /* the subscriber's loop */
    bool hop;          /* observe_on, else an inlet on `down` */
    rx_inlet *in;
    rx_test_observer *t;
    int64_t accepted;
    int complete_rc;
};

static void
req_subscribe(void *ctx)
{
    struct req *s = ctx;
    rx_observable *o;

    if (s->hop) {
        /* A small prefetch, so replenishing requests cross often. */
        o = rx_observe_on(rx_subscribe_on(rx_range(0, ITEMS), s->up.sched),
                          s->down.sched, 4);
    } else {
        o = rx_inlet_observable(s->in);
    }
    rx_test_subscribe(o, s->t);
    rx_observable_release(o);
}

static void
req_setup(void *ctx)
{
    struct req *s = ctx;

    if (s->hop) {
        rx_race_loop_start(&s->up);
    }
    rx_race_loop_start(&s->down);
    if (!s->hop) {
        /* The inlet delivers on the subscriber's loop. */
        s->in = rx_inlet_new(s->down.sched, 8);
        assert_non_null(s->in);
    }
    s->t = rx_test_observer_new(0);
    assert_non_null(s->t);
    rx_race_loop_call(&s->down, req_subscribe, s);
}

static void
request_chunk(void *ctx)
{
    rx_test_request(ctx, CHUNK);
}

static void
req_act(int who, void *ctx)
{
    struct req *s = ctx;

    if (!s->hop && who == 2) {
        s->accepted = rx_race_push(s->in, 0, ITEMS);
        s->complete_rc = rx_inlet_complete(s->in);
        return;
    }
    for (int i = 0; i < ITEMS / CHUNK / 2; i++) {
        rx_race_loop_call(&s->down, request_chunk, s->t);
    }
}

static void
req_finish(void *ctx)
{
    struct req *s = ctx;

    rx_race_loop_end(&s->down, s->t);
    if (!s->hop) {
        /* The inlet holds its scheduler: let go before the loop. */
        rx_inlet_release(s->in);
        assert_int_equal(s->accepted, ITEMS);
        assert_int_equal(s->complete_rc, 0);
    }
    rx_race_loop_stop(&s->down);
    if (s->hop) {
        rx_race_loop_stop(&s->up);
    }
    assert_rx_race_run(s->t, 0, ITEMS);
    assert_int_equal(rx_test_count(s->t), ITEMS);
    assert_rx_completed(s->t);
    rx_test_observer_free(s->t);
}

static void
test_race_observe_on_requests_against_replenishing(void **state)
{
    struct req s = {.hop = true};
    rx_race_case c = {.name = "observe_on_request_vs_request",
                      .actors = 2,
                      .setup = req_setup,
                      .act = req_act,
                      .finish = req_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

static void
test_race_inlet_requests_against_pushes(void **state)
{
    struct req s = {.hop = false};
    rx_race_case c = {.name = "inlet_request_vs_request",
                      .actors = 3,
                      .setup = req_setup,
                      .act = req_act,
                      .finish = req_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_observe_on_requests_against_replenishing),
        rx_unit_test(test_race_inlet_requests_against_pushes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
