/* SPDX-License-Identifier: MIT */
/*
 * Tests for rx_buffer_n: consecutive, overlapping and gapped buffers;
 * the shorter buffers emitted at completion, oldest first; nothing for an
 * empty source; buffers dropped at an error; demand for n buffers turned
 * into exactly the items they need (RxJava's arithmetic), and a
 * replacement asked for when the downstream drops a buffer; cancel
 * releasing held items; bad arguments and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "rx_hot.h"
#include "rx_test.h"
#include "time_probe.h"

/* Runs `obs` synchronously with unbounded demand; checks the log. */
static void
check_log(rx_observable *obs, const char *expected)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = RX_UNBOUNDED};

    tp_subscribe(&p, vs, obs);
    assert_tp_log(&p, expected);
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_buffer_n_cuts_consecutive_buffers(void **state)
{
    (void)state;
    check_log(rx_buffer_n(rx_range(1, 5), 2, 2), "0:[1,2] 0:[3,4] 0:[5] 0:|");
    check_log(rx_buffer_n(rx_range(1, 6), 3, 3), "0:[1,2,3] 0:[4,5,6] 0:|");
}

static void
test_buffer_n_makes_overlapping_buffers(void **state)
{
    (void)state;
    check_log(rx_buffer_n(rx_range(1, 4), 3, 1),
              "0:[1,2,3] 0:[2,3,4] 0:[3,4] 0:[4] 0:|");
    check_log(rx_buffer_n(rx_range(1, 5), 3, 2),
              "0:[1,2,3] 0:[3,4,5] 0:[5] 0:|");
}

/* Six buffers open at once: the ring of open buffers grows past its
 * first four slots and keeps their order while it wraps. */
static void
test_buffer_n_keeps_many_open_buffers_in_order(void **state)
{
    (void)state;
    check_log(rx_buffer_n(rx_range(1, 9), 6, 1),
              "0:[1,2,3,4,5,6] 0:[2,3,4,5,6,7] 0:[3,4,5,6,7,8] "
              "0:[4,5,6,7,8,9] 0:[5,6,7,8,9] 0:[6,7,8,9] 0:[7,8,9] "
              "0:[8,9] 0:[9] 0:|");
}

static void
test_buffer_n_leaves_out_items_between_gapped_buffers(void **state)
{
    (void)state;
    check_log(rx_buffer_n(rx_range(1, 5), 1, 2), "0:[1] 0:[3] 0:[5] 0:|");
    check_log(rx_buffer_n(rx_range(1, 7), 2, 3), "0:[1,2] 0:[4,5] 0:[7] 0:|");
    check_log(rx_buffer_n(rx_range(1, 6), 2, 3), "0:[1,2] 0:[4,5] 0:|");
}

static void
test_buffer_n_of_an_empty_source_emits_nothing(void **state)
{
    (void)state;
    check_log(rx_buffer_n(rx_empty(), 2, 1), "0:|");
}

static void
test_buffer_n_drops_open_buffers_at_an_error(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_n(rx_t_hot_observable(h), 2, 1));
    rx_t_hot_next(h, rx_str("a"));
    rx_t_hot_next(h, rx_str("b"));
    rx_t_hot_next(h, rx_str("c"));
    rx_t_hot_error(h, RX_T_EUSER);
    assert_tp_log(&p, "0:[a,b] 0:[b,c] 0:#RX_EUSER");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

/* The demand the pusher sees after the probe asks for `first` buffers,
 * then `more`. */
static void
check_upstream_demand(int64_t count, int64_t skip, int64_t first, int64_t more,
                      int64_t want_first, int64_t want_total)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = first};

    tp_subscribe(&p, vs, rx_buffer_n(rx_t_hot_observable(h), count, skip));
    assert_int_equal(rx_t_hot_requested(h), want_first);
    assert_int_equal(rx_request(p.sub, more), 0);
    assert_int_equal(rx_t_hot_requested(h), want_total);
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_n_asks_the_source_for_the_items_the_buffers_need(void **state)
{
    (void)state;
    /* consecutive: n * count */
    check_upstream_demand(3, 3, 1, 2, 3, 9);
    /* overlapping: count + (n - 1) * skip, then n * skip */
    check_upstream_demand(3, 1, 2, 2, 4, 6);
    /* gapped: n * count + (n - 1) * (skip - count), then n * skip */
    check_upstream_demand(2, 3, 2, 1, 5, 8);
    /* unbounded stays unbounded */
    check_upstream_demand(2, 3, RX_UNBOUNDED, 1, RX_UNBOUNDED, RX_UNBOUNDED);
}

static void
test_buffer_n_honours_demand_of_one_at_a_time(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1, .request_each = 1};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_n(rx_range(1, 4), 3, 1));
    assert_tp_log(&p, "0:[1,2,3] 0:[2,3,4] 0:[3,4] 0:[4] 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_buffer_n_holds_the_final_buffers_until_requested(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 2};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_n(rx_range(1, 3), 3, 1));
    assert_tp_log(&p, "0:[1,2,3] 0:[2,3]");
    assert_int_equal(rx_request(p.sub, 1), 0);
    assert_tp_log(&p, "0:[1,2,3] 0:[2,3] 0:[3] 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static bool
first_above_4(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_as_int(rx_array_at(v, 0)) > 4;
}

static void
test_buffer_n_asks_for_a_replacement_when_downstream_drops_one(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    struct tp p = {.initial = 1};

    (void)state;
    tp_subscribe(
        &p, vs,
        rx_filter(rx_buffer_n(rx_range(1, 8), 2, 2), first_above_4, NULL));
    assert_tp_log(&p, "0:[5,6]");
    assert_int_equal(rx_request(p.sub, 5), 0);
    assert_tp_log(&p, "0:[5,6] 0:[7,8] 0:|");
    tp_done(&p);
    rx_scheduler_release(vs);
}

static void
test_buffer_n_cancel_releases_the_open_buffers(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_t_hot *h = rx_t_hot_new();
    struct tp p = {.initial = RX_UNBOUNDED};

    (void)state;
    tp_subscribe(&p, vs, rx_buffer_n(rx_t_hot_observable(h), 3, 1));
    rx_t_hot_next(h, rx_str("held"));
    rx_t_hot_next(h, rx_str("twice"));
    rx_cancel(p.sub);
    assert_int_equal(rx_t_hot_cancels(h), 1);
    assert_tp_log(&p, "");
    tp_done(&p);
    rx_t_hot_free(h);
    rx_scheduler_release(vs);
}

static void
test_buffer_n_rejects_bad_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_buffer_n(rx_range(1, 2), 0, 1), RX_EINVAL,
                    "rx_buffer_n: count must be greater than 0");
    assert_rx_fails(rx_buffer_n(rx_range(1, 2), 1, 0), RX_EINVAL,
                    "rx_buffer_n: skip must be greater than 0");
    assert_rx_fails(rx_buffer_n(rx_range(1, 2), -1, 1), RX_EINVAL,
                    "rx_buffer_n: count");
    assert_rx_fails(rx_buffer_n(rx_range(1, 2), 1, -1), RX_EINVAL,
                    "rx_buffer_n: skip");
}

static rx_observable *
build_buffer_n(rx_scheduler *vs)
{
    (void)vs;
    return rx_buffer_n(rx_range(1, 5), 2, 1);
}

static void
test_buffer_n_survives_allocation_failures(void **state)
{
    (void)state;
    tp_oom_sweep(build_buffer_n, 1,
                 "0:[1,2] 0:[2,3] 0:[3,4] 0:[4,5] 0:[5] 0:|");
}

/* ---- marble cases (tests/marbles/buffer_n.txt) ----------------------------
 */

static rx_observable *
build_marbles(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
              void *ctx)
{
    int64_t count;
    int64_t skip;

    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "buffer_n") ||
        !rx_marble_case_arg_int(c, 1, &count) ||
        !rx_marble_case_arg_int(c, 2, &skip)) {
        rx_observable_release(srcs[0]);
        return NULL;
    }
    return rx_map(rx_buffer_n(srcs[0], count, skip), tp_join, NULL);
}

static void
test_buffer_n_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("buffer_n.txt", build_marbles, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_buffer_n_cuts_consecutive_buffers),
        rx_unit_test(test_buffer_n_makes_overlapping_buffers),
        rx_unit_test(test_buffer_n_keeps_many_open_buffers_in_order),
        rx_unit_test(test_buffer_n_leaves_out_items_between_gapped_buffers),
        rx_unit_test(test_buffer_n_of_an_empty_source_emits_nothing),
        rx_unit_test(test_buffer_n_drops_open_buffers_at_an_error),
        rx_unit_test(
            test_buffer_n_asks_the_source_for_the_items_the_buffers_need),
        rx_unit_test(test_buffer_n_honours_demand_of_one_at_a_time),
        rx_unit_test(test_buffer_n_holds_the_final_buffers_until_requested),
        rx_unit_test(
            test_buffer_n_asks_for_a_replacement_when_downstream_drops_one),
        rx_unit_test(test_buffer_n_cancel_releases_the_open_buffers),
        rx_unit_test(test_buffer_n_rejects_bad_arguments),
        rx_unit_test(test_buffer_n_survives_allocation_failures),
        rx_unit_test(test_buffer_n_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
