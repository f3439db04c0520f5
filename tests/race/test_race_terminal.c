/* SPDX-License-Identifier: MIT */
/*
 * Races: on_complete against on_error. Two threads end one inlet at once
 * (one completes, one fails it), seen directly and through observe_on to
 * a second loop; two inlets on one loop feed a merge and a zip while two
 * threads end them, one with an error. In every run exactly one terminal
 * signal arrives, the one the sources' results say won, after exactly the
 * items accepted before it, and nothing follows it.
 */
#include "rx_race.h"

#define PUSHED 8
#define EFIRST (RX_T_EUSER)
#define ESECOND (RX_T_EUSER - 1)

/* ---- one inlet, two threads ending it ---------------------------------- */

struct ends {
    rx_race_loop l;
    rx_race_loop down; /* observe_on's side, when hop is set */
    bool hop;
    rx_inlet *in;
    rx_test_observer *t;
    int64_t accepted;
    int complete_rc;
    int error_rc;
};

static void
ends_subscribe(void *ctx)
{
    struct ends *s = ctx;
    rx_observable *o = rx_inlet_observable(s->in);

    if (s->hop) {
        o = rx_observe_on(o, s->down.sched, 4);
    }
    rx_test_subscribe(o, s->t);
    rx_observable_release(o);
}

static void
ends_setup(void *ctx)
{
    struct ends *s = ctx;

    rx_race_loop_start(&s->l);
    if (s->hop) {
        rx_race_loop_start(&s->down);
    }
    s->in = rx_inlet_new(s->l.sched, 4);
    assert_non_null(s->in);
    s->t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(s->t);
    /* observe_on is subscribed on its consumer's thread. */
    rx_race_loop_call(s->hop ? &s->down : &s->l, ends_subscribe, s);
}

static void
ends_act(int who, void *ctx)
{
    struct ends *s = ctx;

    if (who == 0) {
        s->accepted = rx_race_push(s->in, 0, PUSHED);
        s->complete_rc = rx_inlet_complete(s->in);
    } else {
        s->error_rc = rx_inlet_error(s->in, rx_error_new(EFIRST, "failed"));
    }
}

static void
ends_finish(void *ctx)
{
    struct ends *s = ctx;

    rx_inlet_release(s->in);
    /* One of the two ends was accepted: the subscriber gets there. */
    rx_race_loop_end(s->hop ? &s->down : &s->l, s->t);
    if (s->hop) {
        rx_race_loop_stop(&s->down);
    }
    rx_race_loop_stop(&s->l);
    /* Exactly one end was accepted, and that is the signal that came. */
    assert_true((s->complete_rc == 0) != (s->error_rc == 0));
    assert_int_equal(s->complete_rc == 0 ? s->error_rc : s->complete_rc,
                     RX_ECANCELED);
    assert_rx_race_run(s->t, 0, (size_t)s->accepted);
    assert_int_equal(rx_test_count(s->t), (size_t)s->accepted);
    if (s->complete_rc == 0) {
        assert_rx_completed(s->t);
    } else {
        assert_rx_error(s->t, EFIRST);
    }
    rx_test_observer_free(s->t);
}

static void
test_race_inlet_complete_against_error(void **state)
{
    struct ends s = {.hop = false};
    rx_race_case c = {.name = "inlet_complete_vs_error",
                      .actors = 2,
                      .setup = ends_setup,
                      .act = ends_act,
                      .finish = ends_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

static void
test_race_observe_on_complete_against_error(void **state)
{
    struct ends s = {.hop = true};
    rx_race_case c = {.name = "observe_on_complete_vs_error",
                      .actors = 2,
                      .setup = ends_setup,
                      .act = ends_act,
                      .finish = ends_finish,
                      .ctx = &s};

    (void)state;
    rx_race_run(&c);
}

/* ---- two inlets into merge or zip -------------------------------------- */

struct pair {
    rx_race_loop l;
    bool zip;
    rx_inlet *in[2];
    rx_test_observer *t;
    int64_t accepted[2];
    int end_rc[2];
};

static rx_value
pair_first(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)n;
    (void)ctx;
    (void)err;
    return rx_value_retain(items[0]);
}

static void
pair_subscribe(void *ctx)
{
    struct pair *s = ctx;
    rx_observable *a = rx_inlet_observable(s->in[0]);
    rx_observable *b = rx_inlet_observable(s->in[1]);
    rx_observable *o = s->zip ? rx_zip(a, b, pair_first, NULL) : rx_merge(a, b);

    rx_test_subscribe(o, s->t);
    rx_observable_release(o);
}

static void
pair_setup(void *ctx)
{
    struct pair *s = ctx;

    rx_race_loop_start(&s->l);
    for (int i = 0; i < 2; i++) {
        s->in[i] = rx_inlet_new(s->l.sched, 4);
        assert_non_null(s->in[i]);
    }
    s->t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(s->t);
    rx_race_loop_call(&s->l, pair_subscribe, s);
}

/* Actor 0 pushes 0..7 into the first inlet and completes it (merge: fails
 * it with EFIRST); actor 1 pushes 100..107 into the second and fails it
 * with ESECOND. */
static void
pair_act(int who, void *ctx)
{
    struct pair *s = ctx;
    rx_inlet *in = s->in[who];

    s->accepted[who] = rx_race_push(in, who * 100, PUSHED);
    if (who == 0 && s->zip) {
        s->end_rc[0] = rx_inlet_complete(in);
    } else {
        s->end_rc[who] = rx_inlet_error(
            in, rx_error_new(who == 0 ? EFIRST : ESECOND, "failed"));
    }
}

static void
pair_finish(void *ctx)
{
    struct pair *s = ctx;
    const rx_error *err;
    size_t n;

    for (int i = 0; i < 2; i++) {
        rx_inlet_release(s->in[i]);
    }
    rx_race_loop_end(&s->l, s->t);
    rx_race_loop_stop(&s->l);
    n = rx_test_count(s->t);
    assert_true(rx_test_check_protocol(s->t, NULL, 0));
    assert_int_equal(rx_test_get_counts(s->t).terminals, 1);
    assert_int_equal(rx_race_undeliverable(), 0);
    err = rx_test_error(s->t);
    if (s->zip) {
        /* zip emits the first inlet's items, paired in order; it ends
         * with the error, or completes once the first inlet completed
         * with nothing left to pair. */
        assert_rx_race_run(s->t, 0, PUSHED);
        if (err != NULL) {
            assert_int_equal(rx_error_code(err), ESECOND);
            assert_int_equal(s->end_rc[1], 0);
        } else {
            assert_true(rx_test_completed(s->t));
            assert_int_equal(s->end_rc[0], 0);
            assert_int_equal(n, (size_t)s->accepted[0]);
        }
    } else {
        /* merge: one of the two errors, after items of both inlets, each
         * inlet's in its order. */
        int64_t next[2] = {0, 100};
        assert_non_null(err);
        assert_true(rx_error_code(err) == EFIRST ||
                    rx_error_code(err) == ESECOND);
        assert_int_equal(s->end_rc[rx_error_code(err) == EFIRST ? 0 : 1], 0);
        for (size_t i = 0; i < n; i++) {
            int64_t x = rx_as_int(rx_test_value(s->t, i));
            int k = x >= 100 ? 1 : 0;
            assert_int_equal(x, next[k]);
            next[k]++;
        }
    }
    rx_test_observer_free(s->t);
}

static void
test_race_merge_error_against_error(void **state)
{
    struct pair s = {.zip = false};
    rx_race_case c = {.name = "merge_error_vs_error",
                      .actors = 2,
                      .setup = pair_setup,
                      .act = pair_act,
                      .finish = pair_finish,
                      .ctx = &s};

    (void)state;
    rx_race_capture_undeliverable();
    rx_race_run(&c);
}

static void
test_race_zip_complete_against_error(void **state)
{
    struct pair s = {.zip = true};
    rx_race_case c = {.name = "zip_complete_vs_error",
                      .actors = 2,
                      .setup = pair_setup,
                      .act = pair_act,
                      .finish = pair_finish,
                      .ctx = &s};

    (void)state;
    rx_race_capture_undeliverable();
    rx_race_run(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_race_inlet_complete_against_error),
        rx_unit_test(test_race_observe_on_complete_against_error),
        rx_unit_test(test_race_merge_error_against_error),
        rx_unit_test(test_race_zip_complete_against_error),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
