/* SPDX-License-Identifier: MIT */
/*
 * Tests for the delivery array of publish and behavior subjects
 * (operators/multicast/subject.c, pass_publish()): a pass walks a dense
 * array of slots, subscribers leaving leave tombstones that are
 * compacted after the pass, subscribers joining get slots past the end
 * (or make the array stale when it is full, rebuilt at the next pass).
 * Every test checks the order of all deliveries across subscribers (one
 * shared log), that joiners start with the next item, that leavers get
 * nothing more and run on_finally once, at the right time, and nothing
 * leaks. Also: a subscriber off the direct path (bounded demand)
 * cancelling one that was just delivered to, an on_finally run after a
 * self-cancel cancelling a later subscriber, re-entrant pushes, and
 * a cancel of a stage while another frame of its pipeline is open, and
 * allocation failures (the array cannot grow or be rebuilt: the list is
 * walked instead).
 */
#include <stdio.h>
#include <string.h>

#include "rx_test.h"

enum { MAX_JOIN = 12 };

static char g_log[2048];

static void
glog(const char *fmt, int id, long long v)
{
    size_t n = strlen(g_log);

    snprintf(g_log + n, sizeof g_log - n, fmt, id, v);
}

struct ps {
    int id;
    rx_subscription *sub;        /* from on_subscribe */
    rx_subscription *held;       /* from rx_subscribe's out, when asked */
    int64_t initial;             /* the first request */
    int64_t act_at;              /* the item that triggers the acts */
    rx_subject *subject;         /* for joins and pushes from on_next */
    struct ps *cancel[MAX_JOIN]; /* cancelled at act_at */
    struct ps *join[MAX_JOIN];   /* subscribed at act_at */
    int join_rc[MAX_JOIN];
    struct ps *finally_cancel; /* cancelled from on_finally */
    int64_t push_at;           /* item whose on_next pushes push_value */
    int64_t push_value;
    int64_t complete_at; /* item whose on_next completes the subject */
    int items;
    int ends; /* terminal signals */
    int after_end;
    int finallies;
    int victim_finallies; /* the first victim's, right after the cancels */
};

static void ps_join(rx_subject *s, struct ps *p, bool hold, int *rc_out);

static void
ps_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct ps *p = ctx;

    p->sub = sub;
    rx_request(sub, p->initial);
}

static void
ps_on_next(rx_value v, void *ctx)
{
    struct ps *p = ctx;
    int64_t x = rx_as_int(v);

    if (p->ends > 0) {
        p->after_end++;
        return;
    }
    p->items++;
    glog("%d:%lld ", p->id, (long long)x);
    if (x == p->act_at) {
        for (int i = 0; i < MAX_JOIN && p->cancel[i] != NULL; i++) {
            rx_cancel(p->cancel[i]->sub);
        }
        if (p->cancel[0] != NULL) {
            p->victim_finallies = p->cancel[0]->finallies;
        }
        for (int i = 0; i < MAX_JOIN && p->join[i] != NULL; i++) {
            ps_join(p->subject, p->join[i], false, &p->join_rc[i]);
        }
    }
    if (x == p->push_at) {
        assert_int_equal(rx_subject_next(p->subject, rx_int(p->push_value)), 0);
    }
    if (x == p->complete_at) {
        assert_int_equal(rx_subject_complete(p->subject), 0);
    }
}

static void
ps_on_error(const rx_error *err, void *ctx)
{
    struct ps *p = ctx;

    p->after_end += p->ends;
    p->ends++;
    glog("%d:#%lld ", p->id, (long long)rx_error_code(err));
}

static void
ps_on_complete(void *ctx)
{
    struct ps *p = ctx;

    p->after_end += p->ends;
    p->ends++;
    glog("%d:|%lld ", p->id, 0LL);
}

static void
ps_on_finally(void *ctx)
{
    struct ps *p = ctx;

    p->finallies++;
    if (p->finally_cancel != NULL) {
        rx_cancel(p->finally_cancel->sub);
    }
}

static void
ps_join(rx_subject *s, struct ps *p, bool hold, int *rc_out)
{
    rx_observable *o = rx_subject_observable(s);
    rx_observer obs = {.on_subscribe = ps_on_subscribe,
                       .on_next = ps_on_next,
                       .on_error = ps_on_error,
                       .on_complete = ps_on_complete,
                       .on_finally = ps_on_finally,
                       .ctx = p};
    int rc;

    assert_non_null(o);
    if (p->initial == 0) {
        p->initial = RX_UNBOUNDED;
    }
    p->subject = s;
    rc = rx_subscribe(o, &obs, hold ? &p->held : NULL);
    rx_observable_release(o);
    if (rc_out != NULL) {
        *rc_out = rc;
    } else {
        assert_int_equal(rc, 0);
    }
}

static void
push(rx_subject *s, int64_t from, int64_t to)
{
    for (int64_t i = from; i <= to; i++) {
        assert_int_equal(rx_subject_next(s, rx_int(i)), 0);
    }
}

/* Appends the deliveries of item x to subscribers ids[0..n-1]. */
static void
expect(char *buf, size_t size, const int *ids, int n, long long x)
{
    for (int i = 0; i < n; i++) {
        size_t len = strlen(buf);

        if (x < 0) {
            snprintf(buf + len, size - len, "%d:|0 ", ids[i]);
        } else {
            snprintf(buf + len, size - len, "%d:%lld ", ids[i], x);
        }
    }
}

/* Subscriber 0 subscribes ten more during the first pass: the array (8
 * slots) fills during the walk, so it goes stale and the next pass
 * rebuilds it. The joiners start with item 2, after the six present, in
 * subscription order. */
static void
test_publish_slots_join_fills_array_during_pass(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[16] = {{0}};
    static char want[2048];
    int first[6] = {0, 1, 2, 3, 4, 5};
    int all[16];

    (void)state;
    g_log[0] = want[0] = '\0';
    for (int i = 0; i < 16; i++) {
        p[i].id = i;
        p[i].act_at = -1;
        p[i].push_at = p[i].complete_at = -1;
        all[i] = i;
    }
    p[0].act_at = 1;
    for (int i = 0; i < 10; i++) {
        p[0].join[i] = &p[6 + i];
    }
    for (int i = 0; i < 6; i++) {
        ps_join(s, &p[i], false, NULL);
    }
    push(s, 1, 3);
    assert_int_equal(rx_subject_subscriber_count(s), 16);
    assert_int_equal(rx_subject_complete(s), 0);
    expect(want, sizeof want, first, 6, 1);
    expect(want, sizeof want, all, 16, 2);
    expect(want, sizeof want, all, 16, 3);
    expect(want, sizeof want, all, 16, -1);
    assert_string_equal(g_log, want);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(p[0].join_rc[i < 10 ? i : 0], 0);
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    assert_int_equal(rx_subject_subscriber_count(s), 0);
    rx_subject_release(s);
}

/* Subscribers leave and join between passes (tombstones, compactions
 * once half the slots are dead): each pass delivers to the present ones
 * in subscription order. */
static void
test_publish_slots_churn_between_passes_keeps_order(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[24] = {{0}};
    static char want[2048];
    int left1[8] = {4, 6, 8, 10, 12, 14, 16, 18};
    int left2[9] = {4, 6, 8, 12, 14, 18, 20, 21, 23};

    (void)state;
    g_log[0] = want[0] = '\0';
    for (int i = 0; i < 24; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    for (int i = 0; i < 20; i++) {
        ps_join(s, &p[i], true, NULL);
    }
    for (int i = 0; i < 20; i++) {
        if (i % 2 == 1 || i < 4) {
            rx_dispose(p[i].held);
            p[i].held = NULL;
            assert_int_equal(p[i].finallies, 1);
        }
    }
    assert_int_equal(rx_subject_subscriber_count(s), 8);
    push(s, 1, 1);
    for (int i = 20; i < 24; i++) {
        ps_join(s, &p[i], true, NULL);
    }
    rx_cancel(p[10].sub);
    rx_cancel(p[16].sub);
    rx_cancel(p[22].sub);
    assert_int_equal(p[22].finallies, 1);
    push(s, 2, 2);
    assert_int_equal(rx_subject_complete(s), 0);
    expect(want, sizeof want, left1, 8, 1);
    expect(want, sizeof want, left2, 9, 2);
    expect(want, sizeof want, left2, 9, -1);
    assert_string_equal(g_log, want);
    for (int i = 0; i < 24; i++) {
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
        rx_dispose(p[i].held);
    }
    rx_subject_release(s);
}

/* During the first pass subscriber 4 cancels the four ahead of it and
 * the four behind it, and subscribes one more: the ones behind get
 * nothing more, each victim's on_finally runs at once (none was being
 * delivered to), the joiner starts with item 2. */
static void
test_publish_slots_cancels_and_joins_during_pass(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[11] = {{0}};
    static char want[512];
    int first[6] = {0, 1, 2, 3, 4, 9};
    int second[3] = {4, 9, 10};

    (void)state;
    g_log[0] = want[0] = '\0';
    for (int i = 0; i < 11; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    p[4].act_at = 1;
    for (int i = 0; i < 4; i++) {
        p[4].cancel[i] = &p[i];
        p[4].cancel[4 + i] = &p[5 + i];
    }
    p[4].join[0] = &p[10];
    for (int i = 0; i < 10; i++) {
        ps_join(s, &p[i], false, NULL);
    }
    push(s, 1, 2);
    assert_int_equal(p[4].victim_finallies, 1);
    assert_int_equal(p[4].join_rc[0], 0);
    assert_int_equal(rx_subject_subscriber_count(s), 3);
    assert_int_equal(rx_subject_complete(s), 0);
    expect(want, sizeof want, first, 6, 1);
    expect(want, sizeof want, second, 3, 2);
    expect(want, sizeof want, second, 3, -1);
    assert_string_equal(g_log, want);
    for (int i = 0; i < 11; i++) {
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    rx_subject_release(s);
}

/* Subscriber 1 counts bounded demand (off the direct path); its on_next
 * cancels subscriber 0, whose direct delivery of the same item has just
 * returned: 0 ends at once (on_finally runs inside 1's on_next) and its
 * pipeline is released (the test's leak check). */
static void
test_publish_slots_bounded_cancels_the_one_just_served(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[3] = {{0}};

    (void)state;
    g_log[0] = '\0';
    for (int i = 0; i < 3; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    p[1].initial = 10;
    p[1].act_at = 1;
    p[1].cancel[0] = &p[0];
    for (int i = 0; i < 3; i++) {
        ps_join(s, &p[i], false, NULL);
    }
    push(s, 1, 2);
    assert_int_equal(p[1].victim_finallies, 1);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(g_log, "0:1 1:1 2:1 1:2 2:2 1:|0 2:|0 ");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    rx_subject_release(s);
}

/* Subscriber 0 cancels itself in on_next; its on_finally (run when that
 * on_next returned) cancels subscriber 2, not yet served: 2 gets nothing
 * of that item, 1 goes on. */
static void
test_publish_slots_finally_after_self_cancel_cancels_later(void **state)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[3] = {{0}};

    (void)state;
    g_log[0] = '\0';
    for (int i = 0; i < 3; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    p[0].act_at = 2;
    p[0].cancel[0] = &p[0];
    p[0].finally_cancel = &p[2];
    for (int i = 0; i < 3; i++) {
        ps_join(s, &p[i], false, NULL);
    }
    push(s, 1, 3);
    assert_int_equal(p[0].victim_finallies, 0); /* still in on_next */
    assert_int_equal(p[2].finallies, 1);
    assert_int_equal(rx_subject_subscriber_count(s), 1);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(g_log, "0:1 1:1 2:1 0:2 1:2 1:3 1:|0 ");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    rx_subject_release(s);
}

/* Pushes from inside on_next wait for the pass to end; a complete from
 * inside on_next waits behind them; a behavior subject takes the same
 * path after its initial item. */
static void
test_behavior_slots_reentrant_push_and_complete(void **state)
{
    rx_subject *s = rx_subject_behavior(rx_int(0));
    struct ps p[3] = {{0}};

    (void)state;
    assert_non_null(s);
    g_log[0] = '\0';
    for (int i = 0; i < 3; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    p[0].push_at = 1;
    p[0].push_value = 10;
    p[1].complete_at = 1;
    for (int i = 0; i < 3; i++) {
        ps_join(s, &p[i], false, NULL);
    }
    push(s, 1, 1);
    assert_int_equal(rx_subject_next(s, rx_int(2)), RX_ECANCELED);
    assert_string_equal(g_log, "0:0 1:0 2:0 0:1 1:1 2:1 0:10 1:10 2:10 "
                               "0:|0 1:|0 2:|0 ");
    for (int i = 0; i < 3; i++) {
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    rx_subject_release(s);
}

/* One pipeline subscribed to two subjects (a merge, off the direct
 * path): a delivery from one ends it (take), which cancels the stage of
 * the other while no delivery to that stage is on the stack. Both
 * subjects lose the subscriber, on_finally runs once, nothing leaks. */
static void
test_publish_slots_cancel_from_the_other_source_of_a_merge(void **state)
{
    rx_subject *a = rx_subject_publish();
    rx_subject *b = rx_subject_publish();
    struct ps p = {.id = 0, .act_at = -1, .push_at = -1, .complete_at = -1};
    rx_observer obs = {.on_next = ps_on_next,
                       .on_error = ps_on_error,
                       .on_complete = ps_on_complete,
                       .on_finally = ps_on_finally,
                       .ctx = &p};
    rx_observable *o;

    (void)state;
    g_log[0] = '\0';
    o = rx_take(rx_merge(rx_subject_observable(a), rx_subject_observable(b)),
                2);
    assert_non_null(o);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    assert_int_equal(rx_subject_subscriber_count(a), 1);
    assert_int_equal(rx_subject_subscriber_count(b), 1);
    push(b, 1, 1);
    push(a, 2, 2);
    assert_string_equal(g_log, "0:1 0:2 0:|0 ");
    assert_int_equal(p.finallies, 1);
    assert_int_equal(rx_subject_subscriber_count(a), 0);
    assert_int_equal(rx_subject_subscriber_count(b), 0);
    push(a, 3, 3);
    push(b, 3, 3);
    assert_int_equal(p.after_end, 0);
    rx_subject_release(a);
    rx_subject_release(b);
}

static void
cancel_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct ps *p = ctx;

    p->sub = sub;
    rx_request(sub, RX_UNBOUNDED);
    rx_cancel(sub);
    p->victim_finallies = p->finallies; /* inside rx_subscribe's frame */
}

/* A subscriber cancelling itself in on_subscribe (inside the frame of
 * rx_subscribe(), so sub_cancel() sees two frames and keeps the hold for
 * the stage's teardown) never gets an item; on_finally runs once, when
 * rx_subscribe() returns; nothing leaks. */
static void
test_publish_slots_cancel_in_on_subscribe(void **state)
{
    rx_subject *s = rx_subject_publish();
    rx_observable *o = rx_subject_observable(s);
    struct ps p = {.id = 0, .act_at = -1, .push_at = -1, .complete_at = -1};
    struct ps q = {.id = 1, .act_at = -1, .push_at = -1, .complete_at = -1};
    rx_observer obs = {.on_subscribe = cancel_on_subscribe,
                       .on_next = ps_on_next,
                       .on_error = ps_on_error,
                       .on_complete = ps_on_complete,
                       .on_finally = ps_on_finally,
                       .ctx = &p};

    (void)state;
    g_log[0] = '\0';
    assert_non_null(o);
    ps_join(s, &q, false, NULL);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    assert_int_equal(p.victim_finallies, 0);
    assert_int_equal(p.finallies, 1);
    assert_int_equal(rx_subject_subscriber_count(s), 1);
    push(s, 1, 2);
    assert_int_equal(rx_subject_complete(s), 0);
    assert_string_equal(g_log, "1:1 1:2 1:|0 ");
    assert_int_equal(p.items + p.ends, 0);
    assert_int_equal(q.finallies, 1);
    rx_subject_release(s);
}

/* Under allocation failures (the array cannot grow, or be rebuilt after
 * a join during a pass filled it: the list is walked instead) every
 * subscriber that joined gets every item from its first pass on, in
 * order, and nothing leaks. */
static void
slots_oom_scenario(bool failed, void *ctx)
{
    rx_subject *s = rx_subject_publish();
    struct ps p[9] = {{0}};
    int rc[8];

    (void)ctx;
    if (s == NULL) {
        assert_true(failed);
        return;
    }
    for (int i = 0; i < 9; i++) {
        p[i].id = i;
        p[i].act_at = p[i].push_at = p[i].complete_at = -1;
    }
    p[0].act_at = 1;
    p[0].join[0] = &p[8];
    p[0].join_rc[0] = -1;
    for (int i = 0; i < 8; i++) {
        ps_join(s, &p[i], false, &rc[i]);
        if (rc[i] != 0) {
            assert_true(failed);
            assert_int_equal(rc[i], RX_ENOMEM);
        }
    }
    push(s, 1, 3);
    assert_int_equal(rx_subject_complete(s), 0);
    for (int i = 0; i < 9; i++) {
        bool joined = i < 8 ? rc[i] == 0 : p[0].join_rc[0] == 0;
        int first = i < 8 ? 3 : 2;

        if (!failed) {
            assert_true(joined);
        }
        if (!joined) {
            assert_int_equal(p[i].items + p[i].ends + p[i].finallies, 0);
            continue;
        }
        assert_int_equal(p[i].items, first);
        assert_int_equal(p[i].ends, 1);
        assert_int_equal(p[i].after_end, 0);
        assert_int_equal(p[i].finallies, 1);
    }
    rx_subject_release(s);
}

static void
test_publish_slots_survive_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(slots_oom_scenario, NULL) > 8);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_publish_slots_join_fills_array_during_pass),
        rx_unit_test(test_publish_slots_churn_between_passes_keeps_order),
        rx_unit_test(test_publish_slots_cancels_and_joins_during_pass),
        rx_unit_test(test_publish_slots_bounded_cancels_the_one_just_served),
        rx_unit_test(
            test_publish_slots_finally_after_self_cancel_cancels_later),
        rx_unit_test(test_behavior_slots_reentrant_push_and_complete),
        rx_unit_test(
            test_publish_slots_cancel_from_the_other_source_of_a_merge),
        rx_unit_test(test_publish_slots_cancel_in_on_subscribe),
        rx_unit_test(test_publish_slots_survive_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
