/* SPDX-License-Identifier: MIT */
/*
 * Marble diagrams in the testkit: parse errors naming the column, cold
 * and hot sources emitting the right items at the right virtual times
 * (groups, time progression, the past of a hot source), subscription
 * logs, rendering and checking a pipeline's output, the error marble,
 * missing demand, cancel releasing timers, and allocation failures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

/* ---- a recorder of virtual times -------------------------------------- */

/* What a timed observer saw: "a@3" for items, "|@5", "#@5". */
struct timed {
    rx_scheduler *vs;
    rx_subscription *sub;
    int64_t request; /* requested in on_subscribe */
    char log[512];
    int code; /* the error code, if any */
};

static void
timed_add(struct timed *t, const char *what)
{
    char one[64];

    snprintf(one, sizeof one, "%s%s@%llu", t->log[0] != '\0' ? " " : "", what,
             (unsigned long long)rx_scheduler_now(t->vs));
    strncat(t->log, one, sizeof t->log - strlen(t->log) - 1);
}

static void
timed_subscribe(rx_subscription *sub, void *ctx)
{
    struct timed *t = ctx;

    t->sub = sub;
    if (t->request > 0) {
        rx_request(sub, t->request);
    }
}

static void
timed_next(rx_value v, void *ctx)
{
    char buf[32];

    if (rx_is_str(v)) {
        snprintf(buf, sizeof buf, "%s", rx_str_cstr(v));
    } else if (rx_is_int(v)) {
        snprintf(buf, sizeof buf, "%lld", (long long)rx_as_int(v));
    } else {
        snprintf(buf, sizeof buf, "?");
    }
    timed_add(ctx, buf);
}

static void
timed_error(const rx_error *err, void *ctx)
{
    struct timed *t = ctx;

    t->code = rx_error_code(err);
    timed_add(t, "#");
}

static void
timed_complete(void *ctx)
{
    timed_add(ctx, "|");
}

/* Subscribes a timed observer (with unbounded demand unless `request`
 * says otherwise) to the source's observable now. */
static void
timed_subscribe_to(rx_test_source *src, struct timed *t)
{
    rx_observable *o = rx_test_source_observable(src);
    rx_observer obs = {
        .on_subscribe = timed_subscribe,
        .on_next = timed_next,
        .on_error = timed_error,
        .on_complete = timed_complete,
        .ctx = t,
    };

    if (t->request == 0) {
        t->request = RX_UNBOUNDED;
    } else if (t->request < 0) {
        t->request = 0;
    }
    assert_non_null(o);
    assert_int_equal(rx_subscribe(o, &obs, &t->sub), 0);
    rx_observable_release(o);
}

/* ---- parse errors ----------------------------------------------------- */

static void
expect_cold_error(rx_scheduler *vs, const char *marbles, const char *what)
{
    rx_test_source *src = rx_test_cold(vs, marbles, NULL, 0);

    assert_null(src);
    assert_int_equal(rx_last_error(), RX_EINVAL);
    if (strstr(rx_last_error_message(), what) == NULL) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", marbles,
                 rx_last_error_message(), what);
    }
}

static void
test_marbles_parse_errors_name_the_column(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    expect_cold_error(vs, "-a-*-|", "unexpected '*' at column 4");
    expect_cold_error(vs, "-(a-b", "'(' never closed at column 2");
    expect_cold_error(vs, "-a)-", "')' without '(' at column 3");
    expect_cold_error(vs, "((a))", "'(' inside a group at column 2");
    expect_cold_error(vs, "-^-a",
                      "'^' (only hot sources have one) at column 2");
    expect_cold_error(vs, "-a-!",
                      "'!' (only subscription logs have one) at "
                      "column 4");
    expect_cold_error(vs, "-|-a",
                      "signal after the terminal signal at "
                      "column 4");
    expect_cold_error(vs, "-#|",
                      "signal after the terminal signal at "
                      "column 3");
    expect_cold_error(vs, "a 1.0005ms b",
                      "time progression must be a whole number of ms at "
                      "column 3");
    expect_cold_error(vs, "-a\tb", "unexpected byte 0x09 at column 3");
    assert_non_null(strstr(rx_last_error_message(), "rx_test_cold"));
    rx_scheduler_release(vs);
}

static void
test_marbles_hot_rejects_a_second_subscription_point(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    assert_null(rx_test_hot(vs, "-^-a-^-|", NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(
        strstr(rx_last_error_message(), "rx_test_hot: second '^' at column 6"));
    rx_scheduler_release(vs);
}

static void
test_marbles_sources_reject_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value bad_code[] = {{'#', rx_int(5)}};
    rx_marble_value not_int[] = {{'#', rx_nil()}};

    (void)state;
    assert_null(rx_test_cold(NULL, "-a|", NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_cold(vs, NULL, NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_cold(rx_scheduler_immediate(), "-a|", NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_hot(rx_scheduler_trampoline(), "-a|", NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_cold(vs, "-a|", NULL, 2));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_cold(vs, "-a#", bad_code, 1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_cold(vs, "-a#", not_int, 1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_source_observable(NULL));
    assert_int_equal(rx_test_source_set_error(NULL, rx_error_new(-1, NULL)),
                     RX_EINVAL);
    assert_null(rx_test_source_log(NULL));
    assert_int_equal(rx_test_source_subscriptions(NULL), 0);
    rx_test_source_free(NULL);
    rx_scheduler_release(vs);
}

/* ---- cold sources ----------------------------------------------------- */

static void
test_marbles_cold_emits_at_frames_from_its_subscription(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a--b|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    assert_int_equal(rx_virtual_advance_by(vs, 5), 0);
    timed_subscribe_to(src, &t);
    /* Even frame 0 would wait for the scheduler: nothing yet. */
    assert_string_equal(t.log, "");
    rx_virtual_advance_to(vs, 100);
    assert_string_equal(t.log, "a@6 b@9 |@10");
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_string_equal(rx_test_source_log(src), "-----^----!");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_values_table_and_one_character_strings(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value vals[] = {{'a', rx_int(1)}, {'b', rx_int(-7)}};
    rx_test_source *src = rx_test_cold(vs, "ab9c|", vals, 2);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_string_equal(t.log, "1@0 -7@1 9@2 c@3 |@4");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_group_emits_together_and_takes_its_width(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-(ab)-c(d|)", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    /* '(' at 1, a and b at 1, ')' at 4, '-' at 5, c at 6, '(' at 7. */
    assert_string_equal(t.log, "a@1 b@1 c@6 d@7 |@7");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_time_progression_and_spaces(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    /* RxJS's example: a at 0, b at 10, c at 10 + 1 + 1000. */
    rx_test_source *src = rx_test_cold(vs, "a 9ms b 1s c 1.5s 1m |", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_string_equal(t.log, "a@0 b@10 c@1011 |@62512");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_digits_not_followed_by_a_unit_are_items(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "12 3sa 4m5|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_string_equal(t.log, "1@0 2@1 3@2 s@3 a@4 4@5 m@6 5@7 |@8");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- hot sources ------------------------------------------------------ */

static void
test_marbles_hot_plays_from_creation_and_skips_the_past(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "-a-^-b-c-|", NULL, 0);
    struct timed early = {.vs = vs};
    struct timed late = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &early);
    rx_virtual_advance_to(vs, 3);
    timed_subscribe_to(src, &late);
    rx_virtual_advance_to(vs, 50);
    assert_string_equal(early.log, "b@2 c@4 |@6");
    assert_string_equal(late.log, "c@4 |@6");
    assert_string_equal(rx_test_source_log(src), "^-----!\n---^--!");
    assert_rx_subs(src, "^-----!\n---^--!");
    assert_int_equal(rx_test_source_subscriptions(src), 2);
    rx_dispose(early.sub);
    rx_dispose(late.sub);
    rx_test_source_free(src);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_marbles_hot_plays_without_subscribers(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-b-c-|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    rx_virtual_advance_to(vs, 4); /* a and b go to nobody */
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_string_equal(t.log, "c@6 |@8");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_hot_frame_zero_reaches_subscribers_made_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "x(^a)-|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_string_equal(t.log, "a@0 |@5");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_hot_late_subscriber_gets_the_terminal_at_once(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-#", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    rx_virtual_advance_to(vs, 8);
    timed_subscribe_to(src, &t);
    assert_string_equal(t.log, "#@8");
    assert_int_equal(t.code, RX_TEST_EMARBLE);
    assert_rx_subs(src, "--------(^!)");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_freeing_a_hot_source_stops_it(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-b-|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    assert_non_null(src);
    timed_subscribe_to(src, &t);
    rx_virtual_advance_to(vs, 3);
    rx_test_source_free(src);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_virtual_advance_to(vs, 20);
    assert_string_equal(t.log, "a@2");
    rx_dispose(t.sub);
    rx_scheduler_release(vs);
}

/* Disposes another subscription inside its first on_next. */
struct killer {
    rx_subscription *victim;
    int items;
};

static void
killer_next(rx_value v, void *ctx)
{
    struct killer *k = ctx;

    (void)v;
    if (k->items++ == 0) {
        rx_dispose(k->victim);
    }
}

static void
test_marbles_hot_subscriber_disposing_another_in_a_broadcast(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-b-|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);
    struct killer k = {0};
    struct timed victim = {.vs = vs};
    struct timed last = {.vs = vs};
    rx_subscription *ksub = NULL;

    (void)state;
    assert_int_equal(
        rx_subscribe(o, &(rx_observer){.on_next = killer_next, .ctx = &k},
                     &ksub),
        0);
    timed_subscribe_to(src, &victim);
    timed_subscribe_to(src, &last);
    k.victim = victim.sub; /* freed during the broadcast of a */
    rx_virtual_run(vs);
    assert_int_equal(k.items, 2);
    assert_string_equal(victim.log, "");
    assert_string_equal(last.log, "a@2 b@4 |@6");
    assert_rx_subs(src, "^-----!\n^-!\n^-----!");
    rx_dispose(ksub);
    rx_dispose(last.sub);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- subscription logs ------------------------------------------------ */

static void
test_marbles_take_cancels_the_source_mid_way(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
    rx_observable *two = rx_take(rx_test_source_observable(src), 2);

    (void)state;
    assert_rx_marbles(vs, two, "-a-(b|)", NULL, 0);
    assert_rx_subs(src, "^--!");
    assert_string_equal(rx_test_source_log(src), "^--!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_observable_release(two);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_log_has_one_line_per_subscription(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "--a--|", NULL, 0);
    struct timed a = {.vs = vs};
    struct timed b = {.vs = vs};

    (void)state;
    assert_string_equal(rx_test_source_log(src), "");
    assert_rx_subs(src, "");
    timed_subscribe_to(src, &a);
    rx_virtual_advance_to(vs, 2);
    timed_subscribe_to(src, &b);
    rx_virtual_advance_to(vs, 4);
    /* Still running: no '!' yet. */
    assert_string_equal(rx_test_source_log(src), "^\n--^");
    rx_virtual_advance_to(vs, 30);
    assert_string_equal(rx_test_source_log(src), "^----!\n--^----!");
    /* Spelled differently, the same frames. */
    assert_rx_subs(src, "^----!\n\n  --^ 4ms !\n");
    rx_dispose(a.sub);
    rx_dispose(b.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_cancel_releases_the_timer_and_logs_it(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a 40ms b|", NULL, 0);
    struct timed t = {.vs = vs};

    (void)state;
    timed_subscribe_to(src, &t);
    rx_virtual_advance_to(vs, 25);
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_cancel(t.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    /* A long gap is written as time progression. */
    assert_string_equal(rx_test_source_log(src), "^ 24ms !");
    assert_rx_subs(src, "^ 24ms !");
    assert_string_equal(t.log, "a@1");
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_cancel_inside_on_subscribe_logs_a_zero_length_subscription(
    void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_virtual_advance_to(vs, 2);
    rx_test_set_dispose_in(t, RX_TEST_ON_SUBSCRIBE);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_virtual_run(vs);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    assert_rx_subs(src, "--(^!)");
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_subscription_check_reports_differences(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "--a--|", NULL, 0);
    struct timed t = {.vs = vs};
    char why[512];

    (void)state;
    timed_subscribe_to(src, &t);
    rx_virtual_run(vs);
    assert_false(rx_test_check_subscriptions(src, "^---!", why, sizeof why));
    assert_non_null(strstr(why, "expected:\n^---!"));
    assert_non_null(strstr(why, "actual:\n^----!"));
    assert_false(
        rx_test_check_subscriptions(src, "^----!\n^-!", why, sizeof why));
    assert_false(rx_test_check_subscriptions(src, "^-x-!", why, sizeof why));
    assert_non_null(strstr(why, "unexpected 'x' at column 3"));
    assert_false(rx_test_check_subscriptions(src, "--", why, sizeof why));
    assert_non_null(strstr(why, "no '^' in \"--\""));
    assert_false(rx_test_check_subscriptions(src, "--!", why, sizeof why));
    assert_non_null(strstr(why, "'!' before '^' at column 3"));
    assert_false(rx_test_check_subscriptions(src, "^-^-!", why, sizeof why));
    assert_non_null(strstr(why, "second '^' at column 3"));
    assert_false(rx_test_check_subscriptions(src, "^-!-!", why, sizeof why));
    assert_non_null(strstr(why, "second '!' at column 5"));
    assert_false(rx_test_check_subscriptions(NULL, "^", why, sizeof why));
    rx_dispose(t.sub);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- rendering and checking ------------------------------------------- */

static void
expect_round_trip(const char *marbles, uint64_t until, const char *rendered)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, marbles, NULL, 0);
    rx_observable *o = rx_test_source_observable(src);
    char *text = rx_test_marbles(vs, o, until, NULL, 0);

    assert_non_null(text);
    if (strcmp(text, rendered) != 0) {
        fail_msg("\"%s\" rendered as \"%s\", expected \"%s\"", marbles, text,
                 rendered);
    }
    free(text);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_render_round_trips(void **state)
{
    (void)state;
    expect_round_trip("-a-b-|", 100, "-a-b-|");
    expect_round_trip("-a-b-|---", 100, "-a-b-|");
    expect_round_trip("(ab)-c|", 100, "(ab)-c|");
    expect_round_trip("-a-(b|)", 100, "-a-(b|)");
    expect_round_trip("a 30ms b|", 100, "a 30ms b|");
    expect_round_trip("35ms a|", 100, "35ms a|");
    expect_round_trip("a 20ms b|", 100, "a--------------------b|");
    expect_round_trip("-a-#", 100, "-a-#");
    expect_round_trip("--a--b--c", 5, "--a--b");
    expect_round_trip("---", 10, "");
}

static void
test_marbles_render_uses_the_values_table(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value vals[] = {
        {'#', rx_int(-100009)}, {'x', rx_int(1)}, {'y', rx_int(2)}};
    rx_marble_value more[] = {
        {'x', rx_int(1)}, {'y', rx_int(2)}, {'z', rx_int(3)}};
    rx_observable *o = rx_range(1, 3);
    char *text;

    (void)state;
    text = rx_test_marbles(vs, o, 0, vals, 3);
    assert_non_null(text);
    assert_string_equal(text, "(xy?|)");
    free(text);
    assert_rx_marbles(vs, o, "(xyz|)", more, 3);
    rx_observable_release(o);
    rx_scheduler_release(vs);
}

static void
test_marbles_check_compares_signals_not_spelling(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "a---------b|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);

    (void)state;
    assert_rx_marbles(vs, o, "a 9ms b|", NULL, 0);
    assert_rx_marbles(vs, o, " a - - - - - - - - - b | - - ", NULL, 0);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_check_explains_a_mismatch(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value vals[] = {
        {'a', rx_int(1)}, {'b', rx_int(2)}, {'c', rx_int(3)}};
    rx_test_source *src = rx_test_cold(vs, "-a-c-|", vals, 3);
    rx_observable *o = rx_test_source_observable(src);
    char why[1024];

    (void)state;
    assert_false(
        rx_test_check_marbles(vs, o, "-a-b-|", vals, 3, why, sizeof why));
    assert_non_null(strstr(why, "at signal 2: expected 'b' (2) at frame 3, "
                                "got 'c' (3) at frame 3"));
    assert_non_null(strstr(why, "expected: -a-b-|\n  actual: -a-c-|"));
    /* A late signal. */
    assert_false(
        rx_test_check_marbles(vs, o, "-a--c|", vals, 3, why, sizeof why));
    assert_non_null(strstr(why, "expected 'c' (3) at frame 4, got 'c' (3) "
                                "at frame 3"));
    /* The window ends with the diagram: the completion at frame 5 is
     * outside "-a-c-" but inside "-a-c--". */
    assert_true(
        rx_test_check_marbles(vs, o, "-a-c-", vals, 3, why, sizeof why));
    assert_false(
        rx_test_check_marbles(vs, o, "-a-c--", vals, 3, why, sizeof why));
    assert_non_null(strstr(why, "expected nothing, got completion at frame "
                                "5"));
    /* Parse errors in the expected diagram. */
    assert_false(
        rx_test_check_marbles(vs, o, "-a-c-|)", vals, 3, why, sizeof why));
    assert_non_null(strstr(why, "rx_test_check_marbles: ')' without '(' at "
                                "column 7"));
    assert_false(rx_test_check_marbles(vs, o, "^-a", vals, 3, why, sizeof why));
    assert_false(rx_test_check_marbles(vs, o, NULL, vals, 3, why, sizeof why));
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_runners_reject_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = rx_range(1, 2);
    char why[256];

    (void)state;
    assert_null(rx_test_marbles(NULL, o, 10, NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_marbles(vs, NULL, 10, NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_marbles(rx_scheduler_immediate(), o, 10, NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_null(rx_test_marbles(vs, o, 10, NULL, 1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_false(
        rx_test_check_marbles(NULL, o, "(ab|)", NULL, 0, why, sizeof why));
    assert_non_null(strstr(why, "must not be NULL"));
    rx_observable_release(o);
    rx_scheduler_release(vs);
}

/* ---- errors and demand ------------------------------------------------ */

static void
test_marbles_error_marble_codes(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value code[] = {{'#', rx_int(-100042)}};
    rx_test_source *plain = rx_test_cold(vs, "-a-#", NULL, 0);
    rx_test_source *coded = rx_test_cold(vs, "-#", code, 1);
    rx_test_source *given = rx_test_cold(vs, "#", NULL, 0);
    rx_test_observer *t1 = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *t2 = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *t3 = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)state;
    assert_int_equal(
        rx_test_source_set_error(given, rx_error_new(RX_ETIMEDOUT, "given")),
        0);
    o = rx_test_source_observable(plain);
    rx_test_subscribe(o, t1);
    rx_observable_release(o);
    o = rx_test_source_observable(coded);
    rx_test_subscribe(o, t2);
    rx_observable_release(o);
    o = rx_test_source_observable(given);
    rx_test_subscribe(o, t3);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_error(t1, RX_TEST_EMARBLE);
    assert_string_equal(rx_error_message(rx_test_error(t1)), "marble error");
    assert_non_null(rx_error_site(rx_test_error(t1)));
    assert_string_equal(rx_error_site(rx_test_error(t1))->name, "rx_test_cold");
    assert_rx_error(t2, -100042);
    assert_rx_error(t3, RX_ETIMEDOUT);
    assert_string_equal(rx_error_message(rx_test_error(t3)), "given");
    assert_rx_subs(plain, "^--!");
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    rx_test_observer_free(t3);
    rx_test_source_free(plain);
    rx_test_source_free(coded);
    rx_test_source_free(given);
    rx_scheduler_release(vs);
}

static void
test_marbles_check_matches_error_codes_from_the_table(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value bp[] = {{'#', rx_int(RX_EBACKPRESSURE)}};
    rx_marble_value other[] = {{'#', rx_int(RX_ETIMEDOUT)}};
    rx_test_source *src = rx_test_cold(vs, "--#", bp, 1);
    rx_observable *o = rx_test_source_observable(src);
    char why[1024];

    (void)state;
    assert_rx_marbles(vs, o, "--#", NULL, 0);
    assert_rx_marbles(vs, o, "--#", bp, 1);
    assert_false(
        rx_test_check_marbles(vs, o, "--#", other, 1, why, sizeof why));
    assert_non_null(strstr(why, "expected an error (RX_ETIMEDOUT) at frame "
                                "2, got an error (RX_EBACKPRESSURE) at frame "
                                "2"));
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_item_without_demand_is_a_backpressure_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-b-c-|", NULL, 0);
    struct timed none = {.vs = vs, .request = -1};
    struct timed one = {.vs = vs, .request = 1};
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o = rx_test_source_observable(src);

    (void)state;
    timed_subscribe_to(src, &none);
    timed_subscribe_to(src, &one);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_run(vs);
    assert_string_equal(none.log, "#@1");
    assert_int_equal(none.code, RX_EBACKPRESSURE);
    assert_string_equal(one.log, "a@1 #@3");
    assert_int_equal(one.code, RX_EBACKPRESSURE);
    assert_rx_error(t, RX_EBACKPRESSURE);
    /* The message names the source's assembly site. */
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "rx_test_cold (" __FILE__));
    assert_rx_subs(src, "^!\n^--!\n^!");
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_dispose(none.sub);
    rx_dispose(one.sub);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_demand_given_later_is_honoured(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "--a--b--|", NULL, 0);
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o = rx_test_source_observable(src);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_advance_to(vs, 1);
    rx_test_request(t, 1);
    rx_virtual_advance_to(vs, 4);
    rx_test_request(t, 1);
    rx_virtual_run(vs);
    assert_int_equal(rx_test_count(t), 2);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 0)), "a");
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "b");
    assert_rx_completed(t);
    rx_observable_release(o);
    rx_test_observer_free(t);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- allocation failures ---------------------------------------------- */

static void
oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src;
    rx_observable *two;
    char why[1024];
    bool ok;

    (void)ctx;
    if (vs == NULL) {
        assert_true(failed);
        return;
    }
    src = rx_test_cold(vs, "-a-(bc)-|", NULL, 0);
    if (src == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    two = rx_take(rx_test_source_observable(src), 2);
    if (two == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
    } else {
        ok =
            rx_test_check_marbles(vs, two, "-a-(b|)", NULL, 0, why, sizeof why);
        if (!ok) {
            assert_true(failed);
            if (strstr(why, "out of memory") == NULL &&
                strstr(why, "RX_ENOMEM") == NULL) {
                fail_msg("unexpected failure: %s", why);
            }
        }
    }
    rx_observable_release(two);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_survive_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 3);
}

static void
hot_oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src;
    rx_observable *o;
    char why[1024];

    (void)ctx;
    if (vs == NULL) {
        assert_true(failed);
        return;
    }
    src = rx_test_hot(vs, "a^-b-c|", NULL, 0);
    if (src == NULL) {
        assert_true(failed);
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        rx_scheduler_release(vs);
        return;
    }
    o = rx_test_source_observable(src);
    if (!rx_test_check_marbles(vs, o, "--b-c|", NULL, 0, why, sizeof why)) {
        assert_true(failed);
    }
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_marbles_hot_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(hot_oom_scenario, NULL) > 3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_marbles_parse_errors_name_the_column),
        rx_unit_test(test_marbles_hot_rejects_a_second_subscription_point),
        rx_unit_test(test_marbles_sources_reject_bad_arguments),
        rx_unit_test(test_marbles_cold_emits_at_frames_from_its_subscription),
        rx_unit_test(test_marbles_values_table_and_one_character_strings),
        rx_unit_test(test_marbles_group_emits_together_and_takes_its_width),
        rx_unit_test(test_marbles_time_progression_and_spaces),
        rx_unit_test(test_marbles_digits_not_followed_by_a_unit_are_items),
        rx_unit_test(test_marbles_hot_plays_from_creation_and_skips_the_past),
        rx_unit_test(test_marbles_hot_plays_without_subscribers),
        rx_unit_test(
            test_marbles_hot_frame_zero_reaches_subscribers_made_at_once),
        rx_unit_test(
            test_marbles_hot_late_subscriber_gets_the_terminal_at_once),
        rx_unit_test(test_marbles_freeing_a_hot_source_stops_it),
        rx_unit_test(
            test_marbles_hot_subscriber_disposing_another_in_a_broadcast),
        rx_unit_test(test_marbles_take_cancels_the_source_mid_way),
        rx_unit_test(test_marbles_log_has_one_line_per_subscription),
        rx_unit_test(test_marbles_cancel_releases_the_timer_and_logs_it),
        rx_unit_test(
            test_marbles_cancel_inside_on_subscribe_logs_a_zero_length_subscription),
        rx_unit_test(test_marbles_subscription_check_reports_differences),
        rx_unit_test(test_marbles_render_round_trips),
        rx_unit_test(test_marbles_render_uses_the_values_table),
        rx_unit_test(test_marbles_check_compares_signals_not_spelling),
        rx_unit_test(test_marbles_check_explains_a_mismatch),
        rx_unit_test(test_marbles_runners_reject_bad_arguments),
        rx_unit_test(test_marbles_error_marble_codes),
        rx_unit_test(test_marbles_check_matches_error_codes_from_the_table),
        rx_unit_test(test_marbles_item_without_demand_is_a_backpressure_error),
        rx_unit_test(test_marbles_demand_given_later_is_honoured),
        rx_unit_test(test_marbles_survive_allocation_failures),
        rx_unit_test(test_marbles_hot_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
