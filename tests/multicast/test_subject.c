/* SPDX-License-Identifier: MIT */
/*
 * Tests for the subjects: publish (per-subscriber demand, subscribers
 * joining and leaving during an emission, signals pushed from a
 * callback), behavior (initial and latest value, waiting for demand),
 * replay (by count, by age on virtual time, a lagging subscriber),
 * async (only the last item, on completion), unicast (buffering, a
 * second subscriber refused, capacity), the end of the stream for late
 * subscribers, bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"
#include "../time/time_probe.h"

/* Subscribes a probe to the subject's observable. */
static void
join(struct tp *p, rx_subject *s, rx_scheduler *vs)
{
    tp_subscribe(p, vs, rx_subject_observable(s));
}

static void
test_publish_sends_items_to_present_subscribers(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    join(&b, s, vs);
    assert_int_equal(rx_subject_subscriber_count(s), 2);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_tp_log(&a, "0:1 0:2 0:|");
    assert_tp_log(&b, "0:2 0:|");
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    assert_int_equal(rx_subject_next(s, rx_int(3)), RX_ECANCELED);
    assert_int_equal(rx_subject_complete(s), RX_ECANCELED);
    tp_done(&a);
    tp_done(&b);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_publish_late_subscriber_gets_the_terminal(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct tp a = {.initial = RX_UNBOUNDED};

    (void)state;
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_error(s, rx_error_new(RX_EBUSY, "x")), 0);
    join(&a, s, vs);
    assert_tp_log(&a, "0:#RX_EBUSY");
    tp_done(&a);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_publish_fails_only_the_subscriber_without_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct tp a = {.initial = 1};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, s, vs);
    join(&b, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(3)), 0);
    assert_tp_log(&a, "0:1 0:#RX_EBACKPRESSURE");
    assert_non_null(strstr(a.msg, "rx_subject_publish"));
    assert_tp_log(&b, "0:1 0:2 0:3");
    assert_int_equal(rx_subject_subscriber_count(s), 1);
    tp_done(&a);
    tp_done(&b);
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

/* A subscriber that, at its first item, subscribes `join_p` to the
 * subject and disposes `leave_p`'s subscription. */
struct churn {
    struct tp p;
    rx_subject *s;
    rx_scheduler *vs;
    struct tp *join_p;
    struct tp *leave_p;
    bool acted;
    rx_subscription *sub;
    char log[256];
};

static void
churn_sub(rx_subscription *sub, void *ctx)
{
    struct churn *c = ctx;

    c->sub = sub;
    rx_request(sub, RX_UNBOUNDED);
}

static void
churn_next(rx_value v, void *ctx)
{
    struct churn *c = ctx;
    size_t n = strlen(c->log);

    snprintf(c->log + n, sizeof c->log - n, "%lld ", (long long)rx_as_int(v));
    if (!c->acted) {
        c->acted = true;
        if (c->join_p != NULL) {
            join(c->join_p, c->s, c->vs);
        }
        if (c->leave_p != NULL) {
            rx_dispose(c->leave_p->sub);
            c->leave_p->sub = NULL;
        }
    }
}

static void
test_publish_subscribers_join_and_leave_during_emission(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct tp late = {.initial = RX_UNBOUNDED};
    struct tp victim = {.initial = RX_UNBOUNDED};
    struct churn c = {.s = s, .vs = vs, .join_p = &late, .leave_p = &victim};
    rx_observable *obs = rx_subject_observable(s);
    rx_subscription *sub;

    (void)state;
    assert_int_equal(rx_subscribe(obs,
                                  &(rx_observer){.on_subscribe = churn_sub,
                                                 .on_next = churn_next,
                                                 .ctx = &c},
                                  &sub),
                     0);
    rx_observable_release(obs);
    join(&victim, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    /* The joiner missed 1; the victim left before 1 reached it. */
    assert_tp_log(&late, "");
    assert_tp_log(&victim, "");
    assert_int_equal(rx_subject_subscriber_count(s), 2);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    assert_string_equal(c.log, "1 2 ");
    assert_tp_log(&late, "0:2");
    assert_int_equal(victim.finallies, 1);
    rx_dispose(sub);
    tp_done(&late);
    assert_int_equal(victim.after_terminal, 0);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

/* Pushes the next item from inside on_next, up to 5. */
struct echo {
    rx_subject *s;
    char log[128];
    int depth;
    int max_depth;
};

static void
echo_next(rx_value v, void *ctx)
{
    struct echo *e = ctx;
    size_t n = strlen(e->log);

    e->depth++;
    if (e->depth > e->max_depth) {
        e->max_depth = e->depth;
    }
    snprintf(e->log + n, sizeof e->log - n, "%lld ", (long long)rx_as_int(v));
    if (rx_as_int(v) < 5) {
        assert_int_equal(rx_subject_next(e->s, rx_int(rx_as_int(v) + 1)), 0);
    } else {
        assert_int_equal(rx_subject_complete(e->s), 0);
    }
    e->depth--;
}

static void
test_subject_serialises_signals_pushed_from_a_callback(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_publish();
    struct echo e = {.s = s};
    struct tp other = {.initial = RX_UNBOUNDED};
    rx_observable *obs = rx_subject_observable(s);
    rx_subscription *sub;

    (void)state;
    assert_int_equal(
        rx_subscribe(obs, &(rx_observer){.on_next = echo_next, .ctx = &e},
                     &sub),
        0);
    rx_observable_release(obs);
    join(&other, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_string_equal(e.log, "1 2 3 4 5 ");
    assert_int_equal(e.max_depth, 1);
    assert_tp_log(&other, "0:1 0:2 0:3 0:4 0:5 0:|");
    rx_dispose(sub);
    tp_done(&other);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_behavior_sends_the_initial_then_the_latest(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_behavior(rx_int(0));
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};
    rx_value v;

    (void)state;
    join(&a, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    join(&b, s, vs);
    assert_int_equal(rx_subject_value(s, &v), 0);
    assert_int_equal(rx_as_int(v), 2);
    assert_int_equal(rx_subject_next(s, rx_int(3)), 0);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_tp_log(&a, "0:0 0:1 0:2 0:3 0:|");
    assert_tp_log(&b, "0:2 0:3 0:|");
    assert_int_equal(rx_subject_value(s, &v), RX_ENOELEMENT);
    tp_done(&a);
    tp_done(&b);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_behavior_value_waits_for_the_first_request(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_behavior(rx_str("init"));
    struct tp a = {.initial = 0};

    (void)state;
    join(&a, s, vs);
    assert_tp_log(&a, "");
    assert_int_equal(rx_request(a.sub, 1), 0);
    assert_tp_log(&a, "0:init");
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_tp_log(&a, "0:init 0:#RX_EBACKPRESSURE");
    tp_done(&a);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_replay_by_count_replays_the_last_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_replay(2, 0, NULL);
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
    }
    join(&a, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(5)), 0);
    assert_int_equal(rx_subject_complete(s), 0);
    join(&b, s, vs);
    assert_tp_log(&a, "0:3 0:4 0:5 0:|");
    assert_tp_log(&b, "0:4 0:5 0:|");
    tp_done(&a);
    tp_done(&b);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_replay_by_age_forgets_old_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_replay(0, 10, vs);
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0); /* at 0 */
    tp_advance_to(vs, 5);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0); /* at 5 */
    tp_advance_to(vs, 10);
    join(&a, s, vs); /* 1 is exactly 10 ms old: too old */
    tp_advance_to(vs, 15);
    join(&b, s, vs); /* 2 is 10 ms old too */
    assert_tp_log(&a, "10:2");
    assert_tp_log(&b, "");
    tp_done(&a);
    tp_done(&b);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_replay_lagging_subscriber_catches_up_at_its_pace(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_replay(1, 0, NULL);
    struct tp a = {.initial = 1};

    (void)state;
    join(&a, s, vs);
    for (int i = 1; i <= 4; i++) {
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
    }
    assert_int_equal(rx_subject_complete(s), 0);
    assert_tp_log(&a, "0:1");
    /* It keeps what it has not read, past the count bound. */
    assert_int_equal(rx_request(a.sub, 2), 0);
    assert_tp_log(&a, "0:1 0:2 0:3");
    assert_int_equal(rx_request(a.sub, 5), 0);
    assert_tp_log(&a, "0:1 0:2 0:3 0:4 0:|");
    tp_done(&a);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_async_emits_only_the_last_on_completion(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_async();
    struct tp a = {.initial = RX_UNBOUNDED};
    struct tp b = {.initial = 0};
    struct tp c = {.initial = RX_UNBOUNDED};
    rx_value v;

    (void)state;
    join(&a, s, vs);
    join(&b, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    assert_int_equal(rx_subject_value(s, &v), RX_ENOELEMENT);
    assert_tp_log(&a, "");
    assert_int_equal(rx_subject_complete(s), 0);
    join(&c, s, vs);
    assert_tp_log(&a, "0:2 0:|");
    assert_tp_log(&b, ""); /* waits for demand */
    assert_int_equal(rx_request(b.sub, 1), 0);
    assert_tp_log(&b, "0:2 0:|");
    assert_tp_log(&c, "0:2 0:|");
    assert_int_equal(rx_subject_value(s, &v), 0);
    assert_int_equal(rx_as_int(v), 2);
    tp_done(&a);
    tp_done(&b);
    tp_done(&c);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_async_error_sends_no_item(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_async();
    struct tp a = {.initial = RX_UNBOUNDED};

    (void)state;
    join(&a, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_error(s, rx_error_new(RX_EBUSY, "x")), 0);
    assert_tp_log(&a, "0:#RX_EBUSY");
    tp_done(&a);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_unicast_buffers_until_its_subscriber_requests(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_unicast(0);
    struct tp a = {.initial = 1};
    struct tp b = {.initial = RX_UNBOUNDED};

    (void)state;
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    join(&a, s, vs);
    assert_int_equal(rx_subject_next(s, rx_int(3)), 0);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_tp_log(&a, "0:1");
    join(&b, s, vs);
    assert_tp_log(&b, "0:#RX_EBUSY");
    assert_int_equal(rx_request(a.sub, 10), 0);
    assert_tp_log(&a, "0:1 0:2 0:3 0:|");
    tp_done(&a);
    tp_done(&b);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_unicast_refuses_items_beyond_its_capacity(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_unicast(2);
    struct tp a = {.initial = 0};

    (void)state;
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_int_equal(rx_subject_next(s, rx_int(2)), 0);
    assert_int_equal(rx_subject_next(s, rx_str("refused")), RX_EBACKPRESSURE);
    join(&a, s, vs);
    assert_int_equal(rx_request(a.sub, 1), 0);
    assert_int_equal(rx_subject_next(s, rx_int(3)), 0);
    rx_cancel(a.sub);
    assert_int_equal(rx_subject_next(s, rx_int(4)), RX_ECANCELED);
    assert_tp_log(&a, "0:1");
    tp_done(&a);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_subject_rejects_bad_arguments(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_value v;

    (void)state;
    assert_int_equal(rx_subject_next(NULL, rx_str("x")), RX_EINVAL);
    assert_int_equal(rx_subject_error(NULL, rx_error_new(RX_EBUSY, "x")),
                     RX_EINVAL);
    assert_int_equal(rx_subject_error(s, NULL), RX_EINVAL);
    assert_int_equal(rx_subject_complete(NULL), RX_EINVAL);
    assert_int_equal(rx_subject_next(s, rx_invalid()), RX_ENOMEM);
    assert_int_equal(rx_subject_value(s, NULL), RX_EINVAL);
    assert_int_equal(rx_subject_value(s, &v), RX_ENOELEMENT);
    assert_null(rx_subject_observable(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_subject_replay(1, -1, NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_subject_replay(1, 5, rx_scheduler_trampoline()));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_subject_behavior(rx_invalid()));
    assert_int_equal(rx_last_error(), RX_ENOMEM);
    assert_int_equal(rx_subject_subscriber_count(NULL), 0);
    rx_subject_release(NULL);
    assert_null(rx_subject_retain(NULL));
    rx_subject_release(s);
}

/* One run: a replay subject, a subscriber, items; a failure is a clean
 * RX_ENOMEM somewhere along the way. */
static void
replay_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_subject *s = rx_subject_replay(2, 0, NULL);
    struct tp a = {.initial = RX_UNBOUNDED, .vs = vs};
    rx_observable *obs;
    rx_subscription *sub = NULL;
    rx_observer ob = {.on_subscribe = tp_on_subscribe,
                      .on_next = tp_on_next,
                      .on_error = tp_on_error,
                      .on_complete = tp_on_complete,
                      .on_finally = tp_on_finally,
                      .ctx = &a};
    int rc = 0;

    (void)ctx;
    if (s == NULL || vs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_subject_release(s);
        rx_scheduler_release(vs);
        return;
    }
    for (int i = 1; i <= 3 && rc == 0; i++) {
        rc = rx_subject_next(s, rx_int(i));
    }
    obs = rx_subject_observable(s);
    if (rc == 0 && rx_subscribe(obs, &ob, &sub) == 0) {
        rc = rx_subject_next(s, rx_int(4));
        if (rc == 0) {
            rc = rx_subject_complete(s);
        }
        if (!failed) {
            assert_tp_log(&a, "0:2 0:3 0:4 0:|");
        }
        rx_dispose(sub);
    } else {
        assert_true(failed);
    }
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    }
    rx_observable_release(obs);
    rx_subject_release(s);
    rx_scheduler_release(vs);
}

static void
test_subject_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(replay_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_publish_sends_items_to_present_subscribers),
        rx_unit_test(test_publish_late_subscriber_gets_the_terminal),
        rx_unit_test(test_publish_fails_only_the_subscriber_without_demand),
        rx_unit_test(test_publish_subscribers_join_and_leave_during_emission),
        rx_unit_test(test_subject_serialises_signals_pushed_from_a_callback),
        rx_unit_test(test_behavior_sends_the_initial_then_the_latest),
        rx_unit_test(test_behavior_value_waits_for_the_first_request),
        rx_unit_test(test_replay_by_count_replays_the_last_items),
        rx_unit_test(test_replay_by_age_forgets_old_items),
        rx_unit_test(test_replay_lagging_subscriber_catches_up_at_its_pace),
        rx_unit_test(test_async_emits_only_the_last_on_completion),
        rx_unit_test(test_async_error_sends_no_item),
        rx_unit_test(test_unicast_buffers_until_its_subscriber_requests),
        rx_unit_test(test_unicast_refuses_items_beyond_its_capacity),
        rx_unit_test(test_subject_rejects_bad_arguments),
        rx_unit_test(test_subject_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
