/* SPDX-License-Identifier: MIT */
/*
 * Tests for the simulated service (rx_sim_service_new, rx_sim_call) and
 * the generator and distributions behind it: responses after the drawn
 * latency on virtual time, demand, reproducibility, the distributions'
 * statistics (10,000 seeded samples, loose bounds), the failure rate, the
 * concurrency limit and its FIFO queue, cancel freeing slots and timers,
 * the counters, bad arguments, allocation failures, and one run on the
 * real default loop with 1 ms latencies (values only, never durations).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "rx_test.h"

#define EFAIL (-100002)

static rx_value
square(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    (void)err;
    return rx_int(rx_as_int(v) * rx_as_int(v));
}

static rx_value
fail_on_7(rx_value v, void *ctx, rx_error **err)
{
    (void)ctx;
    if (rx_is_int(v) && rx_as_int(v) == 7) {
        *err = rx_error_new(RX_T_EUSER, "seven is not served");
        return rx_nil();
    }
    return rx_value_retain(v);
}

/* ---- a recorder of signals with their virtual times -------------------- */

struct rec {
    rx_scheduler *vs;
    rx_subscription *sub;
    int64_t value;
    uint64_t t_next;
    uint64_t t_end;
    int nexts;
    int completes;
    int errors;
    int code;
};

static void
rec_next(rx_value v, void *ctx)
{
    struct rec *r = ctx;

    r->value = rx_as_int(v);
    r->t_next = rx_scheduler_now(r->vs);
    r->nexts++;
}

static void
rec_error(const rx_error *err, void *ctx)
{
    struct rec *r = ctx;

    r->code = rx_error_code(err);
    r->t_end = rx_scheduler_now(r->vs);
    r->errors++;
}

static void
rec_complete(void *ctx)
{
    struct rec *r = ctx;

    r->t_end = rx_scheduler_now(r->vs);
    r->completes++;
}

/* Subscribes a recorder to call(svc, request) with unbounded demand. */
static void
rec_call(struct rec *r, rx_scheduler *vs, rx_sim_service *svc, int64_t request)
{
    rx_observable *o = rx_sim_call(svc, rx_int(request));
    rx_observer obs = {.on_next = rec_next,
                       .on_error = rec_error,
                       .on_complete = rec_complete,
                       .ctx = r};

    memset(r, 0, sizeof *r);
    r->vs = vs;
    assert_non_null(o);
    assert_int_equal(rx_subscribe(o, &obs, &r->sub), 0);
    rx_observable_release(o);
}

static rx_sim_service *
fixed_service(rx_scheduler *vs, double ms, int max_concurrency)
{
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.sched = vs,
                                 .respond = square,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = ms},
                                 .max_concurrency = max_concurrency,
                                 .seed = 1});

    assert_non_null(svc);
    return svc;
}

/* ---- basics --------------------------------------------------------- */

static void
test_call_emits_the_response_after_the_latency(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1000, 0);
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_sim_call(svc, rx_int(3));

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_sim_service_release(svc); /* the call keeps the service alive */
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_virtual_advance_by(vs, 999);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    rx_virtual_advance_by(vs, 1);
    assert_rx_ints(t, 9);
    assert_rx_completed(t);
    assert_int_equal(rx_virtual_pending(vs), 0);
    rx_test_observer_free(t);
    rx_scheduler_release(vs);
}

static void
test_call_response_waits_for_demand(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 10, 1);
    rx_test_observer *t = rx_test_observer_new(0);
    rx_observable *o = rx_sim_call(svc, rx_int(4));
    rx_sim_service_stats st;

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_no_items(t);
    assert_rx_no_terminal(t);
    st = rx_sim_service_get_stats(svc);
    assert_int_equal(st.completed, 1);
    assert_int_equal(st.in_flight, 0); /* the slot is free already */
    rx_test_request(t, 1);
    assert_rx_ints(t, 16);
    assert_rx_completed(t);
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_call_is_cold_each_subscription_is_a_call(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 5, 0);
    rx_observable *o = rx_sim_call(svc, rx_int(2));
    rx_observable *srcs[3];
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);

    (void)state;
    /* flat_map is not there yet: concat runs the same call three times. */
    srcs[0] = rx_observable_retain(o);
    srcs[1] = rx_observable_retain(o);
    srcs[2] = o;
    o = rx_concat_array(3, srcs);
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_ints(t, 4, 4, 4);
    assert_rx_completed(t);
    assert_int_equal(rx_scheduler_now(vs), 15);
    assert_int_equal(rx_sim_service_get_stats(svc).calls, 3);
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- reproducibility ------------------------------------------------ */

struct outcome {
    uint64_t t;
    int64_t value;
    int code;
};

/* Runs n calls subscribed at time 0 on a fresh virtual scheduler and
 * records when and how each ended. */
static void
run_calls(uint64_t seed, int max_concurrency, struct outcome *out, int n)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(&(rx_sim_service_config){
        .sched = vs,
        .respond = square,
        .latency = {.kind = RX_SIM_UNIFORM, .min_ms = 0, .max_ms = 1000},
        .failure_rate = 0.3,
        .failure_code = EFAIL,
        .max_concurrency = max_concurrency,
        .seed = seed});
    struct rec r[32];

    assert_non_null(svc);
    assert_true(n <= 32);
    for (int i = 0; i < n; i++) {
        rec_call(&r[i], vs, svc, i);
    }
    rx_virtual_run(vs);
    for (int i = 0; i < n; i++) {
        assert_int_equal(r[i].completes + r[i].errors, 1);
        out[i].t = r[i].t_end;
        out[i].value = r[i].nexts > 0 ? r[i].value : -1;
        out[i].code = r[i].errors > 0 ? r[i].code : 0;
        if (r[i].nexts > 0) {
            assert_int_equal(r[i].t_next, r[i].t_end);
            assert_int_equal(r[i].value, (int64_t)i * i);
        }
        rx_dispose(r[i].sub);
    }
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_same_seed_reproduces_latencies_and_failures(void **state)
{
    struct outcome a[20];
    struct outcome b[20];
    struct outcome c[20];
    int fails = 0;
    bool differs = false;

    (void)state;
    run_calls(42, 0, a, 20);
    run_calls(42, 0, b, 20);
    run_calls(43, 0, c, 20);
    for (int i = 0; i < 20; i++) {
        assert_int_equal(a[i].t, b[i].t);
        assert_int_equal(a[i].value, b[i].value);
        assert_int_equal(a[i].code, b[i].code);
        assert_true(a[i].t <= 1000);
        fails += a[i].code == EFAIL;
        differs = differs || a[i].t != c[i].t || a[i].code != c[i].code;
    }
    assert_true(fails > 0 && fails < 20);
    assert_true(differs);
}

/* Draws follow subscription order whatever the concurrency limit: with
 * one slot, call k ends at the sum of the first k latencies. */
static void
test_draws_follow_call_order_whatever_the_concurrency(void **state)
{
    struct outcome free_run[12];
    struct outcome serial[12];
    uint64_t sum = 0;

    (void)state;
    run_calls(7, 0, free_run, 12);
    run_calls(7, 1, serial, 12);
    for (int i = 0; i < 12; i++) {
        sum += free_run[i].t; /* unlimited: ends at its own latency */
        assert_int_equal(serial[i].t, sum);
        assert_int_equal(serial[i].code, free_run[i].code);
        assert_int_equal(serial[i].value, free_run[i].value);
    }
}

/* ---- distributions -------------------------------------------------- */

struct sample_stats {
    double mean;
    double sd;
    double min;
    double max;
};

static struct sample_stats
sample(const rx_sim_dist *d, uint64_t seed, int n, double *below,
       double threshold)
{
    rx_sim_rng rng;
    struct sample_stats s = {0, 0, INFINITY, -INFINITY};
    double sum = 0;
    double sum2 = 0;
    int under = 0;

    assert_int_equal(rx_sim_dist_check(d), 0);
    rx_sim_rng_seed(&rng, seed);
    for (int i = 0; i < n; i++) {
        double x = rx_sim_dist_draw(d, &rng);
        sum += x;
        sum2 += x * x;
        s.min = x < s.min ? x : s.min;
        s.max = x > s.max ? x : s.max;
        under += x < threshold;
    }
    s.mean = sum / n;
    s.sd = sqrt(sum2 / n - s.mean * s.mean);
    if (below != NULL) {
        *below = (double)under / n;
    }
    return s;
}

static void
test_distributions_match_their_parameters(void **state)
{
    struct sample_stats s;
    double frac;

    (void)state;
    s = sample(&(rx_sim_dist){.kind = RX_SIM_FIXED, .ms = 5}, 1, 10000, NULL,
               0);
    assert_true(s.min == 5 && s.max == 5);

    s = sample(
        &(rx_sim_dist){.kind = RX_SIM_UNIFORM, .min_ms = 100, .max_ms = 300}, 2,
        10000, &frac, 200);
    assert_true(s.min >= 100 && s.max < 300);
    assert_true(s.min < 102 && s.max > 298);
    assert_true(fabs(s.mean - 200) < 3);
    assert_true(fabs(frac - 0.5) < 0.03);

    s = sample(
        &(rx_sim_dist){.kind = RX_SIM_NORMAL, .mean_ms = 100, .stddev_ms = 20},
        3, 10000, &frac, 100);
    assert_true(fabs(s.mean - 100) < 1);
    assert_true(fabs(s.sd - 20) < 1);
    assert_true(s.min >= 0 && s.min < 40 && s.max > 160);
    assert_true(fabs(frac - 0.5) < 0.03);

    /* Negative draws become 0 */
    s = sample(
        &(rx_sim_dist){.kind = RX_SIM_NORMAL, .mean_ms = 0, .stddev_ms = 10}, 4,
        10000, &frac, 1e-9);
    assert_true(s.min == 0);
    assert_true(fabs(frac - 0.5) < 0.03);

    /* median 100, sigma 0.5: mean 100 * exp(0.125) = 113.3 */
    s = sample(&(rx_sim_dist){.kind = RX_SIM_LOGNORMAL,
                              .median_ms = 100,
                              .sigma = 0.5},
               5, 10000, &frac, 100);
    assert_true(fabs(frac - 0.5) < 0.03);
    assert_true(fabs(s.mean - 113.3) < 3);
    assert_true(s.min > 0 && s.max > 300);

    /* scale 10, shape 3: mean 15, P(x >= 20) = (10/20)^3 = 0.125 */
    s = sample(
        &(rx_sim_dist){.kind = RX_SIM_PARETO, .scale_ms = 10, .shape = 3}, 6,
        10000, &frac, 20);
    assert_true(s.min >= 10 && s.min < 10.1);
    assert_true(fabs(s.mean - 15) < 0.5);
    assert_true(fabs((1 - frac) - 0.125) < 0.015);
}

static void
test_generator_is_deterministic_and_copyable(void **state)
{
    rx_sim_rng a;
    rx_sim_rng b;
    rx_sim_rng c;
    double u;

    (void)state;
    rx_sim_rng_seed(&a, 0); /* 0 is a valid seed */
    rx_sim_rng_seed(&b, 0);
    for (int i = 0; i < 100; i++) {
        assert_true(rx_sim_rng_next(&a) == rx_sim_rng_next(&b));
    }
    c = a;
    assert_true(rx_sim_rng_normal(&a) == rx_sim_rng_normal(&c));
    assert_true(rx_sim_rng_next(&a) == rx_sim_rng_next(&c));
    rx_sim_rng_seed(&b, 1);
    assert_true(rx_sim_rng_next(&a) != rx_sim_rng_next(&b));
    for (int i = 0; i < 1000; i++) {
        u = rx_sim_rng_uniform(&a);
        assert_true(u >= 0.0 && u < 1.0);
    }
}

static void
test_service_latencies_follow_the_distribution(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(&(rx_sim_service_config){
        .sched = vs,
        .respond = square,
        .latency = {.kind = RX_SIM_NORMAL, .mean_ms = 200, .stddev_ms = 30},
        .seed = 99});
    static struct rec r[1000];
    double sum = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        rec_call(&r[i], vs, svc, 1);
    }
    assert_int_equal(rx_sim_service_get_stats(svc).max_in_flight, 1000);
    rx_virtual_run(vs);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(r[i].completes, 1);
        sum += (double)r[i].t_end;
        rx_dispose(r[i].sub);
    }
    assert_true(fabs(sum / 1000 - 200) < 5);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- failures --------------------------------------------------------- */

static void
test_failure_rate_fails_that_share_of_calls(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.sched = vs,
                                 .respond = square,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = 10},
                                 .failure_rate = 0.25,
                                 .failure_code = EFAIL,
                                 .seed = 5});
    static struct rec r[2000];
    int errors = 0;
    rx_sim_service_stats st;

    (void)state;
    for (int i = 0; i < 2000; i++) {
        rec_call(&r[i], vs, svc, i);
    }
    rx_virtual_run(vs);
    for (int i = 0; i < 2000; i++) {
        assert_int_equal(r[i].completes + r[i].errors, 1);
        if (r[i].errors > 0) {
            assert_int_equal(r[i].code, EFAIL);
            assert_int_equal(r[i].nexts, 0);
            assert_int_equal(r[i].t_end, 10); /* after the latency */
            errors++;
        }
        rx_dispose(r[i].sub);
    }
    assert_true(errors > 420 && errors < 580);
    st = rx_sim_service_get_stats(svc);
    assert_int_equal(st.failed, errors);
    assert_int_equal(st.completed, 2000 - errors);
    assert_int_equal(st.calls, 2000);
    assert_int_equal(st.started, 2000);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_failure_names_the_call_site_and_latency(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.sched = vs,
                                 .respond = square,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = 30},
                                 .failure_rate = 1.0,
                                 .failure_code = EFAIL});
    rx_test_observer *t = rx_test_observer_new(RX_UNBOUNDED);
    rx_observable *o = rx_sim_call(svc, rx_int(1));

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t), 0);
    rx_observable_release(o);
    rx_virtual_run(vs);
    assert_rx_no_items(t);
    assert_rx_error(t, EFAIL);
    assert_non_null(
        strstr(rx_error_message(rx_test_error(t)), "simulated failure"));
    assert_non_null(strstr(rx_error_message(rx_test_error(t)), "30 ms"));
    rx_test_observer_free(t);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_respond_error_fails_the_call(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.sched = vs,
                                 .respond = fail_on_7,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = 1}});
    struct rec a;
    struct rec b;

    (void)state;
    rec_call(&a, vs, svc, 7);
    rec_call(&b, vs, svc, 8);
    rx_virtual_run(vs);
    assert_int_equal(a.errors, 1);
    assert_int_equal(a.code, RX_T_EUSER);
    assert_int_equal(b.value, 8);
    assert_int_equal(b.completes, 1);
    assert_int_equal(rx_sim_service_get_stats(svc).failed, 1);
    rx_dispose(a.sub);
    rx_dispose(b.sub);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- concurrency ---------------------------------------------------- */

static void
test_one_slot_runs_three_calls_one_after_another(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1000, 1);
    struct rec r[3];
    rx_sim_service_stats st;

    (void)state;
    for (int i = 0; i < 3; i++) {
        rec_call(&r[i], vs, svc, i + 1);
    }
    st = rx_sim_service_get_stats(svc);
    assert_int_equal(st.in_flight, 1);
    assert_int_equal(st.waiting, 2);
    rx_virtual_run(vs);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].value, (i + 1) * (i + 1));
        assert_int_equal(r[i].t_end, 1000 * (i + 1));
        rx_dispose(r[i].sub);
    }
    assert_int_equal(rx_scheduler_now(vs), 3000);
    st = rx_sim_service_get_stats(svc);
    assert_int_equal(st.max_in_flight, 1);
    assert_int_equal(st.waiting, 0);
    assert_int_equal(st.completed, 3);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_unlimited_calls_overlap(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1000, 0);
    struct rec r[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        rec_call(&r[i], vs, svc, i + 1);
    }
    rx_virtual_run(vs);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].t_end, 1000);
        rx_dispose(r[i].sub);
    }
    assert_int_equal(rx_scheduler_now(vs), 1000);
    assert_int_equal(rx_sim_service_get_stats(svc).max_in_flight, 3);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_two_slots_take_two_rounds_for_three_calls(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 100, 2);
    struct rec r[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        rec_call(&r[i], vs, svc, i);
    }
    rx_virtual_run(vs);
    assert_int_equal(r[0].t_end, 100);
    assert_int_equal(r[1].t_end, 100);
    assert_int_equal(r[2].t_end, 200);
    assert_int_equal(rx_sim_service_get_stats(svc).max_in_flight, 2);
    for (int i = 0; i < 3; i++) {
        rx_dispose(r[i].sub);
    }
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- cancel --------------------------------------------------------- */

static void
test_cancel_of_a_running_call_frees_its_slot(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1000, 1);
    struct rec r[3];
    rx_sim_service_stats st;

    (void)state;
    for (int i = 0; i < 3; i++) {
        rec_call(&r[i], vs, svc, i + 1);
    }
    rx_virtual_advance_to(vs, 500);
    rx_cancel(r[0].sub); /* the second call starts now */
    rx_virtual_run(vs);
    assert_int_equal(r[0].nexts + r[0].completes + r[0].errors, 0);
    assert_int_equal(r[1].t_end, 1500);
    assert_int_equal(r[2].t_end, 2500);
    st = rx_sim_service_get_stats(svc);
    assert_int_equal(st.cancelled, 1);
    assert_int_equal(st.completed, 2);
    assert_int_equal(st.in_flight, 0);
    for (int i = 0; i < 3; i++) {
        rx_dispose(r[i].sub);
    }
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_cancel_of_a_waiting_call_leaves_the_queue(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1000, 1);
    struct rec r[3];

    (void)state;
    for (int i = 0; i < 3; i++) {
        rec_call(&r[i], vs, svc, i + 1);
    }
    rx_dispose(r[1].sub);
    assert_int_equal(rx_sim_service_get_stats(svc).waiting, 1);
    rx_virtual_run(vs);
    assert_int_equal(r[0].t_end, 1000);
    assert_int_equal(r[2].t_end, 2000);
    assert_int_equal(rx_sim_service_get_stats(svc).cancelled, 1);
    rx_dispose(r[0].sub);
    rx_dispose(r[2].sub);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_cancel_releases_the_timer_and_the_held_response(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = rx_sim_service_new(&(rx_sim_service_config){
        .sched = vs,
        .respond = fail_on_7, /* echoes: a heap request comes back */
        .latency = {.kind = RX_SIM_FIXED, .ms = 50}});
    rx_test_observer *t1 = rx_test_observer_new(RX_UNBOUNDED);
    rx_test_observer *t2 = rx_test_observer_new(0);
    rx_observable *o = rx_sim_call(svc, rx_str("payload"));

    (void)state;
    assert_int_equal(rx_test_subscribe(o, t1), 0);
    assert_int_equal(rx_test_subscribe(o, t2), 0);
    rx_observable_release(o);
    assert_int_equal(rx_virtual_pending(vs), 2);
    rx_test_cancel(t1);
    assert_int_equal(rx_virtual_pending(vs), 1);
    rx_virtual_run(vs); /* t2's response waits for demand */
    rx_test_cancel(t2); /* and is released here */
    assert_rx_no_items(t1);
    assert_rx_no_items(t2);
    assert_int_equal(rx_virtual_pending(vs), 0);
    assert_int_equal(rx_sim_service_get_stats(svc).cancelled, 1);
    rx_test_observer_free(t1);
    rx_test_observer_free(t2);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- bad arguments -------------------------------------------------- */

static rx_sim_service *
new_with(rx_sim_service_config cfg)
{
    return rx_sim_service_new(&cfg);
}

#define assert_svc_fails(expr, what)                                           \
    do {                                                                       \
        assert_null(expr);                                                     \
        assert_int_equal(rx_last_error(), RX_EINVAL);                          \
        assert_non_null(strstr(rx_last_error_message(), (what)));              \
    } while (0)

static void
test_service_rejects_bad_configurations(void **state)
{
    rx_sim_service_config ok = {.respond = square,
                                .latency = {.kind = RX_SIM_FIXED, .ms = 1}};
    rx_sim_service_config c;

    (void)state;
    assert_svc_fails(rx_sim_service_new(NULL), "cfg");
    c = ok;
    c.respond = NULL;
    assert_svc_fails(new_with(c), "respond");
    c = ok;
    c.sched = rx_scheduler_trampoline();
    assert_svc_fails(new_with(c), "sched");
    c.sched = rx_scheduler_immediate();
    assert_svc_fails(new_with(c), "sched");
    c = ok;
    c.latency.ms = -1;
    assert_svc_fails(new_with(c), "ms");
    c.latency = (rx_sim_dist){.kind = RX_SIM_UNIFORM, .min_ms = 5, .max_ms = 4};
    assert_svc_fails(new_with(c), "max_ms");
    c.latency = (rx_sim_dist){.kind = RX_SIM_NORMAL, .mean_ms = NAN};
    assert_svc_fails(new_with(c), "mean_ms");
    c.latency = (rx_sim_dist){.kind = RX_SIM_LOGNORMAL, .median_ms = 0};
    assert_svc_fails(new_with(c), "median_ms");
    c.latency = (rx_sim_dist){.kind = RX_SIM_PARETO, .scale_ms = 1};
    assert_svc_fails(new_with(c), "shape");
    c.latency = (rx_sim_dist){.kind = (rx_sim_dist_kind)42};
    assert_svc_fails(new_with(c), "kind");
    c = ok;
    c.failure_rate = -0.1;
    assert_svc_fails(new_with(c), "failure_rate");
    c.failure_rate = 1.5;
    assert_svc_fails(new_with(c), "failure_rate");
    c.failure_rate = NAN;
    assert_svc_fails(new_with(c), "failure_rate");
    c.failure_rate = 0.5;
    assert_svc_fails(new_with(c), "failure_code");
    c = ok;
    c.max_concurrency = -1;
    assert_svc_fails(new_with(c), "max_concurrency");
    assert_true(isnan(rx_sim_dist_draw(NULL, NULL)));
}

static void
test_call_rejects_bad_arguments(void **state)
{
    (void)state;
    /* the request is taken also on failure: the teardown sees no leak */
    assert_rx_fails(rx_sim_call(NULL, rx_str("req")), RX_EINVAL,
                    "rx_sim_call: svc");
    assert_null(rx_sim_service_retain(NULL));
    rx_sim_service_release(NULL);
    assert_int_equal(rx_sim_service_get_stats(NULL).calls, 0);
}

static void
test_call_of_invalid_request_fails_with_enomem(void **state)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = fixed_service(vs, 1, 0);

    (void)state;
    assert_rx_fails(rx_sim_call(svc, rx_invalid()), RX_ENOMEM, "rx_sim_call");
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

/* ---- allocation failures -------------------------------------------- */

static void
service_oom_scenario(bool failed, void *ctx)
{
    rx_scheduler *vs = rx_scheduler_virtual();
    rx_sim_service *svc = NULL;
    rx_observable *o = NULL;
    rx_test_observer *t = NULL;
    int rc;

    (void)failed;
    (void)ctx;
    if (vs == NULL) {
        goto failed;
    }
    svc = rx_sim_service_new(&(rx_sim_service_config){
        .sched = vs,
        .respond = fail_on_7,
        .latency = {.kind = RX_SIM_UNIFORM, .min_ms = 1, .max_ms = 9},
        .max_concurrency = 1,
        .seed = 3});
    if (svc == NULL) {
        goto failed;
    }
    o = rx_concat(rx_sim_call(svc, rx_str("a")), rx_sim_call(svc, rx_str("b")));
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
    assert_int_equal(rx_test_count(t), 2);
    assert_string_equal(rx_str_cstr(rx_test_value(t, 1)), "b");
    assert_rx_completed(t);
    goto done;
failed:
    assert_true(rx_fault_triggered());
done:
    rx_test_observer_free(t);
    rx_observable_release(o);
    rx_sim_service_release(svc);
    rx_scheduler_release(vs);
}

static void
test_service_survives_allocation_failures(void **state)
{
    (void)state;
    assert_true(rx_oom_sweep(service_oom_scenario, NULL) > 1);
}

/* ---- real time ------------------------------------------------------ */

struct real_rec {
    int64_t sum;
    int completes;
};

static void
real_next(rx_value v, void *ctx)
{
    ((struct real_rec *)ctx)->sum += rx_as_int(v);
}

static void
real_complete(void *ctx)
{
    ((struct real_rec *)ctx)->completes++;
}

/* The default loop scheduler, 1 ms latencies: only values are checked. */
static void
test_calls_run_in_real_time_on_the_default_loop(void **state)
{
    uv_loop_t *loop = uv_default_loop();
    rx_sim_service *svc = rx_sim_service_new(
        &(rx_sim_service_config){.respond = square,
                                 .latency = {.kind = RX_SIM_FIXED, .ms = 1},
                                 .max_concurrency = 2});
    struct real_rec r = {0};
    rx_observer obs = {
        .on_next = real_next, .on_complete = real_complete, .ctx = &r};
    rx_subscription *subs[3];

    (void)state;
    assert_non_null(svc);
    for (int i = 0; i < 3; i++) {
        rx_observable *o = rx_sim_call(svc, rx_int(i + 1));
        assert_int_equal(rx_subscribe(o, &obs, &subs[i]), 0);
        rx_observable_release(o);
    }
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(r.sum, 1 + 4 + 9);
    assert_int_equal(r.completes, 3);
    assert_int_equal(rx_sim_service_get_stats(svc).max_in_flight, 2);
    for (int i = 0; i < 3; i++) {
        rx_dispose(subs[i]);
    }
    rx_sim_service_release(svc);
    rx_shutdown();
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        rx_unit_test(test_call_emits_the_response_after_the_latency),
        rx_unit_test(test_call_response_waits_for_demand),
        rx_unit_test(test_call_is_cold_each_subscription_is_a_call),
        rx_unit_test(test_same_seed_reproduces_latencies_and_failures),
        rx_unit_test(test_draws_follow_call_order_whatever_the_concurrency),
        rx_unit_test(test_distributions_match_their_parameters),
        rx_unit_test(test_generator_is_deterministic_and_copyable),
        rx_unit_test(test_service_latencies_follow_the_distribution),
        rx_unit_test(test_failure_rate_fails_that_share_of_calls),
        rx_unit_test(test_failure_names_the_call_site_and_latency),
        rx_unit_test(test_respond_error_fails_the_call),
        rx_unit_test(test_one_slot_runs_three_calls_one_after_another),
        rx_unit_test(test_unlimited_calls_overlap),
        rx_unit_test(test_two_slots_take_two_rounds_for_three_calls),
        rx_unit_test(test_cancel_of_a_running_call_frees_its_slot),
        rx_unit_test(test_cancel_of_a_waiting_call_leaves_the_queue),
        rx_unit_test(test_cancel_releases_the_timer_and_the_held_response),
        rx_unit_test(test_service_rejects_bad_configurations),
        rx_unit_test(test_call_rejects_bad_arguments),
        rx_unit_test(test_call_of_invalid_request_fails_with_enomem),
        rx_unit_test(test_service_survives_allocation_failures),
        rx_unit_test(test_calls_run_in_real_time_on_the_default_loop),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
