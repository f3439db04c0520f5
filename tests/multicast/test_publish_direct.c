/* SPDX-License-Identifier: MIT */
/*
 * Tests for the direct delivery of a publish subject to an observer
 * subscribed right below it (publish_one() in
 * operators/multicast/subject.c calls the observer itself instead of
 * going through the sink stage): bounded demand is still counted, and a
 * subscriber that cancels, disposes or requests 0 from inside its own
 * on_next receives nothing more while the others go on. The direct path
 * (an unbounded observer right below the subject) opens no full frame
 * per item, so: on_finally of a subscriber that cancels itself in
 * on_next waits until that on_next returned; a subscriber cancelling
 * others (before or after it in the list) from on_next; demand turning
 * unbounded midway (bounded counting, then the direct path); a behavior
 * subject's initial item before direct deliveries; and a cancel asked
 * from another thread, honoured at the next item (also with two
 * subjects, whichever delivers first).
 */
#include <stdio.h>
#include <string.h>

#include "rx_test.h"

struct dp {
    rx_subscription *sub;  /* from on_subscribe */
    rx_subscription *held; /* from rx_subscribe's out, when asked */
    int64_t initial;       /* the first request */
    int64_t act_at;        /* the item that triggers `act` */
    /* 0 none, 1 cancel, 2 dispose, 3 request(0), 4 cancel `victim`'s
     * subscription, 5 request RX_UNBOUNDED */
    int act;
    struct dp *victim;
    char log[128];
    int after_end; /* signals after the end */
    bool ended;
    int finallies;
    int finallies_in_next; /* on_finally runs seen right after the act */
};

static void
dp_log(struct dp *p, const char *s)
{
    size_t n = strlen(p->log);

    snprintf(p->log + n, sizeof p->log - n, "%s", s);
}

static void
dp_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct dp *p = ctx;

    p->sub = sub;
    rx_request(sub, p->initial);
}

static void
dp_on_next(rx_value v, void *ctx)
{
    struct dp *p = ctx;
    char buf[32];

    if (p->ended) {
        p->after_end++;
        return;
    }
    snprintf(buf, sizeof buf, "%lld ", (long long)rx_as_int(v));
    dp_log(p, buf);
    if (rx_as_int(v) != p->act_at) {
        return;
    }
    switch (p->act) {
    case 1:
        p->ended = true;
        rx_cancel(p->sub);
        break;
    case 2:
        p->ended = true;
        rx_dispose(p->held);
        p->held = NULL;
        break;
    case 3:
        rx_request(p->sub, 0);
        break;
    case 4:
        p->victim->ended = true;
        rx_cancel(p->victim->sub);
        p->finallies_in_next = p->victim->finallies;
        return;
    case 5:
        rx_request(p->sub, RX_UNBOUNDED);
        break;
    default:
        break;
    }
    p->finallies_in_next = p->finallies;
}

static void
dp_on_error(const rx_error *err, void *ctx)
{
    struct dp *p = ctx;

    p->after_end += p->ended;
    p->ended = true;
    dp_log(p, rx_error_code(err) == RX_EINVAL          ? "#EINVAL"
              : rx_error_code(err) == RX_EBACKPRESSURE ? "#EBACKPRESSURE"
                                                       : "#other");
}

static void
dp_on_complete(void *ctx)
{
    struct dp *p = ctx;

    p->after_end += p->ended;
    p->ended = true;
    dp_log(p, "|");
}

static void
dp_on_finally(void *ctx)
{
    ((struct dp *)ctx)->finallies++;
}

static void
dp_join(rx_subject *s, struct dp *p, bool hold)
{
    rx_observable *o = rx_subject_observable(s);

    assert_non_null(o);
    rx_observer obs = {.on_subscribe = dp_on_subscribe,
                       .on_next = dp_on_next,
                       .on_error = dp_on_error,
                       .on_complete = dp_on_complete,
                       .on_finally = dp_on_finally,
                       .ctx = p};

    assert_int_equal(rx_subscribe(o, &obs, hold ? &p->held : NULL), 0);
    rx_observable_release(o);
}

static void
push(rx_subject *s, int64_t from, int64_t to)
{
    for (int64_t i = from; i <= to; i++) {
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
    }
}

static void
test_publish_direct_counts_bounded_demand(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp a = {.initial = 2, .act_at = -1};
    struct dp b = {.initial = RX_UNBOUNDED, .act_at = -1};

    (void)state;
    dp_join(s, &a, false);
    dp_join(s, &b, false);
    push(s, 1, 3);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(a.log, "1 2 #EBACKPRESSURE");
    assert_string_equal(b.log, "1 2 3 |");
    assert_int_equal(a.after_end + b.after_end, 0);
    assert_int_equal(a.finallies + b.finallies, 2);
    rx_subject_release(s);
}

static void
test_publish_direct_self_cancel_and_dispose_inside_on_next(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp c = {.initial = RX_UNBOUNDED, .act_at = 2, .act = 1};
    struct dp d = {.initial = RX_UNBOUNDED, .act_at = 3, .act = 2};
    struct dp e = {.initial = RX_UNBOUNDED, .act_at = -1};

    (void)state;
    dp_join(s, &c, false);
    dp_join(s, &d, true);
    dp_join(s, &e, false);
    push(s, 1, 5);
    assert_int_equal(rx_subject_subscriber_count(s), 1);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(c.log, "1 2 ");
    assert_string_equal(d.log, "1 2 3 ");
    assert_string_equal(e.log, "1 2 3 4 5 |");
    assert_int_equal(c.after_end + d.after_end + e.after_end, 0);
    assert_int_equal(c.finallies + d.finallies + e.finallies, 3);
    rx_subject_release(s);
}

static void
test_publish_direct_request_zero_inside_on_next(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp f = {.initial = RX_UNBOUNDED, .act_at = 2, .act = 3};
    struct dp g = {.initial = RX_UNBOUNDED, .act_at = -1};

    (void)state;
    dp_join(s, &f, false);
    dp_join(s, &g, false);
    push(s, 1, 4);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(f.log, "1 2 #EINVAL");
    assert_string_equal(g.log, "1 2 3 4 |");
    assert_int_equal(f.after_end + g.after_end, 0);
    assert_int_equal(f.finallies + g.finallies, 2);
    rx_subject_release(s);
}

/* on_finally of a subscriber that cancels or disposes itself inside its
 * on_next runs after that on_next returned, before rx_subject_next()
 * returns. */
static void
test_publish_direct_finally_waits_for_on_next(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp c = {.initial = RX_UNBOUNDED, .act_at = 1, .act = 1};
    struct dp d = {.initial = RX_UNBOUNDED, .act_at = 1, .act = 2};

    (void)state;
    dp_join(s, &c, false);
    dp_join(s, &d, true);
    push(s, 1, 1);
    assert_int_equal(c.finallies_in_next, 0);
    assert_int_equal(d.finallies_in_next, 0);
    assert_int_equal(c.finallies, 1);
    assert_int_equal(d.finallies, 1);
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    push(s, 2, 3);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(c.log, "1 ");
    assert_string_equal(d.log, "1 ");
    assert_int_equal(c.after_end + d.after_end, 0);
    assert_null(d.held);
    rx_subject_release(s);
}

/* At item 2, `killer` cancels one subscriber ahead of it in the list
 * (already given 2) and one behind it (not yet given 2): the one behind
 * gets nothing more, the others go on, each on_finally runs once. */
static void
test_publish_direct_on_next_cancels_others(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp ahead = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp behind = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp killer = {.initial = RX_UNBOUNDED, .act_at = 2, .act = 4};
    struct dp killer2 = {.initial = RX_UNBOUNDED, .act_at = 2, .act = 4};
    struct dp last = {.initial = RX_UNBOUNDED, .act_at = -1};

    (void)state;
    killer.victim = &ahead;
    killer2.victim = &behind;
    dp_join(s, &ahead, false);
    dp_join(s, &killer, false);
    dp_join(s, &killer2, false);
    dp_join(s, &behind, false);
    dp_join(s, &last, false);
    push(s, 1, 3);
    /* Neither victim was being delivered to: its end is immediate. */
    assert_int_equal(killer.finallies_in_next, 1);
    assert_int_equal(killer2.finallies_in_next, 1);
    assert_int_equal(rx_subject_subscriber_count(s), 3);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(ahead.log, "1 2 ");
    assert_string_equal(behind.log, "1 ");
    assert_string_equal(killer.log, "1 2 3 |");
    assert_string_equal(killer2.log, "1 2 3 |");
    assert_string_equal(last.log, "1 2 3 |");
    assert_int_equal(ahead.after_end + behind.after_end + killer.after_end +
                         killer2.after_end + last.after_end,
                     0);
    assert_int_equal(ahead.finallies + behind.finallies + killer.finallies +
                         killer2.finallies + last.finallies,
                     5);
    rx_subject_release(s);
}

/* The delivery loop takes an odd first subscriber alone, then two per
 * turn: with 1 to 5 subscribers, each one in turn cancels itself at item
 * 2 (on_finally waits for its on_next) or cancels the next one (around
 * the end: the first), which then gets nothing more. */
static void
test_publish_direct_cancels_at_every_position(void **state)
{
    (void)state;
    for (int n = 1; n <= 5; n++) {
        for (int k = 0; k < n; k++) {
            for (int act = 1; act <= 4; act += 3) { /* 1 self, 4 next */
                rx_subject *s = rx_subject_publish();
                struct dp d[5];
                int victim = act == 4 ? (k + 1) % n : k;

                if (act == 4 && n == 1) {
                    rx_subject_release(s);
                    continue;
                }
                memset(d, 0, sizeof d);
                for (int i = 0; i < n; i++) {
                    d[i].initial = RX_UNBOUNDED;
                    d[i].act_at = i == k ? 2 : -1;
                    d[i].act = i == k ? act : 0;
                    d[i].victim = &d[victim];
                    dp_join(s, &d[i], false);
                }
                push(s, 1, 3);
                assert_int_equal(rx_subject_complete(s), 0);
                for (int i = 0; i < n; i++) {
                    const char *want = "1 2 3 |";
                    if (i == victim) {
                        want = act == 1 || victim < k ? "1 2 " : "1 ";
                    }
                    assert_string_equal(d[i].log, want);
                    assert_int_equal(d[i].after_end, 0);
                    assert_int_equal(d[i].finallies, 1);
                }
                /* on_finally of the one cancelled: after the killer's
                 * on_next when it cancelled itself, at once otherwise */
                assert_int_equal(d[k].finallies_in_next, act == 1 ? 0 : 1);
                rx_subject_release(s);
            }
        }
    }
}

/* Demand counted while bounded (one item beyond it would fail), then
 * unbounded from inside on_next: every later item arrives. */
static void
test_publish_direct_demand_turns_unbounded(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp a = {.initial = 2, .act_at = 2, .act = 5};
    struct dp b = {.initial = 2, .act_at = -1};

    (void)state;
    dp_join(s, &a, false);
    dp_join(s, &b, false);
    push(s, 1, 5);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(a.log, "1 2 3 4 5 |");
    assert_string_equal(b.log, "1 2 #EBACKPRESSURE");
    assert_int_equal(a.after_end + b.after_end, 0);
    assert_int_equal(a.finallies + b.finallies, 2);
    rx_subject_release(s);
}

/* A behavior subject: the initial item first (through the slot), then
 * the live items; one subscriber waits for demand for its initial item. */
static void
test_behavior_direct_after_the_initial_item(void **state)
{
    rx_subject *s = rx_subject_behavior(rx_int(0));
    struct dp a = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp b = {.initial = 1, .act_at = 0, .act = 5};
    struct dp c = {.initial = RX_UNBOUNDED, .act_at = 2, .act = 1};

    (void)state;
    assert_non_null(s);
    dp_join(s, &a, false);
    dp_join(s, &b, false);
    dp_join(s, &c, false);
    push(s, 1, 3);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(a.log, "0 1 2 3 |");
    assert_string_equal(b.log, "0 1 2 3 |");
    assert_string_equal(c.log, "0 1 2 ");
    assert_int_equal(a.after_end + b.after_end + c.after_end, 0);
    assert_int_equal(a.finallies + b.finallies + c.finallies, 3);
    rx_subject_release(s);
}

/* rx_cancel() from another thread, on a subscriber of the direct path:
 * the owner thread honours it at the next item (the subscriber gets
 * nothing more), the others are unaffected. */
static void
test_publish_direct_remote_cancel(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct dp a = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp b = {.initial = RX_UNBOUNDED, .act_at = -1};
    (void)state;
    dp_join(s, &a, true);
    dp_join(s, &b, false);
    push(s, 1, 2);
    rx_cancel_from_other_thread(a.held);
    push(s, 3, 4);
    assert_int_equal(rx_subject_subscriber_count(s), 1);
    assert_int_equal(a.finallies, 1);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(a.log, "1 2 ");
    assert_string_equal(b.log, "1 2 3 4 |");
    assert_int_equal(a.after_end + b.after_end, 0);
    assert_int_equal(b.finallies, 1);
    rx_dispose(a.held);
    rx_subject_release(s);
}

/* For the nested test: `a` on s1 forwards each item to s2, whose
 * subscriber `b` disposes `a` at item 2. */
struct relay {
    rx_subject *s2;
    rx_subscription *a_handle;
    char a_log[32];
    char b_log[32];
    int a_finallies;
    int a_finallies_after_forward; /* seen in a's on_next, after s2 */
};

/* Appends "v " to log (of `size` bytes). */
static void
log_int(char *log, size_t size, rx_value v)
{
    size_t n = strlen(log);

    snprintf(log + n, size - n, "%lld ", (long long)rx_as_int(v));
}

static void
relay_a_next(rx_value v, void *ctx)
{
    struct relay *r = ctx;

    log_int(r->a_log, sizeof r->a_log, v);
    assert_int_equal(rx_subject_next(r->s2, v), 0);
    r->a_finallies_after_forward = r->a_finallies;
}

static void
relay_a_finally(void *ctx)
{
    ((struct relay *)ctx)->a_finallies++;
}

static void
relay_b_next(rx_value v, void *ctx)
{
    struct relay *r = ctx;

    log_int(r->b_log, sizeof r->b_log, v);
    if (rx_as_int(v) == 2) {
        rx_dispose(r->a_handle);
        r->a_handle = NULL;
    }
}

/* A delivery from one subject runs inside a delivery from another: the
 * inner subscriber disposes the outer one, whose on_next is still on
 * the stack. Its on_finally waits until that on_next returned, it gets
 * nothing more, and the inner subscriber goes on. */
static void
test_publish_direct_nested_subjects_dispose_the_outer_subscriber(void **state)
{
    rx_subject *s1 = rx_subject_publish();
    struct relay r = {.s2 = rx_subject_publish()};
    rx_observer a = {
        .on_next = relay_a_next, .on_finally = relay_a_finally, .ctx = &r};
    rx_observer b = {.on_next = relay_b_next, .ctx = &r};
    rx_observable *o1 = rx_subject_observable(s1);
    rx_observable *o2 = rx_subject_observable(r.s2);
    rx_subscription *b_handle = NULL;

    (void)state;
    assert_int_equal(rx_subscribe(o1, &a, &r.a_handle), 0);
    assert_int_equal(rx_subscribe(o2, &b, &b_handle), 0);
    rx_observable_release(o1);
    rx_observable_release(o2);
    push(s1, 1, 2);
    assert_int_equal(r.a_finallies_after_forward, 0);
    assert_int_equal(r.a_finallies, 1);
    assert_int_equal(rx_subject_subscriber_count(s1), 0);
    push(s1, 3, 3);
    push(r.s2, 4, 4);
    assert_string_equal(r.a_log, "1 2 ");
    assert_string_equal(r.b_log, "1 2 4 ");
    assert_int_equal(r.a_finallies, 1);
    rx_dispose(b_handle);
    rx_subject_release(s1);
    rx_subject_release(r.s2);
}

/* Two subjects and three remote cancels: each subject notices a cancel
 * asked from another thread at its own next item, even when the other
 * subject delivered first (a pass that found nothing to cancel for its
 * own subscribers does not use up another subject's cancel), and a
 * second remote cancel after a first one is noticed too. */
static void
test_publish_direct_remote_cancels_per_subject(void **state)
{
    rx_subject *s1 = rx_subject_publish();
    rx_subject *s2 = rx_subject_publish();
    struct dp a = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp b = {.initial = RX_UNBOUNDED, .act_at = -1};
    struct dp c = {.initial = RX_UNBOUNDED, .act_at = -1};
    (void)state;
    dp_join(s1, &a, true);
    dp_join(s1, &b, true);
    dp_join(s2, &c, true);
    push(s1, 1, 1);
    push(s2, 1, 1);
    /* c (on s2) is cancelled; s1 delivers first. */
    rx_cancel_from_other_thread(c.held);
    push(s1, 2, 2);
    push(s2, 2, 2);
    assert_int_equal(rx_subject_subscriber_count(s2), 0);
    /* then a, then b, each between two items of s1 */
    rx_cancel_from_other_thread(a.held);
    push(s1, 3, 3);
    rx_cancel_from_other_thread(b.held);
    push(s1, 4, 4);
    assert_int_equal(rx_subject_subscriber_count(s1), 0);
    assert_string_equal(a.log, "1 2 ");
    assert_string_equal(b.log, "1 2 3 ");
    assert_string_equal(c.log, "1 ");
    assert_int_equal(a.finallies + b.finallies + c.finallies, 3);
    assert_int_equal(a.after_end + b.after_end + c.after_end, 0);
    rx_dispose(a.held);
    rx_dispose(b.held);
    rx_dispose(c.held);
    rx_subject_release(s1);
    rx_subject_release(s2);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_publish_direct_counts_bounded_demand),
        rx_unit_test(
            test_publish_direct_self_cancel_and_dispose_inside_on_next),
        rx_unit_test(test_publish_direct_request_zero_inside_on_next),
        rx_unit_test(test_publish_direct_finally_waits_for_on_next),
        rx_unit_test(test_publish_direct_on_next_cancels_others),
        rx_unit_test(test_publish_direct_cancels_at_every_position),
        rx_unit_test(test_publish_direct_demand_turns_unbounded),
        rx_unit_test(test_behavior_direct_after_the_initial_item),
        rx_unit_test(test_publish_direct_remote_cancel),
        rx_unit_test(test_publish_direct_remote_cancels_per_subject),
        rx_unit_test(
            test_publish_direct_nested_subjects_dispose_the_outer_subscriber),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
