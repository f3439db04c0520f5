/* SPDX-License-Identifier: MIT */
/*
 * Helpers every time source and operator uses: argument checks for the
 * constructors, and resolving and checking the scheduler of a
 * subscription (time-internal.h).
 */
#include "time-internal.h"

bool
rx__time_args_ok(const char *fn, const char *what, int64_t ms, int64_t min,
                 const rx_scheduler *sched)
{
    if (ms < min) {
        rx__set_last_error(RX_EINVAL, "%s: %s must be %s", fn, what,
                           min > 0 ? "greater than 0" : ">= 0");
        return false;
    }
    if (sched != NULL && !rx__sched_timed(sched)) {
        rx__set_last_error(RX_EINVAL,
                           "%s: sched must have timers (not the trampoline "
                           "or immediate scheduler)",
                           fn);
        return false;
    }
    return true;
}

rx_scheduler *
rx__time_sched_resolve(rx_scheduler *sched)
{
    /* rx__sched_resolve() sets the last error when it fails. */
    return rx__sched_resolve(sched);
}

rx_scheduler *
rx__time_sched_start(rx__stage *stage, rx_scheduler *sched, rx_error **err)
{
    const rx_site *site = rx__stage_site(stage);
    *err = NULL;
    /* A pool counts as current on any of its workers, and then schedules
     * on that worker: no pick, which would choose round-robin. */
    if (!rx__sched_is_current(sched)) {
        /* Timers would fire on another thread while the rest of the
         * pipeline runs here; hops are rx_observe_on's job. */
        *err = rx__error_at(site, RX_EINVAL,
                            "%s: the scheduler runs its work on another "
                            "thread; use a scheduler of the subscribing "
                            "thread, then rx_observe_on()",
                            site->name);
        return NULL;
    }
    rx__pipeline_bind(stage->pipe, sched);
    return sched;
}

rx_error *
rx__time_oom(const rx__stage *stage)
{
    const rx_site *site = rx__stage_site(stage);

    return rx__error_at(site, RX_ENOMEM, "%s: out of memory", site->name);
}

/* ---- group outbox ------------------------------------------------------ */

void
rx__gbox_init(rx__gbox *o, rx__stage *stage, int64_t refill)
{
    memset(o, 0, sizeof *o);
    o->stage = stage;
    o->refill = refill;
}

static int64_t
mul_sat(int64_t a, int64_t b)
{
    if (a != 0 && b > RX_UNBOUNDED / a) {
        return RX_UNBOUNDED;
    }
    return a * b;
}

/* One pass: emit queued groups while there is demand, ask the upstream
 * to replace the ones dropped downstream, then complete once empty. */
static bool
gbox_pass(void *self)
{
    rx__gbox *o = self;
    int64_t emitted = 0;
    int64_t dropped = 0;
    int64_t r = o->d.requested;

    while (emitted < r && o->q.len > 0 && !o->d.cancelled) {
        rx_value v = rx__vqueue_pop(&o->q);

        if (rx__emit_next(o->stage, v)) {
            emitted++;
        } else {
            dropped++;
        }
        rx_value_release(v);
    }
    o->d.requested = rx__demand_sub(o->d.requested, emitted);
    if (o->d.cancelled) {
        return false;
    }
    if (dropped > 0 && o->refill > 0 && !o->complete_pending) {
        rx__request_up(o->stage, mul_sat(dropped, o->refill));
    }
    if (o->d.cancelled) {
        return false;
    }
    if (o->q.len == 0 && o->complete_pending) {
        o->d.cancelled = true; /* terminated: nothing may follow */
        rx__emit_complete(o->stage);
        return false;
    }
    return o->q.len > 0 && o->d.requested > 0;
}

static void
gbox_drain(rx__gbox *o)
{
    if (o->d.started) {
        rx__drain(&o->d, gbox_pass, o);
    }
}

bool
rx__gbox_push(rx__gbox *o, rx_value v)
{
    if (o->d.cancelled) {
        rx_value_release(v);
        return false;
    }
    if (rx_is_invalid(v) || rx__vqueue_push(&o->q, v) < 0) {
        rx_error *err = rx__time_oom(o->stage);

        rx__cancel_up(o->stage);
        rx__gbox_error(o, err);
        rx_error_release(err);
        return false;
    }
    gbox_drain(o);
    return !o->d.cancelled;
}

void
rx__gbox_complete(rx__gbox *o)
{
    if (o->d.cancelled) {
        return;
    }
    o->complete_pending = true;
    gbox_drain(o);
}

void
rx__gbox_error(rx__gbox *o, const rx_error *err)
{
    if (o->d.cancelled) {
        rx__undeliverable(err);
        return;
    }
    o->d.cancelled = true;
    rx__gbox_cancel(o);
    rx__emit_error(o->stage, err);
}

void
rx__gbox_request(rx__gbox *o, int64_t n)
{
    if (rx__demand_request(&o->d, n)) {
        gbox_drain(o);
    }
}

void
rx__gbox_cancel(rx__gbox *o)
{
    o->d.cancelled = true;
    while (o->q.len > 0) {
        rx__discard(o->stage, rx__vqueue_pop(&o->q));
    }
    rx__vqueue_clear(&o->q);
}

void
rx__gbox_start(rx__gbox *o)
{
    o->d.started = true;
    gbox_drain(o);
}

int64_t
rx__groups_upstream(int64_t n, int64_t count, int64_t skip, bool first)
{
    int64_t u;

    if (n == RX_UNBOUNDED) {
        return RX_UNBOUNDED;
    }
    if (!first || skip == count) {
        return mul_sat(n, skip);
    }
    if (skip > count) {
        /* n groups and the n - 1 gaps between them */
        u = mul_sat(n - 1, skip - count);
        return rx__demand_add(mul_sat(n, count), u);
    }
    /* overlapping: the first group, then one start every skip items */
    return rx__demand_add(count, mul_sat(n - 1, skip));
}
