/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the subjects (slice 4 coverage): a replay or unicast
 * subject fed from inside its own subscriber's on_next (stored, then
 * caught up in order, never re-entered), an error pushed from inside
 * on_next (delivered after the running item, once), rx_subject_retain
 * keeping a subject alive, rx_subject_value on NULL.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rx_test.h"

/* Pushes v+1 from inside on_next up to 4, then ends the subject: with
 * an error when `fail`, else a completion. Logs every signal. */
struct echo {
    rx_subject *s;
    bool fail;
    int depth;
    int max_depth;
    int terminals;
    char log[128];
};

static void
echo_add(struct echo *e, const char *text)
{
    size_t n = strlen(e->log);

    snprintf(e->log + n, sizeof e->log - n, "%s ", text);
}

static void
echo_sub(rx_subscription *sub, void *ctx)
{
    (void)ctx;
    rx_request(sub, RX_UNBOUNDED);
}

static void
echo_next(rx_value v, void *ctx)
{
    struct echo *e = ctx;
    char buf[32];

    e->depth++;
    if (e->depth > e->max_depth) {
        e->max_depth = e->depth;
    }
    snprintf(buf, sizeof buf, "%lld", (long long)rx_as_int(v));
    echo_add(e, buf);
    if (rx_as_int(v) < 4) {
        assert_int_equal(rx_subject_next(e->s, rx_int(rx_as_int(v) + 1)), 0);
    } else if (e->fail) {
        assert_int_equal(rx_subject_error(e->s, rx_error_new(RX_EBUSY, "echo")),
                         0);
        /* Ended already, though the error is still pending. */
        assert_int_equal(rx_subject_next(e->s, rx_int(9)), RX_ECANCELED);
        assert_int_equal(rx_subject_complete(e->s), RX_ECANCELED);
    } else {
        assert_int_equal(rx_subject_complete(e->s), 0);
    }
    e->depth--;
}

static void
echo_error(const rx_error *err, void *ctx)
{
    struct echo *e = ctx;

    e->terminals++;
    echo_add(e, rx_error_code(err) == RX_EBUSY ? "#RX_EBUSY" : "#?");
}

static void
echo_complete(void *ctx)
{
    struct echo *e = ctx;

    e->terminals++;
    echo_add(e, "|");
}

static void
run_echo(rx_subject *s, bool fail, const char *expected)
{
    struct echo e = {.s = s, .fail = fail};
    rx_observable *obs = rx_subject_observable(s);
    rx_subscription *sub = NULL;

    assert_non_null(s);
    assert_int_equal(rx_subscribe(obs,
                                  &(rx_observer){.on_subscribe = echo_sub,
                                                 .on_next = echo_next,
                                                 .on_error = echo_error,
                                                 .on_complete = echo_complete,
                                                 .ctx = &e},
                                  &sub),
                     0);
    rx_observable_release(obs);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_string_equal(e.log, expected);
    assert_int_equal(e.max_depth, 1);
    assert_int_equal(e.terminals, 1);
    rx_dispose(sub);
    rx_subject_release(s);
}

static void
test_replay_subject_fed_from_on_next_catches_up_in_order(void **state)
{
    (void)state;
    run_echo(rx_subject_replay(8, 0, NULL), false, "1 2 3 4 | ");
}

static void
test_unicast_subject_fed_from_on_next_catches_up_in_order(void **state)
{
    (void)state;
    run_echo(rx_subject_unicast(0), false, "1 2 3 4 | ");
}

static void
test_error_pushed_from_on_next_follows_the_item(void **state)
{
    (void)state;
    run_echo(rx_subject_publish(), true, "1 2 3 4 #RX_EBUSY ");
    run_echo(rx_subject_replay(8, 0, NULL), true, "1 2 3 4 #RX_EBUSY ");
}

static void
test_subject_retain_keeps_it_alive(void **state)
{
    rx_subject *s = rx_subject_behavior(rx_int(7));
    rx_value v;

    (void)state;
    assert_ptr_equal(rx_subject_retain(s), s);
    rx_subject_release(s);
    /* Still alive through the second reference. */
    assert_int_equal(rx_subject_value(s, &v), 0);
    assert_int_equal(rx_as_int(v), 7);
    rx_value_release(v);
    rx_subject_release(s);
}

static void
test_subject_value_of_null_is_einval(void **state)
{
    rx_value v = rx_int(3);

    (void)state;
    assert_int_equal(rx_subject_value(NULL, &v), RX_EINVAL);
    assert_true(rx_is_nil(v));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_replay_subject_fed_from_on_next_catches_up_in_order),
        rx_unit_test(test_unicast_subject_fed_from_on_next_catches_up_in_order),
        rx_unit_test(test_error_pushed_from_on_next_follows_the_item),
        rx_unit_test(test_subject_retain_keeps_it_alive),
        rx_unit_test(test_subject_value_of_null_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
