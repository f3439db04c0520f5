/* SPDX-License-Identifier: MIT */
/*
 * rx_skip_while: drops items while the predicate holds, then emits every
 * item without asking it again; predicate errors, demand, cancel, bad
 * arguments and allocation failures.
 */
#include "filter_probe.h"

/* The context of below(): the limit, and how often it was called. */
struct below_ctx {
    int64_t limit;
    int calls;
};

/* True while v < limit. */
static bool
below(rx_value v, void *ctx, rx_error **err)
{
    struct below_ctx *b = ctx;

    (void)err;
    b->calls++;
    return rx_as_int(v) < b->limit;
}

static void
test_skip_while_drops_items_while_pred_holds(void **state)
{
    struct below_ctx limit = {.limit = 4};
    rx_test_observer *t = filter_run(
        rx_skip_while(rx_of_ints(1, 2, 5, 3), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 5, 3);
    assert_rx_completed(t);
    assert_int_equal(limit.calls, 3);
    rx_test_observer_free(t);
}

static void
test_skip_while_drops_everything_when_pred_always_holds(void **state)
{
    struct below_ctx limit = {.limit = 100};
    rx_test_observer *t =
        filter_run(rx_skip_while(rx_range(1, 3), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_while_on_empty_source_completes(void **state)
{
    struct below_ctx limit = {.limit = 4};
    rx_test_observer *t =
        filter_run(rx_skip_while(rx_empty(), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_no_items(t);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_skip_while_passes_an_upstream_error_on(void **state)
{
    struct probe_log log = {.error_code = RX_T_EUSER};
    struct below_ctx limit = {.limit = 2};
    rx_test_observer *t = filter_run(
        rx_skip_while(probe_range(1, 3, &log), below, &limit), RX_UNBOUNDED);

    (void)state;
    assert_rx_ints(t, 2, 3);
    assert_rx_error(t, RX_T_EUSER);
    rx_test_observer_free(t);
}

static void
test_skip_while_pred_error_cancels_upstream_and_fails(void **state)
{
    struct probe_log log = {0};
    int64_t at = 3;
    rx_test_observer *t = filter_run(
        rx_skip_while(probe_range(2, 100, &log), rx_t_pred_fail_at, &at),
        RX_UNBOUNDED);

    (void)state;
    /* 2 is even, so skipped; the predicate fails at 3. */
    assert_rx_no_items(t);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_skip_while_skipped_items_cost_no_request(void **state)
{
    struct probe_log log = {0};
    struct below_ctx limit = {.limit = 5};
    rx_test_observer *t =
        filter_run(rx_skip_while(probe_range(1, 10, &log), below, &limit), 0);

    (void)state;
    assert_rx_no_items(t);
    rx_test_request(t, 1);
    assert_rx_ints(t, 5);
    rx_test_request(t, 1);
    assert_rx_ints(t, 5, 6);
    assert_rx_no_terminal(t);
    assert_int_equal(log.requested, 2);
    rx_test_observer_free(t);
}

static void
test_skip_while_stops_when_cancelled_mid_stream(void **state)
{
    struct probe_log log = {0};
    struct below_ctx limit = {.limit = 3};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_skip_while(probe_range(1, -1, &log), below, &limit);

    (void)state;
    rx_test_set_cancel_after(t, 2);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_ints(t, 3, 4);
    assert_rx_no_terminal(t);
    assert_int_equal(log.cancels, 1);
    rx_test_observer_free(t);
}

static void
test_skip_while_rejects_bad_arguments(void **state)
{
    struct below_ctx limit = {.limit = 1};

    (void)state;
    assert_rx_fails(rx_skip_while(rx_range(1, 3), NULL, NULL), RX_EINVAL,
                    "rx_skip_while");
    filter_set_other_last_error();
    assert_null(rx_skip_while(NULL, below, &limit));
    assert_last_error_untouched();
}

static void
skip_while_oom_scenario(bool failed, void *ctx)
{
    struct below_ctx limit = {.limit = 3};

    (void)ctx;
    filter_expect_or_oom(rx_skip_while(rx_range(1, 4), below, &limit),
                         (const int64_t[]){3, 4}, 2, failed);
}

static void
test_skip_while_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(skip_while_oom_scenario, NULL) > 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_skip_while_drops_items_while_pred_holds),
        rx_unit_test(test_skip_while_drops_everything_when_pred_always_holds),
        rx_unit_test(test_skip_while_on_empty_source_completes),
        rx_unit_test(test_skip_while_passes_an_upstream_error_on),
        rx_unit_test(test_skip_while_pred_error_cancels_upstream_and_fails),
        rx_unit_test(test_skip_while_skipped_items_cost_no_request),
        rx_unit_test(test_skip_while_stops_when_cancelled_mid_stream),
        rx_unit_test(test_skip_while_rejects_bad_arguments),
        rx_unit_test(test_skip_while_survives_allocation_failures),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
