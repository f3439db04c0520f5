/* SPDX-License-Identifier: MIT */
/*
 * timeout_opts: fail, or switch to a fallback, when an item is late.
 *
 * One task holds the current deadline: first_ms from the start until the
 * first item, then each_ms after every item (the completion must also
 * come within it). An item moves the deadline; a deadline that passes
 * cancels the source and either fails the stream with RX_ETIMEDOUT or
 * switches to the fallback.
 *
 * The fallback is assembled when the switch happens, as an inner chain
 * below a receiver stage embedded in the timeout stage (the same shape
 * as concat's inner chains): the receiver forwards its signals
 * downstream, and the timeout stage's `up` then points at the fallback,
 * so later requests and the cancel reach it. The cancelled source chain
 * is retired: freed when the outermost frame exits, since the switch may
 * happen while it is on the stack. The fallback inherits the demand
 * still outstanding, which the stage counts for that purpose.
 */
#include <inttypes.h>
#include <stddef.h>

#include "time-internal.h"

struct timeout_obs {
    rx_observable base;
    rx_scheduler *sched;     /* retained; NULL for the default */
    int64_t first_ms;        /* 0: no deadline for the first item */
    int64_t each_ms;         /* 0: no deadline after an item */
    rx_observable *fallback; /* owned; NULL to fail instead */
};

struct timeout_stage {
    rx__stage base; /* base.up: the source, then the fallback */
    rx__stage recv; /* where the fallback signals; not on the list */
    rx__task task;
    rx_scheduler *sched; /* resolved at assembly; borrowed */
    int64_t requested;   /* outstanding downstream demand */
    bool got_item;       /* the source emitted an item */
    bool switched;       /* the fallback took over */
    bool done;           /* a terminal signal went down, or cancelled */
};

static struct timeout_stage *
from_task(rx__task *t)
{
    return (
        struct timeout_stage *)(void *)((char *)t -
                                        offsetof(struct timeout_stage, task));
}

static struct timeout_stage *
from_recv(rx__stage *recv)
{
    return (
        struct timeout_stage *)(void *)((char *)recv -
                                        offsetof(struct timeout_stage, recv));
}

static void
timeout_fail(struct timeout_stage *st, rx_error *err)
{
    st->done = true;
    rx__unschedule(&st->task);
    rx__emit_new_error(&st->base, err);
}

/* Sets the deadline `ms` from now (0: none). */
static void
timeout_arm(struct timeout_stage *st, int64_t ms)
{
    if (ms == 0) {
        rx__unschedule(&st->task);
    } else if (rx__schedule(st->sched, &st->task, ms) < 0) {
        rx__cancel_up(&st->base);
        timeout_fail(st, rx__time_oom(&st->base));
    }
}

/* Replaces the cancelled source with the fallback and starts it. */
static void
timeout_switch(struct timeout_stage *st, rx_observable *fallback)
{
    rx__stage *old = st->base.up;

    st->switched = true;
    st->base.up = NULL;
    if (old != NULL) {
        rx__stage_retire_chain(old);
    }
    if (rx__assemble(fallback, st->base.pipe, &st->recv, &st->base.up) != 0) {
        /* Stages made before the failure stay on the pipeline's list and
         * are freed with it; none of them was started. */
        st->base.up = NULL;
        timeout_fail(st, rx__time_oom(&st->base));
        return;
    }
    if (st->requested > 0) {
        rx__request_up(&st->base, st->requested);
    }
    rx__stage_start(st->base.up);
}

static void
timeout_run(rx__task *t)
{
    struct timeout_stage *st = from_task(t);
    const struct timeout_obs *o = (const struct timeout_obs *)st->base.obs;
    const rx_site *site = rx__stage_site(&st->base);

    if (st->done || st->switched) {
        return;
    }
    rx__cancel_up(&st->base);
    if (o->fallback != NULL) {
        timeout_switch(st, o->fallback);
    } else if (!st->got_item) {
        timeout_fail(st, rx__error_at(site, RX_ETIMEDOUT,
                                      "%s: no first item within %" PRId64
                                      " ms (first_ms)",
                                      site->name, o->first_ms));
    } else {
        timeout_fail(st, rx__error_at(site, RX_ETIMEDOUT,
                                      "%s: no item within %" PRId64
                                      " ms of the previous one (each_ms)",
                                      site->name, o->each_ms));
    }
}

/* ---- signals from the source ------------------------------------------ */

static bool
timeout_on_next(rx__stage *self, rx_value v)
{
    struct timeout_stage *st = (struct timeout_stage *)self;
    const struct timeout_obs *o = (const struct timeout_obs *)self->obs;
    bool consumed;

    if (st->done || st->switched) {
        return true;
    }
    st->got_item = true;
    rx__unschedule(&st->task);
    consumed = rx__emit_next(self, v);
    if (consumed) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    if (!st->done) {
        timeout_arm(st, o->each_ms);
    }
    return consumed;
}

static void
timeout_on_error(rx__stage *self, const rx_error *err)
{
    struct timeout_stage *st = (struct timeout_stage *)self;

    if (st->done || st->switched) {
        rx__undeliverable(err);
        return;
    }
    timeout_fail(st, rx_error_retain(err));
}

static void
timeout_on_complete(rx__stage *self)
{
    struct timeout_stage *st = (struct timeout_stage *)self;

    if (st->done || st->switched) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    rx__emit_complete(self);
}

/* ---- signals from the fallback ---------------------------------------- */

static bool
recv_on_next(rx__stage *self, rx_value v)
{
    struct timeout_stage *st = from_recv(self);
    bool consumed;

    if (st->done) {
        return true;
    }
    consumed = rx__emit_next(&st->base, v);
    if (consumed) {
        st->requested = rx__demand_sub(st->requested, 1);
    }
    return consumed;
}

static void
recv_on_error(rx__stage *self, const rx_error *err)
{
    struct timeout_stage *st = from_recv(self);

    if (st->done) {
        rx__undeliverable(err);
        return;
    }
    st->done = true;
    rx__emit_error(&st->base, err);
}

static void
recv_on_complete(rx__stage *self)
{
    struct timeout_stage *st = from_recv(self);

    if (!st->done) {
        st->done = true;
        rx__emit_complete(&st->base);
    }
}

/* The timeout stage talks to the fallback chain directly: nothing calls
 * these. */
static void
recv_request(rx__stage *self, int64_t n)
{
    (void)self;
    (void)n;
}

static void
recv_cancel(rx__stage *self)
{
    (void)self;
}

static const struct rx__stage_ops recv_ops = {
    .on_next = recv_on_next,
    .on_error = recv_on_error,
    .on_complete = recv_on_complete,
    .request = recv_request,
    .cancel = recv_cancel,
};

/* ---- requests from downstream ------------------------------------------ */

static void
timeout_request(rx__stage *self, int64_t n)
{
    struct timeout_stage *st = (struct timeout_stage *)self;

    if (st->done) {
        return;
    }
    st->requested = rx__demand_add(st->requested, n);
    rx__request_up(self, n);
}

static void
timeout_cancel(rx__stage *self)
{
    struct timeout_stage *st = (struct timeout_stage *)self;

    if (st->done) {
        return;
    }
    st->done = true;
    rx__unschedule(&st->task);
    rx__cancel_up(self);
}

static void
timeout_start(rx__stage *self)
{
    struct timeout_stage *st = (struct timeout_stage *)self;
    const struct timeout_obs *o = (const struct timeout_obs *)self->obs;
    rx_error *err;

    if (st->done) {
        return;
    }
    st->sched = rx__time_sched_start(self, st->sched, &err);
    if (st->sched == NULL) {
        rx__cancel_up(self);
        timeout_fail(st, err);
        return;
    }
    timeout_arm(st, o->first_ms);
    if (!st->done) {
        rx__stage_start(self->up);
    }
}

static void
timeout_teardown(rx__stage *self)
{
    struct timeout_stage *st = (struct timeout_stage *)self;

    rx__unschedule(&st->task);
}

static const struct rx__stage_ops timeout_stage_ops = {
    .on_next = timeout_on_next,
    .on_error = timeout_on_error,
    .on_complete = timeout_on_complete,
    .request = timeout_request,
    .cancel = timeout_cancel,
    .start = timeout_start,
    .teardown = timeout_teardown,
};

static int
timeout_assemble(rx_observable *self, rx__pipeline *pipe, rx__stage *down,
                 rx__stage **out)
{
    const struct timeout_obs *o = (const struct timeout_obs *)self;
    struct timeout_stage *st;

    st = rx__stage_new(pipe, &timeout_stage_ops, sizeof *st, self, down);
    if (st == NULL) {
        return RX_ENOMEM;
    }
    rx__task_init(&st->task, pipe, timeout_run);
    /* The receiver lives inside the stage and is freed with it; it
     * borrows the observable only for its site. */
    st->recv.ops = &recv_ops;
    st->recv.pipe = pipe;
    st->recv.obs = self;
    *out = &st->base;
    st->sched = rx__time_sched_resolve(o->sched);
    if (st->sched == NULL) {
        return RX_ENOMEM;
    }
    return rx__assemble(self->src, pipe, &st->base, &st->base.up);
}

static void
timeout_destroy(rx_observable *self)
{
    struct timeout_obs *o = (struct timeout_obs *)self;

    rx_observable_release(o->fallback);
    rx_scheduler_release(o->sched);
}

static const struct rx__obs_ops timeout_ops = {
    .assemble = timeout_assemble,
    .destroy = timeout_destroy,
};

rx_observable *
rx_timeout_opts_at(const rx_site *site, rx_observable *src,
                   const rx_timeout_config *cfg)
{
    struct timeout_obs *o;

    if (cfg == NULL) {
        rx_observable_release(src);
        return rx__fail_null(RX_EINVAL,
                             "rx_timeout_opts: cfg must not be NULL");
    }
    if (src == NULL) {
        rx_observable_release(cfg->fallback);
        return NULL;
    }
    if (cfg->first_ms == 0 && cfg->each_ms == 0) {
        rx_observable_release(src);
        rx_observable_release(cfg->fallback);
        return rx__fail_null(RX_EINVAL, "rx_timeout_opts: cfg must set "
                                        "first_ms or each_ms");
    }
    if (!rx__time_args_ok("rx_timeout_opts", "cfg->first_ms", cfg->first_ms, 0,
                          cfg->sched) ||
        !rx__time_args_ok("rx_timeout_opts", "cfg->each_ms", cfg->each_ms, 0,
                          NULL)) {
        rx_observable_release(src);
        rx_observable_release(cfg->fallback);
        return NULL;
    }
    o = rx__observable_new(site, &timeout_ops, sizeof *o, src);
    if (o == NULL) {
        rx_observable_release(cfg->fallback);
        return NULL;
    }
    o->sched = rx_scheduler_retain(cfg->sched);
    o->first_ms = cfg->first_ms;
    o->each_ms = cfg->each_ms;
    o->fallback = cfg->fallback;
    return &o->base;
}
