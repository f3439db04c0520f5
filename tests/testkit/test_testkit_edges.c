/* SPDX-License-Identifier: MIT */
/*
 * The testkit's failure paths: each check made to fail on purpose, with
 * the false it returns and the message it writes; bad arguments to the
 * recorder, the marble parser and the marble sources, with their error codes
 * and messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rx_test.h"

#define assert_why(why, text)                                                  \
    do {                                                                       \
        if (strstr((why), (text)) == NULL) {                                   \
            fail_msg("message \"%s\" lacks \"%s\"", (why), (text));            \
        }                                                                      \
    } while (0)

/* A recorder subscribed to `obs` (released) with unbounded demand. */
static rx_test_observer *
run(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

/* ---- the recorder ---------------------------------------------------- */

static void
test_testkit_observer_new_rejects_a_negative_request(void **state)
{
    (void)state;
    assert_null(rx_test_observer_new(-1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_test_observer_new"));
}

static void
test_testkit_subscribe_failure_is_returned(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    char why[256];

    (void)state;
    assert_int_equal(rx_test_subscribe(NULL, t), RX_EINVAL);
    assert_null(rx_test_subscription(t));
    assert_int_equal(rx_test_get_counts(t).subscribes, 0);
    assert_false(rx_test_check_protocol(t, why, sizeof why));
    assert_string_equal(why, "on_subscribe ran 0 times, expected once");
    /* No buffer: still false, nothing written. */
    assert_false(rx_test_check_protocol(t, NULL, 0));
    why[0] = 'x';
    assert_false(rx_test_check_protocol(t, why, 0));
    assert_int_equal(why[0], 'x');
    rx_test_observer_free(t);
}

static void
test_testkit_value_out_of_range_is_invalid(void **state)
{
    rx_test_observer *t = run(rx_range(1, 2), RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_count(t), 2);
    assert_int_equal(rx_test_value(t, 1).as.i, 2);
    assert_int_equal(rx_test_value(t, 2).type, RX_TYPE_INVALID);
    rx_test_observer_free(t);
}

static void
test_testkit_request_each_stops_at_cancel_after(void **state)
{
    rx_test_observer *t = rx_test_observer_new(1);
    rx_observable *obs = rx_range(1, 10);

    (void)state;
    rx_test_set_request_each(t, 1);
    rx_test_set_cancel_after(t, 3);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
}

static void
test_testkit_request_each_saturates_unbounded_demand(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *obs = rx_range(1, 3);

    (void)state;
    rx_test_set_request_each(t, RX_UNBOUNDED);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_int_equal(rx_test_get_counts(t).beyond_demand, 0);
    rx_test_observer_free(t);
}

/* One recorder subscribed twice (its documentation says once) sees two of
 * everything; the counts show it and the protocol check names it. */
static void
test_testkit_recorder_subscribed_twice_is_reported(void **state)
{
    rx_marble_value code = {'#', rx_int(RX_ETIMEDOUT)};
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-#", &code, 1);
    rx_observable *o = rx_test_source_observable(src);
    rx_test_observer *t = rx_test_observer_new(1);
    rx_subscription *first;
    rx_test_counts c;
    char why[256];

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    first = rx_test_subscription(t);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_run(vs);
    c = rx_test_get_counts(t);
    assert_int_equal(c.subscribes, 2);
    assert_int_equal(c.terminals, 2);
    assert_int_equal(c.finallies, 2);
    assert_int_equal(c.beyond_demand, 1); /* demand 1, two items */
    assert_true(c.after_terminal >= 1);
    assert_int_equal(rx_test_count(t), 2);
    assert_int_equal(rx_error_code(rx_test_error(t)), RX_ETIMEDOUT);
    assert_false(rx_test_check_protocol(t, why, sizeof why));
    assert_string_equal(why, "on_subscribe ran 2 times, expected once");
    assert_false(rx_test_check_error(t, RX_ETIMEDOUT, why, sizeof why));
    assert_string_equal(why, "on_subscribe ran 2 times, expected once");
    rx_dispose(first);
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* The same misuse with a dispose inside on_next: the handle kept is the
 * second subscription's, so the first subscription's on_next ends the
 * second one, whose on_finally runs inside that on_next (an overlap), and
 * the first one's completion then comes after an on_finally. */
static void
test_testkit_recorder_sees_on_finally_inside_a_signal(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_subscription *first;
    rx_test_counts c;
    char why[256];

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_NEXT);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    first = rx_test_subscription(t);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_virtual_run(vs);
    c = rx_test_get_counts(t);
    assert_int_equal(c.subscribes, 2);
    assert_int_equal(c.overlaps, 1);
    assert_int_equal(c.after_terminal, 1);
    assert_int_equal(c.terminals, 1);
    assert_int_equal(c.finallies, 2);
    assert_int_equal(rx_test_count(t), 1);
    assert_null(rx_test_subscription(t));
    assert_false(rx_test_check_completed(t, why, sizeof why));
    assert_string_equal(why, "on_subscribe ran 2 times, expected once");
    rx_dispose(first);
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- value checks ----------------------------------------------------- */

static void
test_testkit_check_ints_explains_differences(void **state)
{
    rx_test_observer *t = run(rx_range(1, 3), RX_UNBOUNDED);
    char why[256];

    (void)state;
    assert_false(rx_test_check_ints(t, (int64_t[]){1, 2}, 2, why, sizeof why));
    assert_string_equal(why, "got 3 items [1, 2, 3], expected 2");
    assert_false(
        rx_test_check_ints(t, (int64_t[]){1, 5, 3}, 3, why, sizeof why));
    assert_string_equal(why, "item 1 differs: expected 5 (got [1, 2, 3])");
    assert_true(rx_test_check_ints(t, (int64_t[]){1, 2, 3}, 3, why, 0));
    rx_test_observer_free(t);
}

static void
test_testkit_check_ints_rejects_a_non_integer(void **state)
{
    rx_value vals[] = {rx_int(1), rx_str("x")};
    rx_test_observer *t = run(rx_from_values(2, vals), RX_UNBOUNDED);
    char why[256];

    (void)state;
    assert_false(rx_test_check_ints(t, (int64_t[]){1, 2}, 2, why, sizeof why));
    assert_string_equal(why, "item 1 differs: expected 2 (got [1, \"x\"])");
    rx_test_observer_free(t);
}

static void
test_testkit_check_values_describes_each_type(void **state)
{
    int anchor = 0;
    rx_value vals[] = {rx_int(-4),     rx_double(2.5), rx_bool(true),
                       rx_bool(false), rx_str("s"),    rx_nil(),
                       rx_ptr(&anchor)};
    rx_test_observer *t = run(rx_from_values(7, vals), RX_UNBOUNDED);
    rx_value want[7] = {rx_int(-4),     rx_double(2.5), rx_bool(true),
                        rx_bool(false), rx_nil(),       rx_nil(),
                        rx_ptr(&anchor)};
    char why[512];
    char msg[512];

    (void)state;
    snprintf(msg, sizeof msg,
             "item 4 is \"s\", expected nil (got [-4, 2.5, true, false, "
             "\"s\", nil, <value type %u>])",
             (unsigned)RX_TYPE_PTR);
    assert_false(rx_test_check_values(t, want, 7, why, sizeof why));
    assert_string_equal(why, msg);
    assert_false(rx_test_check_values(t, want, 2, why, sizeof why));
    assert_why(why, "got 7 items [-4, 2.5, true");
    assert_why(why, "], expected 2");
    want[4] = rx_str("s");
    assert_true(rx_test_check_values(t, want, 7, why, sizeof why));
    rx_value_release(want[4]);
    rx_test_observer_free(t);
}

static void
test_testkit_long_item_lists_are_cut_short(void **state)
{
    rx_test_observer *t = run(rx_range(1000, 200), RX_UNBOUNDED);
    char why[1024];

    (void)state;
    assert_false(rx_test_check_ints(t, NULL, 0, why, sizeof why));
    assert_why(why, "got 200 items [1000, 1001, 1002");
    assert_why(why, ", ...], expected 0");
    assert_null(strstr(why, "1199"));
    rx_test_observer_free(t);
}

/* ---- terminal checks -------------------------------------------------- */

static void
test_testkit_terminal_checks_explain_differences(void **state)
{
    rx_test_observer *done = run(rx_range(1, 1), RX_UNBOUNDED);
    rx_test_observer *failed =
        run(rx_throw(rx_error_new(RX_EINVAL, "bad input")), RX_UNBOUNDED);
    rx_test_observer *open = run(rx_never(), RX_UNBOUNDED);
    char why[256];

    (void)state;
    assert_false(rx_test_check_completed(failed, why, sizeof why));
    assert_string_equal(why,
                        "expected completion, got error RX_EINVAL: bad input");
    assert_false(rx_test_check_completed(open, why, sizeof why));
    assert_string_equal(why, "expected completion, got no terminal signal");

    assert_false(rx_test_check_error(done, RX_ETIMEDOUT, why, sizeof why));
    assert_string_equal(why, "expected error RX_ETIMEDOUT, got completion");
    assert_false(rx_test_check_error(open, RX_ETIMEDOUT, why, sizeof why));
    assert_string_equal(why,
                        "expected error RX_ETIMEDOUT, got no terminal signal");
    assert_false(rx_test_check_error(failed, RX_ETIMEDOUT, why, sizeof why));
    assert_string_equal(
        why, "expected error RX_ETIMEDOUT, got RX_EINVAL: bad input");
    assert_true(rx_test_check_error(failed, RX_EINVAL, why, sizeof why));

    assert_false(rx_test_check_no_terminal(failed, why, sizeof why));
    assert_string_equal(why, "expected no terminal signal, got an error");
    assert_false(rx_test_check_no_terminal(done, why, sizeof why));
    assert_string_equal(why, "expected no terminal signal, got completion");
    assert_true(rx_test_check_no_terminal(open, why, sizeof why));

    rx_test_observer_free(done);
    rx_test_observer_free(failed);
    rx_test_observer_free(open);
}

/* ---- marble arguments and parse errors -------------------------------- */

/* rx_test_cold(diagram) fails with RX_EINVAL and a message holding
 * `text`. */
static void
cold_fails(rx_scheduler *vs, const char *diagram, const rx_marble_value *values,
           size_t n, const char *text)
{
    rx_test_source *src = rx_test_cold(vs, diagram, values, n);

    if (src != NULL) {
        rx_test_source_free(src);
        fail_msg("\"%s\" parsed", diagram);
    }
    assert_int_equal(rx_last_error(), RX_EINVAL);
    if (strstr(rx_last_error_message(), text) == NULL) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", diagram,
                 rx_last_error_message(), text);
    }
}

static void
test_testkit_marble_error_entry_must_be_a_negative_int32(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_marble_value big = {'#', rx_int((int64_t)INT32_MIN - 1)};
    rx_marble_value pos = {'#', rx_int(5)};
    rx_marble_value str = {'#', rx_nil()};
    rx_marble_value ok = {'#', rx_int(INT32_MIN)};
    rx_test_source *src;
    rx_observable *obs;

    (void)state;
    cold_fails(vs, "-#", &big, 1, "'#' entry of values");
    cold_fails(vs, "-#", &pos, 1, "'#' entry of values");
    cold_fails(vs, "-#", &str, 1, "'#' entry of values");
    src = rx_test_cold(vs, "-#", &ok, 1);
    assert_non_null(src);
    obs = rx_test_source_observable(src);
    assert_rx_marbles(vs, obs, "-#", &ok, 1);
    rx_observable_release(obs);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_testkit_marble_progression_errors(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();

    (void)state;
    cold_fails(vs, "99999999999999999ms", NULL, 0,
               "time progression too long at column 1");
    cold_fails(vs, "a 1.12345678s", NULL, 0,
               "time progression too precise at column 3");
    cold_fails(vs, "1.5ms", NULL, 0, "whole number of ms at column 1");
    cold_fails(vs, "1000000000000000m", NULL, 0, "whole number of ms");
    cold_fails(vs, "1125899906842624ms 1ms", NULL, 0,
               "diagram too long at column 20");
    cold_fails(vs, "1125899906842624ms -", NULL, 0,
               "diagram too long at column 20");
    rx_scheduler_release(vs);
}

static void
test_testkit_marble_dot_after_digits_is_an_item(void **state)
{
    /* "1." is no time progression: two items, '1' and the table's '.'. */
    rx_marble_value dot = {'.', rx_int(9)};
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "1.|", &dot, 1);
    rx_observable *obs;
    char *text;

    (void)state;
    assert_non_null(src);
    obs = rx_test_source_observable(src);
    text = rx_test_marbles(vs, obs, rx_scheduler_now(vs) + 5, &dot, 1);
    assert_non_null(text);
    assert_string_equal(text, "1.|");
    free(text);
    rx_observable_release(obs);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_testkit_marble_render_writes_question_marks(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_value vals[] = {rx_str("ab"), rx_str(""),  rx_str("-"),
                       rx_str("7"),  rx_str(" "), rx_int(3)};
    rx_observable *obs = rx_from_values(6, vals);
    char *text;

    (void)state;
    text = rx_test_marbles(vs, obs, 0, NULL, 0);
    assert_non_null(text);
    assert_string_equal(text, "(???7??|)");
    free(text);
    rx_observable_release(obs);
    rx_scheduler_release(vs);
}

/* ---- subscription logs ------------------------------------------------ */

/* rx_test_check_subscriptions(src, expected) is false with `text` in its
 * message. */
static void
subs_fail(rx_test_source *src, const char *expected, const char *text)
{
    char why[512];
    const char *shown = expected != NULL ? expected : "(null)";

    if (rx_test_check_subscriptions(src, expected, why, sizeof why)) {
        fail_msg("\"%s\" matched", shown);
    }
    if (strstr(why, text) == NULL) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", shown, why, text);
    }
}

static void
test_testkit_subscription_log_parse_errors(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-|", NULL, 0);

    (void)state;
    assert_non_null(src);
    subs_fail(src, ")^", "unexpected ')' at column 1 of \")^\"");
    subs_fail(src, "((^", "unexpected '(' at column 2 of \"((^\"");
    subs_fail(src, "^1", "unexpected '1' at column 2 of \"^1\"");
    subs_fail(src, "^ 1.5ms !", "unexpected '1' at column 3");
    subs_fail(src, "!^", "'!' before '^' at column 1");
    subs_fail(src, "^^", "second '^' at column 2");
    subs_fail(src, "^!!", "second '!' at column 3");
    subs_fail(src, "--", "no '^' in \"--\"");
    subs_fail(NULL, "", "src and expected must not be NULL");
    subs_fail(src, NULL, "src and expected must not be NULL");
    assert_rx_subs(src, "\n\n");
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_testkit_subscription_log_differences(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "-a-|", NULL, 0);
    rx_observable *obs;

    (void)state;
    assert_non_null(src);
    obs = rx_test_source_observable(src);
    assert_rx_marbles(vs, obs, "-a-|", NULL, 0);
    rx_observable_release(obs);
    assert_rx_subs(src, "^ 2ms !");
    /* Other start. */
    subs_fail(src, "-^-!", "subscription 1 differs");
    /* Same start, other end. */
    subs_fail(src, "^--", "subscription 1 differs");
    /* One more expected than happened. */
    subs_fail(src, "^--!\n^", "subscription 2 differs\nexpected:\n^--!\n^");
    /* Fewer expected than happened. */
    subs_fail(src, "", "subscription 1 differs\nexpected:\n\nactual:\n^--!");
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_testkit_source_set_error_rejects_null(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_cold(vs, "#", NULL, 0);

    (void)state;
    assert_non_null(src);
    /* The error is taken, even on failure: no leak is the check. */
    assert_int_equal(
        rx_test_source_set_error(NULL, rx_error_new(RX_ETIMEDOUT, "lost")),
        RX_EINVAL);
    assert_non_null(
        strstr(rx_last_error_message(), "rx_test_source_set_error"));
    assert_int_equal(rx_test_source_set_error(src, NULL), RX_EINVAL);
    assert_int_equal(rx_test_source_subscriptions(NULL), 0);
    assert_null(rx_test_source_log(NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

/* ---- rx_test_marbles and rx_test_check_marbles ------------------------ */

/* rx_test_check_marbles(obs, expected) is false with `text` in its
 * message; `obs` is released. */
static void
marbles_fail(rx_scheduler *vs, rx_observable *obs, const char *expected,
             const char *text)
{
    char why[1024];
    bool ok =
        rx_test_check_marbles(vs, obs, expected, NULL, 0, why, sizeof why);

    rx_observable_release(obs);
    if (ok) {
        fail_msg("\"%s\" matched", expected);
    }
    if (strstr(why, text) == NULL) {
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", expected, why, text);
    }
}

static void
test_testkit_check_marbles_describes_each_signal(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs;

    (void)state;
    /* An expected '#' without a table entry is any error: "#". */
    marbles_fail(vs, rx_range(1, 0), "#",
                 "differ at signal 1: expected an error (#) at frame 0, got "
                 "completion at frame 0");
    marbles_fail(vs, rx_throw(rx_error_new(RX_ETIMEDOUT, "late")), "|",
                 "expected completion at frame 0, got an error "
                 "(RX_ETIMEDOUT) at frame 0");
    /* An item neither integer nor string is described by its key. */
    marbles_fail(vs, rx_just(rx_double(1.5)), "a",
                 "expected 'a' (\"a\") at frame 0, got '?' at frame 0\n"
                 "expected: a\n  actual: (?|)");
    marbles_fail(vs, rx_never(), "a",
                 "expected 'a' (\"a\") at frame 0, got nothing");
    /* An empty diagram watches frame 0 only. */
    marbles_fail(vs, rx_empty(), "",
                 "expected nothing, got completion at frame 0");
    obs = rx_never();
    assert_rx_marbles(vs, obs, "", NULL, 0);
    rx_observable_release(obs);
    rx_scheduler_release(vs);
}

static void
test_testkit_check_marbles_rejects_bad_arguments(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = rx_never();
    char why[256];

    (void)state;
    assert_false(
        rx_test_check_marbles(vs, obs, NULL, NULL, 0, why, sizeof why));
    assert_string_equal(why,
                        "rx_test_check_marbles: expected must not be NULL");
    /* No buffer for the reason: still false. */
    assert_false(rx_test_check_marbles(vs, obs, NULL, NULL, 0, NULL, 0));
    why[0] = 'x';
    assert_false(rx_test_check_marbles(vs, obs, "(a", NULL, 0, why, 0));
    assert_int_equal(why[0], 'x');
    assert_false(
        rx_test_check_marbles(vs, obs, "(a", NULL, 0, why, sizeof why));
    assert_string_equal(why, "rx_test_check_marbles: '(' never closed at "
                             "column 1 of \"(a\"");
    assert_false(rx_test_check_marbles(vs, obs, "a", NULL, 1, why, sizeof why));
    assert_string_equal(why, "rx_test_check_marbles: values must not be NULL "
                             "when n > 0");
    assert_null(rx_test_marbles(NULL, obs, 10, NULL, 0));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(),
                           "rx_test_marbles: vs and obs must not be NULL"));
    assert_null(rx_test_marbles(vs, obs, 10, NULL, 1));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(),
                           "rx_test_marbles: values must not be NULL"));
    rx_observable_release(obs);
    rx_scheduler_release(vs);
}

static void
test_testkit_marbles_record_many_signals_in_one_frame(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *obs = rx_range(0, 40);
    char *text = rx_test_marbles(vs, obs, 0, NULL, 0);
    char want[64];

    (void)state;
    assert_non_null(text);
    snprintf(want, sizeof want, "(%.*s|)", 40,
             "????????????????????????????????????????");
    assert_string_equal(text, want);
    free(text);
    rx_observable_release(obs);
    rx_scheduler_release(vs);
}

/* ---- hot sources ------------------------------------------------------- */

/* Subscribes `late` to `obs` inside its first on_next. */
struct joiner {
    rx_observable *obs;
    rx_test_observer *late;
    int items;
};

static void
joiner_next(rx_value v, void *ctx)
{
    struct joiner *j = ctx;

    (void)v;
    if (j->items++ == 0) {
        assert_int_equal(rx_test_subscribe(j->obs, j->late), 0);
    }
}

static void
test_testkit_hot_subscriber_joining_in_a_broadcast_misses_that_item(
    void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *src = rx_test_hot(vs, "^-a-b-|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);
    struct joiner j = {.obs = o, .late = rx_test_observer_new(RX_UNBOUNDED)};
    rx_subscription *sub = NULL;
    rx_value b = rx_str("b");
    rx_test_observer *other = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(
        rx_subscribe(o, &(rx_observer){.on_next = joiner_next, .ctx = &j},
                     &sub),
        0);
    /* Still to be served when `late` joins: the broadcast skips `late`. */
    assert_int_equal(rx_test_subscribe(o, other), 0);
    rx_virtual_run(vs);
    assert_int_equal(j.items, 2);
    assert_true(rx_test_check_values(j.late, &b, 1, NULL, 0));
    assert_rx_completed(j.late);
    assert_int_equal(rx_test_count(other), 2);
    assert_rx_completed(other);
    assert_rx_subs(src, "^-----!\n^-----!\n--^---!");
    rx_value_release(b);
    rx_dispose(sub);
    rx_test_observer_free(j.late);
    rx_test_observer_free(other);
    rx_observable_release(o);
    rx_test_source_free(src);
    rx_scheduler_release(vs);
}

static void
test_testkit_hot_source_with_only_a_past(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_test_source *past = rx_test_hot(vs, "a-|^", NULL, 0);
    rx_test_source *none = rx_test_hot(vs, "", NULL, 0);
    rx_observable *o1;
    rx_observable *o2;

    (void)state;
    assert_non_null(past);
    assert_non_null(none);
    o1 = rx_test_source_observable(past);
    o2 = rx_test_source_observable(none);
    /* Nothing is ever delivered: the past is gone, and nothing follows. */
    assert_rx_marbles(vs, o1, "-----", NULL, 0);
    assert_rx_marbles(vs, o2, "-----", NULL, 0);
    assert_rx_subs(past, "^---!"); /* disposed at frame 4 */
    rx_observable_release(o1);
    rx_observable_release(o2);
    rx_test_source_free(past);
    rx_test_source_free(none);
    rx_scheduler_release(vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_testkit_observer_new_rejects_a_negative_request),
        rx_unit_test(test_testkit_subscribe_failure_is_returned),
        rx_unit_test(test_testkit_value_out_of_range_is_invalid),
        rx_unit_test(test_testkit_request_each_stops_at_cancel_after),
        rx_unit_test(test_testkit_request_each_saturates_unbounded_demand),
        rx_unit_test(test_testkit_recorder_subscribed_twice_is_reported),
        rx_unit_test(test_testkit_recorder_sees_on_finally_inside_a_signal),
        rx_unit_test(test_testkit_check_ints_explains_differences),
        rx_unit_test(test_testkit_check_ints_rejects_a_non_integer),
        rx_unit_test(test_testkit_check_values_describes_each_type),
        rx_unit_test(test_testkit_long_item_lists_are_cut_short),
        rx_unit_test(test_testkit_terminal_checks_explain_differences),
        rx_unit_test(test_testkit_marble_error_entry_must_be_a_negative_int32),
        rx_unit_test(test_testkit_marble_progression_errors),
        rx_unit_test(test_testkit_marble_dot_after_digits_is_an_item),
        rx_unit_test(test_testkit_marble_render_writes_question_marks),
        rx_unit_test(test_testkit_subscription_log_parse_errors),
        rx_unit_test(test_testkit_subscription_log_differences),
        rx_unit_test(test_testkit_source_set_error_rejects_null),
        rx_unit_test(test_testkit_check_marbles_describes_each_signal),
        rx_unit_test(test_testkit_check_marbles_rejects_bad_arguments),
        rx_unit_test(test_testkit_marbles_record_many_signals_in_one_frame),
        rx_unit_test(
            test_testkit_hot_subscriber_joining_in_a_broadcast_misses_that_item),
        rx_unit_test(test_testkit_hot_source_with_only_a_past),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
