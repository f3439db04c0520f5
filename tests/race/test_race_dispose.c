/* SPDX-License-Identifier: MIT */
/*
 * Races: emit against dispose. A producer pushes into an inlet and
 * completes it while another thread disposes the subscriber's handle:
 * the inlet read directly, through observe_on to a second loop, and
 * through a publish subject the inlet feeds on its owner thread (the way
 * DESIGN.md section 4 has other threads feed subjects), where a second
 * subscriber must see everything whatever happens to the first. In every
 * run the disposed subscriber saw 0, 1, 2, ... in order, completed only
 * after all of them, nothing overlapped or came after its end, and
 * nothing is left alive.
 */
#include "rx_race.h"

#define PUSHED 32

enum via { DIRECT, HOP, SUBJECT };

struct disp {
    enum via via;
    rx_race_loop l;    /* the inlet's loop; the subject's owner */
    rx_race_loop down; /* HOP: the subscriber's loop */
    rx_inlet *in;
    rx_subject *subj;       /* SUBJECT: fed by the inlet */
    rx_subscription *feed;  /* SUBJECT: inlet -> subject */
    rx_test_observer *t;    /* disposed by an actor */
    rx_test_observer *keep; /* SUBJECT: never disposed */
    int64_t accepted;
    int complete_rc;
};

/* The feed: the inlet's signals, pushed into the subject on its owner
 * thread (the inlet delivers there). */
static void
feed_next(rx_value v, void *ctx)
{
    rx_subject_next(ctx, rx_value_retain(v));
}

static void
feed_error(const rx_error *err, void *ctx)
{
    rx_subject_error(ctx, rx_error_retain(err));
}

static void
feed_complete(void *ctx)
{
    rx_subject_complete(ctx);
}

static void
disp_subscribe(void *ctx)
{
    struct disp *s = ctx;
    rx_observable *o;

    if (s->via == SUBJECT) {
        rx_observer feed = {.on_next = feed_next,
                            .on_error = feed_error,
                            .on_complete = feed_complete,
                            .ctx = s->subj};
        o = rx_subject_observable(s->subj);
        rx_test_subscribe(o, s->t);
        rx_test_subscribe(o, s->keep);
        rx_observable_release(o);
        o = rx_inlet_observable(s->in);
        if (rx_subscribe(o, &feed, &s->feed) != 0) {
            s->feed = NULL;
        }
    } else if (s->via == HOP) {
        o = rx_observe_on(rx_inlet_observable(s->in), s->down.sched, 8);
        rx_test_subscribe(o, s->t);
    } else {
        o = rx_inlet_observable(s->in);
        rx_test_subscribe(o, s->t);
    }
    rx_observable_release(o);
}

static void
disp_setup(void *ctx)
{
    struct disp *s = ctx;

    rx_race_loop_start(&s->l);
    if (s->via == HOP) {
        rx_race_loop_start(&s->down);
    }
    s->in = rx_inlet_new(s->l.sched, 8);
    assert_non_null(s->in);
    s->t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(s->t);
    s->keep = NULL;
    s->subj = NULL;
    s->feed = NULL;
    if (s->via == SUBJECT) {
        s->keep = rx_test_observer_new(RX_UNBOUNDED);
        s->subj = rx_subject_publish();
        assert_non_null(s->keep);
        assert_non_null(s->subj);
    }
    rx_race_loop_call(s->via == HOP ? &s->down : &s->l, disp_subscribe, s);
    if (s->via == SUBJECT) {
        assert_non_null(s->feed);
    }
}

static void
disp_act(int who, void *ctx)
{
    struct disp *s = ctx;

    if (who == 0) {
        s->accepted = rx_race_push(s->in, 0, PUSHED);
        s->complete_rc = rx_inlet_complete(s->in);
    } else {
        rx_test_dispose(s->t); /* any thread */
    }
}

static void
dispose_feed(void *ctx)
{
    struct disp *s = ctx;

    rx_dispose(s->feed);
    rx_subject_release(s->subj);
}

static void
disp_finish(void *ctx)
{
    struct disp *s = ctx;

    if (s->via == SUBJECT) {
        /* The feed and `keep` run to the end whatever the dispose did. */
        rx_race_loop_end(&s->l, s->keep);
        rx_race_loop_call(&s->l, dispose_feed, s);
    }
    rx_inlet_release(s->in);
    if (s->via == HOP) {
        rx_race_loop_stop(&s->down);
    }
    rx_race_loop_stop(&s->l);
    assert_rx_race_run(s->t, 0, (size_t)s->accepted);
    if (rx_test_completed(s->t)) {
        assert_int_equal(rx_test_count(s->t), PUSHED);
    } else {
        assert_null(rx_test_error(s->t));
    }
    if (s->via == SUBJECT) {
        /* The subscriber the dispose did not touch saw it all. */
        assert_int_equal(s->accepted, PUSHED);
        assert_int_equal(s->complete_rc, 0);
        assert_rx_race_run(s->keep, 0, PUSHED);
        assert_int_equal(rx_test_count(s->keep), PUSHED);
        assert_rx_completed(s->keep);
        rx_test_observer_free(s->keep);
    } else if (s->accepted < PUSHED) {
        assert_int_equal(s->complete_rc, RX_ECANCELED);
    }
    rx_test_observer_free(s->t);
}

static void
run_via(enum via via, const char *name)
{
    struct disp s = {.via = via};
    rx_race_case c = {.name = name,
                      .actors = 2,
                      .setup = disp_setup,
                      .act = disp_act,
                      .finish = disp_finish,
                      .ctx = &s};

    rx_race_run(&c);
}

static void
test_race_inlet_dispose_against_emit(void **state)
{
    (void)state;
    run_via(DIRECT, "inlet_dispose_vs_emit");
}

static void
test_race_observe_on_dispose_against_emit(void **state)
{
    (void)state;
    run_via(HOP, "observe_on_dispose_vs_emit");
}

static void
test_race_subject_fed_by_an_inlet_dispose_against_emit(void **state)
{
    (void)state;
    run_via(SUBJECT, "subject_dispose_vs_emit");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_inlet_dispose_against_emit),
        rx_unit_test(test_race_observe_on_dispose_against_emit),
        rx_unit_test(test_race_subject_fed_by_an_inlet_dispose_against_emit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
