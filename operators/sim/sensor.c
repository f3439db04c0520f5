/* SPDX-License-Identifier: MIT */
/*
 * The simulated sensor: readings at Poisson arrival times.
 *
 * Each subscription owns a generator seeded from the configuration and a
 * scheduler task. Arrival times are kept as an exact offset from the
 * subscription's start (the sum of exponential gaps, a double) and only
 * the due time of the next arrival is rounded to a millisecond, so
 * rounding never accumulates. Per arrival the stage draws, in order: the
 * reading (base + noise * N(0, 1), or the user's read function), then the
 * next gap. A sensor cannot slow down: an arrival that finds no demand
 * fails the stream with RX_EBACKPRESSURE (protocol rule 7).
 */
#include <math.h>

#include "rx-sched.h"

struct sensor_obs {
    rx_observable base;
    rx_sim_sensor_config cfg; /* cfg.sched retained when not NULL */
};

struct sensor_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly, retained */
    rx_sim_rng rng;
    uint64_t start;    /* the scheduler's clock at subscribe */
    double offset_ms;  /* exact time of the next arrival after start */
    int64_t index;     /* readings emitted so far */
    int64_t requested; /* outstanding downstream demand */
    bool done;         /* cancelled or terminated */
};

/* Draws the gap to the next arrival and schedules it. Returns 0 or the
 * code of rx__schedule(). */
static int
sensor_schedule_next(struct sensor_stage *st)
{
    const struct sensor_obs *o = (const struct sensor_obs *)st->base.obs;
    double u = rx_sim_rng_uniform(&st->rng);
    uint64_t now = rx_scheduler_now(st->sched);
    double due;
    uint64_t due_ms;

    /* Exponential gap by inverse transform; 1 - u lies in (0, 1]. */
    st->offset_ms += -log(1.0 - u) * o->cfg.mean_interval_ms;
    due = (double)st->start + st->offset_ms;
    due_ms = due >= 1.8e19 ? UINT64_MAX : (uint64_t)llround(due);
    return rx__schedule(st->sched, &st->task,
                        due_ms > now ? (int64_t)(due_ms - now) : 0);
}

/* Ends the stream with `err` (taken). */
static void
sensor_fail(struct sensor_stage *st, rx_error *err)
{
    st->done = true;
    rx__emit_new_error(&st->base, err);
}

static void
sensor_fire(rx__task *t)
{
    struct sensor_stage *st =
        (struct sensor_stage *)(void *)((char *)t -
                                        offsetof(struct sensor_stage, task));
    const struct sensor_obs *o = (const struct sensor_obs *)st->base.obs;
    double reading;
    int rc;

    if (st->done) {
        return;
    }
    if (o->cfg.fail_after > 0 && st->index >= o->cfg.fail_after) {
        sensor_fail(st,
                    rx__error_at(rx__stage_site(&st->base), o->cfg.failure_code,
                                 "rx_sim_sensor: simulated failure "
                                 "after %lld readings",
                                 (long long)st->index));
        return;
    }
    if (o->cfg.read != NULL) {
        reading = o->cfg.read(st->index, &st->rng, o->cfg.ctx);
    } else {
        reading = o->cfg.base + o->cfg.noise * rx_sim_rng_normal(&st->rng);
    }
    if (st->requested == 0) {
        sensor_fail(st, rx__backpressure_error(rx__stage_site(&st->base)));
        return;
    }
    st->index++;
    if (rx__emit_next(&st->base, rx_double(reading))) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    if (st->done) {
        return; /* cancelled inside on_next */
    }
    rc = sensor_schedule_next(st);
    if (rc != 0) {
        sensor_fail(st, rx__error_at(rx__stage_site(&st->base), rc,
                                     "rx_sim_sensor: cannot schedule the "
                                     "next reading: %s",
                                     rx_strerror(rc)));
    }
}

static void
sensor_request(rx__stage *self, int64_t n)
{
    struct sensor_stage *st = (struct sensor_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

static void
sensor_cancel(rx__stage *self)
{
    struct sensor_stage *st = (struct sensor_stage *)self;

    st->done = true;
    rx__unschedule(&st->task);
}

static void
sensor_start(rx__stage *self)
{
    struct sensor_stage *st = (struct sensor_stage *)self;
    int rc;

    if (st->done) {
        return;
    }
    st->start = rx_scheduler_now(st->sched);
    rc = sensor_schedule_next(st);
    if (rc != 0) {
        sensor_fail(st, rx__error_at(rx__stage_site(self), rc,
                                     "rx_sim_sensor: cannot schedule the "
                                     "first reading: %s",
                                     rx_strerror(rc)));
    }
}

static void
sensor_teardown(rx__stage *self)
{
    struct sensor_stage *st = (struct sensor_stage *)self;

    if (st->sched != NULL) {
        rx__unschedule(&st->task);
        rx_scheduler_release(st->sched);
        st->sched = NULL;
    }
}

static const struct rx__stage_ops sensor_stage_ops = {
    .request = sensor_request,
    .cancel = sensor_cancel,
    .start = sensor_start,
    .teardown = sensor_teardown,
};

static int
sensor_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                rx__stage **out)
{
    const struct sensor_obs *o = (const struct sensor_obs *)self;
    struct sensor_stage *st;
    rx_scheduler *s = rx__sched_resolve(o->cfg.sched);

    if (s == NULL) {
        return rx_last_error();
    }
    if (!rx__sched_is_current(s)) {
        return rx__fail(RX_EINVAL, "rx_sim_sensor: subscribe on the thread "
                                   "of the sensor's scheduler");
    }
    st = rx__stage_new(pipe, &sensor_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    st->sched = rx_scheduler_retain(s);
    rx_sim_rng_seed(&st->rng, o->cfg.seed);
    rx__task_init(&st->task, pipe, sensor_fire);
    rx__pipeline_bind(pipe, s);
    *out = &st->base;
    return 0;
}

static void
sensor_destroy(rx_observable *self)
{
    struct sensor_obs *o = (struct sensor_obs *)self;

    rx_scheduler_release(o->cfg.sched);
}

static const struct rx__obs_ops sensor_ops = {
    .assemble = sensor_assemble,
    .destroy = sensor_destroy,
};

rx_observable *
rx_sim_sensor_at(const rx_site *site, const rx_sim_sensor_config *cfg)
{
    struct sensor_obs *o;

    if (cfg == NULL) {
        return rx__fail_null(RX_EINVAL, "rx_sim_sensor: cfg must not be NULL");
    }
    /* A pool is the one kind whose pick is not itself. */
    if (cfg->sched != NULL && (!rx__sched_timed(cfg->sched) ||
                               rx__sched_pick(cfg->sched) != cfg->sched)) {
        return rx__fail_null(RX_EINVAL, "rx_sim_sensor: sched must be a "
                                        "loop or virtual scheduler");
    }
    if (!(isfinite(cfg->mean_interval_ms) && cfg->mean_interval_ms > 0.0)) {
        return rx__fail_null(RX_EINVAL, "rx_sim_sensor: mean_interval_ms "
                                        "must be finite and > 0");
    }
    if (!(isfinite(cfg->noise) && cfg->noise >= 0.0) || !isfinite(cfg->base)) {
        return rx__fail_null(RX_EINVAL, "rx_sim_sensor: base must be finite "
                                        "and noise finite and >= 0");
    }
    if (cfg->fail_after < 0) {
        return rx__fail_null(RX_EINVAL,
                             "rx_sim_sensor: fail_after must be >= 0");
    }
    if (cfg->fail_after > 0 && cfg->failure_code >= 0) {
        return rx__fail_null(RX_EINVAL, "rx_sim_sensor: failure_code must be "
                                        "negative when fail_after > 0");
    }
    o = rx__observable_new(site, &sensor_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->cfg = *cfg;
    rx_scheduler_retain(o->cfg.sched);
    return &o->base;
}
