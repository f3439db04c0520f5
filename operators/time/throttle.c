/* SPDX-License-Identifier: MIT */
/*
 * The rate limiters: debounce, throttle_first, throttle_last (sample) and
 * audit.
 *
 * All four ask their upstream for everything and emit on their own
 * schedule, so none can slow down: an item they must emit while the
 * subscriber has no outstanding demand fails the stream with
 * RX_EBACKPRESSURE (as RxJava's do with MissingBackpressureException).
 * They share one stage: the latest item waiting (owned), one task, and
 * the demand count; a mode says how items, task runs and the completion
 * are handled.
 *
 * - debounce: each item replaces the waiting one and reschedules the task
 *   timeout_ms later; a run emits it. At completion the waiting item goes
 *   out first (RxJava), at an error it is dropped.
 * - throttle_first: no task. It reads the clock: an item at least
 *   window_ms after the last emitted one is emitted, others are dropped.
 *   Comparing times rather than running a gate timer gives the same
 *   windows without a task, and makes an item exactly at the window's
 *   end deterministic (it opens the next window).
 * - throttle_last: a periodic task from the start; each run emits the
 *   item waiting, if any. At completion the waiting item is dropped
 *   (RxJava's sample with emitLast false).
 * - audit: an item arriving while no window runs schedules the task
 *   window_ms later; the run emits the latest item. A completion during a
 *   window waits for its end and emits the item first (RxJS 7 auditTime).
 *
 * Dropped and replaced items go through the discard path.
 */
#include <stddef.h>

#include "time-internal.h"

enum rate_mode {
    RATE_DEBOUNCE,
    RATE_THROTTLE_FIRST,
    RATE_THROTTLE_LAST,
    RATE_AUDIT,
};

struct rate_obs {
    rx_observable base;
    rx_scheduler *sched; /* retained; NULL for the default */
    int64_t ms;          /* timeout, window or period */
    enum rate_mode mode;
};

struct rate_stage {
    rx__stage base;
    rx__task task;
    rx_scheduler *sched;   /* resolved at assembly; borrowed */
    enum rate_mode mode;   /* copied from the observable */
    int64_t ms;            /* copied from the observable */
    int64_t requested;     /* outstanding downstream demand */
    rx_value latest;       /* the item waiting, owned when has_latest */
    bool has_latest;       /* an item waits */
    bool task_pending;     /* audit: a window runs */
    bool complete_pending; /* audit: completed during a window */
    bool has_last;         /* throttle_first: an item was emitted */
    uint64_t last;         /* throttle_first: when */
    bool done;             /* a terminal signal went down, or cancelled */
};

static struct rate_stage *
from_task(rx__task *t)
{
    return (struct rate_stage *)(void *)((char *)t -
                                         offsetof(struct rate_stage, task));
}

static void
rate_drop_latest(struct rate_stage *st)
{
    if (st->has_latest) {
        st->has_latest = false;
        rx__discard(&st->base, st->latest);
        st->latest = rx_nil();
    }
}

/* Stops everything (the upstream too when `cancel_up`) and signals `err`
 * (taken). */
static void
rate_fail(struct rate_stage *st, rx_error *err, bool cancel_up)
{
    st->done = true;
    rx__unschedule(&st->task);
    rate_drop_latest(st);
    if (cancel_up) {
        rx__cancel_up(&st->base);
    }
    rx__emit_new_error(&st->base, err);
}

/* Emits `v` (borrowed) if there is demand, else fails with
 * RX_EBACKPRESSURE. Returns false when the stream ended. */
static bool
rate_emit(struct rate_stage *st, rx_value v)
{
    if (st->requested == 0) {
        rate_fail(st, rx__time_backpressure(&st->base), true);
        return false;
    }
    if (rx__emit_next(&st->base, v)) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    return !st->done;
}

/* Emits the waiting item, if any. Returns false when the stream ended. */
static bool
rate_emit_latest(struct rate_stage *st)
{
    rx_value v;
    bool alive;

    if (!st->has_latest) {
        return !st->done;
    }
    v = st->latest;
    st->has_latest = false;
    st->latest = rx_nil();
    alive = rate_emit(st, v);
    rx_value_release(v);
    return alive;
}

static void
rate_schedule(struct rate_stage *st, int64_t ms)
{
    if (rx__schedule(st->sched, &st->task, ms) < 0) {
        rate_fail(st, rx__time_oom(&st->base), true);
    }
}

static void
rate_run(rx__task *t)
{
    struct rate_stage *st = from_task(t);

    if (st->done) {
        return;
    }
    st->task_pending = false;
    if (!rate_emit_latest(st)) {
        return;
    }
    if (st->complete_pending) {
        st->done = true;
        rx__emit_complete(&st->base);
    }
}

static bool
rate_on_next(rx__stage *self, rx_value v)
{
    struct rate_stage *st = (struct rate_stage *)self;
    uint64_t now;

    if (st->done) {
        return true;
    }
    if (st->mode == RATE_THROTTLE_FIRST) {
        now = rx_scheduler_now(st->sched);
        if (st->has_last && now - st->last < (uint64_t)st->ms) {
            rx__discard(self, rx_value_retain(v));
            return true;
        }
        st->has_last = true;
        st->last = now;
        rate_emit(st, v);
        return true;
    }
    rate_drop_latest(st);
    st->latest = rx_value_retain(v);
    st->has_latest = true;
    if (st->mode == RATE_DEBOUNCE) {
        rate_schedule(st, st->ms); /* restarts the wait */
    } else if (st->mode == RATE_AUDIT && !st->task_pending) {
        st->task_pending = true;
        rate_schedule(st, st->ms);
    }
    return true;
}

static void
rate_on_error(rx__stage *self, const rx_error *err)
{
    struct rate_stage *st = (struct rate_stage *)self;

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    rate_fail(st, rx_error_retain(err), false);
}

static void
rate_on_complete(rx__stage *self)
{
    struct rate_stage *st = (struct rate_stage *)self;

    if (st->done) {
        return;
    }
    if (st->mode == RATE_AUDIT && st->task_pending) {
        st->complete_pending = true; /* the window's end completes */
        return;
    }
    rx__unschedule(&st->task);
    if (st->mode == RATE_DEBOUNCE && !rate_emit_latest(st)) {
        return;
    }
    rate_drop_latest(st);
    st->done = true;
    rx__emit_complete(self);
}

static void
rate_request(rx__stage *self, int64_t n)
{
    struct rate_stage *st = (struct rate_stage *)self;

    st->requested = rx__demand_add(st->requested, n);
}

static void
rate_cancel(rx__stage *self)
{
    struct rate_stage *st = (struct rate_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    rate_drop_latest(st);
    rx__cancel_up(self);
}

static void
rate_start(rx__stage *self)
{
    struct rate_stage *st = (struct rate_stage *)self;
    rx_error *err;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        rate_fail(st, err, true);
        return;
    }
    if (st->mode == RATE_THROTTLE_LAST &&
        rx__schedule_periodic(st->sched, &st->task, st->ms, st->ms) < 0) {
        rate_fail(st, rx__time_oom(self), true);
        return;
    }
    rx__request_up(self, RX_UNBOUNDED);
    rx__stage_start(self->up);
}

static void
rate_teardown(rx__stage *self)
{
    struct rate_stage *st = (struct rate_stage *)self;

    rx__unschedule(&st->task);
    rate_drop_latest(st);
}

static const struct rx__stage_ops rate_stage_ops = {
    .on_next = rate_on_next,
    .on_error = rate_on_error,
    .on_complete = rate_on_complete,
    .request = rate_request,
    .cancel = rate_cancel,
    .start = rate_start,
    .teardown = rate_teardown,
};

static int
rate_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
              rx__stage **out)
{
    const struct rate_obs *o = (const struct rate_obs *)self;
    struct rate_stage *st;

    st = rx__stage_new(pipe, &rate_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, rate_run);
    st->mode = o->mode;
    st->ms = o->ms;
    st->latest = rx_nil();
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
rate_destroy(rx_observable *self)
{
    rx_scheduler_release(((struct rate_obs *)self)->sched);
}

static const struct rx__obs_ops rate_ops = {
    .assemble = rate_assemble,
    .destroy = rate_destroy,
};

static rx_observable *
rate_new(const rx_site *site, const char *fn, const char *what,
         rx_observable *src, int64_t ms, int64_t min, rx_scheduler *sched,
         enum rate_mode mode)
{
    struct rate_obs *o;

    if (src == NULL) {
        return NULL;
    }
    if (!rx__time_args_ok(fn, what, ms, min, sched)) {
        rx_observable_release(src);
        return NULL;
    }
    o = rx__observable_new(site, &rate_ops, sizeof *o, src);
    if (o == NULL) {
        return NULL;
    }
    o->sched = rx_scheduler_retain(sched);
    o->ms = ms;
    o->mode = mode;
    return &o->base;
}

rx_observable *
rx_debounce_at(const rx_site *site, rx_observable *src, int64_t timeout_ms,
               rx_scheduler *sched)
{
    return rate_new(site, "rx_debounce", "timeout_ms", src, timeout_ms, 0,
                    sched, RATE_DEBOUNCE);
}

rx_observable *
rx_throttle_first_at(const rx_site *site, rx_observable *src, int64_t window_ms,
                     rx_scheduler *sched)
{
    return rate_new(site, "rx_throttle_first", "window_ms", src, window_ms, 0,
                    sched, RATE_THROTTLE_FIRST);
}

rx_observable *
rx_throttle_last_at(const rx_site *site, rx_observable *src, int64_t period_ms,
                    rx_scheduler *sched)
{
    return rate_new(site, "rx_throttle_last", "period_ms", src, period_ms, 1,
                    sched, RATE_THROTTLE_LAST);
}

rx_observable *
rx_audit_at(const rx_site *site, rx_observable *src, int64_t window_ms,
            rx_scheduler *sched)
{
    return rate_new(site, "rx_audit", "window_ms", src, window_ms, 0, sched,
                    RATE_AUDIT);
}
