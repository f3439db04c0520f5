/* SPDX-License-Identifier: MIT */
/*
 * buffer_boundary: an array of the items since the previous boundary
 * item at each one, empty arrays included, and the last array at
 * completion (waiting for demand); the boundary completing ends the
 * stream; errors drop the open array; an array due without demand
 * fails with RX_EBACKPRESSURE; cancel; bad arguments; allocation
 * failures; marble cases (tests/marbles/buffer_boundary.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

static void
test_buffer_boundary_collects_items_between_boundary_items(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p, rx_buffer_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_t_hot_next_int(src, 2);
    rx_t_hot_next_int(bnd, 0);
    rx_t_hot_next_int(bnd, 0);
    rx_t_hot_next_int(src, 3);
    rx_t_hot_complete(src);
    assert_hp_log(&p, "[1,2] [] [3] |");
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_buffer_boundary_final_array_waits_for_demand(void **state)
{
    rx_observable *o = rx_buffer_boundary(rx_of_ints(1, 2), rx_never());
    rx_test_observer *t = rx_test_observer_new(0);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_test_request(t, 1), 0);
    assert_int_equal(rx_test_count(t), 1);
    assert_int_equal(rx_array_len(rx_test_value(t, 0)), 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
}

static void
test_buffer_boundary_ends_when_the_boundary_completes(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p, rx_buffer_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_t_hot_complete(bnd);
    assert_hp_log(&p, "[1] |");
    assert_int_equal(rx_t_hot_cancels(src), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_buffer_boundary_error_drops_the_open_array(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p, rx_buffer_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next(src, rx_str("dropped"));
    rx_t_hot_error(src, RX_T_EUSER);
    assert_hp_log(&p, "#RX_EUSER");
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_buffer_boundary_array_without_demand_fails(void **state)
{
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = 1};

    (void)state;
    hp_subscribe(&p, rx_buffer_boundary(rx_never(), rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(bnd, 0);
    rx_t_hot_next_int(bnd, 0);
    assert_hp_log(&p, "[] #RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_buffer_boundary"));
    hp_done(&p);
    rx_t_hot_free(bnd);
}

static void
test_buffer_boundary_cancel_stops_both_sources(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED};

    (void)state;
    hp_subscribe(&p, rx_buffer_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next(src, rx_str("dropped"));
    rx_cancel(p.sub);
    assert_int_equal(rx_t_hot_cancels(src), 1);
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    assert_hp_log(&p, "");
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_buffer_boundary_null_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_switch_map(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "fn must not be NULL");
    assert_null(rx_buffer_boundary(NULL, rx_never()));
    assert_null(rx_buffer_boundary(rx_never(), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL); /* untouched */
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = rx_buffer_boundary(rx_of_ints(1, 2), rx_of_ints(0));
    rx_test_observer *t;
    int rc;

    (void)ctx;
    if (o == NULL) {
        assert_int_equal(rx_last_error(), RX_ENOMEM);
        return;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    if (t == NULL) {
        rx_observable_release(o);
        return;
    }
    rc = rx_test_subscribe(o, t);
    rx_observable_release(o);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
    } else if (failed && rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
    } else {
        /* The boundary emits and completes before the source starts. */
        assert_int_equal(rx_test_count(t), 2);
        assert_int_equal(rx_array_len(rx_test_value(t, 0)), 0);
        assert_int_equal(rx_array_len(rx_test_value(t, 1)), 0);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_buffer_boundary_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

/* Marble rendering of an array of one-character strings: the string of
 * their characters ("empty" for none). */
static rx_value
join(rx_value v, void *ctx, rx_error **err)
{
    char buf[64] = "";
    size_t n = rx_array_len(v);

    (void)ctx;
    (void)err;
    if (n == 0) {
        return rx_str("empty");
    }
    for (size_t i = 0; i < n && i + 1 < sizeof buf; i++) {
        rx_value s = rx_array_at(v, i);
        buf[i] = rx_is_str(s) ? rx_str_cstr(s)[0] : '?';
        buf[i + 1] = '\0';
    }
    return rx_str(buf);
}

static rx_observable *
build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
      void *ctx)
{
    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "buffer_boundary") || c->nsources != 2) {
        for (size_t i = 0; i < c->nsources; i++) {
            rx_observable_release(srcs[i]);
        }
        return NULL;
    }
    return rx_map(rx_buffer_boundary(srcs[0], srcs[1]), join, NULL);
}

static void
test_buffer_boundary_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("buffer_boundary.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(
            test_buffer_boundary_collects_items_between_boundary_items),
        rx_unit_test(test_buffer_boundary_final_array_waits_for_demand),
        rx_unit_test(test_buffer_boundary_ends_when_the_boundary_completes),
        rx_unit_test(test_buffer_boundary_error_drops_the_open_array),
        rx_unit_test(test_buffer_boundary_array_without_demand_fails),
        rx_unit_test(test_buffer_boundary_cancel_stops_both_sources),
        rx_unit_test(test_buffer_boundary_null_arguments),
        rx_unit_test(test_buffer_boundary_survives_allocation_failures),
        rx_unit_test(test_buffer_boundary_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
