/* SPDX-License-Identifier: MIT */
/*
 * window_boundary: a window at the start and one more at each boundary
 * item; the source or the boundary completing ends the stream; errors
 * from either reach the outer stream and the open window; windows keep
 * their items until subscribed and are freed when nobody does; a window
 * due without demand fails with RX_EBACKPRESSURE; the outer stream cut
 * by take() while its window goes on; cancel; bad arguments; allocation
 * failures; marble cases (tests/marbles/window_boundary.txt).
 */
#include "rx_test.h"

#include "higher_probe.h"

static void
test_window_boundary_cuts_windows_at_each_boundary_item(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_window_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_t_hot_next_int(src, 2);
    rx_t_hot_next_int(bnd, 0);
    rx_t_hot_next_int(src, 3);
    rx_t_hot_next_int(bnd, 0);
    rx_t_hot_complete(src);
    assert_hp_log(&p, "W w0:1 w0:2 w0:| W w1:3 w1:| W w2:| |");
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_ends_when_the_boundary_completes(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_window_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_t_hot_complete(bnd);
    assert_hp_log(&p, "W w0:1 w0:| |");
    assert_int_equal(rx_t_hot_cancels(src), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_errors_reach_the_stream_and_the_window(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_window_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_t_hot_error(bnd, RX_T_EUSER);
    assert_hp_log(&p, "W w0:1 #RX_EUSER w0:#RX_EUSER");
    assert_int_equal(rx_t_hot_cancels(src), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_error_into_flat_map_is_signalled_once(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    rx_observable *o = rx_flat_map(
        rx_window_boundary(rx_t_hot_observable(src), rx_t_hot_observable(bnd)),
        hp_itself, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    rx_capture_undeliverable();
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_t_hot_next_int(src, 1);
    rx_t_hot_error(src, RX_T_EUSER);
    assert_rx_ints(t, 1);
    assert_rx_error(t, RX_T_EUSER);
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    assert_int_equal(rx_undeliverable_count(NULL), 0);
    rx_test_observer_free(t);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_windows_wait_for_their_subscriber(void **state)
{
    rx_observable *o = rx_window_boundary(rx_of_ints(1, 2, 3), rx_never());
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *w = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *win;

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_test_count(t), 1);
    assert_rx_completed(t);
    win = rx_value_observable(rx_test_value(t, 0));
    assert_int_equal(rx_test_subscribe(win, w), 0);
    assert_rx_ints(w, 1, 2, 3);
    assert_rx_completed(w);
    rx_observable_release(win);
    rx_test_observer_free(w);
    rx_test_observer_free(t);
}

static void
test_window_boundary_window_without_demand_fails(void **state)
{
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = 1};

    (void)state;
    hp_subscribe(&p, rx_window_boundary(rx_never(), rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(bnd, 0);
    assert_hp_log(&p, "W #RX_EBACKPRESSURE");
    assert_non_null(strstr(p.msg, "rx_window_boundary"));
    hp_done(&p);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_window_goes_on_after_take_cuts_the_stream(void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    rx_observable *o =
        rx_flat_map(rx_take(rx_window_boundary(rx_t_hot_observable(src),
                                               rx_t_hot_observable(bnd)),
                            1),
                    hp_itself, NULL);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(rx_t_hot_cancels(bnd), 1); /* no more windows */
    rx_t_hot_next_int(src, 1);
    rx_t_hot_next_int(src, 2);
    rx_t_hot_complete(src);
    assert_rx_ints(t, 1, 2);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_outer_cancel_ends_windows_subscribed_elsewhere(
    void **state)
{
    rx_t_hot *src = rx_t_hot_new();
    rx_t_hot *bnd = rx_t_hot_new();
    struct hp p = {.initial = RX_UNBOUNDED, .open = true};

    (void)state;
    hp_subscribe(&p, rx_window_boundary(rx_t_hot_observable(src),
                                        rx_t_hot_observable(bnd)));
    rx_t_hot_next_int(src, 1);
    rx_cancel(p.sub);
    assert_hp_log(&p, "W w0:1 w0:#RX_ECANCELED");
    assert_int_equal(rx_t_hot_cancels(src), 1);
    assert_int_equal(rx_t_hot_cancels(bnd), 1);
    hp_done(&p);
    rx_t_hot_free(src);
    rx_t_hot_free(bnd);
}

static void
test_window_boundary_null_arguments(void **state)
{
    (void)state;
    assert_rx_fails(rx_switch_map(rx_of_ints(1), NULL, NULL), RX_EINVAL,
                    "fn must not be NULL");
    assert_null(rx_window_boundary(NULL, rx_never()));
    assert_null(rx_window_boundary(rx_never(), NULL));
    assert_int_equal(rx_last_error(), RX_EINVAL); /* untouched */
}

static rx_observable *
build_oom(void)
{
    return rx_flat_map(rx_window_boundary(rx_of_ints(1, 2), rx_never()),
                       hp_itself, NULL);
}

static void
oom_scenario(bool failed, void *ctx)
{
    rx_observable *o = build_oom();
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
        assert_rx_ints(t, 1, 2);
        assert_rx_completed(t);
    }
    rx_test_observer_free(t);
}

static void
test_window_boundary_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(oom_scenario, NULL) > 1);
}

static rx_observable *
build(const rx_marble_case *c, rx_scheduler *vs, rx_observable **srcs,
      void *ctx)
{
    (void)vs;
    (void)ctx;
    if (!rx_marble_case_is(c, "window_boundary") || c->nsources != 2) {
        for (size_t i = 0; i < c->nsources; i++) {
            rx_observable_release(srcs[i]);
        }
        return NULL;
    }
    return hp_bridge(rx_window_boundary(srcs[0], srcs[1]), NULL);
}

static void
test_window_boundary_marble_cases(void **state)
{
    (void)state;
    assert_rx_marble_file("window_boundary.txt", build, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_window_boundary_cuts_windows_at_each_boundary_item),
        rx_unit_test(test_window_boundary_ends_when_the_boundary_completes),
        rx_unit_test(
            test_window_boundary_errors_reach_the_stream_and_the_window),
        rx_unit_test(
            test_window_boundary_error_into_flat_map_is_signalled_once),
        rx_unit_test(test_window_boundary_windows_wait_for_their_subscriber),
        rx_unit_test(test_window_boundary_window_without_demand_fails),
        rx_unit_test(
            test_window_boundary_window_goes_on_after_take_cuts_the_stream),
        rx_unit_test(
            test_window_boundary_outer_cancel_ends_windows_subscribed_elsewhere),
        rx_unit_test(test_window_boundary_null_arguments),
        rx_unit_test(test_window_boundary_survives_allocation_failures),
        rx_unit_test(test_window_boundary_marble_cases),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
