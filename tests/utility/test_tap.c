/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_tap_opts: each callback sees its signal and nothing is
 * changed, requests and cancels are seen, the config is copied, errors
 * from upstream and from operators below, bad arguments and allocation
 * failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

/* What the tap callbacks saw, in order, as a short log. */
struct seen {
    char log[128];
    int64_t items[16];
    size_t n;
    int64_t requested;
    int requests;
    int cancels;
    int error_code;
};

static void
note(struct seen *s, const char *what)
{
    strncat(s->log, what, sizeof s->log - strlen(s->log) - 1);
}

static void
saw_next(rx_value v, void *ctx)
{
    struct seen *s = ctx;

    if (s->n < 16) {
        s->items[s->n++] = rx_as_int(v);
    }
    note(s, "n");
}

static void
saw_error(const rx_error *err, void *ctx)
{
    struct seen *s = ctx;

    s->error_code = rx_error_code(err);
    note(s, "e");
}

static void
saw_complete(void *ctx)
{
    note(ctx, "c");
}

static void
saw_request(int64_t n, void *ctx)
{
    struct seen *s = ctx;

    s->requests++;
    s->requested += n;
}

static void
saw_cancel(void *ctx)
{
    struct seen *s = ctx;

    s->cancels++;
    note(s, "x");
}

static rx_tap_config
all_callbacks(struct seen *s)
{
    rx_tap_config cfg = {
        .on_next = saw_next,
        .on_error = saw_error,
        .on_complete = saw_complete,
        .on_request = saw_request,
        .on_cancel = saw_cancel,
        .ctx = s,
    };
    return cfg;
}

static rx_test_observer *
run_with(rx_observable *obs, int64_t initial)
{
    rx_test_observer *t = rx_test_observer_new(initial);

    assert_non_null(obs);
    assert_non_null(t);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    return t;
}

static void
test_tap_sees_items_and_completion_and_changes_nothing(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_test_observer *t =
        run_with(rx_tap_opts(rx_range(1, 3), &cfg), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1, 2, 3);
    assert_rx_completed(t);
    assert_string_equal(s.log, "nnnc");
    assert_int_equal(s.items[2], 3);
    assert_int_equal(s.cancels, 0);
    rx_test_observer_free(t);
}

static void
test_tap_sees_upstream_error(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_test_observer *t =
        run_with(rx_tap_opts(rx_throw(rx_error_new(RX_T_EUSER, "boom")), &cfg),
                 RX_UNBOUNDED);

    (void)state;
    assert_rx_error(t, RX_T_EUSER);
    assert_string_equal(s.log, "e");
    assert_int_equal(s.error_code, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_tap_sees_each_request(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_test_observer *t = run_with(rx_tap_opts(rx_range(1, 5), &cfg), 0);

    (void)state;
    assert_int_equal(s.requests, 0);
    rx_test_request(t, 2);
    assert_int_equal(s.requests, 1);
    assert_int_equal(s.requested, 2);
    assert_rx_ints(t, 1, 2);
    rx_test_request(t, 3);
    assert_int_equal(s.requests, 2);
    assert_int_equal(s.requested, 5);
    assert_rx_ints(t, 1, 2, 3, 4, 5);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_tap_sees_cancel_mid_stream(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_observable *obs = rx_tap_opts(rx_range(1, 10), &cfg);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
    assert_rx_ints(t, 1, 2);
    assert_rx_no_terminal(t);
    assert_string_equal(s.log, "nnx");
    rx_test_cancel(t);
    assert_int_equal(s.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_tap_sees_cancel_when_operator_below_fails(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    int64_t at = 2;
    rx_test_observer *t =
        run_with(rx_map(rx_tap_opts(rx_range(1, 10), &cfg), rx_t_fail_at, &at),
                 RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    /* As RxJava's doOnCancel: the failing map cancels its upstream. */
    assert_string_equal(s.log, "nnx");
    rx_test_observer_free(t);
}

static void
test_tap_copies_the_config(void **state)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_observable *obs = rx_tap_opts(rx_range(1, 2), &cfg);
    rx_test_observer *t;

    (void)state;
    memset(&cfg, 0, sizeof cfg);
    t = run_with(obs, RX_UNBOUNDED);
    assert_rx_ints(t, 1, 2);
    assert_string_equal(s.log, "nnc");
    rx_test_observer_free(t);
}

static void
test_tap_with_no_callbacks_passes_everything_on(void **state)
{
    rx_tap_config cfg = {0};
    rx_test_observer *t = run_with(
        rx_tap_opts(rx_map(rx_range(1, 3), rx_t_times10, NULL), &cfg), 1);

    (void)state;
    assert_rx_ints(t, 10);
    rx_test_request(t, 5);
    assert_rx_ints(t, 10, 20, 30);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_tap_rejects_null_config(void **state)
{
    (void)state;
    assert_rx_fails(rx_tap_opts(rx_range(1, 2), NULL), RX_EINVAL,
                    "rx_tap_opts");
    assert_non_null(strstr(rx_last_error_message(), "cfg"));
}

static void
test_tap_of_null_src_returns_null_and_keeps_last_error(void **state)
{
    rx_tap_config cfg = {0};

    (void)state;
    assert_null(rx_range(0, -1));
    assert_null(rx_tap_opts(NULL, &cfg));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "rx_range"));
}

static void
tap_oom_scenario(bool failed, void *ctx)
{
    struct seen s = {0};
    rx_tap_config cfg = all_callbacks(&s);
    rx_observable *obs = rx_tap_opts(rx_range(1, 3), &cfg);
    rx_test_observer *t;
    int rc;

    (void)failed;
    (void)ctx;
    if (obs == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    rc = rx_test_subscribe(obs, t);
    rx_observable_release(obs);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        assert_string_equal(s.log, "");
    } else {
        assert_rx_ints(t, 1, 2, 3);
        assert_rx_completed(t);
        assert_string_equal(s.log, "nnnc");
    }
    rx_test_observer_free(t);
}

static void
test_tap_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(tap_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_tap_sees_items_and_completion_and_changes_nothing),
        rx_unit_test(test_tap_sees_upstream_error),
        rx_unit_test(test_tap_sees_each_request),
        rx_unit_test(test_tap_sees_cancel_mid_stream),
        rx_unit_test(test_tap_sees_cancel_when_operator_below_fails),
        rx_unit_test(test_tap_copies_the_config),
        rx_unit_test(test_tap_with_no_callbacks_passes_everything_on),
        rx_unit_test(test_tap_rejects_null_config),
        rx_unit_test(test_tap_of_null_src_returns_null_and_keeps_last_error),
        rx_unit_test(test_tap_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
