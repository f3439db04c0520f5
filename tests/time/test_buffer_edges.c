/* SPDX-License-Identifier: MIT */
/*
 * Edge cases of rx_buffer_n (slice 4 coverage): buffers a downstream
 * filter drops use no demand (the upstream is asked to refill them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_test.h"

/* The sum of an array of ints. */
static int64_t
sum(rx_value v)
{
    int64_t s = 0;

    for (size_t i = 0; i < rx_array_len(v); i++) {
        s += rx_as_int(rx_array_at(v, i));
    }
    return s;
}

static bool
sum_above_5(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return sum(v) > 5;
}

/* Items: the sum of each buffer that arrived. */
static void
assert_sums(const rx_test_observer *t, const int64_t *want, size_t n)
{
    assert_int_equal(rx_test_count(t), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sum(rx_test_value(t, i)), want[i]);
    }
}

static void
test_buffers_a_filter_drops_use_no_demand(void **state)
{
    rx_observable *o =
        rx_filter(rx_buffer_n(rx_range(1, 10), 2, 2), sum_above_5, NULL);
    rx_test_observer *t = rx_test_observer_new(2);

    (void)state;
    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    /* [1,2] is dropped: [3,4] and [5,6] use the two requested. */
    assert_sums(t, (const int64_t[]){7, 11}, 2);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 5), 0);
    assert_sums(t, (const int64_t[]){7, 11, 15, 19}, 4);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_observable_release(o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_buffers_a_filter_drops_use_no_demand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
