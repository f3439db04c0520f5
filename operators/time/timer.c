/* SPDX-License-Identifier: MIT */
/*
 * timer and interval: sources driven by one scheduler task.
 *
 * The stage embeds its task, so a running timer costs no allocation
 * beyond the stage. timer schedules the task once and emits 0 then
 * completes; interval schedules it periodically (drift-free, the
 * scheduler computes due_k = start + k * period) and emits a counter.
 * Neither can slow down: a run that finds no outstanding demand fails the
 * stream with RX_EBACKPRESSURE (protocol rule 7), as RxJava's timer and
 * interval do. Cancel and teardown unschedule the task.
 *
 * A one-shot timer can also run without a stage: a receiver that always
 * has demand for it (merge's inner receiver) embeds the task itself and
 * arms it with rx__timer_arm(), which saves the stage (W6, docs/perf.md).
 */
#include <stddef.h>

#include "time-internal.h"

struct timer_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default */
    int64_t ms;          /* timer: the delay; interval: the period */
    bool periodic;
};

struct timer_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    int64_t requested;   /* outstanding demand */
    int64_t count;       /* the next value an interval emits */
    bool done;           /* a terminal signal went down, or cancelled */
    bool cancelled;      /* downstream cancelled */
};

static struct timer_stage *
from_task(rx__task *t)
{
    return (struct timer_stage *)(void *)((char *)t -
                                          offsetof(struct timer_stage, task));
}

/* Fails the stream: the task is stopped, then the error goes down. */
static void
timer_fail(struct timer_stage *st, rx_error *err)
{
    st->done = true;
    rx__unschedule(&st->task);
    rx__emit_new_error(&st->base, err);
}

static void
timer_run(rx__task *t)
{
    struct timer_stage *st = from_task(t);

    if (st->done) {
        return;
    }
    if (st->requested == 0) {
        timer_fail(st, rx__time_backpressure(&st->base));
        return;
    }
    st->done = true;
    rx__emit_next(&st->base, rx_int(0));
    if (!st->cancelled) {
        rx__emit_complete(&st->base);
    }
}

static void
interval_run(rx__task *t)
{
    struct timer_stage *st = from_task(t);

    if (st->done) {
        return;
    }
    if (st->requested == 0) {
        timer_fail(st, rx__time_backpressure(&st->base));
        return;
    }
    if (rx__emit_next(&st->base, rx_int(st->count))) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    st->count++;
}

static void
timer_request(rx__stage *self, int64_t n)
{
    struct timer_stage *st = (struct timer_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

static void
timer_cancel(rx__stage *self)
{
    struct timer_stage *st = (struct timer_stage *)self;

    st->cancelled = true;
    st->done = true;
    rx__unschedule(&st->task);
}

/* Checks the scheduler `sched` (resolved) for `stage`, whose observable
 * is a timer, and schedules `task` on it. NULL, or the error to signal. */
static rx_error *
timer_schedule(rx__stage *stage, rx_scheduler *sched, rx__task *task)
{
    const struct timer_obs *o = (const struct timer_obs *)stage->obs;
    rx_error *err;
    int rc;

    sched = rx__time_sched_start(stage, sched, &err);
    if (sched == NULL) {
        return err;
    }
    rc = o->periodic ? rx__schedule_periodic(sched, task, o->ms, o->ms)
                     : rx__schedule(sched, task, o->ms);
    if (rc < 0) {
        return rx__error_at(rx__stage_site(stage), rc,
                            "%s: cannot schedule the timer",
                            rx__stage_site(stage)->name);
    }
    return NULL;
}

static void
timer_start(rx__stage *self)
{
    struct timer_stage *st = (struct timer_stage *)self;
    rx_error *err;

    if (st->done) {
        return;
    }
    err = timer_schedule(self, st->sched, &st->task);
    if (err != NULL) {
        timer_fail(st, err);
    }
}

static void
timer_teardown(rx__stage *self)
{
    struct timer_stage *st = (struct timer_stage *)self;

    rx__unschedule(&st->task);
}

static const struct rx__stage_ops timer_stage_ops = {
    .request = timer_request,
    .cancel = timer_cancel,
    .start = timer_start,
    .teardown = timer_teardown,
};

static int
timer_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
               rx__stage **out)
{
    const struct timer_obs *o = (const struct timer_obs *)self;
    struct timer_stage *st;

    st = rx__stage_new(pipe, &timer_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, o->periodic ? interval_run : timer_run);
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    return st->sched != NULL ? 0 : RX_ENOMEM;
}

static void
timer_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct timer_obs *)self)->sched);
}

static const struct rx__obs_ops timer_ops = {
    .assemble = timer_assemble,
    .destroy = timer_destroy,
};

/* ---- a timer run by its receiver (rx-sched.h) ----------------------- */

bool
rx__timer_is_oneshot(const rx_observable *src)
{
    return src->ops == &timer_ops && !((const struct timer_obs *)src)->periodic;
}

int
rx__timer_arm(rx__stage *stage, rx__task *task, rx_error **err)
{
    const struct timer_obs *o = (const struct timer_obs *)stage->obs;
    rx_scheduler *sched = rx__time_sched_resolve(o->sched);

    *err = NULL;
    if (sched == NULL) {
        return RX_ENOMEM; /* what assembling a timer stage reports */
    }
    *err = timer_schedule(stage, sched, task);
    return 0;
}

static rx_observable *
timer_new(const rx_site *site, int64_t ms, rx_scheduler *sched, bool periodic)
{
    struct timer_obs *o;

    o = rx__observable_new(site, &timer_ops, sizeof *o, NULL);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->ms = ms;
    o->periodic = periodic;
    return &o->base;
}

rx_observable *
rx_timer_at(const rx_site *site, int64_t delay_ms, rx_scheduler *sched)
{
    if (!rx__time_args_ok("rx_timer", "delay_ms", delay_ms, 0, sched)) {
        return NULL;
    }
    return timer_new(site, delay_ms, sched, false);
}

rx_observable *
rx_interval_at(const rx_site *site, int64_t period_ms, rx_scheduler *sched)
{
    if (!rx__time_args_ok("rx_interval", "period_ms", period_ms, 1, sched)) {
        return NULL;
    }
    return timer_new(site, period_ms, sched, true);
}
