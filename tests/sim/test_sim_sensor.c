/* SPDX-License-Identifier: MIT */
/*
 * Tests for the simulated sensor (rx_sim_sensor): Poisson arrival times
 * and readings reproduced from the seed on virtual time, their
 * statistics, the user read function, RX_EBACKPRESSURE without demand,
 * the backpressure strategies behind it, the configured failure, cancel
 * releasing its timer, bad arguments, allocation failures and one run on
 * the real default loop (values only, never durations).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "rx_test.h"

#define EDEAD (-100003)

/* ---- a recorder of readings with their virtual times ----------------- */

#define REC_MAX 10000

struct rec {
    rx_scheduler *vs;
    rx_subscription *sub;
    int64_t per_request; /* request this many more per reading; 0: none */
    double values[REC_MAX];
    uint64_t times[REC_MAX];
    size_t n;
    int completes;
    int errors;
    int code;
    uint64_t t_end;
    char message[512];
};

static void
rec_next(rx_value v, void *ctx)
{
    struct rec *r = ctx;

    assert_true(r->n < REC_MAX);
    r->values[r->n] = rx_as_double(v);
    r->times[r->n] = rx_scheduler_now(r->vs);
    r->n++;
}

static void
rec_error(const rx_error *err, void *ctx)
{
    struct rec *r = ctx;

    r->errors++;
    r->code = rx_error_code(err);
    r->t_end = rx_scheduler_now(r->vs);
    snprintf(r->message, sizeof r->message, "%s", rx_error_message(err));
}

static void
rec_complete(void *ctx)
{
    struct rec *r = ctx;

    r->completes++;
    r->t_end = rx_scheduler_now(r->vs);
}

/* Subscribes `r` to `o` (borrowed) with `initial` demand. */
static int64_t rec_initial;

static void
rec_subscribe_cb(rx_subscription *sub, void *ctx)
{
    (void)ctx;
    if (rec_initial > 0) {
        rx_request(sub, rec_initial);
    }
}

static void
rec_start(struct rec *r, rx_scheduler *vs, rx_observable *o, int64_t initial)
{
    rx_observer obs = {.on_next = rec_next,
                       .on_error = rec_error,
                       .on_complete = rec_complete,
                       .on_subscribe = rec_subscribe_cb,
                       .ctx = r};

    memset(r, 0, sizeof *r);
    r->vs = vs;
    rec_initial = initial;
    assert_non_null(o);
    assert_int_equal(rx_subscribe(o, &obs, &r->sub), 0);
}

static struct rec ra;
static struct rec rb;

static rx_sim_sensor_config
basic_config(rx_scheduler *vs, uint64_t seed)
{
    return (rx_sim_sensor_config){.sched = vs,
                                  .mean_interval_ms = 50,
                                  .base = 20.0,
                                  .noise = 2.0,
                                  .seed = seed};
}

/* Runs take(n) of a sensor on a fresh virtual scheduler into `r`. */
static void
run_sensor(struct rec *r, const rx_sim_sensor_config *cfg, int64_t n)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = *cfg;
    rx_observable *o;

    c.sched = vs;
    o = rx_take(rx_sim_sensor(&c), n);
    rec_start(r, vs, o, RX_UNBOUNDED);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_dispose(r->sub);
    r->sub = NULL;
    rx_scheduler_release(vs);
}

/* ---- arrivals and readings ------------------------------------------- */

static void
test_sensor_same_seed_reproduces_times_and_readings(void **state)
{
    rx_sim_sensor_config c = basic_config(NULL, 11);
    bool differs = false;

    (void)state;
    run_sensor(&ra, &c, 50);
    run_sensor(&rb, &c, 50);
    assert_int_equal(ra.n, 50);
    assert_int_equal(ra.completes, 1);
    for (size_t i = 0; i < 50; i++) {
        assert_true(ra.times[i] == rb.times[i]);
        assert_true(ra.values[i] == rb.values[i]);
        if (i > 0) {
            assert_true(ra.times[i] >= ra.times[i - 1]);
        }
    }
    c.seed = 12;
    run_sensor(&rb, &c, 50);
    for (size_t i = 0; i < 50; i++) {
        differs = differs || ra.times[i] != rb.times[i] ||
                  ra.values[i] != rb.values[i];
    }
    assert_true(differs);
}

static void
test_sensor_each_subscription_replays_the_same_sensor(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 5);
    rx_observable *o = rx_take(rx_sim_sensor(&c), 10);

    (void)state;
    rec_start(&ra, vs, o, RX_UNBOUNDED);
    rx_virtual_advance_by(vs, 77); /* the second starts later */
    rec_start(&rb, vs, o, RX_UNBOUNDED);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(ra.n, 10);
    assert_int_equal(rb.n, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_true(ra.values[i] == rb.values[i]);
        assert_int_equal(rb.times[i], ra.times[i] + 77);
    }
    rx_dispose(ra.sub);
    rx_dispose(rb.sub);
    rx_scheduler_release(vs);
}

static void
test_sensor_gaps_average_the_mean_interval(void **state)
{
    rx_sim_sensor_config c = basic_config(NULL, 21);
    double sum = 0;
    double sum2 = 0;
    double mean;
    double sd;

    (void)state;
    run_sensor(&ra, &c, 10000);
    assert_int_equal(ra.n, 10000);
    /* exponential gaps: mean 50 (sd of the mean 0.5); the total is kept
     * exact, so the last arrival is near 10,000 * 50 */
    assert_true(fabs((double)ra.times[9999] / 10000 - 50) < 2);
    for (size_t i = 0; i < ra.n; i++) {
        sum += ra.values[i];
        sum2 += ra.values[i] * ra.values[i];
    }
    mean = sum / 10000;
    sd = sqrt(sum2 / 10000 - mean * mean);
    assert_true(fabs(mean - 20.0) < 0.1);
    assert_true(fabs(sd - 2.0) < 0.1);
}

static void
test_sensor_without_noise_reads_the_base(void **state)
{
    rx_sim_sensor_config c = basic_config(NULL, 1);

    (void)state;
    c.noise = 0;
    c.base = -3.5;
    run_sensor(&ra, &c, 20);
    for (size_t i = 0; i < 20; i++) {
        assert_true(ra.values[i] == -3.5);
    }
}

static double
ramp(int64_t index, rx_sim_rng *rng, void *ctx)
{
    double *scale = ctx;

    return (double)index * *scale + rx_sim_rng_uniform(rng);
}

static void
test_sensor_read_function_computes_readings(void **state)
{
    double scale = 10;
    rx_sim_sensor_config c = basic_config(NULL, 8);

    (void)state;
    c.read = ramp;
    c.ctx = &scale;
    run_sensor(&ra, &c, 30);
    run_sensor(&rb, &c, 30);
    for (size_t i = 0; i < 30; i++) {
        assert_true(ra.values[i] >= (double)i * 10);
        assert_true(ra.values[i] < (double)i * 10 + 1);
        assert_true(ra.values[i] == rb.values[i]);
    }
}

/* ---- backpressure ---------------------------------------------------- */

static void
test_sensor_without_demand_fails_with_ebackpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 3);
    rx_observable *o = rx_sim_sensor(&c);

    (void)state;
    rec_start(&ra, vs, o, 2);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(ra.n, 2);
    assert_int_equal(ra.errors, 1);
    assert_int_equal(ra.code, RX_EBACKPRESSURE);
    assert_true(ra.t_end > ra.times[1]);
    assert_non_null(strstr(ra.message, "rx_sim_sensor"));
    assert_non_null(strstr(ra.message, "test_sim_sensor.c"));
    assert_non_null(strstr(ra.message, "rx_on_backpressure_drop"));
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_dispose(ra.sub);
    rx_scheduler_release(vs);
}

/* A slow subscriber: asks for one reading every 200 ms while readings
 * arrive every 50 ms on average. */
static void
run_slow(struct rec *r, rx_observable *o, rx_scheduler *vs)
{
    rec_start(r, vs, o, 1);
    rx_observable_release(o);
    for (int i = 0; i < 50; i++) {
        rx_virtual_advance_by(vs, 200);
        rx_request(r->sub, 1);
    }
}

static void
test_drop_behind_a_sensor_serves_a_slow_subscriber(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 4);
    size_t j = 0;

    (void)state;
    run_sensor(&rb, &c, 1000); /* every reading, for comparison */
    run_slow(&ra, rx_on_backpressure_drop(rx_sim_sensor(&c)), vs);
    assert_int_equal(ra.errors, 0);
    assert_true(ra.n >= 40 && ra.n <= 51);
    /* what arrived is a subsequence of the sensor's readings, in order
     * and at the same times: the rest was dropped */
    for (size_t i = 0; i < ra.n; i++) {
        while (j < rb.n && rb.values[j] != ra.values[i]) {
            j++;
        }
        assert_true(j < rb.n);
        assert_int_equal(rb.times[j], ra.times[i]);
    }
    rx_dispose(ra.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_latest_behind_a_sensor_delivers_fresh_readings(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 4);

    (void)state;
    run_slow(&ra, rx_on_backpressure_latest(rx_sim_sensor(&c)), vs);
    assert_int_equal(ra.errors, 0);
    /* a reading arrives within every 200 ms window, almost surely, and
     * each request takes the latest one at once */
    assert_true(ra.n >= 45);
    rx_dispose(ra.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

static void
test_small_buffer_behind_a_sensor_overflows_with_ebackpressure(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 4);

    (void)state;
    run_slow(&ra,
             rx_on_backpressure_buffer(rx_sim_sensor(&c), 8, RX_OVERFLOW_ERROR),
             vs);
    assert_int_equal(ra.errors, 1);
    assert_int_equal(ra.code, RX_EBACKPRESSURE);
    assert_non_null(strstr(ra.message, "rx_on_backpressure_buffer"));
    rx_dispose(ra.sub);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_scheduler_release(vs);
}

/* ---- failure, cancel --------------------------------------------------- */

static void
test_sensor_fails_after_the_configured_readings(void **state)
{
    rx_sim_sensor_config c = basic_config(NULL, 9);
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o;

    (void)state;
    run_sensor(&rb, &c, 4); /* the same sensor without failure */
    c.sched = vs;
    c.fail_after = 3;
    c.failure_code = EDEAD;
    o = rx_sim_sensor(&c);
    rec_start(&ra, vs, o, RX_UNBOUNDED);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(ra.n, 3);
    assert_int_equal(ra.errors, 1);
    assert_int_equal(ra.code, EDEAD);
    assert_int_equal(ra.t_end, rb.times[3]); /* at the 4th arrival */
    assert_non_null(strstr(ra.message, "after 3 readings"));
    rx_dispose(ra.sub);
    rx_scheduler_release(vs);
}

static void
test_sensor_cancel_releases_its_timer(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 2);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_sim_sensor(&c);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_advance_by(vs, 500);
    assert_true(rx_test_count(t) > 0);
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_test_cancel(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_cancel(t);
    assert_rx_no_terminal(t);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_sensor_disposed_inside_on_next_stops(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_sensor_config c = basic_config(vs, 2);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_sim_sensor(&c);

    (void)state;
    rx_test_set_dispose_in(t, RX_TEST_ON_NEXT);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_int_equal(rx_test_count(t), 1);
    assert_rx_no_terminal(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

/* ---- bad arguments ---------------------------------------------------- */

static void
test_sensor_rejects_bad_configurations(void **state)
{
    rx_sim_sensor_config ok = {.mean_interval_ms = 10};
    rx_sim_sensor_config c;

    (void)state;
    assert_rx_fails(rx_sim_sensor(NULL), RX_EINVAL, "rx_sim_sensor: cfg");
    c = ok;
    c.sched = rx_scheduler_trampoline();
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "rx_sim_sensor: sched");
    c.sched = rx_scheduler_immediate();
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "rx_sim_sensor: sched");
    c = ok;
    c.mean_interval_ms = 0;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "mean_interval_ms");
    c.mean_interval_ms = INFINITY;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "mean_interval_ms");
    c = ok;
    c.noise = -1;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "noise");
    c = ok;
    c.base = NAN;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "base");
    c = ok;
    c.fail_after = -1;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "fail_after");
    c.fail_after = 2;
    assert_rx_fails(rx_sim_sensor(&c), RX_EINVAL, "failure_code");
}

/* ---- allocation failures ---------------------------------------------- */

static void
sensor_oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_observable *o = NULL;
    rx_test_observer *t = NULL;
    rx_sim_sensor_config c;
    int rc;

    (void)failed;
    (void)ctx;
    if (vs == NULL) {
        goto failed;
    }
    c = basic_config(vs, 6);
    o = rx_take(rx_on_backpressure_latest(rx_sim_sensor(&c)), 3);
    if (o == NULL) {
        goto failed;
    }
    t = rx_test_observer_new(RX_UNBOUNDED);
    assert_non_null(t);
    rc = rx_test_subscribe(o, t);
    if (rc != 0) {
        assert_int_equal(rc, RX_ENOMEM);
        goto failed;
    }
    rx_virtual_run(vs);
    if (rx_test_error(t) != NULL) {
        assert_rx_error(t, RX_ENOMEM);
        goto failed;
    }
    assert_int_equal(rx_test_count(t), 3);
    assert_rx_completed(t);
    goto done;
failed:
    assert_true(rx_fault_triggered());
done:
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_scheduler_release(vs);
}

static void
test_sensor_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(sensor_oom_scenario, NULL) > 1);
}

/* ---- real time -------------------------------------------------------- */

static void
test_sensor_runs_in_real_time_on_the_default_loop(void **state)
{
    uv_loop_t *loop = uv_default_loop();
    rx_sim_sensor_config c = {.mean_interval_ms = 1, .base = 7, .seed = 1};
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_take(rx_sim_sensor(&c), 5);

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(rx_test_count(t), 5);
    for (size_t i = 0; i < 5; i++) {
        assert_true(rx_as_double(rx_test_value(t, i)) == 7.0);
    }
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_sensor_same_seed_reproduces_times_and_readings),
        rx_unit_test(test_sensor_each_subscription_replays_the_same_sensor),
        rx_unit_test(test_sensor_gaps_average_the_mean_interval),
        rx_unit_test(test_sensor_without_noise_reads_the_base),
        rx_unit_test(test_sensor_read_function_computes_readings),
        rx_unit_test(test_sensor_without_demand_fails_with_ebackpressure),
        rx_unit_test(test_drop_behind_a_sensor_serves_a_slow_subscriber),
        rx_unit_test(test_latest_behind_a_sensor_delivers_fresh_readings),
        rx_unit_test(
            test_small_buffer_behind_a_sensor_overflows_with_ebackpressure),
        rx_unit_test(test_sensor_fails_after_the_configured_readings),
        rx_unit_test(test_sensor_cancel_releases_its_timer),
        rx_unit_test(test_sensor_disposed_inside_on_next_stops),
        rx_unit_test(test_sensor_rejects_bad_configurations),
        rx_unit_test(test_sensor_survives_allocation_failures),
        rx_unit_test(test_sensor_runs_in_real_time_on_the_default_loop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
