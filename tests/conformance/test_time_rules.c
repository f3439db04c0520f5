/* SPDX-License-Identifier: MIT */
/*
 * Conformance rows that need time: protocol rule 7 for every source that
 * cannot slow down, and rule 5's cross-thread cancel waking the owner's
 * loop for every source that waits on a loop.
 *
 * Rule 7: a source that must emit while its subscriber has no demand
 * signals RX_EBACKPRESSURE, and the message names the source's assembly
 * site and suggests the on_backpressure_* operators; with one of those
 * operators behind it, no error.
 *
 * Rule 5: rx_cancel() from another thread on a pipeline that is idle --
 * waiting for a timer or for I/O -- wakes the owner's loop, which then
 * releases everything, so uv_run() returns.
 */
#include <string.h>

#include <uv.h>

#include "rx_test.h"

/* ---- rule 7 --------------------------------------------------------- */

typedef rx_observable *(*make_fn)(rx_scheduler *vs);

static rx_observable *
make_interval(rx_scheduler *vs)
{
    return rx_interval(10, vs);
}

static rx_observable *
make_timer(rx_scheduler *vs)
{
    return rx_timer(10, vs);
}

static rx_observable *
make_sensor(rx_scheduler *vs)
{
    rx_sim_sensor_config cfg = {
        .sched = vs, .mean_interval_ms = 10.0, .base = 1.0, .seed = 7};

    return rx_sim_sensor(&cfg);
}

static rx_observable *
make_marble_source(rx_scheduler *vs)
{
    /* Marble sources are hot-ish too: items fall due at their frame. */
    rx_test_source *src = rx_test_cold(vs, "--a--b--|", NULL, 0);
    rx_observable *o = rx_test_source_observable(src);

    rx_test_source_free(src);
    return o;
}

static const struct {
    const char *name;
    const char *site; /* the public name the message must contain */
    make_fn make;
} hot_sources[] = {
    {"interval", "rx_interval", make_interval},
    {"timer", "rx_timer", make_timer},
    {"sim_sensor", "rx_sim_sensor", make_sensor},
    {"marble cold source", "test_time_rules.c", make_marble_source},
};

static void
test_sources_that_cannot_slow_down_signal_ebackpressure(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hot_sources / sizeof hot_sources[0]; i++) {
        rx_scheduler *vs = rx_scheduler_virtual();
        rx_observable *o = hot_sources[i].make(vs);
        rx_test_observer *t = rx_test_observer_new(0);
        const rx_error *err;

        assert_non_null(o);
        assert_int_equal(rx_test_subscribe(o, t), 0);
        rx_observable_release(o);
        rx_virtual_advance_by(vs, 1000);
        err = rx_test_error(t);
        if (err == NULL || rx_error_code(err) != RX_EBACKPRESSURE) {
            fail_msg("[%s] expected RX_EBACKPRESSURE, got %s",
                     hot_sources[i].name,
                     err != NULL ? rx_err_name(rx_error_code(err)) : "none");
        }
        assert_rx_no_items(t);
        if (strstr(rx_error_message(err), hot_sources[i].site) == NULL ||
            strstr(rx_error_message(err), "rx_on_backpressure") == NULL) {
            fail_msg("[%s] message does not name the site and the "
                     "remedy: %s",
                     hot_sources[i].name, rx_error_message(err));
        }
        assert_int_equal(rx_virtual_pending(vs), 0); /* timers released */
        rx_test_observer_free(t);
        rx_scheduler_release(vs);
    }
}

static void
test_on_backpressure_drop_behind_them_prevents_the_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof hot_sources / sizeof hot_sources[0]; i++) {
        rx_scheduler *vs = rx_scheduler_virtual();
        rx_observable *o = rx_on_backpressure_drop(hot_sources[i].make(vs));
        rx_test_observer *t = rx_test_observer_new(0);

        assert_int_equal(rx_test_subscribe(o, t), 0);
        rx_observable_release(o);
        rx_virtual_advance_by(vs, 100);
        if (rx_test_error(t) != NULL) {
            fail_msg("[%s] failed behind on_backpressure_drop: %s",
                     hot_sources[i].name, rx_error_message(rx_test_error(t)));
        }
        assert_rx_no_items(t);
        rx_test_dispose(t);
        assert_int_equal(rx_virtual_pending(vs), 0);
        rx_test_observer_free(t);
        rx_scheduler_release(vs);
    }
}

/* ---- rule 5: cross-thread cancel wakes an idle pipeline ---------------- */

static void
cancel_from_thread(void *arg)
{
    rx_cancel(arg);
}

/* Subscribes `o` on `loop`, cancels it from another thread while the
 * loop waits, and checks uv_run returns with the pipeline finished. */
static void
check_remote_cancel(const char *name, uv_loop_t *loop, rx_observable *o)
{
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    uv_thread_t tid;

    assert_non_null(o);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    assert_int_equal(
        uv_thread_create(&tid, cancel_from_thread, rx_test_subscription(t)), 0);
    /* Returns only once the cancel reached the loop and the source let
     * go of it (its timer or handle). */
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_thread_join(&tid), 0);
    if (rx_test_get_counts(t).finallies != 1 || rx_test_completed(t) ||
        rx_test_error(t) != NULL) {
        fail_msg("[%s] the remote cancel did not end the pipeline cleanly",
                 name);
    }
    rx_test_observer_free(t);
}

static void
close_loop(uv_loop_t *loop)
{
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void
test_cancel_from_another_thread_wakes_an_idle_timer(void **state)
{
    uv_loop_t loop;
    rx_scheduler *s;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    s = rx_scheduler_loop(&loop);
    /* An hour-long timer: without the wake-up the test would hang. */
    check_remote_cancel("timer", &loop, rx_timer(3600 * 1000, s));
    check_remote_cancel("interval", &loop,
                        rx_on_backpressure_drop(rx_interval(3600 * 1000, s)));
    rx_scheduler_release(s);
    close_loop(&loop);
}

static void
test_cancel_from_another_thread_wakes_an_idle_stream_read(void **state)
{
    uv_loop_t loop;
    uv_pipe_t reader;
    uv_file fds[2];
    uv_fs_t req;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(uv_pipe(fds, 0, 0), 0);
    assert_int_equal(uv_pipe_init(&loop, &reader, 0), 0);
    assert_int_equal(uv_pipe_open(&reader, fds[0]), 0);
    /* Nothing is ever written: the read waits until the cancel. */
    check_remote_cancel("stream_lines", &loop,
                        rx_stream_lines((uv_stream_t *)&reader));
    uv_close((uv_handle_t *)&reader, NULL);
    uv_fs_close(NULL, &req, fds[1], NULL);
    uv_fs_req_cleanup(&req);
    close_loop(&loop);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_sources_that_cannot_slow_down_signal_ebackpressure),
        rx_unit_test(test_on_backpressure_drop_behind_them_prevents_the_error),
        rx_unit_test(test_cancel_from_another_thread_wakes_an_idle_timer),
        rx_unit_test(test_cancel_from_another_thread_wakes_an_idle_stream_read),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
