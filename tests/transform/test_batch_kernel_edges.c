/* SPDX-License-Identifier: MIT */
/*
 * Batch kernels that fail: a kernel that stores an error fails the stream
 * with it, and a filter kernel that claims to keep more items than it was
 * given fails it with RX_EINVAL -- both on the batch path (an iterable
 * source) and on the one-item path (items pushed by a subject), and
 * nothing is delivered after the error.
 */
#include <string.h>

#include "rx_test.h"

#define KERNEL_ECODE (RX_EUSER - 7)

static void
failing_map(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)n;
    (void)ctx;
    *err = rx_error_new(KERNEL_ECODE, "map kernel failed");
}

static size_t
failing_filter(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)ctx;
    *err = rx_error_new(KERNEL_ECODE, "filter kernel failed");
    return n;
}

static size_t
greedy_filter(rx_value *vals, size_t n, void *ctx, rx_error **err)
{
    (void)vals;
    (void)ctx;
    (void)err;
    return n + 1; /* more than it was given: a broken kernel */
}

/* Subscribes t to obs (taken) in batch mode or item by item. */
static void
run_batch(rx_observable *obs, rx_test_observer *t, bool batch)
{
    assert_non_null(obs);
    rx_test_set_batch(t, batch);
    assert_int_equal(rx_test_subscribe(obs, t), 0);
    rx_observable_release(obs);
}

static void
test_map_kernel_error_fails_the_batch_stream(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    run_batch(rx_map_batch(rx_range(0, 10), failing_map, NULL), t, true);
    assert_rx_error(t, KERNEL_ECODE);
    assert_int_equal(rx_test_count(t), 0);
    rx_test_observer_free(t);
}

static void
test_filter_kernel_error_fails_the_batch_stream(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    run_batch(rx_filter_batch(rx_range(0, 10), failing_filter, NULL), t, true);
    assert_rx_error(t, KERNEL_ECODE);
    assert_int_equal(rx_test_count(t), 0);
    rx_test_observer_free(t);
}

static void
test_filter_kernel_keeping_too_many_fails_with_einval(void **state)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    const rx_error *err;

    (void)state;
    run_batch(rx_filter_batch(rx_range(0, 10), greedy_filter, NULL), t, true);
    assert_rx_error(t, RX_EINVAL);
    err = rx_test_error(t);
    assert_non_null(strstr(rx_error_message(err), "kept more items"));
    assert_int_equal(rx_test_count(t), 0);
    rx_test_observer_free(t);
}

/* Items pushed one at a time (a subject) take the one-item path. */
static void
pushed_through(rx_observable *(*wrap)(rx_observable *), int code)
{
    rx_subject *s = rx_subject_publish();
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    assert_non_null(s);
    run_batch(wrap(rx_subject_observable(s)), t, false);
    assert_int_equal(rx_subject_next(s, rx_int(1)), 0);
    assert_rx_error(t, code);
    assert_int_equal(rx_test_count(t), 0);
    (void)rx_subject_next(s, rx_int(2)); /* nobody is left to take it */
    assert_int_equal(rx_test_count(t), 0);
    rx_test_observer_free(t);
    rx_subject_release(s);
}

static rx_observable *
wrap_failing_map(rx_observable *src)
{
    return rx_map_batch(src, failing_map, NULL);
}

static rx_observable *
wrap_failing_filter(rx_observable *src)
{
    return rx_filter_batch(src, failing_filter, NULL);
}

static void
test_map_kernel_error_fails_a_pushed_item(void **state)
{
    (void)state;
    pushed_through(wrap_failing_map, KERNEL_ECODE);
}

static void
test_filter_kernel_error_fails_a_pushed_item(void **state)
{
    (void)state;
    pushed_through(wrap_failing_filter, KERNEL_ECODE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_map_kernel_error_fails_the_batch_stream),
        rx_unit_test(test_filter_kernel_error_fails_the_batch_stream),
        rx_unit_test(test_filter_kernel_keeping_too_many_fails_with_einval),
        rx_unit_test(test_map_kernel_error_fails_a_pushed_item),
        rx_unit_test(test_filter_kernel_error_fails_a_pushed_item),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
