/* SPDX-License-Identifier: MIT */
/*
 * Tests for zip's fast path (every source pulled, unbounded demand, the
 * observer right below: zip_fast_rows() in operators/combine/zip.c): a
 * cancel or a request(0) made inside on_next stops the rows at once, a
 * combiner error ends the loop, heap items are released, and long
 * sources cross the cross-thread poll interval with every row exact.
 */
#include "rx_test.h"

#include "comb_probe.h"

/* A plain observer that records the ints it receives and can cancel or
 * request(0) when the item `stop_at` arrives. */
struct fast_probe {
    rx_subscription *sub;
    int64_t items[16];
    int n;
    int64_t count;
    int64_t sum;
    int64_t stop_at; /* the item that triggers the action, or -1 */
    bool request0;   /* the action: request(0) instead of cancel */
    int errors;      /* on_error calls */
    int error_code;  /* the last error's code */
    int completes;   /* on_complete calls */
    int after_end;   /* signals after a terminal or the cancel */
    bool ended;      /* a terminal arrived, or we cancelled */
};

static void
fp_on_subscribe(rx_subscription *sub, void *ctx)
{
    struct fast_probe *p = ctx;

    p->sub = sub;
    rx_request(sub, RX_UNBOUNDED);
}

static void
fp_on_next(rx_value v, void *ctx)
{
    struct fast_probe *p = ctx;

    if (p->ended) {
        p->after_end++;
        return;
    }
    if (p->n < 16) {
        p->items[p->n++] = rx_as_int(v);
    }
    p->count++;
    p->sum += rx_as_int(v);
    if (rx_as_int(v) == p->stop_at) {
        if (p->request0) {
            rx_request(p->sub, 0);
        } else {
            p->ended = true;
            rx_cancel(p->sub);
        }
    }
}

static void
fp_on_error(const rx_error *err, void *ctx)
{
    struct fast_probe *p = ctx;

    if (p->ended) {
        p->after_end++;
    }
    p->ended = true;
    p->errors++;
    p->error_code = rx_error_code(err);
}

static void
fp_on_complete(void *ctx)
{
    struct fast_probe *p = ctx;

    if (p->ended) {
        p->after_end++;
    }
    p->ended = true;
    p->completes++;
}

static int
fp_run(rx_observable *o, struct fast_probe *p)
{
    rx_observer obs = {.on_subscribe = fp_on_subscribe,
                       .on_next = fp_on_next,
                       .on_error = fp_on_error,
                       .on_complete = fp_on_complete,
                       .ctx = p};
    int rc = rx_subscribe(o, &obs, NULL);

    rx_observable_release(o);
    return rc;
}

static void
test_zip_fast_cancel_inside_on_next_stops_at_once(void **state)
{
    struct fast_probe p = {.stop_at = 6};

    (void)state;
    /* Rows 0+0, 1+1, 2+2, 3+3: cancelled at the fourth. */
    assert_int_equal(
        fp_run(rx_zip(rx_range(0, 100), rx_range(0, 100), cp_add, NULL), &p),
        0);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.items[0], 0);
    assert_int_equal(p.items[1], 2);
    assert_int_equal(p.items[2], 4);
    assert_int_equal(p.items[3], 6);
    assert_int_equal(p.errors + p.completes, 0);
    assert_int_equal(p.after_end, 0);
}

static void
test_zip_fast_request_zero_inside_on_next_fails_with_einval(void **state)
{
    struct fast_probe p = {.stop_at = 12, .request0 = true};

    (void)state;
    /* Rows 0+10, 1+11: the request(0) at the second ends the stream. */
    assert_int_equal(
        fp_run(rx_zip(rx_range(0, 50), rx_range(10, 50), cp_add, NULL), &p), 0);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.items[0], 10);
    assert_int_equal(p.items[1], 12);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.error_code, RX_EINVAL);
    assert_int_equal(p.completes, 0);
    assert_int_equal(p.after_end, 0);
}

static void
test_zip_fast_combiner_error_ends_the_loop(void **state)
{
    int64_t at = 8; /* row 4: 4 + 4 */
    struct fast_probe p = {.stop_at = -1};

    (void)state;
    assert_int_equal(fp_run(rx_zip(rx_range(0, 3000), rx_range(0, 3000),
                                   cp_add_fail_at, &at),
                            &p),
                     0);
    assert_int_equal(p.n, 4);
    assert_int_equal(p.items[3], 6);
    assert_int_equal(p.errors, 1);
    assert_int_equal(p.error_code, RX_T_EUSER);
    assert_int_equal(p.completes, 0);
    assert_int_equal(p.after_end, 0);
}

static void
test_zip_fast_three_ranges_stop_at_the_shortest(void **state)
{
    rx_observable *srcs[3];
    struct fast_probe p = {.stop_at = -1};

    (void)state;
    srcs[0] = rx_range(0, 5);
    srcs[1] = rx_range(100, 3);
    srcs[2] = rx_range(1000, 4);
    assert_int_equal(fp_run(rx_zip_array(3, srcs, cp_add, NULL), &p), 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(p.items[0], 1100);
    assert_int_equal(p.items[1], 1103);
    assert_int_equal(p.items[2], 1106);
    assert_int_equal(p.completes, 1);
    assert_int_equal(p.errors, 0);
    assert_int_equal(p.after_end, 0);
}

static void
test_zip_fast_long_ranges_cross_the_poll_interval(void **state)
{
    struct fast_probe p = {.stop_at = -1};
    const int64_t n = 5000; /* several POLL_ROWS (1,024) chunks */

    (void)state;
    assert_int_equal(
        fp_run(rx_zip(rx_range(0, n), rx_range(7, n + 3), cp_add, NULL), &p),
        0);
    assert_int_equal(p.count, n);
    /* sum of (2i + 7) for i < n */
    assert_int_equal(p.sum, n * (n - 1) + 7 * n);
    assert_int_equal(p.completes, 1);
    assert_int_equal(p.after_end, 0);
}

/* Passes the middle item on (a string): heap items in the fast path. */
static rx_value
fp_middle(const rx_value *items, size_t n, void *ctx, rx_error **err)
{
    (void)n;
    (void)ctx;
    (void)err;
    return rx_value_retain(items[1]);
}

static void
fp_count_next(rx_value v, void *ctx)
{
    int64_t *seen = ctx;

    assert_true(rx_is_str(v));
    *seen += (int64_t)rx_str_len(v);
}

static void
test_zip_fast_releases_heap_items(void **state)
{
    rx_value strs[3];
    rx_observable *srcs[3];
    rx_observable *o;
    int64_t seen = 0;
    rx_observer obs = {.on_next = fp_count_next, .ctx = &seen};

    (void)state;
    strs[0] = rx_str("a");
    strs[1] = rx_str("bb");
    strs[2] = rx_str("ccc");
    srcs[0] = rx_range(0, 10);
    srcs[1] = rx_from_values(3, strs);
    srcs[2] = rx_of_ints(1, 2, 3, 4);
    o = rx_zip_array(3, srcs, fp_middle, NULL);
    assert_int_equal(rx_subscribe(o, &obs, NULL), 0);
    rx_observable_release(o);
    assert_int_equal(seen, 6); /* "a", "bb", "ccc"; the leak check does
                                  the rest */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_zip_fast_cancel_inside_on_next_stops_at_once),
        rx_unit_test(
            test_zip_fast_request_zero_inside_on_next_fails_with_einval),
        rx_unit_test(test_zip_fast_combiner_error_ends_the_loop),
        rx_unit_test(test_zip_fast_three_ranges_stop_at_the_shortest),
        rx_unit_test(test_zip_fast_long_ranges_cross_the_poll_interval),
        rx_unit_test(test_zip_fast_releases_heap_items),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
