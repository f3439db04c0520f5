/* SPDX-License-Identifier: MIT */
/*
 * Stall clocks (higher-internal.h): fire when, while armed, a threshold
 * of scheduler time passes without progress. group_by uses one to fail
 * instead of hanging when its consumer stops taking groups.
 *
 * The scheduler is resolved when the clock is first armed, so a stage
 * that never stalls never creates the default scheduler. Progress only
 * records the time; when the task falls due it compares, and either
 * fires or sleeps for what is left of the threshold.
 */
#include <stddef.h>

#include "higher-internal.h"
#include "rx-sched.h"

static void
stall_run(rx__task *t)
{
    rx__stall *c = (rx__stall *)(void *)((char *)t - offsetof(rx__stall, task));
    uint64_t idle;

    if (!c->on) {
        return;
    }
    c->on = false;
    idle = rx_scheduler_now(c->sched) - c->last;
    if (idle >= (uint64_t)c->ms) {
        c->fire(c, NULL);
        return;
    }
    if (rx__schedule(c->sched, &c->task, c->ms - (int64_t)idle) < 0) {
        c->fire(c, rx__higher_oom(c->stage));
        return;
    }
    c->on = true;
}

void
rx__stall_init(rx__stall *c, rx__stage *stage, rx_scheduler *given, int64_t ms,
               rx__stall_fn fire)
{
    memset(c, 0, sizeof *c);
    rx__task_init(&c->task, stage->pipe, stall_run);
    c->stage = stage;
    c->given = given;
    c->ms = ms;
    c->fire = fire;
}

/* Resolves the scheduler on first use; false with `fire` called. */
static bool
stall_sched(rx__stall *c)
{
    const rx_site *site = rx__stage_site(c->stage);
    rx_scheduler *s;

    if (c->sched != NULL) {
        return true;
    }
    s = rx__sched_resolve(c->given);
    if (s == NULL) {
        c->fire(c, rx__higher_oom(c->stage));
        return false;
    }
    if (!rx__sched_is_current(s)) {
        c->fire(c, rx__error_at(site, RX_EINVAL,
                                "%s: the stall clock's scheduler runs on "
                                "another thread; give a scheduler of the "
                                "subscribing thread",
                                site->name));
        return false;
    }
    rx__pipeline_bind(c->stage->pipe, s);
    c->sched = s;
    return true;
}

void
rx__stall_arm(rx__stall *c)
{
    if (c->on || c->ms == RX_UNBOUNDED || !stall_sched(c)) {
        return;
    }
    c->last = rx_scheduler_now(c->sched);
    if (rx__schedule(c->sched, &c->task, c->ms) < 0) {
        c->fire(c, rx__higher_oom(c->stage));
        return;
    }
    c->on = true;
}

void
rx__stall_stop(rx__stall *c)
{
    if (c->on) {
        c->on = false;
        rx__unschedule(&c->task);
    }
}
