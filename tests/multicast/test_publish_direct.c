/* SPDX-License-Identifier: MIT */
/*
 * Tests for the direct delivery of a publish subject to an observer
 * subscribed right below it (publish_one() in
 * operators/multicast/subject.c calls the observer itself instead of
 * going through the sink stage): bounded demand is still counted, and a
 * subscriber that cancels, disposes or requests 0 from inside its own
 * on_next receives nothing more while the others go on.
 */
#include <stdio.h>
#include <string.h>

#include "rx_test.h"

struct dp {
    rx_subscription *sub;  /* from on_subscribe */
    rx_subscription *held; /* from rx_subscribe's out, when asked */
    int64_t initial;       /* the first request */
    int64_t act_at;        /* the item that triggers `act` */
    int act;               /* 0 none, 1 cancel, 2 dispose, 3 request(0) */
    char log[128];
    int after_end; /* signals after the end */
    bool ended;
    int finallies;
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
    default:
        break;
    }
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

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_publish_direct_counts_bounded_demand),
        rx_unit_test(
            test_publish_direct_self_cancel_and_dispose_inside_on_next),
        rx_unit_test(test_publish_direct_request_zero_inside_on_next),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
