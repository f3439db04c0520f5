/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of the simulated service (slice 4 coverage): a pool
 * scheduler refused, a latency beyond 10^12 ms capped there, a respond
 * function returning an invalid value (RX_ENOMEM), cancelling a call
 * that waits behind another in the FIFO, and a cancel inside on_next of
 * the response (no completion follows).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "rx_test.h"

static rx_value
square(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * rx_as_int(v));
}

static rx_value
invalid(rx_value v, void *ctx, rx_error **err)
{
    (void)v;
    (void)ctx;
    (void)err;
    return rx_invalid();
}

static rx_sim_service *
service(rx_scheduler *vs, rx_map_fn respond, double ms, int max_concurrency)
{
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.sched = vs,
                                 .respond = respond,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = ms},
                                 .max_concurrency = max_concurrency});

    assert_non_null(svc);
    return svc;
}

static rx_test_observer *
call(rx_sim_service *svc, int64_t x)
{
    rx_observable *o = rx_sim_call(svc, rx_int(x));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    return t;
}

static void
test_service_refuses_a_pool_scheduler(void **state)
{
    rx_scheduler *pool = rx_scheduler_pool(1);

    (void)state;
    assert_null(rx_sim_service_new(
        &(rx_sim_service_config){.sched = pool,
                                 .respond = square,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = 1}}));
    assert_int_equal(rx_last_error(), RX_EINVAL);
    assert_non_null(strstr(rx_last_error_message(), "sched"));
    rx_scheduler_release(pool);
}

static void
test_a_huge_latency_is_capped_at_10_to_the_12_ms(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = service(vs, square, 1e15, 0);
    rx_test_observer *t = call(svc, 3);

    (void)state;
    assert_true(rx_virtual_advance_to(vs, INT64_C(999999999999)) >= 0);
    assert_rx_no_items(t);
    assert_true(rx_virtual_advance_to(vs, INT64_C(1000000000000)) >= 0);
    assert_rx_ints(t, 9);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_respond_returning_an_invalid_value_fails_the_call(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = service(vs, invalid, 2, 0);
    rx_test_observer *t = call(svc, 3);

    (void)state;
    assert_true(rx_virtual_advance_to(vs, 2) >= 0);
    assert_rx_no_items(t);
    assert_rx_error(t, RX_ENOMEM);
    assert_non_null(strstr(rx_error_message(rx_test_error(t)),
                           "respond returned an invalid value"));
    assert_int_equal(rx_sim_service_get_stats(svc).in_flight, 0);
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_cancelling_a_call_in_the_middle_of_the_queue(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = service(vs, square, 5, 1);
    rx_test_observer *a = call(svc, 1); /* runs */
    rx_test_observer *b = call(svc, 2); /* waits */
    rx_test_observer *c = call(svc, 3); /* waits behind b */
    rx_test_observer *d = call(svc, 4); /* waits behind c */

    (void)state;
    rx_test_cancel(c);
    assert_true(rx_virtual_advance_to(vs, 5) >= 0);
    assert_rx_ints(a, 1);
    assert_true(rx_virtual_advance_to(vs, 10) >= 0);
    assert_rx_ints(b, 4);
    assert_rx_no_items(d); /* next after b: c left the queue */
    assert_true(rx_virtual_advance_to(vs, 15) >= 0);
    assert_rx_ints(d, 16);
    assert_rx_completed(d);
    assert_rx_no_items(c);
    assert_rx_no_terminal(c);
    rx_test_observer_free(a);
    rx_test_observer_free(b);
    rx_test_observer_free(c);
    rx_test_observer_free(d);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_cancel_inside_on_next_of_the_response(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = service(vs, square, 1, 0);
    rx_observable *o = rx_sim_call(svc, rx_int(5));
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_test_set_cancel_after(t, 1);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_true(rx_virtual_advance_to(vs, 1) >= 0);
    assert_rx_ints(t, 25);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_service_refuses_a_pool_scheduler),
        rx_unit_test(test_a_huge_latency_is_capped_at_10_to_the_12_ms),
        rx_unit_test(test_respond_returning_an_invalid_value_fails_the_call),
        rx_unit_test(test_cancelling_a_call_in_the_middle_of_the_queue),
        rx_unit_test(test_cancel_inside_on_next_of_the_response),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
