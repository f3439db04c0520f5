/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_offload (slice 4 coverage): a function returning an
 * invalid value fails the stream with RX_ENOMEM in its turn, a cancel
 * inside on_next stops the results (the rest of the work frees itself),
 * results a downstream filter drops use no demand, and an upstream that
 * sends more than the window asked for fails with RX_EBACKPRESSURE.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_hot.h"
#include "rx_test.h"

static rx_value
times10(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * 10);
}

/* x * 10, but an invalid value (a failed allocation) for x == 3. */
static rx_value
invalid_at_3(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) == 3 ? rx_invalid() : rx_int(rx_as_int(v) * 10);
}

static void
close_loop(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_DEFAULT);
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void
run(uv_loop_t *loop, rx_observable *o, rx_test_observer *t)
{
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
}

static void
test_offload_fn_returning_an_invalid_value_fails_in_its_turn(void **state)
{
    uv_loop_t loop;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    run(&loop, rx_offload(rx_range(0, 10), invalid_at_3, NULL, 4, &loop), t);
    assert_rx_ints(t, 0, 10, 20);
    assert_rx_error(t, RX_ENOMEM);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "fn returned an invalid value"));
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_cancel_inside_on_next_stops_the_results(void **state)
{
    uv_loop_t loop;
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    rx_test_set_cancel_after(t, 2);
    run(&loop, rx_offload(rx_range(0, 10), times10, NULL, 4, &loop), t);
    assert_rx_ints(t, 0, 10);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static bool
multiple_of_20(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(v) % 20 == 0;
}

static void
test_offload_results_a_filter_drops_use_no_demand(void **state)
{
    uv_loop_t loop;
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    run(&loop,
        rx_filter(rx_offload(rx_range(0, 6), times10, NULL, 6, &loop),
                  multiple_of_20, NULL),
        t);
    assert_rx_ints(t, 0, 20);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_rx_ints(t, 0, 20, 40);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    close_loop(&loop);
}

static void
test_offload_upstream_ignoring_demand_fails_with_backpressure(void **state)
{
    uv_loop_t loop;
    rx_t_hot *h = rx_t_hot_new();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    o = rx_offload(rx_t_hot_observable(h), times10, NULL, 1, &loop);
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_requested(h), 1);
    assert_true(rx_t_hot_next_int(h, 1));
    assert_true(rx_t_hot_next_int(h, 2)); /* one more than asked for */
    assert_false(rx_t_hot_live(h));       /* cancelled */
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_EBACKPRESSURE);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "more items than requested"));
    rx_test_observer_free(t);
    close_loop(&loop);
    rx_t_hot_free(h);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_offload_fn_returning_an_invalid_value_fails_in_its_turn),
        rx_unit_test(test_offload_cancel_inside_on_next_stops_the_results),
        rx_unit_test(test_offload_results_a_filter_drops_use_no_demand),
        rx_unit_test(
            test_offload_upstream_ignoring_demand_fails_with_backpressure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
